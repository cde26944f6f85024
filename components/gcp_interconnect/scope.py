"""Scope of GcpInterconnect's concern modules: the component's name (every child's prefix), the component (every
child's parent), the project and region, and the labels of labelled children."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Scope:
    name: str
    component: pulumi.ComponentResource
    project: pulumi.Output[str]
    region: str
    labels: Mapping[str, str]

    def opts(self, *, depends_on: Sequence[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.component, depends_on=depends_on)
