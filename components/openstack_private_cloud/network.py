"""The tenant network of OpenStackPrivateCloud: network, subnet, and a router uplinked to the provider's
external network (looked up by name, never created) with the subnet attached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_openstack as openstack

from components._scope import Scope


@dataclass(frozen=True)
class TenantNetwork:
    """What the security groups, the GPU pools and the component's outputs build on."""

    network: openstack.networking.Network
    """The tenant network every GPU server gets a port on."""
    subnet: openstack.networking.Subnet
    """Its one IPv4 subnet (the Heat stacks wait for it: a server needs an address)."""
    router: openstack.networking.Router
    """The router on the external network (the VPN service and the edge's WAN hang off it)."""
    router_interface: openstack.networking.RouterInterface
    """The subnet's port on the router: the router is of use once this exists."""

    def router_id_when_attached(self) -> pulumi.Output[str]:
        """The router's id, known once the subnet is attached to it."""
        return pulumi.Output.all(self.router.id, self.router_interface.id).apply(lambda ids: ids[0])


def create_network(
    scope: Scope,
    network_cidr: str,
    dns_nameservers: Sequence[str],
    external_network: str,
    tags: Sequence[str] = (),
) -> TenantNetwork:
    """Network (with `tags`, the plan's facts, as Neutron tags), subnet (DHCP on; the DNS resolvers given, or
    Neutron's default), router and its interface."""
    name = scope.name
    external = openstack.networking.get_network_output(
        name=external_network, external=True, opts=scope.invoke()
    )
    network = openstack.networking.Network(
        f"{name}-network",
        name=f"{name}-network",
        admin_state_up=True,
        port_security_enabled=True,
        tags=list(tags) or None,
        opts=scope.opts(),
    )
    subnet = openstack.networking.Subnet(
        f"{name}-subnet",
        name=f"{name}-subnet",
        network_id=network.id,
        cidr=network_cidr,
        ip_version=4,
        enable_dhcp=True,
        dns_nameservers=list(dns_nameservers) or None,
        opts=scope.opts(),
    )
    router = openstack.networking.Router(
        f"{name}-router",
        name=f"{name}-router",
        admin_state_up=True,
        external_network_id=external.id,
        opts=scope.opts(),
    )
    router_interface = openstack.networking.RouterInterface(
        f"{name}-router-interface", router_id=router.id, subnet_id=subnet.id, opts=scope.opts()
    )
    return TenantNetwork(network, subnet, router, router_interface)
