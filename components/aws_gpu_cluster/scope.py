"""Scope: what every concern module of AwsGpuCluster needs to declare children — the component's name (the
prefix of every child name), the component itself (every child's parent) and the tags of taggable children.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Scope:
    """Where a concern's children go: named f"{name}-<role>", parented to `component`, tagged with `tags`."""

    name: str
    """The component's name; every child is named f"{name}-<role>"."""
    component: pulumi.ComponentResource
    """The AwsGpuCluster every child is parented to (and inherits providers from)."""
    tags: Mapping[str, str]
    """Tags of every taggable child."""

    def opts(
        self,
        *,
        depends_on: Sequence[pulumi.Resource] | None = None,
        provider: pulumi.ProviderResource | None = None,
    ) -> pulumi.ResourceOptions:
        """Options of a child: parented to the component, with explicit dependencies or provider if any."""
        return pulumi.ResourceOptions(parent=self.component, depends_on=depends_on, provider=provider)

    def invoke(self) -> pulumi.InvokeOptions:
        """Options of a data-source call made on the component's behalf."""
        return pulumi.InvokeOptions(parent=self.component)
