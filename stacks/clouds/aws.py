"""AWS in the stack program: the plan's AWS slice as component Args, and the components that declare it.

`prepare` builds (and so validates) every AWS Args before the program declares its first resource: the EKS GPU
cluster with its VPC, datasets bucket and trail (`cluster_args`, one GPU group per public group placed in AWS), its
GPU add-ons (`gpu_args`: DCGM metrics and the Kueue landing zones of the workloads placed there; the device plugins
are the cluster component's), the Site-to-Site VPN to the private cloud (`vpn_args`) and Direct Connect when the
plan sized it (`direct_connect_args`). `declare` creates them in that order and returns the stack's AWS exports.
stacks/program.py calls both only when the plan uses AWS (`plan.clouds`), so a private-and-edge stack never
imports pulumi_aws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws

from aidc.clouds.aws.settings import settings_of
from aidc.config.model import StackConfig
from aidc.contract import (
    ENCRYPTION_TAG,
    KIND_LABEL,
    LOCATION_LABEL,
    LOCATION_TAG,
    NODE_GROUP_LABEL,
    PORT_GBPS_TAG,
    PROVISIONED_GBPS_TAG,
    REQUIRED_GBPS_TAG,
    STACK_TAG,
    SYSTEM_NODE_GROUP,
    WORKLOAD_LABEL,
)
from aidc.sizing.plan import CapacityPlan, PublicGroup
from aidc.versions import EKS_ADDON_VERSIONS, chart_version
from components.aws_gpu_cluster import (
    AwsGpuCluster,
    AwsGpuClusterArgs,
    CapacityReservationSpec,
    GpuNodeGroup,
    WorkloadIdentity,
)
from components.aws_gpu_cluster.deploy_access import DeployAccess, KubeObject
from components.aws_gpu_cluster.eks import cluster_physical_name
from components.aws_gpu_cluster.node_groups import GPU_PRESENT_LABEL
from components.direct_connect import (
    DirectConnectInterconnect,
    DirectConnectInterconnectArgs,
    DirectConnectLinkSpec,
    IpsecOverDirectConnect,
)
from components.gpu_metrics import DCGM_EXPORTER_CHART, PROMETHEUS_CHART
from components.vpn_interconnect import VpnInterconnect, VpnInterconnectArgs
from components.workload_queues import ISOLATED_CLASSIFICATIONS, KUEUE_CHART, WorkloadQueue, network_policies
from stacks.clouds import CloudContext, PrivateSide
from stacks.gpu import (
    ClusterGpuArgs,
    declare_gpu_addons,
    landing_zones,
    metrics_args,
    planned_annotations,
    planned_tags,
    pod_gpus,
    queue_flavor,
)
from stacks.wiring import Wire, Wires

CLOUD = "aws"
NAME = "aws"  # the AwsGpuCluster component's name; its EKS cluster is cluster_physical_name(NAME)
# Without a deploy role the EKS cluster is declared with no access entry for whoever applies it (there is no
# bootstrap grant any more): a new cluster then refuses the add-ons. Warned, not refused, so `aidc size` and
# `aidc plan` work without AWS details and a cluster created before keeps its bootstrap entry until removed.
# With a deploy role but no admin role, a new cluster has nobody who can apply the deploy role's RBAC (the access
# stage: components/aws_gpu_cluster/deploy_access.py); a cluster created before keeps working.
NO_ADMIN_ROLE = (
    "aidc:aws.access.admin_role_arn is not set: on a new EKS cluster nobody can apply the deploy role's RBAC (the "
    "access stage, `python -m aidc.deploy_stages --stack {stack} --stage access`), so the deploy role cannot apply "
    "the add-ons. Set it to the operators' IAM role: pulumi config set --path 'aidc:aws.access.admin_role_arn' "
    "arn:aws:iam::ACCOUNT:role/NAME --stack {stack}"
)
NO_DEPLOY_ROLE = (
    "aidc:aws.access.deploy_role_arn is not set: the EKS cluster gets no access entry for the identity that "
    "runs `pulumi up`, so on a new cluster the device plugin release fails with Unauthorized. Set it to that "
    "IAM role: pulumi config set --path 'aidc:aws.access.deploy_role_arn' arn:aws:iam::ACCOUNT:role/NAME "
    "--stack {stack}"
)


def reservation_spec(group: PublicGroup) -> CapacityReservationSpec | None:
    reservation = group.reservation
    if reservation is None:
        return None
    return CapacityReservationSpec(
        kind=reservation.kind,
        instances=reservation.instances.int,
        start_date=reservation.start_date,
        end_date=reservation.end_date,
        days=reservation.days.int,
        blocks=reservation.blocks if reservation.kind == "capacity-block" else (),
    )


def gpu_node_group(group: PublicGroup, plan: CapacityPlan) -> GpuNodeGroup:
    """One public group of the plan as the cluster's GPU group: its range, reservation and planned tags."""
    tags = planned_tags(group, plan)
    scaling = group.range
    return GpuNodeGroup(
        name=group.name,
        instance_type=group.instance_type,
        desired=scaling.desired.int,
        min_size=scaling.min.int,
        max_size=scaling.max.int,
        spot=group.spot,
        efa=group.efa,
        efa_interfaces=max(1, group.efa_interfaces),
        gpus_per_instance=group.gpus_per_instance,
        vcpus_per_instance=group.vcpus_per_instance,
        accelerator=group.accelerator,
        labels={
            WORKLOAD_LABEL: group.workload,
            KIND_LABEL: group.kind,
            LOCATION_LABEL: group.location,
        },
        tags=tags,
        annotations=planned_annotations(tags),
        reservation=reservation_spec(group),
    )


def addon_access(gpu: ClusterGpuArgs | None) -> DeployAccess:
    """What the program applies on the EKS cluster with the deploy role besides the cluster component's own add-ons:
    the GPU metrics and queue charts, and each workload's namespace, service account and queues."""
    if gpu is None:
        return DeployAccess(charts={})
    metrics = gpu.metrics
    charts = {PROMETHEUS_CHART: metrics.prometheus_chart_version}
    if metrics.dcgm_exporter:
        charts[DCGM_EXPORTER_CHART] = metrics.dcgm_exporter_chart_version
    objects: list[KubeObject] = []
    queues = gpu.queues
    if queues is not None:
        charts[KUEUE_CHART] = queues.kueue_version
        objects += [KubeObject(kind="ResourceFlavor", name=flavor.name) for flavor in queues.flavors]
        for workload in queues.workloads:
            kinds = ["Namespace", "ServiceAccount", "ClusterQueue", "LocalQueue"]
            objects += [KubeObject(kind=kind, name=workload.name) for kind in kinds]
            if workload.classification in ISOLATED_CLASSIFICATIONS:
                objects += [
                    KubeObject(kind="NetworkPolicy", name=policy)
                    for policy in network_policies(workload.name)
                ]
    return DeployAccess(charts=charts, objects=tuple(objects))


def cluster_args(
    cfg: StackConfig, plan: CapacityPlan, deploy_cidrs: list[str], gpu: ClusterGpuArgs | None = None
) -> AwsGpuClusterArgs:
    """The EKS cluster, its VPC, bucket and trail, and a GPU group per public group the plan puts in AWS."""
    aws = settings_of(cfg)
    return AwsGpuClusterArgs(
        vpc_cidr=aws.vpc_cidr,
        azs=tuple(aws.zones),
        eks_version=aws.eks_version,
        system_instance_type=aws.system_instance_type,
        system_nodes=aws.system_nodes,
        endpoint_public_access=aws.endpoint_public_access,
        public_access_cidrs=tuple(aws.public_access_cidrs),
        api_access_cidrs=tuple(deploy_cidrs),
        # Stacks may share an account; a multi-region trail's name is the account's, in every region.
        trail_name=f"aidc-{cfg.stack}-trail",
        deploy_role_arn=aws.access.deploy_role_arn,
        admin_role_arn=aws.access.admin_role_arn,
        tags={STACK_TAG: cfg.stack, **aws.tags},
        # The table's versions for the EKS version, any configured one instead.
        addon_versions={**EKS_ADDON_VERSIONS.get(aws.eks_version, {}), **aws.addon_versions},
        karpenter_version=chart_version("karpenter"),
        nvidia_device_plugin_version=chart_version("nvidia-device-plugin"),
        efa_device_plugin_version=chart_version("efa-device-plugin"),
        workload_identities=tuple(
            WorkloadIdentity(
                name=workload, namespace=workload, service_account=workload, prefix=f"{workload}/"
            )
            for workload in dict.fromkeys(g.workload for g in plan.placement.public if g.location == CLOUD)
        ),
        gpu_node_groups=tuple(gpu_node_group(g, plan) for g in plan.placement.public if g.location == CLOUD),
        addon_access=addon_access(gpu),
    )


def gpu_args(plan: CapacityPlan) -> ClusterGpuArgs | None:
    """The EKS cluster's GPU add-ons (the device plugins are the cluster component's): queues per workload placed
    in AWS, GPU and EFA quota summed over its node groups, and the DCGM exporter with Prometheus."""
    groups = [g for g in plan.placement.public if g.location == CLOUD]
    if not groups:
        return None
    cluster = cluster_physical_name(NAME)
    flavors = {g.accelerator: queue_flavor(g.accelerator, g.location) for g in groups}
    by_workload: dict[str, list[PublicGroup]] = {}
    for g in groups:
        by_workload.setdefault(g.workload, []).append(g)
    workloads = []
    for workload, own in by_workload.items():
        first = own[0]
        workloads.append(
            WorkloadQueue(
                name=workload,
                kind=first.kind,
                classification=first.classification,
                flavor=flavors[first.accelerator].name,
                gpus=sum(g.gpus for g in own),
                pod_gpus=pod_gpus(plan, workload, first.kind, min(g.gpus_per_instance for g in own)),
                efa=sum(g.instances.int * g.efa_interfaces for g in own if g.efa),
            )
        )
    return ClusterGpuArgs(
        operator=None,
        metrics=metrics_args(
            cluster,
            "monitoring",
            dcgm_exporter=True,
            gpu_node_labels={GPU_PRESENT_LABEL: "true"},
            server_node_selector={NODE_GROUP_LABEL: SYSTEM_NODE_GROUP},
            # EKS has no default StorageClass without the EBS CSI driver: the series live in an emptyDir.
            persistent=False,
        ),
        queues=landing_zones(cluster, flavors, workloads, on_system_nodes=True),
    )


@dataclass
class VpnArgs:
    args: VpnInterconnectArgs
    wires: dict[str, Wire]
    route_tables: list[Wire]


def vpn_args(cfg: StackConfig, plan: CapacityPlan, wires: Wires, private: PrivateSide) -> VpnArgs:
    """The Site-to-Site VPN between the Transit Gateway and the private cloud's router, sized by the plan."""
    aws = settings_of(cfg)
    named = {
        key: wires.new(f"{key} for the VPN")
        for key in (
            "vpc_id",
            "vpc_subnet_ids",
            "log_kms_key_arn",
        )
    }
    route_tables = [wires.new(f"route table in {az}") for az in aws.zones]
    vpn = cfg.vpn
    dx = plan.network.direct_connect
    return VpnArgs(
        args=VpnInterconnectArgs(
            vpc_id=named["vpc_id"].output,
            vpc_cidr=aws.vpc_cidr,
            vpc_subnet_ids=named["vpc_subnet_ids"].output,
            vpc_route_table_ids=tuple(wire.output for wire in route_tables),
            private_cidrs=(cfg.openstack.network_cidr,),
            route_prefixes=tuple(plan.network.private_route_prefixes),
            openstack_router_id=private.router_id,
            openstack_subnet_id=private.subnet_id,
            connections=plan.network.vpn_connections.int,
            tunnel_bandwidth=vpn.tunnel_bandwidth,
            ike_version=vpn.ike_version,
            encryption=vpn.encryption,
            integrity=vpn.integrity,
            dh_group=vpn.dh_group,
            amazon_side_asn=vpn.amazon_side_asn,
            customer_gateway_asn=vpn.customer_gateway_asn,
            dpd_timeout_s=vpn.dpd_timeout_s,
            transit_gateway_cidr_blocks=(
                (dx.transit_gateway_cidr,) if dx is not None and dx.transit_gateway_cidr else ()
            ),
            tags=interconnect_tags(plan),
            # The AWS cluster's key: its policy lets CloudWatch Logs use it for the account's log groups.
            log_kms_key_arn=named["log_kms_key_arn"].output,
        ),
        wires=named,
        route_tables=route_tables,
    )


def interconnect_tags(plan: CapacityPlan) -> dict[str, str]:
    """The rate the transfers need and the capacity the plan provides, for the interconnect-capacity rule."""
    network = plan.network
    return {
        REQUIRED_GBPS_TAG: f"{network.required_gbps.value:.3f}",
        PROVISIONED_GBPS_TAG: f"{network.capacity_gbps.value:.3f}",
    }


@dataclass
class DirectConnectArgs:
    args: DirectConnectInterconnectArgs
    transit_gateway: Wire
    tunnel_log_group: Wire


def direct_connect_args(cfg: StackConfig, plan: CapacityPlan, wires: Wires) -> DirectConnectArgs | None:
    """The Direct Connect links the plan sized, or None when the VPN carries the transfers."""
    dx = plan.network.direct_connect
    if dx is None:
        return None
    transit_gateway = wires.new("transit gateway id for Direct Connect")
    # A VPN over the link logs its tunnels where the Site-to-Site VPN's do.
    tunnel_log_group = wires.new("VPN tunnel log group for Direct Connect")
    vpn = cfg.vpn
    ipsec = (
        IpsecOverDirectConnect(
            connections=dx.ipsec_connections.int,
            customer_gateway_ip=str(dx.vpn_peer_ip),
            tunnel_bandwidth=vpn.tunnel_bandwidth,
            ike_version=vpn.ike_version,
            encryption=vpn.encryption,
            integrity=vpn.integrity,
            dh_group=vpn.dh_group,
            dpd_timeout_s=vpn.dpd_timeout_s,
        )
        if dx.ipsec_connections is not None
        else None
    )
    return DirectConnectArgs(
        args=DirectConnectInterconnectArgs(
            transit_gateway_id=transit_gateway.output,
            links=tuple(
                DirectConnectLinkSpec(
                    name=link.name,
                    location=link.location,
                    ports=link.ports,
                    vlan=link.vlan,
                    amazon_address=link.amazon_address,
                    customer_address=link.customer_address,
                    hosted_connection_id=link.hosted_connection_id,
                    public_vlan=link.public_vlan,
                    public_amazon_address=link.public_amazon_address,
                    public_customer_address=link.public_customer_address,
                )
                for link in dx.links
            ),
            public_prefixes=dx.public_prefixes,
            bandwidth=dx.bandwidth,
            customer_asn=dx.asn,
            amazon_side_asn=dx.amazon_side_asn,
            allowed_prefixes=dx.allowed_prefixes,
            on_premises_prefixes=dx.advertised_prefixes,
            hosted=dx.hosted,
            encryption=dx.encryption,
            ipsec=ipsec,
            tunnel_log_group_arn=tunnel_log_group.output if ipsec is not None else None,
            tags={
                STACK_TAG: cfg.stack,
                LOCATION_TAG: CLOUD,
                PORT_GBPS_TAG: f"{dx.port_gbps:g}",
                ENCRYPTION_TAG: dx.encryption,
            },
        ),
        transit_gateway=transit_gateway,
        tunnel_log_group=tunnel_log_group,
    )


@dataclass
class Prepared:
    """Every AWS Args of the stack, validated, with the wires that connect them once the cluster exists."""

    cluster: AwsGpuClusterArgs
    gpu: ClusterGpuArgs | None
    vpn: VpnArgs
    direct_connect: DirectConnectArgs | None
    stack: str
    region: str | None  # set when only aidc:aws.region names the region: the program's own provider takes it

    @property
    def gpu_cluster(self) -> str:
        """The cluster name the GPU queues are reported under (the EKS cluster's)."""
        return cluster_physical_name(NAME)


def prepare(ctx: CloudContext) -> Prepared:
    """AWS's Args for this plan (no resource yet)."""
    gpu = gpu_args(ctx.plan)
    return Prepared(
        cluster=cluster_args(ctx.cfg, ctx.plan, ctx.deploy_cidrs, gpu),
        gpu=gpu,
        vpn=vpn_args(ctx.cfg, ctx.plan, ctx.wires, ctx.private),
        direct_connect=direct_connect_args(ctx.cfg, ctx.plan, ctx.wires),
        stack=ctx.cfg.stack,
        region=None if "aws:region" in ctx.cfg.provider_keys else settings_of(ctx.cfg).region,
    )


def declare(prepared: Prepared) -> dict[str, Any]:
    """The EKS cluster and its GPU add-ons, the VPN and (when sized) Direct Connect; returns AWS's exports."""
    if prepared.cluster.deploy_role_arn is None:
        pulumi.log.warn(NO_DEPLOY_ROLE.format(stack=prepared.stack))
    elif prepared.cluster.admin_role_arn is None:
        pulumi.log.warn(NO_ADMIN_ROLE.format(stack=prepared.stack))
    # A stack file with `aws:region` configures Pulumi's default AWS provider; one that names its region only in
    # aidc:aws gets an explicit provider with it (the default provider would have none).
    opts = (
        pulumi.ResourceOptions(providers={"aws": pulumi_aws.Provider("aws", region=prepared.region)})
        if prepared.region is not None
        else None
    )
    aws = AwsGpuCluster(NAME, prepared.cluster, opts=opts)
    declare_gpu_addons(
        NAME, prepared.gpu, pulumi.ResourceOptions(providers={"kubernetes": aws.kubernetes_provider})
    )
    vpn = prepared.vpn
    vpn.wires["vpc_id"].connect(aws.vpc_id)
    vpn.wires["vpc_subnet_ids"].connect(aws.private_subnet_ids)
    for wire, route_table in zip(vpn.route_tables, aws.private_route_table_id_list, strict=True):
        wire.connect(route_table)
    vpn.wires["log_kms_key_arn"].connect(aws.kms_key_arn)
    interconnect = VpnInterconnect("vpn", vpn.args, opts=opts)
    exports: dict[str, Any] = {
        "aws_cluster_name": aws.cluster_name,
        "aws_cluster_endpoint": aws.cluster_endpoint,
        "aws_kubeconfig": aws.kubeconfig,
        "datasets_bucket": aws.bucket_name,
        "audit_log_bucket": aws.log_bucket_name,
        "audit_trail_arn": aws.trail_arn,
        "vpn_tunnel_log_group": interconnect.tunnel_log_group,
        "transit_gateway_id": interconnect.transit_gateway_id,
        "vpn_customer_gateway_ip": interconnect.customer_gateway_ip,
        "vpn_tunnel_addresses": interconnect.tunnel_outside_addresses,
        "pod_role_arns": aws.pod_role_arns,
    }
    dx = prepared.direct_connect
    if dx is not None:
        dx.transit_gateway.connect(interconnect.transit_gateway_id)
        dx.tunnel_log_group.connect(interconnect.tunnel_log_group_arn)
        direct_connect = DirectConnectInterconnect("dx", dx.args, opts=opts)
        exports["direct_connect_gateway_id"] = direct_connect.dx_gateway_id
        exports["direct_connect_on_premises"] = direct_connect.on_premises
        exports["direct_connect_bgp_auth_keys"] = direct_connect.bgp_auth_keys
        if dx.args.encryption == "macsec":
            exports["direct_connect_macsec_keys"] = direct_connect.macsec_keys
        if dx.args.encryption == "ipsec":
            exports["direct_connect_ipsec_tunnels"] = direct_connect.ipsec_tunnels
    return exports
