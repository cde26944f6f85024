"""Reserved Google Cloud capacity for a deadline training run (aidc/sizing/elastic.py calls `reserve`).

`reserve: capacity-reservation` is a specific Compute Engine reservation of N machines of the type in one zone for
ceil(deadline_days) days, billed at the on-demand rate while it exists, used or not; the GKE node pool consumes it
through reservation affinity. `reserve: capacity-block` is a future reservation in calendar mode (GPU capacity for
a fixed window, requested ahead), whose duration and size GCP bounds (RESERVATION limits in the catalog); it is priced
at the on-demand rate unless the catalog lists a calendar-mode price. Pure Python.
"""

from __future__ import annotations

import datetime
import math

from aidc.clouds.gcp.catalog import (
    CALENDAR_RESERVATION_MAX_DAYS,
    CALENDAR_RESERVATION_MAX_VMS,
    RESERVATION_SOURCE,
)
from aidc.config.model import TrainingDemand
from aidc.contract import ReservationKind
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import PublicGroup, Reservation

HOURS_PER_DAY = 24


def reserve(run: TrainingDemand, group: PublicGroup) -> Reservation:
    """N machines of type T for D days from the run's start date, and what they cost over the term."""
    if run.reserve == "none" or run.start_date is None:  # config requires a start date with reserve
        raise ValueError(
            f"{run.name}: reserve is {run.reserve!r}, start_date {run.start_date}: nothing to reserve"
        )
    kind: ReservationKind = "capacity-block" if run.reserve == "capacity-block" else "capacity-reservation"
    instances = group.instances.int
    days_needed = math.ceil(run.deadline_days - 1e-9)
    where = f"aidc:demand.training[{run.name}]"
    if kind == "capacity-block":
        if days_needed > CALENDAR_RESERVATION_MAX_DAYS:
            raise InfeasibleDemand(
                f"{where}: deadline_days {run.deadline_days:g} needs a {days_needed}-day calendar-mode reservation "
                f"on Google Cloud; the longest is {CALENDAR_RESERVATION_MAX_DAYS} days ({RESERVATION_SOURCE}): use "
                "reserve: capacity-reservation"
            )
        if instances > CALENDAR_RESERVATION_MAX_VMS:
            raise InfeasibleDemand(
                f"{where}: {instances} {group.instance_type} machines exceed the {CALENDAR_RESERVATION_MAX_VMS} one "
                f"calendar-mode reservation holds ({RESERVATION_SOURCE})"
            )
    source = RESERVATION_SOURCE
    days = Figure(
        days_needed, "days", "ceil(deadline_days)", {"deadline_days": run.deadline_days, "source": source}
    )
    rate = group.usd_per_hour
    start = run.start_date
    end = start + datetime.timedelta(days=days.int)
    count = Figure(
        instances,
        "instances",
        f"the run's placement: whole machines of {group.instance_type}",
        {
            "instance_type": group.instance_type,
            "gpus_per_instance": group.gpus_per_instance,
            "days": days.int,
        },
    )
    total = Figure(
        instances * rate * days.int * HOURS_PER_DAY,
        "USD",
        "instances · USD/instance-h (on-demand) · days · 24 h",
        {"instances": instances, "usd_per_instance_hour": rate, "days": days.int, "source": source},
    )
    return Reservation(
        kind=kind,
        instance_type=group.instance_type,
        instances=count,
        days=days,
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        blocks=(instances,),
        usd_per_instance_hour=rate,
        usd_total=total,
        paid="hourly over the term",
    )
