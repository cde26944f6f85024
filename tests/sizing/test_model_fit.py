"""Serving sizing that knows the model: weights and KV cache against accelerator memory, replicas in whole units,
edge sites too small refused, and the decode roofline estimate. Figures are published or derived by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

from aidc.catalog import DEFAULT_CATALOG
from aidc.config.model import InferenceDemand
from aidc.sizing import InfeasibleDemand, size_stack
from aidc.sizing.compute import nodes_for_replicas
from aidc.sizing.fit import model_sizing, replica_for, smallest_replica
from tests.sizing.helpers import stack

H100 = DEFAULT_CATALOG.accelerators["h100-80gb"]
OVERHEAD = 0.1  # vLLM's default gpu_memory_utilization 0.9 leaves 10%


def _model(
    params: float,
    precision: str = "bf16",
    sequences: int = 32,
    context: int = 8192,
    prompt: float | None = None,
    output: float | None = None,
    kv: str = "bf16",
    **shape: int,
) -> Any:
    workload = InferenceDemand(
        name="m",
        peak_tokens_per_s=1,
        accelerator="h100-80gb",
        model_params=params,
        weight_precision=precision,  # type: ignore[arg-type]
        kv_precision=kv,  # type: ignore[arg-type]
        concurrent_sequences=sequences,
        context_tokens=context,
        prompt_tokens=prompt,
        output_tokens=output,
        **shape,
    )
    return model_sizing(workload, DEFAULT_CATALOG)


# Long requests: 7,936 tokens in and 256 out fill an 8,192 context; a paged cache holds 7,936 + 128 = 8,064 tokens
# of each on average.
LONG = {"prompt_tokens": 7936, "output_tokens": 256}


def _chat(**extra: Any) -> dict[str, Any]:
    return {"name": "chat", "peak_tokens_per_s": 100_000, "accelerator": "h100-80gb", **extra}


# --- weights and KV cache of well-known models ----------------------------------------------------------------
def test_a_70b_model_in_bf16_does_not_fit_one_80_gb_gpu() -> None:
    # 70e9 · 2 B = 140 GB of weights against 80 GB: two H100s hold them (144 GB usable) only with a near-empty
    # KV cache. 32 sequences of the default average request (222 in, 294 out: 222 + 147 = 369 tokens cached)
    # add 32 · 369 · 327,680 B = 3.87 GB: still two. 32 long ones (8,064 cached) add 84.6 GB: four.
    bare = _model(70e9, sequences=1, context=1)
    assert bare.weights_gb.value == pytest.approx(140.0)
    assert smallest_replica(bare, H100, 8, OVERHEAD) == 2
    average = _model(70e9)
    assert average.cached_tokens is not None and average.cached_tokens.value == pytest.approx(369)
    assert smallest_replica(average, H100, 8, OVERHEAD) == 2
    assert smallest_replica(_model(70e9, prompt=7936, output=256), H100, 8, OVERHEAD) == 4
    # FP8 halves the weights (70 GB) but its weights plus 84.6 GB of BF16 cache still need more than two GPUs;
    # an FP8 cache halves that too (42.3 GB): two.
    assert _model(70e9, "fp8").weights_gb.value == pytest.approx(70.0)
    assert smallest_replica(_model(70e9, "fp8", prompt=7936, output=256), H100, 8, OVERHEAD) == 4
    assert smallest_replica(_model(70e9, "fp8", prompt=7936, output=256, kv="fp8"), H100, 8, OVERHEAD) == 2
    int4 = _model(70e9, "int4", sequences=8, prompt=7936, output=256)
    assert smallest_replica(int4, H100, 8, OVERHEAD) == 1  # 35 + 8 · 8,064 · 327,680 B = 56.1 ≤ 72 GB


def test_the_fit_holds_at_least_one_sequence_at_full_context() -> None:
    # One sequence of 1M tokens (prompt 600k, out 400k: 800k cached on average) for an 8B model: the cache must
    # hold the whole context once, 1,048,576 · 131,072 B = 137.4 GB, not the 800k average.
    long = _model(8e9, sequences=1, context=1_048_576, prompt=600_000, output=400_000)
    assert smallest_replica(long, H100, 8, OVERHEAD) == 4  # 16 + 137.4 = 153.4 GB > 144 on two


def test_llama3_kv_cache_per_token_from_its_published_shape() -> None:
    # Llama 3 paper, Table 3: 70B has 80 layers and 8 KV heads of dimension 8192/64 = 128. In BF16:
    # 2 · 80 · 8 · 128 · 2 B = 327,680 B (320 KiB) a token, 2.68 GB for one 8,192-token sequence.
    seventy = _model(70e9)
    assert (seventy.layers, seventy.kv_heads, seventy.head_dim) == (80, 8, 128)
    assert seventy.kv_bytes_per_token.value == 327_680
    assert "as Llama 3 70B" in seventy.assumed
    # 8B: 32 layers → 131,072 B (128 KiB) a token; 405B: 126 layers → 516,096 B.
    assert _model(8e9).kv_bytes_per_token.value == 131_072
    assert _model(405e9).kv_bytes_per_token.value == 516_096


def test_explicit_architecture_overrides_the_assumed_shape() -> None:
    # Llama 2 7B (arXiv:2307.09288) uses multi-head attention: 32 layers, 32 KV heads of 128 → 512 KiB a token,
    # four times the GQA shape assumed for a 7B model.
    llama2 = _model(7e9, layers=32, kv_heads=32, head_dim=128)
    assert llama2.kv_bytes_per_token.value == 524_288
    assert llama2.assumed == ""
    assumed = _model(7e9)
    assert assumed.layers == 31  # 32 · (7/8)^(1/3) = 30.6, rounded up
    assert "8B's 32" in assumed.assumed and "kv_heads 8" in assumed.assumed


def test_layers_between_reference_shapes_are_interpolated_in_log_params() -> None:
    # 13B: 32 + (80 − 32) · ln(13/8) / ln(70/8) = 42.7 → 43 layers (Llama 2 13B has 40, Qwen2.5 14B 48).
    thirteen = _model(13e9)
    assert thirteen.layers == 43
    assert "interpolated in log(params) between Llama 3 8B (32) and Llama 3 70B (80)" in thirteen.assumed


def test_kv_heads_are_replicated_past_tensor_parallelism() -> None:
    # One KV head (multi-query attention): 2 · 80 · 1 · 128 · 2 B = 40,960 B a token, 2.64 GB for 8 long
    # sequences (8,064 tokens cached). 70 GB of FP8 weights + 2.64 GB > 72 GB, so two GPUs; each keeps the one head,
    # so the cache held is twice that. With two KV heads, two GPUs split them and hold it once.
    once = 40_960 * 8064 * 8
    for kv_heads, replication in ((1, 2.0), (2, 1.0)):
        plan = size_stack(
            stack(
                {
                    "inference": [
                        _chat(
                            model_params=70e9,
                            weight_precision="fp8",
                            concurrent_sequences=8,
                            kv_heads=kv_heads,
                            tokens_per_s_per_gpu=1000,
                            **LONG,
                        )
                    ]
                },
                {"public": {"max_instances": {"p5.48xlarge": 100}}},
            )
        )
        replica = plan.inference[0].replica
        assert replica.gpus.int == 2
        assert replica.memory_gb.inputs["kv_replication"] == replication
        assert replica.memory_gb.inputs["kv_cache_gb"] == pytest.approx(once * kv_heads * replication / 1e9)


def test_405b_in_bf16_does_not_fit_one_8_gpu_server_but_fp8_does() -> None:
    # Llama 3 paper, sec. 6.1: 405B in BF16 does not fit the 8 H100s of one machine (810 GB > 640 GB), so Meta
    # serves it over 16 GPUs on two; in FP8 (405 GB) one 8-GPU server holds it with 256 average sequences:
    # 405 + 256 · 369 · 516,096 B = 453.8 GB ≤ 8 · 80 · 0.9 = 576 GB. Four GPUs (288 GB) do not.
    with pytest.raises(InfeasibleDemand, match=r"inference chat: .*weights 810\.0 GB .*> 8 × 80 GB") as info:
        size_stack(stack({"inference": [_chat(model_params=405e9, tokens_per_s_per_gpu=100)]}))
    assert "fp8 or int4" in str(info.value)
    plan = size_stack(
        stack({"inference": [_chat(model_params=405e9, weight_precision="fp8", tokens_per_s_per_gpu=100)]})
    )
    replica = plan.inference[0].replica
    assert replica.gpus.int == 8
    assert replica.memory_gb.value == pytest.approx(405 + 256 * 369 * 516_096 / 1e9)
    assert replica.memory_gb.value == pytest.approx(453.8, abs=0.05)
    assert smallest_replica(_model(405e9, "fp8"), H100, 4, OVERHEAD) is None


# --- whole replicas -------------------------------------------------------------------------------------------
def test_gpus_come_in_whole_replicas_and_the_spare_is_a_whole_replica() -> None:
    # 70B FP8 on H100 with 256 average sequences (70 + 31.0 GB): replicas of 2 at a measured 3,000 tokens/s per
    # GPU = 6,000 a replica. 100,000 / 6,000 = 16.7 → 17 replicas + 1 spare = 18 replicas = 36 GPUs = 5 p5.48xlarge.
    cfg = stack(
        {"inference": [_chat(model_params=70e9, weight_precision="fp8", tokens_per_s_per_gpu=3000)]},
        {"public": {"max_instances": {"p5.48xlarge": 10}}},
    )
    plan = size_stack(cfg)
    chat = plan.inference[0]
    assert (chat.replica.gpus.int, chat.replicas.int, chat.gpus.int) == (2, 18, 36)
    assert chat.replica.tokens_per_s.value == pytest.approx(6_000)
    # Losing the spare replica (2 GPUs, not 1) still serves the peak.
    assert (chat.replicas.int - 1) * chat.replica.tokens_per_s.value >= 100_000
    assert plan.placement.public_instances_by_type() == {"p5.48xlarge": 5}


def test_a_replica_never_spans_instances() -> None:
    # 70B BF16 with 32 long sequences needs 140 + 84.6 = 224.6 GB: eight L40S (345.6 GB usable), never four
    # (172.8). g6e.12xlarge (4 GPUs) is cheaper per GPU but cannot hold a replica, so only g6e.48xlarge serves it.
    cfg = stack(
        {
            "inference": [
                _chat(
                    accelerator="l40s-48gb",
                    model_params=70e9,
                    tokens_per_s_per_gpu=100,
                    peak_tokens_per_s=1500,
                    concurrent_sequences=32,
                    **LONG,
                )
            ]
        },
        {"public": {"max_instances": {"g6e.12xlarge": 100, "g6e.48xlarge": 10}}},
    )
    plan = size_stack(cfg)
    assert plan.inference[0].replica.gpus.int == 8
    assert plan.inference[0].gpus.int == 24  # ceil(1500 / 800) + 1 = 3 replicas of 8
    assert plan.placement.public_instances_by_type() == {"g6e.48xlarge": 3}


def test_a_model_too_big_for_any_server_of_its_accelerator_is_refused_with_numbers() -> None:
    cfg = stack(
        {
            "inference": [
                _chat(
                    accelerator="l4-24gb",
                    model_params=70e9,
                    tokens_per_s_per_gpu=100,
                    concurrent_sequences=32,
                    **LONG,
                )
            ]
        }
    )
    with pytest.raises(
        InfeasibleDemand, match=r"inference chat: one replica does not fit .* l4-24gb \(8 GPUs"
    ) as info:
        size_stack(cfg)
    assert "an fp8 KV cache" in str(info.value)


# --- edge sites -----------------------------------------------------------------------------------------------
EDGE_70B = {
    "model_params": 70e9,
    "weight_precision": "fp8",
    "tokens_per_s_per_gpu": 3000,
    "edge_fraction": 0.2,
}


def test_an_edge_site_too_small_for_one_replica_is_refused_naming_site_model_and_numbers() -> None:
    # 70B FP8 + 256 average sequences (256 · 369 · 327,680 B = 31.0 GB) = 101.0 GB; four L4s hold 4 · 24 · 0.9
    # = 86.4 GB.
    cfg = stack(
        {"inference": [_chat(**EDGE_70B)]},
        {"public": {"max_instances": {"p5.48xlarge": 10}}},
        edge={
            "sites": [
                {"name": "big", "share": 0.5, "accelerator": "l40s-48gb", "gpus_per_node": 4},
                {"name": "apac", "share": 0.5, "accelerator": "l4-24gb", "gpus_per_node": 4},
            ]
        },
    )
    with pytest.raises(InfeasibleDemand) as info:
        size_stack(cfg)
    message = str(info.value)
    assert "edge site apac cannot hold one replica of inference chat" in message
    assert "weights 70.0 GB (7e+10 params · fp8)" in message
    assert "= 101.0 GB > 4 × 24 GB · (1 − 0.1 runtime overhead) = 86.4 GB" in message
    assert "256 sequences · 369 tokens on average" in message


def test_a_site_is_refused_even_when_a_larger_site_of_its_accelerator_holds_the_replica() -> None:
    # Eight L4s per node hold the replica (172.8 GB usable ≥ 101.0); the four-GPU site of the same accelerator does
    # not.
    cfg = stack(
        {"inference": [_chat(**EDGE_70B)]},
        {"public": {"max_instances": {"p5.48xlarge": 10}}},
        edge={
            "sites": [
                {"name": "wide", "share": 0.5, "accelerator": "l4-24gb", "gpus_per_node": 8},
                {"name": "narrow", "share": 0.5, "accelerator": "l4-24gb", "gpus_per_node": 4},
            ]
        },
    )
    with pytest.raises(InfeasibleDemand, match=r"edge site narrow cannot hold one replica of inference chat"):
        size_stack(cfg)


def test_edge_sites_get_whole_replicas_packed_into_nodes_plus_a_spare_node() -> None:
    # Edge load 20,000 tokens/s, half per site. On L40S a replica is 4 GPUs at 3,000 · 864/3,350 = 773.7 tokens/s
    # a GPU → 3,094.9 a replica → ceil(10,000 / 3,094.9) = 4 replicas = 16 GPUs. Nodes of 8 hold two replicas:
    # 2 nodes + 1 spare. On L4 nodes of 8: a replica of 8 at 3,000 · 300/3,350 · 8 = 2,149 → 5 replicas, 6 nodes.
    cfg = stack(
        {"inference": [_chat(**EDGE_70B)]},
        {"public": {"max_instances": {"p5.48xlarge": 10}}},
        edge={
            "sites": [
                {"name": "big", "share": 0.5, "accelerator": "l40s-48gb", "gpus_per_node": 8},
                {"name": "apac", "share": 0.5, "accelerator": "l4-24gb", "gpus_per_node": 8},
            ]
        },
    )
    plan = size_stack(cfg)
    chat = plan.inference[0]
    by_site = {a.site: (a.replicas, a.replica_gpus, a.gpus) for a in chat.edge}
    assert by_site == {"big": (4, 4, 16), "apac": (5, 8, 40)}
    nodes = {s.name: s.nodes.int for s in plan.edge_sites}
    assert nodes == {"big": 3, "apac": 6}
    assert {r.accelerator: r.gpus.int for r in chat.edge_replicas} == {"l40s-48gb": 4, "l4-24gb": 8}


@pytest.mark.parametrize(
    ("replicas", "gpus_per_node", "nodes"),
    [
        ({1: 9}, 4, 3),  # single-GPU replicas: ceil(9 / 4), as before replicas existed
        ({4: 6}, 4, 6),
        ({4: 3}, 8, 2),
        ({8: 1, 2: 3, 1: 2}, 8, 2),  # 8 | 2+2+2+1+1
        ({4: 2, 2: 2}, 6, 2),  # 4+2 | 4+2: a node of 6 never holds two replicas of 4
        ({2: 3}, 3, 3),
        ({}, 4, 0),
    ],
)
def test_replicas_are_packed_whole_into_nodes(
    replicas: dict[int, int], gpus_per_node: int, nodes: int
) -> None:
    assert nodes_for_replicas(replicas, gpus_per_node) == nodes


# --- throughput when nobody measured it -------------------------------------------------------------------------
def test_decode_roofline_estimate_hand_derived_and_flagged() -> None:
    # 8B BF16 (16 GB), 2,048-token context, the default average request (222 in, 294 out: 369 tokens cached, 131,072
    # B a token = 48.37 MB a sequence) and batch limit (256), one L40S (48 GB · 0.9 = 43.2 GB usable):
    # - KV cache bound: floor((43.2 − 16) GB / 48.37 MB) = 562;
    # - compute: each output token carries (2 · 8e9 · 516 + 4 · 32 · 4096 · (222²/2 + 294 · 369)) / 294
    #   = 2.832e10 FLOPs, at 362e12 (BF16 dense) · 0.4 → a step turns compute-bound past 443 sequences;
    # - concurrent_sequences: 256, the smallest: it decides. A step of 256 reads 16 + 256 · 0.04837 = 28.38 GB at
    #   864 GB/s · 0.5 = 65.7 ms and computes 256 · 2.832e10 / 144.8e12 = 50.1 ms: memory-bound, 256 / 65.7 ms
    #   = 3,897 tokens/s.
    cfg = stack(
        {
            "inference": [
                {
                    "name": "recs",
                    "peak_tokens_per_s": 10_000,
                    "accelerator": "l40s-48gb",
                    "model_params": 8e9,
                    "context_tokens": 2048,
                }
            ]
        },
        {"public": {"max_instances": {"g6e.12xlarge": 10, "g6e.48xlarge": 10}}},
    )
    plan = size_stack(cfg)
    replica = plan.inference[0].replica
    assert replica.estimated
    per_sequence = 369 * 131_072
    assert replica.batch.inputs["kv_cache_bound"] == (43.2e9 - 16e9) // per_sequence == 562
    flops = (2 * 8e9 * 516 + 4 * 32 * 4096 * (222**2 / 2 + 294 * 369)) / 294
    compute = 362e12 * 0.4
    bandwidth = 864e9 * 0.5
    crossover = (16e9 / bandwidth) / (flops / compute - per_sequence / bandwidth)
    assert replica.batch.inputs["compute_bound"] == math.ceil(crossover) == 443
    assert (replica.batch.int, replica.bound) == (256, "concurrent_sequences")
    assert "concurrent_sequences decided" in replica.batch.formula
    memory_s = (16e9 + 256 * per_sequence) / bandwidth
    assert replica.tokens_per_s.value == pytest.approx(256 / max(memory_s, 256 * flops / compute))
    assert replica.tokens_per_s.value == pytest.approx(3896.6, abs=0.1)
    assert replica.tokens_per_s.inputs["bound"] == "concurrent_sequences"
    assert replica.tokens_per_s.inputs["peak"] == "BF16"
    assert replica.tokens_per_s.formula.startswith("ESTIMATE")
    assert plan.inference[0].gpus.int == 4  # ceil(10,000 / 3,896.6) + 1
    assert any(
        "recs: tokens_per_s_per_gpu is not given" in w
        and "3,897" in w
        and "bounded by the concurrent_sequences" in w
        for w in plan.warnings
    )


def test_fp8_weights_run_at_the_fp8_peak_where_the_hardware_has_one() -> None:
    h100, a100 = DEFAULT_CATALOG.accelerators["h100-80gb"], DEFAULT_CATALOG.accelerators["a100-80gb"]
    assert h100.dense_peak("fp8") == (1979e12, "FP8") and h100.dense_peak("int8") == (1979e12, "INT8")
    assert a100.peak_fp8_flops is None and a100.dense_peak("fp8")[0] == 312e12
    assert "no FP8 Tensor Cores" in a100.dense_peak("fp8")[1]
    assert a100.dense_peak("int8") == (624e12, "INT8")
    assert h100.dense_peak("int4") == (989e12, "BF16 (int4 weights dequantised)")
    for accelerator in DEFAULT_CATALOG.accelerators.values():
        assert accelerator.low_precision_source and "dense" in accelerator.low_precision_source
        for peak in (accelerator.peak_fp8_flops, accelerator.peak_int8_ops):
            assert peak is None or peak >= accelerator.peak_bf16_flops  # never slower than BF16


# --- published serving results ----------------------------------------------------------------------------------
# MLPerf Inference, closed division, Llama 2 70B (llama2-70b-99.9), NVIDIA DGX H100 (8 × H100-SXM-80GB, TensorRT-LLM,
# FP8 weights and KV cache, replicas of 2 GPUs):
# - v4.1: github.com/mlcommons/inference_results_v4.1 (commit a2f5d66) closed/NVIDIA/results/
#   DGX-H100_H100-SXM-80GBx8_TRT/llama2-70b-99.9/{Offline,Server}/performance/run_1/mlperf_log_summary.txt:
#   Offline "Tokens per second: 24524.9", Server "Completed tokens per second: 21605.79" (TTFT 2 s, TPOT 200 ms);
#   batch (gpu_batch_size) 896 offline, 1,024 server, tensor_parallelism 2 (closed/NVIDIA/configs/llama2-70b).
# - v5.0: result 5.0-0057 (mlcommons.org results table, as exported in github.com/openshift-psap/performance-dashboard
#   mlperf-data/mlperf-5.0.csv): Offline 31,306.80, Server 31,106.28 tokens/s; batch 1,024.
# Inputs from the source: Llama 2 70B's shape (80 layers, 8 KV heads of 128, width 8,192; 70B parameters), MLPerf's
# limits (1,024 tokens in and 1,024 out: context 2,048), the dataset's averages (222.3 tokens in, 294.45 out:
# FACTS serving_prompt_tokens/serving_output_tokens cite them) and the submissions' batch limits.
MLPERF_LLAMA2_70B_H100_PER_GPU = {
    ("v4.1", "offline", 896): 24524.9 / 8,
    ("v4.1", "server", 1024): 21605.79 / 8,
    ("v5.0", "offline", 1024): 31306.80 / 8,
    ("v5.0", "server", 1024): 31106.28 / 8,
}


@pytest.mark.parametrize(("case", "published"), sorted(MLPERF_LLAMA2_70B_H100_PER_GPU.items()))
def test_llama2_70b_on_h100_fp8_within_25_percent_of_mlperf(
    case: tuple[str, str, int], published: float
) -> None:
    _, _, batch_limit = case
    workload = InferenceDemand(
        name="llama2",
        peak_tokens_per_s=1,
        accelerator="h100-80gb",
        model_params=70e9,
        layers=80,
        kv_heads=8,
        head_dim=128,
        weight_precision="fp8",
        kv_precision="fp8",
        context_tokens=2048,
        prompt_tokens=222.3,
        output_tokens=294.45,
        concurrent_sequences=batch_limit,
    )
    model = model_sizing(workload, DEFAULT_CATALOG)
    replica = replica_for(model, H100, 8, None, DEFAULT_CATALOG, "llama2")
    per_gpu = replica.tokens_per_s.value / replica.gpus.int
    assert replica.gpus.int == 2  # what NVIDIA ran (tensor_parallelism 2)
    assert replica.estimated and replica.tokens_per_s.inputs["peak"] == "FP8"
    assert replica.bound == "compute"  # the FP8 roofline, not the KV cache or the batch limit, decides
    assert per_gpu == pytest.approx(published, rel=0.25), (
        f"{per_gpu:,.0f} vs {published:,.0f} tokens/s per GPU"
    )


def test_a_measured_throughput_is_not_flagged() -> None:
    plan = size_stack(
        stack(
            {"inference": [_chat(model_params=8e9, tokens_per_s_per_gpu=2000, peak_tokens_per_s=10_000)]},
            {"public": {"max_instances": {"p5.48xlarge": 10}}},
        )
    )
    assert not plan.inference[0].replica.estimated
    assert "measured" in plan.inference[0].replica.tokens_per_s.formula
    assert not any("not given" in w for w in plan.warnings)
