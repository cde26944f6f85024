"""Google Cloud in the stack program: the plan's Google Cloud slice as component Args, and the components that
declare it.

`prepare` builds (and so validates) every Google Cloud Args before the program declares its first resource: the GKE
GPU cluster with its VPC, key, datasets bucket and workload identities (`cluster_args`, one node pool per public
group placed in Google Cloud), its GPU add-ons (`gpu_args`: Kueue's landing zones of the workloads placed there, and
Prometheus scraping GKE's managed DCGM exporter — GKE runs the NVIDIA device plugin itself and installs the driver
the pools ask for, so no device plugin chart), and the interconnect to the private cloud from the plan's
GcpInterconnectPlan (`interconnect_args`: HA VPN with BGP, Dedicated Interconnect when sized). `declare` creates them
and returns the stack's Google Cloud exports. stacks/program.py calls both only when the plan uses Google Cloud
(`plan.clouds`), so no other stack imports pulumi_gcp.

GPU metrics: GKE's managed DCGM exporter (monitoring_config DCGM, gke.py), not the dcgm-exporter chart: on GKE's
Container-Optimized OS the driver lives under /home/kubernetes/bin/nvidia and the chart's pods would need GKE-specific
host mounts, while the managed exporter is matched to the driver GKE installs; the stack's own Prometheus scrapes it
in gke-managed-system (:9400), so GPU series stay per cluster as on EKS and K3s.

Without a project (aidc:gcp.project or gcp:project), the on-premises peers (aidc:gcp.vpn.peer_ips) or a sized
interconnect, `aidc plan` and `pulumi preview` warn and `pulumi up` refuses, naming the key (`require_deployable`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import pulumi
import pulumi_gcp

from aidc.clouds.gcp.catalog import GPU_ACCELERATOR_TYPES
from aidc.clouds.gcp.interconnect import GcpInterconnectPlan
from aidc.clouds.gcp.settings import Settings, settings_of
from aidc.config.model import StackConfig
from aidc.contract import (
    CLASSIFICATION_LABEL,
    CLASSIFICATION_TAG,
    KIND_LABEL,
    LOCATION_LABEL,
    LOCATION_TAG,
    NODE_GROUP_LABEL,
    STACK_TAG,
    SYSTEM_NODE_GROUP,
    WORKLOAD_LABEL,
    WORKLOAD_TAG,
    cloud_label_of,
)
from aidc.sizing.plan import CapacityPlan, PublicGroup
from components.gcp_gpu_cluster import (
    GcpGpuCluster,
    GcpGpuClusterArgs,
    GpuNodePool,
    NodePoolReservation,
    WorkloadIdentity,
)
from components.gcp_gpu_cluster.args import ACCOUNT_ID_PREFIX
from components.gcp_interconnect import (
    AttachmentSpec,
    GcpInterconnect,
    GcpInterconnectArgs,
    LinkSpec,
    TunnelSpec,
)
from components.gpu_metrics import GpuMetricsArgs
from components.workload_queues import WorkloadQueue
from stacks.clouds import CloudContext
from stacks.gpu import (
    ClusterGpuArgs,
    declare_gpu_addons,
    landing_zones,
    planned_annotations,
    planned_tags,
    pod_gpus,
    queue_flavor,
)
from stacks.wiring import Wire, Wires

CLOUD = "gcp"
NAME = "gcp"  # the GcpGpuCluster component's name
GKE_NAME_MAX = 40
TCPXO_MACHINE = "a3-megagpu-8g"
HYPERDISK_ONLY = ("a3-ultragpu-", "a4-")  # machine series that boot from Hyperdisk only
MANAGED_DCGM_NAMESPACE = "gke-managed-system"
KSA_ANNOTATION = "iam.gke.io/gcp-service-account"
MISSING_PROJECT = (
    "aidc:gcp.project is not set (nor gcp:project): Google Cloud resources need a project. Set it: "
    "pulumi config set --path 'aidc:gcp.project' PROJECT_ID --stack {stack}"
)
MISSING_PEERS = (
    "aidc:gcp.vpn.peer_ips is not set: HA VPN needs the public addresses of the private cloud's BGP routers, so no "
    "interconnect is declared and the private GKE control plane is unreachable from the private cloud. Set them: "
    "pulumi config set --path 'aidc:gcp.vpn.peer_ips[0]' ADDRESS --stack {stack}"
)
MISSING_INTERCONNECT = (
    "the plan sized no interconnect to Google Cloud (network.interconnects has no 'gcp' entry): the private GKE "
    "control plane is unreachable from the private cloud without it"
)


GCP_KMS_MAX_ROTATION_DAYS = 90  # CIS Google Cloud Foundations Benchmark 1.10


def cluster_name(stack: str) -> str:
    """The GKE cluster's name: 'aidc-<stack>', a DNS label of at most 40 characters."""
    slug = re.sub(r"[^a-z0-9-]+", "-", stack.lower()).strip("-")
    return f"aidc-{slug}"[:GKE_NAME_MAX].rstrip("-")


def _label_value(value: str) -> str:
    """A Google Cloud label value: lowercase letters, digits, '_' and '-', at most 63."""
    return re.sub(r"[^a-z0-9_-]+", "-", value.lower())[:63]


def accelerator_type(group: PublicGroup) -> str:
    """The GPU of a machine type as GKE names it (the catalog's mapping)."""
    try:
        return GPU_ACCELERATOR_TYPES[group.instance_type]
    except KeyError:
        raise ValueError(
            f"{group.name}: no GKE accelerator type for machine type {group.instance_type!r} "
            f"(aidc.clouds.gcp.catalog.GPU_ACCELERATOR_TYPES lists {', '.join(sorted(GPU_ACCELERATOR_TYPES))})"
        ) from None


def node_pool(group: PublicGroup, plan: CapacityPlan, gcp: Settings) -> GpuNodePool:
    """One public group of the plan as a GKE node pool: its range, reservation, labels and planned facts."""
    training = group.kind == "training"
    scaling = group.range
    zones = gcp.zone_names[:1] if training else gcp.zone_names
    reservation = group.reservation
    return GpuNodePool(
        name=group.name,
        machine_type=group.instance_type,
        accelerator_type=accelerator_type(group),
        gpus_per_node=group.gpus_per_instance,
        accelerator=group.accelerator,
        min_nodes=scaling.max.int if training else scaling.min.int,
        max_nodes=scaling.max.int,
        fixed=training,
        compact=training and scaling.max.int > 1,
        zones=zones,
        spot=group.spot,
        gpudirect="tcpxo" if group.instance_type == TCPXO_MACHINE else "none",
        disk_type="hyperdisk-balanced" if group.instance_type.startswith(HYPERDISK_ONLY) else "pd-balanced",
        reservation=(
            NodePoolReservation(instances=reservation.instances.int, end_date=reservation.end_date)
            if reservation is not None
            else None
        ),
        labels={
            **planned_annotations(planned_tags(group, plan)),
            WORKLOAD_LABEL: group.workload,
            KIND_LABEL: group.kind,
            CLASSIFICATION_LABEL: group.classification,
            LOCATION_LABEL: group.location,
        },
        gcp_labels={
            cloud_label_of(WORKLOAD_TAG): group.workload,
            cloud_label_of(CLASSIFICATION_TAG): group.classification,
            cloud_label_of(LOCATION_TAG): group.location,
        },
    )


def _groups(plan: CapacityPlan) -> list[PublicGroup]:
    return [g for g in plan.placement.public if g.location == CLOUD]


def _workloads(plan: CapacityPlan) -> list[str]:
    return list(dict.fromkeys(g.workload for g in _groups(plan)))


def _interconnect_plan(plan: CapacityPlan) -> GcpInterconnectPlan | None:
    found = plan.network.interconnect(CLOUD)
    return found if isinstance(found, GcpInterconnectPlan) else None


def cluster_args(cfg: StackConfig, plan: CapacityPlan, deploy_cidrs: list[str]) -> GcpGpuClusterArgs:
    """The GKE cluster, its network, key and bucket, and a node pool per public group the plan puts in Google Cloud."""
    gcp = settings_of(cfg)
    interconnect = _interconnect_plan(plan)
    authorized = dict.fromkeys([cfg.openstack.network_cidr, *deploy_cidrs, *gcp.admin_cidrs])
    return GcpGpuClusterArgs(
        cluster_name=cluster_name(cfg.stack),
        project=gcp.project,
        region=gcp.region,
        zones=gcp.zone_names,
        network_cidr=gcp.network_cidr,
        pods_cidr=gcp.pods_cidr,
        services_cidr=gcp.services_cidr,
        master_cidr=gcp.master_cidr,
        master_authorized_cidrs=tuple(authorized),
        release_channel=gcp.release_channel,
        system_machine_type=gcp.system_machine_type,
        system_nodes=gcp.system_nodes,
        router_asn=interconnect.router_asn if interconnect is not None else gcp.vpn.router_asn,
        # Cloud KMS keys rotate at the plan's period or the CIS Google Cloud benchmark's 90 days, whichever is
        # shorter (policies/gcp.py gcp-kms-key-rotation, max-rotation-days); rotating more often is never weaker.
        key_rotation_days=min(plan.security.key_rotation_days, GCP_KMS_MAX_ROTATION_DAYS),
        gpu_node_pools=tuple(node_pool(g, plan, gcp) for g in _groups(plan)),
        workload_identities=tuple(
            WorkloadIdentity(name=w, namespace=w, service_account=w, prefix=f"{w}/") for w in _workloads(plan)
        ),
        labels={cloud_label_of(STACK_TAG): _label_value(cfg.stack), **gcp.labels},
    )


def service_account_email(workload: str, project: str | None) -> str | None:
    """The workload's Google service account ('aidc-<workload>@<project>.iam.gserviceaccount.com'), if the project
    is known."""
    return None if project is None else f"{ACCOUNT_ID_PREFIX}{workload}@{project}.iam.gserviceaccount.com"


def gpu_args(plan: CapacityPlan, cluster: str, project: str | None) -> ClusterGpuArgs | None:
    """The GKE cluster's GPU add-ons: a queue per workload placed in Google Cloud (GPU quota summed over its pools),
    its service account annotated for Workload Identity, and Prometheus scraping GKE's managed DCGM exporter."""
    groups = _groups(plan)
    if not groups:
        return None
    flavors = {g.accelerator: queue_flavor(g.accelerator, g.location) for g in groups}
    workloads = []
    for workload in _workloads(plan):
        own = [g for g in groups if g.workload == workload]
        first = own[0]
        email = service_account_email(workload, project)
        workloads.append(
            WorkloadQueue(
                name=workload,
                kind=first.kind,
                classification=first.classification,
                flavor=flavors[first.accelerator].name,
                gpus=sum(g.gpus for g in own),
                pod_gpus=pod_gpus(plan, workload, first.kind, min(g.gpus_per_instance for g in own)),
                service_account_annotations={KSA_ANNOTATION: email} if email else {},
            )
        )
    return ClusterGpuArgs(
        operator=None,
        metrics=GpuMetricsArgs(
            cluster=cluster,
            exporter_namespace=MANAGED_DCGM_NAMESPACE,
            dcgm_exporter=False,
            server_node_selector={NODE_GROUP_LABEL: SYSTEM_NODE_GROUP},
        ),
        queues=landing_zones(cluster, flavors, workloads, on_system_nodes=True),
    )


@dataclass
class InterconnectArgs:
    args: GcpInterconnectArgs
    wires: dict[str, Wire]


def interconnect_args(cfg: StackConfig, plan: CapacityPlan, wires: Wires) -> InterconnectArgs | None:
    """HA VPN (and Dedicated Interconnect when sized) from the plan's GcpInterconnectPlan; None without one, or
    without the on-premises peers' addresses."""
    interconnect = _interconnect_plan(plan)
    gcp = settings_of(cfg)
    peers = interconnect.peer_ips if interconnect is not None and interconnect.peer_ips else gcp.vpn.peer_ips
    if interconnect is None or not peers:
        return None
    if interconnect.encryption == "ipsec":
        raise ValueError(
            "the plan encrypts the Google Cloud interconnect's dedicated links with IPsec (HA VPN over Cloud "
            "Interconnect), which this program does not declare: size them with MACsec or none"
        )
    named = {
        key: wires.new(f"{key} for the Google Cloud interconnect")
        for key in ("network_id", "router_id", "router_name")
    }
    advertised = interconnect.advertised_prefixes or tuple(cidr for _, cidr in gcp.routed_ranges())
    vpn = cfg.vpn
    return InterconnectArgs(
        args=GcpInterconnectArgs(
            project=gcp.project,
            region=gcp.region,
            network=named["network_id"].output,
            router=named["router_id"].output,
            router_name=named["router_name"].output,
            router_asn=interconnect.router_asn,
            peer_asn=interconnect.peer_asn,
            peer_ips=tuple(peers),
            tunnels=tuple(TunnelSpec.model_validate(asdict(t)) for t in interconnect.tunnels),
            ike_version=2 if vpn.ike_version == "ikev2" else 1,
            encryption=vpn.encryption,
            integrity=vpn.integrity,
            dh_group=vpn.dh_group,
            advertised_ranges=tuple(advertised),
            links=tuple(
                LinkSpec(name=k.name, location=k.location, circuits=k.circuits, link_type=k.link_type)
                for k in interconnect.links
            ),
            attachments=tuple(
                AttachmentSpec(
                    name=a.name, link=a.connection, bandwidth=a.bandwidth, vlan=a.vlan, bgp_cidr=a.bgp_cidr
                )
                for a in interconnect.attachments
            ),
            macsec=interconnect.encryption == "macsec",
            customer_name=gcp.project or cfg.stack,
            description=(
                f"aidc: transfers need {interconnect.required_gbps.value:.3f} Gbps, the plan provides "
                f"{interconnect.capacity_gbps.value:.3f} Gbps"
            ),
            labels={cloud_label_of(STACK_TAG): _label_value(cfg.stack), **gcp.labels},
        ),
        wires=named,
    )


def missing_settings(cfg: StackConfig, plan: CapacityPlan) -> list[str]:
    """What the stack lacks to deploy Google Cloud, each message naming its key."""
    gcp = settings_of(cfg)
    interconnect = _interconnect_plan(plan)
    missing = []
    if gcp.project is None:
        missing.append(MISSING_PROJECT.format(stack=cfg.stack))
    if interconnect is None:
        missing.append(MISSING_INTERCONNECT)
    elif not (interconnect.peer_ips or gcp.vpn.peer_ips):
        missing.append(MISSING_PEERS.format(stack=cfg.stack))
    return missing


def require_deployable(cfg: StackConfig, plan: CapacityPlan, dry_run: bool) -> None:
    """`pulumi up` refuses a stack that lacks what Google Cloud needs (a preview has warned: `declare`)."""
    missing = missing_settings(cfg, plan)
    if missing and not dry_run:
        raise pulumi.RunError("refusing to deploy Google Cloud: " + "; ".join(missing))


@dataclass
class Prepared:
    """Every Google Cloud Args of the stack, validated, with the wires that connect them once the cluster exists."""

    cluster: GcpGpuClusterArgs
    gpu: ClusterGpuArgs | None
    interconnect: InterconnectArgs | None
    missing: list[str] = field(default_factory=list)
    provider: dict[str, str | None] | None = (
        None  # an explicit provider's project and region, when the stack file
    )
    # does not set both gcp:project and gcp:region

    @property
    def gpu_cluster(self) -> str:
        """The cluster name the GPU queues are reported under (the GKE cluster's)."""
        return self.cluster.cluster_name


def prepare(ctx: CloudContext) -> Prepared:
    """Google Cloud's Args for this plan (no resource yet)."""
    cfg, plan = ctx.cfg, ctx.plan
    gcp = settings_of(cfg)
    cluster = cluster_args(cfg, plan, ctx.deploy_cidrs)
    explicit = not {"gcp:project", "gcp:region"} <= cfg.provider_keys
    return Prepared(
        cluster=cluster,
        gpu=gpu_args(plan, cluster.cluster_name, gcp.project),
        interconnect=interconnect_args(cfg, plan, ctx.wires),
        missing=missing_settings(cfg, plan),
        provider={"project": gcp.project, "region": gcp.region} if explicit else None,
    )


def declare(prepared: Prepared) -> dict[str, Any]:
    """The GKE cluster and its GPU add-ons, and the interconnect; returns Google Cloud's exports."""
    for message in prepared.missing:
        pulumi.log.warn(message)
    opts = (
        pulumi.ResourceOptions(
            providers={
                "gcp": pulumi_gcp.Provider(
                    "gcp", project=prepared.provider["project"], region=prepared.provider["region"]
                )
            }
        )
        if prepared.provider is not None
        else None
    )
    cluster = GcpGpuCluster(NAME, prepared.cluster, opts=opts)
    declare_gpu_addons(
        NAME, prepared.gpu, pulumi.ResourceOptions(providers={"kubernetes": cluster.kubernetes_provider})
    )
    exports: dict[str, Any] = {
        "gcp_project": cluster.project,
        "gcp_cluster_name": cluster.cluster_name,
        "gcp_cluster_endpoint": cluster.cluster_endpoint,
        "gcp_kubeconfig": cluster.kubeconfig,
        "gcp_datasets_bucket": cluster.bucket_name,
        "gcp_access_log_bucket": cluster.log_bucket_name,
        "gcp_kms_key": cluster.kms_key_id,
        "gcp_network": cluster.network_id,
        "gcp_router": cluster.router_name,
        "gcp_node_service_account": cluster.node_service_account,
        "gcp_service_accounts": cluster.service_account_emails,
    }
    if prepared.interconnect is not None:
        wires = prepared.interconnect.wires
        wires["network_id"].connect(cluster.network_id)
        wires["router_id"].connect(cluster.router_id)
        wires["router_name"].connect(cluster.router_name)
        interconnect = GcpInterconnect(f"{NAME}-interconnect", prepared.interconnect.args, opts=opts)
        exports.update(
            {
                "gcp_vpn_gateway_addresses": interconnect.gateway_addresses,
                "gcp_vpn_tunnels": interconnect.tunnels,
                "gcp_vpn_tunnel_psks": interconnect.tunnel_psks,
                "gcp_interconnect_links": interconnect.links,
                "gcp_interconnect_attachments": interconnect.attachments,
                "gcp_bgp_md5_keys": interconnect.bgp_md5_keys,
            }
        )
    return exports
