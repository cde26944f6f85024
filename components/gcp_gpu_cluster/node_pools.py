"""The node pools of GcpGpuCluster: the system pool (CPU nodes for Kueue, Prometheus and GKE's own system pods, in
every zone of the cluster) and one pool per planned GPU group.

A GPU pool is its machine type with its GPUs in GKE's spelling (guest accelerator type and count) and the
GKE-managed NVIDIA driver (`gpu_driver_installation_config`; GKE runs the device plugin itself), gVNIC, Shielded VM,
the GKE metadata server (Workload Identity), a CMEK boot disk, the GPU taint and the labels the Kueue flavor selects
(aidc.io/accelerator, aidc.io/location) besides the plan's facts (aidc.io/<tag name>: GCP labels cannot hold them).
Training pools are fixed (every node for the whole run) in one zone, with compact placement when they span nodes;
serving pools autoscale between the plan's baseline and peak over the cluster's zones. A reserved pool consumes its
specific Compute Engine reservation only (reservations.py); A3 Mega pools attach their eight GPU NICs to the
GPUDirect-TCPXO networks (gpudirect.py). Upgrades of GPU pools surge no extra machine (scarce GPUs): one node at a
time is drained and replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_gcp as gcp

from aidc.contract import (
    ACCELERATOR_LABEL,
    CLUSTER_LABEL,
    COMPONENT_TAG,
    GPU_RESOURCE,
    GPUS_PER_INSTANCE_LABEL,
    NODE_GROUP_LABEL,
    NODE_GROUP_TAG,
    SYSTEM_NODE_GROUP,
    cloud_label_of,
)
from components.gcp_gpu_cluster.args import SYSTEM_POOL, GcpGpuClusterArgs, GpuNodePool
from components.gcp_gpu_cluster.gke import node_security
from components.gcp_gpu_cluster.kms import Key
from components.gcp_gpu_cluster.nodes_identity import NodeIdentity
from components.gcp_gpu_cluster.scope import Scope

# The taint GKE itself puts on GPU nodes (and the Kueue flavors carry): only pods that tolerate it land there.
GPU_TAINT = {"key": GPU_RESOURCE, "value": "present", "effect": "NO_SCHEDULE"}
RESERVATION_KEY = "compute.googleapis.com/reservation-name"
IMAGE_TYPE = "COS_CONTAINERD"


def gpu_node_labels(cluster_name: str, pool: GpuNodePool) -> dict[str, str]:
    """The pool's Kubernetes node labels: the caller's (flavor, plan facts) and what the policies count by."""
    return {
        **pool.labels,
        CLUSTER_LABEL: cluster_name,
        NODE_GROUP_LABEL: pool.name,
        ACCELERATOR_LABEL: pool.accelerator,
        GPUS_PER_INSTANCE_LABEL: str(pool.gpus_per_node),
    }


def _sizing(pool: GpuNodePool) -> Any:
    """A fixed pool's node count (one zone: per zone is the total), or an autoscaled pool's total range."""
    if pool.fixed:
        return {"node_count": pool.max_nodes}
    return {
        "autoscaling": {
            "total_min_node_count": pool.min_nodes,
            "total_max_node_count": pool.max_nodes,
            # ANY lets the autoscaler use a zone's unused reservations and spot capacity first.
            "location_policy": "ANY" if pool.spot else "BALANCED",
        }
    }


def _gpu_node_config(
    args: GcpGpuClusterArgs,
    pool: GpuNodePool,
    security: dict[str, Any],
    labels: dict[str, str],
    reservation: pulumi.Input[str] | None,
) -> Any:
    config: dict[str, Any] = {
        "machine_type": pool.machine_type,
        "image_type": IMAGE_TYPE,
        "disk_type": pool.disk_type,
        "disk_size_gb": pool.disk_size_gb,
        "guest_accelerators": [
            {
                "type": pool.accelerator_type,
                "count": pool.gpus_per_node,
                "gpu_driver_installation_config": {"gpu_driver_version": pool.gpu_driver_version},
            }
        ],
        "gvnic": {"enabled": True},
        "spot": pool.spot,
        "labels": gpu_node_labels(args.cluster_name, pool),
        "resource_labels": labels,
        "taints": [dict(GPU_TAINT)],
        **security,
    }
    if reservation is not None:
        config["reservation_affinity"] = {
            "consume_reservation_type": "SPECIFIC_RESERVATION",
            "key": RESERVATION_KEY,
            "values": [reservation],
        }
    return config


def create_gpu_pool(
    scope: Scope,
    args: GcpGpuClusterArgs,
    cluster: gcp.container.Cluster,
    pool: GpuNodePool,
    security: dict[str, Any],
    reservation: pulumi.Input[str] | None,
    gpu_networks: Sequence[tuple[pulumi.Input[str], pulumi.Input[str]]],
    depends_on: Sequence[pulumi.Resource],
) -> gcp.container.NodePool:
    """One GPU group's node pool."""
    labels = {
        **scope.labels,
        **pool.gcp_labels,
        cloud_label_of(NODE_GROUP_TAG): pool.name,
        cloud_label_of(COMPONENT_TAG): scope.name,
    }
    network_config: Any = {"enable_private_nodes": True}
    if pool.gpudirect == "tcpxo":
        network_config["additional_node_network_configs"] = [
            {"network": network, "subnetwork": subnet} for network, subnet in gpu_networks
        ]
    return gcp.container.NodePool(
        f"{scope.name}-{pool.name}",
        name=pool.name,
        project=scope.project,
        location=scope.region,
        cluster=cluster.name,
        node_locations=list(pool.zones),
        node_config=_gpu_node_config(args, pool, security, labels, reservation),
        network_config=network_config,
        placement_policy={"type": "COMPACT"} if pool.compact else None,
        management={"auto_repair": True, "auto_upgrade": True},
        upgrade_settings={"strategy": "SURGE", "max_surge": 0, "max_unavailable": 1},
        **_sizing(pool),
        # A pool has a fixed name, and GKE refuses a second pool of the same name: a change that replaces it
        # (placement, accelerator, Spot, reservation) deletes the old pool first, which also never asks for twice
        # the GPU quota.
        opts=scope.opts(depends_on=list(depends_on), delete_before_replace=True),
    )


def create_system_pool(
    scope: Scope, args: GcpGpuClusterArgs, cluster: gcp.container.Cluster, identity: NodeIdentity, key: Key
) -> gcp.container.NodePool:
    """The system pool: fixed, system_nodes per zone, labelled as the cluster's system node group."""
    return gcp.container.NodePool(
        f"{scope.name}-{SYSTEM_POOL}",
        name=SYSTEM_POOL,
        project=scope.project,
        location=scope.region,
        cluster=cluster.name,
        node_locations=list(args.zones),
        node_count=args.system_nodes,
        node_config={
            "machine_type": args.system_machine_type,
            "image_type": IMAGE_TYPE,
            "disk_type": "pd-balanced",
            "disk_size_gb": 100,
            "labels": {NODE_GROUP_LABEL: SYSTEM_NODE_GROUP, CLUSTER_LABEL: args.cluster_name},
            "resource_labels": {**scope.labels, cloud_label_of(NODE_GROUP_TAG): SYSTEM_POOL},
            **node_security(identity, key),
        },
        network_config={"enable_private_nodes": True},
        management={"auto_repair": True, "auto_upgrade": True},
        upgrade_settings={"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0},
        opts=scope.opts(
            depends_on=[identity.role, *key.grants], delete_before_replace=True
        ),  # named: as above
    )
