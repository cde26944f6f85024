"""`CheckResult` (one live check's verdict, with its figures and a fix hint) and how it is shown:
a rich table for people, one JSON object for machines. No cloud SDK import."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

CLOUDS = ("aws", "openstack")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one preflight check."""

    cloud: str
    """"aws" or "openstack"."""
    name: str
    """Short check name, e.g. "instance-offering", "vcpu-quota", "flavor"."""
    target: str
    """What was checked, e.g. "p5.48xlarge in us-east-1a, us-east-1b"."""
    ok: bool
    """True when the plan can be applied as far as this check sees."""
    detail: str
    """One sentence: what was found (or why it could not be found)."""
    figures: Mapping[str, Any] = field(default_factory=dict)
    """The numbers behind the verdict (needed vs available, offered AZs …)."""
    hint: str = ""
    """How to fix a failure; empty when the check passed."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "name": self.name,
            "target": self.target,
            "ok": self.ok,
            "detail": self.detail,
            "figures": dict(self.figures),
            "hint": self.hint,
        }


# Raised on a breaking change of the document (docs/schemas/preflight.schema.json; CHANGELOG.md).
SCHEMA_VERSION = 1


def document(checks: Iterable[CheckResult]) -> dict[str, Any]:
    """The `--json` contract: {"schema_version", "checks": [{cloud, name, target, ok, detail, figures, hint}],
    "ok": bool}."""
    rows = [c.to_dict() for c in checks]
    return {"schema_version": SCHEMA_VERSION, "checks": rows, "ok": all(r["ok"] for r in rows)}


def write_json(checks: Iterable[CheckResult], out: IO[str]) -> None:
    json.dump(document(checks), out, indent=2, default=str)
    out.write("\n")


def _figures_text(figures: Mapping[str, Any]) -> str:
    parts = []
    for key, value in figures.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value) or "-"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(f"{key}={value}")
    return "\n".join(parts)


def print_table(checks: list[CheckResult], out: IO[str] | None = None, width: int | None = None) -> None:
    """A table for people (check, target, result with its detail, figures), then each failure's fix hint
    as whole lines under it, so commands in hints stay copyable on an 80-column terminal."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=out, width=width, highlight=False)
    table = Table(title="aidc preflight", box=box.SIMPLE_HEAVY, title_justify="left", show_lines=True)
    for column in ("check", "target", "result", "figures"):
        table.add_column(column, overflow="fold")
    for check in checks:
        verdict = "[green]PASS[/green]" if check.ok else "[red]FAIL[/red]"
        table.add_row(
            escape(f"{check.cloud}:{check.name}"),
            escape(check.target),
            f"{verdict} {escape(check.detail)}",
            escape(_figures_text(check.figures)),
        )
    console.print(table)
    failed = [c for c in checks if not c.ok]
    if failed:
        console.print("[bold]Fix hints[/bold]")
        for check in failed:
            console.print(
                f"- {escape(check.cloud)}:{escape(check.name)} {escape(check.target)}: {escape(check.detail)}",
                soft_wrap=True,
            )
            if check.hint:
                console.print(f"  fix: {escape(check.hint)}", soft_wrap=True)
    summary = f"{len(checks) - len(failed)} passed, {len(failed)} failed"
    console.print(f"[red]{summary}[/red]" if failed else f"[green]{summary}[/green]")
