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
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

import pulumi
import pulumi_kubernetes as k8s
import pulumi_tls as tls
from pydantic import AfterValidator, Field, model_validator

from aidc.types import FrozenArgs, Slug, field_error
from components._args import distinct, first_repeat, matching

PoolKind = Literal["block", "object"]
FailureDomain = Literal["host", "rack", "zone", "osd"]
ReclaimPolicy = Literal["Retain", "Delete"]
ROOK_CHART_REPO = "https://charts.rook.io/release"
# HTTPS only: CephObjectStore spec.gateway.securePort, never spec.gateway.port.
RGW_SECURE_PORT = 443
# K3s' default --cluster-domain; the RGW certificate also names the service's fully qualified name under it.
CLUSTER_DOMAIN = "cluster.local"
_CA_VALIDITY_HOURS = 10 * 365 * 24
_RGW_CERT_VALIDITY_HOURS = 2 * 365 * 24
# `pulumi up` issues a new server certificate once the current one is this close to expiry.
_RGW_CERT_RENEWAL_HOURS = 30 * 24


def _power_of_two(pg_num: int) -> int:
    if pg_num < 1 or pg_num & (pg_num - 1):
        raise ValueError(f"must be a power of two, got {pg_num}")
    return pg_num


def _quorum(monitors: int) -> int:
    if monitors < 3 or monitors % 2 == 0:
        raise ValueError(f"must be odd and >= 3 (3 or 5 typical), got {monitors}")
    return monitors


def _pinned_image(image: str) -> str:
    if ":" not in image or image.endswith(":latest"):
        raise ValueError(f"must carry a pinned tag, e.g. 'quay.io/ceph/ceph:v19.2.1', got {image!r}")
    return image


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"must be a regular expression, got {pattern!r}: {exc}") from None
    return pattern


class CephPoolSpec(FrozenArgs):
    """One planned Ceph pool: a block pool (RBD) or an object store's data pool (RGW)."""

    name: Slug
    """Stable slug naming the pool (and its storage class)."""
    kind: PoolKind
    """'block' (CephBlockPool + RBD StorageClass) or 'object' (CephObjectStore + bucket StorageClass)."""
    pg_num: Annotated[int, AfterValidator(_power_of_two)]
    """Planned placement groups (power of two): the pool's pg_num, with the autoscaler off for the pool."""
    replicated_size: Annotated[int, Field(ge=2)] | None = None
    """Replica count (size); None when the pool is erasure coded."""
    erasure_k: Annotated[int, Field(ge=2)] | None = None
    """Erasure-coding data chunks (dataChunks); None when replicated."""
    erasure_m: Annotated[int, Field(ge=1)] | None = None
    """Erasure-coding coding chunks (codingChunks); None when replicated."""
    failure_domain: FailureDomain = "host"
    """CRUSH failure domain: no two copies/chunks share one of these."""

    @model_validator(mode="after")
    def _replicated_or_erasure_coded(self) -> Self:
        replicated = self.replicated_size is not None
        erasure = self.erasure_k is not None or self.erasure_m is not None
        if replicated == erasure:
            raise field_error(
                "replicated_size",
                "set either replicated_size or erasure_k and erasure_m, not both or neither",
            )
        if erasure and (self.erasure_k is None or self.erasure_m is None):
            missing = "erasure_k" if self.erasure_k is None else "erasure_m"
            raise field_error(missing, "need erasure_k >= 2 and erasure_m >= 1")
        return self

    @property
    def failure_domains_needed(self) -> int:
        """How many distinct failure domains the pool needs to place every copy or chunk."""
        if self.replicated_size is not None:
            return self.replicated_size
        return (self.erasure_k or 0) + (self.erasure_m or 0)


class CephStorageArgs(FrozenArgs):
    """Inputs of CephStorage (the storage slice of the capacity plan plus versions)."""

    storage_nodes: Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(distinct)]
    """Kubernetes node names (kubernetes.io/hostname) that carry OSDs; useAllNodes stays false."""
    pools: Annotated[tuple[CephPoolSpec, ...], Field(min_length=1)]
    """Planned pools; at least one."""
    namespace: Slug = "rook-ceph"
    """Namespace of the operator and the cluster."""
    cluster_name: Slug = "rook-ceph"
    """Name of the CephCluster resource."""
    rook_chart_version: Annotated[str, matching(r"^v\d+\.\d+\.\d+$", "a pinned version like 'v1.16.4'")] = (
        "v1.16.4"
    )
    """Pinned rook-ceph chart version."""
    ceph_image: Annotated[str, AfterValidator(_pinned_image)] = "quay.io/ceph/ceph:v19.2.1"
    """Pinned Ceph container image (a tag or digest, never 'latest')."""
    monitors: Annotated[int, AfterValidator(_quorum)] = 3
    """Ceph monitor count: odd and >= 3 (quorum)."""
    storage_node_label: Annotated[
        str, matching(r"^([a-z0-9.-]+/)?[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*$", "'key=value'")
    ] = "aidc.io/storage=true"
    """'key=value' node label every Ceph daemon is scheduled on."""
    device_filter: Annotated[str, AfterValidator(_regex)] = "^nvme[0-9]+n1$"
    """Regex of the raw devices OSDs consume on each storage node."""
    osds_per_device: Annotated[int, Field(ge=1)] = 1
    """OSDs per matching device (more than 1 only for fast NVMe)."""
    encrypt_osds: bool = True
    """Encrypt OSDs at rest with dm-crypt (storage.config.encryptedDevice)."""
    encrypt_in_transit: bool = True
    """msgr2 on-wire encryption between daemons and clients (network.connections.encryption)."""
    reclaim_policy: ReclaimPolicy = "Retain"
    """reclaimPolicy of the storage classes; Retain keeps data when a claim is deleted."""
    rgw_instances: Annotated[int, Field(ge=1)] = 2
    """RGW gateway pods per object store."""
    operator_values: dict[str, Any] = Field(default_factory=dict)
    """Extra values for the rook-ceph chart (merged over aidc's)."""

    @model_validator(mode="after")
    def _pool_names_unique(self) -> Self:
        index = first_repeat([pool.name for pool in self.pools])
        if index is not None:
            raise field_error(
                f"pools[{index}].name",
                f"{self.pools[index].name!r} is used by another pool; names must be unique",
            )
        return self

    @model_validator(mode="after")
    def _enough_hosts(self) -> Self:
        for index, pool in enumerate(self.pools):
            if pool.failure_domain == "host" and len(self.storage_nodes) < pool.failure_domains_needed:
                raise field_error(
                    f"pools[{index}].failure_domain",
                    f"needs {pool.failure_domains_needed} hosts for failureDomain host, "
                    f"storage_nodes lists {len(self.storage_nodes)}",
                )
        return self


def _protection(pool: CephPoolSpec) -> dict[str, Any]:
    if pool.replicated_size is not None:
        return {"replicated": {"size": pool.replicated_size, "requireSafeReplicaSize": True}}
    return {"erasureCoded": {"dataChunks": pool.erasure_k, "codingChunks": pool.erasure_m}}


def _pool_spec(pool: CephPoolSpec) -> dict[str, Any]:
    return {
        "failureDomain": pool.failure_domain,
        **_protection(pool),
        # Both accepted by Ceph in any order Rook applies them in (module docstring).
        "parameters": {"pg_num": str(pool.pg_num), "pg_autoscale_mode": "off"},
    }


def rgw_service_names(store: str, namespace: str) -> list[str]:
    """The DNS names of the Service Rook creates for a CephObjectStore (CephObjectStore.GetServiceName:
    rook-ceph-rgw-<store>), the in-cluster name the bucket provisioner advertises first."""
    service = f"rook-ceph-rgw-{store}"
    return [
        f"{service}.{namespace}.svc",
        f"{service}.{namespace}.svc.{CLUSTER_DOMAIN}",
        f"{service}.{namespace}",
        service,
    ]


def rgw_tls_secret_name(store: str) -> str:
    """The kubernetes.io/tls Secret the object store's gateway serves."""
    return f"{store}-rgw-tls"


def gateway_spec(store: str, instances: int) -> dict[str, Any]:
    """CephObjectStore spec.gateway: HTTPS on RGW_SECURE_PORT with the store's certificate, no HTTP port."""
    return {
        "securePort": RGW_SECURE_PORT,
        "sslCertificateRef": rgw_tls_secret_name(store),
        "instances": instances,
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
    rgw_ca_cert: pulumi.Output[str | None]

    def __init__(self, name: str, args: CephStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
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

        # One CA for the object gateways of this Ceph cluster, made with the first one.
        rgw_ca: tuple[tls.PrivateKey, tls.SelfSignedCert] | None = None

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
                if rgw_ca is None:
                    rgw_ca = self._rgw_ca(name, args.cluster_name)
                tls_secret = self._rgw_tls_secret(name, pool.name, ns, rgw_ca, namespace)
                object_store = k8s.apiextensions.CustomResource(
                    f"{name}-objectstore-{pool.name}",
                    api_version="ceph.rook.io/v1",
                    kind="CephObjectStore",
                    metadata={"name": pool.name, "namespace": ns},
                    spec={
                        "metadataPool": _metadata_pool_spec(pool.failure_domain),
                        "dataPool": _pool_spec(pool),
                        "preservePoolsOnDelete": True,
                        "gateway": gateway_spec(pool.name, args.rgw_instances),
                    },
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[cluster, tls_secret]),
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
        self.rgw_ca_cert = rgw_ca[1].cert_pem if rgw_ca is not None else pulumi.Output.from_input(None)
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

    def _rgw_ca(self, name: str, cluster_name: str) -> tuple[tls.PrivateKey, tls.SelfSignedCert]:
        """The CA that signs the object gateways' certificates (its key a Pulumi secret, in state only)."""
        child = pulumi.ResourceOptions(parent=self)
        key = tls.PrivateKey(f"{name}-rgw-ca-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        cert = tls.SelfSignedCert(
            f"{name}-rgw-ca",
            private_key_pem=key.private_key_pem,
            is_ca_certificate=True,
            validity_period_hours=_CA_VALIDITY_HOURS,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
            subject={"common_name": f"rgw-ca@{cluster_name}", "organization": "aidc"},
            opts=child,
        )
        return key, cert

    def _rgw_tls_secret(
        self,
        name: str,
        store: str,
        namespace: str,
        ca: tuple[tls.PrivateKey, tls.SelfSignedCert],
        namespace_resource: k8s.core.v1.Namespace,
    ) -> k8s.core.v1.Secret:
        """The store's server key and certificate (signed by `ca`) as the kubernetes.io/tls Secret its gateway
        serves; the key stays a Pulumi secret."""
        child = pulumi.ResourceOptions(parent=self)
        ca_key, ca_cert = ca
        names = rgw_service_names(store, namespace)
        key = tls.PrivateKey(f"{name}-rgw-{store}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        request = tls.CertRequest(
            f"{name}-rgw-{store}-csr",
            private_key_pem=key.private_key_pem,
            subject={"common_name": names[0], "organization": "aidc"},
            dns_names=names,
            opts=child,
        )
        cert = tls.LocallySignedCert(
            f"{name}-rgw-{store}-cert",
            cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=ca_key.private_key_pem,
            ca_cert_pem=ca_cert.cert_pem,
            validity_period_hours=_RGW_CERT_VALIDITY_HOURS,
            early_renewal_hours=_RGW_CERT_RENEWAL_HOURS,
            allowed_uses=["server_auth", "digital_signature", "key_encipherment"],
            opts=child,
        )
        return k8s.core.v1.Secret(
            f"{name}-rgw-{store}-tls",
            metadata={"name": rgw_tls_secret_name(store), "namespace": namespace},
            type="kubernetes.io/tls",
            string_data={
                # Server certificate first (the one RGW serves), then the CA the Rook operator trusts.
                "tls.crt": pulumi.Output.all(cert.cert_pem, ca_cert.cert_pem).apply(lambda v: v[0] + v[1]),
                "tls.key": pulumi.Output.secret(key.private_key_pem),  # type: ignore[arg-type]
                "ca.crt": ca_cert.cert_pem,
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace_resource]),
        )
