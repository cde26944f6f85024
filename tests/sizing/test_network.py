"""Transfers, VPN tunnels and the Direct Connect recommendation, hand-derived."""

from __future__ import annotations

import pytest

from aidc.sizing import size_stack
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
