"""`aidc plan` without `--diff`: for people the resource tree (components with their children counted per
type), the counts, the GPU queues (each workload's Kueue ClusterQueue and its quota), cost and policy violations
(rich); the counts, queues, cost per line, topology and violations as markdown; and the document itself as JSON (the `aidc plan --json` contract: sorted keys)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from aidc.contract import CLASSIFICATION_LABEL, CLUSTER_LABEL, GPU_RESOURCE, KIND_LABEL, POD_GPUS_ANNOTATION
from aidc.output.cost_table import cost_markdown, print_cost
from aidc.output.diff_markdown import comment_marker
from aidc.output.estate import estate_markdown, estate_stacks, estate_table, topology_view
from aidc.output.size_tables import network_cell
from aidc.output.topology import topology_mermaid

NAMES_SHOWN = 4  # children of one type listed by name up to this many; beyond, just the count
CLUSTER_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
QUEUE_COLUMNS = ("cluster", "queue", "kind", "classification", "flavor", "GPUs", "GPUs per pod", "EFA")


def gpu_queues(document: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per Kueue ClusterQueue the program declares (each sized workload's landing zone in its cluster):
    the quota the cluster enforces is the GPUs placement gave the workload there."""
    rows: list[tuple[str, ...]] = []
    for resource in document["resources"]:
        if resource["type"] != CLUSTER_QUEUE:
            continue
        metadata = resource["inputs"].get("metadata") or {}
        labels, annotations = metadata.get("labels") or {}, metadata.get("annotations") or {}
        for group in (resource["inputs"].get("spec") or {}).get("resourceGroups") or []:
            for flavor in group.get("flavors") or []:
                quota = {r["name"]: int(r["nominalQuota"]) for r in flavor.get("resources") or []}
                rows.append(
                    (
                        str(labels.get(CLUSTER_LABEL, "?")),
                        str(metadata.get("name", resource["name"])),
                        str(labels.get(KIND_LABEL, "")),
                        str(labels.get(CLASSIFICATION_LABEL, "")),
                        str(flavor.get("name", "")),
                        f"{quota.get(GPU_RESOURCE, 0):,}",
                        str(annotations.get(POD_GPUS_ANNOTATION, "")),
                        f"{quota['vpc.amazonaws.com/efa']:,}" if "vpc.amazonaws.com/efa" in quota else "",
                    )
                )
    return sorted(rows)


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
    queues = gpu_queues(document)
    if queues:
        qt = Table(title="GPU queues (Kueue ClusterQueues)", box=box.SIMPLE_HEAVY, title_justify="left")
        # Narrow terminals: the names fold rather than get cut (kind and class are in the markdown and JSON).
        for column in ("cluster", "queue", "flavor"):
            qt.add_column(column, overflow="fold")
        for column in ("GPUs", "per pod", "EFA"):
            qt.add_column(column, justify="right")
        for cluster, queue, _kind, _classification, flavor, *numbers in queues:
            qt.add_row(escape(cluster), escape(queue), escape(flavor), *numbers)
        console.print(qt)
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
    queues = gpu_queues(document)
    if queues:
        lines += ["", "GPU queues (Kueue ClusterQueues):", "", "| " + " | ".join(QUEUE_COLUMNS) + " |"]
        lines += ["|---|---|---|---|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in queues]
    lines += [
        "",
        cost_markdown(summary["cost"]),
        "",
        "```mermaid",
        topology_mermaid(topology_view(document)).rstrip(),
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
