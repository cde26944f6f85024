"""Admin sources are judged by the union of their networks, not by the literal string 0.0.0.0/0: hand-built
resources for every rule that guards admin ports (AWS security groups, rules and ingress rules, the EKS public
endpoint, OpenStack rules), the stack rules that union several rule resources of one group, and a property
test that the pack's rule and the config's rule (aidc/types.py) agree on every set of CIDRs."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import check_resource, check_stack, stack_resource

from aidc.types import admin_sources_problem
from policies import aws, openstack
from policies._common import broad_sources

HALVES_V4 = ["0.0.0.0/1", "128.0.0.0/1"]
HALVES_V6 = ["::/1", "8000::/1"]
QUARTERS_V4 = ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]
TWO_PUBLIC_EIGHTS = ["11.0.0.0/8", "12.0.0.0/8"]  # each fine alone, together wider than one /8
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]

BROAD = [
    pytest.param(HALVES_V4, id="v4-halves"),
    pytest.param(HALVES_V6, id="v6-halves"),
    pytest.param(QUARTERS_V4, id="v4-quarters"),
    pytest.param(["0.0.0.0/0"], id="v4-any"),
    pytest.param(["::/0"], id="v6-any"),
    pytest.param(["0.0.0.0/7"], id="v4-/7"),
    pytest.param(["2a00::/31"], id="v6-/31"),
    pytest.param(TWO_PUBLIC_EIGHTS, id="two-public-/8"),
    pytest.param([f"{i}.0.0.0/9" for i in range(20, 60)], id="scattered-/9s"),
]
NARROW = [
    pytest.param(["198.51.100.0/24"], id="one-/24"),
    pytest.param(["11.0.0.0/8"], id="one-public-/8"),
    pytest.param(PRIVATE_RANGES, id="rfc1918"),
    pytest.param(["2001:db8::/32"], id="v6-documentation"),
    pytest.param(["2a00:1450::/32"], id="v6-/32"),
    pytest.param(["11.0.0.0/8", "2a00:1450::/32"], id="a-/8-and-a-/32"),
]


@pytest.mark.parametrize("cidrs", BROAD)
def test_broad_unions_are_refused_by_both_rules(cidrs: list[str]) -> None:
    assert broad_sources(cidrs)
    assert admin_sources_problem(cidrs)


@pytest.mark.parametrize("cidrs", NARROW)
def test_named_networks_pass_both_rules(cidrs: list[str]) -> None:
    assert broad_sources(cidrs) is None
    assert admin_sources_problem(cidrs) is None


def _ssh(**sources: object) -> dict[str, object]:
    return {"protocol": "tcp", "fromPort": 22, "toPort": 22, **sources}


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        pytest.param(aws.SECURITY_GROUP, {"ingress": [_ssh(cidrBlocks=HALVES_V4)]}, id="sg-one-rule"),
        pytest.param(
            aws.SECURITY_GROUP,
            {"ingress": [_ssh(cidrBlocks=[HALVES_V4[0]]), _ssh(cidrBlocks=[HALVES_V4[1]])]},
            id="sg-two-rules",
        ),
        pytest.param(
            aws.SECURITY_GROUP,
            {"ingress": [_ssh(cidrBlocks=["11.0.0.0/8"]), _ssh(cidrBlocks=["12.0.0.0/8"])]},
            id="sg-two-public-/8-rules",
        ),
        pytest.param(aws.SECURITY_GROUP, {"ingress": [_ssh(ipv6CidrBlocks=HALVES_V6)]}, id="sg-v6"),
        pytest.param(
            aws.SECURITY_GROUP_RULE, {"type": "ingress", **_ssh(cidrBlocks=HALVES_V4)}, id="sg-rule"
        ),
        pytest.param(
            aws.INGRESS_RULE, {**_ssh(), "ipProtocol": "tcp", "cidrIpv4": "0.0.0.0/1"}, id="ingress-/1"
        ),
    ],
)
def test_aws_ingress_from_a_broad_union_is_refused(resource_type: str, props: dict[str, object]) -> None:
    assert check_resource(aws.aws_no_open_ingress, resource_type, props)


def test_aws_ingress_from_named_networks_passes() -> None:
    props = {"ingress": [_ssh(cidrBlocks=PRIVATE_RANGES), _ssh(cidrBlocks=["198.51.100.0/24"])]}
    assert check_resource(aws.aws_no_open_ingress, aws.SECURITY_GROUP, props) == []


@pytest.mark.parametrize("cidrs", [HALVES_V4, QUARTERS_V4, TWO_PUBLIC_EIGHTS])
def test_eks_public_endpoint_for_a_broad_union_is_refused(cidrs: list[str]) -> None:
    props = {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": cidrs}}
    found = check_resource(aws.aws_eks_endpoint_restricted, aws.EKS_CLUSTER, props)
    assert found and "internet" in found[0]


def test_eks_public_endpoint_for_named_networks_passes() -> None:
    props = {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["198.51.100.0/24"]}}
    assert check_resource(aws.aws_eks_endpoint_restricted, aws.EKS_CLUSTER, props) == []


def _ingress_rule(name: str, cidr: str, group: str = "sg-0abc") -> object:
    return stack_resource(
        aws.INGRESS_RULE,
        name,
        {"securityGroupId": group, "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": cidr},
    )


def test_aws_rules_of_one_group_are_judged_together() -> None:
    halves = [_ingress_rule("ssh-low", HALVES_V4[0]), _ingress_rule("ssh-high", HALVES_V4[1])]
    eights = [_ingress_rule("a", "11.0.0.0/8"), _ingress_rule("b", "12.0.0.0/8")]
    for rules in (halves, eights):
        [(message, _)] = check_stack(aws.aws_admin_ingress_union, rules)
        assert "port 22" in message
    # Each /8 alone passes the resource rule: only the union is wrong.
    assert (
        check_resource(aws.aws_no_open_ingress, aws.INGRESS_RULE, {**_ssh(), "cidrIpv4": "11.0.0.0/8"}) == []
    )


def test_aws_rules_of_different_groups_or_ports_are_not_merged() -> None:
    apart = [_ingress_rule("a", "11.0.0.0/8", "sg-1"), _ingress_rule("b", "12.0.0.0/8", "sg-2")]
    assert check_stack(aws.aws_admin_ingress_union, apart) == []
    https = stack_resource(
        aws.INGRESS_RULE,
        "https",
        {
            "securityGroupId": "sg-1",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrIpv4": "0.0.0.0/1",
        },
    )
    assert check_stack(aws.aws_admin_ingress_union, [_ingress_rule("a", "11.0.0.0/8", "sg-1"), https]) == []


def _os_rule(name: str, cidr: str, port: int = 22, group: str = "f6f02078") -> object:
    return stack_resource(
        openstack.SEC_GROUP_RULE,
        name,
        {
            "direction": "ingress",
            "ethertype": f"IPv{ipaddress.ip_network(cidr).version}",
            "protocol": "tcp",
            "portRangeMin": port,
            "portRangeMax": port,
            "remoteIpPrefix": cidr,
            "securityGroupId": group,
        },
    )


@pytest.mark.parametrize("cidr", [HALVES_V4[0], HALVES_V6[1], "0.0.0.0/7"])
def test_openstack_rule_from_a_broad_block_is_refused(cidr: str) -> None:
    props = {"direction": "ingress", "protocol": "tcp", "portRangeMin": 22, "portRangeMax": 22}
    assert check_resource(
        openstack.openstack_no_open_admin_ingress, openstack.SEC_GROUP_RULE, {**props, "remoteIpPrefix": cidr}
    )


def test_openstack_rules_of_one_group_are_judged_together() -> None:
    """aidc declares one rule per admin CIDR and port, so 256 /8 rules would each look harmless."""
    eights = [_os_rule(f"admin-22-{i}", f"{i}.0.0.0/8") for i in (11, 12, 13)]
    [(message, _)] = check_stack(openstack.openstack_admin_ingress_union, eights)
    assert "admin port 22" in message and "admin_cidrs" in message
    private = [_os_rule(f"admin-22-{n}", n) for n in PRIVATE_RANGES]
    assert check_stack(openstack.openstack_admin_ingress_union, private) == []
    apart = [_os_rule("a", "11.0.0.0/8", group="g1"), _os_rule("b", "12.0.0.0/8", group="g2")]
    assert check_stack(openstack.openstack_admin_ingress_union, apart) == []


_v4 = st.builds(
    lambda address, prefix: str(ipaddress.ip_network((address, prefix), strict=False)),
    st.integers(0, 2**32 - 1),
    st.integers(0, 32),
)
_v6 = st.builds(
    lambda address, prefix: str(ipaddress.ip_network((address, prefix), strict=False)),
    st.integers(0, 2**128 - 1),
    st.integers(0, 128),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_v4, _v6), max_size=12))
def test_the_pack_and_the_config_agree_on_every_set(cidrs: list[str]) -> None:
    assert (broad_sources(cidrs) is None) == (admin_sources_problem(cidrs) is None), cidrs
