"""Direct Connect preflight: the plan's location exists in the region and offers the port speed (and MACsec at it),
read from DescribeLocations through botocore's Stubber (moto has no DescribeLocations)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from botocore.stub import Stubber

from aidc.clouds.aws.preflight import AwsClients, DirectConnectNeed, aws_requirements, check_direct_connect
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


@pytest.mark.usefixtures("aws_env")
def test_the_seed_case_location_offers_400g_with_macsec() -> None:
    plan = size_stack(load_stack_config("ecommerce"))
    need = aws_requirements(load_stack_config("ecommerce"), plan).direct_connect
    assert need == DirectConnectNeed(("EqDC2",), 400, 11, hosted=False, macsec=True)
    [result] = _check(need, EQDC2, CSVA1)
    assert result.ok, result
    assert result.figures["port_speed"] == "400G" and "11 x 400G" in result.detail


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


def test_run_aws_checks_includes_the_location_check() -> None:
    from aidc.clouds.aws import preflight as aws

    assert ("direct-connect-location", check_direct_connect) in aws.CHECKS
