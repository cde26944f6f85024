"""Google Cloud's preflight — MINIMAL PLACEHOLDER written by the gcp-components helper so the cloud can be
registered; gcp-guard's module (GPU quota, machine type and accelerator availability, required APIs) REPLACES this
file at merge.
"""

from __future__ import annotations

import argparse
from typing import Any

from aidc.config.model import StackConfig
from aidc.sizing.plan import CapacityPlan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options yet."""


def job(cfg: StackConfig, plan: CapacityPlan, args: argparse.Namespace, budget: Any) -> Any:
    raise ValueError("Google Cloud preflight is not implemented yet (placeholder module)")
