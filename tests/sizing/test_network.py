"""Transfers, VPN tunnels and the Direct Connect recommendation, hand-derived."""

from __future__ import annotations

from typing import Any

import pytest

from aidc.config import ConfigError
from aidc.sizing import InfeasibleDemand, size_stack
from tests.sizing.helpers import stack


def test_ten_gbps_needs_eight_standard_connections_with_static_routing() -> None:
    # 4,500 GB in one hour = 4500 · 8 / 3600 = 10 Gbps; static routes use one active 1.25 Gbps tunnel per
    # connection → 8 connections, 16 tunnels, and the private /16 split into 8 route prefixes.
    n = size_stack(stack({"transfer": [{"name": "bulk", "volume_gb": 4500, "window_hours": 1}]})).network
    assert n.transfers[0].gbps.value == pytest.approx(10.0)
    assert (n.vpn_connections.int, n.vpn_tunnels.int) == (8, 16)
    assert n.provisioned_gbps.value == pytest.approx(10.0)
    assert n.feasible_over_vpn and n.direct_connect is None
    assert len(n.private_route_prefixes) == 8 and n.private_route_prefixes[0] == "10.20.0.0/19"


def test_route_prefixes_do_not_depend_on_the_connection_count() -> None:
    small = size_stack(stack({"transfer": [{"name": "small", "volume_gb": 100, "window_hours": 1}]})).network
    large = size_stack(stack({"transfer": [{"name": "large", "volume_gb": 4000, "window_hours": 1}]})).network
    assert small.vpn_connections.int < large.vpn_connections.int
    assert small.private_route_prefixes == large.private_route_prefixes
    assert len(small.private_route_prefixes) == 8


def test_large_tunnels_need_two_connections_for_ten_gbps() -> None:
    n = size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": 4500, "window_hours": 1}]},
            vpn={"tunnel_bandwidth": "large"},
        )
    ).network
    assert (n.vpn_connections.int, n.vpn_tunnels.int) == (2, 4)
    assert n.provisioned_gbps.value == pytest.approx(10.0)


def test_seed_transfer_formula_agrees_with_gbps() -> None:
    n = size_stack(
        stack(
            {
                "transfer": [
                    {"name": "a", "volume_gb": 900, "window_hours": 2},
                    {"name": "b", "volume_gb": 100, "window_hours": 0.5},
                ]
            }
        )
    ).network
    for t in n.transfers:
        # T = V / B at the transfer's own rate gives back its window.
        assert t.volume_gb * 8 / t.gbps.value / 3600 == pytest.approx(t.window_hours)
        assert t.hours_at_provisioned.value <= t.window_hours
    assert n.required_gbps.value == pytest.approx(1.0 + 100 * 8 / 1800)


# Past what the Transit Gateway carries (100 Gbps per AZ), the bulk goes to S3 over public virtual interfaces;
# past 10 ports, over a second location (the quota of dedicated connections per location).
BULK = {
    "locations": ["EqDC2", "CSVA1"],
    "public_prefixes": ["198.51.100.0/24"],
    "public_peer_cidr": "203.0.113.0/27",
}


def test_500_gigabytes_per_second_recommends_direct_connect() -> None:
    plan = size_stack(
        stack(
            {"transfer": [{"name": "clicks", "volume_gb": 1_800_000, "window_hours": 1}]},
            interconnect={"direct_connect": BULK},
        )
    )
    n = plan.network
    assert n.required_gbps.value == pytest.approx(4000.0)
    assert not n.feasible_over_vpn
    assert n.vpn_connections.int == 1
    assert n.direct_connect is not None and n.direct_connect.ports.int == 11  # ceil(4000/400) + 1
    assert any("Direct Connect" in w and "4,000.0 Gbps" in w for w in plan.warnings)


def _dx(gbps: float, **direct_connect: Any):  # type: ignore[no-untyped-def]
    return size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": gbps * 3600 / 8, "window_hours": 1}]},
            interconnect={"direct_connect": direct_connect},
        )
    ).network


def test_direct_connect_for_the_seed_case_is_declared_with_its_links() -> None:
    # 4,000 Gbps: 400G ports, ceil(4000 / 400) + 1 spare = 11; a LAG bundles at most two 400G ports -> 6 links.
    n = _dx(4000, **BULK)
    dc = n.direct_connect
    assert dc is not None and (dc.port_gbps, dc.bandwidth, dc.ports.int) == (400, "400Gbps", 11)
    assert [link.ports for link in dc.links] == [2, 2, 2, 2, 2, 1]
    assert [link.vlan for link in dc.links] == [100, 101, 102, 103, 104, 105]
    assert [link.public_vlan for link in dc.links] == [2000, 2001, 2002, 2003, 2004, 2005]
    assert [link.location for link in dc.links] == ["EqDC2", "CSVA1"] * 3
    assert dc.ports_per_location is not None and dc.ports_per_location.int == 6  # 6 at EqDC2, 5 at CSVA1 ≤ 10
    assert dc.ports_per_location.inputs["ports_at_CSVA1"] == 5
    assert dc.capacity_gbps.value == pytest.approx(4000)  # the spare excluded
    assert n.capacity_gbps.value == pytest.approx(4000 + 1.25)  # plus the VPN management path
    assert dc.encryption == "macsec"  # internal by default, 400G supports MACsec
    assert "ceil(required_gbps / port_gbps)) + 1 spare" in dc.ports.formula
    # The Transit Gateway carries 100 Gbps per AZ · 2 AZs: the bulk bypasses it over public virtual interfaces.
    assert dc.tgw_path_gbps.value == 200
    assert dc.bulk_path == "public-vif" and all(hop.ok for hop in dc.path)
    assert [hop.carries.value for hop in dc.path][:2] == [4000, 4000]
    assert n.transfers[0].hours_at_provisioned.value == pytest.approx(4000 / 4001.25)


@pytest.mark.parametrize(
    ("gbps", "port", "ports"),
    [(0.3, 10, 2), (30, 10, 4), (50, 100, 2), (150, 100, 3), (700, 400, 3)],
)
def test_port_speed_is_the_smallest_whose_ports_fit_one_lag(gbps: float, port: int, ports: int) -> None:
    # MACsec (internal data) rules out 1 Gbps: 0.3 Gbps gets 10G, 1 + 1 spare.
    dc = _dx(gbps, mode="always", **BULK).direct_connect
    assert dc is not None and (dc.port_gbps, dc.ports.int) == (port, ports)


def test_growing_the_transfer_adds_ports_and_links_never_renames() -> None:
    small, large = _dx(800, **BULK).direct_connect, _dx(2000, **BULK).direct_connect
    assert small is not None and large is not None
    assert [link.name for link in small.links] == ["link-0", "link-1"]
    assert [link.name for link in large.links][:2] == ["link-0", "link-1"]
    assert (small.ports.int, large.ports.int) == (3, 6)
    for before, after in zip(small.links, large.links, strict=False):
        assert (before.vlan, before.amazon_address) == (after.vlan, after.amazon_address)


def test_vpn_that_carries_the_transfers_needs_no_direct_connect() -> None:
    assert _dx(0.28).direct_connect is None


def test_never_keeps_the_vpn_and_says_so() -> None:
    plan = size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": 90_000, "window_hours": 4}]},
            interconnect={"direct_connect": {"mode": "never"}},
        )
    )
    assert plan.network.direct_connect is None
    assert plan.network.capacity_gbps.value == pytest.approx(1.25)
    assert any("mode is never" in w for w in plan.warnings)


def test_ipsec_over_direct_connect_needs_the_vpn_device_address() -> None:
    with pytest.raises(InfeasibleDemand, match="vpn_peer_ip"):
        _dx(10, mode="always", macsec=False)
    dc = _dx(10, mode="always", macsec=False, vpn_peer_ip="10.99.0.10").direct_connect
    assert dc is not None and dc.encryption == "ipsec" and dc.ipsec_connections is not None
    assert dc.ipsec_connections.int == 4  # 10 / (2 tunnels · 1.25 Gbps), BGP
    assert dc.capacity_gbps.value == pytest.approx(min((dc.ports.int - 1) * dc.port_gbps, 4 * 2 * 1.25))


def test_a_second_location_alternates_links() -> None:
    dc = _dx(
        1600, second_location="EqDC6", public_prefixes=["198.51.100.0/24"], public_peer_cidr="203.0.113.0/28"
    ).direct_connect
    assert dc is not None and [link.location for link in dc.links] == ["EqDC2", "EqDC6", "EqDC2"]
    assert dc.locations == ("EqDC2", "EqDC6")


def test_the_transit_path_carries_what_its_attachments_carry_and_no_more() -> None:
    # 150 Gbps through 2 AZs (200 Gbps): the transit path, hop by hop.
    dc = _dx(150, mode="always").direct_connect
    assert dc is not None and dc.bulk_path == "transit" and all(hop.ok for hop in dc.path)
    assert [hop.name for hop in dc.path][-2:] == [
        "Transit Gateway: Direct Connect gateway attachment",
        "Transit Gateway: VPC attachment (us-east-1a, us-east-1b)",
    ]
    # Three AZs carry 300 Gbps; 250 fits them, not two.
    with pytest.raises(InfeasibleDemand, match=r"carries 200\.0 Gbps"):
        _dx(250, mode="always")
    wide = size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": 250 * 3600 / 8, "window_hours": 1}]},
            interconnect={"direct_connect": {"mode": "always"}},
            aws={"azs": ["us-east-1a", "us-east-1b", "us-east-1c"]},
        )
    ).network.direct_connect
    assert wide is not None and wide.tgw_path_gbps.value == 300 and all(hop.ok for hop in wide.path)


def test_ipsec_bounds_the_transit_path_and_keeps_public_prefixes_unused() -> None:
    plan = size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": 4500, "window_hours": 1}]},  # 10 Gbps
            interconnect={
                "direct_connect": {
                    "mode": "always",
                    "macsec": False,
                    "vpn_peer_ip": "10.99.0.10",
                    "public_prefixes": ["198.51.100.0/24"],
                    "public_peer_cidr": "203.0.113.0/30",
                }
            },
        )
    )
    dc = plan.network.direct_connect
    assert dc is not None and dc.bulk_path == "transit" and dc.public_prefixes == ()
    assert "private IP VPN tunnels over Direct Connect" in [hop.name for hop in dc.path]
    assert all(link.public_vlan is None for link in dc.links)
    assert any("no public virtual interfaces are planned" in w for w in plan.warnings)


def test_lags_per_region_are_a_quota() -> None:
    # 10 Gbps ports forced: 450 Gbps needs 46 ports in LAGs of 4: 12 LAGs, past the 10 per Region.
    with pytest.raises(InfeasibleDemand, match="an account holds 10 LAGs per Region"):
        _dx(450, port_gbps=10, connections_per_location=100, **BULK)


def test_public_virtual_interface_vlans_stay_apart_from_the_transit_ones() -> None:
    with pytest.raises(InfeasibleDemand, match="public_first_vlan"):
        _dx(800, public_first_vlan=101, **BULK)


def test_documentation_addresses_are_flagged() -> None:
    plan = size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": 360_000, "window_hours": 1}]},
            interconnect={"direct_connect": BULK},
        )
    )
    assert any("documentation addresses (RFC 5737)" in w and "198.51.100.0/24" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("direct_connect", "expected"),
    [
        (
            {"public_prefixes": ["10.1.0.0/16"], "public_peer_cidr": "203.0.113.0/30"},
            "aidc:interconnect.direct_connect.public_prefixes[0]: '10.1.0.0/16' overlaps 10.0.0.0/8, which the "
            "internet does not route; a public virtual interface takes public IPv4 prefixes you own",
        ),
        (
            {"public_prefixes": ["198.51.100.0/24"]},
            "aidc:interconnect.direct_connect: public_prefixes and public_peer_cidr: give both (the prefixes the "
            "public virtual interfaces advertise and the public block their BGP peers use) or neither",
        ),
        (
            {"locations": ["EqDC2"], "second_location": "CSVA1"},
            "aidc:interconnect.direct_connect: locations: give either locations or location (and second_location), "
            "not both",
        ),
        (
            {"connections_per_location": 0},
            "aidc:interconnect.direct_connect.connections_per_location: input should be greater than or equal to 1, "
            "got 0",
        ),
        (
            {"public_prefixes": ["198.51.100.0/24"], "public_peer_cidr": "203.0.113.0/31"},
            "aidc:interconnect.direct_connect.public_peer_cidr: '203.0.113.0/31' is too small: one /30 per link, so "
            "/30 or larger",
        ),
    ],
)
def test_direct_connect_settings_are_refused_naming_the_key(
    direct_connect: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        stack(interconnect={"direct_connect": direct_connect})
    assert info.value.problems == [expected]


def test_hosted_connections_need_one_id_each() -> None:
    plan = size_stack(
        stack(
            {"transfer": [{"name": "bulk", "volume_gb": 9000, "window_hours": 1}]},  # 20 Gbps
            interconnect={"direct_connect": {"hosted": True, "port_gbps": 10, "vpn_peer_ip": "10.99.0.10"}},
        )
    )
    dc = plan.network.direct_connect
    assert dc is not None and dc.ports.int == 3 and [link.ports for link in dc.links] == [1, 1, 1]
    assert any("hosted_connection_ids lists 0" in w for w in plan.warnings)
