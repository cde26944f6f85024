"""Scope: what every concern module of GcpGpuCluster needs to declare children — the component's name (the prefix of
every child name), the component itself (every child's parent), the project and region, and the labels of labelled
children.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi


@dataclass(frozen=True)
class Scope:
    """Where a concern's children go: named f"{name}-<role>", parented to `component`, in `project` and `region`,
    labelled with `labels`."""

    name: str
    """The component's name; every child is named f"{name}-<role>"."""
    component: pulumi.ComponentResource
    """The GcpGpuCluster every child is parented to (and inherits providers from)."""
    project: pulumi.Output[str]
    """The project every child is declared in (the Args' project, else the provider's)."""
    project_number: pulumi.Output[str]
    """The project's number (service agents' emails carry it)."""
    region: str
    """The region of every regional child."""
    labels: Mapping[str, str]
    """Google Cloud labels of every labelled child."""

    def opts(
        self,
        *,
        depends_on: Sequence[pulumi.Resource] | None = None,
        provider: pulumi.ProviderResource | None = None,
        ignore_changes: Sequence[str] | None = None,
        delete_before_replace: bool | None = None,
    ) -> pulumi.ResourceOptions:
        """Options of a child: parented to the component, with explicit dependencies, provider, ignored inputs or
        delete-before-replace if any."""
        return pulumi.ResourceOptions(
            parent=self.component,
            depends_on=depends_on,
            provider=provider,
            ignore_changes=list(ignore_changes) if ignore_changes else None,
            delete_before_replace=delete_before_replace,
        )

    def invoke(self) -> pulumi.InvokeOptions:
        """Options of a data-source call made on the component's behalf."""
        return pulumi.InvokeOptions(parent=self.component)


def field(value: Any, snake: str, camel: str) -> Any:
    """A nested output field: the SDK hands nested outputs over as dicts (engine camelCase) under mocks and as typed
    objects (snake_case attributes) for real."""
    if type(value) is dict:  # a plain dict (mocks); the SDK's output types subclass dict but take attributes
        return value.get(camel, value.get(snake))
    return getattr(value, snake, None)
