"""Plain-text tables and paragraphs that fit a terminal (80 columns when the output is not one).

Cells wrap at spaces and after a '-' (so `assistant-7b-ft` may become `assistant-7b-` / `ft`), never inside a
word: a column is never narrower than its longest unbreakable piece. Numbers are right-aligned, words
left-aligned. No colour and no box drawing, so the output is the same in a terminal, a pipe, a CI log and a
golden file. Used by `aidc size`, `aidc plan` and `aidc preflight`.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

DEFAULT_WIDTH = 80
INDENT = "  "
GAP = "  "
# A piece ends after a run of spaces or after a hyphen; pieces are what a line may break between.
_PIECES = re.compile(r"[^\s-]*-+|[^\s-]+|\s+")


def output_width(stream: IO[str]) -> int:
    """The terminal's width when `stream` is one (COLUMNS wins, as everywhere), else 80."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    return DEFAULT_WIDTH


def pieces(text: str) -> list[str]:
    """`text` cut where a line may break: after spaces and after hyphens."""
    return _PIECES.findall(text)


def longest_piece(text: str) -> int:
    return max((len(p.strip()) for p in pieces(text)), default=0)


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken at spaces or after '-', never mid-word (a piece
    longer than `width` stands alone on its line)."""
    lines: list[str] = []
    current = ""
    for piece in pieces(text):
        if piece.isspace():
            if current:
                current += " "
            continue
        if current and len(current) + len(piece) > width:
            lines.append(current.rstrip())
            current = ""
        current += piece
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def paragraph(text: str, width: int, indent: str = "", subsequent: str | None = None) -> list[str]:
    """A paragraph wrapped at spaces and hyphens, first line indented by `indent`, the others by
    `subsequent` (default: the same)."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=True,
    ) or [indent.rstrip()]


@dataclass(frozen=True)
class Column:
    header: str
    numeric: bool = False  # right-aligned


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Each column's width: natural, then the widest shrunk in turn (never below its longest piece) until
    the table fits `width`."""
    natural = [max([len(c.header), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    floor = [
        max([longest_piece(c.header), *(longest_piece(r[i]) for r in rows)]) for i, c in enumerate(columns)
    ]
    widths = list(natural)
    budget = width - len(INDENT) - len(GAP) * (len(columns) - 1)
    while sum(widths) > budget:
        slack = [w - f for w, f in zip(widths, floor, strict=True)]
        widest = max(range(len(widths)), key=lambda i: (slack[i] > 0, widths[i]))
        if slack[widest] <= 0:
            break  # nothing left to shrink without breaking a word: the line runs long
        widths[widest] -= 1
    return widths


def table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int = DEFAULT_WIDTH,
    after: Sequence[Sequence[str]] = (),
) -> list[str]:
    """A titled table: header, a rule, then the rows, each cell wrapped in its column; `after[i]` are lines
    printed under row i (its explanation)."""
    widths = _widths(columns, rows, width)
    lines = [title] if title else []

    def render(cells: Sequence[str]) -> list[str]:
        wrapped = [wrap(cell, w) for cell, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        out = []
        for line_no in range(height):
            parts = []
            for col, w, cell_lines in zip(columns, widths, wrapped, strict=True):
                text = cell_lines[line_no] if line_no < len(cell_lines) else ""
                parts.append(text.rjust(w) if col.numeric else text.ljust(w))
            out.append((INDENT + GAP.join(parts)).rstrip())
        return out

    lines += render([c.header for c in columns])
    lines.append(INDENT + GAP.join("-" * w for w in widths))
    for i, row in enumerate(rows):
        lines += render(row)
        if i < len(after):
            lines += after[i]
    return lines
