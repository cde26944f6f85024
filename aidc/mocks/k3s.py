"""Mock outputs of K3sClusterIdentity (components/k3s_cluster/identity.py), a dynamic resource the engine never
runs offline: a CA hash and PEM-framed placeholders derived from the resource's name, deterministic like every
mock (aidc/mocks/tls.py says why they are not real certificates)."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi

from aidc.mocks.tls import _pem

DYNAMIC = "pulumi-python:dynamic:Resource"
IDENTITY_KIND = "k3s-cluster-identity"


def is_identity(args: pulumi.runtime.MockResourceArgs) -> bool:
    return args.typ == DYNAMIC and args.inputs.get("kind") == IDENTITY_KIND


def new_resource(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    ca_pem = _pem("CERTIFICATE", f"{args.name}-server-ca")
    return f"{args.inputs.get('cluster', args.name)}-identity", {
        **args.inputs,
        # What the first server prints: the sha256 of its CA file, here of the placeholder.
        "ca_hash": hashlib.sha256(ca_pem.encode()).hexdigest(),
        "ca_cert_pem": ca_pem,
        "admin_cert_pem": _pem("CERTIFICATE", f"{args.name}-admin"),
        "admin_key_pem": _pem("PRIVATE KEY", f"{args.name}-admin"),
        "admin_not_after": "2026-01-02T00:00:00+00:00",
    }
