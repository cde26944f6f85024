"""Resource tests for the GPU add-ons of a cluster under AidcMocks: NvidiaGpuOperator (K3s), GpuMetrics and
WorkloadQueues (Kueue landing zones). Each test waits for every child of the component it declares (a settle
resource that depends on the component) and asserts in the Output it returns."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from aidc.mocks import AidcMocks
from components.gpu_metrics import GpuMetrics, GpuMetricsArgs
from components.nvidia_gpu_operator import NvidiaGpuOperator, NvidiaGpuOperatorArgs, operator_values
from components.workload_queues import QueueFlavor, WorkloadQueue, WorkloadQueues, WorkloadQueuesArgs
from tests.components.args_helpers import assert_refused

HELM = "kubernetes:helm.sh/v3:Release"
KUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:"
GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"


def _settled(component: pulumi.Resource) -> pulumi.Output[str]:
    """Resolves once every child of `component` is registered (depending on a component waits for its children)."""
    marker = k8s.core.v1.ConfigMap("settled", opts=pulumi.ResourceOptions(depends_on=[component]))
    return marker.id


def _of(mocks: AidcMocks, token: str) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in mocks.registered if r.typ == token}


def _env(values: dict[str, Any], part: str) -> dict[str, str]:
    return {e["name"]: e["value"] for e in values[part]["env"]}


# --- NvidiaGpuOperator ----------------------------------------------------------------------------------------
@pulumi.runtime.test
def test_gpu_operator_on_k3s_with_containerd_1_7(mocks: AidcMocks):
    operator = NvidiaGpuOperator(
        "core-gpu-operator", NvidiaGpuOperatorArgs(cluster="core", k3s_version="v1.31.4+k3s1")
    )

    def check(_: str) -> None:
        (release,) = _of(mocks, HELM).values()
        assert (release["chart"], release["version"]) == ("gpu-operator", "v26.7.0")
        assert release["description"].endswith("aidc.io/cluster=core")
        values = release["values"]
        toolkit = _env(values, "toolkit")
        assert toolkit["CONTAINERD_CONFIG"] == "/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl"
        assert toolkit["CONTAINERD_SOCKET"] == "/run/k3s/containerd/containerd.sock"
        assert toolkit["NVIDIA_RUNTIME_SET_AS_DEFAULT"] == "true"
        assert values["cdi"] == {"enabled": False}
        assert _env(values, "devicePlugin") == {"DEVICE_LIST_STRATEGY": "volume-mounts"}
        assert values["driver"] == {"enabled": True}
        assert values["dcgmExporter"]["enabled"] is True
        assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in values[
            "daemonsets"
        ]["tolerations"]
        # The operator owns the `nvidia` RuntimeClass (K3s ships one too): the program declares no third owner.
        assert values["operator"]["runtimeClass"] == "nvidia"
        assert _env(values, "toolkit")["CONTAINERD_RUNTIME_CLASS"] == "nvidia"
        assert not _of(mocks, "kubernetes:node.k8s.io/v1:RuntimeClass")

    return _settled(operator).apply(check)


def test_gpu_operator_on_containerd_2_uses_cdi_and_the_v3_template() -> None:
    values = operator_values(
        NvidiaGpuOperatorArgs(cluster="edge-a", k3s_version="v1.32.2+k3s1", driver="image")
    )
    assert values["cdi"] == {"enabled": True}
    assert _env(values, "toolkit")["CONTAINERD_CONFIG"].endswith("/config-v3.toml.tmpl")
    assert "NVIDIA_RUNTIME_SET_AS_DEFAULT" not in _env(values, "toolkit")
    # The driver comes with the GPU image: the operator installs none.
    assert values["driver"] == {"enabled": False}


def test_gpu_operator_refuses_an_unpinned_k3s() -> None:
    assert_refused(lambda: NvidiaGpuOperatorArgs(cluster="core", k3s_version="latest"), "k3s_version")


# --- GpuMetrics --------------------------------------------------------------------------------------------------
@pulumi.runtime.test
def test_metrics_on_k3s_scrape_the_operators_exporter(mocks: AidcMocks):
    metrics = GpuMetrics(
        "core-gpu-metrics", GpuMetricsArgs(cluster="core", exporter_namespace="gpu-operator")
    )

    def check(_: str) -> None:
        releases = {r["chart"]: r for r in _of(mocks, HELM).values()}
        assert set(releases) == {"prometheus"}, "the operator runs the DCGM exporter on K3s"
        values = releases["prometheus"]["values"]
        assert values["alertmanager"] == {"enabled": False}
        (job,) = yaml.safe_load(values["extraScrapeConfigs"])
        assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"names": ["gpu-operator"]}}]
        assert {"target_label": "cluster", "replacement": "core"} in job["relabel_configs"]
        assert values["server"]["persistentVolume"]["enabled"] is True

    return _settled(metrics).apply(check)


@pulumi.runtime.test
def test_metrics_on_eks_install_the_dcgm_exporter(mocks: AidcMocks):
    metrics = GpuMetrics(
        "aws-gpu-metrics",
        GpuMetricsArgs(
            cluster="aws-eks",
            exporter_namespace="monitoring",
            dcgm_exporter=True,
            gpu_node_labels={"nvidia.com/gpu.present": "true"},
            persistent=False,
        ),
    )

    def check(_: str) -> None:
        releases = {r["chart"]: r for r in _of(mocks, HELM).values()}
        assert set(releases) == {"prometheus", "dcgm-exporter"}
        exporter = releases["dcgm-exporter"]["values"]
        assert exporter["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
        assert exporter["serviceMonitor"] == {"enabled": False}
        assert releases["prometheus"]["values"]["server"]["persistentVolume"]["enabled"] is False

    return _settled(metrics).apply(check)


# --- WorkloadQueues ----------------------------------------------------------------------------------------------
PRIVATE = QueueFlavor(
    name="h100-80gb-private",
    node_labels={"aidc.io/accelerator": "h100-80gb", "aidc.io/location": "private"},
    node_taints=(GPU_TAINT,),
)
AWS = QueueFlavor(
    name="h100-80gb-aws",
    node_labels={"aidc.io/accelerator": "h100-80gb", "aidc.io/location": "aws"},
    node_taints=(GPU_TAINT,),
)
TRAIN = WorkloadQueue(
    name="train-70b",
    kind="training",
    classification="internal",
    flavor="h100-80gb-aws",
    gpus=64,
    pod_gpus=8,
    efa=256,
)
RISK = WorkloadQueue(
    name="risk",
    kind="inference",
    classification="confidential",
    flavor="h100-80gb-private",
    gpus=16,
    pod_gpus=2,
)


def _queues(**changes: Any) -> WorkloadQueuesArgs:
    base: dict[str, Any] = {"cluster": "core", "flavors": (PRIVATE, AWS), "workloads": (TRAIN, RISK)}
    base.update(changes)
    return WorkloadQueuesArgs(**base)


@pulumi.runtime.test
def test_each_workload_gets_a_landing_zone_with_its_planned_quota(mocks: AidcMocks):
    queues = WorkloadQueues("core-queues", _queues())

    def check(_: str) -> None:
        (kueue,) = _of(mocks, HELM).values()
        assert (kueue["chart"], kueue["version"]) == ("oci://registry.k8s.io/kueue/charts/kueue", "0.19.2")
        config = yaml.safe_load(kueue["values"]["managerConfig"]["controllerManagerConfigYaml"])
        assert config["waitForPodsReady"]["blockAdmission"] is True
        flavors = _of(mocks, KUEUE + "ResourceFlavor")
        assert {f["metadata"]["name"] for f in flavors.values()} == {"h100-80gb-private", "h100-80gb-aws"}
        private = flavors["core-queues-flavor-h100-80gb-private"]["spec"]
        assert private["nodeLabels"] == {"aidc.io/accelerator": "h100-80gb", "aidc.io/location": "private"}
        assert private["tolerations"] == [
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
        ]
        cluster_queues = _of(mocks, KUEUE + "ClusterQueue")
        train = cluster_queues["core-queues-train-70b-cq"]
        [group] = train["spec"]["resourceGroups"]
        assert group["coveredResources"] == ["nvidia.com/gpu", "vpc.amazonaws.com/efa"]
        assert group["flavors"] == [
            {
                "name": "h100-80gb-aws",
                "resources": [
                    {"name": "nvidia.com/gpu", "nominalQuota": 64},
                    {"name": "vpc.amazonaws.com/efa", "nominalQuota": 256},
                ],
            }
        ]
        assert train["spec"]["namespaceSelector"] == {
            "matchLabels": {"kubernetes.io/metadata.name": "train-70b"}
        }
        assert train["metadata"]["annotations"]["aidc.io/pod-gpus"] == "8"
        local = _of(mocks, KUEUE + "LocalQueue")
        assert {(q["metadata"]["namespace"], q["spec"]["clusterQueue"]) for q in local.values()} == {
            ("train-70b", "train-70b"),
            ("risk", "risk"),
        }
        namespaces = {n["metadata"]["name"] for n in _of(mocks, "kubernetes:core/v1:Namespace").values()}
        accounts = {
            (a["metadata"]["namespace"], a["metadata"]["name"])
            for a in _of(mocks, "kubernetes:core/v1:ServiceAccount").values()
        }
        assert namespaces == {"train-70b", "risk"}
        assert accounts == {("train-70b", "train-70b"), ("risk", "risk")}

    return _settled(queues).apply(check)


@pulumi.runtime.test
def test_confidential_namespaces_start_with_default_deny(mocks: AidcMocks):
    queues = WorkloadQueues("core-queues", _queues())

    def check(_: str) -> None:
        policies = _of(mocks, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
        assert {p["metadata"]["namespace"] for p in policies.values()} == {"risk"}, "internal gets none"
        deny = next(p for p in policies.values() if p["metadata"]["name"] == "default-deny")
        assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

    return _settled(queues).apply(check)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"workloads": (RISK.model_copy(update={"flavor": "h100-80gb-aws"}),)}, "workloads[0].flavor"),
        ({"workloads": (TRAIN.model_copy(update={"flavor": "a100"}),)}, "workloads[0].flavor"),
        ({"workloads": (TRAIN, TRAIN)}, "workloads[1].name"),
    ],
    ids=["confidential-on-public-nodes", "unknown-flavor", "twice"],
)
def test_inconsistent_queues_are_refused(changes: dict[str, Any], field: str) -> None:
    assert_refused(lambda: _queues(**changes), field)


def test_quota_in_whole_pods_and_no_reserved_namespace() -> None:
    fields = {**TRAIN.model_dump(), "gpus": 60}
    assert_refused(lambda: WorkloadQueue(**fields), "gpus", says="whole replicas")
    assert_refused(lambda: WorkloadQueue(**{**TRAIN.model_dump(), "name": "kube-system"}), "name")


# --- the inventory K3s GPU pools declare to the policy pack (Heat tags: the user data is secret) ---------------
def test_gpu_pool_tags_declare_what_flavors_select_and_fit_heat() -> None:
    from components.k3s_cluster import AgentPool, pool_inventory_tags

    workload = "w" * 63  # the longest name a workload may have
    pool = AgentPool(
        name=workload,
        flavor="g1.8xh100",
        count=4,
        gpu=True,
        accelerator="h100-80gb",
        gpus_per_node=8,
        labels={"aidc.io/workload": workload, "aidc.io/location": "private"},
    )
    tags = pool_inventory_tags(pool)
    assert tags == [
        "accelerator=h100-80gb",
        "gpus-per-server=8",
        "node-label:aidc.io/accelerator=h100-80gb",
        "node-label:aidc.io/gpus-per-node=8",
        "node-label:aidc.io/location=private",
        "node-taint:nvidia.com/gpu=present:NoSchedule",
    ]
    assert all(len(tag) <= 80 and "," not in tag for tag in tags)
    cpu_pool = AgentPool(name="cpu", flavor="m1.large", count=2)
    assert pool_inventory_tags(cpu_pool) == []
