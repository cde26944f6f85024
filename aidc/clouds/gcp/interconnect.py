"""The interconnect between Google Cloud and the private cloud: HA VPN tunnels from the VPC's Cloud Router to the
on-premises BGP routers, and Dedicated Cloud Interconnect when the VPN cannot carry the transfers to Google Cloud.

Sizing (pure Python): HA VPN routes with BGP only, so the Cloud Router spreads traffic over every tunnel (ECMP):
tunnels = max(2, ceil(required_gbps / 2 Gbps)) rounded up to a pair (a tunnel's 250,000 packets/s, two thirds of them
full data segments in a bulk TCP transfer) (one per gateway interface, the 99.99% topology).
Neutron VPNaaS speaks no BGP, so the peers are the private cloud's border routers (aidc:gcp.vpn.peer_ips), which
already speak BGP for Direct Connect. Past 16 tunnels (32 Gbps) the plan keeps 2 as the encrypted management and
fallback path and declares Dedicated Interconnect, sized as Direct Connect is: circuits = ceil(required / port) + 1
spare at the smallest speed whose active circuits fit one connection (8 x 10 Gbps or 2 x 100 Gbps), connections
named by index, VLAN attachments of at most the speed's largest capacity carrying each connection, each with its
Cloud Router BGP session on a link-local /29. Any data above public crosses the circuits under MACsec; a location
without it is refused rather than carrying internal data unencrypted. Sources beside each limit in the catalog.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from aidc.clouds.gcp.catalog import (
    HA_VPN_INTERFACES_PER_GATEWAY,
    HA_VPN_SOURCE,
    HA_VPN_TUNNEL_PPS,
    INTERCONNECT_LAG_MAX,
    INTERCONNECT_LINK_TYPES,
    INTERCONNECT_PORT_GBPS,
    INTERCONNECT_SOURCE,
    MACSEC_PORT_GBPS,
    MACSEC_PORT_GBPS_AT_SOME_LOCATIONS,
    MACSEC_SOURCE,
    VLAN_ATTACHMENT_BANDWIDTH_GBPS,
    VLAN_ATTACHMENT_MAX_GBPS,
)
from aidc.clouds.gcp.settings import Settings, settings_of
from aidc.contract import CLASSIFICATION_ORDER, GcpAttachmentBandwidth, GcpLinkType, LinkEncryption
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import InterconnectPlan, TransferSizing

if TYPE_CHECKING:
    from aidc.config.model import StackConfig


@dataclass(frozen=True)
class VpnTunnel:
    """One HA VPN tunnel: which HA VPN gateway interface (0 or 1) to which peer interface, with its BGP /30."""

    name: str  # "tunnel-<i>", by index: more tunnels add names, never rename
    interface: int  # the HA VPN gateway's interface (0 or 1)
    peer_interface: int  # the external VPN gateway's interface (0 .. len(peer_ips) - 1)
    bgp_cidr: str  # the /30 both BGP speakers take addresses from (Cloud Router .1, peer .2)


@dataclass(frozen=True)
class VlanAttachment:
    """One VLAN attachment on a Dedicated Interconnect connection, with its Cloud Router BGP session."""

    name: str  # "attachment-<i>"
    connection: str  # the Interconnect connection's name ("link-<i>")
    bandwidth: GcpAttachmentBandwidth  # the API's enum, e.g. "BPS_10G", "BPS_50G"
    vlan: int
    bgp_cidr: str  # the /29 candidate subnet


@dataclass(frozen=True)
class DedicatedLink:
    """One Dedicated Interconnect connection: `circuits` bundled (a LAG) at one location."""

    name: str  # "link-<i>"
    location: str
    circuits: int
    link_type: GcpLinkType  # the API's enum, e.g. "LINK_TYPE_ETHERNET_100G_LR"


@dataclass(frozen=True)
class GcpInterconnectPlan(InterconnectPlan):
    """HA VPN (always: the encrypted management and fallback path) and Cloud Interconnect when sized."""

    router_asn: int = 64520
    peer_asn: int = 65000
    peer_ips: tuple[str, ...] = ()
    tunnels: tuple[VpnTunnel, ...] = ()
    links: tuple[DedicatedLink, ...] = ()
    attachments: tuple[VlanAttachment, ...] = ()
    encryption: LinkEncryption = (
        "none"  # of the dedicated links: macsec where offered, else ipsec (HA VPN over them)
    )
    advertised_prefixes: tuple[
        str, ...
    ] = ()  # the Google Cloud ranges the Cloud Router advertises on-premises
    reason: str = ""  # why the dedicated links are (or are not) declared
    port_gbps: Figure | None = None  # the dedicated circuits (count and speed), when declared

    def counts(self) -> dict[str, int]:
        """The HA VPN tunnels and, when declared, the Dedicated Interconnect circuits, links and VLAN attachments."""
        dedicated = (
            {
                "interconnect_circuits": sum(link.circuits for link in self.links),
                "interconnect_links": len(self.links),
                "interconnect_attachments": len(self.attachments),
            }
            if self.links
            else {}
        )
        return {**super().counts(), **dedicated}


HA_VPN_MAX_SANE_TUNNELS = 16  # past this many tunnels (32 Gbps) a dedicated link is the sane design
# A tunnel carries 250,000 packets/s for both directions together. A bulk TCP transfer sends full 1,500-byte
# segments one way and an ACK per two segments back (delayed ACK, RFC 1122 4.2.3.2), so two thirds of the packets
# carry data: 250,000 · 2/3 · 1,500 B · 8 = 2.0 Gbps per tunnel, not the 3 Gbps the packet limit gives with every
# packet full.
DATA_SHARE_OF_PACKETS = 2 / 3
SEGMENT_BYTES = 1500
HA_VPN_TUNNEL_GBPS = HA_VPN_TUNNEL_PPS * DATA_SHARE_OF_PACKETS * SEGMENT_BYTES * 8 / 1e9
FIRST_ATTACHMENT_VLAN = 200


def _even(count: int) -> int:
    """HA VPN tunnels come in pairs, one per gateway interface (the 99.99% topology)."""
    return count + count % 2


def _tunnels(settings: Settings, count: int) -> tuple[VpnTunnel, ...]:
    """`count` tunnels spread over the two gateway interfaces and the peers, each with its BGP /30."""
    peers = max(1, len(settings.vpn.peer_ips))
    blocks = list(ipaddress.IPv4Network(settings.vpn.inside_cidr).subnets(new_prefix=30))
    if count > len(blocks):
        raise InfeasibleDemand(
            f"HA VPN needs {count} tunnels but aidc:gcp.vpn.inside_cidr ({settings.vpn.inside_cidr}) holds "
            f"{len(blocks)} /30 BGP sessions: give a larger link-local range"
        )
    return tuple(
        VpnTunnel(
            name=f"tunnel-{i}",
            interface=i % HA_VPN_INTERFACES_PER_GATEWAY,
            peer_interface=i % peers,
            bgp_cidr=str(blocks[i]),
        )
        for i in range(count)
    )


def _vpn(required: float, mode: str) -> tuple[Figure, bool]:
    """Tunnels for `required` Gbps (BGP: ECMP over every tunnel), and whether that many is sane."""
    needed = _even(max(HA_VPN_INTERFACES_PER_GATEWAY, math.ceil(required / HA_VPN_TUNNEL_GBPS - 1e-9)))
    feasible = needed <= HA_VPN_MAX_SANE_TUNNELS
    if feasible and mode != "always":
        return (
            Figure(
                needed,
                "tunnels",
                "max(2, ceil(required_gbps / tunnel_gbps)), rounded up to a pair: BGP, ECMP over every tunnel; "
                "tunnel_gbps = 250,000 packets/s · 2/3 data packets (one ACK per two segments) · 1,500 B · 8",
                {
                    "required_gbps": round(required, 6),
                    "tunnel_gbps": HA_VPN_TUNNEL_GBPS,
                    "source": HA_VPN_SOURCE,
                },
            ),
            feasible,
        )
    why = (
        f"{needed} tunnels would be needed, more than {HA_VPN_MAX_SANE_TUNNELS}"
        if not feasible
        else "aidc:gcp.interconnect.mode is always"
    )
    return (
        Figure(
            HA_VPN_INTERFACES_PER_GATEWAY,
            "tunnels",
            f"2 (the encrypted management and fallback path): {why}",
            {"required_gbps": round(required, 6), "tunnels_needed": needed, "source": HA_VPN_SOURCE},
        ),
        feasible,
    )


def _port(required: float, speeds: tuple[int, ...]) -> int:
    """The smallest circuit speed whose active circuits fit one connection; past that, the largest."""
    return next((p for p in speeds if math.ceil(required / p - 1e-9) <= INTERCONNECT_LAG_MAX[p]), speeds[-1])


def _link_type(port_gbps: int) -> GcpLinkType:
    """The port type of `port_gbps` circuits, as the API (and GcpInterconnect's Args) spell it."""
    name = INTERCONNECT_LINK_TYPES[port_gbps]
    for link_type in get_args(GcpLinkType):
        if name == link_type:
            return link_type
    raise ValueError(f"the catalog's link type {name!r} is not one of {get_args(GcpLinkType)}")


def _attachment_bandwidth(gbps: float) -> GcpAttachmentBandwidth:
    """The smallest VLAN attachment capacity that carries `gbps`, as the API spells it."""
    name = next(
        (
            name
            for name, size in sorted(VLAN_ATTACHMENT_BANDWIDTH_GBPS.items(), key=lambda kv: kv[1])
            if size >= gbps - 1e-9
        ),
        max(VLAN_ATTACHMENT_BANDWIDTH_GBPS, key=lambda name: VLAN_ATTACHMENT_BANDWIDTH_GBPS[name]),
    )
    for bandwidth in get_args(GcpAttachmentBandwidth):
        if name == bandwidth:
            return bandwidth
    raise ValueError(
        f"the catalog's attachment capacity {name!r} is not one of {get_args(GcpAttachmentBandwidth)}"
    )


def _links(
    settings: Settings, port: int, circuits: int
) -> tuple[tuple[DedicatedLink, ...], tuple[VlanAttachment, ...]]:
    """Circuits bundled into connections of at most the speed's maximum, and the VLAN attachments that carry
    each connection's active circuits (the spare's connection carries its share too: attachments are sized on the
    active capacity spread over the connections)."""
    per_link = INTERCONNECT_LAG_MAX[port]
    count = math.ceil(circuits / per_link)
    links = tuple(
        DedicatedLink(
            name=f"link-{i}",
            location=settings.interconnect.location,
            circuits=min(per_link, circuits - i * per_link),
            link_type=_link_type(port),
        )
        for i in range(count)
    )
    blocks = list(ipaddress.IPv4Network(settings.interconnect.bgp_peer_cidr).subnets(new_prefix=29))
    attachments: list[VlanAttachment] = []
    for link in links:
        link_gbps = link.circuits * port
        pieces = math.ceil(link_gbps / VLAN_ATTACHMENT_MAX_GBPS - 1e-9)
        for _ in range(pieces):
            index = len(attachments)
            if index >= len(blocks):
                raise InfeasibleDemand(
                    f"Cloud Interconnect needs more than {len(blocks)} VLAN attachments; "
                    f"aidc:gcp.interconnect.bgp_peer_cidr ({settings.interconnect.bgp_peer_cidr}) holds {len(blocks)} "
                    "/29 BGP sessions: give a larger link-local range"
                )
            attachments.append(
                VlanAttachment(
                    name=f"attachment-{index}",
                    connection=link.name,
                    bandwidth=_attachment_bandwidth(link_gbps / pieces),
                    vlan=FIRST_ATTACHMENT_VLAN + index,
                    bgp_cidr=str(blocks[index]),
                )
            )
    return links, tuple(attachments)


def _dedicated(
    settings: Settings, required: float, level: str
) -> tuple[Figure, tuple[DedicatedLink, ...], tuple[VlanAttachment, ...], LinkEncryption, Figure]:
    """Dedicated Interconnect for `required` Gbps: circuits = ceil(required / port) + 1 spare, MACsec for any data
    above public (a location without it is refused: the plan does not send internal data unencrypted)."""
    must_encrypt = level != "public"
    if must_encrypt and not settings.interconnect.macsec:
        raise InfeasibleDemand(
            f"the transfers to Google Cloud are {level} and need {required:,.1f} Gbps, more than HA VPN carries, "
            "and Cloud Interconnect would carry them unencrypted: aidc:gcp.interconnect.macsec is false (the "
            f"location offers no MACsec). Use a location with MACsec ({MACSEC_SOURCE}), or lower the transfer rate"
        )
    # MACsec runs on every 100 and 400 Gbps connection, on 10 Gbps ones only where the location offers it.
    speeds = (
        tuple(sorted({*MACSEC_PORT_GBPS, *MACSEC_PORT_GBPS_AT_SOME_LOCATIONS}))
        if must_encrypt
        else INTERCONNECT_PORT_GBPS
    )
    port = settings.interconnect.port_gbps or _port(required, speeds)
    active = max(1, math.ceil(required / port - 1e-9))
    circuits = Figure(
        active + 1,
        f"x {port} Gbps circuits",
        f"max(1, ceil(required_gbps / port_gbps)) + 1 spare; connections of at most {INTERCONNECT_LAG_MAX[port]}",
        {
            "required_gbps": round(required, 6),
            "port_gbps": port,
            "active": active,
            "source": INTERCONNECT_SOURCE,
        },
    )
    links, attachments = _links(settings, port, circuits.int)
    capacity = Figure(
        active * port,
        "Gbps",
        "(circuits - 1 spare) · port_gbps",
        {"circuits": circuits.int, "port_gbps": port},
    )
    encryption: LinkEncryption = "macsec" if must_encrypt else "none"
    return circuits, links, attachments, encryption, capacity


def size_interconnect(
    cfg: StackConfig, transfers: Sequence[TransferSizing]
) -> tuple[GcpInterconnectPlan, list[str]]:
    """HA VPN (and Dedicated Cloud Interconnect when the VPN cannot carry them) for the transfers to Google Cloud."""
    settings = settings_of(cfg)
    mode = settings.interconnect.mode
    required_value = sum(t.gbps.value for t in transfers)
    required = Figure(
        required_value,
        "Gbps",
        "Σ Gbps of the transfers to gcp",
        {t.name: round(t.gbps.value, 6) for t in transfers},
    )
    tunnels, feasible = _vpn(required_value, mode)
    vpn_gbps = Figure(
        tunnels.int * HA_VPN_TUNNEL_GBPS, "Gbps", "tunnels · tunnel_gbps", {"tunnels": tunnels.int}
    )
    warnings: list[str] = []
    levels = [t.classification for t in transfers] or [cfg.demand.security.classification]
    level = max(levels, key=CLASSIFICATION_ORDER.index)
    dedicated = mode == "always" or (mode == "auto" and not feasible)
    circuits: Figure | None = None
    links: tuple[DedicatedLink, ...] = ()
    attachments: tuple[VlanAttachment, ...] = ()
    encryption: LinkEncryption = "none"
    link_gbps: Figure | None = None
    if dedicated:
        circuits, links, attachments, encryption, link_gbps = _dedicated(settings, required_value, level)
    elif not feasible:
        warnings.append(
            f"transfers to Google Cloud need {required_value:,.1f} Gbps, more than {HA_VPN_MAX_SANE_TUNNELS} HA VPN "
            f"tunnels of {HA_VPN_TUNNEL_GBPS:g} Gbps carry, and aidc:gcp.interconnect.mode is never: the plan keeps "
            "2 tunnels and the policy pack refuses it"
        )
    capacity = Figure(
        vpn_gbps.value + (link_gbps.value if link_gbps is not None else 0.0),
        "Gbps",
        "vpn_gbps + dedicated circuits (spare excluded)",
        {"vpn_gbps": vpn_gbps.value, "dedicated_gbps": link_gbps.value if link_gbps is not None else 0.0},
    )
    reason = (
        f"HA VPN cannot carry {required_value:,.1f} Gbps"
        if dedicated and not feasible
        else "aidc:gcp.interconnect.mode is always"
        if dedicated
        else "HA VPN carries the transfers"
    )
    plan = GcpInterconnectPlan(
        cloud="gcp",
        required_gbps=required,
        vpn_tunnels=tunnels,
        vpn_gbps=vpn_gbps,
        capacity_gbps=capacity,
        router_asn=settings.vpn.router_asn,
        peer_asn=settings.vpn.peer_asn,
        peer_ips=settings.vpn.peer_ips,
        tunnels=_tunnels(settings, tunnels.int),
        links=links,
        attachments=attachments,
        encryption=encryption,
        # Every range the private cloud routes to, the control plane's /28 included: it lives in Google's peered
        # network, so no advertisement mode sends it unless named, and `pulumi up` reaches the cluster through it.
        advertised_prefixes=tuple(cidr for _, cidr in settings.routed_ranges()),
        reason=reason,
        port_gbps=circuits,
    )
    return plan, warnings
