"""VPN rules on both clouds: a violating and a compliant resource for each."""

from __future__ import annotations

import pytest
from policy_helpers import check_resource, check_stack, stack_resource

from policies import vpn


def _tunnel(n: int, **over):
    props = {
        f"tunnel{n}IkeVersions": ["ikev2"],
        f"tunnel{n}Phase1EncryptionAlgorithms": ["AES256-GCM-16"],
        f"tunnel{n}Phase1IntegrityAlgorithms": ["SHA2-256"],
        f"tunnel{n}Phase1DhGroupNumbers": [20],
        f"tunnel{n}Phase2EncryptionAlgorithms": ["AES256-GCM-16"],
        f"tunnel{n}Phase2IntegrityAlgorithms": ["SHA2-256"],
        f"tunnel{n}Phase2DhGroupNumbers": [20],
        f"tunnel{n}PresharedKey": "[secret]",
    }
    props.update({f"tunnel{n}{k}": v for k, v in over.items()})
    return props


GOOD_CONNECTION = {"type": "ipsec.1", **_tunnel(1), **_tunnel(2)}
GOOD_IKE = {
    "ikeVersion": "v2",
    "encryptionAlgorithm": "aes-256-gcm-16",
    "authAlgorithm": "sha256",
    "pfs": "group20",
}
GOOD_IPSEC = {"encryptionAlgorithm": "aes-256-gcm-16", "authAlgorithm": "sha256", "pfs": "group20"}
RESOURCE_POLICIES = (
    vpn.vpn_both_tunnels_configured,
    vpn.vpn_ikev2_only,
    vpn.vpn_no_weak_algorithms,
    vpn.vpn_dh_group_minimum,
)


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (vpn.VPN_CONNECTION, GOOD_CONNECTION),
        (vpn.IKE_POLICY, GOOD_IKE),
        (vpn.IPSEC_POLICY, GOOD_IPSEC),
    ],
)
def test_compliant_vpn_resources_pass(resource_type, props):
    for policy in RESOURCE_POLICIES:
        assert check_resource(policy, resource_type, props) == [], policy.name


def test_tunnel_two_left_to_defaults_is_refused():
    props = {"type": "ipsec.1", **_tunnel(1)}
    found = check_resource(vpn.vpn_both_tunnels_configured, vpn.VPN_CONNECTION, props)
    assert len(found) == 1
    assert "tunnel 2" in found[0]


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (vpn.VPN_CONNECTION, {**GOOD_CONNECTION, **_tunnel(2, IkeVersions=["ikev1", "ikev2"])}),
        (vpn.VPN_CONNECTION, {**GOOD_CONNECTION, **_tunnel(1, IkeVersions=["ikev1"])}),
        (vpn.IKE_POLICY, {**GOOD_IKE, "ikeVersion": "v1"}),
        (vpn.IKE_POLICY, {k: v for k, v in GOOD_IKE.items() if k != "ikeVersion"}),  # Neutron default v1
    ],
)
def test_ikev1_is_refused(resource_type, props):
    assert check_resource(vpn.vpn_ikev2_only, resource_type, props)


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (
            vpn.VPN_CONNECTION,
            {**GOOD_CONNECTION, **_tunnel(2, Phase1IntegrityAlgorithms=["SHA1", "SHA2-256"])},
        ),
        (vpn.VPN_CONNECTION, {**GOOD_CONNECTION, **_tunnel(1, Phase2IntegrityAlgorithms=["SHA1"])}),
        (vpn.IKE_POLICY, {**GOOD_IKE, "authAlgorithm": "sha1"}),
        (vpn.IPSEC_POLICY, {**GOOD_IPSEC, "encryptionAlgorithm": "3des"}),
        (vpn.IPSEC_POLICY, {**GOOD_IPSEC, "authAlgorithm": "md5"}),
        (
            vpn.IPSEC_POLICY,
            {k: v for k, v in GOOD_IPSEC.items() if k != "authAlgorithm"},
        ),  # Neutron default sha1
    ],
)
def test_weak_algorithms_are_refused(resource_type, props):
    found = check_resource(vpn.vpn_no_weak_algorithms, resource_type, props)
    assert found
    assert "sha256" in found[0].lower()


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (vpn.VPN_CONNECTION, {**GOOD_CONNECTION, **_tunnel(1, Phase1DhGroupNumbers=[2, 20])}),
        (vpn.VPN_CONNECTION, {**GOOD_CONNECTION, **_tunnel(2, Phase2DhGroupNumbers=[5])}),
        (vpn.IKE_POLICY, {**GOOD_IKE, "pfs": "group2"}),
        (vpn.IPSEC_POLICY, {k: v for k, v in GOOD_IPSEC.items() if k != "pfs"}),  # Neutron default group5
    ],
)
def test_dh_groups_below_14_are_refused(resource_type, props):
    assert check_resource(vpn.vpn_dh_group_minimum, resource_type, props)


def test_dh_minimum_is_configurable():
    props = {**GOOD_IKE, "pfs": "group14"}
    assert check_resource(vpn.vpn_dh_group_minimum, vpn.IKE_POLICY, props) == []
    assert check_resource(vpn.vpn_dh_group_minimum, vpn.IKE_POLICY, props, config={"min-dh-group": 19})


def _site(name, psk, deps=None):
    return stack_resource(vpn.SITE_CONNECTION, name, {"psk": psk}, property_dependencies=deps)


def test_literal_psk_is_refused_secret_or_generated_passes():
    password = stack_resource("random:index/randomPassword:RandomPassword", "vpn-psk", {"length": 48})
    literal = _site("literal", "correct-horse-battery")
    marked = _site("marked", "[secret]")
    generated = _site("generated", "Zr7kq9PZ0cYb1", deps={"psk": [password]})
    found = check_stack(vpn.vpn_psk_from_secret, [password, literal, marked, generated])
    assert [u for _, u in found] == [literal.urn]
    aws_literal = stack_resource(
        vpn.VPN_CONNECTION, "c", {**GOOD_CONNECTION, "tunnel2PresharedKey": "abc12345"}
    )
    found = check_stack(vpn.vpn_psk_from_secret, [aws_literal])
    assert len(found) == 1
    assert "tunnel2PresharedKey" in found[0][0]


def test_psk_unknown_during_preview_is_accepted():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    computed = _site("computed", UNKNOWN_STRING_VALUE)
    assert check_stack(vpn.vpn_psk_from_secret, [computed]) == []


def test_every_aws_tunnel_needs_a_site_connection():
    service = stack_resource(vpn.VPN_SERVICE, "svc", {})
    connection = stack_resource(vpn.VPN_CONNECTION, "c", GOOD_CONNECTION)
    one = _site("t1", "[secret]")
    two = _site("t2", "[secret]")
    assert check_stack(vpn.vpn_tunnels_paired, [service, connection, one])
    assert check_stack(vpn.vpn_tunnels_paired, [service, connection, one, two]) == []


LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aidc/vpn/vpn-tunnels"


def _logging(n: int, **over):
    options = {"logEnabled": True, "logGroupArn": LOG_GROUP_ARN, "logOutputFormat": "json", **over}
    return {f"tunnel{n}LogOptions": {"cloudwatchLogOptions": options}}


def test_connection_logging_both_tunnels_passes():
    props = {**GOOD_CONNECTION, **_logging(1), **_logging(2)}
    assert check_resource(vpn.vpn_tunnel_logging, vpn.VPN_CONNECTION, props) == []


@pytest.mark.parametrize(
    ("logging", "silent"),
    [
        ({}, [1, 2]),
        (_logging(1), [2]),
        ({**_logging(1), **_logging(2, logEnabled=False)}, [2]),
        ({**_logging(1, logGroupArn=""), **_logging(2)}, [1]),
        ({**_logging(1, logEnabled="false"), **_logging(2)}, [1]),
    ],
    ids=["neither", "tunnel-2-unset", "tunnel-2-disabled", "no-log-group", "disabled-as-string"],
)
def test_connection_with_a_silent_tunnel_is_refused(logging, silent):
    found = check_resource(vpn.vpn_tunnel_logging, vpn.VPN_CONNECTION, {**GOOD_CONNECTION, **logging})
    assert [m.split("tunnel ")[1][0] for m in found] == [str(t) for t in silent], found
    assert all("log_enabled=True" in m for m in found)


def test_tunnel_logging_is_mandatory_and_ignores_other_types():
    assert vpn.vpn_tunnel_logging.enforcement_level.value == "mandatory"
    assert check_resource(vpn.vpn_tunnel_logging, vpn.IKE_POLICY, GOOD_IKE) == []
