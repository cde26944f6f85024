"""The Rook operator of CephStorage: its namespace (privileged: Ceph daemons need host devices and host
networking) and the pinned rook-ceph chart with its CRDs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_kubernetes as k8s

from aidc.contract import POD_SECURITY_ENFORCE_LABEL
from components._scope import Scope
from components.ceph_storage.args import CephStorageArgs

ROOK_CHART_REPO = "https://charts.rook.io/release"


@dataclass(frozen=True)
class Operator:
    """The namespace everything Ceph lives in and the operator release the Ceph objects wait for."""

    namespace: k8s.core.v1.Namespace
    """The operator's and the cluster's namespace (the TLS Secrets wait for it)."""
    release: k8s.helm.v3.Release
    """The rook-ceph chart (the CephCluster waits for its CRDs)."""


def operator_values(args: CephStorageArgs) -> dict[str, object]:
    """The chart's values: its CRDs installed, no discovery daemon (devices are named by the filter), then the
    caller's extra values over these."""
    return {"crds": {"enabled": True}, "enableDiscoveryDaemon": False, **args.operator_values}


def install_operator(scope: Scope, args: CephStorageArgs) -> Operator:
    """The namespace and the pinned Rook operator chart in it."""
    name = scope.name
    namespace = k8s.core.v1.Namespace(
        f"{name}-namespace",
        metadata={
            "name": args.namespace,
            # Ceph daemons need host devices and host networking: privileged, in this namespace only.
            "labels": {POD_SECURITY_ENFORCE_LABEL: "privileged"},
        },
        opts=scope.opts(),
    )
    release = k8s.helm.v3.Release(
        f"{name}-operator",
        name="rook-ceph",
        chart="rook-ceph",
        version=args.rook_chart_version,
        repository_opts={"repo": ROOK_CHART_REPO},
        namespace=namespace.metadata["name"],
        values=operator_values(args),
        atomic=True,
        opts=scope.opts(),
    )
    return Operator(namespace, release)
