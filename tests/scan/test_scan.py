"""The IaC scan's judgement (aidc/scan.py) and, marked slow, the scan itself (scripts/scan: checkov over every
shipped stack), which must find nothing that scripts/scan-suppressions.yaml does not explain with a reason — and
must find a deliberately broken resource."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aidc.scan import findings, judge, load_suppressions, snake, terraform_plan

ROOT = Path(__file__).resolve().parents[2]
SUPPRESSIONS = ROOT / "scripts" / "scan-suppressions.yaml"


def _finding(check: str, resource: str, file: str = "dev.tfplan.json") -> dict[str, object]:
    return {"check_id": check, "check_name": check, "resource": resource, "file_path": f"/{file}"}


@pytest.mark.parametrize(
    ("pulumi", "terraform"),
    [
        ("kmsKeyId", "kms_key_id"),
        ("cidrIpv4", "cidr_ipv4"),
        ("tunnel1LogOptions", "tunnel1_log_options"),
        ("name", "name"),
    ],
)
def test_property_names_in_snake_case(pulumi: str, terraform: str) -> None:
    assert snake(pulumi) == terraform


def test_tags_keep_their_keys() -> None:
    resource = {
        "urn": "u",
        "type": "aws:s3/bucket:Bucket",
        "name": "b",
        "inputs": {"tags": {"aidc:stack": "dev"}},
    }
    (planned,) = terraform_plan([resource])["planned_values"]["root_module"]["resources"]
    assert planned["values"] == {"tags": {"aidc:stack": "dev"}}


def test_every_finding_needs_its_suppression_and_every_suppression_its_finding() -> None:
    suppressions = [
        {"check": "CKV_AWS_144", "resources": ["*.tfplan.json:aws_s3_bucket.*"], "reason": "one region"}
    ]
    kept = findings({"results": {"failed_checks": [_finding("CKV_AWS_144", "aws_s3_bucket.aws-data")]}})
    assert judge(kept, suppressions) == ([], [])
    new = findings([{"results": {"failed_checks": [_finding("CKV_AWS_145", "aws_s3_bucket.aws-data")]}}])
    unexplained, stale = judge(new, suppressions)
    assert unexplained == ["CKV_AWS_145 dev.tfplan.json:aws_s3_bucket.aws-data: CKV_AWS_145"]
    assert stale == ["CKV_AWS_144 ['*.tfplan.json:aws_s3_bucket.*']"]


def test_a_suppression_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("- check: CKV_AWS_144\n  resources: ['*']\n  reason: ' '\n")
    with pytest.raises(ValueError, match="written reason"):
        load_suppressions(path)
    assert all(s["reason"].strip() for s in load_suppressions(SUPPRESSIONS))


@pytest.mark.slow
def test_the_scan_finds_nothing_new_and_catches_a_broken_resource(tmp_path: Path) -> None:
    scan = subprocess.run(
        [str(ROOT / "scripts" / "scan")], cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert "0 new" in scan.stdout
    # The same scanner over a copy of dev's export whose datasets bucket lost its default encryption.
    emitted = tmp_path / "emitted"
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "aidc.scan", "export", str(emitted)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=900,
    )
    plan_path = emitted / "dev.tfplan.json"
    plan = json.loads(plan_path.read_text())
    for section in ("planned_values",):
        resources = plan[section]["root_module"]["resources"]
        plan[section]["root_module"]["resources"] = [
            r
            for r in resources
            if not r["type"].startswith("aws_s3_bucket_server_side_encryption_configuration")
        ]
    plan["resource_changes"] = [
        r for r in plan["resource_changes"] if "server_side_encryption" not in r["type"]
    ]
    plan_path.write_text(json.dumps(plan))
    result = subprocess.run(
        [
            str(ROOT / ".venv-scan/bin/checkov"),
            "--file",
            str(plan_path),
            "--framework",
            "terraform_plan",
            "--output",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    unexplained, _ = judge(findings(json.loads(result.stdout)), load_suppressions(SUPPRESSIONS))
    assert any(
        line.startswith("CKV_AWS_145 dev.tfplan.json:aws_s3_bucket.aws-data") for line in unexplained
    ), unexplained
