"""Every catalog fact carries its source and date, and entries are built by keyword."""

from __future__ import annotations

import dataclasses
import re

import pytest

from aidc.catalog import ACCELERATORS, AWS_SERVICE_PRICES, INSTANCE_TYPES, Accelerator, InstanceType

DATE = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")


@pytest.mark.parametrize("key", sorted(ACCELERATORS))
def test_accelerator_costs_have_sources_and_dates(key: str) -> None:
    accelerator = ACCELERATORS[key]
    assert accelerator.capex_usd_per_gpu > 0 and accelerator.power_kw_per_gpu > 0
    assert len(accelerator.capex_source) > 20, key
    assert len(accelerator.power_source) > 20, key
    assert DATE.match(accelerator.costs_as_of), accelerator.costs_as_of
    assert DATE.match(accelerator.as_of), accelerator.as_of


def test_entries_take_keywords_only() -> None:
    fields = [f.name for f in dataclasses.fields(Accelerator)]
    with pytest.raises(TypeError):
        Accelerator(*["x"] * len(fields))  # type: ignore[misc]
    with pytest.raises(TypeError):
        InstanceType(*["x"] * len(dataclasses.fields(InstanceType)))  # type: ignore[misc]


def test_instance_types_and_service_prices_have_sources() -> None:
    for instance in INSTANCE_TYPES.values():
        assert instance.cloud == "aws" and instance.accelerator in ACCELERATORS
        assert instance.source and DATE.match(instance.as_of), instance.name
    for price in AWS_SERVICE_PRICES.values():
        assert price.source.startswith("https://aws.amazon.com/") and DATE.match(price.as_of), price.key
