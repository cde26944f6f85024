"""CapacityPlan → plain dict: the `aidc size --json` document (DESIGN.md, "Contracts"), stable key order.

The document is derived from the plan's frozen dataclasses, not projected field by field: every field of a
plan dataclass becomes a key of the same name, a `Figure` becomes its plain value (an integer for a count, a
float for a measure: `COUNT_UNITS`) and again, with formula and inputs, under the object's `why`; nested
dataclasses, tuples and dicts follow the same rule. So a field added to the plan appears in the document (and
in `aidc size --explain`) without touching this module. `SHAPES` holds the few exceptions the contract fixed
before the derivation: renamed keys (`instances` → `count`), keys computed from properties (`min`, `max`,
`autoscaled`), and internal fields left out. Keys are only ever added; removing or renaming one is a
breaking change (raise `SCHEMA_VERSION`, note it in CHANGELOG.md). docs/schemas/size.schema.json describes
the document and tests validate every shipped stack's output against it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from aidc.sizing.cost import cost_to_dict
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    CapacityPlan,
    DirectConnectPlan,
    EdgeAllocation,
    InferenceSizing,
    NetworkPlan,
    Offer,
    PathHop,
    Placement,
    PublicGroup,
    Reservation,
    StoragePlan,
)

# The version of every JSON document the CLI prints (size, plan, diff, preflight, estate, backend, edge):
# an integer raised on a breaking change (a key removed or renamed, a meaning changed), never on an added key.
SCHEMA_VERSION = 1

# Figures counted in whole things serialize as integers; every other unit (FLOP, GB, TB, Gbps, h, USD,
# tokens/s, B/token ...) is a measure and keeps its float. A unit's last word decides ("x 400 Gbps ports").
COUNT_UNITS = frozenset(
    {
        "GPUs",
        "OSDs",
        "PGs",
        "connections",
        "days",
        "hosts",
        "instances",
        "keys",
        "monitors",
        "nodes",
        "ports",
        "replicas",
        "sequences",
        "tunnels",
    }
)


def is_count(figure: Figure) -> bool:
    """True when the figure counts whole things (its unit's last word is in COUNT_UNITS)."""
    words = figure.unit.split()
    return bool(words) and words[-1] in COUNT_UNITS


def figure_value(figure: Figure) -> int | float:
    """What the document shows for a figure: the count as an integer, a measure as it is."""
    return figure.int if is_count(figure) else figure.value


@dataclasses.dataclass(frozen=True)
class Shape:
    """How one plan dataclass departs from the plain derivation (every field, same name)."""

    rename: Mapping[str, str] = dataclasses.field(default_factory=dict)  # field -> key
    omit: frozenset[str] = frozenset()  # internal fields the document leaves out
    extra: Callable[[Any], dict[str, Any]] | None = None  # computed keys (replace a field's key in place)
    extra_why: Callable[[Any], dict[str, Figure | None]] | None = None  # computed figures under `why`
    rounded: Mapping[str, int] = dataclasses.field(default_factory=dict)  # key -> decimals


def _public_extra(g: PublicGroup) -> dict[str, Any]:
    return {
        "name": g.name,
        "min": g.range.min.int,
        "desired": g.range.desired.int,
        "max": g.range.max.int,
        "autoscaled": g.range.autoscaled,
    }


def _public_why(g: PublicGroup) -> dict[str, Figure | None]:
    r = g.reservation
    return {
        "min": g.range.min,
        "desired": g.range.desired,
        "max": g.range.max,
        "reservation_instances": r.instances if r else None,
        "reservation_days": r.days if r else None,
        "reservation_usd": r.usd_total if r else None,
    }


def _placement_extra(p: Placement) -> dict[str, Any]:
    return {
        "private_gpus": sum(g.gpus.int for g in p.private),
        "public_gpus": sum(g.gpus for g in p.public),
        "public_instances": p.public_instances_by_type(),
    }


def _network_extra(n: NetworkPlan) -> dict[str, Any]:
    # The contract's interconnect_gbps is what the plan carries: VPN plus Direct Connect, or the VPN alone.
    return {"interconnect_gbps": n.capacity_gbps.value}


SHAPES: Mapping[type, Shape] = {
    # One entry per (workload, edge site): the explaining formula is the same for all, so it stays out.
    EdgeAllocation: Shape(omit=frozenset({"workload", "per_gpu_formula"})),
    InferenceSizing: Shape(
        extra=lambda w: {
            "throughput_estimated": w.replica.estimated or any(r.estimated for r in w.edge_replicas)
        }
    ),
    PublicGroup: Shape(
        rename={"instances": "count"},
        omit=frozenset({"scaling"}),
        extra=_public_extra,
        extra_why=_public_why,
    ),
    Reservation: Shape(rounded={"usd_total": 2}),
    Placement: Shape(extra=_placement_extra),
    StoragePlan: Shape(
        rename={"bound": "osd_bound"},
        extra=lambda s: {"pg_num": {p.name: p.pg_num.int for p in s.pools}},
    ),
    NetworkPlan: Shape(extra=_network_extra),
    DirectConnectPlan: Shape(extra=lambda dc: {"unit": dc.ports.unit}),
    # A hop of the bulk transfers' path: what it carries against what they need through it.
    PathHop: Shape(rename={"name": "hop", "carries": "gbps"}, extra=lambda hop: {"ok": hop.ok}),
    Offer: Shape(rounded={"usd_per_gpu_hour": 4}),
}


def to_plain(value: Any) -> Any:
    """A plan value as JSON-ready data: dataclasses by `dataclass_dict`, tuples as lists, non-finite floats
    as null."""
    if isinstance(value, Figure):
        return to_plain(figure_value(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclass_dict(value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset):
        return [to_plain(v) for v in value]
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return None
    return value


def dataclass_dict(obj: Any) -> dict[str, Any]:
    """One plan dataclass as a dict: each field under its name (or its Shape's), Figures as values with
    their explanation under `why`, then the Shape's computed keys."""
    shape = SHAPES.get(type(obj), Shape())
    out: dict[str, Any] = {}
    figures: dict[str, Figure] = {}
    for f in dataclasses.fields(obj):
        if f.name in shape.omit:
            continue
        key = shape.rename.get(f.name, f.name)
        value = getattr(obj, f.name)
        if isinstance(value, Figure):
            figures[key] = value
        plain = to_plain(value)
        out[key] = round(plain, shape.rounded[key]) if key in shape.rounded and plain is not None else plain
    if shape.extra is not None:
        out.update({k: to_plain(v) for k, v in shape.extra(obj).items()})
    if shape.extra_why is not None:
        figures.update({k: v for k, v in shape.extra_why(obj).items() if v is not None})
    if figures:
        out["why"] = {k: to_plain(v.to_json()) for k, v in figures.items()}
    return out


def _edge(plan: CapacityPlan) -> dict[str, Any]:
    return {
        "sites": [dataclass_dict(s) for s in plan.edge_sites],
        "nodes": sum(s.nodes.int for s in plan.edge_sites),
        "gpus": sum(s.gpus.int for s in plan.edge_sites),
    }


def plan_to_dict(plan: CapacityPlan) -> dict[str, Any]:
    """The `aidc size --json` document of a plan. The plan's parts are grouped as the contract has them
    (training and inference under `compute`, the edge sites under `edge` with their totals)."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "stack": plan.stack,
        # The public clouds the stack declares resources in (placement.public[].location is one of them).
        "clouds": list(plan.clouds),
        # Why each place won or lost each workload: its best offer (USD/GPU-h, with its formula under `why`) and
        # the outcome, with the reason as a sentence and as a short phrase (`cause`).
        "offers": [dataclass_dict(o) for o in plan.offers],
        "compute": {
            "training": [dataclass_dict(t) for t in plan.training],
            "inference": [dataclass_dict(w) for w in plan.inference],
        },
        "placement": dataclass_dict(plan.placement),
        "storage": dataclass_dict(plan.storage),
        "network": dataclass_dict(plan.network),
        "security": dataclass_dict(plan.security),
        "edge": _edge(plan),
        "replicas": [dataclass_dict(r) for r in plan.replicas],
        "counts": plan.counts(),
        "cost": to_plain(cost_to_dict(plan.cost)),
        "warnings": list(plan.warnings),
        "sources": to_plain(dict(plan.catalog_source)),
    }
    return data
