"""Every way `aidc` can be misused or its environment can fail ends in exit 1 (environment) or 2 (bad input)
with one line naming the key, file or flag — never a traceback, never a hang: invalid stack names, files that
are not what they should be, --diff bases of the wrong shape, a plan that does not finish within --timeout, a
full disk, a closed pipe, an ASCII-only terminal, and a bug (the last-resort handler)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aidc import cli
from aidc.cli import main

AIDC = str(Path(sys.executable).parent / "aidc")


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **kwargs.pop("env", {})}
    return subprocess.run([AIDC, *args], capture_output=True, text=True, timeout=120, env=env, **kwargs)


@pytest.mark.parametrize("stack", ["", "../dev", "a b", "x" * 101])
def test_an_invalid_stack_name_is_refused_not_replaced_by_dev(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["size", "--stack", stack]) == 2
    line = _err_line(capsys)
    assert "--stack" in line and "is not a stack name" in line


def test_a_config_file_whose_name_is_no_stack_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Pulumi.my stack.yaml"
    path.write_text("config: {}\n")
    assert main(["size", "--config", str(path)]) == 2
    assert "--config: the file name gives the stack name 'my stack'" in _err_line(capsys)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "the file is empty: it has no `config:`"),
        ("# only a comment\n", "the file is empty: it has no `config:`"),
        ("{}\n", "the file is empty: it has no `config:`"),
        ("encryptionsalt: v1:abc\n", "the file has no `config:` (its top-level keys: 'encryptionsalt')"),
        ("config:\n", "its `config:` is empty (null)"),
        ("config: null\n", "its `config:` is empty (null)"),
        ("config: []\n", "must hold a top-level `config:` mapping"),
        ("- config\n", "must hold a top-level `config:` mapping"),
        ("just text\n", "must hold a top-level `config:` mapping"),
    ],
)
@pytest.mark.parametrize("command", ["size", "plan"])
def test_a_stack_file_without_config_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, says: str, command: str
) -> None:
    """`: > x.yaml; aidc size --config x.yaml` was sized as every default: now exit 2, naming the file."""
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(text)
    assert main([command, "--config", str(path)]) == 2
    line = _err_line(capsys)
    assert str(path) in line and says in line, line


def test_an_explicit_empty_config_is_every_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`config: {}` says "every default" on purpose (the refusals above point to it); it is sized."""
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config: {}\n")
    assert main(["size", "--config", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_a_duplicate_top_level_key_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Pulumi.dup.yaml"
    path.write_text("config:\n  aws:region: us-east-1\nconfig:\n  aws:region: eu-west-1\n")
    assert main(["size", "--config", str(path)]) == 2
    line = _err_line(capsys)
    assert "duplicate key 'config'" in line and "line 3" in line and str(path) in line


def test_a_binary_diff_base_is_not_a_json_plan_and_fails_before_planning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.json"
    base.write_bytes(bytes(range(256)) * 8)
    started = time.monotonic()
    assert main(["plan", "--stack", "dev", "--diff", str(base)]) == 2
    line = _err_line(capsys)
    assert "--diff" in line and "not an `aidc plan --json` file" in line and "codec" not in line
    assert time.monotonic() - started < 20  # the base is read before the program runs


MALFORMED_BASES = [
    ([], "expected a JSON object"),
    ({"stack": 1, "resources": [], "summary": {}}, "stack must be a string"),
    ({"stack": "dev", "resources": {}, "summary": {}}, "resources must be a list"),
    ({"stack": "dev", "resources": [["urn"]], "summary": {}}, "resources[0] has no urn"),
    ({"stack": "dev", "resources": [{"urn": ["x"]}], "summary": {}}, "resources[0] has no urn"),
    ({"stack": "dev", "resources": [{"urn": "u", "inputs": [1]}], "summary": {}}, "resources[0].inputs"),
    ({"stack": "dev", "resources": [], "summary": "big"}, "summary must be an object"),
    ({"stack": "dev", "resources": [], "summary": {"counts": {"osds": "7"}}}, "summary.counts.osds"),
    ({"stack": "dev", "resources": [], "summary": {"by_type": [1]}}, "summary.by_type"),
    ({"stack": "dev", "resources": [], "summary": {"cost": {"components": [1]}}}, "summary.cost.components"),
    (
        {"stack": "dev", "resources": [], "summary": {"cost": {"total_usd_per_month": "lots"}}},
        "summary.cost.total_usd_per_month",
    ),
    ({"stack": "dev", "resources": [], "summary": {}, "policy": {"violations": "none"}}, "policy.violations"),
    ({"stack": "dev", "resources": [], "summary": {}, "policy": {"violations": [7]}}, "policy.violations[0]"),
]


@pytest.mark.parametrize(("document", "where"), MALFORMED_BASES, ids=[w for _, w in MALFORMED_BASES])
def test_a_diff_base_of_the_wrong_shape_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, where: str
) -> None:
    from aidc.output.diff import load_plan_json

    base = tmp_path / "base.json"
    base.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="give an `aidc plan --json` file") as info:
        load_plan_json(base)
    assert where in str(info.value) and "\n" not in str(info.value)


def test_a_plan_that_does_not_finish_within_the_timeout_exits_1_naming_the_stack(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "--stack", "dev", "--timeout", "0.01"]) == 1
    line = _err_line(capsys)
    assert "stack dev did not finish within 0.01 s" in line and "--timeout" in line


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_a_bad_timeout_is_bad_input(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--timeout", value]) == 2
    assert "--timeout" in _err_line(capsys)


def test_a_bug_ends_in_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: object) -> int:
        raise KeyError("KeyMetadata")

    monkeypatch.setattr(cli._command_module("size"), "run", broken)
    assert main(["size", "--stack", "dev"]) == 1
    line = _err_line(capsys)
    assert "internal error in `aidc size`" in line and "KeyError" in line and "report it" in line


def test_running_out_of_memory_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def hungry(_args: object) -> int:
        raise MemoryError

    monkeypatch.setattr(cli._command_module("size"), "run", hungry)
    assert main(["size", "--stack", "dev"]) == 1
    assert "ran out of memory" in _err_line(capsys)


@pytest.mark.slow
def test_a_full_disk_exits_1_in_one_line() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [AIDC, "size", "--stack", "dev", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "aidc: cannot write the output of `aidc size`: No space left on device (stdout)"
    ]


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly() -> None:
    """The reader goes away before aidc has written anything (as `| head -c 0` does): exit 0, nothing said."""
    process = subprocess.Popen(
        [AIDC, "size", "--stack", "prod", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert err == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pipeline", "first"),
    [
        ("size --stack ecommerce --json | head -c 1", "{"),
        ("size --stack dev | head -1", "aidc size: stack dev"),
    ],
    ids=["json-head-c-1", "text-head-1"],
)
def test_a_reader_that_stops_early_ends_the_pipeline_cleanly(pipeline: str, first: str) -> None:
    command, _, reader = pipeline.partition(" | ")
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{AIDC} {command} | {reader}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == first
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "aidc:" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}],
    ids=["ascii", "C"],
)
def test_an_ascii_only_terminal_gets_the_tables(env: dict[str, str]) -> None:
    result = _run("size", "--stack", "dev", env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Training" in result.stdout
