"""Hypothesis strategies for hostile input: stack configs mutated from the shipped stacks with values from every
class of issue 11 (non-finite and out-of-range numbers, wrong types, regions and zones, instance types, tags,
names, regular expressions, admin CIDR unions, networks), stack-file texts (duplicate keys, alias bombs, deep
nesting, binary and non-UTF-8 bytes) and command lines."""

from __future__ import annotations

import copy
import math
from typing import Any

import yaml
from hypothesis import strategies as st

from aidc.config.load import STACKS_DIR

SHIPPED = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml")
)
STACK_CONFIGS = {
    name: yaml.safe_load((STACKS_DIR / f"Pulumi.{name}.yaml").read_text())["config"] for name in SHIPPED
}

HOSTILE_NUMBERS = [math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -1, 0, 10**30, 1e16, 1e15]
HOSTILE_SCALARS = ["", "x" * 300, "ünïcödé", "1e308", None, True, [], {}, [1, 2], {"a": 1}, "0.0.0.0/0"]
numbers = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
)
anything = st.one_of(numbers, st.sampled_from(HOSTILE_SCALARS), st.text(max_size=40))

slugs = st.from_regex(r"[a-z]([a-z0-9-]{0,62}[a-z0-9])?", fullmatch=True)
names = st.one_of(slugs, st.text(max_size=70), st.sampled_from(["", "A", "-a", "a-", "a" * 33, "a" * 64]))
regions = st.one_of(
    st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]),
    st.sampled_from(["", "mars-1", "us-east-9", "US-EAST-1", "us-east-1a", " us-east-1"]),
    st.text(max_size=20),
)
zones = st.lists(
    st.one_of(
        st.sampled_from(["us-east-1a", "us-east-1b", "eu-west-1a", "us-east-1-bos-1a", "us-east-1", ""]),
        st.text(max_size=15),
    ),
    max_size=4,
)
instance_types = st.one_of(
    st.sampled_from(["m6i.large", "m7i.xlarge", "p5.48xlarge", "m6i.huge", "m6i", "", "t2.nano"]),
    st.text(max_size=20),
)
tag_text = st.one_of(
    st.text(max_size=20), st.sampled_from(["aws:x", "AWS:y", "k" * 129, "v" * 257, "a#b", ""])
)
tags = st.dictionaries(tag_text, tag_text, max_size=55)
device_filters = st.one_of(
    st.sampled_from(
        ["^nvme", "^sd[b-z]", "(?!sda)", r"(a)\1", "a**", "(?<=x)y", "[", r"\p{Greek}", "(?i)nvme"]
    ),
    st.text(max_size=20),
)
_cidr_v4 = st.builds(
    lambda a, p: f"{a >> 24 & 255}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}/{p}",
    st.integers(0, 2**32 - 1),
    st.integers(0, 32),
)
cidr_sets = st.one_of(
    st.sampled_from(
        [
            ["0.0.0.0/1", "128.0.0.0/1"],
            ["::/1", "8000::/1"],
            ["0.0.0.0/0"],
            ["::/0"],
            ["10.99.0.0/24"],
            ["11.0.0.0/8", "12.0.0.0/8"],
        ]
    ),
    st.lists(_cidr_v4, max_size=5),
    st.lists(st.text(max_size=18), max_size=3),
)

# (dotted path into the config, strategy): a list index is a number; "*" picks each item of a list.
TARGETS: list[tuple[str, Any]] = [
    ("aws:region", regions),
    ("aidc:aws.azs", zones),
    ("aidc:aws.system_instance_type", instance_types),
    ("aidc:aws.tags", tags),
    ("aidc:aws.public_access_cidrs", cidr_sets),
    ("aidc:aws.endpoint_public_access", st.sampled_from([True, False, "yes", 1])),
    ("aidc:aws.vpc_cidr", st.one_of(_cidr_v4, st.text(max_size=10))),
    ("aidc:openstack.admin_cidrs", cidr_sets),
    ("aidc:openstack.network_cidr", st.one_of(_cidr_v4, st.sampled_from(["fd00::/64", "10.20.0.0/29"]))),
    ("aidc:ceph.device_filter", device_filters),
    ("aidc:demand.training.0.name", names),
    ("aidc:demand.inference.0.name", names),
    ("aidc:edge.sites.0.name", names),
    ("aidc:demand.training.0.params", numbers),
    ("aidc:demand.training.0.tokens", numbers),
    ("aidc:demand.training.0.mfu", numbers),
    ("aidc:demand.training.0.deadline_days", numbers),
    ("aidc:demand.inference.0.peak_tokens_per_s", numbers),
    ("aidc:demand.inference.0.tokens_per_s_per_gpu", numbers),
    ("aidc:demand.inference.0.model_params", numbers),
    ("aidc:demand.inference.0.context_tokens", numbers),
    ("aidc:demand.inference.0.concurrent_sequences", numbers),
    ("aidc:demand.storage.checkpoint_write_minutes", numbers),
    ("aidc:demand.storage.drive_write_mb_per_s", numbers),
    ("aidc:demand.training.0.dataset_tb", numbers),
    ("aidc:demand.storage.datasets_tb", numbers),
    ("aidc:demand.storage.drive_tb", numbers),
    ("aidc:demand.storage.target_fill", numbers),
    ("aidc:demand.storage.osds_per_host", numbers),
    (
        "aidc:demand.storage.protection",
        st.sampled_from([{"replicas": 10}, {"erasure": {"k": 16, "m": 8}}, {}, []]),
    ),
    ("aidc:demand.transfer.0.volume_gb", numbers),
    ("aidc:demand.transfer.0.window_hours", numbers),
    (
        "aidc:capacity.private.gpus",
        st.dictionaries(st.sampled_from(["a100-80gb", "h100-80gb", "x"]), numbers, max_size=2),
    ),
    (
        "aidc:capacity.public.max_instances",
        st.dictionaries(st.sampled_from(["p5.48xlarge", "g6.12xlarge"]), numbers, max_size=2),
    ),
    ("aidc:edge.sites.0.share", numbers),
    ("aidc:policy.monthly_cost_ceiling_usd", numbers),
    ("aidc:demand", anything),
    ("aidc:vpn", anything),
]


def apply(config: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path` (creating mappings on the way; a missing list item is left alone)."""
    top, *rest = path.split(".")
    if not rest:
        config[top] = value
        return
    node: Any = config.setdefault(top, {})
    for part in rest[:-1]:
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            return
    last = rest[-1]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value


@st.composite
def stack_configs(draw: st.DrawFn, max_mutations: int = 3) -> tuple[str, dict[str, Any]]:
    """(shipped stack it came from, a config with up to `max_mutations` hostile values)."""
    stack = draw(st.sampled_from(SHIPPED))
    config = copy.deepcopy(STACK_CONFIGS[stack])
    for _ in range(draw(st.integers(0, max_mutations))):
        path, values = draw(st.sampled_from(TARGETS))
        apply(config, path, draw(values))
    return stack, config


def _alias_bomb(depth: int) -> str:
    lines = ["  other:lol0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  other:lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, depth)]
    return "\n".join(lines)


@st.composite
def stack_texts(draw: st.DrawFn) -> bytes:
    """The bytes of a stack file: a real one, dumped, then damaged the way issue 11's harness did."""
    _, config = draw(stack_configs(max_mutations=1))
    text = yaml.safe_dump({"config": config}, allow_unicode=True)
    damage = draw(
        st.sampled_from(
            ["none", "duplicate", "bomb", "deep", "binary", "latin1", "truncate", "json", "tabs", "empty"]
        )
    )
    if damage == "duplicate":
        key = draw(st.sampled_from(sorted(config) or ["aws:region"]))
        text += f"{'config' if draw(st.booleans()) else '  ' + key}: {{}}\n"
    elif damage == "bomb":
        text = text.replace("config:\n", "config:\n" + _alias_bomb(draw(st.integers(3, 9))) + "\n", 1)
    elif damage == "deep":
        text += "  other:deep: " + "[" * draw(st.integers(30, 5000)) + "\n"
    elif damage == "binary":
        return text.encode() + draw(st.binary(min_size=1, max_size=64)) + b"\x00"
    elif damage == "latin1":
        return (text + "  other:name: \u00e9t\u00e9\n").encode("latin-1", errors="replace")
    elif damage == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "json":
        text = "{" + text
    elif damage == "tabs":
        text = text.replace("  ", "\t", 1)
    elif damage == "empty":
        text = ""
    return text.encode()


FLAGS: dict[str, Any] = {
    "--stack": st.one_of(
        st.sampled_from([*SHIPPED, "", "nope", "../dev", "a b", "x" * 101]), st.text(max_size=12)
    ),
    "--config": st.sampled_from(["/nonexistent.yaml", "/dev/null", "/", "/etc/hostname"]),
    "--json": None,
    "--format": st.sampled_from(["text", "json", "markdown", "html", ""]),
    "--diff": st.sampled_from(["/nonexistent.json", "/dev/null", "/"]),
    "--timeout": st.sampled_from(["0", "-1", "nan", "inf", "abc", "1e308", "0.5", "2"]),
    "--cloud": st.sampled_from(["aws", "openstack", "all", "gcp", ""]),
    "--max-attempts": st.sampled_from(["0", "1", "2", "21", "x"]),
    "--bucket": st.one_of(
        st.sampled_from(["ok-bucket", "Bad_Bucket", "192.168.1.1", "", "a" * 64]), st.text(max_size=10)
    ),
    "--region": regions,
    "--kms-alias": st.sampled_from(["alias/x", "pulumi", "alias/aws/s3", ""]),
    "--endpoint-url": st.sampled_from(["http://127.0.0.1:9", "not a url", ""]),
    "--aws-endpoint-url": st.sampled_from(["http://127.0.0.1:9", "not a url"]),
}
COMMANDS = ["size", "preflight", "backend bootstrap", "backend", "bogus", ""]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """An argv for `aidc` (never `plan`, which the heavy tests drive): a command and some flags."""
    argv = draw(st.sampled_from(COMMANDS)).split()
    for flag in draw(st.lists(st.sampled_from(sorted(FLAGS)), max_size=4)):
        values = FLAGS[flag]
        argv += [flag] if values is None else [flag, draw(values)]
    if draw(st.booleans()):
        argv.append(draw(st.text(max_size=8)))
    return argv
