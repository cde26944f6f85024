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


def report_lines(checks: list[CheckResult], width: int = 80) -> list[str]:
    """One line per check: PASS or FAIL, the check, its target and, for a failure, what the service said;
    wrapped at spaces (never inside a word or a command) with the fix hint indented under it."""
    from aidc.output.text_table import paragraph
    from aidc.preflight.retry import one_line

    lines: list[str] = []
    for check in checks:
        verdict = "PASS" if check.ok else "FAIL"
        text = f"{verdict} {check.cloud}:{check.name} {check.target}"
        if not check.ok:
            text += f": {one_line(check.detail)}"
        lines += paragraph(text, width, "  ", "       ")
        if not check.ok and check.hint:
            lines += paragraph(f"fix: {one_line(check.hint)}", width, "       ", "         ")
    failed = sum(1 for c in checks if not c.ok)
    lines.append(f"{len(checks) - failed} passed, {failed} failed")
    return lines


def print_table(checks: list[CheckResult], out: IO[str] | None = None, width: int | None = None) -> None:
    """The report for people (`report_lines`), to `out` (default stdout) at `width` (default: the
    terminal's, 80 when stdout is not one)."""
    import sys

    from aidc.output.text_table import output_width

    stream = sys.stdout if out is None else out
    lines = ["aidc preflight", *report_lines(checks, width or output_width(stream))]
    stream.write("\n".join(lines) + "\n")
