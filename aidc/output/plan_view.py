"""`aidc plan` without `--diff`: for people a summary that fits a screen (the components with their resource
counts, the planned capacity, edge sites, GPU queues — each workload's Kueue ClusterQueue and its quota — the
cost in one line, the policy verdict), and with `--resources` the resource tree and the count of every type;
the counts, queues, cost per line, topology and violations as markdown; and the document itself as JSON (the
`aidc plan --json` contract: sorted keys)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from aidc.contract import CLASSIFICATION_LABEL, CLUSTER_LABEL, GPU_RESOURCE, KIND_LABEL, POD_GPUS_ANNOTATION
from aidc.output.cost_table import cost_markdown
from aidc.output.diff_markdown import comment_marker
from aidc.output.estate import estate_lines, estate_markdown, estate_stacks, topology_view
from aidc.output.size_tables import network_cell
from aidc.output.text_table import Column, output_width, paragraph, table
from aidc.output.topology import topology_mermaid

NAMES_SHOWN = 4  # children of one type listed by name up to this many; beyond, just the count
CLUSTER_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
QUEUE_COLUMNS = ("cluster", "queue", "kind", "classification", "flavor", "GPUs", "GPUs per pod")
# Headers of the quota resources a ClusterQueue may hold besides GPUs (any other is headed by its last segment).
RESOURCE_HEADERS = {"vpc.amazonaws.com/efa": "EFA"}


def _cluster_queues(document: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, int]]]:
    """(metadata, flavor, quota by resource) of every flavor of every ClusterQueue the program declares."""
    found = []
    for resource in document["resources"]:
        if resource["type"] != CLUSTER_QUEUE:
            continue
        metadata = dict(resource["inputs"].get("metadata") or {})
        metadata.setdefault("name", resource["name"])
        for group in (resource["inputs"].get("spec") or {}).get("resourceGroups") or []:
            for flavor in group.get("flavors") or []:
                quota = {r["name"]: int(r["nominalQuota"]) for r in flavor.get("resources") or []}
                found.append((metadata, flavor, quota))
    return found


def queue_resources(document: dict[str, Any]) -> list[str]:
    """The quota resources besides GPUs any ClusterQueue holds (e.g. EFA devices), each a column of its own."""
    return sorted({name for _, _, quota in _cluster_queues(document) for name in quota} - {GPU_RESOURCE})


def queue_columns(document: dict[str, Any]) -> tuple[str, ...]:
    return (
        *QUEUE_COLUMNS,
        *(RESOURCE_HEADERS.get(r, r.rsplit("/", 1)[-1]) for r in queue_resources(document)),
    )


def gpu_queues(document: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per Kueue ClusterQueue the program declares (each sized workload's landing zone in its cluster):
    the quota the cluster enforces is the GPUs placement gave the workload there, then its quota of each other
    resource any queue holds (`queue_resources`; empty where it holds none)."""
    extra = queue_resources(document)
    rows: list[tuple[str, ...]] = []
    for metadata, flavor, quota in _cluster_queues(document):
        labels, annotations = metadata.get("labels") or {}, metadata.get("annotations") or {}
        rows.append(
            (
                str(labels.get(CLUSTER_LABEL, "?")),
                str(metadata["name"]),
                str(labels.get(KIND_LABEL, "")),
                str(labels.get(CLASSIFICATION_LABEL, "")),
                str(flavor.get("name", "")),
                f"{quota.get(GPU_RESOURCE, 0):,}",
                str(annotations.get(POD_GPUS_ANNOTATION, "")),
                *(f"{quota[r]:,}" if r in quota else "" for r in extra),
            )
        )
    return sorted(rows)


def _children(document: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in document["resources"]:
        children.setdefault(r["parent"], []).append(r)
    return children


def _roots(document: dict[str, Any], children: dict[str | None, list[dict[str, Any]]]) -> list[str | None]:
    urns = {r["urn"] for r in document["resources"]}
    return [p for p in children if p is None or p not in urns]


def _tree(document: dict[str, Any]) -> Tree:
    resources = document["resources"]
    children = _children(document)
    tree = Tree(f"stack {document['stack']}: {len(resources)} resources")

    def add(node: Tree, parent_urn: str | None) -> None:
        kids = children.get(parent_urn, [])
        components = [k for k in kids if k["urn"] in children]
        leaves = [k for k in kids if k["urn"] not in children]
        for c in sorted(components, key=lambda r: r["name"]):
            add(node.add(f"{escape(c['name'])} ({escape(c['type'])})"), c["urn"])
        by_type = Counter(leaf["type"] for leaf in leaves)
        for token, count in sorted(by_type.items()):
            names = sorted(leaf["name"] for leaf in leaves if leaf["type"] == token)
            shown = ", ".join(names[:NAMES_SHOWN]) + (" …" if len(names) > NAMES_SHOWN else "")
            node.add(escape(f"{token} × {count}: {shown}"))

    for parent in _roots(document, children):
        add(tree, parent)
    return tree


def component_rows(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(type, names, resources) per type of top-level component, with every resource under its components
    counted; the top-level resources that are no component share one row."""
    children = _children(document)

    def count(urn: str) -> int:
        return sum(1 + count(k["urn"]) for k in children.get(urn, []))

    by_type: dict[str, list[tuple[str, int]]] = {}
    loose = 0
    for parent in _roots(document, children):
        for r in children[parent]:
            if r["urn"] in children:
                by_type.setdefault(r["type"], []).append((r["name"], 1 + count(r["urn"])))
            else:
                loose += 1
    rows = []
    for token, found in sorted(by_type.items()):
        names = sorted(name for name, _ in found)
        shown = ", ".join(names[:NAMES_SHOWN]) + (
            f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
        )
        rows.append((token.split(":")[-1], shown, f"{sum(n for _, n in found):,}"))
    if loose:
        rows.append(("(top level)", "providers and single resources", f"{loose:,}"))
    return rows


def _counts_text(counts: dict[str, Any]) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {value:,}" for key, value in counts.items())


def _queue_lines(document: dict[str, Any], width: int) -> list[str]:
    queues = gpu_queues(document)
    if not queues:
        return []
    columns = (
        Column("cluster"),
        Column("queue"),
        Column("flavor"),
        Column("GPUs", True),
        Column("per pod", True),
        *(Column(header, True) for header in queue_columns(document)[len(QUEUE_COLUMNS) :]),
    )
    rows = [(cluster, queue, flavor, *numbers) for cluster, queue, _k, _c, flavor, *numbers in queues]
    return [*table("GPU queues (Kueue ClusterQueues)", columns, rows, width), ""]


def _violation_lines(document: dict[str, Any], width: int) -> list[str]:
    violations = document["policy"]["violations"]
    if not violations:
        return ["policy pack: no violations"]
    lines = [f"policy pack: {len(violations)} violation(s)"]
    for v in violations:
        where = (v.get("urn") or "stack").split("::")[-1]
        lines += paragraph(
            f"{v['enforcement']} {v['policy']} on {where}: {v['message']}", width, "  ", "    "
        )
    return lines


def _edge_lines(document: dict[str, Any], width: int) -> list[str]:
    """The edge sites with their estate shard (one-stack sites are in `aidc size`)."""
    sites = document["plan"]["edge"]["sites"]
    if not any(s.get("shard") is not None for s in sites):
        return []
    columns = (Column("site"), Column("network"), Column("shard", True), Column("GPU nodes", True))
    rows = [
        (s["name"], network_cell(s), "" if s.get("shard") is None else str(s["shard"]), f"{s['nodes']:,}")
        for s in sites
    ]
    return [*table("Edge sites", columns, rows, width), ""]


def plan_lines(document: dict[str, Any], width: int = 80) -> list[str]:
    """`aidc plan` for people: the components and their resource counts, the planned capacity, edge sites,
    GPU queues, the cost in one line, the policy verdict and the exports. Warnings go to stderr."""
    summary = document["summary"]
    cost = summary["cost"]
    lines = [
        f"aidc plan: stack {document['stack']}, {summary['resources']:,} resources (offline, mock engine)",
        "",
    ]
    columns = (Column("component"), Column("names"), Column("resources", True))
    lines += [*table("Components", columns, component_rows(document), width), ""]
    lines += [*paragraph("planned: " + _counts_text(summary["counts"]), width, "", "  "), ""]
    lines += _edge_lines(document, width)
    if estate_stacks(document):
        lines += [*estate_lines(document, width), ""]
    lines += _queue_lines(document, width)
    peak = float(cost.get("peak_usd_per_month", cost["total_usd_per_month"]))
    baseline = float(cost.get("baseline_usd_per_month", peak))
    lines += paragraph(
        f"monthly cost: USD {peak:,.0f} at peak, {baseline:,.0f} at baseline; see aidc size --explain",
        width,
        "",
        "  ",
    )
    lines += _violation_lines(document, width)
    secrets = sum(1 for r in document["resources"] for v in r["inputs"].values() if v == "[secret]")
    lines.append(f"{secrets} secret inputs shown as [secret]; {len(document['exports'])} exports (in --json)")
    lines.append("every resource, by component and type: aidc plan --resources")
    return lines


def plan_text(document: dict[str, Any], stream: TextIO) -> None:
    stream.write("\n".join(plan_lines(document, output_width(stream))) + "\n")


def plan_text_resources(document: dict[str, Any], stream: TextIO) -> None:
    """`aidc plan --resources`: the summary, then the resource tree and the count of every type."""
    width = output_width(stream)
    lines = plan_lines(document, width)[:-1]
    stream.write("\n".join(lines) + "\n\n")
    console = Console(file=stream, width=width, highlight=False)
    console.print(_tree(document))
    by_type = [(token, f"{count:,}") for token, count in document["summary"]["by_type"].items()]
    by_type.append(("total", f"{document['summary']['resources']:,}"))
    stream.write(
        "\n"
        + "\n".join(table("Resources by type", (Column("type"), Column("count", True)), by_type, width))
        + "\n"
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
        columns = queue_columns(document)
        lines += ["", "GPU queues (Kueue ClusterQueues):", "", "| " + " | ".join(columns) + " |"]
        lines += ["|---|---|---|---|---|" + "---:|" * (len(columns) - 5)]
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
