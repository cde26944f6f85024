"""Rich tables for `aidc size`: every figure next to the formula and inputs that gave it."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table


def _n(value: Any, digits: int = 1) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value and (abs(value) >= 1e9 or abs(value) < 1e-2):
            return f"{value:.3e}"
        return f"{value:,.{digits}f}"
    return str(value)


def _why(fig: dict[str, Any] | None) -> str:
    if not fig:
        return ""
    inputs = fig.get("inputs") or {}
    shown = ", ".join(
        f"{k}={_n(v, 3) if isinstance(v, float) else v}" for k, v in inputs.items() if k != "source"
    )
    return f"{fig['formula']}" + (f"\n[dim]{shown}[/dim]" if shown else "")


class _Explained:
    """A table whose last column ("why") is printed as lines under it, so tables fit 80 columns."""

    def __init__(self, title: str, *columns: str) -> None:
        self.table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
        self.why: list[tuple[str, str]] = []
        for i, column in enumerate(columns[:-1]):
            left = i == 0 or column in ("accelerator", "class", "where", "control", "target")
            self.table.add_column(column, justify="left" if left else "right", overflow="fold")

    def add_row(self, *cells: str) -> None:
        self.table.add_row(*cells[:-1])
        if cells[-1]:
            self.why.append((cells[0], cells[-1]))

    def print(self, console: Console) -> None:
        console.print(self.table)
        for label, why in self.why:
            console.print(f"  [bold]{label}[/bold]: {why.replace(chr(10), '  ')}", highlight=False)
        if self.why:
            console.print()


def _table(title: str, *columns: str) -> _Explained:
    return _Explained(title, *columns)


def print_size(doc: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    console.print(f"[bold]aidc size[/bold] — stack [cyan]{doc['stack']}[/cyan]")

    training = doc["compute"]["training"]
    if training:
        t = _table("Training", "run", "accelerator", "class", "FLOPs", "GPU-hours", "GPUs", "why")
        for r in training:
            t.add_row(
                r["name"],
                r["accelerator"],
                r["classification"],
                _n(r["flops"]),
                _n(r["gpu_hours"], 0),
                f"{r['gpus']:,} ({r['nodes']:,} nodes)",
                _why(r["why"]["gpu_hours"]) + "\n" + _why(r["why"]["nodes"]),
            )
        t.print(console)
    inference = doc["compute"]["inference"]
    if inference:
        t = _table("Inference", "workload", "accelerator", "class", "core GPUs", "edge GPUs", "why")
        for r in inference:
            t.add_row(
                r["name"],
                r["accelerator"],
                r["classification"],
                _n(r["gpus"]),
                _n(r["edge_gpus"]),
                _why(r["why"]["gpus"]),
            )
        t.print(console)

    placement = doc["placement"]
    t = _table(
        "Placement (least cost, classification and quotas honoured)",
        "workload",
        "where",
        "count",
        "GPUs",
        "USD/h",
        "why",
    )
    for g in placement["private"]:
        t.add_row(
            g["workload"],
            f"private {g['accelerator']}",
            f"{g['servers']} servers",
            _n(g["gpus"]),
            _n(g["gpus"] * g["usd_per_gpu_hour"], 2),
            _why(g["why"]["gpus"]),
        )
    for g in placement["public"]:
        kind = "spot" if g["spot"] else "on-demand"
        t.add_row(
            g["workload"],
            f"{g['instance_type']} ({kind})",
            f"{g['count']} inst.",
            _n(g["gpus"]),
            _n(g["count"] * g["usd_per_hour"], 2),
            _why(g["why"]["count"]),
        )
    t.print(console)
    console.print(
        f"  solver: {placement['solver']}; private GPUs used {placement['private_gpus_used']} of "
        f"{placement['private_gpus_available']}"
    )

    s = doc["storage"]
    t = _table("Ceph storage", "figure", "value", "why")
    for key, label in (
        ("usable_tb", "usable TB"),
        ("checkpoint_tb", "checkpoints TB"),
        ("raw_tb", "raw TB"),
        ("hosts", "hosts"),
        ("osds", "OSDs"),
        ("monitors", "monitors"),
    ):
        t.add_row(label, _n(s[key]), _why(s["why"].get(key)))
    for p in s["pools"]:
        protection = f"EC {p['erasure_k']}+{p['erasure_m']}" if p["erasure_k"] else f"{p['size']} replicas"
        t.add_row(
            f"pool {p['name']} pg_num",
            _n(p["pg_num"]),
            f"{protection}, min_size {p['min_size']}, failure domain {p['failure_domain']}\n"
            + _why(p["why"]["pg_num"]),
        )
    t.print(console)

    n = doc["network"]
    t = _table("Transfers and interconnect", "item", "value", "why")
    for tr in n["transfers"]:
        t.add_row(f"{tr['name']} Gbps", _n(tr["gbps"], 2), _why(tr["why"]["gbps"]))
        t.add_row(
            f"{tr['name']} hours at plan",
            _n(tr["hours_at_provisioned"], 2),
            _why(tr["why"]["hours_at_provisioned"]),
        )
    t.add_row("required Gbps", _n(n["required_gbps"], 2), _why(n["why"]["required_gbps"]))
    t.add_row("VPN connections", _n(n["vpn_connections"]), _why(n["why"]["vpn_connections"]))
    t.add_row("VPN tunnels", _n(n["vpn_tunnels"]), _why(n["why"]["vpn_tunnels"]))
    t.add_row("provisioned Gbps", _n(n["provisioned_gbps"], 2), _why(n["why"]["provisioned_gbps"]))
    if n["direct_connect"]:
        dc = n["direct_connect"]
        t.add_row("[red]Direct Connect[/red]", f"{dc['ports']} {dc['unit']}", _why(dc["why"]))
    t.print(console)

    if doc["edge"]["sites"]:
        t = _table("Edge sites (K3s)", "site", "accelerator", "servers", "GPU nodes", "GPUs", "why")
        for site in doc["edge"]["sites"]:
            t.add_row(
                site["name"],
                site["accelerator"],
                _n(site["servers"]),
                _n(site["nodes"]),
                _n(site["gpus"]),
                _why(site["why"]["nodes"]),
            )
        t.print(console)

    sec = doc["security"]
    t = _table("Security controls", "target", "control", "reason", "why")
    for c in sec["controls"]:
        t.add_row(c["target"], c["control"], c["reason"], "")
    t.print(console)
    console.print(
        "  placement by classification: "
        + "; ".join(f"{k} → {', '.join(v)}" for k, v in sec["placement_by_classification"].items())
    )

    cost = doc.get("cost")
    if cost:
        from aidc.render.cost_table import print_cost

        print_cost(cost, console)
    for warning in doc["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    src = doc["sources"]
    console.print(
        f"[dim]prices: {src['prices']} as of {src['prices_as_of']}; override in aidc:capacity.prices[/dim]"
    )
