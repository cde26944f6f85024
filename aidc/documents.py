"""Reading the files aidc is handed — stack files (YAML) and `--diff` base plans (JSON) — without trusting them.

Every reader here refuses, with one `DocumentError` line naming the file and what is allowed:
- files larger than a stated size, binary files (a NUL byte) and text that is not UTF-8;
- YAML that repeats a key in one mapping (Pulumi's YAML parser, go-yaml v3, refuses duplicate keys:
  "mapping key already defined"; PyYAML would silently keep the last), tags other than the plain JSON-like
  ones, recursive aliases, and alias "bombs": the document is measured as it would be once every alias is
  expanded (nodes and depth), before anything walks or serialises it;
- JSON nested deeper, or larger, than an `aidc plan --json` document can be, and the non-standard constants
  NaN / Infinity.

Pure (stdlib + PyYAML); no aidc import, so config, the CLI and the report code can all use it.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import yaml

# A stack file is a few KB (the largest shipped one is under 10 KB); 1 MiB leaves room for thousands of
# workloads and edge sites while keeping parsing well under a second.
MAX_YAML_BYTES = 1024 * 1024
# Nodes once aliases are expanded (scalars, sequences, mappings): 1,000 workloads and 500 edge sites
# (benchmarks/bench_sizing.py) are ~15,000. Past this, a document is refused, not expanded.
MAX_YAML_NODES = 200_000
# The deepest path in a stack file is config → aidc:demand → storage → protection → erasure → k (6).
MAX_YAML_DEPTH = 32
# An `aidc plan --json` document of a shipped stack is ~150 KB (resource counts grow with sites and pools, not
# with GPUs); nested Kubernetes specs and Heat templates make its deepest path ~20 levels.
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 100


class DocumentError(ValueError):
    """A file aidc cannot read as the document it expects; the message is one line naming the file."""


def read_text(path: Path | str, what: str, max_bytes: int) -> str:
    """The UTF-8 text of `path` (a BOM is allowed); DocumentError for unreadable, huge, binary or non-UTF-8
    files. `what` says what the file should be ("a stack file", "an `aidc plan --json` file")."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise DocumentError(f"{path} is a directory, not {what}")
    if not stat.S_ISREG(mode):
        # A FIFO, socket or device may never deliver an end of file: reading it could block for ever.
        raise DocumentError(f"{path} is not a regular file (a pipe, socket or device), not {what}")
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except IsADirectoryError:
        raise DocumentError(f"{path} is a directory, not {what}") from None
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise DocumentError(f"{path} is larger than {max_bytes:,} bytes; {what} is far smaller")
    if b"\x00" in data:
        raise DocumentError(f"{path} is a binary file (it contains NUL bytes), not {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}), not {what}"
        ) from None


# --- YAML ------------------------------------------------------------------------------------------------
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "merge")
)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """SafeLoader that bounds nesting while composing, refuses duplicate keys and keeps timestamps as text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Composition is recursive: bound it before Python's own recursion limit is reached.
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(
                    problem=f"nested deeper than {MAX_YAML_DEPTH} levels", problem_mark=mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first defined on line {first.start_mark.line + 1}); "
                        "Pulumi refuses a key defined twice in one mapping",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


def _timestamp_as_text(loader: _Loader, node: Any) -> str:
    # Pulumi hands config values to the program as strings; a date stays the text the user wrote.
    return str(loader.construct_scalar(node))


_Loader.add_constructor(_TIMESTAMP, _timestamp_as_text)


def _measure(
    node: Any, depth: int, memo: dict[int, tuple[int, int]], open_nodes: set[int]
) -> tuple[int, int]:
    """(nodes, depth) of `node` with every alias expanded; memoised per node, so a bomb is measured in
    time linear in the document's text, never expanded."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in open_nodes:
        raise yaml.MarkedYAMLError(
            problem="an alias refers to a node that contains it", problem_mark=node.start_mark
        )
    if depth > MAX_YAML_DEPTH:
        raise yaml.MarkedYAMLError(
            problem=f"nested deeper than {MAX_YAML_DEPTH} levels once aliases are expanded",
            problem_mark=node.start_mark,
        )
    if node.tag not in _PLAIN_TAGS and node.tag != _TIMESTAMP:
        raise yaml.MarkedYAMLError(
            problem=f"unsupported tag {node.tag!r}; a stack file holds plain strings, numbers, booleans, "
            "lists and mappings",
            problem_mark=node.start_mark,
        )
    children: list[Any] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    open_nodes.add(key)
    total, deepest = 1, 1
    for child in children:
        nodes, child_depth = _measure(child, depth + 1, memo, open_nodes)
        total += nodes
        deepest = max(deepest, child_depth + 1)
        if total > MAX_YAML_NODES:
            raise yaml.MarkedYAMLError(
                problem=f"expands to more than {MAX_YAML_NODES:,} values once aliases are expanded "
                "(an alias bomb?)",
                problem_mark=node.start_mark,
            )
    open_nodes.discard(key)
    memo[key] = (total, deepest)
    return total, deepest


def _one_line(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        return f"character #x{exc.character:04x} at offset {exc.position} is not allowed in YAML"
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        text = " ".join(part for part in (exc.context, exc.problem) if part)
        return where + " ".join(text.split())
    return " ".join(str(exc).split())


def parse_yaml(text: str, source: str = "<string>") -> Any:
    """The one YAML document in `text`, measured and checked as this module's docstring says."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, 1, {}, set())
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise DocumentError(f"{source}: not valid YAML: {_one_line(exc)}") from None
    except RecursionError:
        raise DocumentError(f"{source}: nested too deeply to read") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(path: Path | str, what: str = "a YAML stack file") -> Any:
    """Read and parse a YAML file with every bound of this module."""
    return parse_yaml(read_text(path, what, MAX_YAML_BYTES), str(path))


# --- JSON ------------------------------------------------------------------------------------------------
def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_depth(value: Any, source: str) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise DocumentError(f"{source}: nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def load_json(path: Path | str, what: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Read and parse a JSON file: UTF-8 text, standard numbers only, bounded size and depth."""
    source = str(path)
    text = read_text(path, what, max_bytes)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"{source} is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); expected {what}"
        ) from None
    except RecursionError:
        raise DocumentError(
            f"{source}: nested deeper than {MAX_JSON_DEPTH} levels; expected {what}"
        ) from None
    except ValueError as exc:
        raise DocumentError(f"{source}: {exc}; expected {what}") from None
    _check_depth(value, source)
    return value
