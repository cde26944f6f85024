"""Placement and cost rules over the whole stack: restricted/confidential workloads and data stay in owned
locations; planned counts equal what the sizing engine computed (no hand-edited counts); an optional
monthly cost ceiling.

The stack program tags what it plans with what the plan says: AWS resources carry tags aidc:workload,
aidc:classification, aidc:location (where the capacity lives: private, edge, or a public cloud such as aws),
aidc:planned-instances (the count sizing computed) and aidc:usd-per-month (the plan's own monthly cost of
the group, after aidc:capacity.prices overrides); OpenStack Heat stacks carry "key=value" strings in `tags`
(servers=N is the count they declare). The rules read those tags, never a price list or a type prefix of
their own, so they agree with `aidc size` and `aidc plan` and need nothing from the repository but this
package. Nothing here builds a PolicyPack.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies._common import (
    ADVISORY,
    MANDATORY,
    config_of,
    get,
    resources_of,
    schema,
    tags_of,
)

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
CLASSIFICATION_TAG = "aidc:classification"
WORKLOAD_TAG = "aidc:workload"
PLANNED_TAG = "aidc:planned-instances"
LOCATION_TAG = "aidc:location"
COST_TAG = "aidc:usd-per-month"

_PLACEMENT_SCHEMA = schema(
    {
        "private-only-classifications": {
            "type": "array",
            "items": {"type": "string", "enum": ["public", "internal", "confidential", "restricted"]},
            "default": ["confidential", "restricted"],
            "description": "Data classifications that must never be placed in a public cloud.",
        },
        "owned-locations": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["private", "edge"],
            "description": "Locations the organisation owns; every other aidc:location is a public cloud.",
        },
    }
)


def _tag_or_label(resource: PolicyResource, tag: str, label: str) -> str | None:
    value = tags_of(resource.props).get(tag) or get(resource.props, "labels", label)
    return None if value is None else str(value)


def _validate_placement(args: StackValidationArgs, report: ReportViolation) -> None:
    config = config_of(args, _PLACEMENT_SCHEMA)
    private_only, owned = set(config["private-only-classifications"]), set(config["owned-locations"])
    for resource in args.resources:
        classification = _tag_or_label(resource, CLASSIFICATION_TAG, "aidc.io/classification")
        if classification not in private_only:
            continue
        location = _tag_or_label(resource, LOCATION_TAG, "aidc.io/location")
        if location in owned:
            continue
        workload = tags_of(resource.props).get(WORKLOAD_TAG, resource.name)
        where = (
            f"in {location}, a public cloud"
            if location
            else "with no aidc:location, so possibly in a public cloud"
        )
        report(
            f"{resource.name} ({workload}) holds {classification} data {where}: "
            f"{', '.join(sorted(private_only))} workloads and data stay in {', '.join(sorted(owned))} — add private "
            "GPU capacity (aidc:capacity.private.gpus) or storage, or correct the workload's classification.",
            resource.urn,
        )


placement_private_classifications = StackValidationPolicy(
    name="placement-private-classifications",
    description="Confidential and restricted data stores and GPU groups are placed only in the private cloud.",
    enforcement_level=MANDATORY,
    config_schema=_PLACEMENT_SCHEMA,
    validate=_validate_placement,
)


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _validate_planned_capacity(args: StackValidationArgs, report: ReportViolation) -> None:
    fix = (
        "counts come from the sizing engine: change the demand (aidc:demand / aidc:capacity) and re-run "
        "`aidc size`, never the count in the program or the console."
    )
    for group in resources_of(args.resources, NODE_GROUP):
        planned = _int(tags_of(group.props).get(PLANNED_TAG))
        if planned is None:
            continue
        scaling = get(group.props, "scalingConfig", default={})
        desired = _int(get(scaling, "desiredSize"))
        low, high = _int(get(scaling, "minSize")), _int(get(scaling, "maxSize"))
        if desired != planned:
            report(
                f"Node group {group.name} wants {desired} instances but sizing planned {planned}: {fix}",
                group.urn,
            )
        elif (low is not None and low > planned) or (high is not None and high < planned):
            report(
                f"Node group {group.name} scales {low}..{high}, which excludes the planned {planned}: {fix}",
                group.urn,
            )
    for stack in resources_of(args.resources, HEAT_STACK):
        tags = tags_of(stack.props)
        planned = _int(tags.get(PLANNED_TAG, tags.get("planned-instances")))
        if planned is None:
            continue
        declared = [_int(tags.get("servers")), _int(get(stack.props, "parameters", "count"))]
        for count in (c for c in declared if c is not None):
            if count != planned:
                report(
                    f"Heat stack {stack.name} declares {count} servers but sizing planned {planned}: {fix}",
                    stack.urn,
                )
                break


planned_capacity_matches_sizing = StackValidationPolicy(
    name="planned-capacity-matches-sizing",
    description="Node groups and server pools declare exactly the count the sizing engine planned.",
    enforcement_level=ADVISORY,
    validate=_validate_planned_capacity,
)

_COST_SCHEMA = schema(
    {
        "monthly-cost-ceiling-usd": {
            "type": ["number", "null"],
            "minimum": 0,
            "default": None,
            "description": "Largest monthly cost of the stack's public GPU node groups; null turns the rule off.",
        },
    }
)


def planned_monthly_usd(resource: PolicyResource) -> float | None:
    """The plan's monthly cost of a node group (its aidc:usd-per-month tag); None when it carries none."""
    value = tags_of(resource.props).get(COST_TAG)
    try:
        cost = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return cost if cost is not None and cost >= 0 and cost != float("inf") else None


def _validate_cost(args: StackValidationArgs, report: ReportViolation) -> None:
    ceiling = config_of(args, _COST_SCHEMA)["monthly-cost-ceiling-usd"]
    if ceiling is None:
        return
    total = 0.0
    lines: list[str] = []
    unpriced: list[str] = []
    for group in resources_of(args.resources, NODE_GROUP):
        cost = planned_monthly_usd(group)
        if cost is None:
            unpriced.append(group.name)
            continue
        total += cost
        lines.append(f"{group.name} ${cost:,.0f}")
    if total > float(ceiling) or unpriced:
        note = (
            f"; not priced by the plan (no {COST_TAG} tag, so added outside sizing): {', '.join(unpriced)}"
            if unpriced
            else ""
        )
        report(
            f"The stack's GPU node groups cost ${total:,.0f}/month ({'; '.join(lines) or 'none'}){note}, "
            f"against a ceiling of ${float(ceiling):,.0f}: lower the demand, use spot or cheaper accelerators, "
            "move work to the private cloud, or raise aidc:policy.monthly_cost_ceiling_usd.",
            None,
        )


monthly_cost_ceiling = StackValidationPolicy(
    name="monthly-cost-ceiling",
    description="The stack's public GPU node groups stay under the configured monthly cost ceiling (off by default).",
    enforcement_level=ADVISORY,
    config_schema=_COST_SCHEMA,
    validate=_validate_cost,
)

POLICIES = [placement_private_classifications, planned_capacity_matches_sizing, monthly_cost_ceiling]
"""This module's rules, in the order the pack registers them."""
