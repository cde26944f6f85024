"""Every shipped stack (stacks/Pulumi.*.yaml), run once per test session under the offline recorder."""

from __future__ import annotations

from functools import cache

from stacks_list import SHIPPED_STACKS

from aidc.config.load import read_config_values, stack_file
from aidc.offline import OfflinePlan, run_program

SHIPPED = SHIPPED_STACKS


@cache
def offline_plan(stack: str) -> OfflinePlan:
    """The stack's program, run once per session (each run takes seconds)."""
    return run_program(stack, stack_config=read_config_values(stack_file(stack)))
