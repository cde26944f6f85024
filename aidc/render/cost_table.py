"""Rich table of the monthly cost estimate (the dict `aidc.sizing.cost.cost_to_dict` returns)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table


def print_cost(cost: dict[str, Any], console: Console) -> None:
    table = Table(title="Monthly cost estimate (USD)", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("component")
    table.add_column("USD/month", justify="right")
    for component, value in (cost.get("components") or {}).items():
        amount = value.get("usd_per_month", value) if isinstance(value, dict) else value
        table.add_row(str(component), f"{float(amount):,.0f}")
    total = cost.get("total_usd_per_month", cost.get("total"))
    if total is not None:
        table.add_row("[bold]total[/bold]", f"[bold]{float(total):,.0f}[/bold]")
    console.print(table)
