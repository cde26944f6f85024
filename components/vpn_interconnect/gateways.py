"""The AWS gateways of VpnInterconnect: a Transit Gateway (VPN ECMP on, shared attachments never auto-accepted)
attached to the VPC, and a customer gateway at the Neutron VPN service's external address."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components._scope import Scope
from components.vpn_interconnect.args import VpnInterconnectArgs


@dataclass(frozen=True)
class Gateways:
    """The AWS ends the routes and the VPN connections attach to."""

    transit_gateway: aws.ec2transitgateway.TransitGateway
    """The Transit Gateway (its default route table holds the static routes)."""
    vpc_attachment: aws.ec2transitgateway.VpcAttachment
    """The VPC's attachment: VPC routes to the TGW wait for it."""


def create_transit_gateway(scope: Scope, args: VpnInterconnectArgs) -> Gateways:
    """The Transit Gateway and its VPC attachment."""
    name = scope.name
    tgw = aws.ec2transitgateway.TransitGateway(
        f"{name}-tgw",
        description=f"aidc {name}: VPC <-> private cloud",
        amazon_side_asn=args.amazon_side_asn,
        auto_accept_shared_attachments="disable",
        vpn_ecmp_support="enable",
        dns_support="enable",
        default_route_table_association="enable",
        default_route_table_propagation="enable",
        transit_gateway_cidr_blocks=list(args.transit_gateway_cidr_blocks) or None,
        tags={**args.tags, "Name": f"{name}-tgw"},
        opts=scope.opts(),
    )
    attachment = aws.ec2transitgateway.VpcAttachment(
        f"{name}-tgw-vpc",
        transit_gateway_id=tgw.id,
        vpc_id=args.vpc_id,
        subnet_ids=args.vpc_subnet_ids,
        dns_support="enable",
        tags={"Name": f"{name}-tgw-vpc"},
        opts=scope.opts(),
    )
    return Gateways(tgw, attachment)


def create_customer_gateway(
    scope: Scope, customer_gateway_asn: int, address: pulumi.Input[str]
) -> aws.ec2.CustomerGateway:
    """The customer gateway at `address` (the Neutron VPN service's external IPv4 address)."""
    name = scope.name
    return aws.ec2.CustomerGateway(
        f"{name}-cgw",
        bgp_asn=str(customer_gateway_asn),
        ip_address=address,
        type="ipsec.1",
        device_name=f"{name} neutron vpnaas",
        tags={"Name": f"{name}-cgw"},
        opts=scope.opts(),
    )
