"""Building blocks shared by the component Args: Pulumi input types and the rules several components apply.

Pure validation (pydantic, plus pulumi's Output class for isinstance checks); no resource is declared here.
The value types every Args builds on (Slug, Cidr, IPv4Cidr, FrozenArgs, field_error) live in aidc/types.py;
a rule only one component has stays in that component's module.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import pulumi
from pydantic import AfterValidator, PlainValidator

from aidc.types import Cidr, IPv4Cidr, shown


def _str_input(value: Any) -> Any:
    if isinstance(value, (str, pulumi.Output)):
        return value
    raise ValueError(f"must be a string or a pulumi Output of one, got {type(value).__name__}")


def _str_list_input(value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        return value
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"must be a list of strings or a pulumi Output of one, got {type(value).__name__}")
    for item in value:
        _str_input(item)
    return value


# pulumi.Input spells its Output branch as a forward reference pydantic cannot resolve, so these say the same
# without it (awaitables are not used as inputs here). The value is kept as given: a list stays a list.
StrInput = Annotated[str | pulumi.Output[str], PlainValidator(_str_input)]
"""A string or an Output of one."""
StrListInput = Annotated[
    pulumi.Output[list[str]] | Sequence[str | pulumi.Output[str]], PlainValidator(_str_list_input)
]
"""An Output of a list of strings, or a list whose items are strings or Outputs of strings."""


LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]
"""The values CloudWatch Logs accepts for a log group's retention in days (PutRetentionPolicy)."""


def matching(pattern: str, allowed: str) -> AfterValidator:
    """A string rule: the value must match `pattern` whole, in ASCII (re.fullmatch, re.ASCII: `$` alone admits a
    trailing newline, `\\d` Unicode digits); the message says what is `allowed`."""
    compiled = re.compile(pattern, re.ASCII)

    def check(value: str) -> str:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"must be {allowed}, got {shown(value)}")
        return value

    return AfterValidator(check)


def prefix_length(shortest: int, longest: int) -> AfterValidator:
    """A CIDR rule: the prefix length must be /shortest../longest (the value is already a valid CIDR)."""

    def check(value: str) -> str:
        if not shortest <= ipaddress.ip_network(value).prefixlen <= longest:
            raise ValueError(f"prefix length must be /{shortest}../{longest}, got {value!r}")
        return value

    return AfterValidator(check)


def _not_everyone(value: str) -> str:
    if ipaddress.ip_network(value).prefixlen == 0:
        raise ValueError(f"{value!r} is the whole internet; name the networks that need access")
    return value


SourceCidr = Annotated[Cidr, AfterValidator(_not_everyone)]
"""An IPv4 or IPv6 network allowed to reach an endpoint: never /0."""
IPv4SourceCidr = Annotated[IPv4Cidr, AfterValidator(_not_everyone)]
"""An IPv4 network allowed to reach an endpoint: never /0."""


def distinct(values: Sequence[Any]) -> Sequence[Any]:
    """A list rule: no entry may repeat an earlier one."""
    index = first_repeat(values)
    if index is not None:
        raise ValueError(f"lists {values[index]!r} more than once; entries must be distinct")
    return values


def first_repeat(values: Sequence[Any]) -> int | None:
    """The index of the first value equal to an earlier one, or None."""
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def _labels(labels: Mapping[str, str]) -> Mapping[str, str]:
    for key, value in labels.items():
        if not LABEL_KEY.match(key) or not LABEL_VALUE.match(value):
            raise ValueError(
                f"{key}={value} is not a valid Kubernetes label: the key is [prefix/]name, name and value "
                "up to 63 of [A-Za-z0-9-_.] starting and ending with a letter or digit"
            )
    return labels


NodeLabels = Annotated[dict[str, str], AfterValidator(_labels)]
"""Kubernetes node labels: valid label keys and values."""
