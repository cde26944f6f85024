"""The shipped stacks, found by globbing stacks/Pulumi.*.yaml: every test that parametrizes over
`SHIPPED_STACKS` covers a new stack file without being edited. No Pulumi import (the size tests use it)."""

from __future__ import annotations

from aidc.config.load import STACKS_DIR

SHIPPED_STACKS: tuple[str, ...] = tuple(
    sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml"))
)
