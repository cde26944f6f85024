"""ecommerce's 4,000 Gbps reach their destination over a declared path whose every hop carries them, within quotas.

The walk starts from what the program declares (run offline), not from the plan's own figures: the dedicated
connections and where they are, the LAGs they join (ConnectionAssociation), the public virtual interfaces on
those LAGs and what they advertise, and the S3 bucket in the Region the interfaces reach. At each hop the
declared bandwidth (spare port excluded) must carry the transfers' rate; the quotas are AWS Direct Connect's
(dedicated connections per location, connections per LAG, LAGs per Region, routes per public BGP session) and the
Transit Gateway's, which the bulk path must not cross. A broken declaration (one LAG's public interface missing,
a port moved to the busy location) is caught by the same walk.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest

from aidc.clouds.aws.catalog import (
    DIRECT_CONNECT_LAG_MAX,
    DIRECT_CONNECT_LAGS_PER_REGION,
    DIRECT_CONNECT_PUBLIC_VIF_ROUTES,
    TGW_ATTACHMENT_GBPS_PER_AZ,
)
from aidc.clouds.aws.settings import settings_of as aws_settings
from aidc.config import load_stack_config
from aidc.offline import OfflinePlan, run_program
from aidc.sizing import size_stack
from stacks.program import deploy

CONNECTION = "aws:directconnect/connection:Connection"
ASSOCIATION = "aws:directconnect/connectionAssociation:ConnectionAssociation"
LAG = "aws:directconnect/linkAggregationGroup:LinkAggregationGroup"
PUBLIC_VIF = "aws:directconnect/publicVirtualInterface:PublicVirtualInterface"
BUCKET = "aws:s3/bucket:Bucket"
PROVIDER = "pulumi:providers:aws"


def _gbps(bandwidth: str) -> float:
    assert bandwidth.endswith("Gbps"), bandwidth
    return float(bandwidth.removesuffix("Gbps"))


def walk(resources: list[dict[str, Any]], required_gbps: float, quota_per_location: int) -> list[str]:
    """Each hop of the declared bulk path with what it carries; raises AssertionError at the first that cannot."""
    by_urn = {r["urn"]: r for r in resources}
    hops: list[str] = []
    connections = {r["urn"]: r for r in resources if r["type"] == CONNECTION}
    # Hop 1: the ports, within the quota of dedicated connections per location.
    at: dict[str, int] = {}
    for c in connections.values():
        at[c["inputs"]["location"]] = at.get(c["inputs"]["location"], 0) + 1
    assert all(count <= quota_per_location for count in at.values()), f"connections per location {at}"
    speeds = [_gbps(c["inputs"]["bandwidth"]) for c in connections.values()]
    ports_gbps = sum(speeds) - max(speeds)  # one port is the spare
    assert ports_gbps >= required_gbps, f"ports carry {ports_gbps} Gbps < {required_gbps}"
    hops.append(f"{len(speeds)} ports at {at}: {ports_gbps:g} Gbps")
    # Hop 2: each port joins a LAG at its own location, within the LAG's connection limit and the LAGs per Region.
    members: dict[str, list[dict[str, Any]]] = {}
    for association in (r for r in resources if r["type"] == ASSOCIATION):
        deps = association["property_dependencies"]
        (connection,) = deps["connectionId"]
        (lag,) = deps["lagId"]
        members.setdefault(lag, []).append(connections[connection])
    assert len(members) <= DIRECT_CONNECT_LAGS_PER_REGION
    lag_gbps: dict[str, float] = {}
    for lag_urn, ports in members.items():
        lag = by_urn[lag_urn]
        assert lag["type"] == LAG
        assert {p["inputs"]["location"] for p in ports} == {lag["inputs"]["location"]}, lag["name"]
        speed = _gbps(lag["inputs"]["connectionsBandwidth"])
        assert len(ports) <= DIRECT_CONNECT_LAG_MAX[int(speed)], lag["name"]
        lag_gbps[lag_urn] = speed * len(ports)
    assert sum(len(p) for p in members.values()) == len(connections), "every port is in a LAG"
    hops.append(f"{len(members)} LAGs: {sum(lag_gbps.values()):g} Gbps")
    # Hop 3: one public virtual interface on each LAG carries it to the Region's public network.
    public_vifs = [r for r in resources if r["type"] == PUBLIC_VIF]
    carried: dict[str, float] = {}
    for vif in public_vifs:
        (lag_urn,) = vif["property_dependencies"]["connectionId"]
        assert lag_urn in lag_gbps, vif["name"]
        assert 0 < len(vif["inputs"]["routeFilterPrefixes"]) <= DIRECT_CONNECT_PUBLIC_VIF_ROUTES, vif["name"]
        carried[lag_urn] = lag_gbps[lag_urn]
    spare = max(speeds)
    vifs_gbps = sum(carried.values()) - spare
    assert vifs_gbps >= required_gbps, f"public virtual interfaces carry {vifs_gbps} Gbps < {required_gbps}"
    prefixes = {p for vif in public_vifs for p in vif["inputs"]["routeFilterPrefixes"]}
    hops.append(
        f"{len(public_vifs)} public virtual interfaces advertising {sorted(prefixes)}: {vifs_gbps:g} Gbps"
    )
    # Hop 4: the destination, an S3 bucket in the Region (public virtual interfaces reach the Region's public
    # endpoints; the Transit Gateway, at 100 Gbps per AZ attachment, is not on the way).
    buckets = [r for r in resources if r["type"] == BUCKET]
    assert buckets, "no S3 bucket to reach"
    hops.append(f"S3 buckets {sorted(b['name'] for b in buckets)}")
    return hops


@pytest.fixture(scope="module")
def ecommerce() -> tuple[OfflinePlan, Any, Any]:
    cfg = load_stack_config("ecommerce")
    plan = size_stack(cfg)
    return run_program("ecommerce", lambda: deploy(cfg, plan)), cfg, plan


def test_ecommerce_reaches_s3_over_a_path_whose_every_hop_carries_4000_gbps(
    ecommerce: tuple[OfflinePlan, Any, Any],
) -> None:
    offline, cfg, plan = ecommerce
    required = plan.network.required_gbps.value
    assert required == pytest.approx(4000)
    dx = cfg.interconnect.direct_connect
    hops = walk(offline.resources, required, dx.connections_per_location)
    assert len(hops) == 4, hops
    # The plan says the same, hop by hop, each with its limit's source.
    planned = plan.network.direct_connect
    assert planned is not None and planned.bulk_path == "public-vif"
    assert [hop.ok for hop in planned.path] == [True, True, True]
    assert "optimizing-performance" in str(planned.path[-1].carries.inputs["source"])
    assert (
        planned.path[-1].carries.inputs["prefixes"] == 9
    )  # ceil(4000 / 469.8 Gbps per prefix at 16 MiB PUTs)
    # The bulk path does not cross the Transit Gateway, which could not carry it.
    assert planned.tgw_path_gbps.value == TGW_ATTACHMENT_GBPS_PER_AZ * len(aws_settings(cfg).zones) < required
    # What the public interfaces advertise is the stack's public prefixes, from its public block's peers.
    block = ipaddress.IPv4Network(str(dx.public_peer_cidr))
    for vif in (r for r in offline.resources if r["type"] == PUBLIC_VIF):
        assert vif["inputs"]["routeFilterPrefixes"] == list(dx.public_prefixes)
        assert ipaddress.ip_interface(vif["inputs"]["amazonAddress"]).ip in block, vif["name"]


def test_the_walk_catches_a_missing_public_interface(ecommerce: tuple[OfflinePlan, Any, Any]) -> None:
    offline, cfg, plan = ecommerce
    broken = [r for r in offline.resources if r["name"] != "dx-link-0-public-vif"]
    assert len(broken) == len(offline.resources) - 1
    with pytest.raises(AssertionError, match="public virtual interfaces carry 3200"):
        walk(
            broken, plan.network.required_gbps.value, cfg.interconnect.direct_connect.connections_per_location
        )


def test_the_walk_catches_ports_past_the_quota_at_one_location(
    ecommerce: tuple[OfflinePlan, Any, Any],
) -> None:
    offline, cfg, plan = ecommerce
    broken = copy.deepcopy(offline.resources)
    for resource in broken:
        if resource["type"] in (CONNECTION, LAG):
            resource["inputs"]["location"] = "EqDC2"
    with pytest.raises(AssertionError, match="connections per location"):
        walk(
            broken, plan.network.required_gbps.value, cfg.interconnect.direct_connect.connections_per_location
        )
