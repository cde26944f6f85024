"""aidc/documents.py: stack files and --diff bases are read without trusting them — duplicate keys, alias bombs,
deep nesting, recursive aliases, odd tags, binary and non-UTF-8 files, oversize files, non-standard JSON — each
refused in one line naming the file, quickly, never by hanging or a RecursionError."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aidc.config import ConfigError, load_config_file
from aidc.documents import (
    MAX_JSON_DEPTH,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    DocumentError,
    load_json,
    parse_yaml,
    read_text,
)

BOMB = "\n".join(
    [
        "config:",
        "  aws:region: us-east-1",
        "  other:lol: &a [x, x, x, x, x, x, x, x, x, x]",
        *(
            f"  other:lol{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]"
            for i in range(8)  # 10^9 values once expanded, under a key aidc does not own
        ),
    ]
)


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text, text
    return text


def test_a_key_twice_in_one_mapping_is_refused_with_both_lines() -> None:
    with pytest.raises(DocumentError) as info:
        parse_yaml("config:\n  aws:region: us-east-1\nconfig:\n  aws:region: eu-west-1\n", "Pulumi.x.yaml")
    assert "duplicate key 'config'" in _one_line(info.value)
    assert "line 3" in str(info.value) and "first defined on line 1" in str(info.value)
    with pytest.raises(DocumentError, match="duplicate key 'aidc:demand'"):
        parse_yaml("config:\n  aidc:demand: {}\n  aidc:demand: {}\n")


def test_merge_keys_may_override() -> None:
    assert parse_yaml("base: &b {x: 1}\nm: {<<: *b, x: 2}\n")["m"] == {"x": 2}


def test_an_alias_bomb_is_measured_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.bomb.yaml"
    path.write_text(BOMB)
    started = time.monotonic()
    with pytest.raises(ConfigError, match="alias bomb"):
        load_config_file(path)
    assert time.monotonic() - started < 5  # measured in linear time, never expanded


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: " + "[" * 50_000 + "]" * 50_000, f"nested deeper than {MAX_YAML_DEPTH}"),
        ("".join("  " * i + "k:\n" for i in range(60)), f"nested deeper than {MAX_YAML_DEPTH}"),
        ("a: &a [*a]\n", "refers to a node that contains it"),
        ("a: !!binary aGVsbG8=\n", "unsupported tag"),
        ("a: !!python/object/apply:os.system [ls]\n", "unsupported tag"),
        ("a: \x01\n", "not allowed in YAML"),
        ("a: [1, 2\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "single document"),
    ],
)
def test_hostile_yaml_is_one_clear_line(text: str, problem: str) -> None:
    with pytest.raises(DocumentError) as info:
        parse_yaml(text, "stack.yaml")
    assert problem in _one_line(info.value)
    assert str(info.value).startswith("stack.yaml")


def test_dates_stay_text() -> None:
    assert parse_yaml("d: 2024-01-01\n") == {"d": "2024-01-01"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"config: {}\n\x00\x01\x02", "binary file"),
        (b"config:\n  aws:region: \xff\xfe\n", r"not UTF-8 text \(byte 0xff at offset 22\)"),
        (b"x" * (MAX_YAML_BYTES + 1), "larger than"),
    ],
)
def test_binary_non_utf8_and_huge_files_are_refused(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "Pulumi.odd.yaml"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=problem):
        read_text(path, "a stack file", MAX_YAML_BYTES)
    with pytest.raises(ConfigError, match=problem):  # and through the config loader, as the CLI sees it
        load_config_file(path)


def test_a_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfconfig:\n  aws:region: eu-west-1\n")
    assert load_config_file(path).aws.region == "eu-west-1"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="is a directory"):
        read_text(tmp_path, "a stack file", MAX_YAML_BYTES)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than"),
        (
            json.dumps({"a": [[[[[[[]]]]]]]}).replace("[]", "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH),
            "nested",
        ),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ("{oops", "is not JSON"),
    ],
)
def test_hostile_json_is_one_clear_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "base.json"
    path.write_text(text)
    with pytest.raises(DocumentError) as info:
        load_json(path, "an `aidc plan --json` file")
    assert problem in _one_line(info.value)


def test_a_fifo_is_refused_without_blocking(tmp_path) -> None:
    import os

    from aidc.documents import DocumentError, load_yaml

    fifo = tmp_path / "Pulumi.fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match="not a regular file"):
        load_yaml(fifo)
