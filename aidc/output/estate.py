"""An estate's outputs (a core stack and its shard stacks): the per-stack table under `aidc plan`, the shard
boxes of the topology, and which stacks a diff touches — in every format the registry offers for a plan and a
plan diff. Plain dicts in, text out; a document without an `estate` section renders as it always did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from aidc.output.text_table import Column, table


def estate_stacks(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The per-stack rows of an estate core's plan document (empty for any other document)."""
    return list(((document or {}).get("estate") or {}).get("stacks") or [])


def estate_lines(document: Mapping[str, Any], width: int = 80) -> list[str]:
    """The per-stack table of an estate core's plan: role, sites and resources of each stack, and the total."""
    estate = document["estate"]
    columns = (Column("stack"), Column("role"), Column("sites", True), Column("resources", True))
    rows = [(s["stack"], s["role"], f"{s['sites']:,}", f"{s['resources']:,}") for s in estate["stacks"]]
    total = estate["total"]
    rows.append(
        (
            "total",
            f"{total['stacks']} stacks",
            f"{total['sites']:,}",
            f"{total['resources']:,} (largest {total['max_resources_per_stack']:,})",
        )
    )
    title = f"Estate {estate['core']} (at most {estate['max_sites_per_stack']} sites per shard stack)"
    return table(title, columns, rows, width)


def estate_markdown(document: Mapping[str, Any]) -> str:
    estate = document["estate"]
    lines = ["| stack | role | sites | resources |", "|---|---|---:|---:|"]
    lines += [
        f"| `{s['stack']}` | {s['role']} | {s['sites']:,} | {s['resources']:,} |" for s in estate["stacks"]
    ]
    total = estate["total"]
    lines.append(f"| **total** | {total['stacks']} stacks | {total['sites']:,} | {total['resources']:,} |")
    return "\n".join(lines) + "\n"


def topology_view(document: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The document with an estate's edge sites drawn one box per shard stack (a thousand boxes do not fit a
    comment); any other document unchanged."""
    if not document:
        return document
    estate = document.get("estate")
    plan = document.get("plan")
    if not estate or not isinstance(plan, Mapping):
        return document
    by_shard: dict[int, list[Mapping[str, Any]]] = {}
    for site in plan["edge"]["sites"]:
        by_shard.setdefault(int(site.get("shard") or 0), []).append(site)
    grouped = []
    for shard, sites in sorted(by_shard.items()):
        nodes = sum(int(site.get("nodes") or 0) for site in sites)
        gpus = sum(int(site.get("gpus") or 0) for site in sites)
        per_node = {site.get("gpus_per_node") for site in sites}
        grouped.append(
            {
                "name": f"{estate['core']}-edge-{shard}: {len(sites)} sites",
                "location": "edge",
                "nodes": nodes,
                "gpus": gpus,
                # One figure per box: the sites' own when they agree, else the mean.
                "gpus_per_node": per_node.pop() if len(per_node) == 1 else (gpus / nodes if nodes else 0),
                "accelerator": "/".join(sorted({str(site.get("accelerator")) for site in sites})),
                "servers": sum(int(site.get("servers") or 0) for site in sites),
            }
        )
    view = dict(document)
    view["plan"] = {**plan, "edge": {**plan["edge"], "sites": grouped}}
    return view


def changes_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The pull-request comment's estate section: only the stacks a change touches, and how many did not change."""
    touched = [r for r in rows if r["touched"]]
    lines = [f"**Estate**: {len(touched)} of {len(rows)} stacks change."]
    if touched:
        lines += ["", "| stack | sites | add | change | remove |", "|---|---:|---:|---:|---:|"]
        for r in touched:
            sites = (
                f"{r['sites_before']}"
                if r["sites_before"] == r["sites_after"]
                else f"{r['sites_before']} → {r['sites_after']}"
            )
            lines.append(f"| `{r['stack']}` | {sites} | {r['added']} | {r['changed']} | {r['removed']} |")
    return "\n".join(lines) + "\n"


def changes_text(rows: Sequence[Mapping[str, Any]]) -> str:
    touched = [r for r in rows if r["touched"]]
    lines = [f"estate: {len(touched)} of {len(rows)} stacks change"]
    lines += [
        f"  {r['stack']:<32} sites {r['sites_before']:>4} -> {r['sites_after']:<4} "
        f"+{r['added']} ~{r['changed']} -{r['removed']}"
        for r in touched
    ]
    return "\n".join(lines) + "\n"


def with_changes_markdown(comment: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """The comment with the estate section placed before the folded resource list (which may be long)."""
    if not rows:
        return comment
    section = changes_markdown(rows)
    at = comment.find("\n<details>")
    return comment + "\n" + section if at < 0 else comment[:at] + "\n" + section + comment[at:]


def with_changes_json(rendered: str, rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return rendered
    data = json.loads(rendered)
    data["estate"] = list(rows)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
