"""Direct Connect preflight: the plan's location exists in the region and offers the port speed (and MACsec at it),
read from DescribeLocations through botocore's Stubber (moto has no DescribeLocations), and the quota of dedicated
connections per location (Service Quotas and DescribeConnections, stubbed the same way)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from botocore.stub import Stubber

from aidc.clouds.aws.preflight import (
    AwsClients,
    DirectConnectNeed,
    aws_requirements,
    check_direct_connect,
    check_direct_connect_quota,
)
from aidc.config import load_stack_config
from aidc.sizing import size_stack
from tests.preflight.conftest import aws_reqs

EQDC2 = {
    "locationCode": "EqDC2",
    "locationName": "Equinix DC1 - DC6 & DC10, Ashburn, VA",
    "region": "us-east-1",
    "availablePortSpeeds": ["1G", "10G", "100G", "400G"],
    "availableProviders": [],
    "availableMacSecPortSpeeds": ["10G", "100G", "400G"],
}
CSVA1 = {
    "locationCode": "CSVA1",
    "locationName": "CoreSite VA1, Reston, VA",
    "region": "us-east-1",
    "availablePortSpeeds": ["1G", "10G", "100G"],
    "availableProviders": [],
    "availableMacSecPortSpeeds": ["10G"],
}


def _check(need: DirectConnectNeed, *locations: dict[str, Any]) -> list[Any]:
    clients = AwsClients("us-east-1")
    with Stubber(clients.client("directconnect")) as stub:
        stub.add_response("describe_locations", {"locations": list(locations)}, {})
        reqs = replace(aws_reqs(), direct_connect=need)
        results = check_direct_connect(clients, reqs)
        stub.assert_no_pending_responses()
    return results


CSVA1_400G = {
    **CSVA1,
    "availablePortSpeeds": ["1G", "10G", "100G", "400G"],
    "availableMacSecPortSpeeds": ["400G"],
}


@pytest.mark.usefixtures("aws_env")
def test_the_seed_case_locations_offer_400g_with_macsec() -> None:
    plan = size_stack(load_stack_config("ecommerce"))
    need = aws_requirements(load_stack_config("ecommerce"), plan).direct_connect
    assert need is not None
    assert (need.locations, need.port_gbps, need.ports, need.hosted, need.macsec) == (
        ("EqDC2", "CSVA1"),
        400,
        11,
        False,
        True,
    )
    assert need.ports_per_location == (("EqDC2", 6), ("CSVA1", 5))
    assert need.connections_per_location == 10 and "dx-link-5-port-0" in need.connection_names
    results = _check(need, EQDC2, CSVA1_400G)
    assert [r.ok for r in results] == [True, True], results
    assert results[0].figures["port_speed"] == "400G" and "11 x 400G" in results[0].detail


def _quota_check(
    need: DirectConnectNeed,
    quotas: list[dict[str, Any]],
    defaults: list[dict[str, Any]] | None,
    connections: list[dict[str, Any]],
) -> list[Any]:
    clients = AwsClients("us-east-1")
    with Stubber(clients.client("service-quotas")) as sq, Stubber(clients.client("directconnect")) as dx:
        sq.add_response("list_service_quotas", {"Quotas": quotas}, {"ServiceCode": "directconnect"})
        if defaults is not None:
            sq.add_response(
                "list_aws_default_service_quotas", {"Quotas": defaults}, {"ServiceCode": "directconnect"}
            )
        dx.add_response("describe_connections", {"connections": connections}, {})
        results = check_direct_connect_quota(clients, replace(aws_reqs(), direct_connect=need))
        sq.assert_no_pending_responses()
        dx.assert_no_pending_responses()
    return results


QUOTA = {
    "ServiceCode": "directconnect",
    "QuotaCode": "L-00000001",
    "QuotaName": "Dedicated connections per location",
    "Value": 10.0,
}
NEED = DirectConnectNeed(
    ("EqDC2", "CSVA1"),
    400,
    11,
    macsec=True,
    ports_per_location=(("EqDC2", 6), ("CSVA1", 5)),
    connection_names=tuple(f"dx-link-{i}-port-0" for i in range(6)),
)


def _connection(name: str, location: str, state: str = "available") -> dict[str, Any]:
    return {
        "connectionId": f"dxcon-{abs(hash(name)) % 10**8:08d}",
        "connectionName": name,
        "location": location,
        "connectionState": state,
        "bandwidth": "400Gbps",
    }


@pytest.mark.usefixtures("aws_env")
def test_the_quota_per_location_holds_the_planned_and_existing_connections() -> None:
    existing = [
        _connection("other-team", "CSVA1"),
        _connection("dx-link-0-port-0", "EqDC2"),
        _connection("old", "EqDC2", "deleted"),
    ]
    results = _quota_check(NEED, [QUOTA], None, existing)
    assert [(r.target, r.ok) for r in results] == [
        ("Direct Connect EqDC2 in us-east-1", True),
        ("Direct Connect CSVA1 in us-east-1", True),
    ]
    # The plan's own port (already ordered) and a deleted one do not count; another team's does.
    assert (results[0].figures["existing"], results[1].figures["existing"]) == (0, 1)
    assert "applied: Dedicated connections per location (L-00000001)" in results[0].figures["quota_source"]


@pytest.mark.usefixtures("aws_env")
def test_connections_past_the_quota_fail_with_how_to_raise_it() -> None:
    crowded = [_connection(f"legacy-{i}", "EqDC2") for i in range(5)]
    [eqdc2, csva1] = _quota_check(NEED, [], [QUOTA], crowded)
    assert not eqdc2.ok and csva1.ok
    assert "6 planned + 5 existing dedicated connections exceed the quota of 10 per location" in eqdc2.detail
    assert "default: Dedicated connections per location" in eqdc2.detail
    assert "request-service-quota-increase --service-code directconnect" in eqdc2.hint
    assert "aidc:interconnect.direct_connect.locations" in eqdc2.hint


@pytest.mark.usefixtures("aws_env")
def test_without_the_quota_in_service_quotas_the_documented_default_applies() -> None:
    other = {**QUOTA, "QuotaName": "Virtual interfaces per Direct Connect gateway", "Value": 30.0}
    results = _quota_check(NEED, [other], [other], [])
    assert all(r.ok for r in results)
    assert results[0].figures["quota"] == 10 and "documented default" in results[0].figures["quota_source"]


@pytest.mark.usefixtures("aws_env")
def test_a_plan_sized_for_more_than_the_account_holds_is_flagged() -> None:
    need = replace(NEED, connections_per_location=12, ports_per_location=(("EqDC2", 11),))
    results = _quota_check(need, [QUOTA], None, [])
    assert [r.ok for r in results] == [False, False]
    assert "sized with 12 connections per location but the account's quota is 10" in results[1].detail


def test_hosted_connections_ask_no_quota() -> None:
    hosted = DirectConnectNeed(("CSVA1",), 10, 3, hosted=True)
    assert (
        check_direct_connect_quota(AwsClients("us-east-1"), replace(aws_reqs(), direct_connect=hosted)) == []
    )


@pytest.mark.usefixtures("aws_env")
def test_a_location_of_another_region_fails() -> None:
    [result] = _check(DirectConnectNeed(("LD5",), 100, 3), EQDC2, CSVA1)
    assert not result.ok and "not a Direct Connect location of us-east-1" in result.detail
    assert result.figures["known_locations"] == ["CSVA1", "EqDC2"]


@pytest.mark.usefixtures("aws_env")
def test_a_port_speed_the_location_lacks_fails() -> None:
    [result] = _check(DirectConnectNeed(("CSVA1",), 400, 3), EQDC2, CSVA1)
    assert not result.ok and "no 400G dedicated ports" in result.detail
    assert "port_gbps" in result.hint


@pytest.mark.usefixtures("aws_env")
def test_macsec_missing_at_the_speed_fails_with_the_ipsec_hint() -> None:
    [result] = _check(DirectConnectNeed(("CSVA1",), 100, 3, macsec=True), EQDC2, CSVA1)
    assert not result.ok and "no MACsec at 100G" in result.detail
    assert "macsec: false" in result.hint


@pytest.mark.usefixtures("aws_env")
def test_hosted_connections_skip_the_port_speed() -> None:
    [result] = _check(DirectConnectNeed(("CSVA1",), 25, 3, hosted=True), EQDC2, CSVA1)
    assert result.ok, result


@pytest.mark.usefixtures("aws_env")
def test_a_plan_without_direct_connect_asks_nothing() -> None:
    plan = size_stack(load_stack_config("dev"))
    reqs = aws_requirements(load_stack_config("dev"), plan)
    assert reqs.direct_connect is None
    assert check_direct_connect(AwsClients("us-east-1"), reqs) == []


def test_run_aws_checks_includes_the_location_and_quota_checks() -> None:
    from aidc.clouds.aws import preflight as aws

    assert ("direct-connect-location", check_direct_connect) in aws.CHECKS
    assert ("direct-connect-quota", check_direct_connect_quota) in aws.CHECKS
