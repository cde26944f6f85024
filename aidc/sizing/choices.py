"""Why each place won or lost each workload: the offer every location made, next to what placement chose.

Placement (aidc/sizing/placement.py) solves one least-cost programme; this module explains it per workload and
location — the private cloud and each registered public cloud — with the offer that location could make (its
cheapest eligible instance type, in USD per GPU-hour at the stack's region and purchase option, the dataset move
spread over the run included) and why it won or lost: it was chosen, it costs more than the chosen place, its quota
or the allowed types rule it out, it sells no such accelerator, or the data's classification keeps it private.
Each offer carries that reason as a sentence (`reason`) and as a short phrase for tables (`cause`).
Pure Python; an explanation only — it never changes the placement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from aidc.catalog import Catalog, InstanceType
from aidc.config.model import StackConfig
from aidc.contract import PRIVATE, PRIVATE_ONLY, PUBLIC_CLOUDS, Classification
from aidc.sizing.cost import GB_PER_TB, dataset_move_usd, instance_hour_usd, private_gpu_hour_usd
from aidc.sizing.figure import Figure
from aidc.sizing.plan import InferenceSizing, NetworkPlan, Offer, OfferOutcome, Placement, TrainingSizing


@dataclass(frozen=True)
class _Workload:
    name: str
    accelerator: str
    classification: Classification
    gpus: int
    spot: bool
    dataset_gb: float = 0.0
    dataset_location: str = PRIVATE
    hours: float = 0.0


def _workloads(
    cfg: StackConfig, training: Sequence[TrainingSizing], inference: Sequence[InferenceSizing]
) -> list[_Workload]:
    runs = {r.name: r for r in cfg.demand.training}
    found = [
        _Workload(
            t.name,
            t.accelerator,
            t.classification,
            t.gpus.int,
            t.spot,
            runs[t.name].dataset_tb * GB_PER_TB,
            runs[t.name].dataset_location,
            runs[t.name].deadline_days * 24,
        )
        for t in training
    ]
    found += [
        _Workload(w.name, w.accelerator, w.classification, w.gpus.int, w.spot)
        for w in inference
        if w.gpus.int
    ]
    return found


def _private_offer(w: _Workload, cfg: StackConfig, catalog: Catalog, network: NetworkPlan) -> Figure:
    price = private_gpu_hour_usd(w.accelerator, cfg, catalog)
    move = dataset_move_usd(w.dataset_gb, w.dataset_location, PRIVATE, network) if w.dataset_gb else None
    extra = move.value / w.hours / max(1, w.gpus) if move is not None and w.hours else 0.0
    return Figure(
        price.value + extra,
        "USD/GPU-h",
        "amortised USD/GPU-h" + (" + dataset move / (deadline_h · GPUs)" if extra else ""),
        {"usd_per_gpu_hour": round(price.value, 4), "dataset_move_usd_per_gpu_hour": round(extra, 4)},
    )


def _public_offer(
    w: _Workload, instance: InstanceType, cfg: StackConfig, catalog: Catalog, network: NetworkPlan
) -> Figure:
    hourly = instance_hour_usd(instance, w.spot, cfg, catalog)
    move = (
        dataset_move_usd(w.dataset_gb, w.dataset_location, instance.cloud, network) if w.dataset_gb else None
    )
    extra = move.value / w.hours / max(1, w.gpus) if move is not None and w.hours else 0.0
    return Figure(
        hourly / instance.gpus + extra,
        "USD/GPU-h",
        f"USD/instance-h ({'spot' if w.spot else 'on-demand'}) / GPUs per instance"
        + (" + dataset move / (deadline_h · GPUs)" if extra else ""),
        {
            "instance_type": instance.name,
            "usd_per_instance_hour": round(hourly, 4),
            "gpus_per_instance": instance.gpus,
            "dataset_move_usd_per_gpu_hour": round(extra, 4),
        },
    )


def _cloud_offer(
    w: _Workload, cloud: str, cfg: StackConfig, catalog: Catalog, network: NetworkPlan
) -> tuple[InstanceType | None, Figure | None, str, str]:
    """The cloud's cheapest eligible type for the workload and its price, or why none is eligible (the sentence
    and the short phrase)."""
    if w.classification in PRIVATE_ONLY:
        return None, None, f"{w.classification} data stays in the private cloud", f"{w.classification} data"
    if cloud not in cfg.enabled_clouds:
        why = f"the stack does not configure {cloud} (aidc:{cloud}, its quotas or provider keys)"
        return None, None, why, "not configured"
    sold = [t for t in catalog.instance_types_for(w.accelerator) if t.cloud == cloud]
    if not sold:
        return None, None, f"{cloud} sells no {w.accelerator} instance type aidc knows", f"no {w.accelerator}"
    allowed = cfg.capacity.public.allowed_instance_types
    listed = [t for t in sold if allowed is None or t.name in allowed]
    if not listed:
        why = f"aidc:capacity.public.allowed_instance_types admits none of {', '.join(t.name for t in sold)}"
        return None, None, why, "not allowed"
    buyable = [t for t in listed if t.on_demand or w.spot]
    if not buyable:
        why = f"{', '.join(t.name for t in listed)}: sold only as spot, and the workload is not spot"
        return None, None, why, "spot only"
    quotas = cfg.capacity.public.max_instances
    fits = [t for t in buyable if quotas.get(t.name, math.inf) >= math.ceil(w.gpus / t.gpus)]
    if not fits:
        shown = ", ".join(f"{t.name} {quotas.get(t.name)}" for t in listed)
        why = f"quota (aidc:capacity.public.max_instances: {shown}) holds fewer than {w.gpus} GPUs"
        return None, None, why, "over quota"
    offers = [(t, _public_offer(w, t, cfg, catalog, network)) for t in fits]
    best, price = min(offers, key=lambda offer: offer[1].value)
    return best, price, "", ""


def explain(
    cfg: StackConfig,
    training: Sequence[TrainingSizing],
    inference: Sequence[InferenceSizing],
    placement: Placement,
    catalog: Catalog,
    network: NetworkPlan,
) -> tuple[Offer, ...]:
    """One Offer per workload and location: the private cloud and every registered public cloud."""
    offers: list[Offer] = []
    for w in _workloads(cfg, training, inference):
        placed: dict[str, int] = {PRIVATE: sum(g.gpus.int for g in placement.private if g.workload == w.name)}
        for group in placement.public:
            if group.workload == w.name:
                placed[group.location] = placed.get(group.location, 0) + group.gpus
        rows: list[tuple[str, InstanceType | None, Figure | None, str, str]] = []
        if cfg.capacity.private.gpus.get(w.accelerator, 0):
            rows.append((PRIVATE, None, _private_offer(w, cfg, catalog, network), "", ""))
        else:
            why = f"aidc:capacity.private.gpus has no {w.accelerator}"
            rows.append((PRIVATE, None, None, why, f"no {w.accelerator}"))
        rows += [(cloud, *_cloud_offer(w, cloud, cfg, catalog, network)) for cloud in PUBLIC_CLOUDS]
        chosen = [p for p in (rows) if placed.get(p[0], 0) > 0 and p[2] is not None]
        cheapest_chosen = min((p[2].value for p in chosen if p[2] is not None), default=None)
        winners = ", ".join(p[0] for p in chosen)
        for location, instance, price, why, cause in rows:
            gpus = placed.get(location, 0)
            outcome: OfferOutcome
            if gpus > 0:
                outcome, reason, cause = (
                    "chosen",
                    f"{gpus} GPUs placed here at the least total cost",
                    "chosen",
                )
            elif price is None:
                outcome, reason = "ineligible", why
            elif cheapest_chosen is not None and price.value > cheapest_chosen + 1e-9:
                outcome, cause = "lost", "costs more"
                reason = f"{price.value:,.2f} USD/GPU-h, more than {cheapest_chosen:,.2f} at {winners}"
            else:
                outcome, cause = "lost", "dearer in total"
                reason = (
                    "cheaper per GPU-hour, but whole servers or instances, its free capacity and the other "
                    f"workloads' needs made {winners or 'another place'} cheaper in total"
                )
            offers.append(
                Offer(
                    w.name, location, instance.name if instance else None, price, gpus, outcome, reason, cause
                )
            )
    return tuple(offers)
