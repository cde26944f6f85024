"""Shared fixtures. Resource tests install `AidcMocks` (aidc/mocks) before importing components."""

from __future__ import annotations

import os

import pulumi
import pytest
from hypothesis import settings

from aidc.mocks import AidcMocks

# CI (.ci/run sets HYPOTHESIS_PROFILE=ci) draws one fixed sequence of examples, so whether main lands never depends
# on the draw, nor on the machine's load (no per-example deadline: a shared runner can be slow); local runs draw new
# examples each time and keep what fails in .hypothesis/ to replay it.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
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
