"""JSON Schemas (2020-12) of the documents the CLI prints: `aidc size --json`, `aidc plan --json` and
`aidc preflight --json`, published under docs/schemas/ (scripts/docs writes them; tests fail when a committed
file differs from what this module gives, and validate every shipped stack's real output against them).

The size document's schema is derived from the plan's dataclasses exactly as the document is
(aidc/sizing/serialize.py: every field under its name, `SHAPES` for the exceptions), so the two cannot drift;
the parts built by hand (cost, sources, the plan's resources, preflight checks) are described here by hand.
Objects list every key they always carry as `required` and admit keys not listed: a key added later is not a
breaking change (DESIGN.md), a removed or renamed one raises `schema_version` (CHANGELOG.md).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

from aidc.clouds import interconnect_of
from aidc.contract import PUBLIC_CLOUDS
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    EdgeSitePlan,
    InferenceSizing,
    InterconnectPlan,
    NetworkPlan,
    Offer,
    Placement,
    ReplicaRange,
    SecurityPlan,
    StoragePlan,
    TrainingSizing,
)
from aidc.sizing.serialize import SCHEMA_VERSION, SHAPES

BASE_ID = "https://aidc.invalid/schemas/"  # names, not places to fetch from
DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Types of the keys `SHAPES` computes (the document's other keys take their field's type).
EXTRA_TYPES: Mapping[str, Mapping[str, Any]] = {
    "InferenceSizing": {"throughput_estimated": bool},
    "PublicGroup": {"name": str, "min": int, "desired": int, "max": int, "autoscaled": bool},
    "Placement": {"private_gpus": int, "public_gpus": int, "public_instances": dict[str, int]},
    "StoragePlan": {"pg_num": dict[str, int]},
    "NetworkPlan": {"interconnect_gbps": float},
    "DirectConnectPlan": {"unit": str},
    "PathHop": {"ok": bool},
}
# A float may be non-finite in the plan (an unbounded tier); the document shows that as null.
NUMBER: dict[str, Any] = {"type": ["number", "null"]}
FIGURE: dict[str, Any] = {
    "type": "object",
    "required": ["value", "unit", "formula", "inputs"],
    "properties": {
        "value": NUMBER,
        "unit": {"type": "string"},
        "formula": {"type": "string"},
        "inputs": {"type": "object"},
    },
}


def _cloud_interconnect_plans() -> list[type]:
    """Each registered cloud's own interconnect plan (aidc/clouds/<cloud>/interconnect.py: the InterconnectPlan
    subclass it defines), in the clouds' order: `network.interconnects[]` holds one of them, or the base."""
    found: list[type] = []
    for cloud in PUBLIC_CLOUDS:
        module = interconnect_of(cloud)
        if module is None:
            continue
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, InterconnectPlan)
            and value is not InterconnectPlan
            and value.__module__ == module.__name__  # type: ignore[attr-defined]
        ]
    return found


# A field whose type is a base dataclass holds any of these (the document shows the subclass's own keys).
SUBCLASSES: Mapping[type, Any] = {InterconnectPlan: _cloud_interconnect_plans}


class _Defs:
    """The $defs of one schema, filled as dataclasses are met."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {"Figure": FIGURE}

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: a dataclass may refer to itself
            self.defs[name] = self._dataclass(cls)
        return {"$ref": f"#/$defs/{name}"}

    def _dataclass(self, cls: type) -> dict[str, Any]:
        shape = SHAPES.get(cls)
        hints = typing.get_type_hints(cls)
        props: dict[str, Any] = {}
        has_figures = False
        for f in dataclasses.fields(cls):
            if shape is not None and f.name in shape.omit:
                continue
            key = shape.rename.get(f.name, f.name) if shape is not None else f.name
            has_figures |= _holds_figure(hints[f.name])
            props[key] = self.of(hints[f.name])
        for key, tp in EXTRA_TYPES.get(cls.__name__, {}).items():
            props[key] = self.of(tp)
        if has_figures or (shape is not None and shape.extra_why is not None):
            props["why"] = {"type": "object", "additionalProperties": {"$ref": "#/$defs/Figure"}}
        required = [k for k in props if k != "why"]
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        described = (
            {"description": " ".join(doc.split())} if doc and not doc.startswith(cls.__name__ + "(") else {}
        )
        return {"type": "object", **described, "required": required, "properties": props}

    def of(self, tp: Any) -> dict[str, Any]:
        """The schema of a value of type `tp` as the document shows it."""
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is Figure:
            return {"type": "number"}  # the figure's value; its explanation is under `why`
        if tp is Any:
            return {}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return NUMBER
        if tp is str:
            return {"type": "string"}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if origin in (typing.Union, types.UnionType):
            options = [self.of(a) for a in args if a is not type(None)]
            nullable = type(None) in args
            merged = options[0] if len(options) == 1 else {"anyOf": options}
            return {"anyOf": [merged, {"type": "null"}]} if nullable else merged
        if origin in (tuple, list, frozenset):
            return {"type": "array", "items": self.of(args[0]) if args else {}}
        if origin in (dict, Mapping) or tp in (dict, Mapping):
            return {"type": "object", "additionalProperties": self.of(args[1]) if args else {}}
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            if tp in SUBCLASSES:
                return {"anyOf": [self.ref(sub) for sub in (*SUBCLASSES[tp](), tp)]}
            return self.ref(tp)
        if isinstance(tp, type) and issubclass(tp, str):  # a StrEnum
            return {"type": "string"}
        raise TypeError(f"no JSON schema for {tp!r}: teach aidc/output/schemas.py the type")


def _holds_figure(tp: Any) -> bool:
    return tp is Figure or any(_holds_figure(a) for a in typing.get_args(tp))


def _cost() -> dict[str, Any]:
    """`cost` (aidc.sizing.cost.cost_to_dict): built by hand, so described by hand."""
    line = {
        "type": "object",
        "required": ["item", "usd_per_month", "formula", "inputs"],
        "properties": {
            "item": {"type": "string"},
            "usd_per_month": {"type": "number"},
            "formula": {"type": "string"},
            "inputs": {"type": "object"},
        },
    }
    component = {
        "type": "object",
        "required": ["location", "usd_per_month", "lines"],
        "properties": {
            "location": {"type": "string"},
            "usd_per_month": {"type": "number"},
            "lines": {"type": "array", "items": line},
        },
    }
    money = {"type": "object", "additionalProperties": {"type": "number"}}
    return {
        "type": "object",
        "required": ["currency", "hours_per_month", "price_source", "price_as_of", "components",
                     "total_usd_per_month", "node_groups", "reservations", "not_priced"],
        "properties": {
            "stack": {"type": "string"},
            "currency": {"const": "USD"},
            "hours_per_month": {"type": "integer"},
            "price_source": {"type": "string"},
            "price_as_of": {"type": "string"},
            "spot_source": {"type": "string"},
            "service_prices": {"type": "object"},
            "components": {"type": "object", "additionalProperties": component},
            "transfer_prices": {"type": "object"},
            "node_groups": money,
            "node_groups_baseline": money,
            "reservations": {"type": "object"},
            "total_usd_per_month": {"type": "number"},
            "baseline_usd_per_month": {"type": "number"},
            "peak_usd_per_month": {"type": "number"},
            "ceiling_usd_per_month": {"type": ["number", "null"]},
            "over_ceiling": {"type": "boolean"},
            "not_priced": {"type": "array", "items": {"type": "string"}},
        },
    }  # fmt: skip


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def size_schema() -> dict[str, Any]:
    """The schema of `aidc size --json` (and of `plan` in `aidc plan --json`)."""
    defs = _Defs()
    count = {"type": "integer"}
    props = {
        "schema_version": {"const": SCHEMA_VERSION},
        "stack": {"type": "string"},
        "clouds": _array({"type": "string"}),
        "offers": _array(defs.ref(Offer)),
        "compute": {
            "type": "object",
            "required": ["training", "inference"],
            "properties": {
                "training": _array(defs.ref(TrainingSizing)),
                "inference": _array(defs.ref(InferenceSizing)),
            },
        },
        "placement": defs.ref(Placement),
        "storage": defs.ref(StoragePlan),
        "network": defs.ref(NetworkPlan),
        "security": defs.ref(SecurityPlan),
        "edge": {
            "type": "object",
            "required": ["sites", "nodes", "gpus"],
            "properties": {"sites": _array(defs.ref(EdgeSitePlan)), "nodes": count, "gpus": count},
        },
        "replicas": _array(defs.ref(ReplicaRange)),
        "counts": {"type": "object", "additionalProperties": count},
        "cost": _cost(),
        "warnings": _array({"type": "string"}),
        "sources": {"type": "object", "required": ["prices", "prices_as_of"]},
        "estate": {  # a shard stack's document: the estate's plan with the shard's sites only
            "type": "object",
            "required": ["core", "shard"],
            "properties": {"core": {"type": "string"}, "shard": count},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "size.schema.json",
        "title": "aidc size --json",
        "description": "What the demand needs and why: every sized figure as a value, and with its formula and "
        "inputs under the `why` of the object that holds it.",
        "type": "object",
        "required": [k for k in props if k != "estate"],
        "properties": props,
        "$defs": defs.defs,
    }


def _resource() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["urn", "type", "name", "parent", "inputs"],
        "properties": {
            "urn": {"type": "string"},
            "type": {"type": "string", "description": "the Pulumi type token, e.g. aws:ec2/vpc:Vpc"},
            "name": {"type": "string"},
            "parent": {"type": ["string", "null"]},
            "inputs": {
                "type": "object",
                "description": 'engine (camelCase) inputs; every secret is "[secret]"',
            },
        },
    }


def _violation() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["policy", "enforcement", "urn", "message"],
        "properties": {
            "policy": {"type": "string"},
            "enforcement": {"enum": ["mandatory", "advisory", "disabled"]},
            "urn": {"type": ["string", "null"], "description": "null: the stack as a whole"},
            "message": {"type": "string"},
        },
    }


def _estate() -> dict[str, Any]:
    count = {"type": "integer"}
    row = {
        "type": "object",
        "required": ["stack", "role", "shard", "sites", "resources", "violations"],
        "properties": {
            "stack": {"type": "string"},
            "role": {"enum": ["core", "shard"]},
            "shard": {"type": ["integer", "null"]},
            "sites": count,
            "resources": count,
            "violations": count,
        },
    }
    return {
        "type": "object",
        "description": "an estate core: per stack and in total; a shard planned alone: its core, shard and sites",
        "required": ["core"],
        "properties": {
            "core": {"type": "string"},
            "max_sites_per_stack": {"type": ["integer", "null"]},
            "stacks": _array(row),
            "total": {"type": "object", "additionalProperties": count},
            "shard": count,
            "sites": _array({"type": "string"}),
        },
    }


def plan_schema() -> dict[str, Any]:
    """The schema of `aidc plan --json`."""
    count = {"type": "integer"}
    shard = {
        "type": "object",
        "required": ["stack", "shard", "sites", "resources", "exports", "summary", "policy"],
        "properties": {
            "stack": {"type": "string"},
            "shard": count,
            "sites": _array({"type": "string"}),
            "resources": _array({"$ref": "#/$defs/resource"}),
            "exports": {"type": "object"},
            "summary": {"type": "object", "required": ["resources", "by_type"]},
            "policy": {"$ref": "#/$defs/policy"},
        },
    }
    props = {
        "schema_version": {"const": SCHEMA_VERSION},
        "stack": {"type": "string"},
        "resources": _array({"$ref": "#/$defs/resource"}),
        "exports": {"type": "object", "description": 'the stack\'s outputs; secret ones are "[secret]"'},
        "summary": {
            "type": "object",
            "required": ["resources", "by_type", "counts", "cost"],
            "properties": {
                "resources": count,
                "by_type": {"type": "object", "additionalProperties": count},
                "counts": {"type": "object", "additionalProperties": count},
                "cost": {"$ref": "size.schema.json#/properties/cost"},
            },
        },
        "policy": {"$ref": "#/$defs/policy"},
        "plan": {"$ref": "size.schema.json"},
        "warnings": _array({"type": "string"}),
        "estate": _estate(),
        "shards": {"type": "object", "additionalProperties": shard},
    }
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "plan.schema.json",
        "title": "aidc plan --json",
        "description": "Every resource the stack program registers offline (type token, name, parent, inputs with "
        'secrets shown as "[secret]"), the policy violations, a summary, and the size document it was planned '
        "from (`plan`). An estate core adds `estate` and `shards`.",
        "type": "object",
        "required": [k for k in props if k not in ("estate", "shards")],
        "properties": props,
        "$defs": {
            "resource": _resource(),
            "policy": {
                "type": "object",
                "required": ["violations"],
                "properties": {"violations": _array(_violation())},
            },
        },
    }


def preflight_schema() -> dict[str, Any]:
    """The schema of `aidc preflight --json` (aidc/preflight/report.py)."""
    from aidc.preflight.report import CLOUDS
    from aidc.preflight.report import SCHEMA_VERSION as PREFLIGHT_VERSION

    check = {
        "type": "object",
        "required": ["cloud", "name", "target", "ok", "detail", "figures", "hint"],
        "properties": {
            "cloud": {"enum": list(CLOUDS)},
            "name": {
                "type": "string",
                "description": "the check, e.g. instance-offering, vcpu-quota, flavor",
            },
            "target": {"type": "string", "description": "what was checked"},
            "ok": {"type": "boolean"},
            "detail": {
                "type": "string",
                "description": "what was found: the service's own message on failure",
            },
            "figures": {"type": "object", "description": "the numbers behind the verdict"},
            "hint": {"type": "string", "description": "how to fix a failure; empty when the check passed"},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "preflight.schema.json",
        "title": "aidc preflight --json",
        "description": "Live read-only checks before `pulumi up`: one entry per check, and whether all passed.",
        "type": "object",
        "required": ["schema_version", "checks", "ok"],
        "properties": {
            "schema_version": {"const": PREFLIGHT_VERSION},
            "checks": _array(check),
            "ok": {"type": "boolean"},
        },
    }


def catalog_refresh_schema() -> dict[str, Any]:
    """The schema of `aidc catalog refresh --json` (aidc/commands/catalog.py)."""
    from aidc.commands.catalog import SCHEMA_VERSION as REFRESH_VERSION
    from aidc.contract import PUBLIC_CLOUDS

    changed = {
        "type": "object",
        "required": ["instance_type", "old", "new"],
        "properties": {
            "instance_type": {"type": "string", "description": "as its cloud spells it"},
            "old": {"type": "number", "description": "USD per hour before (0: not in the snapshot)"},
            "new": {"type": "number", "description": "USD per hour read from the price-list API"},
        },
    }
    kept = {
        "type": "object",
        "required": ["instance_type", "reason"],
        "properties": {
            "instance_type": {"type": "string"},
            "reason": {"type": "string", "description": "why the snapshot's price was kept, and that price"},
        },
    }
    report = {
        "type": "object",
        "required": ["cloud", "file", "dry_run", "as_of", "prices", "changed", "kept"],
        "properties": {
            "cloud": {"enum": list(PUBLIC_CLOUDS)},
            "file": {
                "type": ["string", "null"],
                "description": "where the snapshot was written; null on --dry-run",
            },
            "dry_run": {"type": "boolean"},
            "as_of": {
                "type": "string",
                "description": "the date of the snapshot's oldest price (YYYY-MM[-DD])",
            },
            "prices": {"type": "integer", "minimum": 0, "description": "instance prices in the snapshot"},
            "changed": _array(changed),
            "kept": _array(kept),
        },
    }
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "catalog-refresh.schema.json",
        "title": "aidc catalog refresh --json",
        "description": "Each public cloud's price snapshot read anew from its price-list API: what moved, what was kept.",
        "type": "object",
        "required": ["schema_version", "refreshed"],
        "properties": {"schema_version": {"const": REFRESH_VERSION}, "refreshed": _array(report)},
    }


SCHEMAS = {
    "size": size_schema,
    "plan": plan_schema,
    "preflight": preflight_schema,
    "catalog-refresh": catalog_refresh_schema,
}
"""File stem under docs/schemas/ (`<stem>.schema.json`) -> the function that builds it."""
