"""Data locality in placement, hand-derived on the dev stack's fine-tune (16 A100-80GB for 7 days).

Private: 16 GPUs · (18,550 / (36 · 730) + 0.81 · 1.3 · 0.10) = 16 · 0.8112 = 12.98 USD/h.
AWS: 2 p4de.24xlarge · 27.44705 = 54.89 USD/h. Moving a dataset from AWS to the private cloud over the VPN
costs data out at internet rates (tiered) plus Transit Gateway processing (0.02 USD/GB), spread over the
7 · 24 = 168 h deadline; the run goes where the total per hour is lowest. Into AWS, data is free: only the
Transit Gateway processing is paid.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aidc.clouds.aws.catalog import TRANSFER_PRICES as AWS_TRANSFER_PRICES
from aidc.config import ConfigError, parse_stack_config
from aidc.config.load import read_config_values, stack_file
from aidc.sizing import size_stack
from aidc.sizing.cost import dataset_move_usd, tiered_usd

HOURS = 7 * 24


def _dev(dataset_tb: float, location: str, **training: Any):  # type: ignore[no-untyped-def]
    values = copy.deepcopy(read_config_values(stack_file("dev")))
    values["aidc:demand"]["training"][0].update(dataset_tb=dataset_tb, dataset_location=location, **training)
    return size_stack(parse_stack_config(values, stack="dev"))


def test_a_dataset_already_in_place_adds_nothing() -> None:
    baseline = _dev(0, "private")
    local = _dev(300, "private")
    assert local.placement.usd_per_hour.value == pytest.approx(baseline.placement.usd_per_hour.value)
    [group] = [g for g in local.placement.private if g.workload == "assistant-7b-ft"]
    assert "dataset_move_usd" not in group.gpus.inputs


def test_a_50_tb_dataset_in_aws_is_moved_to_the_cheaper_private_cloud() -> None:
    # 50,000 GB out of AWS: 10,240 · 0.09 + 39,760 · 0.085 = 4,301.20; TGW 50,000 · 0.02 = 1,000 -> 5,301.20 USD,
    # 31.55 USD/h over 168 h: 12.98 + 31.55 < 54.89, so the run stays private and pays the move.
    plan = _dev(50, "aws")
    [group] = [g for g in plan.placement.private if g.workload == "assistant-7b-ft"]
    assert group.gpus.inputs["dataset_move"] == "aws -> private"
    assert group.gpus.inputs["dataset_move_usd"] == pytest.approx(10_240 * 0.09 + 39_760 * 0.085 + 1_000)
    assert group.gpus.inputs["dataset_move_usd_per_hour"] == pytest.approx(5_301.2 / HOURS, abs=1e-4)
    assert plan.placement.usd_per_hour.inputs["dataset_moves_usd_per_hour"] == pytest.approx(
        5_301.2 / HOURS, abs=1e-4
    )
    assert "dataset moves" in plan.placement.usd_per_hour.formula


def test_a_200_tb_dataset_in_aws_pulls_the_run_to_aws() -> None:
    # 200,000 GB: 921.60 + 40,960 · 0.085 + 102,400 · 0.07 + 46,400 · 0.05 = 13,891.20, TGW 4,000 -> 17,891.20 USD,
    # 106.50 USD/h: private 12.98 + 106.50 > AWS 54.89, so the run goes where its data is.
    move = 921.6 + 40_960 * 0.085 + 102_400 * 0.07 + 46_400 * 0.05 + 200_000 * 0.02
    assert move == pytest.approx(17_891.2)
    assert 0.8112 * 16 + move / HOURS > 2 * 27.44705
    plan = _dev(200, "aws")
    [group] = [g for g in plan.placement.public if g.workload == "assistant-7b-ft"]
    assert (group.instance_type, group.instances.int) == ("p4de.24xlarge", 2)
    assert "dataset_move_usd" not in group.instances.inputs  # the data is already there


def test_moving_into_aws_pays_only_the_transit_gateway() -> None:
    network = _dev(0, "private").network
    into = dataset_move_usd(100_000, "private", "aws", network)
    assert into.value == pytest.approx(100_000 * 0.02)
    assert into.inputs["data_out_usd"] == 0
    out = dataset_move_usd(100_000, "aws", "private", network)
    assert out.value == pytest.approx(tiered_usd(100_000, AWS_TRANSFER_PRICES["internet-out"]) + 2_000)


def test_classification_stays_a_hard_constraint() -> None:
    # A confidential run never goes public, however large its move: here its data may not even live in AWS.
    with pytest.raises(ConfigError, match="dataset_location"):
        _dev(200, "aws", classification="confidential")
    plan = _dev(500, "private", classification="confidential")
    assert all(g.workload != "assistant-7b-ft" for g in plan.placement.public)
