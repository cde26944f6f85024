"""Markdown of a plan diff for a pull-request comment: one comment per stack, found again by its hidden marker
(`<!-- aidc-plan:STACK -->`) and updated in place on every push.

Holds: the summary line, the count and cost tables (with the price source and date), the added / removed /
changed resources (changed inputs with before and after; secrets stay "[secret]"), policy changes and the
Mermaid topology of the head plan. The body is kept under GitHub's 65,536-character comment limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aidc.output.diff import Delta, PlanDiff, fmt_count, fmt_pct, fmt_signed, fmt_value
from aidc.output.topology import topology_mermaid

MAX_COMMENT_CHARS = 65_536
MAX_RESOURCE_ROWS = 150
MAX_CHANGES_PER_RESOURCE = 20
CONTEXT_CHARS = 24  # of a long value, shown before its first difference


def comment_marker(stack: str) -> str:
    """The hidden first line that identifies a stack's comment (the workflows search for it)."""
    return f"<!-- aidc-plan:{stack} -->"


def _code(text: str, limit: int) -> str:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "`" + text.replace("|", "\\|").replace("`", "'").replace("\n", " ") + "`"


def _cell(value: Any, limit: int = 120) -> str:
    return _code(fmt_value(value), limit)


def _before_after(before: Any, after: Any, limit: int = 120) -> tuple[str, str]:
    """Both sides of a changed input. When one is too long for its cell, both start a little before their
    first difference: cut at the same length from the start, two long lists would look the same."""
    b, a = fmt_value(before), fmt_value(after)
    if len(b) > limit or len(a) > limit:
        same = next((i for i, (x, y) in enumerate(zip(b, a, strict=False)) if x != y), min(len(b), len(a)))
        if same > CONTEXT_CHARS:
            b, a = "…" + b[same - CONTEXT_CHARS :], "…" + a[same - CONTEXT_CHARS :]
    return _code(b, limit), _code(a, limit)


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _count_row(d: Delta) -> str:
    return f"| {d.key} | {fmt_count(d.before)} | {fmt_count(d.after)} | {fmt_signed(d.delta)} |"


def _cost_row(d: Delta, bold: bool = False) -> str:
    b = "**" if bold else ""
    pct = fmt_pct(d)
    return (
        f"| {b}{d.key}{b} | {_usd(d.before)} | {_usd(d.after)} | {b}{fmt_signed(d.delta, money=True)}{b}"
        f"{f' ({pct})' if pct else ''} |"
    )


def _resources(diff: PlanDiff) -> list[str]:
    rows: list[str] = []
    for ref in diff.added:
        rows.append(f"| ➕ add | `{ref.name}` | `{ref.type}` | |")
    for ref in diff.removed:
        rows.append(f"| ➖ remove | `{ref.name}` | `{ref.type}` | |")
    for change in diff.changed:
        shown = [
            f"{_cell(c.path, 60)}: {' → '.join(_before_after(c.before, c.after))}"
            for c in change.changes[:MAX_CHANGES_PER_RESOURCE]
        ]
        if len(change.changes) > MAX_CHANGES_PER_RESOURCE:
            shown.append(f"… {len(change.changes) - MAX_CHANGES_PER_RESOURCE} more")
        rows.append(f"| ✏️ change | `{change.name}` | `{change.type}` | {'<br>'.join(shown)} |")
    total = len(rows)
    if total > MAX_RESOURCE_ROWS:
        rows = [
            *rows[:MAX_RESOURCE_ROWS],
            f"| … | {total - MAX_RESOURCE_ROWS} more (run `aidc plan --diff` locally for all) | | |",
        ]
    return rows


def render_markdown(diff: PlanDiff, head: Mapping[str, Any] | None = None) -> str:
    """The pull-request comment for one stack; `head` (the head plan document) adds the topology."""
    out = [comment_marker(diff.stack), f"### `aidc plan` — stack `{diff.stack}`", ""]
    if diff.base_stack != diff.stack:
        out += [f"Compared with stack `{diff.base_stack}`.", ""]
    if diff.is_empty:
        out.append("**No changes** to resources, counts or cost.")
    else:
        out.append(
            f"**{len(diff.added)} to add, {len(diff.changed)} to change, {len(diff.removed)} to remove** "
            f"({diff.resources_before} → {diff.resources_after} resources) · monthly cost "
            f"**{_usd(diff.cost_total.before)} → {_usd(diff.cost_total.after)} "
            f"({fmt_signed(diff.cost_total.delta, money=True)})**"
        )
    if diff.violations_added:
        out += ["", "**New policy violations**", ""]
        out += [f"- `{v.enforcement}` **{v.policy}**: {v.message} (`{v.urn}`)" for v in diff.violations_added]
    if diff.violations_removed:
        out += ["", "Resolved policy violations:", ""]
        out += [f"- `{v.enforcement}` {v.policy}: {v.message}" for v in diff.violations_removed]

    out += ["", "| count | base | head | Δ |", "|---|---:|---:|---:|"]
    out += [_count_row(d) for d in diff.counts]
    out += ["", "| monthly cost (USD) | base | head | Δ |", "|---|---:|---:|---:|"]
    out += [_cost_row(d) for d in diff.cost]
    out.append(_cost_row(diff.cost_total, bold=True))
    out += [_cost_row(d) for d in (diff.cost_baseline, diff.cost_peak) if d is not None]
    source = diff.price_source or "unknown"
    out += [
        "",
        f"<sub>Prices: {source}, as of {diff.price_as_of or 'unknown'}; 730 h/month; "
        "overrides from `aidc:capacity.prices`.</sub>",
    ]
    if diff.not_priced:
        out += ["<sub>Not priced: " + " · ".join(diff.not_priced) + "</sub>"]

    rows = _resources(diff)
    if rows:
        out += [
            "",
            f"<details><summary>Resources ({len(diff.added)} added, {len(diff.changed)} changed, "
            f"{len(diff.removed)} removed)</summary>",
            "",
            "| | name | type | changed inputs (base → head) |",
            "|---|---|---|---|",
            *rows,
            "",
            "</details>",
        ]
    if diff.by_type:
        out += [
            "",
            "<details><summary>Resources by type</summary>",
            "",
            "| type | base | head | Δ |",
            "|---|---:|---:|---:|",
            *(_count_row(d) for d in diff.by_type),
            "",
            "</details>",
        ]
    if head is not None and isinstance(head.get("plan"), Mapping):
        out += ["", "#### Topology (head)", "", "```mermaid", topology_mermaid(head).rstrip("\n"), "```"]
    body = "\n".join(out) + "\n"
    if len(body) > MAX_COMMENT_CHARS:
        cut = body[: MAX_COMMENT_CHARS - 200]
        body = (
            cut[: cut.rfind("\n")] + "\n\n_(truncated: run `aidc plan --diff` locally for the full diff)_\n"
        )
    return body
