"""DirectConnectInterconnect: AWS Direct Connect from the private cloud's routers to the Transit Gateway.

What it declares, from its slice of the capacity plan (components never size anything):
- per link, a link aggregation group (LAG) of dedicated ports at a Direct Connect location, each port a
  `directconnect.Connection` associated with the LAG (`ConnectionAssociation`), or one accepted hosted connection
  (`ConnectionConfirmation`) a partner provisioned;
- a Direct Connect gateway and its association with the Transit Gateway, whose `allowed_prefixes` are the AWS-side
  prefixes advertised to the on-premises routers (the VPC, and the Transit Gateway CIDR for IPsec over the link);
- per link, one transit virtual interface: BGP with the on-premises ASN, an MD5 key from pulumi_random (a secret),
  jumbo frames (MTU 8500, which the Transit Gateway carries for Direct Connect attachments);
- per link, when the plan sends bulk transfers to Amazon S3 over Direct Connect (`public_prefixes`), one public
  virtual interface on the same LAG: BGP over public /30 peers, advertising the customer's public prefixes
  (`route_filter_prefixes`, which AWS verifies), with its own MD5 key; it bypasses the Transit Gateway, whose
  attachments carry 100 Gbps per Availability Zone;
- encryption as the Args say (the stack program decides it from the data classification): MACsec (must_encrypt)
  on every port, with one CKN/CAK pair per LAG from pulumi_random (secrets; 64 characters of 0-9 and A-E, the form
  AWS AssociateMacSecKey documents), or a private IP Site-to-Site VPN over the link (`outside_ip_address_type`
  PrivateIpv4 on the Transit Gateway, carried by the Direct Connect gateway attachment, BGP so both tunnels of
  every connection carry traffic; both log to the VPN's tunnel log group), or none for public data.

Outputs are what the on-premises network team needs: `on_premises` (VLANs, BGP peer addresses, ASNs, prefixes to
advertise and that AWS advertises) in the clear, `bgp_auth_keys`, `macsec_keys` and `ipsec_tunnels` as secrets.
With must_encrypt a port stays down until the far end runs MACsec with the exported keys: it never falls back to
clear text. The Site-to-Site VPN (VpnInterconnect) stays the encrypted management and fallback path.

Allowed strings (bandwidths, encryption modes, address family, MTU, key alphabet, LAG sizes) are the ones the
botocore directconnect service model documents; tests/components/test_direct_connect_values.py checks every value
this module emits against it.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Annotated, Any, Literal, Self

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import AfterValidator, Field, model_validator

from aidc.contract import (
    DhGroup,
    DirectConnectBandwidth,
    IkeVersion,
    IpsecEncryption,
    IpsecIntegrity,
    LinkEncryption,
    TunnelBandwidth,
)
from aidc.types import Frozen, FrozenArgs, IPv4Cidr, Slug
from components._args import StrInput
from components.vpn_interconnect import (
    DH_GROUPS,
    ENCRYPTIONS,
    IKE_VERSIONS,
    INTEGRITIES,
    tunnel_log_options,
    tunnel_psk,
)

DEDICATED_BANDWIDTHS = ("1Gbps", "10Gbps", "100Gbps", "400Gbps")
"""Dedicated port speeds (botocore CreateLag.connectionsBandwidth)."""
HOSTED_BANDWIDTHS = ("1Gbps", "2Gbps", "5Gbps", "10Gbps", "25Gbps")
"""Hosted connection speeds of 1 Gbps and more (botocore AllocateHostedConnection.bandwidth)."""
MACSEC_BANDWIDTHS = ("10Gbps", "100Gbps", "400Gbps")
"""Dedicated speeds that support MACsec (AWS Direct Connect User Guide, MACsec)."""
LAG_MAX_CONNECTIONS = {"1Gbps": 4, "10Gbps": 4, "100Gbps": 2, "400Gbps": 2}
"""Connections one LAG bundles (botocore CreateLag.numberOfConnections)."""
ENCRYPTION_MODE = "must_encrypt"
"""MACsec encryption mode of every port: never fall back to clear text."""
ADDRESS_FAMILY = "ipv4"
MACSEC_KEY_ALPHABET = "0123456789ABCDE"
"""AssociateMacSecKey: 'The valid values are 64 hexadecimal characters (0-9, A-E).'"""
MACSEC_KEY_LENGTH = 64
BGP_KEY_LENGTH = 32  # MD5 key: AWS takes 6-80 characters
MAX_2_BYTE_ASN = 2_147_483_646  # NewTransitVirtualInterface.asn; larger ASNs go in asnLong

Bandwidth = DirectConnectBandwidth
LocationCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{2,32}$")]
HostedConnectionId = Annotated[str, Field(pattern=r"^dxcon-[a-z0-9]{8}$")]


def _peer_address(value: str) -> str:
    try:
        interface = ipaddress.ip_interface(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an address with its prefix (e.g. 169.254.100.1/30)") from None
    if interface.version != 4 or interface.network.prefixlen not in (29, 30):
        raise ValueError(f"{value!r}: BGP peer addresses are IPv4 /30 or /29 (e.g. 169.254.100.1/30)")
    return value


PeerAddress = Annotated[str, AfterValidator(_peer_address)]


def _ipv4_address(value: str) -> str:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None
    return value


def _private_asn(value: int) -> int:
    if not (64512 <= value <= 65534 or 4_200_000_000 <= value <= 4_294_967_294):
        raise ValueError(f"must be a private ASN 64512-65534 or 4200000000-4294967294, got {value}")
    return value


_DOCUMENTATION = tuple(
    ipaddress.IPv4Network(block) for block in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)


def _public_ipv4(network: ipaddress.IPv4Network) -> bool:
    """Globally routed, or an RFC 5737 documentation range (examples; AWS refuses those at verification)."""
    return network.is_global or any(network.subnet_of(block) for block in _DOCUMENTATION)


def _public_peer(value: str) -> str:
    _peer_address(value)
    if not _public_ipv4(ipaddress.ip_interface(value).network):  # type: ignore[arg-type]
        raise ValueError(f"{value!r}: a public virtual interface peers over public IPv4 addresses you own")
    return value


def _public_prefix(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block (e.g. 198.51.100.0/24)") from None
    if not _public_ipv4(network):
        raise ValueError(f"{value!r}: a public virtual interface advertises public IPv4 prefixes you own")
    return value


PublicPeer = Annotated[str, AfterValidator(_public_peer)]
PublicPrefix = Annotated[str, AfterValidator(_public_prefix)]


class DirectConnectLinkSpec(Frozen):
    """One link: a LAG of `ports` dedicated connections (or one hosted connection) and its transit VIF."""

    name: Slug
    """Stable name of the link (e.g. 'link-0'); children are named after it, never after a count."""
    location: LocationCode
    """Direct Connect location code (e.g. EqDC2)."""
    ports: int = Field(1, ge=1)
    """Dedicated connections bundled in the LAG (1 for a hosted connection)."""
    vlan: int = Field(ge=1, le=4094)
    """802.1Q VLAN of the transit virtual interface."""
    amazon_address: PeerAddress
    """BGP peer address on the AWS side, with its prefix (a /30 or /29)."""
    customer_address: PeerAddress
    """BGP peer address of the on-premises router, in the same /30 or /29."""
    hosted_connection_id: HostedConnectionId | None = None
    """The partner's hosted connection (dxcon-...) to accept; hosted links only."""
    public_vlan: int | None = Field(None, ge=1, le=4094)
    """802.1Q VLAN of the link's public virtual interface (to Amazon S3); None: no public virtual interface."""
    public_amazon_address: PublicPeer | None = None
    """Public BGP peer address on the AWS side of the public virtual interface (a /30 of yours)."""
    public_customer_address: PublicPeer | None = None
    """Public BGP peer address of the on-premises router, in the same /30."""

    @model_validator(mode="after")
    def _same_subnet(self) -> Self:
        pairs = [("", self.amazon_address, self.customer_address)]
        public = (self.public_vlan, self.public_amazon_address, self.public_customer_address)
        if any(v is not None for v in public) and any(v is None for v in public):
            raise ValueError(
                "public_vlan, public_amazon_address and public_customer_address: give all or none"
            )
        if self.public_amazon_address and self.public_customer_address:
            pairs.append(("public_", self.public_amazon_address, self.public_customer_address))
            if self.public_vlan == self.vlan:
                raise ValueError(f"public_vlan: {self.public_vlan} is the transit interface's VLAN too")
        for prefix, amazon, customer in pairs:
            aws_side, on_premises = ipaddress.ip_interface(amazon), ipaddress.ip_interface(customer)
            if aws_side.network != on_premises.network or aws_side.ip == on_premises.ip:
                raise ValueError(
                    f"{prefix}customer_address {customer!r} and {prefix}amazon_address {amazon!r} must be two "
                    "addresses of one /30 or /29"
                )
        return self

    @property
    def public(self) -> bool:
        return self.public_vlan is not None


class IpsecOverDirectConnect(Frozen):
    """A private IP Site-to-Site VPN carried by the Direct Connect gateway attachment."""

    connections: int = Field(1, ge=1)
    """VPN connections (two tunnels each, BGP, ECMP over all of them)."""
    customer_gateway_ip: Annotated[str, AfterValidator(_ipv4_address)]
    """Private IPv4 of the on-premises VPN device, reached over Direct Connect."""
    tunnel_bandwidth: TunnelBandwidth = "standard"
    """'standard' (1.25 Gbps per tunnel) or 'large' (5 Gbps)."""
    ike_version: IkeVersion = "ikev2"
    """IKE version of both tunnels."""
    encryption: IpsecEncryption = "aes256-gcm"
    """Phase 1 and 2 cipher."""
    integrity: IpsecIntegrity = "sha256"
    """Phase 1 and 2 integrity / PRF."""
    dh_group: DhGroup = 20
    """Diffie-Hellman group of phase 1 and PFS."""
    dpd_timeout_s: int = Field(30, ge=30, le=3600)
    """Dead-peer detection timeout (AWS minimum 30 s); the action is restart."""


class DirectConnectInterconnectArgs(FrozenArgs):
    """Inputs of DirectConnectInterconnect: the plan's links, the Transit Gateway and the routing facts."""

    transit_gateway_id: StrInput
    """The Transit Gateway (VpnInterconnect.transit_gateway_id) the Direct Connect gateway is associated with."""
    links: Annotated[tuple[DirectConnectLinkSpec, ...], Field(min_length=1)]
    """The links, each a LAG (or a hosted connection) with one transit virtual interface."""
    bandwidth: Bandwidth
    """Speed of every port or hosted connection, as AWS spells it (e.g. '400Gbps')."""
    customer_asn: int = Field(ge=1, le=4_294_967_294)
    """BGP ASN of the on-premises routers."""
    amazon_side_asn: Annotated[int, AfterValidator(_private_asn)] = 64513
    """Private ASN of the Direct Connect gateway (not the Transit Gateway's)."""
    allowed_prefixes: Annotated[tuple[IPv4Cidr, ...], Field(min_length=1)]
    """AWS-side prefixes the Direct Connect gateway advertises to on-premises (the TGW association)."""
    on_premises_prefixes: tuple[IPv4Cidr, ...] = ()
    """Prefixes the on-premises routers advertise over the link (exported for the network team)."""
    public_prefixes: Annotated[tuple[PublicPrefix, ...], Field(max_length=1000)] = ()
    """Public prefixes the public virtual interfaces advertise to AWS (at most 1,000 routes per BGP session)."""
    hosted: bool = False
    """Hosted connections from a partner (accepted here) instead of dedicated ports."""
    encryption: LinkEncryption = "macsec"
    """MACsec on the ports, an IPsec VPN over the link, or none (public data only)."""
    ipsec: IpsecOverDirectConnect | None = None
    """The VPN over the link; required with encryption 'ipsec'."""
    tunnel_log_group_arn: StrInput | None = None
    """CloudWatch log group both tunnels of every VPN over the link log to (VpnInterconnect.tunnel_log_group_arn:
    KMS-encrypted, with a retention); required with encryption 'ipsec'."""
    mtu: Literal[1500, 8500] = 8500
    """MTU of the transit virtual interfaces (jumbo frames for bulk transfers)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Tags on every taggable child (e.g. what the plan sized, for the policy pack)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [link.name for link in self.links]
        vlans = [link.vlan for link in self.links]
        if len(set(names)) != len(names) or len(set(vlans)) != len(vlans):
            raise ValueError("links: names and VLANs must be distinct")
        if self.hosted:
            if self.bandwidth not in HOSTED_BANDWIDTHS:
                raise ValueError(
                    f"bandwidth: hosted connections come at {', '.join(HOSTED_BANDWIDTHS)}, got {self.bandwidth!r}"
                )
            for index, link in enumerate(self.links):
                if link.ports != 1 or link.hosted_connection_id is None:
                    raise ValueError(
                        f"links[{index}]: a hosted link is one hosted connection: ports 1 and its "
                        "hosted_connection_id (dxcon-...) from the partner"
                    )
            if self.encryption == "macsec":
                raise ValueError("encryption: MACsec is not available on hosted connections; use 'ipsec'")
        else:
            if self.bandwidth not in DEDICATED_BANDWIDTHS:
                raise ValueError(
                    f"bandwidth: dedicated ports come at {', '.join(DEDICATED_BANDWIDTHS)}, got {self.bandwidth!r}"
                )
            most = LAG_MAX_CONNECTIONS[self.bandwidth]
            for index, link in enumerate(self.links):
                if link.ports > most:
                    raise ValueError(
                        f"links[{index}].ports: a LAG of {self.bandwidth} ports bundles at most {most}, "
                        f"got {link.ports}"
                    )
                if link.hosted_connection_id is not None:
                    raise ValueError(f"links[{index}].hosted_connection_id: only for hosted links")
            if self.encryption == "macsec" and self.bandwidth not in MACSEC_BANDWIDTHS:
                raise ValueError(
                    f"encryption: MACsec runs on {', '.join(MACSEC_BANDWIDTHS)} ports, not {self.bandwidth}; "
                    "use 'ipsec'"
                )
        public_links = [link.public for link in self.links]
        if any(public_links) and (not all(public_links) or not self.public_prefixes):
            raise ValueError(
                "links: public virtual interfaces go on every link, with public_prefixes to advertise, or on none"
            )
        if self.public_prefixes and not any(public_links):
            raise ValueError(
                "public_prefixes: only with public virtual interfaces on the links (public_vlan)"
            )
        if any(public_links) and (self.hosted or self.encryption == "ipsec"):
            raise ValueError(
                "links: public virtual interfaces need dedicated ports whose traffic is not in an IPsec VPN "
                "(hosted connections carry one virtual interface)"
            )
        if (self.encryption == "ipsec") != (self.ipsec is not None):
            raise ValueError("ipsec: give the VPN settings exactly when encryption is 'ipsec'")
        if self.ipsec is not None and self.tunnel_log_group_arn is None:
            raise ValueError("tunnel_log_group_arn: required with encryption 'ipsec' (every VPN tunnel logs)")
        return self


def _tunnel_options(ipsec: IpsecOverDirectConnect, tunnel: int) -> dict[str, Any]:
    """tunnelN_* arguments of aws.ec2.VpnConnection, pinned to one value each (same tables as VpnInterconnect)."""
    prefix = f"tunnel{tunnel}_"
    cipher = ENCRYPTIONS[ipsec.encryption][0]
    integrity = INTEGRITIES[ipsec.integrity][0]
    group = DH_GROUPS[ipsec.dh_group][0]
    return {
        f"{prefix}ike_versions": [IKE_VERSIONS[ipsec.ike_version][0]],
        f"{prefix}phase1_encryption_algorithms": [cipher],
        f"{prefix}phase2_encryption_algorithms": [cipher],
        f"{prefix}phase1_integrity_algorithms": [integrity],
        f"{prefix}phase2_integrity_algorithms": [integrity],
        f"{prefix}phase1_dh_group_numbers": [group],
        f"{prefix}phase2_dh_group_numbers": [group],
        f"{prefix}dpd_timeout_action": "restart",
        f"{prefix}dpd_timeout_seconds": ipsec.dpd_timeout_s,
    }


def _tunnel_record(index: int, v: list[Any]) -> dict[str, Any]:
    """One private IP VPN connection as the on-premises VPN device is configured (PSKs included: a secret)."""
    return {
        "connection": index,
        "tunnels": [
            {
                "outside_address": v[0],
                "inside_customer": v[2],
                "inside_aws": v[3],
                "aws_asn": v[6],
                "psk": v[7],
            },
            {
                "outside_address": v[1],
                "inside_customer": v[4],
                "inside_aws": v[5],
                "aws_asn": v[6],
                "psk": v[8],
            },
        ],
    }


def _bgp_asn(asn: int) -> dict[str, Any]:
    return {"bgp_asn": asn} if asn <= MAX_2_BYTE_ASN else {"bgp_asn_long": str(asn)}


def _secret(password: random.RandomPassword) -> pulumi.Output[str]:
    return pulumi.Output.secret(password.result)


def _bgp_key(name: str, opts: pulumi.ResourceOptions) -> random.RandomPassword:
    """A BGP MD5 key of letters and digits (AWS takes 6-80 characters)."""
    return random.RandomPassword(
        name,
        length=BGP_KEY_LENGTH,
        special=False,
        upper=True,
        lower=True,
        numeric=True,
        min_upper=1,
        min_lower=1,
        min_numeric=1,
        opts=opts,
    )


class DirectConnectInterconnect(pulumi.ComponentResource):
    """Direct Connect links (LAGs or hosted connections), gateway, TGW association, transit VIFs, encryption."""

    dx_gateway_id: pulumi.Output[str]
    transit_gateway_attachment_id: pulumi.Output[str]
    lag_ids: pulumi.Output[list[str]]
    transit_vif_ids: pulumi.Output[list[str]]
    public_vif_ids: pulumi.Output[list[str]]
    on_premises: pulumi.Output[dict[str, Any]]
    bgp_auth_keys: pulumi.Output[dict[str, str]]
    macsec_keys: pulumi.Output[dict[str, dict[str, str]]]
    ipsec_tunnels: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self, name: str, args: DirectConnectInterconnectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:network:DirectConnectInterconnect", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        gateway = aws.directconnect.Gateway(
            f"{name}-gateway",
            name=f"{name}-gateway",
            amazon_side_asn=str(args.amazon_side_asn),
            tags={"Name": f"{name}-gateway", **tags},
            opts=child,
        )
        association = aws.directconnect.GatewayAssociation(
            f"{name}-tgw",
            dx_gateway_id=gateway.id,
            associated_gateway_id=args.transit_gateway_id,
            allowed_prefixes=list(args.allowed_prefixes),
            opts=child,
        )
        lag_ids: list[pulumi.Output[str]] = []
        vif_ids: list[pulumi.Output[str]] = []
        public_vif_ids: list[pulumi.Output[str]] = []
        bgp_keys: dict[str, pulumi.Output[str]] = {}
        macsec_keys: dict[str, dict[str, pulumi.Output[str]]] = {}
        for link in args.links:
            prefix = f"{name}-{link.name}"
            waits: list[pulumi.Resource] = [association]
            if args.hosted:
                connection_id = self._accept_hosted(prefix, link, waits)
            else:
                connection_id = self._lag(prefix, link, args, tags, waits, macsec_keys)
                lag_ids.append(connection_id)
            bgp_keys[link.name] = _secret(_bgp_key(f"{prefix}-bgp-key", child))
            vif_ids.append(
                self._transit_vif(prefix, link, args, connection_id, gateway, bgp_keys[link.name], waits)
            )
            if link.public:
                bgp_keys[f"{link.name}-public"] = _secret(_bgp_key(f"{prefix}-public-bgp-key", child))
                public_vif_ids.append(
                    self._public_vif(
                        prefix, link, args, connection_id, bgp_keys[f"{link.name}-public"], waits
                    )
                )
        tunnels: list[pulumi.Output[dict[str, Any]]] = []
        if args.ipsec is not None:
            tunnels = self._ipsec(name, args, args.ipsec, association, tags)
        self._outputs(
            args, gateway, association, lag_ids, vif_ids, public_vif_ids, bgp_keys, macsec_keys, tunnels
        )

    def _outputs(
        self,
        args: DirectConnectInterconnectArgs,
        gateway: aws.directconnect.Gateway,
        association: aws.directconnect.GatewayAssociation,
        lag_ids: list[pulumi.Output[str]],
        vif_ids: list[pulumi.Output[str]],
        public_vif_ids: list[pulumi.Output[str]],
        bgp_keys: dict[str, pulumi.Output[str]],
        macsec_keys: dict[str, dict[str, pulumi.Output[str]]],
        tunnels: list[pulumi.Output[dict[str, Any]]],
    ) -> None:
        self.dx_gateway_id = gateway.id
        self.transit_gateway_attachment_id = association.transit_gateway_attachment_id
        self.lag_ids = pulumi.Output.all(*lag_ids).apply(list)
        self.transit_vif_ids = pulumi.Output.all(*vif_ids).apply(list)
        self.public_vif_ids = pulumi.Output.all(*public_vif_ids).apply(list)
        count = len(vif_ids)
        self.on_premises = pulumi.Output.all(gateway.id, *vif_ids, *public_vif_ids).apply(
            lambda ids: self._on_premises(args, ids[0], ids[1 : 1 + count], ids[1 + count :])
        )
        self.bgp_auth_keys = pulumi.Output.secret(pulumi.Output.all(**bgp_keys))
        self.macsec_keys = pulumi.Output.secret(
            pulumi.Output.all(**{link: pulumi.Output.all(**pair) for link, pair in macsec_keys.items()})
        )
        self.ipsec_tunnels = pulumi.Output.secret(pulumi.Output.all(*tunnels).apply(list))
        self.register_outputs(
            {
                "dx_gateway_id": self.dx_gateway_id,
                "transit_gateway_attachment_id": self.transit_gateway_attachment_id,
                "lag_ids": self.lag_ids,
                "transit_vif_ids": self.transit_vif_ids,
                "public_vif_ids": self.public_vif_ids,
                "on_premises": self.on_premises,
                "bgp_auth_keys": self.bgp_auth_keys,
                "macsec_keys": self.macsec_keys,
                "ipsec_tunnels": self.ipsec_tunnels,
            }
        )

    def _accept_hosted(
        self, prefix: str, link: DirectConnectLinkSpec, waits: list[pulumi.Resource]
    ) -> pulumi.Output[str]:
        """Accept the partner's hosted connection of this link."""
        confirmation = aws.directconnect.ConnectionConfirmation(
            f"{prefix}-confirm",
            connection_id=str(link.hosted_connection_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        waits.append(confirmation)
        return confirmation.connection_id

    def _lag(
        self,
        prefix: str,
        link: DirectConnectLinkSpec,
        args: DirectConnectInterconnectArgs,
        tags: dict[str, str],
        waits: list[pulumi.Resource],
        macsec_keys: dict[str, dict[str, pulumi.Output[str]]],
    ) -> pulumi.Output[str]:
        """The link's LAG and its dedicated ports (each associated with it), MACsec keys when planned."""
        child = pulumi.ResourceOptions(parent=self)
        macsec = args.encryption == "macsec"
        link_tags = {"Name": prefix, **tags}
        # pulumi-aws 7.x's LinkAggregationGroup takes no encryption mode (CreateLag has none; only UpdateLag sets
        # it): every member connection is declared must_encrypt instead, and AWS applies a LAG's mode to all members.
        lag = aws.directconnect.LinkAggregationGroup(
            prefix,
            name=prefix,
            connections_bandwidth=args.bandwidth,
            location=link.location,
            force_destroy=False,
            tags=link_tags,
            opts=child,
        )
        for port in range(link.ports):
            connection = aws.directconnect.Connection(
                f"{prefix}-port-{port}",
                name=f"{prefix}-port-{port}",
                bandwidth=args.bandwidth,
                location=link.location,
                request_macsec=macsec,
                encryption_mode=ENCRYPTION_MODE if macsec else None,
                tags={**link_tags, "Name": f"{prefix}-port-{port}"},
                opts=child,
            )
            waits.append(
                aws.directconnect.ConnectionAssociation(
                    f"{prefix}-port-{port}-lag", connection_id=connection.id, lag_id=lag.id, opts=child
                )
            )
        if macsec:
            macsec_keys[link.name] = self._macsec(prefix, lag, waits)
        return lag.id

    def _macsec(
        self, prefix: str, lag: aws.directconnect.LinkAggregationGroup, waits: list[pulumi.Resource]
    ) -> dict[str, pulumi.Output[str]]:
        """One CKN/CAK pair per LAG (AWS applies a LAG's key to all of its connections), associated once the
        ports are in the LAG."""
        child = pulumi.ResourceOptions(parent=self)
        ckn, cak = (
            random.RandomPassword(
                f"{prefix}-{role}",
                length=MACSEC_KEY_LENGTH,
                upper=False,
                lower=False,
                numeric=True,
                special=True,
                override_special=MACSEC_KEY_ALPHABET[10:],
                opts=child,
            )
            for role in ("ckn", "cak")
        )
        keys = {"ckn": _secret(ckn), "cak": _secret(cak)}
        waits.append(
            aws.directconnect.MacsecKeyAssociation(
                f"{prefix}-macsec",
                connection_id=lag.id,
                ckn=keys["ckn"],
                cak=keys["cak"],
                opts=pulumi.ResourceOptions(parent=self, depends_on=waits[1:]),
            )
        )
        return keys

    def _transit_vif(
        self,
        prefix: str,
        link: DirectConnectLinkSpec,
        args: DirectConnectInterconnectArgs,
        connection_id: pulumi.Output[str],
        gateway: aws.directconnect.Gateway,
        bgp_key: pulumi.Output[str],
        waits: list[pulumi.Resource],
    ) -> pulumi.Output[str]:
        vif = aws.directconnect.TransitVirtualInterface(
            f"{prefix}-vif",
            name=f"{prefix}-vif",
            connection_id=connection_id,
            dx_gateway_id=gateway.id,
            vlan=link.vlan,
            address_family=ADDRESS_FAMILY,
            **_bgp_asn(args.customer_asn),
            bgp_auth_key=bgp_key,
            amazon_address=link.amazon_address,
            customer_address=link.customer_address,
            mtu=args.mtu,
            sitelink_enabled=False,
            tags={"Name": f"{prefix}-vif", **args.tags},
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits),
        )
        return vif.id

    def _public_vif(
        self,
        prefix: str,
        link: DirectConnectLinkSpec,
        args: DirectConnectInterconnectArgs,
        connection_id: pulumi.Output[str],
        bgp_key: pulumi.Output[str],
        waits: list[pulumi.Resource],
    ) -> pulumi.Output[str]:
        """The link's public virtual interface: the path of bulk transfers to Amazon S3 (no Transit Gateway)."""
        vif = aws.directconnect.PublicVirtualInterface(
            f"{prefix}-public-vif",
            name=f"{prefix}-public-vif",
            connection_id=connection_id,
            vlan=link.public_vlan,  # set on every link with public=True
            address_family=ADDRESS_FAMILY,
            **_bgp_asn(args.customer_asn),
            bgp_auth_key=bgp_key,
            amazon_address=link.public_amazon_address,
            customer_address=link.public_customer_address,
            route_filter_prefixes=list(args.public_prefixes),
            tags={"Name": f"{prefix}-public-vif", **args.tags},
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits),
        )
        return vif.id

    def _ipsec(
        self,
        name: str,
        args: DirectConnectInterconnectArgs,
        ipsec: IpsecOverDirectConnect,
        association: aws.directconnect.GatewayAssociation,
        tags: dict[str, str],
    ) -> list[pulumi.Output[dict[str, Any]]]:
        """The private IP VPN: one customer gateway at the on-premises device, `connections` BGP connections,
        both tunnels of each logging to `args.tunnel_log_group_arn`."""
        child = pulumi.ResourceOptions(parent=self)
        asn = args.customer_asn
        log_group_arn = args.tunnel_log_group_arn
        assert log_group_arn is not None, "the Args refuse encryption 'ipsec' without a tunnel log group"
        gateway = aws.ec2.CustomerGateway(
            f"{name}-ipsec-cgw",
            type="ipsec.1",
            ip_address=ipsec.customer_gateway_ip,
            **({"bgp_asn": str(asn)} if asn <= 2_147_483_647 else {"bgp_asn_extended": str(asn)}),
            device_name=f"{name} on-premises VPN over Direct Connect",
            tags={"Name": f"{name}-ipsec-cgw", **tags},
            opts=child,
        )
        tunnels: list[pulumi.Output[dict[str, Any]]] = []
        for index in range(ipsec.connections):
            psks = [_secret(tunnel_psk(f"{name}-ipsec-{index}-psk-t{tunnel}", child)) for tunnel in (1, 2)]
            vpn = aws.ec2.VpnConnection(
                f"{name}-ipsec-{index}",
                customer_gateway_id=gateway.id,
                transit_gateway_id=args.transit_gateway_id,
                type="ipsec.1",
                outside_ip_address_type="PrivateIpv4",
                transport_transit_gateway_attachment_id=association.transit_gateway_attachment_id,
                static_routes_only=False,
                tunnel_bandwidth=ipsec.tunnel_bandwidth,
                tunnel1_preshared_key=psks[0],
                tunnel2_preshared_key=psks[1],
                **_tunnel_options(ipsec, 1),
                **_tunnel_options(ipsec, 2),
                **tunnel_log_options(1, log_group_arn),
                **tunnel_log_options(2, log_group_arn),
                tags={"Name": f"{name}-ipsec-{index}", **tags},
                opts=child,
            )
            tunnels.append(
                pulumi.Output.all(
                    vpn.tunnel1_address,
                    vpn.tunnel2_address,
                    vpn.tunnel1_cgw_inside_address,
                    vpn.tunnel1_vgw_inside_address,
                    vpn.tunnel2_cgw_inside_address,
                    vpn.tunnel2_vgw_inside_address,
                    vpn.tunnel1_bgp_asn,
                    psks[0],
                    psks[1],
                ).apply(functools.partial(_tunnel_record, index))
            )
        return tunnels

    @staticmethod
    def _on_premises(
        args: DirectConnectInterconnectArgs, gateway_id: str, vif_ids: list[str], public_vif_ids: list[str]
    ) -> dict[str, Any]:
        """What the on-premises routers are configured with (no secrets: keys are separate outputs)."""
        public_ids = dict(zip([link.name for link in args.links if link.public], public_vif_ids, strict=True))
        over_the_link = list(args.on_premises_prefixes)
        if args.ipsec is not None:
            # The transit VIFs carry only the VPN device's address; the private prefixes go over the VPN's BGP.
            over_the_link = [f"{args.ipsec.customer_gateway_ip}/32"]
        return {
            "dx_gateway_id": gateway_id,
            "amazon_side_asn": args.amazon_side_asn,
            "customer_asn": args.customer_asn,
            "bandwidth": args.bandwidth,
            "hosted": args.hosted,
            "encryption": args.encryption,
            "mtu": args.mtu,
            "aws_advertises": list(args.allowed_prefixes),
            "advertise_over_transit_vifs": over_the_link,
            "advertise_over_ipsec": list(args.on_premises_prefixes) if args.ipsec is not None else [],
            "advertise_over_public_vifs": list(args.public_prefixes),
            "links": [
                {
                    "name": link.name,
                    "location": link.location,
                    "ports": link.ports,
                    "vlan": link.vlan,
                    "amazon_address": link.amazon_address,
                    "customer_address": link.customer_address,
                    "transit_vif_id": vif_id,
                    **(
                        {
                            "public_vlan": link.public_vlan,
                            "public_amazon_address": link.public_amazon_address,
                            "public_customer_address": link.public_customer_address,
                            "public_vif_id": public_ids.get(link.name),
                        }
                        if link.public
                        else {}
                    ),
                }
                for link, vif_id in zip(args.links, vif_ids, strict=True)
            ],
        }
