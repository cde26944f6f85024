"""Stack configuration: the `aidc:*` keys of a Pulumi stack file, validated once into typed models.

`load_stack_config(path)` / `parse_stack_config(mapping)` are the only ways in; a bad value raises
`ConfigError` whose message names the key path and the allowed values. No Pulumi import here.
"""

from aidc.config.load import ConfigError, load_config_file, load_stack_config, parse_stack_config, stack_file
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
