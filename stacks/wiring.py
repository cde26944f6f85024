"""Wires: values one component produces that Args built earlier consume (deferred outputs), always resolved.

The program builds — and so validates — every component's Args before it declares the first resource; Args that
need a later component's output (the GPU pools need the core cluster's join data, the VPN needs the VPC) take a
`Wire`'s output, connected as soon as the producer exists. If construction stops, `Wires.guard` resolves every
unconnected wire with the error, so nothing waits for ever on a component that was never built.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pulumi


class Wire:
    """A value one component produces that Args built earlier consume (a deferred output)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.output: pulumi.Output[Any]
        self.output, self._resolve = pulumi.deferred_output()
        self.resolved = False

    def connect(self, value: pulumi.Input[Any]) -> None:
        self._resolve(pulumi.Output.from_input(value))
        self.resolved = True

    def fail(self, error: BaseException) -> None:
        """Resolve with the error that stopped construction, so nothing waits for ever on a component that
        was never built, and whoever awaits this wire sees that same error."""

        def refuse(_: object) -> None:
            raise error

        self.connect(pulumi.Output.from_input(None).apply(refuse))


class Wires:
    def __init__(self) -> None:
        self._all: list[Wire] = []

    def new(self, what: str) -> Wire:
        wire = Wire(what)
        self._all.append(wire)
        return wire

    @contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except BaseException as exc:
            for wire in self._all:
                if not wire.resolved:
                    wire.fail(exc)
            raise


def connect(wires: dict[str, Wire], source: Any) -> None:
    """Connect each wire to the attribute of `source` it is named after."""
    for key, wire in wires.items():
        wire.connect(getattr(source, key))
