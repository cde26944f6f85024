"""The clouds' own limits on what a stack declares, each with its source, so that a stack a cloud would refuse
is refused when its config is read — naming the rule it breaks — instead of half-way through `pulumi up`.

What lives here (stdlib only, no Pulumi, no sizing): AWS regions and availability-zone names, EC2 instance
type names (aidc/config/ec2_instance_types.py), AWS tag limits, Pulumi stack names, and the names aidc
derives from the names a user picks (workloads, edge sites) with the limit each derived name must fit.
When a component changes how it names a child, update `WORKLOAD_NAMES` / `SITE_NAMES`:
tests/config/test_names_fit.py plans a stack with names at the limit and checks every registered name.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# --- AWS regions and zones ------------------------------------------------------------------------------------
# botocore 1.44.8, botocore/data/endpoints.json: each partition's `regionRegex` and `regions`.
# tests/config/test_cloud_limits.py checks this table against the installed botocore.
AWS_PARTITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws": (
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        (
            "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
            "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
            "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
            "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
            "us-east-2", "us-west-1", "us-west-2",
        ),
    ),
    "aws-cn": (r"^cn\-\w+\-\d+$", ("cn-north-1", "cn-northwest-1")),
    "aws-us-gov": (r"^us\-gov\-\w+\-\d+$", ("us-gov-east-1", "us-gov-west-1")),
    "aws-iso": (r"^us\-iso\-\w+\-\d+$", ("us-iso-east-1", "us-iso-west-1")),
    "aws-iso-b": (r"^us\-isob\-\w+\-\d+$", ("us-isob-east-1", "us-isob-west-1")),
    "aws-iso-e": (r"^eu\-isoe\-\w+\-\d+$", ("eu-isoe-west-1",)),
    "aws-iso-f": (r"^us\-isof\-\w+\-\d+$", ("us-isof-east-1", "us-isof-south-1")),
    "aws-eusc": (r"^eusc\-(de)\-\w+\-\d+$", ("eusc-de-east-1",)),
}  # fmt: skip
AWS_REGIONS: frozenset[str] = frozenset(r for _, regions in AWS_PARTITIONS.values() for r in regions)
_REGION_SHAPE = [re.compile(pattern, re.ASCII) for pattern, _ in AWS_PARTITIONS.values()]


def region_problem(region: object) -> str | None:
    """Why `region` is not an AWS region, or None."""
    if not isinstance(region, str) or not region:
        return "must name an AWS region such as us-east-1 or eu-west-1, got an empty value"
    if not any(p.match(region) for p in _REGION_SHAPE):
        from aidc.config.suggest import did_you_mean

        return (
            f"{region!r} is not an AWS region name (shaped <area>-<direction>-<number>, e.g. us-east-1; "
            f"botocore endpoints.json regionRegex){did_you_mean(region, AWS_REGIONS)}"
        )
    if region not in AWS_REGIONS:
        from aidc.config.suggest import closest

        match = closest(region, AWS_REGIONS)
        example = f"did you mean {match!r}?" if match else "e.g. us-east-1, eu-west-1, ap-southeast-2"
        return f"{region!r} is not a region AWS lists (botocore endpoints.json); {example}"
    return None


def partition_of_region(region: str) -> str | None:
    """The partition whose region list holds `region` (aws, aws-cn, aws-us-gov, …), or None."""
    for partition, (_, regions) in AWS_PARTITIONS.items():
        if region in regions:
            return partition
    return None


def partition_problem(arn_partition: str, region: str) -> str | None:
    """Why an ARN of partition `arn_partition` cannot be used in `region`, or None: IAM principals, KMS keys and
    every other ARN live in one partition, and a region belongs to exactly one (arn:aws-cn only with cn-*
    regions, arn:aws-us-gov only with us-gov-* ones; botocore endpoints.json)."""
    expected = partition_of_region(region)
    if expected is None or expected == arn_partition:
        return None
    return (
        f"the ARN is in partition {arn_partition}, but region {region} is in partition {expected}: use "
        f"arn:{expected}:…"
    )


def zone_problem(zone: object, region: str) -> str | None:
    """Why `zone` is not an availability zone of `region`, or None.

    An Availability Zone name is its Region code followed by a letter identifier, e.g. us-east-1a
    (docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html). Local Zones and
    Wavelength Zones (us-east-1-bos-1a) cannot hold an EKS cluster's subnets, so they are refused too."""
    if not isinstance(zone, str) or not re.fullmatch(r"[a-z0-9-]+[a-z]", zone, re.ASCII):
        return f"{zone!r} is not an availability zone name such as {region}a"
    if not re.fullmatch(re.escape(region) + r"[a-z]", zone):
        return (
            f"{zone!r} is not in region {region}: an availability zone is its region code followed by one "
            f"letter ({region}a, {region}b, …)"
        )
    return None


# --- AWS tags -------------------------------------------------------------------------------------------------
# docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html and the EKS/IAM service models (botocore
# eks TagMap, iam tagKeyType/tagValueType/tagListType): at most 50 tags per resource, keys 1-128 and values
# 0-256 Unicode characters, the aws: prefix reserved in any case, and — the set every service accepts, the
# one IAM enforces on role tags — letters, numbers, spaces and _ . : / = + - @ only.
TAGS_PER_RESOURCE = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_PUNCTUATION = frozenset("_.:/=+-@")
# Most tags aidc itself puts on one resource: a GPU node group carries aidc:component, aidc:stack,
# aidc:workload, aidc:classification, aidc:planned-instances, aidc:location, aidc:usd-per-month and
# aidc:accelerator (stacks/program.py planned_tags + components/aws_gpu_cluster.py). The instances EKS
# launches get the launch template's tags (the user's, aidc:component, aidc:stack, aidc:node-group) plus
# EKS's own three (eks:cluster-name, eks:nodegroup-name, kubernetes.io/cluster/<name>): six, within the eight.
# tests/config/test_names_fit.py checks every resource of a planned stack stays within TAGS_PER_RESOURCE
# with the user's tags at the limit.
AIDC_TAGS_PER_RESOURCE = 8
USER_TAGS_MAX = TAGS_PER_RESOURCE - AIDC_TAGS_PER_RESOURCE


def _tag_text_problem(text: str) -> str | None:
    for char in text:
        if char in TAG_PUNCTUATION or unicodedata.category(char)[0] in "LNZ":
            continue
        return f"character {char!r} is not allowed (letters, numbers, spaces and _ . : / = + - @ only)"
    return None


def tag_problems(tags: dict[str, str]) -> list[str]:
    """'<key>: why' lines for tags AWS would refuse (see the comment above for the rules)."""
    problems: list[str] = []
    if len(tags) > USER_TAGS_MAX:
        problems.append(
            f"{len(tags)} tags: AWS allows {TAGS_PER_RESOURCE} per resource and aidc adds up to "
            f"{AIDC_TAGS_PER_RESOURCE}, so at most {USER_TAGS_MAX} may be set here"
        )
    for key, value in tags.items():
        if not 1 <= len(key) <= TAG_KEY_MAX:
            problems.append(f"{key[:40]!r}: a tag key must be 1-{TAG_KEY_MAX} characters, got {len(key)}")
        elif key.lower().startswith("aws:"):
            problems.append(f"{key!r}: the aws: prefix is reserved for AWS's own tags")
        elif why := _tag_text_problem(key):
            problems.append(f"{key!r}: tag key {why}")
        if len(value) > TAG_VALUE_MAX:
            problems.append(
                f"{key[:40]!r}: a tag value must be at most {TAG_VALUE_MAX} characters, got {len(value)}"
            )
        elif value.lower().startswith("aws:"):
            problems.append(f"{key[:40]!r}: the aws: prefix is reserved, in values too")
        elif why := _tag_text_problem(value):
            problems.append(f"{key[:40]!r}: tag value {why}")
    return problems


# --- Pulumi stack names -----------------------------------------------------------------------------------------
# pulumi/pulumi: sdk/go/common/tokens (IsName) and pkg/backend/diy ParseReference — "stack names are limited
# to 100 characters and may only contain alphanumeric, hyphens, underscores, or periods". Every such name is
# also a valid AWS tag value (the aidc:stack tag).
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}", re.ASCII)


def stack_name_problem(stack: object) -> str | None:
    if isinstance(stack, str) and STACK_NAME.fullmatch(stack):
        return None
    return (
        f"{stack!r} is not a stack name: Pulumi stack names are 1-100 characters of letters, digits, "
        "'-', '_' and '.'"
    )


# --- Names aidc derives from the names a user picks --------------------------------------------------------------
# Servers in one pool are numbered 0 … count-1 (Heat's %index%); sizing never plans more per pool.
MAX_SERVERS_PER_POOL = 10_000
_INDEX = str(MAX_SERVERS_PER_POOL - 1)
# Pulumi auto-names a physical name from the resource name plus "-" and 7 random hex characters.
_AUTONAME = "-0123456"

K8S_LABEL_SOURCE = "Kubernetes label values are at most 63 characters (kubernetes.io/docs/concepts/overview/working-with-objects/labels)"
_HOSTNAME = (
    "a host name label is at most 63 characters (RFC 1123); Nova derives the host name from the server "
    "name and K3s names the node after it"
)


@dataclass(frozen=True)
class NameRule:
    """A name aidc derives from a user's name, and the limit it must fit."""

    what: str
    template: str  # placeholders: {name}, {instance_type} (dots as dashes), {index}, {autoname}
    limit: int
    source: str

    def render(self, name: str, instance_type: str = "") -> str:
        return self.template.format(
            name=name, instance_type=instance_type.replace(".", "-"), index=_INDEX, autoname=_AUTONAME
        )


# A workload placed in the private cloud becomes a GPU pool of OpenStackPrivateCloud "private".
WORKLOAD_PRIVATE_NAMES: tuple[NameRule, ...] = (
    NameRule(
        "GPU pool name",
        "{name}",
        63,
        "a name handed to a component is a Slug, a DNS label of 1-63 characters (aidc/types.py)",
    ),
    NameRule("GPU server host name", "private-gpu-{name}-{index}", 63, _HOSTNAME),
    NameRule("aidc.io/workload label", "{name}", 63, K8S_LABEL_SOURCE),
)
# An edge site becomes the network "edge-<site>-net" and the K3s cluster "edge-<site>" (stacks/program.py).
SITE_NAMES: tuple[NameRule, ...] = (
    NameRule(
        "K3s cluster name",
        "edge-{name}",
        63,
        "a name handed to a component is a Slug, a DNS label of 1-63 characters (aidc/types.py)",
    ),
    NameRule("K3s server host name", "edge-{name}-server-2", 63, _HOSTNAME),
    NameRule("edge GPU node host name", "edge-{name}-gpu-{index}", 63, _HOSTNAME),
    NameRule(
        "K3s CA certificate common name",
        "k3s-server-ca@edge-{name}",
        64,
        "an X.509 common name is at most 64 characters (RFC 5280 ub-common-name)",
    ),
)


def name_problems(name: str, rules: Iterable[NameRule], instance_types: Iterable[str] = ("",)) -> list[str]:
    """One line per derived name that would not fit: the derived name, its length, the limit and its source."""
    problems: list[str] = []
    types = list(instance_types)
    for rule in rules:
        for instance_type in types if "{instance_type}" in rule.template else [""]:
            derived = rule.render(name, instance_type)
            if len(derived) > rule.limit:
                longest_name = rule.limit - (len(derived) - len(name))
                problems.append(
                    f"{name!r} is too long: it makes the {rule.what} {derived!r} ({len(derived)} characters; "
                    f"{rule.source}); use at most {max(longest_name, 1)} characters"
                )
                break
    return problems


# --- SSH public keys ------------------------------------------------------------------------------------------
# What Nova's key pairs take (nova/crypto.py loads the key with `cryptography`'s load_ssh_public_key): one line
# `TYPE BASE64 [COMMENT]` whose base64 blob starts with the length-prefixed TYPE (RFC 4253 §6.6, RFC 5656 §3.1,
# RFC 8709 §4). A refusal never shows the value: what was pasted may be a private key.
SSH_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
_SSH_KEY_LINE = re.compile(r"(?P<type>[a-z0-9-]+) (?P<blob>[A-Za-z0-9+/]+={0,2})(?: [\x20-\x7E]*)?", re.ASCII)


def ssh_public_key_problem(value: object) -> str | None:
    """Why `value` is not an OpenSSH public key Nova would take, or None; the message never quotes `value`."""
    from aidc.types import looks_like_private_key

    if not isinstance(value, str):
        return f"must be an OpenSSH public key (a string), got {type(value).__name__}"
    if looks_like_private_key(value) or "PuTTY-User-Key-File" in value:
        return (
            "this looks like a PRIVATE key (not shown here): give the public half, the one line of the .pub file "
            "(`ssh-keygen -y -f KEY` prints it), and treat the private key as leaked"
        )
    # One line; a single trailing newline (a YAML block scalar, the tls provider's output) is what Nova's
    # cryptography loader ignores too.
    line = value.removesuffix("\n")
    lines = line.splitlines()
    if len(lines) != 1 or line != lines[0]:
        return (
            f"must be one line `TYPE BASE64 [COMMENT]` (the .pub file's line), got {len(value):,} characters "
            f"on {max(len(lines), 1)} line(s)"
        )
    match = _SSH_KEY_LINE.fullmatch(line)
    if match is None or match["type"] not in SSH_KEY_TYPES:
        return (
            f"must be an OpenSSH public key line `TYPE BASE64 [COMMENT]` with TYPE one of {', '.join(SSH_KEY_TYPES)} "
            f"(got {len(value):,} characters that are not one; the value is not shown)"
        )
    try:
        blob = base64.b64decode(match["blob"], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        inner = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError, ValueError):
        inner = ""
    if inner != match["type"]:
        return (
            f"the key's base64 does not decode to a {match['type']} key (a cut or altered line?); paste the .pub "
            "file's line again"
        )
    return None


# --- Dates ----------------------------------------------------------------------------------------------------
# "Today" for rules about dates (a reservation may not start in the past): the UTC date, or AIDC_TODAY
# (YYYY-MM-DD) when set, so that tests and a replayed plan see a fixed day. Config validation can also be handed
# a day explicitly (parse_stack_config(..., today=...)).
TODAY_VARIABLE = "AIDC_TODAY"


def utc_today() -> datetime.date:
    # One reading of AIDC_TODAY for every date rule, support windows included (aidc/versions.py).
    from aidc.versions import today

    return today()
