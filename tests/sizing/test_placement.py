"""Least-cost placement with classification, quotas and whole-instance granularity."""

from __future__ import annotations

import pytest

from aidc.sizing import InfeasibleDemand, size_stack
from tests.sizing.helpers import stack


def _inference(name: str, gpus_needed: int, accelerator: str, **extra: object) -> dict[str, object]:
    # tokens_per_s_per_gpu 1000 and a 1B model (one GPU per replica), so peak/1000 GPUs plus one for N+1.
    return {
        "name": name,
        "peak_tokens_per_s": (gpus_needed - 1) * 1000,
        "tokens_per_s_per_gpu": 1000,
        "accelerator": accelerator,
        "model_params": 1e9,
        **extra,
    }


def test_solver_beats_greedy_on_mixed_instance_sizes() -> None:
    # 20 L40S GPUs; g6e.12xlarge (4 GPUs, $10.49) is cheaper per GPU than g6e.48xlarge (8, $30.13), but only 2
    # are allowed. Greedy by GPU price takes 2 small + 2 large ($81.24); the optimum is 1 small + 2 large
    # (exactly 20 GPUs, $70.75).
    cfg = stack(
        {"inference": [_inference("chat", 20, "l40s-48gb")]},
        {"public": {"max_instances": {"g6e.12xlarge": 2, "g6e.48xlarge": 5}}},
    )
    placement = size_stack(cfg).placement
    assert placement.public_instances_by_type() == {"g6e.12xlarge": 1, "g6e.48xlarge": 2}
    assert placement.usd_per_hour.value == pytest.approx(10.49264 + 2 * 30.13118)


def test_private_cloud_is_used_first_when_cheaper() -> None:
    cfg = stack(
        {"inference": [_inference("chat", 10, "a100-80gb")]}, {"private": {"gpus": {"a100-80gb": 16}}}
    )
    placement = size_stack(cfg).placement
    assert [(g.workload, g.gpus.int, g.servers) for g in placement.private] == [("chat", 16, 2)]
    assert placement.public == ()


def test_training_is_never_split_across_clouds() -> None:
    cfg = stack(
        {
            "training": [
                {"name": "run", "params": 7e9, "tokens": 3e10, "accelerator": "a100-80gb", "deadline_days": 7}
            ]
        },
        {"private": {"gpus": {"a100-80gb": 8}}, "public": {"max_instances": {"p4de.24xlarge": 4}}},
    )
    plan = size_stack(cfg)
    assert plan.training[0].gpus.int == 24
    assert plan.placement.private == ()
    assert plan.placement.public_instances_by_type() == {"p4de.24xlarge": 3}


def test_confidential_demand_beyond_private_inventory_is_an_error_with_numbers() -> None:
    cfg = stack(
        {"inference": [_inference("claims", 12, "a100-80gb", classification="confidential")]},
        {"private": {"gpus": {"a100-80gb": 8}}, "public": {"max_instances": {"p4de.24xlarge": 10}}},
    )
    with pytest.raises(InfeasibleDemand, match=r"12 a100-80gb GPUs.*claims.*is 8"):
        size_stack(cfg)


def test_restricted_demand_never_uses_public_even_when_cheaper_capacity_exists() -> None:
    cfg = stack(
        {
            "inference": [
                _inference("fraud", 8, "a100-80gb", classification="restricted"),
                _inference("web", 8, "a100-80gb", classification="public"),
            ]
        },
        {"private": {"gpus": {"a100-80gb": 8}}, "public": {"max_instances": {"p4de.24xlarge": 2}}},
    )
    placement = size_stack(cfg).placement
    assert {g.workload for g in placement.private} == {"fraud"}
    assert {g.workload for g in placement.public} == {"web"}


def test_quota_exhaustion_is_an_error_naming_the_quota() -> None:
    cfg = stack(
        {"inference": [_inference("chat", 40, "l40s-48gb")]},
        {"public": {"max_instances": {"g6e.12xlarge": 2, "g6e.48xlarge": 1}}},
    )
    with pytest.raises(InfeasibleDemand, match=r"l40s-48gb demand of 40 GPUs.*public quota 16 GPUs"):
        size_stack(cfg)


def test_price_override_changes_the_choice() -> None:
    base = {"inference": [_inference("chat", 8, "l40s-48gb")]}
    quotas = {"g6e.12xlarge": 10, "g6e.48xlarge": 10}
    cheap_large = size_stack(
        stack(base, {"public": {"max_instances": quotas}, "prices": {"g6e.48xlarge": 15.0}})
    ).placement
    assert cheap_large.public_instances_by_type() == {"g6e.48xlarge": 1}
    default = size_stack(stack(base, {"public": {"max_instances": quotas}})).placement
    assert default.public_instances_by_type() == {"g6e.12xlarge": 2}


def test_restricted_serving_at_the_edge_is_refused() -> None:
    cfg = stack(
        {"inference": [_inference("xr", 4, "l4-24gb", classification="restricted", edge_fraction=0.5)]},
        {"private": {"gpus": {"l4-24gb": 16}}},
        edge={"sites": [{"name": "site", "share": 1, "accelerator": "l4-24gb"}]},
    )
    with pytest.raises(InfeasibleDemand, match="restricted"):
        size_stack(cfg)
