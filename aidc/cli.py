"""Entry point of the `aidc` console script: parses arguments and dispatches to aidc/commands/.

Exit codes are a contract: 0 ok, 1 a check or mandatory policy failed (or the environment did: output that
cannot be written, a timeout, an unreachable endpoint), 2 bad input or infeasible demand. Whatever happens,
aidc ends with one line on stderr saying what failed — never a traceback (AIDC_DEBUG=1 shows one for an
internal error, for a bug report). A reader that closes the pipe early (`aidc size | head -1`) ends the
command quietly with 0.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

# name -> one-line help; the module aidc.commands.<name> is imported lazily.
SUBCOMMANDS: dict[str, str] = {
    "size": "what the demand needs (GPUs, servers, storage, network, cost) and why, without touching a cloud",
    "plan": "every resource the stack declares, checked by the policy pack, offline (no credentials needed)",
    "preflight": "live read-only checks against AWS and OpenStack before `pulumi up` (quotas, offerings, images)",
    "backend": "create the S3 bucket and KMS key a self-managed Pulumi state backend needs",
    "edge": "edge sites: `allocate` records each site's network (and estate shard) in the stack file",
    "estate": "estates of shard stacks: `init` writes the missing shard stack files of a core",
    "config": "the stack configuration: `schema` prints its JSON Schema (for editors and scripts)",
    "catalog": "the price catalog: `refresh` rewrites the clouds' price snapshots from their price-list APIs",
}

DESCRIPTION = """\
aidc sizes and plans a hybrid cloud for training and serving large AI models: GPU clusters in AWS, a private
OpenStack cloud, the interconnect between them, Ceph storage and K3s edge sites, as one Pulumi program. You
describe the demand (models to train, tokens to serve, data to keep and move, how sensitive it is) in a stack
file; aidc counts everything from it and explains each figure."""

EPILOG = """\
examples:
  aidc size                         size the dev stack (stacks/Pulumi.dev.yaml)
  aidc size --stack prod --explain  every figure with its formula and inputs
  aidc plan --stack prod            the resources and the policy verdict, offline
  aidc plan --json > base.json      a plan to compare with later: aidc plan --diff base.json
  aidc preflight --stack prod       live checks before `pulumi up`

Without --stack or --config a command reads the dev stack. Exit codes: 0 ok, 1 a check or mandatory policy
failed (or the environment did), 2 bad input or infeasible demand. `aidc COMMAND --help` for each command;
the documentation lives in docs/ (an MkDocs site: mkdocs serve)."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

# Errors writing the output: a closed pipe, a full disk or quota, an I/O error on the device.
_OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _command_module(name: str) -> ModuleType:
    return importlib.import_module(f"aidc.commands.{name.replace('-', '_')}")


def version() -> str:
    """The installed distribution's version (the package's own when it is not installed)."""
    from importlib import metadata

    try:
        return metadata.version("aidc")
    except metadata.PackageNotFoundError:
        from aidc import __version__

        return __version__


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aidc",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aidc {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    # Only the chosen subcommand's module is imported (keeps `aidc size` free of the Pulumi SDKs).
    chosen = next((a for a in argv if a in SUBCOMMANDS), None)
    for name, help_text in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _command_module(name).add_arguments(sp)
    return parser


def _tolerate_narrow_encodings() -> None:
    """With an ASCII-only stdout/stderr (PYTHONIOENCODING=ascii, a C locale without UTF-8), characters the
    terminal cannot show become '?' instead of an exception halfway through the output."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not encoding.startswith("utf"):
            # A stream that cannot be reconfigured keeps its settings.
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def _silence_stdout() -> None:
    """After stdout failed, point it at /dev/null so the interpreter's final flush does not fail again
    (the advice of Python's signal docs for a closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _say(message: str) -> None:
    # If stderr is gone too, the exit code still says what happened.
    with contextlib.suppress(OSError, ValueError):
        print(f"aidc: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    _tolerate_narrow_encodings()
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args_list if a in SUBCOMMANDS), "aidc")
    try:
        parser = build_parser(args_list)
        try:
            args = parser.parse_args(args_list)
        except SystemExit as exc:  # argparse exits 2 on usage errors, which matches our contract
            return int(exc.code or 0)
        code = int(_command_module(args.command).run(args))
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not in the interpreter's exit
        return code
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except OSError as exc:
        if exc.errno == errno.EPIPE or isinstance(exc, BrokenPipeError):
            # The reader had what it wanted (`aidc size | head -1`): end quietly, as cat and grep do.
            _silence_stdout()
            return EXIT_OK
        if exc.errno in _OUTPUT_ERRNOS:
            _silence_stdout()
            _say(f"cannot write the output of `aidc {command}`: {exc.strerror or exc} (stdout)")
            return EXIT_FAILED
        where = f": {exc.filename}" if exc.filename else ""
        _say(f"`aidc {command}` failed: {exc.strerror or exc}{where}")
        return EXIT_FAILED
    except MemoryError:
        _say(f"`aidc {command}` ran out of memory; the stack is larger than this machine can plan")
        return EXIT_FAILED
    except Exception as exc:  # the last resort: a bug, said in one line
        if os.environ.get("AIDC_DEBUG"):
            traceback.print_exc()
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        _say(
            f"internal error in `aidc {command}` ({type(exc).__name__}: {first_line}); please report it to the "
            "aidc maintainers with the command line and the stack file (AIDC_DEBUG=1 shows the traceback)"
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
