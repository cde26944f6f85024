"""The derived-name table (aidc/config/limits.py) and the tag reserve are complete: a stack whose workload and
site names are as long as config allows, with as many and as long tags as config allows, is planned by the real
program under mocks, and every name and tag map it registers is checked against the cloud's documented limit.
If a component starts deriving a longer name, this test fails until limits.py says so."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from aidc.clouds.aws.settings import WORKLOAD_NAMES as AWS_WORKLOAD_NAMES
from aidc.config import limits, parse_stack_config
from aidc.config.load import STACKS_DIR
from aidc.offline import run_program
from aidc.types import NAME_MAX

pytestmark = pytest.mark.slow

AUTONAME = 8  # Pulumi adds "-" and 7 hex characters to a physical name the program does not set


def _longest_allowed(rules: tuple[limits.NameRule, ...], instance_types: list[str]) -> int:
    """The longest name that passes every rule (what config lets through)."""
    length = NAME_MAX
    while limits.name_problems("a" * length, rules, instance_types or [""]):
        length -= 1
    return length


@pytest.fixture(scope="module")
def planned() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values = yaml.safe_load((STACKS_DIR / "Pulumi.dev.yaml").read_text())["config"]
    demand = values["aidc:demand"]
    # dev: a training run on a100-80gb (p4de.24xlarge in AWS), inference on l4-24gb (g6.12xlarge/48xlarge).
    training_len = _longest_allowed(limits.WORKLOAD_PRIVATE_NAMES + AWS_WORKLOAD_NAMES, ["p4de.24xlarge"])
    inference_len = _longest_allowed(
        limits.WORKLOAD_PRIVATE_NAMES + AWS_WORKLOAD_NAMES, ["g6.12xlarge", "g6.48xlarge"]
    )
    site_len = _longest_allowed(limits.SITE_NAMES, [""])
    demand["training"][0]["name"] = "t" * training_len
    demand["inference"][0]["name"] = "i" * inference_len
    values["aidc:edge"]["sites"][0]["name"] = "s" * site_len
    values["aidc:aws"] = {
        "tags": {
            f"k{i:02d}" + "k" * (limits.TAG_KEY_MAX - 3): "v" * limits.TAG_VALUE_MAX
            for i in range(limits.USER_TAGS_MAX)
        }
    }
    parse_stack_config(values)  # config lets every one of these through
    return values, run_program("x" * 100, stack_config=values).resources


def _tag_maps(resource: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = resource["inputs"]
    maps = [inputs["tags"]] if isinstance(inputs.get("tags"), dict) else []
    maps += [
        spec["tags"] for spec in inputs.get("tagSpecifications") or [] if isinstance(spec.get("tags"), dict)
    ]
    return maps


# Karpenter's own tags on every instance it launches (EC2NodeClass docs, spec.tags): Name, karpenter.sh/nodeclaim,
# karpenter.sh/nodepool, karpenter.k8s.aws/ec2nodeclass, kubernetes.io/cluster/<cluster>, eks:eks-cluster-name.
KARPENTER_OWN_TAGS = 6


def test_karpenter_instances_stay_within_the_tag_limit(
    planned: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, resources = planned
    classes = [r for r in resources if r["type"] == "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"]
    assert classes
    for node_class in classes:
        tags = node_class["inputs"]["spec"]["tags"]
        assert len(tags) + KARPENTER_OWN_TAGS <= limits.TAGS_PER_RESOURCE, (node_class["urn"], len(tags))


def test_no_resource_carries_more_tags_than_aws_allows(
    planned: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, resources = planned
    counted = [
        (resource["name"], len([k for k in tags if not k.lower().startswith("aws:")]))
        for resource in resources
        for tags in _tag_maps(resource)
    ]
    assert counted
    assert max(n for _, n in counted) <= limits.TAGS_PER_RESOURCE, sorted(counted, key=lambda c: -c[1])[:3]
    for resource in resources:
        for tags in _tag_maps(resource):
            for key, value in tags.items():
                assert len(key) <= limits.TAG_KEY_MAX and len(str(value)) <= limits.TAG_VALUE_MAX, resource[
                    "urn"
                ]


def test_every_derived_name_fits_its_limit(planned: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    _, resources = planned
    checked = 0
    for resource in resources:
        kind, inputs, name = resource["type"], resource["inputs"], resource["name"]
        if kind == "aws:eks/nodeGroup:NodeGroup":
            physical = inputs.get("nodeGroupName") or name + "x" * AUTONAME
            assert len(physical) <= 63, (resource["urn"], physical)
            for key, value in (inputs.get("labels") or {}).items():
                assert len(value) <= 63, (resource["urn"], key, value)
            checked += 1
        elif kind == "aws:ec2/launchTemplate:LaunchTemplate":
            assert len(inputs.get("name") or name + "x" * AUTONAME) <= 128, resource["urn"]
        elif kind == "openstack:orchestration/stackV1:StackV1":
            tags = dict(t.split("=", 1) for t in inputs.get("tags", []) if "=" in t)
            # OpenStackPrivateCloud names a pool's servers after the stack; K3sCluster "<cluster>-<pool>".
            prefix = f"{tags['cluster']}-{tags['pool']}" if "cluster" in tags else inputs["name"]
            host = f"{prefix}-{limits.MAX_SERVERS_PER_POOL - 1}"
            assert len(host) <= 63, (resource["urn"], host)
            assert len(inputs["name"]) <= 255
            checked += 1
        elif kind == "openstack:compute/instance:Instance":
            assert len(inputs["name"]) <= 63, (resource["urn"], inputs["name"])
            checked += 1
        elif kind == "tls:index/selfSignedCert:SelfSignedCert":
            assert len(inputs["subject"]["commonName"]) <= 64, resource["urn"]
            checked += 1
        elif kind.startswith("openstack:") and isinstance(inputs.get("name"), str):
            assert len(inputs["name"]) <= 255, resource["urn"]
    assert checked >= 8
