"""The CephStorage ComponentResource: reads top to bottom, one call per concern (modules of this package).

Names, parents and inputs of every child are decided in the concern modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components._scope import Scope
from components.ceph_storage import certificates, cluster, object_store, operator, pools
from components.ceph_storage.args import CephStorageArgs


@dataclass
class _Declared:
    """What the pools declared, in the Args' order: the outputs are read from it."""

    pool_names: list[str] = field(default_factory=list)
    block_classes: list[pulumi.Output[str]] = field(default_factory=list)
    bucket_classes: list[pulumi.Output[str]] = field(default_factory=list)
    object_stores: list[str] = field(default_factory=list)


def _first(values: list[pulumi.Output[str]]) -> pulumi.Output[str | None]:
    return values[0] if values else pulumi.Output.from_input(None)


class CephStorage(pulumi.ComponentResource):
    """Rook operator, CephCluster, block pools, object stores and their storage classes."""

    cluster_name: pulumi.Output[str]
    block_storage_class: pulumi.Output[str | None]
    bucket_storage_class: pulumi.Output[str | None]
    object_store_name: pulumi.Output[str | None]
    pool_names: pulumi.Output[list[str]]
    rgw_ca_cert: pulumi.Output[str | None]

    def __init__(self, name: str, args: CephStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidc:storage:CephStorage", name, None, opts)
        scope = Scope(name=name, component=self)

        rook = operator.install_operator(scope, args)
        ceph = cluster.create_cluster(scope, args, rook.release)
        # One CA for the object gateways of this Ceph cluster, if it has any.
        ca = (
            certificates.create_ca(scope, args.cluster_name)
            if any(pool.kind == "object" for pool in args.pools)
            else None
        )
        declared = _Declared()
        for pool in args.pools:
            if ca is None or pool.kind == "block":  # ca is None only when no pool is an object pool
                block = pools.create_block_pool(scope, args, pool, ceph)
                declared.pool_names += block.pool_names
                declared.block_classes.append(block.storage_class)
                continue
            secret = certificates.create_tls_secret(scope, pool.name, args.namespace, ca, rook.namespace)
            declared.bucket_classes.append(object_store.create_object_store(scope, args, pool, ceph, secret))
            declared.object_stores.append(pool.name)
            declared.pool_names.append(pool.name)

        # Known once the CephCluster exists (CustomResource has no typed metadata attribute).
        self.cluster_name = ceph.id.apply(lambda _: args.cluster_name)
        self.block_storage_class = _first(declared.block_classes)
        self.bucket_storage_class = _first(declared.bucket_classes)
        self.object_store_name = pulumi.Output.from_input(
            declared.object_stores[0] if declared.object_stores else None
        )
        self.pool_names = pulumi.Output.from_input(declared.pool_names)
        self.rgw_ca_cert = ca.cert.cert_pem if ca is not None else pulumi.Output.from_input(None)
        self.register_outputs(
            {
                "rgw_ca_cert": self.rgw_ca_cert,
                "cluster_name": self.cluster_name,
                "block_storage_class": self.block_storage_class,
                "bucket_storage_class": self.bucket_storage_class,
                "object_store_name": self.object_store_name,
                "pool_names": self.pool_names,
            }
        )
