"""`aidc preflight` for people: one line per check (PASS or FAIL, the check, its target and, for a failure,
what the service said — without HTML pages) with the fix hint indented under it, wrapped at spaces, never inside
a word or a command. The checks and their JSON document are aidc/preflight/report.py's."""

from __future__ import annotations

import sys
from typing import IO

from aidc.output.text_table import output_width, paragraph
from aidc.preflight.report import CheckResult
from aidc.preflight.retry import one_line


def report_lines(checks: list[CheckResult], width: int = 80) -> list[str]:
    """One line per check: PASS or FAIL, the check, its target and, for a failure, what the service said;
    wrapped at spaces (never inside a word or a command) with the fix hint indented under it."""

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
    stream = sys.stdout if out is None else out
    lines = ["aidc preflight", *report_lines(checks, width or output_width(stream))]
    stream.write("\n".join(lines) + "\n")
