"""Scope: what every concern module of a split component needs to declare children — the component's name (the
prefix of every child name), the component itself (every child's parent) and the tags of taggable children.

Shared by the packages split by concern (aws_gpu_cluster/, openstack_private_cloud/, ceph_storage/,
vpn_interconnect/, workload_queues/): a child's options are built here, so every concern parents its children the
same way (CONVENTIONS.md: `ResourceOptions(parent=self)`, providers inherited through the parent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi


@dataclass(frozen=True)
class Scope:
    """Where a concern's children go: named f"{name}-<role>", parented to `component`, tagged with `tags`."""

    name: str
    """The component's name; every child is named f"{name}-<role>"."""
    component: pulumi.ComponentResource
    """The component every child is parented to (and inherits providers from)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of every taggable child (empty where the component's children carry none)."""

    def opts(
        self,
        *,
        depends_on: Sequence[pulumi.Resource] | None = None,
        provider: pulumi.ProviderResource | None = None,
        ignore_changes: Sequence[str] | None = None,
    ) -> pulumi.ResourceOptions:
        """Options of a child: parented to the component, with explicit dependencies, provider or properties
        whose changes are ignored, if any."""
        return pulumi.ResourceOptions(
            parent=self.component,
            depends_on=depends_on,
            provider=provider,
            ignore_changes=list(ignore_changes) if ignore_changes is not None else None,
        )

    def invoke(self) -> pulumi.InvokeOptions:
        """Options of a data-source call made on the component's behalf."""
        return pulumi.InvokeOptions(parent=self.component)
