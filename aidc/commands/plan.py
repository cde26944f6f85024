"""`aidc plan`: the real stack program, offline, under Pulumi's mock engine; the policy pack on what it
registers; the resource tree, counts and cost for people, `--json` for machines, `--diff` against an earlier
`--json` plan for pull requests.

Exit codes: 0 ok, 1 a mandatory policy violation (or the program did not finish within --timeout), 2 bad
input or infeasible demand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from aidc.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    add_format_argument,
    add_source_arguments,
    chosen_format,
    fail,
    load_config,
    size,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument(
        "--diff", metavar="BASE.json", type=Path, help="compare with an earlier `aidc plan --json` output"
    )
    add_format_argument(parser, "plan")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up if the offline program has not finished after this long (default 300)",
    )


def plan_document(args: argparse.Namespace) -> dict[str, Any]:
    """Size once, run the program on that plan under mocks, evaluate the policies: `aidc plan --json`."""
    from aidc.sizing.serialize import plan_to_dict

    cfg = load_config(args)
    plan = size(cfg)

    from aidc.offline import DEFAULT_TIMEOUT_S, run_program
    from policies.offline import evaluate
    from stacks.program import deploy

    timeout_s = DEFAULT_TIMEOUT_S if getattr(args, "timeout", None) is None else args.timeout
    try:
        offline = run_program(
            cfg.stack, lambda: deploy(cfg, plan), region=cfg.aws_region, timeout_s=timeout_s
        )
    except ValueError as exc:  # a component refused its Args: bad input, not a crash
        raise BadInput(
            f"the stack program refused the configuration of {cfg.stack}: {_refusal(exc)}"
        ) from None
    violations = evaluate(offline.resources, policy_config=_policy_config(cfg))
    size_doc = plan_to_dict(plan)
    by_type: dict[str, int] = {}
    for resource in offline.resources:
        by_type[resource["type"]] = by_type.get(resource["type"], 0) + 1
    return {
        "stack": cfg.stack,
        "resources": [
            {k: r[k] for k in ("urn", "type", "name", "parent", "inputs")} for r in offline.resources
        ],
        "exports": offline.exports,
        "summary": {
            "resources": len(offline.resources),
            "by_type": dict(sorted(by_type.items())),
            "counts": size_doc["counts"],
            "cost": size_doc["cost"],
        },
        "policy": {"violations": violations},
        "plan": size_doc,
    }


def _refusal(exc: ValueError) -> str:
    """A refusal as 'Args.field: message' lines (one fault stays on the line): component Args raise pydantic
    ValidationErrors, whose own text spells paths as 'gpu_pools.0.name' and repeats the whole input."""
    from pydantic import ValidationError

    from aidc.types import field_messages

    if isinstance(exc, ValidationError):
        lines = field_messages(exc, prefix=exc.title)
        return lines[0] if len(lines) == 1 else "\n  ".join(["", *lines])
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())


def _policy_config(cfg: Any) -> dict[str, Any]:
    ceiling = cfg.policy.monthly_cost_ceiling_usd
    return {} if ceiling is None else {"monthly-cost-ceiling": {"monthly-cost-ceiling-usd": ceiling}}


def run(args: argparse.Namespace) -> int:
    from aidc.offline import DEFAULT_TIMEOUT_S, OfflineTimeout
    from aidc.output.formats import PLAN, PLAN_DIFF, write

    fmt = chosen_format(args)
    if args.timeout is not None and not 0 < args.timeout <= 86_400:
        return fail(f"--timeout: must be in (0, 86400] seconds, got {args.timeout:g}")
    try:
        base = None
        if args.diff is not None:  # read the base first: a bad file fails before the plan is made
            from aidc.output.diff import load_plan_json

            try:
                base = load_plan_json(args.diff)
            except ValueError as exc:
                raise BadInput(str(exc)) from None
        document = plan_document(args)
        if base is not None:
            from aidc.output.diff import DiffDocument, diff_plans

            try:
                diff = diff_plans(base, document)
            except ValueError as exc:
                raise BadInput(str(exc)) from None
            write(PLAN_DIFF, fmt, DiffDocument(diff, document), sys.stdout)
        else:
            write(PLAN, fmt, document, sys.stdout)
    except BadInput as exc:
        return fail(str(exc))
    except OfflineTimeout as exc:
        print(
            f"aidc: {exc} (--timeout {args.timeout or DEFAULT_TIMEOUT_S:g}): raise --timeout for a very large "
            "stack; if it never finishes, the program waits on an output nothing resolves: please report it",
            file=sys.stderr,
        )
        return EXIT_FAILED
    mandatory = [v for v in document["policy"]["violations"] if v["enforcement"] == "mandatory"]
    if mandatory:
        print(
            f"aidc: {len(mandatory)} mandatory policy violation(s) in stack {document['stack']}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
