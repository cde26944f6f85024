"""AWS (botocore's EC2, EKS, S3 and CloudWatch Logs service models, read from the installed botocore that
constraints pin): every enumerated value the program sends is one the API's model lists, including the values
botocore documents only in prose ('Valid values: ...', e.g. VPN tunnel algorithms)."""

from __future__ import annotations

import copy

import pytest
from conformance_checks import AWS_RULES, aws_value_problems, values_at
from stack_runs import SHIPPED, offline_plan

from aidc.offline import OfflinePlan


def test_every_aws_value_is_one_botocore_allows(plan: OfflinePlan) -> None:
    problems: list[str] = []
    checked = 0
    for resource in plan.resources:
        found, count = aws_value_problems(resource)
        problems += found
        checked += count
    assert checked > 20, f"only {checked} AWS values checked"
    assert problems == []


def test_every_rule_checks_something_in_some_stack() -> None:
    used: set[tuple[str, str]] = set()
    for stack in SHIPPED:
        for resource in offline_plan(stack).resources:
            for token, path, _ in AWS_RULES:
                if resource["type"] == token and any(True for _ in values_at(resource["plain_inputs"], path)):
                    used.add((token, path))
    unused = sorted({(t, p) for t, p, _ in AWS_RULES} - used)
    assert unused == [], "rules that never saw a value (renamed input?)"


def test_every_rule_resolves_its_allowed_values() -> None:
    for token, path, allowed in AWS_RULES:
        assert allowed(), (token, path)


NODE_GROUP = {
    "type": "aws:eks/nodeGroup:NodeGroup",
    "urn": "broken",
    "plain_inputs": {
        "amiType": "AL2023_x86_64_NVIDIA",
        "capacityType": "ON_DEMAND",
        "instanceTypes": ["p5.48xlarge"],
    },
}
BLOCK = {
    "type": "aws:ec2/capacityBlockReservation:CapacityBlockReservation",
    "urn": "broken",
    "plain_inputs": {"instancePlatform": "Linux/UNIX"},
}
VPN = {
    "type": "aws:ec2/vpnConnection:VpnConnection",
    "urn": "broken",
    "plain_inputs": {
        "type": "ipsec.1",
        "tunnelBandwidth": "large",
        "tunnel1Phase1EncryptionAlgorithms": ["AES256-GCM-16"],
        "tunnel1Phase1DhGroupNumbers": [20.0],
        "tunnel1DpdTimeoutAction": "restart",
    },
}


LOGGING = {
    "type": "aws:s3/bucketLogging:BucketLogging",
    "urn": "broken",
    "plain_inputs": {"targetObjectKeyFormat": {"partitionedPrefix": {"partitionDateSource": "EventTime"}}},
}


def test_well_formed_values_pass() -> None:
    assert aws_value_problems(NODE_GROUP) == ([], 3)
    assert aws_value_problems(BLOCK) == ([], 1)
    assert aws_value_problems(VPN) == ([], 5)
    assert aws_value_problems(LOGGING) == ([], 1)
    logged = copy.deepcopy(VPN)
    logged["plain_inputs"]["tunnel1LogOptions"] = {"cloudwatchLogOptions": {"logOutputFormat": "json"}}
    assert aws_value_problems(logged) == ([], 6)


@pytest.mark.parametrize(
    ("resource", "path", "value"),
    [
        (NODE_GROUP, "amiType", "AL2023_x86_64_GPU"),
        (NODE_GROUP, "instanceTypes", ["p5.48xlarg"]),
        (BLOCK, "instancePlatform", "Linux"),
        (VPN, "tunnel1Phase1EncryptionAlgorithms", ["AES256-GCM"]),
        (VPN, "tunnel1Phase1DhGroupNumbers", [13.0]),
        (VPN, "tunnel1DpdTimeoutAction", "reset"),
        (VPN, "tunnelBandwidth", "jumbo"),
        (VPN, "tunnel2LogOptions", {"cloudwatchLogOptions": {"logEnabled": True, "logOutputFormat": "yaml"}}),
        (LOGGING, "targetObjectKeyFormat", {"partitionedPrefix": {"partitionDateSource": "RequestTime"}}),
    ],
    ids=[
        "ami-type",
        "instance-type",
        "block-platform",
        "vpn-cipher",
        "vpn-dh-group",
        "dpd-action",
        "bandwidth",
        "tunnel-log-format",
        "access-log-partition-date",
    ],
)
def test_botocore_refuses_a_broken_value(resource: dict, path: str, value: object) -> None:
    broken = copy.deepcopy(resource)
    broken["plain_inputs"][path] = value
    problems, _ = aws_value_problems(broken)
    assert problems
