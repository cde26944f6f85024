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

Each accelerator's problem is built, solved and decoded by its own module (build.py documents every variable,
constraint and the objective; solve.py what each solver status means; decode.py turns the solution into groups
whose figures carry their formula and inputs); `place` collects the demand and adds the results up.
"""

from __future__ import annotations

from aidc.catalog import Catalog
from aidc.config.model import PRIVATE_ONLY, StackConfig
from aidc.contract import PRIVATE
from aidc.sizing.cost import GB_PER_TB
from aidc.sizing.figure import Figure
from aidc.sizing.placement.build import Demand, build_model, market
from aidc.sizing.placement.decode import Groups, decode_solution
from aidc.sizing.placement.solve import solve_model
from aidc.sizing.plan import (
    InferenceSizing,
    NetworkPlan,
    Placement,
    PrivateGroup,
    PublicGroup,
    TrainingSizing,
)

SOLVER = "HiGHS MILP via scipy.optimize.milp, one problem per accelerator"


def demands_by_accelerator(
    cfg: StackConfig, training: tuple[TrainingSizing, ...], inference: tuple[InferenceSizing, ...]
) -> dict[str, list[Demand]]:
    """Every training run and every inference workload with GPUs, grouped by accelerator, in sizing order."""
    by_accelerator: dict[str, list[Demand]] = {}
    runs = {r.name: r for r in cfg.demand.training}
    for run in training:
        demand = runs.get(run.name)
        by_accelerator.setdefault(run.accelerator, []).append(
            Demand(
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
                Demand(
                    w.name,
                    "inference",
                    w.classification,
                    w.gpus.int,
                    w.classification in PRIVATE_ONLY,
                    w.spot,
                    replica_gpus=w.replica.gpus.int,
                )
            )
    return by_accelerator


def place_accelerator(
    accelerator: str, demands: list[Demand], cfg: StackConfig, catalog: Catalog, network: NetworkPlan | None
) -> Groups:
    """One accelerator's demand: build the model, solve it, decode the solution into groups."""
    model = build_model(demands, market(accelerator, cfg, catalog), cfg, catalog, network)
    solution = solve_model(model)
    groups = decode_solution(model, solution.counts, cfg, catalog)
    if solution.warning is not None:
        groups.warnings.insert(0, solution.warning)
    return groups


def _usd_per_hour(private_groups: list[PrivateGroup], public_groups: list[PublicGroup]) -> Figure:
    """What the placement costs per hour, dataset moves spread over their deadlines included."""
    public_usd = sum(g.instances.int * g.usd_per_hour for g in public_groups)
    private_usd = sum(g.gpus.int * g.usd_per_gpu_hour for g in private_groups)
    moves = sum(float(g.instances.inputs.get("dataset_move_usd_per_hour", 0.0)) for g in public_groups) + sum(
        float(g.gpus.inputs.get("dataset_move_usd_per_hour", 0.0)) for g in private_groups
    )
    inputs: dict[str, object] = {
        "public_usd_per_hour": round(public_usd, 4),
        "private_usd_per_hour": round(private_usd, 4),
    }
    formula = "Σ public instances · USD/h + Σ private GPUs · amortised USD/GPU-h"
    if moves:
        formula += " + Σ dataset moves / (deadline_days · 24)"
        inputs["dataset_moves_usd_per_hour"] = round(moves, 4)
    return Figure(public_usd + private_usd + moves, "USD/h", formula, inputs)


def place(
    cfg: StackConfig,
    training: tuple[TrainingSizing, ...],
    inference: tuple[InferenceSizing, ...],
    catalog: Catalog,
    network: NetworkPlan | None = None,
) -> tuple[Placement, list[str]]:
    """The least-cost placement of every GPU demand, and the warnings it raised (each once, in order)."""
    warnings: list[str] = []
    private_groups: list[PrivateGroup] = []
    public_groups: list[PublicGroup] = []
    used: dict[str, int] = {}
    by_accelerator = demands_by_accelerator(cfg, training, inference)
    for accelerator in sorted(by_accelerator):
        groups = place_accelerator(accelerator, by_accelerator[accelerator], cfg, catalog, network)
        private_groups += groups.private
        public_groups += groups.public
        used[accelerator] = groups.private_gpus_used
        warnings += groups.warnings
    if any(g.spot for g in public_groups):
        spot_clouds = sorted({g.location for g in public_groups if g.spot})
        warnings.append(f"spot prices are estimates ({catalog.spot_source(spot_clouds)})")
    return (
        Placement(
            private=tuple(sorted(private_groups, key=lambda g: (g.accelerator, g.workload))),
            public=tuple(sorted(public_groups, key=lambda g: (g.workload, g.instance_type))),
            private_gpus_used=used,
            private_gpus_available=dict(cfg.capacity.private.gpus),
            usd_per_hour=_usd_per_hour(private_groups, public_groups),
            solver=SOLVER,
        ),
        sorted(set(warnings), key=warnings.index),
    )
