"""The Args of GcpInterconnect: the HA VPN tunnels, Dedicated Interconnect links and VLAN attachments the plan sized
(aidc/clouds/gcp/interconnect.py GcpInterconnectPlan), validated when constructed against Google Cloud's rules.

Pure pydantic: a bad value raises a ValidationError naming the field before any resource exists.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from aidc.contract import DhGroup, GcpAttachmentBandwidth, GcpLinkType, IpsecEncryption, IpsecIntegrity
from aidc.types import FrozenArgs, IPv4Cidr, Slug, field_error
from components._args import StrInput, first_repeat, matching
from components.gcp_gpu_cluster.args import GcpLabels, GcpProject, Region

LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")
# Cloud Router ASNs are private (RFC 6996): 64512-65534 or 4200000000-4294967294 (compute.v1 RouterBgp.asn).
PRIVATE_ASNS = ((64512, 65534), (4_200_000_000, 4_294_967_294))
# HA VPN's peers are IPv4 internet addresses; an external VPN gateway with one interface is
# SINGLE_IP_INTERNALLY_REDUNDANT, with two TWO_IPS_REDUNDANCY (compute.v1 ExternalVpnGateway.redundancyType).
REDUNDANCY = {1: "SINGLE_IP_INTERNALLY_REDUNDANT", 2: "TWO_IPS_REDUNDANCY"}
# Port types and VLAN attachment capacities as compute.v1 spells them: the contract's (the plan carries them).
LinkType = GcpLinkType
AttachmentBandwidth = GcpAttachmentBandwidth
# Cloud VPN dropped Diffie-Hellman group 22 (MODP_1024_160): cloud.google.com/network-connectivity/docs/vpn/
# deprecations/cipher-changes. The other groups aidc accepts (2, 14-21, 23, 24) are on its supported list.
UNSUPPORTED_DH_GROUPS = frozenset({22})


def _link_local(prefix: int) -> AfterValidator:
    def check(value: str) -> str:
        network = ipaddress.IPv4Network(value)
        if network.prefixlen != prefix or not network.subnet_of(LINK_LOCAL):
            raise ValueError(f"must be a /{prefix} in 169.254.0.0/16, got {value!r}")
        return value

    return AfterValidator(check)


def _public_ipv4(value: str) -> str:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None
    if not address.is_global:
        raise ValueError(f"{value} is not a public address: HA VPN peers are reached over the internet")
    return value


def _private_asn(value: int) -> int:
    if not any(low <= value <= high for low, high in PRIVATE_ASNS):
        raise ValueError(f"must be a private ASN 64512-65534 or 4200000000-4294967294, got {value}")
    return value


class TunnelSpec(FrozenArgs):
    """One HA VPN tunnel: which gateway interface to which peer interface, and its BGP session's /30."""

    name: Slug
    """Stable name ('tunnel-<i>'), part of its resources' names."""
    interface: Literal[0, 1]
    """The HA VPN gateway's interface."""
    peer_interface: Literal[0, 1]
    """The external (on-premises) gateway's interface."""
    bgp_cidr: Annotated[IPv4Cidr, _link_local(30)]
    """The link-local /30 of the BGP session: the Cloud Router takes its first host, the peer the second."""

    @property
    def cloud_router_ip(self) -> str:
        return str(ipaddress.ip_network(self.bgp_cidr)[1])

    @property
    def peer_ip(self) -> str:
        return str(ipaddress.ip_network(self.bgp_cidr)[2])


class LinkSpec(FrozenArgs):
    """One Dedicated Interconnect connection: `circuits` bundled at one colocation facility."""

    name: Slug
    """Stable name ('link-<i>')."""
    location: Annotated[
        str, matching(r"^[a-z0-9-]{1,63}$", "an Interconnect location name such as 'iad-zone1-1'")
    ]
    """The facility's Interconnect location (gcloud compute interconnects locations list)."""
    circuits: Annotated[int, Field(ge=1, le=8)]
    """Circuits (physical links) in the bundle."""
    link_type: LinkType
    """10G, 100G or 400G circuits."""


class AttachmentSpec(FrozenArgs):
    """One VLAN attachment on a Dedicated Interconnect connection, with its BGP session."""

    name: Slug
    """Stable name ('attachment-<i>')."""
    link: Slug
    """The LinkSpec it rides on."""
    bandwidth: AttachmentBandwidth
    """The attachment's capacity."""
    vlan: Annotated[int, Field(ge=2, le=4093)]
    """802.1Q VLAN tag (compute.v1: 2-4093)."""
    bgp_cidr: Annotated[IPv4Cidr, _link_local(29)]
    """The /29 the attachment's BGP addresses are chosen from (its candidate subnet)."""


class GcpInterconnectArgs(FrozenArgs):
    """Inputs of GcpInterconnect: the VPC's Cloud Router and what the plan sized toward the private cloud."""

    project: GcpProject | None = None
    """Project of every resource; None: the provider's."""
    region: Region
    """Region of the Cloud Router, the gateway, the tunnels and the attachments."""
    network: StrInput
    """The VPC (id) the HA VPN gateway attaches to."""
    router: StrInput
    """The Cloud Router's id (tunnels and attachments name it)."""
    router_name: StrInput
    """The Cloud Router's name (its interfaces and BGP peers live on it)."""
    router_asn: Annotated[int, AfterValidator(_private_asn)] = 64520
    """The Cloud Router's ASN (for the peers' configuration)."""
    peer_asn: Annotated[int, Field(ge=1, le=4_294_967_294)] = 65000
    """The on-premises BGP routers' ASN."""
    peer_ips: Annotated[
        tuple[Annotated[str, AfterValidator(_public_ipv4)], ...], Field(min_length=1, max_length=2)
    ]
    """Public IPv4 addresses of the on-premises VPN/BGP routers (one or two)."""
    tunnels: Annotated[tuple[TunnelSpec, ...], Field(min_length=1)]
    """The HA VPN tunnels."""
    ike_version: Literal[1, 2] = 2
    """IKE version of every tunnel."""
    encryption: IpsecEncryption = "aes256-gcm"
    """Phase 1 and 2 encryption (one cipher per role: Cloud VPN's advice for a stable selection)."""
    integrity: IpsecIntegrity = "sha256"
    """Integrity and PRF (integrity is not negotiated with an AES-GCM cipher)."""
    dh_group: DhGroup = 20
    """Phase 1 Diffie-Hellman group, and Phase 2's PFS group."""
    advertised_ranges: Annotated[tuple[IPv4Cidr, ...], Field(min_length=1)]
    """What the Cloud Router advertises to the private cloud: the GKE node, Pod, Service and control-plane ranges."""
    links: tuple[LinkSpec, ...] = ()
    """Dedicated Interconnect connections (none when the VPN carries the transfers)."""
    attachments: tuple[AttachmentSpec, ...] = ()
    """VLAN attachments on the links."""
    macsec: bool = False
    """Encrypt the links with MACsec (the location must offer it at the links' speed)."""
    customer_name: Annotated[str, Field(min_length=1, max_length=128)] = "aidc"
    """The party named on the Letter of Authorization of each link."""
    noc_contact_email: str | None = None
    """Email Google's NOC writes to about the links."""
    description: str = ""
    """What the plan says of the interconnect (written on the gateway and the links)."""
    labels: GcpLabels = Field(default_factory=dict)
    """Google Cloud labels of the labelled children."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.dh_group in UNSUPPORTED_DH_GROUPS:
            raise field_error(
                "dh_group", f"Cloud VPN no longer supports group {self.dh_group}: use 14, 19, 20 or 21"
            )
        if self.peer_asn == self.router_asn:
            raise field_error(
                "peer_asn", f"must differ from router_asn ({self.router_asn}): the sessions are eBGP"
            )
        if len(set(self.peer_ips)) != len(self.peer_ips):
            raise field_error("peer_ips", f"must be distinct, got {list(self.peer_ips)}")
        for i, tunnel in enumerate(self.tunnels):
            if tunnel.peer_interface >= len(self.peer_ips):
                raise field_error(
                    f"tunnels[{i}].peer_interface", f"there are {len(self.peer_ips)} peer addresses"
                )
        for what, names in (
            ("tunnels", [t.name for t in self.tunnels]),
            ("links", [link.name for link in self.links]),
            ("attachments", [a.name for a in self.attachments]),
            ("tunnels", [t.bgp_cidr for t in self.tunnels]),
        ):
            index = first_repeat(names)
            if index is not None:
                raise field_error(f"{what}[{index}]", f"{names[index]!r} is used twice")
        links = {link.name for link in self.links}
        for i, attachment in enumerate(self.attachments):
            if attachment.link not in links:
                raise field_error(
                    f"attachments[{i}].link", f"{attachment.link!r} is not among links {sorted(links)}"
                )
        return self
