"""The VPC of AwsGpuCluster: one private and one public subnet per AZ, one NAT gateway per AZ, the default
security group emptied, and VPC flow logs to a KMS-encrypted log group through a role that may write only there.

Children per AZ are named from the zone name, which is stable, not from its position.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.eks import DISCOVERY_TAG, cluster_physical_name
from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement


@dataclass(frozen=True)
class Network:
    """What the rest of the cluster builds on."""

    vpc: aws.ec2.Vpc
    """The VPC."""
    private_subnets: list[aws.ec2.Subnet]
    """One private subnet per AZ, in the order of the Args' azs."""
    public_subnets: list[aws.ec2.Subnet]
    """One public subnet per AZ (NAT gateways, load balancers), in the order of the Args' azs."""
    private_route_tables: list[aws.ec2.RouteTable]
    """One route table per private subnet."""
    nat_routes: list[aws.ec2.Route]
    """The private subnets' default routes: egress exists once these do."""


def subnet_cidrs(vpc_cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Private subnets first, then public ones, all of one size: 2·zones equal blocks of the VPC."""
    network = ipaddress.ip_network(vpc_cidr)
    extra_bits = math.ceil(math.log2(2 * zones))
    blocks = [str(b) for b in network.subnets(prefixlen_diff=extra_bits)]
    return blocks[:zones], blocks[zones : 2 * zones]


def flow_log_policy(log_group_arn: str) -> PolicyDocument:
    """The flow-log role may write to its one log group and nothing else."""
    return PolicyDocument(
        (
            PolicyStatement(
                effect="Allow",
                action=("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
                resource=(log_group_arn, f"{log_group_arn}:*"),
            ),
        )
    )


def flow_log_trust_policy(account_id: str, region: str, partition: str) -> PolicyDocument:
    """VPC Flow Logs may assume the role only for this account's flow logs (the confused-deputy conditions of the
    VPC user guide's flow-log role: aws:SourceAccount and aws:SourceArn arn:...:vpc-flow-log/*)."""
    return PolicyDocument(
        (
            PolicyStatement(
                effect="Allow",
                principal={"Service": "vpc-flow-logs.amazonaws.com"},
                action="sts:AssumeRole",
                condition={
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
                },
            ),
        )
    )


@dataclass(frozen=True)
class Account:
    """Where the network is: the account, region and partition (for the flow-log role's source conditions)."""

    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]


def create_network(
    scope: Scope,
    vpc_cidr: str,
    azs: Sequence[str],
    log_retention_days: int,
    key: aws.kms.Key,
    account: Account,
) -> Network:
    """VPC, internet gateway, per-AZ subnets, NAT gateways and route tables, and the VPC flow log."""
    name, tags = scope.name, scope.tags
    vpc = aws.ec2.Vpc(
        f"{name}-vpc",
        cidr_block=vpc_cidr,
        enable_dns_hostnames=True,
        enable_dns_support=True,
        tags={**tags, "Name": f"{name}-vpc"},
        opts=scope.opts(),
    )
    # The default security group allows all traffic between its members; nothing should use it.
    aws.ec2.DefaultSecurityGroup(
        f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[], tags=tags, opts=scope.opts()
    )
    igw = aws.ec2.InternetGateway(
        f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-igw"}, opts=scope.opts()
    )
    public_rt = aws.ec2.RouteTable(
        f"{name}-public-rt", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-public"}, opts=scope.opts()
    )
    aws.ec2.Route(
        f"{name}-public-default",
        route_table_id=public_rt.id,
        destination_cidr_block="0.0.0.0/0",
        gateway_id=igw.id,
        opts=scope.opts(),
    )
    network = Network(vpc, [], [], [], [])
    private_cidrs, public_cidrs = subnet_cidrs(vpc_cidr, len(azs))
    for az, private_cidr, public_cidr in zip(azs, private_cidrs, public_cidrs, strict=True):
        _declare_zone(scope, network, igw, public_rt, az, (private_cidr, public_cidr))
    _create_flow_log(scope, vpc, log_retention_days, key, account)
    return network


def _declare_zone(
    scope: Scope,
    network: Network,
    igw: aws.ec2.InternetGateway,
    public_rt: aws.ec2.RouteTable,
    az: str,
    cidrs: tuple[str, str],
) -> None:
    """One zone: its public subnet and NAT gateway, its private subnet, route table and default route (appended to
    `network`'s lists, in the zones' order)."""
    name, tags, vpc = scope.name, scope.tags, network.vpc
    public = aws.ec2.Subnet(
        f"{name}-public-{az}",
        vpc_id=vpc.id,
        cidr_block=cidrs[1],
        availability_zone=az,
        map_public_ip_on_launch=False,
        tags={**tags, "Name": f"{name}-public-{az}", "kubernetes.io/role/elb": "1"},
        opts=scope.opts(),
    )
    aws.ec2.RouteTableAssociation(
        f"{name}-public-{az}-rta", subnet_id=public.id, route_table_id=public_rt.id, opts=scope.opts()
    )
    eip = aws.ec2.Eip(
        f"{name}-nat-{az}-eip", domain="vpc", tags={**tags, "Name": f"{name}-nat-{az}"}, opts=scope.opts()
    )
    nat = aws.ec2.NatGateway(
        f"{name}-nat-{az}",
        allocation_id=eip.id,
        subnet_id=public.id,
        connectivity_type="public",
        tags={**tags, "Name": f"{name}-nat-{az}"},
        opts=scope.opts(depends_on=[igw]),
    )
    private = aws.ec2.Subnet(
        f"{name}-private-{az}",
        vpc_id=vpc.id,
        cidr_block=cidrs[0],
        availability_zone=az,
        map_public_ip_on_launch=False,
        # Karpenter's EC2NodeClasses find the node subnets by this tag (subnetSelectorTerms).
        tags={
            **tags,
            "Name": f"{name}-private-{az}",
            "kubernetes.io/role/internal-elb": "1",
            DISCOVERY_TAG: cluster_physical_name(name),
        },
        opts=scope.opts(),
    )
    private_rt = aws.ec2.RouteTable(
        f"{name}-private-{az}-rt",
        vpc_id=vpc.id,
        tags={**tags, "Name": f"{name}-private-{az}"},
        opts=scope.opts(),
    )
    network.nat_routes.append(
        aws.ec2.Route(
            f"{name}-private-{az}-default",
            route_table_id=private_rt.id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=nat.id,
            opts=scope.opts(),
        )
    )
    aws.ec2.RouteTableAssociation(
        f"{name}-private-{az}-rta", subnet_id=private.id, route_table_id=private_rt.id, opts=scope.opts()
    )
    network.public_subnets.append(public)
    network.private_subnets.append(private)
    network.private_route_tables.append(private_rt)


def _create_flow_log(
    scope: Scope, vpc: aws.ec2.Vpc, log_retention_days: int, key: aws.kms.Key, account: Account
) -> None:
    """Every flow of the VPC, aggregated per minute, to a KMS-encrypted log group."""
    name, tags = scope.name, scope.tags
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-flow-logs",
        name=f"/aidc/{name}/vpc-flow-logs",
        retention_in_days=log_retention_days,
        kms_key_id=key.arn,
        tags=tags,
        opts=scope.opts(),
    )
    role = aws.iam.Role(
        f"{name}-flow-logs-role",
        assume_role_policy=pulumi.Output.all(account.account_id, account.region, account.partition).apply(
            lambda v: flow_log_trust_policy(v[0], v[1], v[2]).to_json()
        ),
        tags=tags,
        opts=scope.opts(),
    )
    aws.iam.RolePolicy(
        f"{name}-flow-logs-policy",
        role=role.id,
        policy=log_group.arn.apply(lambda arn: flow_log_policy(arn).to_json()),
        opts=scope.opts(),
    )
    aws.ec2.FlowLog(
        f"{name}-flow-log",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags=tags,
        opts=scope.opts(),
    )
