"""Block pools of CephStorage: per planned block pool a CephBlockPool (an erasure-coded one with a replicated
metadata pool beside it: RBD keeps image headers only in a replicated pool) and an RBD StorageClass.

The pool specs (also an object store's data and metadata pools) set the plan's pg_num and turn the autoscaler off
for the pool: the two settings Ceph accepts in any order Rook applies them in (the package docstring says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._scope import Scope
from components.ceph_storage.args import CephPoolSpec, CephStorageArgs
from components.ceph_storage.cluster import CEPH_API

METADATA_REPLICAS = 3


def protection(pool: CephPoolSpec) -> dict[str, Any]:
    """The pool's `replicated` or `erasureCoded` section."""
    if pool.replicated_size is not None:
        return {"replicated": {"size": pool.replicated_size, "requireSafeReplicaSize": True}}
    return {"erasureCoded": {"dataChunks": pool.erasure_k, "codingChunks": pool.erasure_m}}


def pool_spec(pool: CephPoolSpec) -> dict[str, Any]:
    """A planned pool's spec: failure domain, protection, and its pg_num with the autoscaler off."""
    return {
        "failureDomain": pool.failure_domain,
        **protection(pool),
        # Both accepted by Ceph in any order Rook applies them in (package docstring).
        "parameters": {"pg_num": str(pool.pg_num), "pg_autoscale_mode": "off"},
    }


def metadata_pool_spec(failure_domain: str) -> dict[str, Any]:
    """Metadata of EC data (RBD image headers, RGW indexes) must be on a replicated pool."""
    return {
        "failureDomain": failure_domain,
        "replicated": {"size": METADATA_REPLICAS, "requireSafeReplicaSize": True},
    }


def rbd_parameters(namespace: str, pool: str) -> dict[str, str]:
    """The RBD CSI StorageClass parameters for a replicated pool (an EC pool adds its metadata pool)."""
    return {
        "clusterID": namespace,
        "pool": pool,
        "imageFormat": "2",
        "imageFeatures": "layering",
        "csi.storage.k8s.io/provisioner-secret-name": "rook-csi-rbd-provisioner",
        "csi.storage.k8s.io/provisioner-secret-namespace": namespace,
        "csi.storage.k8s.io/controller-expand-secret-name": "rook-csi-rbd-provisioner",
        "csi.storage.k8s.io/controller-expand-secret-namespace": namespace,
        "csi.storage.k8s.io/node-stage-secret-name": "rook-csi-rbd-node",
        "csi.storage.k8s.io/node-stage-secret-namespace": namespace,
        "csi.storage.k8s.io/fstype": "ext4",
    }


@dataclass(frozen=True)
class BlockPool:
    """What one planned block pool declared."""

    pool_names: list[str]
    """The Ceph pools, the metadata pool first where there is one."""
    storage_class: pulumi.Output[str]
    """The RBD StorageClass's name."""


def create_block_pool(
    scope: Scope, args: CephStorageArgs, pool: CephPoolSpec, cluster: pulumi.Resource
) -> BlockPool:
    """The pool (and its metadata pool if erasure coded) once the cluster exists, then its StorageClass."""
    name, ns = scope.name, args.namespace
    parameters = rbd_parameters(ns, pool.name)
    pool_names: list[str] = []
    metadata: list[pulumi.Resource] = []
    if pool.replicated_size is None:
        # RBD keeps image metadata in a replicated pool and the data in the EC pool.
        metadata.append(
            k8s.apiextensions.CustomResource(
                f"{name}-pool-{pool.name}-metadata",
                api_version=CEPH_API,
                kind="CephBlockPool",
                metadata={"name": f"{pool.name}-metadata", "namespace": ns},
                spec=metadata_pool_spec(pool.failure_domain),
                opts=scope.opts(depends_on=[cluster]),
            )
        )
        parameters.update({"pool": f"{pool.name}-metadata", "dataPool": pool.name})
        pool_names.append(f"{pool.name}-metadata")
    block_pool = k8s.apiextensions.CustomResource(
        f"{name}-pool-{pool.name}",
        api_version=CEPH_API,
        kind="CephBlockPool",
        metadata={"name": pool.name, "namespace": ns},
        spec=pool_spec(pool),
        opts=scope.opts(depends_on=[cluster]),
    )
    storage_class = k8s.storage.v1.StorageClass(
        f"{name}-sc-{pool.name}",
        metadata={"name": f"ceph-rbd-{pool.name}"},
        provisioner=f"{ns}.rbd.csi.ceph.com",
        parameters=parameters,
        reclaim_policy=args.reclaim_policy,
        allow_volume_expansion=True,
        volume_binding_mode="Immediate",
        opts=scope.opts(depends_on=[block_pool, *metadata]),
    )
    return BlockPool([*pool_names, pool.name], storage_class.metadata["name"])
