"""Diff of two `aidc plan --json` documents: what a pull request does to one stack.

`diff_plans(base, head)` compares resources by URN (added, removed, changed with the changed input paths and
their before/after values), the summary counts (GPU nodes, OSDs, tunnels, edge nodes), resources by type, the
monthly cost per component and total, and policy violations. Secrets stay "[secret]": a value shown as a
secret on either side is never revealed, and Pulumi's secret envelope is masked if one slips through.

Renderers: `render_text` (terminal), `render_json` (canonical: sorted keys, money in cents, same input → same
bytes) and, in diff_markdown.py, `render_markdown` (pull-request comment); formats.py registers them for
`aidc plan --diff --format`. Pure functions over plain dicts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECRET = "[secret]"
ABSENT = "[absent]"
# The key/value Pulumi uses to mark a secret in serialized property maps.
_PULUMI_SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")

COUNT_KEYS: tuple[str, ...] = ("gpu_nodes_public", "gpu_nodes_private", "osds", "vpn_tunnels", "edge_nodes")
_REQUIRED_KEYS: tuple[str, ...] = ("stack", "resources", "summary")


@dataclass(frozen=True)
class InputChange:
    """One changed input of a resource: its path (`spec.replicated.size`) and both values."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ResourceRef:
    """A resource added or removed."""

    urn: str
    type: str
    name: str


@dataclass(frozen=True)
class ResourceChange:
    """A resource present on both sides whose inputs (or parent) differ."""

    urn: str
    type: str
    name: str
    changes: tuple[InputChange, ...]


@dataclass(frozen=True)
class Delta:
    """A number before and after (a count, or USD/month)."""

    key: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Violation:
    """A policy violation, as the plan reports it."""

    policy: str
    enforcement: str
    urn: str
    message: str


@dataclass(frozen=True)
class PlanDiff:
    """Everything a reviewer needs to see about one stack's change."""

    base_stack: str
    stack: str
    resources_before: int
    resources_after: int
    added: tuple[ResourceRef, ...]
    removed: tuple[ResourceRef, ...]
    changed: tuple[ResourceChange, ...]
    counts: tuple[Delta, ...]
    by_type: tuple[Delta, ...]  # only types whose count changed
    cost: tuple[Delta, ...]  # per component, USD/month
    cost_total: Delta
    violations_added: tuple[Violation, ...]
    violations_removed: tuple[Violation, ...]
    price_source: str = ""
    price_as_of: str = ""
    not_priced: tuple[str, ...] = field(default=())
    # The total at baseline load (autoscaled groups at their min) and at peak (= the total); a plan made before
    # ranges has neither, and its baseline is its total.
    cost_baseline: Delta | None = None
    cost_peak: Delta | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing a reviewer would care about changed."""
        return not (
            self.added
            or self.removed
            or self.changed
            or self.by_type
            or self.violations_added
            or self.violations_removed
            or any(d.delta for d in self.counts)
            or any(round(d.delta, 2) for d in self.cost)
            or round(self.cost_total.delta, 2)
            or (self.cost_baseline is not None and round(self.cost_baseline.delta, 2))
        )


def load_plan_json(path: str | Path) -> dict[str, Any]:
    """Read an `aidc plan --json` file; ValueError names the file and what is wrong with it (a binary or
    non-UTF-8 file, JSON nested or sized beyond any plan, or a document not shaped like a plan)."""
    from aidc.documents import DocumentError, load_json

    try:
        document = load_json(path, "an `aidc plan --json` file")
    except DocumentError as exc:
        raise ValueError(f"--diff: {exc}") from None
    check_plan_document(document, f"--diff: {path}")
    return document


_TEXT = (str,)
_NUMBER = (int, float)


def _shape_problem(document: Any) -> str | None:
    """The first place where `document` is not shaped like `aidc plan --json` output, or None. Every value
    diff_plans reads is checked for its type, so a hand-edited or foreign file cannot crash the diff."""
    if not isinstance(document, dict):
        return f"expected a JSON object from `aidc plan --json`, got {type(document).__name__}"
    missing = [k for k in _REQUIRED_KEYS if k not in document]
    if missing:
        return (
            f"missing key(s) {', '.join(missing)}; an `aidc plan --json` document has "
            f"{', '.join(_REQUIRED_KEYS)}, policy and plan"
        )
    if not isinstance(document["stack"], str):
        return f"stack must be a string, got {type(document['stack']).__name__}"
    if not isinstance(document["resources"], list):
        return "resources must be a list of {urn, type, name, parent, inputs}"
    for i, resource in enumerate(document["resources"]):
        if not isinstance(resource, dict) or not isinstance(resource.get("urn"), str):
            return f"resources[{i}] has no urn (a string)"
        for key, kinds in (("type", _TEXT), ("name", _TEXT), ("parent", (str, type(None)))):
            if key in resource and not isinstance(resource[key], kinds):
                return f"resources[{i}].{key} must be a string, got {type(resource[key]).__name__}"
        if not isinstance(resource.get("inputs") or {}, dict):
            return f"resources[{i}].inputs must be an object, got {type(resource['inputs']).__name__}"
    summary = document["summary"] or {}
    if not isinstance(summary, dict):
        return f"summary must be an object, got {type(summary).__name__}"
    for key in ("counts", "by_type"):
        table = summary.get(key) or {}
        if not isinstance(table, dict):
            return f"summary.{key} must be an object, got {type(table).__name__}"
        for name, value in table.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, _NUMBER)):
                return f"summary.{key}.{name} must be a number, got {type(value).__name__}"
    cost = summary.get("cost") or {}
    if not isinstance(cost, dict):
        return f"summary.cost must be an object, got {type(cost).__name__}"
    components = cost.get("components") or {}
    if not isinstance(components, dict):
        return f"summary.cost.components must be an object, got {type(components).__name__}"
    for name, value in components.items():
        amount = value.get("usd_per_month") if isinstance(value, dict) else value
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, _NUMBER)):
            return f"summary.cost.components.{name}.usd_per_month must be a number"
    total = cost.get("total_usd_per_month")
    if total is not None and (isinstance(total, bool) or not isinstance(total, _NUMBER)):
        return f"summary.cost.total_usd_per_month must be a number, got {type(total).__name__}"
    for key in ("price_source", "price_as_of"):
        if key in cost and not isinstance(cost[key], (str, type(None))):
            return f"summary.cost.{key} must be a string"
    if not isinstance(cost.get("not_priced") or [], list):
        return "summary.cost.not_priced must be a list"
    policy = document.get("policy") or {}
    if not isinstance(policy, dict):
        return f"policy must be an object, got {type(policy).__name__}"
    violations = policy.get("violations") or []
    if not isinstance(violations, list):
        return f"policy.violations must be a list, got {type(violations).__name__}"
    for i, violation in enumerate(violations):
        if not isinstance(violation, dict):
            return f"policy.violations[{i}] must be an object, got {type(violation).__name__}"
    return None


def check_plan_document(document: Any, where: str = "plan") -> None:
    """ValueError unless `document` has the `aidc plan --json` shape this module reads."""
    if problem := _shape_problem(document):
        raise ValueError(f"{where}: {problem}; give an `aidc plan --json` file")


def mask_secrets(value: Any) -> Any:
    """`value` with every Pulumi secret envelope replaced by "[secret]"."""
    if isinstance(value, dict):
        if value.get(_PULUMI_SECRET_SIG[0]) == _PULUMI_SECRET_SIG[1]:
            return SECRET
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")


def _join(path: str, key: str) -> str:
    part = key if _PLAIN_KEY.match(key) else json.dumps(key)
    if not _PLAIN_KEY.match(key):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _diff_values(path: str, before: Any, after: Any, out: list[InputChange]) -> None:
    if before == after and type(before) is type(after):
        return
    if before == SECRET or after == SECRET:
        # Both secret: nothing can be said (and nothing is revealed). One side secret: show the marker.
        if before != after:
            out.append(InputChange(path or "(inputs)", before, after))
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            _diff_values(_join(path, str(key)), before.get(key, ABSENT), after.get(key, ABSENT), out)
        return
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            _diff_values(f"{path}[{i}]", b, a, out)
        return
    if before == after:  # 1 vs 1.0: the same number, not a change
        return
    out.append(InputChange(path or "(inputs)", before, after))


def diff_inputs(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[InputChange, ...]:
    """Changed input paths between two input maps, sorted by path, secrets masked."""
    out: list[InputChange] = []
    _diff_values("", mask_secrets(dict(before)), mask_secrets(dict(after)), out)
    return tuple(sorted(out, key=lambda c: c.path))


def _by_urn(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in document.get("resources", [])}


def _ref(resource: Mapping[str, Any]) -> ResourceRef:
    return ResourceRef(resource["urn"], str(resource.get("type", "")), str(resource.get("name", "")))


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return 0.0 if math.isnan(value) or math.isinf(value) else float(value)


def _cost_of(document: Mapping[str, Any]) -> dict[str, Any]:
    return dict((document.get("summary") or {}).get("cost") or {})


def _component_costs(cost: Mapping[str, Any]) -> dict[str, float]:
    components = cost.get("components") or {}
    out: dict[str, float] = {}
    for name, value in components.items():
        out[str(name)] = _number(value.get("usd_per_month") if isinstance(value, dict) else value)
    return out


def _violations(document: Mapping[str, Any]) -> set[Violation]:
    found = (document.get("policy") or {}).get("violations") or []
    return {
        Violation(
            str(v.get("policy", "")),
            str(v.get("enforcement", "")),
            str(v.get("urn", "")),
            str(v.get("message", "")),
        )
        for v in found
    }


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> PlanDiff:
    """What changes from `base` to `head` (two `aidc plan --json` documents)."""
    check_plan_document(base, "base plan")
    check_plan_document(head, "head plan")
    before, after = _by_urn(base), _by_urn(head)
    added = tuple(_ref(after[u]) for u in sorted(set(after) - set(before)))
    removed = tuple(_ref(before[u]) for u in sorted(set(before) - set(after)))
    changed: list[ResourceChange] = []
    for urn in sorted(set(before) & set(after)):
        b, a = before[urn], after[urn]
        changes = list(diff_inputs(b.get("inputs") or {}, a.get("inputs") or {}))
        if b.get("parent") != a.get("parent"):
            changes.insert(0, InputChange("(parent)", b.get("parent"), a.get("parent")))
        if changes:
            changed.append(
                ResourceChange(urn, str(a.get("type", "")), str(a.get("name", "")), tuple(changes))
            )

    base_summary, head_summary = base.get("summary") or {}, head.get("summary") or {}
    base_counts, head_counts = base_summary.get("counts") or {}, head_summary.get("counts") or {}
    # The headline counts first, then the others in the plan's own order (each public cloud's after the core's).
    count_keys = list(dict.fromkeys([*COUNT_KEYS, *head_counts, *sorted(base_counts)]))
    counts = tuple(
        Delta(k, _number(base_counts.get(k, 0)), _number(head_counts.get(k, 0))) for k in count_keys
    )
    base_types, head_types = base_summary.get("by_type") or {}, head_summary.get("by_type") or {}
    by_type = tuple(
        Delta(t, _number(base_types.get(t, 0)), _number(head_types.get(t, 0)))
        for t in sorted(set(base_types) | set(head_types))
        if _number(base_types.get(t, 0)) != _number(head_types.get(t, 0))
    )

    base_cost, head_cost = _cost_of(base), _cost_of(head)
    base_components, head_components = _component_costs(base_cost), _component_costs(head_cost)
    # Components in head's order (the cost model's order), then any that only the base has.
    component_names = [*head_components, *(c for c in base_components if c not in head_components)]
    cost = tuple(Delta(c, base_components.get(c, 0.0), head_components.get(c, 0.0)) for c in component_names)
    cost_total = Delta(
        "total",
        _number(base_cost.get("total_usd_per_month", 0.0)),
        _number(head_cost.get("total_usd_per_month", 0.0)),
    )
    cost_baseline = Delta(
        "at baseline",
        _number(base_cost.get("baseline_usd_per_month", base_cost.get("total_usd_per_month", 0.0))),
        _number(head_cost.get("baseline_usd_per_month", head_cost.get("total_usd_per_month", 0.0))),
    )
    cost_peak = Delta("at peak", cost_total.before, cost_total.after)
    base_violations, head_violations = _violations(base), _violations(head)
    order = lambda v: (v.urn, v.policy, v.message)  # noqa: E731
    return PlanDiff(
        base_stack=str(base.get("stack", "")),
        stack=str(head.get("stack", "")),
        resources_before=len(before),
        resources_after=len(after),
        added=added,
        removed=removed,
        changed=tuple(changed),
        counts=counts,
        by_type=by_type,
        cost=cost,
        cost_total=cost_total,
        violations_added=tuple(sorted(head_violations - base_violations, key=order)),
        violations_removed=tuple(sorted(base_violations - head_violations, key=order)),
        price_source=str(head_cost.get("price_source", "")),
        price_as_of=str(head_cost.get("price_as_of", "")),
        not_priced=tuple(str(n) for n in head_cost.get("not_priced") or ()),
        cost_baseline=cost_baseline,
        cost_peak=cost_peak,
    )


# ---------------------------------------------------------------------------------------------- rendering


def fmt_value(value: Any) -> str:
    """A value for people: JSON for structures, plain for scalars, stable for floats."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def fmt_count(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def fmt_signed(value: float, money: bool = False) -> str:
    if money:
        value = round(value, 2)
        text = f"{abs(value):,.2f}"
    else:
        text = fmt_count(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"-{text}"
    return "0" if not money else "0.00"


def fmt_pct(delta: Delta) -> str:
    if round(delta.delta, 2) == 0:
        return ""
    if not delta.before:
        return "new" if delta.after else ""
    return f"{delta.delta / delta.before * 100:+.1f}%"


def render_text(diff: PlanDiff) -> str:
    """Plain text for a terminal or a CI log."""
    lines = [
        f"aidc plan diff: stack {diff.stack}"
        + (f" (base stack {diff.base_stack})" if diff.base_stack != diff.stack else "")
    ]
    if diff.is_empty:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    lines.append(
        f"resources: {diff.resources_before} -> {diff.resources_after}  "
        f"(+{len(diff.added)} added, ~{len(diff.changed)} changed, -{len(diff.removed)} removed)"
    )
    lines.append("counts:")
    width = max((len(d.key) for d in diff.counts), default=0)
    for d in diff.counts:
        lines.append(
            f"  {d.key:<{width}}  {fmt_count(d.before)} -> {fmt_count(d.after)}  ({fmt_signed(d.delta)})"
        )
    source = (
        f"prices: {diff.price_source} as of {diff.price_as_of}" if diff.price_source else "prices: unknown"
    )
    lines.append(f"monthly cost (USD; {source}; 730 h/month):")
    totals = [diff.cost_total] + [d for d in (diff.cost_baseline, diff.cost_peak) if d is not None]
    width = max((len(d.key) for d in (*diff.cost, *totals)), default=0)
    for d in (*diff.cost, *totals):
        lines.append(
            f"  {d.key:<{width}}  {d.before:,.2f} -> {d.after:,.2f}  ({fmt_signed(d.delta, money=True)}"
            + (f", {fmt_pct(d)}" if fmt_pct(d) else "")
            + ")"
        )
    if diff.by_type:
        lines.append("resources by type:")
        for d in diff.by_type:
            lines.append(f"  {d.key}  {fmt_count(d.before)} -> {fmt_count(d.after)}  ({fmt_signed(d.delta)})")
    for ref in diff.added:
        lines.append(f"+ {ref.urn}")
    for ref in diff.removed:
        lines.append(f"- {ref.urn}")
    for change in diff.changed:
        lines.append(f"~ {change.urn}")
        for c in change.changes:
            lines.append(f"    {c.path}: {fmt_value(c.before)} -> {fmt_value(c.after)}")
    for v in diff.violations_added:
        lines.append(f"! new policy violation [{v.enforcement}] {v.policy}: {v.message} ({v.urn})")
    for v in diff.violations_removed:
        lines.append(f"  resolved policy violation [{v.enforcement}] {v.policy}: {v.message} ({v.urn})")
    return "\n".join(lines) + "\n"


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _money(delta: Delta) -> dict[str, Any]:
    return {"before": round(delta.before, 2), "after": round(delta.after, 2), "delta": round(delta.delta, 2)}


def _count(delta: Delta) -> dict[str, Any]:
    def n(x: float) -> int | float:
        return int(x) if float(x).is_integer() else x

    return {"before": n(delta.before), "after": n(delta.after), "delta": n(delta.delta)}


def diff_to_dict(diff: PlanDiff) -> dict[str, Any]:
    """The diff as plain data (what `render_json` prints)."""
    from aidc.sizing.serialize import SCHEMA_VERSION

    return _canonical(
        {
            "schema_version": SCHEMA_VERSION,
            "stack": diff.stack,
            "base_stack": diff.base_stack,
            "empty": diff.is_empty,
            "resources": {
                "before": diff.resources_before,
                "after": diff.resources_after,
                "added": [{"urn": r.urn, "type": r.type, "name": r.name} for r in diff.added],
                "removed": [{"urn": r.urn, "type": r.type, "name": r.name} for r in diff.removed],
                "changed": [
                    {
                        "urn": c.urn,
                        "type": c.type,
                        "name": c.name,
                        "changes": [
                            {"path": i.path, "before": i.before, "after": i.after} for i in c.changes
                        ],
                    }
                    for c in diff.changed
                ],
                "by_type": {d.key: _count(d) for d in diff.by_type},
            },
            "counts": {d.key: _count(d) for d in diff.counts},
            "cost": {
                "currency": "USD",
                "period": "month (730 h)",
                "price_source": diff.price_source,
                "price_as_of": diff.price_as_of,
                "components": {d.key: _money(d) for d in diff.cost},
                "total": _money(diff.cost_total),
                "not_priced": list(diff.not_priced),
            },
            "policy": {
                "added": [v.__dict__ for v in diff.violations_added],
                "removed": [v.__dict__ for v in diff.violations_removed],
            },
        }
    )


def render_json(diff: PlanDiff) -> str:
    """Canonical JSON: sorted keys, two-space indent, money in cents, a trailing newline."""
    return (
        json.dumps(diff_to_dict(diff), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    )


@dataclass(frozen=True)
class DiffDocument:
    """What `aidc plan --diff` renders: the diff, and the head plan document (markdown draws its topology)."""

    diff: PlanDiff
    head: Mapping[str, Any] | None = None
    # An estate: per stack, what the diff adds, changes and removes (aidc.estate.report.changes_by_stack).
    stacks: tuple[Mapping[str, Any], ...] = ()
