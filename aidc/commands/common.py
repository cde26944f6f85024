"""What every subcommand shares: choosing the stack (`--stack NAME | --config FILE`), loading and sizing it,
and turning bad input into one clear message and exit code 2 (never a traceback)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from aidc.config import ConfigError, load_config_file, load_stack_config, stack_file

if TYPE_CHECKING:
    from aidc.config import StackConfig
    from aidc.sizing.plan import CapacityPlan

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Input the user must fix; the message is printed as is and the command exits 2."""


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--stack", metavar="NAME", help="read stacks/Pulumi.NAME.yaml (default: dev)")
    source.add_argument("--config", metavar="FILE", type=Path, help="read a file shaped like a stack file")
    parser.add_argument("--json", action="store_true", help="print one JSON object for machines")


def add_format_argument(parser: argparse.ArgumentParser, kind: str) -> None:
    """`--format` with the formats aidc/output/formats.py registers for the command's kind of document."""
    from aidc.output.formats import formats

    choices = formats(kind)
    parser.add_argument(
        "--format",
        choices=choices,
        default=None,
        help=f"output format (default {choices[0]}; --json is --format json)",
    )


def chosen_format(args: argparse.Namespace) -> str:
    """`--format` when given, else `--json` as `--format json`, else text."""
    return str(args.format or ("json" if args.json else "text"))


def load_config(args: argparse.Namespace) -> StackConfig:
    try:
        if args.config is not None:
            return load_config_file(args.config)
        return load_stack_config("dev" if args.stack is None else args.stack)
    except ConfigError as exc:
        raise BadInput(str(exc)) from None


def source_path(args: argparse.Namespace) -> Path:
    """The stack-shaped file the command reads."""
    return (
        Path(args.config)
        if args.config is not None
        else stack_file("dev" if args.stack is None else args.stack)
    )


def estate_core(args: argparse.Namespace, shard: StackConfig) -> StackConfig:
    """The core of a shard stack: its stack file beside the shard's, which holds the estate's demand and sites."""
    path = source_path(args).with_name(f"Pulumi.{shard.estate.core}.yaml")
    try:
        cfg = load_config_file(path, shard.estate.core)
    except ConfigError as exc:
        raise BadInput(f"{shard.stack} is shard {shard.estate.shard} of {shard.estate.core}: {exc}") from None
    if cfg.estate.role != "core":
        raise BadInput(
            f"{shard.stack}: {path} has no aidc:estate.max_sites_per_stack, so it is no estate core"
        )
    return cfg


def size(cfg: StackConfig) -> CapacityPlan:
    """The stack's plan, with a dated warning for each version it deploys that is past its support window or
    within aidc.versions.WARN_DAYS of its end (`support_window_warnings`)."""
    import dataclasses

    from aidc.sizing import InfeasibleDemand, size_stack

    try:
        plan = size_stack(cfg)
    except InfeasibleDemand as exc:
        raise BadInput(f"infeasible demand in stack {cfg.stack}: {exc}") from None
    return dataclasses.replace(plan, warnings=(*plan.warnings, *support_window_warnings(cfg, plan.clouds)))


def support_window_warnings(cfg: StackConfig, clouds: tuple[str, ...]) -> list[str]:
    """The versions this stack deploys (aidc/versions.py `deployed`: its K3s, Rook and charts; EKS, its add-ons
    and the EKS charts when it uses AWS) that are outside their window, or close its end, today ($AIDC_TODAY)."""
    from aidc.versions import deployed, today, window_warnings

    aws = getattr(cfg, "aws", None)
    try:
        day = today()
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    pins = deployed(
        clouds,
        aws.eks_version if aws is not None else None,
        dict(aws.addon_versions) if aws is not None else None,
        cfg.k3s.version,
        cfg.ceph.rook_chart_version,
    )
    return window_warnings(pins, day)


def fail(message: str) -> int:
    print(f"aidc: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def with_schema_version(document: dict[str, Any]) -> dict[str, Any]:
    """The document with `schema_version` first (DESIGN.md: every JSON document the CLI prints carries it)."""
    from aidc.sizing.serialize import SCHEMA_VERSION

    return {"schema_version": SCHEMA_VERSION, **{k: v for k, v in document.items() if k != "schema_version"}}


def write_json(document: dict[str, Any], stream: TextIO | None = None, **options: Any) -> None:
    """One JSON document with its `schema_version`, two-space indent, a trailing newline."""
    out = sys.stdout if stream is None else stream
    json.dump(with_schema_version(document), out, indent=2, **options)
    out.write("\n")


def print_warnings(warnings: list[str]) -> None:
    """Each warning on stderr, before the output, starting `warning:`: one line each when stderr is a file or
    a pipe (grep finds it whole), wrapped with indented continuation lines on a terminal."""
    from aidc.output.text_table import output_width, paragraph

    terminal = sys.stderr.isatty()
    width = output_width(sys.stderr)
    for warning in warnings:
        text = "warning: " + " ".join(str(warning).split())
        lines = paragraph(text, width, "", "  ") if terminal else [text]
        print("\n".join(lines), file=sys.stderr)
