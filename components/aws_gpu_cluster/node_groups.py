"""Managed node groups of AwsGpuCluster: the system group and one group per planned GPU node group.

Every group launches from its own launch template (IMDSv2 required with hop limit 1, root volume gp3 encrypted
with the component's key). EFA groups get EFA interfaces (one per network card), a security group that admits
only its members, and a cluster placement group, which pins them to the first private subnet's AZ. GPU groups
carry the GPU taint and labels; groups are named from the caller's slug, so a new desired size updates a group
in place and never renames one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.args import SYSTEM_GROUP, AwsGpuClusterArgs, GpuNodeGroup
from components.aws_gpu_cluster.scope import Scope

# Taint that keeps non-GPU pods off GPU nodes; the device plugin and GPU workloads tolerate it.
GPU_TAINT: aws.eks.NodeGroupTaintArgsDict = {
    "key": "nvidia.com/gpu",
    "value": "present",
    "effect": "NO_SCHEDULE",
}
# Label the NVIDIA device plugin chart's default node affinity selects on.
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA"
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"


@dataclass(frozen=True)
class NodeGroups:
    """The declared groups."""

    system: aws.eks.NodeGroup
    """The system group (CoreDNS, device plugin, controllers)."""
    gpu: list[aws.eks.NodeGroup]
    """The GPU groups, in the order of the Args."""
    names: dict[str, pulumi.Output[str]]
    """EKS node group name by group name ('system' and each GPU group's slug)."""


@dataclass(frozen=True)
class _LaunchTemplates:
    """Declares the launch template of each group from what all of them share."""

    scope: Scope
    args: AwsGpuClusterArgs
    key: aws.kms.Key
    cluster_sg_id: pulumi.Output[str | None]
    efa_sg: aws.ec2.SecurityGroup | None

    def declare(
        self, role: str, group: GpuNodeGroup | None, placement_group: pulumi.Output[str] | None = None
    ) -> aws.ec2.LaunchTemplate:
        """The launch template of the group `role` (`group` None for the system group)."""
        name, tags = self.scope.name, self.scope.tags
        network_interfaces = None
        if group is not None and group.efa and self.efa_sg is not None:
            security_groups = [self.cluster_sg_id, self.efa_sg.id]
            network_interfaces = [
                {
                    "device_index": 0 if card == 0 else 1,
                    "network_card_index": card,
                    "interface_type": "efa",
                    "delete_on_termination": "true",
                    "security_groups": security_groups,
                }
                for card in range(group.efa_interfaces)
            ]
        # Keyword dict: mypy cannot match nested dict literals to the SDK's TypedDicts; the SDK still
        # rejects unknown keywords at construction.
        template_args: dict[str, Any] = dict(
            description=f"aidc {name} node group {role}",
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
                        "volume_size": self.args.node_volume_gb,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "kms_key_id": self.key.arn,
                        "delete_on_termination": "true",
                    },
                }
            ],
            network_interfaces=network_interfaces,
            placement={"group_name": placement_group} if placement_group is not None else None,
            tag_specifications=[{"resource_type": "instance", "tags": {**tags, "aidc:node-group": role}}],
            tags=tags,
        )
        return aws.ec2.LaunchTemplate(f"{name}-lt-{role}", **template_args, opts=self.scope.opts())


def gpu_labels(group: GpuNodeGroup) -> dict[str, str]:
    """The Kubernetes labels of a GPU group's nodes: the device plugin's selector, the plan's facts, the caller's."""
    return {
        GPU_PRESENT_LABEL: "true",
        "aidc.io/node-group": group.name,
        "aidc.io/accelerator": group.accelerator,
        "aidc.io/gpus-per-instance": str(group.gpus_per_instance),
        "aidc.io/capacity": "spot" if group.spot else "on-demand",
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
    """The EFA security group (if any group uses EFA), then the system group, then one group per GPU group."""
    name, tags = scope.name, scope.tags
    cluster_sg_id = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id)
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
    templates = _LaunchTemplates(scope, args, key, cluster_sg_id, efa_sg)
    subnet_ids = [s.id for s in private_subnets]

    system_lt = templates.declare(SYSTEM_GROUP, None)
    system_group = aws.eks.NodeGroup(
        f"{name}-ng-{SYSTEM_GROUP}",
        cluster_name=cluster.name,
        node_role_arn=node_role.arn,
        subnet_ids=subnet_ids,
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
        labels={"aidc.io/node-group": SYSTEM_GROUP},
        tags=tags,
        opts=scope.opts(depends_on=node_attachments),
    )
    names: dict[str, pulumi.Output[str]] = {SYSTEM_GROUP: system_group.node_group_name}
    gpu_groups: list[aws.eks.NodeGroup] = []
    for group in args.gpu_node_groups:
        group_subnet_ids = subnet_ids
        placement_group: aws.ec2.PlacementGroup | None = None
        if group.efa:
            # A cluster placement group lives in one AZ, so an EFA group is pinned to the first private subnet.
            placement_group = aws.ec2.PlacementGroup(
                f"{name}-pg-{group.name}", strategy="cluster", tags=tags, opts=scope.opts()
            )
            group_subnet_ids = [private_subnets[0].id]
        # Managed node groups take the placement group from the launch template's placement block.
        lt = templates.declare(
            group.name, group, placement_group.name if placement_group is not None else None
        )
        node_group = aws.eks.NodeGroup(
            f"{name}-ng-{group.name}",
            cluster_name=cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=group_subnet_ids,
            instance_types=[group.instance_type],
            ami_type=GPU_AMI_TYPE,
            capacity_type="SPOT" if group.spot else "ON_DEMAND",
            scaling_config={
                "desired_size": group.desired,
                "min_size": group.min_size,
                "max_size": group.max_size,
            },
            update_config={"max_unavailable": 1},
            launch_template={"id": lt.id, "version": lt.latest_version.apply(str)},
            labels=gpu_labels(group),
            taints=[GPU_TAINT],
            tags={**tags, **group.tags, "aidc:accelerator": group.accelerator},
            opts=scope.opts(depends_on=node_attachments),
        )
        gpu_groups.append(node_group)
        names[group.name] = node_group.node_group_name
    return NodeGroups(system_group, gpu_groups, names)
