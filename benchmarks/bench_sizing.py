"""Benchmark: sizing + placement of a synthetic demand (1,000 workloads, 500 edge sites, 10 accelerator types),
the growth curve as workloads double, and `aidc size --stack dev` as a whole process.

Run: `.venv/bin/python benchmarks/bench_sizing.py` (prints a table; `--json` for machines). Targets (this
machine class, 2 cores): sizing + placement of 1,000 workloads under 1 s; `aidc size --stack dev` under 1.5 s.
A benchmark, not a test: it reports and exits 1 when a target is missed, it never runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidc.catalog import ACCELERATORS, INSTANCE_TYPES  # noqa: E402
from aidc.config import parse_stack_config  # noqa: E402
from aidc.sizing import size_stack  # noqa: E402

SIZING_TARGET_S = 1.0
CLI_TARGET_S = 1.5


def synthetic_config(workloads: int, sites: int = 500) -> dict[str, Any]:
    accelerators = sorted(ACCELERATORS)
    assert len(accelerators) >= 10, "the benchmark needs 10 accelerator types in the catalog"
    training, inference = [], []
    for i in range(workloads):
        acc = accelerators[i % 10]
        classification = ("public", "internal", "confidential", "restricted")[i % 4]
        if i % 2 == 0:
            training.append(
                {
                    "name": f"train-{i}",
                    "params": 1e9 * (1 + i % 70),
                    "tokens": 2e10 * (1 + i % 13),
                    "accelerator": acc,
                    "mfu": 0.4,
                    "deadline_days": 7 + i % 30,
                    "classification": classification,
                }
            )
        else:
            inference.append(
                {
                    "name": f"serve-{i}",
                    "peak_tokens_per_s": 2000 + 37 * i,
                    "tokens_per_s_per_gpu": 1500,
                    "accelerator": acc,
                    "model_params": 7e9,  # FP8, 16 × 4k sequences: one GPU of every catalog accelerator holds it
                    "weight_precision": "fp8",
                    "context_tokens": 4096,
                    "concurrent_sequences": 16,
                    "classification": classification,
                    "edge_fraction": 0.2 if classification != "restricted" else 0.0,
                }
            )
    edge = [
        {
            "name": f"site-{j}",
            "share": 1 / sites,
            "accelerator": ("l4-24gb", "l40s-48gb")[j % 2],
            "gpus_per_node": 2,
        }
        for j in range(sites)
    ]
    # Shares must sum to exactly 1 within the validator's tolerance.
    edge[-1]["share"] = 1 - sum(s["share"] for s in edge[:-1])
    private = {acc: 4_000_000 for acc in accelerators}  # confidential work must fit privately
    quotas = {t: 10_000 for t in INSTANCE_TYPES}
    return {
        "aidc:demand": {
            "training": training,
            "inference": inference,
            "storage": {"datasets_tb": 5000, "protection": {"erasure": {"k": 8, "m": 3}}},
            "transfer": [{"name": f"x{k}", "volume_gb": 1000, "window_hours": 4} for k in range(20)],
        },
        "aidc:capacity": {"private": {"gpus": private}, "public": {"max_instances": quotas}},
        "aidc:edge": {"sites": edge},
    }


def time_sizing(workloads: int, repeats: int = 3) -> dict[str, Any]:
    values = synthetic_config(workloads)
    cfg = parse_stack_config(values)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        plan = size_stack(cfg)
        runs.append(time.perf_counter() - start)
    return {
        "workloads": workloads,
        "edge_sites": len(cfg.edge.sites),
        "accelerators": 10,
        "median_s": statistics.median(runs),
        "min_s": min(runs),
        "public_groups": len(plan.placement.public),
        "private_groups": len(plan.placement.private),
    }


def time_cli(repeats: int = 5) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("aidc")
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [str(exe), "size", "--stack", "dev", "--json"], check=True, capture_output=True, cwd=ROOT
        )
        runs.append(time.perf_counter() - start)
    return {
        "command": "aidc size --stack dev --json",
        "median_s": statistics.median(runs),
        "min_s": min(runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--max-workloads", type=int, default=2000)
    args = parser.parse_args()
    curve = []
    workloads = 125
    while workloads <= args.max_workloads:
        curve.append(time_sizing(workloads))
        workloads *= 2
    at_1000 = time_sizing(1000)
    cli = time_cli()
    result = {
        "growth": curve,
        "target_1000_workloads": at_1000,
        "cli": cli,
        "ok": at_1000["median_s"] < SIZING_TARGET_S and cli["median_s"] < CLI_TARGET_S,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'workloads':>10} {'edge sites':>10} {'median s':>10} {'ratio':>7}")
        previous = None
        for row in curve:
            ratio = f"{row['median_s'] / previous:.2f}x" if previous else ""
            print(f"{row['workloads']:>10} {row['edge_sites']:>10} {row['median_s']:>10.3f} {ratio:>7}")
            previous = row["median_s"]
        print(
            f"1,000 workloads, 500 edge sites, 10 accelerators: {at_1000['median_s']:.3f} s "
            f"(target < {SIZING_TARGET_S} s)"
        )
        print(f"{cli['command']}: {cli['median_s']:.3f} s (target < {CLI_TARGET_S} s)")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
