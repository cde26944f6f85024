"""Ceph/Rook rules on the Rook custom resources the project deploys (pulumi_kubernetes CustomResource type
tokens are "kubernetes:<apiVersion>:<kind>", e.g. "kubernetes:ceph.rook.io/v1:CephBlockPool"):
replica size >= 3 or erasure coding m >= 2, a failure domain of host or wider, enough hosts for each pool,
an odd number (>= 3) of monitors, one per node, and object gateways that serve S3 over TLS only.

Nothing here builds a PolicyPack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies._common import MANDATORY, as_list, config_of, get, resources_of, schema, truthy

CEPH_CLUSTER = "kubernetes:ceph.rook.io/v1:CephCluster"
BLOCK_POOL = "kubernetes:ceph.rook.io/v1:CephBlockPool"
OBJECT_STORE = "kubernetes:ceph.rook.io/v1:CephObjectStore"
FILESYSTEM = "kubernetes:ceph.rook.io/v1:CephFilesystem"
POOL_TYPES = (BLOCK_POOL, OBJECT_STORE, FILESYSTEM)
ROOK_DEFAULT_FAILURE_DOMAIN = "host"
ROOK_DEFAULT_MONITORS = 3


def pools_of(resource_type: str, props: Any) -> Iterator[tuple[str, Any]]:
    """(label, pool spec) for every pool a Rook resource declares."""
    spec = get(props, "spec", default={})
    if resource_type == BLOCK_POOL:
        yield "spec", spec
    elif resource_type == OBJECT_STORE:
        for key in ("metadataPool", "dataPool"):
            if get(spec, key) is not None:
                yield f"spec.{key}", get(spec, key)
    elif resource_type == FILESYSTEM:
        if get(spec, "metadataPool") is not None:
            yield "spec.metadataPool", get(spec, "metadataPool")
        for i, pool in enumerate(as_list(get(spec, "dataPools"))):
            yield f"spec.dataPools[{i}]", pool


def copies_needed(pool: Any) -> int:
    """Failure domains a pool needs: its replica size, or k+m when erasure coded."""
    if get(pool, "erasureCoded") is not None:
        return int(float(get(pool, "erasureCoded", "dataChunks", default=0))) + int(
            float(get(pool, "erasureCoded", "codingChunks", default=0))
        )
    return int(float(get(pool, "replicated", "size", default=0)))


_REDUNDANCY_SCHEMA = schema(
    {
        "min-replica-size": {
            "type": "integer",
            "minimum": 1,
            "default": 3,
            "description": "Smallest replica count of a replicated pool.",
        },
        "min-coding-chunks": {
            "type": "integer",
            "minimum": 1,
            "default": 2,
            "description": "Smallest m (coding chunks) of an erasure-coded pool.",
        },
    }
)


def _validate_redundancy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in POOL_TYPES:
        return
    config = config_of(args, _REDUNDANCY_SCHEMA)
    min_size, min_m = int(config["min-replica-size"]), int(config["min-coding-chunks"])
    for where, pool in pools_of(args.resource_type, args.props):
        if get(pool, "erasureCoded") is not None:
            m = int(float(get(pool, "erasureCoded", "codingChunks", default=0)))
            if m < min_m:
                report(
                    f"{args.name} {where}: erasure coding with m={m} survives fewer than {min_m} lost hosts: "
                    f"use m >= {min_m} (aidc:demand.storage.protection: {{erasure: {{k, m: {min_m}}}}}).",
                    None,
                )
            continue
        size = int(float(get(pool, "replicated", "size", default=0)))
        if size < min_size:
            report(
                f"{args.name} {where}: replica size {size or 'unset'} loses data when {max(size, 1)} host(s) "
                f"fail: use replicated.size >= {min_size} (aidc:demand.storage.protection: "
                f"{{replicas: {min_size}}}).",
                None,
            )
        elif get(pool, "replicated", "requireSafeReplicaSize") is not None and not truthy(
            get(pool, "replicated", "requireSafeReplicaSize")
        ):
            report(
                f"{args.name} {where}: requireSafeReplicaSize is off, which lets Rook create the pool with "
                "size 1: set replicated.requireSafeReplicaSize=true.",
                None,
            )


ceph_pool_redundancy = ResourceValidationPolicy(
    name="ceph-pool-redundancy",
    description="Ceph pools keep at least 3 replicas, or erasure coding with at least 2 coding chunks.",
    enforcement_level=MANDATORY,
    config_schema=_REDUNDANCY_SCHEMA,
    validate=_validate_redundancy,
)

_FAILURE_DOMAIN_SCHEMA = schema(
    {
        "allowed-failure-domains": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "host",
                "chassis",
                "rack",
                "row",
                "pdu",
                "pod",
                "room",
                "datacenter",
                "zone",
                "region",
            ],
            "description": "CRUSH failure domains a pool may use (never osd: two copies could share a host).",
        }
    }
)


def _validate_failure_domain(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in POOL_TYPES:
        return
    allowed = list(config_of(args, _FAILURE_DOMAIN_SCHEMA)["allowed-failure-domains"])
    for where, pool in pools_of(args.resource_type, args.props):
        domain = get(pool, "failureDomain", default=ROOK_DEFAULT_FAILURE_DOMAIN)
        if domain not in allowed:
            report(
                f"{args.name} {where}: failureDomain {domain!r} lets two copies land on one host, so one "
                f"host failure can lose data: use one of {', '.join(allowed)} (host is the usual choice).",
                None,
            )


ceph_failure_domain = ResourceValidationPolicy(
    name="ceph-failure-domain",
    description="Ceph pools spread copies across hosts or wider failure domains, never across OSDs of one host.",
    enforcement_level=MANDATORY,
    config_schema=_FAILURE_DOMAIN_SCHEMA,
    validate=_validate_failure_domain,
)

_DOMAINS_SCHEMA = schema(
    {
        "spare-hosts": {
            "type": "integer",
            "minimum": 0,
            "default": 1,
            "description": "Hosts beyond size (or k+m) so Ceph can recover while one host is down.",
        }
    }
)


def _validate_enough_domains(args: StackValidationArgs, report: ReportViolation) -> None:
    spare = int(config_of(args, _DOMAINS_SCHEMA)["spare-hosts"])
    clusters = resources_of(args.resources, CEPH_CLUSTER)
    hosts_by_namespace: dict[str, int] = {}
    for cluster in clusters:
        storage = get(cluster.props, "spec", "storage", default={})
        if truthy(get(storage, "useAllNodes")):
            continue  # the node count is decided by the Kubernetes cluster, not declared here
        namespace = get(cluster.props, "metadata", "namespace", default="default")
        hosts_by_namespace[namespace] = len(as_list(get(storage, "nodes")))
    for resource in resources_of(args.resources, *POOL_TYPES):
        namespace = get(resource.props, "metadata", "namespace", default="default")
        if namespace not in hosts_by_namespace:
            continue
        hosts = hosts_by_namespace[namespace]
        for where, pool in pools_of(resource.resource_type, resource.props):
            if get(pool, "failureDomain", default=ROOK_DEFAULT_FAILURE_DOMAIN) != "host":
                continue  # racks/zones are not declared in the stack; nothing to count
            needed = copies_needed(pool) + spare
            if hosts < needed:
                report(
                    f"{resource.name} {where} needs {copies_needed(pool)} hosts for its copies plus {spare} "
                    f"spare, but the Ceph cluster in namespace {namespace} declares {hosts} storage node(s): "
                    "add storage hosts (the sizing engine plans them from aidc:demand.storage) or lower the "
                    "pool's size/k+m.",
                    resource.urn,
                )


ceph_enough_failure_domains = StackValidationPolicy(
    name="ceph-enough-failure-domains",
    description="Each host-domain Ceph pool has at least size (or k+m) plus a spare storage hosts.",
    enforcement_level=MANDATORY,
    config_schema=_DOMAINS_SCHEMA,
    validate=_validate_enough_domains,
)

_MON_SCHEMA = schema(
    {
        "min-monitors": {
            "type": "integer",
            "minimum": 1,
            "default": 3,
            "description": "Smallest monitor count (odd counts only are accepted).",
        }
    }
)


def _validate_monitors(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CEPH_CLUSTER:
        return
    minimum = int(config_of(args, _MON_SCHEMA)["min-monitors"])
    mon = get(args.props, "spec", "mon", default={})
    count = int(float(get(mon, "count", default=ROOK_DEFAULT_MONITORS)))
    if count < minimum or count % 2 == 0:
        report(
            f"CephCluster {args.name} runs {count} monitor(s): use an odd number of at least {minimum} (3 or 5) "
            f"so a quorum survives a failure ({count} monitor(s) tolerate {max(count - 1, 0) // 2} failure(s); "
            "an even count tolerates no more than one monitor fewer).",
            None,
        )
    if truthy(get(mon, "allowMultiplePerNode")):
        report(
            f"CephCluster {args.name} allows several monitors per node, so one node failure can break quorum: "
            "set spec.mon.allowMultiplePerNode=false.",
            None,
        )


ceph_monitor_quorum = ResourceValidationPolicy(
    name="ceph-monitor-quorum",
    description="Ceph runs an odd number of monitors, at least 3, one per node.",
    enforcement_level=MANDATORY,
    config_schema=_MON_SCHEMA,
    validate=_validate_monitors,
)

# Rook's other certificate source for a gateway: an OpenShift service-serving certificate named in the
# gateway Service's annotations (ObjectStoreSpec.GetServiceServingCert).
SERVICE_SERVING_CERT = "service.beta.openshift.io/serving-cert-secret-name"


def _validate_object_store_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != OBJECT_STORE:
        return
    gateway = get(args.props, "spec", "gateway", default={})
    # Rook (v1.16, CephObjectStore IsTLSEnabled): TLS needs a securePort and a certificate; any non-zero
    # port opens a plain HTTP frontend beside it.
    secure_port = int(float(get(gateway, "securePort", default=0)))
    certificate = get(gateway, "sslCertificateRef") or get(
        gateway, "service", "annotations", SERVICE_SERVING_CERT
    )
    plain_port = int(float(get(gateway, "port", default=0)))
    problems = []
    if secure_port <= 0 or not certificate:
        problems.append(
            "no TLS frontend (set spec.gateway.securePort: 443 and sslCertificateRef: <tls secret>)"
        )
    if plain_port > 0:
        problems.append(f"a plain HTTP frontend on port {plain_port} (remove spec.gateway.port)")
    if problems:
        report(
            f"CephObjectStore {args.name} serves S3 with {' and '.join(problems)}: S3 requests carry access keys "
            "and object data, which must not cross the network in clear (CephStorage serves 443 only, with a "
            "certificate from its CA).",
            None,
        )


ceph_object_store_tls = ResourceValidationPolicy(
    name="ceph-object-store-tls",
    description="Ceph object gateways serve S3 over TLS only (securePort with a certificate, no plain port).",
    enforcement_level=MANDATORY,
    validate=_validate_object_store_tls,
)

POLICIES = [
    ceph_pool_redundancy,
    ceph_failure_domain,
    ceph_enough_failure_domains,
    ceph_monitor_quorum,
    ceph_object_store_tls,
]
"""This module's rules, in the order the pack registers them."""
