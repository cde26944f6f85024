"""The CephCluster of CephStorage: monitors and managers, msgr2 in-transit encryption, OSDs (encrypted at rest)
on the named storage nodes' matching devices, every daemon on the storage-labelled nodes."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._scope import Scope
from components.ceph_storage.args import CephStorageArgs

CEPH_API = "ceph.rook.io/v1"
MANAGERS = 2  # one active, one standby


def storage_node_affinity(storage_node_label: str) -> dict[str, Any]:
    """A required node affinity to the nodes carrying the 'key=value' storage label."""
    label_key, _, label_value = storage_node_label.partition("=")
    return {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": label_key, "operator": "In", "values": [label_value]}]}
            ]
        }
    }


def cluster_spec(args: CephStorageArgs) -> dict[str, Any]:
    """CephCluster spec (Rook v1.16): the pinned Ceph image, the Args' monitors, encryption and devices."""
    storage_config: dict[str, str] = {"osdsPerDevice": str(args.osds_per_device)}
    if args.encrypt_osds:
        storage_config["encryptedDevice"] = "true"
    return {
        "cephVersion": {"image": args.ceph_image, "allowUnsupported": False},
        "dataDirHostPath": "/var/lib/rook",
        "mon": {"count": args.monitors, "allowMultiplePerNode": False},
        "mgr": {"count": MANAGERS, "allowMultiplePerNode": False},
        "network": {
            "connections": {
                "encryption": {"enabled": args.encrypt_in_transit},
                "compression": {"enabled": False},
                "requireMsgr2": args.encrypt_in_transit,
            }
        },
        "placement": {"all": {"nodeAffinity": storage_node_affinity(args.storage_node_label)}},
        "storage": {
            "useAllNodes": False,
            "useAllDevices": False,
            "deviceFilter": args.device_filter,
            "config": storage_config,
            "nodes": [{"name": node} for node in args.storage_nodes],
        },
        "dashboard": {"enabled": True, "ssl": True},
        "crashCollector": {"disable": False},
    }


def create_cluster(
    scope: Scope, args: CephStorageArgs, operator: pulumi.Resource
) -> k8s.apiextensions.CustomResource:
    """The CephCluster, once the operator (and its CRDs) exists."""
    return k8s.apiextensions.CustomResource(
        f"{scope.name}-cluster",
        api_version=CEPH_API,
        kind="CephCluster",
        metadata={"name": args.cluster_name, "namespace": args.namespace},
        spec=cluster_spec(args),
        opts=scope.opts(depends_on=[operator]),
    )
