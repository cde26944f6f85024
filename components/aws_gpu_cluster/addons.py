"""Cluster add-ons of AwsGpuCluster: the EKS managed add-ons at pinned versions (VPC CNI, CoreDNS, kube-proxy, the
Pod Identity agent), a kubernetes Provider built from the cluster's kubeconfig, and pinned Helm charts on the GPU
nodes: the NVIDIA device plugin (`nvidia.com/gpu`; the EKS AL2023 NVIDIA AMI brings driver and container toolkit)
and, only where EFA groups are planned, the EFA device plugin (`vpc.amazonaws.com/efa`), both tolerating the GPU
taint. Each release's description names the cluster (`aidc.io/cluster=<EKS name>`) for the policy pack.

With a private endpoint (the default) these can only be applied from inside the VPC or over the VPN interconnect:
`pulumi up` runs on a runner in the private cloud's core network (README, "Where `pulumi up` runs"), admitted
by the cluster security group rules of eks.allow_api_access.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components._names import release_description
from components.aws_gpu_cluster.args import MANAGED_ADDONS, AwsGpuClusterArgs
from components.aws_gpu_cluster.eks import cluster_physical_name
from components.aws_gpu_cluster.node_groups import EFA_LABEL, GPU_PRESENT_LABEL, GPU_TAINT
from components.aws_gpu_cluster.scope import Scope

# Pinned: a chart upgrade is a reviewed change, never a side effect of a re-run.
NVIDIA_DEVICE_PLUGIN_CHART = "nvidia-device-plugin"
NVIDIA_DEVICE_PLUGIN_VERSION = "0.17.1"
NVIDIA_DEVICE_PLUGIN_REPO = "https://nvidia.github.io/k8s-device-plugin"
# Where the add-ons go; access.py scopes the deploy role's Kubernetes access to it.
ADDON_NAMESPACE = "kube-system"
EFA_DEVICE_PLUGIN_CHART = "aws-efa-k8s-device-plugin"
EFA_DEVICE_PLUGIN_VERSION = "v0.5.30"
EKS_CHARTS_REPO = "https://aws.github.io/eks-charts"
# Resource-name roles of the managed add-ons ("aws-<role>").
ADDON_ROLES = {
    "vpc-cni": "vpc-cni",
    "coredns": "coredns",
    "kube-proxy": "kube-proxy",
    "eks-pod-identity-agent": "pod-identity-agent",
}
# Add-ons that run as Deployments on nodes: EKS reports them healthy only once nodes exist.
_NEED_NODES = frozenset({"coredns"})
GPU_TOLERATION = {"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}


def kubeconfig_document(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (no long-lived token is stored)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
                        }
                    },
                }
            ],
        }
    )


def _ca_data(certificate_authority: Any) -> str:
    # The SDK hands the certificate authority over as a dict under mocks and as a typed object for real.
    return (
        certificate_authority["data"]
        if isinstance(certificate_authority, dict)
        else certificate_authority.data
    )


def cluster_kubeconfig(cluster: aws.eks.Cluster, region: pulumi.Output[str]) -> pulumi.Output[str]:
    """The cluster's kubeconfig, as a secret."""
    return pulumi.Output.secret(
        pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority, region).apply(
            lambda v: kubeconfig_document(v[0], v[1], _ca_data(v[2]), v[3])
        )
    )


def create_managed_addons(
    scope: Scope, args: AwsGpuClusterArgs, cluster: aws.eks.Cluster, system_group: aws.eks.NodeGroup
) -> dict[str, aws.eks.Addon]:
    """The four managed add-ons at their pinned versions; they take over the ones EKS bootstrapped (OVERWRITE).
    The Pod Identity agent keeps the name Karpenter's controller role first declared it under."""
    return {
        addon: aws.eks.Addon(
            f"{scope.name}-{ADDON_ROLES[addon]}",
            cluster_name=cluster.name,
            addon_name=addon,
            addon_version=args.addon_version(addon),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=scope.tags,
            opts=scope.opts(depends_on=[system_group] if addon in _NEED_NODES else None),
        )
        for addon in MANAGED_ADDONS
    }


def kubernetes_provider(
    scope: Scope,
    kubeconfig: pulumi.Output[str],
    ready: Sequence[pulumi.Resource],
    role: str = "k8s",
    adopt: bool = False,
) -> k8s.Provider:
    """A kubernetes Provider of the cluster, once `ready` exist (the system nodes, the API access rules, the access
    entries); `adopt`: create objects that already exist by updating them (upsertExistingObjects)."""
    return k8s.Provider(
        f"{scope.name}-{role}",
        kubeconfig=kubeconfig,
        upsert_existing_objects=True if adopt else None,
        opts=scope.opts(depends_on=list(ready)),
    )


def install_device_plugin(
    scope: Scope,
    provider: k8s.Provider,
    system_group: aws.eks.NodeGroup,
    efa: bool = False,
    versions: tuple[str, str] = (NVIDIA_DEVICE_PLUGIN_VERSION, EFA_DEVICE_PLUGIN_VERSION),
) -> None:
    """The NVIDIA device plugin (a DaemonSet) on the GPU nodes Karpenter launches and, with `efa` (an EFA NodePool
    is planned), the EFA device plugin on the nodes of EFA NodePools (their template's EFA label). `versions`: the
    NVIDIA and EFA chart versions (AwsGpuClusterArgs)."""
    cluster_name = cluster_physical_name(scope.name)
    k8s.helm.v3.Release(
        f"{scope.name}-nvidia-device-plugin",
        chart=NVIDIA_DEVICE_PLUGIN_CHART,
        version=versions[0],
        repository_opts={"repo": NVIDIA_DEVICE_PLUGIN_REPO},
        namespace=ADDON_NAMESPACE,
        description=release_description("NVIDIA device plugin", cluster_name),
        values={
            "nodeSelector": {GPU_PRESENT_LABEL: "true"},
            "tolerations": [GPU_TOLERATION],
            "priorityClassName": "system-node-critical",
        },
        opts=scope.opts(provider=provider, depends_on=[system_group]),
    )
    if efa:
        k8s.helm.v3.Release(
            f"{scope.name}-efa-device-plugin",
            chart=EFA_DEVICE_PLUGIN_CHART,
            version=versions[1],
            repository_opts={"repo": EKS_CHARTS_REPO},
            namespace="kube-system",
            description=release_description("EFA device plugin", cluster_name),
            values={"nodeSelector": {EFA_LABEL: "true"}, "tolerations": [GPU_TOLERATION]},
            opts=scope.opts(provider=provider, depends_on=[system_group]),
        )
