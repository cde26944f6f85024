"""Placement and cost rules over the whole stack: restricted/confidential workloads and data stay in the
private cloud; planned counts equal what the sizing engine computed (no hand-edited counts); an optional
monthly cost ceiling.

The stack program tags what it plans: AWS resources carry tags aidc:workload, aidc:classification and
aidc:planned-instances (the count sizing computed); OpenStack Heat stacks carry the same as "key=value"
strings in `tags` (servers=N is the count they declare). Prices come from aidc.catalog (pure Python, no
Pulumi). Nothing here builds a PolicyPack.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy

from aidc.catalog import DEFAULT_CATALOG, INSTANCE_TYPES
from policies._common import (
    ADVISORY,
    MANDATORY,
    as_list,
    config_of,
    get,
    resources_of,
    schema,
    tags_of,
)

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
HOURS_PER_MONTH = 730  # AWS bills a month as 730 hours (as sizing/cost.py)
CLASSIFICATION_TAG = "aidc:classification"
WORKLOAD_TAG = "aidc:workload"
PLANNED_TAG = "aidc:planned-instances"

_PLACEMENT_SCHEMA = schema(
    {
        "private-only-classifications": {
            "type": "array",
            "items": {"type": "string", "enum": ["public", "internal", "confidential", "restricted"]},
            "default": ["confidential", "restricted"],
            "description": "Data classifications that must never be placed in the public cloud.",
        }
    }
)


def _classification(resource: PolicyResource) -> str | None:
    tags = tags_of(resource.props)
    labels = get(resource.props, "labels", default={})
    value = tags.get(CLASSIFICATION_TAG) or get(labels, "aidc.io/classification")
    return None if value is None else str(value)


def _validate_placement(args: StackValidationArgs, report: ReportViolation) -> None:
    private_only = set(config_of(args, _PLACEMENT_SCHEMA)["private-only-classifications"])
    for resource in args.resources:
        if not resource.resource_type.startswith("aws:"):
            continue
        classification = _classification(resource)
        if classification in private_only:
            workload = tags_of(resource.props).get(WORKLOAD_TAG, resource.name)
            report(
                f"{resource.name} ({workload}) holds {classification} data in the public cloud: "
                f"{', '.join(sorted(private_only))} workloads and data stay in the private cloud — add private "
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
        "usd-per-hour": {
            "type": "object",
            "additionalProperties": {"type": "number", "minimum": 0},
            "default": {},
            "description": "Instance type -> on-demand USD/hour, overriding aidc.catalog.",
        },
        "spot-fraction": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "default": DEFAULT_CATALOG.spot_fraction_of_on_demand,
            "description": "Spot price as a fraction of on-demand.",
        },
    }
)


def node_group_monthly_usd(
    group: PolicyResource, prices: dict[str, float], spot_fraction: float
) -> float | None:
    """instance type price × desired size × 730 h (× spot fraction for SPOT); None for an unpriced type."""
    types = [str(t) for t in as_list(get(group.props, "instanceTypes"))]
    if not types:
        return None
    price = prices.get(types[0])
    if price is None and types[0] in INSTANCE_TYPES:
        price = INSTANCE_TYPES[types[0]].usd_per_hour
    if price is None:
        return None
    desired = _int(get(group.props, "scalingConfig", "desiredSize")) or 0
    factor = spot_fraction if get(group.props, "capacityType") == "SPOT" else 1.0
    return price * factor * desired * HOURS_PER_MONTH


def _validate_cost(args: StackValidationArgs, report: ReportViolation) -> None:
    config = config_of(args, _COST_SCHEMA)
    ceiling = config["monthly-cost-ceiling-usd"]
    if ceiling is None:
        return
    prices = {str(k): float(v) for k, v in dict(config["usd-per-hour"]).items()}
    total = 0.0
    lines: list[str] = []
    unpriced: list[str] = []
    for group in resources_of(args.resources, NODE_GROUP):
        cost = node_group_monthly_usd(group, prices, float(config["spot-fraction"]))
        if cost is None:
            unpriced.append(group.name)
            continue
        total += cost
        lines.append(f"{group.name} ${cost:,.0f}")
    if total > float(ceiling):
        note = f" (not priced: {', '.join(unpriced)})" if unpriced else ""
        report(
            f"The stack's GPU node groups cost ${total:,.0f}/month ({'; '.join(lines)}){note}, above the ceiling "
            f"of ${float(ceiling):,.0f}: lower the demand, use spot or cheaper accelerators, move work to the "
            "private cloud, or raise aidc:policy.monthly_cost_ceiling_usd.",
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
