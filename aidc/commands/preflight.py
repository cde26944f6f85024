"""`aidc preflight`: live checks with boto3 / openstacksdk that the capacity plan can be applied.

Exit codes: 0 every check passed, 1 a check failed (including an unreachable endpoint or rejected
credentials: those are failed checks with a reason, never a traceback), 2 bad input or infeasible demand.
Each public cloud the plan uses is checked by its own module (aidc/clouds/<cloud>/preflight.py; AWS's credentials
and endpoint come from boto3's usual chain: AWS_PROFILE, AWS_ENDPOINT_URL …); OpenStack from `--os-cloud`/OS_CLOUD (clouds.yaml) or, without it, the OS_* environment variables.
`--timeout` is the budget of the whole run: every cloud is checked at once, and connect and read timeouts,
retries and backoff all count inside it (aidc/preflight/deadline.py).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from aidc.clouds import preflight_of
from aidc.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    add_source_arguments,
    estate_core,
    fail,
    load_config,
    size,
)
from aidc.contract import PUBLIC_CLOUDS

DEFAULT_TIMEOUT_S = 60.0
# Per-request timeouts, capped by the budget: one slow request cannot use it all up.
CONNECT_TIMEOUT_S, READ_TIMEOUT_S = 5.0, 20.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument(
        "--cloud",
        choices=(*PUBLIC_CLOUDS, "openstack", "all"),
        default="all",
        help="which cloud to check (default: all the stack uses)",
    )
    parser.add_argument(
        "--os-cloud",
        metavar="NAME",
        help="clouds.yaml entry for OpenStack (default: $OS_CLOUD, else the OS_* environment variables)",
    )
    for cloud in PUBLIC_CLOUDS:
        preflight_of(cloud).add_arguments(parser)
    parser.add_argument(
        "--max-attempts", type=int, default=4, help="attempts per API call, with backoff (default 4)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help="time budget of the whole run: connects, reads and retries of every check (default 60)",
    )


def _validate(args: argparse.Namespace) -> None:
    if not 1 <= args.max_attempts <= 20:
        raise BadInput(f"--max-attempts: must be between 1 and 20, got {args.max_attempts}")
    if not 0 < args.timeout <= 600:
        raise BadInput(f"--timeout: must be in (0, 600] seconds, got {args.timeout:g}")


@dataclass(frozen=True)
class Budget:
    """What every cloud's checks share: the run's deadline and the per-request timeouts within it."""

    deadline: Any
    connect_timeout_s: float
    read_timeout_s: float


def run(args: argparse.Namespace) -> int:
    from aidc.output.preflight import print_table
    from aidc.preflight.deadline import Deadline, Job, run_jobs
    from aidc.preflight.report import write_json
    from aidc.preflight.requirements import openstack_requirements

    try:
        _validate(args)
        cfg = load_config(args)  # the region is checked here (aidc/config/limits.py)
        if cfg.estate.role == "shard":  # a shard's sites are its core's to check: the estate's requirements
            cfg = estate_core(args, cfg)
        plan = size(cfg)
    except BadInput as exc:
        return fail(str(exc))
    deadline = Deadline(args.timeout)
    budget = Budget(deadline, min(CONNECT_TIMEOUT_S, args.timeout), min(READ_TIMEOUT_S, args.timeout))
    read_s = budget.read_timeout_s
    jobs: list[Job] = []
    for cloud in plan.clouds:
        if args.cloud in (cloud, "all"):
            try:
                jobs.append(preflight_of(cloud).job(cfg, plan, args, budget))
            except ValueError as exc:  # a cloud's bad local setting (an unknown AWS_PROFILE): one line
                return fail(str(exc))
    if args.cloud in ("openstack", "all"):
        from aidc.preflight.openstack import run_openstack_checks_for

        for region_reqs in openstack_requirements(cfg, plan):
            jobs.append(
                Job(
                    "openstack",
                    region_reqs.region or "default region",
                    lambda r=region_reqs: run_openstack_checks_for(  # type: ignore[misc]
                        r, cloud=args.os_cloud, timeout_s=read_s, max_attempts=args.max_attempts
                    ),
                )
            )
    from aidc.output.progress import Progress

    progress = Progress.for_command(machine_output=bool(args.json))
    with progress.step(f"checking {', '.join(sorted({job.cloud for job in jobs}))} for {cfg.stack}"):
        checks = run_jobs(jobs, deadline)
    if args.json:
        write_json(checks, sys.stdout)
    else:
        print_table(checks)
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FAILED
