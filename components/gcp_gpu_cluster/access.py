"""Kubernetes API access of GcpGpuCluster: a kubeconfig for the cluster's private endpoint that authenticates with
the gke-gcloud-auth-plugin exec credential (a short-lived token from the caller's Google credentials; no token or
client certificate is stored), kept secret, and the kubernetes Provider built from it once the system pool exists.

The endpoint answers only the master authorized networks: `pulumi up` runs on a runner in the private cloud's core
network, over the interconnect, with gke-gcloud-auth-plugin on its PATH (docs/gcp.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.gcp_gpu_cluster.scope import Scope, field

AUTH_PLUGIN = "gke-gcloud-auth-plugin"
INSTALL_HINT = (
    "Install gke-gcloud-auth-plugin for use with kubectl by following "
    "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin"
)


def kubeconfig_document(cluster_name: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig for the cluster whose user is the gke-gcloud-auth-plugin exec credential."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": AUTH_PLUGIN,
                            "installHint": INSTALL_HINT,
                            "provideClusterInfo": True,
                        }
                    },
                }
            ],
        }
    )


def _render(values: list[Any]) -> str:
    name, endpoint, master_auth = values
    return kubeconfig_document(
        name, endpoint, field(master_auth, "cluster_ca_certificate", "clusterCaCertificate")
    )


def cluster_kubeconfig(cluster: gcp.container.Cluster) -> pulumi.Output[str]:
    """The cluster's kubeconfig (its private endpoint: enable_private_endpoint makes `endpoint` the private one),
    as a secret."""
    return pulumi.Output.secret(
        pulumi.Output.all(cluster.name, cluster.endpoint, cluster.master_auth).apply(_render)
    )


def kubernetes_provider(
    scope: Scope, kubeconfig: pulumi.Output[str], ready: Sequence[pulumi.Resource]
) -> k8s.Provider:
    """The kubernetes Provider of the cluster, once `ready` exist (the system pool)."""
    return k8s.Provider(f"{scope.name}-k8s", kubeconfig=kubeconfig, opts=scope.opts(depends_on=list(ready)))
