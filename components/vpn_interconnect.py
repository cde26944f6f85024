"""VpnInterconnect: IPsec between the AWS VPC (Transit Gateway) and the OpenStack router (Neutron VPNaaS).

AWS side: a Transit Gateway (VPN ECMP on, shared attachments never auto-accepted) attached to the VPC, routes
from the VPC's route tables to the private (OpenStack) CIDRs via the TGW, a customer gateway at the Neutron VPN
service's external address, `connections` static-routed Site-to-Site VPN connections and TGW static routes; both
tunnels of every connection log (IKE/IPsec negotiation, DPD, tunnel up/down) as JSON to one CloudWatch log group
with a retention period, encrypted with the KMS key the caller names (the AWS cluster's key: its policy already
lets CloudWatch Logs use it for the account's log groups, so the VPN needs no second key and no second policy).
OpenStack side: one IKE policy, one IPsec policy, the VPN service on the router, a local (subnet) and a peer
(VPC CIDR) endpoint group, and one IPsec site connection per AWS tunnel, whose peer address is that tunnel's
outside address and whose PSK is the same pulumi_random RandomPassword result the AWS tunnel uses.

Routing design, and why (sources checked 2026-11):
- Transit Gateway ECMP over Site-to-Site VPN needs dynamic (BGP) routing; with static routes the TGW sends a
  prefix over one tunnel only (awsdocs/aws-transit-gateway-guide PR #21 and #22, citing the AWS knowledge-centre
  article "transit-gateway-ecmp-multiple-tunnels"; re:Post "vpn-configure-tunnel-preference": for a static VPN
  "the ... transit gateway sends traffic from AWS to the on-premises network on a single VPN tunnel").
- Neutron VPNaaS site connections are policy-based (traffic selectors from endpoint groups / peer CIDRs); the
  API (openstack.vpnaas.SiteConnection) has no route-based/VTI or BGP option, so BGP over these tunnels is not
  available (neutron-dynamic-routing's BGP speaker peers with physical routers, not across VPNaaS tunnels).
- Therefore: static routing, and each connection's two tunnels are active/standby (AWS picks one, DPD restarts
  and fails over). A TGW route table holds one static route per prefix, so with N connections the route
  prefixes are spread over the connections (prefix i -> connection i mod N); a prefix never gets more than one
  tunnel's bandwidth: 1.25 Gbps ("standard") or 5 Gbps ("large"), and the interconnect carries at most
  min(N, len(route_prefixes)) x that. Connections beyond the number of prefixes are idle standby, and the
  component warns. More than that needs BGP (a route-based VPN appliance in the private cloud) or Direct Connect.
- Edge sites are not behind this interconnect: their networks hang off other Neutron routers, and the site
  connections' selectors (local endpoint group = subnets on this router, peer = the VPC CIDR) never match their
  traffic, so no AWS route toward these tunnels names an edge range (it would black-hole). The edge aggregates
  are routed by the private cloud's WAN (aidc/sizing/network.py says where they are exported).

Algorithm names: one explicit table per family below (IKE_VERSIONS, ENCRYPTIONS, INTEGRITIES, DH_GROUPS), keyed
by the values the Args' Literal types allow; both sides are built from the same row, so they always agree. Allowed AWS strings are the ones in the pulumi_aws VpnConnection docstrings; allowed Neutron
strings the ones in the pulumi_openstack IkePolicy/IpSecPolicy docstrings (aes-KKK-gcm-II, group14..group31).
Weak choices (sha1, group 2, aes128, ikev1) are accepted here and refused by the policy pack, so a stack can be
planned and then explained.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal, Self

import pulumi
import pulumi_aws as aws
import pulumi_openstack as openstack
import pulumi_random as random
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from aidc.types import FrozenArgs, IPv4Cidr, field_error
from components._args import LogRetentionDays, StrInput, StrListInput, distinct, prefix_length
from components._names import cidr_slug

IkeVersion = Literal["ikev1", "ikev2"]
Encryption = Literal["aes128", "aes256", "aes128-gcm", "aes256-gcm"]
Integrity = Literal["sha1", "sha256", "sha384", "sha512"]
DhGroup = Literal[2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
TunnelBandwidth = Literal["standard", "large"]
# (AWS name, Neutron name) per Args value, one table per Literal above (a test keeps them equal).
# AWS: tunnelN_phase{1,2}_* docstrings; Neutron: vpnaas docstrings.
IKE_VERSIONS: dict[str, tuple[str, str]] = {"ikev1": ("ikev1", "v1"), "ikev2": ("ikev2", "v2")}
ENCRYPTIONS: dict[str, tuple[str, str]] = {
    "aes128": ("AES128", "aes-128"),
    "aes256": ("AES256", "aes-256"),
    "aes128-gcm": ("AES128-GCM-16", "aes-128-gcm-16"),
    "aes256-gcm": ("AES256-GCM-16", "aes-256-gcm-16"),
}
INTEGRITIES: dict[str, tuple[str, str]] = {
    "sha1": ("SHA1", "sha1"),
    "sha256": ("SHA2-256", "sha256"),
    "sha384": ("SHA2-384", "sha384"),
    "sha512": ("SHA2-512", "sha512"),
}
DH_GROUPS: dict[int, tuple[int, str]] = {2: (2, "group2"), **{g: (g, f"group{g}") for g in range(14, 25)}}
# AWS defaults, set explicitly so Neutron's lifetimes (default 3600 s for both phases) agree with them.
PHASE1_LIFETIME_S = 28800
PHASE2_LIFETIME_S = 3600
DPD_INTERVAL_S = 10
# Letters only: satisfies AWS's PSK rules (8-64 of [A-Za-z0-9._], no leading '0') by construction; 48 letters
# carry ~273 bits.
PSK_LENGTH = 48


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


PrivateCidr = Annotated[IPv4Cidr, prefix_length(8, 32)]
"""An IPv4 network of the private cloud, /8 or longer."""


def _private_asn(asn: int) -> int:
    if not (64512 <= asn <= 65534 or 4_200_000_000 <= asn <= 4_294_967_294):
        raise ValueError(f"must be a private ASN 64512-65534 or 4200000000-4294967294, got {asn}")
    return asn


def _known_length(value: Any) -> Any:
    if isinstance(value, (str, pulumi.Output)):
        raise ValueError(
            "must be a list (its length decides how many routes are declared), e.g. "
            "AwsGpuCluster.private_route_table_id_list"
        )
    return value


class VpnInterconnectArgs(FrozenArgs):
    """Inputs of VpnInterconnect: both clouds' network facts plus the planned number of connections."""

    vpc_id: StrInput
    """Id of the AWS VPC to attach to the Transit Gateway."""
    vpc_cidr: Annotated[IPv4Cidr, prefix_length(8, 28)]
    """IPv4 CIDR of the VPC (the OpenStack side's peer CIDR)."""
    vpc_subnet_ids: StrListInput
    """Subnets (one per AZ) for the Transit Gateway VPC attachment."""
    vpc_route_table_ids: Annotated[tuple[StrInput, ...], BeforeValidator(_known_length)]
    """VPC route tables that get routes to private_cidrs via the TGW; a list whose length is known now."""
    private_cidrs: Annotated[tuple[PrivateCidr, ...], Field(min_length=1), AfterValidator(distinct)]
    """IPv4 CIDRs of the private cloud reached over the VPN (VPC routes to the TGW)."""
    openstack_router_id: StrInput
    """Neutron router that hosts the VPN service (its external gateway is the customer gateway address)."""
    openstack_subnet_id: StrInput
    """Neutron subnet exposed to AWS (the local endpoint group)."""
    route_prefixes: Annotated[tuple[PrivateCidr, ...], AfterValidator(distinct)] = ()
    """Transit Gateway static routes, each inside a private CIDR and spread over the connections (prefix i ->
    connection i mod N); a fixed split keeps route names stable when the connection count changes.
    Empty: one route per private CIDR."""
    connections: Annotated[int, Field(ge=1, strict=True)] = 1
    """Number of Site-to-Site VPN connections (>= 1), two tunnels each."""
    tunnel_bandwidth: TunnelBandwidth = "standard"
    """'standard' (up to 1.25 Gbps per tunnel) or 'large' (up to 5 Gbps; Transit Gateway only, which is used)."""
    ike_version: IkeVersion = "ikev2"
    """IKE version both sides are pinned to: 'ikev2' (default) or 'ikev1'."""
    encryption: Encryption = "aes256-gcm"
    """Phase 1 and 2 cipher: aes128, aes256, aes128-gcm, aes256-gcm."""
    integrity: Integrity = "sha256"
    """Phase 1 and 2 integrity / PRF: sha1, sha256, sha384, sha512."""
    dh_group: DhGroup = 20
    """Diffie-Hellman group for phase 1 and PFS: 2 or 14..24."""
    amazon_side_asn: Annotated[int, AfterValidator(_private_asn)] = 64512
    """Private ASN of the Transit Gateway (64512-65534 or 4200000000-4294967294)."""
    customer_gateway_asn: Annotated[int, Field(ge=1, le=2_147_483_647)] = 65000
    """ASN recorded on the customer gateway (1-2147483647); static routing does not use it for BGP."""
    dpd_timeout_s: Annotated[int, Field(ge=30, le=3600)] = 30
    """Dead-peer-detection timeout on both sides in seconds (30-3600; AWS minimum 30); action is restart."""
    transit_gateway_cidr_blocks: tuple[Annotated[IPv4Cidr, prefix_length(8, 24)], ...] = ()
    """CIDR blocks of the Transit Gateway (/24 or larger; a private IP VPN over Direct Connect takes its outside
    addresses from one); empty: none."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Extra tags on the Transit Gateway (e.g. the transfer rate the plan sized, for the policy pack)."""
    log_kms_key_arn: StrInput
    """KMS key (in the VPN's region) that encrypts the tunnel log group; its key policy must let CloudWatch Logs
    use it for this account's log groups (AwsGpuCluster.kms_key_arn does)."""
    log_retention_days: LogRetentionDays = 365
    """Retention of the tunnel log group in days (a value CloudWatch Logs accepts)."""

    @model_validator(mode="after")
    def _private_side_apart_from_the_vpc(self) -> Self:
        vpc = ipaddress.ip_network(self.vpc_cidr)
        for index, cidr in enumerate(self.private_cidrs):
            if ipaddress.ip_network(cidr).overlaps(vpc):
                raise field_error(f"private_cidrs[{index}]", f"{cidr!r} overlaps vpc_cidr {self.vpc_cidr!r}")
        ranges = [ipaddress.IPv4Network(c) for c in self.private_cidrs]
        for index, prefix in enumerate(self.route_prefixes):
            if not any(ipaddress.IPv4Network(prefix).subnet_of(r) for r in ranges):
                raise field_error(
                    f"route_prefixes[{index}]", f"{prefix!r} is not inside any of private_cidrs"
                )
        return self

    @model_validator(mode="after")
    def _gcm_needs_ikev2(self) -> Self:
        if self.encryption.endswith("-gcm") and self.ike_version != "ikev2":
            # strongSwan (Neutron's reference driver) has no AEAD ciphers for IKEv1 SAs, and AWS lists GCM for IKEv2.
            raise field_error(
                "encryption",
                f"{self.encryption!r} (AES-GCM) needs ike_version 'ikev2'; with 'ikev1' use aes128 or aes256",
            )
        return self


def aws_tunnel_options(args: VpnInterconnectArgs, tunnel: int) -> dict[str, Any]:
    """The tunnelN_* arguments of aws.ec2.VpnConnection for the Args' algorithms (one value per list: pinned)."""
    ike, enc, integ, dh = (
        IKE_VERSIONS[args.ike_version][0],
        ENCRYPTIONS[args.encryption][0],
        INTEGRITIES[args.integrity][0],
        DH_GROUPS[args.dh_group][0],
    )
    prefix = f"tunnel{tunnel}_"
    return {
        f"{prefix}ike_versions": [ike],
        f"{prefix}phase1_encryption_algorithms": [enc],
        f"{prefix}phase2_encryption_algorithms": [enc],
        f"{prefix}phase1_integrity_algorithms": [integ],
        f"{prefix}phase2_integrity_algorithms": [integ],
        f"{prefix}phase1_dh_group_numbers": [dh],
        f"{prefix}phase2_dh_group_numbers": [dh],
        f"{prefix}phase1_lifetime_seconds": PHASE1_LIFETIME_S,
        f"{prefix}phase2_lifetime_seconds": PHASE2_LIFETIME_S,
        f"{prefix}dpd_timeout_action": "restart",
        f"{prefix}dpd_timeout_seconds": args.dpd_timeout_s,
    }


# CloudWatchLogOptionsSpecification.LogOutputFormat (botocore ec2): "json" | "text"; json is what Logs Insights
# parses into fields.
TUNNEL_LOG_FORMAT = "json"


def tunnel_log_options(tunnel: int, log_group_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The tunnelN_log_options argument of aws.ec2.VpnConnection: IKE and IPsec negotiation, DPD and tunnel
    state to one CloudWatch log group."""
    return {
        f"tunnel{tunnel}_log_options": {
            "cloudwatch_log_options": {
                "log_enabled": True,
                "log_group_arn": log_group_arn,
                "log_output_format": TUNNEL_LOG_FORMAT,
            }
        }
    }


def neutron_policies(args: VpnInterconnectArgs) -> tuple[dict[str, Any], dict[str, Any]]:
    """The arguments of openstack.vpnaas.IkePolicy and IpSecPolicy for the Args' algorithms."""
    enc, integ, pfs = (
        ENCRYPTIONS[args.encryption][1],
        INTEGRITIES[args.integrity][1],
        DH_GROUPS[args.dh_group][1],
    )
    ike = {
        "ike_version": IKE_VERSIONS[args.ike_version][1],
        "encryption_algorithm": enc,
        "auth_algorithm": integ,
        "pfs": pfs,
        "phase1_negotiation_mode": "main",
        "lifetimes": [{"units": "seconds", "value": PHASE1_LIFETIME_S}],
    }
    ipsec = {
        "encryption_algorithm": enc,
        "auth_algorithm": integ,
        "pfs": pfs,
        "transform_protocol": "esp",
        "encapsulation_mode": "tunnel",
        "lifetimes": [{"units": "seconds", "value": PHASE2_LIFETIME_S}],
    }
    return ike, ipsec


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
        child = pulumi.ResourceOptions(parent=self)
        prefixes = list(args.route_prefixes) or list(args.private_cidrs)
        if args.connections > len(prefixes):
            pulumi.log.warn(
                f"{name}: {args.connections} VPN connections but {len(prefixes)} route prefix(es): with "
                "static routing each prefix uses one tunnel, so the extra connections are idle standby",
                resource=self,
            )

        # --- OpenStack side (first: its external address is the customer gateway) ------------------------
        ike_args, ipsec_args = neutron_policies(args)
        ike_policy = openstack.vpnaas.IkePolicy(f"{name}-ike", name=f"{name}-ike", **ike_args, opts=child)
        ipsec_policy = openstack.vpnaas.IpSecPolicy(
            f"{name}-ipsec", name=f"{name}-ipsec", **ipsec_args, opts=child
        )
        # No subnet_id on the service: the subnets are given by the endpoint groups (Neutron's current model).
        service = openstack.vpnaas.Service(
            f"{name}-service",
            name=f"{name}-service",
            router_id=args.openstack_router_id,
            admin_state_up=True,
            opts=child,
        )
        local_group = openstack.vpnaas.EndpointGroup(
            f"{name}-local",
            name=f"{name}-local",
            type="subnet",
            endpoints=[args.openstack_subnet_id],
            opts=child,
        )
        peer_group = openstack.vpnaas.EndpointGroup(
            f"{name}-peer", name=f"{name}-peer", type="cidr", endpoints=[args.vpc_cidr], opts=child
        )

        # --- AWS side --------------------------------------------------------------------------------------
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
            opts=child,
        )
        attachment = aws.ec2transitgateway.VpcAttachment(
            f"{name}-tgw-vpc",
            transit_gateway_id=tgw.id,
            vpc_id=args.vpc_id,
            subnet_ids=args.vpc_subnet_ids,
            dns_support="enable",
            tags={"Name": f"{name}-tgw-vpc"},
            opts=child,
        )
        for table_index, route_table_id in enumerate(args.vpc_route_table_ids):
            for cidr in args.private_cidrs:
                aws.ec2.Route(
                    f"{name}-rt{table_index}-{cidr_slug(cidr)}",
                    route_table_id=route_table_id,
                    destination_cidr_block=cidr,
                    transit_gateway_id=tgw.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
                )
        customer_gateway = aws.ec2.CustomerGateway(
            f"{name}-cgw",
            bgp_asn=str(args.customer_gateway_asn),
            ip_address=service.external_v4_ip,
            type="ipsec.1",
            device_name=f"{name} neutron vpnaas",
            tags={"Name": f"{name}-cgw"},
            opts=child,
        )

        # Every tunnel logs here (one stream per tunnel outside address), encrypted, kept for a bounded time.
        tunnel_logs = aws.cloudwatch.LogGroup(
            f"{name}-tunnel-logs",
            name=f"/aidc/{name}/vpn-tunnels",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.log_kms_key_arn,
            tags={"Name": f"{name}-tunnel-logs"},
            opts=child,
        )

        vpn_connections: list[aws.ec2.VpnConnection] = []
        site_connections: list[openstack.vpnaas.SiteConnection] = []
        tunnel_addresses: list[pulumi.Output[str]] = []
        psks: list[pulumi.Output[str]] = []
        for index in range(args.connections):
            # One password per tunnel; the same resource feeds the AWS tunnel and its Neutron site connection.
            passwords = [tunnel_psk(f"{name}-psk-{index}-t{tunnel}", child) for tunnel in (1, 2)]
            tunnel_psks: list[pulumi.Output[str]] = [pulumi.Output.secret(p.result) for p in passwords]
            vpn = aws.ec2.VpnConnection(
                f"{name}-vpn-{index}",
                customer_gateway_id=customer_gateway.id,
                transit_gateway_id=tgw.id,
                type="ipsec.1",
                static_routes_only=True,
                tunnel_bandwidth=args.tunnel_bandwidth,
                tunnel1_preshared_key=tunnel_psks[0],
                tunnel2_preshared_key=tunnel_psks[1],
                **aws_tunnel_options(args, 1),
                **aws_tunnel_options(args, 2),
                **tunnel_log_options(1, tunnel_logs.arn),
                **tunnel_log_options(2, tunnel_logs.arn),
                tags={"Name": f"{name}-vpn-{index}"},
                opts=child,
            )
            vpn_connections.append(vpn)
            for tunnel, address, psk in (
                (1, vpn.tunnel1_address, tunnel_psks[0]),
                (2, vpn.tunnel2_address, tunnel_psks[1]),
            ):
                site = openstack.vpnaas.SiteConnection(
                    f"{name}-site-{index}-t{tunnel}",
                    name=f"{name}-site-{index}-t{tunnel}",
                    vpnservice_id=service.id,
                    ikepolicy_id=ike_policy.id,
                    ipsecpolicy_id=ipsec_policy.id,
                    local_ep_group_id=local_group.id,
                    peer_ep_group_id=peer_group.id,
                    peer_address=address,
                    peer_id=address,
                    psk=psk,
                    initiator="bi-directional",
                    admin_state_up=True,
                    dpds=[{"action": "restart", "interval": DPD_INTERVAL_S, "timeout": args.dpd_timeout_s}],
                    opts=child,
                )
                site_connections.append(site)
                tunnel_addresses.append(address)
                psks.append(psk)

        # A TGW route table holds one static route per prefix: spread the prefixes over the connections.
        for cidr_index, cidr in enumerate(prefixes):
            vpn = vpn_connections[cidr_index % args.connections]
            aws.ec2transitgateway.Route(
                f"{name}-tgw-route-{cidr_slug(cidr)}",
                destination_cidr_block=cidr,
                transit_gateway_attachment_id=vpn.transit_gateway_attachment_id,
                transit_gateway_route_table_id=tgw.association_default_route_table_id,
                opts=child,
            )

        self.transit_gateway_id = tgw.id
        self.customer_gateway_ip = customer_gateway.ip_address.apply(lambda ip: ip or "")
        self.tunnel_outside_addresses = pulumi.Output.all(*tunnel_addresses).apply(list)
        self.vpn_connection_ids = pulumi.Output.all(*[v.id for v in vpn_connections]).apply(list)
        self.site_connection_ids = pulumi.Output.all(*[s.id for s in site_connections]).apply(list)
        self.psks = pulumi.Output.secret(pulumi.Output.all(*psks).apply(list))
        self.tunnel_log_group = tunnel_logs.name
        self.tunnel_log_group_arn = tunnel_logs.arn
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
