"""Who may use the Kubernetes API of AwsGpuCluster's EKS cluster: EKS access entries for named IAM roles, and
no standing grant for whoever created the cluster (eks.py sets bootstrap_cluster_creator_admin_permissions off).

The policies are EKS access policies (managed by EKS, not IAM policies; https://docs.aws.amazon.com/eks/latest/
userguide/access-policies.html), each the least one the role's job needs:

- the deploy role (the identity that runs `pulumi up`, e.g. the CI role behind AWS_ROLE_ARN) gets the least
  policy the add-ons it applies need. Without GPU groups that is the NVIDIA device plugin Helm release alone
  (addons.py): with the values set there (no config map, GPU feature discovery and node feature discovery off)
  chart 0.17.1 renders one DaemonSet and no CRD, ClusterRole, ClusterRoleBinding or other cluster-scoped object
  (templates/role.yml, role-binding.yml and service-account.yml render only with a config map or GFD+NFD; the
  NFD subchart, the only source of CRDs, is disabled), and Helm keeps its release record as a Secret in the
  release's namespace: AmazonEKSAdminPolicy (the Kubernetes `admin` role) in ADDON_NAMESPACES covers both.
  With GPU groups the deploy role also applies Karpenter (karpenter.py), and that needs cluster-scoped objects:
  the karpenter-crd chart's CustomResourceDefinitions, the controller chart's ClusterRoles and
  ClusterRoleBindings, and the NodePools and EC2NodeClasses themselves (cluster-scoped kinds). Namespace admin
  cannot create any of them, so the deploy role then gets AmazonEKSClusterAdminPolicy, cluster-wide (EKS has no
  narrower managed policy that creates CRDs).
- the admin role (the operators, break-glass) gets AmazonEKSClusterAdminPolicy, cluster-wide.

A role left out (None) gets no entry. Without a deploy role, the identity that runs `pulumi up` cannot reach the
Kubernetes API of a new cluster, and the first `pulumi up` stops at the device plugin release (Unauthorized):
the stack program warns (stacks/program.py, NO_DEPLOY_ROLE), in `pulumi preview` and on `aidc plan`'s stderr.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.addons import ADDON_NAMESPACE
from components.aws_gpu_cluster.scope import Scope

# The namespaces the component's add-ons are installed in (addons.py): the deploy role's whole reach.
ADDON_NAMESPACES = (ADDON_NAMESPACE,)
DEPLOY_POLICY = "AmazonEKSAdminPolicy"  # namespace admin: add-ons with namespaced objects only
ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"  # cluster-admin: the operators, and a deploy role applying CRDs


def access_policy_arn(partition: str, policy: str) -> str:
    """The ARN of an EKS access policy, e.g. 'AmazonEKSViewPolicy', in `partition` ('aws', 'aws-cn')."""
    return f"arn:{partition}:eks::aws:cluster-access-policy/{policy}"


def _grant(
    scope: Scope,
    role: str,
    cluster: aws.eks.Cluster,
    principal_arn: str,
    policy: str,
    access_scope: aws.eks.AccessPolicyAssociationAccessScopeArgs,
    partition: pulumi.Output[str],
) -> aws.eks.AccessPolicyAssociation:
    entry = aws.eks.AccessEntry(
        f"{scope.name}-access-{role}",
        cluster_name=cluster.name,
        principal_arn=principal_arn,
        type="STANDARD",
        tags=scope.tags,
        opts=scope.opts(),
    )
    return aws.eks.AccessPolicyAssociation(
        f"{scope.name}-access-{role}-policy",
        cluster_name=cluster.name,
        # The entry's own output: the association is made once the entry exists.
        principal_arn=entry.principal_arn,
        policy_arn=partition.apply(lambda p: access_policy_arn(p, policy)),
        access_scope=access_scope,
        opts=scope.opts(),
    )


def grant_access(
    scope: Scope,
    cluster: aws.eks.Cluster,
    partition: pulumi.Output[str],
    deploy_role_arn: str | None,
    admin_role_arn: str | None,
    *,
    cluster_scoped_addons: bool,
) -> Sequence[pulumi.Resource]:
    """The access entries and policy associations; returns what must exist before the deploy role applies the
    add-ons (empty without a deploy role). `cluster_scoped_addons`: the add-ons include cluster-scoped objects
    (Karpenter's CRDs, ClusterRoles, NodePools), so the deploy role needs cluster-admin."""
    deploy: list[pulumi.Resource] = []
    cluster_wide = aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster")
    if deploy_role_arn is not None:
        policy, access_scope = (
            (ADMIN_POLICY, cluster_wide)
            if cluster_scoped_addons
            else (
                DEPLOY_POLICY,
                aws.eks.AccessPolicyAssociationAccessScopeArgs(
                    type="namespace", namespaces=list(ADDON_NAMESPACES)
                ),
            )
        )
        deploy.append(_grant(scope, "deploy", cluster, deploy_role_arn, policy, access_scope, partition))
    if admin_role_arn is not None:
        _grant(scope, "admin", cluster, admin_role_arn, ADMIN_POLICY, cluster_wide, partition)
    return deploy
