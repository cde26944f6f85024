"""GPUDirect-TCPXO networking of GcpGpuCluster, declared only when an A3 Mega pool (a3-megagpu-8g) is planned.

An A3 Mega machine has eight GPU NICs besides its primary gVNIC; GPUDirect-TCPXO needs each on its own VPC network
with an MTU of 8244 and one subnet in the cluster's region, with traffic among those subnets allowed
(cloud.google.com/kubernetes-engine/docs/how-to/gpu-bandwidth-gpudirect-tcpx, "Create VPCs and subnets"). The
cluster runs Dataplane V2 with multi-networking (gke.py); A3 Mega pools attach the eight networks as additional node
networks (node_pools.py), and on the cluster a GKENetworkParamSet (deviceMode NetDevice) and a Network (type
Device) per NIC, named gpu-nic<i>, let pods take the NICs as devices (`networking.gke.io/interfaces`).

These networks are routed nowhere (no router, no NAT, no interconnect): they carry GPU-to-GPU traffic between the
cluster's A3 Mega nodes only. The NCCL TCPXO plugin and its RxDM sidecar are the workload's (docs/gcp.md).
One set of eight per cluster, whatever the number of pools or GPUs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from aidc.contract import CLUSTER_LABEL
from components.gcp_gpu_cluster.args import GcpGpuClusterArgs, gpudirect_subnets
from components.gcp_gpu_cluster.scope import Scope

GPU_NIC_MTU = 8244
GKE_NETWORKING_API = "networking.gke.io/v1"


@dataclass(frozen=True)
class GpuNetworks:
    networks: list[gcp.compute.Network]
    subnets: list[gcp.compute.Subnetwork]

    @property
    def attachments(self) -> list[tuple[pulumi.Output[str], pulumi.Output[str]]]:
        """(network name, subnet name) per NIC, in NIC order: the node pools' additional node networks."""
        return [(net.name, sub.name) for net, sub in zip(self.networks, self.subnets, strict=True)]


def create_gpu_networks(scope: Scope, args: GcpGpuClusterArgs) -> GpuNetworks | None:
    """Eight VPC networks (MTU 8244), one subnet each, and a firewall rule admitting the subnets' traffic."""
    if not args.gpudirect:
        return None
    networks: list[gcp.compute.Network] = []
    subnets: list[gcp.compute.Subnetwork] = []
    for index, cidr in enumerate(gpudirect_subnets(args.gpudirect_cidr)):
        network = gcp.compute.Network(
            f"{scope.name}-gpunic-{index}",
            project=scope.project,
            auto_create_subnetworks=False,
            mtu=GPU_NIC_MTU,
            routing_mode="REGIONAL",
            opts=scope.opts(),
        )
        subnets.append(
            gcp.compute.Subnetwork(
                f"{scope.name}-gpunic-{index}",
                project=scope.project,
                region=scope.region,
                network=network.id,
                ip_cidr_range=cidr,
                opts=scope.opts(),
            )
        )
        gcp.compute.Firewall(
            f"{scope.name}-gpunic-{index}-internal",
            project=scope.project,
            network=network.id,
            direction="INGRESS",
            source_ranges=[args.gpudirect_cidr],
            allows=[{"protocol": "tcp"}, {"protocol": "udp"}, {"protocol": "icmp"}],
            opts=scope.opts(),
        )
        networks.append(network)
    return GpuNetworks(networks, subnets)


def declare_device_networks(
    scope: Scope, args: GcpGpuClusterArgs, networks: GpuNetworks, provider: k8s.Provider
) -> None:
    """Per NIC, the GKENetworkParamSet and Network objects that expose it to pods as a device."""
    labels = {CLUSTER_LABEL: args.cluster_name}
    for index, (network, subnet) in enumerate(networks.attachments):
        name = f"gpu-nic{index}"
        params = k8s.apiextensions.CustomResource(
            f"{scope.name}-{name}-params",
            api_version=GKE_NETWORKING_API,
            kind="GKENetworkParamSet",
            metadata={"name": name, "labels": labels},
            spec={"vpc": network, "vpcSubnet": subnet, "deviceMode": "NetDevice"},
            opts=scope.opts(provider=provider),
        )
        k8s.apiextensions.CustomResource(
            f"{scope.name}-{name}",
            api_version=GKE_NETWORKING_API,
            kind="Network",
            metadata={"name": name, "labels": labels},
            spec={
                "parametersRef": {"group": "networking.gke.io", "kind": "GKENetworkParamSet", "name": name},
                "type": "Device",
            },
            opts=scope.opts(provider=provider, depends_on=[params]),
        )
