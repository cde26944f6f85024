#!/usr/bin/env python3
"""The stacks the GitHub workflows run over, as JSON lists for job matrices (`fromJSON`).

- `all`: every stacks/Pulumi.<name>.yaml, sorted by name. Each gets an offline plan diff on pull requests, so a
  new stack file is planned without editing a workflow.
- `cloud`: the stacks that reach real clouds, as .github/cloud-stacks lists them (pull-request previews). Each
  must have a stack file.

    python3 scripts/stacks.py                  {"all": [...], "cloud": [...]}
    python3 scripts/stacks.py --github-output  `all=[...]` and `cloud=[...]` lines for $GITHUB_OUTPUT

Standard library only, so the workflow job that runs it installs nothing. Exit 1, with the reason, when there is
no stack file, a name is not a valid Pulumi stack name, or a cloud stack has no stack file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Pulumi's stack name characters. A name also goes into artifact names and comment markers
# (`<!-- aidc-plan:NAME -->`): nothing here can end a marker or break out of a JSON string.
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class StackListError(Exception):
    """The stack files or .github/cloud-stacks are not usable; the message says which and why."""


def stack_files(root: Path) -> list[str]:
    names = sorted(
        path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for path in (root / "stacks").glob("Pulumi.*.yaml")
    )
    if not names:
        raise StackListError(f"no stack file matches {root / 'stacks' / 'Pulumi.*.yaml'}")
    for name in names:
        if not STACK_NAME.match(name):
            raise StackListError(f"stacks/Pulumi.{name}.yaml: {name!r} is not a valid stack name")
    return names


def cloud_stacks(root: Path, known: list[str]) -> list[str]:
    path = root / ".github" / "cloud-stacks"
    names = [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not names:
        raise StackListError(f"{path}: lists no stack")
    if len(set(names)) != len(names):
        raise StackListError(f"{path}: lists a stack twice: {names}")
    missing = [name for name in names if name not in known]
    if missing:
        raise StackListError(f"{path}: no stacks/Pulumi.<name>.yaml for {missing}")
    return names


def matrices(root: Path = ROOT) -> dict[str, list[str]]:
    everything = stack_files(root)
    return {"all": everything, "cloud": cloud_stacks(root, everything)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List the stacks for the workflow matrices.")
    parser.add_argument(
        "--github-output", action="store_true", help="print name=JSON lines for $GITHUB_OUTPUT"
    )
    args = parser.parse_args(argv)
    try:
        lists = matrices()
    except (StackListError, OSError) as exc:
        print(f"scripts/stacks.py: {exc}", file=sys.stderr)
        return 1
    if args.github_output:
        for key, names in lists.items():
            print(f"{key}={json.dumps(names, separators=(',', ':'))}")
    else:
        print(json.dumps(lists))
    return 0


if __name__ == "__main__":
    sys.exit(main())
