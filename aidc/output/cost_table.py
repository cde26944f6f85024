"""The monthly cost estimate as a rich table (terminal) and as a markdown table (comments, reports).

Both read the one shape `aidc.sizing.cost.cost_to_dict` returns (`cost` in `aidc size --json`, `summary.cost`
in `aidc plan --json`); the diff's before/after cost table lives with the diff (diff_markdown.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aidc.output.text_table import Column, paragraph, table


def print_cost(cost: Mapping[str, Any], console: Console) -> None:
    """Per-component monthly cost and the total, for people at a terminal."""
    table = Table(title="Monthly cost estimate (USD)", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("component / item")
    table.add_column("USD/month", justify="right")
    # The same lines as the JSON and the markdown: each component's priced items, then its subtotal.
    for component, value in cost["components"].items():
        for line in value["lines"]:
            table.add_row(f"  {escape(str(line['item']))}", f"{float(line['usd_per_month']):,.0f}")
        table.add_row(
            f"[bold]{escape(str(component))}[/bold]", f"[bold]{float(value['usd_per_month']):,.0f}[/bold]"
        )
    table.add_row("[bold]total[/bold]", f"[bold]{float(cost['total_usd_per_month']):,.0f}[/bold]")
    baseline, peak = _baseline_and_peak(cost)
    table.add_row("at baseline", f"{baseline:,.0f}")
    table.add_row("at peak", f"{peak:,.0f}")
    ceiling = cost.get("ceiling_usd_per_month")
    if ceiling is not None:
        over = " [bold red](over: refused)[/bold red]" if cost.get("over_ceiling") else ""
        table.add_row(f"ceiling{over}", f"{float(ceiling):,.0f}")
    console.print(table)
    for name, r in (cost.get("reservations") or {}).items():
        console.print(
            f"reservation {name}: {r['instances']} × {r['instance_type']} for {r['days']} days "
            f"({r['start_date']} to {r['end_date']}, {r['kind']}): USD {float(r['usd_total']):,.0f} paid {r['paid']}"
        )


def cost_text(cost: Mapping[str, Any], width: int = 80, explain: bool = False) -> list[str]:
    """Per-component monthly cost, the total, at baseline and at peak, as text lines; with `explain`, each
    component's priced lines with their formulas under it."""
    rows: list[tuple[str, str]] = []
    after: list[list[str]] = []
    for component, value in cost["components"].items():
        rows.append((str(component), f"{float(value['usd_per_month']):,.0f}"))
        lines: list[str] = []
        if explain:
            for line in value["lines"]:
                lines += paragraph(
                    f"{line['item']}: {float(line['usd_per_month']):,.2f} = {line['formula']}",
                    width,
                    "      ",
                    "          ",
                )
        after.append(lines)
    baseline, peak = _baseline_and_peak(cost)
    rows += [
        ("total", f"{float(cost['total_usd_per_month']):,.0f}"),
        ("at baseline", f"{baseline:,.0f}"),
        ("at peak", f"{peak:,.0f}"),
    ]
    ceiling = cost.get("ceiling_usd_per_month")
    if ceiling is not None:
        rows.append(
            (f"ceiling{' (over: refused)' if cost.get('over_ceiling') else ''}", f"{float(ceiling):,.0f}")
        )
    out = table("Monthly cost (USD)", (Column("component"), Column("USD/month", True)), rows, width, after)
    for name, r in (cost.get("reservations") or {}).items():
        out += paragraph(
            f"reservation {name}: {r['instances']} × {r['instance_type']} for {r['days']} days "
            f"({r['start_date']} to {r['end_date']}, {r['kind']}): USD {float(r['usd_total']):,.0f} paid {r['paid']}",
            width,
            "  ",
            "    ",
        )
    return [*out, ""]


def _baseline_and_peak(cost: Mapping[str, Any]) -> tuple[float, float]:
    """The monthly total at baseline load (every autoscaled group at its min) and at peak (the total)."""
    total = float(cost["total_usd_per_month"])
    return float(cost.get("baseline_usd_per_month", total)), float(cost.get("peak_usd_per_month", total))


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def cost_markdown(cost: Mapping[str, Any]) -> str:
    """Per-component, per-line monthly cost with the formula of each line, then the price source and date."""
    rows = ["| component | item | USD/month | formula |", "|---|---|---:|---|"]
    for component, value in cost["components"].items():
        for line in value["lines"]:
            rows.append(
                f"| {component} | {_cell(line['item'])} | {float(line['usd_per_month']):,.2f} "
                f"| {_cell(line['formula'])} |"
            )
        rows.append(f"| **{component}** | | **{float(value['usd_per_month']):,.2f}** | |")
    rows.append(f"| **total** | | **{float(cost['total_usd_per_month']):,.2f}** | |")
    baseline, peak = _baseline_and_peak(cost)
    rows.append(
        f"| at baseline | | {baseline:,.2f} | autoscaled GPU groups at their min (baseline load), the rest as planned |"
    )
    rows.append(f"| at peak | | {peak:,.2f} | every GPU group at its max (the total) |")
    ceiling = cost.get("ceiling_usd_per_month")
    if ceiling is not None:
        verdict = (
            "**over: the monthly-cost-ceiling rule refuses the stack**"
            if cost.get("over_ceiling")
            else "within"
        )
        rows.append(
            f"| ceiling | | {float(ceiling):,.2f} | aidc:policy.monthly_cost_ceiling_usd: {verdict} |"
        )
    for name, r in (cost.get("reservations") or {}).items():
        rows.append(
            f"| reservation | {_cell(name)}: {r['instances']} × {r['instance_type']} for {r['days']} days, "
            f"{r['start_date']} to {r['end_date']} ({r['kind']}, paid {r['paid']}) | {float(r['usd_total']):,.2f} "
            f"(term) | {_cell(r['formula'])} |"
        )
    rows.append("")
    rows.append(
        f"<sub>Prices: {cost['price_source']}, as of {cost['price_as_of']}; "
        f"{cost['hours_per_month']} h/month.</sub>"
    )
    if cost["not_priced"]:
        rows.append("<sub>Not priced: " + " · ".join(str(n) for n in cost["not_priced"]) + "</sub>")
    return "\n".join(rows) + "\n"
