"""Pulumi mocks that return realistic provider outputs, used by `aidc plan` and by the tests.

`AidcMocks` dispatches on the type token's provider to one module per provider: the owned side's here
(`openstack:`, `kubernetes:`, `random:`, `tls:`), each public cloud's in its own folder (aidc/clouds/<cloud>/mocks.py,
loaded when the program first registers one of its resources); each returns engine-style camelCase outputs with plausible ids, ARNs and
documentation-range addresses (RFC 5737 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) so wiring is
visible in plans. Output values are deterministic: the same program gives the same plan, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from aidc.clouds import mocks_of, module_of
from aidc.contract import PUBLIC_CLOUDS
from aidc.mocks import k3s, kubernetes, openstack, random_, tls

STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass(frozen=True)
class StackOutputs:
    """The exports of a stack as a StackReference sees them: values, and which of them are secrets."""

    values: Mapping[str, Any]
    secret_names: frozenset[str] = frozenset()


_PROVIDERS: dict[str, Any] = {"openstack": openstack, "kubernetes": kubernetes, "random": random_, "tls": tls}


def _provider_module(provider: str) -> Any:
    """The mock module of a provider's type tokens; a public cloud's is loaded on first use."""
    module = _PROVIDERS.get(provider)
    if module is None and provider in PUBLIC_CLOUDS:
        module = _PROVIDERS[provider] = mocks_of(provider)
    return module


def stable_hex(*parts: str, length: int = 17) -> str:
    """A deterministic hex id from the resource's identity (not from a counter), so plans diff cleanly."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


class AidcMocks(pulumi.runtime.Mocks):
    """Mocks for every provider aidc uses; `registered` keeps each resource's args for inspection."""

    def __init__(
        self,
        regions: Mapping[str, str] | None = None,
        account_id: str = "123456789012",
        stack_outputs: Mapping[str, StackOutputs] | None = None,
    ) -> None:
        self.regions = dict(regions or {})
        self.account_id = account_id
        self.registered: list[pulumi.runtime.MockResourceArgs] = []
        self.calls: list[pulumi.runtime.MockCallArgs] = []  # the invokes, for inspection
        self.stack_outputs = dict(stack_outputs or {})

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args)
        if k3s.is_identity(args):
            return k3s.new_resource(args)
        provider = args.typ.split(":", 1)[0]
        module = _provider_module(provider)
        if module is None:  # components and unknown providers: echo the inputs
            return f"{args.name}-id", dict(args.inputs)
        return module.new_resource(self, args)

    def region_of(self, cloud: str) -> str:
        """The stack's region in a public cloud (aidc:<cloud>.region), or the cloud's default when none was given."""
        if cloud in self.regions:
            return self.regions[cloud]
        default: str = module_of(cloud, "settings").DEFAULT_REGION
        return default

    def _stack_reference(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """A StackReference resolves to the outputs of a stack planned earlier in this run (an estate's core):
        its values, and the names of the secret ones, so `get_output`/`require_output` keep them secret."""
        name = str(args.inputs.get("name") or args.name)
        if name not in self.stack_outputs:
            known = ", ".join(sorted(self.stack_outputs)) or "none"
            raise ValueError(f"StackReference {name!r}: no planned outputs for that stack (planned: {known})")
        outputs = self.stack_outputs[name]
        return name, {
            "name": name,
            "outputs": dict(outputs.values),
            "secretOutputNames": sorted(outputs.secret_names),
        }

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args)
        provider = args.token.split(":", 1)[0]
        module = _provider_module(provider)
        # The engine iterates the failures list, so it must be a list (empty), never None.
        if module is None:
            return {}, []
        return module.call(self, args), []
