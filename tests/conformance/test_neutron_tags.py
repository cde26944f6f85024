"""Neutron tags (upstream/neutron/tag-rules.json, neutron's tag API): every tag the program puts on an OpenStack
networking resource is one Neutron accepts, and with a cost ceiling the private core's network carries the plan's
monthly cost (what the pack's monthly-cost-ceiling rule reads) as the plan has it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stack_runs import offline_plan
from upstream_files import load_json

from aidc.contract import STACK_COST_TAG
from aidc.offline import OfflinePlan
from tests.plans import plan_of

NETWORKING = "openstack:networking/"


def neutron_tag_problems(where: str, tags: Any) -> list[str]:
    """What Neutron's tag API refuses in a resource's tags: not a list of unique strings, a tag longer than
    MAX_TAG_LEN, more than MAX_TAGS_COUNT tags."""
    rules = load_json("neutron/tag-rules.json")
    if not isinstance(tags, Sequence) or isinstance(tags, str):
        return [f"{where}: tags must be a list of strings, got {tags!r}"]
    problems = [f"{where}: tag {tag!r} is not a string" for tag in tags if not isinstance(tag, str)]
    problems += [
        f"{where}: tag {tag[:40]!r}... is longer than {rules['MAX_TAG_LEN']} characters"
        for tag in tags
        if isinstance(tag, str) and len(tag) > rules["MAX_TAG_LEN"]
    ]
    if len(set(map(str, tags))) != len(tags):
        problems.append(f"{where}: tags must be unique")
    if len(set(map(str, tags))) > rules["MAX_TAGS_COUNT"]:
        problems.append(f"{where}: more than {rules['MAX_TAGS_COUNT']} tags")
    return problems


def _tagged(plan: OfflinePlan) -> list[tuple[str, Any]]:
    return [
        (r["urn"], r["plain_inputs"]["tags"])
        for r in plan.resources
        if r["type"].startswith(NETWORKING)
        and isinstance(r["plain_inputs"], Mapping)
        and "tags" in r["plain_inputs"]
    ]


def test_every_neutron_tag_is_one_neutron_accepts(plan: OfflinePlan) -> None:
    tagged = _tagged(plan)
    problems = [p for urn, tags in tagged for p in neutron_tag_problems(urn, tags)]
    assert problems == []


def _with_ceiling(config: dict[str, Any]) -> None:
    config["aidc:policy"] = {"monthly_cost_ceiling_usd": 1_000_000}


def test_with_a_ceiling_the_private_core_network_carries_the_plans_monthly_cost() -> None:
    document = plan_of("dev", _with_ceiling)
    [network] = [r for r in document["resources"] if r["name"] == "private-network"]
    tags = network["inputs"]["tags"]
    assert neutron_tag_problems("private-network", tags) == []
    [value] = [tag.partition("=")[2] for tag in tags if tag.startswith(f"{STACK_COST_TAG}=")]
    assert float(value) == document["summary"]["cost"]["peak_usd_per_month"]
    assert [v for v in document["policy"]["violations"] if v["policy"] == "monthly-cost-ceiling"] == []


def test_without_a_ceiling_no_network_carries_a_cost() -> None:
    """A cost change then changes no resource (an estate's edge change stays in its shard)."""
    tagged = [tags for _, tags in _tagged(offline_plan("dev"))]
    assert not any(str(tag).startswith(STACK_COST_TAG) for tags in tagged for tag in tags)


def test_the_tag_check_refuses_what_neutron_refuses() -> None:
    assert neutron_tag_problems("ok", [f"{STACK_COST_TAG}=19271.99"]) == []
    assert neutron_tag_problems("long", ["x" * 256])
    assert neutron_tag_problems("twice", ["a", "a"])
    assert neutron_tag_problems("many", [f"t{i}" for i in range(51)])
    assert neutron_tag_problems("map", {"a": "b"})
