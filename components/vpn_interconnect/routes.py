"""The routes of VpnInterconnect: from each VPC route table to every private CIDR via the Transit Gateway, and
the Transit Gateway's static routes to the private prefixes over the VPN connections.

A TGW route table holds one static route per prefix, so with N connections the prefixes are spread over the
connections (prefix i -> connection i mod N): a fixed split keeps route names stable when the connection count
changes. Routes are named from their CIDR, never from a position.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components._names import cidr_slug
from components._scope import Scope


def spread_prefixes(prefixes: Sequence[str], connections: int) -> list[tuple[str, int]]:
    """(prefix, connection index) for each prefix: prefix i goes over connection i mod `connections`."""
    return [(cidr, index % connections) for index, cidr in enumerate(prefixes)]


def idle_connections(prefixes: Sequence[str], connections: int) -> int:
    """Connections no prefix is routed over (idle standby with static routing)."""
    return max(0, connections - len(prefixes))


def route_vpc_to_private(
    scope: Scope,
    route_table_ids: Sequence[pulumi.Input[str]],
    private_cidrs: Sequence[str],
    transit_gateway: aws.ec2transitgateway.TransitGateway,
    attachment: pulumi.Resource,
) -> list[aws.ec2.Route]:
    """One route per (VPC route table, private CIDR) to the Transit Gateway, once the VPC is attached to it; a
    table is named by its position in `route_table_ids` (the VPC's private route tables, in AZ order)."""
    return [
        aws.ec2.Route(
            f"{scope.name}-rt{table_index}-{cidr_slug(cidr)}",
            route_table_id=route_table_id,
            destination_cidr_block=cidr,
            transit_gateway_id=transit_gateway.id,
            opts=scope.opts(depends_on=[attachment]),
        )
        for table_index, route_table_id in enumerate(route_table_ids)
        for cidr in private_cidrs
    ]


def route_prefixes_over_connections(
    scope: Scope,
    prefixes: Sequence[str],
    vpn_connections: Sequence[aws.ec2.VpnConnection],
    transit_gateway: aws.ec2transitgateway.TransitGateway,
) -> list[aws.ec2transitgateway.Route]:
    """The Transit Gateway's static route to each prefix over its connection (spread_prefixes)."""
    return [
        aws.ec2transitgateway.Route(
            f"{scope.name}-tgw-route-{cidr_slug(cidr)}",
            destination_cidr_block=cidr,
            transit_gateway_attachment_id=vpn_connections[connection].transit_gateway_attachment_id,
            transit_gateway_route_table_id=transit_gateway.association_default_route_table_id,
            opts=scope.opts(),
        )
        for cidr, connection in spread_prefixes(prefixes, len(vpn_connections))
    ]
