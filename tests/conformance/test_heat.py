"""Heat (upstream/heat: resource type schemas and HOT versions of the vendored release): every stack's template
is one Heat validates, and the parameters the program passes are the template's."""

from __future__ import annotations

import pytest
import yaml
from conformance_checks import HEAT_STACK, heat_template_problems, of_type

from aidc.offline import OfflinePlan
from components.cloud_init import heat_server_pool_template


def test_every_heat_stack_is_a_template_heat_accepts(plan: OfflinePlan) -> None:
    stacks = of_type(plan.resources, HEAT_STACK)
    assert stacks, "no Heat stack checked"
    problems: list[str] = []
    for stack in stacks:
        inputs = stack["plain_inputs"]
        problems += heat_template_problems(inputs["templateOpts"]["Bin"], inputs["parameters"], stack["urn"])
    assert problems == []


def _template() -> dict:
    return yaml.safe_load(heat_server_pool_template(with_user_data=True))


PARAMETERS = {
    "count": "2",
    "name_prefix": "core-storage",
    "flavor": "m1.xlarge",
    "image": "ubuntu-22.04",
    "key_name": "kp",
    "network": "6b4f1c4e-2d7a-4f0e-9a59-0c1b8a4d2e10",
    "security_groups": "a,b",
    "server_group": "0f5b9b8e-54d8-4d1f-8d5e-3c2a1b0e9f77",
    "root_volume_gb": "100",
    "user_data": "#cloud-config\n",
}


@pytest.mark.parametrize("user_data", [True, False])
def test_every_variant_of_the_pool_template_passes(user_data: bool) -> None:
    template = yaml.safe_load(heat_server_pool_template(with_user_data=user_data))
    parameters = {k: v for k, v in PARAMETERS.items() if k in template["parameters"]}
    assert heat_template_problems(yaml.safe_dump(template), parameters, "good") == []


def _break(template: dict, change: str) -> tuple[dict, dict]:
    server = template["resources"]["servers"]["properties"]["resource_def"]["properties"]
    parameters = {k: v for k, v in PARAMETERS.items() if k in template["parameters"]}
    if change == "version":
        template["heat_template_version"] = "2018-08-32"
    elif change == "unknown-property":
        server["user_data_formt"] = "RAW"
    elif change == "bad-allowed-value":
        server["user_data_format"] = "BASE64"
    elif change == "undefined-parameter":
        server["flavor"] = {"get_param": "flavour"}
    elif change == "unknown-function":
        server["name"] = {"list_joins": ["-", ["a", "b"]]}
    elif change == "unknown-attribute":
        template["outputs"]["fixed_ips"]["value"] = {"get_attr": ["servers", "first_addresses"]}
    elif change == "extra-stack-parameter":
        parameters["flavour"] = "m1.large"
    elif change == "missing-stack-parameter":
        parameters.pop("flavor")
    elif change == "negative-count":
        parameters["count"] = "-1"
    elif change == "boot-volume-type":
        # What the pool template did for OpenStackPrivateCloudArgs.volume_type until this check found it.
        server["block_device_mapping_v2"][0]["volume_type"] = "luks"
    elif change == "bad-update-policy":
        server["user_data_update_policy"] = "KEEP"
    elif change == "unknown-resource-type":
        template["resources"]["servers"]["properties"]["resource_def"]["type"] = "OS::Nova::Servers"
    return template, parameters


@pytest.mark.parametrize(
    "change",
    [
        "version",
        "unknown-property",
        "bad-allowed-value",
        "undefined-parameter",
        "unknown-function",
        "unknown-attribute",
        "extra-stack-parameter",
        "missing-stack-parameter",
        "negative-count",
        "bad-update-policy",
        "boot-volume-type",
        "unknown-resource-type",
    ],
)
def test_heat_refuses_a_broken_template(change: str) -> None:
    template, parameters = _break(_template(), change)
    assert heat_template_problems(yaml.safe_dump(template), parameters, change), change
