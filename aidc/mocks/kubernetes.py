"""Mock outputs for pulumi_kubernetes resources and invokes (engine camelCase keys).

Objects get `metadata` with their name (the given one, or an auto-name `<resource name>-<hex>` as the
provider would make), a namespace for namespaced kinds, a deterministic uid and resourceVersion; Helm
releases get a `status` as after a successful install; Rook custom resources report Ready/Connected.
Everything derives from type+name via stable_hex.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks

# Kinds that live outside namespaces (the rest get "default" when none is given).
_CLUSTER_SCOPED = {
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "NodePool",
    "EC2NodeClass",
}
_ROOK_PHASES = {
    "CephCluster": {"phase": "Ready", "state": "Created", "ceph": {"health": "HEALTH_OK"}},
    "CephBlockPool": {"phase": "Ready"},
    "CephObjectStore": {"phase": "Ready"},
}


def _uid(*parts: str) -> str:
    from aidc.mocks import stable_hex

    rid = stable_hex(*parts, length=32)
    return f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}"


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    from aidc.mocks import stable_hex

    outputs = dict(args.inputs)
    token = args.typ
    suffix = stable_hex(token, args.name)[:8]
    kind = token.rsplit(":", 1)[-1]

    if token == "kubernetes:helm.sh/v3:Release":
        release_name = outputs.get("name") or f"{args.name}-{suffix}"
        namespace = outputs.get("namespace") or "default"
        outputs["name"] = release_name
        outputs.setdefault(
            "status",
            {
                "name": release_name,
                "namespace": namespace,
                "chart": outputs.get("chart"),
                "version": outputs.get("version"),
                "appVersion": outputs.get("version"),
                "revision": 1,
                "status": "deployed",
            },
        )
        return f"{namespace}/{release_name}", outputs

    if "metadata" in outputs or kind in _CLUSTER_SCOPED:
        metadata = dict(outputs.get("metadata") or {})
        metadata.setdefault("name", f"{args.name}-{suffix}")
        if kind not in _CLUSTER_SCOPED:
            metadata.setdefault("namespace", "default")
        metadata.setdefault("uid", _uid(token, args.name))
        metadata.setdefault("resourceVersion", str(int(stable_hex("rv", token, args.name, length=6), 16)))
        metadata.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
        outputs["metadata"] = metadata
        if kind in _ROOK_PHASES:
            outputs.setdefault("status", _ROOK_PHASES[kind])
        elif kind == "Namespace":
            outputs.setdefault("status", {"phase": "Active"})
        resource_id = (
            f"{metadata['namespace']}/{metadata['name']}" if "namespace" in metadata else metadata["name"]
        )
        return resource_id, outputs

    return f"{args.name}-{suffix}", outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    return {}
