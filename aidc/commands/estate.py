"""`aidc estate init`: write the stack file of every shard of an estate core that has none yet, and say which
`pulumi stack init` commands create the matching Pulumi stacks.

The core's stack file must record every site's network and shard first (`aidc edge allocate`), so shard files
are only written for shards that can no longer change. An existing shard file is never rewritten; a shard file
whose shard no longer holds a site is reported (destroy that stack before deleting it), never deleted.

Exit codes: 0 done, 2 bad input (not an estate core, unrecorded sites).
"""

from __future__ import annotations

import argparse
from typing import Any

from aidc.commands.common import (
    EXIT_OK,
    BadInput,
    add_source_arguments,
    fail,
    load_config,
    source_path,
    write_json,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="estate_command", metavar="ACTION")
    sub.required = True
    init = sub.add_parser(
        "init",
        help="write the missing shard stack files of an estate core (stacks/Pulumi.<core>-edge-<n>.yaml)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_source_arguments(init)
    init.add_argument("--dry-run", action="store_true", help="show what would be written; write nothing")


def init(args: argparse.Namespace) -> dict[str, Any]:
    from aidc.config.write import FileWriteError, replace_file
    from aidc.estate.files import shard_file_text, shard_files

    cfg = load_config(args)
    if cfg.estate.role != "core":
        raise BadInput(
            f"{cfg.stack} is not an estate core: give it `aidc:estate: {{max_sites_per_stack: auto}}` (or a number of sites per shard stack) first"
            if cfg.estate.role == "single"
            else f"{cfg.stack} is a shard; run this for its core, {cfg.estate.core}"
        )
    unrecorded = [name for name, site in cfg.edge_layout.items() if not site.recorded]
    if unrecorded:
        raise BadInput(
            f"{len(unrecorded)} site(s) of {cfg.stack} have no recorded network or shard (e.g. {unrecorded[0]}); "
            f"run `aidc edge allocate --stack {cfg.stack}` first"
        )
    rows = []
    shards = shard_files(cfg, source_path(args).parent)
    wrong = [shard.problem for shard in shards if shard.problem]
    if wrong:
        # Verified, not only found: a file in a shard's place that is not that shard's is never reported "in
        # place", and nothing is written until every one is right.
        raise BadInput(
            f"{len(wrong)} file(s) in the place of {cfg.stack}'s shard stack files are not theirs; nothing written:\n"
            + "\n".join(f"  {problem}" for problem in wrong)
        )
    for shard in shards:
        action = ("orphan" if not shard.sites else "exists") if shard.exists else "write"
        if action == "write" and not args.dry_run:
            try:
                replace_file(shard.path, shard_file_text(cfg.stack, shard.shard))
            except FileWriteError as exc:
                raise BadInput(str(exc)) from None
        rows.append(
            {"stack": shard.stack, "shard": shard.shard, "file": str(shard.path), "sites": len(shard.sites),
             "action": action}
        )  # fmt: skip
    return {"core": cfg.stack, "dry_run": bool(args.dry_run), "shards": rows}


def run(args: argparse.Namespace) -> int:
    try:
        result = init(args)
    except BadInput as exc:
        return fail(str(exc))
    if args.json:
        write_json(result)
        return EXIT_OK
    verb = "would write" if result["dry_run"] else "wrote"
    new = [row for row in result["shards"] if row["action"] == "write"]
    for row in result["shards"]:
        what = {
            "write": f"{verb} {row['file']}",
            "exists": "stack file in place",
            "orphan": "holds no site any more: `pulumi destroy --stack "
            f"{row['stack']}`, then `pulumi stack rm {row['stack']}` and delete {row['file']}",
        }[row["action"]]
        print(f"  {row['stack']:<34} {row['sites']:>4} sites  {what}")
    if new:
        print(
            "\nCreate the Pulumi stacks (same backend and secrets provider as the core), then deploy the core first:"
        )
        for row in new:
            print(f"  pulumi stack init {row['stack']}")
    return EXIT_OK
