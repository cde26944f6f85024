"""Config validation of the keys that describe a served model and the checkpoint target: a bad value is one
line naming the key path and what is allowed; defaults are the stated ones."""

from __future__ import annotations

from typing import Any

import pytest

from aidc.config import ConfigError, parse_stack_config

BASE = {"name": "chat", "peak_tokens_per_s": 1000, "accelerator": "h100-80gb", "model_params": 7e9}


def _inference(**changes: Any) -> dict[str, Any]:
    workload = {**BASE, **changes}
    return {"aidc:demand": {"inference": [{k: v for k, v in workload.items() if v is not None}]}}


def test_defaults_are_the_stated_ones() -> None:
    w = parse_stack_config(_inference()).demand.inference[0]
    assert (w.weight_precision, w.kv_precision, w.context_tokens, w.concurrent_sequences) == (
        "bf16",
        "bf16",
        8192,
        256,
    )
    # Averages default to the MLPerf Llama 2 70B dataset's (aidc/catalog.py FACTS, with their sources).
    assert (w.prompt_tokens, w.output_tokens, w.average_tokens) == (None, None, (222.0, 294.0))
    short = parse_stack_config(_inference(context_tokens=258)).demand.inference[0]
    assert short.average_tokens == pytest.approx((111.0, 147.0))  # scaled to fit the context
    given = parse_stack_config(_inference(context_tokens=1000, prompt_tokens=900)).demand.inference[0]
    assert given.average_tokens == (900, 100)  # the given prompt stays; the default answer shrinks to fit
    assert w.tokens_per_s_per_gpu is None  # optional now: estimated and flagged when absent
    assert (w.layers, w.kv_heads, w.head_dim) == (None, None, None)
    storage = parse_stack_config({}).demand.storage
    assert (storage.checkpoint_write_minutes, storage.drive_write_mb_per_s) == (5.0, None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            _inference(weight_precision="fp16"),
            "aidc:demand.inference[0].weight_precision: must be one of 'bf16', 'fp8', 'int8' or 'int4', got 'fp16'",
        ),
        (
            _inference(kv_precision="int4"),
            "aidc:demand.inference[0].kv_precision: must be one of 'bf16' or 'fp8', got 'int4'",
        ),
        (
            _inference(context_tokens=1000, prompt_tokens=800, output_tokens=300),
            "aidc:demand.inference[0]: prompt_tokens + output_tokens: averages (800 + 300) cannot exceed "
            "context_tokens (1000), the most one sequence reaches",
        ),
        (
            _inference(context_tokens=1000, prompt_tokens=1000),
            "aidc:demand.inference[0]: output_tokens: prompt_tokens (1000) leaves no room in context_tokens (1000) "
            "for an answer",
        ),
        (_inference(model_params=None), "aidc:demand.inference[0].model_params: required key is missing"),
        (
            _inference(model_params=0),
            "aidc:demand.inference[0].model_params: input should be greater than or equal to 1, got 0",
        ),
        (
            _inference(concurrent_sequences=0),
            "aidc:demand.inference[0].concurrent_sequences: input should be greater than or equal to 1, got 0",
        ),
        (
            _inference(context_tokens=-8),
            "aidc:demand.inference[0].context_tokens: input should be greater than or equal to 1, got -8",
        ),
        (
            _inference(kv_heads=0),
            "aidc:demand.inference[0].kv_heads: input should be greater than or equal to 1, got 0",
        ),
        (
            _inference(tokens_per_s_per_gpu=-1),
            "aidc:demand.inference[0].tokens_per_s_per_gpu: input should be greater than or equal to 0.01, got -1",
        ),
        (
            {"aidc:demand": {"storage": {"checkpoint_write_minutes": 0}}},
            "aidc:demand.storage.checkpoint_write_minutes: input should be greater than or equal to 0.1, got 0",
        ),
        (
            {"aidc:demand": {"storage": {"checkpoint_write_minutes": 2000}}},
            "aidc:demand.storage.checkpoint_write_minutes: input should be less than or equal to 1440, got 2000",
        ),
        (
            {"aidc:demand": {"storage": {"drive_write_mb_per_s": -5}}},
            "aidc:demand.storage.drive_write_mb_per_s: input should be greater than or equal to 1, got -5",
        ),
        (
            _inference(model_size="70B"),
            # The closest key, then every allowed one (a list that grows: compared up to its first name).
            "aidc:demand.inference[0].model_size: unknown key; did you mean 'model_params'? allowed here: name, …",
        ),
    ],
)
def test_bad_values_name_the_key_path_and_the_allowed_values(values: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values)
    if expected.endswith("…"):
        assert len(info.value.problems) == 1 and info.value.problems[0].startswith(expected[:-1])
    else:
        assert info.value.problems == [expected]
