"""The resource budget's estimate of a shard stack (aidc/config/budget.py) against what the program really
declares: the shipped metro estate's shards and an estate of three-server sites, each planned offline (the recorder
of aidc/offline.py, as `aidc plan` runs it) and counted. Nothing here is hard-coded but the tolerance."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from aidc.config import parse_stack_config
from aidc.config.budget import RESOURCES_PER_SHARD
from aidc.config.load import STACKS_DIR, load_stack_config
from aidc.config.model import StackConfig
from aidc.estate.offline import EstatePlan, plan_estate
from aidc.sizing import size_stack
from aidc.sizing.engine import resources_per_site
from tests.stacks.test_estate import estate_values

# How far the estimate may be from the count (it decides how many sites a shard holds: a few % is a site or two).
TOLERANCE = 0.03


@cache
def _planned(stack: str) -> tuple[StackConfig, EstatePlan]:
    cfg = load_stack_config(stack) if stack == "metro" else _three_server_estate()
    return cfg, plan_estate(cfg, size_stack(cfg), {}, processes=1)


def _three_server_estate() -> StackConfig:
    values: dict[str, Any] = estate_values(
        sites=[f"site-{index}" for index in range(4)], max_sites=2, servers=3
    )
    values["aidc:openstack"] = {"admin_cidrs": ["10.99.0.0/24", "10.98.0.0/24"]}
    return parse_stack_config(values, stack="city")


@pytest.mark.parametrize("stack", ["metro", "three-server sites, two admin CIDRs"])
def test_the_estimate_of_a_shard_is_what_the_program_declares(stack: str) -> None:
    cfg, estate = _planned(stack)
    per_site = resources_per_site(cfg)
    assert estate.shards, stack
    for shard in estate.shards:
        measured = len(shard.offline.resources)
        estimated = len(shard.sites) * per_site + RESOURCES_PER_SHARD
        assert abs(estimated - measured) <= TOLERANCE * measured, (
            f"{shard.stack}: {measured} resources declared, {estimated:.0f} estimated ({len(shard.sites)} sites "
            f"at {per_site:.1f}): re-measure aidc/config/budget.py"
        )


def test_a_full_metro_shard_is_as_its_stack_file_says() -> None:
    """stacks/Pulumi.metro.yaml states what a site and a full shard hold, next to max_sites_per_stack."""
    cfg, estate = _planned("metro")
    comment = re.search(
        r"max_sites_per_stack: \d+ +# (\d+) resources per one-server site .*: (\d+) per full shard stack",
        (STACKS_DIR / "Pulumi.metro.yaml").read_text(encoding="utf-8"),
    )
    assert comment is not None
    per_site, per_shard = int(comment[1]), int(comment[2])
    full = [shard for shard in estate.shards if len(shard.sites) == cfg.sites_per_shard]
    assert full
    for shard in full:
        assert len(shard.offline.resources) == per_shard, shard.stack
        assert (len(shard.offline.resources) - RESOURCES_PER_SHARD) / len(shard.sites) == per_site, (
            shard.stack
        )
