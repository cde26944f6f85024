"""`aidc backend bootstrap`: create (or converge) the S3 bucket and KMS key of a self-managed Pulumi
state backend, limited to the principals named with --allow-role (and whoever runs it), with the bucket's data
events in the CloudTrail trail named with --trail; then print the `pulumi login` and `--secrets-provider` lines
to use. docs/backend.md says what each policy holds and why.

Exit codes: 0 done (created, updated or already in place), 1 an AWS call failed (unreachable endpoint,
rejected credentials, a bucket owned by someone else …), 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys

from aidc.commands.common import EXIT_FAILED, EXIT_OK, fail, write_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="backend_command", metavar="ACTION")
    sub.required = True
    boot = sub.add_parser("bootstrap", help="create or converge the state bucket and KMS key (idempotent)")
    boot.add_argument("--bucket", required=True, help="S3 bucket for Pulumi state")
    boot.add_argument(
        "--region",
        default=None,
        help="AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)",
    )
    boot.add_argument(
        "--kms-alias", default="alias/pulumi-state", help="KMS key alias (default alias/pulumi-state)"
    )
    boot.add_argument(
        "--allow-role",
        action="append",
        default=[],
        metavar="ARN",
        help="an IAM role that may use the state and its key (repeatable; added to those already allowed; the "
        "role running this is always allowed)",
    )
    boot.add_argument(
        "--revoke-role",
        action="append",
        default=[],
        metavar="ARN",
        help="an IAM role that may no longer use the state (repeatable; never the one running this)",
    )
    boot.add_argument(
        "--trail",
        default=None,
        metavar="NAME",
        help="an existing CloudTrail trail (name or ARN) to record the state bucket's data events in; "
        "bootstrap never creates a trail",
    )
    boot.add_argument("--endpoint-url", default=None, help="AWS endpoint (default: $AWS_ENDPOINT_URL)")
    boot.add_argument("--json", action="store_true", help="print one JSON object for machines")
    key = sub.add_parser(
        "secrets-key",
        help="create or converge a KMS key for one environment's stack secrets (no bucket), limited like the state",
    )
    key.add_argument("--kms-alias", required=True, help="the key's alias, e.g. alias/pulumi-prod")
    key.add_argument(
        "--region",
        default=None,
        help="AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)",
    )
    key.add_argument(
        "--allow-role",
        action="append",
        default=[],
        metavar="ARN",
        help="a role that may use the key (repeatable)",
    )
    key.add_argument(
        "--revoke-role", action="append", default=[], metavar="ARN", help="a role that may no longer use it"
    )
    key.add_argument("--endpoint-url", default=None, help="AWS endpoint (default: $AWS_ENDPOINT_URL)")
    key.add_argument("--json", action="store_true", help="print one JSON object for machines")


def run(args: argparse.Namespace) -> int:
    from aidc.backend import bootstrap, secrets_key
    from aidc.preflight.retry import classify_aws_error

    region = (
        args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    )
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    try:
        if args.backend_command == "secrets-key":
            result = secrets_key(
                region,
                args.kms_alias,
                endpoint_url=endpoint,
                allow_roles=tuple(args.allow_role),
                revoke_roles=tuple(args.revoke_role),
            )
            return _print_key(result, args.json)
        result = bootstrap(
            args.bucket,
            region,
            args.kms_alias,
            endpoint_url=endpoint,
            allow_roles=tuple(args.allow_role),
            revoke_roles=tuple(args.revoke_role),
            trail=args.trail,
        )
    except ValueError as exc:  # bad --bucket/--region/--kms-alias, or an unknown AWS_PROFILE
        return fail(str(exc))
    except RuntimeError as exc:
        print(f"aidc: backend bootstrap failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        failure = classify_aws_error(exc)
        hint = f" (hint: {failure.hint})" if failure.hint else ""
        print(f"aidc: backend bootstrap failed: {failure.reason}{hint}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        write_json(result.to_dict())
        return EXIT_OK
    for resource, state, note in result.actions:
        print(f"{state:>9}  {resource}: {note}")
    print("allowed to use the state and its key (everyone else is denied):")
    for principal in result.principals:
        print(f"  {principal}")
    for warning in result.warnings:
        print(f"aidc: warning: {warning}", file=sys.stderr)
    print("no changes: the backend was already in place" if not result.changed else "backend ready")
    print()
    print("Use it:")
    print(f"  {result.login_command}")
    print(f"  pulumi stack init <stack> {result.secrets_provider}")
    print(
        f'  # existing stacks: pulumi stack change-secrets-provider "awskms://{result.kms_alias}?region={region}"'
    )
    if endpoint:
        print(f"  # custom endpoint: export AWS_ENDPOINT_URL={endpoint} for the pulumi CLI as well")
    return EXIT_OK


def _print_key(result: object, as_json: bool) -> int:
    from aidc.backend import BootstrapResult

    assert isinstance(result, BootstrapResult)
    if as_json:
        document = {k: v for k, v in result.to_dict().items() if k not in ("bucket", "login")}
        write_json(document)
        return EXIT_OK
    for resource, state, note in result.actions:
        print(f"{state:>9}  {resource}: {note}")
    print("allowed to use the key (everyone else is denied):")
    for principal in result.principals:
        print(f"  {principal}")
    print()
    print(f"Use it: pulumi stack init <stack> {result.secrets_provider}")
    return EXIT_OK
