"""The network of GcpGpuCluster: a custom-mode VPC, one regional subnet for the nodes with secondary ranges for Pods
and Services (VPC-native GKE), Private Google Access (private nodes reach Google APIs and pull GKE's images without
public addresses) and VPC Flow Logs; a Cloud Router with the stack's private ASN — its BGP sessions are the
interconnect's (components/gcp_interconnect) — and Cloud NAT on it, so private nodes reach the internet (image
registries) outbound only. NAT logs translation errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_gcp as gcp

from components.gcp_gpu_cluster.args import GcpGpuClusterArgs
from components.gcp_gpu_cluster.scope import Scope

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True)
class Network:
    network: gcp.compute.Network
    subnet: gcp.compute.Subnetwork
    router: gcp.compute.Router
    nat: gcp.compute.RouterNat


def create_network(scope: Scope, args: GcpGpuClusterArgs) -> Network:
    """VPC, subnet (with its secondary ranges, Private Google Access, flow logs), Cloud Router and Cloud NAT."""
    network = gcp.compute.Network(
        f"{scope.name}-vpc",
        project=scope.project,
        auto_create_subnetworks=False,
        routing_mode="REGIONAL",
        opts=scope.opts(),
    )
    subnet = gcp.compute.Subnetwork(
        f"{scope.name}-nodes",
        project=scope.project,
        region=scope.region,
        network=network.id,
        ip_cidr_range=args.network_cidr,
        stack_type="IPV4_ONLY",
        private_ip_google_access=True,
        secondary_ip_ranges=[
            {"range_name": PODS_RANGE, "ip_cidr_range": args.pods_cidr},
            {"range_name": SERVICES_RANGE, "ip_cidr_range": args.services_cidr},
        ],
        log_config={
            "aggregation_interval": "INTERVAL_5_SEC",
            "flow_sampling": args.flow_log_sampling,
            "metadata": "INCLUDE_ALL_METADATA",
        },
        opts=scope.opts(),
    )
    router = gcp.compute.Router(
        f"{scope.name}-router",
        project=scope.project,
        region=scope.region,
        network=network.id,
        bgp={"asn": args.router_asn, "advertise_mode": "DEFAULT"},
        opts=scope.opts(),
    )
    nat = gcp.compute.RouterNat(
        f"{scope.name}-nat",
        project=scope.project,
        region=scope.region,
        router=router.name,
        nat_ip_allocate_option="AUTO_ONLY",
        source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
        subnetworks=[{"name": subnet.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
        log_config={"enable": True, "filter": "ERRORS_ONLY"},
        opts=scope.opts(),
    )
    return Network(network, subnet, router, nat)
