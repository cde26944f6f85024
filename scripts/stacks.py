#!/usr/bin/env python3
"""The stacks the GitHub workflows run over, as JSON for job matrices (`fromJSON`).

- `all`: every stacks/Pulumi.<name>.yaml but estate shards, sorted by name. Each gets an offline plan diff on
  pull requests, so a new stack file is planned without editing a workflow. An estate's shard stacks
  (`<core>-edge-<n>` beside a `<core>` stack file, written by `aidc estate init`) are planned by their core's
  plan diff, whose comment says which shards a change touches.
- `cloud`: the stacks that reach real clouds, as .github/cloud-stacks lists them (pull-request previews). Each
  must have a stack file and be no shard (list its core: the shards follow it).
- `shards`: for each cloud stack, its shard stacks in shard order (`[]` for a one-stack estate): the deploy
  workflow fans out over them after their core.
- `cloud_shards`: every cloud stack's shards in one list (pull-request previews, after the cores).

    python3 scripts/stacks.py                  {"all": [...], "cloud": [...], "shards": {...}, "cloud_shards": [...]}
    python3 scripts/stacks.py --github-output  one `name=JSON` line per key for $GITHUB_OUTPUT

Standard library only, so the workflow job that runs it installs nothing. Exit 1, with the reason, when there is
no stack file, a name is not a valid Pulumi stack name, or a cloud stack has no stack file or is a shard.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Pulumi's stack name characters. A name also goes into artifact names and comment markers
# (`<!-- aidc-plan:NAME -->`): nothing here can end a marker or break out of a JSON string.
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# aidc/estate/files.py SHARD_NAME: shard <n> of the estate whose core stack is <core>.
SHARD_NAME = re.compile(r"^(?P<core>.+)-edge-(?P<shard>\d+)$")


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


def shards_of(known: list[str]) -> dict[str, list[str]]:
    """core -> its shard stacks, in shard order (a name is a shard only if its core has a stack file)."""
    shards: dict[str, list[tuple[int, str]]] = {}
    for name in known:
        match = SHARD_NAME.match(name)
        if match and match["core"] in known:
            shards.setdefault(match["core"], []).append((int(match["shard"]), name))
    return {core: [name for _, name in sorted(items)] for core, items in shards.items()}


def matrices(root: Path = ROOT) -> dict[str, Any]:
    everything = stack_files(root)
    shards = shards_of(everything)
    is_shard = {name for names in shards.values() for name in names}
    cloud = cloud_stacks(root, everything)
    listed_shards = [name for name in cloud if name in is_shard]
    if listed_shards:
        raise StackListError(
            f"{root / '.github' / 'cloud-stacks'}: {listed_shards} are estate shards; list their core instead"
        )
    return {
        "all": [name for name in everything if name not in is_shard],
        "cloud": cloud,
        "shards": {name: shards.get(name, []) for name in cloud},
        "cloud_shards": [shard for name in cloud for shard in shards.get(name, [])],
    }


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
        for key, value in lists.items():
            print(f"{key}={json.dumps(value, separators=(',', ':'))}")
    else:
        print(json.dumps(lists))
    return 0


if __name__ == "__main__":
    sys.exit(main())
