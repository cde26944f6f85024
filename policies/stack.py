"""Placement, capacity and cost rules over the whole stack: restricted/confidential workloads and data stay in
owned locations; planned counts equal what the sizing engine computed (no hand-edited counts); the interconnect
carries the sized transfer rate; an optional monthly cost ceiling.

The stack program tags what it plans with what the plan says: AWS resources carry tags aidc:workload,
aidc:classification, aidc:location (where the capacity lives: private, edge, or a public cloud such as aws),
aidc:planned-instances (the count sizing computed) and aidc:usd-per-month (the plan's own monthly cost of
the group, after aidc:capacity.prices overrides); OpenStack Heat stacks carry "key=value" strings in `tags`
(servers=N is the count they declare). The rules read those tags, never a price list or a type prefix of
their own, so they agree with `aidc size` and `aidc plan` and need nothing from the repository but this
package. The Transit Gateway carries aidc:required-gbps (the transfer rate sizing computed) and
aidc:provisioned-gbps (what the plan provides); Direct Connect resources carry aidc:port-gbps. Nothing here
builds a PolicyPack.
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

VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
DX_CONNECTION = "aws:directconnect/connection:Connection"
DX_CONFIRMATION = "aws:directconnect/connectionConfirmation:ConnectionConfirmation"
REQUIRED_GBPS_TAG = "aidc:required-gbps"
PROVISIONED_GBPS_TAG = "aidc:provisioned-gbps"
PORT_GBPS_TAG = "aidc:port-gbps"
# Site-to-Site VPN tunnel bandwidth (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html).
TUNNEL_GBPS = {"standard": 1.25, "large": 5.0}


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 and number != float("inf") else None


def _bandwidth_gbps(value: Any) -> float | None:
    """AWS bandwidth strings: '400Gbps' -> 400, '500Mbps' -> 0.5."""
    text = str(value or "").strip()
    for suffix, scale in (("Gbps", 1.0), ("Mbps", 0.001)):
        if text.endswith(suffix):
            number = _float(text.removesuffix(suffix))
            return None if number is None else number * scale
    return None


def interconnect_capacity_gbps(resources: list[PolicyResource]) -> tuple[float, list[str]]:
    """What the declared interconnect carries, and how: Site-to-Site VPNs over the internet (static routes: one
    active tunnel per connection; BGP: both), plus Direct Connect ports less the largest (the spare), bounded by
    the private IP VPN tunnels over them when there are any."""
    vpn = private_vpn = 0.0
    for connection in resources_of(resources, VPN_CONNECTION):
        tunnel = TUNNEL_GBPS.get(str(get(connection.props, "tunnelBandwidth", default="standard")), 1.25)
        active = 1 if get(connection.props, "staticRoutesOnly", default=False) is True else 2
        if get(connection.props, "outsideIpAddressType") == "PrivateIpv4":
            private_vpn += active * tunnel
        else:
            vpn += active * tunnel
    ports = [
        gbps
        for connection in resources_of(resources, DX_CONNECTION)
        if (gbps := _bandwidth_gbps(get(connection.props, "bandwidth"))) is not None
    ]
    hosted = resources_of(resources, DX_CONFIRMATION)
    if hosted:
        speeds = [
            gbps for r in resources if (gbps := _float(tags_of(r.props).get(PORT_GBPS_TAG))) is not None
        ]
        ports += [max(speeds, default=0.0)] * len(hosted)
    direct_connect = sum(ports) - max(ports, default=0.0)
    how = [f"VPN {vpn:g} Gbps"]
    if ports:
        how.append(f"Direct Connect {len(ports)} ports less 1 spare = {direct_connect:g} Gbps")
    if private_vpn:
        direct_connect = min(direct_connect, private_vpn)
        how.append(f"bounded by the IPsec VPNs over Direct Connect: {private_vpn:g} Gbps")
    return vpn + direct_connect, how


def _validate_interconnect(args: StackValidationArgs, report: ReportViolation) -> None:
    required = provisioned = None
    for resource in args.resources:
        tags = tags_of(resource.props)
        rate, planned = _float(tags.get(REQUIRED_GBPS_TAG)), _float(tags.get(PROVISIONED_GBPS_TAG))
        if rate is not None:
            required = max(required or 0.0, rate)
        if planned is not None:
            provisioned = planned if provisioned is None else min(provisioned, planned)
    if required is None:
        return  # nothing sized a transfer rate for this stack
    declared, how = interconnect_capacity_gbps(list(args.resources))
    capacity = declared if provisioned is None else min(declared, provisioned)
    if capacity + 1e-6 < required:
        report(
            f"The interconnect carries {capacity:,.2f} Gbps ({'; '.join(how)}; the plan provisions "
            f"{provisioned if provisioned is not None else declared:,.2f}) but the transfers need {required:,.2f} "
            "Gbps, so they would miss their windows: let sizing declare Direct Connect "
            "(aidc:interconnect.direct_connect.mode: auto), lengthen the windows or lower the volumes.",
            None,
        )


interconnect_carries_transfers = StackValidationPolicy(
    name="interconnect-carries-transfers",
    description="VPN plus Direct Connect (without its spare port) carry the transfer rate sizing computed.",
    enforcement_level=MANDATORY,
    validate=_validate_interconnect,
)

POLICIES = [
    placement_private_classifications,
    planned_capacity_matches_sizing,
    interconnect_carries_transfers,
    monthly_cost_ceiling,
]
"""This module's rules, in the order the pack registers them."""
