"""Mock outputs for pulumi_random resources and invokes (engine camelCase keys).

`RandomPassword.result` / `RandomString.result` are derived from the resource's type+name (never real
randomness) and honour the character-class inputs (upper, lower, numeric/number, special, override_special),
so a component's rules on its secrets (e.g. AWS PSKs: letters, digits, '.', '_', no leading '0') are exercised.
`result` and `bcryptHash` of RandomPassword are returned as secrets, as the real provider marks them.
"""

from __future__ import annotations

import hashlib
import string
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.runtime import rpc

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks

_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"


def _secret(value: Any) -> dict[str, Any]:
    """The engine's wire form of a secret: the mock monitor deserialises it as a secret Output."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _alphabet(inputs: dict[str, Any]) -> str:
    chars = ""
    if inputs.get("upper", True):
        chars += string.ascii_uppercase
    if inputs.get("lower", True):
        chars += string.ascii_lowercase
    if inputs.get("numeric", inputs.get("number", True)):
        chars += string.digits
    if inputs.get("special", True):
        chars += inputs.get("overrideSpecial") or _DEFAULT_SPECIAL
    return chars or string.ascii_letters


def deterministic_result(typ: str, name: str, inputs: dict[str, Any]) -> str:
    """The `result` the mock gives a random resource: a keyed hash stream mapped onto the allowed alphabet."""
    length = int(inputs.get("length", 16))
    alphabet = _alphabet(inputs)
    out: list[str] = []
    counter = 0
    while len(out) < length:
        block = hashlib.sha256(f"{typ}/{name}/{counter}".encode()).digest()
        out.extend(alphabet[byte % len(alphabet)] for byte in block)
        counter += 1
    return "".join(out[:length])


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    from aidc.mocks import stable_hex

    outputs = dict(args.inputs)
    if args.typ in ("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"):
        result = deterministic_result(args.typ, args.name, outputs)
        if args.typ.endswith("RandomPassword"):
            outputs["result"] = _secret(result)
            outputs["bcryptHash"] = _secret("$2a$10$" + stable_hex("bcrypt", args.typ, args.name, length=53))
        else:
            outputs["result"] = result
    return f"{args.name}-{stable_hex(args.typ, args.name)[:8]}", outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    return {}
