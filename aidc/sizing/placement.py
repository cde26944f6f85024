"""Placement: split every GPU demand between the private cloud's inventory and public instance types at least
cost, honouring classification, quotas and whole-instance granularity.

A mixed-integer programme solved with HiGHS (scipy.optimize.milp), one per accelerator (accelerators share no
capacity, so the problem separates exactly):
- a training run goes wholly to one place (private, or one instance type: a run's all-reduce does not cross a VPN);
- an inference workload's core GPUs may be split over private servers and several instance types;
- private GPUs are taken in whole servers, public ones in whole instances; quotas cap instances per type;
- confidential and restricted demand may only use the private cloud; if it does not fit, that is an error with the
  numbers, never a silent spill to public.
Cost per hour: public instances at on-demand or spot price (config overrides first), private GPUs at their
amortised cost (capex over amortisation_months plus power at PUE), so the private cloud is used first when cheaper.
Data locality: a training run whose dataset (`dataset_tb`) lives elsewhere (`dataset_location`) than an option
pays for moving it there once (cost.dataset_move_usd: data out of AWS and Transit Gateway processing), spread over
its deadline — move_usd / (deadline_days · 24) added to that option's USD/h — so least cost weighs the move against
cheaper GPUs. Classification stays a hard constraint: a private-only run has no public option to weigh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from aidc.catalog import Catalog, InstanceType
from aidc.config.model import PRIVATE_ONLY, StackConfig
from aidc.contract import PRIVATE, Classification, WorkloadKind
from aidc.sizing.cost import GB_PER_TB, dataset_move_usd, instance_hour_usd, private_gpu_hour_usd
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    InferenceSizing,
    NetworkPlan,
    Placement,
    PrivateGroup,
    PublicGroup,
    TrainingSizing,
)


@dataclass(frozen=True)
class _Demand:
    name: str
    kind: WorkloadKind
    classification: Classification
    gpus: int
    private_only: bool
    spot: bool
    dataset_gb: float = 0.0  # training only: the data the run reads
    dataset_location: str = PRIVATE
    hours: float = 0.0  # training only: the deadline in hours, over which a dataset move is spread
    replica_gpus: int = 1  # inference: GPUs of one replica, which never spans servers or instances


@dataclass
class _Var:
    demand: _Demand
    option: str  # "private" or an instance type name
    units: int  # training: fixed units if chosen; inference: per-unit GPUs
    cost: float  # per variable unit
    move: Figure | None = None  # moving the dataset to this option's location (training)


def _move_inputs(move: Figure | None, hours: float) -> dict[str, object]:
    """The locality term as the group's Figure shows it (nothing when the data is already there)."""
    if move is None or move.value <= 0:
        return {}
    return {
        "dataset_move": f"{move.inputs['source']} -> {move.inputs['target']}",
        "dataset_move_usd": round(move.value, 2),
        "dataset_move_usd_per_hour": round(move.value / hours, 4),
    }


def _solve_accelerator(
    accelerator: str,
    demands: list[_Demand],
    cfg: StackConfig,
    catalog: Catalog,
    warnings: list[str],
    network: NetworkPlan | None,
) -> tuple[list[PrivateGroup], list[PublicGroup], int]:
    acc = catalog.accelerators[accelerator]
    per_server = acc.gpus_per_node
    available = cfg.capacity.private.gpus.get(accelerator, 0)
    servers_available = available // per_server
    private_price = private_gpu_hour_usd(accelerator, cfg, catalog)
    allowed = cfg.capacity.public.allowed_instance_types
    types = [t for t in catalog.instance_types_for(accelerator) if allowed is None or t.name in allowed]
    quotas = cfg.capacity.public.max_instances

    # Private-only demand beyond the inventory is an error with the numbers, before any solving.
    private_only_gpus = sum(d.gpus for d in demands if d.private_only)
    if private_only_gpus > servers_available * per_server:
        items = ", ".join(f"{d.name} ({d.gpus})" for d in demands if d.private_only)
        raise InfeasibleDemand(
            f"confidential/restricted demand needs {private_only_gpus} {accelerator} GPUs in the private cloud "
            f"[{items}], but aidc:capacity.private.gpus.{accelerator} is {available} "
            f"({servers_available} whole servers of {per_server}); such data never spills to the public cloud: "
            f"add private GPUs or lower the demand"
        )

    # Variables: one per (demand, option). Training: binary "placed here". Inference: integer units
    # (private servers or instances).
    variables: list[_Var] = []

    def move(d: _Demand, location: str) -> Figure | None:
        if d.dataset_gb <= 0 or network is None:
            return None
        return dataset_move_usd(d.dataset_gb, d.dataset_location, location, network)

    def per_hour(figure: Figure | None, hours: float) -> float:
        return figure.value / hours if figure is not None and hours > 0 else 0.0

    for d in demands:
        if d.kind == "training":
            if d.gpus <= servers_available * per_server:
                to_private = move(d, PRIVATE)
                variables.append(
                    _Var(
                        d,
                        "private",
                        d.gpus,
                        private_price.value * d.gpus + per_hour(to_private, d.hours),
                        to_private,
                    )
                )
            if not d.private_only:
                for t in types:
                    instances = math.ceil(d.gpus / t.gpus)
                    if quotas.get(t.name, instances) >= instances:
                        to_public = move(d, t.cloud)
                        variables.append(
                            _Var(
                                d,
                                t.name,
                                instances,
                                instance_hour_usd(t, d.spot, cfg, catalog) * instances
                                + per_hour(to_public, d.hours),
                                to_public,
                            )
                        )
        else:
            # A server or instance serves the whole replicas it holds; one smaller than a replica serves none.
            usable = per_server // d.replica_gpus * d.replica_gpus
            if servers_available and usable:
                variables.append(_Var(d, "private", usable, private_price.value * per_server))
            if not d.private_only:
                for t in types:
                    if t.gpus >= d.replica_gpus:
                        variables.append(
                            _Var(
                                d,
                                t.name,
                                t.gpus // d.replica_gpus * d.replica_gpus,
                                instance_hour_usd(t, d.spot, cfg, catalog),
                            )
                        )

    n = len(variables)
    cost = np.array([v.cost for v in variables], dtype=float)
    lower = np.zeros(n)
    upper = np.array([1.0 if v.demand.kind == "training" else np.inf for v in variables])
    rows: list[np.ndarray] = []
    row_lo: list[float] = []
    row_hi: list[float] = []
    index_by_demand: dict[str, list[int]] = {}
    for i, v in enumerate(variables):
        index_by_demand.setdefault(v.demand.name, []).append(i)
    for d in demands:
        row = np.zeros(n)
        idx = index_by_demand.get(d.name, [])
        if not idx:
            raise _no_option(d, accelerator, available, types, quotas)
        if d.kind == "training":
            row[idx] = 1.0
            rows.append(row)
            row_lo.append(1.0)
            row_hi.append(1.0)
        else:
            for i in idx:
                row[i] = variables[i].units
            rows.append(row)
            row_lo.append(float(d.gpus))
            row_hi.append(np.inf)
    # Private inventory, in GPUs (whole servers).
    private_row = np.zeros(n)
    for i, v in enumerate(variables):
        if v.option == "private":
            private_row[i] = v.units if v.demand.kind == "training" else per_server
    rows.append(private_row)
    row_lo.append(0.0)
    row_hi.append(float(servers_available * per_server))
    # Quotas per instance type.
    for t in types:
        if t.name not in quotas:
            continue
        row = np.zeros(n)
        for i, v in enumerate(variables):
            if v.option == t.name:
                row[i] = v.units if v.demand.kind == "training" else 1.0
        rows.append(row)
        row_lo.append(0.0)
        row_hi.append(float(quotas[t.name]))

    result = milp(
        c=cost,
        integrality=np.ones(n),
        bounds=Bounds(lower, upper),
        constraints=LinearConstraint(np.vstack(rows), row_lo, row_hi),
        options={"time_limit": 20.0, "mip_rel_gap": 1e-6},
    )
    if result.x is None:
        raise _capacity_error(demands, accelerator, available, types, quotas)
    chosen = np.round(result.x).astype(int)

    private_groups: list[PrivateGroup] = []
    public_groups: list[PublicGroup] = []
    private_used = 0
    for i, v in enumerate(variables):
        amount = int(chosen[i])
        if amount <= 0:
            continue
        d = v.demand
        if v.option == "private":
            gpus = v.units if d.kind == "training" else amount * per_server
            private_used += gpus
            private_groups.append(
                PrivateGroup(
                    workload=d.name,
                    kind=d.kind,
                    classification=d.classification,
                    accelerator=accelerator,
                    gpus=Figure(
                        gpus,
                        "GPUs",
                        "least-cost placement (HiGHS MILP): private whole servers",
                        {
                            "needed_gpus": d.gpus,
                            "gpus_per_server": per_server,
                            "usd_per_gpu_hour": round(private_price.value, 4),
                            **_move_inputs(v.move, d.hours),
                        },
                    ),
                    servers=gpus // per_server,
                    gpus_per_server=per_server,
                    usd_per_gpu_hour=private_price.value,
                    flavor=cfg.openstack.gpu_flavor(accelerator, per_server),
                )
            )
        else:
            t = catalog.instance_types[v.option]
            instances = v.units if d.kind == "training" else amount
            price = instance_hour_usd(t, d.spot, cfg, catalog)
            public_groups.append(
                PublicGroup(
                    workload=d.name,
                    kind=d.kind,
                    classification=d.classification,
                    location=t.cloud,
                    instance_type=t.name,
                    accelerator=accelerator,
                    instances=Figure(
                        instances,
                        "instances",
                        "least-cost placement (HiGHS MILP): whole instances of " + t.name,
                        {
                            "needed_gpus": d.gpus,
                            "gpus_per_instance": t.gpus,
                            "usd_per_hour": round(price, 4),
                            "spot": d.spot,
                            "quota": quotas.get(t.name, "none given"),
                            **_move_inputs(v.move, d.hours),
                        },
                    ),
                    gpus=instances * t.gpus,
                    gpus_per_instance=t.gpus,
                    spot=d.spot,
                    usd_per_hour=price,
                    efa=t.efa,
                    efa_interfaces=t.efa_interfaces,
                )
            )
            if t.name not in quotas:
                warnings.append(
                    f"no quota given for {t.name} in aidc:capacity.public.max_instances; "
                    f"`aidc preflight` checks the account's real vCPU quota"
                )
    return private_groups, public_groups, private_used


def _no_option(
    d: _Demand, accelerator: str, available: int, types: list[InstanceType], quotas: dict[str, int]
) -> InfeasibleDemand:
    where = "the private cloud" if d.private_only else "the private cloud or a public instance type"
    offered = (
        ", ".join(f"{t.name} (quota {quotas.get(t.name, 'none')})" for t in types) or "none in the catalog"
    )
    return InfeasibleDemand(
        f"{d.kind} {d.name} needs {d.gpus} {accelerator} GPUs and nothing in {where} can hold it: "
        f"aidc:capacity.private.gpus.{accelerator} = {available}; instance types: {offered}"
    )


def _capacity_error(
    demands: list[_Demand],
    accelerator: str,
    available: int,
    types: list[InstanceType],
    quotas: dict[str, int],
) -> InfeasibleDemand:
    total = sum(d.gpus for d in demands)
    public = sum(quotas[t.name] * t.gpus for t in types if t.name in quotas)
    items = ", ".join(f"{d.name} ({d.gpus})" for d in demands)
    quota_list = ", ".join(f"{t.name}: {quotas[t.name]}" for t in types if t.name in quotas)
    return InfeasibleDemand(
        f"{accelerator} demand of {total} GPUs [{items}] does not fit: private {available} GPUs "
        f"(aidc:capacity.private.gpus.{accelerator}) + public quota {public} GPUs ({quota_list}), in whole "
        f"servers and instances; raise aidc:capacity.public.max_instances or add private GPUs"
    )


def place(
    cfg: StackConfig,
    training: tuple[TrainingSizing, ...],
    inference: tuple[InferenceSizing, ...],
    catalog: Catalog,
    network: NetworkPlan | None = None,
) -> tuple[Placement, list[str]]:
    warnings: list[str] = []
    by_accelerator: dict[str, list[_Demand]] = {}
    runs = {r.name: r for r in cfg.demand.training}
    for run in training:
        demand = runs.get(run.name)
        by_accelerator.setdefault(run.accelerator, []).append(
            _Demand(
                run.name,
                "training",
                run.classification,
                run.gpus.int,
                run.classification in PRIVATE_ONLY,
                run.spot,
                dataset_gb=(demand.dataset_tb * GB_PER_TB) if demand else 0.0,
                dataset_location=demand.dataset_location if demand else PRIVATE,
                hours=(demand.deadline_days * 24) if demand else 0.0,
            )
        )
    for w in inference:
        if w.gpus.int:
            by_accelerator.setdefault(w.accelerator, []).append(
                _Demand(
                    w.name,
                    "inference",
                    w.classification,
                    w.gpus.int,
                    w.classification in PRIVATE_ONLY,
                    w.spot,
                    replica_gpus=w.replica.gpus.int,
                )
            )
    private_groups: list[PrivateGroup] = []
    public_groups: list[PublicGroup] = []
    used: dict[str, int] = {}
    for accelerator in sorted(by_accelerator):
        priv, pub, private_used = _solve_accelerator(
            accelerator, by_accelerator[accelerator], cfg, catalog, warnings, network
        )
        private_groups += priv
        public_groups += pub
        used[accelerator] = private_used
    hourly = sum(g.instances.int * g.usd_per_hour for g in public_groups) + sum(
        g.gpus.int * g.usd_per_gpu_hour for g in private_groups
    )
    moves = sum(float(g.instances.inputs.get("dataset_move_usd_per_hour", 0.0)) for g in public_groups) + sum(
        float(g.gpus.inputs.get("dataset_move_usd_per_hour", 0.0)) for g in private_groups
    )
    inputs: dict[str, object] = {
        "public_usd_per_hour": round(sum(g.instances.int * g.usd_per_hour for g in public_groups), 4),
        "private_usd_per_hour": round(sum(g.gpus.int * g.usd_per_gpu_hour for g in private_groups), 4),
    }
    formula = "Σ public instances · USD/h + Σ private GPUs · amortised USD/GPU-h"
    if moves:
        formula += " + Σ dataset moves / (deadline_days · 24)"
        inputs["dataset_moves_usd_per_hour"] = round(moves, 4)
    usd_per_hour = Figure(hourly + moves, "USD/h", formula, inputs)
    if any(g.spot for g in public_groups):
        warnings.append(f"spot prices are estimates ({catalog.spot_source()})")
    return (
        Placement(
            private=tuple(sorted(private_groups, key=lambda g: (g.accelerator, g.workload))),
            public=tuple(sorted(public_groups, key=lambda g: (g.workload, g.instance_type))),
            private_gpus_used=used,
            private_gpus_available=dict(cfg.capacity.private.gpus),
            usd_per_hour=usd_per_hour,
            solver="HiGHS MILP via scipy.optimize.milp, one problem per accelerator",
        ),
        sorted(set(warnings), key=warnings.index),
    )
