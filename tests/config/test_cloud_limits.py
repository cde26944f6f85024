"""Config refuses what a cloud would refuse, naming the rule: regions and zones, instance types, AWS tags,
stack names, numbers outside the model's physical bounds (.inf, 1e308, 5e-324, NaN), Go regular expressions for
Rook, admin CIDRs, names too long once aidc derives resource names from them. The vendored AWS facts are checked
against the installed botocore, so they cannot drift silently."""

from __future__ import annotations

import math
from typing import Any

import botocore
import botocore.loaders
import pytest
import yaml

from aidc.clouds.aws.settings import WORKLOAD_NAMES as AWS_WORKLOAD_NAMES
from aidc.config import ConfigError, limits, parse_stack_config
from aidc.config.ec2_instance_types import BOTOCORE_VERSION, EC2_INSTANCE_TYPES
from aidc.config.load import STACKS_DIR
from aidc.config.re2 import re2_problem
from tests.config.upstream.go_regexp_parse_cases import INVALID, VALID

DEV: dict[str, Any] = yaml.safe_load((STACKS_DIR / "Pulumi.dev.yaml").read_text())["config"]


def _problems(values: dict[str, Any], stack: str = "dev") -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, stack=stack)
    assert all("\n" not in p for p in info.value.problems)
    return info.value.problems


def _with(path: str, value: Any) -> dict[str, Any]:
    """A copy of the dev stack's config with one value at a dotted path (list indices as numbers) replaced."""
    values = yaml.safe_load(yaml.safe_dump(DEV))
    top, *rest = path.split(".")
    if not rest:
        values[top] = value
        return values
    node = values.setdefault(top, {})
    for part in rest[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(rest[-1])] = value
    else:
        node[rest[-1]] = value
    return values


# --- vendored facts agree with botocore ----------------------------------------------------------------------
def test_instance_types_are_botocores() -> None:
    enum = set(
        botocore.loaders.create_loader().load_service_model("ec2", "service-2")["shapes"]["InstanceType"][
            "enum"
        ]
    )
    assert botocore.__version__ == BOTOCORE_VERSION or enum == set(EC2_INSTANCE_TYPES), (
        f"botocore {botocore.__version__} lists {len(enum - EC2_INSTANCE_TYPES)} new and "
        f"{len(EC2_INSTANCE_TYPES - enum)} removed instance types: regenerate aidc/config/ec2_instance_types.py"
    )
    assert enum >= EC2_INSTANCE_TYPES, sorted(EC2_INSTANCE_TYPES - enum)[:10]


def test_regions_are_botocores() -> None:
    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    for partition in endpoints["partitions"]:
        pattern, regions = limits.AWS_PARTITIONS[partition["partition"]]
        assert pattern == partition["regionRegex"]
        assert set(regions) == set(partition["regions"]), partition["partition"]


# --- regions and zones ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("", "aws:region: must name an AWS region"),
        ("mars-1", "aws:region: 'mars-1' is not an AWS region name"),
        ("us-east-9", "aws:region: 'us-east-9' is not a region AWS lists"),
        ("US-EAST-1", "is not an AWS region name"),
    ],
)
def test_bad_regions_are_blamed_on_the_region(region: str, expected: str) -> None:
    problems = _problems(_with("aws:region", region))
    assert any(expected in p for p in problems), problems
    assert not any(p.startswith("aidc:aws.azs") for p in problems), problems  # not on the first zone


@pytest.mark.parametrize(
    "zones", [["eu-west-1a", "eu-west-1b"], ["us-east-1a", "us-east-1-bos-1a"], ["us-east-1a", "1a"]]
)
def test_zones_outside_the_region_are_refused(zones: list[str]) -> None:
    problems = _problems(_with("aidc:aws", {"azs": zones}))
    assert any(p.startswith("aidc:aws.azs[") and "us-east-1" in p for p in problems), problems


def test_zones_of_the_region_pass() -> None:
    cfg = parse_stack_config(_with("aidc:aws", {"azs": ["us-east-1a", "us-east-1f"]}))
    assert cfg.aws.zones == ("us-east-1a", "us-east-1f")


@pytest.mark.parametrize("instance_type", ["m6i.huge", "p9.48xlarge", "", "m6i"])
def test_unknown_system_instance_types_are_refused(instance_type: str) -> None:
    problems = _problems(_with("aidc:aws", {"system_instance_type": instance_type}))
    assert any("aidc:aws.system_instance_type" in p and "not an EC2 instance type" in p for p in problems)


# --- tags -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({f"team-{i}": "x" for i in range(limits.USER_TAGS_MAX + 1)}, "AWS allows 50 per resource"),
        ({"k" * 129: "v"}, "a tag key must be 1-128 characters"),
        ({"owner": "v" * 257}, "a tag value must be at most 256"),
        ({"aws:owner": "me"}, "the aws: prefix is reserved"),
        ({"AWS:owner": "me"}, "the aws: prefix is reserved"),
        ({"owner": "aws:me"}, "reserved, in values too"),
        ({"cost#centre": "7"}, "character '#' is not allowed"),
        ({"owner": "a,b"}, "character ',' is not allowed"),
        ({"": "x"}, "a tag key must be 1-128 characters"),
    ],
)
def test_tags_aws_would_refuse(tags: dict[str, str], expected: str) -> None:
    problems = _problems(_with("aidc:aws", {"tags": tags}))
    assert any(p.startswith("aidc:aws.tags") and expected in p for p in problems), problems


def test_tags_within_the_limits_pass() -> None:
    tags = {f"team-{i}": "Ünïcode + spaces/ok@1=2" for i in range(limits.USER_TAGS_MAX)}
    assert parse_stack_config(_with("aidc:aws", {"tags": tags})).aws.tags == tags


# --- stack names ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", ["", "a b", "x" * 101, "prod#1", "../etc", "é"])
def test_invalid_stack_names_are_refused(stack: str) -> None:
    problems = _problems(DEV, stack=stack)
    assert any("is not a stack name" in p for p in problems), problems


def test_valid_stack_names_pass() -> None:
    for stack in ("dev", "Prod_2.eu-west-1", "x" * 100):
        assert parse_stack_config(DEV, stack=stack).stack == stack


# --- numbers --------------------------------------------------------------------------------------------------
NUMBERS = [
    "aidc:demand.training.0.params",
    "aidc:demand.training.0.tokens",
    "aidc:demand.training.0.mfu",
    "aidc:demand.training.0.deadline_days",
    "aidc:demand.inference.0.peak_tokens_per_s",
    "aidc:demand.inference.0.tokens_per_s_per_gpu",
    "aidc:demand.inference.0.model_params",
    "aidc:demand.storage.checkpoint_write_minutes",
    "aidc:demand.storage.datasets_tb",
    "aidc:demand.storage.drive_tb",
    "aidc:demand.storage.target_fill",
    "aidc:demand.transfer.0.volume_gb",
    "aidc:demand.transfer.0.window_hours",
    "aidc:edge.sites.0.share",
]


@pytest.mark.parametrize("path", NUMBERS)
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e308, 5e-324, -1.0])
def test_numbers_are_finite_and_within_physical_bounds(path: str, value: float) -> None:
    if value == 5e-324 and path.endswith("datasets_tb"):
        return  # 0 TB of datasets is allowed, and a denormal is as good as 0 there: nothing divides by it
    problems = _problems(_with(path, value))
    key = path.replace(".0.", "[0].")
    assert any(p.startswith(key) for p in problems), problems


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("aidc:demand.training.0.params", 1.0000001e15),
        ("aidc:demand.training.0.tokens", 1.0000001e16),
        ("aidc:demand.storage.datasets_tb", 1.0000001e6),
        ("aidc:demand.storage.drive_tb", 200),
        ("aidc:capacity.private.gpus.a100-80gb", 10**7),
        ("aidc:capacity.public.max_instances.g6.12xlarge", 10**9),
    ],
)
def test_the_stated_upper_bounds_hold(path: str, value: float) -> None:
    if path.startswith("aidc:capacity.public"):
        values = _with("aidc:capacity.public.max_instances", {"g6.12xlarge": value})
    else:
        values = _with(path, value)
    assert _problems(values)


# --- Rook's device filter: Go (RE2) syntax ----------------------------------------------------------------------
@pytest.mark.parametrize("pattern", VALID, ids=lambda p: repr(p[:20]))
def test_what_go_compiles_is_accepted(pattern: str) -> None:
    assert re2_problem(pattern) is None


@pytest.mark.parametrize("pattern", INVALID, ids=lambda p: repr(p[:20]))
def test_what_go_refuses_is_refused(pattern: str) -> None:
    assert re2_problem(pattern)


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (r"^(?!sda)", "lookahead"),
        (r"(?<=nvme)\d", "lookbehind"),
        (r"(nvme)\1", "backreferences"),
        (r"nvme\d++", "nested repetition"),
        (r"(?>nvme)", "atomic"),
        (r"nvme\Z", r"\Z"),
        (r"(?x) nvme", "(?x"),
        ("[", "missing closing ]"),
    ],
)
def test_device_filters_rook_would_refuse(pattern: str, what: str) -> None:
    problems = _problems(_with("aidc:ceph", {"device_filter": pattern}))
    assert any(p.startswith("aidc:ceph.device_filter") and what in p for p in problems), problems


@pytest.mark.parametrize("pattern", ["^nvme", "^sd[b-z]$", r"^nvme\dn1$", "^(nvme|sd[b-d])", r"\p{L}+"])
def test_device_filters_go_accepts_pass(pattern: str) -> None:
    assert parse_stack_config(_with("aidc:ceph", {"device_filter": pattern})).ceph.device_filter == pattern


# --- names too long once suffixes are added ----------------------------------------------------------------------
def test_a_workload_name_that_would_overflow_its_node_group_name_is_refused() -> None:
    # b200-180gb runs on p6-b200.48xlarge in AWS: EKS names the node group "aws-ng-<name>-p6-b200-48xlarge"
    # plus Pulumi's 8-character suffix, at most 63 characters in all.
    values = _with("aidc:demand.training.0.accelerator", "b200-180gb")
    longest = 63 - len("aws-ng--p6-b200-48xlarge") - 8
    assert longest < 32  # a name the Slug rule alone would let through

    def named(name: str) -> dict[str, Any]:
        copy = yaml.safe_load(yaml.safe_dump(values))
        copy["aidc:demand"]["training"][0]["name"] = name
        return copy

    assert parse_stack_config(named("a" * longest)).demand.training[0].name == "a" * longest
    problems = _problems(named("a" * (longest + 1)))
    [problem] = [p for p in problems if p.startswith("aidc:demand.training[0].name")]
    assert "EKS node group name" in problem and "p6-b200-48xlarge" in problem
    assert f"use at most {longest} characters" in problem


def test_a_private_only_workload_is_not_held_to_public_names() -> None:
    values = _with("aidc:demand.training.0.accelerator", "b200-180gb")
    values["aidc:demand"]["training"][0]["name"] = "a" * 32
    values["aidc:demand"]["training"][0]["classification"] = "restricted"
    values["aidc:capacity"]["private"]["gpus"]["b200-180gb"] = 64
    assert parse_stack_config(values).demand.training[0].name == "a" * 32


@pytest.mark.parametrize("rules", [AWS_WORKLOAD_NAMES, limits.WORKLOAD_PRIVATE_NAMES, limits.SITE_NAMES])
def test_every_derived_name_rule_has_a_source_and_renders(rules: tuple[limits.NameRule, ...]) -> None:
    for rule in rules:
        assert rule.source and rule.limit > 0
        assert "{" not in rule.render("x", "p5.48xlarge")
