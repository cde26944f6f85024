"""Mock outputs for pulumi_openstack resources and invokes (engine camelCase keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks


def _doc_ip(seed: str, block: str = "203.0.113") -> str:
    """A documentation-range address (RFC 5737) derived from the resource's identity."""
    from aidc.mocks import stable_hex

    return f"{block}.{int(stable_hex(seed, length=4), 16) % 250 + 2}"


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    from aidc.mocks import stable_hex

    outputs = dict(args.inputs)
    rid = stable_hex(args.typ, args.name, length=32)
    uuid = f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}"
    if args.typ == "openstack:vpnaas/service:Service":
        # Neutron reports the router's external address as the VPN service's endpoint.
        outputs.setdefault("externalV4Ip", _doc_ip(args.name))
        outputs.setdefault("status", "ACTIVE")
    return uuid, outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    from aidc.mocks import stable_hex

    if args.token == "openstack:networking/getNetwork:getNetwork":
        name = str(args.args.get("name", "public"))
        rid = stable_hex("network", name, length=32)
        return {"id": f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}", "name": name, "external": True}
    return {}
