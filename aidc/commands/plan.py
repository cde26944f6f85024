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
    estate_core,
    fail,
    load_config,
    print_warnings,
    size,
)
from aidc.output.progress import SILENT, Progress


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
        help="give up if the offline program of a stack has not finished after this long (default 300)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="an estate's shard stacks planned by at most N processes at a time (default: one per CPU)",
    )
    parser.add_argument(
        "--resources",
        action="store_true",
        help="also list every resource: the tree of components and the count of each resource type",
    )


def plan_document(args: argparse.Namespace, progress: Progress = SILENT) -> dict[str, Any]:
    """Size once, run the program on that plan under mocks, evaluate the policies: `aidc plan --json`. An
    estate's core plans the core and every shard; a shard stack plans its core, then itself."""
    from aidc.sizing.serialize import plan_to_dict

    cfg = load_config(args)
    if cfg.estate.role == "shard":
        return _shard_document(args, cfg, progress)
    with progress.step(f"sizing {cfg.stack}"):
        plan = size(cfg)
    if cfg.estate.role == "core":
        return _estate_document(args, cfg, plan, progress)

    from aidc.offline import run_program
    from policies.offline import evaluate
    from stacks.program import deploy

    try:
        with progress.step(f"planning {cfg.stack} (the stack program under the mock engine)"):
            offline = run_program(
                cfg.stack, lambda: deploy(cfg, plan), regions=cfg.cloud_regions(), timeout_s=_timeout(args)
            )
    except ValueError as exc:  # a component refused its Args: bad input, not a crash
        raise BadInput(
            f"the stack program refused the configuration of {cfg.stack}: {_refusal(exc)}"
        ) from None
    violations = evaluate(offline.resources, policy_config=_policy_config(cfg))
    return _document(cfg.stack, offline, violations, plan_to_dict(plan))


def _document(stack: str, offline: Any, violations: list[Any], size_doc: dict[str, Any]) -> dict[str, Any]:
    by_type: dict[str, int] = {}
    for resource in offline.resources:
        by_type[resource["type"]] = by_type.get(resource["type"], 0) + 1
    from aidc.sizing.serialize import SCHEMA_VERSION

    return {
        "schema_version": SCHEMA_VERSION,
        "stack": stack,
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
        # Sizing's warnings, then what the program logged (pulumi.log.warn), each once.
        "warnings": list(dict.fromkeys([*size_doc["warnings"], *getattr(offline, "warnings", [])])),
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


def _timeout(args: argparse.Namespace) -> float:
    """Seconds each stack's offline program may take (`--timeout`; a Namespace without it gets the default)."""
    from aidc.offline import DEFAULT_TIMEOUT_S

    timeout: float | None = getattr(args, "timeout", None)
    return DEFAULT_TIMEOUT_S if timeout is None else timeout


def _shard_done(progress: Progress) -> Any:
    def note(result: Any) -> None:
        progress.note(
            f"planned {result.stack}: {len(result.offline.resources):,} resources in {result.seconds:.1f} s "
            f"(process {result.pid}, peak {result.peak_rss_mb:,.0f} MB)"
        )

    return note


def _estate_document(args: argparse.Namespace, cfg: Any, plan: Any, progress: Progress) -> dict[str, Any]:
    from aidc.estate.offline import plan_estate
    from aidc.estate.report import estate_document
    from aidc.sizing.serialize import plan_to_dict

    jobs = getattr(args, "jobs", None)  # callers that build the Namespace themselves (tests) may leave it out
    if jobs is not None and jobs < 1:
        raise BadInput(f"--jobs: must be at least 1, got {jobs}")
    try:
        progress.note(f"planning estate {cfg.stack}: the core, then its shard stacks in parallel")
        estate = plan_estate(
            cfg,
            plan,
            _policy_config(cfg),
            processes=jobs,
            on_done=_shard_done(progress) if progress.enabled else None,
            timeout_s=_timeout(args),
        )
    except ValueError as exc:
        raise BadInput(
            f"the stack program refused the configuration of {cfg.stack}: {_refusal(exc)}"
        ) from None
    progress.note(
        f"estate {cfg.stack}: {1 + len(estate.shards)} stacks planned in {estate.seconds:.1f} s "
        f"with {estate.processes} process(es)"
    )
    core = _document(cfg.stack, estate.core.offline, estate.core.violations, plan_to_dict(plan))
    return estate_document(core, estate, cfg.sites_per_shard)


def _shard_document(args: argparse.Namespace, own: Any, progress: Progress) -> dict[str, Any]:
    """A shard stack alone: its core is planned first (in this process) for the exports it reads."""
    from aidc.estate.offline import ShardJob, plan_core, plan_shard
    from aidc.sizing.serialize import plan_to_dict

    cfg = estate_core(args, own)
    plan = size(cfg)
    policy = _policy_config(cfg)
    try:
        with progress.step(f"planning {cfg.stack}, the core of {own.stack}"):
            core = plan_core(cfg, plan, policy, _timeout(args))
        job = ShardJob(cfg, plan, own.estate.shard, core.offline.stack_outputs(), policy, _timeout(args))
        with progress.step(f"planning {own.stack}"):
            result = plan_shard(job)
    except ValueError as exc:
        raise BadInput(
            f"the stack program refused the configuration of {own.stack}: {_refusal(exc)}"
        ) from None
    size_doc = plan_to_dict(plan)
    size_doc["edge"]["sites"] = [s for s in size_doc["edge"]["sites"] if s["shard"] == own.estate.shard]
    document = _document(own.stack, result.offline, result.violations, size_doc)
    document["summary"]["counts"] = {"edge_nodes": sum(s["nodes"] for s in size_doc["edge"]["sites"])}
    document["estate"] = {"core": cfg.stack, "shard": own.estate.shard, "sites": list(result.sites)}
    return document


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
        document = plan_document(args, Progress.for_command(machine_output=fmt == "json"))
        if fmt == "text":  # JSON and markdown carry the warnings in the document
            print_warnings(document["warnings"])
        if base is not None:
            from aidc.estate.report import changes_by_stack, flatten
            from aidc.output.diff import DiffDocument, diff_plans
            from aidc.output.estate import estate_stacks

            try:
                diff = diff_plans(flatten(base), flatten(document))
            except ValueError as exc:
                raise BadInput(str(exc)) from None
            estate = estate_stacks(base) or estate_stacks(document)
            stacks = changes_by_stack(diff, base, document) if estate else []
            write(PLAN_DIFF, fmt, DiffDocument(diff, document, tuple(stacks)), sys.stdout)
        else:
            write(PLAN, fmt, document, sys.stdout, explain=bool(getattr(args, "resources", False)))
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
