"""A training run never costs less a month for repeating more often: for the same run, the monthly cost with
`every: once` <= month <= week <= day (every period the run's deadline fits), over every shipped stack's runs; a
one-off run costs what one run a month costs; a reserved run pays its reservation (prod's Capacity Block)."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from aidc.config import parse_stack_config, stack_file
from aidc.config.load import read_config_values
from aidc.config.model import PERIOD_DAYS
from aidc.sizing import InfeasibleDemand, size_stack
from tests.stacks_list import PLANNED_STACKS

# Least often first: each must cost no more a month than the next.
ORDER = ("once", "month", "week", "day")
STACKS_WITH_TRAINING = tuple(
    name for name in PLANNED_STACKS if read_config_values(stack_file(name))["aidc:demand"].get("training")
)


def _total(values: dict[str, Any], stack: str, run: int, every: str, deadline_days: float) -> float | None:
    changed = copy.deepcopy(values)
    item = changed["aidc:demand"]["training"][run]
    shipped = float(item["deadline_days"])
    # A shorter deadline with proportionally fewer tokens: about the GPUs the shipped run holds (the quotas).
    item["tokens"] = float(item["tokens"]) * min(1.0, deadline_days / shipped)
    item["every"] = every
    # The same run every time: a reservation covers one run only, so the comparison is of unreserved runs.
    item.pop("reserve", None)
    item.pop("start_date", None)
    item["deadline_days"] = deadline_days
    try:
        return size_stack(parse_stack_config(changed, stack=stack)).cost.total_usd_per_month.value
    except InfeasibleDemand:  # a shorter deadline can need more GPUs than the stack's quotas allow
        return None


def _costs(values: dict[str, Any], stack: str, run: int, deadline_days: float) -> dict[str, float]:
    """Monthly total per `every` the deadline fits (a repeating run must finish within its period)."""
    costs: dict[str, float] = {}
    for every in ORDER:
        if every != "once" and deadline_days > PERIOD_DAYS[every]:
            continue
        total = _total(values, stack, run, every, deadline_days)
        if total is not None:
            costs[every] = total
    return costs


@pytest.mark.parametrize("stack", STACKS_WITH_TRAINING)
def test_repeating_more_often_never_costs_less(stack: str) -> None:
    values = read_config_values(stack_file(stack))
    runs = values["aidc:demand"]["training"]
    for index, run in enumerate(runs):
        periods: set[str] = set()
        # The run as shipped (the periods its deadline fits), and its tokens scaled to be due in 28 days (once and
        # month), a week (and week) and a day (and day).
        for deadline in sorted({float(run["deadline_days"]), 28.0, 7.0, 1.0}, reverse=True):
            costs = _costs(values, stack, index, deadline)
            ordered = [(every, costs[every]) for every in ORDER if every in costs]
            for (less, cheaper), (more, dearer) in itertools.pairwise(ordered):
                assert cheaper <= dearer + 0.01, (
                    f"{stack} {run['name']} (deadline {deadline:g} d): every {less} costs {cheaper:,.2f} a month, "
                    f"every {more} {dearer:,.2f}"
                )
                periods |= {less, more}
            if "once" in costs and "month" in costs:
                # A one-off run is one run a month: the same bill (its run hours fit a month).
                assert costs["once"] == pytest.approx(costs["month"], rel=1e-9), (
                    stack,
                    run["name"],
                    deadline,
                )
        assert periods == set(ORDER), f"{stack} {run['name']}: compared only {sorted(periods)}"


def test_the_shipped_stacks_with_training_are_compared() -> None:
    assert {"dev", "prod", "staging", "ecommerce"} <= set(STACKS_WITH_TRAINING)


def test_a_capacity_block_run_pays_its_block() -> None:
    plan = size_stack(parse_stack_config(read_config_values(stack_file("prod")), stack="prod"))
    (group,) = (g for g in plan.placement.public if g.workload == "code-34b")
    reservation = group.reservation
    assert reservation is not None and reservation.kind == "capacity-block"
    # 22 p5.48xlarge · the block fee · 21 days · 24 h, up front: the month's line is the block, not 730 h of it.
    assert (group.instances.int, reservation.days.int) == (22, 21)
    cost = plan.cost.group_usd_per_month[group.name]
    assert cost.value == pytest.approx(reservation.usd_total.value)
    assert cost.value == pytest.approx(22 * reservation.usd_per_instance_hour * 21 * 24)
    assert cost.inputs["billed"] == "the capacity-block's 21 days · 24 h, up front"
    line = next(
        line
        for line in plan.cost.component("aws-gpu-cluster").lines
        if line.item == "GPU nodes p5.48xlarge capacity-block"
    )
    assert line.usd_per_month.value == pytest.approx(reservation.usd_total.value)
    assert line.usd_per_month.inputs["hours_per_month"] == {"code-34b": 504}
