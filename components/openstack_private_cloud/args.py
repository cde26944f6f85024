"""OpenStackPrivateCloudArgs and GpuPool: the private slice of the capacity plan plus site facts, validated at
construction (a bad value names its field before any child exists)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

import pulumi
from pydantic import Field, PlainValidator, field_validator, model_validator

from aidc.types import FrozenArgs, IPv4Cidr, Slug, field_error
from components._args import SourceCidr, StrInput, first_repeat, matching, prefix_length

ServerGroupPolicy = Literal["anti-affinity", "soft-anti-affinity", "affinity", "soft-affinity"]


def _ssh_key_input(value: Any) -> Any:
    if value is None or isinstance(value, pulumi.Output):
        return value
    if isinstance(value, str) and value.startswith(("ssh-", "ecdsa-")):
        return value
    # Never quote the value: what was passed may be a private key, and this message reaches stderr and CI logs.
    got = f"a string of {len(value):,} characters" if isinstance(value, str) else type(value).__name__
    raise ValueError(
        f"must be an OpenSSH public key ('ssh-ed25519 …', 'ssh-rsa …', 'ecdsa-…'), an Output of one, or None, "
        f"got {got} (not shown)"
    )


# An estate's shard stacks read the key from the core (a StackReference output), so an Output is accepted too.
SshPublicKeyInput = Annotated[str | pulumi.Output[str] | None, PlainValidator(_ssh_key_input)]
"""An OpenSSH public key, an Output of one, or None."""


class GpuPool(FrozenArgs):
    """One planned pool of identical GPU servers in the private cloud."""

    name: Slug
    """Stable slug chosen by the caller (part of resource names: never derive it from a count)."""
    flavor: Annotated[str, Field(min_length=1)]
    """Nova flavor with the GPUs passed through (e.g. 'g1.8xh100')."""
    servers: Annotated[int, Field(ge=0)]
    """Number of servers in the pool (the Heat ResourceGroup count); 0 declares nothing."""
    accelerator: Slug
    """Catalog accelerator key of the pool's GPUs, e.g. 'h100-80gb'."""
    gpus_per_server: Annotated[int, Field(ge=1)]
    """GPUs each server of the flavor carries."""
    image: str | None = None
    """Glance image for this pool; None uses OpenStackPrivateCloudArgs.image."""
    server_group_policy: ServerGroupPolicy = "soft-anti-affinity"
    """Nova server group policy: spread over hypervisors where possible."""
    user_data: StrInput | None = None
    """cloud-init user data for every server (e.g. a K3s agent join, K3sCluster.agent_user_data); kept secret."""
    tags: tuple[
        Annotated[str, matching(r"^[^,]{1,80}$", "a Heat tag: up to 80 characters, no comma")], ...
    ] = ()
    """Extra Heat stack tags after the pool's own (e.g. the cluster the servers join and their node labels)."""


class OpenStackPrivateCloudArgs(FrozenArgs):
    """Inputs of OpenStackPrivateCloud (the private slice of the capacity plan plus site facts)."""

    image: str
    """Default Glance image name or id for the GPU servers."""
    network_cidr: Annotated[IPv4Cidr, prefix_length(0, 28)] = "10.20.0.0/16"
    """IPv4 CIDR of the tenant network's subnet (/28 or larger)."""
    external_network: str = "public"
    """Name of the provider's external network the router uplinks to (looked up, not created)."""
    dns_nameservers: tuple[str, ...] = ()
    """DNS resolvers handed out by the subnet's DHCP; empty keeps Neutron's default."""
    admin_cidrs: tuple[SourceCidr, ...] = ()
    """CIDRs allowed to reach SSH (22) and the K3s API (6443); empty opens them to nobody."""
    api_cidrs: tuple[SourceCidr, ...] = ()
    """CIDRs allowed to reach the K3s API (6443) only: the tenant network itself where a K3s API load balancer
    forwards from it, and the core network `pulumi up` runs in (edge sites)."""
    ssh_public_key: SshPublicKeyInput = None
    """OpenSSH public key for the keypair (a string, or an Output such as an estate core's key read through a
    StackReference); None generates an Ed25519 key (private key exported as secret)."""
    root_volume_gb: Annotated[int, Field(ge=10)] = 200
    """Size of each server's boot volume in GB."""
    gpu_pools: tuple[GpuPool, ...] = ()
    """Planned GPU pools; one server group and one Heat stack each."""
    network_tags: tuple[Annotated[str, Field(min_length=1, max_length=255)], ...] = ()
    """Neutron tags of the tenant network (unique strings of at most 255 characters, at most 50): the plan's facts
    as `key=value`, e.g. the stack's monthly cost the policy pack checks against its ceiling."""

    @field_validator("network_tags")
    @classmethod
    def _network_tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value) or len(value) > 50:
            raise ValueError("Neutron takes at most 50 unique tags a resource")
        return value

    @model_validator(mode="after")
    def _pool_names_unique(self) -> Self:
        index = first_repeat([pool.name for pool in self.gpu_pools])
        if index is not None:
            raise field_error(
                f"gpu_pools[{index}].name",
                f"{self.gpu_pools[index].name!r} is used by another pool; names must be unique",
            )
        return self
