"""Naming helpers shared by the components: a child-name part derived from a value, never from a list index.

Pure functions without Pulumi resources; safe for any component to import.
"""

from __future__ import annotations

import ipaddress


def cidr_slug(cidr: str) -> str:
    """'10.20.0.0/16' -> '10-20-0-0-16': a name part derived from the CIDR, never from a list index."""
    return str(ipaddress.ip_network(cidr, strict=False)).replace(".", "-").replace(":", "-").replace("/", "-")
