"""Resource tests for DirectConnectInterconnect under AidcMocks: ports and speed from the plan, the TGW
association's prefixes, BGP and MACsec keys as secrets, encryption by classification, names stable on growth,
and Args refused before any resource exists."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from aidc.config import parse_stack_config
from aidc.mocks import AidcMocks
from aidc.sizing import InfeasibleDemand
from aidc.sizing.network import size_network
from aidc.sizing.plan import DirectConnectPlan
from components.direct_connect import (
    DirectConnectInterconnect,
    DirectConnectInterconnectArgs,
    DirectConnectLinkSpec,
    IpsecOverDirectConnect,
)

CONNECTION = "aws:directconnect/connection:Connection"
LAG = "aws:directconnect/linkAggregationGroup:LinkAggregationGroup"
ASSOCIATION = "aws:directconnect/gatewayAssociation:GatewayAssociation"
VIF = "aws:directconnect/transitVirtualInterface:TransitVirtualInterface"
PUBLIC_VIF = "aws:directconnect/publicVirtualInterface:PublicVirtualInterface"
MACSEC = "aws:directconnect/macsecKeyAssociation:MacsecKeyAssociation"
CONFIRMATION = "aws:directconnect/connectionConfirmation:ConnectionConfirmation"
VPN = "aws:ec2/vpnConnection:VpnConnection"
PASSWORD = "random:index/randomPassword:RandomPassword"
TGW = "tgw-0123456789abcdef0"
TUNNEL_LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aidc/vpn/vpn-tunnels"
# Past what the Transit Gateway carries (100 Gbps per AZ), bulk transfers reach S3 over public virtual interfaces;
# past 10 ports, a second location (the quota per location).
BULK = {
    "locations": ["EqDC2", "CSVA1"],
    "public_prefixes": ["198.51.100.0/24"],
    "public_peer_cidr": "203.0.113.0/27",
}


def _plan(gbps: float, classification: str = "internal", **dx: Any) -> DirectConnectPlan:
    """Size a one-transfer stack that needs `gbps` (volume over a one-hour window) and return its DX plan."""
    values: dict[str, Any] = {
        "aidc:demand": {
            "transfer": [
                {
                    "name": "bulk",
                    "volume_gb": gbps * 3600 / 8,
                    "window_hours": 1,
                    "classification": classification,
                    "direction": "to_public" if classification == "public" else "to_private",
                }
            ]
        },
        "aidc:interconnect": {"direct_connect": {"mode": "always", **dx}},
    }
    network, _ = size_network(parse_stack_config(values, stack="test"))
    assert network.direct_connect is not None
    return network.direct_connect


def _args(dx: DirectConnectPlan, **overrides: Any) -> DirectConnectInterconnectArgs:
    """The Args the stack program builds from the plan's slice (stacks/program.py, direct_connect_args)."""
    ipsec = (
        IpsecOverDirectConnect(connections=dx.ipsec_connections.int, customer_gateway_ip=str(dx.vpn_peer_ip))
        if dx.ipsec_connections is not None
        else None
    )
    values: dict[str, Any] = {
        "transit_gateway_id": TGW,
        "links": tuple(
            DirectConnectLinkSpec(
                name=link.name,
                location=link.location,
                ports=link.ports,
                vlan=link.vlan,
                amazon_address=link.amazon_address,
                customer_address=link.customer_address,
                hosted_connection_id=link.hosted_connection_id,
                public_vlan=link.public_vlan,
                public_amazon_address=link.public_amazon_address,
                public_customer_address=link.public_customer_address,
            )
            for link in dx.links
        ),
        "public_prefixes": dx.public_prefixes,
        "bandwidth": dx.bandwidth,
        "customer_asn": dx.asn,
        "amazon_side_asn": dx.amazon_side_asn,
        "allowed_prefixes": dx.allowed_prefixes,
        "on_premises_prefixes": dx.advertised_prefixes,
        "hosted": dx.hosted,
        "encryption": dx.encryption,
        "ipsec": ipsec,
        "tunnel_log_group_arn": TUNNEL_LOGS if ipsec is not None else None,
    }
    values.update(overrides)
    return DirectConnectInterconnectArgs(**values)


def _of(mocks: AidcMocks, token: str) -> list[pulumi.runtime.MockResourceArgs]:
    return [r for r in mocks.registered if r.typ == token]


@pulumi.runtime.test
def test_ports_and_speed_come_from_the_plan(mocks: AidcMocks) -> pulumi.Output[None]:
    dx = _plan(4000, **BULK)  # the seed's 500 GB/s: ceil(4000 / 400) + 1 = 11 ports, LAGs of 2 -> 6 links
    assert (dx.ports.int, dx.port_gbps, [link.ports for link in dx.links]) == (11, 400, [2, 2, 2, 2, 2, 1])
    component = DirectConnectInterconnect("dx", _args(dx))

    def check(ids: list[str]) -> None:
        connections = _of(mocks, CONNECTION)
        assert len(connections) == 11, [c.name for c in connections]
        at: dict[str, int] = {}
        for c in connections:
            assert c.inputs["bandwidth"] == "400Gbps", c.name
            at[c.inputs["location"]] = at.get(c.inputs["location"], 0) + 1
        assert at == {"EqDC2": 6, "CSVA1": 5}  # links alternate: within 10 connections per location
        lags = _of(mocks, LAG)
        assert sorted(lag.name for lag in lags) == [f"dx-link-{i}" for i in range(6)]
        assert {lag.inputs["connectionsBandwidth"] for lag in lags} == {"400Gbps"}
        vifs = {v.name: v.inputs for v in _of(mocks, VIF)}
        assert len(ids) == len(vifs) == 6
        assert vifs["dx-link-5-vif"]["vlan"] == 105
        assert vifs["dx-link-0-vif"]["amazonAddress"] == "169.254.100.1/30"
        assert vifs["dx-link-0-vif"]["customerAddress"] == "169.254.100.2/30"
        assert vifs["dx-link-0-vif"]["bgpAsn"] == 65000 and vifs["dx-link-0-vif"]["addressFamily"] == "ipv4"

    return component.transit_vif_ids.apply(check)


@pulumi.runtime.test
def test_tgw_association_carries_the_allowed_prefixes(mocks: AidcMocks) -> pulumi.Output[None]:
    component = DirectConnectInterconnect("dx", _args(_plan(50)))

    def check(values: list[Any]) -> None:
        attachment, on_premises = values
        [association] = _of(mocks, ASSOCIATION)
        assert association.inputs["associatedGatewayId"] == TGW, association.name
        # AWS advertises the VPC to the private cloud; the private cloud advertises its /19s one bit longer,
        # so Direct Connect wins over the VPN's static /19 routes and the VPN is the fallback.
        assert association.inputs["allowedPrefixes"] == ["10.0.0.0/16"], association.name
        assert attachment.startswith("tgw-attach-")
        assert on_premises["aws_advertises"] == ["10.0.0.0/16"]
        assert on_premises["advertise_over_transit_vifs"][:2] == ["10.20.0.0/20", "10.20.16.0/20"]
        assert len(on_premises["advertise_over_transit_vifs"]) == 16
        assert on_premises["links"][0]["vlan"] == 100 and on_premises["customer_asn"] == 65000

    return pulumi.Output.all(component.transit_gateway_attachment_id, component.on_premises).apply(check)


@pulumi.runtime.test
def test_bgp_and_macsec_keys_are_secrets(mocks: AidcMocks) -> pulumi.Output[None]:
    component = DirectConnectInterconnect("dx", _args(_plan(150)))  # 100G: 2 active + 1 spare, 2 links

    def check(values: list[Any]) -> None:
        bgp_secret, bgp, macsec_secret, macsec, on_premises_secret = values
        assert bgp_secret and macsec_secret, "BGP and MACsec key outputs must be secrets"
        assert not on_premises_secret, "the on-premises facts carry no secret"
        assert set(bgp) == set(macsec) == {"link-0", "link-1"}
        for link, pair in macsec.items():
            for role in ("ckn", "cak"):
                assert re.fullmatch(r"[0-9A-E]{64}", pair[role]), f"{link} {role}: 64 of 0-9, A-E"
        assert all(6 <= len(key) <= 80 for key in bgp.values())
        for association in _of(mocks, MACSEC):
            assert association.inputs["connectionId"].startswith("dxlag-"), association.name
        passwords = {p.name for p in _of(mocks, PASSWORD)}
        assert {"dx-link-0-ckn", "dx-link-0-cak", "dx-link-0-bgp-key"} <= passwords

    return pulumi.Output.all(
        component.bgp_auth_keys.is_secret(),  # type: ignore[arg-type]
        component.bgp_auth_keys,
        component.macsec_keys.is_secret(),  # type: ignore[arg-type]
        component.macsec_keys,
        component.on_premises.is_secret(),  # type: ignore[arg-type]
    ).apply(check)


@pytest.mark.parametrize(
    ("classification", "dx", "encryption"),
    [
        ("public", {}, "none"),
        ("internal", {}, "macsec"),
        ("confidential", {}, "macsec"),
        ("internal", {"macsec": False, "vpn_peer_ip": "10.99.0.10"}, "ipsec"),
        ("internal", {"port_gbps": 1, "vpn_peer_ip": "10.99.0.10"}, "ipsec"),  # no MACsec at 1 Gbps
    ],
)
def test_encryption_follows_classification(classification: str, dx: dict[str, Any], encryption: str) -> None:
    assert _plan(2, classification, **dx).encryption == encryption


@pulumi.runtime.test
def test_macsec_ports_must_encrypt(mocks: AidcMocks) -> pulumi.Output[None]:
    component = DirectConnectInterconnect("dx", _args(_plan(20)))

    def check(_: Any) -> None:
        for c in _of(mocks, CONNECTION):
            assert c.inputs["requestMacsec"] is True and c.inputs["encryptionMode"] == "must_encrypt", c.name
        assert len(_of(mocks, MACSEC)) == 1
        assert not _of(mocks, VPN)

    return component.transit_vif_ids.apply(check)


@pulumi.runtime.test
def test_public_data_declares_neither_macsec_nor_ipsec(mocks: AidcMocks) -> pulumi.Output[None]:
    component = DirectConnectInterconnect("dx", _args(_plan(20, "public")))

    def check(_: Any) -> None:
        assert not _of(mocks, MACSEC) and not _of(mocks, VPN)
        for c in _of(mocks, CONNECTION):
            assert not c.inputs.get("requestMacsec") and "encryptionMode" not in c.inputs, c.name

    return component.transit_vif_ids.apply(check)


@pulumi.runtime.test
def test_ipsec_over_direct_connect_rides_the_dx_gateway_attachment(mocks: AidcMocks) -> pulumi.Output[None]:
    dx = _plan(10, macsec=False, vpn_peer_ip="10.99.0.10")
    assert dx.ipsec_connections is not None and dx.ipsec_connections.int == 4  # 10 / (2 · 1.25)
    assert dx.allowed_prefixes == ("10.0.0.0/16", "100.64.255.0/24")
    component = DirectConnectInterconnect("dx", _args(dx))

    def check(values: list[Any]) -> None:
        attachment, secret, tunnels = values
        vpns = _of(mocks, VPN)
        assert len(vpns) == 4
        for vpn in vpns:
            inputs = vpn.inputs
            assert inputs["outsideIpAddressType"] == "PrivateIpv4", vpn.name
            assert inputs["transportTransitGatewayAttachmentId"] == attachment, vpn.name
            assert inputs["staticRoutesOnly"] is False and inputs["transitGatewayId"] == TGW, vpn.name
            assert inputs["tunnel1IkeVersions"] == ["ikev2"] == inputs["tunnel2IkeVersions"], vpn.name
            for tunnel in (1, 2):
                # Both tunnels log where the Site-to-Site VPN's do (issue 12, vpn-tunnel-logging).
                assert inputs[f"tunnel{tunnel}LogOptions"]["cloudwatchLogOptions"] == {
                    "logEnabled": True,
                    "logGroupArn": TUNNEL_LOGS,
                    "logOutputFormat": "json",
                }, (vpn.name, tunnel)
        assert not _of(mocks, MACSEC)
        assert secret and len(tunnels) == 4 and all(t["tunnels"][0]["psk"] for t in tunnels)

    return pulumi.Output.all(
        component.transit_gateway_attachment_id,
        component.ipsec_tunnels.is_secret(),  # type: ignore[arg-type]
        component.ipsec_tunnels,
    ).apply(check)


@pulumi.runtime.test
def test_hosted_connections_are_accepted_not_ordered(mocks: AidcMocks) -> pulumi.Output[None]:
    ids = ["dxcon-aaaa0001", "dxcon-aaaa0002", "dxcon-aaaa0003"]
    dx = _plan(20, hosted=True, port_gbps=10, vpn_peer_ip="10.99.0.10", hosted_connection_ids=ids)
    assert (dx.ports.int, dx.encryption) == (3, "ipsec")  # ceil(20 / 10) + 1; no MACsec on hosted
    component = DirectConnectInterconnect("dx", _args(dx))

    def check(_: Any) -> None:
        assert sorted(c.inputs["connectionId"] for c in _of(mocks, CONFIRMATION)) == ids
        assert not _of(mocks, CONNECTION) and not _of(mocks, LAG)
        assert sorted(v.inputs["connectionId"] for v in _of(mocks, VIF)) == ids

    return component.transit_vif_ids.apply(check)


def _names(mocks: AidcMocks) -> dict[str, str]:
    return {r.name: r.typ for r in mocks.registered}


def test_growing_the_transfer_changes_counts_not_names() -> None:
    names: list[dict[str, str]] = []
    for gbps in (800, 1600):
        mocks = AidcMocks()
        pulumi.runtime.set_mocks(mocks, project="aidc", stack="test", preview=False)

        @pulumi.runtime.test
        def declare(gbps: float = gbps) -> pulumi.Output[list[str]]:
            return DirectConnectInterconnect("dx", _args(_plan(gbps, **BULK))).transit_vif_ids

        declare()
        names.append(_names(mocks))
    small, large = names
    assert set(small) < set(large), "every resource of the smaller plan keeps its name"
    assert all(small[n] == large[n] for n in small)
    ports = [sum(t == CONNECTION for t in n.values()) for n in names]
    assert ports == [3, 5]  # ceil(800/400)+1, ceil(1600/400)+1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bandwidth": "40Gbps"}, "bandwidth"),
        ({"customer_asn": 0}, "customer_asn"),
        ({"amazon_side_asn": 7224}, "amazon_side_asn"),
        ({"allowed_prefixes": ("10.0.0.0/33",)}, "allowed_prefixes"),
        ({"allowed_prefixes": ()}, "allowed_prefixes"),
        ({"encryption": "ipsec"}, "ipsec"),
        ({"bandwidth": "1Gbps"}, "MACsec"),
        ({"hosted": True}, "hosted"),
    ],
)
def test_bad_args_are_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _args(_plan(150), **overrides)
    assert field in str(caught.value)


def test_a_vpn_over_the_link_needs_its_tunnel_log_group() -> None:
    dx = _plan(10, macsec=False, vpn_peer_ip="10.99.0.10")
    with pytest.raises(ValidationError) as caught:
        _args(dx, tunnel_log_group_arn=None)
    assert "tunnel_log_group_arn: required with encryption 'ipsec'" in str(caught.value)


def test_a_lag_bundles_at_most_two_400g_ports() -> None:
    dx = _plan(150)
    link = DirectConnectLinkSpec(
        name="link-0",
        location="EqDC2",
        ports=3,
        vlan=100,
        amazon_address="169.254.100.1/30",
        customer_address="169.254.100.2/30",
    )
    with pytest.raises(ValidationError, match="at most 2"):
        _args(dx, links=(link,))


def test_peer_addresses_share_one_subnet() -> None:
    with pytest.raises(ValidationError, match="one /30"):
        DirectConnectLinkSpec(
            name="link-0",
            location="EqDC2",
            vlan=100,
            amazon_address="169.254.100.1/30",
            customer_address="169.254.100.6/30",
        )


@pulumi.runtime.test
def test_bulk_transfers_reach_s3_over_one_public_virtual_interface_per_link(
    mocks: AidcMocks,
) -> pulumi.Output[None]:
    dx = _plan(4000, **BULK)
    assert dx.bulk_path == "public-vif" and dx.public_prefixes == ("198.51.100.0/24",)
    component = DirectConnectInterconnect("dx", _args(dx))

    def check(values: list[Any]) -> None:
        public_ids, on_premises, keys = values
        vifs = {v.name: v.inputs for v in _of(mocks, PUBLIC_VIF)}
        assert sorted(vifs) == [f"dx-link-{i}-public-vif" for i in range(6)]
        lags = {lag.name: lag for lag in _of(mocks, LAG)}
        assert len(public_ids) == 6 and all(i.startswith("dxvif-") for i in public_ids)
        first = vifs["dx-link-0-public-vif"]
        assert first["routeFilterPrefixes"] == ["198.51.100.0/24"]
        assert (first["vlan"], first["addressFamily"], first["bgpAsn"]) == (2000, "ipv4", 65000)
        assert (first["amazonAddress"], first["customerAddress"]) == ("203.0.113.1/30", "203.0.113.2/30")
        assert vifs["dx-link-5-public-vif"]["vlan"] == 2005
        assert "dx-link-0" in lags
        assert on_premises["advertise_over_public_vifs"] == ["198.51.100.0/24"]
        assert on_premises["links"][1]["public_vlan"] == 2001 and on_premises["links"][1]["public_vif_id"]
        assert {"link-0", "link-0-public"} <= set(keys)  # each interface its own MD5 key

    return pulumi.Output.all(component.public_vif_ids, component.on_premises, component.bgp_auth_keys).apply(
        check
    )


def test_past_ten_ports_at_one_location_the_plan_is_refused_naming_the_quota() -> None:
    with pytest.raises(InfeasibleDemand) as info:
        _plan(4000, public_prefixes=["198.51.100.0/24"], public_peer_cidr="203.0.113.0/27")
    message = str(info.value)
    assert "they put 11 at EqDC2, past the quota of 10 dedicated connections per location" in message
    assert "directconnect/latest/UserGuide/limits.html" in message
    assert "aidc:interconnect.direct_connect.locations" in message and "Service Quotas" in message
    # A raised quota (set after AWS grants it) holds them at one location.
    assert _plan(
        4000,
        connections_per_location=11,
        public_prefixes=["198.51.100.0/24"],
        public_peer_cidr="203.0.113.0/27",
    ).locations == ("EqDC2",)


def test_past_what_the_transit_gateway_carries_without_a_public_path_the_plan_is_refused() -> None:
    # Two AZs of Transit Gateway attachments carry 200 Gbps; 800 Gbps through them would miss its window.
    with pytest.raises(InfeasibleDemand) as info:
        _plan(800)
    message = str(info.value)
    assert "Transit Gateway: Direct Connect gateway attachment carries 200.0 Gbps" in message
    assert "transit-gateway-quotas.html" in message and "public_prefixes and public_peer_cidr" in message
    assert _plan(150).bulk_path == "transit"  # within it, the transit path carries it


@pytest.mark.parametrize(
    ("link_changes", "arg_changes", "match"),
    [
        ({"public_vlan": 2000}, {}, "give all or none"),
        (
            {
                "public_vlan": 100,
                "public_amazon_address": "203.0.113.1/30",
                "public_customer_address": "203.0.113.2/30",
            },
            {},
            "is the transit interface's VLAN too",
        ),
        (
            {
                "public_vlan": 2000,
                "public_amazon_address": "10.1.0.1/30",
                "public_customer_address": "10.1.0.2/30",
            },
            {},
            "public IPv4 addresses you own",
        ),
        ({}, {"public_prefixes": ("198.51.100.0/24",)}, "only with public virtual interfaces"),
        ({}, {"public_prefixes": ("192.168.0.0/16",)}, "public IPv4 prefixes you own"),
    ],
)
def test_public_virtual_interface_args_are_refused_naming_the_field(
    link_changes: dict[str, Any], arg_changes: dict[str, Any], match: str
) -> None:
    dx = _plan(150)
    link = dx.links[0]
    values = {
        "name": link.name,
        "location": link.location,
        "ports": link.ports,
        "vlan": link.vlan,
        "amazon_address": link.amazon_address,
        "customer_address": link.customer_address,
        **link_changes,
    }
    with pytest.raises(ValidationError, match=match):
        _args(dx, links=(DirectConnectLinkSpec(**values),), **arg_changes)
