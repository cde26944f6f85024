"""The OpenStackPrivateCloud ComponentResource: reads top to bottom, one call per concern (modules of this
package).

Names, parents and inputs of every child are decided in the concern modules.
"""

from __future__ import annotations

import pulumi

from components._scope import Scope
from components.openstack_private_cloud import keys, network, security_groups, servers
from components.openstack_private_cloud.args import OpenStackPrivateCloudArgs


def _by_pool(ids: dict[str, pulumi.Output[str]]) -> pulumi.Output[dict[str, str]]:
    return pulumi.Output.all(**ids) if ids else pulumi.Output.from_input({})


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
        scope = Scope(name=name, component=self)

        tenant = network.create_network(
            scope, args.network_cidr, args.dns_nameservers, args.external_network, args.network_tags
        )
        groups = security_groups.create_security_groups(scope, args.admin_cidrs, args.api_cidrs)
        access = keys.create_keypair(scope, args.ssh_public_key)
        site = servers.PoolSite(
            default_image=args.image,
            root_volume_gb=args.root_volume_gb,
            keypair_name=access.keypair.name,
            network_id=tenant.network.id,
            subnet=tenant.subnet,
            security_group_ids=groups.ids,
        )
        pools = servers.create_pools(scope, args.gpu_pools, site)

        self.network_id = tenant.network.id
        self.subnet_id = tenant.subnet.id
        self.router_id = tenant.router_id_when_attached()
        self.network_cidr = pulumi.Output.from_input(args.network_cidr)
        self.security_group_ids = groups.ids
        self.security_group_names = groups.names
        self.keypair_name = access.keypair.name
        self.ssh_private_key = access.ssh_private_key
        self.server_group_ids = _by_pool(pools.server_group_ids)
        self.gpu_stack_ids = _by_pool(pools.stack_ids)
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
