"""`aidc preflight`: live checks with boto3 / openstacksdk that the capacity plan can be applied.

Exit codes: 0 every check passed, 1 a check failed (including an unreachable endpoint or rejected
credentials: those are failed checks with a reason, never a traceback), 2 bad input or infeasible demand.
AWS credentials and endpoint come from boto3's usual chain (AWS_PROFILE, AWS_ENDPOINT_URL …);
OpenStack from `--os-cloud`/OS_CLOUD (clouds.yaml) or, without it, the OS_* environment variables.
"""

from __future__ import annotations

import argparse
import re
import sys

from aidc.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    add_source_arguments,
    fail,
    load_config,
    size,
)

AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")


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
    parser.add_argument("--timeout", type=float, default=10.0, help="connect timeout in seconds (default 10)")


def _validate(args: argparse.Namespace, region: str) -> None:
    if not AWS_REGION.match(region):
        raise BadInput(f"aws:region: {region!r} is not an AWS region name (e.g. us-east-1, eu-west-1)")
    if not 1 <= args.max_attempts <= 20:
        raise BadInput(f"--max-attempts: must be between 1 and 20, got {args.max_attempts}")
    if not 0 < args.timeout <= 300:
        raise BadInput(f"--timeout: must be in (0, 300] seconds, got {args.timeout}")


def run(args: argparse.Namespace) -> int:
    from aidc.preflight.report import CheckResult, print_table, write_json
    from aidc.preflight.requirements import requirements_from_plan

    try:
        cfg = load_config(args)
        _validate(args, cfg.aws_region)
        plan = size(cfg)
    except BadInput as exc:
        return fail(str(exc))
    reqs = requirements_from_plan(cfg, plan)
    checks: list[CheckResult] = []
    if args.cloud in ("aws", "all"):
        from aidc.preflight.aws import AwsClients, run_aws_checks

        clients = AwsClients(
            reqs.aws.region,
            endpoint_url=args.aws_endpoint_url,
            max_attempts=args.max_attempts,
            connect_timeout_s=args.timeout,
        )
        checks.extend(run_aws_checks(reqs.aws, clients))
    if args.cloud in ("openstack", "all"):
        from aidc.preflight.openstack import run_openstack_checks_for

        for region_reqs in reqs.openstack:
            checks.extend(
                run_openstack_checks_for(
                    region_reqs, cloud=args.os_cloud, timeout_s=args.timeout, max_attempts=args.max_attempts
                )
            )
    if args.json:
        write_json(checks, sys.stdout)
    else:
        print_table(checks)
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FAILED
