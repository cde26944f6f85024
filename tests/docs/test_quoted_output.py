"""The output the README and the getting-started page quote is the real output of the command each block names.

Every ```text block of those pages is output, and is preceded by `<!-- output of: aidc ... -->` naming the
command that prints it (an HTML comment: neither GitHub nor MkDocs shows it). The test runs each command as a user
would (the installed `aidc`, stdout, 80 columns: not a terminal) and requires every quoted line, in order, among
the lines the command prints; a line `...` marks an abridgement and blank lines are layout. A figure that moves
(FLOPs, GPU-hours, resources, cost) fails here until the page is regenerated from the command."""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("README.md", "docs/getting-started.md")
AIDC = str(Path(sys.executable).parent / "aidc")
ANNOTATED = re.compile(
    r"<!-- output of: (?P<command>[^>]+?) -->\n```text\n(?P<block>.*?)^```", re.DOTALL | re.M
)
TEXT_BLOCK = re.compile(r"^```text$", re.MULTILINE)
ABRIDGED = "..."


def quoted_blocks(page: str) -> list[tuple[str, list[str]]]:
    """(command, quoted lines) of each annotated output block of `page`, in page order."""
    text = (ROOT / page).read_text(encoding="utf-8")
    return [(match["command"].strip(), match["block"].splitlines()) for match in ANNOTATED.finditer(text)]


def missing_lines(quoted: list[str], printed: list[str]) -> list[str]:
    """The quoted lines not found, in order, among the printed ones (blank and `...` lines skipped)."""
    printed = [line.rstrip() for line in printed]
    at, missing = 0, []
    for line in (q.rstrip() for q in quoted):
        if not line.strip() or line.strip() == ABRIDGED:
            continue
        try:
            at = printed.index(line, at) + 1
        except ValueError:
            missing.append(line)
    return missing


@functools.cache
def output_of(command: str) -> list[str]:
    argv = shlex.split(command)
    assert argv[0] == "aidc", f"a quoted block names {command!r}: only aidc commands are run"
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = subprocess.run(
        [AIDC, *argv[1:]], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT, check=False
    )
    assert result.returncode == 0, f"{command}: exit {result.returncode}\n{result.stderr}"
    return result.stdout.splitlines()


BLOCKS = [
    pytest.param(page, index, command, lines, id=f"{page}#{index}:{command}")
    for page in PAGES
    for index, (command, lines) in enumerate(quoted_blocks(page))
]


@pytest.mark.parametrize("page", PAGES)
def test_every_output_block_names_its_command(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = len(TEXT_BLOCK.findall(text))
    assert blocks >= 2, f"{page}: the tour quotes output"
    assert len(quoted_blocks(page)) == blocks, (
        f"{page}: every ```text block is quoted output and needs `<!-- output of: aidc ... -->` on the line "
        "before it"
    )


@pytest.mark.parametrize(("page", "index", "command", "lines"), BLOCKS)
def test_quoted_output_is_what_the_command_prints(
    page: str, index: int, command: str, lines: list[str]
) -> None:
    missing = missing_lines(lines, output_of(command))
    assert not missing, (
        f"{page}, block {index} ({command}): these lines are not in its output (regenerate the block from "
        f"`{command}`):\n" + "\n".join(missing)
    )


def test_the_check_fails_on_a_stale_figure_and_on_lines_out_of_order() -> None:
    printed = ["aidc size: stack dev", "", "Training", "  total  20  17.58"]
    assert missing_lines(["aidc size: stack dev", "...", "  total  20  17.58"], printed) == []
    assert missing_lines(["  total  20  17.59"], printed) == ["  total  20  17.59"]
    assert missing_lines(["Training", "aidc size: stack dev"], printed) == ["aidc size: stack dev"]
