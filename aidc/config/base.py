"""What every config model shares: the frozen, strict pydantic base and the CIDR check.

Imported by aidc/config/model.py and by each public cloud's settings model (aidc/clouds/<name>/settings.py), which
model.py loads, so this module imports nothing of aidc.config but limits.
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every config model: unknown keys refused, immutable, finite numbers only."""

    # allow_inf_nan=False: .inf, -.inf and .nan (or 1e400, which YAML reads as inf) are refused everywhere.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def check_cidr(value: str, version: int | None = None, shortest: int = 0, longest: int = 128) -> str:
    """`value` if it is a CIDR block (host bits zero) of `version` with a prefix in [shortest, longest]."""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a CIDR block (e.g. 10.0.0.0/16): {exc}") from None
    if version is not None and network.version != version:
        raise ValueError(f"{value!r} is not an IPv{version} CIDR block (e.g. 10.0.0.0/16)")
    if network.prefixlen > longest:
        raise ValueError(f"{value!r} is too small: the prefix may be at most /{longest}")
    if network.prefixlen < shortest:
        raise ValueError(f"{value!r} is too large: the prefix must be /{shortest} to /{longest}")
    return value
