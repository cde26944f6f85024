"""Mock outputs for pulumi_random resources and invokes (engine camelCase keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    from aidc.mocks import stable_hex

    return f"{args.name}-{stable_hex(args.typ, args.name)[:8]}", dict(args.inputs)


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    return {}
