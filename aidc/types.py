"""Validated value types shared by the config models and the component Args: one slug rule, one CIDR rule.

Pure (pydantic only; no Pulumi, no sizing). A bad value fails the same way wherever it is used: a pydantic
ValidationError (a ValueError) whose `field_message` line names the field and what is allowed. Components
and config import these; nothing here may import either.

Names become parts of cloud resource names and Kubernetes label values, so a slug is a DNS label
(RFC 1123: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

# RESERVED_*: the namespaces and node pools the clusters use themselves (the contract's: the pack reads them too).
from aidc.contract import ADMIN_SOURCE_MIN_PREFIX, public_addresses
from aidc.contract import RESERVED_NAMESPACES as RESERVED_NAMESPACES
from aidc.contract import RESERVED_POOLS as RESERVED_POOLS

SLUG_PATTERN = r"^[a-z]([a-z0-9-]*[a-z0-9])?$"
# A DNS label and a Kubernetes label value are at most 63 characters.
SLUG_MAX = 63
# Names a user picks (workloads, edge sites, transfers) get prefixes and suffixes added on the way to a
# resource name ("edge-<site>-server-0", "<workload>-p6-b200-48xlarge"); 32 leaves room for them.
NAME_MAX = 32

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=SLUG_MAX)]
"""A lower-case DNS label: the one name rule for every resource-name part."""
Name = Annotated[Slug, StringConstraints(max_length=NAME_MAX)]
"""A user-chosen name (workload, site): a Slug of at most NAME_MAX characters."""


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a CIDR block (e.g. 10.0.0.0/16): {exc}") from None
    return value


def _ipv4_cidr(value: str) -> str:
    _cidr(value)
    if ipaddress.ip_network(value).version != 4:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block (e.g. 10.0.0.0/16)")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
"""An IPv4 or IPv6 network in CIDR notation, host bits zero (e.g. 10.0.0.0/16, 2001:db8::/32)."""
IPv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]
"""An IPv4 network in CIDR notation, host bits zero."""


# --- Identifiers AWS receives ----------------------------------------------------------------------------------
# Matched whole and in ASCII (re.fullmatch with re.ASCII): `$` alone admits a trailing newline, `\d` and `\w`
# admit Unicode digits and letters, and IAM, EKS and KMS refuse all of those.

# The partitions botocore's endpoints.json lists (aidc/config/limits.py AWS_PARTITIONS holds their regions;
# tests/config/test_identifiers.py checks the two agree).
AWS_PARTITION_NAMES = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)
# IAM's own grammar (botocore iam service model, 2010-05-08): pathType `/` or `/[\x21-\x7E]+/`, 1-512
# characters; roleNameType `[\w+=,.@-]+`, 1-64 characters (IAM's `\w` is ASCII: letters, digits, `_`);
# accountIdType 12 digits. A role ARN is arn:PARTITION:iam::ACCOUNT:role + path + name
# (docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
IAM_PATH_MAX = 512
IAM_ROLE_NAME_MAX = 64
IAM_ROLE_ARN = re.compile(
    r"arn:(?P<partition>[a-z][a-z-]*):iam::(?P<account>[0-9]{12}):role"
    r"(?P<path>/(?:[\x21-\x7E]*/)?)(?P<name>[A-Za-z0-9_+=,.@-]+)",
    re.ASCII,
)
# Kept for importers: the same grammar as a pattern string.
IAM_ROLE_ARN_PATTERN = IAM_ROLE_ARN.pattern
_STS_PREFIX = re.compile(r"arn:[a-z-]+:sts::", re.ASCII)


def shown(value: object, limit: int = 80) -> str:
    """`repr(value)`, cut to `limit` characters, and never a private key (see redact_key_material)."""
    text = redact_key_material(repr(value))
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(str(value)):,} characters)"


def iam_role_arn_problem(value: object) -> str | None:
    """Why `value` is not the ARN of an IAM role that IAM would accept, or None."""
    if not isinstance(value, str):
        return f"must be an IAM role ARN (a string), got {type(value).__name__}"
    if _STS_PREFIX.match(value):
        return (
            f"{shown(value)} is an STS session (assumed-role) ARN; name the IAM role itself, "
            "e.g. 'arn:aws:iam::123456789012:role/aidc-deploy'"
        )
    match = IAM_ROLE_ARN.fullmatch(value)
    if match is None:
        return (
            f"{shown(value)} is not an IAM role ARN: use 'arn:<partition>:iam::<12-digit account>:role/[path/]<name>' "
            "(name: letters, digits and +=,.@_-; path: printable ASCII between slashes), "
            "e.g. 'arn:aws:iam::123456789012:role/aidc-deploy'"
        )
    if match["partition"] not in AWS_PARTITION_NAMES:
        return f"{shown(value)}: unknown partition {match['partition']!r}; one of {', '.join(AWS_PARTITION_NAMES)}"
    if len(match["path"]) > IAM_PATH_MAX:
        return (
            f"{shown(value)}: the role's path is {len(match['path'])} characters; IAM allows at most {IAM_PATH_MAX} "
            "(iam pathType)"
        )
    if len(match["name"]) > IAM_ROLE_NAME_MAX:
        return (
            f"{shown(value)}: the role name is {len(match['name'])} characters; IAM allows at most "
            f"{IAM_ROLE_NAME_MAX} (iam roleNameType)"
        )
    return None


def arn_partition(arn: str) -> str:
    """The partition of an ARN already checked (arn:PARTITION:…)."""
    return arn.split(":", 2)[1]


def _iam_role_arn(value: str) -> str:
    if problem := iam_role_arn_problem(value):
        raise ValueError(problem)
    return value


IamRoleArn = Annotated[str, AfterValidator(_iam_role_arn)]
"""The ARN of an IAM role (not a user, not an STS session): the principals EKS access entries name."""

# An EKS add-on version as DescribeAddonVersions lists it: vMAJOR.MINOR.PATCH-eksbuild.BUILD, numbers without
# leading zeros (e.g. v1.19.0-eksbuild.1; the EKS User Guide's add-on tables).
EKS_ADDON_VERSION = re.compile(
    r"v(?:0|[1-9][0-9]{0,5})(?:\.(?:0|[1-9][0-9]{0,5})){2}-eksbuild\.[1-9][0-9]{0,5}", re.ASCII
)


def _eks_addon_version(value: str) -> str:
    if not isinstance(value, str) or not EKS_ADDON_VERSION.fullmatch(value):
        raise ValueError(
            f"must be an EKS add-on version 'vX.Y.Z-eksbuild.N' (e.g. v1.19.0-eksbuild.1), got {shown(value)}"
        )
    return value


EksAddonVersion = Annotated[str, AfterValidator(_eks_addon_version)]
"""An EKS managed add-on version, vX.Y.Z-eksbuild.N, matched whole in ASCII."""


# --- Secret material in messages ------------------------------------------------------------------------------
# A refusal goes to stderr and so to CI logs: it never carries a private key, whatever field it was pasted into.
# PEM and OpenSSH private keys (RFC 7468 labels ending in PRIVATE KEY; `openssh-key-v1` bodies start with
# b3BlbnNzaC1rZXktdjE), and PuTTY key files. A cut key (no END line) is redacted to the end of the text.
_KEY_MATERIAL = re.compile(
    r"-----BEGIN[ A-Z0-9]*PRIVATE KEY-----.*?(?:-----END[ A-Z0-9]*PRIVATE KEY-----|\Z)"
    r"|b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=\s\\]*"
    r"|PuTTY-User-Key-File-.*\Z",
    re.ASCII | re.DOTALL,
)
REDACTED = "[private key redacted]"


def looks_like_private_key(text: str) -> bool:
    return bool(_KEY_MATERIAL.search(text)) or "PRIVATE KEY" in text


def redact_key_material(text: str) -> str:
    """`text` with any private key in it replaced by REDACTED."""
    return _KEY_MATERIAL.sub(REDACTED, text)


class Frozen(BaseModel):
    """Base of validated, immutable records: unknown fields refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FrozenArgs(BaseModel):
    """Base of component Args: validated and immutable, and may hold Pulumi Inputs/Outputs and resources.

    Each field's attribute docstring becomes its description (use_attribute_docstrings)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, use_attribute_docstrings=True
    )

    def replace(self, **changes: Any) -> Self:
        """A validated copy with some fields changed (dataclasses.replace for Args; model_copy would not
        validate). Nested records, Outputs and resources are carried over as they are."""
        return self.model_validate({**dict(self), **changes})


FIELD_RULE = "field_rule"


def field_error(field: str, message: str) -> PydanticCustomError:
    """The fault of a cross-field rule (a model validator), attributed to `field`: a path below the model
    such as 'desired' or 'pools[1].name'. Raise it from a `model_validator`; `field_messages` then reports
    '<model path>.<field>: <message>', as if the field's own validator had refused it."""
    return PydanticCustomError(FIELD_RULE, "{field}: {message}", {"field": field, "message": message})


def _location(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif str(part).startswith(("function-", "literal[")) or "[" in str(part):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == SLUG_PATTERN:
        return (
            f"{shown(error.get('input'))} is not a name: use lower-case letters, digits and '-', "
            "starting with a letter and ending with a letter or digit"
        )
    if kind in ("tuple_type", "list_type", "sequence_str") and isinstance(error.get("input"), str):
        return f"must be a list, got the single string {shown(error.get('input'))}"
    if kind == "literal_error":
        return f"must be one of {error.get('ctx', {}).get('expected', '')}, got {shown(error.get('input'))}"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if kind in ("string_too_long", "greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{message.lower()}, got {shown(error.get('input'))}"
    return message


def _join(path: str, field: str) -> str:
    if not path:
        return field
    return f"{path}{field}" if field.startswith("[") else f"{path}.{field}"


def field_messages(exc: ValidationError, prefix: str = "") -> list[str]:
    """One 'field.path: message' line per fault of a pydantic ValidationError."""
    lines = []
    for error in exc.errors():
        where = _location(tuple(error.get("loc", ())))
        if error.get("type") == FIELD_RULE:
            context = error.get("ctx", {})
            where = _join(where, str(context.get("field", "")))
            error = {**error, "msg": str(context.get("message", error.get("msg", "")))}
        where = f"{prefix}.{where}" if prefix and where else (prefix or where)
        message = redact_key_material(_message(error))
        lines.append(f"{where}: {message}" if where else message)
    return sorted(set(lines), key=lines.index)


# --- How broad a source of admin traffic may be ---------------------------------------------------------------
# Admin ports (SSH, the Kubernetes API, etcd, kubelet) answer named networks only. A set of sources is judged by
# the union of its networks, never by how it is spelled: 0.0.0.0/1 + 128.0.0.0/1 is the whole IPv4 internet.
# The union is refused when it holds a block shorter than /8 (IPv4) or /32 (IPv6), or more publicly routable
# addresses than one such block: a /8 is the largest IPv4 block ever allocated to one organisation (a legacy
# class A), a /32 the standard IPv6 allocation to one network operator (RIPE-738). Addresses that are not
# publicly routable (the IANA special-purpose registries: RFC 1918, CGNAT, loopback, link-local, documentation,
# multicast, reserved; in IPv6 everything outside 2000::/3, and 2001:db8::/32) do not count, so
# 10.0.0.0/8 + 172.16.0.0/12 + 192.168.0.0/16 is allowed.
# The table of addresses that are not publicly routable lives in aidc/contract.py; policies/_common.py applies the
# same rule to what the program registers (tests/policies/test_cidr_union.py proves the two agree).
def admin_sources_problem(cidrs: Any) -> str | None:
    """Why this set of CIDRs is too broad a source of admin traffic (see the comment above), or None.
    Entries that are not CIDRs are left to the CIDR check."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except (TypeError, ValueError):
            continue
    for version, min_prefix in ADMIN_SOURCE_MIN_PREFIX.items():
        same_family: list[Any] = [n for n in networks if n.version == version]
        union = list(ipaddress.collapse_addresses(same_family))
        mine = [str(n) for n in networks if n.version == version]
        listed = f"{mine[0]}" if len(mine) == 1 else f"{', '.join(mine)} together"
        broad = [n for n in union if n.prefixlen < min_prefix]
        if broad:
            return (
                f"{listed} {'covers' if len(mine) == 1 else 'cover'} {broad[0]}, a block shorter than /{min_prefix}: admin ports must "
                "answer named networks only, never the internet or a large part of it"
            )
        public = sum(public_addresses(n) for n in union)
        bits = 32 if version == 4 else 128
        if public > 2 ** (bits - min_prefix):
            return (
                f"{listed} {'holds' if len(mine) == 1 else 'hold'} {public:,} publicly routable addresses, more than one /{min_prefix} "
                f"({2 ** (bits - min_prefix):,}): admin ports must answer named networks only"
            )
    return None


def _admin_sources(value: tuple[str, ...]) -> tuple[str, ...]:
    if problem := admin_sources_problem(value):
        raise ValueError(problem)
    return value


AdminCidrs = Annotated[tuple[Cidr, ...], AfterValidator(_admin_sources)]
"""CIDRs allowed to reach admin ports: each a CIDR, and together no broader than the rule above."""
