"""Resource tests for CephStorage under AidcMocks: pool protection, monitors, encryption, storage classes, the
object gateway's TLS (certificates, Secret; the CR against Rook's CRD is in tests/conformance/test_rook.py)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
from pulumi.runtime import rpc

from aidc.mocks import AidcMocks
from components.ceph_storage import CephPoolSpec, CephStorage, CephStorageArgs
from tests.components.args_helpers import assert_refused, data

NODES = tuple(f"core-storage-{index}" for index in range(8))
RBD = CephPoolSpec(name="rbd", kind="block", pg_num=512, replicated_size=3)
DATASETS = CephPoolSpec(name="datasets", kind="object", pg_num=1024, erasure_k=4, erasure_m=2)


def _args(**overrides: object) -> CephStorageArgs:
    base: dict[str, object] = {"storage_nodes": NODES, "pools": (RBD, DATASETS), "monitors": 5}
    base.update(overrides)
    return CephStorageArgs(**base)  # type: ignore[arg-type]


def _storage(name: str = "ceph", **overrides: object) -> CephStorage:
    provider = k8s.Provider(f"{name}-k8s", kubeconfig="{}")
    return CephStorage(name, _args(**overrides), opts=pulumi.ResourceOptions(provider=provider))


def _settled(storage: CephStorage) -> pulumi.Output[list[object]]:
    """Resolves once every child is registered (the storage classes come last)."""
    return pulumi.Output.all(
        storage.cluster_name, storage.block_storage_class, storage.bucket_storage_class, storage.pool_names
    )


def _kind(mocks: AidcMocks, kind: str) -> dict[str, pulumi.runtime.MockResourceArgs]:
    return {r.name: r for r in mocks.registered if r.typ.endswith(f":{kind}")}


@pulumi.runtime.test
def test_cluster_spec_monitors_nodes_and_encryption(mocks: AidcMocks):
    storage = _storage()

    def check(values: list[object]) -> None:
        assert values[0] == "rook-ceph"
        (cluster,) = _kind(mocks, "CephCluster").values()
        assert cluster.typ == "kubernetes:ceph.rook.io/v1:CephCluster"
        spec = cluster.inputs["spec"]
        assert spec["mon"]["count"] == 5
        assert spec["storage"]["useAllNodes"] is False
        assert spec["storage"]["deviceFilter"] == "^nvme[0-9]+n1$"
        assert [node["name"] for node in spec["storage"]["nodes"]] == list(NODES)
        assert spec["storage"]["config"]["encryptedDevice"] == "true"
        assert spec["network"]["connections"]["encryption"]["enabled"] is True
        assert spec["network"]["connections"]["requireMsgr2"] is True
        term = spec["placement"]["all"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["nodeSelectorTerms"][0]["matchExpressions"][0] == {
            "key": "aidc.io/storage",
            "operator": "In",
            "values": ["true"],
        }
        (release,) = _kind(mocks, "Release").values()
        assert release.inputs["version"] == "v1.20.6"
        assert release.inputs["chart"] == "rook-ceph"

    return _settled(storage).apply(check)


@pulumi.runtime.test
def test_encryption_can_be_turned_off_explicitly(mocks: AidcMocks):
    storage = _storage(encrypt_osds=False, encrypt_in_transit=False)

    def check(_: object) -> None:
        (cluster,) = _kind(mocks, "CephCluster").values()
        spec = cluster.inputs["spec"]
        assert "encryptedDevice" not in spec["storage"]["config"]
        assert spec["network"]["connections"]["encryption"]["enabled"] is False

    return _settled(storage).apply(check)


@pulumi.runtime.test
def test_pools_carry_planned_protection_and_failure_domain(mocks: AidcMocks):
    storage = _storage()

    def check(values: list[object]) -> None:
        (block,) = _kind(mocks, "CephBlockPool").values()
        assert block.inputs["spec"]["replicated"] == {"size": 3, "requireSafeReplicaSize": True}
        assert block.inputs["spec"]["failureDomain"] == "host"
        # The planned pg_num as the pool's pg_num, the autoscaler off for it (tests/conformance/test_ceph_pools.py
        # shows Rook and Ceph turn exactly this into pg_num 512, whatever order Rook applies it in).
        assert block.inputs["spec"]["parameters"] == {"pg_num": "512", "pg_autoscale_mode": "off"}
        (store,) = _kind(mocks, "CephObjectStore").values()
        data_pool = store.inputs["spec"]["dataPool"]
        assert data_pool["erasureCoded"] == {"dataChunks": 4, "codingChunks": 2}
        assert data_pool["failureDomain"] == "host"
        assert data_pool["parameters"]["pg_autoscale_mode"] == "off"
        assert "replicated" not in data_pool
        assert store.inputs["spec"]["metadataPool"]["replicated"]["size"] == 3
        classes = _kind(mocks, "StorageClass")
        rbd_sc = classes["ceph-sc-rbd"].inputs
        assert rbd_sc["provisioner"] == "rook-ceph.rbd.csi.ceph.com"
        assert rbd_sc["parameters"]["pool"] == "rbd"
        assert rbd_sc["reclaimPolicy"] == "Retain"
        bucket_sc = classes["ceph-bucket-sc-datasets"].inputs
        assert bucket_sc["provisioner"] == "rook-ceph.ceph.rook.io/bucket"
        assert bucket_sc["parameters"] == {"objectStoreName": "datasets", "objectStoreNamespace": "rook-ceph"}
        assert values[1] == "ceph-rbd-rbd"
        assert values[3] == ["rbd", "datasets"]

    return _settled(storage).apply(check)


@pulumi.runtime.test
def test_erasure_coded_block_pool_gets_replicated_metadata_pool(mocks: AidcMocks):
    ec_block = CephPoolSpec(name="scratch", kind="block", pg_num=256, erasure_k=4, erasure_m=2)
    storage = _storage(pools=(ec_block,))

    def check(_: object) -> None:
        pools = _kind(mocks, "CephBlockPool")
        assert pools["ceph-pool-scratch"].inputs["spec"]["erasureCoded"] == {
            "dataChunks": 4,
            "codingChunks": 2,
        }
        assert pools["ceph-pool-scratch-metadata"].inputs["spec"]["replicated"]["size"] == 3
        sc = _kind(mocks, "StorageClass")["ceph-sc-scratch"].inputs["parameters"]
        assert (sc["pool"], sc["dataPool"]) == ("scratch-metadata", "scratch")

    return _settled(storage).apply(check)


@pulumi.runtime.test
def test_children_use_the_callers_kubernetes_provider(mocks: AidcMocks):
    storage = _storage("core")

    def check(_: object) -> None:
        children = [r for r in mocks.registered if r.typ.startswith("kubernetes:")]
        assert len(children) >= 6
        for resource in children:
            assert resource.provider and "core-k8s" in resource.provider, resource.name

    return _settled(storage).apply(check)


@pulumi.runtime.test
def test_resource_names_stable_when_counts_double(mocks: AidcMocks):
    small = _storage("small", storage_nodes=NODES, monitors=3)
    large = _storage(
        "large",
        storage_nodes=tuple(f"core-storage-{index}" for index in range(2 * len(NODES))),
        monitors=5,
        pools=(
            CephPoolSpec(name="rbd", kind="block", pg_num=1024, replicated_size=3),
            CephPoolSpec(name="datasets", kind="object", pg_num=2048, erasure_k=4, erasure_m=2),
        ),
    )

    def names(prefix: str) -> set[tuple[str, str]]:
        return {(r.typ, r.name.removeprefix(prefix)) for r in mocks.registered if r.name.startswith(prefix)}

    def check(_: object) -> None:
        assert names("small-")
        assert names("small-") == names("large-")

    return pulumi.Output.all(_settled(small), _settled(large)).apply(check)


@pytest.mark.parametrize("monitors", [1, 2, 4, 6])
def test_monitors_must_be_odd_and_at_least_three(mocks: AidcMocks, monitors: int):
    assert_refused(lambda: _args(monitors=monitors), "monitors", says="must be odd and >= 3")


POOL = {"name": "p", "kind": "block", "pg_num": 64}


@pytest.mark.parametrize(
    ("override", "field", "says"),
    [
        (
            {"pools": ({**POOL, "kind": "file", "replicated_size": 3},)},
            "pools[0].kind",
            "'block' or 'object'",
        ),
        ({"pools": (POOL,)}, "pools[0].replicated_size", "set either"),
        (
            {"pools": ({**POOL, "replicated_size": 3, "erasure_k": 4, "erasure_m": 2},)},
            "pools[0].replicated_size",
            "set either",
        ),
        ({"pools": ({**POOL, "erasure_k": 4},)}, "pools[0].erasure_m", "erasure_m >= 1"),
        (
            {"pools": ({**POOL, "erasure_k": 1, "erasure_m": 1},)},
            "pools[0].erasure_k",
            "greater than or equal to 2",
        ),
        (
            {"pools": ({**POOL, "replicated_size": 1},)},
            "pools[0].replicated_size",
            "greater than or equal to 2",
        ),
        ({"pools": ({**POOL, "pg_num": 100, "replicated_size": 3},)}, "pools[0].pg_num", "power of two"),
        (
            {"pools": ({**POOL, "replicated_size": 3, "failure_domain": "dc"},)},
            "pools[0].failure_domain",
            "'host', 'rack', 'zone' or 'osd'",
        ),
        ({"pools": (data(RBD, name="RBD"),)}, "pools[0].name", "lower-case letters"),
        ({"pools": (RBD, RBD)}, "pools[1].name", "must be unique"),
        ({"pools": ()}, "pools", "at least 1 item"),
        ({"storage_nodes": NODES[:5], "pools": (DATASETS,)}, "pools[0].failure_domain", "needs 6 hosts"),
        ({"storage_nodes": ()}, "storage_nodes", "at least 1 item"),
        ({"storage_nodes": (*NODES, NODES[0])}, "storage_nodes", "distinct"),
        ({"storage_nodes": "core-storage-0"}, "storage_nodes", "must be a list"),
        ({"rook_chart_version": "latest"}, "rook_chart_version", "'v1.20.6'"),
        ({"ceph_image": "quay.io/ceph/ceph:latest"}, "ceph_image", "pinned tag"),
        ({"ceph_image": "quay.io/ceph/ceph"}, "ceph_image", "pinned tag"),
        ({"storage_node_label": "storage"}, "storage_node_label", "'key=value'"),
        ({"device_filter": "^nvme[0-9+n1$"}, "device_filter", "regular expression"),
        ({"osds_per_device": 0}, "osds_per_device", "greater than or equal to 1"),
        ({"reclaim_policy": "Recycle"}, "reclaim_policy", "'Retain' or 'Delete'"),
        ({"rgw_instances": 0}, "rgw_instances", "greater than or equal to 1"),
        ({"namespace": "Rook_Ceph"}, "namespace", "lower-case letters"),
        ({"cluster_name": "Rook_Ceph"}, "cluster_name", "lower-case letters"),
    ],
)
def test_bad_args_are_refused_at_construction_naming_the_field(
    mocks: AidcMocks, override: dict[str, object], field: str, says: str
):
    assert_refused(lambda: _args(**override), field, says=says)
    assert mocks.registered == [], "refused before any resource exists"


# --- the object gateway serves S3 over TLS only (issue 12) ------------------------------------------------------


def _tls_settled(storage: CephStorage) -> pulumi.Output[list[object]]:
    return pulumi.Output.all(_settled(storage), storage.rgw_ca_cert)


def _secret_wire(value: object) -> object:
    """The plain value of an input the program marked secret; fails on a clear value."""
    assert isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig, value
    return value["value"]


@pulumi.runtime.test
def test_object_store_serves_https_only_with_the_stores_certificate(mocks: AidcMocks):
    storage = _storage()

    def check(values: list[object]) -> None:
        ca_pem = values[1]
        (store,) = _kind(mocks, "CephObjectStore").values()
        gateway = store.inputs["spec"]["gateway"]
        assert gateway == {"securePort": 443, "sslCertificateRef": "datasets-rgw-tls", "instances": 2}
        assert "port" not in gateway, "no plain HTTP frontend"
        (secret,) = _kind(mocks, "Secret").values()
        assert secret.inputs["type"] == "kubernetes.io/tls"
        assert secret.inputs["metadata"] == {"name": gateway["sslCertificateRef"], "namespace": "rook-ceph"}
        data = _secret_wire(secret.inputs["stringData"])
        assert isinstance(data, dict)
        certs = {
            r.name: r for r in mocks.registered if r.typ == "tls:index/locallySignedCert:LocallySignedCert"
        }
        keys = {r.name: r for r in mocks.registered if r.typ == "tls:index/privateKey:PrivateKey"}
        assert set(keys) == {"ceph-rgw-ca-key", "ceph-rgw-datasets-key"}
        # The store's certificate first (RGW serves the first one), then the CA (Rook trusts tls.crt).
        assert data["tls.crt"].count("BEGIN CERTIFICATE") == 2
        served, chained = data["tls.crt"][: -len(ca_pem)], data["tls.crt"][-len(ca_pem) :]
        assert chained == ca_pem and "BEGIN CERTIFICATE" in served and served != ca_pem
        assert data["ca.crt"] == ca_pem
        assert "PRIVATE KEY" in data["tls.key"]
        (cert,) = certs.values()
        assert cert.inputs["caCertPem"] == ca_pem
        assert "server_auth" in cert.inputs["allowedUses"]
        assert cert.inputs["earlyRenewalHours"] < cert.inputs["validityPeriodHours"]
        (request,) = (r for r in mocks.registered if r.typ == "tls:index/certRequest:CertRequest")
        # Every name the Service Rook creates answers to; the provisioner advertises the first.
        assert request.inputs["dnsNames"] == [
            "rook-ceph-rgw-datasets.rook-ceph.svc",
            "rook-ceph-rgw-datasets.rook-ceph.svc.cluster.local",
            "rook-ceph-rgw-datasets.rook-ceph",
            "rook-ceph-rgw-datasets",
        ]
        (ca,) = (r for r in mocks.registered if r.typ == "tls:index/selfSignedCert:SelfSignedCert")
        assert ca.inputs["isCaCertificate"] is True

    return _tls_settled(storage).apply(check)


@pulumi.runtime.test
def test_bucket_storage_class_leaves_the_endpoint_to_the_store(mocks: AidcMocks):
    """With no `endpoint` parameter the provisioner asks the store (CephObjectStore.GetAdvertiseEndpoint): its
    service name and securePort, over TLS, so ObjectBucketClaims get BUCKET_PORT 443."""
    storage = _storage()

    def check(_: object) -> None:
        bucket_sc = _kind(mocks, "StorageClass")["ceph-bucket-sc-datasets"].inputs
        assert "endpoint" not in bucket_sc["parameters"]
        assert bucket_sc["parameters"]["objectStoreName"] == "datasets"

    return _tls_settled(storage).apply(check)


@pulumi.runtime.test
def test_block_only_storage_makes_no_certificate(mocks: AidcMocks):
    storage = _storage(pools=(RBD,))

    def check(values: list[object]) -> None:
        assert values[1] is None
        assert not [r for r in mocks.registered if r.typ.startswith("tls:")]
        assert not _kind(mocks, "Secret")

    return _tls_settled(storage).apply(check)
