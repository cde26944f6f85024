"""Loaders for the vendored upstream files (upstream/README.md says where each came from). Pure file reads,
cached; nothing here knows about aidc's program."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

UPSTREAM = Path(__file__).resolve().parent / "upstream"


@cache
def load_json(relative: str) -> Any:
    return json.loads((UPSTREAM / relative).read_text(encoding="utf-8"))


@cache
def load_yaml(relative: str) -> Any:
    return yaml.safe_load((UPSTREAM / relative).read_text(encoding="utf-8"))


def nova() -> dict[str, Any]:
    return load_json("nova/server-schemas.json")


def heat() -> dict[str, Any]:
    return load_json("heat/resource-schemas.json")


def neutron_vpnaas() -> dict[str, Any]:
    return load_json("neutron/vpnaas-attributes.json")


def octavia() -> dict[str, Any]:
    return load_json("octavia/octavia-lib-constants.json")


def cloud_config_schema() -> dict[str, Any]:
    return load_json("cloud-init/schema-cloud-config-v1.json")


def k3s_flags() -> dict[str, Any]:
    return load_json("k3s/cli-flags.json")


def suc_plan_fields() -> dict[str, dict[str, str]]:
    return load_json("system-upgrade-controller/plan-fields.json")


def ceph_rules() -> dict[str, Any]:
    return load_json("ceph/pool-set-rules.json")


def rook_pool_facts() -> dict[str, Any]:
    return load_json("rook/pool-behaviour.json")


# kind -> vendored CRD (ceph.rook.io, Rook v1.20.6 deploy/examples/crds.yaml)
ROOK_CRDS = {
    "CephCluster": "rook/ceph.rook.io_cephclusters.yaml",
    "CephBlockPool": "rook/ceph.rook.io_cephblockpools.yaml",
    "CephObjectStore": "rook/ceph.rook.io_cephobjectstores.yaml",
}


# kind -> vendored CRD (kueue.x-k8s.io, Kueue v0.19.2 config/components/crd/bases; served: v1beta1, v1beta2)
KUEUE_CRDS = {
    "ClusterQueue": "kueue/kueue.x-k8s.io_clusterqueues.yaml",
    "LocalQueue": "kueue/kueue.x-k8s.io_localqueues.yaml",
    "ResourceFlavor": "kueue/kueue.x-k8s.io_resourceflavors.yaml",
}
CRDS = {**ROOK_CRDS, **KUEUE_CRDS}


def crd_schema(kind: str, version: str = "v1") -> dict[str, Any]:
    """The openAPIV3Schema of `kind` at `version` from its vendored CRD."""
    crd = load_yaml(CRDS[kind])
    for entry in crd["spec"]["versions"]:
        if entry["name"] == version:
            return dict(entry["schema"]["openAPIV3Schema"])
    raise KeyError(f"{kind}: no version {version} in the vendored CRD")


# (chart repository, chart, version) -> vendored values.yaml
HELM_VALUES = {
    ("https://charts.rook.io/release", "rook-ceph", "v1.20.6"): "rook/rook-ceph-values.yaml",
    ("https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin", "0.17.1"): (
        "nvidia/nvidia-device-plugin-values.yaml"
    ),
    # OCI charts have no repository: the chart reference is the registry path.
    (None, "oci://public.ecr.aws/karpenter/karpenter", "1.14.1"): "karpenter/values.yaml",
    (None, "oci://public.ecr.aws/karpenter/karpenter-crd", "1.14.1"): "karpenter/karpenter-crd-values.yaml",
    ("https://helm.ngc.nvidia.com/nvidia", "gpu-operator", "v26.7.0"): "nvidia/gpu-operator-values.yaml",
    ("https://nvidia.github.io/dcgm-exporter/helm-charts", "dcgm-exporter", "4.7.0"): (
        "nvidia/dcgm-exporter-values.yaml"
    ),
    ("https://prometheus-community.github.io/helm-charts", "prometheus", "29.27.0"): (
        "prometheus-community/prometheus-values.yaml"
    ),
    ("https://aws.github.io/eks-charts", "aws-efa-k8s-device-plugin", "v0.5.30"): (
        "eks-charts/aws-efa-k8s-device-plugin-values.yaml"
    ),
    (None, "oci://registry.k8s.io/kueue/charts/kueue", "0.19.2"): "kueue/kueue-values.yaml",
}


def kueue_configuration_fields() -> dict[str, dict[str, str]]:
    return load_json("kueue/configuration-fields.json")


def nvidia_toolkit_env() -> dict[str, Any]:
    return load_json("nvidia/container-toolkit-env.json")


def nvidia_device_plugin_env() -> dict[str, Any]:
    return load_json("nvidia/device-plugin-env.json")


def k3s_containerd() -> dict[str, Any]:
    return load_json("k3s/containerd.json")


def eks_addon_versions() -> dict[str, Any]:
    return load_json("eks/addon-versions.json")
