"""`aidc size`: sizing only (no Pulumi import): tables that explain each figure, or the JSON contract."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aidc.commands.common import EXIT_OK, BadInput, add_source_arguments, fail, load_config, size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)


def size_document(args: argparse.Namespace) -> dict[str, Any]:
    from aidc.sizing.serialize import plan_to_dict

    return plan_to_dict(size(load_config(args)))


def run(args: argparse.Namespace) -> int:
    try:
        document = size_document(args)
    except BadInput as exc:
        return fail(str(exc))
    if args.json:
        json.dump(document, sys.stdout, indent=2, sort_keys=False)
        sys.stdout.write("\n")
    else:
        from aidc.render.size_tables import print_size

        print_size(document)
    return EXIT_OK
