"""`aidc preflight` through the CLI dispatcher: exit codes 0/1/2, the JSON contract, the table."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from aidc.cli import main
from aidc.config.load import STACKS_DIR
from aidc.versions import EKS_DEFAULT
from tests.preflight.fake_openstack import FakeOpenStack
from tests.schemas import validate_document


def stack_file_with(tmp_path: Path, stack: str = "dev", **config: object) -> Path:
    """A copy of a shipped stack file with some config keys replaced."""
    document = yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())
    document["config"].update(config)
    path = tmp_path / f"Pulumi.{stack}-variant.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_missing_config_file_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["preflight", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_bad_region_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = stack_file_with(tmp_path, **{"aws:region": "moon-base-1x"})
    assert main(["preflight", "--config", str(path), "--cloud", "aws"]) == 2
    assert "aws:region: 'moon-base-1x' is not an AWS region name" in capsys.readouterr().err


def test_unknown_cloud_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preflight", "--cloud", "azure"]) == 2
    assert "invalid choice: 'azure'" in capsys.readouterr().err


def test_openstack_pass_exits_0_with_json_contract(
    fake_openstack: FakeOpenStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preflight", "--stack", "dev", "--cloud", "openstack", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    validate_document("preflight", document)
    assert document["ok"] is True
    for check in document["checks"]:
        assert set(check) == {"cloud", "name", "target", "ok", "detail", "figures", "hint"}
        assert check["cloud"] == "openstack"
    flavors = {c["target"].split(" ")[1] for c in document["checks"] if c["name"] == "flavor"}
    assert flavors == {"gpu-a100-80gb-x8", "gpu-l4-24gb-x1", "m1.xlarge", "baremetal.storage"}


def test_openstack_failure_exits_1_and_table_shows_hint(
    fake_openstack: FakeOpenStack, capsys: pytest.CaptureFixture[str]
) -> None:
    body = fake_openstack.bodies["neutron_extensions"]
    body["extensions"] = [e for e in body["extensions"] if e["alias"] != "vpnaas"]
    assert main(["preflight", "--stack", "dev", "--cloud", "openstack"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "neutron-vpnaas" in out
    assert "1 failed" in out


@pytest.mark.usefixtures("aws_env")
def test_aws_under_moto_reports_the_missing_quota_api_as_a_failed_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
        ec2.create_image(
            # The dev stack's EKS version: the pinned default (aidc/versions.py).
            InstanceId=instance["InstanceId"],
            Name=f"amazon-eks-node-al2023-x86_64-nvidia-{EKS_DEFAULT}-v1",
        )
        code = main(["preflight", "--stack", "dev", "--cloud", "aws", "--json"])
    document = json.loads(capsys.readouterr().out)
    validate_document("preflight", document)
    verdicts = {c["name"]: c["ok"] for c in document["checks"]}
    assert verdicts == {"credentials": True, "instance-offering": True, "vcpu-quota": False, "gpu-ami": True}
    # moto implements no EC2 quotas in Service Quotas: a clear failed check, exit 1, no traceback
    [quota] = [c for c in document["checks"] if c["name"] == "vcpu-quota"]
    assert "get_aws_default_service_quota" in quota["detail"]
    assert code == 1


def test_the_report_has_one_line_per_check_whole_words_and_no_html() -> None:
    from aidc.output.preflight import report_lines
    from aidc.preflight.report import CheckResult
    from aidc.preflight.retry import classify_openstack_error

    html = (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>"
        "<p>The proxy server received an invalid response from an upstream server.</p></body></html>"
    )
    from keystoneauth1 import exceptions as ksa

    failure = classify_openstack_error(ksa.http.BadGateway(message=html))
    checks = [
        CheckResult("aws", "credentials", "region us-east-1", True, "ok"),
        CheckResult(
            "openstack", "flavor", "flavor gpu-a100-80gb-x8", False, failure.reason, hint="ask an admin"
        ),
        CheckResult(
            "aws", "gpu-ami", "AMI", False, "no SSM parameter /aws/service/eks/optimized-ami/1.31/x", hint=""
        ),
    ]
    lines = report_lines(checks, 80)
    text = "\n".join(lines)
    assert "<" not in text and "Bad Gateway" in text and "an HTML page" in text
    starts = [line for line in lines if line.startswith("  PASS") or line.startswith("  FAIL")]
    assert len(starts) == 3  # one line (and its indented continuation) per check
    assert lines[-1] == "1 passed, 2 failed"
    words = set(" ".join(c.detail for c in checks).split())
    for line in lines:
        assert len(line) <= 80 or any(w in line for w in words if len(w) > 60)
