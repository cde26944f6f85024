"""Placement, capacity and cost rules over the whole stack: restricted/confidential workloads and data stay in
owned locations; planned capacity is what the sizing engine computed — public GPU groups scale within the
planned range (min <= declared <= max, max within quota), owned server pools declare the exact count (no
hand-edited counts); the interconnect carries the sized transfer rate; the stack's whole monthly cost at peak stays
under its ceiling when one is set (mandatory).

The stack program tags what it plans with what the plan says: AWS resources carry tags aidc:workload,
aidc:classification, aidc:location (where the capacity lives: private, edge, or a public cloud such as aws),
aidc:planned-instances (the peak count sizing computed), aidc:planned-min-instances and
aidc:planned-max-instances (the range), aidc:quota-instances (aidc:capacity.public.max_instances of the type),
aidc:usd-per-month (the plan's own monthly cost of the group at peak, after aidc:capacity.prices overrides) and
aidc:usd-per-month-baseline; with a cost ceiling, the private core's network carries aidc:stack-usd-per-month (the
plan's whole monthly cost at peak, every component); Karpenter NodePools carry the same facts as annotations
aidc.io/<name> (the tag's name after 'aidc:') and declare their capacity as a GPU limit; GKE node pools carry them as
Kubernetes node labels aidc.io/<name> (Google Cloud's own labels cannot hold them) and declare their capacity as a
node count or an autoscaling range; OpenStack Heat stacks carry "key=value" strings
in `tags` (servers=N is the count they declare). The rules read those tags, never a price list or a type prefix of
their own, so they agree with `aidc size` and `aidc plan` and need nothing from the repository but this
package. The Transit Gateway carries aidc:required-gbps (the transfer rate sizing computed) and
aidc:provisioned-gbps (what the plan provides); Direct Connect resources carry aidc:port-gbps. Nothing here
builds a PolicyPack.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy

from aidc.contract import (
    CLASSIFICATION_LABEL,
    CLASSIFICATION_ORDER,
    CLASSIFICATION_TAG,
    COST_TAG,
    GPU_RESOURCE,
    GPUS_PER_INSTANCE_LABEL,
    HEAT_SERVERS_TAG,
    LABEL_PREFIX,
    LOCATION_LABEL,
    LOCATION_TAG,
    NODE_GROUP_LABEL,
    OWNED_LOCATIONS,
    PLANNED_MAX_TAG,
    PLANNED_MIN_TAG,
    PLANNED_TAG,
    PORT_GBPS_TAG,
    PRIVATE_ONLY,
    PROVISIONED_GBPS_TAG,
    QUOTA_TAG,
    REQUIRED_GBPS_TAG,
    STACK_COST_TAG,
    SYSTEM_NODE_GROUP,
    WORKLOAD_TAG,
    tag_of,
)
from policies._common import (
    MANDATORY,
    as_list,
    config_of,
    get,
    is_mapping,
    resources_of,
    schema,
    tags_of,
)

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
# A NodePool is a Kubernetes object: it carries the same facts as annotations aidc.io/<name after 'aidc:'>
# (aidc.contract.annotation_of).


def planned_of(resource: PolicyResource) -> dict[str, str]:
    """The plan's facts on a resource: its aidc:* tags, or a NodePool's aidc.io/* annotations (a GKE node pool's
    aidc.io/* node labels) under tag names."""
    if resource.resource_type in (NODE_POOL, GKE_NODE_POOL):
        annotations = (
            get(resource.props, "metadata", "annotations", default={})
            if resource.resource_type == NODE_POOL
            else get(resource.props, "nodeConfig", "labels", default={})
        )
        return {
            tag_of(str(key)): str(value)
            for key, value in (annotations.items() if is_mapping(annotations) else [])
            if str(key).startswith(LABEL_PREFIX)
        }
    return tags_of(resource.props)


_PLACEMENT_SCHEMA = schema(
    {
        "private-only-classifications": {
            "type": "array",
            "items": {"type": "string", "enum": list(CLASSIFICATION_ORDER)},
            "default": sorted(PRIVATE_ONLY),
            "description": "Data classifications that must never be placed in a public cloud.",
        },
        "owned-locations": {
            "type": "array",
            "items": {"type": "string"},
            "default": sorted(OWNED_LOCATIONS, reverse=True),
            "description": "Locations the organisation owns; every other aidc:location is a public cloud.",
        },
    }
)


def _tag_or_label(resource: PolicyResource, tag: str, label: str) -> str | None:
    value = (
        planned_of(resource).get(tag)
        or get(resource.props, "labels", label)
        or get(resource.props, "spec", "template", "metadata", "labels", label)
    )
    return None if value is None else str(value)


def _validate_placement(args: StackValidationArgs, report: ReportViolation) -> None:
    config = config_of(args, _PLACEMENT_SCHEMA)
    private_only, owned = set(config["private-only-classifications"]), set(config["owned-locations"])
    for resource in args.resources:
        classification = _tag_or_label(resource, CLASSIFICATION_TAG, CLASSIFICATION_LABEL)
        if classification not in private_only:
            continue
        location = _tag_or_label(resource, LOCATION_TAG, LOCATION_LABEL)
        if location in owned:
            continue
        workload = planned_of(resource).get(WORKLOAD_TAG, resource.name)
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


def planned_range(resource: PolicyResource) -> tuple[int, int, int | None] | None:
    """(min, max, quota) the plan gave a GPU group, from its tags or annotations; a group planned before ranges
    (only aidc:planned-instances) is fixed at that count. None when the group carries no plan."""
    planned = planned_of(resource)
    exact = _int(planned.get(PLANNED_TAG))
    low = _int(planned.get(PLANNED_MIN_TAG, exact))
    high = _int(planned.get(PLANNED_MAX_TAG, exact))
    if low is None or high is None:
        return None
    return low, high, _int(planned.get(QUOTA_TAG))


def _node_pool_instances(pool: PolicyResource) -> int | None:
    """The instances a NodePool may launch: its GPU limit over one instance's GPUs (its template's label)."""
    limit = _int(get(pool.props, "spec", "limits", GPU_RESOURCE))
    per_instance = _int(get(pool.props, "spec", "template", "metadata", "labels", GPUS_PER_INSTANCE_LABEL))
    if limit is None or not per_instance:
        return None
    return limit // per_instance


def _gke_declared(pool: PolicyResource) -> dict[str, int | None]:
    """What a GKE node pool declares: its autoscaling total range, else its node count over its zones."""
    autoscaling = get(pool.props, "autoscaling", default=None)
    if is_mapping(autoscaling) and get(autoscaling, "totalMaxNodeCount") is not None:
        return {
            "total minimum nodes": _int(get(autoscaling, "totalMinNodeCount", default=0)),
            "total maximum nodes": _int(get(autoscaling, "totalMaxNodeCount")),
        }
    zones = max(1, len(as_list(get(pool.props, "nodeLocations"))))
    count = _int(get(pool.props, "nodeCount"))
    return {"node count": None if count is None else count * zones}


def _range_faults(
    what: str, low: int, high: int, quota: int | None, declared: dict[str, int | None]
) -> list[str]:
    faults: list[str] = []
    if quota is not None and high > quota:
        faults.append(f"{what} is planned up to {high} instances, above the quota of {quota}")
    for label, value in declared.items():
        if value is None:
            faults.append(f"{what} declares no {label}")
        elif value < low:
            faults.append(f"{what} {label} is {value}, below the planned minimum {low}")
        elif value > high:
            faults.append(f"{what} {label} is {value}, above the planned maximum {high}")
        elif quota is not None and value > quota:
            faults.append(f"{what} {label} is {value}, above the quota of {quota}")
    return faults


def _validate_planned_capacity(args: StackValidationArgs, report: ReportViolation) -> None:
    fix = (
        "counts come from the sizing engine: change the demand (aidc:demand / aidc:capacity) and re-run "
        "`aidc size`, never the count in the program or the console."
    )
    for group in resources_of(args.resources, NODE_GROUP):
        planned = planned_range(group)
        if planned is None:
            continue
        low, high, quota = planned
        scaling = get(group.props, "scalingConfig", default={})
        declared = {
            "desired size": _int(get(scaling, "desiredSize")),
            "minimum size": _int(get(scaling, "minSize")),
            "maximum size": _int(get(scaling, "maxSize")),
        }
        for fault in _range_faults(f"Node group {group.name}", low, high, quota, declared):
            report(f"{fault} (planned {low}..{high}): {fix}", group.urn)
    for pool in resources_of(args.resources, NODE_POOL):
        planned = planned_range(pool)
        if planned is None:
            continue
        low, high, quota = planned
        declared = {"GPU limit in instances": _node_pool_instances(pool)}
        for fault in _range_faults(f"NodePool {pool.name}", low, high, quota, declared):
            report(f"{fault} (planned {low}..{high}): {fix}", pool.urn)
    for gke in resources_of(args.resources, GKE_NODE_POOL):
        planned = planned_range(gke)
        if planned is None:
            continue
        low, high, quota = planned
        for fault in _range_faults(f"GKE node pool {gke.name}", low, high, quota, _gke_declared(gke)):
            report(f"{fault} (planned {low}..{high}): {fix}", gke.urn)
    for stack in resources_of(args.resources, HEAT_STACK):
        tags = tags_of(stack.props)
        planned_count = _int(tags.get(PLANNED_TAG, tags.get("planned-instances")))
        if planned_count is None:
            continue
        # Owned servers are fixed: they declare exactly the planned count (replicas scale within them).
        declared_counts = [_int(tags.get(HEAT_SERVERS_TAG)), _int(get(stack.props, "parameters", "count"))]
        for count in (c for c in declared_counts if c is not None):
            if count != planned_count:
                report(
                    f"Heat stack {stack.name} declares {count} servers but sizing planned {planned_count}: {fix}",
                    stack.urn,
                )
                break


planned_capacity_matches_sizing = StackValidationPolicy(
    name="planned-capacity-matches-sizing",
    description="Public GPU groups (node groups, Karpenter NodePools, GKE node pools) scale within the range sizing "
    "planned "
    "(min <= declared <= max, max within quota); owned server pools declare exactly the planned count.",
    enforcement_level=MANDATORY,
    validate=_validate_planned_capacity,
)

_COST_SCHEMA = schema(
    {
        "monthly-cost-ceiling-usd": {
            "type": ["number", "null"],
            "minimum": 0,
            "default": None,
            "description": "Largest monthly cost of the whole stack at peak (every component the plan prices, "
            "every GPU group at its planned maximum), USD; null turns the rule off.",
        },
    }
)


def _usd(value: Any) -> float | None:
    try:
        cost = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return cost if cost is not None and 0 <= cost != float("inf") else None


def planned_monthly_usd(resource: PolicyResource) -> float | None:
    """The plan's monthly cost at peak of a GPU group (its aidc:usd-per-month tag, or a NodePool's
    aidc.io/usd-per-month annotation); None when it carries none."""
    return _usd(planned_of(resource).get(COST_TAG))


def stack_monthly_usd(resources: list[PolicyResource]) -> float | None:
    """The plan's whole monthly cost at peak, from the aidc:stack-usd-per-month tag the program writes on the
    private core's network (an estate shard: on its first site's network); None when no resource carries it."""
    values = [cost for r in resources if (cost := _usd(tags_of(r.props).get(STACK_COST_TAG))) is not None]
    return max(values) if values else None


def _is_system_group(group: PolicyResource) -> bool:
    """The cluster's system node group (or GKE system pool): CPU nodes the plan prices as a service line, not a GPU
    group."""
    labels = (
        get(group.props, "nodeConfig", "labels", default={})
        if group.resource_type == GKE_NODE_POOL
        else get(group.props, "labels", default={})
    )
    return is_mapping(labels) and labels.get(NODE_GROUP_LABEL) == SYSTEM_NODE_GROUP


def _gpu_groups(resources: list[PolicyResource]) -> tuple[float, list[str], list[str]]:
    """Σ the GPU groups' planned monthly cost, each group's share, and the groups carrying none."""
    total = 0.0
    lines: list[str] = []
    unpriced: list[str] = []
    for group in resources_of(resources, NODE_GROUP, NODE_POOL, GKE_NODE_POOL):
        if group.resource_type in (NODE_GROUP, GKE_NODE_POOL) and _is_system_group(group):
            continue
        cost = planned_monthly_usd(group)
        if cost is None:
            unpriced.append(group.name)
            continue
        total += cost
        lines.append(f"{group.name} ${cost:,.0f}")
    return total, lines, unpriced


_COST_FIX = (
    "lower the demand, use spot or cheaper accelerators, move work to owned capacity, or raise "
    "aidc:policy.monthly_cost_ceiling_usd (`aidc size` shows every priced line)."
)


def _validate_cost(args: StackValidationArgs, report: ReportViolation) -> None:
    ceiling = config_of(args, _COST_SCHEMA)["monthly-cost-ceiling-usd"]
    if ceiling is None:
        return
    resources = list(args.resources)
    total = stack_monthly_usd(resources)
    groups, lines, unpriced = _gpu_groups(resources)
    against = f"against a ceiling of ${float(ceiling):,.0f}"
    if total is None:
        report(
            f"No resource carries the plan's monthly cost ({STACK_COST_TAG}, which the program writes on the "
            f"private core's network), so the stack cannot be checked {against}: deploy it with the aidc program, "
            "or unset aidc:policy.monthly_cost_ceiling_usd.",
            None,
        )
        return
    if unpriced:
        report(
            f"GPU groups not priced by the plan (no {COST_TAG} tag, so added outside sizing): "
            f"{', '.join(unpriced)}; the stack's ${total:,.0f}/month leaves them out, {against}: declare GPU "
            "capacity through aidc:demand and aidc:capacity.",
            None,
        )
    if groups > total + 0.01:
        report(
            f"The GPU groups alone cost ${groups:,.0f}/month ({'; '.join(lines)}), more than the stack's planned "
            f"total ${total:,.0f} ({STACK_COST_TAG}): the tags were not written from one plan; re-run the program.",
            None,
        )
    if total > float(ceiling):
        report(
            f"The stack costs ${total:,.0f}/month at peak (every priced component; GPU groups "
            f"${groups:,.0f}: {'; '.join(lines) or 'none'}), {against}: {_COST_FIX}",
            None,
        )


monthly_cost_ceiling = StackValidationPolicy(
    name="monthly-cost-ceiling",
    description="When aidc:policy.monthly_cost_ceiling_usd is set, the stack's whole monthly cost at peak (every "
    "component the plan prices, public GPU groups at their planned maximum) stays under it.",
    enforcement_level=MANDATORY,
    config_schema=_COST_SCHEMA,
    validate=_validate_cost,
)

VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
DX_CONNECTION = "aws:directconnect/connection:Connection"
DX_CONFIRMATION = "aws:directconnect/connectionConfirmation:ConnectionConfirmation"
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
