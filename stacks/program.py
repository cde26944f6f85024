"""The Pulumi program: read the stack's config once, size it, hand each component its slice of the plan,
export what an operator needs.

This is the only module that knows both the CapacityPlan and the components. Resource names come from
stable identities (component role, workload, edge site, instance type, pool), never from counts, so growing
or shrinking demand changes counts in place. Renaming anything here replaces live infrastructure: add
`aliases` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
import pulumi_openstack as openstack

from aidc.catalog import DEFAULT_CATALOG
from aidc.config import ConfigError, StackConfig, parse_stack_config
from aidc.config.load import AIDC_KEYS
from aidc.sizing import InfeasibleDemand, size_stack
from aidc.sizing.plan import CapacityPlan, EdgeSitePlan
from components.aws_gpu_cluster import AwsGpuCluster, AwsGpuClusterArgs, GpuNodeGroup
from components.ceph_storage import CephPoolSpec, CephStorage, CephStorageArgs
from components.k3s_cluster import AgentPool, K3sCluster, K3sClusterArgs
from components.openstack_private_cloud import GpuPool, OpenStackPrivateCloud, OpenStackPrivateCloudArgs
from components.vpn_interconnect import VpnInterconnect, VpnInterconnectArgs

STORAGE_POOL = "storage"  # the core cluster's Ceph hosts, an agent pool labelled for Rook
STORAGE_LABEL = ("aidc.io/storage", "true")


def read_config() -> StackConfig:
    """The aidc:* keys (structured values arrive from the engine as JSON strings) and aws:region."""
    aidc = pulumi.Config("aidc")
    values: dict[str, Any] = {f"aidc:{key}": aidc.get(key) for key in AIDC_KEYS if aidc.get(key) is not None}
    region = pulumi.Config("aws").get("region")
    if region:
        values["aws:region"] = region
    return parse_stack_config(values, stack=pulumi.get_stack())


def planned_tags(workload: str, classification: str, planned: int) -> dict[str, str]:
    """Tags the policy pack checks: what the sizing engine planned, for which workload and data class."""
    return {
        "aidc:workload": workload,
        "aidc:classification": classification,
        "aidc:planned-instances": str(planned),
    }


def _classification(plan: CapacityPlan, workload: str) -> str:
    levels = {t.name: t.classification for t in plan.training} | {
        w.name: w.classification for w in plan.inference
    }
    return levels[workload]


def build_private(cfg: StackConfig, plan: CapacityPlan) -> dict[str, Any]:
    """Private core: tenant network, core K3s cluster (servers + Ceph hosts), GPU pools that join it, Ceph."""
    os_cfg = cfg.openstack
    # The GPU servers join the core cluster as agents; their user data needs the cluster, which needs the
    # network the GPU pools' component creates: deferred outputs break that construction-order cycle.
    deferred: dict[str, tuple[Callable[[pulumi.Output[str]], None], AgentPool]] = {}
    gpu_pools = []
    for group in plan.placement.private:
        flavor = os_cfg.gpu_flavor(group.accelerator, group.gpus_per_server)
        user_data: pulumi.Output[str]
        resolve: Callable[[pulumi.Output[str]], None]
        user_data, resolve = pulumi.deferred_output()
        deferred[group.workload] = (
            resolve,
            AgentPool(
                name=group.workload,
                flavor=flavor,
                count=group.servers,
                gpu=True,
                accelerator=group.accelerator,
                labels={
                    "aidc.io/workload": group.workload,
                    "aidc.io/classification": _classification(plan, group.workload),
                },
            ),
        )
        gpu_pools.append(
            GpuPool(
                name=group.workload,
                flavor=flavor,
                servers=group.servers,
                accelerator=group.accelerator,
                gpus_per_server=group.gpus_per_server,
                user_data=user_data,
            )
        )
    private = OpenStackPrivateCloud(
        "private",
        OpenStackPrivateCloudArgs(
            image=os_cfg.image,
            network_cidr=os_cfg.network_cidr,
            external_network=os_cfg.external_network,
            dns_nameservers=os_cfg.dns_nameservers,
            admin_cidrs=os_cfg.admin_cidrs,
            ssh_public_key=os_cfg.ssh_public_key,
            root_volume_gb=os_cfg.root_volume_gb,
            gpu_pools=gpu_pools,
        ),
    )
    storage = plan.storage
    core = K3sCluster(
        "core",
        K3sClusterArgs(
            cluster_name="core",
            server_flavor=os_cfg.server_flavor,
            image=os_cfg.image,
            network_id=private.network_id,
            security_group_ids=private.security_group_ids,
            keypair_name=private.keypair_name,
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
        ),
    )
    for resolve, pool in deferred.values():
        resolve(core.agent_user_data(pool))
    core_kubernetes = kubernetes.Provider("core-kubernetes", kubeconfig=core.kubeconfig)
    ceph = CephStorage(
        "ceph",
        CephStorageArgs(
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
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": core_kubernetes}),
    )
    return {"private": private, "core": core, "ceph": ceph}


def build_edge_site(cfg: StackConfig, site_plan: EdgeSitePlan) -> tuple[OpenStackPrivateCloud, K3sCluster]:
    """One edge site: its own network (in its region) and a K3s cluster whose GPU agents serve inference."""
    site = next(s for s in cfg.edge.sites if s.name == site_plan.name)
    os_cfg = cfg.openstack
    provider = openstack.Provider(f"edge-{site.name}-openstack", region=site.region) if site.region else None
    opts = pulumi.ResourceOptions(providers={"openstack": provider}) if provider else None
    network = OpenStackPrivateCloud(
        f"edge-{site.name}-net",
        OpenStackPrivateCloudArgs(
            image=os_cfg.image,
            network_cidr=site.cidr,
            external_network=os_cfg.external_network,
            dns_nameservers=os_cfg.dns_nameservers,
            admin_cidrs=os_cfg.admin_cidrs,
            ssh_public_key=os_cfg.ssh_public_key,
            root_volume_gb=os_cfg.root_volume_gb,
        ),
        opts=opts,
    )
    return network, K3sCluster(
        f"edge-{site.name}",
        K3sClusterArgs(
            cluster_name=f"edge-{site.name}",
            server_flavor=os_cfg.server_flavor,
            image=os_cfg.image,
            network_id=network.network_id,
            security_group_ids=network.security_group_ids,
            keypair_name=network.keypair_name,
            version=cfg.k3s.version,
            servers=site_plan.servers,
            secrets_encryption=cfg.k3s.secrets_encryption,
            agent_pools=[
                AgentPool(
                    name="gpu",
                    flavor=site_plan.flavor,
                    count=site_plan.nodes.int,
                    gpu=True,
                    accelerator=site_plan.accelerator,
                )
            ],
            provider=provider,
        ),
    )


def build_aws(cfg: StackConfig, plan: CapacityPlan) -> AwsGpuCluster:
    groups = [
        GpuNodeGroup(
            name=f"{g.workload}-{g.instance_type.replace('.', '-')}",
            instance_type=g.instance_type,
            desired=g.instances.int,
            min_size=g.instances.int,
            max_size=g.instances.int,
            spot=g.spot,
            efa=g.efa,
            efa_interfaces=max(1, DEFAULT_CATALOG.instance_types[g.instance_type].efa_interfaces),
            gpus_per_instance=DEFAULT_CATALOG.instance_types[g.instance_type].gpus,
            accelerator=g.accelerator,
            labels={"aidc.io/workload": g.workload, "aidc.io/kind": g.kind},
            tags=planned_tags(g.workload, _classification(plan, g.workload), g.instances.int),
        )
        for g in plan.placement.public
    ]
    aws = cfg.aws
    return AwsGpuCluster(
        "aws",
        AwsGpuClusterArgs(
            vpc_cidr=aws.vpc_cidr,
            azs=list(cfg.azs),
            eks_version=aws.eks_version,
            system_instance_type=aws.system_instance_type,
            system_nodes=aws.system_nodes,
            endpoint_public_access=aws.endpoint_public_access,
            public_access_cidrs=list(aws.public_access_cidrs),
            tags={"aidc:stack": cfg.stack, **aws.tags},
            gpu_node_groups=groups,
        ),
    )


def build(cfg: StackConfig, plan: CapacityPlan) -> dict[str, Any]:
    """Every component of the stack; returns the stack's exports."""
    private = build_private(cfg, plan)
    aws = build_aws(cfg, plan)
    vpn_cfg = cfg.vpn
    vpn = VpnInterconnect(
        "vpn",
        VpnInterconnectArgs(
            vpc_id=aws.vpc_id,
            vpc_cidr=cfg.aws.vpc_cidr,
            vpc_subnet_ids=aws.private_subnet_ids,
            vpc_route_table_ids=aws.private_route_table_id_list,
            private_cidrs=[cfg.openstack.network_cidr],
            route_prefixes=list(plan.network.private_route_prefixes),
            openstack_router_id=private["private"].router_id,
            openstack_subnet_id=private["private"].subnet_id,
            connections=plan.network.vpn_connections.int,
            tunnel_bandwidth=vpn_cfg.tunnel_bandwidth,
            ike_version=vpn_cfg.ike_version,
            encryption=vpn_cfg.encryption,
            integrity=vpn_cfg.integrity,
            dh_group=vpn_cfg.dh_group,
            amazon_side_asn=vpn_cfg.amazon_side_asn,
            customer_gateway_asn=vpn_cfg.customer_gateway_asn,
            dpd_timeout_s=vpn_cfg.dpd_timeout_s,
        ),
    )
    edges = {site.name: build_edge_site(cfg, site) for site in plan.edge_sites}
    core: K3sCluster = private["core"]
    exports: dict[str, Any] = {
        "aws_cluster_name": aws.cluster_name,
        "aws_cluster_endpoint": aws.cluster_endpoint,
        "aws_kubeconfig": aws.kubeconfig,
        "datasets_bucket": aws.bucket_name,
        "transit_gateway_id": vpn.transit_gateway_id,
        "vpn_customer_gateway_ip": vpn.customer_gateway_ip,
        "vpn_tunnel_addresses": vpn.tunnel_outside_addresses,
        "core_api_endpoint": core.api_endpoint,
        "core_kubeconfig": core.kubeconfig,
        "ceph_block_storage_class": private["ceph"].block_storage_class,
        "ceph_object_store": private["ceph"].object_store_name,
        "edge_api_endpoints": {name: cluster.api_endpoint for name, (_, cluster) in edges.items()},
        "plan_summary": {
            "gpu_nodes_public": sum(g.instances.int for g in plan.placement.public),
            "gpu_servers_private": sum(g.servers for g in plan.placement.private),
            "ceph_hosts": plan.storage.hosts.int,
            "ceph_osds": plan.storage.osds.int,
            "vpn_connections": plan.network.vpn_connections.int,
            "vpn_tunnels": plan.network.vpn_tunnels.int,
            "edge_nodes": {s.name: s.nodes.int for s in plan.edge_sites},
            "usd_per_hour": round(plan.placement.usd_per_hour.value, 2),
            "warnings": list(plan.warnings),
        },
    }
    generated_keys = cfg.openstack.ssh_public_key is None  # each network then made its own SSH key
    if generated_keys:
        exports["ssh_private_key"] = private["private"].ssh_private_key
    for name, (network, cluster) in edges.items():
        exports[f"edge_{name.replace('-', '_')}_kubeconfig"] = cluster.kubeconfig
        if generated_keys:
            exports[f"edge_{name.replace('-', '_')}_ssh_private_key"] = network.ssh_private_key
    return exports


def main() -> None:
    try:
        cfg = read_config()
        plan = size_stack(cfg)
    except (ConfigError, InfeasibleDemand) as exc:
        # RunError: Pulumi prints the message without a traceback.
        raise pulumi.RunError(str(exc)) from None
    for key, value in build(cfg, plan).items():
        pulumi.export(key, value)
