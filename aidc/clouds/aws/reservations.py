"""Reserved AWS capacity for a deadline training run: a targeted On-Demand Capacity Reservation for ceil(deadline_days)
days, or EC2 Capacity Blocks for ML (at most 64 instances each and 256 in all, 1-day steps up to 14 days and 7-day
steps up to 182), priced from aidc/clouds/aws/catalog.py. Pure Python; aidc/sizing/elastic.py calls `reserve`.
"""

from __future__ import annotations

import datetime
import math

from aidc.clouds.aws.catalog import (
    CAPACITY_BLOCK_DAILY_UP_TO_DAYS,
    CAPACITY_BLOCK_MAX_DAYS,
    CAPACITY_BLOCK_MAX_INSTANCES,
    CAPACITY_BLOCK_MAX_INSTANCES_TOTAL,
    CAPACITY_BLOCK_PRICES,
    CAPACITY_BLOCK_SOURCE,
    CAPACITY_BLOCK_WEEKLY_STEP_DAYS,
    CAPACITY_RESERVATION_MAX_INSTANCES,
    CAPACITY_RESERVATION_SOURCE,
)
from aidc.config.model import TrainingDemand
from aidc.contract import ReservationKind
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import PublicGroup, Reservation

HOURS_PER_DAY = 24


def reservation_days(kind: str, deadline_days: float) -> Figure:
    """Days to reserve for a run due in deadline_days: whole days; a Capacity Block's allowed durations."""
    days = math.ceil(deadline_days - 1e-9)
    if kind == "capacity-reservation":
        return Figure(days, "days", "ceil(deadline_days)", {"deadline_days": deadline_days})
    if days > CAPACITY_BLOCK_DAILY_UP_TO_DAYS:
        days = math.ceil(days / CAPACITY_BLOCK_WEEKLY_STEP_DAYS) * CAPACITY_BLOCK_WEEKLY_STEP_DAYS
    return Figure(
        days,
        "days",
        f"ceil(deadline_days), in 1-day steps up to {CAPACITY_BLOCK_DAILY_UP_TO_DAYS} days, then 7-day steps "
        f"(Capacity Block durations, at most {CAPACITY_BLOCK_MAX_DAYS})",
        {"deadline_days": deadline_days, "source": CAPACITY_BLOCK_SOURCE},
    )


def _blocks(instances: int) -> tuple[int, ...]:
    """Instances per Capacity Block: as few blocks as hold them, spread evenly (largest first)."""
    count = math.ceil(instances / CAPACITY_BLOCK_MAX_INSTANCES)
    base, extra = divmod(instances, count)
    return tuple(base + 1 if i < extra else base for i in range(count))


# Where a Capacity Block fee comes from, and how to bring it up to date (the Price List API does not carry it).
CAPACITY_BLOCK_FEES = (
    "the Capacity Block fees of aidc/clouds/aws/prices.json (capacity_blocks; not in the Price List API: update "
    "them from DescribeCapacityBlockOfferings or https://aws.amazon.com/ec2/capacityblocks/pricing/)"
)


def reserve(run: TrainingDemand, group: PublicGroup) -> Reservation:
    """N instances of type T for D days, from the run's start date, and what it costs over its term."""
    if run.reserve == "none" or run.start_date is None:  # config requires a start date with reserve
        raise ValueError(
            f"{run.name}: reserve is {run.reserve!r}, start_date {run.start_date}: nothing to reserve"
        )
    kind: ReservationKind = "capacity-block" if run.reserve == "capacity-block" else "capacity-reservation"
    instances = group.instances.int
    days = reservation_days(kind, run.deadline_days)
    where = f"aidc:demand.training[{run.name}]"
    if kind == "capacity-block":
        price = CAPACITY_BLOCK_PRICES.get(group.instance_type)
        if price is None:
            raise InfeasibleDemand(
                f"{where}: reserve capacity-block, but EC2 Capacity Blocks are not sold for "
                f"{group.instance_type} (aidc/clouds/aws/catalog.py lists {', '.join(sorted(CAPACITY_BLOCK_PRICES))}); "
                "use reserve: capacity-reservation"
            )
        if days.int > CAPACITY_BLOCK_MAX_DAYS:
            raise InfeasibleDemand(
                f"{where}: deadline_days {run.deadline_days:g} needs a {days.int}-day Capacity Block; the longest "
                f"is {CAPACITY_BLOCK_MAX_DAYS} days: use reserve: capacity-reservation"
            )
        if instances > CAPACITY_BLOCK_MAX_INSTANCES_TOTAL:
            raise InfeasibleDemand(
                f"{where}: {instances} {group.instance_type} instances exceed the "
                f"{CAPACITY_BLOCK_MAX_INSTANCES_TOTAL} instances an account may hold across Capacity Blocks"
            )
        rate, paid = price.usd_per_instance_hour, "up front"
        rate_source = f"{price.source} ({price.as_of})"
        rate_as_of = price.as_of
        blocks = _blocks(instances)
    else:
        if instances > CAPACITY_RESERVATION_MAX_INSTANCES:
            raise InfeasibleDemand(
                f"{where}: {instances} instances exceed the {CAPACITY_RESERVATION_MAX_INSTANCES} one Capacity "
                "Reservation may hold"
            )
        rate, paid = group.usd_per_hour, "hourly over the term"
        rate_source = CAPACITY_RESERVATION_SOURCE
        rate_as_of = ""  # the on-demand rate: its price list's date
        blocks = (instances,)
    start = run.start_date
    end = start + datetime.timedelta(days=days.int)
    hours = days.int * HOURS_PER_DAY
    count = Figure(
        instances,
        "instances",
        "the run's placement: ceil(GPU-hours / (deadline_days · 24) / GPUs per instance) whole instances of "
        + group.instance_type,
        {
            "instance_type": group.instance_type,
            "gpus_per_instance": group.gpus_per_instance,
            "days": days.int,
        },
    )
    total = Figure(
        instances * rate * hours,
        "USD",
        f"instances · USD/instance-h ({'Capacity Block fee' if kind == 'capacity-block' else 'on-demand'}) · "
        "days · 24 h",
        {
            "instances": instances,
            "usd_per_instance_hour": rate,
            "days": days.int,
            "paid": paid,
            "source": rate_source,
        },
    )
    return Reservation(
        kind=kind,
        instance_type=group.instance_type,
        instances=count,
        days=days,
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        blocks=blocks,
        usd_per_instance_hour=rate,
        usd_total=total,
        paid=paid,
        price_list=CAPACITY_BLOCK_FEES if rate_as_of else "",
        price_as_of=rate_as_of,
    )
