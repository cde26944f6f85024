"""Cluster add-ons of AwsGpuCluster: a kubernetes Provider built from the cluster's kubeconfig and the NVIDIA
device plugin as a pinned Helm chart on the GPU nodes.

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

from components.aws_gpu_cluster.node_groups import GPU_PRESENT_LABEL, GPU_TAINT
from components.aws_gpu_cluster.scope import Scope

# Pinned: a chart upgrade is a reviewed change, never a side effect of a re-run.
NVIDIA_DEVICE_PLUGIN_CHART = "nvidia-device-plugin"
NVIDIA_DEVICE_PLUGIN_VERSION = "0.17.1"
NVIDIA_DEVICE_PLUGIN_REPO = "https://nvidia.github.io/k8s-device-plugin"
# Where the add-ons go; access.py scopes the deploy role's Kubernetes access to it.
ADDON_NAMESPACE = "kube-system"


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
    return pulumi.Output.secret(  # type: ignore[arg-type]
        pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority, region).apply(
            lambda v: kubeconfig_document(v[0], v[1], _ca_data(v[2]), v[3])
        )
    )


def kubernetes_provider(
    scope: Scope, kubeconfig: pulumi.Output[str], ready: Sequence[pulumi.Resource]
) -> k8s.Provider:
    """The kubernetes Provider of the cluster, once `ready` exist (the system nodes, the API access rules)."""
    return k8s.Provider(f"{scope.name}-k8s", kubeconfig=kubeconfig, opts=scope.opts(depends_on=list(ready)))


def install_device_plugin(scope: Scope, provider: k8s.Provider, system_group: aws.eks.NodeGroup) -> None:
    """The device plugin (a DaemonSet) on the GPU nodes Karpenter launches."""
    k8s.helm.v3.Release(
        f"{scope.name}-nvidia-device-plugin",
        chart=NVIDIA_DEVICE_PLUGIN_CHART,
        version=NVIDIA_DEVICE_PLUGIN_VERSION,
        repository_opts={"repo": NVIDIA_DEVICE_PLUGIN_REPO},
        namespace=ADDON_NAMESPACE,
        values={
            "nodeSelector": {GPU_PRESENT_LABEL: "true"},
            "tolerations": [{"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}],
            "priorityClassName": "system-node-critical",
        },
        opts=scope.opts(provider=provider, depends_on=[system_group]),
    )
