"""Helpers for the Args tests: a bad Arg is refused with a pydantic ValidationError (a ValueError) when the Args
object is constructed, and `field_messages` names the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from aidc.types import field_messages


def refusal(build: Callable[[], object]) -> list[str]:
    """The 'field: message' lines of the ValidationError `build()` raises; fails if it raises none."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert isinstance(caught.value, ValueError), "callers that catch ValueError must keep working"
    return field_messages(caught.value)


def assert_refused(build: Callable[[], object], field: str, *, says: str = "") -> list[str]:
    """`build()` is refused with a message for `field` (a path such as 'pools[0].name') containing `says`."""
    lines = refusal(build)
    mine = [line for line in lines if line.startswith(f"{field}: ")]
    assert mine, f"no message for {field!r} in {lines}"
    assert any(says in line for line in mine), f"{says!r} not in {mine}"
    return mine


def data(model: BaseModel, **changes: Any) -> dict[str, Any]:
    """The fields of a record as a dict, changed: passed inside Args, it is validated there (full field path)."""
    return {**model.model_dump(), **changes}


def changed(model: BaseModel, **changes: Any) -> Any:
    """A validated copy of a record with some fields changed (model_copy would not validate)."""
    return type(model).model_validate(data(model, **changes))
