"""CephStorage: Rook-Ceph on the private K3s core cluster (pulumi_kubernetes).

The Rook operator chart (pinned version), one CephCluster (monitor count, storage nodes and device filter
from the Args; OSDs encrypted at rest and msgr2 in-transit encryption on by default), one CephBlockPool
plus RBD StorageClass per planned block pool and one CephObjectStore (RGW) plus bucket StorageClass per
planned object pool, each with the planned replication or erasure coding and failure domain. The caller
passes the kubernetes Provider (built from K3sCluster.kubeconfig) in the component's ResourceOptions;
children inherit it through `parent`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

POOL_KINDS = ("block", "object")
FAILURE_DOMAINS = ("host", "rack", "zone", "osd")
RECLAIM_POLICIES = ("Retain", "Delete")
ROOK_CHART_REPO = "https://charts.rook.io/release"
_SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
_CHART_VERSION = re.compile(r"^v\d+\.\d+\.\d+$")
_LABEL = re.compile(r"^([a-z0-9.-]+/)?[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class CephPoolSpec:
    """One planned Ceph pool: a block pool (RBD) or an object store's data pool (RGW)."""

    name: str
    """Stable slug naming the pool (and its storage class)."""
    kind: str
    """'block' (CephBlockPool + RBD StorageClass) or 'object' (CephObjectStore + bucket StorageClass)."""
    pg_num: int
    """Planned placement groups (power of two); set as pg_num_min so the autoscaler never goes below it."""
    replicated_size: int | None = None
    """Replica count (size); None when the pool is erasure coded."""
    erasure_k: int | None = None
    """Erasure-coding data chunks (dataChunks); None when replicated."""
    erasure_m: int | None = None
    """Erasure-coding coding chunks (codingChunks); None when replicated."""
    failure_domain: str = "host"
    """CRUSH failure domain: no two copies/chunks share one of these."""

    @property
    def failure_domains_needed(self) -> int:
        """How many distinct failure domains the pool needs to place every copy or chunk."""
        if self.replicated_size is not None:
            return self.replicated_size
        return (self.erasure_k or 0) + (self.erasure_m or 0)


@dataclass(frozen=True)
class CephStorageArgs:
    """Inputs of CephStorage (the storage slice of the capacity plan plus versions)."""

    storage_nodes: Sequence[str]
    """Kubernetes node names (kubernetes.io/hostname) that carry OSDs; useAllNodes stays false."""
    pools: Sequence[CephPoolSpec]
    """Planned pools; at least one."""
    namespace: str = "rook-ceph"
    """Namespace of the operator and the cluster."""
    cluster_name: str = "rook-ceph"
    """Name of the CephCluster resource."""
    rook_chart_version: str = "v1.16.4"
    """Pinned rook-ceph chart version."""
    ceph_image: str = "quay.io/ceph/ceph:v19.2.1"
    """Pinned Ceph container image (a tag or digest, never 'latest')."""
    monitors: int = 3
    """Ceph monitor count: odd and >= 3 (quorum)."""
    storage_node_label: str = "aidc.io/storage=true"
    """'key=value' node label every Ceph daemon is scheduled on."""
    device_filter: str = "^nvme[0-9]+n1$"
    """Regex of the raw devices OSDs consume on each storage node."""
    osds_per_device: int = 1
    """OSDs per matching device (more than 1 only for fast NVMe)."""
    encrypt_osds: bool = True
    """Encrypt OSDs at rest with dm-crypt (storage.config.encryptedDevice)."""
    encrypt_in_transit: bool = True
    """msgr2 on-wire encryption between daemons and clients (network.connections.encryption)."""
    reclaim_policy: str = "Retain"
    """reclaimPolicy of the storage classes; Retain keeps data when a claim is deleted."""
    rgw_instances: int = 2
    """RGW gateway pods per object store."""
    operator_values: dict[str, Any] = field(default_factory=dict)
    """Extra values for the rook-ceph chart (merged over aidc's)."""


def _validate(args: CephStorageArgs) -> None:
    if args.monitors < 3 or args.monitors % 2 == 0:
        raise ValueError(f"monitors: must be odd and >= 3 (3 or 5 typical), got {args.monitors}")
    if not _CHART_VERSION.match(args.rook_chart_version):
        raise ValueError(
            f"rook_chart_version: must be a pinned version like 'v1.16.4', got {args.rook_chart_version!r}"
        )
    if ":" not in args.ceph_image or args.ceph_image.endswith(":latest"):
        raise ValueError(
            f"ceph_image: must carry a pinned tag, e.g. 'quay.io/ceph/ceph:v19.2.1', got {args.ceph_image!r}"
        )
    if not _LABEL.match(args.storage_node_label):
        raise ValueError(f"storage_node_label: must be 'key=value', got {args.storage_node_label!r}")
    if isinstance(args.storage_nodes, str) or not args.storage_nodes:
        raise ValueError("storage_nodes: must list at least one node name")
    if len(set(args.storage_nodes)) != len(args.storage_nodes):
        raise ValueError("storage_nodes: lists a node more than once")
    if args.osds_per_device < 1:
        raise ValueError(f"osds_per_device: must be >= 1, got {args.osds_per_device}")
    if args.reclaim_policy not in RECLAIM_POLICIES:
        raise ValueError(
            f"reclaim_policy: must be one of {', '.join(RECLAIM_POLICIES)}, got {args.reclaim_policy!r}"
        )
    if args.rgw_instances < 1:
        raise ValueError(f"rgw_instances: must be >= 1, got {args.rgw_instances}")
    if not args.pools:
        raise ValueError("pools: must declare at least one pool")
    seen: set[str] = set()
    for index, pool in enumerate(args.pools):
        where = f"pools[{index}]"
        if not _SLUG.match(pool.name):
            raise ValueError(
                f"{where}.name: must be a lower-case slug [a-z0-9-] of 1-40 characters, got {pool.name!r}"
            )
        if pool.name in seen:
            raise ValueError(f"{where}.name: {pool.name!r} is used by another pool; names must be unique")
        seen.add(pool.name)
        if pool.kind not in POOL_KINDS:
            raise ValueError(f"{where}.kind: must be one of {', '.join(POOL_KINDS)}, got {pool.kind!r}")
        if pool.failure_domain not in FAILURE_DOMAINS:
            raise ValueError(
                f"{where}.failure_domain: must be one of {', '.join(FAILURE_DOMAINS)}, got {pool.failure_domain!r}"
            )
        replicated = pool.replicated_size is not None
        erasure = pool.erasure_k is not None or pool.erasure_m is not None
        if replicated == erasure:
            raise ValueError(
                f"{where}: set either replicated_size or erasure_k and erasure_m, not both or neither"
            )
        if replicated and (pool.replicated_size or 0) < 2:
            raise ValueError(f"{where}.replicated_size: must be >= 2, got {pool.replicated_size}")
        if erasure and ((pool.erasure_k or 0) < 2 or (pool.erasure_m or 0) < 1):
            raise ValueError(f"{where}.erasure_k/erasure_m: need erasure_k >= 2 and erasure_m >= 1")
        if pool.pg_num < 1 or pool.pg_num & (pool.pg_num - 1):
            raise ValueError(f"{where}.pg_num: must be a power of two, got {pool.pg_num}")
        if pool.failure_domain == "host" and len(args.storage_nodes) < pool.failure_domains_needed:
            raise ValueError(
                f"{where}: needs {pool.failure_domains_needed} hosts for failureDomain host, "
                f"storage_nodes lists {len(args.storage_nodes)}"
            )


def _protection(pool: CephPoolSpec) -> dict[str, Any]:
    if pool.replicated_size is not None:
        return {"replicated": {"size": pool.replicated_size, "requireSafeReplicaSize": True}}
    return {"erasureCoded": {"dataChunks": pool.erasure_k, "codingChunks": pool.erasure_m}}


def _pool_spec(pool: CephPoolSpec) -> dict[str, Any]:
    return {
        "failureDomain": pool.failure_domain,
        **_protection(pool),
        "parameters": {"pg_num_min": str(pool.pg_num)},
    }


def _metadata_pool_spec(failure_domain: str) -> dict[str, Any]:
    """Metadata of EC data (RBD image headers, RGW indexes) must be on a replicated pool."""
    return {"failureDomain": failure_domain, "replicated": {"size": 3, "requireSafeReplicaSize": True}}


class CephStorage(pulumi.ComponentResource):
    """Rook operator, CephCluster, block pools, object stores and their storage classes."""

    cluster_name: pulumi.Output[str]
    block_storage_class: pulumi.Output[str | None]
    bucket_storage_class: pulumi.Output[str | None]
    object_store_name: pulumi.Output[str | None]
    pool_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: CephStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("aidc:storage:CephStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = args.namespace
        label_key, _, label_value = args.storage_node_label.partition("=")

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": ns,
                # Ceph daemons need host devices and host networking: privileged, in this namespace only.
                "labels": {"pod-security.kubernetes.io/enforce": "privileged"},
            },
            opts=child,
        )
        operator = k8s.helm.v3.Release(
            f"{name}-operator",
            name="rook-ceph",
            chart="rook-ceph",
            version=args.rook_chart_version,
            repository_opts={"repo": ROOK_CHART_REPO},
            namespace=namespace.metadata["name"],
            values={"crds": {"enabled": True}, "enableDiscoveryDaemon": False, **args.operator_values},
            atomic=True,
            opts=child,
        )
        after_operator = pulumi.ResourceOptions(parent=self, depends_on=[operator])

        node_affinity = {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": label_key, "operator": "In", "values": [label_value]}]}
                ]
            }
        }
        storage_config: dict[str, str] = {"osdsPerDevice": str(args.osds_per_device)}
        if args.encrypt_osds:
            storage_config["encryptedDevice"] = "true"
        cluster = k8s.apiextensions.CustomResource(
            f"{name}-cluster",
            api_version="ceph.rook.io/v1",
            kind="CephCluster",
            metadata={"name": args.cluster_name, "namespace": ns},
            spec={
                "cephVersion": {"image": args.ceph_image, "allowUnsupported": False},
                "dataDirHostPath": "/var/lib/rook",
                "mon": {"count": args.monitors, "allowMultiplePerNode": False},
                "mgr": {"count": 2, "allowMultiplePerNode": False},
                "network": {
                    "connections": {
                        "encryption": {"enabled": args.encrypt_in_transit},
                        "compression": {"enabled": False},
                        "requireMsgr2": args.encrypt_in_transit,
                    }
                },
                "placement": {"all": {"nodeAffinity": node_affinity}},
                "storage": {
                    "useAllNodes": False,
                    "useAllDevices": False,
                    "deviceFilter": args.device_filter,
                    "config": storage_config,
                    "nodes": [{"name": node} for node in args.storage_nodes],
                },
                "dashboard": {"enabled": True, "ssl": True},
                "crashCollector": {"disable": False},
            },
            opts=after_operator,
        )
        after_cluster = pulumi.ResourceOptions(parent=self, depends_on=[cluster])

        pool_names: list[str] = []
        block_classes: list[pulumi.Output[str]] = []
        bucket_classes: list[pulumi.Output[str]] = []
        object_stores: list[str] = []
        for pool in args.pools:
            if pool.kind == "block":
                sc_parameters: dict[str, str] = {
                    "clusterID": ns,
                    "pool": pool.name,
                    "imageFormat": "2",
                    "imageFeatures": "layering",
                    "csi.storage.k8s.io/provisioner-secret-name": "rook-csi-rbd-provisioner",
                    "csi.storage.k8s.io/provisioner-secret-namespace": ns,
                    "csi.storage.k8s.io/controller-expand-secret-name": "rook-csi-rbd-provisioner",
                    "csi.storage.k8s.io/controller-expand-secret-namespace": ns,
                    "csi.storage.k8s.io/node-stage-secret-name": "rook-csi-rbd-node",
                    "csi.storage.k8s.io/node-stage-secret-namespace": ns,
                    "csi.storage.k8s.io/fstype": "ext4",
                }
                depends: list[pulumi.Resource] = []
                if pool.replicated_size is None:
                    # RBD keeps image metadata in a replicated pool and the data in the EC pool.
                    metadata_pool = k8s.apiextensions.CustomResource(
                        f"{name}-pool-{pool.name}-metadata",
                        api_version="ceph.rook.io/v1",
                        kind="CephBlockPool",
                        metadata={"name": f"{pool.name}-metadata", "namespace": ns},
                        spec=_metadata_pool_spec(pool.failure_domain),
                        opts=after_cluster,
                    )
                    depends.append(metadata_pool)
                    sc_parameters["pool"] = f"{pool.name}-metadata"
                    sc_parameters["dataPool"] = pool.name
                    pool_names.append(f"{pool.name}-metadata")
                block_pool = k8s.apiextensions.CustomResource(
                    f"{name}-pool-{pool.name}",
                    api_version="ceph.rook.io/v1",
                    kind="CephBlockPool",
                    metadata={"name": pool.name, "namespace": ns},
                    spec=_pool_spec(pool),
                    opts=after_cluster,
                )
                storage_class = k8s.storage.v1.StorageClass(
                    f"{name}-sc-{pool.name}",
                    metadata={"name": f"ceph-rbd-{pool.name}"},
                    provisioner=f"{ns}.rbd.csi.ceph.com",
                    parameters=sc_parameters,
                    reclaim_policy=args.reclaim_policy,
                    allow_volume_expansion=True,
                    volume_binding_mode="Immediate",
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[block_pool, *depends]),
                )
                block_classes.append(storage_class.metadata["name"])
            else:
                object_store = k8s.apiextensions.CustomResource(
                    f"{name}-objectstore-{pool.name}",
                    api_version="ceph.rook.io/v1",
                    kind="CephObjectStore",
                    metadata={"name": pool.name, "namespace": ns},
                    spec={
                        "metadataPool": _metadata_pool_spec(pool.failure_domain),
                        "dataPool": _pool_spec(pool),
                        "preservePoolsOnDelete": True,
                        "gateway": {"port": 80, "instances": args.rgw_instances},
                    },
                    opts=after_cluster,
                )
                bucket_class = k8s.storage.v1.StorageClass(
                    f"{name}-bucket-sc-{pool.name}",
                    metadata={"name": f"ceph-bucket-{pool.name}"},
                    provisioner=f"{ns}.ceph.rook.io/bucket",
                    parameters={"objectStoreName": pool.name, "objectStoreNamespace": ns},
                    reclaim_policy=args.reclaim_policy,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[object_store]),
                )
                bucket_classes.append(bucket_class.metadata["name"])
                object_stores.append(pool.name)
            pool_names.append(pool.name)

        def first(outputs: list[pulumi.Output[str]]) -> pulumi.Output[str | None]:
            return outputs[0] if outputs else pulumi.Output.from_input(None)

        # Known once the CephCluster exists (CustomResource has no typed metadata attribute).
        self.cluster_name = cluster.id.apply(lambda _: args.cluster_name)
        self.block_storage_class = first(block_classes)
        self.bucket_storage_class = first(bucket_classes)
        self.object_store_name = pulumi.Output.from_input(object_stores[0] if object_stores else None)
        self.pool_names = pulumi.Output.from_input(pool_names)
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "block_storage_class": self.block_storage_class,
                "bucket_storage_class": self.bucket_storage_class,
                "object_store_name": self.object_store_name,
                "pool_names": self.pool_names,
            }
        )
