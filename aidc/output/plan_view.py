"""`aidc plan` without `--diff`: for people the resource tree (components with their children counted per
type), the counts, cost and policy violations (rich); the counts, cost per line, topology and violations as
markdown; and the document itself as JSON (the `aidc plan --json` contract: sorted keys)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from aidc.output.cost_table import cost_markdown, print_cost
from aidc.output.diff_markdown import comment_marker
from aidc.output.estate import estate_markdown, estate_stacks, estate_table, topology_view
from aidc.output.size_tables import network_cell
from aidc.output.topology import topology_mermaid

NAMES_SHOWN = 4  # children of one type listed by name up to this many; beyond, just the count


def _tree(document: dict[str, Any]) -> Tree:
    resources = document["resources"]
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in resources:
        children.setdefault(r["parent"], []).append(r)
    root_parents = [p for p in children if p is None or p not in {r["urn"] for r in resources}]
    tree = Tree(f"[bold]stack {document['stack']}[/bold] — {len(resources)} resources")

    def add(node: Tree, parent_urn: str | None) -> None:
        kids = children.get(parent_urn, [])
        components = [k for k in kids if k["urn"] in children]
        leaves = [k for k in kids if k["urn"] not in children]
        for c in sorted(components, key=lambda r: r["name"]):
            add(node.add(f"[cyan]{c['name']}[/cyan] [dim]{c['type']}[/dim]"), c["urn"])
        by_type = Counter(leaf["type"] for leaf in leaves)
        for token, count in sorted(by_type.items()):
            names = sorted(leaf["name"] for leaf in leaves if leaf["type"] == token)
            shown = ", ".join(names[:NAMES_SHOWN]) + (" …" if len(names) > NAMES_SHOWN else "")
            node.add(f"{token} × {count}  [dim]{shown}[/dim]")

    for parent in root_parents:
        add(tree, parent)
    return tree


def print_plan(document: dict[str, Any], console: Console) -> None:
    console.print(_tree(document))
    summary = document["summary"]
    table = Table(title="Resources by type", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    for token, count in summary["by_type"].items():
        table.add_row(token, str(count))
    table.add_row("[bold]total[/bold]", f"[bold]{summary['resources']}[/bold]")
    console.print(table)
    counts = Table(title="Planned capacity", box=box.SIMPLE_HEAVY, title_justify="left")
    counts.add_column("count")
    counts.add_column("value", justify="right")
    for key, value in summary["counts"].items():
        counts.add_row(key.replace("_", " "), f"{value:,}")
    console.print(counts)
    sites = document["plan"]["edge"]["sites"]
    if sites:
        edge = Table(title="Edge sites", box=box.SIMPLE_HEAVY, title_justify="left")
        for column in ("site", "network", "shard", "GPU nodes"):
            edge.add_column(column)
        for site in sites:
            shard = "" if site.get("shard") is None else str(site["shard"])
            edge.add_row(escape(site["name"]), escape(network_cell(site)), shard, f"{site['nodes']:,}")
        console.print(edge)
    if estate_stacks(document):
        console.print(estate_table(document))
    print_cost(summary["cost"], console)
    violations = document["policy"]["violations"]
    if violations:
        vt = Table(title="Policy violations", box=box.SIMPLE_HEAVY, title_justify="left")
        for column in ("policy", "level", "resource", "how to fix"):
            vt.add_column(column, overflow="fold")
        for v in violations:
            level = "[red]mandatory[/red]" if v["enforcement"] == "mandatory" else "[yellow]advisory[/yellow]"
            vt.add_row(
                escape(v["policy"]),
                level,
                escape((v.get("urn") or "stack").split("::")[-1]),
                escape(v["message"]),
            )
        console.print(vt)
    else:
        console.print("[green]policy pack: no violations[/green]")
    for warning in document["plan"]["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    secrets = sum(1 for r in document["resources"] for v in r["inputs"].values() if v == "[secret]")
    console.print(
        f"[dim]{secrets} secret inputs shown as \\[secret]; exports: "
        f"{', '.join(sorted(document['exports'])) or 'none'}[/dim]"
    )


def plan_markdown(document: dict[str, Any]) -> str:
    """The plan as a pull-request comment would show it, without a base: counts, cost, topology, violations."""
    summary = document["summary"]
    lines = [
        comment_marker(document["stack"]),
        f"### aidc plan — `{document['stack']}`",
        "",
        f"{summary['resources']} resources.",
        "",
        "| count | value |",
        "|---|---:|",
    ]
    lines += [f"| {k.replace('_', ' ')} | {v:,} |" for k, v in summary["counts"].items()]
    lines += [
        "",
        cost_markdown(summary["cost"]),
        "",
        "```mermaid",
        topology_mermaid(topology_view(document)).rstrip(),  # type: ignore[arg-type]
        "```",
    ]
    if estate_stacks(document):
        lines += ["", estate_markdown(document).rstrip()]
    violations = document["policy"]["violations"]
    if violations:
        lines += ["", "| policy | level | resource | message |", "|---|---|---|---|"]
        lines += [
            f"| {v['policy']} | {v['enforcement']} | {(v.get('urn') or 'stack').split('::')[-1]} | "
            f"{v['message']} |"
            for v in violations
        ]
    return "\n".join(lines) + "\n"


def write_plan_json(document: dict[str, Any], stream: TextIO) -> None:
    """`aidc plan --json`: sorted keys, two-space indent, a trailing newline (diffs of plans stay small)."""
    json.dump(document, stream, indent=2, sort_keys=True)
    stream.write("\n")
