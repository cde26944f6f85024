"""Every shipped stack (stacks/Pulumi.*.yaml), run once per test session under the offline recorder."""

from __future__ import annotations

from functools import cache

from stacks_list import PLANNED_STACKS

from aidc.estate.offline import run_stack
from aidc.offline import OfflinePlan

# Every stack with a core of its own. An estate's shard stacks declare edge sites exactly as one-stack estates
# do (tests/stacks/test_estate.py checks they are the same resources), so those stacks' runs cover them.
SHIPPED = PLANNED_STACKS


@cache
def offline_plan(stack: str) -> OfflinePlan:
    """The stack's program, run once per session (each run takes seconds); an estate's shard after its core."""
    return run_stack(stack, _CORE_RUNS)


_CORE_RUNS: dict[str, OfflinePlan] = {}
