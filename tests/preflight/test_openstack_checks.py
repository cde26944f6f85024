"""OpenStack checks: openstacksdk over real HTTP against the loopback fake (tests/preflight/fake_openstack.py)."""

from __future__ import annotations

import pytest

from aidc.preflight.openstack import gpus_in_extra_specs, run_openstack_checks_for
from aidc.preflight.requirements import FlavorNeed
from tests.preflight.conftest import closed_port, os_reqs
from tests.preflight.fake_openstack import FakeOpenStack


def _failed(results):  # type: ignore[no-untyped-def]
    return [r for r in results if not r.ok]


def _find(results, name, target_start):  # type: ignore[no-untyped-def]
    [hit] = [r for r in results if r.name == name and r.target.startswith(target_start)]
    return hit


def test_all_checks_pass_against_a_complete_cloud(fake_openstack: FakeOpenStack) -> None:
    results = run_openstack_checks_for(os_reqs())
    assert _failed(results) == []
    names = [r.name for r in results]
    assert names[0] == "credentials"
    assert {"flavor", "image", "external-network", "vpnaas", "quota"} <= set(names)
    cores = _find(results, "quota", "cores")
    assert cores.figures["needed_vcpus"] == 2 * 96 + 3 * 8  # from the flavors' vcpus in the fake
    assert ("POST", "/identity/v3/auth/tokens") in fake_openstack.requests


def test_missing_vpnaas_fails_with_operator_hint(fake_openstack: FakeOpenStack) -> None:
    body = fake_openstack.bodies["neutron_extensions"]
    body["extensions"] = [e for e in body["extensions"] if e["alias"] != "vpnaas"]
    [failed] = _failed(run_openstack_checks_for(os_reqs()))
    assert (failed.name, failed.detail) == ("vpnaas", "Neutron has no vpnaas extension")
    assert "neutron-vpnaas" in failed.hint


def test_flavor_problems_are_named(fake_openstack: FakeOpenStack) -> None:
    reqs = os_reqs(
        flavors=(
            FlavorNeed("gpu-h100-80gb-x8", 4, 8, ("gpu:h100-80gb",)),  # absent
            FlavorNeed("m1.xlarge", 2, 1, ("edge:lab",)),  # no GPU spec
            FlavorNeed("gpu-a100-80gb-x8", 1, 4, ("gpu:a100-80gb",)),  # grants 8, plan wants 4
        )
    )
    results = run_openstack_checks_for(reqs)
    assert _find(results, "flavor", "flavor gpu-h100-80gb-x8").detail == "flavor gpu-h100-80gb-x8 not found"
    assert _find(results, "flavor", "flavor m1.xlarge").detail == "flavor has no GPU extra spec"
    wrong = _find(results, "flavor", "flavor gpu-a100-80gb-x8")
    assert not wrong.ok and wrong.figures["gpus_in_specs"] == 8
    cores = _find(results, "quota", "cores")
    assert "flavors not found are left out" in cores.detail


def test_image_and_external_network(fake_openstack: FakeOpenStack) -> None:
    results = run_openstack_checks_for(os_reqs(image="rocky-9", external_network="lab-internal"))
    image = _find(results, "image", "image rocky-9")
    assert not image.ok and image.detail == "image rocky-9 not found"
    network = _find(results, "external-network", "network lab-internal")
    assert not network.ok and "not router:external" in network.detail


def test_quota_shortfall_shows_the_figures(fake_openstack: FakeOpenStack) -> None:
    limits = fake_openstack.bodies["cinder_limits"]["limits"]["absolute"]
    limits.update(maxTotalVolumes=10, totalVolumesUsed=8)
    fips = fake_openstack.bodies["neutron_quota_details"]["quota"]["floatingip"]
    fips.update(limit=2, used=2)
    results = run_openstack_checks_for(os_reqs(volumes=5, floating_ips=1))
    volumes = _find(results, "quota", "volumes")
    assert not volumes.ok
    assert volumes.figures == {
        "needed_volumes": 5,
        "limit_volumes": 10,
        "used_volumes": 8,
        "available_volumes": 2,
    }
    assert "openstack quota set --volumes 13" in volumes.hint
    assert not _find(results, "quota", "floating-ips").ok
    assert _find(results, "quota", "instances").ok


def test_unlimited_quota_passes(fake_openstack: FakeOpenStack) -> None:
    fake_openstack.bodies["nova_limits"]["limits"]["absolute"]["maxTotalInstances"] = -1
    assert _find(run_openstack_checks_for(os_reqs()), "quota", "instances").ok


def test_expired_credentials_fail_once(fake_openstack: FakeOpenStack) -> None:
    fake_openstack.expired = True
    results = run_openstack_checks_for(os_reqs())
    assert len(results) == 1
    [result] = results
    assert (result.name, result.ok) == ("credentials", False)
    assert result.detail.startswith("credentials rejected (401)")


def test_unreachable_auth_url(fake_openstack: FakeOpenStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_AUTH_URL", f"http://127.0.0.1:{closed_port()}/identity/v3")
    [result] = run_openstack_checks_for(os_reqs(), timeout_s=2, max_attempts=1)
    assert not result.ok and result.detail.startswith("unreachable:")
    assert "OS_AUTH_URL" in result.hint


def test_timeout_is_a_failed_check(fake_openstack: FakeOpenStack) -> None:
    fake_openstack.hang_s = 2.0
    [result] = run_openstack_checks_for(os_reqs(), timeout_s=0.5, max_attempts=1)
    assert not result.ok and result.name == "credentials"
    assert result.detail.startswith(("unreachable:", "timed out:"))


def test_throttling_is_retried(fake_openstack: FakeOpenStack) -> None:
    fake_openstack.throttle["/network/v2.0/extensions"] = 2
    results = run_openstack_checks_for(os_reqs(), max_attempts=4)
    assert _failed(results) == []
    calls = [p for _, p in fake_openstack.requests if p == "/network/v2.0/extensions"]
    assert len(calls) == 3  # two 429 answers, then the list


def test_throttling_that_persists_fails(fake_openstack: FakeOpenStack) -> None:
    fake_openstack.throttle["/network/v2.0/extensions"] = 100
    results = run_openstack_checks_for(os_reqs(), max_attempts=2)
    [failed] = _failed(results)
    assert failed.name == "vpnaas" and "429" in failed.detail


@pytest.mark.parametrize(
    ("specs", "gpus"),
    [
        ({"pci_passthrough:alias": "a100:8"}, 8),
        ({"pci_passthrough:alias": "a100:4,nvswitch:2"}, 6),
        ({"resources:VGPU": "1"}, 1),
        ({"hw:cpu_policy": "dedicated"}, None),
    ],
)
def test_gpus_in_extra_specs(specs: dict[str, str], gpus: int | None) -> None:
    assert gpus_in_extra_specs(specs) == gpus
