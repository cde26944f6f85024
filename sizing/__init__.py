"""The sizing engine: demand (config models) → CapacityPlan (counts, each with its formula and inputs).

Pure Python: this package must never import Pulumi. Entry point: `size_stack(cfg)`.
The names below load lazily because config/ validates against sizing.catalog, and sizing.engine imports
config/: importing `sizing` must not import the engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["InfeasibleDemand", "size_stack"]


def __getattr__(name: str) -> Any:
    if name == "size_stack":
        from sizing.engine import size_stack

        return size_stack
    if name == "InfeasibleDemand":
        from sizing.errors import InfeasibleDemand

        return InfeasibleDemand
    raise AttributeError(name)
