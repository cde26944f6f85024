"""Neutron VPNaaS (upstream/neutron: neutron-lib's VPNaaS attribute maps), Octavia (upstream/octavia: octavia-lib's
value sets) and the openstack provider's own contract (the pulumi_openstack SDK docstrings, i.e. the provider
schema): every value the program sends is one the API validates, and security groups are passed as the provider
reads them back."""

from __future__ import annotations

import copy

import pulumi_openstack as openstack
import pytest
from conformance_checks import (
    instance_security_group_problems,
    octavia_problems,
    provider_docstring,
    vpnaas_problems,
)

from aidc.offline import OfflinePlan


def test_every_vpnaas_value_is_one_neutron_validates(plan: OfflinePlan) -> None:
    problems, checked = [], 0
    for resource in plan.resources:
        found, count = vpnaas_problems(resource)
        problems += found
        checked += count
    assert checked >= 10, f"only {checked} VPNaaS values checked"
    assert problems == []


def test_every_octavia_value_is_one_octavia_validates(plan: OfflinePlan) -> None:
    problems, checked = [], 0
    for resource in plan.resources:
        found, count = octavia_problems(resource)
        problems += found
        checked += count
    assert checked >= 4, "every stack's core cluster has 3 servers behind a load balancer"
    assert problems == []


IKE = {
    "type": "openstack:vpnaas/ikePolicy:IkePolicy",
    "urn": "ike",
    "plain_inputs": {
        "authAlgorithm": "sha256",
        "encryptionAlgorithm": "aes-256-gcm-16",
        "phase1NegotiationMode": "main",
        "ikeVersion": "v2",
        "pfs": "group20",
        "lifetimes": [{"units": "seconds", "value": 28800.0}],
    },
}
SITE = {
    "type": "openstack:vpnaas/siteConnection:SiteConnection",
    "urn": "site",
    "plain_inputs": {
        "initiator": "bi-directional",
        "dpds": [{"action": "restart", "interval": 10.0, "timeout": 30.0}],
    },
}
POOL = {
    "type": "openstack:loadbalancer/pool:Pool",
    "urn": "pool",
    "plain_inputs": {"protocol": "TCP", "lbMethod": "ROUND_ROBIN"},
}


def test_well_formed_values_pass() -> None:
    assert vpnaas_problems(IKE) == ([], 6)
    assert vpnaas_problems(SITE) == ([], 2)
    assert octavia_problems(POOL) == ([], 2)


@pytest.mark.parametrize(
    ("resource", "field", "value"),
    [
        (IKE, "encryptionAlgorithm", "aes256-gcm"),
        (IKE, "pfs", "group13"),
        (IKE, "ikeVersion", "ikev2"),
        (IKE, "lifetimes", [{"units": "kilobytes", "value": 100.0}]),
        (SITE, "dpds", [{"action": "reset", "interval": 10.0, "timeout": 30.0}]),
        (SITE, "initiator", "both"),
        (POOL, "lbMethod", "RANDOM"),
        (POOL, "protocol", "TLS"),
    ],
    ids=[
        "cipher",
        "dh-group",
        "ike-version",
        "lifetime-units",
        "dpd-action",
        "initiator",
        "lb-method",
        "protocol",
    ],
)
def test_the_api_refuses_a_broken_value(resource: dict, field: str, value: object) -> None:
    broken = copy.deepcopy(resource)
    broken["plain_inputs"][field] = value
    problems = vpnaas_problems(broken)[0] + octavia_problems(broken)[0]
    assert problems


def test_the_provider_reads_security_groups_back_by_name() -> None:
    text = provider_docstring(openstack.compute.Instance, "security_groups")
    assert "security group names" in text and "Names should be used and not ids" in text, text


def test_instances_name_their_security_groups(plan: OfflinePlan) -> None:
    problems, checked = instance_security_group_problems(plan.resources)
    assert checked, "no instance security group checked"
    assert problems == []


def test_a_security_group_id_is_refused() -> None:
    group = {
        "type": "openstack:networking/secGroup:SecGroup",
        "urn": "sg",
        "plain_inputs": {"name": "private-internal"},
    }

    def instance(groups: list[str]) -> dict:
        return {
            "type": "openstack:compute/instance:Instance",
            "urn": "vm",
            "plain_inputs": {"securityGroups": groups},
        }

    assert instance_security_group_problems([group, instance(["private-internal"])]) == ([], 1)
    assert instance_security_group_problems([group, instance(["3c1f0a52-8e0b-4c5e-9f7d-2a6b1d9e4c31"])])[0]
