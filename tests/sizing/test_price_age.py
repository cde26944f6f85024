"""`aidc size` warns when a price list it used is older than six months, today being AIDC_TODAY (pinned to
2026-12-07 by tests/conftest.py) or the UTC date."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest

from aidc.cli import main
from aidc.clouds.aws.catalog import PRICE_LIST
from aidc.sizing import size_stack
from aidc.sizing.cost import STALE_AFTER_MONTHS, is_stale, stale_price_warnings
from tests.plans import config_of, stack_values

TODAY = datetime.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("as_of", "stale"),
    [
        ("2026-07", False),  # 2026-07-01 + 6 months = 2027-01-01
        ("2026-06", True),  # 2026-06-01 + 6 months = 2026-12-01 < 2026-12-07
        ("2026-06-07", False),  # exactly six months
        ("2026-06-06", True),
        ("2024-11", True),
        ("not a date", True),
    ],
)
def test_six_months_from_the_date_of_the_source(as_of: str, stale: bool) -> None:
    assert STALE_AFTER_MONTHS == 6
    assert is_stale(as_of, TODAY) is stale


def test_month_ends_roll_to_the_last_day() -> None:
    assert not is_stale("2026-08-31", datetime.date(2027, 2, 28))
    assert is_stale("2026-08-31", datetime.date(2027, 3, 1))


def test_the_shipped_snapshot_is_not_stale_today_and_is_in_half_a_year() -> None:
    plan = size_stack(config_of(stack_values("dev")))
    assert stale_price_warnings(plan.cost, plan.clouds, TODAY) == []
    [warning] = stale_price_warnings(plan.cost, plan.clouds, datetime.date(2027, 6, 1))
    assert f"the aws price list ({PRICE_LIST.source}) is as of {PRICE_LIST.as_of}" in warning
    assert "`aidc catalog refresh --cloud aws`" in warning


def test_a_private_only_plan_uses_no_price_list() -> None:
    plan = size_stack(config_of(stack_values("dev")))
    assert stale_price_warnings(plan.cost, (), datetime.date(2030, 1, 1)) == []


def test_size_says_it_with_the_injected_date(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert main(["size", "--stack", "dev", "--json"]) == 0
    assert not [w for w in json.loads(capsys.readouterr().out)["warnings"] if "older than" in w]
    # seven months after the snapshot, and before EKS 1.35 leaves standard support (aidc:aws.eks_version is
    # checked against the same date)
    monkeypatch.setenv("AIDC_TODAY", "2027-02-01")
    assert main(["size", "--stack", "dev", "--json"]) == 0
    warnings = [w for w in json.loads(capsys.readouterr().out)["warnings"] if "older than 6 months" in w]
    assert len(warnings) == 1 and "2026-07" in warnings[0] and "today 2027-02-01" in warnings[0]
    monkeypatch.setenv("AIDC_TODAY", "2027-13-01")
    assert main(["size", "--stack", "dev"]) == 2
    assert "AIDC_TODAY" in capsys.readouterr().err


def test_a_capacity_block_fee_is_dated_too(capsys) -> None:
    """prod reserves a Capacity Block for its deadline run; the fee (not in the Price List API) is the published
    rate of 2026-07-22: not stale today, stale six months on (2027-01-22), apart from the price list (2026-07)."""
    assert main(["size", "--stack", "prod", "--json"]) == 0
    assert not [w for w in json.loads(capsys.readouterr().out)["warnings"] if "older than" in w]
    plan = size_stack(config_of(stack_values("prod")))
    # (prod's block starts 2027-01-04: its config is refused after that day, so the later days are given here)
    [warning] = stale_price_warnings(plan.cost, plan.clouds, datetime.date(2027, 1, 10))
    assert "the aws price list" in warning  # 2026-07 + 6 months = 2027-01-01; the fee holds until 2027-01-22
    warnings = stale_price_warnings(plan.cost, plan.clouds, datetime.date(2027, 1, 23))
    [fee] = [w for w in warnings if "Capacity Block fees" in w]
    assert "reservation code-34b-p5-48xlarge" in fee and "as of 2026-07-22" in fee


def test_an_old_capacity_block_fee_still_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fee dated more than six months back (as the 2024-12 ones were) is said, today."""
    from aidc.clouds.aws import catalog, reservations

    old = dataclasses.replace(catalog.CAPACITY_BLOCK_PRICES["p5.48xlarge"], as_of="2024-12")
    monkeypatch.setattr(reservations, "CAPACITY_BLOCK_PRICES", {"p5.48xlarge": old})
    plan = size_stack(config_of(stack_values("prod")))
    [warning] = stale_price_warnings(plan.cost, plan.clouds, TODAY)
    assert "reservation code-34b-p5-48xlarge" in warning and "as of 2024-12" in warning


def test_every_capacity_block_fee_has_a_source_and_a_date() -> None:
    from aidc.clouds.aws.catalog import CAPACITY_BLOCK_PRICES

    assert {"p5.48xlarge", "p5e.48xlarge", "p4d.24xlarge"} <= set(CAPACITY_BLOCK_PRICES)
    for name, fee in CAPACITY_BLOCK_PRICES.items():
        assert "https://aws.amazon.com/ec2/capacityblocks/pricing/" in fee.source, name
        assert datetime.date.fromisoformat(fee.as_of) <= TODAY, name
        assert not is_stale(fee.as_of, TODAY), f"{name}: {fee.as_of}"
