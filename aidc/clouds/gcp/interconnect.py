"""The interconnect between Google Cloud and the private cloud, as the plan carries it (sized by
`size_interconnect` in this module; the lead fills it in): HA VPN tunnels from the VPC's Cloud Router to the
on-premises BGP routers, and Dedicated Cloud Interconnect when the VPN cannot carry the transfers.

Pure Python (sizing layer).
"""

from __future__ import annotations

from dataclasses import dataclass

from aidc.contract import LinkEncryption
from aidc.sizing.figure import Figure
from aidc.sizing.plan import InterconnectPlan


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
    bandwidth: str  # the API's enum, e.g. "BPS_10G", "BPS_50G"
    vlan: int
    bgp_cidr: str  # the /29 candidate subnet


@dataclass(frozen=True)
class DedicatedLink:
    """One Dedicated Interconnect connection: `circuits` bundled (a LAG) at one location."""

    name: str  # "link-<i>"
    location: str
    circuits: int
    link_type: str  # "LINK_TYPE_ETHERNET_10G_LR" | "LINK_TYPE_ETHERNET_100G_LR"


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
    port_gbps: Figure | None = None
