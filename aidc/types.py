"""Validated value types shared by the config models and the component Args: one slug rule, one CIDR rule.

Pure (pydantic only; no Pulumi, no sizing). A bad value fails the same way wherever it is used: a pydantic
ValidationError (a ValueError) whose `field_message` line names the field and what is allowed. Components
and config import these; nothing here may import either.

Names become parts of cloud resource names and Kubernetes label values, so a slug is a DNS label
(RFC 1123: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

SLUG_PATTERN = r"^[a-z]([a-z0-9-]*[a-z0-9])?$"
# A DNS label and a Kubernetes label value are at most 63 characters.
SLUG_MAX = 63
# Names a user picks (workloads, edge sites, transfers) get prefixes and suffixes added on the way to a
# resource name ("edge-<site>-server-0", "<workload>-p6-b200-48xlarge"); 32 leaves room for them.
NAME_MAX = 32

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=SLUG_MAX)]
"""A lower-case DNS label: the one name rule for every resource-name part."""
Name = Annotated[Slug, StringConstraints(max_length=NAME_MAX)]
"""A name a user picks in config: a Slug short enough to take the suffixes resource names add."""


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


class Frozen(BaseModel):
    """Base of validated, immutable records: unknown fields refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FrozenArgs(BaseModel):
    """Base of component Args: validated and immutable, and may hold Pulumi Inputs/Outputs and resources."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


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
            f"{error.get('input')!r} is not a name: use lower-case letters, digits and '-', "
            "starting with a letter and ending with a letter or digit"
        )
    if kind == "literal_error":
        return f"must be one of {error.get('ctx', {}).get('expected', '')}, got {error.get('input')!r}"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if kind in ("string_too_long", "greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{message.lower()}, got {error.get('input')!r}"
    return message


def field_messages(exc: ValidationError, prefix: str = "") -> list[str]:
    """One 'field.path: message' line per fault of a pydantic ValidationError."""
    lines = []
    for error in exc.errors():
        where = _location(tuple(error.get("loc", ())))
        where = f"{prefix}.{where}" if prefix and where else (prefix or where)
        lines.append(f"{where}: {_message(error)}" if where else _message(error))
    return sorted(set(lines), key=lines.index)
