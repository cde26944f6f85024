"""Markdown table of a monthly cost estimate (the dict `aidc.sizing.cost.cost_to_dict` returns), line by line with
the formula, and the price source and date underneath. For `aidc plan --format markdown` without `--diff`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def cost_markdown(cost: Mapping[str, Any]) -> str:
    """Per-component, per-line monthly cost as a markdown table."""
    rows = ["| component | item | USD/month | formula |", "|---|---|---:|---|"]
    for component, value in (cost.get("components") or {}).items():
        lines = value.get("lines") or [] if isinstance(value, Mapping) else []
        for line in lines:
            formula = str(line.get("formula", "")).replace("|", "\\|")
            rows.append(
                f"| {component} | {line.get('item', '')} | {float(line.get('usd_per_month', 0)):,.2f} "
                f"| {formula} |"
            )
        subtotal = value.get("usd_per_month", 0) if isinstance(value, Mapping) else value
        rows.append(f"| **{component}** | | **{float(subtotal):,.2f}** | |")
    rows.append(f"| **total** | | **{float(cost.get('total_usd_per_month', 0)):,.2f}** | |")
    rows.append("")
    rows.append(
        f"<sub>Prices: {cost.get('price_source', 'unknown')}, as of {cost.get('price_as_of', 'unknown')}; "
        f"{cost.get('hours_per_month', 730)} h/month.</sub>"
    )
    not_priced = cost.get("not_priced") or []
    if not_priced:
        rows.append("<sub>Not priced: " + " · ".join(str(n) for n in not_priced) + "</sub>")
    return "\n".join(rows) + "\n"
