"""Golden tests: known edits to the dev stack produce the expected diff, cost delta and diagram lines.

Each edit is checked twice: by explicit assertions on the facts a reviewer must see, and byte for byte against
tests/report/golden/ (text, json and markdown). Regenerate the golden files after an intended change with
`AIDC_UPDATE_GOLDEN=1 python -m pytest tests/report/test_golden.py` and review the git diff of golden/.

The plan documents come from tests/report/plans.py (real sizing and cost, stand-in resources). The tests at
the end run the real `aidc plan` when it exists.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aidc.output.diff import DiffDocument, PlanDiff, diff_plans
from aidc.output.formats import PLAN_DIFF, render
from tests.report.plans import config_of, stack_values, synthetic_plan

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("AIDC_UPDATE_GOLDEN") == "1"
ROOT = Path(__file__).resolve().parents[2]


def more_tokens(values: dict[str, Any]) -> None:
    # 3x the fine-tune's tokens: 6 nodes of A100-80GB; dev's private cloud holds 2, so the quota goes up too.
    values["aidc:demand"]["training"][0]["tokens"] = 6.0e10
    values["aidc:capacity"]["public"]["max_instances"]["p4de.24xlarge"] = 6


def new_edge_site(values: dict[str, Any]) -> None:
    values["aidc:edge"]["sites"][0]["share"] = 0.5
    values["aidc:edge"]["sites"].append(
        {"name": "edge-lab-2", "share": 0.5, "accelerator": "l4-24gb", "gpus_per_node": 1}
    )


def vpn_cipher(values: dict[str, Any]) -> None:
    values["aidc:vpn"] = {"encryption": "aes128-gcm"}


def replicas(values: dict[str, Any]) -> None:
    values["aidc:demand"]["storage"]["protection"] = {"replicas": 4}


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "more-tokens": more_tokens,
    "new-edge-site": new_edge_site,
    "vpn-cipher": vpn_cipher,
    "replicas": replicas,
}
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def _edited(edit: str) -> dict[str, Any]:
    values = copy.deepcopy(stack_values("dev"))
    EDITS[edit](values)
    return values


def _diff(edit: str) -> tuple[PlanDiff, dict[str, Any]]:
    base = synthetic_plan(config_of(stack_values("dev")))
    head = synthetic_plan(config_of(_edited(edit)))
    return diff_plans(base, head), head


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with AIDC_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize("fmt", SUFFIX)
@pytest.mark.parametrize("edit", EDITS)
def test_golden_files(edit: str, fmt: str) -> None:
    diff, head = _diff(edit)
    _golden(f"dev-{edit}.{SUFFIX[fmt]}", render(PLAN_DIFF, fmt, DiffDocument(diff, head)))


def _deltas(diff: PlanDiff) -> dict[str, float]:
    return {d.key: d.delta for d in diff.counts}


def test_more_tokens() -> None:
    diff, head = _diff("more-tokens")
    # 6e10 tokens: 5,608.97 GPU-h over 7 days = 33.4 GPUs → 5 nodes of 8; cheaper on 5 p4de than on 2 private
    # servers (which cannot hold it), so the run moves to AWS and the private servers are released.
    assert _deltas(diff) == {
        "gpu_nodes_public": 5,
        "gpu_nodes_private": -2,
        "osds": 0,
        "vpn_tunnels": 0,
        "edge_nodes": 0,
    }
    assert [r.name for r in diff.added] == ["dev-aws-assistant-7b-ft-p4de.24xlarge"]
    cost = {d.key: round(d.delta, 2) for d in diff.cost}
    assert cost["aws-gpu-cluster"] == pytest.approx(5 * 40.9657 * 730, abs=0.01)
    # 16 A100-80GB released: 16 · (18,550 / 36 + 0.81 · 1.3 · 0.10 · 730)
    assert cost["private-cloud"] == pytest.approx(-16 * (18_550 / 36 + 0.81 * 1.3 * 0.10 * 730), abs=0.01)
    assert round(diff.cost_total.delta, 2) == pytest.approx(sum(cost.values()), abs=0.02)
    body = render(PLAN_DIFF, "markdown", DiffDocument(diff, head))
    assert '    aws_p4de_24xlarge_on_demand["p4de.24xlarge × 5 on-demand<br/>40 × a100-80gb"]' in body


def test_new_edge_site() -> None:
    diff, head = _diff("new-edge-site")
    assert _deltas(diff)["edge_nodes"] == 2  # one node for the load plus the site's spare
    assert "urn:pulumi:dev::aidc::aidc:k3s:K3sCluster::dev-edge-edge-lab-2" in {r.urn for r in diff.added}
    edge = next(d for d in diff.cost if d.key == "edge-sites")
    assert edge.delta == pytest.approx(2 * (4_500 / 36 + 0.20 * 1.3 * 0.10 * 730), abs=0.01)
    body = render(PLAN_DIFF, "markdown", DiffDocument(diff, head))
    assert '  subgraph edge_edge_lab_2["Edge edge-lab-2 (K3s)"]' in body
    assert "  private --- edge_edge_lab_2" in body


def test_vpn_cipher() -> None:
    diff, head = _diff("vpn-cipher")
    assert not diff.added and not diff.removed
    assert all(d.delta == 0 for d in diff.counts)
    assert round(diff.cost_total.delta, 2) == 0
    changes = {
        (c.urn.rsplit("::", 1)[1], ch.path): (ch.before, ch.after) for c in diff.changed for ch in c.changes
    }
    assert changes[("dev-vpn-conn-0", "tunnel1PhaseOneEncryptionAlgorithms[0]")] == (
        "AES256-GCM-16",
        "AES128-GCM-16",
    )
    assert changes[("dev-vpn-ike", "encryptionAlgorithm")] == ("aes256-gcm", "aes128-gcm")
    assert not any("PresharedKey" in path for _, path in changes)
    assert "IPsec ikev2, aes128-gcm, sha256, DH group 20" in render(
        PLAN_DIFF, "markdown", DiffDocument(diff, head)
    )


def test_replicas() -> None:
    diff, head = _diff("replicas")
    # raw = 20.294 TB · 4 / 0.7 = 115.97 TB → 31 drives of 3.84 TB → 8 hosts of 4 + 1 spare = 36 OSDs
    # (was 86.97 TB → 23 drives → 6 + 1 hosts = 28 OSDs). Ceph hardware is not priced: no cost delta.
    assert _deltas(diff)["osds"] == 8
    assert round(diff.cost_total.delta, 2) == 0
    changes = {(c.name, ch.path): (ch.before, ch.after) for c in diff.changed for ch in c.changes}
    assert changes[("dev-ceph-object", "spec.replicated.size")] == (3, 4)
    assert changes[("dev-ceph-block", "spec.replicated.size")] == (3, 4)
    body = render(PLAN_DIFF, "markdown", DiffDocument(diff, head))
    assert "object replica 4, block replica 4" in body


# ------------------------------------------------------------------------------- the real `aidc plan`

needs_plan = pytest.mark.skipif(
    importlib.util.find_spec("aidc.commands.plan") is None, reason="aidc plan has not landed yet"
)


def _aidc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aidc.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _plan(tmp_path: Path, name: str, values: dict[str, Any] | None = None) -> Path:
    out = tmp_path / f"{name}.json"
    if values is None:
        result = _aidc("plan", "--stack", "dev", "--json")
    else:
        config = tmp_path / "Pulumi.dev.yaml"
        config.write_text(yaml.safe_dump({"config": values}), encoding="utf-8")
        result = _aidc("plan", "--config", str(config), "--json")
    assert result.returncode in (0, 1), result.stderr
    out.write_text(result.stdout, encoding="utf-8")
    return out


@pytest.mark.slow
@needs_plan
def test_real_plan_against_itself_is_empty_and_deterministic(tmp_path: Path) -> None:
    base = _plan(tmp_path, "base")
    again = _plan(tmp_path, "again")
    assert base.read_bytes() == again.read_bytes(), "aidc plan --json is not deterministic"
    result = _aidc("plan", "--stack", "dev", "--diff", str(base), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["empty"] is True


@pytest.mark.slow
@needs_plan
@pytest.mark.parametrize("edit", EDITS)
def test_real_plan_golden(tmp_path: Path, edit: str) -> None:
    base = json.loads(_plan(tmp_path, "base").read_text(encoding="utf-8"))
    head = json.loads(_plan(tmp_path, "head", _edited(edit)).read_text(encoding="utf-8"))
    diff = diff_plans(base, head)
    assert not diff.is_empty, f"{edit} changed nothing in the real plan"
    actual = render(PLAN_DIFF, "markdown", DiffDocument(diff, head))
    name = f"real-dev-{edit}.md"
    if not UPDATE and not (GOLDEN / name).exists():
        pytest.skip(f"{name} not generated yet: run AIDC_UPDATE_GOLDEN=1 once aidc plan is stable")
    _golden(name, actual)
