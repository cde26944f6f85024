"""`aidc size` for people: every sized figure next to the formula and inputs that gave it.

`size_sections(doc)` decides what is shown (one `Section` per table: rows, and the explanation of each row)
from the `aidc size --json` document; `print_size` draws the sections as rich tables for a terminal and
`size_markdown` as markdown tables, so both formats always show the same figures and formulas. Followed by
the cost table (cost_table.py) and the warnings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aidc.output.cost_table import cost_markdown, print_cost


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


def network_cell(site: Mapping[str, Any]) -> str:
    """A site's network, marked when it is provisional (not recorded in the stack file yet)."""
    if site.get("recorded", True):
        return str(site["network_cidr"])
    return f"{site['network_cidr']} (provisional)"


@dataclass(frozen=True)
class Why:
    """A figure's formula and its inputs (`name=value, …`; the price source is left out)."""

    formula: str
    inputs: str


def _why(fig: Mapping[str, Any] | None) -> Why | None:
    if not fig:
        return None
    inputs = fig.get("inputs") or {}
    shown = ", ".join(
        f"{k}={_n(v, 3) if isinstance(v, float) else v}"
        for k, v in inputs.items()
        if k != "source" and not k.endswith("_source")  # sources are listed once, after the tables
    )
    return Why(str(fig["formula"]), shown)


def _explained(*parts: str | Why | None) -> tuple[str | Why, ...]:
    return tuple(p for p in parts if p is not None)


@dataclass(frozen=True)
class Row:
    """One table row; `why` explains it (plain text and formulas), `alert` marks a figure that needs action."""

    cells: tuple[str, ...]
    why: tuple[str | Why, ...] = ()
    alert: bool = False


@dataclass
class Section:
    """One table of `aidc size`, with a line of context after it (`note`) where there is one."""

    title: str
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    def add(self, *cells: str, why: Sequence[str | Why | None] = (), alert: bool = False) -> None:
        self.rows.append(Row(cells, _explained(*why), alert))


def size_sections(doc: Mapping[str, Any]) -> list[Section]:
    """The tables of `aidc size`, in order; empty ones (no training, no edge site) are left out."""
    sections: list[Section] = []
    training = doc["compute"]["training"]
    if training:
        t = Section("Training", ("run", "accelerator", "class", "FLOPs", "GPU-hours", "GPUs"))
        for r in training:
            t.add(
                r["name"],
                r["accelerator"],
                r["classification"],
                _n(r["flops"]),
                _n(r["gpu_hours"], 0),
                f"{r['gpus']:,} ({r['nodes']:,} nodes)",
                why=(
                    _why(r["why"]["flops"]),
                    _why(r["why"].get("mfu")),
                    _why(r["why"]["gpu_hours"]),
                    _why(r["why"]["nodes"]),
                    _why(r["why"]["state_gpus"]),
                    *(
                        (_why(r["why"].get("run_hours")), _why(r["why"].get("gpu_hours_per_month")))
                        if r.get("every", "once") != "once"
                        else ()
                    ),
                ),
            )
        sections.append(t)
    inference = doc["compute"]["inference"]
    if inference:
        t = Section("Inference", ("workload", "accelerator", "class", "core GPUs", "edge GPUs"))
        for r in inference:
            t.add(
                r["name"],
                r["accelerator"],
                r["classification"],
                f"{r['gpus']:,} ({r['replicas']} × {r['replica']['gpus']})",
                _n(r["edge_gpus"]),
                why=(_why(r["why"]["gpus"]),),
            )
        sections.append(t)
        sections.append(_model_fit(inference))

    placement = doc["placement"]
    t = Section(
        "Placement (least cost, classification and quotas honoured)",
        ("workload", "where", "count", "GPUs", "USD/h"),
        note=f"solver: {placement['solver']}; private GPUs used {placement['private_gpus_used']} of "
        f"{placement['private_gpus_available']}",
    )
    for g in placement["private"]:
        t.add(
            g["workload"],
            f"private {g['accelerator']}",
            f"{g['servers']} servers",
            _n(g["gpus"]),
            _n(g["gpus"] * g["usd_per_gpu_hour"], 2),
            why=(_why(g["why"]["gpus"]),),
        )
    for g in placement["public"]:
        reservation = g.get("reservation")
        kind = reservation["kind"] if reservation else ("spot" if g["spot"] else "on-demand")
        low, high = g.get("min", g["count"]), g.get("max", g["count"])
        t.add(
            g["workload"],
            f"{g['instance_type']} ({kind})",
            f"{low}..{high} inst." if low != high else f"{g['count']} inst.",
            _n(g["gpus"]),
            _n(g["count"] * g["usd_per_hour"], 2),
            why=(
                _why(g["why"]["count"]),
                *((_why(g["why"].get("min")), _why(g["why"].get("max"))) if low != high else ()),
                *(
                    (
                        f"reserved: {reservation['instances']} × {g['instance_type']} for {reservation['days']} days "
                        f"({reservation['start_date']} to {reservation['end_date']}), USD "
                        f"{reservation['usd_total']:,.0f} paid {reservation['paid']}",
                        _why(g["why"].get("reservation_days")),
                    )
                    if reservation
                    else ()
                ),
            ),
        )
    sections.append(t)

    if doc.get("replicas"):
        t = Section(
            "Inference replicas (HPA min..max; owned nodes are fixed, replicas scale within them)",
            ("workload", "where", "min", "max"),
        )
        for r in doc["replicas"]:
            t.add(
                r["workload"],
                r["where"],
                _n(r["min"]),
                _n(r["max"]),
                why=(_why(r["why"]["min"]),) if r["min"] != r["max"] else (),
            )
        sections.append(t)

    s = doc["storage"]
    t = Section("Ceph storage", ("figure", "value"))
    for key, label in (
        ("usable_tb", "usable TB"),
        ("checkpoint_tb", "checkpoints TB"),
        ("raw_tb", "raw TB"),
        ("checkpoint_write_gb_per_s", "checkpoint write GB/s"),
        ("osds_for_capacity", "OSDs for capacity"),
        ("osds_for_bandwidth", "OSDs for bandwidth"),
        ("osds_needed", f"OSDs needed ({s['osd_bound']})"),
        ("hosts", "hosts"),
        ("osds", f"OSDs ({s['drives_per_host']}/host, {s['osds_per_host']} bays)"),
        ("monitors", "monitors"),
    ):
        t.add(label, _n(s[key], 2 if key.endswith("_per_s") else 1), why=(_why(s["why"].get(key)),))
    for p in s["pools"]:
        protection = f"EC {p['erasure_k']}+{p['erasure_m']}" if p["erasure_k"] else f"{p['size']} replicas"
        t.add(
            f"pool {p['name']} pg_num",
            _n(p["pg_num"]),
            why=(
                f"{protection}, min_size {p['min_size']}, failure domain {p['failure_domain']}",
                _why(p["why"]["pg_num"]),
            ),
        )
    sections.append(t)

    n = doc["network"]
    t = Section("Transfers and interconnect", ("item", "value"))
    for tr in n["transfers"]:
        t.add(f"{tr['name']} Gbps", _n(tr["gbps"], 2), why=(_why(tr["why"]["gbps"]),))
        t.add(
            f"{tr['name']} hours at plan",
            _n(tr["hours_at_provisioned"], 2),
            why=(_why(tr["why"]["hours_at_provisioned"]),),
        )
    t.add("required Gbps", _n(n["required_gbps"], 2), why=(_why(n["why"]["required_gbps"]),))
    t.add("VPN connections", _n(n["vpn_connections"]), why=(_why(n["why"]["vpn_connections"]),))
    t.add("VPN tunnels", _n(n["vpn_tunnels"]), why=(_why(n["why"]["vpn_tunnels"]),))
    t.add("provisioned Gbps", _n(n["provisioned_gbps"], 2), why=(_why(n["why"]["provisioned_gbps"]),))
    if n["direct_connect"]:
        dc = n["direct_connect"]
        t.add("Direct Connect", f"{dc['ports']} {dc['unit']}", why=(_why(dc["why"]["ports"]),), alert=True)
        links = ", ".join(f"{link['name']} {link['ports']}x VLAN {link['vlan']}" for link in dc["links"])
        where = ", ".join(dc.get("locations") or [dc["location"]])
        t.add("Direct Connect links", f"{len(dc['links'])} at {where}", why=(links,))
        if dc["why"].get("ports_per_location"):
            t.add(
                "Direct Connect ports per location",
                _n(dc["ports_per_location"]),
                why=(_why(dc["why"]["ports_per_location"]),),
            )
        for hop, figure in zip(dc.get("path", []), dc["why"].get("path", []), strict=False):
            t.add(
                f"path ({dc['bulk_path']}): {hop['hop']} Gbps",
                _n(hop["gbps"], 1),
                why=(_why(figure),),
                alert=not hop["ok"],
            )
        t.add("Direct Connect Gbps", _n(dc["capacity_gbps"], 2), why=(_why(dc["why"]["capacity_gbps"]),))
        t.add("Direct Connect encryption", dc["encryption"], why=(dc["encryption_reason"],))
        if dc["ipsec_connections"]:
            t.add("IPsec over DX", _n(dc["ipsec_connections"]), why=(_why(dc["why"]["ipsec_connections"]),))
        t.add(
            "interconnect Gbps", _n(n["interconnect_gbps"], 2), why=(_why(n["why"].get("interconnect_gbps")),)
        )
    sections.append(t)

    if doc["edge"]["sites"]:
        sharded = any(site.get("shard") is not None for site in doc["edge"]["sites"])
        routes = n.get("edge_route_prefixes") or []
        t = Section(
            "Edge sites (K3s)",
            (
                "site",
                "network",
                *(("shard",) if sharded else ()),
                "accelerator",
                "servers",
                "GPU nodes",
                "GPUs",
            ),
            note=f"edge routes (aggregated): {', '.join(routes)}" if routes else "",
        )
        for site in doc["edge"]["sites"]:
            t.add(
                site["name"],
                network_cell(site),
                *((_n(site["shard"]),) if sharded else ()),
                site["accelerator"],
                _n(site["servers"]),
                _n(site["nodes"]),
                _n(site["gpus"]),
                why=(_why(site["why"]["nodes"]),),
            )
        sections.append(t)

    sec = doc["security"]
    t = Section(
        "Security controls",
        ("target", "control", "reason"),
        note="placement by classification: "
        + "; ".join(f"{k} → {', '.join(v)}" for k, v in sec["placement_by_classification"].items()),
    )
    for c in sec["controls"]:
        t.add(c["target"], c["control"], c["reason"])
    sections.append(t)
    return sections


def _model_fit(inference: Sequence[Mapping[str, Any]]) -> Section:
    """The served models: weights and KV cache, then one replica per accelerator (core, then edge sites)."""
    t = Section("Model fit (one replica per accelerator)", ("figure", "value"))
    for r in inference:
        model = r["model"]
        t.add(f"{r['name']} weights GB", _n(model["weights_gb"]), why=(_why(model["why"]["weights_gb"]),))
        t.add(
            f"{r['name']} KV cache B/token",
            _n(model["kv_bytes_per_token"], 0),
            why=(_why(model["why"]["kv_bytes_per_token"]),),
        )
        for where, replica in [("core", r["replica"]), *(("edge", e) for e in r["edge_replicas"])]:
            on = f"{r['name']} ({where}, {replica['accelerator']})"
            why = replica["why"]
            t.add(f"{on}: GPUs per replica", _n(replica["gpus"]), why=(_why(why["gpus"]),))
            t.add(f"{on}: need GB", _n(replica["memory_gb"]), why=(_why(why["memory_gb"]),))
            t.add(
                f"{on}: batch ({replica.get('bound') or 'measured'})",
                _n(replica["batch"]),
                why=(_why(why["batch"]),),
            )
            t.add(
                f"{on}: tokens/s" + (" (ESTIMATE)" if replica["estimated"] else ""),
                _n(replica["tokens_per_s"], 0),
                why=(_why(why["tokens_per_s"]),),
                alert=replica["estimated"],
            )
    return t


def _facts(doc: Mapping[str, Any]) -> list[str]:
    """The sourced facts sizing rests on, one line each."""
    return [
        f"{key} = {fact['value']:g} ({fact['unit']}): {fact['source']} ({fact['as_of']})"
        for key, fact in doc["sources"].get("facts", {}).items()
    ]


# --- terminal (rich) ----------------------------------------------------------------------------------------
# Columns of words, left-aligned; the first column is always left-aligned, every other one right-aligned.
_TEXT_COLUMNS = frozenset({"accelerator", "class", "where", "control", "target"})


def _rich_why(why: Sequence[str | Why]) -> str:
    parts = [
        escape(p)
        if isinstance(p, str)
        else escape(p.formula) + (f"\n[dim]{escape(p.inputs)}[/dim]" if p.inputs else "")
        for p in why
    ]
    return "\n".join(parts).replace("\n", "  ")


def _print_section(section: Section, console: Console) -> None:
    # The explanations are printed as lines under the table (not as a column), so tables fit 80 columns.
    table = Table(title=section.title, box=box.SIMPLE_HEAVY, title_justify="left")
    for i, column in enumerate(section.columns):
        left = i == 0 or column in _TEXT_COLUMNS
        table.add_column(column, justify="left" if left else "right", overflow="fold")
    explained: list[tuple[str, str]] = []
    for row in section.rows:
        label = f"[red]{escape(row.cells[0])}[/red]" if row.alert else escape(row.cells[0])
        table.add_row(label, *(escape(cell) for cell in row.cells[1:]))
        if row.why:
            explained.append((label, _rich_why(row.why)))
    console.print(table)
    for label, why in explained:
        console.print(f"  [bold]{label}[/bold]: {why}", highlight=False)
    if explained:
        console.print()
    if section.note:
        console.print(f"  {escape(section.note)}")


def print_size(doc: Mapping[str, Any], console: Console) -> None:
    """The tables, the cost table, the warnings and the price source, for a terminal."""
    console.print(f"[bold]aidc size[/bold] — stack [cyan]{doc['stack']}[/cyan]")
    for section in size_sections(doc):
        _print_section(section, console)
    print_cost(doc["cost"], console)
    for warning in doc["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    src = doc["sources"]
    console.print(
        f"[dim]prices: {src['prices']} as of {src['prices_as_of']}; override in aidc:capacity.prices[/dim]"
    )
    for line in _facts(doc):
        console.print(f"[dim]{escape(line)}[/dim]", highlight=False)


# --- markdown -----------------------------------------------------------------------------------------------
_MD_TEXT_COLUMNS = _TEXT_COLUMNS | {"reason"}


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _md_why(why: Sequence[str | Why]) -> str:
    return "; ".join(
        _md(p) if isinstance(p, str) else _code(p.formula) + (f" with {_md(p.inputs)}" if p.inputs else "")
        for p in why
    )


def _section_markdown(section: Section) -> list[str]:
    aligns = [
        "---" if i == 0 or column in _MD_TEXT_COLUMNS else "---:" for i, column in enumerate(section.columns)
    ]
    lines = [
        f"#### {section.title}",
        "",
        "| " + " | ".join(section.columns) + " |",
        "|" + "|".join(aligns) + "|",
    ]
    for row in section.rows:
        label = f"**{_md(row.cells[0])}**" if row.alert else _md(row.cells[0])
        lines.append("| " + " | ".join([label, *(_md(c) for c in row.cells[1:])]) + " |")
    explained = [row for row in section.rows if row.why]
    if explained:
        lines.append("")
        lines += [f"- **{_md(row.cells[0])}**: {_md_why(row.why)}" for row in explained]
    if section.note:
        lines += ["", _md(section.note)]
    return [*lines, ""]


def size_markdown(doc: Mapping[str, Any]) -> str:
    """`aidc size --format markdown`: warnings first, then every table with the formula and inputs of each
    figure under it, then the cost per line with its formula and the price sources."""
    lines = [f"### aidc size — `{doc['stack']}`", ""]
    if doc["warnings"]:
        lines += ["**Warnings**", ""]
        lines += [f"- {_md(w)}" for w in doc["warnings"]]
        lines.append("")
    for section in size_sections(doc):
        lines += _section_markdown(section)
    # cost_markdown ends with the price source and date; the spot estimate's source is the one left to say.
    lines += ["#### Monthly cost (USD)", "", cost_markdown(doc["cost"]).rstrip("\n")]
    lines.append(
        f"<sub>Spot: {doc['sources']['spot']}. Any price can be overridden in `aidc:capacity.prices`.</sub>"
    )
    lines += ["", *(f"<sub>{_md(line)}</sub>  " for line in _facts(doc))]
    return "\n".join(lines) + "\n"
