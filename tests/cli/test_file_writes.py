"""Commands that rewrite a user's file respect it: `aidc edge allocate` refuses a read-only stack file, writes
through a symlink (the real file changes, the link stays), keeps the mode, replaces atomically and never leaves
half a file or a temporary behind; `aidc estate init` verifies each existing shard file (a regular file, YAML,
naming this core and this shard) instead of reporting it "in place", and tells its shard from another estate's
core named like it.

Before: a read-only file was replaced, a symlink became a copy (the real file never updated), new shard files were
0600, and a directory, a non-YAML file or another core's shard file counted as "stack file in place"."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidc.cli import main
from aidc.config.write import FileWriteError, replace_file
from tests.stacks.test_estate import estate_values

SITES = [
    {"name": "north", "share": 0.5, "accelerator": "l4-24gb"},
    {"name": "south", "share": 0.5, "accelerator": "l4-24gb"},
]


def stack_file(directory: Path, name: str = "edgey") -> Path:
    path = directory / f"Pulumi.{name}.yaml"
    path.write_text(
        "# sites\n" + yaml.safe_dump({"config": {"aidc:edge": {"sites": SITES}}}, sort_keys=False)
    )
    return path


def recorded(path: Path) -> dict[str, str]:
    sites = yaml.safe_load(path.read_text())["config"]["aidc:edge"]["sites"]
    return {s["name"]: s["network_cidr"] for s in sites if "network_cidr" in s}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --- edge allocate ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o444, 0o440, 0o400, 0o555])
def test_a_read_only_stack_file_is_refused_and_left_alone(
    tmp_path: Path, mode: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = stack_file(tmp_path)
    before = path.read_text()
    path.chmod(mode)
    assert main(["edge", "allocate", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"is read-only (mode {mode:04o})" in err and "nothing written" in err
    assert path.read_text() == before and stat.S_IMODE(path.stat().st_mode) == mode
    assert leftovers(tmp_path) == []


def test_a_symlinked_stack_file_is_written_through(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = stack_file(real_dir)
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    link = stacks / "Pulumi.edgey.yaml"
    link.symlink_to(os.path.relpath(real, stacks))
    assert main(["edge", "allocate", "--config", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve(), "the link stays a link"
    assert set(recorded(real)) == {"north", "south"}, "the real file holds the record"
    assert leftovers(stacks) == [] and leftovers(real_dir) == []


@pytest.mark.parametrize("kind", ["dangling", "loop", "to a directory"])
def test_a_symlink_that_leads_to_no_file_is_refused(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = stack_file(tmp_path)
    text = path.read_text()
    link = tmp_path / "Pulumi.link.yaml"
    if kind == "dangling":
        link.symlink_to(tmp_path / "gone.yaml")
    elif kind == "loop":
        link.symlink_to(tmp_path / "Pulumi.loop.yaml")
        (tmp_path / "Pulumi.loop.yaml").symlink_to(link)
    else:
        link.symlink_to(tmp_path)
    with pytest.raises(FileWriteError, match="nothing written"):
        replace_file(link, text)
    assert link.is_symlink()


def test_a_file_with_other_hard_links_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = stack_file(tmp_path)
    os.link(path, tmp_path / "other-name.yaml")
    before = path.read_text()
    assert main(["edge", "allocate", "--config", str(path)]) == 2
    assert "has 2 hard links" in capsys.readouterr().err
    assert path.read_text() == before


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.sampled_from([0o600, 0o640, 0o644, 0o660, 0o664, 0o666, 0o700, 0o755, 0o775, 0o604]))
def test_the_mode_is_kept(tmp_path: Path, mode: int) -> None:
    directory = tmp_path / f"m{mode:o}"
    directory.mkdir(exist_ok=True)
    path = stack_file(directory)
    path.chmod(mode)
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == mode and recorded(path)


@pytest.mark.parametrize("failing", ["write", "fsync", "chmod", "replace"])
def test_a_failure_half_way_leaves_the_old_file_whole_and_no_temporary(
    tmp_path: Path, failing: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = stack_file(tmp_path)
    before = path.read_text()

    def broken(*_: Any, **__: Any) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            """Writes half the text to disk, then the disk is full."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                self.stream = real_fdopen(*args, **kwargs)

            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                self.stream.close()

            def write(self, text: str) -> int:
                self.stream.write(text[: len(text) // 2])
                self.stream.flush()
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", HalfWriter)
    else:
        monkeypatch.setattr(os, failing, broken)
    code = main(["edge", "allocate", "--config", str(path)])
    monkeypatch.undo()
    assert code == 2
    assert "No space left on device" in capsys.readouterr().err
    assert path.read_text() == before and leftovers(tmp_path) == []


def test_a_file_changed_while_allocating_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import aidc.config.write as write

    path = stack_file(tmp_path)
    original = write.record_sites

    def meanwhile(text: str, *args: Any, **kwargs: Any) -> str:
        path.write_text(text + "# someone else's edit\n")
        return original(text, *args, **kwargs)

    monkeypatch.setattr(write, "record_sites", meanwhile)
    assert main(["edge", "allocate", "--config", str(path)]) == 2
    assert "changed while aidc was working on it" in capsys.readouterr().err
    assert path.read_text().endswith("# someone else's edit\n")


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        written = replace_file(tmp_path / "new.yaml", "config: {}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o644


# --- estate init --------------------------------------------------------------------------------------------------


def estate(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.city.yaml"
    path.write_text(yaml.safe_dump({"config": estate_values()}, sort_keys=False))
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    return path


SHARD_1 = "Pulumi.city-edge-1.yaml"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("config:\n  aidc:estate:\n    core: town\n    shard: 1\n", "not a valid stack file"),
        ("config:\n  aidc:estate:\n    core: city\n    shard: 2\n", "not a valid stack file"),
        ("config: [unclosed\n", "not a valid stack file"),
        ("just words\n", "not a valid stack file"),
        ("", "not a valid stack file (the file is empty: it has no `config:`"),
        ("config: {}\n", "is a stack of its own (no aidc:estate)"),
        (
            "config:\n  aidc:estate:\n    max_sites_per_stack: 5\n",
            "is the core of another estate, named like shard 1 of city; rename that stack",
        ),
        (None, "is a directory, not the stack file of city-edge-1"),
    ],
)
def test_estate_init_verifies_a_shard_file_it_finds(
    tmp_path: Path, content: str | None, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = estate(tmp_path)
    target = tmp_path / SHARD_1
    if content is None:
        target.mkdir()
    else:
        target.write_text(content)
    capsys.readouterr()
    assert main(["estate", "init", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "nothing written" in err
    assert "stack file in place" not in err
    assert sorted(p.name for p in tmp_path.glob("Pulumi.city-edge-*.yaml")) == [SHARD_1], "nothing written"


def test_estate_init_accepts_its_own_shard_files_and_writes_the_missing_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    path = estate(tmp_path)
    assert main(["estate", "init", "--config", str(path)]) == 0
    (tmp_path / SHARD_1).unlink()
    capsys.readouterr()
    assert main(["estate", "init", "--config", str(path), "--json"]) == 0
    rows = {row["stack"]: row["action"] for row in json.loads(capsys.readouterr().out)["shards"]}
    assert rows == {"city-edge-0": "exists", "city-edge-1": "write", "city-edge-2": "exists"}


def test_another_estates_files_named_like_its_shards_are_not_its_own(tmp_path: Path) -> None:
    """`city-edge-1-edge-0` (a shard of an estate whose core is `city-edge-1`) is no shard of `city`; a core
    named `city-edge-1` is, by name, in the place of city's shard 1, and refused as such."""
    path = estate(tmp_path)
    (tmp_path / "Pulumi.city-edge-1-edge-0.yaml").write_text(
        "config:\n  aidc:estate:\n    core: city-edge-1\n    shard: 0\n"
    )
    (tmp_path / "Pulumi.city-edge-٣.yaml").write_text("config: {}\n")
    assert main(["estate", "init", "--config", str(path)]) == 0
    assert (tmp_path / SHARD_1).read_text().startswith("# city-edge-1: shard 1 of the estate `city`")
