"""The placement MILP's three steps on a known input: the model build.py makes (variables, objective, one
constraint row per demand, the private inventory and each quota), what solve.py does with each solver status, and
the groups decode.py makes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

from aidc.catalog import DEFAULT_CATALOG
from aidc.sizing import InfeasibleDemand
from aidc.sizing.placement import build, solve
from aidc.sizing.placement.build import Demand, build_model, market
from aidc.sizing.placement.decode import decode_solution
from tests.sizing.helpers import stack

L40S = "l40s-48gb"  # 8 per server; g6e.48xlarge (8 GPUs) and g6e.12xlarge (4) in the catalog
CFG = stack({}, {"private": {"gpus": {L40S: 16}}, "public": {"max_instances": {"g6e.12xlarge": 2}}})
TRAIN = Demand("train", "training", "internal", 12, private_only=False, spot=False)
CHAT = Demand("chat", "inference", "public", 10, private_only=False, spot=False, replica_gpus=2)
SECRET = Demand("secret", "inference", "confidential", 4, private_only=True, spot=False, replica_gpus=4)


def _model(*demands: Demand, cfg: Any = CFG) -> build.Model:
    return build_model(list(demands), market(L40S, cfg, DEFAULT_CATALOG), cfg, DEFAULT_CATALOG, None)


def test_variables_are_the_options_each_demand_fits() -> None:
    model = _model(TRAIN, CHAT, SECRET)
    # train: private (12 <= 16) and g6e.48xlarge (2, no quota); not g6e.12xlarge (3 instances, quota 2).
    # chat: whole replicas of 2 per server or instance. secret: private only.
    assert [(v.demand.name, v.option, v.units) for v in model.options] == [
        ("train", "private", 12),
        ("train", "g6e.48xlarge", 2),
        ("chat", "private", 8),
        ("chat", "g6e.48xlarge", 8),
        ("chat", "g6e.12xlarge", 4),
        ("secret", "private", 8),
    ]
    assert model.x_max.tolist() == [1.0, 1.0, np.inf, np.inf, np.inf, np.inf]
    private = model.market.private_price.value
    assert model.cost[0] == pytest.approx(12 * private)
    assert model.cost[2] == pytest.approx(8 * private)  # one whole server


def test_one_row_per_demand_then_the_inventory_then_each_quota() -> None:
    model = _model(TRAIN, CHAT, SECRET)
    assert model.constraint_names == (
        "demand:train",
        "demand:chat",
        "demand:secret",
        "private-inventory",
        "quota:g6e.12xlarge",
    )
    assert model.matrix.tolist() == [
        [1, 1, 0, 0, 0, 0],
        [0, 0, 8, 8, 4, 0],
        [0, 0, 0, 0, 0, 8],
        [12, 0, 8, 0, 0, 8],
        [0, 0, 0, 0, 1, 0],
    ]
    assert model.lower.tolist() == [1, 10, 4, 0, 0]
    assert model.upper.tolist() == [1, np.inf, np.inf, 16, 2]


def test_no_quota_row_without_a_quota() -> None:
    cfg = stack({}, {"private": {"gpus": {L40S: 16}}})
    assert _model(CHAT, cfg=cfg).constraint_names == ("demand:chat", "private-inventory")


def test_private_only_beyond_the_inventory_is_refused_before_solving() -> None:
    big = Demand("secret", "inference", "restricted", 24, private_only=True, spot=False)
    with pytest.raises(InfeasibleDemand, match=r"needs 24 l40s-48gb GPUs.*is 16 \(2 whole servers of 8\)"):
        _model(big)


def test_a_demand_no_option_can_hold_is_refused_with_the_offer() -> None:
    # A replica of 16 GPUs fits no 8-GPU server or instance.
    wide = Demand("wide", "inference", "public", 16, private_only=False, spot=False, replica_gpus=16)
    with pytest.raises(InfeasibleDemand, match=r"inference wide needs 16 .*g6e\.12xlarge \(quota 2\)"):
        _model(wide)


def test_solve_and_decode_place_every_demand_within_the_rows() -> None:
    model = _model(TRAIN, CHAT, SECRET)
    solution = solve.solve_model(model)
    assert solution.warning is None
    taken = model.matrix @ solution.counts
    assert np.all(taken >= model.lower - 1e-9) and np.all(taken <= model.upper + 1e-9)
    groups = decode_solution(model, solution.counts, CFG, DEFAULT_CATALOG)
    # The confidential server takes 8 of the 16 private GPUs, so the 12-GPU run cannot be private.
    public = {(g.workload, g.instance_type): g.instances.int for g in groups.public}
    assert public[("train", "g6e.48xlarge")] == 2
    assert [(g.workload, g.gpus.int) for g in groups.private if g.workload == "secret"] == [("secret", 8)]
    assert groups.private_gpus_used == sum(g.gpus.int for g in groups.private) <= 16
    assert any("no quota given for g6e.48xlarge" in w for w in groups.warnings)


def _fake_milp(monkeypatch: pytest.MonkeyPatch, **result: Any) -> None:
    base = {"status": 0, "x": None, "message": "", "mip_gap": None}
    monkeypatch.setattr(solve, "milp", lambda **_: OptimizeResult({**base, **result}))


def test_a_time_limit_with_a_solution_uses_it_and_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(CHAT)
    x = np.array([1.0, 0.0, 1.0])
    _fake_milp(monkeypatch, status=1, x=x, message="Time limit reached", mip_gap=0.05)
    solution = solve.solve_model(model)
    assert solution.counts.tolist() == [1, 0, 1]
    assert solution.warning is not None and "5.00%" in solution.warning and "l40s-48gb" in solution.warning


def test_a_time_limit_without_a_solution_names_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_milp(monkeypatch, status=1, message="Time limit reached")
    with pytest.raises(InfeasibleDemand, match=r"no placement found within the 20 s time limit"):
        solve.solve_model(_model(CHAT))


def test_infeasible_is_the_capacity_error_with_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_milp(monkeypatch, status=2, message="infeasible")
    with pytest.raises(InfeasibleDemand, match=r"demand of 10 GPUs \[chat \(10\)\] does not fit: private 16"):
        solve.solve_model(_model(CHAT))


def test_any_other_failure_carries_the_solver_message(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_milp(monkeypatch, status=4, message="HiGHS: model error")
    with pytest.raises(InfeasibleDemand, match=r"the solver stopped: HiGHS: model error"):
        solve.solve_model(_model(CHAT))
