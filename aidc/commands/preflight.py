"""`aidc preflight`: live checks with boto3 / openstacksdk that the capacity plan can be applied.

Exit codes: 0 every check passed, 1 a check failed (including an unreachable endpoint or rejected
credentials: those are failed checks with a reason, never a traceback), 2 bad input or infeasible demand.
AWS credentials and endpoint come from boto3's usual chain (AWS_PROFILE, AWS_ENDPOINT_URL …);
OpenStack from `--os-cloud`/OS_CLOUD (clouds.yaml) or, without it, the OS_* environment variables.
`--timeout` is the budget of the whole run: every cloud is checked at once, and connect and read timeouts,
retries and backoff all count inside it (aidc/preflight/deadline.py).
"""

from __future__ import annotations

import argparse
import sys

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

DEFAULT_TIMEOUT_S = 60.0
# Per-request timeouts, capped by the budget: one slow request cannot use it all up.
CONNECT_TIMEOUT_S, READ_TIMEOUT_S = 5.0, 20.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument(
        "--cloud",
        choices=("aws", "openstack", "all"),
        default="all",
        help="which cloud to check (default: all)",
    )
    parser.add_argument(
        "--os-cloud",
        metavar="NAME",
        help="clouds.yaml entry for OpenStack (default: $OS_CLOUD, else the OS_* environment variables)",
    )
    parser.add_argument(
        "--aws-endpoint-url",
        metavar="URL",
        help="AWS endpoint for every service (default: $AWS_ENDPOINT_URL)",
    )
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


def run(args: argparse.Namespace) -> int:
    from aidc.preflight.deadline import Deadline, Job, run_jobs
    from aidc.preflight.report import print_table, write_json
    from aidc.preflight.requirements import requirements_from_plan
    from aidc.preflight.retry import AwsProfileError

    try:
        _validate(args)
        cfg = load_config(args)  # the region is checked here (aidc/config/limits.py)
        if cfg.estate.role == "shard":  # a shard's sites are its core's to check: the estate's requirements
            cfg = estate_core(args, cfg)
        plan = size(cfg)
    except BadInput as exc:
        return fail(str(exc))
    reqs = requirements_from_plan(cfg, plan)
    deadline = Deadline(args.timeout)
    connect_s, read_s = min(CONNECT_TIMEOUT_S, args.timeout), min(READ_TIMEOUT_S, args.timeout)
    jobs: list[Job] = []
    if args.cloud in ("aws", "all"):
        from aidc.preflight.aws import AwsClients, run_aws_checks

        try:
            clients = AwsClients(
                reqs.aws.region,
                endpoint_url=args.aws_endpoint_url,
                max_attempts=args.max_attempts,
                connect_timeout_s=connect_s,
                read_timeout_s=read_s,
                deadline=deadline,
            )
        except AwsProfileError as exc:
            return fail(str(exc))
        where = f"region {reqs.aws.region}" + (
            f" via {args.aws_endpoint_url}" if args.aws_endpoint_url else ""
        )
        jobs.append(Job("aws", where, lambda: run_aws_checks(reqs.aws, clients)))
    if args.cloud in ("openstack", "all"):
        from aidc.preflight.openstack import run_openstack_checks_for

        for region_reqs in reqs.openstack:
            jobs.append(
                Job(
                    "openstack",
                    region_reqs.region or "default region",
                    lambda r=region_reqs: run_openstack_checks_for(  # type: ignore[misc]
                        r, cloud=args.os_cloud, timeout_s=read_s, max_attempts=args.max_attempts
                    ),
                )
            )
    checks = run_jobs(jobs, deadline)
    if args.json:
        write_json(checks, sys.stdout)
    else:
        print_table(checks)
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FAILED
