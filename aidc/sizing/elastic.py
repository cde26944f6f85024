"""Elastic capacity: how far each public GPU group scales (min, desired, max), how many serving replicas each
inference workload runs between its baseline and its peak, and the reserved capacity of deadline training runs.

Placement sizes every group at peak; this module adds the shape of the demand:
- inference: the baseline load (`base_tokens_per_s`, = peak when absent) needs ceil(base · (1 − edge_fraction)
  / replica tokens/s) + 1 whole replicas of the model in the core (the same spare replica as at peak). The workload's owned (private) GPUs are
  always on and serve first; what is left is spread over its public groups, cheapest GPU-hour first, in whole
  instances: that is each group's min. Its max is the placement's peak count; desired starts at min (the
  autoscaler adds nodes up to max as load rises).
- training: a run needs its GPUs until its deadline, so its groups are fixed (min = desired = max); a run that
  repeats (`every` day, week or month) runs its planned instances for `run_hours` each period and nothing between
  runs, so its public groups scale from 0 (min = desired = 0, max = the planned count). Every run's groups carry
  the hours a month they are billed and powered (`hours_per_month`, what the cost model bills): run_hours · runs
  per month, a one-off run its run_hours once (at most 730), a reserved run its reservation's term (a Capacity
  Block, paid up front: the whole block). A run with
  `reserve` on a public instance type gets "N instances of type T for D days": a targeted On-Demand Capacity
  Reservation for ceil(deadline_days) days, or Capacity Blocks for ML (at most 64 instances each and 256 in all,
  1-day steps up to 14 days and 7-day steps up to 182) on AWS: each cloud reserves its own way
  (aidc/clouds/<cloud>/reservations.py), priced from its catalog.
Owned capacity (private core, edge sites) stays fixed; only the replicas on it scale (`ReplicaRange`).

Pure Python; no Pulumi.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from aidc.catalog import HOURS_PER_MONTH, RUNS_PER_MONTH, Catalog
from aidc.clouds import reservations_of
from aidc.config.model import InferenceDemand, StackConfig
from aidc.sizing.compute import HOURS_PER_DAY
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    InferenceSizing,
    InstanceRange,
    Placement,
    PublicGroup,
    ReplicaRange,
    Reservation,
    TrainingSizing,
)


def baseline_core_gpus(workload: InferenceDemand, sized: InferenceSizing) -> Figure:
    """Core GPUs at the baseline load: whole replicas of the model (as at peak), with the same spare replica."""
    base = workload.baseline_tokens_per_s
    core_tps = base * (1 - workload.edge_fraction)
    replica_tps = sized.replica.tokens_per_s.value
    needed = math.ceil(core_tps / replica_tps - 1e-9) if core_tps > 0 else 0
    replicas = needed + 1 if needed else 0
    return Figure(
        replicas * sized.replica.gpus.int,
        "GPUs",
        "(ceil(base_tokens_per_s · (1 − edge_fraction) / replica tokens/s) + 1 spare replica) · GPUs per replica; "
        "base_tokens_per_s = peak when absent",
        {
            "base_tokens_per_s": base,
            "edge_fraction": workload.edge_fraction,
            "replica_tokens_per_s": replica_tps,
            "replicas": replicas,
            "gpus_per_replica": sized.replica.gpus.int,
        },
    )


def _usd_per_gpu_hour(group: PublicGroup) -> float:
    return group.usd_per_hour / group.gpus_per_instance


def inference_ranges(
    workload: InferenceDemand, sized: InferenceSizing, groups: Sequence[PublicGroup], private_gpus: int
) -> dict[str, InstanceRange]:
    """min/desired/max of each public group of one inference workload (by group name)."""
    baseline = baseline_core_gpus(workload, sized)
    left = max(0, baseline.int - private_gpus)
    ranges: dict[str, InstanceRange] = {}
    for group in sorted(groups, key=lambda g: (_usd_per_gpu_hour(g), g.instance_type)):
        take = min(left, group.gpus)
        low = math.ceil(take / group.gpus_per_instance - 1e-9)
        left -= min(left, low * group.gpus_per_instance)
        inputs = {
            "baseline_gpus": baseline.int,
            "owned_gpus": private_gpus,
            "gpus_per_instance": group.gpus_per_instance,
            "peak_instances": group.instances.int,
            "base_tokens_per_s": workload.baseline_tokens_per_s,
            "peak_tokens_per_s": workload.peak_tokens_per_s,
        }
        minimum = Figure(
            low,
            "instances",
            "ceil(share of (baseline GPUs − owned GPUs) on this group / GPUs per instance); the workload's "
            "public groups fill cheapest GPU-hour first",
            inputs,
        )
        ranges[group.name] = InstanceRange(
            min=minimum,
            desired=Figure(
                low, "instances", "min: the group starts at the baseline; the autoscaler adds up to max", {}
            ),
            max=Figure(
                group.instances.int,
                "instances",
                "the peak placement (HiGHS MILP): whole instances at peak_tokens_per_s",
                {
                    "peak_instances": group.instances.int,
                    "quota": group.quota if group.quota is not None else "none",
                },
            ),
        )
    return ranges


def fixed_range(group: PublicGroup, why: str) -> InstanceRange:
    count = Figure(group.instances.int, "instances", why, {"instances": group.instances.int})
    return InstanceRange(count, count, count)


def run_hours_per_month(run: TrainingSizing, reservation: Reservation | None = None) -> Figure | None:
    """Hours a month a training run's capacity is billed (public groups) and powered (owned GPUs): a reservation's
    term (a Capacity Block paid up front: the whole block; a reservation billed hourly: its hours in a month), else
    the hours the run runs: run_hours · runs per 730-h month, a one-off run once (at most the month's 730 hours)."""
    if reservation is not None:
        term = reservation.days.int * HOURS_PER_DAY
        up_front = reservation.paid == "up front"
        return Figure(
            term if up_front else min(term, HOURS_PER_MONTH),
            "h/month",
            f"the reservation's term, used or not: days · 24 h, {reservation.paid}"
            + (
                " (the whole block in the month it is bought)"
                if up_front
                else f", at most {HOURS_PER_MONTH} a month"
            ),
            {"reservation": reservation.kind, "days": reservation.days.int, "paid": reservation.paid},
        )
    if run.run_hours is None:
        return None
    if run.every == "once":
        return Figure(
            min(run.run_hours.value, HOURS_PER_MONTH),
            "h/month",
            f"run_hours (GPU-hours / planned GPUs) of the one run (every once), at most {HOURS_PER_MONTH} "
            "(a longer run bills every hour of the months it runs)",
            {"run_hours": run.run_hours.value, "every": run.every, "runs_per_month": 1},
        )
    runs = RUNS_PER_MONTH[run.every]
    return Figure(
        run.run_hours.value * runs,
        "h/month",
        "run_hours (GPU-hours / planned GPUs) · runs per 730-h month (day 730/24, week 730/168, month 1)",
        {"run_hours": run.run_hours.value, "every": run.every, "runs_per_month": round(runs, 4)},
    )


def repeating_range(group: PublicGroup, every: str) -> InstanceRange:
    """A repeating run's group: 0 between runs, its planned count while one runs."""
    zero = Figure(0, "instances", f"a run every {every}: no instances between runs", {})
    return InstanceRange(
        zero,
        zero,
        Figure(
            group.instances.int,
            "instances",
            "the run's placement, while it runs",
            {"instances": group.instances.int},
        ),
    )


def with_run_hours(placement: Placement, training: Sequence[TrainingSizing]) -> Placement:
    """Training groups bill (public) and draw power (private) for the hours their run holds them a month; the
    public groups of a repeating run scale from 0 between runs."""
    runs = {run.name: run for run in training}

    def hours(workload: str, reservation: Reservation | None = None) -> Figure | None:
        return run_hours_per_month(runs[workload], reservation) if workload in runs else None

    public = tuple(
        dataclasses.replace(
            g,
            scaling=repeating_range(g, runs[g.workload].every)
            if runs[g.workload].every != "once"
            else g.scaling,
            hours_per_month=hours(g.workload, g.reservation),
        )
        if g.kind == "training" and g.workload in runs
        else g
        for g in placement.public
    )
    private = tuple(
        dataclasses.replace(g, hours_per_month=hours(g.workload)) if g.kind == "training" else g
        for g in placement.private
    )
    return dataclasses.replace(placement, public=public, private=private)


def with_elastic_capacity(
    placement: Placement,
    cfg: StackConfig,
    inference: Sequence[InferenceSizing],
    catalog: Catalog,
    warnings: list[str],
    training: Sequence[TrainingSizing] = (),
) -> Placement:
    """The placement with each public group's range, quota, vCPUs and reservation."""
    demand_of = {w.name: w for w in cfg.demand.inference}
    sized_of = {w.name: w for w in inference}
    runs = {r.name: r for r in cfg.demand.training}
    private_by_workload: dict[str, int] = {}
    for private in placement.private:
        private_by_workload[private.workload] = (
            private_by_workload.get(private.workload, 0) + private.gpus.int
        )
    quotas = cfg.capacity.public.max_instances
    groups = [
        dataclasses.replace(
            g,
            quota=quotas.get(g.instance_type),
            vcpus_per_instance=catalog.instance_types[g.instance_type].vcpus
            if g.instance_type in catalog.instance_types
            else 0,
        )
        for g in placement.public
    ]
    ranges: dict[str, InstanceRange] = {}
    by_workload: dict[str, list[PublicGroup]] = {}
    for g in groups:
        by_workload.setdefault(g.workload, []).append(g)
    for workload, members in by_workload.items():
        if workload in demand_of and members[0].kind == "inference":
            ranges.update(
                inference_ranges(
                    demand_of[workload], sized_of[workload], members, private_by_workload.get(workload, 0)
                )
            )
    out: list[PublicGroup] = []
    for g in groups:
        reservation = None
        run = runs.get(g.workload) if g.kind == "training" else None
        if run is not None and run.reserve != "none":
            reservation = reservations_of(g.location).reserve(run, g)
        scaling = ranges.get(g.name) or fixed_range(
            g,
            "fixed: a training run needs all its instances until its deadline"
            if g.kind == "training"
            else "fixed: the planned count",
        )
        out.append(dataclasses.replace(g, scaling=scaling, reservation=reservation))
    placement = with_run_hours(dataclasses.replace(placement, public=tuple(out)), training)
    out = list(placement.public)
    for run in cfg.demand.training:
        if run.reserve != "none" and not any(g.workload == run.name for g in out):
            warnings.append(
                f"training {run.name}: reserve {run.reserve} has nothing to reserve: the run is placed in owned "
                "capacity (the private cloud)"
            )
    return dataclasses.replace(placement, public=tuple(out))


def replica_ranges(
    cfg: StackConfig, inference: Sequence[InferenceSizing], largest: int = 20
) -> tuple[ReplicaRange, ...]:
    """Serving replicas between baseline and peak, in the core and at each edge site (owned nodes stay fixed:
    the replicas scale within them). At most `largest` edge sites are listed per workload (hundreds of sites:
    the formula is the same)."""
    demand_of = {w.name: w for w in cfg.demand.inference}
    out: list[ReplicaRange] = []
    for sized in inference:
        workload = demand_of[sized.name]
        per_replica = sized.replica.gpus.int
        if sized.replicas.int:
            baseline = baseline_core_gpus(workload, sized)
            out.append(
                ReplicaRange(
                    sized.name,
                    "core",
                    per_replica,
                    Figure(
                        baseline.inputs["replicas"],
                        "replicas",
                        "ceil(base_tokens_per_s · (1 − edge_fraction) / replica tokens/s) + 1 spare replica",
                        {k: v for k, v in baseline.inputs.items() if k != "replicas"},
                    ),
                    Figure(
                        sized.replicas.int, "replicas", sized.replicas.formula, dict(sized.replicas.inputs)
                    ),
                )
            )
        ratio = workload.baseline_tokens_per_s / workload.peak_tokens_per_s
        for allocation in sized.edge[:largest]:
            if not allocation.replicas:
                continue
            replica_tps = allocation.per_gpu_tokens_per_s * allocation.replica_gpus
            low = max(1, math.ceil(allocation.site_tokens_per_s * ratio / replica_tps - 1e-9))
            out.append(
                ReplicaRange(
                    sized.name,
                    allocation.site,
                    allocation.replica_gpus,
                    Figure(
                        low,
                        "replicas",
                        "max(1, ceil(base_tokens_per_s · edge_fraction · share / replica tokens/s at the site))",
                        {
                            "site_tokens_per_s_at_base": allocation.site_tokens_per_s * ratio,
                            "replica_tokens_per_s": replica_tps,
                        },
                    ),
                    Figure(
                        allocation.replicas,
                        "replicas",
                        "the site's peak allocation (whole replicas)",
                        {"replicas": allocation.replicas, "gpus_per_replica": allocation.replica_gpus},
                    ),
                )
            )
    return tuple(out)
