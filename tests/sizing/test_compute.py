"""Training and inference sizing against published runs and hand-derived cases."""

from __future__ import annotations

import pytest

from aidc.catalog import DEFAULT_CATALOG
from aidc.sizing import size_stack
from aidc.sizing.compute import training_flops, training_gpu_hours
from tests.sizing.helpers import stack


def test_llama2_70b_gpu_hours_within_two_percent() -> None:
    # Llama 2 paper (arXiv:2307.09288, Table 2): 70B on 2.0T tokens took 1,720,320 A100-80GB GPU-hours.
    # The implied MFU is 6·N·D / (312e12 · 3600 · 1,720,320) = 0.435.
    flops = training_flops(70e9, 2.0e12)
    hours = training_gpu_hours(flops.value, DEFAULT_CATALOG.accelerators["a100-80gb"].peak_bf16_flops, 0.435)
    assert hours.value == pytest.approx(1_720_320, rel=0.02)
    assert "MFU" in hours.formula and hours.inputs["mfu"] == 0.435


def test_llama31_405b_flops_and_gpu_hours_within_two_percent() -> None:
    # Llama 3 paper (arXiv:2407.21783): 405B on ~15.6T tokens, 3.8e25 FLOPs, 30.84M H100-80GB GPU-hours.
    flops = training_flops(405e9, 15.6e12)
    assert flops.value == pytest.approx(3.8e25, rel=0.02)
    # 30.84M GPU-hours at 989 TFLOP/s implies an effective utilisation of 0.346 (incl. restarts and overheads).
    hours = training_gpu_hours(flops.value, DEFAULT_CATALOG.accelerators["h100-80gb"].peak_bf16_flops, 0.346)
    assert hours.value == pytest.approx(30.84e6, rel=0.02)


def test_training_gpus_round_up_to_whole_nodes_for_the_deadline() -> None:
    cfg = stack(
        {
            "training": [
                {
                    "name": "run",
                    "params": 7e9,
                    "tokens": 2e10,
                    "accelerator": "a100-80gb",
                    "mfu": 0.4,
                    "deadline_days": 7,
                }
            ]
        },
        {"private": {"gpus": {"a100-80gb": 64}}},
    )
    run = size_stack(cfg).training[0]
    # 6·7e9·2e10 = 8.4e20 FLOPs; / (312e12 · 0.4) / 3600 = 1,869.66 GPU-h; / 168 h = 11.13 GPUs → 2 nodes of 8.
    assert run.gpu_hours.value == pytest.approx(1869.658, rel=1e-4)
    assert run.nodes.int == 2
    assert run.gpus.int == 16
    assert run.nodes.inputs["gpus_exact"] == pytest.approx(11.129, rel=1e-3)


def test_inference_n_plus_one_and_edge_split_by_share_and_bandwidth() -> None:
    cfg = stack(
        {
            "inference": [
                {
                    "name": "chat",
                    "peak_tokens_per_s": 10_000,
                    "tokens_per_s_per_gpu": 1000,
                    "accelerator": "l40s-48gb",
                    "edge_fraction": 0.4,
                    "model_params": 1e9,  # one GPU holds a replica everywhere: the test is about throughput
                }
            ]
        },
        {"public": {"max_instances": {"g6e.12xlarge": 10}}},
        edge={
            "sites": [
                {"name": "same", "share": 0.5, "accelerator": "l40s-48gb", "gpus_per_node": 2},
                {"name": "slow", "share": 0.5, "accelerator": "l4-24gb", "gpus_per_node": 1},
            ]
        },
    )
    plan = size_stack(cfg)
    chat = plan.inference[0]
    assert chat.gpus.int == 7  # ceil(6000/1000) + 1
    by_site = {a.site: a.gpus for a in chat.edge}
    assert by_site["same"] == 2  # 2000 tokens/s at 1000 per GPU
    # L4 has 300 GB/s vs L40S 864 GB/s: 1000 · 300/864 = 347.2 tokens/s per GPU → ceil(2000/347.2) = 6.
    assert by_site["slow"] == 6
    sites = {s.name: s for s in plan.edge_sites}
    assert sites["same"].nodes.int == 2  # ceil(2/2) + 1 spare
    assert sites["slow"].nodes.int == 7  # ceil(6/1) + 1 spare
    assert any("memory bandwidth" in w for w in plan.warnings)


def test_a_small_run_with_a_long_deadline_still_gets_the_gpus_that_hold_its_model_states() -> None:
    # 70B on 1e9 tokens in 30 days: 6 · 7e10 · 1e9 = 4.2e20 FLOPs → 294.9 GPU-h → 0.41 GPUs for the deadline.
    # Mixed-precision Adam needs 16 B · 7e10 = 1,120 GB of model states; an 80 GB H100 keeps 25% for activations,
    # so 60 GB each → ceil(18.67) = 19 GPUs → 3 nodes of 8. The memory bound decides and the figure says so.
    cfg = stack(
        {
            "training": [
                {
                    "name": "tiny",
                    "params": 7e10,
                    "tokens": 1e9,
                    "accelerator": "h100-80gb",
                    "deadline_days": 30,
                }
            ]
        },
        {"private": {"gpus": {"h100-80gb": 64}}},
    )
    run = size_stack(cfg).training[0]
    assert run.nodes.inputs["gpus_exact"] == pytest.approx(0.4096, rel=1e-3)
    assert run.state_gpus.int == 19
    assert run.state_gpus.inputs["model_states_gb"] == pytest.approx(1120.0)
    assert (run.nodes.int, run.gpus.int, run.bound) == (3, 24, "memory")
    assert "model states decided" in run.nodes.formula


def test_the_deadline_decides_when_it_needs_more_gpus_than_the_model_states() -> None:
    cfg = stack(
        {
            "training": [
                {
                    "name": "big",
                    "params": 7e10,
                    "tokens": 2e12,
                    "accelerator": "h100-80gb",
                    "deadline_days": 45,
                }
            ]
        },
        {"private": {"gpus": {"h100-80gb": 800}}},
    )
    run = size_stack(cfg).training[0]
    # 546.1 GPUs for the deadline → 69 nodes, far above the 19 GPUs that hold the states.
    assert (run.nodes.int, run.bound) == (69, "compute")
    assert "deadline decided" in run.nodes.formula
