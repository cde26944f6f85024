"""IAM of AwsGpuCluster: the EKS cluster role and the node role with only the AWS-managed policies EKS documents
for them. Nodes have no access to the dataset bucket: pods reach it through EKS Pod Identity (pod_identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.scope import Scope
from components.iam import assume_role_policy, managed_policy_arn

# The minimal AWS-managed policies EKS documents for the cluster role and for managed node groups.
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")


@dataclass(frozen=True)
class Roles:
    """The roles and the attachments that must exist before the cluster and node groups are created."""

    cluster_role: aws.iam.Role
    """Assumed by EKS for the control plane."""
    cluster_attachments: list[aws.iam.RolePolicyAttachment]
    """The cluster role's managed policies."""
    node_role: aws.iam.Role
    """Assumed by EC2 for every node."""
    node_attachments: list[aws.iam.RolePolicyAttachment]
    """The node role's managed policies."""


def create_roles(scope: Scope, partition: pulumi.Output[str]) -> Roles:
    """The cluster role and the node role, each with its managed policies attached."""
    cluster_role = _role(scope, "cluster", "eks.amazonaws.com")
    cluster_attachments = _attach(scope, "cluster", cluster_role, partition, CLUSTER_POLICIES)
    node_role = _role(scope, "node", "ec2.amazonaws.com")
    node_attachments = _attach(scope, "node", node_role, partition, NODE_POLICIES)
    return Roles(cluster_role, cluster_attachments, node_role, node_attachments)


def _role(scope: Scope, role: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(
        f"{scope.name}-{role}-role",
        assume_role_policy=assume_role_policy(service).to_json(),
        tags=scope.tags,
        opts=scope.opts(),
    )


def _attach(
    scope: Scope, role: str, target: aws.iam.Role, partition: pulumi.Output[str], policies: tuple[str, ...]
) -> list[aws.iam.RolePolicyAttachment]:
    return [
        aws.iam.RolePolicyAttachment(
            f"{scope.name}-{role}-{policy}",
            role=target.name,
            policy_arn=_policy_arn(partition, policy),
            opts=scope.opts(),
        )
        for policy in policies
    ]


def _policy_arn(partition: pulumi.Output[str], policy: str) -> pulumi.Output[str]:
    return partition.apply(lambda p: managed_policy_arn(p, policy))
