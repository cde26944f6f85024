"""Placement, planned-capacity and cost rules (stack policies)."""

from __future__ import annotations

from typing import Any

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
    assert {u for _, u in found} == {edited.urn}
    assert all("planned 4..4" in message for message, _ in found)


def _ranged_group(name, *, low, desired, high, planned=(1, 4), quota=6):
    """A managed node group the plan gave a range (min..max) and a quota, declaring low..high from desired."""
    tags = {
        "aidc:workload": name,
        "aidc:planned-instances": str(planned[1]),
        "aidc:planned-min-instances": str(planned[0]),
        "aidc:planned-max-instances": str(planned[1]),
        **({"aidc:quota-instances": str(quota)} if quota is not None else {}),
    }
    return stack_resource(
        stack.NODE_GROUP,
        name,
        {"scalingConfig": {"desiredSize": desired, "minSize": low, "maxSize": high}, "tags": tags},
    )


def _node_pool(name, *, gpu_limit, planned=(1, 4), quota=6, gpus_per_instance=8, extra=None):
    """A Karpenter NodePool as the program declares it: the range as annotations, capacity as a GPU limit."""
    annotations = {
        "aidc.io/workload": name,
        "aidc.io/planned-instances": str(planned[1]),
        "aidc.io/planned-min-instances": str(planned[0]),
        "aidc.io/planned-max-instances": str(planned[1]),
        **({"aidc.io/quota-instances": str(quota)} if quota is not None else {}),
        **(extra or {}),
    }
    return stack_resource(
        stack.NODE_POOL,
        name,
        {
            "metadata": {"name": name, "annotations": annotations},
            "spec": {
                "limits": {} if gpu_limit is None else {"nvidia.com/gpu": str(gpu_limit)},
                "template": {"metadata": {"labels": {"aidc.io/gpus-per-instance": str(gpus_per_instance)}}},
            },
        },
    )


@pytest.mark.parametrize(
    ("low", "desired", "high"),
    [(1, 1, 4), (1, 2, 4), (2, 3, 3), (4, 4, 4)],
    ids=["baseline-to-peak", "starts-mid-range", "narrower", "at-peak"],
)
def test_a_node_group_within_its_planned_range_passes(low, desired, high):
    assert (
        check_stack(
            stack.planned_capacity_matches_sizing, [_ranged_group("g", low=low, desired=desired, high=high)]
        )
        == []
    )


@pytest.mark.parametrize(
    ("low", "desired", "high", "words"),
    [
        (0, 1, 4, "minimum size is 0, below the planned minimum 1"),
        (0, 0, 4, "desired size is 0, below the planned minimum 1"),
        (1, 2, 5, "maximum size is 5, above the planned maximum 4"),
        (1, 5, 5, "desired size is 5, above the planned maximum 4"),
    ],
    ids=["min-below-min", "desired-below-min", "max-above-max", "desired-above-max"],
)
def test_a_node_group_outside_its_planned_range_is_refused(low, desired, high, words):
    group = _ranged_group("g", low=low, desired=desired, high=high)
    found = check_stack(stack.planned_capacity_matches_sizing, [group])
    assert found and all(u == group.urn for _, u in found), found
    assert any(words in message for message, _ in found), found


def test_a_plan_above_the_quota_is_refused():
    """max within quota: a group whose planned maximum (tag edited, or a quota lowered) exceeds the quota."""
    group = _ranged_group("g", low=1, desired=1, high=4, planned=(1, 4), quota=3)
    found = check_stack(stack.planned_capacity_matches_sizing, [group])
    assert any("above the quota of 3" in message for message, _ in found), found
    pool = _node_pool("p", gpu_limit=32, planned=(0, 4), quota=3)
    found = check_stack(stack.planned_capacity_matches_sizing, [pool])
    assert any("above the quota of 3" in message for message, _ in found), found


@pytest.mark.parametrize("gpu_limit", [8, 16, 32], ids=["at-min", "mid", "at-max"])
def test_a_node_pool_within_its_planned_range_passes(gpu_limit):
    assert check_stack(stack.planned_capacity_matches_sizing, [_node_pool("p", gpu_limit=gpu_limit)]) == []


@pytest.mark.parametrize(
    ("gpu_limit", "words"),
    [
        (0, "is 0, below the planned minimum 1"),
        (40, "is 5, above the planned maximum 4"),
        (None, "declares no GPU limit in instances"),
    ],
    ids=["below-min", "above-max", "no-limit"],
)
def test_a_node_pool_outside_its_planned_range_is_refused(gpu_limit, words):
    pool = _node_pool("p", gpu_limit=gpu_limit)
    found = check_stack(stack.planned_capacity_matches_sizing, [pool])
    assert [u for _, u in found] == [pool.urn]
    assert words in found[0][0], found


def test_the_range_rule_is_mandatory():
    assert stack.planned_capacity_matches_sizing.enforcement_level == stack.MANDATORY


def _core_network(usd_per_month: float | str) -> Any:
    """The private core's network as the program declares it: the plan's whole monthly cost as a Neutron tag."""
    return stack_resource(
        "openstack:networking/network:Network",
        "private-network",
        {"name": "private-network", "tags": [f"aidc:stack-usd-per-month={usd_per_month}"]},
    )


def test_the_cost_ceiling_checks_the_whole_stack_not_only_gpu_groups():
    """A stack whose GPU groups cost 1,000 but whose every component costs 16,000 a month is over a 10,000
    ceiling: the rule reads the plan's total, not the sum of the GPU groups."""
    costs = {"aidc.io/usd-per-month": "1000.00", "aidc.io/usd-per-month-baseline": "250.00"}
    pool = _node_pool("p", gpu_limit=32, extra=costs)
    system = stack_resource(stack.NODE_GROUP, "aws-ng-system", {"labels": {"aidc.io/node-group": "system"}})
    network = _core_network("16000.00")
    config = {"monthly-cost-ceiling-usd": 16000}
    assert check_stack(stack.monthly_cost_ceiling, [pool, system, network], config=config) == []
    found = check_stack(
        stack.monthly_cost_ceiling, [pool, system, network], config={"monthly-cost-ceiling-usd": 10_000}
    )
    assert len(found) == 1, found
    assert "$16,000/month at peak" in found[0][0] and "GPU groups $1,000" in found[0][0], found


def test_the_cost_ceiling_is_mandatory():
    assert stack.monthly_cost_ceiling.enforcement_level == stack.MANDATORY


def test_a_stack_without_the_plans_total_cannot_pass_a_ceiling():
    groups = [_node_group("a", usd_per_month=10.0)]
    assert check_stack(stack.monthly_cost_ceiling, groups) == []  # no ceiling: nothing to check
    found = check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": 1000})
    assert len(found) == 1 and "aidc:stack-usd-per-month" in found[0][0], found
    broken = check_stack(
        stack.monthly_cost_ceiling, [_core_network("n/a")], config={"monthly-cost-ceiling-usd": 1}
    )
    assert len(broken) == 1 and "No resource carries" in broken[0][0], broken


def test_gpu_groups_above_the_planned_total_are_refused():
    """Tags not written from one plan: the GPU groups alone cost more than the stack's total."""
    groups = [_node_group("a", usd_per_month=1000.0), _core_network("900.00")]
    found = check_stack(stack.monthly_cost_ceiling, groups, config={"monthly-cost-ceiling-usd": 5000})
    assert len(found) == 1 and "more than the stack's planned total" in found[0][0], found


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
    resources = [
        _node_group("a", usd_per_month=1000.0),
        _node_group("b", "g6.12xlarge", usd_per_month=234.5),
        _core_network("1234.50"),
    ]
    assert check_stack(stack.monthly_cost_ceiling, resources) == []
    assert (
        check_stack(stack.monthly_cost_ceiling, resources, config={"monthly-cost-ceiling-usd": 1234.5}) == []
    )
    found = check_stack(stack.monthly_cost_ceiling, resources, config={"monthly-cost-ceiling-usd": 1234.4})
    assert len(found) == 1
    assert "$1,234/month" in found[0][0]


def test_cost_ceiling_reports_a_node_group_the_plan_did_not_price():
    groups = [_node_group("a", usd_per_month=10.0), _node_group("hand-added"), _core_network("10.00")]
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


# --- interconnect-carries-transfers ------------------------------------------------------------------------------
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
VPN = "aws:ec2/vpnConnection:VpnConnection"
DX_PORT = "aws:directconnect/connection:Connection"
DX_CONFIRM = "aws:directconnect/connectionConfirmation:ConnectionConfirmation"
DX_VIF = "aws:directconnect/transitVirtualInterface:TransitVirtualInterface"


def _tgw(required: float, provisioned: float):  # type: ignore[no-untyped-def]
    tags = {"aidc:required-gbps": f"{required:.3f}", "aidc:provisioned-gbps": f"{provisioned:.3f}"}
    return stack_resource(TGW, "vpn-tgw", {"tags": tags})


def _vpn(name: str, **props):  # type: ignore[no-untyped-def]
    return stack_resource(VPN, name, {"staticRoutesOnly": True, "tunnelBandwidth": "standard", **props})


def _ports(count: int, bandwidth: str = "400Gbps"):  # type: ignore[no-untyped-def]
    return [
        stack_resource(DX_PORT, f"dx-link-{i // 2}-port-{i % 2}", {"bandwidth": bandwidth})
        for i in range(count)
    ]


def _capacity_messages(resources) -> list[str]:  # type: ignore[no-untyped-def]
    return [m for m, _ in check_stack(stack.interconnect_carries_transfers, resources)]


def test_the_seed_case_with_eleven_400g_ports_passes():
    # 10 ports carry 4,000 Gbps once the spare is set aside; the VPN adds its 1.25 Gbps.
    assert _capacity_messages([_tgw(4000, 4001.25), _vpn("vpn-vpn-0"), *_ports(11)]) == []


def test_losing_the_spare_is_refused():
    # 10 ports: 9 carry traffic with one held back as the spare: 3,600 + 1.25 < 4,000.
    [message] = _capacity_messages([_tgw(4000, 4001.25), _vpn("vpn-vpn-0"), *_ports(10)])
    assert "3,601.25 Gbps" in message and "4,000.00 Gbps" in message


def test_a_vpn_only_plan_below_the_rate_is_refused():
    [message] = _capacity_messages([_tgw(50, 1.25), _vpn("vpn-vpn-0")])
    assert "1.25 Gbps" in message and "Direct Connect" in message


def test_a_vpn_that_carries_the_rate_passes():
    assert _capacity_messages([_tgw(0.278, 1.25), _vpn("vpn-vpn-0")]) == []
    # static routes use one tunnel of each connection: two large-tunnel connections carry 10 Gbps
    two_large = [_vpn(f"vpn-vpn-{i}", tunnelBandwidth="large") for i in range(2)]
    assert _capacity_messages([_tgw(9.6, 10), *two_large]) == []


def test_the_tagged_provisioned_capacity_bounds_what_is_declared():
    # The resources would carry it but the plan says it provisions less: the lower figure stands.
    assert _capacity_messages([_tgw(4000, 3000), _vpn("vpn-vpn-0"), *_ports(11)])


def test_ipsec_over_direct_connect_bounds_the_ports():
    # 2 x 100G ports (1 spare) carry 100 Gbps, but 4 BGP private IP VPNs carry 4 · 2 · 1.25 = 10 Gbps.
    private = [
        _vpn(f"dx-ipsec-{i}", staticRoutesOnly=False, outsideIpAddressType="PrivateIpv4") for i in range(4)
    ]
    resources = [_tgw(10, 11.25), _vpn("vpn-vpn-0"), *_ports(2, "100Gbps"), *private]
    assert _capacity_messages(resources) == []
    [message] = _capacity_messages([_tgw(12, 11.25), _vpn("vpn-vpn-0"), *_ports(2, "100Gbps"), *private])
    assert "bounded by the IPsec VPNs" in message


def test_hosted_connections_count_at_their_tagged_speed():
    hosted = [
        stack_resource(DX_CONFIRM, f"dx-link-{i}-confirm", {"connectionId": f"dxcon-aaaa000{i}"})
        for i in range(3)
    ]
    vifs = [stack_resource(DX_VIF, f"dx-link-{i}-vif", {"tags": {"aidc:port-gbps": "10"}}) for i in range(3)]
    assert _capacity_messages([_tgw(20, 21.25), _vpn("vpn-vpn-0"), *hosted, *vifs]) == []
    assert _capacity_messages([_tgw(20, 21.25), _vpn("vpn-vpn-0"), *hosted[:2], *vifs[:2]])


def test_a_stack_without_a_sized_rate_is_not_judged():
    assert _capacity_messages([_vpn("vpn-vpn-0")]) == []


def test_interconnect_rule_is_mandatory():
    from pulumi_policy import EnforcementLevel

    assert stack.interconnect_carries_transfers.enforcement_level == EnforcementLevel.MANDATORY


# --- GKE node pools: the plan's facts are node labels; capacity is a node count or an autoscaling range ----------
def _gke_pool(name, *, planned=(1, 4), quota=6, cost="1000.00", system=False, **sizing):  # type: ignore[no-untyped-def]
    labels = (
        {"aidc.io/node-group": "system"}
        if system
        else {
            "aidc.io/planned-min-instances": str(planned[0]),
            "aidc.io/planned-max-instances": str(planned[1]),
            "aidc.io/quota-instances": str(quota),
            "aidc.io/usd-per-month": cost,
            "aidc.io/classification": "internal",
            "aidc.io/location": "gcp",
        }
    )
    return stack_resource(
        stack.GKE_NODE_POOL,
        name,
        {"name": name, "nodeLocations": ["us-central1-a"], "nodeConfig": {"labels": labels}, **sizing},
    )


@pytest.mark.parametrize(
    "sizing",
    [{"autoscaling": {"totalMinNodeCount": 1, "totalMaxNodeCount": 4}}, {"nodeCount": 4}, {"nodeCount": 1}],
)
def test_a_gke_pool_within_its_planned_range_passes(sizing):  # type: ignore[no-untyped-def]
    assert check_stack(stack.planned_capacity_matches_sizing, [_gke_pool("g", **sizing)]) == []


@pytest.mark.parametrize(
    ("sizing", "words"),
    [
        (
            {"autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 4}},
            "total minimum nodes is 0, below",
        ),
        (
            {"autoscaling": {"totalMinNodeCount": 1, "totalMaxNodeCount": 9}},
            "total maximum nodes is 9, above",
        ),
        ({"nodeCount": 5}, "node count is 5, above the planned maximum 4"),
        (
            {"nodeCount": 2, "nodeLocations": ["us-central1-a", "us-central1-b", "us-central1-c"]},
            "node count is 6",
        ),
        ({}, "declares no node count"),
    ],
)
def test_a_gke_pool_outside_its_planned_range_is_refused(sizing, words):  # type: ignore[no-untyped-def]
    found = check_stack(stack.planned_capacity_matches_sizing, [_gke_pool("g", **sizing)])
    assert any(words in message and "GKE node pool g" in message for message, _ in found), found


def test_the_cost_ceiling_reads_gke_pools_at_peak_and_skips_the_system_pool():  # type: ignore[no-untyped-def]
    """GKE node pools count among the GPU groups (at peak), the system pool does not: a total below the GPU pool's
    own cost is refused, one at it passes."""
    pools = [_gke_pool("gpu", nodeCount=4), _gke_pool("system", system=True, nodeCount=1)]
    config = {"monthly-cost-ceiling-usd": 5000}
    assert check_stack(stack.monthly_cost_ceiling, [*pools, _core_network("1000.00")], config=config) == []
    found = check_stack(stack.monthly_cost_ceiling, [*pools, _core_network("999.00")], config=config)
    assert len(found) == 1 and "gpu $1,000" in found[0][0] and "system" not in found[0][0], found


def test_a_confidential_gke_pool_is_refused_by_placement():  # type: ignore[no-untyped-def]
    pool = _gke_pool("g", nodeCount=1)
    pool.props["nodeConfig"]["labels"]["aidc.io/classification"] = "confidential"
    found = check_stack(stack.placement_private_classifications, [pool])
    assert any("in gcp, a public cloud" in message for message, _ in found), found
