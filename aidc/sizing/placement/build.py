"""Building one accelerator's placement problem: the market (private inventory and allowed instance types), the
decision variables, the objective and the constraints, as the arrays scipy.optimize.milp takes.

Variables — one per (demand, option), in demand order, the private option first, then instance types in catalog
order (the order is part of the model: HiGHS breaks ties between equal-cost solutions by it):
- training run: binary, "the whole run is placed here". An option exists where the run fits: the private cloud if
  its whole servers hold the run's GPUs, an instance type if its quota (when one is given) holds
  ceil(GPUs / GPUs per instance) instances. `units` is the GPUs (private) or instances (public) the run takes.
- inference workload: a non-negative integer count of private servers or of instances of one type. `units` is the
  GPUs one server or instance serves: whole replicas only (one smaller than a replica serves none, and is no
  option).
Objective — minimise Σ cost · x in USD/h: a training option costs the whole run per hour (the private amortised
GPU-hour times GPUs, or the instance price times instances) plus its dataset move spread over the deadline
(cost.dataset_move_usd / (deadline_days · 24)); an inference option costs one server's GPUs or one instance.
Constraints — one row each, in this order:
1. per demand: a training run is placed exactly once (Σ x = 1); an inference workload's served GPUs cover its
   demand (Σ units · x ≥ GPUs);
2. the private inventory: GPUs taken (a run's GPUs; whole servers for inference) ≤ whole servers · GPUs per server;
3. per instance type with a quota (aidc:capacity.public.max_instances): instances taken ≤ the quota.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from aidc.catalog import Catalog, InstanceType
from aidc.config.model import StackConfig
from aidc.contract import PRIVATE, Classification, WorkloadKind
from aidc.sizing.cost import dataset_move_usd, instance_hour_usd, private_gpu_hour_usd
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import NetworkPlan


@dataclass(frozen=True)
class Demand:
    """One workload's GPU demand on one accelerator, as placement sees it."""

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


@dataclass(frozen=True)
class Option:
    """One decision variable: placing (part of) a demand at one option."""

    demand: Demand
    option: str  # "private" or an instance type name
    units: int  # training: fixed units if chosen; inference: per-unit GPUs
    cost: float  # USD/h per variable unit
    move: Figure | None = None  # moving the dataset to this option's location (training)


@dataclass(frozen=True)
class Market:
    """One accelerator's places: the private inventory and the public instance types this stack allows."""

    accelerator: str
    gpus_per_server: int
    private_gpus: int
    """aidc:capacity.private.gpus of the accelerator, as configured."""
    private_price: Figure
    """Amortised USD per private GPU-hour."""
    instance_types: tuple[InstanceType, ...]
    """The catalog's types of the accelerator, those in allowed_instance_types if it is set."""
    quotas: Mapping[str, int]
    """aidc:capacity.public.max_instances (types without an entry have no quota given)."""

    @property
    def servers(self) -> int:
        """Whole private servers."""
        return self.private_gpus // self.gpus_per_server

    @property
    def private_capacity(self) -> int:
        """GPUs in whole private servers."""
        return self.servers * self.gpus_per_server


def market(accelerator: str, cfg: StackConfig, catalog: Catalog) -> Market:
    """The accelerator's market under this stack's capacity settings."""
    allowed = cfg.capacity.public.allowed_instance_types
    enabled = cfg.enabled_clouds  # a cloud the stack does not configure takes nothing
    return Market(
        accelerator=accelerator,
        gpus_per_server=catalog.accelerators[accelerator].gpus_per_node,
        private_gpus=cfg.capacity.private.gpus.get(accelerator, 0),
        private_price=private_gpu_hour_usd(accelerator, cfg, catalog),
        instance_types=tuple(
            t
            for t in catalog.instance_types_for(accelerator)
            if t.cloud in enabled and (allowed is None or t.name in allowed)
        ),
        quotas=cfg.capacity.public.max_instances,
    )


@dataclass(frozen=True)
class Model:
    """The MILP of one accelerator: minimise cost · x subject to lower ≤ A · x ≤ upper, 0 ≤ x ≤ x_max, x
    integer."""

    market: Market
    demands: tuple[Demand, ...]
    options: tuple[Option, ...]
    """The variables, in column order."""
    cost: np.ndarray
    """The objective: USD/h per unit of each variable."""
    x_max: np.ndarray
    """Variable upper bounds: 1 for a training option (binary), unbounded for an inference count."""
    matrix: np.ndarray
    """The constraint rows (A), one per name in `constraint_names`."""
    lower: np.ndarray
    upper: np.ndarray
    constraint_names: tuple[str, ...]
    """'demand:<workload>', 'private-inventory', 'quota:<instance type>', in row order."""


def check_private_only(demands: Sequence[Demand], market: Market) -> None:
    """Private-only demand beyond the inventory is an error with the numbers, before any solving."""
    private_only_gpus = sum(d.gpus for d in demands if d.private_only)
    if private_only_gpus > market.private_capacity:
        acc = market.accelerator
        items = ", ".join(f"{d.name} ({d.gpus})" for d in demands if d.private_only)
        raise InfeasibleDemand(
            f"confidential/restricted demand needs {private_only_gpus} {acc} GPUs in the private cloud "
            f"[{items}], but aidc:capacity.private.gpus.{acc} is {market.private_gpus} "
            f"({market.servers} whole servers of {market.gpus_per_server}); such data never spills to the public "
            f"cloud: add private GPUs or lower the demand"
        )


def _per_hour(figure: Figure | None, hours: float) -> float:
    return figure.value / hours if figure is not None and hours > 0 else 0.0


def _training_options(
    d: Demand, market: Market, cfg: StackConfig, catalog: Catalog, network: NetworkPlan | None
) -> list[Option]:
    def move(location: str) -> Figure | None:
        if d.dataset_gb <= 0 or network is None:
            return None
        return dataset_move_usd(d.dataset_gb, d.dataset_location, location, network)

    options: list[Option] = []
    if d.gpus <= market.private_capacity:
        to_private = move(PRIVATE)
        cost = market.private_price.value * d.gpus + _per_hour(to_private, d.hours)
        options.append(Option(d, "private", d.gpus, cost, to_private))
    if d.private_only:
        return options
    for t in market.instance_types:
        if not (t.on_demand or d.spot):  # sold only as spot (or reserved or flex-start capacity)
            continue
        instances = math.ceil(d.gpus / t.gpus)
        if market.quotas.get(t.name, instances) >= instances:
            to_public = move(t.cloud)
            cost = instance_hour_usd(t, d.spot, cfg, catalog) * instances + _per_hour(to_public, d.hours)
            options.append(Option(d, t.name, instances, cost, to_public))
    return options


def _inference_options(d: Demand, market: Market, cfg: StackConfig, catalog: Catalog) -> list[Option]:
    options: list[Option] = []
    # A server or instance serves the whole replicas it holds; one smaller than a replica serves none.
    usable = market.gpus_per_server // d.replica_gpus * d.replica_gpus
    if market.servers and usable:
        options.append(Option(d, "private", usable, market.private_price.value * market.gpus_per_server))
    if d.private_only:
        return options
    for t in market.instance_types:
        if t.gpus >= d.replica_gpus and (t.on_demand or d.spot):
            served = t.gpus // d.replica_gpus * d.replica_gpus
            options.append(Option(d, t.name, served, instance_hour_usd(t, d.spot, cfg, catalog)))
    return options


def options_for(
    demands: Sequence[Demand], market: Market, cfg: StackConfig, catalog: Catalog, network: NetworkPlan | None
) -> list[Option]:
    """The variables, in column order (module docstring)."""
    options: list[Option] = []
    for d in demands:
        if d.kind == "training":
            options += _training_options(d, market, cfg, catalog, network)
        else:
            options += _inference_options(d, market, cfg, catalog)
    return options


def no_option(d: Demand, market: Market) -> InfeasibleDemand:
    """The error for a demand that no place can hold at all."""
    where = "the private cloud" if d.private_only else "the private cloud or a public instance type"
    offered = (
        ", ".join(f"{t.name} (quota {market.quotas.get(t.name, 'none')})" for t in market.instance_types)
        or "none in the catalog"
    )
    return InfeasibleDemand(
        f"{d.kind} {d.name} needs {d.gpus} {market.accelerator} GPUs and nothing in {where} can hold it: "
        f"aidc:capacity.private.gpus.{market.accelerator} = {market.private_gpus}; instance types: {offered}"
    )


@dataclass
class _Rows:
    rows: list[np.ndarray]
    lower: list[float]
    upper: list[float]
    names: list[str]

    def add(self, name: str, row: np.ndarray, lower: float, upper: float) -> None:
        self.rows.append(row)
        self.lower.append(lower)
        self.upper.append(upper)
        self.names.append(name)


def _demand_rows(rows: _Rows, demands: Sequence[Demand], options: Sequence[Option], market: Market) -> None:
    """Constraint 1: each training run placed exactly once, each inference workload's GPUs covered."""
    columns: dict[str, list[int]] = {}
    for i, v in enumerate(options):
        columns.setdefault(v.demand.name, []).append(i)
    for d in demands:
        row = np.zeros(len(options))
        idx = columns.get(d.name, [])
        if not idx:
            raise no_option(d, market)
        if d.kind == "training":
            row[idx] = 1.0
            rows.add(f"demand:{d.name}", row, 1.0, 1.0)
        else:
            for i in idx:
                row[i] = options[i].units
            rows.add(f"demand:{d.name}", row, float(d.gpus), np.inf)


def _capacity_rows(rows: _Rows, options: Sequence[Option], market: Market) -> None:
    """Constraints 2 and 3: the private inventory in GPUs (whole servers), each quota in instances."""
    private_row = np.zeros(len(options))
    for i, v in enumerate(options):
        if v.option == "private":
            private_row[i] = v.units if v.demand.kind == "training" else market.gpus_per_server
    rows.add("private-inventory", private_row, 0.0, float(market.private_capacity))
    for t in market.instance_types:
        if t.name not in market.quotas:
            continue
        row = np.zeros(len(options))
        for i, v in enumerate(options):
            if v.option == t.name:
                row[i] = v.units if v.demand.kind == "training" else 1.0
        rows.add(f"quota:{t.name}", row, 0.0, float(market.quotas[t.name]))


def build_model(
    demands: Sequence[Demand], market: Market, cfg: StackConfig, catalog: Catalog, network: NetworkPlan | None
) -> Model:
    """The accelerator's MILP (module docstring); an InfeasibleDemand naming the numbers when private-only
    demand exceeds the inventory or a demand has no option at all."""
    check_private_only(demands, market)
    options = options_for(demands, market, cfg, catalog, network)
    rows = _Rows([], [], [], [])
    _demand_rows(rows, demands, options, market)
    _capacity_rows(rows, options, market)
    return Model(
        market=market,
        demands=tuple(demands),
        options=tuple(options),
        cost=np.array([v.cost for v in options], dtype=float),
        x_max=np.array([1.0 if v.demand.kind == "training" else np.inf for v in options]),
        matrix=np.vstack(rows.rows),
        lower=np.array(rows.lower),
        upper=np.array(rows.upper),
        constraint_names=tuple(rows.names),
    )
