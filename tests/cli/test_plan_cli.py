"""`aidc plan`: the real program offline, the policy pack on it, the JSON contract, secrets as "[secret]",
text/markdown views, the diff, and exit codes (0 ok, 1 mandatory violation, 2 bad input)."""

from __future__ import annotations

import copy
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from aidc.cli import main
from aidc.config.load import stack_file
from aidc.output.plan_view import plan_text
from tests.plans import plan_of
from tests.stacks_list import SHIPPED_STACKS


@cache
def _plan_json(stack: str) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["plan", "--stack", stack, "--json"])
    return code, out.getvalue()


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in _walk(v)]
    return [value]


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_plans_clean(stack: str) -> None:
    code, out = _plan_json(stack)
    doc = json.loads(out)
    assert code == 0, [v for v in doc["policy"]["violations"] if v["enforcement"] == "mandatory"]
    assert doc["stack"] == stack
    urns = {r["urn"] for r in doc["resources"]}
    for resource in doc["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "inputs"}
        assert (
            resource["parent"] is None
            or resource["parent"] in urns
            or resource["parent"].endswith("pulumi:pulumi:Stack::aidc-" + stack)
        )
    assert doc["summary"]["resources"] == len(doc["resources"])
    assert sum(doc["summary"]["by_type"].values()) == len(doc["resources"])
    if "shard" in doc.get("estate", {}):  # a shard alone: its sites, planned after its core
        assert doc["summary"]["counts"]["edge_nodes"] == sum(s["nodes"] for s in doc["plan"]["edge"]["sites"])
        assert {f"edge-{s}" for s in doc["estate"]["sites"]} == {
            r["name"] for r in doc["resources"] if r["type"] == "aidc:k3s:K3sCluster"
        }
        return
    if "estate" in doc:  # a core: every shard within the limit, and the totals add up
        estate = doc["estate"]
        assert estate["total"]["sites"] == len(doc["plan"]["edge"]["sites"])
        assert estate["total"]["resources"] == len(doc["resources"]) + sum(
            len(shard["resources"]) for shard in doc["shards"].values()
        )
        limit = estate["max_sites_per_stack"]
        assert all(s["sites"] <= limit for s in estate["stacks"])
    counts = doc["summary"]["counts"]
    assert set(counts) >= {"gpu_nodes_public", "gpu_nodes_private", "osds", "vpn_tunnels", "edge_nodes"}
    # One sizing per run: the program exported the very counts and cost the CLI reports, under the same keys.
    exported = doc["exports"]["plan_summary"]
    assert {key: exported[key] for key in counts} == counts
    assert exported["usd_per_month"] == doc["summary"]["cost"]["total_usd_per_month"]
    assert doc["summary"]["cost"]["total_usd_per_month"] > 0
    assert doc["plan"]["storage"]["osds"] == doc["summary"]["counts"]["osds"]


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_secret_is_shown_as_secret(stack: str) -> None:
    _, out = _plan_json(stack)
    doc = json.loads(out)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in doc["resources"]:
        by_type.setdefault(r["type"], []).append(r)
    for r in by_type.get("aws:ec2/vpnConnection:VpnConnection", []):
        assert (r["inputs"]["tunnel1PresharedKey"], r["inputs"]["tunnel2PresharedKey"]) == (
            "[secret]",
            "[secret]",
        )
    for r in by_type.get("openstack:vpnaas/siteConnection:SiteConnection", []):
        assert r["inputs"]["psk"] == "[secret]"
    for r in by_type["openstack:compute/instance:Instance"]:
        assert r["inputs"]["userData"] == "[secret]"
    if "shard" in doc.get("estate", {}):  # an estate's shard: its sites' kubeconfigs, nothing of the core's
        kubeconfigs = [key for key in doc["exports"] if key.endswith("_kubeconfig")]
        assert kubeconfigs and {doc["exports"][key] for key in kubeconfigs} == {"[secret]"}
    else:
        assert doc["exports"]["core_kubeconfig"] == "[secret]"
        assert doc["exports"]["aws_kubeconfig"] == "[secret]"
    # No key material or token in clear anywhere in the document.
    for value in _walk(doc):
        if isinstance(value, str):
            assert "PRIVATE KEY" not in value and "token:" not in value, value[:80]


def test_text_view_is_a_summary_and_resources_shows_every_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    for text in (
        "aidc plan: stack dev,",
        "AwsGpuCluster",
        "planned: gpu nodes public",
        "GPU queues",
        "monthly cost: USD",
        "policy pack: no violations",
        "secret inputs shown as [secret]",
        "aidc plan --resources",
    ):
        assert text in out, text
    assert "Resources by type" not in out and "aws:eks/nodeGroup:NodeGroup" not in out
    # What the program logged (pulumi.log.warn) comes first, on stderr, as a warning; never on stdout.
    assert captured.err.startswith("warning: aidc:aws.access.deploy_role_arn is not set")
    assert "deploy_role_arn" not in out
    assert main(["plan", "--stack", "dev", "--resources"]) == 0
    full = capsys.readouterr().out
    for text in ("aidc:aws:AwsGpuCluster", "aws:eks/nodeGroup:NodeGroup", "Resources by type", "total"):
        assert text in full, text
    assert max(len(line) for line in out.splitlines()) <= 80


def test_text_views_print_brackets_in_messages_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    """Policy messages and warnings carry key paths such as aidc:edge.sites[1]: shown as written."""
    from aidc.commands.common import print_warnings

    document = copy.deepcopy(plan_of("dev"))
    violation = {"policy": "p", "enforcement": "mandatory", "urn": None, "message": "s[1][b]"}
    document["policy"]["violations"] = [violation]
    buffer = io.StringIO()
    plan_text(document, buffer)
    assert "s[1][b]" in buffer.getvalue()
    print_warnings(["aidc:edge.sites[0].network_cidr is provisional"])
    assert capsys.readouterr().err == "warning: aidc:edge.sites[0].network_cidr is provisional\n"


def test_markdown_view_has_the_comment_marker_and_topology(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- aidc-plan:dev -->")
    assert "```mermaid" in out


def test_diff_against_itself_is_empty_and_against_an_edit_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.json"
    base.write_text(_plan_json("dev")[1])
    assert main(["plan", "--stack", "dev", "--diff", str(base), "--format", "json"]) == 0
    same = json.loads(capsys.readouterr().out)
    assert (
        not same["resources"]["added"]
        and not same["resources"]["removed"]
        and not same["resources"]["changed"]
    )

    edited = yaml.safe_load(stack_file("dev").read_text())
    edited["config"]["aidc:demand"]["storage"]["protection"] = {"replicas": 4}
    head = tmp_path / "Pulumi.dev.yaml"
    head.write_text(yaml.safe_dump(edited))
    assert main(["plan", "--config", str(head), "--diff", str(base), "--format", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    changed = {c["urn"].split("::")[-1] for c in diff["resources"]["changed"]}
    assert "ceph-pool-block" in changed


def test_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config:\n  aidc:k3s: {core_servers: 2}\n")
    assert main(["plan", "--config", str(bad)]) == 2
    assert "aidc:k3s.core_servers" in capsys.readouterr().err


def test_a_component_refusing_its_args_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "Pulumi.open.yaml"
    bad.write_text(
        "config:\n  aidc:demand:\n    inference:\n      - {name: chat, peak_tokens_per_s: 1000, "
        "tokens_per_s_per_gpu: 500, accelerator: l4-24gb, model_params: 7.0e9}\n  aidc:openstack:\n"
        "    admin_cidrs: ['0.0.0.0/0']\n"
    )
    assert main(["plan", "--config", str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    # Config refuses it before the component can (the component's own refusal, reached past config, is
    # tests/stacks/test_offline_bounded.py's).
    assert "aidc:openstack.admin_cidrs" in err and "Traceback" not in err


def test_diff_against_a_bad_base_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base.json"
    base.write_text("{not json")
    assert main(["plan", "--stack", "dev", "--diff", str(base)]) == 2
    assert "--diff" in capsys.readouterr().err
