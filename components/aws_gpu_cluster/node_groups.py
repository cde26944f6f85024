"""Managed node groups of AwsGpuCluster: the system group (CoreDNS, the device plugin, Karpenter), and the EFA
security group the GPU node pools share.

The system group launches from its own launch template (IMDSv2 required with hop limit 1, root volume gp3
encrypted with the component's key). GPU capacity is not a managed node group: Karpenter launches it
(karpenter.py), and these are the GPU taint and labels its NodePools give their nodes. EFA pools use a security
group that admits only its members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from aidc.contract import (
    ACCELERATOR_LABEL,
    CAPACITY_LABEL,
    GPU_RESOURCE,
    GPUS_PER_INSTANCE_LABEL,
    NODE_GROUP_LABEL,
    NODE_GROUP_TAG,
)
from aidc.contract import EFA_INTERFACES_LABEL as EFA_INTERFACES_LABEL
from aidc.contract import EFA_LABEL as EFA_LABEL
from components.aws_gpu_cluster.args import SYSTEM_GROUP, AwsGpuClusterArgs, GpuNodeGroup
from components.aws_gpu_cluster.scope import Scope

# Taint that keeps non-GPU pods off GPU nodes; the device plugin and GPU workloads tolerate it.
GPU_TAINT = {"key": GPU_RESOURCE, "value": "present", "effect": "NoSchedule"}
# Label the NVIDIA device plugin chart's default node affinity selects on.
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
# Labels of EFA groups: the EFA device plugin selects on EFA_LABEL; EFA_INTERFACES_LABEL says how many devices a
# node has (what the plugin advertises as vpc.amazonaws.com/efa), for the policy pack's schedulability check.
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"


@dataclass(frozen=True)
class NodeGroups:
    """The declared groups."""

    system: aws.eks.NodeGroup
    """The system group (CoreDNS, device plugin, Karpenter)."""
    names: dict[str, pulumi.Output[str]]
    """EKS node group name by group name (only 'system': GPU capacity is Karpenter's)."""
    efa_sg: aws.ec2.SecurityGroup | None
    """The security group EFA node pools share; None when no GPU group uses EFA."""


def _system_launch_template(
    scope: Scope, args: AwsGpuClusterArgs, key: aws.kms.Key
) -> aws.ec2.LaunchTemplate:
    """The system group's launch template: IMDSv2 with hop limit 1, encrypted gp3 root volume."""
    name, tags = scope.name, scope.tags
    # Keyword dict: mypy cannot match nested dict literals to the SDK's TypedDicts; the SDK still rejects unknown
    # keywords at construction.
    template_args: dict[str, Any] = dict(
        description=f"aidc {name} node group {SYSTEM_GROUP}",
        update_default_version=True,
        metadata_options={
            "http_endpoint": "enabled",
            "http_tokens": "required",
            # Hop limit 1 keeps pods (one hop further) from reading the node role's credentials.
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        },
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "volume_size": args.node_volume_gb,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "kms_key_id": key.arn,
                    "delete_on_termination": "true",
                },
            }
        ],
        network_interfaces=None,
        placement=None,
        tag_specifications=[{"resource_type": "instance", "tags": {**tags, NODE_GROUP_TAG: SYSTEM_GROUP}}],
        tags=tags,
    )
    return aws.ec2.LaunchTemplate(f"{name}-lt-{SYSTEM_GROUP}", **template_args, opts=scope.opts())


def gpu_labels(group: GpuNodeGroup) -> dict[str, str]:
    """The Kubernetes labels of a GPU group's nodes: the device plugins' selectors, the plan's facts, the caller's."""
    efa = {EFA_LABEL: "true", EFA_INTERFACES_LABEL: str(group.efa_interfaces)} if group.efa else {}
    return {
        GPU_PRESENT_LABEL: "true",
        NODE_GROUP_LABEL: group.name,
        ACCELERATOR_LABEL: group.accelerator,
        GPUS_PER_INSTANCE_LABEL: str(group.gpus_per_instance),
        CAPACITY_LABEL: "spot" if group.spot else "on-demand",
        **efa,
        **dict(group.labels),
    }


def create_node_groups(
    scope: Scope,
    args: AwsGpuClusterArgs,
    cluster: aws.eks.Cluster,
    node_role: aws.iam.Role,
    node_attachments: Sequence[aws.iam.RolePolicyAttachment],
    key: aws.kms.Key,
    vpc: aws.ec2.Vpc,
    private_subnets: Sequence[aws.ec2.Subnet],
) -> NodeGroups:
    """The EFA security group (if any GPU group uses EFA), then the system group."""
    name, tags = scope.name, scope.tags
    # EFA traffic must be allowed to and from every member of one security group.
    efa_sg: aws.ec2.SecurityGroup | None = None
    if any(g.efa for g in args.gpu_node_groups):
        efa_sg = aws.ec2.SecurityGroup(
            f"{name}-efa-sg",
            description="aidc: EFA traffic between members only",
            vpc_id=vpc.id,
            ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "EFA"}],
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "EFA"}],
            tags=tags,
            opts=scope.opts(),
        )
    system_lt = _system_launch_template(scope, args, key)
    system_group = aws.eks.NodeGroup(
        f"{name}-ng-{SYSTEM_GROUP}",
        cluster_name=cluster.name,
        node_role_arn=node_role.arn,
        subnet_ids=[s.id for s in private_subnets],
        instance_types=[args.system_instance_type],
        ami_type=SYSTEM_AMI_TYPE,
        capacity_type="ON_DEMAND",
        scaling_config={
            "desired_size": args.system_nodes,
            "min_size": args.system_nodes,
            "max_size": 2 * args.system_nodes,
        },
        update_config={"max_unavailable": 1},
        launch_template={"id": system_lt.id, "version": system_lt.latest_version.apply(str)},
        labels={NODE_GROUP_LABEL: SYSTEM_GROUP},
        tags=tags,
        opts=scope.opts(depends_on=node_attachments),
    )
    return NodeGroups(system_group, {SYSTEM_GROUP: system_group.node_group_name}, efa_sg)
