"""Google Cloud's lines of the cost model — MINIMAL PLACEHOLDER written by the gcp-components helper so the cloud can
be registered; the lead's module REPLACES this file at merge. It prices nothing (no GCP line, no move cost) and says
so in a note rather than inventing figures. Pure (sizing layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aidc.sizing.figure import Figure

if TYPE_CHECKING:
    from aidc.clouds.base import ServicePrice, TransferPrice
    from aidc.config.model import StackConfig
    from aidc.sizing.plan import ComponentCost, NetworkPlan, PublicGroup

NOT_PRICED = "Google Cloud is not priced yet (placeholder cost module)"


def cost_components(
    groups: Sequence[PublicGroup], network: NetworkPlan, cfg: StackConfig, notes: list[str]
) -> list[ComponentCost]:
    notes.append(NOT_PRICED)
    return []


def move_usd(dataset_gb: float, leaves: bool, network: NetworkPlan) -> Figure:
    return Figure(0.0, "USD", "not priced (placeholder)", {"dataset_gb": dataset_gb, "leaves": leaves})


def one_off_notes(network: NetworkPlan) -> list[str]:
    return []


def priced_services() -> tuple[tuple[ServicePrice, ...], tuple[TransferPrice, ...]]:
    return (), ()
