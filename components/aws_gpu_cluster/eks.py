"""The EKS control plane of AwsGpuCluster: private endpoint by default, every control-plane log type to a
KMS-encrypted log group created first (so it has retention and encryption), Kubernetes secrets envelope-encrypted,
API authentication through access entries only and no bootstrap cluster-admin for the creator (access.py).
The private endpoint answers on the cluster security group, which admits only the cluster itself: each of
`api_access_cidrs` (the network `pulumi up` runs in, reaching the VPC over the VPN) gets 443 on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components._names import cidr_slug
from components.aws_gpu_cluster.args import AwsGpuClusterArgs
from components.aws_gpu_cluster.scope import Scope

EKS_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# The tag Karpenter discovers node subnets and security groups by; its value is the cluster's name.
DISCOVERY_TAG = "karpenter.sh/discovery"


def cluster_physical_name(name: str) -> str:
    """The EKS cluster's name in AWS; its log group's name is derived from it."""
    return f"{name}-eks"


def create_cluster(
    scope: Scope,
    args: AwsGpuClusterArgs,
    key: aws.kms.Key,
    role: aws.iam.Role,
    subnets: Sequence[aws.ec2.Subnet],
    depends_on: Sequence[pulumi.Resource],
) -> aws.eks.Cluster:
    """The log group, then the cluster in the private `subnets`, once `depends_on` (role policies, egress) exist."""
    name = scope.name
    physical_name = cluster_physical_name(name)
    # EKS writes control-plane logs here; creating the group first gives it retention and encryption.
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-eks-logs",
        name=f"/aws/eks/{physical_name}/cluster",
        retention_in_days=args.log_retention_days,
        kms_key_id=key.arn,
        tags=scope.tags,
        opts=scope.opts(),
    )
    return aws.eks.Cluster(
        f"{name}-eks",
        name=physical_name,
        version=args.eks_version,
        role_arn=role.arn,
        vpc_config={
            "subnet_ids": [s.id for s in subnets],
            "endpoint_private_access": True,
            "endpoint_public_access": args.endpoint_public_access,
            "public_access_cidrs": list(args.public_access_cidrs) if args.endpoint_public_access else None,
        },
        encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
        enabled_cluster_log_types=list(EKS_LOG_TYPES),
        # No standing cluster-admin for whoever creates the cluster: access.py names who may do what.
        access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
        tags=scope.tags,
        opts=pulumi.ResourceOptions.merge(
            scope.opts(depends_on=[log_group, *depends_on]),
            # The flag only acts when the cluster is created, and the provider replaces the cluster when it
            # changes: a cluster created before it was turned off keeps its value (and is not replaced); its
            # bootstrap access entry is removed by hand once (README, "Audit and access").
            pulumi.ResourceOptions(ignore_changes=["accessConfig.bootstrapClusterCreatorAdminPermissions"]),
        ),
    )


def allow_api_access(
    scope: Scope, cluster: aws.eks.Cluster, cidrs: Sequence[str]
) -> list[aws.vpc.SecurityGroupIngressRule]:
    """443 on the cluster security group from each CIDR (named from the CIDR, never from an index)."""
    cluster_sg_id = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id)
    return [
        aws.vpc.SecurityGroupIngressRule(
            f"{scope.name}-eks-api-{cidr_slug(cidr)}",
            security_group_id=cluster_sg_id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=cidr,
            description="aidc: EKS private API endpoint for pulumi up",
            tags=scope.tags,
            opts=scope.opts(),
        )
        for cidr in sorted(set(cidrs))
    ]
