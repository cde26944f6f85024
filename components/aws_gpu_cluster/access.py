"""Who may use the Kubernetes API of AwsGpuCluster's EKS cluster: EKS access entries for named IAM roles, and
no standing grant for whoever created the cluster (eks.py sets bootstrap_cluster_creator_admin_permissions off).

- the deploy role (the identity that runs `pulumi up`, e.g. the CI role behind AWS_ROLE_ARN) gets an access entry
  with the Kubernetes group DEPLOY_GROUP and no EKS access policy: its rights are the RBAC objects of
  deploy_access.py (exactly what the add-ons need), never cluster-admin. Its entry is tagged ACCESS_ROLE_TAG=deploy
  so the policy pack can refuse any access policy association for it (`aws-eks-deploy-least-privilege`).
- the admin role (the operators, break-glass) gets AmazonEKSClusterAdminPolicy, cluster-wide (an EKS access policy,
  managed by EKS: https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html). It is the role that first
  applies the deploy role's RBAC objects on a new cluster (deploy_access.py, "Who creates these objects").

A role left out (None) gets no entry. Without a deploy role, the identity that runs `pulumi up` cannot reach the
Kubernetes API of a new cluster, and the first `pulumi up` stops at the first add-on (Unauthorized): the stack program
warns (stacks/clouds/aws.py, NO_DEPLOY_ROLE), in `pulumi preview` and on `aidc plan`'s stderr.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from aidc.contract import ADMIN_ACCESS, DEPLOY_ACCESS, DEPLOY_GROUP, EKS_ACCESS_ROLE_TAG, AccessRole
from components.aws_gpu_cluster.scope import Scope

ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"  # cluster-admin: the operators only
ACCESS_ROLE_TAG = EKS_ACCESS_ROLE_TAG  # an AccessRole on each role's access entry


def access_policy_arn(partition: str, policy: str) -> str:
    """The ARN of an EKS access policy, e.g. 'AmazonEKSViewPolicy', in `partition` ('aws', 'aws-cn')."""
    return f"arn:{partition}:eks::aws:cluster-access-policy/{policy}"


def _entry(
    scope: Scope,
    role: AccessRole,
    cluster: aws.eks.Cluster,
    principal_arn: str,
    groups: list[str] | None = None,
) -> aws.eks.AccessEntry:
    return aws.eks.AccessEntry(
        f"{scope.name}-access-{role}",
        cluster_name=cluster.name,
        principal_arn=principal_arn,
        type="STANDARD",
        kubernetes_groups=groups,
        tags={**scope.tags, ACCESS_ROLE_TAG: role},
        opts=scope.opts(),
    )


def grant_access(
    scope: Scope,
    cluster: aws.eks.Cluster,
    partition: pulumi.Output[str],
    deploy_role_arn: str | None,
    admin_role_arn: str | None,
) -> list[pulumi.Resource]:
    """The access entries and the admin's policy association; returns what must exist before anyone applies the
    add-ons (the deploy role's entry, whose group the RBAC objects bind, and the admin's grant)."""
    ready: list[pulumi.Resource] = []
    if deploy_role_arn is not None:
        ready.append(_entry(scope, DEPLOY_ACCESS, cluster, deploy_role_arn, [DEPLOY_GROUP]))
    if admin_role_arn is not None:
        entry = _entry(scope, ADMIN_ACCESS, cluster, admin_role_arn)
        ready.append(
            aws.eks.AccessPolicyAssociation(
                f"{scope.name}-access-admin-policy",
                cluster_name=cluster.name,
                # The entry's own output: the association is made once the entry exists.
                principal_arn=entry.principal_arn,
                policy_arn=partition.apply(lambda p: access_policy_arn(p, ADMIN_POLICY)),
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=scope.opts(),
            )
        )
    return ready
