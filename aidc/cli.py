"""Entry point of the `aidc` console script: parses arguments and dispatches to aidc/commands/.

Exit codes are a contract: 0 ok, 1 a check or mandatory policy failed, 2 bad input or infeasible demand.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> one-line help; the module aidc.commands.<name> is imported lazily.
SUBCOMMANDS: dict[str, str] = {
    "size": "size the demand of a stack: resource counts, each with its formula and inputs",
    "plan": "run the Pulumi program offline under mocks, evaluate the policy pack, show or diff the plan",
    "preflight": "live checks with boto3 / openstacksdk before `pulumi up`",
    "backend": "bootstrap a self-managed Pulumi state backend (S3 bucket + KMS key)",
}

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def _command_module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"aidc.commands.{name.replace('-', '_')}")


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aidc", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    # Only the chosen subcommand's module is imported (keeps `aidc size` free of the Pulumi SDKs).
    chosen = next((a for a in argv if a in SUBCOMMANDS), None)
    for name, help_text in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _command_module(name).add_arguments(sp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on usage errors, which matches our contract
        return int(exc.code or 0)
    try:
        return int(_command_module(args.command).run(args))
    except KeyboardInterrupt:
        print("aidc: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
