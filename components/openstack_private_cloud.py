"""OpenStackPrivateCloud: the private cloud's tenant network and its GPU pools (pulumi_openstack).

Declares a tenant network, subnet and router on the external network, two security groups (intra-cluster
traffic; admin ports 22/6443 only from configured CIDRs, plus the K3s API port 6443 from `api_cidrs`, e.g. the
network `pulumi up` runs in), a keypair, and for each planned GPU pool one Nova server group plus one Heat stack
whose OS::Heat::ResourceGroup `count` is the pool's server count — so 2,000 GPU servers are still a handful of
Pulumi resources. Knows nothing of demand: the stack program hands it the planned pools.

A pool's user data is read at its servers' first boot only (`ignore_changes` on it here, and
`user_data_update_policy: IGNORE` in the template): a changed user data never replaces a server.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal, Self

import pulumi
import pulumi_openstack as openstack
import pulumi_tls as tls
from pydantic import Field, PlainValidator, field_validator, model_validator

from aidc.types import FrozenArgs, IPv4Cidr, Slug, field_error
from components._args import SourceCidr, StrInput, first_repeat, matching, prefix_length
from components._names import cidr_slug
from components.cloud_init import heat_server_pool_template

# Ports that administer a node or the cluster: never reachable from anywhere but admin_cidrs.
ADMIN_PORTS: tuple[int, ...] = (22, 6443)
K3S_API_PORT = 6443
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


def tenant_network(
    name: str, tags: tuple[str, ...], opts: pulumi.ResourceOptions
) -> openstack.networking.Network:
    """The tenant network, with the plan's facts as Neutron tags (none: no tags)."""
    return openstack.networking.Network(
        f"{name}-network",
        name=f"{name}-network",
        admin_state_up=True,
        port_security_enabled=True,
        tags=list(tags) or None,
        opts=opts,
    )


class OpenStackPrivateCloud(pulumi.ComponentResource):
    """Tenant network, router, security groups, keypair and grouped GPU servers in an OpenStack cloud."""

    network_id: pulumi.Output[str]
    subnet_id: pulumi.Output[str]
    router_id: pulumi.Output[str]
    network_cidr: pulumi.Output[str]
    security_group_ids: pulumi.Output[list[str]]
    security_group_names: pulumi.Output[list[str]]
    keypair_name: pulumi.Output[str]
    ssh_private_key: pulumi.Output[str | None]
    server_group_ids: pulumi.Output[dict[str, str]]
    gpu_stack_ids: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: OpenStackPrivateCloudArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:openstack:OpenStackPrivateCloud", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        external = openstack.networking.get_network_output(
            name=args.external_network, external=True, opts=pulumi.InvokeOptions(parent=self)
        )
        network = tenant_network(name, args.network_tags, child)
        subnet = openstack.networking.Subnet(
            f"{name}-subnet",
            name=f"{name}-subnet",
            network_id=network.id,
            cidr=args.network_cidr,
            ip_version=4,
            enable_dhcp=True,
            dns_nameservers=list(args.dns_nameservers) or None,
            opts=child,
        )
        router = openstack.networking.Router(
            f"{name}-router",
            name=f"{name}-router",
            admin_state_up=True,
            external_network_id=external.id,
            opts=child,
        )
        router_interface = openstack.networking.RouterInterface(
            f"{name}-router-interface", router_id=router.id, subnet_id=subnet.id, opts=child
        )

        # Members talk to each other freely (K3s, etcd, VXLAN, NCCL); nothing else gets in.
        internal_sg = openstack.networking.SecGroup(
            f"{name}-sg-internal",
            name=f"{name}-internal",
            description="aidc: traffic between members of this group only",
            opts=child,
        )
        rules: list[openstack.networking.SecGroupRule] = []
        for ethertype in ("IPv4", "IPv6"):
            rule = openstack.networking.SecGroupRule(
                f"{name}-sg-internal-{ethertype.lower()}",
                security_group_id=internal_sg.id,
                direction="ingress",
                ethertype=ethertype,
                remote_group_id=internal_sg.id,
                description="aidc: intra-cluster",
                opts=child,
            )
            rules.append(rule)
        admin_sg = openstack.networking.SecGroup(
            f"{name}-sg-admin",
            name=f"{name}-admin",
            description=f"aidc: ports {', '.join(map(str, ADMIN_PORTS))} from admin CIDRs only",
            opts=child,
        )
        for cidr in sorted(set(args.admin_cidrs)):
            admin_net = ipaddress.ip_network(cidr, strict=False)
            for port in ADMIN_PORTS:
                # Named from the CIDR, not an index, so adding a CIDR never renames the others' rules.
                rule = openstack.networking.SecGroupRule(
                    f"{name}-sg-admin-{port}-{cidr_slug(cidr)}",
                    security_group_id=admin_sg.id,
                    direction="ingress",
                    ethertype=f"IPv{admin_net.version}",
                    protocol="tcp",
                    port_range_min=port,
                    port_range_max=port,
                    remote_ip_prefix=str(admin_net),
                    description=f"aidc: admin port {port}",
                    opts=child,
                )
                rules.append(rule)
        for cidr in sorted(set(args.api_cidrs) - set(args.admin_cidrs)):
            api_net = ipaddress.ip_network(cidr, strict=False)
            rules.append(
                openstack.networking.SecGroupRule(
                    f"{name}-sg-api-{K3S_API_PORT}-{cidr_slug(cidr)}",
                    security_group_id=admin_sg.id,
                    direction="ingress",
                    ethertype=f"IPv{api_net.version}",
                    protocol="tcp",
                    port_range_min=K3S_API_PORT,
                    port_range_max=K3S_API_PORT,
                    remote_ip_prefix=str(api_net),
                    description=f"aidc: K3s API {K3S_API_PORT}",
                    opts=child,
                )
            )

        ssh_private_key: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        public_key: pulumi.Input[str]
        if args.ssh_public_key is None:
            ssh_key = tls.PrivateKey(f"{name}-ssh-key", algorithm="ED25519", opts=child)
            public_key = ssh_key.public_key_openssh
            ssh_private_key = pulumi.Output.secret(ssh_key.private_key_openssh)
        else:
            public_key = args.ssh_public_key
        keypair = openstack.compute.Keypair(
            f"{name}-keypair", name=f"{name}-keypair", public_key=public_key, opts=child
        )

        # Consumers get the groups only once every rule exists, so no server boots half-protected.
        security_group_ids_ready = pulumi.Output.all(
            internal_sg.id, admin_sg.id, *[r.id for r in rules]
        ).apply(lambda ids: [ids[0], ids[1]])
        # By name for instances: the openstack provider reads an instance's groups back by name.
        security_group_names_ready = pulumi.Output.all(
            internal_sg.name, admin_sg.name, *[r.id for r in rules]
        ).apply(lambda values: [values[0], values[1]])
        server_group_ids: dict[str, pulumi.Output[str]] = {}
        gpu_stack_ids: dict[str, pulumi.Output[str]] = {}
        for pool in args.gpu_pools:
            if pool.servers == 0:
                continue
            server_group = openstack.compute.ServerGroup(
                f"{name}-gpu-{pool.name}-sg",
                name=f"{name}-gpu-{pool.name}",
                policies=pool.server_group_policy,
                opts=child,
            )
            parameters: dict[str, pulumi.Input[str]] = {
                "count": str(pool.servers),
                "name_prefix": f"{name}-gpu-{pool.name}",
                "flavor": pool.flavor,
                "image": pool.image or args.image,
                "key_name": keypair.name,
                "network": network.id,
                "security_groups": security_group_ids_ready.apply(",".join),
                "server_group": server_group.id,
                "root_volume_gb": str(args.root_volume_gb),
            }
            if pool.user_data is not None:
                # The user data may carry a join token: the whole parameter map is a secret.
                parameters["user_data"] = pulumi.Output.secret(pool.user_data)
            template = heat_server_pool_template(with_user_data=pool.user_data is not None)
            stack = openstack.orchestration.StackV1(
                f"{name}-gpu-{pool.name}",
                name=f"{name}-gpu-{pool.name}",
                template_opts={"Bin": template},
                parameters=parameters,
                disable_rollback=False,
                timeout=120,
                tags=[
                    "aidc",
                    f"accelerator={pool.accelerator}",
                    f"gpus-per-server={pool.gpus_per_server}",
                    f"servers={pool.servers}",
                    *pool.tags,
                ],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[subnet],
                    # Read at first boot only; Heat shows a hidden parameter back as '******' besides.
                    ignore_changes=["parameters.user_data"],
                ),
            )
            server_group_ids[pool.name] = server_group.id
            gpu_stack_ids[pool.name] = stack.id

        self.network_id = network.id
        self.subnet_id = subnet.id
        # The router is of use once the subnet is attached to it.
        self.router_id = pulumi.Output.all(router.id, router_interface.id).apply(lambda ids: ids[0])
        self.network_cidr = pulumi.Output.from_input(args.network_cidr)
        self.security_group_ids = security_group_ids_ready
        self.security_group_names = security_group_names_ready
        self.keypair_name = keypair.name
        self.ssh_private_key = ssh_private_key
        self.server_group_ids = (
            pulumi.Output.all(**server_group_ids) if server_group_ids else pulumi.Output.from_input({})
        )
        self.gpu_stack_ids = (
            pulumi.Output.all(**gpu_stack_ids) if gpu_stack_ids else pulumi.Output.from_input({})
        )
        self.register_outputs(
            {
                "network_id": self.network_id,
                "subnet_id": self.subnet_id,
                "router_id": self.router_id,
                "network_cidr": self.network_cidr,
                "security_group_ids": self.security_group_ids,
                "security_group_names": self.security_group_names,
                "keypair_name": self.keypair_name,
                "ssh_private_key": self.ssh_private_key,
                "server_group_ids": self.server_group_ids,
                "gpu_stack_ids": self.gpu_stack_ids,
            }
        )
