"""The seams the split components now have: the pure rules each concern module decides by (which rules, routes,
tags, specs), and a concern declaring its children into a component's Scope on its own."""

from __future__ import annotations

import pulumi
import pytest

from aidc.mocks import AidcMocks
from components._scope import Scope
from components.ceph_storage import CephPoolSpec, CephStorageArgs
from components.ceph_storage.cluster import cluster_spec, storage_node_affinity
from components.ceph_storage.operator import operator_values
from components.ceph_storage.pools import rbd_parameters
from components.openstack_private_cloud import GpuPool
from components.openstack_private_cloud.security_groups import admin_rules, create_security_groups
from components.openstack_private_cloud.servers import stack_tags
from components.vpn_interconnect.routes import idle_connections, spread_prefixes
from components.workload_queues import WorkloadQueue
from components.workload_queues.flavors import taint_parts
from components.workload_queues.landing_zones import workload_labels

# --- OpenStackPrivateCloud: security groups, Heat tags -------------------------------------------------------------


def test_admin_rules_per_cidr_and_port_named_from_the_cidr() -> None:
    rules = admin_rules(
        ["2001:db8::/32", "198.51.100.0/24", "2001:db8::/32"], ["10.20.0.0/16", "198.51.100.0/24"]
    )
    assert [(r.role, r.port, r.remote_ip_prefix, r.ethertype) for r in rules] == [
        # Admin CIDRs sorted and without repeats, each with every admin port.
        ("sg-admin-22-198-51-100-0-24", 22, "198.51.100.0/24", "IPv4"),
        ("sg-admin-6443-198-51-100-0-24", 6443, "198.51.100.0/24", "IPv4"),
        ("sg-admin-22-2001-db8---32", 22, "2001:db8::/32", "IPv6"),
        ("sg-admin-6443-2001-db8---32", 6443, "2001:db8::/32", "IPv6"),
        # An API CIDR that is not an admin CIDR already gets the K3s API port only.
        ("sg-api-6443-10-20-0-0-16", 6443, "10.20.0.0/16", "IPv4"),
    ]


def test_an_api_cidr_that_is_an_admin_cidr_adds_no_rule() -> None:
    rules = admin_rules(["198.51.100.0/24"], ["198.51.100.0/24"])
    assert [r.role for r in rules] == ["sg-admin-22-198-51-100-0-24", "sg-admin-6443-198-51-100-0-24"]


def test_no_cidrs_no_admin_rules() -> None:
    assert admin_rules([], []) == []


def test_heat_tags_are_aidcs_then_the_pools() -> None:
    pool = GpuPool(
        name="h100",
        flavor="g1",
        servers=3,
        accelerator="h100-80gb",
        gpus_per_server=8,
        tags=("cluster=core",),
    )
    assert stack_tags(pool) == [
        "aidc",
        "accelerator=h100-80gb",
        "gpus-per-server=8",
        "servers=3",
        "cluster=core",
    ]


class _Holder(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:concerns:Holder", name, None, None)


@pulumi.runtime.test
def test_security_groups_concern_declares_into_the_scope(mocks: AidcMocks):
    holder = _Holder("pc")
    groups = create_security_groups(Scope(name="pc", component=holder), ["198.51.100.0/24"], [])

    def check(ids: list[str]) -> None:
        names = sorted(r.name for r in mocks.registered if r.typ.startswith("openstack:networking/secGroup"))
        assert names == [
            "pc-sg-admin",
            "pc-sg-admin-22-198-51-100-0-24",
            "pc-sg-admin-6443-198-51-100-0-24",
            "pc-sg-internal",
            "pc-sg-internal-ipv4",
            "pc-sg-internal-ipv6",
        ]
        assert len(ids) == 2, ids

    return groups.ids.apply(check)


# --- VpnInterconnect: routes over connections ----------------------------------------------------------------------


def test_prefixes_spread_over_connections_in_order() -> None:
    prefixes = ["10.20.0.0/16", "10.21.0.0/16", "10.22.0.0/16"]
    assert spread_prefixes(prefixes, 2) == [("10.20.0.0/16", 0), ("10.21.0.0/16", 1), ("10.22.0.0/16", 0)]
    # A prefix keeps its connection index (and its route its name) when connections are added beyond it.
    assert spread_prefixes(prefixes[:1], 4) == [("10.20.0.0/16", 0)]


@pytest.mark.parametrize(("prefixes", "connections", "idle"), [(3, 2, 0), (2, 2, 0), (1, 4, 3)])
def test_connections_beyond_the_prefixes_are_idle(prefixes: int, connections: int, idle: int) -> None:
    assert idle_connections([f"10.{i}.0.0/16" for i in range(prefixes)], connections) == idle


# --- CephStorage: cluster, operator, block pools -------------------------------------------------------------------

POOLS = (CephPoolSpec(name="block", kind="block", pg_num=64, replicated_size=3),)


def _ceph(**overrides: object) -> CephStorageArgs:
    return CephStorageArgs(storage_nodes=("a", "b", "c"), pools=POOLS, **overrides)  # type: ignore[arg-type]


def test_cluster_spec_turns_encryption_off_only_when_asked() -> None:
    on = cluster_spec(_ceph())
    assert on["storage"]["config"] == {"osdsPerDevice": "1", "encryptedDevice": "true"}
    assert on["network"]["connections"]["encryption"] == {"enabled": True}
    assert on["network"]["connections"]["requireMsgr2"] is True
    off = cluster_spec(_ceph(encrypt_osds=False, encrypt_in_transit=False))
    assert off["storage"]["config"] == {"osdsPerDevice": "1"}
    assert off["network"]["connections"]["encryption"] == {"enabled": False}
    assert [n["name"] for n in on["storage"]["nodes"]] == ["a", "b", "c"]
    assert on["mon"]["count"] == 3


def test_daemons_pinned_to_the_storage_label() -> None:
    affinity = storage_node_affinity("example.com/disks=nvme")
    terms = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [
        {"matchExpressions": [{"key": "example.com/disks", "operator": "In", "values": ["nvme"]}]}
    ]


def test_operator_values_the_callers_win() -> None:
    assert operator_values(_ceph()) == {"crds": {"enabled": True}, "enableDiscoveryDaemon": False}
    assert (
        operator_values(_ceph(operator_values={"enableDiscoveryDaemon": True}))["enableDiscoveryDaemon"]
        is True
    )


def test_rbd_parameters_name_the_pool_and_the_namespaces_secrets() -> None:
    parameters = rbd_parameters("rook-ceph", "block")
    assert parameters["pool"] == "block" and parameters["clusterID"] == "rook-ceph"
    assert "dataPool" not in parameters
    secrets = {k: v for k, v in parameters.items() if k.endswith("-secret-namespace")}
    assert len(secrets) == 3 and set(secrets.values()) == {"rook-ceph"}


# --- WorkloadQueues: flavors and landing zones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taint", "parts"),
    [
        (
            "nvidia.com/gpu=true:NoSchedule",
            {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"},
        ),
        ("aidc.io/edge:NoExecute", {"key": "aidc.io/edge", "effect": "NoExecute"}),
    ],
)
def test_taint_parts(taint: str, parts: dict[str, str]) -> None:
    assert taint_parts(taint) == parts


def test_workload_labels_carry_cluster_kind_and_class() -> None:
    workload = WorkloadQueue(
        name="chat", kind="inference", classification="internal", flavor="l40s", gpus=4, pod_gpus=2
    )
    assert workload_labels({"aidc.io/cluster": "core"}, workload) == {
        "aidc.io/cluster": "core",
        "aidc.io/workload": "chat",
        "aidc.io/kind": "inference",
        "aidc.io/classification": "internal",
    }
