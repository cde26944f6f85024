"""The Pulumi program: read the stack's config once, size it once, hand each component its slice of the plan,
export what an operator needs.

This is the only module that knows both the CapacityPlan and the components. `main()` is what the Pulumi
CLI runs (stacks/__main__.py); `deploy(cfg, plan)` is the same program for a plan already made (`aidc plan`
sizes once and runs this under mocks, so the plan it prints is the plan the program used).

Every component's Args are built — and so validated — before the first resource is declared: a refused Arg
leaves nothing half-declared. Components that need each other's outputs (the GPU pools need the core
cluster's join data, the core cluster needs the pools' network) are wired through `Wire`s, deferred outputs
that are always resolved: with the producer's output, or, if construction stops, with an error.

Resource names come from stable identities (component role, workload, edge site, instance type, pool),
never from counts, so growing or shrinking demand changes counts in place. Renaming anything here replaces
live infrastructure: add `aliases` first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
import pulumi_openstack as openstack
import pulumi_tls as tls

from aidc.config import ConfigError, StackConfig, load_stack_config, parse_stack_config
from aidc.config.addressing import shard_stack_name
from aidc.config.load import AIDC_KEYS
from aidc.sizing import InfeasibleDemand, size_stack
from aidc.sizing.plan import CapacityPlan, EdgeSitePlan, PrivateGroup, PublicGroup
from aidc.versions import EKS_ADDON_VERSIONS, chart_version
from components.aws_gpu_cluster import (
    AwsGpuCluster,
    AwsGpuClusterArgs,
    CapacityReservationSpec,
    GpuNodeGroup,
    WorkloadIdentity,
)
from components.aws_gpu_cluster.eks import cluster_physical_name
from components.ceph_storage import CephPoolSpec, CephStorage, CephStorageArgs
from components.direct_connect import (
    DirectConnectInterconnect,
    DirectConnectInterconnectArgs,
    DirectConnectLinkSpec,
    IpsecOverDirectConnect,
)
from components.gpu_metrics import GpuMetrics, GpuMetricsArgs
from components.k3s_cluster import GPU_TAINT, AgentPool, K3sCluster, K3sClusterArgs, pool_node_tags
from components.k3s_upgrades import K3sUpgrades, K3sUpgradesArgs
from components.nvidia_gpu_operator import NvidiaGpuOperator, NvidiaGpuOperatorArgs
from components.openstack_private_cloud import GpuPool, OpenStackPrivateCloud, OpenStackPrivateCloudArgs
from components.vpn_interconnect import VpnInterconnect, VpnInterconnectArgs
from components.workload_queues import QueueFlavor, WorkloadQueue, WorkloadQueues, WorkloadQueuesArgs

STORAGE_POOL = "storage"  # the core cluster's Ceph hosts, an agent pool labelled for Rook
NETWORK_WIRES = ("network_id", "subnet_id", "security_group_names", "keypair_name")
STORAGE_LABEL = ("aidc.io/storage", "true")
# Tags and labels the policy pack reads: what sizing planned, for which workload, data class and location.
WORKLOAD_TAG, CLASSIFICATION_TAG, LOCATION_TAG = "aidc:workload", "aidc:classification", "aidc:location"
PLANNED_TAG, COST_TAG = "aidc:planned-instances", "aidc:usd-per-month"
# Node labels every GPU pool carries (K3s agents and EKS node groups): the Kueue flavors select on them.
LOCATION_LABEL, ACCELERATOR_LABEL = "aidc.io/location", "aidc.io/accelerator"
CORE_CLUSTER = "core"
AWS_CLUSTER = (
    "aws"  # the AwsGpuCluster component's name; its EKS cluster is cluster_physical_name(AWS_CLUSTER)
)
# The interconnect's sized transfer rate and what the plan provisions for it (VPN + Direct Connect without its
# spare port), on the Transit Gateway; Direct Connect resources carry their port speed.
REQUIRED_GBPS_TAG, PROVISIONED_GBPS_TAG, PORT_GBPS_TAG = (
    "aidc:required-gbps",
    "aidc:provisioned-gbps",
    "aidc:port-gbps",
)
# The planned range (min, max: the peak, also PLANNED_TAG) and the quota; the cost at baseline beside the peak's.
PLANNED_MIN_TAG, PLANNED_MAX_TAG = "aidc:planned-min-instances", "aidc:planned-max-instances"
QUOTA_TAG, BASELINE_COST_TAG = "aidc:quota-instances", "aidc:usd-per-month-baseline"
# NodePools are Kubernetes objects: the same facts as annotations (AWS tag keys are not annotation keys).
ANNOTATION_OF_TAG = {
    WORKLOAD_TAG: "aidc.io/workload",
    CLASSIFICATION_TAG: "aidc.io/classification",
    LOCATION_TAG: "aidc.io/location",
    PLANNED_TAG: "aidc.io/planned-instances",
    PLANNED_MIN_TAG: "aidc.io/planned-min-instances",
    PLANNED_MAX_TAG: "aidc.io/planned-max-instances",
    QUOTA_TAG: "aidc.io/quota-instances",
    COST_TAG: "aidc.io/usd-per-month",
    BASELINE_COST_TAG: "aidc.io/usd-per-month-baseline",
}
# Without a deploy role the EKS cluster is declared with no access entry for whoever applies it (there is no
# bootstrap grant any more): a new cluster then refuses the add-ons. Warned, not refused, so `aidc size` and
# `aidc plan` work without AWS details and a cluster created before keeps its bootstrap entry until removed.
NO_DEPLOY_ROLE = (
    "aidc:aws.access.deploy_role_arn is not set: the EKS cluster gets no access entry for the identity that "
    "runs `pulumi up`, so on a new cluster the device plugin release fails with Unauthorized. Set it to that "
    "IAM role: pulumi config set --path 'aidc:aws.access.deploy_role_arn' arn:aws:iam::ACCOUNT:role/NAME "
    "--stack {stack}"
)
# Estates: the core's break-glass key for every edge site, and the shards' reference to the core.
EDGE_SSH_KEY, EDGE_SSH_PUBLIC_KEY, CORE_REFERENCE = "edge-ssh", "edge_ssh_public_key", "core"


def read_config() -> StackConfig:
    """The aidc:* keys (structured values arrive from the engine as JSON strings) and aws:region."""
    aidc = pulumi.Config("aidc")
    values: dict[str, Any] = {f"aidc:{key}": aidc.get(key) for key in AIDC_KEYS if aidc.get(key) is not None}
    region = pulumi.Config("aws").get("region")
    if region:
        values["aws:region"] = region
    return parse_stack_config(values, stack=pulumi.get_stack())


# --- wiring ------------------------------------------------------------------------------------------------
class Wire:
    """A value one component produces that Args built earlier consume (a deferred output)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.output: pulumi.Output[Any]
        self.output, self._resolve = pulumi.deferred_output()
        self.resolved = False

    def connect(self, value: pulumi.Input[Any]) -> None:
        self._resolve(pulumi.Output.from_input(value))
        self.resolved = True

    def fail(self, error: BaseException) -> None:
        """Resolve with the error that stopped construction, so nothing waits for ever on a component that
        was never built, and whoever awaits this wire sees that same error."""

        def refuse(_: object) -> None:
            raise error

        self.connect(pulumi.Output.from_input(None).apply(refuse))


class Wires:
    def __init__(self) -> None:
        self._all: list[Wire] = []

    def new(self, what: str) -> Wire:
        wire = Wire(what)
        self._all.append(wire)
        return wire

    @contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except BaseException as exc:
            for wire in self._all:
                if not wire.resolved:
                    wire.fail(exc)
            raise


# --- the plan's slices as Args (no resources yet) ------------------------------------------------------------
def deploy_cidrs(cfg: StackConfig) -> list[str]:
    """Where `pulumi up` runs from inside (README, "Where `pulumi up` runs"): a runner in the core cluster's
    tenant network. It reaches the core K3s API directly, the EKS private endpoint over the VPN and the edge
    K3s APIs over the sites' routing; each of those admits this network."""
    return [cfg.openstack.network_cidr]


def _distinct(*groups: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(cidr for group in groups for cidr in group))


def planned_tags(group: PublicGroup, plan: CapacityPlan) -> dict[str, str]:
    """Tags the policy pack checks: the planned range (min, max = the peak count) and quota, the monthly cost at
    peak (the ceiling rule sums these) and at baseline, the workload, its data class and place."""
    tags = {
        WORKLOAD_TAG: group.workload,
        CLASSIFICATION_TAG: group.classification,
        PLANNED_TAG: str(group.instances.int),
        LOCATION_TAG: group.location,
        COST_TAG: f"{plan.cost.group_usd_per_month[group.name].value:.2f}",
        PLANNED_MIN_TAG: str(group.range.min.int),
        PLANNED_MAX_TAG: str(group.range.max.int),
    }
    baseline = plan.cost.group_usd_per_month_baseline.get(group.name)
    if baseline is not None:
        tags[BASELINE_COST_TAG] = f"{baseline.value:.2f}"
    if group.quota is not None:
        tags[QUOTA_TAG] = str(group.quota)
    return tags


def planned_annotations(tags: dict[str, str]) -> dict[str, str]:
    """The planned tags as the NodePool's annotations, which the policy pack reads there."""
    return {ANNOTATION_OF_TAG[key]: value for key, value in tags.items() if key in ANNOTATION_OF_TAG}


def reservation_spec(group: PublicGroup) -> CapacityReservationSpec | None:
    reservation = group.reservation
    if reservation is None:
        return None
    return CapacityReservationSpec(
        kind=reservation.kind,  # type: ignore[arg-type]
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
            "aidc.io/workload": group.workload,
            "aidc.io/kind": group.kind,
            "aidc.io/location": group.location,
        },
        tags=tags,
        annotations=planned_annotations(tags),
        reservation=reservation_spec(group),
    )


def gpu_image(cfg: StackConfig) -> str | None:
    """The Glance image of GPU servers when their NVIDIA driver is preinstalled (None: the common image)."""
    return cfg.openstack.gpu_image if cfg.k3s.gpu_driver == "image" else None


def gpu_agent_pool(group: PrivateGroup, image: str | None = None) -> AgentPool:
    return AgentPool(
        name=group.workload,
        flavor=group.flavor,
        count=group.servers,
        gpu=True,
        accelerator=group.accelerator,
        gpus_per_node=group.gpus_per_server,
        image=image,
        labels={
            "aidc.io/workload": group.workload,
            "aidc.io/classification": group.classification,
            LOCATION_LABEL: group.location,
        },
    )


@dataclass
class PrivateArgs:
    cloud: OpenStackPrivateCloudArgs
    core: K3sClusterArgs
    ceph: CephStorageArgs
    upgrades: K3sUpgradesArgs
    gpu_agents: dict[str, tuple[AgentPool, Wire]]  # workload -> its K3s agent pool and its user-data wire
    network: dict[str, Wire]  # private cloud outputs the core cluster consumes


def private_args(cfg: StackConfig, plan: CapacityPlan, wires: Wires) -> PrivateArgs:
    """Private core: tenant network, core K3s cluster (servers + Ceph hosts), GPU pools that join it, Ceph."""
    os_cfg = cfg.openstack
    gpu_agents = {
        g.workload: (gpu_agent_pool(g, gpu_image(cfg)), wires.new(f"user data of GPU pool {g.workload}"))
        for g in plan.placement.private
    }
    cloud = OpenStackPrivateCloudArgs(
        image=os_cfg.image,
        network_cidr=os_cfg.network_cidr,
        # The API load balancer reaches the servers from the tenant subnet (its amphorae have ports there).
        api_cidrs=(os_cfg.network_cidr,),
        external_network=os_cfg.external_network,
        dns_nameservers=os_cfg.dns_nameservers,
        admin_cidrs=os_cfg.admin_cidrs,
        ssh_public_key=os_cfg.ssh_public_key,
        root_volume_gb=os_cfg.root_volume_gb,
        gpu_pools=[
            GpuPool(
                name=group.workload,
                flavor=group.flavor,
                servers=group.servers,
                accelerator=group.accelerator,
                gpus_per_server=group.gpus_per_server,
                image=gpu_image(cfg),
                user_data=gpu_agents[group.workload][1].output,
                # The cluster the servers join and what they register as (the user data is secret).
                tags=(
                    f"cluster={CORE_CLUSTER}",
                    f"pool={group.workload}",
                    *pool_node_tags(gpu_agents[group.workload][0]),
                ),
            )
            for group in plan.placement.private
        ],
    )
    network = {key: wires.new(f"private cloud {key}") for key in NETWORK_WIRES}
    storage = plan.storage
    core = K3sClusterArgs(
        cluster_name=CORE_CLUSTER,
        server_flavor=os_cfg.server_flavor,
        image=os_cfg.image,
        network_id=network["network_id"].output,
        subnet_id=network["subnet_id"].output,
        security_group_names=network["security_group_names"].output,
        api_allowed_cidrs=_distinct([os_cfg.network_cidr], os_cfg.admin_cidrs, deploy_cidrs(cfg)),
        keypair_name=network["keypair_name"].output,
        version=cfg.k3s.version,
        servers=cfg.k3s.core_servers,
        secrets_encryption=cfg.k3s.secrets_encryption,
        agent_pools=[
            AgentPool(
                name=STORAGE_POOL,
                flavor=os_cfg.storage_flavor,
                count=storage.hosts.int,
                labels=dict([STORAGE_LABEL]),
            )
        ],
    )
    ceph = CephStorageArgs(
        # Heat names the pool's servers <cluster>-<pool>-<index>; K3s names nodes after their hosts.
        storage_nodes=[f"core-{STORAGE_POOL}-{i}" for i in range(storage.hosts.int)],
        pools=[
            CephPoolSpec(
                name=p.name,
                kind=p.kind,
                pg_num=p.pg_num.int,
                replicated_size=p.replicated_size,
                erasure_k=p.erasure_k,
                erasure_m=p.erasure_m,
                failure_domain=p.failure_domain,
            )
            for p in storage.pools
        ],
        rook_chart_version=cfg.ceph.rook_chart_version,
        ceph_image=cfg.ceph.ceph_image,
        monitors=storage.monitors.int,
        storage_node_label="=".join(STORAGE_LABEL),
        device_filter=cfg.ceph.device_filter,
    )
    return PrivateArgs(
        cloud=cloud,
        core=core,
        ceph=ceph,
        upgrades=upgrades_args(cfg),
        gpu_agents=gpu_agents,
        network=network,
    )


def upgrades_args(cfg: StackConfig) -> K3sUpgradesArgs:
    """A cluster's upgrade Plans: the configured K3s release, by the pinned system-upgrade-controller."""
    return K3sUpgradesArgs(
        version=cfg.k3s.version, controller_version=chart_version("system-upgrade-controller")
    )


def operator_args(cluster: str, cfg: StackConfig) -> NvidiaGpuOperatorArgs:
    """A K3s cluster's GPU Operator at the pinned chart version."""
    return NvidiaGpuOperatorArgs(
        cluster=cluster,
        k3s_version=cfg.k3s.version,
        driver=cfg.k3s.gpu_driver,
        chart_version=chart_version("gpu-operator"),
    )


def metrics_args(cluster: str, exporter_namespace: str, **settings: Any) -> GpuMetricsArgs:
    """A cluster's GPU metrics at the pinned Prometheus and DCGM exporter chart versions."""
    return GpuMetricsArgs(
        cluster=cluster,
        exporter_namespace=exporter_namespace,
        prometheus_chart_version=chart_version("prometheus"),
        dcgm_exporter_chart_version=chart_version("dcgm-exporter"),
        **settings,
    )


@dataclass
class EdgeArgs:
    network: OpenStackPrivateCloudArgs
    cluster: K3sClusterArgs
    upgrades: K3sUpgradesArgs
    wires: dict[str, Wire]
    region: str | None


def edge_args(
    cfg: StackConfig, site: EdgeSitePlan, wires: Wires, ssh_public_key: pulumi.Input[str] | None = None
) -> EdgeArgs:
    """One edge site: its own network (in its region) and a K3s cluster whose GPU agents serve inference.
    `ssh_public_key` is the estate's break-glass key read from the core (shard stacks); without it the site
    uses the configured key, or makes its own."""
    os_cfg = cfg.openstack
    network = {key: wires.new(f"edge {site.name} {key}") for key in NETWORK_WIRES}
    return EdgeArgs(
        network=OpenStackPrivateCloudArgs(
            image=os_cfg.image,
            network_cidr=site.network_cidr,
            external_network=os_cfg.external_network,
            dns_nameservers=os_cfg.dns_nameservers,
            admin_cidrs=os_cfg.admin_cidrs,
            # The site's load balancer (from its own subnet) and `pulumi up` (from the core network).
            api_cidrs=_distinct([site.network_cidr], deploy_cidrs(cfg)),
            ssh_public_key=os_cfg.ssh_public_key if ssh_public_key is None else ssh_public_key,
            root_volume_gb=os_cfg.root_volume_gb,
        ),
        cluster=K3sClusterArgs(
            cluster_name=f"edge-{site.name}",
            server_flavor=os_cfg.server_flavor,
            image=os_cfg.image,
            network_id=network["network_id"].output,
            subnet_id=network["subnet_id"].output,
            security_group_names=network["security_group_names"].output,
            api_allowed_cidrs=_distinct([site.network_cidr], os_cfg.admin_cidrs, deploy_cidrs(cfg)),
            keypair_name=network["keypair_name"].output,
            version=cfg.k3s.version,
            servers=site.servers,
            secrets_encryption=cfg.k3s.secrets_encryption,
            agent_pools=[
                AgentPool(
                    name="gpu",
                    flavor=site.flavor,
                    count=site.nodes.int,
                    gpu=True,
                    accelerator=site.accelerator,
                    gpus_per_node=site.gpus_per_node,
                    image=gpu_image(cfg),
                    labels={LOCATION_LABEL: site.location},
                )
            ],
        ),
        upgrades=upgrades_args(cfg),
        wires=network,
        region=site.region,
    )


def aws_args(cfg: StackConfig, plan: CapacityPlan) -> AwsGpuClusterArgs:
    aws = cfg.aws
    return AwsGpuClusterArgs(
        vpc_cidr=aws.vpc_cidr,
        azs=list(cfg.azs),
        eks_version=aws.eks_version,
        system_instance_type=aws.system_instance_type,
        system_nodes=aws.system_nodes,
        endpoint_public_access=aws.endpoint_public_access,
        public_access_cidrs=list(aws.public_access_cidrs),
        api_access_cidrs=deploy_cidrs(cfg),
        # Stacks may share an account; a multi-region trail's name is the account's, in every region.
        trail_name=f"aidc-{cfg.stack}-trail",
        deploy_role_arn=aws.access.deploy_role_arn,
        admin_role_arn=aws.access.admin_role_arn,
        tags={"aidc:stack": cfg.stack, **aws.tags},
        # The table's versions for the EKS version, any configured one instead.
        addon_versions={**EKS_ADDON_VERSIONS.get(aws.eks_version, {}), **aws.addon_versions},
        karpenter_version=chart_version("karpenter"),
        nvidia_device_plugin_version=chart_version("nvidia-device-plugin"),
        efa_device_plugin_version=chart_version("efa-device-plugin"),
        workload_identities=[
            WorkloadIdentity(
                name=workload, namespace=workload, service_account=workload, prefix=f"{workload}/"
            )
            for workload in dict.fromkeys(g.workload for g in plan.placement.public if g.location == "aws")
        ],
        gpu_node_groups=[gpu_node_group(g, plan) for g in plan.placement.public if g.location == "aws"],
    )


# --- GPU add-ons: device plugins, queues and metrics per cluster ----------------------------------------------
@dataclass
class ClusterGpuArgs:
    """What one cluster with GPUs gets on top of its nodes: the GPU Operator (K3s), metrics, and the queues of the
    workloads placed there (None when none is)."""

    operator: NvidiaGpuOperatorArgs | None
    metrics: GpuMetricsArgs
    queues: WorkloadQueuesArgs | None


def _flavor(accelerator: str, location: str) -> QueueFlavor:
    """The GPU nodes of one accelerator at one location: what every GPU pool there is labelled and tainted with."""
    return QueueFlavor(
        name=f"{accelerator}-{location}",
        node_labels={ACCELERATOR_LABEL: accelerator, LOCATION_LABEL: location},
        node_taints=(GPU_TAINT,),
    )


def _pod_gpus(plan: CapacityPlan, workload: str, kind: str, node_gpus: int) -> int:
    """GPUs per pod of a workload's queue: a training pod takes a whole node (the gang is whole nodes), an
    inference pod one replica (a power of two within one server or instance)."""
    if kind == "training":
        return node_gpus
    return next(w.replica.gpus.int for w in plan.inference if w.name == workload)


def _queues(
    cluster: str, flavors: dict[str, QueueFlavor], workloads: list[WorkloadQueue]
) -> WorkloadQueuesArgs | None:
    if not workloads:
        return None
    return WorkloadQueuesArgs(
        cluster=cluster,
        kueue_version=chart_version("kueue"),
        flavors=tuple(flavors.values()),
        workloads=tuple(workloads),
        controller_node_selector={"aidc.io/node-group": "system"}
        if cluster == cluster_physical_name(AWS_CLUSTER)
        else {},
    )


def core_gpu_args(cfg: StackConfig, plan: CapacityPlan) -> ClusterGpuArgs | None:
    """The core cluster's GPU add-ons: one queue per workload placed in the private cloud."""
    groups = [g for g in plan.placement.private if g.servers > 0]
    if not groups:
        return None
    flavors = {g.accelerator: _flavor(g.accelerator, g.location) for g in groups}
    workloads = [
        WorkloadQueue(
            name=g.workload,
            kind=g.kind,  # type: ignore[arg-type]  # validated against the Literal by pydantic
            classification=g.classification,  # type: ignore[arg-type]
            flavor=flavors[g.accelerator].name,
            gpus=g.gpus.int,
            pod_gpus=_pod_gpus(plan, g.workload, g.kind, g.gpus_per_server),
        )
        for g in groups
    ]
    return ClusterGpuArgs(
        operator=operator_args(CORE_CLUSTER, cfg),
        metrics=metrics_args(CORE_CLUSTER, "gpu-operator"),
        queues=_queues(CORE_CLUSTER, {g.accelerator: flavors[g.accelerator] for g in groups}, workloads),
    )


def edge_queues_by_site(plan: CapacityPlan) -> dict[str, list[WorkloadQueue]]:
    """Per edge site, one queue per inference workload with replicas there; read in one pass over the
    allocations (an estate has thousands of sites: never one pass per site)."""
    by_site: dict[str, list[WorkloadQueue]] = {}
    flavors = {site.name: _flavor(site.accelerator, site.location).name for site in plan.edge_sites}
    for workload in plan.inference:
        for allocation in workload.edge:
            if allocation.gpus > 0 and allocation.site in flavors:
                by_site.setdefault(allocation.site, []).append(
                    WorkloadQueue(
                        name=workload.name,
                        kind="inference",
                        classification=workload.classification,  # type: ignore[arg-type]
                        flavor=flavors[allocation.site],
                        gpus=allocation.gpus,
                        pod_gpus=allocation.replica_gpus,
                    )
                )
    return by_site


def edge_gpu_args(cfg: StackConfig, site: EdgeSitePlan, queues: list[WorkloadQueue]) -> ClusterGpuArgs | None:
    """One edge site's GPU add-ons: the operator, metrics and the queues of the inference workloads with replicas
    at the site (edge_queues_by_site)."""
    if site.nodes.int == 0:
        return None
    cluster = f"edge-{site.name}"
    flavor = _flavor(site.accelerator, site.location)
    return ClusterGpuArgs(
        operator=operator_args(cluster, cfg),
        metrics=metrics_args(cluster, "gpu-operator"),
        queues=_queues(cluster, {flavor.name: flavor}, queues),
    )


def aws_gpu_args(plan: CapacityPlan) -> ClusterGpuArgs | None:
    """The EKS cluster's GPU add-ons (the device plugins are the cluster component's): queues per workload placed
    in AWS, GPU and EFA quota summed over its node groups, and the DCGM exporter with Prometheus."""
    groups = [g for g in plan.placement.public if g.location == "aws"]
    if not groups:
        return None
    cluster = cluster_physical_name(AWS_CLUSTER)
    flavors = {g.accelerator: _flavor(g.accelerator, g.location) for g in groups}
    by_workload: dict[str, list[PublicGroup]] = {}
    for g in groups:
        by_workload.setdefault(g.workload, []).append(g)
    workloads = []
    for workload, own in by_workload.items():
        first = own[0]
        workloads.append(
            WorkloadQueue(
                name=workload,
                kind=first.kind,  # type: ignore[arg-type]
                classification=first.classification,  # type: ignore[arg-type]
                flavor=flavors[first.accelerator].name,
                gpus=sum(g.gpus for g in own),
                pod_gpus=_pod_gpus(plan, workload, first.kind, min(g.gpus_per_instance for g in own)),
                efa=sum(g.instances.int * g.efa_interfaces for g in own if g.efa),
            )
        )
    return ClusterGpuArgs(
        operator=None,
        metrics=metrics_args(
            cluster,
            "monitoring",
            dcgm_exporter=True,
            gpu_node_labels={"nvidia.com/gpu.present": "true"},
            server_node_selector={"aidc.io/node-group": "system"},
            # EKS has no default StorageClass without the EBS CSI driver: the series live in an emptyDir.
            persistent=False,
        ),
        queues=_queues(cluster, flavors, workloads),
    )


@dataclass
class VpnArgs:
    args: VpnInterconnectArgs
    wires: dict[str, Wire]
    route_tables: list[Wire]


def vpn_args(cfg: StackConfig, plan: CapacityPlan, wires: Wires) -> VpnArgs:
    named = {
        key: wires.new(f"{key} for the VPN")
        for key in (
            "vpc_id",
            "vpc_subnet_ids",
            "openstack_router_id",
            "openstack_subnet_id",
            "log_kms_key_arn",
        )
    }
    route_tables = [wires.new(f"route table in {az}") for az in cfg.azs]
    vpn = cfg.vpn
    dx = plan.network.direct_connect
    return VpnArgs(
        args=VpnInterconnectArgs(
            vpc_id=named["vpc_id"].output,
            vpc_cidr=cfg.aws.vpc_cidr,
            vpc_subnet_ids=named["vpc_subnet_ids"].output,
            vpc_route_table_ids=[wire.output for wire in route_tables],
            private_cidrs=[cfg.openstack.network_cidr],
            route_prefixes=list(plan.network.private_route_prefixes),
            openstack_router_id=named["openstack_router_id"].output,
            openstack_subnet_id=named["openstack_subnet_id"].output,
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
                [dx.transit_gateway_cidr] if dx is not None and dx.transit_gateway_cidr else []
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
                )
                for link in dx.links
            ),
            bandwidth=dx.bandwidth,  # type: ignore[arg-type]  # validated against the Literal by pydantic
            customer_asn=dx.asn,
            amazon_side_asn=dx.amazon_side_asn,
            allowed_prefixes=dx.allowed_prefixes,
            on_premises_prefixes=dx.advertised_prefixes,
            hosted=dx.hosted,
            encryption=dx.encryption,  # type: ignore[arg-type]
            ipsec=ipsec,
            tunnel_log_group_arn=tunnel_log_group.output if ipsec is not None else None,
            tags={
                "aidc:stack": cfg.stack,
                LOCATION_TAG: "aws",
                PORT_GBPS_TAG: f"{dx.port_gbps:g}",
                "aidc:encryption": dx.encryption,
            },
        ),
        transit_gateway=transit_gateway,
        tunnel_log_group=tunnel_log_group,
    )


# --- components ----------------------------------------------------------------------------------------------
def declare_gpu_addons(prefix: str, args: ClusterGpuArgs | None, opts: pulumi.ResourceOptions) -> None:
    """One cluster's GPU Operator (K3s), metrics and queues, on the cluster's kubernetes Provider (in `opts`)."""
    if args is None:
        return
    if args.operator is not None:
        NvidiaGpuOperator(f"{prefix}-gpu-operator", args.operator, opts=opts)
    GpuMetrics(f"{prefix}-gpu-metrics", args.metrics, opts=opts)
    if args.queues is not None:
        WorkloadQueues(f"{prefix}-queues", args.queues, opts=opts)


def gpu_queue_summary(gpu_addons: dict[str, ClusterGpuArgs | None]) -> dict[str, dict[str, int]]:
    """Export: per cluster, each workload's GPU quota (its ClusterQueue's nominal nvidia.com/gpu)."""
    return {
        cluster: {w.name: w.gpus for w in addons.queues.workloads}
        for cluster, addons in gpu_addons.items()
        if addons is not None and addons.queues is not None
    }


def _connect(wires: dict[str, Wire], source: Any) -> None:
    for key, wire in wires.items():
        wire.connect(getattr(source, key))


def declare_edges(
    edges: dict[str, EdgeArgs], gpu_addons: dict[str, ClusterGpuArgs | None]
) -> dict[str, tuple[OpenStackPrivateCloud, K3sCluster]]:
    """Each edge site's network and K3s cluster, with an openstack Provider for the site's region if it has one,
    and its GPU add-ons (`gpu_addons` by cluster name) on the site's kubernetes Provider."""
    edge_clusters: dict[str, tuple[OpenStackPrivateCloud, K3sCluster]] = {}
    for name, edge in edges.items():
        provider = openstack.Provider(f"edge-{name}-openstack", region=edge.region) if edge.region else None
        opts = pulumi.ResourceOptions(providers={"openstack": provider}) if provider else None
        network = OpenStackPrivateCloud(f"edge-{name}-net", edge.network, opts=opts)
        _connect(edge.wires, network)
        cluster_args = (
            edge.cluster.replace(provider=provider, region=edge.region) if provider else edge.cluster
        )
        cluster = K3sCluster(f"edge-{name}", cluster_args)
        edge_kubernetes = kubernetes.Provider(
            f"edge-{name}-kubernetes",
            kubeconfig=cluster.kubeconfig,
            opts=pulumi.ResourceOptions(depends_on=[cluster.api_ready]),
        )
        on_edge = pulumi.ResourceOptions(providers={"kubernetes": edge_kubernetes})
        K3sUpgrades(f"edge-{name}-upgrades", edge.upgrades, opts=on_edge)
        declare_gpu_addons(f"edge-{name}", gpu_addons.get(f"edge-{name}"), on_edge)
        edge_clusters[name] = (network, cluster)
    return edge_clusters


def edge_exports(
    edge_clusters: dict[str, tuple[OpenStackPrivateCloud, K3sCluster]], site_keys: bool
) -> dict[str, Any]:
    """Per site: its kubeconfig (secret), and its own SSH private key when `site_keys` (the site made one)."""
    exports: dict[str, Any] = {}
    for name, (network, cluster) in edge_clusters.items():
        exports[f"edge_{name.replace('-', '_')}_kubeconfig"] = cluster.kubeconfig
        if site_keys:
            exports[f"edge_{name.replace('-', '_')}_ssh_private_key"] = network.ssh_private_key
    return exports


def build(cfg: StackConfig, plan: CapacityPlan) -> dict[str, Any]:
    """Every component of a one-stack estate, or of an estate's core (everything but the edge sites, which its
    shard stacks declare); returns the stack's exports."""
    core_only = cfg.estate.role == "core"
    wires = Wires()
    with wires.guard():
        # 1. Every Args, validated, before any resource exists.
        private = private_args(cfg, plan, wires)
        aws_cluster_args = aws_args(cfg, plan)
        vpn = vpn_args(cfg, plan, wires)
        edges = {} if core_only else {site.name: edge_args(cfg, site, wires) for site in plan.edge_sites}
        dx = direct_connect_args(cfg, plan, wires)
        edge_queues = edge_queues_by_site(plan)
        gpu_addons: dict[str, ClusterGpuArgs | None] = {
            CORE_CLUSTER: core_gpu_args(cfg, plan),
            **{
                f"edge-{site.name}": edge_gpu_args(cfg, site, edge_queues.get(site.name, []))
                for site in plan.edge_sites
                if site.name in edges
            },
            cluster_physical_name(AWS_CLUSTER): aws_gpu_args(plan),
        }

        # 2. The components, each wire connected as soon as its producer exists.
        cloud = OpenStackPrivateCloud("private", private.cloud)
        _connect(private.network, cloud)
        core = K3sCluster("core", private.core)
        for pool, wire in private.gpu_agents.values():
            wire.connect(core.agent_user_data(pool))
        # Built from the kubeconfig the cluster's readiness gate hands out, and depending on the gate besides:
        # nothing on this Provider is applied before the K3s API answers.
        core_kubernetes = kubernetes.Provider(
            "core-kubernetes",
            kubeconfig=core.kubeconfig,
            opts=pulumi.ResourceOptions(depends_on=[core.api_ready]),
        )
        on_core = pulumi.ResourceOptions(providers={"kubernetes": core_kubernetes})
        ceph = CephStorage("ceph", private.ceph, opts=on_core)
        K3sUpgrades("core-upgrades", private.upgrades, opts=on_core)
        declare_gpu_addons(CORE_CLUSTER, gpu_addons[CORE_CLUSTER], on_core)
        if aws_cluster_args.deploy_role_arn is None:
            pulumi.log.warn(NO_DEPLOY_ROLE.format(stack=cfg.stack))
        aws = AwsGpuCluster(AWS_CLUSTER, aws_cluster_args)
        declare_gpu_addons(
            AWS_CLUSTER,
            gpu_addons[aws.cluster_id],
            pulumi.ResourceOptions(providers={"kubernetes": aws.kubernetes_provider}),
        )
        vpn.wires["vpc_id"].connect(aws.vpc_id)
        vpn.wires["vpc_subnet_ids"].connect(aws.private_subnet_ids)
        for wire, route_table in zip(vpn.route_tables, aws.private_route_table_id_list, strict=True):
            wire.connect(route_table)
        vpn.wires["openstack_router_id"].connect(cloud.router_id)
        vpn.wires["openstack_subnet_id"].connect(cloud.subnet_id)
        vpn.wires["log_kms_key_arn"].connect(aws.kms_key_arn)
        interconnect = VpnInterconnect("vpn", vpn.args)
        direct_connect: DirectConnectInterconnect | None = None
        if dx is not None:
            dx.transit_gateway.connect(interconnect.transit_gateway_id)
            dx.tunnel_log_group.connect(interconnect.tunnel_log_group_arn)
            direct_connect = DirectConnectInterconnect("dx", dx.args)
        edge_clusters = declare_edges(edges, gpu_addons)
        edge_ssh_key = None
        if core_only and cfg.openstack.ssh_public_key is None:
            # One break-glass key for every edge site of the estate, held here; shards read its public half.
            edge_ssh_key = tls.PrivateKey(EDGE_SSH_KEY, algorithm="ED25519")

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
        "core_api_endpoint": core.api_endpoint,
        "core_kubeconfig": core.kubeconfig,
        "ceph_block_storage_class": ceph.block_storage_class,
        "ceph_object_store": ceph.object_store_name,
        "ceph_rgw_ca_cert": ceph.rgw_ca_cert,
        "edge_api_endpoints": {name: cluster.api_endpoint for name, (_, cluster) in edge_clusters.items()},
        "edge_networks": {site.name: site.network_cidr for site in plan.edge_sites},
        # What the private cloud's WAN must route toward the edge sites (aggregated; see aidc/sizing/network.py).
        "edge_route_prefixes": list(plan.network.edge_route_prefixes),
        "gpu_queues": gpu_queue_summary(gpu_addons),
        "pod_role_arns": aws.pod_role_arns,
        "plan_summary": {
            **plan.counts(),
            "edge_nodes_by_site": {s.name: s.nodes.int for s in plan.edge_sites},
            "usd_per_hour": round(plan.placement.usd_per_hour.value, 2),
            "usd_per_month": round(plan.cost.total_usd_per_month.value, 2),
            "warnings": list(plan.warnings),
        },
    }
    if direct_connect is not None:
        exports["direct_connect_gateway_id"] = direct_connect.dx_gateway_id
        exports["direct_connect_on_premises"] = direct_connect.on_premises
        exports["direct_connect_bgp_auth_keys"] = direct_connect.bgp_auth_keys
        if dx is not None and dx.args.encryption == "macsec":
            exports["direct_connect_macsec_keys"] = direct_connect.macsec_keys
        if dx is not None and dx.args.encryption == "ipsec":
            exports["direct_connect_ipsec_tunnels"] = direct_connect.ipsec_tunnels
    generated_keys = cfg.openstack.ssh_public_key is None  # each network then made its own SSH key
    if generated_keys:
        exports["ssh_private_key"] = cloud.ssh_private_key
    if core_only:
        del exports["edge_api_endpoints"]  # the shards export their sites' endpoints
        exports["estate_shards"] = {
            shard_stack_name(cfg.stack, shard): sites for shard, sites in estate_shards(plan).items()
        }
        if edge_ssh_key is not None:
            exports[EDGE_SSH_PUBLIC_KEY] = edge_ssh_key.public_key_openssh
            exports["edge_ssh_private_key"] = pulumi.Output.secret(edge_ssh_key.private_key_openssh)
        else:
            exports[EDGE_SSH_PUBLIC_KEY] = cfg.openstack.ssh_public_key
    exports.update(edge_exports(edge_clusters, site_keys=generated_keys))
    return exports


def estate_shards(plan: CapacityPlan) -> dict[int, list[str]]:
    """shard -> the names of its sites, in config order."""
    shards: dict[int, list[str]] = {}
    for site in plan.edge_sites:
        if site.shard is not None:
            shards.setdefault(site.shard, []).append(site.name)
    return dict(sorted(shards.items()))


def core_reference(core_stack: str) -> pulumi.StackReference:
    """The estate's core stack, fully qualified (`<organization>/<project>/<stack>`: Pulumi Cloud, and the
    project-scoped stacks of self-managed backends)."""
    name = f"{pulumi.get_organization()}/{pulumi.get_project()}/{core_stack}"
    return pulumi.StackReference(CORE_REFERENCE, stack_name=name)


def build_shard(cfg: StackConfig, plan: CapacityPlan, shard: int) -> dict[str, Any]:
    """One shard of an estate: the edge sites recorded with `shard` in the core's stack file, and nothing else.
    What they take from the core (the estate's SSH public key) arrives through a StackReference to the core,
    never by re-declaring or looking up a core resource; secret core outputs read that way stay secret."""
    sites = [site for site in plan.edge_sites if site.shard == shard]
    core = core_reference(cfg.stack)
    ssh_public_key = core.require_output(EDGE_SSH_PUBLIC_KEY)
    wires = Wires()
    with wires.guard():
        edges = {site.name: edge_args(cfg, site, wires, ssh_public_key=ssh_public_key) for site in sites}
        edge_queues = edge_queues_by_site(plan)
        gpu_addons = {
            f"edge-{site.name}": edge_gpu_args(cfg, site, edge_queues.get(site.name, [])) for site in sites
        }
        edge_clusters = declare_edges(edges, gpu_addons)
    return {
        "core_stack": core.name,
        "edge_api_endpoints": {name: cluster.api_endpoint for name, (_, cluster) in edge_clusters.items()},
        "edge_networks": {site.name: site.network_cidr for site in sites},
        "edge_nodes_by_site": {site.name: site.nodes.int for site in sites},
        "gpu_queues": gpu_queue_summary(gpu_addons),
        **edge_exports(edge_clusters, site_keys=False),
    }


def deploy(cfg: StackConfig, plan: CapacityPlan) -> None:
    """Declare the stack (one-stack estate, or an estate's core) for an already-sized plan; export its outputs."""
    for key, value in build(cfg, plan).items():
        pulumi.export(key, value)


def deploy_shard(cfg: StackConfig, plan: CapacityPlan, shard: int) -> None:
    """Declare shard `shard` of the estate whose core config and plan these are; export its outputs."""
    for key, value in build_shard(cfg, plan, shard).items():
        pulumi.export(key, value)


def require_recorded_sites(cfg: StackConfig, sites: Sequence[EdgeSitePlan], dry_run: bool) -> None:
    """A site whose network (or shard) is not recorded in the stack file could be renumbered (or moved) by the
    next allocation: a preview warns, an update refuses, so nothing live is ever renumbered."""
    unrecorded = [site.name for site in sites if not site.recorded]
    if not unrecorded:
        return
    shown = ", ".join(unrecorded[:5]) + (f" and {len(unrecorded) - 5} more" if len(unrecorded) > 5 else "")
    message = (
        f"{len(unrecorded)} edge site(s) of {cfg.stack} have no network (or shard) recorded in the stack file "
        f"({shown}); run `aidc edge allocate --stack {cfg.stack}` and commit the file"
    )
    if dry_run:
        pulumi.log.warn(f"{message} before `pulumi up`, which refuses them")
        return
    raise pulumi.RunError(f"refusing to deploy: {message}")


def main(sizer: Callable[[StackConfig], CapacityPlan] = size_stack) -> None:
    """What `pulumi up` runs. A shard stack's own config only names its core and shard: the estate (demand,
    sites, recorded networks and shards) is read from the core's stack file in the same checkout, and sized
    exactly as the core sizes it."""
    try:
        own = read_config()
        cfg = load_stack_config(own.estate.core) if own.estate.core is not None else own
        plan = sizer(cfg)
    except (ConfigError, InfeasibleDemand) as exc:
        # RunError: Pulumi prints the message without a traceback.
        raise pulumi.RunError(str(exc)) from None
    dry_run = pulumi.runtime.is_dry_run()
    if own.estate.shard is not None:
        shard = own.estate.shard
        require_recorded_sites(cfg, [s for s in plan.edge_sites if s.shard == shard], dry_run)
        deploy_shard(cfg, plan, shard)
        return
    require_recorded_sites(cfg, plan.edge_sites, dry_run)
    deploy(cfg, plan)
