"""gpu-schedulability, on inventories built by hand: a compliant K3s cluster and a compliant EKS cluster pass; each
breach (no device plugin, no EFA plugin, an untolerated taint, a missing or empty flavor, a pod larger than a node,
a queue or a flavor's queues bigger than its nodes) is refused with its numbers."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from policy_helpers import check_stack, stack_resource
from pulumi_policy import EnforcementLevel

from policies.scheduling import (
    CLUSTER_QUEUE,
    GKE_NODE_POOL,
    HEAT_STACK,
    HELM_RELEASE,
    NODE_POOL,
    RESOURCE_FLAVOR,
    gpu_schedulability,
    parse_taint,
    tolerates,
)

GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def _heat_pool(cluster: str = "core", servers: int = 2, gpus: int = 8) -> dict[str, Any]:
    return {
        "tags": [
            "aidc",
            f"cluster={cluster}",
            "pool=train",
            f"servers={servers}",
            f"gpus-per-server={gpus}",
            "node-label:aidc.io/accelerator=h100-80gb",
            "node-label:aidc.io/location=private",
            "node-taint:nvidia.com/gpu=present:NoSchedule",
        ]
    }


def _operator(cluster: str = "core", tolerations: list[Any] | None = None) -> dict[str, Any]:
    return {
        "chart": "gpu-operator",
        "description": f"aidc: NVIDIA GPU Operator; aidc.io/cluster={cluster}",
        "values": {
            "devicePlugin": {"enabled": True},
            "daemonsets": {"tolerations": [GPU_TOLERATION] if tolerations is None else tolerations},
        },
    }


def _flavor(cluster: str = "core", location: str = "private", tolerate: bool = True) -> dict[str, Any]:
    return {
        "metadata": {"name": f"h100-80gb-{location}", "labels": {"aidc.io/cluster": cluster}},
        "spec": {
            "nodeLabels": {"aidc.io/accelerator": "h100-80gb", "aidc.io/location": location},
            "nodeTaints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
            "tolerations": [GPU_TOLERATION] if tolerate else [],
        },
    }


def _queue(
    name: str = "train",
    cluster: str = "core",
    flavor: str = "h100-80gb-private",
    gpus: int = 16,
    pod_gpus: int = 8,
    efa: int = 0,
) -> dict[str, Any]:
    resources: list[dict[str, Any]] = [{"name": "nvidia.com/gpu", "nominalQuota": gpus}]
    if efa:
        resources.append({"name": "vpc.amazonaws.com/efa", "nominalQuota": efa})
    return {
        "metadata": {
            "name": name,
            "labels": {"aidc.io/cluster": cluster},
            "annotations": {"aidc.io/pod-gpus": str(pod_gpus)},
        },
        "spec": {
            "resourceGroups": [
                {
                    "coveredResources": [r["name"] for r in resources],
                    "flavors": [{"name": flavor, "resources": resources}],
                }
            ]
        },
    }


def _k3s(**changes: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """A private cluster: 2 servers x 8 H100, the GPU Operator, one flavor, one queue of 16 GPUs."""
    inventory = {
        "pool": (HEAT_STACK, _heat_pool()),
        "operator": (HELM_RELEASE, _operator()),
        "flavor": (RESOURCE_FLAVOR, _flavor()),
        "queue": (CLUSTER_QUEUE, _queue()),
    }
    inventory.update(changes)
    return inventory


def _node_pool(efa: bool = True, gpu_limit: int = 32) -> dict[str, Any]:
    labels = {
        "nvidia.com/gpu.present": "true",
        "aidc.io/accelerator": "h100-80gb",
        "aidc.io/location": "aws",
        "aidc.io/gpus-per-instance": "8",
    }
    if efa:
        labels |= {"aidc.io/efa": "true", "aidc.io/efa-interfaces": "32"}
    return {
        "metadata": {"name": "run-p5", "labels": {"aidc.io/cluster": "aws-eks"}},
        "spec": {
            "limits": {"nvidia.com/gpu": str(gpu_limit), "cpu": "768"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]},
            },
        },
    }


def _eks(**changes: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """EKS: one EFA NodePool of at most 4 p5 (32 GPUs, 128 EFA devices), both device plugins, one queue."""
    inventory = {
        "pool": (NODE_POOL, _node_pool()),
        "nvidia": (
            HELM_RELEASE,
            {
                "chart": "nvidia-device-plugin",
                "description": "aidc: NVIDIA device plugin; aidc.io/cluster=aws-eks",
                "values": {"tolerations": [GPU_TOLERATION]},
            },
        ),
        "efa": (
            HELM_RELEASE,
            {
                "chart": "aws-efa-k8s-device-plugin",
                "description": "aidc: EFA device plugin; aidc.io/cluster=aws-eks",
                "values": {"tolerations": [GPU_TOLERATION]},
            },
        ),
        "flavor": (RESOURCE_FLAVOR, _flavor("aws-eks", "aws")),
        "queue": (CLUSTER_QUEUE, _queue(cluster="aws-eks", flavor="h100-80gb-aws", gpus=32, efa=128)),
    }
    inventory.update(changes)
    return inventory


def _check(inventory: dict[str, tuple[str, dict[str, Any] | None]]) -> list[str]:
    resources = [
        stack_resource(kind, name, props) for name, (kind, props) in inventory.items() if props is not None
    ]
    return [message for message, _ in check_stack(gpu_schedulability, resources)]


def test_the_rule_is_mandatory() -> None:
    assert gpu_schedulability.enforcement_level == EnforcementLevel.MANDATORY


@pytest.mark.parametrize("inventory", [_k3s(), _eks()], ids=["k3s", "eks"])
def test_a_schedulable_cluster_passes(inventory: dict[str, Any]) -> None:
    assert _check(inventory) == []


def test_gpu_pool_without_device_plugin_is_refused() -> None:
    messages = _check(_k3s(operator=(HELM_RELEASE, None)))
    assert any(
        "no NVIDIA device plugin" in m and "2 nodes x 8 GPUs" in m and "16 GPUs" in m for m in messages
    ), messages


def test_operator_with_its_device_plugin_disabled_counts_as_none() -> None:
    operator = _operator()
    operator["values"]["devicePlugin"]["enabled"] = False
    assert any("no NVIDIA device plugin" in m for m in _check(_k3s(operator=(HELM_RELEASE, operator))))


def test_device_plugin_of_another_cluster_does_not_count() -> None:
    messages = _check(_k3s(operator=(HELM_RELEASE, _operator(cluster="edge-a"))))
    assert any("in cluster core: no NVIDIA device plugin" in m for m in messages), messages


def test_taint_without_toleration_in_the_device_plugin_is_refused() -> None:
    messages = _check(_k3s(operator=(HELM_RELEASE, _operator(tolerations=[]))))
    assert any("nvidia.com/gpu=present:NoSchedule has no toleration" in m for m in messages), messages


def test_taint_without_toleration_in_the_flavor_is_refused() -> None:
    messages = _check(_k3s(flavor=(RESOURCE_FLAVOR, _flavor(tolerate=False))))
    assert any("flavor h100-80gb-private" in m and "has no toleration" in m for m in messages), messages


def test_efa_pool_without_the_efa_plugin_is_refused() -> None:
    messages = _check(_eks(efa=(HELM_RELEASE, None)))
    assert any("without the EFA device plugin" in m and "32 EFA devices per node" in m for m in messages), (
        messages
    )


def test_queue_bigger_than_its_nodes_is_refused_with_the_numbers() -> None:
    messages = _check(_k3s(queue=(CLUSTER_QUEUE, _queue(gpus=24))))
    assert messages == [
        "queue train in cluster core is bigger than its nodes: 24 nvidia.com/gpu of flavor h100-80gb-private, "
        "whose nodes hold 16 (2 nodes x 8)"
    ]


def test_efa_quota_bigger_than_the_nodes_devices_is_refused() -> None:
    queue = _queue(cluster="aws-eks", flavor="h100-80gb-aws", gpus=32, efa=160)
    messages = _check(_eks(queue=(CLUSTER_QUEUE, queue)))
    assert any("160 vpc.amazonaws.com/efa" in m and "hold 128 (4 nodes x 32)" in m for m in messages), (
        messages
    )


def test_nodepool_capacity_is_its_gpu_limit() -> None:
    messages = _check(_eks(pool=(NODE_POOL, _node_pool(gpu_limit=16))))
    assert any(
        "32 nvidia.com/gpu of flavor h100-80gb-aws, whose nodes hold 16 (2 nodes x 8)" in m for m in messages
    )


def test_queues_sharing_a_flavor_may_not_promise_more_than_it_holds() -> None:
    messages = _check(
        _k3s(
            queue=(CLUSTER_QUEUE, _queue(gpus=8)),
            other=(CLUSTER_QUEUE, _queue(name="serve", gpus=16, pod_gpus=2)),
        )
    )
    assert any("promised 24 nvidia.com/gpu by its queues (train: 8, serve: 16)" in m for m in messages), (
        messages
    )


def test_pod_larger_than_any_node_is_refused() -> None:
    messages = _check(_k3s(queue=(CLUSTER_QUEUE, _queue(gpus=16, pod_gpus=16))))
    assert any(
        "a pod asks for 16 GPUs, the largest node of flavor h100-80gb-private has 8" in m for m in messages
    )


def test_queue_naming_an_undeclared_flavor_is_refused() -> None:
    messages = _check(_k3s(flavor=(RESOURCE_FLAVOR, None)))
    assert any("flavor h100-80gb-private is not declared" in m for m in messages), messages


def test_flavor_matching_no_node_is_refused() -> None:
    flavor = copy.deepcopy(_flavor())
    flavor["spec"]["nodeLabels"]["aidc.io/location"] = "edge"
    messages = _check(_k3s(flavor=(RESOURCE_FLAVOR, flavor)))
    assert any("matches no GPU node" in m for m in messages), messages


@pytest.mark.parametrize(
    ("toleration", "expected"),
    [
        (GPU_TOLERATION, True),
        ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}, True),
        ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "other", "effect": "NoSchedule"}, False),
        ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"}, False),
        ({"operator": "Exists"}, True),
        ({"key": "other", "operator": "Exists"}, False),
    ],
)
def test_toleration_matching_follows_kubernetes(toleration: dict[str, str], expected: bool) -> None:
    assert tolerates(toleration, parse_taint("nvidia.com/gpu=present:NoSchedule")) is expected


# --- GKE node pools: GKE runs the device plugin; the driver must be GKE-installed --------------------------------
def _gke_pool(
    driver: str | None = "LATEST",
    labels: dict[str, str] | None = None,
    taint_effect: str = "NO_SCHEDULE",
    **sizing: Any,
) -> dict[str, Any]:
    accelerator: dict[str, Any] = {"type": "nvidia-h100-80gb", "count": 8}
    if driver is not None:
        accelerator["gpuDriverInstallationConfig"] = {"gpuDriverVersion": driver}
    return {
        "name": "chat-a3-highgpu-8g",
        "nodeLocations": ["us-central1-a", "us-central1-b"],
        "nodeConfig": {
            "guestAccelerators": [accelerator],
            "labels": labels
            or {
                "aidc.io/cluster": "aidc-prod",
                "aidc.io/accelerator": "h100-80gb",
                "aidc.io/location": "gcp",
            },
            "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": taint_effect}],
        },
        **(sizing or {"autoscaling": {"totalMinNodeCount": 1, "totalMaxNodeCount": 4}}),
    }


def _gke(**changes: Any) -> dict[str, tuple[str, dict[str, Any] | None]]:
    """GKE: one pool of at most 4 a3-highgpu-8g (32 GPUs), GKE's own device plugin, one flavor, one queue."""
    inventory: dict[str, tuple[str, dict[str, Any] | None]] = {
        "pool": (GKE_NODE_POOL, _gke_pool()),
        "flavor": (RESOURCE_FLAVOR, _flavor("aidc-prod", "gcp")),
        "queue": (CLUSTER_QUEUE, _queue(cluster="aidc-prod", flavor="h100-80gb-gcp", gpus=32)),
    }
    inventory.update(changes)
    return inventory


def test_a_schedulable_gke_cluster_passes_without_a_device_plugin_chart() -> None:
    assert _check(_gke()) == []


@pytest.mark.parametrize("sizing", [{"nodeCount": 2}, {"autoscaling": {"maxNodeCount": 2}}])
def test_gke_pool_capacity_is_per_zone_counts_times_its_zones(sizing: dict[str, Any]) -> None:
    assert _check(_gke(pool=(GKE_NODE_POOL, _gke_pool(**sizing)))) == []
    messages = _check(
        _gke(
            pool=(GKE_NODE_POOL, _gke_pool(**sizing)),
            queue=(CLUSTER_QUEUE, _queue(cluster="aidc-prod", flavor="h100-80gb-gcp", gpus=40)),
        )
    )
    assert any(
        "40 nvidia.com/gpu of flavor h100-80gb-gcp, whose nodes hold 32 (4 nodes x 8)" in m for m in messages
    )


@pytest.mark.parametrize("driver", [None, "INSTALLATION_DISABLED", "GPU_DRIVER_VERSION_UNSPECIFIED"])
def test_a_gke_pool_whose_driver_gke_does_not_install_is_refused(driver: str | None) -> None:
    messages = _check(_gke(pool=(GKE_NODE_POOL, _gke_pool(driver=driver))))
    assert any(
        "GPU pool chat-a3-highgpu-8g (4 nodes x 8 GPUs) in cluster aidc-prod: GKE installs no NVIDIA driver"
        in m
        and "32 GPUs" in m
        for m in messages
    ), messages


def test_a_gke_queue_bigger_than_its_pool_is_refused() -> None:
    queue = _queue(cluster="aidc-prod", flavor="h100-80gb-gcp", gpus=48)
    assert _check(_gke(queue=(CLUSTER_QUEUE, queue))) == [
        "queue train in cluster aidc-prod is bigger than its nodes: 48 nvidia.com/gpu of flavor h100-80gb-gcp, "
        "whose nodes hold 32 (4 nodes x 8)"
    ]


def test_a_gke_pool_the_flavor_does_not_select_leaves_the_queue_without_nodes() -> None:
    labels = {"aidc.io/cluster": "aidc-prod", "aidc.io/accelerator": "h100-80gb", "aidc.io/location": "aws"}
    messages = _check(_gke(pool=(GKE_NODE_POOL, _gke_pool(labels=labels))))
    assert any("flavor h100-80gb-gcp matches no GPU node" in m for m in messages), messages


def test_a_gke_taint_the_flavor_does_not_tolerate_is_refused_in_kubernetes_spelling() -> None:
    messages = _check(_gke(pool=(GKE_NODE_POOL, _gke_pool(taint_effect="NO_EXECUTE"))))
    assert any(
        "taint nvidia.com/gpu=present:NoExecute of pool chat-a3-highgpu-8g has no toleration" in m
        for m in messages
    ), messages


def test_a_gke_pool_without_cluster_label_or_gpus_is_not_a_gpu_pool() -> None:
    cpu = _gke_pool()
    cpu["nodeConfig"]["guestAccelerators"] = []
    assert _check({"pool": (GKE_NODE_POOL, cpu)}) == []
