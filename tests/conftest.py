"""Shared fixtures. Resource tests install `AidcMocks` (aidc/mocks) before importing components."""

from __future__ import annotations

import os

import pulumi
import pytest
from hypothesis import settings

from aidc.mocks import AidcMocks

# CI (.ci/run sets HYPOTHESIS_PROFILE=ci) draws one fixed sequence of examples, so whether main lands never depends
# on the draw; local runs draw new examples each time and keep what fails in .hypothesis/ to replay it.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def mocks() -> AidcMocks:
    """Fresh mocks for one resource test; `mocks.registered` lists what the test registered."""
    m = AidcMocks()
    pulumi.runtime.set_mocks(m, project="aidc", stack="test", preview=False)
    return m
