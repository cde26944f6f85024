"""CephStorage: Rook-Ceph on the private K3s core cluster (pulumi_kubernetes).

The Rook operator chart (pinned version), one CephCluster (monitor count, storage nodes and device filter
from the Args; OSDs encrypted at rest and msgr2 in-transit encryption on by default), one CephBlockPool
plus RBD StorageClass per planned block pool and one CephObjectStore (RGW) plus bucket StorageClass per
planned object pool, each with the planned replication or erasure coding and failure domain. The caller
passes the kubernetes Provider (built from K3sCluster.kubeconfig) in the component's ResourceOptions;
children inherit it through `parent`.

Placement groups: the plan's pg_num is the pool's pg_num. Rook (v1.16) creates a pool with pg_num 0, i.e.
Ceph's osd_pool_default_pg_num (32), then runs `ceph osd pool set <pool> <key> <value>` for each entry of the
pool's `parameters`, in no set order, on every reconcile, only logging a refusal. So the parameters are the two
settings Ceph accepts in either order and at any time: `pg_num` (Ceph moves pg_num and pgp_num to it in steps)
and `pg_autoscale_mode: off`, so the autoscaler Rook enables on new pools does not move it away; the sizing
engine re-plans pg_num when the OSDs change. Not `pg_num_min` or `pgp_num`: Ceph refuses either above the
pool's current pg_num, which is what a fresh pool has (tests/conformance/test_ceph_pools.py replays this).

The object gateways serve S3 over TLS only: `gateway.securePort` RGW_SECURE_PORT with `sslCertificateRef` to a
kubernetes.io/tls Secret, and no plain `port` (Rook v1.16 then opens no HTTP frontend). The certificates come
from pulumi_tls: one CA per CephStorage (the core cluster's object-storage CA) and, per object store, a server
certificate for the DNS names of the Service Rook creates (rook-ceph-rgw-<store>.<namespace>.svc ...), its key
a Pulumi secret. `tls.crt` holds the server certificate first (RGW serves the first certificate of the file,
Rook's "Enable TLS" docs) and then the CA: the Rook operator trusts every certificate in `tls.crt` for its own
admin and bucket-provisioning calls to the gateway, so it verifies the gateway against the CA.
The bucket StorageClass names the store and no endpoint, so the bucket provisioner derives the endpoint from
the store: ObjectBucketClaims get BUCKET_HOST rook-ceph-rgw-<store>.<namespace>.svc and BUCKET_PORT 443;
clients trust the CA from the Secret's `ca.crt` (or the `rgw_ca_cert` output).

One module per concern, in the order the component calls them (the way components/aws_gpu_cluster/ is split):
  args.py          CephStorageArgs and CephPoolSpec (validated at construction)
  component.py     the CephStorage class: one call per concern, outputs
  operator.py      the privileged namespace and the pinned rook-ceph chart
  cluster.py       the CephCluster (monitors, managers, encryption, storage nodes and devices)
  certificates.py  the object gateways' CA, and per store its server certificate as a kubernetes.io/tls Secret
  pools.py         pool specs (pg_num, autoscaler off); per block pool the CephBlockPool(s) and RBD StorageClass
  object_store.py  per object pool the CephObjectStore (HTTPS-only gateway) and bucket StorageClass
A child's name, parent and inputs are a contract with live infrastructure: moving code between these modules
must not change them (compare `aidc plan --json` before and after).
"""

from components.ceph_storage.args import (
    CephPoolSpec,
    CephStorageArgs,
    FailureDomain,
    PoolKind,
    ReclaimPolicy,
)
from components.ceph_storage.certificates import CLUSTER_DOMAIN, rgw_service_names, rgw_tls_secret_name
from components.ceph_storage.component import CephStorage
from components.ceph_storage.object_store import RGW_SECURE_PORT, gateway_spec
from components.ceph_storage.operator import ROOK_CHART_REPO

__all__ = [
    "CLUSTER_DOMAIN",
    "RGW_SECURE_PORT",
    "ROOK_CHART_REPO",
    "CephPoolSpec",
    "CephStorage",
    "CephStorageArgs",
    "FailureDomain",
    "PoolKind",
    "ReclaimPolicy",
    "gateway_spec",
    "rgw_service_names",
    "rgw_tls_secret_name",
]
