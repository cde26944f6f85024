"""Compute demand: training runs ((6·N + 12·L·d·seq)·D FLOPs → GPU-hours → GPUs for the deadline, and at least the
GPUs that hold the model states; once or every day, week or month) and inference serving (whole replicas that hold
the model, peak tokens/s ÷ replica throughput, one spare replica, part of it at edge sites whose nodes must hold a
replica).

Training FLOPs per token are 6 · params (forward and backward through the weights, arXiv:2001.08361) plus
12 · layers · width · sequence_tokens (attention's QK^T and AV, forward and backward, the PaLM paper's MFU count,
arXiv:2204.02311 Appendix B), layers and width from the model family as serving derives them (Llama 3 shapes).
MFU: the run's `mfu`, else the default for its scale (aidc/catalog.py MFU_BY_SCALE): the first tier whose GPUs hold
the run planned at that tier's MFU. A run that repeats (`every` day, week or month) is sized for its deadline, which
config holds within the period, exactly as a one-off run; in a 730-hour month it runs 730/24, 730/168 or 1 times:
GPU-hours per month = GPU-hours per run · runs, and its capacity is costed for the hours it runs (run hours · runs).

Pure functions over config models and the catalog; every count is a Figure with its formula and inputs.
"""

from __future__ import annotations

import math
from typing import NoReturn

from aidc.catalog import MFU_BY_SCALE, RUNS_PER_MONTH, Accelerator, Catalog
from aidc.config.model import EdgeSite, InferenceDemand, StackConfig, TrainingDemand
from aidc.contract import Classification
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.fit import (
    largest_power_of_two,
    model_sizing,
    replica_for,
    replica_sizing,
    shape_dimension,
    shortfall,
    smallest_replica,
    training_state_gpus,
)
from aidc.sizing.plan import (
    EdgeAllocation,
    EdgeSitePlan,
    InferenceSizing,
    ModelSizing,
    ReplicaSizing,
    TrainingSizing,
)

HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600
# Chinchilla/Kaplan: forward + backward ≈ 6 FLOPs per parameter per token (arXiv:2001.08361, 2203.15556).
FLOPS_PER_PARAM_TOKEN = 6
# PaLM (arXiv:2204.02311, Appendix B): attention adds 12 · layers · heads · head_dim · sequence FLOPs per token.
ATTENTION_FLOPS_PER_TOKEN = 12


def training_flops(
    params: float,
    tokens: float,
    layers: int = 0,
    model_dim: int = 0,
    sequence_tokens: int = 0,
    shape: str = "",
) -> Figure:
    """(6 · params + 12 · layers · width · sequence_tokens) · tokens; without a shape, 6 · params · tokens."""
    attention = ATTENTION_FLOPS_PER_TOKEN * layers * model_dim * sequence_tokens
    return Figure(
        (FLOPS_PER_PARAM_TOKEN * params + attention) * tokens,
        "FLOP",
        "(6 · params + 12 · layers · width · sequence_tokens) · tokens",
        {
            "params": params,
            "tokens": tokens,
            "layers": layers,
            "width": model_dim,
            "sequence_tokens": sequence_tokens,
            "attention_share": round(attention / (FLOPS_PER_PARAM_TOKEN * params + attention), 4),
            **({"shape": shape} if shape else {}),
        },
    )


def training_gpu_hours(flops: float, peak_flops: float, mfu: float) -> Figure:
    return Figure(
        flops / (peak_flops * mfu) / SECONDS_PER_HOUR,
        "GPU-h",
        "FLOPs / (peak dense BF16 FLOP/s · MFU) / 3600",
        {"flops": flops, "peak_flops": peak_flops, "mfu": mfu},
    )


def run_flops(run: TrainingDemand, catalog: Catalog) -> Figure:
    """A run's FLOPs, with layers and width from the model family (Llama 3 shapes)."""
    layers, layers_how = shape_dimension(run.params, catalog.model_shapes, "layers")
    width, width_how = shape_dimension(run.params, catalog.model_shapes, "model_dim")
    shape = f"layers {layers} ({layers_how}); width {width} ({width_how})"
    return training_flops(run.params, run.tokens, layers, width, run.sequence_tokens, shape)


def _nodes_for(
    gpu_hours: float, wall_hours: float, accelerator: Accelerator, state_gpus: int
) -> tuple[int, int, int]:
    """(nodes, compute nodes, memory nodes) a run needs to finish in wall_hours and hold its model states."""
    per_node = accelerator.gpus_per_node
    compute_nodes = math.ceil(gpu_hours / wall_hours / per_node - 1e-9)
    memory_nodes = math.ceil(state_gpus / per_node)
    return max(1, compute_nodes, memory_nodes), compute_nodes, memory_nodes


def training_mfu(run: TrainingDemand, flops: float, accelerator: Accelerator, state_gpus: int) -> Figure:
    """The run's MFU: as given, else the first MFU_BY_SCALE tier whose GPUs hold the run planned at its MFU."""
    if run.mfu is not None:
        return Figure(run.mfu, "MFU", "aidc:demand.training[].mfu (given)", {"mfu": run.mfu})
    wall_hours = run.deadline_days * HOURS_PER_DAY
    tier = MFU_BY_SCALE[-1]
    for candidate in MFU_BY_SCALE:
        hours = flops / (accelerator.peak_bf16_flops * candidate.mfu) / SECONDS_PER_HOUR
        nodes, _, _ = _nodes_for(hours, wall_hours, accelerator, state_gpus)
        if nodes * accelerator.gpus_per_node <= candidate.max_gpus:
            tier = candidate
            break
    return Figure(
        tier.mfu,
        "MFU",
        "default by scale: the MFU published runs reached on up to "
        + ("any number of" if math.isinf(tier.max_gpus) else f"{tier.max_gpus:,.0f}")
        + " GPUs, the first tier (8,192 · 0.43, 16,384 · 0.41, more · 0.38) that holds the run planned at its MFU",
        {"mfu": tier.mfu, "tier_max_gpus": str(tier.max_gpus), "source": tier.source, "as_of": tier.as_of},
    )


def _repeats(run: TrainingDemand, gpu_hours: Figure, gpus: int) -> tuple[Figure, Figure]:
    """(hours one run takes on its planned GPUs, GPU-hours per 730-hour month)."""
    run_hours = Figure(
        gpu_hours.value / gpus,
        "h",
        "GPU-hours / planned GPUs (whole nodes finish at or before the deadline)",
        {"gpu_hours": gpu_hours.value, "gpus": gpus, "deadline_hours": run.deadline_days * HOURS_PER_DAY},
    )
    runs = RUNS_PER_MONTH[run.every] if run.every != "once" else 1.0
    monthly = Figure(
        gpu_hours.value * runs,
        "GPU-h/month",
        "GPU-hours per run · runs per 730-h month (day 730/24, week 730/168, month 1; once: the one run)",
        {"gpu_hours_per_run": gpu_hours.value, "every": run.every, "runs_per_month": round(runs, 4)},
    )
    return run_hours, monthly


def size_training(run: TrainingDemand, classification: Classification, catalog: Catalog) -> TrainingSizing:
    accelerator = catalog.accelerators[run.accelerator]
    flops = run_flops(run, catalog)
    state_gpus = training_state_gpus(run.params, accelerator, catalog)
    mfu = training_mfu(run, flops.value, accelerator, state_gpus.int)
    gpu_hours = training_gpu_hours(flops.value, accelerator.peak_bf16_flops, mfu.value)
    wall_hours = run.deadline_days * HOURS_PER_DAY
    per_node = accelerator.gpus_per_node
    nodes_count, compute_nodes, memory_nodes = _nodes_for(
        gpu_hours.value, wall_hours, accelerator, state_gpus.int
    )
    bound = "memory" if memory_nodes > compute_nodes else "compute"
    nodes = Figure(
        nodes_count,
        "nodes",
        "max(ceil(GPU-hours / (deadline_days · 24) / GPUs per node), ceil(GPUs holding the model states / "
        f"GPUs per node)): the {'model states' if bound == 'memory' else 'deadline'} decided"
        + ("" if run.every == "once" else f" (a run every {run.every}: its deadline fits the period)"),
        {
            "gpu_hours": gpu_hours.value,
            "deadline_days": run.deadline_days,
            "every": run.every,
            "gpus_per_node": per_node,
            "gpus_exact": gpu_hours.value / wall_hours,
            "state_gpus": state_gpus.int,
            "bound": bound,
        },
    )
    gpus = Figure(
        nodes_count * per_node,
        "GPUs",
        "nodes · GPUs per node (whole nodes, so the run finishes by its deadline and holds its model states)",
        {"nodes": nodes_count, "gpus_per_node": per_node},
    )
    run_hours, monthly = _repeats(run, gpu_hours, gpus.int)
    return TrainingSizing(
        name=run.name,
        accelerator=run.accelerator,
        classification=classification,
        flops=flops,
        gpu_hours=gpu_hours,
        gpus=gpus,
        nodes=nodes,
        spot=run.spot,
        state_gpus=state_gpus,
        bound=bound,
        mfu=mfu,
        every=run.every,
        run_hours=run_hours,
        gpu_hours_per_month=monthly,
    )


def _measured_per_gpu(
    workload: InferenceDemand, site_accelerator: str, catalog: Catalog
) -> tuple[float, str] | None:
    """Measured per-GPU tokens/s on an accelerator; decode is memory-bandwidth bound, so scale by bandwidth when
    it is not the one measured. None when nothing was measured (the roofline estimates it)."""
    if workload.tokens_per_s_per_gpu is None:
        return None
    if site_accelerator == workload.accelerator:
        return workload.tokens_per_s_per_gpu, "tokens_per_s_per_gpu"
    ratio = (
        catalog.accelerators[site_accelerator].memory_bandwidth_tbps
        / catalog.accelerators[workload.accelerator].memory_bandwidth_tbps
    )
    return workload.tokens_per_s_per_gpu * ratio, (
        f"tokens_per_s_per_gpu · ({site_accelerator} / {workload.accelerator} memory bandwidth = {ratio:.3g})"
    )


def max_gpus_in_one_box(accelerator: str, catalog: Catalog) -> int:
    """The most GPUs of one model in one private server or public instance: a replica's upper bound."""
    sizes = [catalog.accelerators[accelerator].gpus_per_node]
    sizes += [t.gpus for t in catalog.instance_types_for(accelerator)]
    return max(sizes)


def _refuse_edge_site(
    workload: InferenceDemand, model: ModelSizing, site: EdgeSite, catalog: Catalog
) -> NoReturn:
    """InfeasibleDemand for a site whose nodes cannot hold one replica, naming the site, the model and the
    numbers."""
    accelerator = catalog.accelerators[site.accelerator]
    overhead = catalog.fact("serving_memory_overhead")
    largest = largest_power_of_two(site.gpus_per_node)
    raise InfeasibleDemand(
        f"edge site {site.name} cannot hold one replica of inference {workload.name}: its nodes have "
        f"{site.gpus_per_node} × {site.accelerator} ({largest} GPUs at most as a power of two): "
        f"{shortfall(model, accelerator, largest, overhead)}; give the site more GPUs per node or a larger "
        "accelerator, or serve fp8/int4 weights, fewer concurrent_sequences or a shorter context there"
    )


def largest_node_by_accelerator(sites: tuple[EdgeSite, ...]) -> dict[str, int]:
    """The most GPUs per node among the edge sites of each accelerator: the largest edge replica's bound."""
    largest: dict[str, int] = {}
    for site in sites:
        largest[site.accelerator] = max(largest.get(site.accelerator, 0), site.gpus_per_node)
    return largest


def _edge_allocations(
    workload: InferenceDemand,
    model: ModelSizing,
    sites: tuple[EdgeSite, ...],
    catalog: Catalog,
    largest_node: dict[str, int] | None,
) -> tuple[list[EdgeAllocation], dict[str, ReplicaSizing | None]]:
    """Whole replicas of the workload at each edge site, by its share of the edge load; a site whose nodes
    cannot hold one replica is refused."""
    allocations: list[EdgeAllocation] = []
    edge_replicas: dict[str, ReplicaSizing | None] = {}
    edge_tps = workload.peak_tokens_per_s * workload.edge_fraction
    if edge_tps > 0:
        # One replica per site accelerator, not per site: edge sites can number in hundreds. Its size does not
        # depend on the site; whether it fits a site's nodes does.
        per_gpu_formula: dict[str, str] = {}
        for accelerator, node_gpus in (largest_node or largest_node_by_accelerator(sites)).items():
            hardware = catalog.accelerators[accelerator]
            measured = _measured_per_gpu(workload, accelerator, catalog)
            per_gpu_formula[accelerator] = (
                measured[1] if measured else f"decode roofline ESTIMATE on {accelerator} / replica_gpus"
            )
            gpus = smallest_replica(model, hardware, node_gpus, catalog.fact("serving_memory_overhead"))
            edge_replicas[accelerator] = (
                None if gpus is None else replica_sizing(model, hardware, gpus, node_gpus, measured, catalog)
            )
        # (GPUs, tokens/s) of a replica per accelerator, read once: this loop runs sites × workloads times.
        replica_of = {
            acc: (r.gpus.int, r.tokens_per_s.value) for acc, r in edge_replicas.items() if r is not None
        }
        for site in sites:
            replica_gpus, replica_tps = replica_of.get(site.accelerator, (0, 0.0))
            if not replica_gpus or replica_gpus > site.gpus_per_node:
                _refuse_edge_site(workload, model, site, catalog)
            site_tps = edge_tps * site.share
            site_replicas = math.ceil(site_tps / replica_tps - 1e-9)
            allocations.append(
                EdgeAllocation(
                    workload.name,
                    site.name,
                    site.accelerator,
                    site_replicas * replica_gpus,
                    site_tps,
                    replica_tps / replica_gpus,
                    per_gpu_formula[site.accelerator],
                    replica_gpus,
                    site_replicas,
                )
            )
    return allocations, edge_replicas


def size_inference(
    workload: InferenceDemand,
    classification: Classification,
    sites: tuple[EdgeSite, ...],
    catalog: Catalog,
    largest_node: dict[str, int] | None = None,
) -> InferenceSizing:
    """`largest_node` is `largest_node_by_accelerator(sites)`, passed in when sizing many workloads."""
    model = model_sizing(workload, catalog)
    core_max = max_gpus_in_one_box(workload.accelerator, catalog)
    replica = replica_for(
        model,
        catalog.accelerators[workload.accelerator],
        core_max,
        _measured_per_gpu(workload, workload.accelerator, catalog),
        catalog,
        f"inference {workload.name}",
    )
    core_tps = workload.peak_tokens_per_s * (1 - workload.edge_fraction)
    needed = math.ceil(core_tps / replica.tokens_per_s.value - 1e-9) if core_tps > 0 else 0
    replicas = Figure(
        needed + 1 if needed else 0,
        "replicas",
        "ceil(peak_tokens_per_s · (1 − edge_fraction) / replica tokens/s) + 1 spare replica (N+1)",
        {
            "peak_tokens_per_s": workload.peak_tokens_per_s,
            "edge_fraction": workload.edge_fraction,
            "replica_tokens_per_s": replica.tokens_per_s.value,
            "throughput": "estimated" if replica.estimated else "measured",
        },
    )
    core = Figure(
        replicas.int * replica.gpus.int,
        "GPUs",
        "(ceil(peak_tokens_per_s · (1 − edge_fraction) / replica tokens/s) + 1 spare replica) · GPUs per replica",
        {
            "peak_tokens_per_s": workload.peak_tokens_per_s,
            "edge_fraction": workload.edge_fraction,
            "replica_tokens_per_s": replica.tokens_per_s.value,
            "replicas": replicas.int,
            "gpus_per_replica": replica.gpus.int,
        },
    )
    allocations, edge_replicas = _edge_allocations(workload, model, sites, catalog, largest_node)
    edge_total = sum(a.gpus for a in allocations)
    edge = Figure(
        edge_total,
        "GPUs",
        "Σ over edge sites of the whole replicas this workload needs there (each site's spare node is in the site "
        "plan)",
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
        model=model,
        replica=replica,
        replicas=replicas,
        edge_replicas=tuple(r for r in edge_replicas.values() if r is not None),
    )


def nodes_for_replicas(replicas_by_size: dict[int, int], gpus_per_node: int) -> int:
    """Nodes that hold whole replicas (a replica never spans nodes), largest replicas first, each into the
    fullest open node that still has room (best fit). For one replica size this is ceil(replicas / (GPUs per
    node // size)); for single-GPU replicas, ceil(GPUs / GPUs per node)."""
    free: dict[int, int] = {}  # free GPUs on an open node -> how many open nodes have that much free
    nodes = 0
    for size in sorted(replicas_by_size, reverse=True):
        left = replicas_by_size[size]
        for room in sorted(k for k in free if k >= size):
            if not left:
                break
            per_node = room // size
            full = min(free[room], left // per_node)
            moved = {room - per_node * size: full}
            left -= full * per_node
            if left and free[room] > full and left < per_node:
                moved[room - left * size] = moved.get(room - left * size, 0) + 1
                full += 1
                left = 0
            free[room] -= full
            for new_room, count in moved.items():
                free[new_room] = free.get(new_room, 0) + count
        if left:
            per_node = gpus_per_node // size
            full, rest = divmod(left, per_node)
            nodes += full + (1 if rest else 0)
            free[gpus_per_node - per_node * size] = free.get(gpus_per_node - per_node * size, 0) + full
            if rest:
                free[gpus_per_node - rest * size] = free.get(gpus_per_node - rest * size, 0) + 1
    return nodes


def size_edge_sites(cfg: StackConfig, inference: tuple[InferenceSizing, ...]) -> tuple[EdgeSitePlan, ...]:
    # A workload served at the edge has one allocation per site, in the order of cfg.edge.sites; sites ×
    # workloads allocations pass through here, so they are read by position, not looked up by name.
    serving = [w.edge for w in inference if w.edge]
    plans = []
    layout = cfg.edge_layout
    for index, site in enumerate(cfg.edge.sites):
        needed = [edge[index] for edge in serving]
        by_size: dict[int, int] = {}
        for a in needed:
            if a.replicas:
                by_size[a.replica_gpus] = by_size.get(a.replica_gpus, 0) + a.replicas
        packed = nodes_for_replicas(by_size, site.gpus_per_node)
        nodes_count = packed + 1 if packed else 0
        shown = (
            {a.workload: f"{a.replicas} × {a.replica_gpus} GPUs" for a in needed}
            if len(needed) <= 20
            else {"workloads": len(needed), "replicas": sum(by_size.values())}
        )
        nodes = Figure(
            nodes_count,
            "nodes",
            "whole replicas packed into nodes of gpus_per_node (largest first) + 1 spare node (N+1); 0 when the "
            "site serves nothing",
            {"workload_replicas": shown, "gpus_per_node": site.gpus_per_node},
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
                network_cidr=layout[site.name].network_cidr,
                recorded=layout[site.name].recorded,
                shard=layout[site.name].shard,
            )
        )
    return tuple(plans)
