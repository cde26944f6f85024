"""Nova (upstream/nova: server create and server metadata request schemas): every server the program creates,
directly (openstack Instance) or through a Heat pool, is a request Nova accepts."""

from __future__ import annotations

import pytest
from conformance_checks import (
    HEAT_STACK,
    INSTANCE,
    heat_member_metadata,
    nova_metadata_problems,
    nova_server_problems,
    of_type,
)

from aidc.offline import OfflinePlan


def _server_problems(plan: OfflinePlan) -> list[str]:
    problems: list[str] = []
    for instance in of_type(plan.resources, INSTANCE):
        problems += nova_server_problems(instance["plain_inputs"], instance["urn"])
    return problems


def test_every_instance_is_a_server_create_nova_accepts_apart_from_metadata(plan: OfflinePlan) -> None:
    assert of_type(plan.resources, INSTANCE), "no instance checked"
    problems = [p for p in _server_problems(plan) if ".metadata" not in p]
    assert problems == []


def test_instance_metadata_keys_are_keys_nova_accepts(plan: OfflinePlan) -> None:
    problems = [p for p in _server_problems(plan) if ".metadata" in p]
    assert problems == []


def test_heat_pool_servers_carry_metadata_nova_accepts(plan: OfflinePlan) -> None:
    problems, checked = [], 0
    for stack in of_type(plan.resources, HEAT_STACK):
        inputs = stack["plain_inputs"]
        for metadata in heat_member_metadata(inputs["templateOpts"]["Bin"], inputs["parameters"]):
            checked += 1
            problems += nova_metadata_problems(metadata, stack["urn"])
    assert checked, "no Heat server checked"
    assert problems == []


GOOD = {
    "name": "core-server-0",
    "flavorName": "m1.xlarge",
    "imageName": "ubuntu-22.04",
    "keyPair": "private-keypair",
    "metadata": {"aidc_cluster": "core", "aidc_role": "server"},
    "userData": "#cloud-config\n",
    "securityGroups": ["private-internal"],
    "networks": [{"uuid": "6b4f1c4e-2d7a-4f0e-9a59-0c1b8a4d2e10"}],
    "schedulerHints": [{"group": "0f5b9b8e-54d8-4d1f-8d5e-3c2a1b0e9f77"}],
}


def test_a_well_formed_server_passes() -> None:
    assert nova_server_problems(GOOD, "good") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"metadata": {"aidc.io/cluster": "core"}}, "metadata"),
        ({"metadata": {"aidc_cluster": "x" * 256}}, "metadata"),
        ({"userData": "#cloud-config\n" + "x" * 60_000}, "user_data"),
        ({"name": "core-server-0 "}, "name"),
        ({"schedulerHints": [{"group": "not-a-uuid"}]}, "group"),
    ],
    ids=[
        "slash-in-metadata-key",
        "metadata-value-too-long",
        "user-data-too-long",
        "name-trailing-space",
        "hint",
    ],
)
def test_nova_refuses_a_broken_server(change: dict[str, object], expected: str) -> None:
    problems = nova_server_problems({**GOOD, **change}, "broken")
    assert problems and all(expected in p for p in problems), problems


def test_nova_refuses_a_slash_in_heat_server_metadata() -> None:
    assert nova_metadata_problems({"aidc.io/pool": "x"}, "broken")
    assert nova_metadata_problems({"aidc_pool": "x"}, "good") == []
