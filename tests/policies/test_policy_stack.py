"""Placement, planned-capacity and cost rules (stack policies)."""

from __future__ import annotations

import pytest
from policy_helpers import check_stack, stack_resource

from policies import stack


def _node_group(
    name,
    instance_type="p5.48xlarge",
    desired=2,
    planned=2,
    classification="internal",
    spot=False,
    location="aws",
    usd_per_month=None,
):
    tags = {
        "aidc:workload": name,
        "aidc:classification": classification,
        "aidc:planned-instances": str(planned),
    }
    if location is not None:
        tags["aidc:location"] = location
    if usd_per_month is not None:
        tags["aidc:usd-per-month"] = f"{usd_per_month:.2f}"
    return stack_resource(
        stack.NODE_GROUP,
        name,
        {
            "instanceTypes": [instance_type],
            "capacityType": "SPOT" if spot else "ON_DEMAND",
            "scalingConfig": {"desiredSize": desired, "minSize": desired, "maxSize": desired},
            "tags": tags,
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
        stack.HEAT_STACK,
        "private-gpu-risk",
        {"tags": ["aidc", "aidc:classification=confidential", "aidc:location=private"]},
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
    groups = [_node_group("a", usd_per_month=1000.0), _node_group("b", "g6.12xlarge", usd_per_month=234.5)]
    assert check_stack(stack.monthly_cost_ceiling, groups) == []
    assert check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": 1234.5}) == []
    found = check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": 1234.4})
    assert len(found) == 1
    assert "$1,234/month" in found[0][0]


def test_cost_ceiling_reports_a_node_group_the_plan_did_not_price():
    groups = [_node_group("a", usd_per_month=10.0), _node_group("hand-added")]
    found = check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": 1000})
    assert len(found) == 1
    assert "hand-added" in found[0][0]


@pytest.mark.parametrize("location", ["gcp", None])
def test_sensitive_workload_outside_owned_locations_is_refused(location):
    """Placement keys on the location the plan recorded, not on the aws: type prefix: a confidential group in
    any public cloud (or with no location at all) is refused."""
    group = stack_resource(
        "gcp:container/nodePool:NodePool",
        "risk",
        {
            "labels": {
                "aidc.io/classification": "confidential",
                **({"aidc.io/location": location} if location else {}),
            }
        },
    )
    found = check_stack(stack.placement_private_classifications, [group])
    assert [u for _, u in found] == [group.urn]


def test_confidential_node_group_at_an_owned_location_passes():
    group = _node_group("risk", classification="confidential", location="private")
    assert check_stack(stack.placement_private_classifications, [group]) == []
