"""The tunnels of VpnInterconnect: `connections` static-routed Site-to-Site VPN connections on the Transit
Gateway, two tunnels each, and per AWS tunnel one Neutron IPsec site connection whose peer address is that
tunnel's outside address and whose PSK is the same pulumi_random RandomPassword result the AWS tunnel uses.

Static routing, so each connection's two tunnels are active/standby (AWS picks one, DPD restarts and fails over);
the package docstring says why BGP is not available over Neutron VPNaaS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_openstack as openstack
import pulumi_random as random

from components._scope import Scope
from components.vpn_interconnect.algorithms import DPD_INTERVAL_S, aws_tunnel_options
from components.vpn_interconnect.args import VpnInterconnectArgs
from components.vpn_interconnect.neutron import NeutronSide
from components.vpn_interconnect.tunnel_logs import tunnel_log_options

# Letters only: satisfies AWS's PSK rules (8-64 of [A-Za-z0-9._], no leading '0') by construction; 48 letters
# carry ~273 bits.
PSK_LENGTH = 48
TUNNELS_PER_CONNECTION = (1, 2)


def tunnel_psk(resource_name: str, opts: pulumi.ResourceOptions) -> random.RandomPassword:
    """One tunnel's pre-shared key (letters only, PSK_LENGTH long); its result is secret in state."""
    return random.RandomPassword(
        resource_name,
        length=PSK_LENGTH,
        special=False,
        numeric=False,
        upper=True,
        lower=True,
        min_upper=1,
        min_lower=1,
        opts=opts,
    )


@dataclass
class Tunnels:
    """Everything the connections declared, in connection then tunnel order."""

    vpn_connections: list[aws.ec2.VpnConnection] = field(default_factory=list)
    """One per connection (the TGW static routes attach to them)."""
    site_connections: list[openstack.vpnaas.SiteConnection] = field(default_factory=list)
    """One per tunnel."""
    outside_addresses: list[pulumi.Output[str]] = field(default_factory=list)
    """Each tunnel's AWS outside address."""
    psks: list[pulumi.Output[str]] = field(default_factory=list)
    """Each tunnel's pre-shared key (secret)."""


@dataclass(frozen=True)
class TunnelEnds:
    """What every connection attaches to."""

    customer_gateway: aws.ec2.CustomerGateway
    """The AWS customer gateway (the Neutron service's address)."""
    transit_gateway: aws.ec2transitgateway.TransitGateway
    """The Transit Gateway the connections terminate on."""
    log_group_arn: pulumi.Input[str]
    """The tunnels' CloudWatch log group."""
    neutron: NeutronSide
    """The OpenStack side's policies, service and endpoint groups."""


def _vpn_connection(
    scope: Scope, args: VpnInterconnectArgs, index: int, ends: TunnelEnds, psks: list[pulumi.Output[str]]
) -> aws.ec2.VpnConnection:
    return aws.ec2.VpnConnection(
        f"{scope.name}-vpn-{index}",
        customer_gateway_id=ends.customer_gateway.id,
        transit_gateway_id=ends.transit_gateway.id,
        type="ipsec.1",
        static_routes_only=True,
        tunnel_bandwidth=args.tunnel_bandwidth,
        tunnel1_preshared_key=psks[0],
        tunnel2_preshared_key=psks[1],
        **aws_tunnel_options(args, 1),
        **aws_tunnel_options(args, 2),
        **tunnel_log_options(1, ends.log_group_arn),
        **tunnel_log_options(2, ends.log_group_arn),
        tags={"Name": f"{scope.name}-vpn-{index}"},
        opts=scope.opts(),
    )


def _site_connection(
    scope: Scope,
    role: str,
    ends: TunnelEnds,
    address: pulumi.Output[str],
    psk: pulumi.Output[str],
    dpd_s: int,
) -> openstack.vpnaas.SiteConnection:
    neutron = ends.neutron
    return openstack.vpnaas.SiteConnection(
        f"{scope.name}-{role}",
        name=f"{scope.name}-{role}",
        vpnservice_id=neutron.service.id,
        ikepolicy_id=neutron.ike_policy.id,
        ipsecpolicy_id=neutron.ipsec_policy.id,
        local_ep_group_id=neutron.local_group.id,
        peer_ep_group_id=neutron.peer_group.id,
        peer_address=address,
        peer_id=address,
        psk=psk,
        initiator="bi-directional",
        admin_state_up=True,
        dpds=[{"action": "restart", "interval": DPD_INTERVAL_S, "timeout": dpd_s}],
        opts=scope.opts(),
    )


def create_tunnels(scope: Scope, args: VpnInterconnectArgs, ends: TunnelEnds) -> Tunnels:
    """Per connection: two PSKs, the VPN connection, and a site connection per tunnel."""
    tunnels = Tunnels()
    for index in range(args.connections):
        # One password per tunnel; the same resource feeds the AWS tunnel and its Neutron site connection.
        passwords = [
            tunnel_psk(f"{scope.name}-psk-{index}-t{t}", scope.opts()) for t in TUNNELS_PER_CONNECTION
        ]
        psks: list[pulumi.Output[str]] = [pulumi.Output.secret(p.result) for p in passwords]
        vpn = _vpn_connection(scope, args, index, ends, psks)
        tunnels.vpn_connections.append(vpn)
        for tunnel, address, psk in ((1, vpn.tunnel1_address, psks[0]), (2, vpn.tunnel2_address, psks[1])):
            site = _site_connection(scope, f"site-{index}-t{tunnel}", ends, address, psk, args.dpd_timeout_s)
            tunnels.site_connections.append(site)
            tunnels.outside_addresses.append(address)
            tunnels.psks.append(psk)
    return tunnels
