"""An estate's shard size derived from the resource budget (aidc/config/budget.py): `max_sites_per_stack: auto`
or `aidc:estate: {}`, and every shipped or documented estate within the 1,500 resources the tool warns about."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from aidc.config import parse_stack_config
from aidc.config.budget import MAX_RESOURCES_PER_STACK, RESOURCES_PER_SHARD, sites_within_budget
from aidc.sizing import size_stack
from aidc.sizing.engine import resources_per_site
from tests.plans import stack_values
from tests.stacks_list import SHIPPED_STACKS

ROOT = Path(__file__).resolve().parents[2]
CHAT = {
    "name": "chat",
    "peak_tokens_per_s": 1000,
    "tokens_per_s_per_gpu": 500,
    "accelerator": "l4-24gb",
    "model_params": 7e9,
    "weight_precision": "int4",
    "context_tokens": 2048,
    "edge_fraction": 0.5,
}


def _values(estate: dict[str, Any], sites: int = 100, servers: int = 1, **site: Any) -> dict[str, Any]:
    return {
        "aidc:estate": estate,
        "aidc:edge": {
            "sites": [
                {"name": f"s{i:03d}", "share": 1 / sites, "accelerator": "l4-24gb", "gpus_per_node": 1,
                 "servers": servers, **site}
                for i in range(sites)
            ]
        },
        "aidc:demand": {"inference": [CHAT]},
    }  # fmt: skip


def _shards(values: dict[str, Any]) -> dict[int | None, int]:
    cfg = parse_stack_config(values, stack="city")
    counts: dict[int | None, int] = {}
    for layout in cfg.edge_layout.values():
        counts[layout.shard] = counts.get(layout.shard, 0) + 1
    return counts


@pytest.mark.parametrize("estate", [{"max_sites_per_stack": "auto"}, {}], ids=["auto", "empty"])
@pytest.mark.parametrize("servers", [1, 3])
def test_auto_fills_shards_up_to_the_budget(estate: dict[str, Any], servers: int) -> None:
    cfg = parse_stack_config(_values(estate, servers=servers), stack="city")
    assert cfg.estate.role == "core"
    per_site = resources_per_site(cfg)
    derived = cfg.sites_per_shard
    assert derived is not None
    # As many sites as fit, and one more would not.
    assert derived * per_site + RESOURCES_PER_SHARD <= MAX_RESOURCES_PER_STACK
    assert (derived + 1) * per_site + RESOURCES_PER_SHARD > MAX_RESOURCES_PER_STACK
    assert max(_shards(_values(estate, servers=servers)).values()) == derived
    assert not any("max_sites_per_stack" in w for w in size_stack(cfg).warnings)


def test_a_number_given_by_hand_is_kept_and_warned_about_past_the_budget() -> None:
    assert max(_shards(_values({"max_sites_per_stack": 40})).values()) == 40
    warnings = size_stack(parse_stack_config(_values({"max_sites_per_stack": 40}), stack="city")).warnings
    [warned] = [w for w in warnings if "max_sites_per_stack" in w]
    # One-server sites serving one workload at the edge, no admin CIDR: 25 + 9 (GPU stack) + 4 (its landing zone).
    per_site = resources_per_site(parse_stack_config(_values({"max_sites_per_stack": 40}), stack="city"))
    assert per_site == 38
    assert "1,520 resources" in warned and "39 sites or fewer" in warned and "auto" in warned


def test_recorded_shards_stay_when_the_derived_size_shrinks() -> None:
    """More demand at the edge makes each site larger: recorded sites never move; new ones fill other shards."""
    derived = parse_stack_config(_values({"max_sites_per_stack": "auto"}), stack="city").sites_per_shard
    assert derived is not None
    values = _values({"max_sites_per_stack": "auto"}, sites=derived + 7)
    for site in values["aidc:edge"]["sites"][: derived + 3]:
        site["shard"] = 0  # recorded when each site was smaller: more than fit a shard now
    counts = _shards(values)
    assert counts[0] == derived + 3 and sum(counts.values()) == derived + 7 and counts[1] == 4


def test_sites_within_budget_is_at_least_one() -> None:
    assert sites_within_budget(10_000) == 1
    assert sites_within_budget(45) == (MAX_RESOURCES_PER_STACK - RESOURCES_PER_SHARD) // 45


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_estate_is_within_the_budget(stack: str) -> None:
    values = stack_values(stack)
    if "max_sites_per_stack" not in (values.get("aidc:estate") or {}):
        return
    cfg = parse_stack_config(values, stack=stack)
    assert cfg.sites_per_shard is not None
    assert cfg.sites_per_shard * resources_per_site(cfg) <= MAX_RESOURCES_PER_STACK


def _documented_estates() -> list[tuple[str, str]]:
    """(file, YAML) of every `aidc:estate:` example in the README and docs/."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]:
        for block in re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL):
            if "aidc:estate:" in block:
                found.append((str(path.relative_to(ROOT)), block))
    return found


def test_documented_estates_are_within_the_budget() -> None:
    examples = _documented_estates()
    assert examples, "the docs show how to declare an estate"
    for where, block in examples:
        document = yaml.safe_load(block.replace("[...]", "[]"))
        estate = (document.get("config") or document)["aidc:estate"]
        given = estate.get("max_sites_per_stack", "auto")
        if given == "auto":
            continue
        # The smallest site there is (one server, no GPU stack) must fit `given` times.
        cfg = parse_stack_config({"aidc:estate": estate}, stack="city")
        assert given * resources_per_site(cfg) <= MAX_RESOURCES_PER_STACK, where
