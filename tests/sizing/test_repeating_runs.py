"""Training runs that repeat (`every` day, week or month): sized for their deadline within the period, GPU-hours per
month, public groups that scale from zero between runs and bill the hours they run, private GPUs that draw power
only while a run runs. Figures by hand."""

from __future__ import annotations

from typing import Any

import pytest

from aidc.config import ConfigError, parse_stack_config
from aidc.sizing import size_stack
from tests.sizing.helpers import stack

H100_PEAK = 989e12


def _weekly(**extra: Any) -> dict[str, Any]:
    # An 8B fine-tune on 5e10 tokens every week, due two days after it starts, at MFU 0.4.
    return {
        "name": "weekly-ft",
        "params": 8e9,
        "tokens": 5e10,
        "accelerator": "h100-80gb",
        "mfu": 0.4,
        "deadline_days": 2,
        "every": "week",
        **extra,
    }


def test_a_weekly_run_is_sized_for_its_deadline_and_billed_for_the_hours_it_runs() -> None:
    plan = size_stack(stack({"training": [_weekly()]}, {"public": {"max_instances": {"p5.48xlarge": 10}}}))
    run = plan.training[0]
    # (6 · 8e9 + 12 · 32 · 4096 · 8192) · 5e10 = 3.044e21 FLOPs / (989e12 · 0.4) / 3600 = 2,137.3 GPU-h;
    # over 2 · 24 h: 44.5 GPUs → 6 nodes (48 GPUs), which finish one run in 2,137.3 / 48 = 44.5 h.
    gpu_hours = (6 * 8e9 + 12 * 32 * 4096 * 8192) * 5e10 / (H100_PEAK * 0.4) / 3600
    assert run.gpu_hours.value == pytest.approx(gpu_hours)
    assert (run.gpus.int, run.every) == (48, "week")
    assert run.run_hours is not None and run.run_hours.value == pytest.approx(gpu_hours / 48)
    runs = 730 / 168
    assert run.gpu_hours_per_month is not None
    assert run.gpu_hours_per_month.value == pytest.approx(gpu_hours * runs)
    assert run.gpu_hours_per_month.inputs["runs_per_month"] == pytest.approx(4.3452, abs=1e-4)
    (group,) = plan.placement.public
    assert (group.instance_type, group.instances.int) == ("p5.48xlarge", 6)
    # Between runs the group holds nothing: it scales from 0 to its 6 instances while a run runs.
    assert (group.range.min.int, group.range.desired.int, group.range.max.int) == (0, 0, 6)
    assert group.hours_per_month is not None
    hours = gpu_hours / 48 * runs
    assert group.hours_per_month.value == pytest.approx(hours)
    # 6 instances · USD 55.04 · 193.4 h, not · 730 h.
    cost = plan.cost.group_usd_per_month[group.name]
    assert cost.value == pytest.approx(6 * 55.04 * hours)
    assert "hours billed a month (the run's run_hours · runs a month)" in cost.formula
    assert cost.inputs["billed"] == "the run's run_hours · runs a month"
    # A training run is demand, not load: the month at baseline still holds its runs.
    assert plan.cost.group_usd_per_month_baseline[group.name].value == pytest.approx(cost.value)
    assert plan.cost.baseline_usd_per_month is not None
    assert plan.cost.baseline_usd_per_month.value == pytest.approx(plan.cost.total_usd_per_month.value)


def test_a_run_in_the_private_cloud_draws_power_only_while_it_runs_once_or_monthly() -> None:
    monthly = size_stack(
        stack(
            {"training": [_weekly(every="month", deadline_days=5)]},
            {"private": {"gpus": {"h100-80gb": 64}}},
        )
    )
    once = size_stack(
        stack(
            {"training": [_weekly(every="once", deadline_days=5)]}, {"private": {"gpus": {"h100-80gb": 64}}}
        )
    )
    run = monthly.training[0]
    assert run.run_hours is not None
    lines = {line.item: line.usd_per_month for line in monthly.cost.component("private-cloud").lines}
    once_lines = {line.item: line.usd_per_month for line in once.cost.component("private-cloud").lines}
    # The run's owned GPUs are amortised whether they run or not: GPUs · 33,750 / 36 a month.
    amortisation = "GPUs h100-80gb amortisation"
    assert lines[amortisation].value == pytest.approx(once_lines[amortisation].value)
    assert lines[amortisation].value == pytest.approx(run.gpus.int * 33_750 / 36)
    # Power is drawn for run_hours · 1 run a month, and a one-off run is that one run: the same bill.
    power = lines["GPUs h100-80gb power"]
    assert power.inputs["powered_gpu_hours"] == pytest.approx(run.gpus.int * run.run_hours.value, rel=1e-6)
    assert power.value == pytest.approx(run.gpus.int * run.run_hours.value * 1.28 * 1.3 * 0.10, rel=1e-6)
    assert once_lines["GPUs h100-80gb power"].value == pytest.approx(power.value, rel=1e-9)
    assert once.cost.total_usd_per_month.value == pytest.approx(monthly.cost.total_usd_per_month.value)


def test_a_one_off_run_longer_than_a_month_bills_every_hour_of_the_month() -> None:
    # 8B on 1.5e12 tokens in 60 days: 6 p5 for ~1,340 h, past a month; each month bills its 730 hours.
    plan = size_stack(
        stack(
            {"training": [_weekly(every="once", deadline_days=60, tokens=1.5e12)]},
            {"public": {"max_instances": {"p5.48xlarge": 10}}},
        )
    )
    run = plan.training[0]
    assert run.run_hours is not None and run.run_hours.value > 730
    (group,) = plan.placement.public
    assert group.hours_per_month is not None and group.hours_per_month.value == 730
    cost = plan.cost.group_usd_per_month[group.name]
    assert cost.value == pytest.approx(group.instances.int * 55.04 * 730)
    assert cost.inputs["billed"] == "the one run's run_hours, at most 730"
    # A one-off run holds its instances until it is done: no scale from zero.
    assert group.range.min.int == group.instances.int


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"deadline_days": 10},
            "aidc:demand.training[0]: deadline_days: a run repeating every week must finish within the period "
            "(7 days), got 10; set deadline_days to at most 7 or a longer every (day, week, month)",
        ),
        (
            {"every": "day", "deadline_days": 1.5},
            "aidc:demand.training[0]: deadline_days: a run repeating every day must finish within the period "
            "(1 days), got 1.5; set deadline_days to at most 1 or a longer every (day, week, month)",
        ),
        (
            {"reserve": "capacity-block", "start_date": "2027-01-04"},
            "aidc:demand.training[0]: reserve: a reservation covers one run (start_date + deadline_days); a run "
            "repeating every week cannot reserve 'capacity-block': set reserve none or every once",
        ),
        (
            {"every": "fortnight"},
            "aidc:demand.training[0].every: must be one of 'day', 'week', 'month' or 'once', got 'fortnight'",
        ),
        (
            {"sequence_tokens": 0},
            "aidc:demand.training[0].sequence_tokens: input should be greater than or equal to 1, got 0",
        ),
    ],
)
def test_a_repeating_run_that_cannot_finish_in_its_period_is_refused(
    changes: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"aidc:demand": {"training": [_weekly(**changes)]}})
    assert info.value.problems == [expected]


def test_defaults_once_and_the_stated_sequence() -> None:
    run = parse_stack_config(
        {"aidc:demand": {"training": [{k: v for k, v in _weekly().items() if k not in ("every", "mfu")}]}}
    ).demand.training[0]
    assert (run.every, run.sequence_tokens, run.mfu) == ("once", 8192, None)
