"""Shard stack files: what `aidc estate init` writes, and which stack files belong to which estate (pure).

A shard stack file holds nothing but `aidc:estate: {core, shard}`: the sites, demand and recorded networks stay
in the core's stack file, which the shard's program reads from the same checkout. So a shard file never drifts
from its core, and `scripts/stacks.py` can tell shards apart by name (`<core>-edge-<n>` beside `<core>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aidc.config.addressing import shard_stack_name
from aidc.config.model import StackConfig

# `<core>-edge-<n>`, n as shard_stack_name writes it (ASCII digits, no leading zero: `\d` would read
# `prod-edge-١` as shard 1); matched whole. scripts/stacks.py holds the same pattern.
SHARD_NAME = re.compile(r"(?P<core>.+)-edge-(?P<shard>0|[1-9][0-9]{0,3})", re.ASCII)


@dataclass(frozen=True)
class ShardFile:
    stack: str
    shard: int
    path: Path
    sites: tuple[str, ...]
    exists: bool
    problem: str | None = None
    """Why the file on disk is not this shard's stack file (None when it is, or when there is none)."""


def shard_sites(cfg: StackConfig) -> dict[int, list[str]]:
    """shard -> its sites (recorded or provisional), in config order."""
    shards: dict[int, list[str]] = {}
    for name, site in cfg.edge_layout.items():
        if site.shard is not None:
            shards.setdefault(site.shard, []).append(name)
    return dict(sorted(shards.items()))


def shard_files(cfg: StackConfig, stacks_dir: Path) -> list[ShardFile]:
    """Every shard the core's layout has, plus shard files on disk whose shard no longer holds a site."""
    sites = shard_sites(cfg)
    on_disk = {
        int(match["shard"])
        for path in stacks_dir.glob(f"Pulumi.{cfg.stack}-edge-*.yaml")
        if (match := SHARD_NAME.fullmatch(path.name.removeprefix("Pulumi.").removesuffix(".yaml")))
        and match["core"] == cfg.stack
    }
    files = []
    for shard in sorted(set(sites) | on_disk):
        stack = shard_stack_name(cfg.stack, shard)
        path = stacks_dir / f"Pulumi.{stack}.yaml"
        exists = path.exists() or path.is_symlink()
        problem = verify_shard_file(path, cfg.stack, shard) if exists else None
        files.append(ShardFile(stack, shard, path, tuple(sites.get(shard, ())), exists, problem))
    return files


def verify_shard_file(path: Path, core: str, shard: int) -> str | None:
    """Why `path` is not the stack file of shard `shard` of the estate `core`, or None: it must be a regular file
    (a symlink to one is followed), YAML with a `config:` mapping, and validate as exactly `{core, shard}`. A
    stack file of another kind that is merely named like the shard (another estate's core, a one-stack
    estate) is not this shard's, whatever its name says."""
    from aidc.config.load import ConfigError, parse_stack_config, read_config_values

    stack = shard_stack_name(core, shard)
    if not path.is_file():
        kind = (
            "a directory" if path.is_dir() else "a symlink to nothing" if path.is_symlink() else "not a file"
        )
        return f"{path} is {kind}, not the stack file of {stack}"
    try:
        cfg = parse_stack_config(read_config_values(path), stack=stack, source=str(path))
    except ConfigError as exc:
        first = exc.problems[0] if exc.problems else str(exc)
        return f"{path} is not a valid stack file ({first})"
    if cfg.estate.role != "shard":
        what = {"core": "the core of another estate", "single": "a stack of its own (no aidc:estate)"}[
            cfg.estate.role
        ]
        return f"{path} is {what}, named like shard {shard} of {core}; rename that stack"
    if (cfg.estate.core, cfg.estate.shard) != (core, shard):
        return f"{path} names shard {cfg.estate.shard} of {cfg.estate.core}, not shard {shard} of {core}"
    return None


def shard_file_text(core: str, shard: int) -> str:
    """The whole stack file of one shard."""
    stack = shard_stack_name(core, shard)
    return (
        f"# {stack}: shard {shard} of the estate `{core}`. It deploys the edge sites that stacks/Pulumi.{core}.yaml\n"
        f"# records with `shard: {shard}`; demand, sites and networks live there, and this stack reads what it needs\n"
        f"# from the core's outputs (a StackReference). Written by `aidc estate init --stack {core}`; then\n"
        f"#   pulumi stack init {stack}   (with the core's --secrets-provider), and deploy it after {core}.\n"
        "config:\n"
        "  aidc:estate:\n"
        f"    core: {core}\n"
        f"    shard: {shard}\n"
    )
