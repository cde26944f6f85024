"""Object stores of CephStorage: per planned object pool a CephObjectStore (RGW; its data pool as planned, its
metadata pool replicated) serving S3 over TLS only, and a bucket StorageClass.

The gateways serve HTTPS only: `gateway.securePort` RGW_SECURE_PORT with `sslCertificateRef` to the store's
kubernetes.io/tls Secret (certificates.py), and no plain `port` (Rook v1.16 then opens no HTTP frontend). The
bucket StorageClass names the store and no endpoint, so the bucket provisioner derives the endpoint from the
store: ObjectBucketClaims get BUCKET_HOST rook-ceph-rgw-<store>.<namespace>.svc and BUCKET_PORT 443.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._scope import Scope
from components.ceph_storage.args import CephPoolSpec, CephStorageArgs
from components.ceph_storage.certificates import rgw_tls_secret_name
from components.ceph_storage.cluster import CEPH_API
from components.ceph_storage.pools import metadata_pool_spec, pool_spec

# HTTPS only: CephObjectStore spec.gateway.securePort, never spec.gateway.port.
RGW_SECURE_PORT = 443


def gateway_spec(store: str, instances: int) -> dict[str, Any]:
    """CephObjectStore spec.gateway: HTTPS on RGW_SECURE_PORT with the store's certificate, no HTTP port."""
    return {
        "securePort": RGW_SECURE_PORT,
        "sslCertificateRef": rgw_tls_secret_name(store),
        "instances": instances,
    }


def object_store_spec(pool: CephPoolSpec, rgw_instances: int) -> dict[str, Any]:
    """CephObjectStore spec: replicated metadata, the planned data pool, pools kept on delete, the gateway."""
    return {
        "metadataPool": metadata_pool_spec(pool.failure_domain),
        "dataPool": pool_spec(pool),
        "preservePoolsOnDelete": True,
        "gateway": gateway_spec(pool.name, rgw_instances),
    }


def create_object_store(
    scope: Scope,
    args: CephStorageArgs,
    pool: CephPoolSpec,
    cluster: pulumi.Resource,
    tls_secret: pulumi.Resource,
) -> pulumi.Output[str]:
    """The object store once the cluster and its TLS Secret exist, then its bucket StorageClass (its name)."""
    ns = args.namespace
    object_store = k8s.apiextensions.CustomResource(
        f"{scope.name}-objectstore-{pool.name}",
        api_version=CEPH_API,
        kind="CephObjectStore",
        metadata={"name": pool.name, "namespace": ns},
        spec=object_store_spec(pool, args.rgw_instances),
        opts=scope.opts(depends_on=[cluster, tls_secret]),
    )
    bucket_class = k8s.storage.v1.StorageClass(
        f"{scope.name}-bucket-sc-{pool.name}",
        metadata={"name": f"ceph-bucket-{pool.name}"},
        provisioner=f"{ns}.ceph.rook.io/bucket",
        parameters={"objectStoreName": pool.name, "objectStoreNamespace": ns},
        reclaim_policy=args.reclaim_policy,
        opts=scope.opts(depends_on=[object_store]),
    )
    return bucket_class.metadata["name"]
