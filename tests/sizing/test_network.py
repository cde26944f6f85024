"""Transfers, VPN tunnels and the Direct Connect recommendation, hand-derived."""

from __future__ import annotations

from typing import Any

import pytest

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


def test_500_gigabytes_per_second_recommends_direct_connect() -> None:
    plan = size_stack(stack({"transfer": [{"name": "clicks", "volume_gb": 1_800_000, "window_hours": 1}]}))
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
    n = _dx(4000)
    dc = n.direct_connect
    assert dc is not None and (dc.port_gbps, dc.bandwidth, dc.ports.int) == (400, "400Gbps", 11)
    assert [link.ports for link in dc.links] == [2, 2, 2, 2, 2, 1]
    assert [link.vlan for link in dc.links] == [100, 101, 102, 103, 104, 105]
    assert dc.capacity_gbps.value == pytest.approx(4000)  # the spare excluded
    assert n.capacity_gbps.value == pytest.approx(4000 + 1.25)  # plus the VPN management path
    assert dc.encryption == "macsec"  # internal by default, 400G supports MACsec
    assert "ceil(required_gbps / port_gbps)) + 1 spare" in dc.ports.formula
    assert dc.tgw_path_gbps.value == 200  # 100 Gbps per AZ · 2 AZs: the plan warns
    assert n.transfers[0].hours_at_provisioned.value == pytest.approx(4000 / 4001.25)


@pytest.mark.parametrize(
    ("gbps", "port", "ports"),
    [(0.3, 10, 2), (30, 10, 4), (50, 100, 2), (150, 100, 3), (700, 400, 3)],
)
def test_port_speed_is_the_smallest_whose_ports_fit_one_lag(gbps: float, port: int, ports: int) -> None:
    # MACsec (internal data) rules out 1 Gbps: 0.3 Gbps gets 10G, 1 + 1 spare.
    dc = _dx(gbps, mode="always").direct_connect
    assert dc is not None and (dc.port_gbps, dc.ports.int) == (port, ports)


def test_growing_the_transfer_adds_ports_and_links_never_renames() -> None:
    small, large = _dx(800).direct_connect, _dx(2000).direct_connect
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
    dc = _dx(1600, second_location="EqDC6").direct_connect
    assert dc is not None and [link.location for link in dc.links] == ["EqDC2", "EqDC6", "EqDC2"]


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
