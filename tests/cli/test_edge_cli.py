"""`aidc edge allocate`: records networks (and estate shards) in the stack file, keeping comments and layout;
idempotent; never touches a recorded site; `aidc size`/`aidc plan` show the networks; the real program refuses
unrecorded sites on `pulumi up` and only warns in a preview."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from aidc.cli import main
from aidc.config import load_config_file
from aidc.config.load import STACKS_DIR
from aidc.sizing import size_stack
from stacks.program import require_recorded_sites


def _stack(tmp_path: Path, sites: list[dict[str, Any]], **edge: Any) -> Path:
    path = tmp_path / "Pulumi.estate.yaml"
    document = {"config": {"aidc:edge": {**edge, "sites": sites}}}
    path.write_text("# an estate\n" + yaml.safe_dump(document, sort_keys=False))
    return path


def _sites(names: list[str]) -> list[dict[str, Any]]:
    rows = [{"name": n, "share": round(1 / len(names), 12), "accelerator": "l4-24gb"} for n in names]
    rows[-1]["share"] = 1 - sum(r["share"] for r in rows[:-1])
    return rows


def _networks(path: Path) -> dict[str, str]:
    sites = yaml.safe_load(path.read_text())["config"]["aidc:edge"]["sites"]
    return {s["name"]: s["network_cidr"] for s in sites if "network_cidr" in s}


def test_allocate_adds_only_lines_and_keeps_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Pulumi.smart-city.yaml"
    shutil.copy(STACKS_DIR / "Pulumi.smart-city.yaml", path)
    text = path.read_text()
    # Drop the recorded networks to start from a file that never had them.
    bare = "".join(line for line in text.splitlines(keepends=True) if "network_cidr" not in line)
    path.write_text(bare)
    assert main(["edge", "allocate", "--config", str(path), "--dry-run"]) == 0
    assert path.read_text() == bare and "dry run: would record 4 site(s)" in capsys.readouterr().out
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    after = path.read_text()
    changes = [d for d in difflib.ndiff(bare.splitlines(), after.splitlines()) if d[:1] in "+-"]
    assert changes and all(d.startswith("+         network_cidr: 10.") for d in changes), changes
    assert after == text  # exactly what the shipped file records
    capsys.readouterr()
    assert main(["edge", "allocate", "--config", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recorded"] == []
    assert path.read_text() == after


def test_allocate_a_thousand_sites_then_add_and_remove(tmp_path: Path) -> None:
    names = [f"site-{i:04d}" for i in range(1000)]
    path = _stack(tmp_path, _sites(names))
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    first = _networks(path)
    assert len(first) == 1000 and len(set(first.values())) == 1000
    # Remove 100 sites, add 200 whose homes may be taken: allocate again; the survivors' lines are untouched.
    document = yaml.safe_load(path.read_text())
    kept = document["config"]["aidc:edge"]["sites"][100:]
    added = _sites([f"new-{i:03d}" for i in range(200)])
    rows = kept + added
    for row in rows:
        row["share"] = 1 / len(rows)
    rows[-1]["share"] = 1 - sum(r["share"] for r in rows[:-1])
    document["config"]["aidc:edge"]["sites"] = rows
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    second = _networks(path)
    assert all(second[name] == first[name] for name in names[100:])
    assert len(set(second.values())) == 1100
    cfg = load_config_file(path)
    assert all(site.recorded for site in cfg.edge_layout.values())


def test_allocate_refuses_an_exhausted_supernet_with_the_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _stack(tmp_path, _sites([f"s{i}" for i in range(5)]), supernet="10.128.0.0/22")
    before = path.read_text()
    assert main(["edge", "allocate", "--config", str(path)]) == 2
    assert "cannot hold 5 sites of /24: it holds 4" in capsys.readouterr().err
    assert path.read_text() == before


def test_size_and_plan_show_each_network(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "--stack", "prod"]) == 0
    out = capsys.readouterr().out
    assert "10.186.85.0/24" in out and "provisional" not in out
    assert "edge routes (aggregated): 10.128.0.0/9" in out


def test_provisional_sites_warn_in_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    path = _stack(tmp_path, _sites(["north", "south"]))
    assert main(["size", "--config", str(path)]) == 0
    captured = capsys.readouterr()
    assert "(provisional)" in captured.out
    # The warning comes first, on stderr, and names the command that records the sites.
    assert captured.err.startswith("warning: ") and "aidc edge allocate --stack estate" in captured.err


def test_pulumi_up_refuses_unrecorded_sites_and_preview_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config_file(_stack(tmp_path, _sites(["north", "south"])))
    plan = size_stack(cfg)
    with pytest.raises(pulumi.RunError, match=r"refusing to deploy: 2 edge site\(s\) of estate"):
        require_recorded_sites(cfg, plan.edge_sites, dry_run=False)
    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: warnings.append(message))
    require_recorded_sites(cfg, plan.edge_sites, dry_run=True)
    assert warnings and "before `pulumi up`" in warnings[0]
    recorded = load_config_file(STACKS_DIR / "Pulumi.prod.yaml")
    require_recorded_sites(recorded, size_stack(recorded).edge_sites, dry_run=False)  # nothing to refuse


def test_allocate_never_writes_a_file_past_the_stack_file_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file just under the 1 MiB a stack file may hold: recording two networks would pass it, so nothing is
    written and the refusal names the file, the sizes and the key."""
    from aidc.documents import MAX_YAML_BYTES

    path = _stack(tmp_path, _sites(["a", "b"]))
    text = path.read_text()
    padding = "# " + "x" * 98 + "\n"
    text += padding * ((MAX_YAML_BYTES - len(text)) // len(padding) - 1)
    text += "# " + "x" * (MAX_YAML_BYTES - len(text) - 8) + "\n"  # 5 bytes short of the bound
    path.write_text(text)
    assert len(text.encode()) < MAX_YAML_BYTES
    assert main(["edge", "allocate", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert path.read_text() == text
    assert f"past the {MAX_YAML_BYTES:,} a stack file may hold (aidc:edge.sites); nothing written" in err, err
    assert len(err.splitlines()) == 1
