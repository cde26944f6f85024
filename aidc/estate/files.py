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

SHARD_NAME = re.compile(r"^(?P<core>.+)-edge-(?P<shard>\d+)$")


@dataclass(frozen=True)
class ShardFile:
    stack: str
    shard: int
    path: Path
    sites: tuple[str, ...]
    exists: bool


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
        if (match := SHARD_NAME.match(path.name.removeprefix("Pulumi.").removesuffix(".yaml")))
        and match["core"] == cfg.stack
    }
    files = []
    for shard in sorted(set(sites) | on_disk):
        stack = shard_stack_name(cfg.stack, shard)
        path = stacks_dir / f"Pulumi.{stack}.yaml"
        files.append(ShardFile(stack, shard, path, tuple(sites.get(shard, ())), path.exists()))
    return files


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
