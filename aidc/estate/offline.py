"""`aidc plan` over an estate: the core stack in this process, then every shard stack in a bounded pool of
worker processes, each its own Pulumi runtime under mocks.

The estate is sized once (the caller's plan) and each worker gets that plan, so every stack is planned from the
same figures. A shard's StackReference to the core resolves to the core's planned exports (values, and which
are secrets), as the real engine would resolve it to the core's deployed outputs. Workers come from a
forkserver that has imported the program and the policy pack once, so a worker starts in milliseconds; they
start while the core is being planned. Results are collected in shard order, so the output is deterministic.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aidc.config.addressing import shard_stack_name
from aidc.config.model import StackConfig
from aidc.mocks import StackOutputs
from aidc.offline import DEFAULT_TIMEOUT_S, ORGANIZATION, PROJECT, OfflinePlan, run_program
from aidc.sizing.plan import CapacityPlan

# Imported once by the forkserver, so each worker starts with the SDKs, the program and the pack loaded.
PRELOAD = ["aidc.offline", "stacks.program", "policies.offline"]


def reference_name(core: str) -> str:
    """The fully qualified name a shard's StackReference uses for its core (stacks.program.core_reference)."""
    return f"{ORGANIZATION}/{PROJECT}/{core}"


def run_stack(stack: str, core_runs: dict[str, OfflinePlan] | None = None) -> OfflinePlan:
    """stacks/__main__.py under mocks on stacks/Pulumi.<stack>.yaml, as `pulumi up` runs it. An estate's shard
    stack is run after its core, whose exports its StackReference then resolves to (`core_runs` caches cores)."""
    from aidc.config.load import read_config_values, stack_file

    values = read_config_values(stack_file(stack))
    core = (values.get("aidc:estate") or {}).get("core")
    if core is None:
        return run_program(stack, stack_config=values)
    cores = core_runs if core_runs is not None else {}
    if core not in cores:
        cores[core] = run_stack(core)
    outputs = {reference_name(core): cores[core].stack_outputs()}
    return run_program(stack, stack_config=values, stack_outputs=outputs)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass(frozen=True)
class ShardJob:
    cfg: StackConfig
    plan: CapacityPlan
    shard: int
    core_outputs: StackOutputs
    policy_config: Mapping[str, Any]
    timeout_s: float | None = DEFAULT_TIMEOUT_S  # per stack, as `aidc plan --timeout`

    @property
    def stack(self) -> str:
        return shard_stack_name(self.cfg.stack, self.shard)


@dataclass
class StackResult:
    """One planned stack of the estate, with how long it took and the peak memory of the process that did it."""

    stack: str
    role: str  # "core" | "shard"
    shard: int | None
    sites: tuple[str, ...]
    offline: OfflinePlan
    violations: list[dict[str, Any]]
    seconds: float
    peak_rss_mb: float
    pid: int
    cpu_seconds: float = 0.0  # CPU time this stack's plan took in its process (wall time includes waiting)


@dataclass
class EstatePlan:
    core: StackResult
    shards: list[StackResult] = field(default_factory=list)
    processes: int = 1
    seconds: float = 0.0


def plan_core(
    cfg: StackConfig,
    plan: CapacityPlan,
    policy_config: Mapping[str, Any],
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
) -> StackResult:
    from policies.offline import evaluate
    from stacks.program import deploy

    start, cpu = time.perf_counter(), time.process_time()
    offline = run_program(
        cfg.stack, lambda: deploy(cfg, plan), regions=cfg.cloud_regions(), timeout_s=timeout_s
    )
    violations = evaluate(offline.resources, policy_config=dict(policy_config))
    return StackResult(
        cfg.stack,
        "core",
        None,
        (),
        offline,
        violations,
        time.perf_counter() - start,
        peak_rss_mb(),
        os.getpid(),
        time.process_time() - cpu,
    )


def plan_shard(job: ShardJob) -> StackResult:
    """Plan one shard (in a worker process, or in this one)."""
    from policies.offline import evaluate
    from stacks.program import deploy_shard

    start, cpu = time.perf_counter(), time.process_time()
    offline = run_program(
        job.stack,
        lambda: deploy_shard(job.cfg, job.plan, job.shard),
        regions=job.cfg.cloud_regions(),
        stack_outputs={reference_name(job.cfg.stack): job.core_outputs},
        timeout_s=job.timeout_s,
    )
    violations = evaluate(offline.resources, policy_config=dict(job.policy_config))
    sites = tuple(site.name for site in job.plan.edge_sites if site.shard == job.shard)
    return StackResult(
        job.stack,
        "shard",
        job.shard,
        sites,
        offline,
        violations,
        time.perf_counter() - start,
        peak_rss_mb(),
        os.getpid(),
        time.process_time() - cpu,
    )


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(PRELOAD)
    return context


def _warm() -> None:
    """Worker initializer: import what a shard plan needs before the first job arrives."""
    import policies.offline  # noqa: F401
    import stacks.program  # noqa: F401


def plan_estate(
    cfg: StackConfig,
    plan: CapacityPlan,
    policy_config: Mapping[str, Any],
    processes: int | None = None,
    on_done: Callable[[StackResult], None] | None = None,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
) -> EstatePlan:
    """Plan the core, then every shard of `plan` (at most `processes` at a time; default: one per CPU). Each
    stack's program gets `timeout_s` (OfflineTimeout names the stack, also from a worker)."""
    start = time.perf_counter()
    shards = sorted({site.shard for site in plan.edge_sites if site.shard is not None})
    workers = max(1, min(len(shards), processes or os.cpu_count() or 1))
    pool = None
    if workers > 1:
        # Started before the core is planned: the workers warm up meanwhile.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_warm)
    try:
        core = plan_core(cfg, plan, policy_config, timeout_s)
        if on_done:
            on_done(core)
        outputs = core.offline.stack_outputs()
        jobs = [ShardJob(cfg, plan, shard, outputs, policy_config, timeout_s) for shard in shards]
        results: list[StackResult] = []
        for result in pool.map(plan_shard, jobs) if pool else map(plan_shard, jobs):
            results.append(result)
            if on_done:
                on_done(result)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return EstatePlan(core, results, workers, time.perf_counter() - start)
