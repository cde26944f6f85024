"""The public clouds behind one interface: each registered cloud's modules, loaded by name when asked.

A cloud is registered by its name in `aidc.contract.PublicCloud`; its pieces are modules found by that name
(aidc/clouds/base.py lists them and the shape each provides). Nothing here imports a cloud's SDK: the catalog and
settings modules are data and pydantic models, loaded for every registered cloud (config validates any of them);
the cost, reservation, preflight and mock modules load when a plan uses the cloud; its program module
(stacks/clouds/<name>.py, the one that imports its Pulumi SDK) loads only when the stack declares it
(tests/clouds/test_registry.py checks that a stack without a cloud never imports its SDK).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING, cast

from aidc.contract import PUBLIC_CLOUDS

if TYPE_CHECKING:
    from aidc.clouds.base import (
        CloudCost,
        CloudInterconnect,
        CloudMocks,
        CloudPreflight,
        CloudPriceList,
        CloudReservations,
    )

PARTS = ("catalog", "settings", "cost", "reservations", "preflight", "mocks", "pricelist")


def module_of(cloud: str, part: str) -> ModuleType:
    """aidc/clouds/<cloud>/<part>.py of a registered cloud."""
    if cloud not in PUBLIC_CLOUDS:
        raise ValueError(f"unknown public cloud {cloud!r}; registered: {', '.join(PUBLIC_CLOUDS)}")
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r} of a public cloud; parts: {', '.join(PARTS)}")
    return importlib.import_module(f"aidc.clouds.{cloud}.{part}")


def interconnect_of(cloud: str) -> CloudInterconnect | None:
    """The cloud's interconnect sizing (aidc/clouds/<cloud>/interconnect.py), if it has its own module."""
    if cloud not in PUBLIC_CLOUDS:
        raise ValueError(f"unknown public cloud {cloud!r}; registered: {', '.join(PUBLIC_CLOUDS)}")
    name = f"aidc.clouds.{cloud}.interconnect"
    if importlib.util.find_spec(name) is None:
        return None
    return cast("CloudInterconnect", importlib.import_module(name))


def catalog_of(cloud: str) -> ModuleType:
    """The cloud's catalog module: INSTANCE_TYPES, PRICE_LIST, SERVICE_PRICES, TRANSFER_PRICES."""
    return module_of(cloud, "catalog")


def cost_of(cloud: str) -> CloudCost:
    return cast("CloudCost", module_of(cloud, "cost"))


def reservations_of(cloud: str) -> CloudReservations:
    return cast("CloudReservations", module_of(cloud, "reservations"))


def preflight_of(cloud: str) -> CloudPreflight:
    return cast("CloudPreflight", module_of(cloud, "preflight"))


def mocks_of(cloud: str) -> CloudMocks:
    return cast("CloudMocks", module_of(cloud, "mocks"))


def pricelist_of(cloud: str) -> CloudPriceList:
    """The cloud's price-list client (aidc/clouds/<cloud>/pricelist.py), for `aidc catalog refresh`."""
    return cast("CloudPriceList", module_of(cloud, "pricelist"))


__all__ = [
    "PARTS",
    "PUBLIC_CLOUDS",
    "catalog_of",
    "cost_of",
    "mocks_of",
    "module_of",
    "preflight_of",
    "pricelist_of",
]
