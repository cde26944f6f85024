#!/usr/bin/env python3
"""The stacks the GitHub workflows run over, as JSON for job matrices (`fromJSON`).

- `all`: every stacks/Pulumi.<name>.yaml but estate shards, sorted by name. Each gets an offline plan diff on
  pull requests, so a new stack file is planned without editing a workflow. An estate's shard stacks
  (`<core>-edge-<n>` beside a `<core>` stack file, written by `aidc estate init`) are planned by their core's
  plan diff, whose comment says which shards a change touches.
- `cloud`: the stacks that reach real clouds, as .github/cloud-stacks lists them. Each must have a stack file and
  be no shard (list its core: the shards follow it).
- `preview`: the cloud stacks a pull request previews with the read-only preview role: every cloud stack but those
  marked `main-only` in .github/cloud-stacks (prod: its credentials exist only in the `prod` environment, which
  only main reaches; a pull request reviews it through its offline plan diff). docs/ci.md says why.
- `shards`: for each cloud stack, its shard stacks in shard order (`[]` for a one-stack estate): the deploy
  workflow fans out over them after their core.
- `preview_shards`: the shards of the `preview` stacks in one list (pull-request previews, after the cores).

    python3 scripts/stacks.py                  {"all": [...], "cloud": [...], "preview": [...], "shards": {...}, ...}
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
# (`<!-- aidc-plan:NAME -->`): nothing here can end a marker or break out of a JSON string. Matched whole
# (fullmatch, ASCII): `$` alone would admit a trailing newline.
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", re.ASCII)
# aidc/estate/files.py SHARD_NAME: shard <n> of the estate whose core stack is <core> (ASCII digits only: `\d`
# would take `prod-edge-١` for shard 1).
SHARD_NAME = re.compile(r"(?P<core>.+)-edge-(?P<shard>0|[1-9][0-9]{0,3})", re.ASCII)
# The marks a .github/cloud-stacks line may carry after the stack name.
MAIN_ONLY = "main-only"


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
        if not STACK_NAME.fullmatch(name):
            raise StackListError(f"stacks/Pulumi.{name}.yaml: {name!r} is not a valid stack name")
    return names


def cloud_stacks(root: Path, known: list[str]) -> dict[str, bool]:
    """stack -> whether it is `main-only`, in the file's order."""
    path = root / ".github" / "cloud-stacks"
    entries: list[tuple[str, bool]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1] != MAIN_ONLY):
            raise StackListError(
                f"{path}:{number}: {line.strip()!r}: a line is a stack name, optionally followed by {MAIN_ONLY}"
            )
        entries.append((words[0], len(words) == 2))
    names = [name for name, _ in entries]
    if not names:
        raise StackListError(f"{path}: lists no stack")
    if len(set(names)) != len(names):
        raise StackListError(f"{path}: lists a stack twice: {names}")
    missing = [name for name in names if name not in known]
    if missing:
        raise StackListError(f"{path}: no stacks/Pulumi.<name>.yaml for {missing}")
    return dict(entries)


def shards_of(known: list[str]) -> dict[str, list[str]]:
    """core -> its shard stacks, in shard order (a name is a shard only if its core has a stack file)."""
    shards: dict[str, list[tuple[int, str]]] = {}
    for name in known:
        match = SHARD_NAME.fullmatch(name)
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
    preview = [name for name, main_only in cloud.items() if not main_only]
    return {
        "all": [name for name in everything if name not in is_shard],
        "cloud": list(cloud),
        "preview": preview,
        "shards": {name: shards.get(name, []) for name in cloud},
        "preview_shards": [shard for name in preview for shard in shards.get(name, [])],
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
