"""Did-you-mean for names a user typed: keys, regions, instance types, accelerators (stdlib difflib only)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(value: object, choices: Iterable[str]) -> str | None:
    """The choice `value` most likely misspells, or None when none is close."""
    if not isinstance(value, str) or not value:
        return None
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return lowered[value.lower()]  # only the case differs
    found = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' when a choice is close to `value`, else ''."""
    match = closest(value, choices)
    return f"; did you mean {match!r}?" if match else ""
