"""The one cost model (aidc/sizing/cost.py), hand-derived on the dev stack; the plan carries it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aidc.catalog import HOURS_PER_MONTH
from aidc.clouds.aws.catalog import SERVICE_PRICES as AWS_SERVICE_PRICES
from aidc.sizing import size_stack
from aidc.sizing.cost import cost_to_dict, private_gpu_hour_usd
from tests.plans import config_of, stack_values


@pytest.fixture(scope="module")
def dev():
    cfg = config_of(stack_values("dev"))
    return cfg, size_stack(cfg)


def _lines(estimate, component: str) -> dict[str, float]:
    return {line.item: line.usd_per_month.value for line in estimate.component(component).lines}


def test_dev_cost_hand_derived(dev) -> None:
    _, plan = dev
    estimate = plan.cost
    aws = _lines(estimate, "aws-gpu-cluster")
    # dev places assistant-chat on one g6.12xlarge (4 × L4) on demand: 4.6016 USD/h · 730 h
    assert aws["GPU nodes g6.12xlarge on-demand"] == pytest.approx(4.6016 * 730)
    assert aws["system nodes m6i.large"] == pytest.approx(2 * 0.096 * 730)
    assert aws["EKS control plane"] == pytest.approx(0.10 * 730)
    assert aws["NAT gateways (one per AZ: us-east-1a, us-east-1b)"] == pytest.approx(2 * 0.045 * 730)
    vpn = _lines(estimate, "vpn-interconnect")
    # one VPN connection: TGW attachments for the VPC and the connection, plus the connection itself
    assert vpn["Transit Gateway attachments (VPC + one per VPN connection)"] == pytest.approx(2 * 0.05 * 730)
    assert vpn["Site-to-Site VPN connections"] == pytest.approx(0.05 * 730)
    # nightly-sync moves 500 GB out of AWS every day: 500 · 730/24 = 15,208.33 GB a month through the TGW at
    # 0.02 USD/GB, and out over the VPN at internet rates: 10,240 GB at 0.09 + 4,968.33 GB at 0.085
    assert vpn["Transit Gateway data processing (planned transfers)"] == pytest.approx(500 * 730 / 24 * 0.02)
    assert vpn["data transfer out over the VPN (internet rates)"] == pytest.approx(
        10_240 * 0.09 + (500 * 730 / 24 - 10_240) * 0.085
    )
    assert "direct-connect" not in {c.component for c in estimate.components}
    private = _lines(estimate, "private-cloud")
    # 16 A100-80GB in the private cloud: 18,550 USD capex (HGX A100 640GB, per GPU) over 36 months;
    # 0.81 kW (DGX A100 6.5 kW / 8) · PUE 1.3 · 0.10 USD/kWh
    assert private["GPUs a100-80gb amortisation"] == pytest.approx(16 * 18_550 / 36)
    # assistant-7b-ft is a one-off run: its GPUs draw power for the hours it runs, 2,401.2 GPU-h (16 GPUs · 150.07 h)
    run_hours = plan.training[0].run_hours.value
    assert run_hours == pytest.approx(150.07, abs=0.01)
    assert private["GPUs a100-80gb power"] == pytest.approx(16 * 0.81 * 1.3 * 0.10 * run_hours)
    # 3 K3s core servers (aidc:k3s.core_servers default), each a USD 10,424 2-socket server over 36 months,
    # 0.83 kW at PUE 1.3 and 0.10 USD/kWh
    assert private["K3s core servers (3) amortisation"] == pytest.approx(3 * 10_424 / 36)
    assert private["K3s core servers (3) power"] == pytest.approx(3 * 0.83 * 1.3 * 0.10 * 730)
    ceph = _lines(estimate, "ceph-storage")
    # dev's Ceph: 7 hosts of 4 drives of 3.84 TB; a host without drives USD 8,892, drives USD 110/TB,
    # 0.83 kW a host and 12 W a drive
    assert ceph["storage hosts (7) amortisation"] == pytest.approx(7 * 8_892 / 36)
    assert ceph["NVMe drives (28 x 3.84 TB) amortisation"] == pytest.approx(28 * 3.84 * 110 / 36)
    assert ceph["storage power (7 hosts, 28 drives)"] == pytest.approx(
        (7 * 0.83 + 28 * 0.012) * 1.3 * 0.10 * 730
    )
    edge = _lines(estimate, "edge-sites")
    # edge-lab: 2 L4 (1 needed + the site's spare node), and its one K3s server
    assert edge["site edge-lab l4-24gb amortisation"] == pytest.approx(2 * 4_500 / 36)
    assert edge["K3s servers of the edge sites (1 server, 1 site) amortisation"] == pytest.approx(10_424 / 36)
    assert edge["K3s servers of the edge sites (1 server, 1 site) power"] == pytest.approx(
        0.83 * 1.3 * 0.1 * 730
    )
    assert estimate.total_usd_per_month.value == pytest.approx(
        sum(c.usd_per_month for c in estimate.components)
    )
    # 3,359.17 + 140.16 + 73 + 65.70 (AWS) + 109.50 + 304.17 + 1,343.91 (VPN and its transfers)
    # + 8,244.44 + 252.84 + 868.67 + 236.30 (private) + 1,729.00 + 328.53 + 583.26 (Ceph)
    # + 250 + 37.96 + 289.56 + 78.77 (edge)
    assert estimate.total_usd_per_month.value == pytest.approx(18_294.93, abs=0.01)


def test_every_line_explains_itself(dev) -> None:
    _, plan = dev
    for component in plan.cost.components:
        for line in component.lines:
            fig = line.usd_per_month
            assert fig.unit == "USD/month", line.item
            assert "730" in fig.formula, f"{component.component}/{line.item}: {fig.formula}"
            assert fig.inputs, f"{component.component}/{line.item} has no inputs"


def test_spot_is_a_separate_cheaper_line() -> None:
    values = stack_values("dev")
    values["aidc:demand"]["inference"][0]["spot"] = True
    cfg = config_of(values)
    estimate = size_stack(cfg).cost
    aws = _lines(estimate, "aws-gpu-cluster")
    spot = [item for item in aws if "spot" in item]
    assert spot == ["GPU nodes g6.12xlarge spot"], aws
    # catalog spot fraction 0.4 of on-demand, unless overridden
    assert aws[spot[0]] == pytest.approx(4.6016 * 0.4 * HOURS_PER_MONTH)


def test_config_price_overrides_reach_the_estimate() -> None:
    values = stack_values("dev")
    values["aidc:capacity"]["prices"] = {"g6.12xlarge": 2.0, "a100-80gb": 1.0}
    cfg = config_of(values)
    estimate = size_stack(cfg).cost
    assert _lines(estimate, "aws-gpu-cluster")["GPU nodes g6.12xlarge on-demand"] == pytest.approx(2.0 * 730)
    private = _lines(estimate, "private-cloud")
    assert private["GPUs a100-80gb (price override)"] == pytest.approx(16 * 1.0 * 730)
    assert not any("GPUs a100-80gb amortisation" in item for item in private)


def test_other_region_and_unpriced_system_type_are_said() -> None:
    values = stack_values("dev")
    values["aws:region"] = "eu-west-1"
    values["aidc:aws"] = {"system_instance_type": "r7g.large"}
    cfg = config_of(values)
    estimate = size_stack(cfg).cost
    notes = " ".join(estimate.not_priced)
    assert "eu-west-1" in notes
    assert "r7g.large" in notes
    assert not any("system nodes" in item for item in _lines(estimate, "aws-gpu-cluster"))


def test_cost_to_dict_is_json_with_sources(dev) -> None:
    _, plan = dev
    document = cost_to_dict(plan.cost)
    text = json.dumps(document, allow_nan=False)
    assert json.loads(text) == document
    assert document["price_source"].startswith("AWS Price List (AmazonEC2, US East (N. Virginia)")
    assert document["price_as_of"] == "2026-07"
    assert list(document["components"]) == [
        "aws-gpu-cluster",
        "vpn-interconnect",
        "private-cloud",
        "ceph-storage",
        "edge-sites",
    ]
    assert document["total_usd_per_month"] == pytest.approx(
        sum(c["usd_per_month"] for c in document["components"].values()), abs=0.05
    )
    assert not any("ceph" in n for n in document["not_priced"])  # priced: hosts, drives, power
    assert document["components"]["ceph-storage"]["usd_per_month"] > 0
    for price in AWS_SERVICE_PRICES.values():
        assert price.source.startswith(("https://aws.amazon.com/", "AWS Price List")), price.key
        assert price.as_of


def test_unknown_component_names_allowed_values(dev) -> None:
    _, plan = dev
    with pytest.raises(ValueError, match=r"component: unknown 'ceph'.*aws-gpu-cluster"):
        plan.cost.component("ceph")


def test_cost_module_does_not_import_pulumi() -> None:
    code = (
        "import sys, aidc.sizing.cost; sys.exit(1 if any(m.startswith('pulumi') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_placement_and_cost_price_private_gpus_with_one_formula(dev) -> None:
    """The hourly figure placement optimises with is the one the monthly lines bill (no second formula): for an
    always-on GPU, 730 h of it; dev's private GPUs hold a one-off run, powered only while it runs."""
    cfg, plan = dev
    private = plan.placement.private[0]
    lines = _lines(plan.cost, "private-cloud")
    monthly = sum(v for k, v in lines.items() if private.accelerator in k)
    hourly = private_gpu_hour_usd(private.accelerator, cfg)
    assert private.usd_per_gpu_hour == pytest.approx(hourly.value)
    assert private.hours_per_month is not None
    hours = private.hours_per_month.value
    capex, power = hourly.inputs["capex_usd_per_gpu_hour"], hourly.inputs["power_usd_per_gpu_hour"]
    assert monthly == pytest.approx(private.gpus.int * (capex * HOURS_PER_MONTH + power * hours))
    assert hours < HOURS_PER_MONTH


def test_node_group_costs_add_up_to_the_gpu_lines(dev) -> None:
    _, plan = dev
    gpu_lines = {k: v for k, v in _lines(plan.cost, "aws-gpu-cluster").items() if k.startswith("GPU nodes")}
    assert sum(f.value for f in plan.cost.group_usd_per_month.values()) == pytest.approx(
        sum(gpu_lines.values())
    )
    assert set(plan.cost.group_usd_per_month) == {g.name for g in plan.placement.public}
