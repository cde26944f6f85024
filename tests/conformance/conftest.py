"""Conformance tests: what every shipped stack's real program emits, checked against the rules of the systems
that receive it (vendored under upstream/, see upstream/README.md). Each stack is run once per session under the
offline recorder (aidc/offline.py), which keeps the inputs with secrets unwrapped (`plain_inputs`) so user data
and Heat parameters can be checked as the real API would receive them."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest

from aidc.config.load import STACKS_DIR, read_config_values, stack_file
from aidc.offline import OfflinePlan, run_program

SHIPPED = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml")
)


@cache
def offline_plan(stack: str) -> OfflinePlan:
    """The stack's program, run once per session (each run takes seconds)."""
    return run_program(stack, stack_config=read_config_values(stack_file(stack)))


@pytest.fixture(params=SHIPPED)
def plan(request: pytest.FixtureRequest) -> Iterator[OfflinePlan]:
    yield offline_plan(request.param)
