"""An estate's plan as documents: one per stack (the shape `aidc plan --json` has for a single stack), the estate
document that holds them with per-stack and total figures, and the data a diff of an estate needs (one document
with every stack's resources; which stacks a diff touches). Rendering is aidc/output/estate.py's.

Pure functions over plain dicts, apart from `estate_document`, which takes the planned `EstatePlan`. Timings and
memory are not in the documents (the same plan gives the same bytes); `aidc plan` prints them, the benchmark
records them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from aidc.estate.offline import EstatePlan, StackResult


def _by_type(resources: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return dict(sorted(Counter(str(r["type"]) for r in resources).items()))


def _resources(result: StackResult) -> list[dict[str, Any]]:
    return [{k: r[k] for k in ("urn", "type", "name", "parent", "inputs")} for r in result.offline.resources]


def shard_document(result: StackResult) -> dict[str, Any]:
    resources = _resources(result)
    return {
        "stack": result.stack,
        "shard": result.shard,
        "sites": list(result.sites),
        "resources": resources,
        "exports": result.offline.exports,
        "summary": {"resources": len(resources), "by_type": _by_type(resources)},
        "policy": {"violations": result.violations},
    }


def estate_section(estate: EstatePlan, max_sites_per_stack: int | None) -> dict[str, Any]:
    stacks: list[dict[str, Any]] = [
        {
            "stack": result.stack,
            "role": result.role,
            "shard": result.shard,
            "sites": len(result.sites),
            "resources": len(result.offline.resources),
            "violations": len(result.violations),
        }
        for result in (estate.core, *estate.shards)
    ]
    return {
        "core": estate.core.stack,
        "max_sites_per_stack": max_sites_per_stack,
        "stacks": stacks,
        "total": {
            "stacks": len(stacks),
            "resources": sum(int(s["resources"]) for s in stacks),
            "sites": sum(int(s["sites"]) for s in stacks),
            "max_resources_per_stack": max(int(s["resources"]) for s in stacks),
        },
    }


def estate_document(
    core_document: dict[str, Any], estate: EstatePlan, max_sites: int | None
) -> dict[str, Any]:
    """The core's document, plus `estate` (per stack and total) and `shards` (each shard's own document); the
    policy violations of every stack are listed together, so one mandatory violation anywhere fails the plan."""
    shards = {result.stack: shard_document(result) for result in estate.shards}
    document = dict(core_document)
    document["estate"] = estate_section(estate, max_sites)
    document["shards"] = shards
    document["policy"] = {
        "violations": [
            *core_document["policy"]["violations"],
            *(v for shard in shards.values() for v in shard["policy"]["violations"]),
        ]
    }
    return document


def flatten(document: Mapping[str, Any]) -> dict[str, Any]:
    """One document holding every stack's resources (URNs name their stack), for `aidc plan --diff`: an estate
    diffs as a whole, and a plain stack's document comes back unchanged."""
    shards = document.get("shards") or {}
    if not shards:
        return dict(document)
    resources = [*document["resources"], *(r for shard in shards.values() for r in shard["resources"])]
    flat = {k: v for k, v in document.items() if k != "shards"}
    flat["resources"] = resources
    flat["summary"] = {**document["summary"], "resources": len(resources), "by_type": _by_type(resources)}
    return flat


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:")


def changes_by_stack(diff: Any, base: Mapping[str, Any], head: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per stack of base or head: resources added / changed / removed and sites before and after, in stack order
    (core first), so a comment can say which shards a change touches."""
    rows: dict[str, dict[str, Any]] = {}

    def row(stack: str) -> dict[str, Any]:
        return rows.setdefault(stack, {"stack": stack, "added": 0, "changed": 0, "removed": 0})

    for ref in diff.added:
        row(stack_of(ref.urn))["added"] += 1
    for change in diff.changed:
        row(stack_of(change.urn))["changed"] += 1
    for ref in diff.removed:
        row(stack_of(ref.urn))["removed"] += 1
    order = [s["stack"] for s in (head.get("estate") or {}).get("stacks", [])]
    order += [s["stack"] for s in (base.get("estate") or {}).get("stacks", []) if s["stack"] not in order]
    order += sorted(stack for stack in rows if stack not in order)
    sites = {
        side: {s["stack"]: s["sites"] for s in (doc.get("estate") or {}).get("stacks", [])}
        for side, doc in (("base", base), ("head", head))
    }
    out = []
    for stack in order:
        item = dict(rows.get(stack) or {"stack": stack, "added": 0, "changed": 0, "removed": 0})
        item["sites_before"] = sites["base"].get(stack, 0)
        item["sites_after"] = sites["head"].get(stack, 0)
        item["touched"] = bool(item["added"] or item["changed"] or item["removed"])
        out.append(item)
    return out
