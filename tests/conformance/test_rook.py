"""Rook (upstream/rook: the CRDs of the pinned chart, v1.20.6): every Rook custom resource the program declares
validates against its CRD's structural schema, where a field the schema does not know is pruned silently by
the API server and therefore counts as an error."""

from __future__ import annotations

import copy

import pytest
from conformance_checks import custom_resource_problems

from aidc.offline import OfflinePlan

ROOK_PREFIX = "kubernetes:ceph.rook.io/v1:"


def test_every_rook_resource_validates_against_its_crd(plan: OfflinePlan) -> None:
    resources = [r for r in plan.resources if r["type"].startswith(ROOK_PREFIX)]
    assert {r["type"].removeprefix(ROOK_PREFIX) for r in resources} >= {"CephCluster", "CephBlockPool"}
    problems: list[str] = []
    for resource in resources:
        kind = resource["type"].removeprefix(ROOK_PREFIX)
        problems += custom_resource_problems(kind, resource["plain_inputs"], resource["urn"])
    assert problems == []


CLUSTER = {
    "apiVersion": "ceph.rook.io/v1",
    "kind": "CephCluster",
    "metadata": {"name": "rook-ceph", "namespace": "rook-ceph"},
    "spec": {
        "cephVersion": {"image": "quay.io/ceph/ceph:v19.2.1"},
        "dataDirHostPath": "/var/lib/rook",
        "mon": {"count": 3, "allowMultiplePerNode": False},
        "storage": {"useAllNodes": False, "nodes": [{"name": "core-storage-0"}]},
    },
}
POOL = {
    "apiVersion": "ceph.rook.io/v1",
    "kind": "CephBlockPool",
    "metadata": {"name": "block", "namespace": "rook-ceph"},
    "spec": {"failureDomain": "host", "replicated": {"size": 3}, "parameters": {"pg_num": "128"}},
}


def test_well_formed_resources_pass() -> None:
    assert custom_resource_problems("CephCluster", CLUSTER, "good") == []
    assert custom_resource_problems("CephBlockPool", POOL, "good") == []


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("CephCluster", ("spec", "mon", "counts"), 3),
        ("CephCluster", ("spec", "storage", "useAllNodes"), "no"),
        ("CephCluster", ("spec", "network", "connections", "encryption", "enable"), True),
        ("CephBlockPool", ("spec", "replicated", "size"), "three"),
        ("CephBlockPool", ("spec", "parameters", "pg_num"), 128),
        ("CephBlockPool", ("spec", "erasureCode"), {"dataChunks": 4}),
    ],
    ids=[
        "unknown-field",
        "wrong-type",
        "misspelt-nested-field",
        "string-for-int",
        "int-in-string-map",
        "typo-kind-key",
    ],
)
def test_the_crd_refuses_a_broken_resource(kind: str, path: tuple[str, ...], value: object) -> None:
    document = copy.deepcopy(CLUSTER if kind == "CephCluster" else POOL)
    target = document
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    assert custom_resource_problems(kind, document, "broken")


def test_a_kind_without_a_vendored_crd_is_refused() -> None:
    assert custom_resource_problems("CephFilesystemz", {"spec": {}}, "broken")


# --- the object gateway serves S3 over TLS only (issue 12) -------------------------------------------------------


def test_every_object_store_is_https_only_in_fields_the_crd_declares(plan: OfflinePlan) -> None:
    stores = [r for r in plan.resources if r["type"] == f"{ROOK_PREFIX}CephObjectStore"]
    assert stores
    for store in stores:
        gateway = store["plain_inputs"]["spec"]["gateway"]
        assert gateway["securePort"] == 443 and gateway["sslCertificateRef"], store["urn"]
        assert "port" not in gateway, store["urn"]
        assert custom_resource_problems("CephObjectStore", store["plain_inputs"], store["urn"]) == []


STORE = {
    "apiVersion": "ceph.rook.io/v1",
    "kind": "CephObjectStore",
    "metadata": {"name": "object", "namespace": "rook-ceph"},
    "spec": {
        "gateway": {"securePort": 443, "sslCertificateRef": "object-rgw-tls", "instances": 2},
        "preservePoolsOnDelete": True,
    },
}


@pytest.mark.parametrize(
    ("gateway", "says"),
    [
        ({"securePort": "443"}, "is not of type 'integer'"),
        ({"securePort": 70000}, "maximum of 65535"),
        ({"sslCertificateRefs": "object-rgw-tls"}, "'sslCertificateRefs' was unexpected"),
        ({"tls": {"secretName": "object-rgw-tls"}}, "'tls' was unexpected"),
    ],
    ids=["string-port", "port-out-of-range", "misspelt-certificate-ref", "unknown-field"],
)
def test_the_crd_refuses_a_broken_gateway(gateway: dict[str, object], says: str) -> None:
    assert custom_resource_problems("CephObjectStore", STORE, "good") == []
    document = copy.deepcopy(STORE)
    document["spec"]["gateway"].update(gateway)  # type: ignore[index]
    problems = custom_resource_problems("CephObjectStore", document, "broken")
    assert any(says in p for p in problems), problems
