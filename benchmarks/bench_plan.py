"""Benchmark: `aidc plan`'s offline run per stack, per resource, against a bare loop registering the same
number of resources under the same mocks and monitor (goal: within 1.2×).

Run: `.venv/bin/python benchmarks/bench_plan.py [--json] [--stacks dev prod ...]`. Reports, and exits 1 when a
stack's ratio exceeds the goal; it is a benchmark, never a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pulumi_aws as aws  # noqa: E402

from aidc.config.load import STACKS_DIR, read_config_values, stack_file  # noqa: E402
from aidc.offline import run_program  # noqa: E402

GOAL_RATIO = 1.2


def _bare_loop(count: int) -> Any:
    def program() -> None:
        for index in range(count):
            aws.ec2.Instance(
                f"bare-{index}",
                ami="ami-0123456789abcdef0",
                instance_type="m6i.large",
                tags={"aidc:bench": str(index)},
            )

    return program


def measure(stack: str, repeats: int) -> dict[str, Any]:
    values = read_config_values(stack_file(stack))
    plan_times, bare_times, resources = [], [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        resources = len(run_program(stack, stack_config=values).resources)
        plan_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        run_program(stack, program=_bare_loop(resources))
        bare_times.append(time.perf_counter() - start)
    plan_s, bare_s = statistics.median(plan_times), statistics.median(bare_times)
    return {
        "stack": stack,
        "resources": resources,
        "plan_s": plan_s,
        "bare_loop_s": bare_s,
        "plan_ms_per_resource": 1000 * plan_s / resources,
        "bare_ms_per_resource": 1000 * bare_s / resources,
        "ratio": plan_s / bare_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--stacks",
        nargs="*",
        default=sorted(
            p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml")
        ),
    )
    args = parser.parse_args()
    run_program(
        "dev", stack_config=read_config_values(stack_file("dev"))
    )  # warm imports, so no stack pays for them
    rows = [measure(stack, args.repeats) for stack in args.stacks]
    ok = all(row["ratio"] <= GOAL_RATIO for row in rows)
    if args.json:
        print(json.dumps({"goal_ratio": GOAL_RATIO, "stacks": rows, "ok": ok}, indent=2))
    else:
        print(
            f"{'stack':<16}{'resources':>10}{'plan s':>9}{'bare s':>9}{'ms/res':>9}{'bare ms/res':>13}{'ratio':>8}"
        )
        for r in rows:
            print(
                f"{r['stack']:<16}{r['resources']:>10}{r['plan_s']:>9.2f}{r['bare_loop_s']:>9.2f}"
                f"{r['plan_ms_per_resource']:>9.2f}{r['bare_ms_per_resource']:>13.2f}{r['ratio']:>7.2f}x"
            )
        print(f"goal: plan within {GOAL_RATIO}x of the bare loop — {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
