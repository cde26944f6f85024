"""Mock outputs for pulumi_tls resources: deterministic PEM-shaped values derived from the resource's name.

They are not valid keys or certificates (no cryptography runs under mocks); they are stable strings with the
right framing, so rendered kubeconfigs and user data show where each value goes.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks


def _pem(kind: str, seed: str) -> str:
    from aidc.mocks import stable_hex

    body = base64.b64encode(bytes.fromhex(stable_hex(kind, seed, length=64))).decode()
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _openssh_ed25519(seed: str) -> str:
    """An OpenSSH public key line as the tls provider writes it (trailing newline included): the wire-format blob
    (RFC 8709 §4: string "ssh-ed25519", string of 32 key bytes) base64-encoded, so checks that decode it pass."""
    import struct

    from aidc.mocks import stable_hex

    kind = b"ssh-ed25519"
    key = bytes.fromhex(stable_hex("ssh", seed, length=64))
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(key)) + key
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} aidc\n"


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    from aidc.mocks import stable_hex

    outputs = dict(args.inputs)
    token = args.typ
    if token == "tls:index/privateKey:PrivateKey":
        outputs.update(
            privateKeyPem=_pem("PRIVATE KEY", args.name),
            privateKeyOpenssh=_pem("OPENSSH PRIVATE KEY", args.name),
            publicKeyPem=_pem("PUBLIC KEY", args.name),
            publicKeyOpenssh=_openssh_ed25519(args.name),
            publicKeyFingerprintSha256=f"SHA256:{stable_hex('fp', args.name, length=43)}",
        )
    elif token in (
        "tls:index/selfSignedCert:SelfSignedCert",
        "tls:index/locallySignedCert:LocallySignedCert",
    ):
        outputs.update(
            certPem=_pem("CERTIFICATE", args.name),
            validityStartTime="2026-01-01T00:00:00Z",
            validityEndTime="2036-01-01T00:00:00Z",
        )
    elif token == "tls:index/certRequest:CertRequest":
        outputs.update(certRequestPem=_pem("CERTIFICATE REQUEST", args.name))
    return f"{args.name}-{stable_hex(token, args.name)[:8]}", outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    return {}
