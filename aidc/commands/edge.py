"""`aidc edge allocate`: record every edge site's network (and, in an estate, its shard) in the stack file.

A site without `network_cidr` has a provisional network: `aidc size`/`aidc plan` show it with a warning and
`pulumi up` refuses it. This command writes the provisional assignment into the stack file (comments and layout
kept), so it can never move again; commit the file. Sites already recorded are never touched.

Exit codes: 0 recorded (or nothing to record), 2 bad input (invalid config, exhausted supernet, overlaps).
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
    sub = parser.add_subparsers(dest="edge_command", metavar="ACTION")
    sub.required = True
    allocate = sub.add_parser(
        "allocate",
        help="record each edge site's network (and estate shard) in the stack file",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_source_arguments(allocate)
    allocate.add_argument("--dry-run", action="store_true", help="show what would be recorded; write nothing")


def pending_records(cfg: Any) -> dict[str, dict[str, Any]]:
    """site name -> the keys `allocate` would add to it (network_cidr, shard)."""
    records: dict[str, dict[str, Any]] = {}
    for name, site in cfg.edge_layout.items():
        keys: dict[str, Any] = {}
        if not site.network_recorded:
            keys["network_cidr"] = site.network_cidr
        if site.shard is not None and not site.shard_recorded:
            keys["shard"] = site.shard
        if keys:
            records[name] = keys
    return records


def allocate(args: argparse.Namespace) -> dict[str, Any]:
    from aidc.config import ConfigError, parse_stack_config
    from aidc.config.write import FileWriteError, record_sites, replace_file

    cfg = load_config(args)
    path = source_path(args)
    if cfg.estate.role == "shard":
        raise BadInput(
            f"{cfg.stack} is a shard stack: its sites live in its core stack; run `aidc edge allocate --stack "
            f"{cfg.estate.core}`"
        )
    records = pending_records(cfg)
    result: dict[str, Any] = {
        "stack": cfg.stack,
        "file": str(path),
        "dry_run": bool(args.dry_run),
        "recorded": [{"site": name, **keys} for name, keys in records.items()],
        "already_recorded": len(cfg.edge_layout) - len(records),
    }
    if not records or args.dry_run:
        return result
    from aidc.documents import MAX_YAML_BYTES, DocumentError, parse_yaml, read_text

    try:
        text = read_text(path, "a stack file", MAX_YAML_BYTES)
        new_text = record_sites(text, records, str(path))
        if len(new_text.encode("utf-8")) > MAX_YAML_BYTES:
            raise BadInput(
                f"{path}: recording {len(records):,} site(s) would make the file "
                f"{len(new_text.encode('utf-8')):,} bytes, past the {MAX_YAML_BYTES:,} a stack file may hold "
                "(aidc:edge.sites); nothing written: write sites in flow style ({name: ..., share: ...}) or split "
                "the estate"
            )
        # What is written must read back, with the same bounded reader, as exactly this assignment.
        document = parse_yaml(new_text, str(path)) or {}
        written = parse_stack_config(document.get("config") or {}, stack=cfg.stack, source=str(path))
    except (ConfigError, DocumentError) as exc:
        raise BadInput(str(exc)) from None
    expected = {name: (site.network_cidr, site.shard) for name, site in cfg.edge_layout.items()}
    got = {name: (site.network_cidr, site.shard) for name, site in written.edge_layout.items()}
    if got != expected or not all(site.recorded for site in written.edge_layout.values()):
        raise BadInput(f"{path}: the file did not read back as the allocation; nothing written")
    try:
        result["file"] = str(replace_file(path, new_text, expected=text))
    except FileWriteError as exc:
        raise BadInput(str(exc)) from None
    return result


def run(args: argparse.Namespace) -> int:
    try:
        result = allocate(args)
    except BadInput as exc:
        return fail(str(exc))
    if args.json:
        write_json(result)
        return EXIT_OK
    for row in result["recorded"]:
        shard = f"  shard {row['shard']}" if "shard" in row else ""
        network = row.get("network_cidr", "(network already recorded)")
        print(f"  {row['site']:<34} {network:<18}{shard}")
    count = len(result["recorded"])
    if not count:
        print(f"every edge site of {result['stack']} is recorded in {result['file']}; nothing to do")
    elif result["dry_run"]:
        print(
            f"dry run: would record {count} site(s) in {result['file']} ({result['already_recorded']} recorded)"
        )
    else:
        print(
            f"recorded {count} site(s) in {result['file']} ({result['already_recorded']} were already recorded); "
            "commit the file before `pulumi up`"
        )
    return EXIT_OK
