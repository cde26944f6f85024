"""The ResourceFlavors of WorkloadQueues, one per accelerator and location: its node labels (aidc.io/accelerator,
aidc.io/location) pick the GPU nodes, its nodeTaints are theirs and its tolerations are added to every admitted
pod."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._scope import Scope
from components.workload_queues.args import QueueFlavor
from components.workload_queues.kueue import KUEUE_API


def taint_parts(taint: str) -> dict[str, str]:
    """'key=value:Effect' (or 'key:Effect') as a Kubernetes taint's fields."""
    key_value, _, effect = taint.rpartition(":")
    key, _, value = key_value.partition("=")
    parts = {"key": key, "effect": effect}
    if value:
        parts["value"] = value
    return parts


def flavor_spec(flavor: QueueFlavor) -> dict[str, Any]:
    """ResourceFlavor spec: node labels, the nodes' taints, and the tolerations Kueue adds to admitted pods."""
    spec: dict[str, Any] = {"nodeLabels": dict(flavor.node_labels)}
    if flavor.node_taints:
        spec["nodeTaints"] = [taint_parts(taint) for taint in flavor.node_taints]
        spec["tolerations"] = [
            {"key": taint_parts(taint)["key"], "operator": "Exists", "effect": taint_parts(taint)["effect"]}
            for taint in flavor.node_taints
        ]
    return spec


def create_flavors(
    scope: Scope, flavors: Sequence[QueueFlavor], labels: Mapping[str, str], kueue: pulumi.Resource
) -> dict[str, k8s.apiextensions.CustomResource]:
    """One ResourceFlavor per flavor once Kueue (its CRDs) exists, by flavor name."""
    return {
        flavor.name: k8s.apiextensions.CustomResource(
            f"{scope.name}-flavor-{flavor.name}",
            api_version=KUEUE_API,
            kind="ResourceFlavor",
            metadata={"name": flavor.name, "labels": dict(labels)},
            spec=flavor_spec(flavor),
            opts=scope.opts(depends_on=[kueue]),
        )
        for flavor in flavors
    }
