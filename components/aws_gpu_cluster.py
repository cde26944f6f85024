"""AwsGpuCluster: the public-cloud GPU capacity — VPC, EKS, GPU node groups, dataset bucket (pulumi_aws).

Declares a VPC over >= 2 AZs (private + public subnets, one NAT gateway per AZ, flow logs to a KMS-encrypted
log group, the default security group emptied), one customer-managed KMS key with rotation (EKS secrets,
EBS volumes, S3 objects, log groups), an EKS cluster (private endpoint by default, every control-plane log
type, secrets envelope-encrypted), a system node group and one managed GPU node group per planned instance
type (launch templates with IMDSv2 required and encrypted EBS; EFA interfaces plus one cluster placement group
for EFA groups), the NVIDIA device plugin as a pinned Helm chart through a kubernetes Provider built from the
cluster's kubeconfig, and an S3 bucket for datasets and checkpoints (SSE-KMS, versioning, public access
blocked, TLS only). IAM roles carry only the AWS-managed policies EKS requires (listed below) plus an inline
policy scoped to the one bucket and key.

The aws.eks resources are used directly (not the pulumi-eks remote component) so every child is visible to
tests and to the policy pack. Node groups are named from the caller's slug, never from counts: changing a
desired size updates a node group in place and never renames or adds a resource. Knows nothing of demand.

Reaching the private endpoint: with endpoint_public_access False (the default) the Helm release can only be
applied from inside the VPC or over the VPN interconnect (e.g. a CI runner in the private cloud).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components._names import check_ipv4_cidr, check_slug

# Taint that keeps non-GPU pods off GPU nodes; the device plugin and GPU workloads tolerate it.
GPU_TAINT: aws.eks.NodeGroupTaintArgsDict = {
    "key": "nvidia.com/gpu",
    "value": "present",
    "effect": "NO_SCHEDULE",
}
# Label the NVIDIA device plugin chart's default node affinity selects on.
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
EKS_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# The minimal AWS-managed policies EKS documents for the cluster role and for managed node groups.
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")
# Pinned: a chart upgrade is a reviewed change, never a side effect of a re-run.
NVIDIA_DEVICE_PLUGIN_CHART = "nvidia-device-plugin"
NVIDIA_DEVICE_PLUGIN_VERSION = "0.17.1"
NVIDIA_DEVICE_PLUGIN_REPO = "https://nvidia.github.io/k8s-device-plugin"
GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA"
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"
_EKS_VERSION = re.compile(r"^1\.(2[89]|3\d)$")
_AZ = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$")


@dataclass(frozen=True)
class GpuNodeGroup:
    """One planned managed GPU node group (one instance type) of the EKS cluster."""

    name: str
    """Stable slug chosen by the caller; part of child names, so never derive it from a count."""
    instance_type: str
    """EC2 instance type, e.g. 'p5.48xlarge'."""
    desired: int
    """Desired number of instances (the plan's count)."""
    min_size: int
    """Minimum number of instances the group may scale down to."""
    max_size: int
    """Maximum number of instances the group may scale up to (>= 1)."""
    spot: bool = False
    """True runs the group on Spot capacity (capacity_type SPOT), False on On-Demand."""
    efa: bool = False
    """True attaches EFA interfaces and a cluster placement group (only for EFA-capable instance types)."""
    efa_interfaces: int = 1
    """EFA devices per instance, one per network card (p5.48xlarge: 32, p4d.24xlarge: 4); used when efa."""
    gpus_per_instance: int = 8
    """GPUs per instance, recorded as a node label."""
    accelerator: str = "h100-80gb"
    """Catalog accelerator key, recorded as a node label."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra Kubernetes node labels."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra AWS tags for the node group (e.g. the planned count and data classification the policies check)."""


@dataclass(frozen=True)
class AwsGpuClusterArgs:
    """Inputs of AwsGpuCluster: the public slice of the capacity plan plus site facts."""

    azs: Sequence[str]
    """Availability zones to span (at least two, distinct), e.g. ('us-east-1a', 'us-east-1b')."""
    vpc_cidr: str = "10.40.0.0/16"
    """IPv4 CIDR of the VPC, /16 to /22; split evenly into one private and one public subnet per AZ."""
    eks_version: str = "1.31"
    """Kubernetes minor version of the EKS control plane, e.g. '1.31'."""
    system_instance_type: str = "m6i.large"
    """Instance type of the system node group (CoreDNS, device plugin, controllers)."""
    system_nodes: int = 2
    """Number of system nodes (>= 1; the group may grow to twice this)."""
    endpoint_public_access: bool = False
    """Expose the EKS API endpoint publicly; False keeps it private to the VPC (the private endpoint is always on)."""
    public_access_cidrs: Sequence[str] = ()
    """CIDRs allowed to reach a public endpoint; required (and never 0.0.0.0/0) when endpoint_public_access."""
    node_volume_gb: int = 200
    """Root EBS volume size of every node in GB (gp3, encrypted with the component's KMS key)."""
    log_retention_days: int = 365
    """Retention of the control-plane and VPC flow log groups in days."""
    gpu_node_groups: Sequence[GpuNodeGroup] = ()
    """Planned GPU node groups; one launch template and one managed node group each."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags added to every taggable child."""


_LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def _validate(args: AwsGpuClusterArgs) -> None:
    check_ipv4_cidr("vpc_cidr", args.vpc_cidr, min_prefix=16, max_prefix=22)
    if isinstance(args.azs, str) or len(args.azs) < 2:
        raise ValueError(f"azs: must list at least two availability zones, got {args.azs!r}")
    if len(set(args.azs)) != len(args.azs):
        raise ValueError(f"azs: zones must be distinct, got {list(args.azs)!r}")
    for index, az in enumerate(args.azs):
        if not _AZ.match(az):
            raise ValueError(f"azs[{index}]: must be a zone name such as 'us-east-1a', got {az!r}")
    if not _EKS_VERSION.match(args.eks_version):
        raise ValueError(
            f"eks_version: must be a supported minor version '1.28'..'1.39', got {args.eks_version!r}"
        )
    if not args.system_instance_type:
        raise ValueError("system_instance_type: must name an EC2 instance type such as 'm6i.large'")
    if args.system_nodes < 1:
        raise ValueError(f"system_nodes: must be >= 1, got {args.system_nodes}")
    if args.node_volume_gb < 20:
        raise ValueError(f"node_volume_gb: must be >= 20, got {args.node_volume_gb}")
    if args.log_retention_days not in _LOG_RETENTION_DAYS:
        raise ValueError(
            f"log_retention_days: must be one of {', '.join(map(str, _LOG_RETENTION_DAYS))}, "
            f"got {args.log_retention_days}"
        )
    if isinstance(args.public_access_cidrs, str):
        raise ValueError("public_access_cidrs: must be a list of CIDRs, not a single string")
    if args.endpoint_public_access and not args.public_access_cidrs:
        raise ValueError(
            "public_access_cidrs: required when endpoint_public_access is True (name the admin networks)"
        )
    if not args.endpoint_public_access and args.public_access_cidrs:
        raise ValueError("public_access_cidrs: only allowed with endpoint_public_access True")
    for index, cidr in enumerate(args.public_access_cidrs):
        network = check_ipv4_cidr(f"public_access_cidrs[{index}]", cidr)
        if network.prefixlen == 0:
            raise ValueError(f"public_access_cidrs[{index}]: {cidr!r} opens the API to the whole internet")
    seen: set[str] = set()
    for index, group in enumerate(args.gpu_node_groups):
        where = f"gpu_node_groups[{index}]"
        check_slug(f"{where}.name", group.name)
        if group.name in seen or group.name == "system":
            raise ValueError(
                f"{where}.name: {group.name!r} is already used; names must be unique and not 'system'"
            )
        seen.add(group.name)
        if not group.instance_type or "." not in group.instance_type:
            raise ValueError(f"{where}.instance_type: must be an EC2 instance type such as 'p5.48xlarge'")
        if group.max_size < 1:
            raise ValueError(f"{where}.max_size: must be >= 1, got {group.max_size}")
        if not 0 <= group.min_size <= group.desired <= group.max_size:
            raise ValueError(
                f"{where}.desired: must satisfy 0 <= min_size <= desired <= max_size, got "
                f"min_size={group.min_size} desired={group.desired} max_size={group.max_size}"
            )
        if group.gpus_per_instance < 1:
            raise ValueError(f"{where}.gpus_per_instance: must be >= 1, got {group.gpus_per_instance}")
        if group.efa and not 1 <= group.efa_interfaces <= 32:
            raise ValueError(f"{where}.efa_interfaces: must be 1..32, got {group.efa_interfaces}")
        check_slug(f"{where}.accelerator", group.accelerator)


def _subnet_cidrs(vpc_cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Private subnets first, then public ones, all of one size: 2·zones equal blocks of the VPC."""
    network = ipaddress.ip_network(vpc_cidr)
    extra_bits = math.ceil(math.log2(2 * zones))
    blocks = [str(b) for b in network.subnets(prefixlen_diff=extra_bits)]
    return blocks[:zones], blocks[zones : 2 * zones]


def _kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
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


def _managed_policy_arn(partition: pulumi.Output[str], policy: str) -> pulumi.Output[str]:
    return partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{policy}")


def _assume_role_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


class AwsGpuCluster(pulumi.ComponentResource):
    """VPC, EKS cluster with GPU node groups, NVIDIA device plugin and an encrypted dataset bucket in AWS."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[list[str]]
    cluster_name: pulumi.Output[str]
    cluster_endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    node_group_names: pulumi.Output[dict[str, str]]
    # Plain lists (length known at construction) for wiring resources per item, e.g. VpnInterconnect routes.
    private_subnet_id_list: list[pulumi.Output[str]]
    private_route_table_id_list: list[pulumi.Output[str]]

    def __init__(
        self, name: str, args: AwsGpuClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _validate(args)
        super().__init__("aidc:aws:AwsGpuCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        tags = {"aidc:component": name, **dict(args.tags)}

        identity = aws.get_caller_identity_output(opts=invoke)
        region = aws.get_region_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)
        cluster_physical_name = f"{name}-eks"

        # One key for everything this component stores; the policy lets the account's IAM decide (root
        # statement), the Auto Scaling service-linked role use it for EBS (node groups fail to launch
        # otherwise) and CloudWatch Logs encrypt the log groups.
        key_policy = pulumi.Output.all(identity.account_id, region.region, partition.partition).apply(
            lambda v: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministersKeyThroughIam",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:{v[2]}:iam::{v[0]}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "AutoScalingUsesKeyForEbs",
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": f"arn:{v[2]}:iam::{v[0]}:role/aws-service-role/autoscaling.amazonaws.com/"
                                "AWSServiceRoleForAutoScaling"
                            },
                            "Action": [
                                "kms:Encrypt",
                                "kms:Decrypt",
                                "kms:ReEncrypt*",
                                "kms:GenerateDataKey*",
                                "kms:DescribeKey",
                                "kms:CreateGrant",
                            ],
                            "Resource": "*",
                        },
                        {
                            "Sid": "CloudWatchLogsEncryptsLogGroups",
                            "Effect": "Allow",
                            "Principal": {"Service": f"logs.{v[1]}.amazonaws.com"},
                            "Action": [
                                "kms:Encrypt*",
                                "kms:Decrypt*",
                                "kms:ReEncrypt*",
                                "kms:GenerateDataKey*",
                                "kms:Describe*",
                            ],
                            "Resource": "*",
                            "Condition": {
                                "ArnLike": {
                                    "kms:EncryptionContext:aws:logs:arn": f"arn:{v[2]}:logs:{v[1]}:{v[0]}:*"
                                }
                            },
                        },
                    ],
                }
            )
        )
        key = aws.kms.Key(
            f"{name}-kms",
            description=f"aidc {name}: EKS secrets, EBS, S3 datasets, logs",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=key_policy,
            tags=tags,
            opts=child,
        )
        aws.kms.Alias(f"{name}-kms-alias", name=f"alias/aidc-{name}", target_key_id=key.key_id, opts=child)

        # --- network ---------------------------------------------------------------------------------
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{name}-vpc"},
            opts=child,
        )
        # The default security group allows all traffic between its members; nothing should use it.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[], tags=tags, opts=child
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-igw"}, opts=child
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-public"}, opts=child
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        private_cidrs, public_cidrs = _subnet_cidrs(args.vpc_cidr, len(args.azs))
        private_subnets: list[aws.ec2.Subnet] = []
        public_subnets: list[aws.ec2.Subnet] = []
        private_route_tables: list[aws.ec2.RouteTable] = []
        nat_routes: list[aws.ec2.Route] = []
        # Children per AZ are named from the zone name, which is stable, not from its position.
        for az, private_cidr, public_cidr in zip(args.azs, private_cidrs, public_cidrs, strict=True):
            public = aws.ec2.Subnet(
                f"{name}-public-{az}",
                vpc_id=vpc.id,
                cidr_block=public_cidr,
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{name}-public-{az}", "kubernetes.io/role/elb": "1"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{az}-rta", subnet_id=public.id, route_table_id=public_rt.id, opts=child
            )
            eip = aws.ec2.Eip(
                f"{name}-nat-{az}-eip", domain="vpc", tags={**tags, "Name": f"{name}-nat-{az}"}, opts=child
            )
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{az}",
                allocation_id=eip.id,
                subnet_id=public.id,
                connectivity_type="public",
                tags={**tags, "Name": f"{name}-nat-{az}"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{az}",
                vpc_id=vpc.id,
                cidr_block=private_cidr,
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{name}-private-{az}", "kubernetes.io/role/internal-elb": "1"},
                opts=child,
            )
            private_rt = aws.ec2.RouteTable(
                f"{name}-private-{az}-rt",
                vpc_id=vpc.id,
                tags={**tags, "Name": f"{name}-private-{az}"},
                opts=child,
            )
            nat_routes.append(
                aws.ec2.Route(
                    f"{name}-private-{az}-default",
                    route_table_id=private_rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat.id,
                    opts=child,
                )
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{az}-rta", subnet_id=private.id, route_table_id=private_rt.id, opts=child
            )
            public_subnets.append(public)
            private_subnets.append(private)
            private_route_tables.append(private_rt)

        flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/aidc/{name}/vpc-flow-logs",
            retention_in_days=args.log_retention_days,
            kms_key_id=key.arn,
            tags=tags,
            opts=child,
        )
        flow_log_role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=_assume_role_policy("vpc-flow-logs.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=flow_log_role.id,
            policy=flow_log_group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": [arn, f"{arn}:*"],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=flow_log_group.arn,
            iam_role_arn=flow_log_role.arn,
            max_aggregation_interval=60,
            tags=tags,
            opts=child,
        )

        # --- IAM ---------------------------------------------------------------------------------------
        cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            assume_role_policy=_assume_role_policy("eks.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        cluster_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-cluster-{policy}",
                role=cluster_role.name,
                policy_arn=_managed_policy_arn(partition.partition, policy),
                opts=child,
            )
            for policy in CLUSTER_POLICIES
        ]
        node_role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=_assume_role_policy("ec2.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        node_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=node_role.name,
                policy_arn=_managed_policy_arn(partition.partition, policy),
                opts=child,
            )
            for policy in NODE_POLICIES
        ]

        # --- bucket ------------------------------------------------------------------------------------
        bucket = aws.s3.Bucket(f"{name}-data", force_destroy=False, tags=tags, opts=child)
        aws.s3.BucketOwnershipControls(
            f"{name}-data-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-data-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-data-sse",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-data-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-data-tls-only",
            bucket=bucket.id,
            policy=bucket.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "DenyInsecureTransport",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": [arn, f"{arn}/*"],
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ],
                    }
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        # Nodes read datasets and write checkpoints in this one bucket, with this one key; nothing else.
        aws.iam.RolePolicy(
            f"{name}-node-data-access",
            role=node_role.id,
            policy=pulumi.Output.all(bucket.arn, key.arn).apply(
                lambda v: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": v[0]},
                            {
                                "Effect": "Allow",
                                "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                                "Resource": f"{v[0]}/*",
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                                "Resource": v[1],
                            },
                        ],
                    }
                )
            ),
            opts=child,
        )

        # --- EKS ---------------------------------------------------------------------------------------
        # EKS writes control-plane logs here; creating the group first gives it retention and encryption.
        cluster_log_group = aws.cloudwatch.LogGroup(
            f"{name}-eks-logs",
            name=f"/aws/eks/{cluster_physical_name}/cluster",
            retention_in_days=args.log_retention_days,
            kms_key_id=key.arn,
            tags=tags,
            opts=child,
        )
        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=cluster_physical_name,
            version=args.eks_version,
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": [s.id for s in private_subnets],
                "endpoint_private_access": True,
                "endpoint_public_access": args.endpoint_public_access,
                "public_access_cidrs": list(args.public_access_cidrs)
                if args.endpoint_public_access
                else None,
            },
            encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(EKS_LOG_TYPES),
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[cluster_log_group, *cluster_attachments, *nat_routes]
            ),
        )
        cluster_sg_id = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id)

        # EFA traffic must be allowed to and from every member of one security group.
        efa_groups = [g for g in args.gpu_node_groups if g.efa]
        efa_sg: aws.ec2.SecurityGroup | None = None
        if efa_groups:
            efa_sg = aws.ec2.SecurityGroup(
                f"{name}-efa-sg",
                description="aidc: EFA traffic between members only",
                vpc_id=vpc.id,
                ingress=[
                    {"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "EFA"}
                ],
                egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "EFA"}],
                tags=tags,
                opts=child,
            )

        def launch_template(
            role: str, group: GpuNodeGroup | None, placement_group: pulumi.Output[str] | None = None
        ) -> aws.ec2.LaunchTemplate:
            network_interfaces = None
            if group is not None and group.efa and efa_sg is not None:
                security_groups = [cluster_sg_id, efa_sg.id]
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
                            "volume_size": args.node_volume_gb,
                            "volume_type": "gp3",
                            "encrypted": "true",
                            "kms_key_id": key.arn,
                            "delete_on_termination": "true",
                        },
                    }
                ],
                network_interfaces=network_interfaces,
                placement={"group_name": placement_group} if placement_group is not None else None,
                tag_specifications=[{"resource_type": "instance", "tags": {**tags, "aidc:node-group": role}}],
                tags=tags,
            )
            return aws.ec2.LaunchTemplate(f"{name}-lt-{role}", **template_args, opts=child)

        system_lt = launch_template("system", None)
        system_group = aws.eks.NodeGroup(
            f"{name}-ng-system",
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
            labels={"aidc.io/node-group": "system"},
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=node_attachments),
        )
        node_group_names: dict[str, pulumi.Output[str]] = {"system": system_group.node_group_name}
        gpu_node_groups: list[aws.eks.NodeGroup] = []
        for group in args.gpu_node_groups:
            subnet_ids = [s.id for s in private_subnets]
            placement: aws.ec2.PlacementGroup | None = None
            if group.efa:
                # A cluster placement group lives in one AZ, so an EFA group is pinned to the first private subnet.
                placement = aws.ec2.PlacementGroup(
                    f"{name}-pg-{group.name}", strategy="cluster", tags=tags, opts=child
                )
                subnet_ids = [private_subnets[0].id]
            # Managed node groups take the placement group from the launch template's placement block.
            lt = launch_template(group.name, group, placement.name if placement is not None else None)
            labels = {
                GPU_PRESENT_LABEL: "true",
                "aidc.io/node-group": group.name,
                "aidc.io/accelerator": group.accelerator,
                "aidc.io/gpus-per-instance": str(group.gpus_per_instance),
                "aidc.io/capacity": "spot" if group.spot else "on-demand",
                **dict(group.labels),
            }
            node_group = aws.eks.NodeGroup(
                f"{name}-ng-{group.name}",
                cluster_name=cluster.name,
                node_role_arn=node_role.arn,
                subnet_ids=subnet_ids,
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
                labels=labels,
                taints=[GPU_TAINT],
                tags={**tags, **group.tags, "aidc:accelerator": group.accelerator},
                opts=pulumi.ResourceOptions(parent=self, depends_on=node_attachments),
            )
            gpu_node_groups.append(node_group)
            node_group_names[group.name] = node_group.node_group_name

        kubeconfig: pulumi.Output[str] = pulumi.Output.secret(  # type: ignore[arg-type]
            pulumi.Output.all(
                cluster.name, cluster.endpoint, cluster.certificate_authority, region.region
            ).apply(
                lambda v: _kubeconfig(v[0], v[1], v[2]["data"] if isinstance(v[2], dict) else v[2].data, v[3])
            )
        )
        k8s_provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[system_group]),
        )
        k8s.helm.v3.Release(
            f"{name}-nvidia-device-plugin",
            chart=NVIDIA_DEVICE_PLUGIN_CHART,
            version=NVIDIA_DEVICE_PLUGIN_VERSION,
            repository_opts={"repo": NVIDIA_DEVICE_PLUGIN_REPO},
            namespace="kube-system",
            values={
                "nodeSelector": {GPU_PRESENT_LABEL: "true"},
                "tolerations": [{"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}],
                "priorityClassName": "system-node-critical",
            },
            opts=pulumi.ResourceOptions(
                parent=self, provider=k8s_provider, depends_on=gpu_node_groups or [system_group]
            ),
        )

        self.vpc_id = vpc.id
        self.private_subnet_id_list = [s.id for s in private_subnets]
        self.private_route_table_id_list = [rt.id for rt in private_route_tables]
        self.private_subnet_ids = pulumi.Output.all(*self.private_subnet_id_list).apply(list)
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public_subnets]).apply(list)
        self.private_route_table_ids = pulumi.Output.all(*self.private_route_table_id_list).apply(list)
        self.cluster_name = cluster.name
        self.cluster_endpoint = cluster.endpoint
        self.kubeconfig = kubeconfig
        self.bucket_name = bucket.bucket
        self.kms_key_arn = key.arn
        self.node_group_names = pulumi.Output.all(**node_group_names)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
                "private_route_table_ids": self.private_route_table_ids,
                "cluster_name": self.cluster_name,
                "cluster_endpoint": self.cluster_endpoint,
                "kubeconfig": self.kubeconfig,
                "bucket_name": self.bucket_name,
                "kms_key_arn": self.kms_key_arn,
                "node_group_names": self.node_group_names,
            }
        )
