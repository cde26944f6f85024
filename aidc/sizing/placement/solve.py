"""Solving one accelerator's placement problem with HiGHS (scipy.optimize.milp), and what each solver status
means for the plan.

scipy's statuses (scipy.optimize.milp, "status"): 0 optimal; 1 iteration or time limit reached, with the best
integer-feasible solution found so far if any; 2 infeasible; 3 unbounded; 4 other. Here:
- 0: the solution is the least-cost placement (within MIP_REL_GAP);
- 1 with a solution: that solution is used — it satisfies every constraint — and a warning says it may not be the
  least-cost one (its gap); 1 without one: an error naming the time limit;
- 2: the demand does not fit the inventory and quotas: an error with the numbers (capacity_error);
- 3 and 4 cannot arise from a model build.py makes (costs are non-negative, variables bounded below by 0); they
  are an error carrying the solver's message rather than a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.placement.build import Demand, Market, Model

TIME_LIMIT_S = 20.0
"""Wall-clock limit of one accelerator's solve (HiGHS `time_limit`)."""
MIP_REL_GAP = 1e-6
"""Relative gap at which HiGHS stops: the solution costs at most this fraction more than the optimum."""
OPTIMAL, LIMIT_REACHED, INFEASIBLE = 0, 1, 2


@dataclass(frozen=True)
class Solution:
    """How many units of each variable (column order of the model), and a warning when it may not be optimal."""

    counts: np.ndarray
    warning: str | None = None


def capacity_error(demands: Sequence[Demand], market: Market) -> InfeasibleDemand:
    """The error for demand the private inventory and the quotas together cannot hold."""
    acc, types, quotas = market.accelerator, market.instance_types, market.quotas
    total = sum(d.gpus for d in demands)
    public = sum(quotas[t.name] * t.gpus for t in types if t.name in quotas)
    items = ", ".join(f"{d.name} ({d.gpus})" for d in demands)
    quota_list = ", ".join(f"{t.name}: {quotas[t.name]}" for t in types if t.name in quotas)
    return InfeasibleDemand(
        f"{acc} demand of {total} GPUs [{items}] does not fit: private {market.private_gpus} GPUs "
        f"(aidc:capacity.private.gpus.{acc}) + public quota {public} GPUs ({quota_list}), in whole "
        f"servers and instances; raise aidc:capacity.public.max_instances or add private GPUs"
    )


def solve_model(model: Model) -> Solution:
    """Solve the model (module docstring: what each status means)."""
    n = len(model.options)
    result = milp(
        c=model.cost,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), model.x_max),
        constraints=LinearConstraint(model.matrix, model.lower, model.upper),
        options={"time_limit": TIME_LIMIT_S, "mip_rel_gap": MIP_REL_GAP},
    )
    acc = model.market.accelerator
    if result.status == INFEASIBLE:
        raise capacity_error(model.demands, model.market)
    if result.x is None:
        reason = (
            f"no placement found within the {TIME_LIMIT_S:g} s time limit"
            if result.status == LIMIT_REACHED
            else f"the solver stopped: {result.message}"
        )
        raise InfeasibleDemand(
            f"placement of the {acc} demand ({len(model.demands)} workloads, {n} options): {reason}; "
            f"lower the demand or narrow aidc:capacity.public.allowed_instance_types"
        )
    warning = None
    if result.status != OPTIMAL:
        gap = f"{result.mip_gap:.2%}" if result.mip_gap is not None else "unknown"
        warning = (
            f"placement of the {acc} demand stopped before proving the least cost ({result.message}): the plan "
            f"is feasible and its cost within {gap} of the solver's lower bound"
        )
    return Solution(np.round(result.x).astype(int), warning)
