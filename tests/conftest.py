"""Shared fixtures. Resource tests install `AidcMocks` (aidc/mocks) before importing components."""

from __future__ import annotations

import pulumi
import pytest

from aidc.mocks import AidcMocks


@pytest.fixture
def mocks() -> AidcMocks:
    """Fresh mocks for one resource test; `mocks.registered` lists what the test registered."""
    m = AidcMocks()
    pulumi.runtime.set_mocks(m, project="aidc", stack="test", preview=False)
    return m
