"""Plan diff: empty against itself, deterministic, secrets stay secret, inputs diffed by path."""

from __future__ import annotations

import copy
import json
import random

import pytest

from aidc.output.diff import SECRET, DiffDocument, diff_plans, load_plan_json, render_json, render_text
from aidc.output.formats import PLAN_DIFF, render
from tests.plans import as_base, plan_of
from tests.stacks_list import SHIPPED_STACKS


@pytest.fixture
def dev_plan() -> dict:
    return plan_of("dev")


def _gpu_node_group(document: dict) -> dict:
    """The cluster's managed node group (GPU capacity is Karpenter's NodePools; the system group remains)."""
    return next(r for r in document["resources"] if r["type"] == "aws:eks/nodeGroup:NodeGroup")


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_stack_against_itself_is_empty(stack: str) -> None:
    plan = plan_of(stack)
    # As the pull-request workflow compares: the base read back from `--json`, the head in memory.
    diff = diff_plans(as_base(plan), plan)
    assert diff.is_empty, render_text(diff)
    assert (diff.added, diff.removed, diff.changed, diff.by_type) == ((), (), (), ())
    assert render_text(diff).endswith("no changes\n")
    assert json.loads(render_json(diff))["empty"] is True


def test_diff_is_deterministic_whatever_the_resource_order(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    head["resources"][0]["inputs"]["version"] = "1.32"
    head["resources"].append(
        {
            "urn": "urn:pulumi:dev::aidc::aws:s3/bucket:Bucket::dev-extra",
            "type": "aws:s3/bucket:Bucket",
            "name": "dev-extra",
            "parent": None,
            "inputs": {"bucket": "dev-extra"},
        }
    )
    shuffled = copy.deepcopy(head)
    random.Random(7).shuffle(shuffled["resources"])
    for fmt in ("text", "json", "markdown"):
        first = render(PLAN_DIFF, fmt, DiffDocument(diff_plans(dev_plan, head), head))
        assert first == render(PLAN_DIFF, fmt, DiffDocument(diff_plans(dev_plan, head), head)), fmt
        assert first == render(PLAN_DIFF, fmt, DiffDocument(diff_plans(dev_plan, shuffled), shuffled)), fmt


def test_changed_inputs_are_reported_by_path(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    group = _gpu_node_group(head)
    assert group["inputs"]["scalingConfig"]["desiredSize"] == 2
    group["inputs"]["scalingConfig"]["desiredSize"] = 3
    group["inputs"]["labels"]["aidc.io/pool"] = "chat"
    group["inputs"]["forceUpdateVersion"] = True
    diff = diff_plans(dev_plan, head)
    [change] = diff.changed
    assert change.urn == group["urn"]
    paths = {c.path: (c.before, c.after) for c in change.changes}
    assert paths == {
        "scalingConfig.desiredSize": (2, 3),
        'labels["aidc.io/pool"]': ("[absent]", "chat"),
        "forceUpdateVersion": ("[absent]", True),
    }
    assert f"~ {group['urn']}" in render_text(diff)
    assert "scalingConfig.desiredSize: 2 -> 3" in render_text(diff)


def test_lists_of_other_length_and_parent_changes(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    vpn = next(r for r in head["resources"] if r["type"] == "aws:ec2/vpnConnection:VpnConnection")
    vpn["inputs"]["tunnel1IkeVersions"] = ["ikev1", "ikev2"]
    vpn["parent"] = None
    [change] = diff_plans(dev_plan, head).changed
    assert [c.path for c in change.changes] == ["(parent)", "tunnel1IkeVersions"]
    assert change.changes[1].after == ["ikev1", "ikev2"]


def test_int_and_float_of_same_value_is_no_change(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    scaling = _gpu_node_group(head)["inputs"]["scalingConfig"]
    size = scaling["desiredSize"]
    scaling["desiredSize"] = int(size) if isinstance(size, float) else float(size)
    assert type(scaling["desiredSize"]) is not type(size)
    assert diff_plans(dev_plan, head).is_empty


def test_secrets_are_never_revealed(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    vpn = next(r for r in head["resources"] if r["type"] == "aws:ec2/vpnConnection:VpnConnection")
    # A PSK that changed is still "[secret]" on both sides: nothing to show.
    assert vpn["inputs"]["tunnel1PresharedKey"] == SECRET
    # A secret that leaked as Pulumi's envelope is masked; a value that became secret shows the marker only.
    vpn["inputs"]["tunnel2PresharedKey"] = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "hunter2-psk",
    }
    base = copy.deepcopy(dev_plan)
    base_vpn = next(r for r in base["resources"] if r["urn"] == vpn["urn"])
    base_vpn["inputs"]["tunnel2PresharedKey"] = SECRET
    base_vpn["inputs"]["staticRoutesOnly"] = True
    vpn["inputs"]["staticRoutesOnly"] = SECRET
    diff = diff_plans(base, head)
    for fmt in ("text", "json", "markdown"):
        assert "hunter2" not in render(PLAN_DIFF, fmt, DiffDocument(diff, head)), fmt
    [change] = diff.changed
    assert [(c.path, c.before, c.after) for c in change.changes] == [("staticRoutesOnly", True, SECRET)]


def test_policy_violations_and_counts_appear(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    head["policy"]["violations"] = [
        {
            "policy": "vpn-strong-cipher",
            "enforcement": "mandatory",
            "urn": "urn:x",
            "message": "aes128 is weak",
        }
    ]
    head["summary"]["counts"]["osds"] += 4
    diff = diff_plans(dev_plan, head)
    assert not diff.is_empty
    assert [v.policy for v in diff.violations_added] == ["vpn-strong-cipher"]
    assert {d.key: d.delta for d in diff.counts}["osds"] == 4
    data = json.loads(render_json(diff))
    assert data["counts"]["osds"] == {"before": 28, "after": 32, "delta": 4}
    assert data["policy"]["added"][0]["message"] == "aes128 is weak"
    assert diff_plans(head, dev_plan).violations_removed == diff.violations_added


def test_render_json_is_canonical(dev_plan: dict) -> None:
    head = copy.deepcopy(dev_plan)
    head["summary"]["cost"]["total_usd_per_month"] += 0.1 + 0.2  # float noise stays out of the output
    text = render_json(diff_plans(dev_plan, head))
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["cost"]["total"]["delta"] == 0.3


def test_bad_inputs_name_the_problem(tmp_path, dev_plan: dict) -> None:
    with pytest.raises(ValueError, match="--format: unknown 'html'; allowed: text, json, markdown"):
        render(PLAN_DIFF, "html", DiffDocument(diff_plans(dev_plan, dev_plan)))
    with pytest.raises(ValueError, match=r"base plan: missing key.*resources"):
        diff_plans({"stack": "dev", "summary": {}}, dev_plan)
    not_json = tmp_path / "base.json"
    not_json.write_text("{oops", encoding="utf-8")
    with pytest.raises(ValueError, match=r"--diff: .*base\.json is not JSON"):
        load_plan_json(not_json)
    with pytest.raises(ValueError, match="--diff: cannot read"):
        load_plan_json(tmp_path / "missing.json")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(dev_plan), encoding="utf-8")
    assert load_plan_json(good) == dev_plan


def test_long_changed_values_show_where_they_differ(dev_plan: dict) -> None:
    """A cell holds 120 characters: two long lists cut there would look the same, so both start just before
    their first difference."""
    head = copy.deepcopy(dev_plan)
    cluster = next(r for r in head["resources"] if r["type"] == "kubernetes:ceph.rook.io/v1:CephCluster")
    nodes = cluster["inputs"]["spec"]["storage"]["nodes"]
    assert len(json.dumps(nodes)) > 120
    nodes.append({"name": "core-storage-new"})
    body = render(PLAN_DIFF, "markdown", DiffDocument(diff_plans(dev_plan, head), head))
    [row] = [line for line in body.splitlines() if "`spec.storage.nodes`" in line]
    before, after = row.split("`spec.storage.nodes`: ")[1].removesuffix(" |").split(" → ")
    assert before.startswith("`…") and after.startswith("`…"), row
    assert after.endswith('{"name":"core-storage-new"}]`'), row
    assert before != after
