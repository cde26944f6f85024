"""What fits in accelerator memory: a served model's weights and KV cache, the smallest tensor-parallel replica
that holds them, its decode throughput when nobody measured it, and the GPUs that hold a training run's model
states.

Pure functions over config models and the catalog, whose FACTS and MODEL_SHAPES carry the sources:
- weights = model_params · bytes per weight (bf16 2, fp8 1, int4 0.5).
- KV cache per token = 2 (K and V) · layers · kv_heads · head_dim · bytes per value (BF16, 2). A stack that gives
  no architecture gets a Llama 3 shape: 8 KV heads of dimension 128, layers interpolated in log(params) between
  Llama 3 8B (32 layers), 70B (80) and 405B (126), and scaled as params^(1/3) outside them (params ∝ layers ·
  width², width ∝ layers). The figure says what was assumed.
- a replica is the smallest power of two of GPUs within one server or instance whose memory, less the runtime
  overhead, holds the weights plus the KV cache of concurrent_sequences at context_tokens. Tensor parallelism
  splits KV heads; past kv_heads GPUs each GPU keeps a copy of one head, so the cache grows by GPUs / kv_heads.
- decode roofline (when tokens_per_s_per_gpu is absent): each step reads the weights once and the KV cache of
  every sequence in the batch, at full context (the worst case the cache is sized for), and yields one token per
  sequence; tokens/s per replica = min(batch · bandwidth / bytes per step, peak FLOP/s / (2 · params)) ·
  efficiency, the batch being the sequences the replica's KV cache holds.
- training: GPUs ≥ 16 B · params / (memory · (1 − margin)): mixed-precision Adam's states, sharded (ZeRO-3/FSDP).
Memory is the datasheet's GB (1e9 bytes); the usable HBM is slightly more (80 GB parts have 80 GiB), so this errs
safe.
"""

from __future__ import annotations

import itertools
import math

from aidc.catalog import Accelerator, Catalog, ModelShape
from aidc.config.model import BYTES_PER_WEIGHT, InferenceDemand
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import ModelSizing, ReplicaSizing

GB = 1e9
KV_TENSORS = 2  # K and V
DECODE_FLOPS_PER_PARAM = 2  # one multiply-add per weight per generated token


def _layers_for(params: float, shapes: tuple[ModelShape, ...]) -> tuple[int, str]:
    """Layers of a model of `params` parameters, from the reference shapes, and how they were derived."""
    ordered = sorted(shapes, key=lambda s: s.params)
    first, last = ordered[0], ordered[-1]
    same = next((s for s in ordered if math.isclose(s.params, params, rel_tol=1e-9)), None)
    if same is not None:
        return same.layers, f"as {same.name}"
    if params <= first.params or params >= last.params:
        ref = first if params <= first.params else last
        layers = ref.layers * (params / ref.params) ** (1 / 3)
        how = f"{ref.name}'s {ref.layers} · (params / {ref.params:.3g})^(1/3)"
    else:
        low, high = next((a, b) for a, b in itertools.pairwise(ordered) if a.params <= params < b.params)
        t = math.log(params / low.params) / math.log(high.params / low.params)
        layers = low.layers + t * (high.layers - low.layers)
        how = f"interpolated in log(params) between {low.name} ({low.layers}) and {high.name} ({high.layers})"
    return max(1, math.ceil(layers - 1e-9)), how


def model_sizing(workload: InferenceDemand, catalog: Catalog) -> ModelSizing:
    """The served model's weights and per-token KV cache, with what was assumed."""
    shapes = catalog.model_shapes
    nearest = min(shapes, key=lambda s: abs(math.log(workload.model_params / s.params)))
    assumed: list[str] = []
    if workload.layers is None:
        layers, how = _layers_for(workload.model_params, shapes)
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
    kv_value_bytes = catalog.fact("kv_cache_bytes_per_value")
    bytes_per_weight = BYTES_PER_WEIGHT[workload.weight_precision]
    assumption = "; ".join(assumed)
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
            "model_params · bytes per weight / 1e9 (bf16 2, fp8 1, int4 0.5)",
            {
                "model_params": workload.model_params,
                "weight_precision": workload.weight_precision,
                "bytes_per_weight": bytes_per_weight,
            },
        ),
        kv_bytes_per_token=Figure(
            KV_TENSORS * layers * kv_heads * head_dim * kv_value_bytes,
            "B/token",
            "2 (K and V) · layers · kv_heads · head_dim · bytes per value (BF16 KV cache)",
            {
                "layers": layers,
                "kv_heads": kv_heads,
                "head_dim": head_dim,
                "bytes_per_value": kv_value_bytes,
                "assumed": assumption or "none: all given",
                "shape_source": nearest.source
                if assumed
                else "aidc:demand.inference[].layers/kv_heads/head_dim",
            },
        ),
    )


def _kv_replication(model: ModelSizing, gpus: int) -> float:
    return max(1.0, gpus / model.kv_heads)


def _kv_cache_bytes(model: ModelSizing, gpus: int, sequences: float) -> float:
    return sequences * model.context_tokens * model.kv_bytes_per_token.value * _kv_replication(model, gpus)


def _usable_bytes(accelerator: Accelerator, gpus: int, overhead: float) -> float:
    return gpus * accelerator.memory_gb * GB * (1 - overhead)


def _needed_bytes(model: ModelSizing, gpus: int) -> float:
    return model.weights_gb.value * GB + _kv_cache_bytes(model, gpus, model.concurrent_sequences)


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
    kv = _kv_cache_bytes(model, gpus, model.concurrent_sequences)
    return (
        f"weights {model.weights_gb.value:,.1f} GB ({model.params:.3g} params · {model.weight_precision}) + KV "
        f"cache {kv / GB:,.1f} GB ({model.concurrent_sequences} sequences · {model.context_tokens:,} tokens · "
        f"{model.kv_bytes_per_token.value:,.0f} B) = {_needed_bytes(model, gpus) / GB:,.1f} GB > {gpus} × "
        f"{accelerator.memory_gb} GB · (1 − {overhead:g} runtime overhead) = "
        f"{_usable_bytes(accelerator, gpus, overhead) / GB:,.1f} GB"
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
    kv = _kv_cache_bytes(model, gpus, model.concurrent_sequences)
    weights = model.weights_gb.value * GB
    per_sequence = _kv_cache_bytes(model, gpus, 1)
    batch = max(model.concurrent_sequences, math.floor((usable - weights) / per_sequence))
    memory_inputs = {
        "weights_gb": model.weights_gb.value,
        "kv_cache_gb": kv / GB,
        "concurrent_sequences": model.concurrent_sequences,
        "context_tokens": model.context_tokens,
        "kv_bytes_per_token": model.kv_bytes_per_token.value,
        "kv_replication": _kv_replication(model, gpus),
        "usable_gb": usable / GB,
    }
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
                "needed_gb": (weights + kv) / GB,
                "memory_gb_per_gpu": accelerator.memory_gb,
                "runtime_overhead": overhead,
                "overhead_source": catalog.facts["serving_memory_overhead"].source,
            },
        ),
        memory_gb=Figure(
            (weights + kv) / GB,
            "GB",
            "weights_gb + concurrent_sequences · context_tokens · kv_bytes_per_token · max(1, GPUs / kv_heads) "
            "/ 1e9",
            memory_inputs,
        ),
        batch=Figure(
            batch,
            "sequences",
            "floor((GPUs · memory_gb · (1 − runtime overhead) − weights) / (context_tokens · kv_bytes_per_token "
            "· max(1, GPUs / kv_heads))): the sequences the KV cache holds at full context",
            {"gpus": gpus, "usable_gb": usable / GB, "weights_gb": model.weights_gb.value},
        ),
        tokens_per_s=tokens_per_s,
        estimated=measured is None,
    )


def decode_roofline(
    model: ModelSizing, accelerator: Accelerator, gpus: int, batch: int, catalog: Catalog
) -> Figure:
    """Decode tokens/s of one replica from the hardware: an estimate to be replaced by a measurement."""
    efficiency = catalog.fact("decode_bandwidth_efficiency")
    weights = model.weights_gb.value * GB
    kv_read = _kv_cache_bytes(model, gpus, batch)
    bandwidth = gpus * accelerator.memory_bandwidth_tbps * 1e12
    memory_bound = batch * bandwidth / (weights + kv_read)
    compute_bound = gpus * accelerator.peak_bf16_flops / (DECODE_FLOPS_PER_PARAM * model.params)
    bound = "memory bandwidth" if memory_bound <= compute_bound else "compute"
    return Figure(
        min(memory_bound, compute_bound) * efficiency,
        "tokens/s",
        "ESTIMATE (measure it and set tokens_per_s_per_gpu): decode roofline min(batch · GPUs · bandwidth / "
        "(weights + batch · context_tokens · kv_bytes_per_token · max(1, GPUs / kv_heads)), GPUs · peak BF16 "
        "FLOP/s / (2 · params)) · efficiency",
        {
            "batch": batch,
            "gpus": gpus,
            "bandwidth_tb_per_s": accelerator.memory_bandwidth_tbps,
            "weights_gb": model.weights_gb.value,
            "kv_read_gb_per_step": kv_read / GB,
            "peak_flops": accelerator.peak_bf16_flops,
            "bound": bound,
            "efficiency": efficiency,
            "efficiency_source": catalog.facts["decode_bandwidth_efficiency"].source,
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
            "weights, fewer concurrent_sequences or context_tokens, or an accelerator with more memory"
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
