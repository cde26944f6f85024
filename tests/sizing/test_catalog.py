"""Every catalog fact carries its source and date, and entries are built by keyword."""

from __future__ import annotations

import dataclasses
import re

import pytest

from aidc.catalog import (
    ACCELERATORS,
    FACTS,
    INSTANCE_TYPES,
    MFU_BY_SCALE,
    MODEL_SHAPES,
    Accelerator,
    InstanceType,
)
from aidc.clouds.aws.catalog import SERVICE_PRICES as AWS_SERVICE_PRICES
from aidc.contract import PUBLIC_CLOUDS

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
        assert instance.cloud in PUBLIC_CLOUDS and instance.accelerator in ACCELERATORS
        assert instance.source and DATE.match(instance.as_of), instance.name
    for price in AWS_SERVICE_PRICES.values():
        assert price.source.startswith(("https://aws.amazon.com/", "AWS Price List")), price.key
        assert DATE.match(price.as_of), price.key


def test_sizing_facts_and_model_shapes_have_sources_and_dates() -> None:
    for key in (
        "serving_memory_overhead",
        "kv_cache_bytes_per_value",
        "decode_bandwidth_efficiency",
        "serving_compute_efficiency",
        "serving_prompt_tokens",
        "serving_output_tokens",
        "serving_max_sequences",
        "training_sequence_tokens",
        "training_bytes_per_param",
        "training_memory_margin",
        "nvme_write_mb_per_s",
        "server_capex_usd",
        "storage_host_capex_usd",
        "server_power_kw",
        "nvme_capex_usd_per_tb",
        "nvme_power_kw",
    ):
        fact = FACTS[key]
        assert fact.value > 0 and fact.unit and len(fact.source) > 40, key
        assert DATE.match(fact.as_of), key
    assert FACTS["training_bytes_per_param"].value == 16  # ZeRO: 2 + 2 + 12
    for shape in MODEL_SHAPES:
        assert "arXiv:2407.21783" in shape.source and DATE.match(shape.as_of), shape.name
        # Llama 3: head dimension 128 and 8 KV heads at every size (Table 3).
        assert (shape.kv_heads, shape.head_dim) == (8, 128), shape.name
    assert [(s.params, s.layers, s.model_dim) for s in MODEL_SHAPES] == [
        (8e9, 32, 4096),
        (70e9, 80, 8192),
        (405e9, 126, 16384),
    ]


def test_mfu_tiers_rise_in_gpus_fall_in_mfu_and_cite_published_runs() -> None:
    assert [t.max_gpus for t in MFU_BY_SCALE] == sorted(t.max_gpus for t in MFU_BY_SCALE)
    assert [t.mfu for t in MFU_BY_SCALE] == sorted((t.mfu for t in MFU_BY_SCALE), reverse=True)
    assert MFU_BY_SCALE[-1].max_gpus == float("inf")
    for tier in MFU_BY_SCALE:
        assert 0.35 <= tier.mfu <= 0.45 and "arXiv:2407.21783" in tier.source and DATE.match(tier.as_of)
