"""Golden tests: known edits to the dev stack produce the expected diff, cost delta and diagram lines.

Each edit is checked twice: by explicit assertions on the facts a reviewer must see, and byte for byte against
tests/report/golden/ (text, json and markdown). A missing golden file fails. Regenerate the golden files after
an intended change with the command in `UPDATE_COMMAND` and review the git diff of golden/.

The plans are real (tests/plans.py: `aidc plan`'s own `plan_document` on edited copies of
stacks/Pulumi.dev.yaml), compared as the pull-request workflow compares them: the base read back from its
`--json` output, the head as `aidc plan --diff` holds it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aidc.output.diff import DiffDocument, PlanDiff, diff_plans
from aidc.output.formats import PLAN_DIFF, SIZE, formats, render
from aidc.sizing.serialize import plan_to_dict
from tests.plans import Edit, as_base, config_of, plan_json_text, plan_of, stack_values

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("AIDC_UPDATE_GOLDEN") == "1"
UPDATE_COMMAND = "AIDC_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py"
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


def google_cloud(values: dict[str, Any]) -> None:
    # Configure Google Cloud: its L4 machines (G2) are cheaper than AWS's g6, so the serving moves there.
    values["aidc:gcp"] = {"project": "aidc-dev-123456", "vpn": {"peer_ips": ["80.80.80.1", "80.80.80.2"]}}


EDITS: dict[str, Edit] = {
    "more-tokens": more_tokens,
    "new-edge-site": new_edge_site,
    "vpn-cipher": vpn_cipher,
    "replicas": replicas,
    "google-cloud": google_cloud,
}
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def _diff(edit: str) -> tuple[PlanDiff, dict[str, Any]]:
    head = plan_of("dev", EDITS[edit])
    return diff_plans(as_base(plan_of("dev")), head), head


def _markdown(diff: PlanDiff, head: dict[str, Any]) -> str:
    return render(PLAN_DIFF, "markdown", DiffDocument(diff, head))


def check_golden(path: Path, actual: str, update: bool = UPDATE) -> None:
    """`actual` must equal the golden file byte for byte; with `update`, (re)write it first."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} is missing: generate it with `{UPDATE_COMMAND}` and review it")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the golden file; if the change is intended: `{UPDATE_COMMAND}`"
    )


def test_every_plan_diff_format_has_a_golden_suffix() -> None:
    assert set(SUFFIX) == set(formats(PLAN_DIFF))


@pytest.mark.parametrize("fmt", SUFFIX)
@pytest.mark.parametrize("edit", EDITS)
def test_golden_files(edit: str, fmt: str) -> None:
    diff, head = _diff(edit)
    assert not diff.is_empty, f"{edit} changed nothing in the real plan"
    check_golden(GOLDEN / f"dev-{edit}.{SUFFIX[fmt]}", render(PLAN_DIFF, fmt, DiffDocument(diff, head)))


def test_size_markdown_golden() -> None:
    """`aidc size --format markdown` of dev: each figure with its formula, the cost lines, the sources."""
    from aidc.sizing import size_stack

    document = plan_to_dict(size_stack(config_of(stack_values("dev"))))
    check_golden(GOLDEN / "size-dev.md", render(SIZE, "markdown", document))


def test_a_missing_golden_file_fails_with_the_command_that_makes_it(tmp_path: Path) -> None:
    missing = tmp_path / "golden" / "dev-more-tokens.md"
    with pytest.raises(pytest.fail.Exception, match=r"missing: generate it with `AIDC_UPDATE_GOLDEN=1 "):
        check_golden(missing, "anything", update=False)
    check_golden(missing, "anything", update=True)  # what the command does
    assert missing.read_text(encoding="utf-8") == "anything"
    with pytest.raises(AssertionError, match="differs from the golden file"):
        check_golden(missing, "something else", update=False)


def _deltas(diff: PlanDiff) -> dict[str, float]:
    return {d.key: d.delta for d in diff.counts}


def _changes(diff: PlanDiff) -> dict[tuple[str, str], tuple[Any, Any]]:
    return {(c.name, ch.path): (ch.before, ch.after) for c in diff.changed for ch in c.changes}


def test_more_tokens() -> None:
    diff, head = _diff("more-tokens")
    # 6e10 tokens: (6 · 7e9 + 12 · 31 · 3918 · 8192) · 6e10 = 3.236e21 FLOPs → 7,203.5 GPU-h over 7 days = 42.9
    # GPUs → 6 nodes of 8; cheaper on 6 p4de than on 2 private servers (which cannot hold it), so the run moves to
    # AWS and the private servers are released.
    deltas = _deltas(diff)
    assert {k: deltas[k] for k in ("gpu_nodes_public", "gpu_nodes_private", "osds", "vpn_tunnels")} == {
        "gpu_nodes_public": 6,
        "gpu_nodes_private": -2,
        "osds": 0,
        "vpn_tunnels": 0,
    }
    # The run gets a Karpenter NodePool and EC2NodeClass of its own, with its EFA placement group and security
    # group, the EFA device plugin (the first EFA pool), a Pod Identity for its bucket prefix and its landing zone
    # in the EKS cluster (an a100-80gb-aws flavor); the private GPU servers' Heat stack and server group go, and
    # with them the core cluster's whole GPU stack (no GPU node is left there).
    assert sorted((r.type, r.name) for r in diff.added) == [
        ("aws:ec2/placementGroup:PlacementGroup", "aws-pg-assistant-7b-ft-p4de-24xlarge"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws-efa-sg"),
        ("aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws-pod-assistant-7b-ft"),
        ("aws:iam/role:Role", "aws-pod-assistant-7b-ft-role"),
        ("aws:iam/rolePolicy:RolePolicy", "aws-pod-assistant-7b-ft-data"),
        ("kubernetes:core/v1:Namespace", "aws-queues-assistant-7b-ft-ns"),
        ("kubernetes:core/v1:ServiceAccount", "aws-queues-assistant-7b-ft-sa"),
        ("kubernetes:helm.sh/v3:Release", "aws-efa-device-plugin"),
        ("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "aws-nc-assistant-7b-ft-p4de-24xlarge"),
        ("kubernetes:karpenter.sh/v1:NodePool", "aws-np-assistant-7b-ft-p4de-24xlarge"),
        ("kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue", "aws-queues-assistant-7b-ft-cq"),
        ("kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue", "aws-queues-assistant-7b-ft-lq"),
        ("kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor", "aws-queues-flavor-a100-80gb-aws"),
    ]
    removed = sorted((r.type, r.name) for r in diff.removed)
    assert [r for r in removed if r[0].startswith("openstack:")] == [
        ("openstack:compute/serverGroup:ServerGroup", "private-gpu-assistant-7b-ft-sg"),
        ("openstack:orchestration/stackV1:StackV1", "private-gpu-assistant-7b-ft"),
    ]
    assert {name for token, name in removed if not token.startswith("openstack:")} >= {
        "core-gpu-operator",
        "core-gpu-metrics",
        "core-queues",
    }
    pool = next(r for r in head["resources"] if r["name"] == "aws-np-assistant-7b-ft-p4de-24xlarge")
    requirements = {r["key"]: r["values"] for r in pool["inputs"]["spec"]["template"]["spec"]["requirements"]}
    assert requirements["node.kubernetes.io/instance-type"] == ["p4de.24xlarge"]
    assert pool["inputs"]["spec"]["limits"]["nvidia.com/gpu"] == "48"  # 6 instances, fixed for the run
    assert pool["inputs"]["metadata"]["annotations"]["aidc.io/planned-min-instances"] == "6"
    cost = {d.key: round(d.delta, 2) for d in diff.cost}
    # A one-off run bills the hours it runs: 7,203.5 GPU-h / 48 GPUs = 150.07 h (before: 2,401.2 / 16, the same).
    run = head["plan"]["compute"]["training"][0]
    run_hours = run["run_hours"]
    assert run_hours == pytest.approx(run["gpu_hours"] / 48) and run_hours == pytest.approx(150.07, abs=0.01)
    assert cost["aws-gpu-cluster"] == pytest.approx(
        6 * 27.44705 * run_hours, abs=0.01
    )  # p4de after the 2025 cut
    # 16 A100-80GB released: 16 · 18,550 / 36 amortised whole, and their power while the run ran
    assert cost["private-cloud"] == pytest.approx(
        -16 * (18_550 / 36 + 0.81 * 1.3 * 0.10 * run_hours), abs=0.01
    )
    assert round(diff.cost_total.delta, 2) == pytest.approx(sum(cost.values()), abs=0.02)
    body = _markdown(diff, head)
    assert '    aws_p4de_24xlarge_on_demand["p4de.24xlarge × 6 on-demand<br/>48 × a100-80gb"]' in body


def test_new_edge_site() -> None:
    diff, head = _diff("new-edge-site")
    assert _deltas(diff)["edge_nodes"] == 2  # one node for the load plus the site's spare
    # The site gets its own K3s cluster and its own network (an OpenStackPrivateCloud of its own); nothing
    # that exists changes.
    added = {(r.type, r.name) for r in diff.added}
    assert ("aidc:k3s:K3sCluster", "edge-edge-lab-2") in added, added
    assert ("aidc:openstack:OpenStackPrivateCloud", "edge-edge-lab-2-net") in added, added
    assert all(name.startswith("edge-edge-lab-2") for _, name in added), added
    assert not diff.changed and not diff.removed
    agents = next(r for r in head["resources"] if r["name"] == "edge-edge-lab-2-agents-gpu")
    assert "servers=2" in agents["inputs"]["tags"], agents["inputs"]["tags"]
    edge = next(d for d in diff.cost if d.key == "edge-sites")
    # 2 L4 (amortised and powered) and the site's K3s server (a USD 10,424 server, 0.83 kW)
    assert edge.delta == pytest.approx(
        2 * (4_500 / 36 + 0.20 * 1.3 * 0.10 * 730) + 10_424 / 36 + 0.83 * 1.3 * 0.10 * 730, abs=0.01
    )
    body = _markdown(diff, head)
    assert '  subgraph edge_edge_lab_2["Edge edge-lab-2 (K3s)"]' in body
    assert "  private --- edge_edge_lab_2" in body


def test_vpn_cipher() -> None:
    diff, head = _diff("vpn-cipher")
    assert not diff.added and not diff.removed
    assert all(d.delta == 0 for d in diff.counts)
    assert round(diff.cost_total.delta, 2) == 0
    changes = _changes(diff)
    # Both ends change: each tunnel of the AWS connection in both phases, and Neutron's IKE and IPsec policies.
    for tunnel in (1, 2):
        for phase in (1, 2):
            path = f"tunnel{tunnel}Phase{phase}EncryptionAlgorithms[0]"
            assert changes[("vpn-vpn-0", path)] == ("AES256-GCM-16", "AES128-GCM-16"), path
    assert changes[("vpn-ike", "encryptionAlgorithm")] == ("aes-256-gcm-16", "aes-128-gcm-16")
    assert changes[("vpn-ipsec", "encryptionAlgorithm")] == ("aes-256-gcm-16", "aes-128-gcm-16")
    assert len(changes) == 6, changes
    assert "IPsec ikev2, aes128-gcm, sha256, DH group 20" in _markdown(diff, head)


def test_replicas() -> None:
    diff, head = _diff("replicas")
    # raw = 20.294 TB · 4 / 0.7 = 115.97 TB → 31 drives of 3.84 TB → 8 hosts of 4 + 1 spare = 36 OSDs
    # (was 86.97 TB → 23 drives → 6 + 1 hosts = 28 OSDs). 2 more storage hosts (USD 8,892, 0.83 kW) and 8 more
    # 3.84 TB drives (USD 110/TB, 12 W), amortised over 36 months and powered at PUE 1.3, 0.10 USD/kWh.
    assert _deltas(diff)["osds"] == 8
    ceph = next(d for d in diff.cost if d.key == "ceph-storage")
    assert ceph.delta == pytest.approx(
        2 * 8_892 / 36 + 8 * 3.84 * 110 / 36 + (2 * 0.83 + 8 * 0.012) * 1.3 * 0.10 * 730, abs=0.01
    )
    assert diff.cost_total.delta == pytest.approx(ceph.delta, abs=0.01)
    changes = _changes(diff)
    assert changes[("ceph-objectstore-object", "spec.dataPool.replicated.size")] == (3, 4)
    assert changes[("ceph-pool-block", "spec.replicated.size")] == (3, 4)
    assert changes[("core-agents-storage", "tags[3]")] == ("servers=7", "servers=9")
    nodes_before, nodes_after = changes[("ceph-cluster", "spec.storage.nodes")]
    assert (len(nodes_before), len(nodes_after)) == (7, 9)
    assert len(changes) == 4, changes
    body = _markdown(diff, head)
    assert "object replica 4, block replica 4" in body


@pytest.mark.slow
def test_aidc_plan_json_is_the_same_in_another_process() -> None:
    """The golden files rest on `aidc plan --json` being deterministic: a fresh process (another hash seed, no
    plan run before it) prints the bytes of the plan made here, and a plan diffed against itself is empty."""
    result = subprocess.run(
        [sys.executable, "-m", "aidc.cli", "plan", "--stack", "dev", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    here = plan_of("dev")
    assert result.stdout == plan_json_text(here), "aidc plan --json is not deterministic"
    assert diff_plans(json.loads(result.stdout), here).is_empty


def test_google_cloud() -> None:
    """Configuring Google Cloud moves dev's L4 serving to G2 (cheaper than g6): the diff adds the GKE cluster, its
    node pool and the HA VPN, removes the Karpenter pool, prices both clouds, and the topology draws both boxes."""
    from aidc.catalog import INSTANCE_TYPES

    diff, head = _diff("google-cloud")
    deltas = _deltas(diff)
    # 4 g2-standard-4 (1 L4 each) instead of 1 g6.12xlarge (4 L4); HA VPN's two tunnels, one per interface.
    assert (deltas["gpu_nodes_public"], deltas["gcp_vpn_tunnels"], deltas["vpn_tunnels"]) == (3, 2, 0)
    added = {(r.type, r.name) for r in diff.added}
    assert {
        ("gcp:container/cluster:Cluster", "gcp-gke"),
        ("gcp:container/nodePool:NodePool", "gcp-assistant-chat-g2-standard-4"),
        ("gcp:compute/haVpnGateway:HaVpnGateway", "gcp-interconnect-gateway"),
        ("gcp:storage/bucket:Bucket", "gcp-datasets"),
    } <= added, sorted(added)
    removed = {(r.type, r.name) for r in diff.removed}
    assert ("kubernetes:karpenter.sh/v1:NodePool", "aws-np-assistant-chat-g6-12xlarge") in removed
    by_type = {d.key: d.delta for d in diff.by_type}
    assert by_type["gcp:container/nodePool:NodePool"] == 2  # the L4 pool and the system pool
    assert by_type["gcp:compute/vPNTunnel:VPNTunnel"] == 2
    pool = next(r for r in head["resources"] if r["name"] == "gcp-assistant-chat-g2-standard-4")
    assert pool["inputs"]["nodeConfig"]["guestAccelerators"][0]["type"] == "nvidia-l4"
    cost = {d.key: d for d in diff.cost}
    gpu_line = 4 * INSTANCE_TYPES["g2-standard-4"].usd_per_hour * 730
    assert cost["gcp-gpu-cluster"].before == 0 and cost["gcp-gpu-cluster"].after > gpu_line
    assert cost["gcp-interconnect"].after == pytest.approx(2 * 0.05 * 730)  # two HA VPN tunnels at USD 0.05/h
    assert cost["aws-gpu-cluster"].delta == pytest.approx(
        -INSTANCE_TYPES["g6.12xlarge"].usd_per_hour * 730, abs=0.01
    )
    assert round(diff.cost_total.delta, 2) == pytest.approx(sum(d.delta for d in diff.cost), abs=0.02)
    text = render(PLAN_DIFF, "text", DiffDocument(diff, head))
    assert "  gcp_vpn_tunnels    0 -> 2  (+2)" in text
    body = _markdown(diff, head)
    assert "| gcp-gpu-cluster | $0.00 | " in body and "| gcp-interconnect | $0.00 | $73.00 |" in body
    assert "| ➕ add | `gcp-assistant-chat-g2-standard-4` | `gcp:container/nodePool:NodePool` | |" in body
    assert '    gcp_g2_standard_4_on_demand["g2-standard-4 × 4 on-demand<br/>4 × l4-24gb"]' in body
    assert '  gcp <-->|"HA VPN (BGP): ' in body and '  aws <-->|"Site-to-Site VPN: ' in body
