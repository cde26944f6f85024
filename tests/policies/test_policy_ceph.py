"""Ceph/Rook rules: a violating and a compliant resource for each."""

from __future__ import annotations

import pytest
from policy_helpers import check_resource, check_stack, stack_resource

from policies import ceph


def _block(spec):
    return {
        "apiVersion": "ceph.rook.io/v1",
        "kind": "CephBlockPool",
        "metadata": {"name": "block", "namespace": "rook-ceph"},
        "spec": spec,
    }


REPLICATED = {"failureDomain": "host", "replicated": {"size": 3, "requireSafeReplicaSize": True}}
ERASURE = {"failureDomain": "host", "erasureCoded": {"dataChunks": 4, "codingChunks": 2}}


def test_token_is_the_custom_resource_type():
    assert ceph.BLOCK_POOL == "kubernetes:ceph.rook.io/v1:CephBlockPool"


@pytest.mark.parametrize("spec", [REPLICATED, ERASURE])
def test_redundant_pools_pass(spec):
    assert check_resource(ceph.ceph_pool_redundancy, ceph.BLOCK_POOL, _block(spec)) == []


@pytest.mark.parametrize(
    "spec",
    [
        {"failureDomain": "host", "replicated": {"size": 2}},
        {"failureDomain": "host", "erasureCoded": {"dataChunks": 4, "codingChunks": 1}},
        {"failureDomain": "host", "replicated": {"size": 3, "requireSafeReplicaSize": False}},
    ],
)
def test_thin_pools_are_refused(spec):
    assert check_resource(ceph.ceph_pool_redundancy, ceph.BLOCK_POOL, _block(spec))


def test_object_store_data_pool_is_checked():
    props = {"spec": {"metadataPool": REPLICATED, "dataPool": {"replicated": {"size": 2}}}}
    found = check_resource(ceph.ceph_pool_redundancy, ceph.OBJECT_STORE, props)
    assert len(found) == 1
    assert "spec.dataPool" in found[0]


def test_min_replica_size_is_configurable():
    spec = {"replicated": {"size": 3}}
    assert check_resource(
        ceph.ceph_pool_redundancy, ceph.BLOCK_POOL, _block(spec), config={"min-replica-size": 4}
    )


def test_failure_domain_osd_is_refused_host_or_default_passes():
    assert check_resource(
        ceph.ceph_failure_domain, ceph.BLOCK_POOL, _block({**REPLICATED, "failureDomain": "osd"})
    )
    assert check_resource(ceph.ceph_failure_domain, ceph.BLOCK_POOL, _block(REPLICATED)) == []
    assert (
        check_resource(ceph.ceph_failure_domain, ceph.BLOCK_POOL, _block({"replicated": {"size": 3}})) == []
    )


def _cluster(nodes: int, mons: int = 3, **mon):
    return {
        "metadata": {"name": "rook-ceph", "namespace": "rook-ceph"},
        "spec": {
            "mon": {"count": mons, **mon},
            "cephVersion": {"image": "quay.io/ceph/ceph:v19.2.1"},
            "storage": {"useAllNodes": False, "nodes": [{"name": f"n{i}"} for i in range(nodes)]},
        },
    }


def test_enough_hosts_for_each_pool():
    pool = stack_resource(ceph.BLOCK_POOL, "pool", _block(ERASURE))  # k+m = 6, + 1 spare
    assert (
        check_stack(
            ceph.ceph_enough_failure_domains, [stack_resource(ceph.CEPH_CLUSTER, "c", _cluster(7)), pool]
        )
        == []
    )
    found = check_stack(
        ceph.ceph_enough_failure_domains, [stack_resource(ceph.CEPH_CLUSTER, "c", _cluster(6)), pool]
    )
    assert [u for _, u in found] == [pool.urn]
    assert "declares 6" in found[0][0]
    assert (
        check_stack(
            ceph.ceph_enough_failure_domains,
            [stack_resource(ceph.CEPH_CLUSTER, "c", _cluster(6)), pool],
            config={"spare-hosts": 0},
        )
        == []
    )


@pytest.mark.parametrize(("mons", "refused"), [(1, True), (2, True), (3, False), (4, True), (5, False)])
def test_monitor_quorum(mons, refused):
    found = check_resource(ceph.ceph_monitor_quorum, ceph.CEPH_CLUSTER, _cluster(7, mons))
    assert bool(found) is refused, found


def test_several_monitors_per_node_is_refused():
    assert check_resource(
        ceph.ceph_monitor_quorum, ceph.CEPH_CLUSTER, _cluster(7, 3, allowMultiplePerNode=True)
    )


def _store(gateway):
    return {
        "apiVersion": "ceph.rook.io/v1",
        "kind": "CephObjectStore",
        "metadata": {"name": "object", "namespace": "rook-ceph"},
        "spec": {"metadataPool": REPLICATED, "dataPool": REPLICATED, "gateway": gateway},
    }


@pytest.mark.parametrize(
    "gateway",
    [
        {"securePort": 443, "sslCertificateRef": "object-rgw-tls", "instances": 2},
        {"securePort": 8443.0, "sslCertificateRef": "object-rgw-tls", "port": 0},
        {
            "securePort": 443,
            "service": {"annotations": {ceph.SERVICE_SERVING_CERT: "object-serving-cert"}},
        },
    ],
    ids=["secret", "port-zero", "service-serving-cert"],
)
def test_object_store_over_tls_only_passes(gateway):
    assert check_resource(ceph.ceph_object_store_tls, ceph.OBJECT_STORE, _store(gateway)) == []


@pytest.mark.parametrize(
    ("gateway", "says"),
    [
        ({"port": 80, "instances": 2}, "no TLS frontend"),
        (
            {"port": 80.0, "securePort": 443, "sslCertificateRef": "object-rgw-tls"},
            "plain HTTP frontend on port 80",
        ),
        ({"securePort": 443}, "no TLS frontend"),
        ({"sslCertificateRef": "object-rgw-tls"}, "no TLS frontend"),
        ({}, "no TLS frontend"),
    ],
    ids=["http-only", "http-beside-https", "no-certificate", "no-secure-port", "no-gateway"],
)
def test_object_store_without_tls_only_is_refused(gateway, says):
    found = check_resource(ceph.ceph_object_store_tls, ceph.OBJECT_STORE, _store(gateway))
    assert len(found) == 1
    assert says in found[0]


def test_object_store_tls_is_mandatory_and_only_for_object_stores():
    assert ceph.ceph_object_store_tls.enforcement_level.value == "mandatory"
    assert check_resource(ceph.ceph_object_store_tls, ceph.BLOCK_POOL, _block(REPLICATED)) == []
