"""Every shipped stack (stacks/Pulumi.*.yaml), run once per test session under the offline recorder."""

from __future__ import annotations

from functools import cache

from aidc.config.load import STACKS_DIR, read_config_values, stack_file
from aidc.offline import OfflinePlan, run_program

SHIPPED = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml")
)


@cache
def offline_plan(stack: str) -> OfflinePlan:
    """The stack's program, run once per session (each run takes seconds)."""
    return run_program(stack, stack_config=read_config_values(stack_file(stack)))
