"""Google Cloud as a place placement can choose: quotas, price and locality decide; the interconnect (HA VPN, and
Dedicated Interconnect past what HA VPN carries) is sized from the transfers that reach it; every line priced.
Expected figures are derived by hand from the catalog's published prices and limits."""

from __future__ import annotations

import math
from typing import Any

import pytest

from aidc.clouds.aws import catalog as aws_catalog
from aidc.clouds.gcp import catalog
from aidc.clouds.gcp.interconnect import GcpInterconnectPlan
from aidc.config import ConfigError, parse_stack_config
from aidc.sizing import InfeasibleDemand, size_stack
from tests.clouds.gcp_plans import H100_RUN


def _stack(**values: Any) -> Any:
    config: dict[str, Any] = {
        "aidc:gcp": {"project": "aidc-demo-123"},
        "aidc:demand": {"training": [H100_RUN]},
        "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
    }
    for key, value in values.items():
        config[key] = value
    return size_stack(parse_stack_config(config, stack="gcp-test"))


def _offers(plan: Any, workload: str) -> dict[str, Any]:
    return {o.location: o for o in plan.offers if o.workload == workload}


def test_h100_training_goes_to_gcp_when_aws_has_no_quota() -> None:
    plan = _stack(
        **{"aidc:capacity": {"public": {"max_instances": {"p5.48xlarge": 0, "a3-highgpu-8g": 200}}}}
    )
    [group] = plan.placement.public
    assert (group.location, group.instance_type) == ("gcp", "a3-highgpu-8g")
    assert group.gpus == plan.training[0].gpus.int and group.gpus_per_instance == 8
    assert plan.clouds == ("gcp",)
    offers = _offers(plan, "llm-pretrain")
    assert offers["gcp"].outcome == "chosen"
    assert offers["aws"].outcome == "ineligible" and "p5.48xlarge 0" in offers["aws"].reason
    assert [c.component for c in plan.cost.components] == [
        "gcp-gpu-cluster",
        "gcp-interconnect",
        "private-cloud",
        "ceph-storage",
        "edge-sites",
    ]


def test_with_both_quotas_open_the_cheaper_cloud_wins_and_the_other_says_why() -> None:
    plan = _stack(
        **{"aidc:capacity": {"public": {"max_instances": {"p5.48xlarge": 200, "a3-highgpu-8g": 200}}}}
    )
    offers = _offers(plan, "llm-pretrain")
    aws, gcp = offers["aws"].usd_per_gpu_hour.value, offers["gcp"].usd_per_gpu_hour.value
    p5 = aws_catalog.INSTANCE_TYPES["p5.48xlarge"]  # the us-east-1 list price
    assert aws == pytest.approx(p5.usd_per_hour / 8)
    assert gcp == pytest.approx(catalog.REGIONAL_PRICES["a3-highgpu-8g"]["us-central1"][0] / 8)
    winner, loser = ("gcp", "aws") if gcp < aws else ("aws", "gcp")
    assert offers[winner].outcome == "chosen"
    assert offers[loser].outcome == "lost" and f"at {winner}" in offers[loser].reason
    # An override that makes AWS the cheaper flips the choice.
    cheap = {"p5.48xlarge": 1.0}
    flipped = _stack(
        **{
            "aidc:capacity": {
                "public": {"max_instances": {"p5.48xlarge": 200, "a3-highgpu-8g": 200}},
                "prices": cheap,
            }
        }
    )
    assert {g.location for g in flipped.placement.public} == {"aws"}


def test_a_spot_only_type_serves_only_spot_work() -> None:
    public = {"allowed_instance_types": ["a3-highgpu-1g"]}
    with pytest.raises(InfeasibleDemand):  # GCP sells a3-highgpu-1g as spot or flex-start only
        _stack(**{"aidc:capacity": {"public": public}})
    spot = _stack(
        **{"aidc:capacity": {"public": public}, "aidc:demand": {"training": [{**H100_RUN, "spot": True}]}}
    )
    assert {(g.instance_type, g.spot) for g in spot.placement.public} == {("a3-highgpu-1g", True)}


def test_regional_prices_follow_the_stack_region() -> None:
    quotas = {"p5.48xlarge": 0, "a3-highgpu-8g": 200}
    plan = _stack(
        **{
            "aidc:gcp": {"project": "aidc-demo-123", "region": "europe-west4"},
            "aidc:capacity": {"public": {"max_instances": quotas}},
        }
    )
    [group] = plan.placement.public
    assert group.usd_per_hour == pytest.approx(catalog.REGIONAL_PRICES["a3-highgpu-8g"]["europe-west4"][0])


def test_confidential_work_never_goes_to_gcp() -> None:
    run = {**H100_RUN, "classification": "confidential"}
    with pytest.raises(InfeasibleDemand, match="never spills"):
        _stack(**{"aidc:demand": {"training": [run]}})


def _transfer_plan(gbps: float, **interconnect: Any) -> GcpInterconnectPlan:
    volume_gb = gbps / 8 * 3600  # one hour's worth at `gbps`
    plan = _stack(
        **{
            "aidc:gcp": {
                "project": "aidc-demo-123",
                "vpn": {"peer_ips": ["45.33.32.156", "45.33.32.157"]},
                "interconnect": interconnect,
            },
            "aidc:demand": {
                "transfer": [
                    {
                        "name": "sync",
                        "volume_gb": volume_gb,
                        "window_hours": 1,
                        "cloud": "gcp",
                        "classification": "internal",
                    }
                ]
            },
        }
    )
    assert plan.clouds == ("gcp",)
    found = plan.network.interconnect("gcp")
    assert isinstance(found, GcpInterconnectPlan)
    return found


def test_ha_vpn_tunnels_carry_the_transfers_in_pairs() -> None:
    link = _transfer_plan(9)
    # 250,000 packets/s · 2/3 · 1,500 B · 8 = 2 Gbps a tunnel; ceil(9 / 2) = 5, rounded up to a pair: 6.
    assert link.vpn_tunnels.int == 6 and link.capacity_gbps.value == pytest.approx(12)
    assert [t.interface for t in link.tunnels] == [0, 1, 0, 1, 0, 1]
    assert [t.peer_interface for t in link.tunnels] == [0, 1, 0, 1, 0, 1]
    assert link.tunnels[0].bgp_cidr == "169.254.200.0/30" and link.links == ()


def test_past_sixteen_tunnels_dedicated_interconnect_carries_them_with_macsec() -> None:
    link = _transfer_plan(400)
    assert link.vpn_tunnels.int == 2  # the management and fallback path
    # MACsec for internal data: 100 Gbps circuits, ceil(400 / 100) = 4 active + 1 spare, one connection of 5.
    assert link.port_gbps is not None and link.port_gbps.int == 5
    assert [(c.circuits, c.link_type) for c in link.links] == [(5, "LINK_TYPE_ETHERNET_100G_LR")]
    assert link.encryption == "macsec"
    carried = sum(catalog.VLAN_ATTACHMENT_BANDWIDTH_GBPS[a.bandwidth] for a in link.attachments)
    assert carried >= 500 and all(a.bgp_cidr.endswith("/29") for a in link.attachments)
    assert link.capacity_gbps.value == pytest.approx(2 * 2 + 400)


def test_internal_data_without_macsec_is_refused_not_sent_in_clear() -> None:
    with pytest.raises(InfeasibleDemand, match="macsec is false"):
        _transfer_plan(400, macsec=False)


def test_gcp_settings_refuse_what_google_cloud_would() -> None:
    bad = [
        {"project": "Bad_Project"},
        {"zones": ["us-east1-b", "us-central1-a"]},
        {"pods_cidr": "10.40.0.0/14"},
        {"vpn": {"peer_ips": ["10.0.0.1"]}},
        {"labels": {"Team": "ml"}},
        {"master_cidr": "8.8.8.0/28"},
    ]
    for settings in bad:
        with pytest.raises(ConfigError) as refused:
            parse_stack_config({"aidc:gcp": settings})
        assert "aidc:gcp." in str(refused.value), settings


def test_a_misspelt_region_is_refused_and_a_new_one_in_a_known_area_is_not() -> None:
    for key, value in (("aidc:gcp", {"region": "us-centrall1"}), ("gcp:region", "us-centrall1")):
        with pytest.raises(ConfigError) as refused:
            parse_stack_config({key: value})
        assert "did you mean 'us-central1'?" in str(refused.value), key
    # Google opens regions in known areas: a number aidc has not seen is not refused (preflight asks the API).
    gcp = parse_stack_config({"aidc:gcp": {"region": "asia-southeast4"}}).cloud("gcp")
    assert gcp.region == "asia-southeast4"  # type: ignore[attr-defined]


def test_gcp_provider_keys_fill_the_settings() -> None:
    cfg = parse_stack_config({"gcp:project": "aidc-demo-123", "gcp:region": "europe-west4"})
    gcp = cfg.cloud("gcp")
    assert (gcp.project, gcp.region) == ("aidc-demo-123", "europe-west4")  # type: ignore[attr-defined]
    assert cfg.provider_keys == {"gcp:project", "gcp:region"}


def test_gcp_cost_lines_hand_derived() -> None:
    quotas = {"p5.48xlarge": 0, "a3-highgpu-8g": 200}
    plan = _stack(**{"aidc:capacity": {"public": {"max_instances": quotas}}})
    [group] = plan.placement.public
    lines = {line.item: line.usd_per_month.value for line in plan.cost.component("gcp-gpu-cluster").lines}
    assert lines["GKE cluster management fee (regional cluster)"] == pytest.approx(0.10 * 730)
    nodes = 3  # one e2-standard-4 per zone, three zones
    assert lines[f"system pool {nodes} x e2-standard-4 (1 per zone)"] == pytest.approx(nodes * 0.13402 * 730)
    gpu = next(v for k, v in lines.items() if k.startswith("GPU nodes a3-highgpu-8g"))
    # A one-off training run bills the hours it runs (at most a month's 730), as any training run does.
    run_hours = plan.training[0].run_hours.value
    assert group.hours_per_month is not None
    assert group.hours_per_month.value == pytest.approx(min(run_hours, 730))
    assert gpu == pytest.approx(group.instances.int * group.usd_per_hour * min(run_hours, 730))
    vms = min(32, nodes + group.instances.int)
    nat = next(v for k, v in lines.items() if k.startswith("Cloud NAT"))
    assert nat == pytest.approx(vms * 0.0014 * 730)
    tunnels = {line.item: line.usd_per_month.value for line in plan.cost.component("gcp-interconnect").lines}
    assert tunnels == {"HA VPN tunnels (2)": pytest.approx(2 * 0.05 * 730)}
    assert math.isclose(
        plan.cost.total_usd_per_month.value, sum(c.usd_per_month for c in plan.cost.components)
    )
