"""The GPU stack of every cluster (upstream/kueue, upstream/nvidia, upstream/k3s, upstream/eks): Kueue objects
validate against the CRDs of the pinned chart, Kueue's Configuration names only fields it has, the GPU Operator
is set up for the containerd of the pinned K3s with settings its images read, and EKS managed add-ons are at
versions EKS lists. Chart values keys are checked for every release by test_helm_values.py. Each check is shown
to refuse a deliberately broken input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conformance_checks import HELM_RELEASE, of_type
from gpu_checks import (
    eks_addon_problems,
    gpu_operator_problems,
    kueue_configuration_problems,
    kueue_problems,
)

from aidc.offline import OfflinePlan
from aidc.versions import K3S_DEFAULT

KUEUE_PREFIX = "kubernetes:kueue.x-k8s.io/v1beta2:"
ADDON = "aws:eks/addon:Addon"
# The hand-written operator values below are for a K3s with containerd 1.7 (its config.toml.tmpl); every shipped
# stack runs the pinned default, with containerd 2.0.
K3S_VERSION = "v1.31.4+k3s1"


def test_every_kueue_object_validates_against_its_crd(plan: OfflinePlan) -> None:
    resources = [r for r in plan.resources if r["type"].startswith(KUEUE_PREFIX)]
    assert {r["type"].removeprefix(KUEUE_PREFIX) for r in resources} == {
        "ResourceFlavor",
        "ClusterQueue",
        "LocalQueue",
    }
    problems: list[str] = []
    for resource in resources:
        problems += kueue_problems(
            resource["type"].removeprefix(KUEUE_PREFIX), resource["plain_inputs"], resource["urn"]
        )
    assert problems == []


def test_kueue_configuration_names_only_its_fields(plan: OfflinePlan) -> None:
    releases = [
        r for r in of_type(plan.resources, HELM_RELEASE) if r["plain_inputs"]["chart"].endswith("/kueue")
    ]
    assert releases
    problems: list[str] = []
    for release in releases:
        config = release["plain_inputs"]["values"]["managerConfig"]["controllerManagerConfigYaml"]
        problems += kueue_configuration_problems(config, release["urn"])
    assert problems == []


def test_gpu_operator_fits_the_pinned_k3s(plan: OfflinePlan) -> None:
    releases = [
        r for r in of_type(plan.resources, HELM_RELEASE) if r["plain_inputs"]["chart"] == "gpu-operator"
    ]
    assert releases
    problems: list[str] = []
    for release in releases:
        problems += gpu_operator_problems(release["plain_inputs"]["values"], K3S_DEFAULT, release["urn"])
    assert problems == []


def test_managed_addons_are_versions_eks_lists(plan: OfflinePlan) -> None:
    [cluster] = of_type(plan.resources, "aws:eks/cluster:Cluster")
    addons = of_type(plan.resources, ADDON)
    assert {a["plain_inputs"]["addonName"] for a in addons} == {
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "eks-pod-identity-agent",
    }
    problems: list[str] = []
    for addon in addons:
        problems += eks_addon_problems(
            addon["plain_inputs"], cluster["plain_inputs"]["version"], addon["urn"]
        )
    assert problems == []


# --- each check refuses a broken input -------------------------------------------------------------------------
FLAVOR = {
    "apiVersion": "kueue.x-k8s.io/v1beta2",
    "kind": "ResourceFlavor",
    "metadata": {"name": "h100-80gb-private"},
    "spec": {
        "nodeLabels": {"aidc.io/accelerator": "h100-80gb"},
        "nodeTaints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    },
}
QUEUE = {
    "apiVersion": "kueue.x-k8s.io/v1beta2",
    "kind": "ClusterQueue",
    "metadata": {"name": "train"},
    "spec": {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "train"}},
        "queueingStrategy": "BestEffortFIFO",
        "resourceGroups": [
            {
                "coveredResources": ["nvidia.com/gpu"],
                "flavors": [
                    {
                        "name": "h100-80gb-private",
                        "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 16}],
                    }
                ],
            }
        ],
        "preemption": {"withinClusterQueue": "LowerPriority"},
    },
}


def test_well_formed_kueue_objects_pass() -> None:
    assert kueue_problems("ResourceFlavor", FLAVOR, "good") == []
    assert kueue_problems("ClusterQueue", QUEUE, "good") == []
    local = {"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "LocalQueue", "spec": {"clusterQueue": "train"}}
    assert kueue_problems("LocalQueue", local, "good") == []


def _changed(document: dict[str, Any], change: Any) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    change(broken["spec"])
    return broken


@pytest.mark.parametrize(
    ("kind", "document"),
    [
        ("ResourceFlavor", _changed(FLAVOR, lambda s: s.update(nodeSelector={"a": "b"}))),
        ("ResourceFlavor", _changed(FLAVOR, lambda s: s["nodeTaints"][0].update(effect="NoScheduleX"))),
        ("ResourceFlavor", _changed(FLAVOR, lambda s: s["tolerations"][0].update(value="present"))),
        (
            "ResourceFlavor",
            _changed(
                FLAVOR,
                lambda s: s["tolerations"][0].pop("key") and s["tolerations"][0].update(operator="Equal"),
            ),
        ),
        ("ClusterQueue", _changed(QUEUE, lambda s: s.update(queueingStrategy="FIFO"))),
        ("ClusterQueue", _changed(QUEUE, lambda s: s["resourceGroups"][0]["coveredResources"].append("cpu"))),
        (
            "ClusterQueue",
            _changed(
                QUEUE, lambda s: s["resourceGroups"][0]["flavors"][0]["resources"][0].update(borrowingLimit=1)
            ),
        ),
        ("ClusterQueue", _changed(QUEUE, lambda s: s["preemption"].update(withinClusterQueue="Always"))),
    ],
    ids=[
        "unknown-field",
        "taint-effect",
        "exists-with-value",
        "keyless-equal",
        "strategy",
        "covered-vs-resources",
        "borrowing-without-cohort",
        "preemption-policy",
    ],
)
def test_broken_kueue_objects_are_refused(kind: str, document: dict[str, Any]) -> None:
    assert kueue_problems(kind, document, "broken")


CONFIG = """
apiVersion: config.kueue.x-k8s.io/v1beta2
kind: Configuration
leaderElection: {leaderElect: true}
waitForPodsReady: {timeout: 10m, blockAdmission: true, requeuingStrategy: {timestamp: Eviction}}
manageJobsWithoutQueueName: true
resources: {quotaCheckStrategy: IgnoreUndeclared}
"""


def test_kueue_configuration_refuses_unknown_fields() -> None:
    assert kueue_configuration_problems(CONFIG, "good") == []
    assert kueue_configuration_problems(CONFIG.replace("blockAdmission", "blockAdmissions"), "broken")
    assert kueue_configuration_problems(CONFIG.replace("manageJobsWithoutQueueName", "manageJobs"), "broken")
    assert kueue_configuration_problems(CONFIG.replace("v1beta2", "v1beta9"), "broken")


OPERATOR = {
    "cdi": {"enabled": False},
    "toolkit": {
        "env": [
            {
                "name": "CONTAINERD_CONFIG",
                "value": "/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl",
            },
            {"name": "CONTAINERD_SOCKET", "value": "/run/k3s/containerd/containerd.sock"},
            {
                "name": "RUNTIME_CONFIG_SOURCE",
                "value": "file=/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
            },
            {"name": "NVIDIA_RUNTIME_SET_AS_DEFAULT", "value": "true"},
        ]
    },
    "devicePlugin": {"env": [{"name": "DEVICE_LIST_STRATEGY", "value": "volume-mounts"}]},
}


def _operator(change: Any) -> dict[str, Any]:
    broken = copy.deepcopy(OPERATOR)
    change(broken)
    return broken


def test_gpu_operator_settings_for_k3s() -> None:
    assert gpu_operator_problems(OPERATOR, K3S_VERSION, "good") == []
    # K3s with containerd 2.0 renders config-v3.toml.tmpl: the 1.7 template would be ignored.
    assert gpu_operator_problems(OPERATOR, "v1.31.6+k3s1", "broken")
    assert gpu_operator_problems(OPERATOR, "v1.33.1+k3s1", "broken")


@pytest.mark.parametrize(
    "change",
    [
        lambda v: v["toolkit"]["env"].append({"name": "CONTAINERD_CONFIG_PATH", "value": "/x"}),
        lambda v: v["toolkit"]["env"][1].update(value="/run/containerd/containerd.sock"),
        lambda v: v["devicePlugin"]["env"][0].update(value="volume-mount"),
        lambda v: v["devicePlugin"]["env"].append({"name": "DEVICE_LIST_STRATEGIES", "value": "envvar"}),
        lambda v: v["cdi"].update(enabled=True),
        lambda v: v["toolkit"]["env"].pop(3),
    ],
    ids=[
        "unknown-toolkit-env",
        "docker-socket",
        "unknown-strategy",
        "unknown-plugin-env",
        "cdi-on-1.7",
        "no-default",
    ],
)
def test_broken_gpu_operator_settings_are_refused(change: Any) -> None:
    assert gpu_operator_problems(_operator(change), K3S_VERSION, "broken")


def test_addon_versions_are_checked() -> None:
    good = {"addonName": "coredns", "addonVersion": "v1.11.3-eksbuild.2"}
    assert eks_addon_problems(good, "1.31", "good") == []
    assert eks_addon_problems({**good, "addonVersion": "v1.11.3-eksbuild.9"}, "1.31", "broken")
    assert eks_addon_problems({**good, "addonName": "core-dns"}, "1.31", "broken")
    assert eks_addon_problems(good, "1.27", "broken")
