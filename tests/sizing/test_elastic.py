"""Elastic capacity, hand-derived: ranges of public groups from the baseline, reservations for deadline runs
(N instances of T for D days) and their price, the cost at baseline and at peak, and the config that asks."""

from __future__ import annotations

import pytest

from aidc.clouds.aws.reservations import reservation_days
from aidc.config import ConfigError
from aidc.sizing import InfeasibleDemand, size_stack
from tests.sizing.helpers import stack

H100_PEAK = 989e12
CHAT = {
    "name": "chat",
    "peak_tokens_per_s": 200_000,
    "tokens_per_s_per_gpu": 3000,
    "accelerator": "h100-80gb",
    "edge_fraction": 0.0,
    # An 8B model in BF16 (16 GB + its KV cache) fits one H100: one-GPU replicas of 3,000 tokens/s.
    "model_params": 8.0e9,
}
QUOTA = {"public": {"max_instances": {"p5.48xlarge": 48}}}


def _run(**extra: object) -> dict[str, object]:
    # 3.4e10 params × 5e11 tokens on H100 at MFU 0.4: 6·N·D = 1.02e23 FLOPs (sequences of one token: attention's
    # 12 · layers · width · sequence_tokens is 3e-6 of it, so the figures by hand stay 6·N·D).
    return {
        "name": "code-34b",
        "params": 3.4e10,
        "tokens": 5.0e11,
        "accelerator": "h100-80gb",
        "mfu": 0.4,
        "deadline_days": 21,
        "sequence_tokens": 1,
        **extra,
    }


def _group(plan, workload):
    (group,) = [g for g in plan.placement.public if g.workload == workload]
    return group


def test_a_capacity_block_for_a_deadline_run_by_hand() -> None:
    plan = size_stack(
        stack({"training": [_run(reserve="capacity-block", start_date="2026-12-07")]}, capacity=QUOTA)
    )
    group = _group(plan, "code-34b")
    # GPU-hours = 1.02e23 / (989e12 · 0.4) / 3600 = 71,621.2; over 21 · 24 = 504 h: 142.1 GPUs -> 18 p5 (144).
    gpu_hours = 6 * 3.4e10 * 5e11 / (H100_PEAK * 0.4) / 3600
    assert gpu_hours == pytest.approx(71_621.2, rel=1e-5)
    assert group.instances.int == 18
    reservation = group.reservation
    assert reservation is not None
    assert (reservation.kind, reservation.instances.int, reservation.days.int) == ("capacity-block", 18, 21)
    assert (reservation.start_date, reservation.end_date) == ("2026-12-07", "2026-12-28")
    assert reservation.blocks == (18,)
    # Paid up front: 18 instances · USD 41.528 (Capacity Block fee, p5.48xlarge us-east-1, published rate of
    # 2026-07-22) · 21 days · 24 h.
    assert reservation.usd_total.value == pytest.approx(18 * 41.528 * 21 * 24)
    assert reservation.usd_total.value == pytest.approx(376_742.02)
    assert reservation.price_as_of == "2026-07-22"
    assert reservation.paid == "up front"
    # A training group is fixed for its run: min = desired = max.
    assert (group.range.min.int, group.range.desired.int, group.range.max.int) == (18, 18, 18)
    assert plan.cost.reservations[group.name] is reservation


def test_a_capacity_reservation_bills_on_demand_for_whole_days() -> None:
    plan = size_stack(
        stack(
            {"training": [_run(deadline_days=10.5, reserve="capacity-reservation", start_date="2027-01-04")]},
            capacity=QUOTA,
        )
    )
    group = _group(plan, "code-34b")
    # 71,621.2 GPU-h over 10.5 · 24 = 252 h: 284.2 GPUs -> 36 p5; reserved for ceil(10.5) = 11 days.
    reservation = group.reservation
    assert reservation is not None
    assert (reservation.instances.int, reservation.days.int, reservation.end_date) == (36, 11, "2027-01-15")
    assert reservation.usd_total.value == pytest.approx(36 * 55.04 * 11 * 24)
    assert reservation.paid == "hourly over the term"
    assert reservation.blocks == (36,)


@pytest.mark.parametrize(
    ("kind", "deadline", "days"),
    [
        ("capacity-block", 1, 1),
        ("capacity-block", 13.2, 14),
        ("capacity-block", 14, 14),
        ("capacity-block", 15, 21),
        ("capacity-block", 22, 28),
        ("capacity-block", 182, 182),
        ("capacity-reservation", 15, 15),
        ("capacity-reservation", 200.1, 201),
    ],
)
def test_reserved_days_follow_what_each_kind_sells(kind: str, deadline: float, days: int) -> None:
    assert reservation_days(kind, deadline).int == days


def test_capacity_blocks_hold_at_most_64_instances_each() -> None:
    # 6 days instead of 21: 71,621.2 / 144 h = 497.4 GPUs -> 63 p5 fits one block; 3 days: 995 GPUs -> 125 p5.
    plan = size_stack(
        stack(
            {"training": [_run(deadline_days=3, reserve="capacity-block", start_date="2026-12-07")]},
            capacity={"public": {"max_instances": {"p5.48xlarge": 200}}},
        )
    )
    reservation = _group(plan, "code-34b").reservation
    assert reservation is not None
    assert reservation.instances.int == 125
    assert reservation.blocks == (63, 62)


def test_a_capacity_block_longer_than_182_days_is_refused_with_numbers() -> None:
    with pytest.raises(InfeasibleDemand, match="189-day Capacity Block; the longest is 182"):
        size_stack(
            stack(
                {"training": [_run(deadline_days=183, reserve="capacity-block", start_date="2026-12-07")]},
                capacity=QUOTA,
            )
        )


def test_a_capacity_block_for_a_type_aws_does_not_sell_that_way_is_refused() -> None:
    run = _run(accelerator="l40s-48gb", params=1e9, tokens=1e10, deadline_days=2, reserve="capacity-block")
    with pytest.raises(InfeasibleDemand, match="not sold for g6e"):
        size_stack(stack({"training": [{**run, "start_date": "2026-12-07"}]}))


def test_a_reserved_run_placed_in_owned_capacity_warns_and_reserves_nothing() -> None:
    plan = size_stack(
        stack(
            {"training": [_run(reserve="capacity-block", start_date="2026-12-07")]},
            capacity={"private": {"gpus": {"h100-80gb": 600}}},
        )
    )
    assert not plan.placement.public
    assert any("reserve capacity-block has nothing to reserve" in w for w in plan.warnings)
    assert plan.cost.reservations == {}


def test_an_inference_group_scales_from_the_baseline_less_the_owned_gpus() -> None:
    # Peak: ceil(200,000 / 3,000) + 1 = 68 GPUs; 24 private (3 servers) + 44 public -> 6 p5 at peak.
    # Baseline 120,000: ceil(120,000 / 3,000) + 1 = 41 GPUs; 41 - 24 owned = 17 -> ceil(17 / 8) = 3 p5.
    plan = size_stack(
        stack(
            {"inference": [{**CHAT, "base_tokens_per_s": 120_000}]},
            capacity={"private": {"gpus": {"h100-80gb": 24}}, **QUOTA},
        )
    )
    group = _group(plan, "chat")
    assert (group.range.min.int, group.range.desired.int, group.range.max.int) == (3, 3, 6)
    assert group.range.autoscaled
    assert group.range.min.inputs["baseline_gpus"] == 41
    assert group.range.min.inputs["owned_gpus"] == 24
    # Cost at peak: 6 · 55.04 · 730; at baseline: 3 · 55.04 · 730, the rest unchanged.
    assert plan.cost.group_usd_per_month[group.name].value == pytest.approx(6 * 55.04 * 730)
    assert plan.cost.group_usd_per_month_baseline[group.name].value == pytest.approx(3 * 55.04 * 730)
    assert plan.cost.baseline_usd_per_month is not None
    assert plan.cost.total_usd_per_month.value - plan.cost.baseline_usd_per_month.value == pytest.approx(
        3 * 55.04 * 730
    )
    (core,) = [r for r in plan.replicas if r.workload == "chat" and r.where == "core"]
    assert (core.min.int, core.max.int) == (41, 68)


def test_a_baseline_the_owned_gpus_carry_scales_the_public_group_to_zero() -> None:
    plan = size_stack(
        stack(
            {"inference": [{**CHAT, "base_tokens_per_s": 60_000}]},
            capacity={"private": {"gpus": {"h100-80gb": 24}}, **QUOTA},
        )
    )
    group = _group(plan, "chat")
    # ceil(60,000 / 3,000) + 1 = 21 GPUs <= 24 owned.
    assert (group.range.min.int, group.range.max.int) == (0, 6)


def test_without_a_baseline_capacity_is_fixed_at_peak_and_costs_are_equal() -> None:
    plan = size_stack(stack({"inference": [CHAT]}, capacity=QUOTA))
    group = _group(plan, "chat")
    assert group.range.min.int == group.range.max.int == group.instances.int == 9  # ceil(68 / 8)
    assert not group.range.autoscaled
    assert plan.cost.baseline_usd_per_month is not None
    assert plan.cost.baseline_usd_per_month.value == plan.cost.total_usd_per_month.value


@pytest.mark.parametrize(
    ("demand", "says"),
    [
        ({"training": [_run(reserve="capacity-block")]}, "start_date: required when reserve"),
        ({"training": [_run(reserve="capacity-block", start_date="2026-12-07", spot=True)]}, "spot"),
        ({"training": [_run(reserve="weekly")]}, "reserve"),
        ({"inference": [{**CHAT, "base_tokens_per_s": 250_000}]}, "base_tokens_per_s: must be at most"),
        ({"inference": [{**CHAT, "base_tokens_per_s": 0}]}, "base_tokens_per_s"),
    ],
    ids=["no-start-date", "reserved-spot", "unknown-reserve", "base-above-peak", "zero-base"],
)
def test_bad_shapes_are_refused_naming_the_key(demand: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigError, match=says) as caught:
        stack(demand)
    assert "aidc:demand." in str(caught.value)
