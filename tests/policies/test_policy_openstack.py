"""OpenStack rules: a violating and a compliant resource for each."""

from __future__ import annotations

import pytest
from policy_helpers import check_resource

from policies import openstack


def _rule(**over):
    props = {
        "direction": "ingress",
        "ethertype": "IPv4",
        "protocol": "tcp",
        "portRangeMin": 22,
        "portRangeMax": 22,
        "remoteIpPrefix": "10.99.0.0/24",
    }
    props.update(over)
    return {k: v for k, v in props.items() if v is not None}


@pytest.mark.parametrize(
    "props",
    [
        _rule(remoteIpPrefix="0.0.0.0/0"),
        _rule(remoteIpPrefix="::/0", ethertype="IPv6", portRangeMin=6443, portRangeMax=6443),
        _rule(remoteIpPrefix=None),  # no prefix and no remote group: anywhere
        _rule(remoteIpPrefix="0.0.0.0/0", protocol=None, portRangeMin=None, portRangeMax=None),
        _rule(remoteIpPrefix="0.0.0.0/0", portRangeMin=1, portRangeMax=65535),
    ],
)
def test_open_admin_ingress_is_refused(props):
    found = check_resource(openstack.openstack_no_open_admin_ingress, openstack.SEC_GROUP_RULE, props)
    assert found
    assert "admin_cidrs" in found[0]


@pytest.mark.parametrize(
    "props",
    [
        _rule(),
        _rule(remoteIpPrefix="0.0.0.0/0", portRangeMin=443, portRangeMax=443),
        _rule(remoteIpPrefix=None, remoteGroupId="sg-1"),
        _rule(direction="egress", remoteIpPrefix="0.0.0.0/0"),
    ],
)
def test_restricted_ingress_passes(props):
    assert check_resource(openstack.openstack_no_open_admin_ingress, openstack.SEC_GROUP_RULE, props) == []


def test_admin_pass_is_refused():
    base = {"flavorName": "m1.xlarge", "keyPair": "kp"}
    assert check_resource(
        openstack.openstack_no_admin_pass, openstack.INSTANCE, {**base, "adminPass": "[secret]"}
    )
    assert check_resource(openstack.openstack_no_admin_pass, openstack.INSTANCE, base) == []


@pytest.mark.parametrize("key", ["password", "token", "applicationCredentialSecret"])
def test_provider_credentials_are_refused(key):
    found = check_resource(
        openstack.openstack_no_provider_credentials, openstack.PROVIDER, {"region": "edge-1", key: "[secret]"}
    )
    assert found
    assert key in found[0]


def test_provider_with_region_only_passes():
    props = {"region": "edge-1", "cloud": "aidc"}
    assert check_resource(openstack.openstack_no_provider_credentials, openstack.PROVIDER, props) == []
