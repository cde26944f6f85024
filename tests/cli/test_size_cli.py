"""`aidc size`: the JSON contract, the tables, exit codes, and no Pulumi import on the size path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aidc.cli import main
from tests.stacks_list import PLANNED_STACKS, SHIPPED_STACKS


def _size_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["size", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_json_contract(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _size_json(capsys, "--stack", stack)
    for run in doc["compute"]["training"]:
        assert {"name", "flops", "gpu_hours", "gpus"} <= run.keys()
        assert run["why"]["gpu_hours"]["formula"] and run["why"]["gpu_hours"]["inputs"]
    for w in doc["compute"]["inference"]:
        assert {"name", "gpus", "edge_gpus", "replicas", "model", "replica", "edge_replicas"} <= w.keys()
        # GPUs come in whole replicas, the spare one included.
        assert w["gpus"] == w["replicas"] * w["replica"]["gpus"]
        for key in ("gpus", "memory_gb", "batch", "tokens_per_s"):
            assert w["replica"]["why"][key]["formula"], key
        assert all(e["gpus"] == e["replicas"] * e["replica_gpus"] for e in w["edge"])
    placement = doc["placement"]
    assert {"private", "public", "private_gpus", "public_gpus"} <= placement.keys()
    for g in placement["public"]:
        assert {"instance_type", "count"} <= g.keys() and g["count"] > 0
    storage = doc["storage"]
    assert {"raw_tb", "osds", "hosts", "pg_num", "monitors"} <= storage.keys()
    assert storage["osd_bound"] in ("capacity", "bandwidth")
    assert storage["osds"] == storage["hosts"] * storage["drives_per_host"]
    assert storage["drives_per_host"] <= storage["osds_per_host"]
    for key in ("osds_for_capacity", "osds_for_bandwidth", "osds_needed", "checkpoint_write_gb_per_s"):
        assert storage["why"][key]["formula"], key
    assert set(storage["pg_num"]) == {"object", "block"}
    network = doc["network"]
    assert {"transfers", "vpn_connections", "vpn_tunnels", "required_gbps"} <= network.keys()
    assert all({"name", "gbps"} <= t.keys() for t in network["transfers"])
    assert isinstance(doc["warnings"], list)
    assert doc["sources"]["prices_as_of"]


def test_ecommerce_gives_the_honest_answer_about_500_gb_per_second(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _size_json(capsys, "--stack", "ecommerce")
    assert doc["network"]["required_gbps"] == pytest.approx(4000.0)
    assert doc["network"]["feasible_over_vpn"] is False
    assert doc["network"]["direct_connect"]["ports"] == 11
    # Within 10 dedicated connections per location, and over public virtual interfaces to S3 (the Transit
    # Gateway carries 200 Gbps over two AZs).
    assert doc["network"]["direct_connect"]["locations"] == ["EqDC2", "CSVA1"]
    assert doc["network"]["direct_connect"]["bulk_path"] == "public-vif"
    assert all(hop["ok"] for hop in doc["network"]["direct_connect"]["path"])
    assert any("Direct Connect" in w for w in doc["warnings"])
    # ~2,000 GPU servers, as the seed says, from a stated demand (attention at GPT-3's 2,048-token sequences
    # adds 3% to 6·N·D)
    assert doc["compute"]["training"][0]["nodes"] == 1979


def test_summary_by_default_and_explain_shows_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "--stack", "dev"]) == 0
    summary = capsys.readouterr().out
    for text in ("Training", "Ceph storage", "Interconnect", "Edge sites", "Monthly cost", "--explain"):
        assert text in summary, text
    assert "FLOPs / (peak dense BF16" not in summary and "Model fit" not in summary
    assert main(["size", "--stack", "dev", "--explain"]) == 0
    out = capsys.readouterr().out
    for text in (
        "Training",
        "FLOPs / (peak dense BF16",
        "Ceph storage",
        "pgcalc",
        "vpn_tunnels = ",
        "Edge sites",
        "prices:",
        "Model fit (one replica per accelerator)",
        "kv_bytes_per_token = 2 (K and V)",
        "osds_for_bandwidth = ",
        "model states",
        "serving_memory_overhead = 0.1",
    ):
        assert text in out


SEVENTY_B = (
    "config:\n  aidc:demand:\n    inference:\n      - {name: chat, peak_tokens_per_s: 20000, "
    "accelerator: h100-80gb, model_params: 7.0e10, weight_precision: fp8, edge_fraction: 0.1}\n"
    "  aidc:edge:\n    sites: [{name: tiny, share: 1.0, accelerator: l4-24gb, gpus_per_node: GPUS}]\n"
)


def test_an_estimated_throughput_is_flagged_and_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "Pulumi.estimate.yaml"
    cfg.write_text(SEVENTY_B.replace("GPUS", "8"))
    assert main(["size", "--config", str(cfg), "--explain"]) == 0
    captured = capsys.readouterr()
    out = " ".join(captured.out.split())  # the tables wrap at the terminal's width
    assert "chat core h100-80gb" in out and " ESTIMATE" in out
    assert "ESTIMATE (measure it and set tokens_per_s_per_gpu)" in out
    # Warnings come first, on stderr, each starting `warning:`.
    assert captured.err.startswith("warning: ")
    assert "warning: inference chat: tokens_per_s_per_gpu is not given" in captured.err
    doc = _size_json(capsys, "--config", str(cfg))
    assert doc["compute"]["inference"][0]["throughput_estimated"] is True
    assert doc["compute"]["inference"][0]["replica"]["estimated"] is True


def test_an_edge_site_too_small_for_a_replica_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "Pulumi.small-site.yaml"
    cfg.write_text(SEVENTY_B.replace("GPUS", "4"))
    assert main(["size", "--config", str(cfg), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert "edge site tiny cannot hold one replica of inference chat" in captured.err
    assert "101.0 GB > 4 × 24 GB" in captured.err


def test_bad_config_exits_2_with_the_key_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config:\n  aidc:demand:\n    storage:\n      protection: {erasure: {k: 4, m: 0}}\n")
    assert main(["size", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "aidc:demand.storage.protection.erasure.m" in err and "Traceback" not in err


def test_infeasible_demand_exits_2_with_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "Pulumi.tight.yaml"
    bad.write_text(
        "config:\n  aidc:demand:\n    inference:\n      - {name: vault, peak_tokens_per_s: 9000, "
        "tokens_per_s_per_gpu: 1000, accelerator: a100-80gb, classification: restricted, "
        "model_params: 7.0e9}\n"
        "  aidc:capacity:\n    private:\n      gpus: {a100-80gb: 8}\n"
    )
    assert main(["size", "--config", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "10 a100-80gb GPUs" in captured.err and "vault" in captured.err


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "--stack", "nope"]) == 2
    assert "known stacks" in capsys.readouterr().err


def test_size_path_does_not_import_pulumi() -> None:
    code = (
        "import sys, io, contextlib\nfrom aidc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main(['size', '--stack', 'dev', '--json'])\n"
        "assert rc == 0\nprint(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_format_json_is_what_json_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "--stack", "dev", "--json"]) == 0
    alias = capsys.readouterr().out
    assert main(["size", "--stack", "dev", "--format", "json"]) == 0
    assert capsys.readouterr().out == alias
    assert main(["size", "--stack", "dev"]) == 0
    default = capsys.readouterr().out
    assert main(["size", "--stack", "dev", "--format", "text"]) == 0
    assert capsys.readouterr().out == default


def test_markdown_has_the_figures_formulas_cost_and_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "--stack", "ecommerce", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### aidc size — `ecommerce`\n")
    for text in (
        "**Warnings**",
        "Direct Connect",
        "#### Training",
        "FLOPs / (peak dense BF16",
        "#### Ceph storage",
        "pgcalc",
        "#### Monthly cost (USD)",
        "| **total** |",
        "Prices: AWS Price List (AmazonEC2",
    ):
        assert text in out, text


def test_unknown_format_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "--stack", "dev", "--format", "html"]) == 2
    assert "invalid choice: 'html'" in capsys.readouterr().err


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_prices_every_component(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The owned components are priced in every shipped stack (the Ceph hosts and drives, the core's K3s servers,
    the edge sites' servers when it has sites), each line with its formula and inputs, and the text (--explain) shows every
    line the JSON has."""
    doc = _size_json(capsys, "--stack", stack)
    cost = doc["cost"]
    components = cost["components"]
    ceph = [line["item"] for line in components["ceph-storage"]["lines"]]
    assert any(item.startswith("storage hosts") for item in ceph), ceph
    assert any(item.startswith("NVMe drives") for item in ceph), ceph
    assert any(item.startswith("storage power") for item in ceph), ceph
    private = [line["item"] for line in components["private-cloud"]["lines"]]
    assert any(item.startswith("K3s core servers") for item in private), private
    if doc["edge"]["sites"]:
        edge = [line["item"] for line in components["edge-sites"]["lines"]]
        assert any(item.startswith("K3s servers of the edge sites") for item in edge), edge
    for component in components.values():
        for line in component["lines"]:
            assert line["formula"] and line["inputs"], line
    assert not any("ceph" in note for note in cost["not_priced"])
    assert main(["size", "--stack", stack, "--explain"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for component in components.values():
        for line in component["lines"]:
            assert " ".join(line["item"].split())[:40] in text, line["item"]


def _with_ceiling(tmp_path: Path, usd: float) -> Path:
    import yaml

    document = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.dev.yaml").read_text()
    )
    document["config"]["aidc:policy"] = {"monthly_cost_ceiling_usd": usd}
    path = tmp_path / "Pulumi.ceiling.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_size_says_a_stack_is_over_its_cost_ceiling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    over = _size_json(capsys, "--config", str(_with_ceiling(tmp_path, 10_000)))
    assert over["cost"]["ceiling_usd_per_month"] == 10_000
    assert over["cost"]["over_ceiling"] is True
    assert over["cost"]["peak_usd_per_month"] > 10_000
    assert any("monthly_cost_ceiling_usd" in w and "refuse" in w for w in over["warnings"]), over["warnings"]
    assert main(["size", "--config", str(_with_ceiling(tmp_path, 10_000))]) == 0  # size says it, plan refuses
    assert "over: refused" in capsys.readouterr().out
    within = _size_json(capsys, "--config", str(_with_ceiling(tmp_path, 1_000_000)))
    assert within["cost"]["over_ceiling"] is False
    assert not any("monthly_cost_ceiling_usd" in w for w in within["warnings"])


@pytest.mark.parametrize("stack", PLANNED_STACKS)
@pytest.mark.parametrize("explain", [False, True], ids=["summary", "explain"])
def test_text_fits_80_columns_and_breaks_names_only_at_hyphens(
    stack: str, explain: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["size", "--stack", stack, *(["--explain"] if explain else [])]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    document = _size_json(capsys, "--stack", stack)
    names = {r["name"] for r in document["compute"]["training"] + document["compute"]["inference"]}
    names |= {s["name"] for s in document["edge"]["sites"]}
    tokens = set(out.split())
    for name in names:
        # Whole, or cut after a hyphen into pieces that each stand whole in the text.
        pieces = [p + "-" for p in name.split("-")[:-1]] + [name.split("-")[-1]]
        assert name in out or all(any(p in t for t in tokens) for p in pieces), name


def test_wrap_breaks_at_spaces_and_after_hyphens_never_inside_a_word() -> None:
    from aidc.output.text_table import wrap

    assert wrap("assistant-7b-ft", 12) == ["assistant-", "7b-ft"]
    assert wrap("one two three", 7) == ["one two", "three"]
    assert wrap("unbreakablewordlonger", 5) == ["unbreakablewordlonger"]  # overflows, never split
    for text in ("edge-edge-lab-gpu-metrics, core-gpu-metrics", "a b-c d-e-f ghi-jkl-mno"):
        for width in range(3, 20):
            lines = wrap(text, width)
            assert "".join(lines).replace(" ", "") == text.replace(" ", ""), (text, width)
            for line in lines:
                assert len(line) <= width or (" " not in line and line.count("-") <= 1)


@pytest.mark.slow
def test_the_demo_prints_under_100_lines() -> None:
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        ["bash", "scripts/demo"], cwd=root, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert 20 < len(lines) < 100, len(lines)
    assert "aidc size: stack dev" in result.stdout and "aidc plan: stack dev" in result.stdout
