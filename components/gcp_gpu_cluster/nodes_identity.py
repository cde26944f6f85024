"""The nodes' identity of GcpGpuCluster: a dedicated Google service account for every node pool, never the Compute
Engine default service account (which holds Editor on the project), with one project role: GKE's
roles/container.defaultNodeServiceAccount (what nodes need to write logs and metrics and read their own metadata;
cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent). Nodes get no storage
access: each workload's pods reach their prefix of the bucket as their own service account (workload_identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_gcp as gcp

from components.gcp_gpu_cluster.args import ACCOUNT_ID_MAX
from components.gcp_gpu_cluster.scope import Scope

NODE_ROLE = "roles/container.defaultNodeServiceAccount"
NODE_ACCOUNT_SUFFIX = "-nodes"
# Nodes use IAM, not access scopes, to bound what they may do: the cloud-platform scope with a least-privilege
# account is GKE's recommendation (cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster).
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def node_account_id(cluster_name: str) -> str:
    """'<cluster>-nodes', the cluster's name cut so the ID stays within IAM's 30 characters."""
    head = cluster_name[: ACCOUNT_ID_MAX - len(NODE_ACCOUNT_SUFFIX)].rstrip("-")
    return f"{head}{NODE_ACCOUNT_SUFFIX}"


@dataclass(frozen=True)
class NodeIdentity:
    account: gcp.serviceaccount.Account
    role: gcp.projects.IAMMember


def create_node_identity(scope: Scope, cluster_name: str) -> NodeIdentity:
    """The nodes' service account and its one project role."""
    account = gcp.serviceaccount.Account(
        f"{scope.name}-nodes",
        project=scope.project,
        account_id=node_account_id(cluster_name),
        display_name=f"GKE nodes of {cluster_name} (aidc)",
        opts=scope.opts(),
    )
    role = gcp.projects.IAMMember(
        f"{scope.name}-nodes-role",
        project=scope.project,
        role=NODE_ROLE,
        member=account.member,
        opts=scope.opts(),
    )
    return NodeIdentity(account, role)
