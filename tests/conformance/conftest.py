"""Conformance tests: what every shipped stack's real program emits, checked against the rules of the systems
that receive it (vendored under upstream/, see upstream/README.md). Each stack is run once per session under the
offline recorder (aidc/offline.py), which keeps the inputs with secrets unwrapped (`plain_inputs`) so user data
and Heat parameters can be checked as the real API would receive them."""

from __future__ import annotations

import pytest
from stack_runs import SHIPPED, offline_plan

from aidc.offline import OfflinePlan


@pytest.fixture(params=SHIPPED)
def plan(request: pytest.FixtureRequest) -> OfflinePlan:
    return offline_plan(request.param)
