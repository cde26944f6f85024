"""Shared fixtures. Resource tests install `AidcMocks` (aidc/mocks) before importing components."""

from __future__ import annotations

import os

import pulumi
import pytest
from hypothesis import settings

from aidc.mocks import AidcMocks

# Every run draws one fixed sequence of property-test examples (derandomize, no example database shared by the
# pytest-xdist workers), so a result never depends on the draw or on which worker ran the test. To explore new
# examples locally: HYPOTHESIS_PROFILE=explore (random draws, failures kept in .hypothesis/ to replay them).
# No deadline either: a shared, loaded machine (or a busy worker) makes an example slow, never wrong.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# Config rules about dates (a reservation may not start in the past) judge against this fixed day in tests, so a
# fixture's date never expires; tests of the rule itself pass `today=` (aidc.config.limits.utc_today). Set in the
# environment, so the CLI run as a subprocess and the estate's worker processes see the same day.
os.environ.setdefault("AIDC_TODAY", "2026-12-07")


@pytest.fixture
def mocks() -> AidcMocks:
    """Fresh mocks for one resource test; `mocks.registered` lists what the test registered."""
    m = AidcMocks()
    pulumi.runtime.set_mocks(m, project="aidc", stack="test", preview=False)
    return m
