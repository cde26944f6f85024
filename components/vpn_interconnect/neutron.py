"""The OpenStack side of VpnInterconnect (Neutron VPNaaS): one IKE policy, one IPsec policy, the VPN service on
the router, a local (subnet) and a peer (VPC CIDR) endpoint group. Declared first: the service's external address
is the AWS customer gateway's. The site connections, one per AWS tunnel, are declared with the tunnels
(tunnels.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_openstack as openstack

from components._scope import Scope
from components.vpn_interconnect.algorithms import neutron_policies
from components.vpn_interconnect.args import VpnInterconnectArgs


@dataclass(frozen=True)
class NeutronSide:
    """What every site connection refers to."""

    ike_policy: openstack.vpnaas.IkePolicy
    """Phase 1: the Args' IKE version, cipher, integrity and DH group."""
    ipsec_policy: openstack.vpnaas.IpSecPolicy
    """Phase 2: the same algorithms, ESP in tunnel mode."""
    service: openstack.vpnaas.Service
    """The VPN service on the router (its external_v4_ip is the customer gateway's address)."""
    local_group: openstack.vpnaas.EndpointGroup
    """The subnet exposed to AWS."""
    peer_group: openstack.vpnaas.EndpointGroup
    """The VPC CIDR."""


def create_neutron_side(scope: Scope, args: VpnInterconnectArgs) -> NeutronSide:
    """Policies, service and endpoint groups."""
    name = scope.name
    ike_args, ipsec_args = neutron_policies(args)
    ike_policy = openstack.vpnaas.IkePolicy(f"{name}-ike", name=f"{name}-ike", **ike_args, opts=scope.opts())
    ipsec_policy = openstack.vpnaas.IpSecPolicy(
        f"{name}-ipsec", name=f"{name}-ipsec", **ipsec_args, opts=scope.opts()
    )
    # No subnet_id on the service: the subnets are given by the endpoint groups (Neutron's current model).
    service = openstack.vpnaas.Service(
        f"{name}-service",
        name=f"{name}-service",
        router_id=args.openstack_router_id,
        admin_state_up=True,
        opts=scope.opts(),
    )
    local_group = openstack.vpnaas.EndpointGroup(
        f"{name}-local",
        name=f"{name}-local",
        type="subnet",
        endpoints=[args.openstack_subnet_id],
        opts=scope.opts(),
    )
    peer_group = openstack.vpnaas.EndpointGroup(
        f"{name}-peer", name=f"{name}-peer", type="cidr", endpoints=[args.vpc_cidr], opts=scope.opts()
    )
    return NeutronSide(ike_policy, ipsec_policy, service, local_group, peer_group)
