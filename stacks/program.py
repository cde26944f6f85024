"""The Pulumi program: read the stack's config once, size it once, hand each component its slice of the plan,
export what an operator needs.

stacks/ is the only package that knows both the CapacityPlan and the components: this module declares what every
stack has (the private core: tenant network, core K3s cluster, GPU pools, Ceph; the edge sites), and each public
cloud the plan uses declares its part through its program module (stacks/clouds/<cloud>.py, loaded only then: a
stack whose plan places nothing public and keeps no data there declares no public-cloud resource and imports no
public cloud's SDK). `main()` is what the Pulumi CLI runs (stacks/__main__.py); `deploy(cfg, plan)` is the same
program for a plan already made (`aidc plan` sizes once and runs this under mocks, so the plan it prints is the
plan the program used).

Every component's Args are built — and so validated — before the first resource is declared: a refused Arg
leaves nothing half-declared. Components that need each other's outputs (the GPU pools need the core
cluster's join data, the core cluster needs the pools' network, an interconnect needs the core's router) are
wired through `Wire`s (stacks/wiring.py), deferred outputs that are always resolved.

Resource names come from stable identities (component role, workload, edge site, instance type, pool),
never from counts, so growing or shrinking demand changes counts in place. Renaming anything here replaces
live infrastructure: add `aliases` first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
import pulumi_openstack as openstack
import pulumi_tls as tls

from aidc.config import ConfigError, StackConfig, load_stack_config, parse_stack_config
from aidc.config.addressing import shard_stack_name
from aidc.config.load import AIDC_KEYS, PROVIDER_KEYS
from aidc.contract import (
    CLASSIFICATION_LABEL,
    EXPORT_CEPH_BLOCK_STORAGE_CLASS,
    EXPORT_CEPH_OBJECT_STORE,
    EXPORT_CEPH_RGW_CA_CERT,
    EXPORT_CLOUDS,
    EXPORT_CORE_API_ENDPOINT,
    EXPORT_CORE_KUBECONFIG,
    EXPORT_CORE_STACK,
    EXPORT_EDGE_API_ENDPOINTS,
    EXPORT_EDGE_NETWORKS,
    EXPORT_EDGE_NODES_BY_SITE,
    EXPORT_EDGE_ROUTE_PREFIXES,
    EXPORT_EDGE_SSH_PRIVATE_KEY,
    EXPORT_EDGE_SSH_PUBLIC_KEY,
    EXPORT_ESTATE_SHARDS,
    EXPORT_GPU_QUEUES,
    EXPORT_PLAN_SUMMARY,
    EXPORT_SSH_PRIVATE_KEY,
    HEAT_CLUSTER_TAG,
    HEAT_POOL_TAG,
    INFERENCE,
    LOCATION_LABEL,
    STACK_COST_TAG,
    STORAGE_LABEL,
    STORAGE_POOL,
    WORKLOAD_LABEL,
    edge_site_export,
    heat_tag,
)
from aidc.sizing import InfeasibleDemand, size_stack
from aidc.sizing.plan import CapacityPlan, EdgeSitePlan, PrivateGroup
from aidc.versions import chart_version
from components.ceph_storage import CephPoolSpec, CephStorage, CephStorageArgs
from components.k3s_cluster import AgentPool, K3sCluster, K3sClusterArgs, pool_node_tags
from components.k3s_upgrades import K3sUpgrades, K3sUpgradesArgs
from components.nvidia_gpu_operator import NvidiaGpuOperatorArgs
from components.openstack_private_cloud import GpuPool, OpenStackPrivateCloud, OpenStackPrivateCloudArgs
from components.workload_queues import WorkloadQueue
from stacks.clouds import CloudContext, PrivateSide, program_of
from stacks.gpu import (
    ClusterGpuArgs,
    declare_gpu_addons,
    gpu_queue_summary,
    landing_zones,
    metrics_args,
    pod_gpus,
    queue_flavor,
)
from stacks.wiring import Wire, Wires, connect

NETWORK_WIRES = ("network_id", "subnet_id", "security_group_names", "keypair_name")
CORE_CLUSTER = "core"
# Estates: the core's break-glass key for every edge site, and the shards' reference to the core.
EDGE_SSH_KEY, EDGE_SSH_PUBLIC_KEY, CORE_REFERENCE = "edge-ssh", EXPORT_EDGE_SSH_PUBLIC_KEY, "core"


def read_config() -> StackConfig:
    """The aidc:* keys (structured values arrive from the engine as JSON strings) and the public clouds' provider
    keys aidc mirrors (aws:region)."""
    aidc = pulumi.Config("aidc")
    values: dict[str, Any] = {f"aidc:{key}": aidc.get(key) for key in AIDC_KEYS if aidc.get(key) is not None}
    for key in PROVIDER_KEYS:
        namespace, _, name = key.partition(":")
        value = pulumi.Config(namespace).get(name)
        if value:
            values[key] = value
    return parse_stack_config(values, stack=pulumi.get_stack())


# --- the plan's slices as Args (no resources yet) ------------------------------------------------------------
def deploy_cidrs(cfg: StackConfig) -> list[str]:
    """Where `pulumi up` runs from inside (README, "Where `pulumi up` runs"): a runner in the core cluster's
    tenant network. It reaches the core K3s API directly, the EKS private endpoint over the VPN and the edge
    K3s APIs over the sites' routing; each of those admits this network."""
    return [cfg.openstack.network_cidr]


def _distinct(*groups: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(cidr for group in groups for cidr in group))


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
            WORKLOAD_LABEL: group.workload,
            CLASSIFICATION_LABEL: group.classification,
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


def stack_cost_tags(cfg: StackConfig, plan: CapacityPlan) -> tuple[str, ...]:
    """When the stack has a cost ceiling (aidc:policy.monthly_cost_ceiling_usd), the plan's whole monthly cost at
    peak as a Neutron `key=value` tag: on the private core's network (an estate's shard: on its first site's
    network, the estate's plan), what the pack's mandatory monthly-cost-ceiling rule checks. Without a ceiling no
    tag: a cost change then changes no resource (an estate's edge change stays in its shard)."""
    if cfg.policy.monthly_cost_ceiling_usd is None:
        return ()
    return (f"{STACK_COST_TAG}={plan.cost.peak_usd_per_month.value:.2f}",)


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
        network_tags=stack_cost_tags(cfg, plan),
        gpu_pools=tuple(
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
                    heat_tag(HEAT_CLUSTER_TAG, CORE_CLUSTER),
                    heat_tag(HEAT_POOL_TAG, group.workload),
                    *pool_node_tags(gpu_agents[group.workload][0]),
                ),
            )
            for group in plan.placement.private
        ),
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
        agent_pools=(
            AgentPool(
                name=STORAGE_POOL,
                flavor=os_cfg.storage_flavor,
                count=storage.hosts.int,
                labels={STORAGE_LABEL: "true"},
            ),
        ),
    )
    ceph = CephStorageArgs(
        # Heat names the pool's servers <cluster>-<pool>-<index>; K3s names nodes after their hosts.
        storage_nodes=tuple(f"core-{STORAGE_POOL}-{i}" for i in range(storage.hosts.int)),
        pools=tuple(
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
        ),
        rook_chart_version=cfg.ceph.rook_chart_version,
        ceph_image=cfg.ceph.ceph_image,
        monitors=storage.monitors.int,
        storage_node_label=f"{STORAGE_LABEL}=true",
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


@dataclass
class EdgeArgs:
    network: OpenStackPrivateCloudArgs
    cluster: K3sClusterArgs
    upgrades: K3sUpgradesArgs
    wires: dict[str, Wire]
    region: str | None


def edge_args(
    cfg: StackConfig,
    site: EdgeSitePlan,
    wires: Wires,
    ssh_public_key: str | pulumi.Output[str] | None = None,
    network_tags: tuple[str, ...] = (),
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
            network_tags=network_tags,
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
            agent_pools=(
                AgentPool(
                    name="gpu",
                    flavor=site.flavor,
                    count=site.nodes.int,
                    gpu=True,
                    accelerator=site.accelerator,
                    gpus_per_node=site.gpus_per_node,
                    image=gpu_image(cfg),
                    labels={LOCATION_LABEL: site.location},
                ),
            ),
        ),
        upgrades=upgrades_args(cfg),
        wires=network,
        region=site.region,
    )


# --- GPU add-ons of the K3s clusters: operator, queues and metrics ----------------------------------------------
def core_gpu_args(cfg: StackConfig, plan: CapacityPlan) -> ClusterGpuArgs | None:
    """The core cluster's GPU add-ons: one queue per workload placed in the private cloud."""
    groups = [g for g in plan.placement.private if g.servers > 0]
    if not groups:
        return None
    flavors = {g.accelerator: queue_flavor(g.accelerator, g.location) for g in groups}
    workloads = [
        WorkloadQueue(
            name=g.workload,
            kind=g.kind,
            classification=g.classification,
            flavor=flavors[g.accelerator].name,
            gpus=g.gpus.int,
            pod_gpus=pod_gpus(plan, g.workload, g.kind, g.gpus_per_server),
        )
        for g in groups
    ]
    return ClusterGpuArgs(
        operator=operator_args(CORE_CLUSTER, cfg),
        metrics=metrics_args(CORE_CLUSTER, "gpu-operator"),
        queues=landing_zones(
            CORE_CLUSTER, {g.accelerator: flavors[g.accelerator] for g in groups}, workloads
        ),
    )


def edge_queues_by_site(plan: CapacityPlan) -> dict[str, list[WorkloadQueue]]:
    """Per edge site, one queue per inference workload with replicas there; read in one pass over the
    allocations (an estate has thousands of sites: never one pass per site)."""
    by_site: dict[str, list[WorkloadQueue]] = {}
    flavors = {site.name: queue_flavor(site.accelerator, site.location).name for site in plan.edge_sites}
    for workload in plan.inference:
        for allocation in workload.edge:
            if allocation.gpus > 0 and allocation.site in flavors:
                by_site.setdefault(allocation.site, []).append(
                    WorkloadQueue(
                        name=workload.name,
                        kind=INFERENCE,
                        classification=workload.classification,
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
    flavor = queue_flavor(site.accelerator, site.location)
    return ClusterGpuArgs(
        operator=operator_args(cluster, cfg),
        metrics=metrics_args(cluster, "gpu-operator"),
        queues=landing_zones(cluster, {flavor.name: flavor}, queues),
    )


# --- components ----------------------------------------------------------------------------------------------
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
        connect(edge.wires, network)
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
        exports[edge_site_export(name, "kubeconfig")] = cluster.kubeconfig
        if site_keys:
            exports[edge_site_export(name, EXPORT_SSH_PRIVATE_KEY)] = network.ssh_private_key
    return exports


@dataclass
class StackArgs:
    """Every Args of a one-stack estate or an estate's core, validated, before any resource exists."""

    private: PrivateArgs
    private_side: dict[str, Wire]  # the core router and subnet, for the public clouds' interconnects
    clouds: dict[str, Any]  # public cloud -> its program's Prepared Args
    edges: dict[str, EdgeArgs]
    gpu_addons: dict[str, ClusterGpuArgs | None]  # cluster name -> its GPU add-ons


def stack_args(cfg: StackConfig, plan: CapacityPlan, wires: Wires) -> StackArgs:
    """1. Every Args, validated: the private core, each public cloud the plan uses, the edge sites."""
    core_only = cfg.estate.role == "core"
    private = private_args(cfg, plan, wires)
    private_side = {
        key: wires.new(f"private cloud {key} for the interconnects") for key in ("router_id", "subnet_id")
    }
    side = PrivateSide(router_id=private_side["router_id"].output, subnet_id=private_side["subnet_id"].output)
    context = CloudContext(cfg=cfg, plan=plan, wires=wires, deploy_cidrs=deploy_cidrs(cfg), private=side)
    clouds: dict[str, Any] = {cloud: program_of(cloud).prepare(context) for cloud in plan.clouds}
    edges = {} if core_only else {site.name: edge_args(cfg, site, wires) for site in plan.edge_sites}
    edge_queues = edge_queues_by_site(plan)
    gpu_addons: dict[str, ClusterGpuArgs | None] = {
        CORE_CLUSTER: core_gpu_args(cfg, plan),
        **{
            f"edge-{site.name}": edge_gpu_args(cfg, site, edge_queues.get(site.name, []))
            for site in plan.edge_sites
            if site.name in edges
        },
        **{prepared.gpu_cluster: prepared.gpu for prepared in clouds.values()},
    }
    return StackArgs(private, private_side, clouds, edges, gpu_addons)


@dataclass
class PrivateCore:
    cloud: OpenStackPrivateCloud
    cluster: K3sCluster
    ceph: CephStorage


def declare_private(args: StackArgs) -> PrivateCore:
    """2. The private core: network, core K3s cluster and its GPU pools, Ceph, upgrades and GPU add-ons."""
    private = args.private
    cloud = OpenStackPrivateCloud("private", private.cloud)
    connect(private.network, cloud)
    connect(args.private_side, cloud)
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
    declare_gpu_addons(CORE_CLUSTER, args.gpu_addons[CORE_CLUSTER], on_core)
    return PrivateCore(cloud, core, ceph)


def build(cfg: StackConfig, plan: CapacityPlan) -> dict[str, Any]:
    """Every component of a one-stack estate, or of an estate's core (everything but the edge sites, which its
    shard stacks declare); returns the stack's exports."""
    core_only = cfg.estate.role == "core"
    wires = Wires()
    with wires.guard():
        args = stack_args(cfg, plan, wires)
        # 2. The components, each wire connected as soon as its producer exists.
        private = declare_private(args)
        cloud_exports = {
            cloud: program_of(cloud).declare(prepared) for cloud, prepared in args.clouds.items()
        }
        edge_clusters = declare_edges(args.edges, args.gpu_addons)
        edge_ssh_key = None
        if core_only and cfg.openstack.ssh_public_key is None:
            # One break-glass key for every edge site of the estate, held here; shards read its public half.
            edge_ssh_key = tls.PrivateKey(EDGE_SSH_KEY, algorithm="ED25519")
    exports: dict[str, Any] = {
        EXPORT_CLOUDS: list(plan.clouds),
        **{key: value for exported in cloud_exports.values() for key, value in exported.items()},
        **core_exports(private, plan),
        EXPORT_GPU_QUEUES: gpu_queue_summary(args.gpu_addons),
        EXPORT_PLAN_SUMMARY: plan_summary(plan),
    }
    generated_keys = cfg.openstack.ssh_public_key is None  # each network then made its own SSH key
    if generated_keys:
        exports[EXPORT_SSH_PRIVATE_KEY] = private.cloud.ssh_private_key
    if core_only:
        exports.update(estate_exports(cfg, plan, edge_ssh_key))
    else:
        exports[EXPORT_EDGE_API_ENDPOINTS] = {
            name: cluster.api_endpoint for name, (_, cluster) in edge_clusters.items()
        }
    exports.update(edge_exports(edge_clusters, site_keys=generated_keys))
    return exports


def core_exports(private: PrivateCore, plan: CapacityPlan) -> dict[str, Any]:
    """The private core's endpoints and storage, and the edge networks it routes to."""
    return {
        EXPORT_CORE_API_ENDPOINT: private.cluster.api_endpoint,
        EXPORT_CORE_KUBECONFIG: private.cluster.kubeconfig,
        EXPORT_CEPH_BLOCK_STORAGE_CLASS: private.ceph.block_storage_class,
        EXPORT_CEPH_OBJECT_STORE: private.ceph.object_store_name,
        EXPORT_CEPH_RGW_CA_CERT: private.ceph.rgw_ca_cert,
        EXPORT_EDGE_NETWORKS: {site.name: site.network_cidr for site in plan.edge_sites},
        # What the private cloud's WAN must route toward the edge sites (aggregated; see aidc/sizing/network.py).
        EXPORT_EDGE_ROUTE_PREFIXES: list(plan.network.edge_route_prefixes),
    }


def plan_summary(plan: CapacityPlan) -> dict[str, Any]:
    return {
        **plan.counts(),
        EXPORT_EDGE_NODES_BY_SITE: {s.name: s.nodes.int for s in plan.edge_sites},
        "usd_per_hour": round(plan.placement.usd_per_hour.value, 2),
        "usd_per_month": round(plan.cost.total_usd_per_month.value, 2),
        "warnings": list(plan.warnings),
    }


def estate_exports(
    cfg: StackConfig, plan: CapacityPlan, edge_ssh_key: tls.PrivateKey | None
) -> dict[str, Any]:
    """An estate core's shards and the break-glass key its shards' sites take (the shards export their sites)."""
    exports: dict[str, Any] = {
        EXPORT_ESTATE_SHARDS: {
            shard_stack_name(cfg.stack, shard): sites for shard, sites in estate_shards(plan).items()
        }
    }
    if edge_ssh_key is not None:
        exports[EDGE_SSH_PUBLIC_KEY] = edge_ssh_key.public_key_openssh
        exports[EXPORT_EDGE_SSH_PRIVATE_KEY] = pulumi.Output.secret(edge_ssh_key.private_key_openssh)
    else:
        exports[EDGE_SSH_PUBLIC_KEY] = cfg.openstack.ssh_public_key
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
        # The shard's first site carries the estate's monthly cost (one resource: a cost change updates one
        # network's tags per shard, not every site's).
        edges = {
            site.name: edge_args(
                cfg,
                site,
                wires,
                ssh_public_key=ssh_public_key,
                network_tags=stack_cost_tags(cfg, plan) if i == 0 else (),
            )
            for i, site in enumerate(sites)
        }
        edge_queues = edge_queues_by_site(plan)
        gpu_addons = {
            f"edge-{site.name}": edge_gpu_args(cfg, site, edge_queues.get(site.name, [])) for site in sites
        }
        edge_clusters = declare_edges(edges, gpu_addons)
    return {
        EXPORT_CORE_STACK: core.name,
        EXPORT_EDGE_API_ENDPOINTS: {
            name: cluster.api_endpoint for name, (_, cluster) in edge_clusters.items()
        },
        EXPORT_EDGE_NETWORKS: {site.name: site.network_cidr for site in sites},
        EXPORT_EDGE_NODES_BY_SITE: {site.name: site.nodes.int for site in sites},
        EXPORT_GPU_QUEUES: gpu_queue_summary(gpu_addons),
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
    for cloud in plan.clouds:
        # A cloud's program may refuse `pulumi up` for settings it lacks (a preview has warned); `aidc plan` and
        # the tests call deploy() directly and only see the warnings.
        require = getattr(program_of(cloud), "require_deployable", None)
        if require is not None:
            require(cfg, plan, dry_run)
    deploy(cfg, plan)
