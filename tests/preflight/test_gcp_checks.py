"""Google Cloud preflight against the local fake (tests/preflight/fake_gcp.py): every check passing, each failing
with the numbers and the command that fixes it, and the ways a call can fail (unreachable, rejected credentials,
403, 404, a proxy's HTML, throttling, the budget running out), each one CheckResult line with the API's own words.

The requirements are built by hand (GcpRequirements) or from a hand-built plan slice (PublicGroups of location
"gcp"): Google Cloud is not a registered cloud on this branch, so no shipped stack places anything there yet.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from aidc.clouds.gcp import preflight as gcp
from aidc.clouds.gcp.settings import Settings
from aidc.preflight.deadline import Deadline, Job, run_jobs
from aidc.preflight.report import CheckResult
from aidc.sizing.figure import Figure
from aidc.sizing.plan import PublicGroup
from tests.preflight.conftest import closed_port
from tests.preflight.fake_gcp import PROJECT, PROJECT_NUMBER, REGION, FakeGcp, service_account_key

FIXTURES = Path(__file__).parent / "fixtures" / "gcp"
ZONES = ("us-central1-a", "us-central1-b")
H100 = gcp.MachineNeed("a3-highgpu-8g", 4, "nvidia-h100-80gb", 8, "GPUS_PER_GPU_FAMILY:NVIDIA_H100")
A100 = gcp.MachineNeed("a2-ultragpu-8g", 2, "nvidia-a100-80gb", 8, "NVIDIA_A100_80GB_GPUS")
L4_SPOT = gcp.MachineNeed("g2-standard-48", 3, "nvidia-l4", 4, "NVIDIA_L4_GPUS", spot=True)
SYSTEM = gcp.SystemPoolNeed("e2-standard-4", 2)


def reqs(*machines: gcp.MachineNeed, **overrides: Any) -> gcp.GcpRequirements:
    values: dict[str, Any] = {
        "project": PROJECT,
        "region": REGION,
        "zones": ZONES,
        "machines": machines or (H100, A100, L4_SPOT),
        "system_pool": SYSTEM,
    }
    values.update(overrides)
    return gcp.GcpRequirements(**values)


def run(fake: FakeGcp | None, requirements: gcp.GcpRequirements, **options: Any) -> list[CheckResult]:
    settings: dict[str, Any] = {
        "anonymous": True,
        "max_attempts": 1,
        "read_timeout_s": 5.0,
        "deadline": Deadline(30),
    }
    settings.update(options)
    url = settings.pop("url", fake.base if fake else None)
    return gcp.run_gcp_checks(requirements, gcp.GcpClients(url, **settings))


def by_target(results: list[CheckResult], name: str) -> dict[str, CheckResult]:
    return {r.target: r for r in results if r.name == name}


def failed(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.ok]


# --- Requirements from the plan ------------------------------------------------------------------------------


def group(instance_type: str, instances: int, spot: bool = False, location: str = "gcp") -> PublicGroup:
    return PublicGroup(
        workload="pretrain",
        kind="training",
        classification="internal",
        location=location,  # type: ignore[arg-type]  # "gcp" is not registered on this branch
        instance_type=instance_type,
        accelerator="h100-80gb",
        instances=Figure(instances, "instances", "hand-built", {}),
        gpus=instances * 8,
        gpus_per_instance=8,
        spot=spot,
        usd_per_hour=1.0,
        efa=False,
        efa_interfaces=0,
    )


def test_requirements_from_a_plan_slice() -> None:
    groups = [
        group("a3-highgpu-8g", 4),
        group("a3-highgpu-8g", 2),  # another workload on the same type: summed
        group("a3-highgpu-8g", 3, spot=True),
        group("a2-ultragpu-8g", 0),  # nothing at peak: not checked
        group("p5.48xlarge", 5, location="aws"),  # another cloud's
    ]
    settings = Settings(project=PROJECT, region="us-central1", system_nodes=2)
    found = gcp.requirements_of(settings, groups)
    assert found.project == PROJECT and found.region == "us-central1"
    assert found.zones == ("us-central1-a", "us-central1-b", "us-central1-c")  # the region's first three
    assert found.machines == (
        gcp.MachineNeed("a3-highgpu-8g", 6, "nvidia-h100-80gb", 8, "GPUS_PER_GPU_FAMILY:NVIDIA_H100"),
        gcp.MachineNeed(
            "a3-highgpu-8g", 3, "nvidia-h100-80gb", 8, "GPUS_PER_GPU_FAMILY:NVIDIA_H100", spot=True
        ),
    )
    assert found.system_pool == gcp.SystemPoolNeed("e2-standard-4", 6)  # 2 per zone, 3 zones
    assert found.apis == gcp.REQUIRED_APIS
    assert gcp.requirements_of(settings, [group("p5.48xlarge", 5, location="aws")]).system_pool is None


def test_no_project_is_a_one_line_bad_setting() -> None:
    cfg = SimpleNamespace(cloud=lambda name: Settings())
    plan = SimpleNamespace(placement=SimpleNamespace(public=()))
    with pytest.raises(ValueError, match=r"^aidc:gcp\.project: not set \(nor gcp:project\)"):
        gcp.gcp_requirements(cfg, plan)  # type: ignore[arg-type]


# --- Everything passes -------------------------------------------------------------------------------------------


def test_every_check_passes_against_the_fake(fake_gcp: FakeGcp) -> None:
    results = run(fake_gcp, reqs())
    assert failed(results) == []
    assert [r.name for r in results] == [
        "credentials",
        "api",
        "gpu-quota",  # GPUS_ALL_REGIONS, read with the project
        *["machine-type"] * 4,
        *["accelerator-type"] * 3,
        *["gpu-quota"] * 3,
        "cpu-quota",
    ]
    assert all(r.cloud == "gcp" for r in results)
    quotas = by_target(results, "gpu-quota")
    family = quotas[f"GPUS-PER-GPU-FAMILY-per-project-region (gpu_family NVIDIA_H100) in {REGION}"]
    assert family.figures["needed_gpus"] == 32 and family.figures["quota_gpus"] == 256
    assert "Cloud Quotas reports no usage" in family.detail
    assert quotas[f"NVIDIA_A100_80GB_GPUS in {REGION}"].figures["needed_gpus"] == 16
    spot = quotas[f"NVIDIA_L4_GPUS in {REGION}"]
    assert "Spot g2-standard-48 draws on the standard quota (no preemptible GPU quota)" in spot.detail
    assert quotas[f"GPUS_ALL_REGIONS of project {PROJECT}"].figures["needed_gpus"] == 32 + 16 + 12
    [cpus] = [r for r in results if r.name == "cpu-quota"]
    assert cpus.target == f"CPUS in {REGION}" and cpus.figures["needed_vcpus"] == 8  # 2 x e2-standard-4
    # every API call went to the fake, through the REST paths the libraries use
    paths = {path for _, path in fake_gcp.requests}
    assert f"/compute/v1/projects/{PROJECT}/regions/{REGION}" in paths
    assert f"/compute/v1/projects/{PROJECT}/zones/us-central1-b/acceleratorTypes/nvidia-l4" in paths
    assert f"/v1/projects/{PROJECT}/services:batchGet" in paths


def test_application_default_credentials_from_a_service_account_key(
    fake_gcp: FakeGcp, gcp_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real ADC chain: GOOGLE_APPLICATION_CREDENTIALS names a key file; google-auth exchanges a signed JWT at
    the key's token_uri (the fake) for an access token; the client libraries sign their own JWTs; the fake checks
    both and refuses anything else."""
    adc_key(fake_gcp, gcp_env, monkeypatch)
    fake_gcp.require_token = True
    results = run(fake_gcp, reqs(), anonymous=False)
    assert failed(results) == []
    assert results[0].detail == f"authenticated as aidc-preflight@{PROJECT}.iam.gserviceaccount.com"
    assert ("POST", "/token") in fake_gcp.requests


def test_spot_draws_on_preemptible_quota_where_the_project_has_some(fake_gcp: FakeGcp) -> None:
    fake_gcp.region_quotas["PREEMPTIBLE_NVIDIA_L4_GPUS"] = [8, 0]
    results = run(fake_gcp, reqs(L4_SPOT))
    quota = by_target(results, "gpu-quota")[f"PREEMPTIBLE_NVIDIA_L4_GPUS in {REGION}"]
    assert not quota.ok and quota.detail == "12 GPUs needed but the quota is 8"


# --- Each check failing ------------------------------------------------------------------------------------------


def test_family_quota_short_names_the_quota_and_the_numbers(fake_gcp: FakeGcp) -> None:
    fake_gcp.family_quotas[(REGION, "NVIDIA_H100")] = 16
    results = run(fake_gcp, reqs(H100))
    [short] = failed(results)
    assert short.name == "gpu-quota"
    assert short.target == f"GPUS-PER-GPU-FAMILY-per-project-region (gpu_family NVIDIA_H100) in {REGION}"
    assert short.detail == "32 GPUs needed but the quota is 16"
    assert short.figures["machines"] == ["4x a3-highgpu-8g (8 GPUs)"]
    assert "to at least 32" in short.hint and f"iam-admin/quotas?project={PROJECT}" in short.hint


def test_family_with_no_limit_for_the_region_falls_to_the_default_entry(fake_gcp: FakeGcp) -> None:
    h200 = gcp.MachineNeed("a3-megagpu-8g", 1, "nvidia-h100-mega-80gb", 8, "GPUS_PER_GPU_FAMILY:NVIDIA_H200")
    [short] = [r for r in run(fake_gcp, reqs(h200)) if r.name == "gpu-quota" and not r.ok]
    assert short.detail == "8 GPUs needed but the quota is 0"


def test_compute_metric_short_counts_usage(fake_gcp: FakeGcp) -> None:
    fake_gcp.region_quotas["NVIDIA_A100_80GB_GPUS"] = [8, 4]
    [short] = failed(run(fake_gcp, reqs(A100)))
    assert short.target == f"NVIDIA_A100_80GB_GPUS in {REGION}"
    assert short.detail == "16 GPUs needed but the quota is 8 (4 in use)"
    assert short.figures == {
        "needed_gpus": 16,
        "machines": ["2x a2-ultragpu-8g (8 GPUs)"],
        "quota_gpus": 8.0,
        "in_use_gpus": 4.0,
    }


def test_quota_within_the_limit_but_not_free_passes_with_a_warning(fake_gcp: FakeGcp) -> None:
    fake_gcp.region_quotas["NVIDIA_A100_80GB_GPUS"] = [20, 8]
    quota = by_target(run(fake_gcp, reqs(A100)), "gpu-quota")[f"NVIDIA_A100_80GB_GPUS in {REGION}"]
    assert quota.ok and "8 in use: only 12 free now (this stack's running nodes count too)" in quota.detail


def test_region_without_the_metric(fake_gcp: FakeGcp) -> None:
    del fake_gcp.region_quotas["NVIDIA_A100_80GB_GPUS"]
    [missing] = failed(run(fake_gcp, reqs(A100)))
    assert "reports no such quota (the region may not offer the GPU)" in missing.detail


def test_project_wide_gpu_cap(fake_gcp: FakeGcp) -> None:
    fake_gcp.project_quotas["GPUS_ALL_REGIONS"] = [24, 0]
    [short] = failed(run(fake_gcp, reqs()))
    assert short.target == f"GPUS_ALL_REGIONS of project {PROJECT}"
    assert short.detail == "60 GPUs needed but the quota is 24"


def test_system_pool_vcpus(fake_gcp: FakeGcp) -> None:
    fake_gcp.region_quotas["CPUS"] = [24, 20]
    [short] = failed(run(fake_gcp, reqs(A100)))
    assert short.name == "cpu-quota"
    assert short.detail == "8 vCPUs needed for the system pool but only 4 are free (quota 24, 20 in use)"
    assert gcp.cpu_metric("n2-standard-8") == "N2_CPUS" and gcp.cpu_metric("e2-standard-4") == "CPUS"


def test_machine_type_not_in_a_zone(fake_gcp: FakeGcp) -> None:
    fake_gcp.offered["us-central1-b"].discard("a3-highgpu-8g")
    [missing] = failed(run(fake_gcp, reqs(H100)))
    assert (
        missing.name == "machine-type" and missing.target == "a3-highgpu-8g in us-central1-a, us-central1-b"
    )
    assert missing.detail == "a3-highgpu-8g is not offered in us-central1-b"
    assert missing.figures["offered_zones"] == ["us-central1-a"]
    assert 'gcloud compute machine-types list --filter="name=a3-highgpu-8g"' in missing.hint


def test_machine_type_carrying_other_gpus_than_the_catalog_says(fake_gcp: FakeGcp) -> None:
    wrong = gcp.MachineNeed("a2-highgpu-8g", 1, "nvidia-a100-80gb", 8, "NVIDIA_A100_80GB_GPUS")
    [mismatch] = [r for r in failed(run(fake_gcp, reqs(wrong))) if r.name == "machine-type"]
    assert mismatch.detail.startswith(
        "in us-central1-a it carries 8 x nvidia-tesla-a100, the plan expects 8 x nvidia-a100-80gb"
    )


def test_accelerator_not_in_a_zone(fake_gcp: FakeGcp) -> None:
    fake_gcp.offered["us-central1-a"].discard("nvidia-l4")
    [missing] = failed(run(fake_gcp, reqs(L4_SPOT)))
    assert (
        missing.name == "accelerator-type" and missing.detail == "nvidia-l4 is not offered in us-central1-a"
    )
    assert 'gcloud compute accelerator-types list --filter="name=nvidia-l4"' in missing.hint


def test_accelerator_attaching_fewer_than_a_machine_carries(
    fake_gcp: FakeGcp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        __import__("tests.preflight.fake_gcp", fromlist=["x"]).ACCELERATOR_TYPES,
        "nvidia-l4",
        ("NVIDIA L4", 2),
    )
    [few] = failed(run(fake_gcp, reqs(L4_SPOT)))
    assert (
        few.detail
        == "us-central1-a attaches at most 2 per machine; us-central1-b attaches at most 2 per machine"
    )


def test_disabled_api_names_it_and_the_command(fake_gcp: FakeGcp) -> None:
    fake_gcp.services["container.googleapis.com"] = "DISABLED"
    fake_gcp.services["cloudkms.googleapis.com"] = "DISABLED"
    results = run(fake_gcp, reqs())
    disabled = failed(results)
    assert [r.target for r in disabled] == [
        f"container.googleapis.com in project {PROJECT}",
        f"cloudkms.googleapis.com in project {PROJECT}",
    ]
    assert disabled[0].detail == f"container.googleapis.com is disabled in project {PROJECT}"
    assert disabled[0].hint == f"gcloud services enable container.googleapis.com --project {PROJECT}"
    [enabled] = [r for r in results if r.name == "api" and r.ok]
    assert enabled.detail == (
        "7 APIs enabled: cloudresourcemanager, compute, storage, iam, iamcredentials, logging, monitoring"
    )


def test_compute_disabled_answers_every_compute_call_with_the_apis_own_message(fake_gcp: FakeGcp) -> None:
    fake_gcp.services["compute.googleapis.com"] = "DISABLED"
    results = run(fake_gcp, reqs(A100))
    assert [r.name for r in failed(results)] == [
        "api",
        "project",
        "machine-type",
        "accelerator-type",
        "gpu-quota",
        "cpu-quota",
    ]
    compute = failed(results)[1]
    assert compute.detail.startswith(
        "API disabled (403 PERMISSION_DENIED): Compute Engine API has not been used in project 412345678901"
    )
    assert compute.hint == f"gcloud services enable compute.googleapis.com --project {PROJECT_NUMBER}"


def test_cloud_quotas_disabled_fails_only_the_family_quota(fake_gcp: FakeGcp) -> None:
    fake_gcp.services["cloudquotas.googleapis.com"] = "DISABLED"
    [family] = failed(run(fake_gcp, reqs(H100)))
    assert family.target.startswith("GPUS-PER-GPU-FAMILY-per-project-region")
    assert "Cloud Quotas API has not been used" in family.detail
    assert family.hint.startswith("gcloud services enable cloudquotas.googleapis.com")


# --- How calls fail ----------------------------------------------------------------------------------------------


def test_unreachable_endpoint_is_one_line_and_ends_the_run(gcp_env: Path) -> None:
    started = time.monotonic()
    results = run(None, reqs(), url=f"http://127.0.0.1:{closed_port()}", max_attempts=2)
    assert time.monotonic() - started < 10
    [first, unreachable] = results  # anonymous credentials pass; the first API call finds nobody
    assert first.name == "credentials" and first.ok
    assert unreachable.name == "api" and not unreachable.ok
    assert unreachable.detail.startswith("unreachable: ") and "\n" not in unreachable.detail


def adc_key(fake: FakeGcp, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Application Default Credentials: a service-account key file the fake trusts, its token_uri at the fake."""
    key = folder / "key.json"
    key.write_text(json.dumps(fake.trust(service_account_key(f"{fake.base}/token"))))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))


def test_rejected_credentials_401_end_the_run(
    fake_gcp: FakeGcp, gcp_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adc_key(fake_gcp, gcp_env, monkeypatch)
    fake_gcp.expired = True  # the token is issued, then every API call answers 401
    results = run(fake_gcp, reqs(), anonymous=False)
    assert [r.ok for r in results] == [True, False]
    assert results[1].detail.startswith(
        "credentials rejected (401 UNAUTHENTICATED): Request had invalid authentication"
    )
    assert "gcloud auth application-default login" in results[1].hint
    # google-auth's AuthorizedSession refreshes and retries a 401 twice, then the API's own answer stands
    assert fake_gcp.requests.count(("GET", f"/v1/projects/{PROJECT}/services:batchGet")) == 3


def test_a_401_to_anonymous_calls(fake_gcp: FakeGcp) -> None:
    fake_gcp.expired = True
    results = run(fake_gcp, reqs())
    assert (
        results[1].detail
        == "credentials rejected: the endpoint answered 401 UNAUTHENTICATED to an anonymous call"
    )
    assert len(results) == 2


def test_a_revoked_key_fails_the_credentials_check(
    fake_gcp: FakeGcp, gcp_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adc_key(fake_gcp, gcp_env, monkeypatch)
    fake_gcp.token_error = True
    [revoked] = run(fake_gcp, reqs(), anonymous=False)
    assert revoked.name == "credentials"
    assert revoked.detail == "credentials rejected: invalid_grant: Token has been expired or revoked."


def test_no_application_default_credentials(fake_gcp: FakeGcp) -> None:
    [none] = run(fake_gcp, reqs(), anonymous=False)
    assert none.name == "credentials" and none.detail.startswith("no Application Default Credentials: ")
    assert "gcloud auth application-default login" in none.hint
    assert fake_gcp.requests == []


def test_403_is_a_failed_check_and_the_others_still_run(fake_gcp: FakeGcp) -> None:
    fake_gcp.fail[f"/regions/{REGION}"] = 403
    results = run(fake_gcp, reqs(A100))
    denied = failed(results)
    assert [r.name for r in denied] == ["gpu-quota", "cpu-quota"]
    assert (
        denied[0].detail
        == f"permission denied (403 PERMISSION_DENIED): fake 403 for /compute/v1/projects/{PROJECT}/regions/{REGION}"
    )
    assert "roles/compute.viewer" in denied[0].hint
    assert by_target(results, "gpu-quota")[f"GPUS_ALL_REGIONS of project {PROJECT}"].ok


def test_404_for_a_project_that_does_not_exist(fake_gcp: FakeGcp) -> None:
    results = run(fake_gcp, reqs(A100, project="no-such-project-1"))
    # Service Usage says 403, Compute 404; after Compute's 404 nothing else is asked (it would only repeat it)
    assert [(r.name, r.ok) for r in results] == [("credentials", True), ("api", False), ("project", False)]
    assert results[1].detail == (
        "permission denied (403 PERMISSION_DENIED): Permission denied to access project no-such-project-1"
    )
    assert (
        results[2].detail
        == "not found (404 NOT_FOUND): The resource 'projects/no-such-project-1' was not found"
    )
    assert "aidc:gcp.project" in results[2].hint


def test_a_proxys_html_page_is_never_shown(fake_gcp: FakeGcp) -> None:
    fake_gcp.html["/services:batchGet"] = 502
    results = run(fake_gcp, reqs(), max_attempts=2)
    [page] = failed(results)
    assert page.detail == "the endpoint's answer is not a Google API response (HTTP 502, text/html)"
    assert all("<" not in r.detail for r in results)
    assert (
        fake_gcp.requests.count(("GET", f"/v1/projects/{PROJECT}/services:batchGet")) == 2
    )  # 502 is retried


def test_throttling_is_retried_with_backoff_within_the_attempts(fake_gcp: FakeGcp) -> None:
    fake_gcp.throttle["/services:batchGet"] = 2
    assert failed(run(fake_gcp, reqs(), max_attempts=3)) == []
    fake_gcp.throttle["/services:batchGet"] = 1
    [throttled] = failed(run(fake_gcp, reqs(), max_attempts=1))
    assert throttled.detail.startswith(
        "throttled (429 RESOURCE_EXHAUSTED) after 1 attempts with backoff: Quota exceeded"
    )


def test_no_request_starts_once_the_budget_is_spent(fake_gcp: FakeGcp) -> None:
    spent = Deadline(0.001)
    time.sleep(0.01)
    results = run(fake_gcp, reqs(), deadline=spent)
    assert [r.ok for r in results] == [True, False]
    assert results[1].detail == "timed out: the --timeout budget of 0.001 s was spent"
    assert fake_gcp.requests == []


def test_a_silent_endpoint_cannot_outlast_the_budget(fake_gcp: FakeGcp) -> None:
    fake_gcp.hang_s = 5
    deadline = Deadline(1.5)
    started = time.monotonic()
    clients = gcp.GcpClients(
        fake_gcp.base, anonymous=True, max_attempts=4, read_timeout_s=20, deadline=deadline
    )
    checks = run_jobs(
        [Job("gcp", f"project {PROJECT}", lambda: gcp.run_gcp_checks(reqs(), clients))], deadline
    )
    assert time.monotonic() - started < 3
    [late] = checks[-1:]
    assert not late.ok and (late.name == "timeout" or late.detail.startswith("timed out"))


# --- Pieces ------------------------------------------------------------------------------------------------------


def test_family_limit_on_googles_published_quota_info() -> None:
    """The QuotaInfo Google's documentation prints (fixtures/gcp/README.md): an entry for a region wins over the
    entry without dimensions, which applies only to its applicable locations."""
    from google.cloud import cloudquotas_v1

    info = cloudquotas_v1.QuotaInfo.from_json(
        (FIXTURES / "quota-info-gpus-per-gpu-family.json").read_text(), ignore_unknown_fields=False
    )
    assert gcp.family_limit(info, "us-central1", "NVIDIA_H100") == 200
    assert gcp.family_limit(info, "us-central2", "NVIDIA_H200") == 300
    assert gcp.family_limit(info, "us-west1", "NVIDIA_H100") == 100
    assert gcp.family_limit(info, "europe-west4", "NVIDIA_H100") is None


@pytest.mark.parametrize(
    ("url", "credentials", "message"),
    [
        ("ftp://127.0.0.1:1", "adc", re.escape("is not http(s)://host[:port]")),
        ("http://127.0.0.1:1/compute/v1", "adc", re.escape("is not http(s)://host[:port]")),
        (None, "anonymous", "only with --gcp-endpoint-url naming a test endpoint"),
        (
            "https://compute.googleapis.com",
            "anonymous",
            "only with --gcp-endpoint-url naming a test endpoint",
        ),
    ],
)
def test_bad_endpoint_options_are_one_line_bad_input(url: str | None, credentials: str, message: str) -> None:
    args = SimpleNamespace(gcp_endpoint_url=url, gcp_credentials=credentials)
    with pytest.raises(ValueError, match=message):
        gcp.endpoint_of(args)  # type: ignore[arg-type]


def test_the_client_libraries_load_only_when_checks_run() -> None:
    code = "import sys, aidc.clouds.gcp.preflight; print(sorted(m for m in sys.modules if m.startswith('google')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


@pytest.mark.slow
def test_the_fake_served_on_its_own_as_the_docs_run_it(
    gcp_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/gcp-preflight.md: `python -m tests.preflight.fake_gcp --port P --key FILE`, then ADC from that file."""
    port, key = closed_port(), gcp_env / "fake-key.json"
    command = [sys.executable, "-m", "tests.preflight.fake_gcp", "--port", str(port), "--key", str(key)]
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"fake Google Cloud at http://127.0.0.1:{port}")
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
        results = run(None, reqs(), url=f"http://127.0.0.1:{port}", anonymous=False)
        assert failed(results) == [] and results[0].detail.startswith("authenticated as aidc-preflight@")
        # the key is required: anonymous calls are refused
        [_, refused] = run(None, reqs(), url=f"http://127.0.0.1:{port}")
        assert (
            refused.detail
            == "credentials rejected: the endpoint answered 401 UNAUTHENTICATED to an anonymous call"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
