"""The Nova keypair of OpenStackPrivateCloud's servers: the caller's OpenSSH public key (a string, or an Output
such as an estate core's key), or an Ed25519 key generated here whose private half is exported as a secret."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_openstack as openstack
import pulumi_tls as tls

from components._scope import Scope


@dataclass(frozen=True)
class Keys:
    """The keypair and, when it was generated here, its private key."""

    keypair: openstack.compute.Keypair
    """The Nova keypair every GPU server is booted with."""
    ssh_private_key: pulumi.Output[str | None]
    """The generated private key (OpenSSH format, a Pulumi secret), or None when the caller gave the key."""


def create_keypair(scope: Scope, ssh_public_key: pulumi.Input[str] | None) -> Keys:
    """The keypair from `ssh_public_key`, or from a new Ed25519 key when it is None."""
    name = scope.name
    ssh_private_key: pulumi.Output[str | None] = pulumi.Output.from_input(None)
    public_key: pulumi.Input[str]
    if ssh_public_key is None:
        ssh_key = tls.PrivateKey(f"{name}-ssh-key", algorithm="ED25519", opts=scope.opts())
        public_key = ssh_key.public_key_openssh
        ssh_private_key = pulumi.Output.secret(ssh_key.private_key_openssh)
    else:
        public_key = ssh_public_key
    keypair = openstack.compute.Keypair(
        f"{name}-keypair", name=f"{name}-keypair", public_key=public_key, opts=scope.opts()
    )
    return Keys(keypair, ssh_private_key)
