"""Mermaid diagram of a planned hybrid cloud: one box per public cloud the plan uses (its Kubernetes cluster with the
GPU node groups or pools, and its datasets bucket), the private cloud with Ceph, each public cloud's interconnect to
the private cloud (its VPN and, where planned, its dedicated links: AWS Site-to-Site VPN and Direct Connect, Google
Cloud HA VPN and Dedicated Interconnect) and the edge sites, each with its counts. Renders in GitHub pull-request
comments (```mermaid blocks). A stack that uses no public cloud, or only one, draws only what it uses.

Input: an `aidc plan --json` document (its `plan` key), an `aidc size --json` document, or a CapacityPlan.
Output is deterministic (same plan, same text) so golden tests and diffs of the diagram are stable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aidc.output.clouds import Link, links, used_clouds, words

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _node_id(*parts: str) -> str:
    return "_".join(_ID_UNSAFE.sub("_", p) for p in parts)


def _label(text: str) -> str:
    # Mermaid quoted labels: a double quote ends the label, so use the entity.
    return '"' + text.replace('"', "#quot;") + '"'


def _size_document(source: Any) -> dict[str, Any]:
    if isinstance(source, Mapping):
        if "plan" in source and isinstance(source["plan"], Mapping):
            return dict(source["plan"])
        if "placement" in source:
            return dict(source)
        raise ValueError(
            "topology_mermaid: expected an `aidc plan --json` document (key plan), an `aidc size --json` "
            f"document (key placement) or a CapacityPlan; got a mapping with keys {sorted(source)[:8]}"
        )
    from aidc.sizing.plan import CapacityPlan

    if isinstance(source, CapacityPlan):
        from aidc.sizing.serialize import plan_to_dict

        return plan_to_dict(source)
    raise ValueError(
        f"topology_mermaid: expected a plan document or a CapacityPlan, got {type(source).__name__}"
    )


def _n(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.1f}"
    return f"{int(value or 0):,}"


def _plural(value: Any, noun: str) -> str:
    return f"{_n(value)} {noun}" + ("" if value == 1 else "s")


def _protection(pool: Mapping[str, Any]) -> str:
    if pool.get("erasure_k"):
        return f"EC {pool['erasure_k']}+{pool['erasure_m']}"
    return f"replica {pool.get('replicated_size') or pool.get('size')}"


def _public_lines(plan: Mapping[str, Any]) -> list[str]:
    """A box per public cloud the plan uses (its `clouds`): its cluster's GPU node groups by (instance type, purchase
    option) and its datasets bucket."""
    lines: list[str] = []
    by_location: dict[str, dict[tuple[str, bool], dict[str, Any]]] = {c: {} for c in used_clouds(plan)}
    for group in (plan.get("placement") or {}).get("public") or []:
        public = by_location.setdefault(str(group.get("location")), {})
        key = (str(group.get("instance_type")), bool(group.get("spot")))
        entry = public.setdefault(key, {"count": 0, "gpus": 0, "accelerator": group.get("accelerator", "")})
        entry["count"] += int(group.get("count") or 0)
        entry["gpus"] += int(group.get("gpus") or 0)
    for location, public in by_location.items():
        said = words(location)
        public_nodes = sum(e["count"] for e in public.values())
        public_gpus = sum(e["gpus"] for e in public.values())
        title = f"{said.name} {said.cluster} GPU cluster: {public_nodes} GPU nodes, {public_gpus} GPUs"
        lines.append(f"  subgraph {_node_id(location)}[{_label(title)}]")
        if not public:
            lines.append(f"    {_node_id(location, 'none')}[{_label(f'no GPU {said.node_groups}')}]")
        for (instance_type, spot), e in sorted(public.items()):
            option = "spot" if spot else "on-demand"
            text = f"{instance_type} × {e['count']} {option}<br/>{e['gpus']} × {e['accelerator']}"
            lines.append(f"    {_node_id(location, instance_type, option)}[{_label(text)}]")
        lines.append(f"    {_node_id(location, 'bucket')}[({_label(f'{said.bucket}: datasets bucket')})]")
        lines.append("  end")
    return lines


def _private_lines(placement: Mapping[str, Any], storage: Mapping[str, Any]) -> list[str]:
    """The private cloud: GPU servers by accelerator, and Ceph."""
    private: dict[str, dict[str, int]] = {}
    for group in placement.get("private") or []:
        entry = private.setdefault(str(group.get("accelerator")), {"servers": 0, "gpus": 0})
        entry["servers"] += int(group.get("servers") or 0)
        entry["gpus"] += int(group.get("gpus") or 0)
    private_servers = sum(e["servers"] for e in private.values())
    title = f"Private cloud (OpenStack): {private_servers} GPU servers"
    lines = [f"  subgraph private[{_label(title)}]"]
    for accelerator, e in sorted(private.items()):
        text = f"{accelerator}: {e['servers']} servers<br/>{e['gpus']} GPUs"
        lines.append(f"    {_node_id('private', accelerator)}[{_label(text)}]")
    pools = ", ".join(f"{p.get('name')} {_protection(p)}" for p in storage.get("pools") or [])
    ceph = (
        f"Ceph: {_n(storage.get('osds'))} OSDs on {_n(storage.get('hosts'))} hosts<br/>"
        f"{_n(storage.get('monitors'))} monitors, {_n(storage.get('raw_tb'))} TB raw<br/>{pools}"
    )
    return [*lines, f"    ceph[({_label(ceph)})]", "  end"]


def _link_text(link: Link, cipher: str) -> str:
    said = words(link.cloud)
    connections = (
        f"{_plural(link.vpn_connections, 'connection')}, " if link.vpn_connections is not None else ""
    )
    return f"{said.vpn}: {cipher}<br/>{connections}{_plural(link.vpn_tunnels, 'tunnel')}, {_n(link.vpn_gbps)} Gbps"


def _link_lines(plan: Mapping[str, Any]) -> list[str]:
    """Each public cloud's VPN to the private cloud and, where planned, its dedicated links."""
    controls = (plan.get("security") or {}).get("controls") or []
    cipher = next((c.get("control", "") for c in controls if c.get("target") == "vpn"), "IPsec")
    cipher = cipher.split(";")[0]  # the cipher suite, not the note on PSKs
    lines: list[str] = []
    for link in links(plan):
        cloud = _node_id(link.cloud)
        lines.append(f"  {cloud} <-->|{_label(_link_text(link, cipher))}| private")
        if link.dedicated:
            text = f"{words(link.cloud).dedicated}: {link.dedicated}<br/>{_n(link.dedicated_gbps)} Gbps"
            lines.append(f"  {cloud} <==>|{_label(text)}| private")
    return lines


def _edge_lines(edge: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for site in edge.get("sites") or []:
        name = str(site.get("name"))
        site_id = _node_id("edge", name)
        text = (
            f"{_plural(site.get('nodes'), 'node')} × {_n(site.get('gpus_per_node'))} "
            f"{site.get('accelerator')}<br/>"
            f"{_plural(site.get('gpus'), 'GPU')}, {_plural(site.get('servers'), 'K3s server')}"
        )
        lines.append(f"  subgraph {site_id}[{_label(f'Edge {name} (K3s)')}]")
        lines.append(f"    {site_id}_nodes[{_label(text)}]")
        lines.append("  end")
        lines.append(f"  private --- {site_id}")
    return lines


def topology_mermaid(source: Any) -> str:
    """A Mermaid flowchart of the plan with counts (no fence: diff_markdown.py and plan_view.py add it)."""
    plan = _size_document(source)
    placement = plan.get("placement") or {}
    stack = str(plan.get("stack", ""))
    lines = [
        "flowchart LR",
        *([f"  %% aidc stack {stack}"] if stack else []),
        *_public_lines(plan),
        *_private_lines(placement, plan.get("storage") or {}),
        *_link_lines(plan),
        *_edge_lines(plan.get("edge") or {}),
    ]
    return "\n".join(lines) + "\n"
