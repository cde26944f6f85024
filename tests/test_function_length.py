"""No function under components/ or aidc/sizing/ is longer than 80 lines (issue 22: a long constructor is split into
per-concern modules, a long solver into build / solve / decode). Measured with `ast` as end_lineno - lineno + 1 of
every function and method: from the `def` line to its last line, docstring and comments inside included."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("components", "aidc/sizing")
MAX_LINES = 80


def function_lengths(root: Path, folders: tuple[str, ...]) -> list[tuple[int, str]]:
    """(lines, 'path:line name') of every function and method in the folders' Python files."""
    lengths = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    where = f"{path.relative_to(root)}:{node.lineno} {node.name}"
                    lengths.append((node.end_lineno - node.lineno + 1, where))
    return lengths


def test_no_function_is_longer_than_80_lines() -> None:
    lengths = function_lengths(ROOT, FOLDERS)
    assert (
        len(lengths) > 500
    )  # the walk found the code (components and sizing hold several hundred functions)
    assert [f"{where}: {lines} lines" for lines, where in lengths if lines > MAX_LINES] == []


def test_a_long_function_is_found(tmp_path: Path) -> None:
    """The measure counts from the `def` line to the last line, methods (async too) included: a function of 80
    lines passes, a method of 81 is reported."""
    lines = [f"x{i} = {i}" for i in range(79)]
    source = ["def exactly_80():", *("    " + line for line in lines), "", "", "class Widget:"]
    source += ["    async def too_long(self):", *("        " + line for line in lines), "        y = 1", ""]
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "long.py").write_text("\n".join(source))
    lengths = {where: n for n, where in function_lengths(tmp_path, ("components",))}
    assert lengths == {"components/long.py:1 exactly_80": 80, "components/long.py:84 too_long": 81}
    assert [where for n, where in function_lengths(tmp_path, ("components",)) if n > MAX_LINES] == [
        "components/long.py:84 too_long"
    ]
