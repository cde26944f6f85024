"""Benchmark: a 1,000-site smart-city estate planned as a core plus shard stacks (aidc plan over an estate: the
core in-process, the shards in a bounded pool of processes) against the same estate as ONE stack, as aidc
planned it before estates existed. Reports wall time, resources per stack and the peak memory of the largest
process; the goals are at most 1,500 resources per stack and the estate planned faster than the one stack.

Run: `.venv/bin/python benchmarks/bench_estate.py [--sites 1000] [--max-sites-per-stack 50] [--processes N]
[--no-single] [--json] [--write benchmarks/results-estate.json]`. Each measurement runs in a fresh child
process, so its peak memory is its own (ru_maxrss). A benchmark, not a test: it reports, and exits 1 when a goal
is missed; it never runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_RESOURCES_PER_STACK = 1500


def estate_config(sites: int, max_sites_per_stack: int | str | None) -> dict[str, Any]:
    """The smart-city scenario with `sites` district sites (every tenth a 3-server HA site), networks and shards
    as `aidc edge allocate` would record them."""
    from aidc.config import parse_stack_config

    rows = [
        {
            "name": f"site-{index:04d}",
            "share": 1 / sites,
            "accelerator": "l40s-48gb",
            "gpus_per_node": 4,
            "servers": 3 if index % 10 == 0 else 1,
        }
        for index in range(sites)
    ]
    rows[-1]["share"] = 1 - sum(row["share"] for row in rows[:-1])
    values: dict[str, Any] = {
        "aws:region": "eu-west-1",
        "aidc:demand": {
            "training": [
                {
                    "name": "traffic-13b",
                    "params": 1.3e10,
                    "tokens": 1.0e12,
                    "accelerator": "a100-80gb",
                    "deadline_days": 14,
                }
            ],
            "inference": [
                {
                    "name": "traffic-flow",
                    "peak_tokens_per_s": 300 * sites,
                    "tokens_per_s_per_gpu": 3000,
                    "model_params": 7.0e9,
                    "context_tokens": 2048,
                    "accelerator": "a100-80gb",
                    "edge_fraction": 0.8,
                }
            ],
            "storage": {"datasets_tb": 100},
            "transfer": [{"name": "footage", "volume_gb": 4000, "window_hours": 6}],
        },
        "aidc:capacity": {"private": {"gpus": {"a100-80gb": 8000}}},
        "aidc:aws": {"azs": ["eu-west-1a", "eu-west-1b"]},
        "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
        "aidc:edge": {"sites": rows},
    }
    if max_sites_per_stack:
        values["aidc:estate"] = {"max_sites_per_stack": max_sites_per_stack}
    # Record what allocate would: every site's network (and shard), so nothing is provisional.
    layout = parse_stack_config(values, stack="city").edge_layout
    for row in rows:
        row["network_cidr"] = layout[row["name"]].network_cidr
        if layout[row["name"]].shard is not None:
            row["shard"] = layout[row["name"]].shard
    return values


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_estate(sites: int, max_sites: int | str, processes: int | None) -> dict[str, Any]:
    from aidc.config import parse_stack_config
    from aidc.estate.offline import plan_estate
    from aidc.sizing import size_stack

    start, cpu = time.perf_counter(), time.process_time()
    cfg = parse_stack_config(estate_config(sites, max_sites), stack="city")
    plan = size_stack(cfg)
    sized = time.perf_counter()
    estate = plan_estate(cfg, plan, {}, processes=processes)
    done = time.perf_counter()
    parent_cpu = time.process_time() - cpu
    stacks = [
        {
            "stack": r.stack,
            "sites": len(r.sites),
            "resources": len(r.offline.resources),
            "seconds": round(r.seconds, 2),
            "cpu_s": round(r.cpu_seconds, 2),
            "peak_rss_mb": round(r.peak_rss_mb, 1),
            "violations": len([v for v in r.violations if v["enforcement"] == "mandatory"]),
        }
        for r in (estate.core, *estate.shards)
    ]
    return {
        "sites": sites,
        "max_sites_per_stack": cfg.sites_per_shard,
        "processes": estate.processes,
        "size_s": round(sized - start, 2),
        "plan_s": round(done - sized, 2),
        "wall_s": round(done - start, 2),
        # CPU: this process (imports, sizing, the core, the pool) plus every shard's plan in the workers (the
        # forkserver's one-time import of the SDKs, about as much as this process's, is not counted).
        "cpu_s": round(parent_cpu + sum(r.cpu_seconds for r in estate.shards), 2),
        # The longest chain of work that cannot overlap: sizing and the core, then the busiest worker.
        "critical_path_cpu_s": round(parent_cpu + _busiest_worker(estate.shards), 2),
        "stacks": stacks,
        "resources": sum(s["resources"] for s in stacks),
        "max_resources_per_stack": max(s["resources"] for s in stacks),
        "peak_rss_mb_largest_process": round(max(_peak_mb(), *(s["peak_rss_mb"] for s in stacks)), 1),
        "mandatory_violations": sum(s["violations"] for s in stacks),
    }


def _busiest_worker(shards: Any) -> float:
    per_process: dict[int, float] = {}
    for result in shards:
        per_process[result.pid] = per_process.get(result.pid, 0.0) + result.cpu_seconds
    return max(per_process.values(), default=0.0)


def run_single(sites: int) -> dict[str, Any]:
    from aidc.config import parse_stack_config
    from aidc.offline import run_program
    from aidc.sizing import size_stack
    from policies.offline import evaluate
    from stacks.program import deploy

    start, cpu = time.perf_counter(), time.process_time()
    cfg = parse_stack_config(estate_config(sites, None), stack="city")
    plan = size_stack(cfg)
    sized = time.perf_counter()
    offline = run_program(cfg.stack, lambda: deploy(cfg, plan), regions=cfg.cloud_regions())
    violations = evaluate(offline.resources)
    done = time.perf_counter()
    return {
        "sites": sites,
        "size_s": round(sized - start, 2),
        "plan_s": round(done - sized, 2),
        "wall_s": round(done - start, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "resources": len(offline.resources),
        "peak_rss_mb_largest_process": round(_peak_mb(), 1),
        "mandatory_violations": len([v for v in violations if v["enforcement"] == "mandatory"]),
    }


def child(arguments: list[str]) -> dict[str, Any]:
    """One measurement in a fresh interpreter (its own imports, runtime and peak memory)."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench_estate child {arguments} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument(
        "--max-sites-per-stack",
        type=lambda text: text if text == "auto" else int(text),
        default="auto",
        help="sites per shard stack, or auto (default): as many as the 1,500-resource budget allows",
    )
    parser.add_argument("--processes", type=int, default=None, help="shard plans at a time (default: CPUs)")
    parser.add_argument("--no-single", action="store_true", help="skip the one-stack baseline (minutes)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--child", choices=("estate", "single"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "estate":
        print(json.dumps(run_estate(args.sites, args.max_sites_per_stack, args.processes)))
        return 0
    if args.child == "single":
        print(json.dumps(run_single(args.sites)))
        return 0

    common = ["--sites", str(args.sites), "--max-sites-per-stack", str(args.max_sites_per_stack)]
    if args.processes:
        common += ["--processes", str(args.processes)]
    estate = child(["estate", *common])
    single = None if args.no_single else child(["single", *common])
    goals = {
        "max_resources_per_stack": estate["max_resources_per_stack"] <= MAX_RESOURCES_PER_STACK,
        "faster_than_one_stack": single is None or estate["wall_s"] < single["wall_s"],
    }
    if single is not None:
        # Wall time depends on what else the machine runs; the CPU figures do not.
        goals["less_cpu_than_one_stack"] = estate["cpu_s"] < single["cpu_s"]
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "estate": estate,
        "one_stack": single,
        "goals": goals,
        "ok": all(goals.values()),
    }
    if args.write:
        args.write.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        shards = estate["stacks"][1:]
        print(
            f"estate: {estate['sites']:,} sites, {len(estate['stacks'])} stacks (core + {len(shards)} shards of "
            f"<= {estate['max_sites_per_stack']} sites), {estate['resources']:,} resources"
        )
        print(
            f"  planned in {estate['wall_s']:.1f} s wall, {estate['cpu_s']:.1f} s CPU in all processes "
            f"({estate['critical_path_cpu_s']:.1f} s on the critical path; sizing {estate['size_s']:.1f} s) with "
            f"{estate['processes']} processes; largest stack {estate['max_resources_per_stack']:,} resources "
            f"(goal <= {MAX_RESOURCES_PER_STACK:,}); peak memory of the largest process "
            f"{estate['peak_rss_mb_largest_process']:,.0f} MB"
        )
        if single:
            print(
                f"one stack: {single['resources']:,} resources planned in {single['wall_s']:.1f} s wall, "
                f"{single['cpu_s']:.1f} s CPU; "
                f"peak memory {single['peak_rss_mb_largest_process']:,.0f} MB"
            )
        print("goals: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in goals.items()))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
