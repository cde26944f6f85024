"""Placement, planned-capacity and cost rules (stack policies)."""

from __future__ import annotations

import pytest
from policy_helpers import check_stack, stack_resource

from aidc.catalog import INSTANCE_TYPES
from policies import stack


def _node_group(
    name, instance_type="p5.48xlarge", desired=2, planned=2, classification="internal", spot=False
):
    return stack_resource(
        stack.NODE_GROUP,
        name,
        {
            "instanceTypes": [instance_type],
            "capacityType": "SPOT" if spot else "ON_DEMAND",
            "scalingConfig": {"desiredSize": desired, "minSize": desired, "maxSize": desired},
            "tags": {
                "aidc:workload": name,
                "aidc:classification": classification,
                "aidc:planned-instances": str(planned),
            },
        },
    )


@pytest.mark.parametrize("classification", ["confidential", "restricted"])
def test_sensitive_workload_in_aws_is_refused(classification):
    group = _node_group("risk", classification=classification)
    found = check_stack(stack.placement_private_classifications, [group])
    assert [u for _, u in found] == [group.urn]
    assert classification in found[0][0]


def test_internal_workload_in_aws_and_confidential_in_private_pass():
    heat = stack_resource(
        stack.HEAT_STACK, "private-gpu-risk", {"tags": ["aidc", "aidc:classification=confidential"]}
    )
    assert check_stack(stack.placement_private_classifications, [_node_group("chat"), heat]) == []


def test_hand_edited_node_group_count_is_reported():
    edited = _node_group("train", desired=5, planned=4)
    found = check_stack(stack.planned_capacity_matches_sizing, [edited, _node_group("ok")])
    assert [u for _, u in found] == [edited.urn]
    assert "planned 4" in found[0][0]


def test_hand_edited_heat_pool_is_reported():
    planned = stack_resource(
        stack.HEAT_STACK, "p", {"tags": ["aidc", "servers=3", "aidc:planned-instances=3"]}
    )
    edited = stack_resource(
        stack.HEAT_STACK, "e", {"tags": ["aidc", "servers=5", "aidc:planned-instances=3"]}
    )
    untagged = stack_resource(stack.HEAT_STACK, "u", {"tags": ["aidc", "servers=5"]})
    found = check_stack(stack.planned_capacity_matches_sizing, [planned, edited, untagged])
    assert [u for _, u in found] == [edited.urn]


def test_cost_ceiling_off_by_default_and_refuses_above_it():
    groups = [_node_group("a", desired=2), _node_group("b", "g6.12xlarge", desired=1, spot=True)]
    expected = (
        2 * INSTANCE_TYPES["p5.48xlarge"].usd_per_hour + 0.4 * INSTANCE_TYPES["g6.12xlarge"].usd_per_hour
    ) * 730
    assert check_stack(stack.monthly_cost_ceiling, groups) == []
    assert (
        check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": expected + 1})
        == []
    )
    found = check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": expected - 1})
    assert len(found) == 1
    assert f"${expected:,.0f}/month" in found[0][0]


def test_cost_uses_price_overrides():
    groups = [_node_group("a", desired=1)]
    config = {"monthly-cost-ceiling-usd": 1000, "usd-per-hour": {"p5.48xlarge": 1.0}}
    assert check_stack(stack.monthly_cost_ceiling, groups, config=config) == []
