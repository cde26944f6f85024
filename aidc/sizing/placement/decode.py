"""Decoding one accelerator's solution: each chosen variable becomes a private or public group whose count is a
Figure carrying the formula and its inputs (GPUs needed, per server or instance, price, quota, dataset move)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aidc.catalog import Catalog
from aidc.config.model import StackConfig
from aidc.sizing.cost import instance_hour_usd
from aidc.sizing.figure import Figure
from aidc.sizing.placement.build import Model, Option
from aidc.sizing.plan import PrivateGroup, PublicGroup


def move_inputs(move: Figure | None, hours: float) -> dict[str, object]:
    """The locality term as the group's Figure shows it (nothing when the data is already there)."""
    if move is None or move.value <= 0:
        return {}
    return {
        "dataset_move": f"{move.inputs['source']} -> {move.inputs['target']}",
        "dataset_move_usd": round(move.value, 2),
        "dataset_move_usd_per_hour": round(move.value / hours, 4),
    }


@dataclass
class Groups:
    """One accelerator's groups, in variable order, and the private GPUs they use."""

    private: list[PrivateGroup] = field(default_factory=list)
    public: list[PublicGroup] = field(default_factory=list)
    private_gpus_used: int = 0
    warnings: list[str] = field(default_factory=list)


def private_group(model: Model, v: Option, amount: int, cfg: StackConfig) -> PrivateGroup:
    """A chosen private option: a training run's GPUs, or `amount` whole servers for inference."""
    d, market = v.demand, model.market
    per_server, price = market.gpus_per_server, market.private_price.value
    gpus = v.units if d.kind == "training" else amount * per_server
    return PrivateGroup(
        workload=d.name,
        kind=d.kind,
        classification=d.classification,
        accelerator=market.accelerator,
        gpus=Figure(
            gpus,
            "GPUs",
            "least-cost placement (HiGHS MILP): private whole servers",
            {
                "needed_gpus": d.gpus,
                "gpus_per_server": per_server,
                "usd_per_gpu_hour": round(price, 4),
                **move_inputs(v.move, d.hours),
            },
        ),
        servers=gpus // per_server,
        gpus_per_server=per_server,
        usd_per_gpu_hour=price,
        flavor=cfg.openstack.gpu_flavor(market.accelerator, per_server),
    )


def public_group(model: Model, v: Option, amount: int, cfg: StackConfig, catalog: Catalog) -> PublicGroup:
    """A chosen instance type: a training run's instances, or `amount` instances for inference."""
    d, quotas = v.demand, model.market.quotas
    t = catalog.instance_types[v.option]
    instances = v.units if d.kind == "training" else amount
    price = instance_hour_usd(t, d.spot, cfg, catalog)
    return PublicGroup(
        workload=d.name,
        kind=d.kind,
        classification=d.classification,
        location=t.cloud,
        instance_type=t.name,
        accelerator=model.market.accelerator,
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
                **move_inputs(v.move, d.hours),
            },
        ),
        gpus=instances * t.gpus,
        gpus_per_instance=t.gpus,
        spot=d.spot,
        usd_per_hour=price,
        efa=t.efa,
        efa_interfaces=t.efa_interfaces,
    )


def decode_solution(model: Model, counts: np.ndarray, cfg: StackConfig, catalog: Catalog) -> Groups:
    """The groups of every variable with a positive count (`counts` in the model's column order); a warning per
    instance type used without a quota."""
    groups = Groups()
    for v, amount in zip(model.options, (int(c) for c in counts), strict=True):
        if amount <= 0:
            continue
        if v.option == "private":
            group = private_group(model, v, amount, cfg)
            groups.private_gpus_used += group.gpus.int
            groups.private.append(group)
            continue
        groups.public.append(public_group(model, v, amount, cfg, catalog))
        if v.option not in model.market.quotas:
            groups.warnings.append(
                f"no quota given for {v.option} in aidc:capacity.public.max_instances; "
                f"`aidc preflight` checks the account's real vCPU quota"
            )
    return groups
