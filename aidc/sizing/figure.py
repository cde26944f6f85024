"""A sized number and the reason it has its value.

Every figure the sizing engine produces is a `Figure`: the value, its unit, the formula that gave it and the
inputs that went into the formula, so `aidc size` can explain itself and reviewers can check the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """A value with its unit, formula and inputs."""

    value: float
    unit: str
    formula: str
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def int(self) -> int:
        """The value as an integer (for counts)."""
        return round(self.value)

    def explain(self) -> str:
        """`formula` with its inputs, for people."""
        if not self.inputs:
            return self.formula
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in self.inputs.items())
        return f"{self.formula}  [{shown}]"

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "formula": self.formula,
            "inputs": {k: v for k, v in self.inputs.items()},
        }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != 0 and (abs(value) >= 1e7 or abs(value) < 1e-3):
            return f"{value:.4g}"
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)
