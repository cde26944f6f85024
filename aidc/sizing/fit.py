"""What fits in accelerator memory: a served model's weights and KV cache, the smallest tensor-parallel replica
that holds them, its batch and throughput when nobody measured it, and the GPUs that hold a training run's model
states.

Pure functions over config models and the catalog, whose FACTS, MODEL_SHAPES and accelerator peaks carry the
sources:
- weights = model_params · bytes per weight (bf16 2, fp8 1, int8 1, int4 0.5).
- KV cache per token = 2 (K and V) · layers · kv_heads · head_dim · bytes per value (kv_precision: bf16 2, fp8 1).
  A stack that gives no architecture gets a Llama 3 shape: 8 KV heads of dimension 128, layers (and the width)
  interpolated in log(params) between Llama 3 8B, 70B and 405B, and scaled as params^(1/3) outside them (params ∝
  layers · width², width ∝ layers). The figure says what was assumed.
- paged KV cache: a server that pages its cache (vLLM, TensorRT-LLM) holds what each sequence has so far, not its
  maximum. Over its decode a sequence of `prompt_tokens` in and `output_tokens` out holds prompt + output / 2
  tokens on average; `context_tokens` is the most one sequence reaches.
- a replica is the smallest power of two of GPUs within one server or instance whose memory, less the runtime
  overhead, holds the weights plus the KV cache of concurrent_sequences average sequences (and at least one
  sequence at context_tokens). Tensor parallelism splits KV heads; past kv_heads GPUs each GPU keeps a copy of one
  head, so the cache grows by GPUs / kv_heads.
- batch = min(the sequences the KV cache holds at the average sequence, concurrent_sequences, the batch where a
  decode step turns compute-bound); the figure says which decided.
- throughput (when tokens_per_s_per_gpu is absent) = batch / max(memory time, compute time) of one decode step:
  memory: the weights once and every sequence's cache, at bandwidth · decode_bandwidth_efficiency; compute: each
  output token carries 2 · params FLOPs for itself and for prompt / output prompt tokens (prefill), plus attention
  (4 · layers · width · the tokens it attends to), at the weight precision's dense peak (FP8 on FP8 Tensor Cores,
  INT8 on INT8, BF16 otherwise) · serving_compute_efficiency. An estimate, flagged as one.
- training: GPUs ≥ 16 B · params / (memory · (1 − margin)): mixed-precision Adam's states, sharded (ZeRO-3/FSDP).
Memory is the datasheet's GB (1e9 bytes); the usable HBM is slightly more (80 GB parts have 80 GiB), so this errs
safe.
"""

from __future__ import annotations

import itertools
import math

from aidc.catalog import Accelerator, Catalog, ModelShape
from aidc.config.model import BYTES_PER_KV_VALUE, BYTES_PER_WEIGHT, InferenceDemand
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import ModelSizing, ReplicaSizing

GB = 1e9
KV_TENSORS = 2  # K and V
DECODE_FLOPS_PER_PARAM = 2  # one multiply-add per weight per token
ATTENTION_FLOPS_PER_LAYER_WIDTH = 4  # QK^T and AV: 2 · 2 · width FLOPs per layer per token attended


def shape_dimension(params: float, shapes: tuple[ModelShape, ...], attribute: str) -> tuple[int, str]:
    """A model's `attribute` (layers or model_dim) from the reference shapes of its family, and how it was derived:
    as the reference of that size, interpolated in log(params) between two, or scaled as params^(1/3) outside."""
    ordered = sorted(shapes, key=lambda s: s.params)
    first, last = ordered[0], ordered[-1]
    same = next((s for s in ordered if math.isclose(s.params, params, rel_tol=1e-9)), None)
    if same is not None:
        return int(getattr(same, attribute)), f"as {same.name}"
    if params <= first.params or params >= last.params:
        ref = first if params <= first.params else last
        value = getattr(ref, attribute) * (params / ref.params) ** (1 / 3)
        how = f"{ref.name}'s {getattr(ref, attribute)} · (params / {ref.params:.3g})^(1/3)"
    else:
        low, high = next((a, b) for a, b in itertools.pairwise(ordered) if a.params <= params < b.params)
        t = math.log(params / low.params) / math.log(high.params / low.params)
        low_value, high_value = getattr(low, attribute), getattr(high, attribute)
        value = low_value + t * (high_value - low_value)
        how = f"interpolated in log(params) between {low.name} ({low_value}) and {high.name} ({high_value})"
    return max(1, math.ceil(value - 1e-9)), how


def _cached_tokens(workload: InferenceDemand) -> Figure:
    prompt, output = workload.average_tokens
    return Figure(
        prompt + output / 2,
        "tokens",
        "prompt_tokens + output_tokens / 2: what a paged KV cache holds of the average sequence over its decode",
        {
            "prompt_tokens": round(prompt, 3),
            "output_tokens": round(output, 3),
            "context_tokens": workload.context_tokens,
            "defaults": "none"
            if workload.prompt_tokens and workload.output_tokens
            else "aidc/catalog.py FACTS "
            "serving_prompt_tokens / serving_output_tokens (MLPerf Llama 2 70B dataset), scaled to the context",
        },
    )


def model_sizing(workload: InferenceDemand, catalog: Catalog) -> ModelSizing:
    """The served model's weights and per-token KV cache, with what was assumed."""
    shapes = catalog.model_shapes
    nearest = min(shapes, key=lambda s: abs(math.log(workload.model_params / s.params)))
    assumed: list[str] = []
    if workload.layers is None:
        layers, how = shape_dimension(workload.model_params, shapes, "layers")
        assumed.append(f"layers {layers} ({how})")
    else:
        layers = workload.layers
    kv_heads = workload.kv_heads or nearest.kv_heads
    head_dim = workload.head_dim or nearest.head_dim
    defaulted = [
        f"{key} {value}"
        for key, value, given in (
            ("kv_heads", kv_heads, workload.kv_heads),
            ("head_dim", head_dim, workload.head_dim),
        )
        if given is None
    ]
    if defaulted:
        assumed.append(f"{', '.join(defaulted)} (as {nearest.name})")
    model_dim, _ = shape_dimension(workload.model_params, shapes, "model_dim")
    kv_value_bytes = BYTES_PER_KV_VALUE[workload.kv_precision]
    bytes_per_weight = BYTES_PER_WEIGHT[workload.weight_precision]
    assumption = "; ".join(assumed)
    prompt, output = workload.average_tokens
    return ModelSizing(
        params=workload.model_params,
        weight_precision=workload.weight_precision,
        context_tokens=workload.context_tokens,
        concurrent_sequences=workload.concurrent_sequences,
        layers=layers,
        kv_heads=kv_heads,
        head_dim=head_dim,
        assumed=assumption,
        weights_gb=Figure(
            workload.model_params * bytes_per_weight / GB,
            "GB",
            "model_params · bytes per weight / 1e9 (bf16 2, fp8 1, int8 1, int4 0.5)",
            {
                "model_params": workload.model_params,
                "weight_precision": workload.weight_precision,
                "bytes_per_weight": bytes_per_weight,
            },
        ),
        kv_bytes_per_token=Figure(
            KV_TENSORS * layers * kv_heads * head_dim * kv_value_bytes,
            "B/token",
            "2 (K and V) · layers · kv_heads · head_dim · bytes per value (kv_precision: bf16 2, fp8 1)",
            {
                "layers": layers,
                "kv_heads": kv_heads,
                "head_dim": head_dim,
                "kv_precision": workload.kv_precision,
                "bytes_per_value": kv_value_bytes,
                "assumed": assumption or "none: all given",
                "shape_source": nearest.source
                if assumed
                else "aidc:demand.inference[].layers/kv_heads/head_dim",
            },
        ),
        kv_precision=workload.kv_precision,
        prompt_tokens=prompt,
        output_tokens=output,
        model_dim=model_dim,
        cached_tokens=_cached_tokens(workload),
    )


def _kv_replication(model: ModelSizing, gpus: int) -> float:
    return max(1.0, gpus / model.kv_heads)


def _sequence_bytes(model: ModelSizing, gpus: int, tokens: float) -> float:
    """KV cache bytes of one sequence of `tokens` on a replica of `gpus` GPUs."""
    return tokens * model.kv_bytes_per_token.value * _kv_replication(model, gpus)


def _average_tokens(model: ModelSizing) -> float:
    return model.cached_tokens.value if model.cached_tokens is not None else float(model.context_tokens)


def _kv_needed_bytes(model: ModelSizing, gpus: int) -> float:
    """The KV cache a replica must hold: concurrent_sequences average sequences, and at least one full one."""
    tokens = max(model.concurrent_sequences * _average_tokens(model), model.context_tokens)
    return _sequence_bytes(model, gpus, tokens)


def _usable_bytes(accelerator: Accelerator, gpus: int, overhead: float) -> float:
    return gpus * accelerator.memory_gb * GB * (1 - overhead)


def _needed_bytes(model: ModelSizing, gpus: int) -> float:
    return model.weights_gb.value * GB + _kv_needed_bytes(model, gpus)


def largest_power_of_two(limit: int) -> int:
    return 2 ** math.floor(math.log2(limit))


def smallest_replica(
    model: ModelSizing, accelerator: Accelerator, max_gpus: int, overhead: float
) -> int | None:
    """The smallest power of two ≤ max_gpus whose usable memory holds weights + KV cache; None if none does."""
    gpus = 1
    while gpus <= max_gpus:
        if _needed_bytes(model, gpus) <= _usable_bytes(accelerator, gpus, overhead):
            return gpus
        gpus *= 2
    return None


def shortfall(model: ModelSizing, accelerator: Accelerator, gpus: int, overhead: float) -> str:
    """'needs X GB (weights + KV) > usable Y GB' at `gpus` GPUs: the numbers an infeasibility message shows."""
    kv = _kv_needed_bytes(model, gpus)
    return (
        f"weights {model.weights_gb.value:,.1f} GB ({model.params:.3g} params · {model.weight_precision}) + KV "
        f"cache {kv / GB:,.1f} GB ({model.concurrent_sequences} sequences · {_average_tokens(model):,.0f} tokens "
        f"on average, at least one of {model.context_tokens:,} · {model.kv_bytes_per_token.value:,.0f} B) = "
        f"{_needed_bytes(model, gpus) / GB:,.1f} GB > {gpus} × {accelerator.memory_gb} GB · (1 − {overhead:g} "
        f"runtime overhead) = {_usable_bytes(accelerator, gpus, overhead) / GB:,.1f} GB"
    )


def flops_per_output_token(model: ModelSizing) -> float:
    """Forward FLOPs each output token carries: its own and its share of the prompt's (prefill), 2 · params each,
    plus attention over the tokens each attends to (the prompt's half of it on average, the output's all of the
    prompt and half of the output)."""
    prompt, output = model.prompt_tokens, model.output_tokens
    dense = DECODE_FLOPS_PER_PARAM * model.params * (prompt + output)
    attended = prompt * prompt / 2 + output * (prompt + output / 2)
    attention = ATTENTION_FLOPS_PER_LAYER_WIDTH * model.layers * model.model_dim * attended
    return (dense + attention) / output


def _step_times(
    model: ModelSizing, accelerator: Accelerator, gpus: int, batch: float, catalog: Catalog
) -> tuple[float, float]:
    """(memory, compute) seconds of one decode step of `batch` sequences on a replica."""
    bandwidth = gpus * accelerator.memory_bandwidth_tbps * 1e12 * catalog.fact("decode_bandwidth_efficiency")
    peak, _ = accelerator.dense_peak(model.weight_precision)
    compute = gpus * peak * catalog.fact("serving_compute_efficiency")
    read = model.weights_gb.value * GB + batch * _sequence_bytes(model, gpus, _average_tokens(model))
    return read / bandwidth, batch * flops_per_output_token(model) / compute


def compute_bound_batch(model: ModelSizing, accelerator: Accelerator, gpus: int, catalog: Catalog) -> float:
    """The batch where a decode step's compute time reaches its memory time (inf: it never does)."""
    memory_at_zero, _ = _step_times(model, accelerator, gpus, 0, catalog)
    memory_at_one, compute_at_one = _step_times(model, accelerator, gpus, 1, catalog)
    per_sequence = memory_at_one - memory_at_zero
    if compute_at_one <= per_sequence:
        return math.inf
    return memory_at_zero / (compute_at_one - per_sequence)


def replica_batch(
    model: ModelSizing, accelerator: Accelerator, gpus: int, usable: float, catalog: Catalog
) -> Figure:
    """Sequences decoded together, bounded by the KV cache at the average sequence, by concurrent_sequences and by
    the batch where a step turns compute-bound; the figure says which bound decided."""
    per_sequence = _sequence_bytes(model, gpus, _average_tokens(model))
    weights = model.weights_gb.value * GB
    kv_bound = max(1, math.floor((usable - weights) / per_sequence))
    compute = compute_bound_batch(model, accelerator, gpus, catalog)
    compute_bound = math.inf if math.isinf(compute) else max(1, math.ceil(compute - 1e-9))
    bounds = {
        "KV cache": kv_bound,
        "concurrent_sequences": model.concurrent_sequences,
        "compute": compute_bound,
    }
    bound = min(bounds, key=lambda key: bounds[key])
    return Figure(
        int(bounds[bound]),
        "sequences",
        "min(floor((GPUs · memory_gb · (1 − runtime overhead) − weights) / (average cached tokens · "
        "kv_bytes_per_token · max(1, GPUs / kv_heads))), concurrent_sequences, the batch where a decode step turns "
        f"compute-bound): the {bound} decided",
        {
            "kv_cache_bound": kv_bound,
            "concurrent_sequences": model.concurrent_sequences,
            "compute_bound": "none" if math.isinf(compute_bound) else compute_bound,
            "bound": bound,
            "gpus": gpus,
            "usable_gb": usable / GB,
            "weights_gb": model.weights_gb.value,
            "cached_tokens": _average_tokens(model),
        },
    )


def _memory_figure(model: ModelSizing, gpus: int, usable: float) -> Figure:
    kv = _kv_needed_bytes(model, gpus)
    return Figure(
        (model.weights_gb.value * GB + kv) / GB,
        "GB",
        "weights_gb + max(concurrent_sequences · average cached tokens, context_tokens) · kv_bytes_per_token · "
        "max(1, GPUs / kv_heads) / 1e9",
        {
            "weights_gb": model.weights_gb.value,
            "kv_cache_gb": kv / GB,
            "concurrent_sequences": model.concurrent_sequences,
            "cached_tokens": _average_tokens(model),
            "context_tokens": model.context_tokens,
            "kv_bytes_per_token": model.kv_bytes_per_token.value,
            "kv_replication": _kv_replication(model, gpus),
            "usable_gb": usable / GB,
        },
    )


def replica_sizing(
    model: ModelSizing,
    accelerator: Accelerator,
    gpus: int,
    max_gpus: int,
    measured: tuple[float, str] | None,
    catalog: Catalog,
) -> ReplicaSizing:
    """The figures of a replica of `gpus` GPUs (from `smallest_replica`): memory, batch and tokens/s."""
    overhead = catalog.fact("serving_memory_overhead")
    usable = _usable_bytes(accelerator, gpus, overhead)
    memory = _memory_figure(model, gpus, usable)
    batch = replica_batch(model, accelerator, gpus, usable, catalog)
    if measured is not None:
        per_gpu, per_gpu_formula = measured
        tokens_per_s = Figure(
            per_gpu * gpus,
            "tokens/s",
            f"GPUs per replica · {per_gpu_formula} (measured)",
            {"gpus": gpus, "per_gpu_tokens_per_s": per_gpu},
        )
    else:
        tokens_per_s = decode_roofline(model, accelerator, gpus, batch, catalog)
    return ReplicaSizing(
        accelerator=accelerator.key,
        gpus=Figure(
            gpus,
            "GPUs",
            f"smallest power of two ≤ {max_gpus} (one server, instance or edge node) with weights + KV cache ≤ GPUs · "
            "memory_gb · (1 − runtime overhead)",
            {
                "needed_gb": memory.value,
                "memory_gb_per_gpu": accelerator.memory_gb,
                "runtime_overhead": overhead,
                "overhead_source": catalog.facts["serving_memory_overhead"].source,
            },
        ),
        memory_gb=memory,
        batch=batch,
        tokens_per_s=tokens_per_s,
        estimated=measured is None,
        bound=str(batch.inputs["bound"]),
    )


def decode_roofline(
    model: ModelSizing, accelerator: Accelerator, gpus: int, batch: Figure, catalog: Catalog
) -> Figure:
    """Output tokens/s of one replica from the hardware: an estimate to be replaced by a measurement."""
    memory_s, compute_s = _step_times(model, accelerator, gpus, batch.value, catalog)
    peak, peak_kind = accelerator.dense_peak(model.weight_precision)
    return Figure(
        batch.value / max(memory_s, compute_s),
        "tokens/s",
        "ESTIMATE (measure it and set tokens_per_s_per_gpu): batch / max(memory time, compute time) of one decode "
        "step; memory = (weights + batch · cached tokens · kv_bytes_per_token · max(1, GPUs / kv_heads)) / (GPUs · "
        "bandwidth · decode efficiency); compute = batch · (2 · params · (prompt + output) + 4 · layers · width · "
        "(prompt² / 2 + output · (prompt + output / 2))) / output / (GPUs · dense peak at the weight precision · "
        f"serving efficiency): {batch.inputs['bound']} bounds the batch",
        {
            "batch": batch.int,
            "bound": batch.inputs["bound"],
            "gpus": gpus,
            "step_memory_ms": round(memory_s * 1e3, 4),
            "step_compute_ms": round(compute_s * 1e3, 4),
            "bandwidth_tb_per_s": accelerator.memory_bandwidth_tbps,
            "weights_gb": model.weights_gb.value,
            "prompt_tokens": round(model.prompt_tokens, 3),
            "output_tokens": round(model.output_tokens, 3),
            "flops_per_output_token": flops_per_output_token(model),
            "peak_flops": peak,
            "peak": peak_kind,
            "peak_source": accelerator.low_precision_source
            if peak_kind in ("FP8", "INT8")
            else accelerator.source,
            "bandwidth_efficiency": catalog.fact("decode_bandwidth_efficiency"),
            "compute_efficiency": catalog.fact("serving_compute_efficiency"),
            "efficiency_sources": f"{catalog.facts['decode_bandwidth_efficiency'].source} | "
            f"{catalog.facts['serving_compute_efficiency'].source}",
        },
    )


def replica_for(
    model: ModelSizing,
    accelerator: Accelerator,
    max_gpus: int,
    measured: tuple[float, str] | None,
    catalog: Catalog,
    where: str,
) -> ReplicaSizing:
    """The smallest replica within `max_gpus`, or InfeasibleDemand naming `where` and the numbers."""
    overhead = catalog.fact("serving_memory_overhead")
    gpus = smallest_replica(model, accelerator, max_gpus, overhead)
    if gpus is None:
        largest = largest_power_of_two(max_gpus)
        raise InfeasibleDemand(
            f"{where}: one replica does not fit in one server or instance of {accelerator.key} ({largest} GPUs "
            f"at most as a power of two): {shortfall(model, accelerator, largest, overhead)}; use fp8 or int4 "
            "weights, an fp8 KV cache, fewer concurrent_sequences or context_tokens, or an accelerator with more "
            "memory"
        )
    return replica_sizing(model, accelerator, gpus, max_gpus, measured, catalog)


def training_state_gpus(params: float, accelerator: Accelerator, catalog: Catalog) -> Figure:
    """GPUs whose memory holds a training run's model states, sharded over them."""
    bytes_per_param = catalog.fact("training_bytes_per_param")
    margin = catalog.fact("training_memory_margin")
    usable = accelerator.memory_gb * GB * (1 - margin)
    return Figure(
        max(1, math.ceil(params * bytes_per_param / usable - 1e-9)),
        "GPUs",
        "ceil(params · 16 B (mixed-precision Adam: weights, gradients, fp32 master, momentum, variance) / "
        "(memory_gb · 1e9 · (1 − margin))), the states sharded over the GPUs (ZeRO-3/FSDP)",
        {
            "params": params,
            "bytes_per_param": bytes_per_param,
            "model_states_gb": params * bytes_per_param / GB,
            "memory_gb_per_gpu": accelerator.memory_gb,
            "margin": margin,
            "margin_source": catalog.facts["training_memory_margin"].source,
        },
    )
