"""The sizing engine: demand (config models) → CapacityPlan (counts, each with its formula and inputs).

Pure Python: this package must never import Pulumi. Entry point: `size_stack(cfg)`.
"""

from aidc.sizing.engine import size_stack
from aidc.sizing.errors import InfeasibleDemand

__all__ = ["InfeasibleDemand", "size_stack"]
