"""The GKE cluster of GcpGpuCluster: regional (the control plane replicated over the region's zones), VPC-native on
the subnet's secondary ranges, private (nodes have internal addresses only; the control plane answers on its private
endpoint only, and only the networks in master_authorized_cidrs: the private cloud, the deploy network and the
admin networks — never the internet, and Google Cloud's public ranges are not admitted either), Workload Identity,
Shielded Nodes, Dataplane V2 (eBPF datapath with Kubernetes NetworkPolicy built in; multi-networking when A3 Mega's
GPUDirect-TCPXO networks are planned), a release channel, Kubernetes secrets envelope-encrypted with the Cloud KMS
key, control-plane and workload logs, managed Prometheus with GKE's managed DCGM exporter (GPU metrics), and no
default node pool (removed at creation: every pool is declared in node_pools.py).

The control plane's private endpoint lives in a VPC peering GKE creates; the peering exports the VPC's custom
routes (those the Cloud Router learns over the interconnect), so replies reach the private cloud
(cloud.google.com/kubernetes-engine/docs/how-to/private-clusters#cp-on-prem-routing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp_gpu_cluster.args import GcpGpuClusterArgs
from components.gcp_gpu_cluster.kms import Key
from components.gcp_gpu_cluster.network import PODS_RANGE, SERVICES_RANGE, Network
from components.gcp_gpu_cluster.nodes_identity import CLOUD_PLATFORM_SCOPE, NodeIdentity
from components.gcp_gpu_cluster.scope import Scope, field

# Logs and metrics the cluster sends (container.v1 LoggingComponentConfig / MonitoringComponentConfig); DCGM is
# GKE's managed DCGM exporter, which needs managed Prometheus (cloud.google.com/kubernetes-engine/docs/how-to/dcgm-metrics).
LOG_COMPONENTS = ("SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER")
METRIC_COMPONENTS = ("SYSTEM_COMPONENTS", "DCGM")


def authorized_networks(cidrs: Sequence[str]) -> Any:
    """Master authorized networks: the named CIDRs only, enforced on the private endpoint too."""
    return {
        "cidr_blocks": [{"cidr_block": cidr, "display_name": f"aidc {cidr}"} for cidr in cidrs],
        "gcp_public_cidrs_access_enabled": False,
        "private_endpoint_enforcement_enabled": True,
    }


def node_security(identity: NodeIdentity, key: Key) -> Any:
    """What every node's config carries: its service account, Shielded VM, GKE metadata server, CMEK boot disk."""
    return {
        "service_account": identity.account.email,
        "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "boot_disk_kms_key": key.id,
    }


CREATE_ONLY_INPUTS = ("nodeConfig", "initialNodeCount")
"""Cluster inputs that matter only at creation (the default pool's), ignored afterwards."""


def create_cluster(
    scope: Scope,
    args: GcpGpuClusterArgs,
    net: Network,
    key: Key,
    identity: NodeIdentity,
    depends_on: Sequence[pulumi.Resource],
) -> gcp.container.Cluster:
    """The private regional cluster, without its default node pool."""
    # The default pool (removed once created) runs as the nodes' account too: never the Compute default.
    default_pool: Any = {"machine_type": args.system_machine_type, **node_security(identity, key)}
    return gcp.container.Cluster(
        f"{scope.name}-gke",
        name=args.cluster_name,
        project=scope.project,
        location=scope.region,
        node_locations=list(args.zones),
        network=net.network.id,
        subnetwork=net.subnet.id,
        networking_mode="VPC_NATIVE",
        ip_allocation_policy={
            "cluster_secondary_range_name": PODS_RANGE,
            "services_secondary_range_name": SERVICES_RANGE,
        },
        remove_default_node_pool=True,
        initial_node_count=1,
        node_config=default_pool,
        private_cluster_config={
            "enable_private_nodes": True,
            "enable_private_endpoint": True,
            "master_ipv4_cidr_block": args.master_cidr,
            "master_global_access_config": {"enabled": False},
        },
        master_authorized_networks_config=authorized_networks(args.master_authorized_cidrs),
        workload_identity_config={"workload_pool": scope.project.apply(lambda p: f"{p}.svc.id.goog")},
        enable_shielded_nodes=True,
        enable_legacy_abac=False,
        # No client certificates (GKE's default since 1.12, stated so a scanner and a reviewer see it): the
        # deploy identity and people authenticate with Google credentials only.
        master_auth={"client_certificate_config": {"issue_client_certificate": False}},
        # Pod-to-pod traffic on one node goes through the VPC too, so the subnet's flow logs see it.
        enable_intranode_visibility=True,
        datapath_provider="ADVANCED_DATAPATH",
        enable_multi_networking=True if args.gpudirect else None,
        release_channel={"channel": args.release_channel},
        database_encryption={"state": "ENCRYPTED", "key_name": key.id},
        logging_config={"enable_components": list(LOG_COMPONENTS)},
        monitoring_config={
            "enable_components": list(METRIC_COMPONENTS),
            "managed_prometheus": {"enabled": True},
        },
        deletion_protection=args.deletion_protection,
        resource_labels=dict(scope.labels),
        # The default pool's node_config and count apply only while the cluster is created (that pool is then
        # removed); afterwards the API reports no node config, so a later run would see a diff on a ForceNew field
        # and plan a replacement of the cluster (terraform-provider-google's node_config is ForceNew).
        opts=scope.opts(depends_on=list(depends_on), ignore_changes=CREATE_ONLY_INPUTS),
    )


def export_routes_to_control_plane(
    scope: Scope, net: Network, cluster: gcp.container.Cluster
) -> gcp.compute.NetworkPeeringRoutesConfig:
    """The control plane's peering exports the VPC's custom routes: the private cloud's, learned over BGP."""
    peering = cluster.private_cluster_config.apply(
        lambda config: field(config, "peering_name", "peeringName")
    )
    return gcp.compute.NetworkPeeringRoutesConfig(
        f"{scope.name}-gke-peering-routes",
        project=scope.project,
        network=net.network.name,
        peering=peering,
        export_custom_routes=True,
        import_custom_routes=False,
        opts=scope.opts(),
    )


# The ports the control plane must reach on the nodes beyond the 443/10250 GKE's own firewall rule opens for a
# private cluster (cloud.google.com/kubernetes-engine/docs/how-to/private-clusters, "Add firewall rules for specific
# use cases"): Kueue's admission webhook (the chart's webhookService targetPort 9443, tests/conformance/upstream/kueue/
# kueue-values.yaml) and its visibility API server (BindPort 8082 in Kueue's pkg/visibility/server.go), which the
# API server calls as an aggregated APIService. Without it ClusterQueue creation times out at the webhook.
CONTROL_PLANE_PORTS = ("8082", "9443")


def allow_control_plane_to_webhooks(
    scope: Scope, args: GcpGpuClusterArgs, net: Network, identity: NodeIdentity
) -> gcp.compute.Firewall:
    """Ingress from the control plane's range to the nodes (by their service account) on CONTROL_PLANE_PORTS only."""
    return gcp.compute.Firewall(
        f"{scope.name}-control-plane-webhooks",
        project=scope.project,
        network=net.network.id,
        description="GKE control plane to Kueue's webhook and visibility server on the nodes (aidc)",
        direction="INGRESS",
        priority=1000,
        source_ranges=[args.master_cidr],
        target_service_accounts=[identity.account.email],
        allows=[{"protocol": "tcp", "ports": list(CONTROL_PLANE_PORTS)}],
        log_config={"metadata": "INCLUDE_ALL_METADATA"},
        opts=scope.opts(),
    )
