"""The shipped stacks, found by globbing stacks/Pulumi.*.yaml: every test that parametrizes over
`SHIPPED_STACKS` covers a new stack file without being edited. No Pulumi import (the size tests use it)."""

from __future__ import annotations

from aidc.config.load import STACKS_DIR
from aidc.estate.files import SHARD_NAME

SHIPPED_STACKS: tuple[str, ...] = tuple(
    sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml"))
)

SHARD_STACKS: tuple[str, ...] = tuple(
    name
    for name in SHIPPED_STACKS
    if (match := SHARD_NAME.match(name)) is not None and match["core"] in SHIPPED_STACKS
)
"""An estate's shard stacks (`<core>-edge-<n>` beside `<core>`): they deploy edge sites and nothing else."""
PLANNED_STACKS: tuple[str, ...] = tuple(name for name in SHIPPED_STACKS if name not in SHARD_STACKS)
"""Every shipped stack but the shards: each holds a core (AWS, the private cloud, the interconnect)."""
