"""The join secrets of a K3s cluster and the token formats K3s reads them in (docs.k3s.io/cli/token).

Two secrets from pulumi_random, never the same: the server token's password (joins servers; also the passphrase of
the datastore's bootstrap data, which holds the CA keys) and the agent token's password (joins agents only: every
server runs with `agent-token`). Nodes other than the first get them in the secure format, which pins the cluster CA
by its hash so a node verifies the server before it sends its credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_random as random

SECURE_TOKEN_PREFIX = "K10"
SERVER_USER = "server"  # the user a server token authenticates as (k3s: passwd "server" / k3s:server)
AGENT_USER = "node"  # the user an agent token authenticates as (k3s: passwd "node" / k3s:agent)
_CA_HASH = re.compile(r"[0-9a-f]{64}", re.ASCII)


def secure_token(ca_hash: str, user: str, secret: str) -> str:
    """`K10<ca-hash>::<user>:<secret>`: the secure token format, CA hash first."""
    if not _CA_HASH.fullmatch(ca_hash or ""):
        raise ValueError(f"ca_hash: must be 64 lower-case hex digits (a sha256), got {ca_hash!r}")
    if user not in (SERVER_USER, AGENT_USER):
        raise ValueError(f"user: must be {SERVER_USER!r} or {AGENT_USER!r}, got {user!r}")
    return f"{SECURE_TOKEN_PREFIX}{ca_hash}::{user}:{secret}"


@dataclass(frozen=True)
class JoinSecrets:
    """The two passwords (secret Outputs)."""

    server: pulumi.Output[str]
    agent: pulumi.Output[str]


def create_join_secrets(name: str, opts: pulumi.ResourceOptions) -> JoinSecrets:
    """`<name>-token` (the server token's password: the name it always had) and `<name>-agent-token`."""
    server = random.RandomPassword(f"{name}-token", length=48, special=False, opts=opts)
    agent = random.RandomPassword(f"{name}-agent-token", length=48, special=False, opts=opts)
    return JoinSecrets(
        server=pulumi.Output.secret(server.result),
        agent=pulumi.Output.secret(agent.result),
    )
