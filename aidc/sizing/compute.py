"""Compute demand: training runs (6·N·D FLOPs → GPU-hours → GPUs for the deadline) and inference serving
(peak tokens/s ÷ per-GPU throughput, N+1 headroom, part of it at edge sites).

Pure functions over config models and the catalog; every count is a Figure with its formula and inputs.
"""

from __future__ import annotations

import math

from aidc.catalog import Catalog
from aidc.config.model import EdgeSite, InferenceDemand, StackConfig, TrainingDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import EdgeAllocation, EdgeSitePlan, InferenceSizing, TrainingSizing

HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600
# Chinchilla/Kaplan: forward + backward ≈ 6 FLOPs per parameter per token (arXiv:2001.08361, 2203.15556).
FLOPS_PER_PARAM_TOKEN = 6


def training_flops(params: float, tokens: float) -> Figure:
    return Figure(
        FLOPS_PER_PARAM_TOKEN * params * tokens,
        "FLOP",
        "6 · params · tokens",
        {"params": params, "tokens": tokens},
    )


def training_gpu_hours(flops: float, peak_flops: float, mfu: float) -> Figure:
    return Figure(
        flops / (peak_flops * mfu) / SECONDS_PER_HOUR,
        "GPU-h",
        "FLOPs / (peak dense BF16 FLOP/s · MFU) / 3600",
        {"flops": flops, "peak_flops": peak_flops, "mfu": mfu},
    )


def size_training(run: TrainingDemand, classification: str, catalog: Catalog) -> TrainingSizing:
    accelerator = catalog.accelerators[run.accelerator]
    flops = training_flops(run.params, run.tokens)
    gpu_hours = training_gpu_hours(flops.value, accelerator.peak_bf16_flops, run.mfu)
    wall_hours = run.deadline_days * HOURS_PER_DAY
    gpus_exact = gpu_hours.value / wall_hours
    per_node = accelerator.gpus_per_node
    nodes_count = max(1, math.ceil(gpus_exact / per_node - 1e-9))
    nodes = Figure(
        nodes_count,
        "nodes",
        "ceil(GPU-hours / (deadline_days · 24) / GPUs per node)",
        {
            "gpu_hours": gpu_hours.value,
            "deadline_days": run.deadline_days,
            "gpus_per_node": per_node,
            "gpus_exact": gpus_exact,
        },
    )
    gpus = Figure(
        nodes_count * per_node,
        "GPUs",
        "nodes · GPUs per node (whole nodes, so the run finishes by its deadline)",
        {"nodes": nodes_count, "gpus_per_node": per_node},
    )
    return TrainingSizing(
        name=run.name,
        accelerator=run.accelerator,
        classification=classification,
        flops=flops,
        gpu_hours=gpu_hours,
        gpus=gpus,
        nodes=nodes,
        spot=run.spot,
    )


def _edge_throughput(workload: InferenceDemand, site_accelerator: str, catalog: Catalog) -> tuple[float, str]:
    """Per-GPU tokens/s at a site; decode is memory-bandwidth bound, so scale by bandwidth when models differ."""
    if site_accelerator == workload.accelerator:
        return workload.tokens_per_s_per_gpu, "tokens_per_s_per_gpu"
    ratio = (
        catalog.accelerators[site_accelerator].memory_bandwidth_tbps
        / catalog.accelerators[workload.accelerator].memory_bandwidth_tbps
    )
    return workload.tokens_per_s_per_gpu * ratio, (
        f"tokens_per_s_per_gpu · ({site_accelerator} / {workload.accelerator} memory bandwidth = {ratio:.3g})"
    )


def size_inference(
    workload: InferenceDemand, classification: str, sites: tuple[EdgeSite, ...], catalog: Catalog
) -> InferenceSizing:
    core_tps = workload.peak_tokens_per_s * (1 - workload.edge_fraction)
    core_needed = math.ceil(core_tps / workload.tokens_per_s_per_gpu - 1e-9) if core_tps > 0 else 0
    core = Figure(
        core_needed + 1 if core_needed else 0,
        "GPUs",
        "ceil(peak_tokens_per_s · (1 − edge_fraction) / tokens_per_s_per_gpu) + 1 (N+1)",
        {
            "peak_tokens_per_s": workload.peak_tokens_per_s,
            "edge_fraction": workload.edge_fraction,
            "tokens_per_s_per_gpu": workload.tokens_per_s_per_gpu,
        },
    )
    allocations: list[EdgeAllocation] = []
    edge_tps = workload.peak_tokens_per_s * workload.edge_fraction
    if edge_tps > 0:
        # One throughput and formula per site accelerator, not per site: edge sites can number in hundreds.
        per_accelerator: dict[str, tuple[float, str]] = {}
        for site in sites:
            if site.accelerator not in per_accelerator:
                per_accelerator[site.accelerator] = _edge_throughput(workload, site.accelerator, catalog)
            per_gpu, per_gpu_formula = per_accelerator[site.accelerator]
            site_tps = edge_tps * site.share
            allocations.append(
                EdgeAllocation(
                    workload.name,
                    site.name,
                    site.accelerator,
                    math.ceil(site_tps / per_gpu - 1e-9),
                    site_tps,
                    per_gpu,
                    per_gpu_formula,
                )
            )
    edge_total = sum(a.gpus for a in allocations)
    edge = Figure(
        edge_total,
        "GPUs",
        "Σ over edge sites of the GPUs this workload needs there (each site's spare node is in the site plan)",
        {a.site: a.gpus for a in allocations} if len(allocations) <= 20 else {"sites": len(allocations)},
    )
    return InferenceSizing(
        name=workload.name,
        accelerator=workload.accelerator,
        classification=classification,
        gpus=core,
        edge_gpus=edge,
        edge=tuple(allocations),
        spot=workload.spot,
    )


def size_edge_sites(cfg: StackConfig, inference: tuple[InferenceSizing, ...]) -> tuple[EdgeSitePlan, ...]:
    needed_by_site: dict[str, dict[str, int]] = {}
    for w in inference:
        for a in w.edge:
            needed_by_site.setdefault(a.site, {})[w.name] = a.gpus
    plans = []
    for site in cfg.edge.sites:
        needed = needed_by_site.get(site.name, {})
        total = sum(needed.values())
        nodes_count = math.ceil(total / site.gpus_per_node) + 1 if total else 0
        nodes = Figure(
            nodes_count,
            "nodes",
            "ceil(Σ workload GPUs at the site / gpus_per_node) + 1 spare node (N+1); 0 when the site serves nothing",
            {
                "workload_gpus": needed if len(needed) <= 20 else {"workloads": len(needed), "total": total},
                "gpus_per_node": site.gpus_per_node,
            },
        )
        plans.append(
            EdgeSitePlan(
                name=site.name,
                accelerator=site.accelerator,
                gpus=Figure(
                    nodes_count * site.gpus_per_node,
                    "GPUs",
                    "nodes · gpus_per_node",
                    {"nodes": nodes_count, "gpus_per_node": site.gpus_per_node},
                ),
                nodes=nodes,
                gpus_per_node=site.gpus_per_node,
                servers=site.servers,
                region=site.region,
                flavor=site.flavor or cfg.openstack.gpu_flavor(site.accelerator, site.gpus_per_node),
                network_cidr=site.cidr,
            )
        )
    return tuple(plans)
