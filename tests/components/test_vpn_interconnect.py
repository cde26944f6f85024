"""Resource tests for VpnInterconnect under AidcMocks: tunnel/site pairing, shared secret PSKs, algorithm mapping."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any, get_args

import pulumi
import pytest
from pulumi.runtime import rpc

from aidc.mocks import AidcMocks
from aidc.mocks.random_ import deterministic_result
from components.vpn_interconnect import (
    DH_GROUPS,
    ENCRYPTIONS,
    IKE_VERSIONS,
    INTEGRITIES,
    DhGroup,
    Encryption,
    IkeVersion,
    Integrity,
    VpnInterconnect,
    VpnInterconnectArgs,
    aws_tunnel_options,
    neutron_policies,
    tunnel_log_options,
)
from tests.aws_api import documented_values, members
from tests.components.args_helpers import assert_refused

VPN = "aws:ec2/vpnConnection:VpnConnection"
SITE = "openstack:vpnaas/siteConnection:SiteConnection"
PASSWORD = "random:index/randomPassword:RandomPassword"
# Allowed values copied from the installed SDKs' docstrings (pulumi_aws VpnConnection, pulumi_openstack vpnaas).
AWS_ENCRYPTIONS = {"AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"}
AWS_INTEGRITIES = {"SHA1", "SHA2-256", "SHA2-384", "SHA2-512"}
AWS_PHASE1_DH = {2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}
NEUTRON_ENCRYPTION = re.compile(
    r"^(3des|aes-(128|192|256)|aes-(128|192|256)-(ctr|ccm-(8|12|16)|gcm-(8|12|16)))$"
)
NEUTRON_AUTH = {"sha1", "sha256", "sha384", "sha512", "aes-xcbc", "aes-cmac"}
NEUTRON_PFS = {"group2", "group5", *{f"group{g}" for g in range(14, 32)}}
AWS_PSK = re.compile(r"^[A-Za-z1-9._][A-Za-z0-9._]{7,63}$")
LOG_KEY = "arn:aws:kms:us-east-1:123456789012:key/e052f35c-0bec-ce2e-ed17-69d3efde7d34"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _args(**overrides: Any) -> VpnInterconnectArgs:
    base: dict[str, Any] = {
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "vpc_cidr": "10.40.0.0/16",
        "vpc_subnet_ids": ["subnet-0a1b2c3d4e5f60701", "subnet-0a1b2c3d4e5f60702"],
        "vpc_route_table_ids": ["rtb-0a1b2c3d4e5f60701", "rtb-0a1b2c3d4e5f60702"],
        "private_cidrs": ["10.20.0.0/16", "10.21.0.0/16", "10.22.0.0/16"],
        "openstack_router_id": "5a1c2d3e-0000-4000-8000-0000000000r1",
        "openstack_subnet_id": "5a1c2d3e-0000-4000-8000-0000000000s1",
        "connections": 2,
        "log_kms_key_arn": LOG_KEY,
    }
    base.update(overrides)
    return VpnInterconnectArgs(**base)


def _build(args: VpnInterconnectArgs) -> dict[str, Any]:
    """Declare the interconnect, wait for every registration, and return its resolved outputs."""
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        interconnect = VpnInterconnect("ic", args)
        resolved["component"] = interconnect
        return pulumi.Output.all(
            interconnect.tunnel_outside_addresses,
            interconnect.psks,
            interconnect.customer_gateway_ip,
            interconnect.vpn_connection_ids,
            interconnect.site_connection_ids,
            interconnect.transit_gateway_id,
        ).apply(
            lambda v: resolved.update(
                addresses=v[0], psks=v[1], cgw_ip=v[2], vpn_ids=v[3], site_ids=v[4], tgw_id=v[5]
            )
        )

    run()
    return resolved


def _of_type(mocks: AidcMocks, token: str) -> dict[str, pulumi.runtime.MockResourceArgs]:
    return {r.name: r for r in mocks.registered if r.typ == token}


def _secret_value(wire: Any) -> str:
    """Unwrap the engine's secret wire form, failing if the value was sent in clear."""
    assert isinstance(wire, dict), f"expected a secret, got a clear value {wire!r}"
    assert wire.get(rpc._special_sig_key) == rpc._special_secret_sig, f"expected a secret, got {wire!r}"
    return str(wire["value"])


@pytest.mark.parametrize("connections", [1, 3])
def test_n_connections_give_n_vpn_connections_and_2n_site_connections(
    mocks: AidcMocks, connections: int
) -> None:
    out = _build(_args(connections=connections))
    assert set(_of_type(mocks, VPN)) == {f"ic-vpn-{i}" for i in range(connections)}
    assert set(_of_type(mocks, SITE)) == {f"ic-site-{i}-t{t}" for i in range(connections) for t in (1, 2)}
    assert len(out["addresses"]) == 2 * connections == len(set(out["addresses"]))
    assert len(out["vpn_ids"]) == connections and len(out["site_ids"]) == 2 * connections


def test_each_site_connection_peers_with_its_tunnel_and_shares_its_password(mocks: AidcMocks) -> None:
    out = _build(_args(connections=2))
    vpns, sites = _of_type(mocks, VPN), _of_type(mocks, SITE)
    passwords = _of_type(mocks, PASSWORD)
    for index in range(2):
        vpn = vpns[f"ic-vpn-{index}"]
        for tunnel in (1, 2):
            site = sites[f"ic-site-{index}-t{tunnel}"]
            address = out["addresses"][2 * index + tunnel - 1]
            assert ipaddressish(address).startswith("198.51.100."), address
            assert site.inputs["peerAddress"] == address, site.name
            assert site.inputs["peerId"] == address, site.name
            aws_psk = _secret_value(vpn.inputs[f"tunnel{tunnel}PresharedKey"])
            site_psk = _secret_value(site.inputs["psk"])
            password = passwords[f"ic-psk-{index}-t{tunnel}"]
            assert site_psk == aws_psk == deterministic_result(PASSWORD, password.name, password.inputs), (
                site.name
            )
            assert AWS_PSK.match(aws_psk), aws_psk
            assert out["psks"][2 * index + tunnel - 1] == aws_psk
    # Distinct tunnels never share a key.
    assert len(set(out["psks"])) == 4


def ipaddressish(value: str) -> str:
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value), value
    return value


def test_psks_output_is_secret_and_customer_gateway_is_the_vpn_service_address(mocks: AidcMocks) -> None:
    out = _build(_args())
    loop = asyncio.get_event_loop()
    assert loop.run_until_complete(out["component"].psks.is_secret())
    service = next(iter(_of_type(mocks, "openstack:vpnaas/service:Service").values()))
    cgw = next(iter(_of_type(mocks, "aws:ec2/customerGateway:CustomerGateway").values()))
    assert out["cgw_ip"] == cgw.inputs["ipAddress"]
    assert out["cgw_ip"].startswith("203.0.113."), "the mock VPN service's externalV4Ip"
    assert service.inputs["routerId"] == _args().openstack_router_id
    assert "subnetId" not in service.inputs, "endpoint groups, not a service subnet, select the traffic"


def test_both_sides_pinned_to_ikev2_with_dpd_restart(mocks: AidcMocks) -> None:
    _build(_args(dpd_timeout_s=45))
    for vpn in _of_type(mocks, VPN).values():
        for tunnel in (1, 2):
            assert vpn.inputs[f"tunnel{tunnel}IkeVersions"] == ["ikev2"], vpn.name
            assert vpn.inputs[f"tunnel{tunnel}DpdTimeoutAction"] == "restart", vpn.name
            assert vpn.inputs[f"tunnel{tunnel}DpdTimeoutSeconds"] == 45, vpn.name
        assert vpn.inputs["staticRoutesOnly"] is True
        assert vpn.inputs["transitGatewayId"].startswith("tgw-")
    (ike,) = _of_type(mocks, "openstack:vpnaas/ikePolicy:IkePolicy").values()
    assert ike.inputs["ikeVersion"] == "v2"
    for site in _of_type(mocks, SITE).values():
        (dpd,) = site.inputs["dpds"]
        assert dpd["action"] == "restart" and dpd["timeout"] == 45 and dpd["interval"] < 45, site.name


def test_transit_gateway_ecmp_routes_and_attachment(mocks: AidcMocks) -> None:
    args = _args(connections=2)
    out = _build(args)
    (tgw,) = _of_type(mocks, "aws:ec2transitgateway/transitGateway:TransitGateway").values()
    assert tgw.inputs["vpnEcmpSupport"] == "enable"
    assert tgw.inputs["autoAcceptSharedAttachments"] == "disable"
    (attachment,) = _of_type(mocks, "aws:ec2transitgateway/vpcAttachment:VpcAttachment").values()
    assert attachment.inputs["subnetIds"] == list(args.vpc_subnet_ids)
    vpc_routes = _of_type(mocks, "aws:ec2/route:Route").values()
    assert {(r.inputs["routeTableId"], r.inputs["destinationCidrBlock"]) for r in vpc_routes} == {
        (table, cidr) for table in args.vpc_route_table_ids for cidr in args.private_cidrs
    }
    assert all(r.inputs["transitGatewayId"] == out["tgw_id"] for r in vpc_routes)
    tgw_routes = list(_of_type(mocks, "aws:ec2transitgateway/route:Route").values())
    assert sorted(r.inputs["destinationCidrBlock"] for r in tgw_routes) == sorted(args.private_cidrs)
    # Static routing: one route per prefix, prefixes spread over both connections' attachments.
    assert len({r.inputs["transitGatewayAttachmentId"] for r in tgw_routes}) == 2
    (peer,) = (
        g
        for g in _of_type(mocks, "openstack:vpnaas/endpointGroup:EndpointGroup").values()
        if g.inputs["type"] == "cidr"
    )
    assert peer.inputs["endpoints"] == [args.vpc_cidr]


@pytest.mark.parametrize("connections", [1, 3])
def test_both_tunnels_of_every_connection_log_to_one_encrypted_log_group(
    mocks: AidcMocks, connections: int
) -> None:
    _build(_args(connections=connections, log_retention_days=90))
    (group,) = _of_type(mocks, LOG_GROUP).values()
    assert group.inputs["kmsKeyId"] == LOG_KEY, group.name
    assert group.inputs["retentionInDays"] == 90, group.name
    arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group.inputs['name']}"
    vpns = _of_type(mocks, VPN)
    assert len(vpns) == connections
    for vpn in vpns.values():
        for tunnel in (1, 2):
            assert vpn.inputs[f"tunnel{tunnel}LogOptions"] == {
                "cloudwatchLogOptions": {"logEnabled": True, "logGroupArn": arn, "logOutputFormat": "json"}
            }, f"{vpn.name} tunnel {tunnel}"


def test_tunnel_log_options_are_fields_and_values_the_ec2_api_accepts() -> None:
    """EC2 ModifyVpnTunnelOptions / CreateVpnConnection: VpnTunnelLogOptionsSpecification.CloudWatchLogOptions
    (botocore's model); the output format is one of the values its documentation lists."""
    options = tunnel_log_options(2, "arn:aws:logs:us-east-1:123456789012:log-group:/x")["tunnel2_log_options"]
    assert list(options) == ["cloudwatch_log_options"]
    assert "CloudWatchLogOptions" in members("ec2", "VpnTunnelLogOptionsSpecification")
    api_members = {m.lower() for m in members("ec2", "CloudWatchLogOptionsSpecification")}
    cloudwatch = options["cloudwatch_log_options"]
    assert {key.replace("_", "") for key in cloudwatch} <= api_members
    allowed = documented_values("ec2", "CloudWatchLogOptionsSpecification", "LogOutputFormat")
    assert allowed == ["json", "text"]
    assert cloudwatch["log_output_format"] in allowed
    assert "yaml" not in allowed  # the check can fail: a value outside the list is caught


def test_resource_algorithms_match_on_both_sides(mocks: AidcMocks) -> None:
    _build(_args(encryption="aes128", integrity="sha512", dh_group=14, connections=1))
    (vpn,) = _of_type(mocks, VPN).values()
    for tunnel in (1, 2):
        for phase in (1, 2):
            assert vpn.inputs[f"tunnel{tunnel}Phase{phase}EncryptionAlgorithms"] == ["AES128"]
            assert vpn.inputs[f"tunnel{tunnel}Phase{phase}IntegrityAlgorithms"] == ["SHA2-512"]
            assert vpn.inputs[f"tunnel{tunnel}Phase{phase}DhGroupNumbers"] == [14]
    for token in ("openstack:vpnaas/ikePolicy:IkePolicy", "openstack:vpnaas/ipSecPolicy:IpSecPolicy"):
        (policy,) = _of_type(mocks, token).values()
        assert policy.inputs["encryptionAlgorithm"] == "aes-128", token
        assert policy.inputs["authAlgorithm"] == "sha512", token
        assert policy.inputs["pfs"] == "group14", token


_COMBINATIONS = [
    combo
    for combo in itertools.product(IKE_VERSIONS, ENCRYPTIONS, INTEGRITIES, DH_GROUPS)
    if not (combo[0] == "ikev1" and combo[1].endswith("-gcm"))
]


@pytest.mark.parametrize(("ike_version", "encryption", "integrity", "dh_group"), _COMBINATIONS)
def test_every_allowed_combination_maps_to_valid_agreeing_names(
    ike_version: str, encryption: str, integrity: str, dh_group: int
) -> None:
    args = _args(ike_version=ike_version, encryption=encryption, integrity=integrity, dh_group=dh_group)
    ike, ipsec = neutron_policies(args)
    key_bits = re.search(r"(128|256)", encryption)
    assert key_bits is not None
    for tunnel in (1, 2):
        options = aws_tunnel_options(args, tunnel)
        aws_enc = options[f"tunnel{tunnel}_phase1_encryption_algorithms"]
        assert aws_enc == options[f"tunnel{tunnel}_phase2_encryption_algorithms"]
        assert len(aws_enc) == 1 and aws_enc[0] in AWS_ENCRYPTIONS
        assert options[f"tunnel{tunnel}_phase1_integrity_algorithms"][0] in AWS_INTEGRITIES
        assert options[f"tunnel{tunnel}_phase1_dh_group_numbers"] == [dh_group]
        assert dh_group in AWS_PHASE1_DH
        assert options[f"tunnel{tunnel}_ike_versions"] == [ike_version]
        # Same cipher, key size and mode on both sides.
        assert key_bits.group(1) in aws_enc[0]
        assert ("GCM" in aws_enc[0]) == ("gcm" in ike["encryption_algorithm"]) == encryption.endswith("-gcm")
        # Same hash on both sides: AWS "SHA2-<bits>" / "SHA1" is Neutron "sha<bits>" / "sha1".
        aws_integrity = options[f"tunnel{tunnel}_phase1_integrity_algorithms"]
        assert aws_integrity == options[f"tunnel{tunnel}_phase2_integrity_algorithms"]
        assert aws_integrity[0].lower().replace("sha2-", "sha") == ike["auth_algorithm"] == integrity
    for policy in (ike, ipsec):
        assert NEUTRON_ENCRYPTION.match(policy["encryption_algorithm"]), policy
        assert key_bits.group(1) in policy["encryption_algorithm"]
        assert policy["auth_algorithm"] in NEUTRON_AUTH and policy["auth_algorithm"] == integrity
        assert policy["pfs"] in NEUTRON_PFS and policy["pfs"] == f"group{dh_group}"
    assert ike["ike_version"] == {"ikev1": "v1", "ikev2": "v2"}[ike_version]


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"connections": 0}, "connections", "greater than or equal to 1"),
        ({"connections": 1.5}, "connections", "integer"),
        ({"tunnel_bandwidth": "huge"}, "tunnel_bandwidth", "'standard' or 'large'"),
        ({"ike_version": "v2"}, "ike_version", "'ikev1' or 'ikev2'"),
        ({"encryption": "3des"}, "encryption", "'aes128', 'aes256', 'aes128-gcm' or 'aes256-gcm'"),
        ({"integrity": "md5"}, "integrity", "'sha1', 'sha256', 'sha384' or 'sha512'"),
        ({"dh_group": 5}, "dh_group", "2, 14, 15"),
        ({"ike_version": "ikev1", "encryption": "aes256-gcm"}, "encryption", "needs ike_version 'ikev2'"),
        ({"dpd_timeout_s": 10}, "dpd_timeout_s", "greater than or equal to 30"),
        ({"dpd_timeout_s": 3601}, "dpd_timeout_s", "less than or equal to 3600"),
        ({"amazon_side_asn": 65000 - 1000}, "amazon_side_asn", "64512-65534 or 4200000000-4294967294"),
        ({"customer_gateway_asn": 0}, "customer_gateway_asn", "greater than or equal to 1"),
        ({"private_cidrs": []}, "private_cidrs", "at least 1 item"),
        ({"private_cidrs": "10.20.0.0/16"}, "private_cidrs", "must be a list"),
        ({"private_cidrs": ["10.40.1.0/24"]}, "private_cidrs[0]", "overlaps vpc_cidr"),
        ({"private_cidrs": ["10.20.0.0/16", "10.20.0.0/16"]}, "private_cidrs", "distinct"),
        ({"private_cidrs": ["10.0.0.0/7"]}, "private_cidrs[0]", "/8../32"),
        ({"route_prefixes": ["10.30.0.0/16"]}, "route_prefixes[0]", "not inside any of private_cidrs"),
        ({"route_prefixes": ["10.20.0.0/17", "10.20.0.0/17"]}, "route_prefixes", "distinct"),
        ({"route_prefixes": "10.20.0.0/17"}, "route_prefixes", "must be a list"),
        ({"vpc_cidr": "10.40.0.0"}, "vpc_cidr", "/8../28"),
        ({"vpc_cidr": "10.40.0.0/29"}, "vpc_cidr", "/8../28"),
        ({"vpc_cidr": "2001:db8::/32"}, "vpc_cidr", "not an IPv4 CIDR"),
        (
            {"vpc_route_table_ids": pulumi.Output.from_input(["rtb-1"])},
            "vpc_route_table_ids",
            "must be a list",
        ),
        ({"vpc_route_table_ids": "rtb-1"}, "vpc_route_table_ids", "must be a list"),
        ({"vpc_subnet_ids": "subnet-1"}, "vpc_subnet_ids", "must be a list"),
        ({"vpc_id": 7}, "vpc_id", "must be a string or a pulumi Output"),
        ({"log_kms_key_arn": None}, "log_kms_key_arn", "must be a string or a pulumi Output"),
        ({"log_retention_days": 42}, "log_retention_days", "must be one of"),
    ],
)
def test_invalid_args_are_refused_at_construction_naming_the_field(
    mocks: AidcMocks, overrides: dict[str, Any], field: str, says: str
) -> None:
    assert_refused(lambda: _args(**overrides), field, says=says)
    assert mocks.registered == [], "refused before any resource exists"


@pytest.mark.parametrize(
    ("allowed", "table"),
    [(IkeVersion, IKE_VERSIONS), (Encryption, ENCRYPTIONS), (Integrity, INTEGRITIES), (DhGroup, DH_GROUPS)],
)
def test_each_allowed_value_has_exactly_one_row_in_its_algorithm_table(
    allowed: Any, table: dict[Any, Any]
) -> None:
    assert get_args(allowed) == tuple(table)


def test_the_tunnel_log_key_is_required(mocks: AidcMocks) -> None:
    """No silent default: the caller names the key that encrypts the tunnel logs."""
    fields = dict(_args())
    del fields["log_kms_key_arn"]
    assert_refused(lambda: VpnInterconnectArgs(**fields), "log_kms_key_arn", says="required")
    assert mocks.registered == []
