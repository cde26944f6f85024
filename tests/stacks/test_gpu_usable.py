"""Issue 13 on every shipped stack, under mocks: each cluster gets the GPU stack its plan needs and nothing more
(the GPU Operator on K3s clusters with GPU nodes, the EFA device plugin only with EFA types, a Pod Identity per
AWS workload, metrics and queues where GPUs are), every workload's ClusterQueue GPU quotas add up to the GPUs
placement gave it, confidential workloads queue on owned nodes only, and `aidc plan` shows the queues."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from aidc.offline import OfflinePlan
from aidc.sizing.plan import CapacityPlan
from tests.plans import program_run
from tests.stacks.test_program import _planned
from tests.stacks_list import PLANNED_STACKS, SHARD_STACKS

HELM = "kubernetes:helm.sh/v3:Release"
QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
FLAVOR = "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
AWS_CLUSTER = "aws-eks"
GKE = "gcp:container/cluster:Cluster"


class _Estate:
    """A stack's program run and, for an estate's core, its shards' runs: together they declare every cluster."""

    def __init__(self, stack: str) -> None:
        core, self.plan = _planned(stack)
        self.runs = [core, *(program_run(s) for s in SHARD_STACKS if s.rsplit("-edge-", 1)[0] == stack)]
        self.resources = [r for run in self.runs for r in run.resources]
        self.exports: dict[str, Any] = {"gpu_queues": {}}
        for run in self.runs:
            self.exports["gpu_queues"].update(run.exports.get("gpu_queues", {}))


def _of(offline: OfflinePlan | _Estate, token: str) -> list[dict[str, Any]]:
    return [r for r in offline.resources if r["type"] == token]


def _releases_by_cluster(offline: OfflinePlan | _Estate, chart: str) -> set[str]:
    return {
        r["inputs"]["description"].rpartition("aidc.io/cluster=")[2]
        for r in _of(offline, HELM)
        if r["inputs"]["chart"] == chart
    }


def planned_gpus(plan: CapacityPlan) -> dict[str, int]:
    """GPUs placement gave each workload: private servers, public instances and edge replicas."""
    gpus: dict[str, int] = defaultdict(int)
    for private in plan.placement.private:
        gpus[private.workload] += private.gpus.int
    for public in plan.placement.public:
        gpus[public.workload] += public.gpus
    for workload in plan.inference:
        for allocation in workload.edge:
            gpus[workload.name] += allocation.gpus
    return {name: count for name, count in gpus.items() if count}


def _gpu_clusters(plan: CapacityPlan) -> set[str]:
    clusters = {f"edge-{site.name}" for site in plan.edge_sites if site.nodes.int > 0}
    if any(g.servers > 0 for g in plan.placement.private):
        clusters.add("core")
    return clusters


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_queue_quotas_add_up_to_the_planned_gpus(stack: str) -> None:
    offline = _Estate(stack)
    plan = offline.plan
    quotas: dict[str, int] = defaultdict(int)
    for queue in _of(offline, QUEUE):
        workload = queue["inputs"]["metadata"]["labels"]["aidc.io/workload"]
        for group in queue["inputs"]["spec"]["resourceGroups"]:
            for flavor in group["flavors"]:
                quotas[workload] += sum(
                    int(r["nominalQuota"]) for r in flavor["resources"] if r["name"] == "nvidia.com/gpu"
                )
    assert dict(quotas) == planned_gpus(plan)
    # The export `aidc plan` prints holds the same quotas, per cluster.
    exported: dict[str, int] = defaultdict(int)
    for per_workload in offline.exports["gpu_queues"].values():
        for workload, gpus in per_workload.items():
            exported[workload] += gpus
    assert dict(exported) == dict(quotas)


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_gpu_stack_is_declared_where_the_plan_needs_it_and_nowhere_else(stack: str) -> None:
    offline = _Estate(stack)
    plan = offline.plan
    k3s_with_gpus = _gpu_clusters(plan)
    public = [g for g in plan.placement.public if g.location == "aws"]
    assert _releases_by_cluster(offline, "gpu-operator") == k3s_with_gpus
    # EKS brings driver and toolkit with its NVIDIA AMI: the device plugin chart, never the operator.
    assert _releases_by_cluster(offline, "nvidia-device-plugin") == {AWS_CLUSTER}
    efa_expected = {AWS_CLUSTER} if any(g.efa for g in public) else set()
    assert _releases_by_cluster(offline, "aws-efa-k8s-device-plugin") == efa_expected
    # GKE (Google Cloud's GPU groups) installs the driver itself and runs DCGM as a managed GKE feature: the
    # metrics chart and the queues are aidc's there, the device plugin and the exporter are not.
    gke = (
        {r["inputs"]["name"] for r in _of(offline, GKE)}
        if any(g.location == "gcp" for g in plan.placement.public)
        else set()
    )
    gpu_clusters = k3s_with_gpus | ({AWS_CLUSTER} if public else set()) | gke
    assert _releases_by_cluster(offline, "prometheus") == gpu_clusters
    assert _releases_by_cluster(offline, "dcgm-exporter") == ({AWS_CLUSTER} if public else set())
    queue_clusters = {q["inputs"]["metadata"]["labels"]["aidc.io/cluster"] for q in _of(offline, QUEUE)}
    assert queue_clusters == {c for c, workloads in offline.exports["gpu_queues"].items() if workloads}
    assert _releases_by_cluster(offline, "oci://registry.k8s.io/kueue/charts/kueue") == queue_clusters
    identities = {
        (a["inputs"]["namespace"], a["inputs"]["serviceAccount"])
        for a in _of(offline, ASSOCIATION)
        if a["inputs"]["namespace"] != "kube-system"
    }
    assert identities == {(g.workload, g.workload) for g in public}


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_confidential_workloads_queue_on_owned_nodes_only(stack: str) -> None:
    offline = _Estate(stack)
    flavors = {
        (f["inputs"]["metadata"]["labels"]["aidc.io/cluster"], f["inputs"]["metadata"]["name"]): f["inputs"][
            "spec"
        ]
        for f in _of(offline, FLAVOR)
    }
    policies = [r for r in offline.resources if r["type"] == "kubernetes:networking.k8s.io/v1:NetworkPolicy"]
    for queue in _of(offline, QUEUE):
        labels = queue["inputs"]["metadata"]["labels"]
        if labels["aidc.io/classification"] not in ("confidential", "restricted"):
            continue
        for group in queue["inputs"]["spec"]["resourceGroups"]:
            for flavor in group["flavors"]:
                location = flavors[(labels["aidc.io/cluster"], flavor["name"])]["nodeLabels"][
                    "aidc.io/location"
                ]
                assert location in ("private", "edge"), queue["urn"]
        namespace = labels["aidc.io/workload"]
        denied = [p for p in policies if p["inputs"]["metadata"]["namespace"] == namespace]
        assert any(p["inputs"]["metadata"]["name"] == "default-deny" for p in denied), queue["urn"]


def test_a_shipped_stack_exercises_edge_efa_and_confidential_queues() -> None:
    """The checks above are not vacuous: the shipped stacks together have edge queues, EFA and confidential work."""
    efa = confidential = edge = False
    for stack in PLANNED_STACKS:
        offline, plan = _planned(stack)
        efa |= any(g.efa for g in plan.placement.public)
        queues = _of(offline, QUEUE)
        confidential |= any(
            q["inputs"]["metadata"]["labels"]["aidc.io/classification"] in ("confidential", "restricted")
            for q in queues
        )
        edge |= any(q["inputs"]["metadata"]["labels"]["aidc.io/cluster"].startswith("edge-") for q in queues)
    assert efa and confidential and edge


def test_driver_from_a_gpu_image_boots_gpu_servers_from_it_and_the_operator_installs_none() -> None:
    from aidc.config.load import read_config_values, stack_file
    from aidc.offline import run_program

    values = dict(read_config_values(stack_file("dev")))
    values["aidc:k3s"] = {**dict(values.get("aidc:k3s") or {}), "gpu_driver": "image"}
    values["aidc:openstack"] = {**dict(values["aidc:openstack"]), "gpu_image": "ubuntu-22.04-nvidia-570"}
    offline = run_program("dev", stack_config=values)
    operators = [r for r in _of(offline, HELM) if r["inputs"]["chart"] == "gpu-operator"]
    assert operators and all(r["inputs"]["values"]["driver"] == {"enabled": False} for r in operators)
    gpu_stacks = [
        r
        for r in _of(offline, "openstack:orchestration/stackV1:StackV1")
        if any(str(t).startswith("gpus-per-server=") for t in r["inputs"]["tags"])
    ]
    assert gpu_stacks
    for stack in gpu_stacks:
        parameters = stack["inputs"]["parameters"]
        assert parameters == "[secret]" or parameters["image"] == "ubuntu-22.04-nvidia-570", stack["urn"]
    plain = [r for r in offline.resources if r["type"] == "openstack:orchestration/stackV1:StackV1"]
    images = {r["plain_inputs"]["parameters"].get("image") for r in plain if r in gpu_stacks}
    assert images == {"ubuntu-22.04-nvidia-570"}
