"""Transfer cost lines, hand-derived: volume · runs per 730-h month by `every`, by direction, over the VPN
(internet tiers) or over Direct Connect (flat per GB, plus port hours)."""

from __future__ import annotations

from typing import Any

import pytest

from aidc.catalog import RUNS_PER_MONTH
from aidc.clouds.aws.catalog import TRANSFER_PRICES as AWS_TRANSFER_PRICES
from aidc.sizing import size_stack
from aidc.sizing.cost import cost_to_dict, tiered_usd
from tests.sizing.helpers import stack

TGW = "Transit Gateway data processing (planned transfers)"
VPN_OUT = "data transfer out over the VPN (internet rates)"
DX_OUT = "data transfer out over Direct Connect"


def _lines(transfers: list[dict[str, Any]], **other: Any) -> dict[str, dict[str, float]]:
    plan = size_stack(stack({"transfer": transfers}, **other))
    return {
        c.component: {line.item: line.usd_per_month.value for line in c.lines} for c in plan.cost.components
    }


def test_runs_per_month_follow_the_730_hour_month() -> None:
    assert RUNS_PER_MONTH["day"] == pytest.approx(730 / 24)  # 30.42
    assert RUNS_PER_MONTH["week"] == pytest.approx(730 / 168)  # 4.35
    assert (RUNS_PER_MONTH["month"], RUNS_PER_MONTH["once"]) == (1.0, 0.0)


def test_internet_tiers() -> None:
    out = AWS_TRANSFER_PRICES["internet-out"]
    assert tiered_usd(0, out) == 0
    assert tiered_usd(10_240, out) == pytest.approx(921.60)
    assert tiered_usd(20_000, out) == pytest.approx(921.60 + 9_760 * 0.085)
    assert tiered_usd(300_000, out) == pytest.approx(921.60 + 3_481.60 + 7_168 + 146_400 * 0.05)


def test_monthly_transfer_out_over_the_vpn() -> None:
    # 1,000 GB once a month, to_private: 1,000 GB out at 0.09 = 90; through the TGW at 0.02 = 20.
    vpn = _lines([{"name": "export", "volume_gb": 1000, "window_hours": 10, "every": "month"}])[
        "vpn-interconnect"
    ]
    assert vpn[VPN_OUT] == pytest.approx(90.0)
    assert vpn[TGW] == pytest.approx(20.0)


def test_weekly_both_ways() -> None:
    # 2,000 GB each way every week: 2,000 · 730/168 = 8,690.48 GB out (all in the first tier) and as much in
    # (free); the TGW processes both: 17,380.95 GB · 0.02.
    vpn = _lines(
        [{"name": "sync", "volume_gb": 2000, "window_hours": 10, "every": "week", "direction": "both"}]
    )["vpn-interconnect"]
    assert vpn[VPN_OUT] == pytest.approx(2000 * 730 / 168 * 0.09)
    assert vpn[TGW] == pytest.approx(2 * 2000 * 730 / 168 * 0.02)


def test_into_aws_pays_no_transfer_out() -> None:
    vpn = _lines([{"name": "ingest", "volume_gb": 500, "window_hours": 4, "direction": "to_public"}])[
        "vpn-interconnect"
    ]
    assert VPN_OUT not in vpn
    assert vpn[TGW] == pytest.approx(500 * 730 / 24 * 0.02)


def test_a_one_off_transfer_is_stated_apart() -> None:
    plan = size_stack(
        stack({"transfer": [{"name": "seed", "volume_gb": 20_000, "window_hours": 24, "every": "once"}]})
    )
    vpn = {line.item for line in plan.cost.component("vpn-interconnect").lines}
    assert TGW not in vpn and VPN_OUT not in vpn
    # 10,240 · 0.09 + 9,760 · 0.085 = 1,751.20 out, 20,000 · 0.02 = 400 through the TGW
    [note] = [n for n in plan.cost.not_priced if "seed" in n]
    assert "2,151.20 USD once" in note


def test_direct_connect_lines_for_the_seed_case() -> None:
    # 1.8 PB a day (500 GB/s for an hour): 1,800,000 · 730/24 = 54,750,000 GB a month out over Direct Connect
    # at 0.02; 11 x 400G ports at 85 USD/h. Over public virtual interfaces to S3 the bulk bypasses the Transit
    # Gateway: no data processing.
    bulk = {
        "locations": ["EqDC2", "CSVA1"],
        "public_prefixes": ["198.51.100.0/24"],
        "public_peer_cidr": "203.0.113.0/27",
    }
    components = _lines(
        [{"name": "clicks", "volume_gb": 1_800_000, "window_hours": 1}], interconnect={"direct_connect": bulk}
    )
    dx = components["direct-connect"]
    assert dx["Direct Connect dedicated ports 11 x 400Gbps (incl. 1 spare)"] == pytest.approx(
        11 * 85.00 * 730
    )
    assert dx["Transit Gateway attachment (Direct Connect gateway)"] == pytest.approx(0.05 * 730)
    assert dx[DX_OUT] == pytest.approx(54_750_000 * 0.02)
    assert TGW not in components["vpn-interconnect"]
    assert VPN_OUT not in components["vpn-interconnect"]  # the bulk leaves over Direct Connect


def test_direct_connect_through_the_transit_gateway_pays_its_data_processing() -> None:
    # 150 Gbps for an hour a month: 67,500 GB through the Transit Gateway at 0.02 USD/GB.
    components = _lines(
        [{"name": "bulk", "volume_gb": 67_500, "window_hours": 1, "every": "month"}],
        interconnect={"direct_connect": {"mode": "always"}},
    )
    assert components["vpn-interconnect"][TGW] == pytest.approx(67_500 * 0.02)


def test_ipsec_over_direct_connect_adds_vpn_hours() -> None:
    # 10 Gbps internal without MACsec: 4 private IP VPN connections (10 / (2 · 1.25)), each 0.05 USD/h and a
    # TGW attachment at 0.05 USD/h.
    dx = _lines(
        [{"name": "bulk", "volume_gb": 4500, "window_hours": 1, "every": "month"}],
        interconnect={"direct_connect": {"mode": "always", "macsec": False, "vpn_peer_ip": "10.99.0.10"}},
    )["direct-connect"]
    assert dx["private IP VPN connections over Direct Connect"] == pytest.approx(4 * 0.05 * 730)
    assert dx["Transit Gateway attachments (private IP VPNs)"] == pytest.approx(4 * 0.05 * 730)
    assert dx[DX_OUT] == pytest.approx(4500 * 0.02)


def test_transfer_prices_carry_their_sources() -> None:
    cost = cost_to_dict(size_stack(stack({})).cost)
    for key, price in cost["transfer_prices"].items():
        assert price["source"].startswith("https://") and price["as_of"], key
