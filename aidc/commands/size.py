"""`aidc size`: sizing only (no Pulumi import): summary tables (`--explain`: every figure's formula and
inputs under it), the JSON contract, or markdown (`--format text|json|markdown`; `--json` is `--format
json`). Warnings come first, on stderr, each line starting `warning:`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aidc.commands.common import (
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
    add_format_argument(parser, "size")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="show every figure's formula and inputs under it, and the detail tables (model fit, replicas, "
        "security controls)",
    )


def price_age_warnings(plan: Any) -> list[str]:
    """The price lists (and placed instance types' prices) the plan used that are older than six months today
    (AIDC_TODAY, else the UTC date)."""
    from aidc.config.limits import utc_today
    from aidc.sizing.cost import stale_price_warnings

    try:
        today = utc_today()
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    return stale_price_warnings(plan.cost, plan.clouds, today, groups=plan.placement.public)


def size_document(args: argparse.Namespace, progress: Progress = SILENT) -> dict[str, Any]:
    """The plan of the stack; for an estate's shard stack, the estate's plan with the shard's sites only."""
    from aidc.sizing.serialize import plan_to_dict

    cfg = load_config(args)
    shard = cfg.estate.role == "shard"
    target = estate_core(args, cfg) if shard else cfg
    with progress.step(f"sizing {'estate ' if shard else ''}{target.stack}"):
        plan = size(target)
    document = plan_to_dict(plan)
    document["warnings"] = [*document.get("warnings", []), *price_age_warnings(plan)]
    if not shard:
        return document
    document["edge"]["sites"] = [s for s in document["edge"]["sites"] if s["shard"] == cfg.estate.shard]
    document["estate"] = {"core": cfg.estate.core, "shard": cfg.estate.shard}
    return document


def run(args: argparse.Namespace) -> int:
    from aidc.output.formats import SIZE, write

    fmt = chosen_format(args)
    try:
        document = size_document(args, Progress.for_command(machine_output=fmt == "json"))
    except BadInput as exc:
        return fail(str(exc))
    if fmt == "text":  # JSON and markdown carry the warnings in the document
        print_warnings(document["warnings"])
    write(SIZE, fmt, document, sys.stdout, explain=bool(getattr(args, "explain", False)))
    return EXIT_OK
