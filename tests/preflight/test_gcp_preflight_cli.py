"""`aidc preflight --cloud gcp` through the CLI dispatcher against the fake Google Cloud: exit codes 0/1/2, the JSON
contract, the table's lines and fix hints, the run's time budget.

Google Cloud is not a registered public cloud on this branch (aidc.contract.PublicCloud is the lead's to extend), so
no shipped stack's plan uses it yet. The command runs for real on the dev stack; three seams are set by hand, as the
registration will set them: the command knows the cloud (`PUBLIC_CLOUDS` and `preflight_of` of
aidc/commands/preflight.py), the plan's public groups are a hand-built Google Cloud slice (`size`), and `aidc:gcp`
is given as Settings (`settings_of` of aidc/clouds/gcp/preflight.py). Everything from the arguments to the exit
code is the command's own.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import pytest

from aidc.cli import main
from aidc.clouds.gcp import preflight as gcp
from aidc.clouds.gcp.settings import Settings
from aidc.sizing.figure import Figure
from aidc.sizing.plan import PublicGroup
from tests.preflight.conftest import closed_port
from tests.preflight.fake_gcp import PROJECT, FakeGcp, service_account_key


def gcp_group(
    workload: str, instance_type: str, instances: int, gpus: int, spot: bool = False
) -> PublicGroup:
    return PublicGroup(
        workload=workload,
        kind="training",
        classification="internal",
        location="gcp",  # type: ignore[arg-type]
        instance_type=instance_type,
        accelerator="h100-80gb",
        instances=Figure(instances, "instances", "hand-built", {}),
        gpus=instances * gpus,
        gpus_per_instance=gpus,
        spot=spot,
        usd_per_hour=1.0,
        efa=False,
        efa_interfaces=0,
    )


GROUPS = (
    gcp_group("pretrain", "a3-highgpu-8g", 4, 8),
    gcp_group("serve", "g2-standard-48", 2, 4, spot=True),
)


@pytest.fixture
def settings() -> dict[str, Any]:
    """The `aidc:gcp` a test may edit before running the command."""
    return {"project": PROJECT, "region": "us-central1", "zones": ("us-central1-a", "us-central1-b")}


@pytest.fixture
def gcp_command(monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any], fake_gcp: FakeGcp) -> FakeGcp:
    from aidc.commands import preflight as command

    real_size, real_preflight_of = command.size, command.preflight_of

    def size(cfg: Any) -> Any:
        plan = real_size(cfg)
        public = dataclasses.replace(plan.placement, public=GROUPS)
        return dataclasses.replace(plan, clouds=("gcp",), placement=public)

    monkeypatch.setattr(command, "PUBLIC_CLOUDS", ("aws", "gcp"))
    monkeypatch.setattr(
        command, "preflight_of", lambda cloud: gcp if cloud == "gcp" else real_preflight_of(cloud)
    )
    monkeypatch.setattr(command, "size", size)
    monkeypatch.setattr(gcp, "settings_of", lambda cfg: Settings(**settings))
    return fake_gcp


def preflight(*extra: str, endpoint: str | None = None, anonymous: bool = True) -> list[str]:
    args = ["preflight", "--stack", "dev", "--cloud", "gcp", "--max-attempts", "1"]
    if endpoint:
        args += ["--gcp-endpoint-url", endpoint]
    if anonymous:
        args += ["--gcp-credentials", "anonymous"]
    return [*args, *extra]


def test_every_check_passes_exit_0_with_the_json_contract(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(preflight("--json", endpoint=gcp_command.base)) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is True
    for check in document["checks"]:
        assert set(check) == {"cloud", "name", "target", "ok", "detail", "figures", "hint"}
        assert check["cloud"] == "gcp"
    names = [c["name"] for c in document["checks"]]
    assert names[:3] == ["credentials", "api", "gpu-quota"] and names[-1] == "cpu-quota"
    targets = {c["target"] for c in document["checks"]}
    assert "a3-highgpu-8g in us-central1-a, us-central1-b" in targets
    assert "GPUS-PER-GPU-FAMILY-per-project-region (gpu_family NVIDIA_H100) in us-central1" in targets
    assert "NVIDIA_L4_GPUS in us-central1" in targets  # Spot L4 on the standard quota: no preemptible quota


def failures(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [c for c in json.loads(capsys.readouterr().out)["checks"] if not c["ok"]]


def test_quota_short_exits_1_and_says_what_to_request(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str]
) -> None:
    gcp_command.family_quotas[("us-central1", "NVIDIA_H100")] = 16
    assert main(preflight("--json", endpoint=gcp_command.base)) == 1
    [short] = failures(capsys)
    assert short["name"] == "gpu-quota"
    assert short["target"] == "GPUS-PER-GPU-FAMILY-per-project-region (gpu_family NVIDIA_H100) in us-central1"
    assert short["detail"] == "32 GPUs needed but the quota is 16"
    assert short["figures"] == {
        "needed_gpus": 32,
        "machines": ["4x a3-highgpu-8g (8 GPUs)"],
        "quota_gpus": 16.0,
    }
    assert short["hint"] == (
        "request an increase of GPUS-PER-GPU-FAMILY-per-project-region (gpu_family NVIDIA_H100) in us-central1 to "
        f"at least 32: https://console.cloud.google.com/iam-admin/quotas?project={PROJECT}"
    )
    # the report for people: the failed check and its fix, and the count
    assert main(preflight(endpoint=gcp_command.base)) == 1
    out = capsys.readouterr().out
    assert "gcp:gpu-quota" in out and "fix:" in out and "1 failed" in out


def test_machine_type_missing_in_a_zone_and_a_disabled_api(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str]
) -> None:
    gcp_command.offered["us-central1-b"].discard("g2-standard-48")
    gcp_command.services["container.googleapis.com"] = "DISABLED"
    assert main(preflight("--json", endpoint=gcp_command.base)) == 1
    api, machine = failures(capsys)
    assert api["detail"] == f"container.googleapis.com is disabled in project {PROJECT}"
    assert api["hint"] == f"gcloud services enable container.googleapis.com --project {PROJECT}"
    assert machine["target"] == "g2-standard-48 in us-central1-a, us-central1-b"
    assert machine["detail"] == "g2-standard-48 is not offered in us-central1-b"


def test_no_project_is_bad_input(
    gcp_command: FakeGcp, settings: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    settings.pop("project")
    assert main(preflight(endpoint=gcp_command.base)) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("aidc: aidc:gcp.project: not set (nor gcp:project)")
    assert gcp_command.requests == []


def test_anonymous_credentials_without_a_test_endpoint_are_bad_input(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(preflight()) == 2
    assert "--gcp-credentials anonymous: only with --gcp-endpoint-url" in capsys.readouterr().err


def test_application_default_credentials(
    gcp_command: FakeGcp, gcp_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = gcp_env / "key.json"
    key.write_text(json.dumps(gcp_command.trust(service_account_key(f"{gcp_command.base}/token"))))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    gcp_command.require_token = True
    assert main(preflight("--json", endpoint=gcp_command.base, anonymous=False)) == 0
    first = json.loads(capsys.readouterr().out)["checks"][0]
    assert first["detail"] == f"authenticated as aidc-preflight@{PROJECT}.iam.gserviceaccount.com"
    gcp_command.expired = True
    assert main(preflight("--json", endpoint=gcp_command.base, anonymous=False)) == 1
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert [c["ok"] for c in checks] == [True, False]
    assert checks[1]["detail"].startswith("credentials rejected (401 UNAUTHENTICATED): Request had invalid")


def test_unreachable_endpoint_exits_1_with_one_line(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(preflight("--json", endpoint=f"http://127.0.0.1:{closed_port()}")) == 1
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert [c["name"] for c in checks] == ["credentials", "api"]
    assert checks[1]["detail"].startswith("unreachable: ")


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        ({"fail": {"/regions/": 403}}, "permission denied (403 PERMISSION_DENIED): fake 403 for"),
        ({"fail": {"/zones/us-central1-a/machineTypes/": 500}}, "HTTP 500 INTERNAL: fake 500 for"),
        (
            {"html": {"/acceleratorTypes/": 502}},
            "the endpoint's answer is not a Google API response (HTTP 502, text/html)",
        ),
    ],
)
def test_api_errors_exit_1_with_the_apis_words(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str], fault: dict[str, dict[str, int]], detail: str
) -> None:
    for name, value in fault.items():
        getattr(gcp_command, name).update(value)
    assert main(preflight("--json", endpoint=gcp_command.base)) == 1
    failed = [c for c in json.loads(capsys.readouterr().out)["checks"] if not c["ok"]]
    assert failed and failed[0]["detail"].startswith(detail)
    assert all("<html" not in c["detail"] for c in failed)


@pytest.mark.slow
def test_the_budget_bounds_a_silent_endpoint(
    gcp_command: FakeGcp, capsys: pytest.CaptureFixture[str]
) -> None:
    gcp_command.hang_s = 30
    started = time.monotonic()
    assert main(preflight("--json", "--timeout", "2", endpoint=gcp_command.base)) == 1
    assert time.monotonic() - started < 6
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks[-1]["name"] == "timeout" or checks[-1]["detail"].startswith("timed out")
    assert "within --timeout 2 s" in checks[-1]["detail"] or "timed out" in checks[-1]["detail"]
