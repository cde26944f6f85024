"""Small helpers shared by the AWS-side components: slugs, CIDR checks and child-resource naming.

Pure functions without Pulumi resources; safe for any component to import.
"""

from __future__ import annotations

import ipaddress
import re

SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")


def check_slug(field: str, value: str) -> None:
    """Raise ValueError unless `value` is a lower-case slug usable in resource names."""
    if not isinstance(value, str) or not SLUG.match(value):
        raise ValueError(f"{field}: must be a lower-case slug [a-z0-9-] of 1-32 characters, got {value!r}")


def check_ipv4_cidr(
    field: str, value: str, *, min_prefix: int = 0, max_prefix: int = 32
) -> ipaddress.IPv4Network:
    """Parse an IPv4 CIDR or raise ValueError naming the field and the allowed prefix range."""
    try:
        network = ipaddress.ip_network(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be an IPv4 CIDR such as '10.0.0.0/16', got {value!r}") from exc
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{field}: must be an IPv4 CIDR, got {value!r}")
    if not min_prefix <= network.prefixlen <= max_prefix:
        raise ValueError(f"{field}: prefix length must be /{min_prefix}../{max_prefix}, got {value!r}")
    return network


def cidr_slug(cidr: str) -> str:
    """'10.20.0.0/16' -> '10-20-0-0-16': a name part derived from the CIDR, never from a list index."""
    return str(ipaddress.ip_network(cidr, strict=False)).replace(".", "-").replace(":", "-").replace("/", "-")
