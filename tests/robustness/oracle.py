"""The oracle of the robustness suite: what a stack that `aidc` accepted (exit 0) must satisfy, checked with
code independent of the config model where it can be — the documented cloud limits read from botocore's own
data, Python's ipaddress, and the figures the plan reports. A config aidc accepts but a cloud would refuse makes
`limits_broken` return the reasons."""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata
from functools import cache
from typing import Any

import botocore.loaders

# Documented limits (sources in aidc/config/limits.py and the README's "Limits and errors").
TAGS_PER_RESOURCE, AIDC_TAGS = 50, 8
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
HOST_LABEL_MAX, K8S_LABEL_MAX, EKS_NODEGROUP_MAX, COMPONENT_SLUG_MAX = 63, 63, 63, 32
MAX_SERVERS_PER_POOL = 10_000
# Constructs Go's regexp refuses, spotted without a parser (a subset is enough for an oracle).
_NOT_RE2 = re.compile(r"\(\?[=!>#(]|\(\?<[=!]|\(\?P=|\\[1-9]|\\[ZGK]|[*+?}][+]")


@cache
def aws_regions() -> frozenset[str]:
    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    return frozenset(r for p in endpoints["partitions"] for r in p["regions"])


@cache
def ec2_instance_types() -> frozenset[str]:
    model = botocore.loaders.create_loader().load_service_model("ec2", "service-2")
    return frozenset(model["shapes"]["InstanceType"]["enum"])


def _tag_text_ok(text: str) -> bool:
    # IAM tagKeyType / tagValueType: [\p{L}\p{Z}\p{N}_.:/=+\-@]
    return all(c in "_.:/=+-@" or unicodedata.category(c)[0] in "LZN" for c in text)


def _finite_numbers(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        out.append(f"{path}: non-finite number {value}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _finite_numbers(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _finite_numbers(item, f"{path}[{index}]", out)


def _too_broad(cidrs: list[str]) -> bool:
    """Any union of admin sources holding a block wider than a /8 (IPv4) or /32 (IPv6)."""
    networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    for version, shortest in ((4, 8), (6, 32)):
        family = [n for n in networks if n.version == version]
        if any(n.prefixlen < shortest for n in ipaddress.collapse_addresses(family)):  # type: ignore[type-var]
            return True
    return False


def limits_broken(config: dict[str, Any], stack: str, plan: dict[str, Any]) -> list[str]:
    """Why a stack aidc accepted would be refused by a cloud (empty when it would not). `config` is the
    `config:` mapping as written, `plan` the `aidc size --json` document."""
    broken: list[str] = []
    if not STACK_NAME.fullmatch(stack):
        broken.append(f"stack name {stack!r}")
    _finite_numbers(config, "config", broken)
    region = config.get("aws:region", "us-east-1")
    if region not in aws_regions():
        broken.append(f"region {region!r}")
    aws = config.get("aidc:aws") or {}
    for zone in aws.get("azs") or []:
        if not (
            isinstance(zone, str) and zone.startswith(region) and re.fullmatch(r"[a-z]", zone[len(region) :])
        ):
            broken.append(f"zone {zone!r} outside {region}")
    if aws.get("system_instance_type", "m6i.large") not in ec2_instance_types():
        broken.append(f"instance type {aws.get('system_instance_type')!r}")
    tags = aws.get("tags") or {}
    if len(tags) + AIDC_TAGS > TAGS_PER_RESOURCE:
        broken.append(f"{len(tags)} tags")
    for key, value in tags.items():
        if not (
            1 <= len(key) <= 128 and len(str(value)) <= 256 and _tag_text_ok(key) and _tag_text_ok(str(value))
        ):
            broken.append(f"tag {key!r}")
        if key.lower().startswith("aws:") or str(value).lower().startswith("aws:"):
            broken.append(f"tag {key!r} uses the aws: prefix")
    if _too_broad(list(aws.get("public_access_cidrs") or [])):
        broken.append("EKS public access CIDRs too broad")
    openstack = config.get("aidc:openstack") or {}
    if _too_broad(list(openstack.get("admin_cidrs") or [])):
        broken.append("admin CIDRs too broad")
    device_filter = (config.get("aidc:ceph") or {}).get("device_filter", "^nvme")
    if _NOT_RE2.search(device_filter):
        broken.append(f"device filter {device_filter!r} is no Go regexp")
    # Names derived from the plan's own groups.
    for group in plan.get("placement", {}).get("public", []):
        name = f"{group.get('workload')}-{str(group.get('instance_type', '')).replace('.', '-')}"
        if len(name) > COMPONENT_SLUG_MAX or len(f"aws-ng-{name}-0123456") > EKS_NODEGROUP_MAX:
            broken.append(f"node group {name!r}")
        if len(str(group.get("workload", ""))) > K8S_LABEL_MAX:
            broken.append(f"label {group.get('workload')!r}")
    for group in plan.get("placement", {}).get("private", []):
        servers = int(group.get("servers", 0))
        if (
            servers > MAX_SERVERS_PER_POOL
            or len(f"private-gpu-{group.get('workload')}-{servers}") > HOST_LABEL_MAX
        ):
            broken.append(f"private pool {group.get('workload')!r}")
    storage = plan.get("storage", {})
    if int(storage.get("hosts", 0)) > MAX_SERVERS_PER_POOL:
        broken.append(f"{storage.get('hosts')} Ceph hosts")
    for site in plan.get("edge", {}).get("sites", []):
        if (
            isinstance(site, dict)
            and len(f"edge-{site.get('name')}-gpu-{MAX_SERVERS_PER_POOL}") > HOST_LABEL_MAX
        ):
            broken.append(f"edge site {site.get('name')!r}")
    return broken
