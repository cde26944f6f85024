"""Reserved Google Cloud capacity — MINIMAL PLACEHOLDER written by the gcp-components helper so the cloud can be
registered; the lead's module (specific Compute Engine reservations for a deadline run) REPLACES this file at merge.
"""

from __future__ import annotations

from aidc.config.model import TrainingDemand
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.plan import PublicGroup, Reservation


def reserve(run: TrainingDemand, group: PublicGroup) -> Reservation:
    raise InfeasibleDemand(
        f"aidc:demand.training[{run.name}]: reserve {run.reserve} on Google Cloud is not sized yet "
        "(placeholder reservations module)"
    )
