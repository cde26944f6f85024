"""Issue 23's "done when", end to end through the CLI: a stack file whose AWS H100 quota is zero and whose Google
Cloud quota allows a3-highgpu-8g is sized (`aidc size --json`) and planned offline (`aidc plan --json`): its H100
training lands on Google Cloud, the plan declares a private GKE cluster with Workload Identity and CMEK, a node pool
of nvidia-h100-80gb x 8, a Kueue ClusterQueue whose nvidia.com/gpu quota is the planned GPUs, and no AWS resource;
with both quotas open the cheaper cloud wins and `aidc size` says why the other lost. No hand-built plan: the
numbers come from sizing and placement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aidc.cli import main
from tests.clouds.gcp_plans import H100_RUN

PROJECT = "aidc-demo-123"


def _stack_file(tmp_path: Path, quotas: dict[str, int]) -> Path:
    config = {
        "aidc:gcp": {"project": PROJECT, "vpn": {"peer_ips": ["80.80.80.1", "80.80.80.2"]}},
        "aidc:demand": {"training": [H100_RUN]},
        "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
        "aidc:capacity": {"public": {"max_instances": quotas}},
    }
    path = tmp_path / "Pulumi.gcp-done.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main([*argv, "--json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _of(resources: list[dict[str, Any]], token: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == token]


def test_zero_aws_h100_quota_puts_training_on_a_private_gke_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = _stack_file(tmp_path, {"p5.48xlarge": 0, "a3-highgpu-8g": 200})
    size = _json(capsys, "size", "--config", str(stack))
    [group] = [g for g in size["placement"]["public"] if g["workload"] == "llm-pretrain"]
    assert (group["location"], group["instance_type"]) == ("gcp", "a3-highgpu-8g")
    planned_gpus = group["gpus"]
    assert planned_gpus > 0 and planned_gpus % 8 == 0

    plan = _json(capsys, "plan", "--config", str(stack))
    resources = plan["resources"]
    assert not [r for r in resources if r["type"].startswith("aws:")], "nothing on AWS, no AWS resource"
    assert plan["exports"]["clouds"] == ["gcp"]
    [cluster] = _of(resources, "gcp:container/cluster:Cluster")
    inputs = cluster["inputs"]
    assert inputs["privateClusterConfig"]["enablePrivateNodes"] is True
    assert inputs["workloadIdentityConfig"] == {"workloadPool": f"{PROJECT}.svc.id.goog"}
    assert inputs["databaseEncryption"]["state"] == "ENCRYPTED"
    pools = [
        p["inputs"]
        for p in _of(resources, "gcp:container/nodePool:NodePool")
        if p["inputs"]["nodeConfig"].get("guestAccelerators")
    ]
    assert [p["nodeConfig"]["machineType"] for p in pools] == ["a3-highgpu-8g"]
    [accelerator] = pools[0]["nodeConfig"]["guestAccelerators"]
    assert (accelerator["type"], accelerator["count"]) == ("nvidia-h100-80gb", 8)
    queues = {
        q["inputs"]["metadata"]["name"]: q["inputs"]["spec"]["resourceGroups"][0]["flavors"][0]["resources"][
            0
        ]
        for q in _of(resources, "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue")
    }
    assert queues["llm-pretrain"] == {"name": "nvidia.com/gpu", "nominalQuota": planned_gpus}
    assert plan["policy"]["violations"] == []


def test_with_both_quotas_open_the_cheaper_wins_and_size_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = _stack_file(tmp_path, {"p5.48xlarge": 200, "a3-highgpu-8g": 200})
    size = _json(capsys, "size", "--config", str(stack))
    offers = {o["location"]: o for o in size["offers"] if o["workload"] == "llm-pretrain"}
    aws, gcp = offers["aws"], offers["gcp"]
    winner, loser = (aws, gcp) if aws["usd_per_gpu_hour"] <= gcp["usd_per_gpu_hour"] else (gcp, aws)
    assert winner["outcome"] == "chosen" and loser["outcome"] == "lost"
    assert winner["location"] in loser["reason"], loser["reason"]
    [group] = [g for g in size["placement"]["public"] if g["workload"] == "llm-pretrain"]
    assert group["location"] == winner["location"]
