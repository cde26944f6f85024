"""Mermaid diagram of a planned hybrid cloud: AWS GPU cluster, private cloud with Ceph, the IPsec VPN and (where
planned) Direct Connect between them and the edge sites, each with its counts. Renders in GitHub pull-request comments (```mermaid blocks).

Input: an `aidc plan --json` document (its `plan` key), an `aidc size --json` document, or a CapacityPlan.
Output is deterministic (same plan, same text) so golden tests and diffs of the diagram are stable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
# Subgraph titles of the public clouds the plan places work in (its groups' `location`).
PUBLIC_TITLES = {"aws": "AWS EKS GPU cluster"}


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


def _public_lines(placement: Mapping[str, Any]) -> list[str]:
    """Public clouds, keyed on the plan's location: node groups by (instance type, purchase option)."""
    lines: list[str] = []
    by_location: dict[str, dict[tuple[str, bool], dict[str, Any]]] = {"aws": {}}
    for group in placement.get("public") or []:
        public = by_location.setdefault(str(group.get("location") or "aws"), {})
        key = (str(group.get("instance_type")), bool(group.get("spot")))
        entry = public.setdefault(key, {"count": 0, "gpus": 0, "accelerator": group.get("accelerator", "")})
        entry["count"] += int(group.get("count") or 0)
        entry["gpus"] += int(group.get("gpus") or 0)
    for location, public in sorted(by_location.items()):
        public_nodes = sum(e["count"] for e in public.values())
        public_gpus = sum(e["gpus"] for e in public.values())
        title = PUBLIC_TITLES.get(location, f"{location} GPU cluster")
        lines.append(
            f"  subgraph {_node_id(location)}[{_label(f'{title}: {public_nodes} GPU nodes, {public_gpus} GPUs')}]"
        )
        if not public:
            lines.append(f"    {_node_id(location, 'none')}[{_label('no GPU node groups')}]")
        for (instance_type, spot), e in sorted(public.items()):
            option = "spot" if spot else "on-demand"
            text = f"{instance_type} × {e['count']} {option}<br/>{e['gpus']} × {e['accelerator']}"
            lines.append(f"    {_node_id(location, instance_type, option)}[{_label(text)}]")
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


def _link_lines(network: Mapping[str, Any], controls: list[Any]) -> list[str]:
    """The IPsec VPN and, where planned, Direct Connect between the public cloud and the private one."""
    vpn = next((c.get("control", "") for c in controls if c.get("target") == "vpn"), "IPsec")
    vpn = vpn.split(";")[0]  # the cipher suite, not the note on PSKs
    link = (
        f"{vpn}<br/>{_plural(network.get('vpn_connections'), 'connection')}, "
        f"{_plural(network.get('vpn_tunnels'), 'tunnel')}, "
        f"{_n(network.get('provisioned_gbps'))} Gbps"
    )
    lines = [f"  aws <-->|{_label(link)}| private"]
    dx = network.get("direct_connect")
    if dx:
        kind = "hosted connections" if dx.get("hosted") else "ports"
        links = dx.get("links") or []
        text = (
            f"Direct Connect {dx.get('location', '')}: {_n(dx.get('ports'))} × {_n(dx.get('port_gbps'))} Gbps "
            f"{kind} (1 spare), {_plural(len(links), 'link')}<br/>"
            f"{_n(dx.get('capacity_gbps'))} Gbps, {dx.get('encryption', '')}"
        )
        lines.append(f"  aws <==>|{_label(text)}| private")
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
    controls = (plan.get("security") or {}).get("controls") or []
    stack = str(plan.get("stack", ""))
    lines = [
        "flowchart LR",
        *([f"  %% aidc stack {stack}"] if stack else []),
        *_public_lines(placement),
        *_private_lines(placement, plan.get("storage") or {}),
        *_link_lines(plan.get("network") or {}, controls),
        *_edge_lines(plan.get("edge") or {}),
    ]
    return "\n".join(lines) + "\n"
