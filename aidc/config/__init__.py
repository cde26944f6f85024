"""Stack configuration: the `aidc:*` keys of a Pulumi stack file, validated once into typed models.

`load_stack_config(path)` / `parse_stack_config(mapping)` are the only ways in; a bad value raises
`ConfigError` whose message names the key path and the allowed values. No Pulumi import here.

The names below load on first use (PEP 562), so a public cloud's settings model (aidc/clouds/<cloud>/settings.py),
which the config model loads, can import this package's leaf modules (limits, base) without a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aidc.config.load import (
        ConfigError,
        load_config_file,
        load_stack_config,
        parse_stack_config,
        stack_file,
    )
    from aidc.config.model import (
        Capacity,
        Demand,
        EdgeSettings,
        EdgeSite,
        InferenceDemand,
        K3sSettings,
        OpenStackSettings,
        PolicySettings,
        StackConfig,
        StorageDemand,
        TrainingDemand,
        TransferDemand,
        VpnSettings,
    )

_LOAD = ("ConfigError", "load_config_file", "load_stack_config", "parse_stack_config", "stack_file")
_MODEL = (
    "Capacity",
    "Demand",
    "EdgeSettings",
    "EdgeSite",
    "InferenceDemand",
    "K3sSettings",
    "OpenStackSettings",
    "PolicySettings",
    "StackConfig",
    "StorageDemand",
    "TrainingDemand",
    "TransferDemand",
    "VpnSettings",
)
__all__ = [
    "Capacity",
    "ConfigError",
    "Demand",
    "EdgeSettings",
    "EdgeSite",
    "InferenceDemand",
    "K3sSettings",
    "OpenStackSettings",
    "PolicySettings",
    "StackConfig",
    "StorageDemand",
    "TrainingDemand",
    "TransferDemand",
    "VpnSettings",
    "load_config_file",
    "load_stack_config",
    "parse_stack_config",
    "stack_file",
]


def __getattr__(name: str) -> Any:
    if name in _LOAD:
        return getattr(importlib.import_module("aidc.config.load"), name)
    if name in _MODEL:
        return getattr(importlib.import_module("aidc.config.model"), name)
    raise AttributeError(f"module 'aidc.config' has no attribute {name!r}")
