"""The VpnInterconnect ComponentResource: reads top to bottom, one call per concern (modules of this package).

Names, parents and inputs of every child are decided in the concern modules.
"""

from __future__ import annotations

import pulumi

from components._scope import Scope
from components.vpn_interconnect import gateways, neutron, routes, tunnel_logs, tunnels
from components.vpn_interconnect.args import VpnInterconnectArgs


class VpnInterconnect(pulumi.ComponentResource):
    """Transit Gateway + Site-to-Site VPN connections in AWS, matched by Neutron VPNaaS site connections."""

    transit_gateway_id: pulumi.Output[str]
    customer_gateway_ip: pulumi.Output[str]
    tunnel_outside_addresses: pulumi.Output[list[str]]
    vpn_connection_ids: pulumi.Output[list[str]]
    site_connection_ids: pulumi.Output[list[str]]
    psks: pulumi.Output[list[str]]
    tunnel_log_group: pulumi.Output[str]
    tunnel_log_group_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: VpnInterconnectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:network:VpnInterconnect", name, None, opts)
        scope = Scope(name=name, component=self)
        prefixes = list(args.route_prefixes) or list(args.private_cidrs)
        if routes.idle_connections(prefixes, args.connections):
            pulumi.log.warn(
                f"{name}: {args.connections} VPN connections but {len(prefixes)} route prefix(es): with "
                "static routing each prefix uses one tunnel, so the extra connections are idle standby",
                resource=self,
            )

        # The OpenStack side first: its external address is the customer gateway's.
        openstack_side = neutron.create_neutron_side(scope, args)
        aws_side = gateways.create_transit_gateway(scope, args)
        tgw = aws_side.transit_gateway
        routes.route_vpc_to_private(
            scope, args.vpc_route_table_ids, args.private_cidrs, tgw, aws_side.vpc_attachment
        )
        customer_gateway = gateways.create_customer_gateway(
            scope, args.customer_gateway_asn, openstack_side.service.external_v4_ip
        )
        logs = tunnel_logs.create_tunnel_log_group(scope, args.log_kms_key_arn, args.log_retention_days)
        ends = tunnels.TunnelEnds(customer_gateway, tgw, logs.arn, openstack_side)
        declared = tunnels.create_tunnels(scope, args, ends)
        routes.route_prefixes_over_connections(scope, prefixes, declared.vpn_connections, tgw)

        self.transit_gateway_id = tgw.id
        self.customer_gateway_ip = customer_gateway.ip_address.apply(lambda ip: ip or "")
        self.tunnel_outside_addresses = pulumi.Output.all(*declared.outside_addresses).apply(list)
        self.vpn_connection_ids = pulumi.Output.all(*[v.id for v in declared.vpn_connections]).apply(list)
        self.site_connection_ids = pulumi.Output.all(*[s.id for s in declared.site_connections]).apply(list)
        self.psks = pulumi.Output.secret(pulumi.Output.all(*declared.psks).apply(list))
        self.tunnel_log_group = logs.name
        self.tunnel_log_group_arn = logs.arn
        self.register_outputs(
            {
                "transit_gateway_id": self.transit_gateway_id,
                "customer_gateway_ip": self.customer_gateway_ip,
                "tunnel_outside_addresses": self.tunnel_outside_addresses,
                "vpn_connection_ids": self.vpn_connection_ids,
                "site_connection_ids": self.site_connection_ids,
                "psks": self.psks,
                "tunnel_log_group": self.tunnel_log_group,
                "tunnel_log_group_arn": self.tunnel_log_group_arn,
            }
        )
