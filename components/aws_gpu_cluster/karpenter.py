"""Karpenter on AwsGpuCluster: the GPU capacity that follows demand, and the reservations deadline runs use.

Declared only when the cluster has GPU groups (shapes per Karpenter 1.14, vendored under
tests/components/upstream/karpenter/ with their repository, tag and path):
- an SQS interruption queue (SSE, TLS only, 5-minute retention) fed by EventBridge rules for spot interruption
  warnings, rebalance recommendations, instance state changes, AWS Health scheduled changes and Capacity
  Reservation interruption warnings (the rules of Karpenter's getting-started CloudFormation);
- the controller's IAM role, assumed through EKS Pod Identity (the managed pod-identity agent add-on of addons.py
  and an association for kube-system/karpenter), with the controller policy of that CloudFormation scoped to this cluster, region,
  node role and queue, plus the use of the cluster's KMS key by EC2 for the nodes' encrypted volumes;
- a node role of its own (the AWS-managed node policies only: pods reach the bucket through Pod Identity) with an EKS
  access entry of type EC2_LINUX; it is not the system node group's role, whose entry EKS manages;
- the CRD chart and the controller chart from oci://public.ecr.aws/karpenter at one pinned version, on the
  system nodes, after them (the API endpoint is private: this applies from inside the VPC);
- per GPU group one EC2NodeClass (AL2023 alias pinned to one EKS AMI release, IMDSv2 with hop limit 1,
  encrypted gp3 root with the cluster key, subnets and security groups by the discovery tag, EFA interfaces and
  the group's cluster placement group for EFA types, the group's capacity reservation when it has one) and one
  NodePool (the instance type, spot, on-demand or reserved as planned, the GPU taint and labels, limits of max
  instances in GPUs and vCPUs, consolidation: inference when empty or underutilised, training only when empty);
- for a group with a reservation: a targeted On-Demand Capacity Reservation ending on the deadline, or Capacity
  Blocks for ML bought from the offering that covers the term (protected: a block cannot be cancelled).
Names come from the group's slug, never from counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from aidc.contract import (
    CAPACITY_LABEL,
    CLUSTER_LABEL,
    GPU_RESOURCE,
    KIND_LABEL,
    NODE_GROUP_LABEL,
    NODE_GROUP_TAG,
    TRAINING,
)
from components.aws_gpu_cluster.args import AwsGpuClusterArgs, CapacityReservationSpec, GpuNodeGroup
from components.aws_gpu_cluster.eks import DISCOVERY_TAG, cluster_physical_name
from components.aws_gpu_cluster.node_groups import gpu_labels
from components.aws_gpu_cluster.pod_identity import trust_for
from components.aws_gpu_cluster.roles import NODE_POLICIES
from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement, managed_policy_arn

KARPENTER_REGISTRY = "oci://public.ecr.aws/karpenter"
KARPENTER_CHART = f"{KARPENTER_REGISTRY}/karpenter"
KARPENTER_CRD_CHART = f"{KARPENTER_REGISTRY}/karpenter-crd"
KARPENTER_NAMESPACE = "kube-system"
KARPENTER_SERVICE_ACCOUNT = "karpenter"
KARPENTER_FULLNAME = "karpenter"  # the controller chart's objects (fullnameOverride)
NODEPOOL_API = "karpenter.sh/v1"
NODECLASS_API = "karpenter.k8s.aws/v1"
# Kubernetes spells the GPU taint's effect this way (the EKS API spells it NO_SCHEDULE).
GPU_TAINT_K8S = {"key": GPU_RESOURCE, "value": "present", "effect": "NoSchedule"}
CAPACITY_TYPE = "karpenter.sh/capacity-type"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
ZONE_LABEL = "topology.kubernetes.io/zone"
INSTANCE_PLATFORM = "Linux/UNIX"
# EventBridge detail types Karpenter handles (getting-started cloudformation.yaml, one rule each).
INTERRUPTION_EVENTS: dict[str, tuple[str, str]] = {
    "scheduled-change": ("aws.health", "AWS Health Event"),
    "spot-interruption": ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
    "rebalance": ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
    "instance-state-change": ("aws.ec2", "EC2 Instance State-change Notification"),
    "capacity-reservation-interruption": (
        "aws.ec2",
        "EC2 Capacity Reservation Instance Interruption Warning",
    ),
}


@dataclass(frozen=True)
class Karpenter:
    """What the cluster's outputs and tests read."""

    queue: aws.sqs.Queue
    controller_role: aws.iam.Role
    node_role: aws.iam.Role
    node_pools: dict[str, k8s.apiextensions.CustomResource]
    node_classes: dict[str, k8s.apiextensions.CustomResource]
    pool_names: dict[str, pulumi.Output[str]]
    """The NodePool's Kubernetes name by GPU group slug."""


# --- IAM documents -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ControllerScope:
    """What the controller's permissions are scoped to: this partition, region, account, cluster, node role, queue
    and key."""

    partition: str
    region: str
    account_id: str
    cluster_name: str
    node_role_arn: str
    queue_arn: str
    key_arn: str

    @property
    def ec2(self) -> str:
        return f"arn:{self.partition}:ec2:{self.region}"

    @property
    def cluster_tag(self) -> str:
        return f"kubernetes.io/cluster/{self.cluster_name}"

    @property
    def profile(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:instance-profile/*"

    @property
    def cluster_arn(self) -> str:
        return f"arn:{self.partition}:eks:{self.region}:{self.account_id}:cluster/{self.cluster_name}"

    @property
    def launched(self) -> tuple[str, ...]:
        kinds = (
            "fleet",
            "instance",
            "volume",
            "network-interface",
            "launch-template",
            "spot-instances-request",
        )
        return tuple(f"{self.ec2}:*:{kind}/*" for kind in kinds)


def controller_policy(
    *,
    partition: str,
    region: str,
    account_id: str,
    cluster_name: str,
    node_role_arn: str,
    queue_arn: str,
    key_arn: str,
) -> PolicyDocument:
    """The controller's permissions: Karpenter's getting-started policies scoped to this cluster, region, node
    role and queue, and EC2's use of the cluster key for the nodes' encrypted root volumes."""
    scope = ControllerScope(partition, region, account_id, cluster_name, node_role_arn, queue_arn, key_arn)
    return PolicyDocument(
        (
            *_launch_statements(scope),
            *_profile_statements(scope),
            *_discovery_statements(scope),
            *_key_statements(scope),
        )
    )


def _launch_statements(scope: ControllerScope) -> tuple[PolicyStatement, ...]:
    """Launching, tagging and deleting the cluster's instances and launch templates (scoped by tags)."""
    return (
        PolicyStatement(
            sid="AllowScopedEC2InstanceAccessActions",
            effect="Allow",
            resource=(
                f"{scope.ec2}::image/*",
                f"{scope.ec2}::snapshot/*",
                f"{scope.ec2}:*:security-group/*",
                f"{scope.ec2}:*:subnet/*",
                f"{scope.ec2}:*:capacity-reservation/*",
                f"{scope.ec2}:*:placement-group/*",
            ),
            action=("ec2:RunInstances", "ec2:CreateFleet"),
        ),
        PolicyStatement(
            sid="AllowScopedEC2LaunchTemplateAccessActions",
            effect="Allow",
            resource=f"{scope.ec2}:*:launch-template/*",
            action=("ec2:RunInstances", "ec2:CreateFleet"),
            condition={
                "StringEquals": {f"aws:ResourceTag/{scope.cluster_tag}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        ),
        PolicyStatement(
            sid="AllowScopedEC2InstanceActionsWithTags",
            effect="Allow",
            resource=scope.launched,
            action=("ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"),
            condition={
                "StringEquals": {
                    f"aws:RequestTag/{scope.cluster_tag}": "owned",
                    "aws:RequestTag/eks:eks-cluster-name": scope.cluster_name,
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        ),
        PolicyStatement(
            sid="AllowScopedResourceCreationTagging",
            effect="Allow",
            resource=scope.launched,
            action="ec2:CreateTags",
            condition={
                "StringEquals": {
                    f"aws:RequestTag/{scope.cluster_tag}": "owned",
                    "aws:RequestTag/eks:eks-cluster-name": scope.cluster_name,
                    "ec2:CreateAction": ("RunInstances", "CreateFleet", "CreateLaunchTemplate"),
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        ),
        PolicyStatement(
            sid="AllowScopedResourceTagging",
            effect="Allow",
            resource=f"{scope.ec2}:*:instance/*",
            action="ec2:CreateTags",
            condition={
                "StringEquals": {f"aws:ResourceTag/{scope.cluster_tag}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": scope.cluster_name},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ("eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name")
                },
            },
        ),
        PolicyStatement(
            sid="AllowScopedDeletion",
            effect="Allow",
            resource=(f"{scope.ec2}:*:instance/*", f"{scope.ec2}:*:launch-template/*"),
            action=("ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"),
            condition={
                "StringEquals": {f"aws:ResourceTag/{scope.cluster_tag}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        ),
    )


def _profile_statements(scope: ControllerScope) -> tuple[PolicyStatement, ...]:
    """Passing the node role and managing the instance profiles of this cluster's node classes."""
    return (
        PolicyStatement(
            sid="AllowPassingInstanceRole",
            effect="Allow",
            resource=scope.node_role_arn,
            action="iam:PassRole",
            condition={
                "StringEquals": {"iam:PassedToService": ("ec2.amazonaws.com", "ec2.amazonaws.com.cn")}
            },
        ),
        PolicyStatement(
            sid="AllowScopedInstanceProfileCreationActions",
            effect="Allow",
            resource=scope.profile,
            action="iam:CreateInstanceProfile",
            condition={
                "StringEquals": {
                    f"aws:RequestTag/{scope.cluster_tag}": "owned",
                    "aws:RequestTag/eks:eks-cluster-name": scope.cluster_name,
                    "aws:RequestTag/topology.kubernetes.io/region": scope.region,
                },
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
        PolicyStatement(
            sid="AllowScopedInstanceProfileTagActions",
            effect="Allow",
            resource=scope.profile,
            action="iam:TagInstanceProfile",
            condition={
                "StringEquals": {
                    f"aws:ResourceTag/{scope.cluster_tag}": "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": scope.region,
                    f"aws:RequestTag/{scope.cluster_tag}": "owned",
                    "aws:RequestTag/eks:eks-cluster-name": scope.cluster_name,
                    "aws:RequestTag/topology.kubernetes.io/region": scope.region,
                },
                "StringLike": {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        ),
        PolicyStatement(
            sid="AllowScopedInstanceProfileActions",
            effect="Allow",
            resource=scope.profile,
            action=(
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ),
            condition={
                "StringEquals": {
                    f"aws:ResourceTag/{scope.cluster_tag}": "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": scope.region,
                },
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
    )


def _discovery_statements(scope: ControllerScope) -> tuple[PolicyStatement, ...]:
    """The endpoint, the interruption queue and the read-only calls Karpenter's scheduling needs."""
    return (
        PolicyStatement(
            sid="AllowAPIServerEndpointDiscovery",
            effect="Allow",
            resource=scope.cluster_arn,
            action="eks:DescribeCluster",
        ),
        PolicyStatement(
            sid="AllowInterruptionQueueActions",
            effect="Allow",
            resource=scope.queue_arn,
            action=("sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"),
        ),
        PolicyStatement(
            sid="AllowZonalShiftStatusReadOnly",
            effect="Allow",
            resource="*",
            action="arc-zonal-shift:GetManagedResource",
            condition={"StringEquals": {"arc-zonal-shift:ResourceIdentifier": scope.cluster_arn}},
        ),
        PolicyStatement(
            sid="AllowRegionalReadActions",
            effect="Allow",
            resource="*",
            action=(
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ),
            condition={"StringEquals": {"aws:RequestedRegion": scope.region}},
        ),
        PolicyStatement(
            sid="AllowSSMReadActions",
            effect="Allow",
            resource=f"arn:{scope.partition}:ssm:{scope.region}::parameter/aws/service/*",
            action="ssm:GetParameter",
        ),
        PolicyStatement(
            sid="AllowPricingReadActions", effect="Allow", resource="*", action="pricing:GetProducts"
        ),
        PolicyStatement(
            sid="AllowUnscopedInstanceProfileListAction",
            effect="Allow",
            resource="*",
            action="iam:ListInstanceProfiles",
        ),
        PolicyStatement(
            sid="AllowInstanceProfileReadActions",
            effect="Allow",
            resource=scope.profile,
            action="iam:GetInstanceProfile",
        ),
    )


def _key_statements(scope: ControllerScope) -> tuple[PolicyStatement, ...]:
    """EC2's use of the cluster key for the nodes' encrypted root volumes, through EC2 in this region only; a grant
    (how EC2 keeps using the key for an attached volume) only for an AWS resource, never for a principal."""
    through_ec2 = {
        "kms:ViaService": f"ec2.{scope.region}.amazonaws.com",
        "kms:CallerAccount": scope.account_id,
    }
    return (
        PolicyStatement(
            sid="AllowEbsEncryptionWithClusterKey",
            effect="Allow",
            resource=scope.key_arn,
            action=(
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
            ),
            condition={"StringEquals": through_ec2},
        ),
        PolicyStatement(
            sid="AllowEbsGrantsForAwsResources",
            effect="Allow",
            resource=scope.key_arn,
            action="kms:CreateGrant",
            condition={"StringEquals": through_ec2, "Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
    )


def interruption_queue_policy(queue_arn: str, account_id: str, rule_arns: Sequence[str]) -> PolicyDocument:
    """EventBridge may send to the queue only for this account's interruption rules (aws:SourceAccount and
    aws:SourceArn: the confused-deputy conditions the EventBridge and SQS docs give for a queue target); nothing
    may use it without TLS. Karpenter's CloudFormation also names sqs.amazonaws.com, which sends nothing here."""
    return PolicyDocument(
        (
            PolicyStatement(
                sid="EC2InterruptionPolicy",
                effect="Allow",
                principal={"Service": "events.amazonaws.com"},
                action="sqs:SendMessage",
                resource=queue_arn,
                condition={
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnEquals": {"aws:SourceArn": tuple(rule_arns)},
                },
            ),
            PolicyStatement(
                sid="DenyHTTP",
                effect="Deny",
                principal="*",
                action="sqs:*",
                resource=queue_arn,
                condition={"Bool": {"aws:SecureTransport": "false"}},
            ),
        )
    )


def event_pattern(source: str, detail_type: str) -> str:
    return json.dumps({"source": [source], "detail-type": [detail_type]})


# --- Kubernetes objects (plain dicts: the tests check them against the vendored CRDs) --------------------------
def capacity_types(group: GpuNodeGroup) -> list[str]:
    """The NodePool's karpenter.sh/capacity-type values: reserved only, when the group has a reservation."""
    if group.reservation is not None:
        return ["reserved"]
    return ["spot"] if group.spot else ["on-demand"]


def node_pool_spec(group: GpuNodeGroup, zones: Sequence[pulumi.Input[str]] | None) -> dict[str, Any]:
    """The NodePool of one group: its instance type, capacity type, GPU taint and labels, limits and disruption."""
    training = group.labels.get(KIND_LABEL) == TRAINING
    requirements: list[dict[str, Any]] = [
        {"key": INSTANCE_TYPE_LABEL, "operator": "In", "values": [group.instance_type]},
        {"key": CAPACITY_TYPE, "operator": "In", "values": capacity_types(group)},
    ]
    if zones:
        requirements.append({"key": ZONE_LABEL, "operator": "In", "values": list(zones)})
    limits: dict[str, Any] = {GPU_RESOURCE: str(group.max_size * group.gpus_per_instance)}
    if group.vcpus_per_instance:
        limits["cpu"] = str(group.max_size * group.vcpus_per_instance)
    labels = gpu_labels(group)
    if group.reservation is not None:
        labels[CAPACITY_LABEL] = "reserved"
    return {
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": group.name},
                "requirements": requirements,
                "taints": [dict(GPU_TAINT_K8S)],
                # A training run holds its nodes until it ends; serving nodes are recycled monthly.
                "expireAfter": "Never" if training else "720h",
            },
        },
        "disruption": (
            {
                "consolidationPolicy": "WhenEmpty",
                "consolidateAfter": "30m",
                "budgets": [{"nodes": "0", "reasons": ["Drifted"]}, {"nodes": "10%"}],
            }
            if training
            else {
                "consolidationPolicy": "WhenEmptyOrUnderutilized",
                "consolidateAfter": "5m",
                "budgets": [{"nodes": "10%"}],
            }
        ),
        "limits": limits,
    }


def efa_interfaces(count: int) -> list[dict[str, Any]]:
    """The primary ENA interface on card 0, then one EFA-only device per network card."""
    interfaces = [{"networkCardIndex": 0, "deviceIndex": 0, "interfaceType": "interface"}]
    interfaces += [
        {"networkCardIndex": card, "deviceIndex": 1 if card == 0 else 0, "interfaceType": "efa-only"}
        for card in range(count)
    ]
    return interfaces


def node_class_spec(
    group: GpuNodeGroup,
    *,
    cluster_name: pulumi.Input[str],
    role_name: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    volume_gb: int,
    ami_alias: str,
    tags: dict[str, str],
    efa_sg_id: pulumi.Input[str] | None = None,
    placement_group: pulumi.Input[str] | None = None,
    reservation_ids: Sequence[pulumi.Input[str]] = (),
) -> dict[str, Any]:
    """The EC2NodeClass of one group: AMI, IAM role, discovery, IMDSv2, encrypted root volume, EFA, reservation."""
    security_groups: list[dict[str, Any]] = [{"tags": {DISCOVERY_TAG: cluster_name}}]
    if efa_sg_id is not None:
        security_groups.append({"id": efa_sg_id})
    spec: dict[str, Any] = {
        "role": role_name,
        "amiSelectorTerms": [{"alias": ami_alias}],
        "subnetSelectorTerms": [{"tags": {DISCOVERY_TAG: cluster_name}}],
        "securityGroupSelectorTerms": security_groups,
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            # Hop limit 1 keeps pods (one hop further) from reading the node role's credentials.
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {
                    "volumeSize": f"{volume_gb}Gi",
                    "volumeType": "gp3",
                    "encrypted": True,
                    "kmsKeyID": key_arn,
                    "deleteOnTermination": True,
                },
            }
        ],
        # Karpenter adds six tags of its own to every instance (Name, karpenter.sh/nodeclaim, karpenter.sh/nodepool,
        # karpenter.k8s.aws/ec2nodeclass, kubernetes.io/cluster/<cluster>, eks:eks-cluster-name): with the user's
        # tags at their limit, only the component's own two fit beside them (aidc/config/limits.py).
        "tags": dict(tags),
    }
    if group.efa:
        spec["networkInterfaces"] = efa_interfaces(group.efa_interfaces)
    if placement_group is not None:
        spec["placementGroupSelector"] = {"name": placement_group}
    if reservation_ids:
        spec["capacityReservationSelectorTerms"] = [{"id": rid} for rid in reservation_ids]
    return spec


# --- declarations ---------------------------------------------------------------------------------------------
def _interruption_queue(scope: Scope, account_id: pulumi.Output[str]) -> aws.sqs.Queue:
    name, tags = scope.name, scope.tags
    queue = aws.sqs.Queue(
        f"{name}-karpenter-queue",
        message_retention_seconds=300,
        sqs_managed_sse_enabled=True,
        tags=tags,
        opts=scope.opts(),
    )
    rules: list[aws.cloudwatch.EventRule] = []
    for role, (source, detail_type) in INTERRUPTION_EVENTS.items():
        rule = aws.cloudwatch.EventRule(
            f"{name}-karpenter-{role}",
            description=f"aidc {name}: {detail_type} to Karpenter's interruption queue",
            event_pattern=event_pattern(source, detail_type),
            tags=tags,
            opts=scope.opts(),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-karpenter-{role}-target",
            rule=rule.name,
            arn=queue.arn,
            target_id="KarpenterInterruptionQueueTarget",
            opts=scope.opts(),
        )
        rules.append(rule)
    aws.sqs.QueuePolicy(
        f"{name}-karpenter-queue-policy",
        queue_url=queue.id,
        policy=pulumi.Output.all(queue.arn, account_id, *[rule.arn for rule in rules]).apply(
            lambda v: interruption_queue_policy(v[0], v[1], v[2:]).to_json()
        ),
        opts=scope.opts(),
    )
    return queue


def _managed_arn(partition: pulumi.Output[str], policy: str) -> pulumi.Output[str]:
    return partition.apply(lambda p: managed_policy_arn(p, policy))


def _name_once_declared(resource: pulumi.Resource, name: str) -> pulumi.Output[str]:
    """`name`, resolved once `resource` is registered (so a reader depends on it)."""
    return resource.urn.apply(lambda _: name)


def _node_role(
    scope: Scope, cluster: aws.eks.Cluster, partition: pulumi.Output[str]
) -> tuple[aws.iam.Role, aws.eks.AccessEntry]:
    """The GPU nodes' role: the AWS-managed node policies only (pods reach the bucket through Pod Identity)."""
    name = scope.name
    role = aws.iam.Role(
        f"{name}-karpenter-node-role",
        assume_role_policy=PolicyDocument(
            (
                PolicyStatement(
                    effect="Allow", principal={"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole"
                ),
            )
        ).to_json(),
        tags=scope.tags,
        opts=scope.opts(),
    )
    for policy in NODE_POLICIES:
        aws.iam.RolePolicyAttachment(
            f"{name}-karpenter-node-{policy}",
            role=role.name,
            policy_arn=_managed_arn(partition, policy),
            opts=scope.opts(),
        )
    # EKS makes the access entries of managed node groups' roles itself; Karpenter's nodes need one declared.
    entry = aws.eks.AccessEntry(
        f"{name}-karpenter-node-access",
        cluster_name=cluster.name,
        principal_arn=role.arn,
        type="EC2_LINUX",
        tags=scope.tags,
        opts=scope.opts(),
    )
    return role, entry


def _controller_role(
    scope: Scope,
    cluster: aws.eks.Cluster,
    node_role: aws.iam.Role,
    queue: aws.sqs.Queue,
    key: aws.kms.Key,
    agent: aws.eks.Addon,
    identity: pulumi.Output[str],
    region: pulumi.Output[str],
    partition: pulumi.Output[str],
) -> tuple[aws.iam.Role, aws.eks.PodIdentityAssociation]:
    name = scope.name
    role = aws.iam.Role(
        f"{name}-karpenter-controller-role",
        assume_role_policy=trust_for(identity, cluster, KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT),
        tags=scope.tags,
        opts=scope.opts(),
    )
    aws.iam.RolePolicy(
        f"{name}-karpenter-controller-policy",
        role=role.id,
        policy=pulumi.Output.all(
            partition, region, identity, cluster.name, node_role.arn, queue.arn, key.arn
        ).apply(
            lambda v: controller_policy(
                partition=v[0],
                region=v[1],
                account_id=v[2],
                cluster_name=v[3],
                node_role_arn=v[4],
                queue_arn=v[5],
                key_arn=v[6],
            ).to_json()
        ),
        opts=scope.opts(),
    )
    association = aws.eks.PodIdentityAssociation(
        f"{name}-karpenter-pod-identity",
        cluster_name=cluster.name,
        namespace=KARPENTER_NAMESPACE,
        service_account=KARPENTER_SERVICE_ACCOUNT,
        role_arn=role.arn,
        tags=scope.tags,
        opts=scope.opts(depends_on=[agent]),
    )
    return role, association


def controller_values(cluster_name: pulumi.Input[str], queue_name: pulumi.Input[str]) -> dict[str, Any]:
    """The controller chart's values: this cluster and queue. The chart's own affinity keeps the controller off
    the nodes it manages (karpenter.sh/nodepool DoesNotExist), which leaves the system node group. The chart names
    its objects after the release, which Pulumi names at random: `fullnameOverride` fixes the names of its
    ClusterRoles and bindings, which the deploy role may manage by name only (deploy_access.py)."""
    return {
        "fullnameOverride": KARPENTER_FULLNAME,
        "settings": {"clusterName": cluster_name, "interruptionQueue": queue_name},
        "serviceAccount": {"create": True, "name": KARPENTER_SERVICE_ACCOUNT},
        "priorityClassName": "system-cluster-critical",
        "replicas": 2,
    }


def _reservations(
    scope: Scope, args: AwsGpuClusterArgs, group: GpuNodeGroup, spec: CapacityReservationSpec
) -> tuple[list[pulumi.Output[str]], list[pulumi.Output[str]]]:
    """The group's reservation(s): their ids and availability zones."""
    # The plan's facts ride on the NodePool (annotations); AWS resources keep within the 50-tag limit.
    name, tags = scope.name, {**scope.tags, NODE_GROUP_TAG: group.name}
    end = f"{spec.end_date}T00:00:00Z"
    if spec.kind == "capacity-reservation":
        # Targeted: only launches that name it (Karpenter's, through the EC2NodeClass) use it. It exists from
        # `pulumi up` (P instances take no future-dated reservations) until the run's deadline.
        zone = args.azs[0]
        reservation = aws.ec2.CapacityReservation(
            f"{name}-cr-{group.name}",
            instance_type=group.instance_type,
            instance_platform=INSTANCE_PLATFORM,
            availability_zone=zone,
            instance_count=spec.instances,
            instance_match_criteria="targeted",
            end_date_type="limited",
            end_date=end,
            tags=tags,
            opts=scope.opts(),
        )
        return [reservation.id], [pulumi.Output.from_input(zone)]
    ids: list[pulumi.Output[str]] = []
    zones: list[pulumi.Output[str]] = []
    for index, count in enumerate(spec.blocks):
        offering = aws.ec2.get_capacity_block_offering_output(
            capacity_duration_hours=spec.days * 24,
            instance_count=count,
            instance_type=group.instance_type,
            start_date_range=f"{spec.start_date}T00:00:00Z",
            end_date_range=end,
            opts=scope.invoke(),
        )
        suffix = "" if index == 0 else f"-{index}"
        block = aws.ec2.CapacityBlockReservation(
            f"{name}-cb-{group.name}{suffix}",
            capacity_block_offering_id=offering.capacity_block_offering_id,
            instance_platform=INSTANCE_PLATFORM,
            tags=tags,
            # A block is paid up front and cannot be cancelled: never replace one because a later preview's
            # offering search answers another id, and never let a destroy pretend to release it.
            opts=pulumi.ResourceOptions(
                parent=scope.component, protect=True, ignore_changes=["capacityBlockOfferingId"]
            ),
        )
        ids.append(block.id)
        zones.append(offering.availability_zone)
    return ids, zones


@dataclass(frozen=True)
class _GroupContext:
    """What every GPU group's node class and pool are declared against."""

    cluster: aws.eks.Cluster
    provider: k8s.Provider
    node_role: aws.iam.Role
    key: aws.kms.Key
    efa_sg: aws.ec2.SecurityGroup | None
    crds: pulumi.Resource
    controller: pulumi.Resource
    sg_tag: pulumi.Resource
    access_entry: pulumi.Resource


def _declare_group(
    scope: Scope, args: AwsGpuClusterArgs, group: GpuNodeGroup, shared: _GroupContext
) -> tuple[k8s.apiextensions.CustomResource, k8s.apiextensions.CustomResource]:
    """One GPU group: its placement group (EFA), reservation, EC2NodeClass and NodePool."""
    name = scope.name
    placement_name: pulumi.Output[str] | None = None
    zones: list[pulumi.Input[str]] = []
    if group.efa:
        # A cluster placement group lives in one AZ: the group's nodes are pinned to the first one.
        placement = aws.ec2.PlacementGroup(
            f"{name}-pg-{group.name}", strategy="cluster", tags=scope.tags, opts=scope.opts()
        )
        placement_name = placement.name
        zones = [args.azs[0]]
    reservation_ids: list[pulumi.Output[str]] = []
    if group.reservation is not None:
        reservation_ids, reservation_zones = _reservations(scope, args, group, group.reservation)
        zones = list(reservation_zones)
    node_class = k8s.apiextensions.CustomResource(
        f"{name}-nc-{group.name}",
        api_version=NODECLASS_API,
        kind="EC2NodeClass",
        metadata={"name": group.name, "labels": {NODE_GROUP_LABEL: group.name}},
        spec=node_class_spec(
            group,
            cluster_name=shared.cluster.name,
            role_name=shared.node_role.name,
            key_arn=shared.key.arn,
            volume_gb=args.node_volume_gb,
            ami_alias=args.gpu_ami_alias,
            tags=dict(scope.tags),
            efa_sg_id=shared.efa_sg.id if (group.efa and shared.efa_sg is not None) else None,
            placement_group=placement_name,
            reservation_ids=reservation_ids,
        ),
        opts=scope.opts(
            provider=shared.provider, depends_on=[shared.crds, shared.sg_tag, shared.access_entry]
        ),
    )
    pool = k8s.apiextensions.CustomResource(
        f"{name}-np-{group.name}",
        api_version=NODEPOOL_API,
        kind="NodePool",
        metadata={
            "name": group.name,
            # The cluster the pool's nodes join: the policy pack's schedulability check groups by it.
            "labels": {NODE_GROUP_LABEL: group.name, CLUSTER_LABEL: cluster_physical_name(name)},
            "annotations": dict(group.annotations),
        },
        spec=node_pool_spec(group, zones),
        opts=scope.opts(provider=shared.provider, depends_on=[shared.crds, shared.controller, node_class]),
    )
    return node_class, pool


def install_karpenter(
    scope: Scope,
    args: AwsGpuClusterArgs,
    *,
    cluster: aws.eks.Cluster,
    provider: k8s.Provider,
    system_group: aws.eks.NodeGroup,
    pod_identity_agent: aws.eks.Addon,
    key: aws.kms.Key,
    efa_sg: aws.ec2.SecurityGroup | None,
    identity: pulumi.Output[str],
    region: pulumi.Output[str],
    partition: pulumi.Output[str],
) -> Karpenter:
    """Queue and rules, IAM, the two charts, then one EC2NodeClass and NodePool per GPU group."""
    name = scope.name
    queue = _interruption_queue(scope, identity)
    node_role, access_entry = _node_role(scope, cluster, partition)
    controller_role, association = _controller_role(
        scope, cluster, node_role, queue, key, pod_identity_agent, identity, region, partition
    )
    cluster_sg_id = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id)
    sg_tag = aws.ec2.Tag(
        f"{name}-cluster-sg-discovery",
        resource_id=cluster_sg_id,
        key=DISCOVERY_TAG,
        value=cluster.name,
        opts=scope.opts(),
    )
    # Private endpoint: the charts and objects apply from inside the VPC, once the system nodes run them.
    crds = k8s.helm.v3.Release(
        f"{name}-karpenter-crd",
        chart=KARPENTER_CRD_CHART,
        version=args.karpenter_version,
        namespace=KARPENTER_NAMESPACE,
        opts=scope.opts(provider=provider, depends_on=[system_group]),
    )
    controller = k8s.helm.v3.Release(
        f"{name}-karpenter",
        chart=KARPENTER_CHART,
        version=args.karpenter_version,
        namespace=KARPENTER_NAMESPACE,
        skip_crds=True,
        values=controller_values(cluster.name, queue.name),
        opts=scope.opts(provider=provider, depends_on=[crds, system_group, association, access_entry]),
    )
    shared = _GroupContext(cluster, provider, node_role, key, efa_sg, crds, controller, sg_tag, access_entry)
    classes: dict[str, k8s.apiextensions.CustomResource] = {}
    pools: dict[str, k8s.apiextensions.CustomResource] = {}
    for group in args.gpu_node_groups:
        classes[group.name], pools[group.name] = _declare_group(scope, args, group, shared)
    names = {group: _name_once_declared(pool, group) for group, pool in pools.items()}
    return Karpenter(queue, controller_role, node_role, pools, classes, names)
