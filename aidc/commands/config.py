"""`aidc config schema`: the JSON Schema of a stack file's configuration (aidc/config/schema.py), for an
editor's YAML language server (`# yaml-language-server: $schema=...`) or a script that checks stack files."""

from __future__ import annotations

import argparse
import json
import sys

from aidc.commands.common import EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")
    sub.required = True
    sub.add_parser(
        "schema",
        help="print the JSON Schema of a stack file's config (aidc:* keys and aws:region)",
        description="Print the JSON Schema (2020-12) of a stack file's config: every aidc:* key with its type, "
        "default and limits.",
    )


def run(args: argparse.Namespace) -> int:
    from aidc.config.schema import stack_config_schema

    json.dump(stack_config_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK
