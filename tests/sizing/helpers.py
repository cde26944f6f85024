"""Building StackConfigs for sizing tests from small dicts."""

from __future__ import annotations

from typing import Any

from aidc.config import StackConfig, parse_stack_config


def stack(
    demand: dict[str, Any] | None = None, capacity: dict[str, Any] | None = None, **other: Any
) -> StackConfig:
    values: dict[str, Any] = {"aidc:demand": demand or {}}
    if capacity is not None:
        values["aidc:capacity"] = capacity
    for key, value in other.items():
        values[f"aidc:{key}"] = value
    return parse_stack_config(values, stack="test")
