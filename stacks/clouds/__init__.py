"""Each public cloud's part of the stack program (stacks/clouds/<cloud>.py), loaded only for the clouds the plan uses.

A cloud's program module provides:
- `prepare(ctx: CloudContext) -> Prepared`: every Args of its slice of the plan, built and so validated before
  the program declares its first resource (wires stand in for what other components produce later);
- `declare(prepared) -> dict`: its components, in order, returning the stack's exports for that cloud;
- `Prepared.gpu` and `Prepared.gpu_cluster`: its GPU add-ons and the cluster name its GPU queues are reported under.
It is the only module of a cloud that imports the cloud's Pulumi SDK (through its components), and
stacks/program.py imports it only when `plan.clouds` names the cloud.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import pulumi

from aidc.contract import PUBLIC_CLOUDS

if TYPE_CHECKING:
    from aidc.config.model import StackConfig
    from aidc.sizing.plan import CapacityPlan
    from stacks.gpu import ClusterGpuArgs
    from stacks.wiring import Wires


@dataclass(frozen=True)
class PrivateSide:
    """What a public cloud's interconnect attaches to on the private side: the core network's router and subnet
    (outputs of the private cloud, declared before the public clouds)."""

    router_id: pulumi.Output[str]
    subnet_id: pulumi.Output[str]


@dataclass(frozen=True)
class CloudContext:
    """What a cloud's `prepare` reads: the config and plan, the program's wires, where `pulumi up` runs from, and
    the private side its interconnect attaches to."""

    cfg: StackConfig
    plan: CapacityPlan
    wires: Wires
    deploy_cidrs: list[str]
    private: PrivateSide


class Prepared(Protocol):
    """A cloud's validated Args (its own dataclass), as the program sees them."""

    @property
    def gpu(self) -> ClusterGpuArgs | None: ...

    @property
    def gpu_cluster(self) -> str: ...


class CloudProgram(Protocol):
    """stacks/clouds/<cloud>.py."""

    def prepare(self, ctx: CloudContext) -> Any: ...

    def declare(self, prepared: Any) -> dict[str, Any]: ...


def program_of(cloud: str) -> CloudProgram:
    """The program module of a registered public cloud (imports its Pulumi SDK)."""
    if cloud not in PUBLIC_CLOUDS:
        raise ValueError(f"unknown public cloud {cloud!r}; registered: {', '.join(PUBLIC_CLOUDS)}")
    return cast(CloudProgram, importlib.import_module(f"stacks.clouds.{cloud}"))
