"""Training and inference sizing against published runs and hand-derived cases."""

from __future__ import annotations

import pytest

from aidc.catalog import DEFAULT_CATALOG, MFU_BY_SCALE
from aidc.config.model import TrainingDemand
from aidc.sizing import size_stack
from aidc.sizing.compute import run_flops, training_flops, training_gpu_hours
from tests.sizing.helpers import stack


def test_llama2_70b_gpu_hours_from_the_papers_inputs_and_the_stated_default_mfu() -> None:
    # Inputs from the source: Llama 2 paper (arXiv:2307.09288) Table 1 and 2: 70B, 2.0T tokens, 4k context;
    # 80 layers of width 8,192 (the released config). The MFU is not taken from the answer: it is the stated
    # default for a run of Llama 2's scale (fewer than 8,192 GPUs: 0.43, MFU_BY_SCALE's first tier).
    # Published: 1,720,320 A100-80GB GPU-hours. Estimate: (6 · 7e10 + 12 · 80 · 8192 · 4096) · 2e12
    # = 9.04e23 FLOPs / (312e12 · 0.43) / 3600 = 1,871,700 GPU-h, +8.8%.
    flops = training_flops(70e9, 2.0e12, layers=80, model_dim=8192, sequence_tokens=4096)
    mfu = MFU_BY_SCALE[0].mfu
    hours = training_gpu_hours(flops.value, DEFAULT_CATALOG.accelerators["a100-80gb"].peak_bf16_flops, mfu)
    assert mfu == 0.43 and "Table 4" in MFU_BY_SCALE[0].source
    assert flops.value == pytest.approx(9.0442e23, rel=1e-4)
    assert hours.value == pytest.approx(1_720_320, rel=0.10)
    assert hours.value / 1_720_320 - 1 == pytest.approx(0.088, abs=0.005)
    assert "MFU" in hours.formula and hours.inputs["mfu"] == 0.43


def test_llama31_405b_flops_and_gpu_hours_from_the_papers_inputs() -> None:
    # Llama 3 paper (arXiv:2407.21783): 405B, 126 layers of width 16,384 (Table 3), ~15.6T tokens at 8K sequences,
    # "3.8 × 10^25 FLOPs" (its 6·N·D), 30.84M H100-80GB GPU-hours; the paper's own MFU at 16,384 GPUs is 41%
    # (Table 4), MFU_BY_SCALE's tier for that scale.
    six_nd = training_flops(405e9, 15.6e12)
    assert six_nd.value == pytest.approx(3.8e25, rel=0.02)
    flops = training_flops(405e9, 15.6e12, layers=126, model_dim=16384, sequence_tokens=8192)
    # Attention adds 12 · 126 · 16384 · 8192 / (6 · 405e9) = +8.3% (the "+8% at 405B").
    assert flops.value / six_nd.value - 1 == pytest.approx(0.0835, abs=0.001)
    mfu = MFU_BY_SCALE[1].mfu
    assert (mfu, MFU_BY_SCALE[1].max_gpus) == (0.41, 16384)
    hours = training_gpu_hours(flops.value, DEFAULT_CATALOG.accelerators["h100-80gb"].peak_bf16_flops, mfu)
    # 4.11e25 / (989e12 · 0.41) / 3600 = 28.2M GPU-h, −8.7% against the published 30.84M (which includes
    # restarts and the long-context stage at 38%).
    assert hours.value == pytest.approx(30.84e6, rel=0.10)


def test_attention_adds_27_percent_to_an_8b_model_at_8k_sequences() -> None:
    # 12 · 32 · 4096 · 8192 / (6 · 8e9) = 0.268: layers and width from the family (Llama 3 8B, Table 3).
    run = TrainingDemand(name="r", params=8e9, tokens=1e12, accelerator="h100-80gb", deadline_days=10)
    flops = run_flops(run, DEFAULT_CATALOG)
    assert run.sequence_tokens == 8192  # the stated default (FACTS training_sequence_tokens)
    assert (flops.inputs["layers"], flops.inputs["width"]) == (32, 4096)
    assert flops.inputs["attention_share"] == pytest.approx(0.268 / 1.268, abs=1e-3)
    assert flops.formula == "(6 · params + 12 · layers · width · sequence_tokens) · tokens"
    assert "as Llama 3 8B" in str(flops.inputs["shape"])


def test_the_default_mfu_follows_the_scale_of_the_run() -> None:
    def mfu_of(tokens: float) -> tuple[float, int]:
        cfg = stack(
            {
                "training": [
                    {
                        "name": "r",
                        "params": 4.05e11,
                        "tokens": tokens,
                        "accelerator": "h100-80gb",
                        "deadline_days": 60,
                    }
                ]
            },
            {"private": {"gpus": {"h100-80gb": 100_000}}},
        )
        run = size_stack(cfg).training[0]
        assert (
            run.mfu is not None
            and "default by scale" in run.mfu.formula
            and "Table 4" in run.mfu.inputs["source"]
        )
        return run.mfu.value, run.gpus.int

    small, gpus_small = mfu_of(1e12)
    assert small == 0.43 and gpus_small <= 8192
    middle, gpus_middle = mfu_of(1e13)  # ~12k GPUs at 0.43: the second tier
    assert middle == 0.41 and 8192 < gpus_middle <= 16384
    large, gpus_large = mfu_of(4e13)
    assert large == 0.38 and gpus_large > 16384
    given = size_stack(
        stack(
            {
                "training": [
                    {
                        "name": "r",
                        "params": 7e9,
                        "tokens": 2e10,
                        "accelerator": "h100-80gb",
                        "mfu": 0.3,
                        "deadline_days": 7,
                    }
                ]
            },
            {"private": {"gpus": {"h100-80gb": 64}}},
        )
    ).training[0]
    assert given.mfu is not None and given.mfu.value == 0.3 and "given" in given.mfu.formula


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
    # 7B: layers 31 and width 3,918 from the family (8B's scaled by (7/8)^(1/3), rounded up); at 8,192 tokens
    # attention adds 12 · 31 · 3918 · 8192 = 1.194e10 FLOPs a token to 6 · 7e9 = 4.2e10: 5.394e10 · 2e10 =
    # 1.0788e21 FLOPs; / (312e12 · 0.4) / 3600 = 2,401.2 GPU-h; / 168 h = 14.3 GPUs → 2 nodes of 8.
    assert (run.flops.inputs["layers"], run.flops.inputs["width"]) == (31, 3918)
    expected = (6 * 7e9 + 12 * 31 * 3918 * 8192) * 2e10 / (312e12 * 0.4) / 3600
    assert run.gpu_hours.value == pytest.approx(expected, rel=1e-9)
    assert run.nodes.int == 2
    assert run.gpus.int == 16
    assert run.nodes.inputs["gpus_exact"] == pytest.approx(expected / 168, rel=1e-9)


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
    # 70B on 1e9 tokens in 30 days: (6 · 7e10 + 12 · 80 · 8192 · 8192) · 1e9 = 4.844e20 FLOPs at the default
    # MFU for its scale (0.43) → 316.4 GPU-h → 0.44 GPUs for the deadline.
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
    assert run.nodes.inputs["gpus_exact"] == pytest.approx(4.844e20 / (989e12 * 0.43) / 3600 / 720, rel=1e-3)
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
    # (6 · 7e10 + 12 · 80 · 8192 · 8192) · 2e12 = 9.69e23 FLOPs at 0.43 → 632,800 GPU-h → 586 GPUs for the
    # deadline → 74 nodes, far above the 19 GPUs that hold the states.
    assert (run.nodes.int, run.bound) == (74, "compute")
    assert "deadline decided" in run.nodes.formula
