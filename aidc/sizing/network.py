"""Transfer demand and the interconnect: Gbps per transfer, VPN connections over a Transit Gateway with ECMP,
and a Direct Connect recommendation with figures when a VPN cannot carry the load.

Gbps = volume_gb · 8 / (window_hours · 3600); the seed article's T = V / B is the inverse and is reported as
the hours each transfer takes at the bandwidth the plan provides, so the two always agree.

Routing is static: Neutron VPNaaS site connections are policy-based and speak no BGP, and a Transit Gateway
spreads traffic over several VPN tunnels (ECMP) only for BGP routes. With static routes each private prefix
uses one active tunnel (the connection's second tunnel is its standby), so the plan splits the private range
into one route prefix per connection and counts one tunnel's bandwidth per connection. Sources: AWS re:Post
knowledge center "vpn-configure-tunnel-preference" and "transit-gateway-ecmp-multiple-tunnels".

Direct Connect (`size_direct_connect`), when the VPN cannot carry the transfers (or config asks for it):
ports = ceil(required_gbps / port_gbps) + 1 spare, at the smallest port speed AWS offers (1, 10, 100, 400 Gbps
dedicated; 1-25 Gbps hosted) whose active ports fit one LAG, MACsec-capable speeds (10, 100, 400) when the data
must be encrypted. Ports are bundled into links (LAGs) of at most 4 (1/10 Gbps) or 2 (100/400 Gbps) connections,
each with one transit virtual interface; links are named by index, so growth adds ports and links, never renames.
Encryption follows classification: internal and above get MACsec on dedicated ports that support it, otherwise a
private IP VPN over the link (BGP, both tunnels of each connection active), which then bounds the capacity.
The on-premises routers advertise the private route prefixes one bit longer over Direct Connect, so the Transit
Gateway prefers Direct Connect (longest prefix) and falls back to the VPN's static routes when BGP withdraws them.

Edge ranges (`NetworkPlan.edge_route_prefixes`): the edge supernet, plus any hand-set site network outside it,
collapsed to the fewest prefixes — one route for a thousand sites, unchanged when sites come and go. Where they
are advertised, honestly: NOT over this VPN. A Neutron VPNaaS site connection is policy-based; its traffic
selectors are its local endpoint group, which Neutron only accepts as subnets attached to the VPN service's
router (the core subnet), and its peer group (the VPC CIDR); AWS keeps one SA pair per tunnel. Edge sites are
separate Neutron networks behind their own routers (often in other regions), so their traffic can never match
these selectors, and AWS routes toward the tunnels for the edge ranges would black-hole. The aggregates are what
the private cloud's WAN must route between the core and the edge sites: the program exports them
(`edge_route_prefixes`, with `edge_networks` per site) for the WAN/border routers. Direct Connect is routed (BGP)
and could carry them, but aidc declares no AWS route to an edge range there either: the border routers would have
to advertise them and the VPC route them, a decision for the network team, not a side effect of adding sites. AWS workloads reach the edge
through services in the core (the object store the edge pulls models from), not by routing to edge addresses.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
from typing import NamedTuple

from aidc.clouds import interconnect_of
from aidc.clouds.aws.catalog import (
    DIRECT_CONNECT_HOSTED_GBPS,
    DIRECT_CONNECT_LAG_MAX,
    DIRECT_CONNECT_LAG_SOURCE,
    DIRECT_CONNECT_LAGS_PER_REGION,
    DIRECT_CONNECT_MACSEC_GBPS,
    DIRECT_CONNECT_MACSEC_SOURCE,
    DIRECT_CONNECT_PORT_GBPS,
    DIRECT_CONNECT_QUOTA_HINT,
    DIRECT_CONNECT_QUOTA_SOURCE,
    DIRECT_CONNECT_SOURCE,
    DIRECT_CONNECT_VIFS_PER_GATEWAY,
    S3_GET_PER_PREFIX_PER_S,
    S3_PART_BYTES,
    S3_PERFORMANCE_SOURCE,
    S3_PUT_PER_PREFIX_PER_S,
    TGW_ATTACHMENT_GBPS_PER_AZ,
    TGW_BANDWIDTH_SOURCE,
    VPN_MAX_SANE_TUNNELS,
    VPN_SOURCE,
    VPN_TUNNEL_GBPS_LARGE,
    VPN_TUNNEL_GBPS_STANDARD,
    VPN_TUNNELS_PER_CONNECTION,
)
from aidc.clouds.aws.settings import settings_of as aws_settings
from aidc.config.addressing import edge_route_prefixes
from aidc.config.model import DOCUMENTATION_IPV4, StackConfig, TransferDemand
from aidc.contract import (
    CLASSIFICATION_ORDER,
    PUBLIC_CLOUDS,
    DirectConnectBandwidth,
    LinkEncryption,
    PublicCloud,
)
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    DirectConnectLink,
    DirectConnectPlan,
    InterconnectPlan,
    NetworkPlan,
    PathHop,
    TransferSizing,
)

# Port speeds as the Direct Connect API spells them (botocore directconnect CreateConnection.bandwidth).
BANDWIDTH: dict[int, DirectConnectBandwidth] = {
    1: "1Gbps",
    2: "2Gbps",
    5: "5Gbps",
    10: "10Gbps",
    25: "25Gbps",
    100: "100Gbps",
    400: "400Gbps",
}
AWS = "aws"  # the cloud this module's VPN and Direct Connect reach (to move to aidc/clouds/aws/ with them)
SECONDS_PER_HOUR = 3600
BITS_PER_BYTE = 8


def transfer_gbps(volume_gb: float, window_hours: float) -> Figure:
    return Figure(
        volume_gb * BITS_PER_BYTE / (window_hours * SECONDS_PER_HOUR),
        "Gbps",
        "volume_gb · 8 / (window_hours · 3600)",
        {"volume_gb": volume_gb, "window_hours": window_hours},
    )


def transfer_hours(volume_gb: float, gbps: float) -> Figure:
    """The seed's T = V / B, in hours, at a given bandwidth."""
    hours = volume_gb * BITS_PER_BYTE / gbps / SECONDS_PER_HOUR if gbps > 0 else math.inf
    return Figure(
        hours, "h", "T = V / B = volume_gb · 8 / gbps / 3600", {"volume_gb": volume_gb, "gbps": gbps}
    )


ROUTE_PREFIXES = VPN_MAX_SANE_TUNNELS // VPN_TUNNELS_PER_CONNECTION  # one per connection at the sane maximum


def route_prefixes(network_cidr: str) -> tuple[str, ...]:
    """The private range split into a fixed number of route prefixes (8), whatever the connection count, so
    the Transit Gateway routes keep their names as connections are added: only their targets move."""
    network = ipaddress.ip_network(network_cidr)
    extra_bits = min(int(math.log2(ROUTE_PREFIXES)), network.max_prefixlen - network.prefixlen)
    return tuple(str(subnet) for subnet in network.subnets(prefixlen_diff=extra_bits))


def _top_classification(levels: list[str]) -> str:
    return max(levels, key=CLASSIFICATION_ORDER.index)


def more_specific(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Each prefix split in two (one bit longer): preferred over the VPN's static routes by longest match."""
    result: list[str] = []
    for prefix in prefixes:
        network = ipaddress.ip_network(prefix)
        if network.prefixlen >= network.max_prefixlen:
            result.append(str(network))
        else:
            result.extend(str(n) for n in network.subnets(prefixlen_diff=1))
    return tuple(result)


def _port_speed(required_gbps: float, speeds: tuple[int, ...], hosted: bool) -> int:
    if hosted:  # no LAGs for hosted connections: the smallest speed that carries it, else the largest
        return next((p for p in speeds if p >= required_gbps), speeds[-1])
    # The smallest port whose active ports fit one LAG; past that, the largest port and several LAGs.
    return next(
        (p for p in speeds if math.ceil(required_gbps / p - 1e-9) <= DIRECT_CONNECT_LAG_MAX[p]), speeds[-1]
    )


class DxPorts(NamedTuple):
    """The ports (or hosted connections) Direct Connect needs."""

    port_gbps: int
    total: int  # ports with the spare
    lag_max: int  # connections per link: a LAG's limit (1 for a hosted connection)
    want_macsec: bool
    figure: Figure


class DxEncryption(NamedTuple):
    mode: LinkEncryption
    reason: str
    ipsec_connections: Figure | None


def _dx_ports(cfg: StackConfig, required_gbps: float, must_encrypt: bool) -> DxPorts:
    dx = cfg.interconnect.direct_connect
    speeds = DIRECT_CONNECT_HOSTED_GBPS if dx.hosted else DIRECT_CONNECT_PORT_GBPS
    want_macsec = must_encrypt and not dx.hosted and dx.macsec
    candidates = tuple(p for p in speeds if p in DIRECT_CONNECT_MACSEC_GBPS) if want_macsec else speeds
    port = dx.port_gbps or _port_speed(required_gbps, candidates, dx.hosted)
    active = max(1, math.ceil(required_gbps / port - 1e-9))
    lag_max = 1 if dx.hosted else DIRECT_CONNECT_LAG_MAX[port]
    figure = Figure(
        active + 1,
        f"x {port} Gbps {'hosted connections' if dx.hosted else 'ports'}",
        "max(1, ceil(required_gbps / port_gbps)) + 1 spare"
        + ("" if dx.hosted else f"; LAGs of at most {lag_max} (ceil(ports / {lag_max}) links)"),
        {
            "required_gbps": round(required_gbps, 6),
            "port_gbps": port,
            "active_ports": active,
            "spare_ports": 1,
            "lag_max": lag_max,
            "source": DIRECT_CONNECT_SOURCE + ("" if dx.hosted else "; " + DIRECT_CONNECT_LAG_SOURCE),
        },
    )
    return DxPorts(port, active + 1, lag_max, want_macsec, figure)


def _ports_per_location(cfg: StackConfig, ports: DxPorts, link_count: int) -> Figure:
    """Ports at each location (links round robin over the locations), refused past the account's quota."""
    dx = cfg.interconnect.direct_connect
    locations = dx.all_locations
    per_location = {location: 0 for location in locations}
    for index in range(link_count):
        per_location[locations[index % len(locations)]] += min(
            ports.lag_max, ports.total - index * ports.lag_max
        )
    busiest = max(per_location, key=lambda code: per_location[code])
    quota = dx.connections_per_location
    if not dx.hosted and per_location[busiest] > quota:
        needed = math.ceil(ports.total / quota)
        raise InfeasibleDemand(
            f"Direct Connect needs {ports.total} dedicated connections of {ports.port_gbps} Gbps in {link_count} "
            f"links; spread over {', '.join(locations)} they put {per_location[busiest]} at {busiest}, past the "
            f"quota of {quota} dedicated connections per location in {aws_settings(cfg).region} ({DIRECT_CONNECT_QUOTA_SOURCE}"
            f"): list at least {needed} locations in aidc:interconnect.direct_connect.locations, or "
            f"{DIRECT_CONNECT_QUOTA_HINT}"
        )
    return Figure(
        per_location[busiest],
        "ports",
        "the most ports at one location: links (LAGs) round robin over the locations, each ≤ "
        "connections_per_location (the account's quota of dedicated connections per location)",
        {
            **{f"ports_at_{code}": count for code, count in per_location.items()},
            "connections_per_location": quota,
            "source": DIRECT_CONNECT_QUOTA_SOURCE,
        },
    )


def _check_link_quotas(cfg: StackConfig, ports: DxPorts, link_count: int) -> None:
    """LAGs per Region, virtual interfaces per Direct Connect gateway, peer addresses and VLANs."""
    dx = cfg.interconnect.direct_connect
    key = "aidc:interconnect.direct_connect"
    if not dx.hosted and link_count > DIRECT_CONNECT_LAGS_PER_REGION:
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} LAGs of {ports.port_gbps} Gbps; an account holds "
            f"{DIRECT_CONNECT_LAGS_PER_REGION} LAGs per Region ({DIRECT_CONNECT_QUOTA_SOURCE}): ask AWS to raise "
            "'Link aggregation groups (LAGs) per Region', or use faster ports (port_gbps)"
        )
    if link_count > DIRECT_CONNECT_VIFS_PER_GATEWAY:
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} transit virtual interfaces on one Direct Connect gateway, which "
            f"takes {DIRECT_CONNECT_VIFS_PER_GATEWAY} ({DIRECT_CONNECT_QUOTA_SOURCE}): use faster ports (port_gbps)"
        )
    peers = list(ipaddress.IPv4Network(dx.bgp_peer_cidr).subnets(new_prefix=30))
    if link_count > len(peers):
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} links but {key}.bgp_peer_cidr ({dx.bgp_peer_cidr}) holds "
            f"{len(peers)} /30 BGP peerings: give a larger range"
        )
    if dx.first_vlan + link_count - 1 > 4094:
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} links (VLANs {dx.first_vlan}..{dx.first_vlan + link_count - 1}), "
            f"past VLAN 4094: lower {key}.first_vlan"
        )
    if not dx.public_peer_cidr:
        return
    public_peers = list(ipaddress.IPv4Network(dx.public_peer_cidr).subnets(new_prefix=30))
    transit = range(dx.first_vlan, dx.first_vlan + link_count)
    public = range(dx.public_first_vlan, dx.public_first_vlan + link_count)
    if link_count > len(public_peers):
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} public virtual interfaces but {key}.public_peer_cidr "
            f"({dx.public_peer_cidr}) holds {len(public_peers)} /30 BGP peerings: give a larger block"
        )
    if public[-1] > 4094 or set(transit) & set(public):
        raise InfeasibleDemand(
            f"Direct Connect's public virtual interfaces need VLANs {public[0]}..{public[-1]}, beside the transit "
            f"ones {transit[0]}..{transit[-1]}: set {key}.public_first_vlan so the two ranges stay apart and ≤ 4094"
        )


def _dx_links(cfg: StackConfig, ports: DxPorts) -> tuple[tuple[DirectConnectLink, ...], Figure]:
    """The links (LAGs, or hosted connections), their locations, VLANs and BGP peers, within the quotas."""
    dx = cfg.interconnect.direct_connect
    link_count = math.ceil(ports.total / ports.lag_max)
    _check_link_quotas(cfg, ports, link_count)
    per_location = _ports_per_location(cfg, ports, link_count)
    locations = dx.all_locations
    peers = list(ipaddress.IPv4Network(dx.bgp_peer_cidr).subnets(new_prefix=30))
    public_peers = (
        list(ipaddress.IPv4Network(dx.public_peer_cidr).subnets(new_prefix=30)) if dx.public_peer_cidr else []
    )
    links = []
    for index in range(link_count):
        hosts = list(peers[index].hosts())
        public = list(public_peers[index].hosts()) if public_peers else None
        links.append(
            DirectConnectLink(
                name=f"link-{index}",
                location=locations[index % len(locations)],
                ports=min(ports.lag_max, ports.total - index * ports.lag_max),
                vlan=dx.first_vlan + index,
                amazon_address=f"{hosts[0]}/30",
                customer_address=f"{hosts[1]}/30",
                hosted_connection_id=(
                    dx.hosted_connection_ids[index] if index < len(dx.hosted_connection_ids) else None
                ),
                public_vlan=dx.public_first_vlan + index if public else None,
                public_amazon_address=f"{public[0]}/30" if public else None,
                public_customer_address=f"{public[1]}/30" if public else None,
            )
        )
    return tuple(links), per_location


def _dx_encryption(
    cfg: StackConfig, level: str, ports: DxPorts, required_gbps: float, warnings: list[str]
) -> DxEncryption:
    """MACsec, a private IP VPN over the link, or none for public data (the VPN then bounds the capacity)."""
    dx = cfg.interconnect.direct_connect
    port = ports.port_gbps
    if level == "public":
        return DxEncryption(
            "none", f"the transfers are {level}: Direct Connect carries them unencrypted", None
        )
    if ports.want_macsec and port in DIRECT_CONNECT_MACSEC_GBPS:
        return DxEncryption(
            "macsec",
            f"{level} data: MACsec (must_encrypt) on the dedicated {port} Gbps ports ({DIRECT_CONNECT_MACSEC_SOURCE})",
            None,
        )
    why = (
        "hosted connections have no MACsec"
        if dx.hosted
        else f"{port} Gbps ports have no MACsec"
        if port not in DIRECT_CONNECT_MACSEC_GBPS
        else "aidc:interconnect.direct_connect.macsec is false"
    )
    if dx.vpn_peer_ip is None:
        raise InfeasibleDemand(
            f"Direct Connect carries {level} data without MACsec ({why}), so it runs an IPsec VPN over the "
            "link, whose on-premises end needs an address: set aidc:interconnect.direct_connect.vpn_peer_ip "
            "(the VPN device's private IPv4 reached over Direct Connect)"
        )
    tunnel_gbps = VPN_TUNNEL_GBPS_LARGE if cfg.vpn.tunnel_bandwidth == "large" else VPN_TUNNEL_GBPS_STANDARD
    per_connection = VPN_TUNNELS_PER_CONNECTION * tunnel_gbps  # BGP: ECMP over both tunnels
    count = max(1, math.ceil(required_gbps / per_connection - 1e-9))
    connections = Figure(
        count,
        "connections",
        "max(1, ceil(required_gbps / (2 tunnels · tunnel_gbps))): BGP over the private IP VPN, ECMP over "
        "both tunnels of every connection",
        {"required_gbps": round(required_gbps, 6), "tunnel_gbps": tunnel_gbps, "source": VPN_SOURCE},
    )
    if count * VPN_TUNNELS_PER_CONNECTION > VPN_MAX_SANE_TUNNELS:
        warnings.append(
            f"IPsec over Direct Connect needs {count} VPN connections ({count * 2} tunnels of "
            f"{tunnel_gbps:g} Gbps) for {required_gbps:,.1f} Gbps: MACsec-capable dedicated ports "
            f"({', '.join(str(g) for g in DIRECT_CONNECT_MACSEC_GBPS)} Gbps) encrypt at line rate"
        )
    return DxEncryption(
        "ipsec", f"{level} data and {why}: a private IP Site-to-Site VPN over the link", connections
    )


def _dx_capacity(ports: DxPorts, encryption: DxEncryption) -> Figure:
    capacity = float((ports.total - 1) * ports.port_gbps)
    inputs: dict[str, object] = {"ports": ports.total, "port_gbps": ports.port_gbps}
    formula = "(ports - 1 spare) · port_gbps"
    if encryption.ipsec_connections is not None:
        tunnel_gbps = float(encryption.ipsec_connections.inputs["tunnel_gbps"])
        encrypted = encryption.ipsec_connections.int * VPN_TUNNELS_PER_CONNECTION * tunnel_gbps
        capacity = min(capacity, encrypted)
        formula = "min((ports - 1 spare) · port_gbps, ipsec_connections · 2 · tunnel_gbps)"
        inputs |= {"ipsec_connections": encryption.ipsec_connections.int, "tunnel_gbps": tunnel_gbps}
    return Figure(capacity, "Gbps", formula, inputs)


def _tgw_path(cfg: StackConfig) -> Figure:
    azs = len(aws_settings(cfg).zones)
    return Figure(
        TGW_ATTACHMENT_GBPS_PER_AZ * azs,
        "Gbps",
        "Transit Gateway attachment bandwidth per AZ · AZs (the VPC attachment spans aidc:aws.azs)",
        {"gbps_per_az": TGW_ATTACHMENT_GBPS_PER_AZ, "azs": azs, "source": TGW_BANDWIDTH_SOURCE},
    )


def _s3_hop(cfg: StackConfig, required_gbps: float) -> PathHop:
    """Amazon S3 scales per key prefix: the prefixes the transfers must spread over to reach the rate."""
    per_prefix = S3_PUT_PER_PREFIX_PER_S * S3_PART_BYTES * BITS_PER_BYTE / 1e9  # the lower (PUT) rate
    prefixes = max(1, math.ceil(required_gbps / per_prefix - 1e-9))
    return PathHop(
        f"Amazon S3 in {aws_settings(cfg).region} (the datasets bucket)",
        Figure(
            prefixes * per_prefix,
            "Gbps",
            "key prefixes · 3,500 PUT/s · 16 MiB parts · 8 / 1e9 (S3 scales per partitioned prefix: the transfers "
            "spread their objects over at least this many prefixes)",
            {
                "prefixes": prefixes,
                "put_per_prefix_per_s": S3_PUT_PER_PREFIX_PER_S,
                "get_per_prefix_per_s": S3_GET_PER_PREFIX_PER_S,
                "part_bytes": S3_PART_BYTES,
                "source": S3_PERFORMANCE_SOURCE,
            },
        ),
        required_gbps,
    )


def _dx_path(
    cfg: StackConfig,
    required_gbps: float,
    ports: DxPorts,
    links: tuple[DirectConnectLink, ...],
    encryption: DxEncryption,
    capacity: Figure,
) -> tuple[str, tuple[PathHop, ...]]:
    """The path the bulk transfers take from the private cloud to where their data lives, hop by hop, each with
    what it carries; refused (naming the limit) when a hop cannot carry the rate."""
    dx = cfg.interconnect.direct_connect
    ports_hop = PathHop(
        f"Direct Connect ports at {', '.join(dict.fromkeys(link.location for link in links))}",
        Figure(
            float((ports.total - 1) * ports.port_gbps),
            "Gbps",
            "(ports - 1 spare) · port_gbps",
            {"ports": ports.total, "port_gbps": ports.port_gbps, "source": DIRECT_CONNECT_SOURCE},
        ),
        required_gbps,
    )
    vifs = Figure(
        sum(link.ports for link in links) * ports.port_gbps - ports.port_gbps,
        "Gbps",
        "Σ links' ports · port_gbps − the spare port: one virtual interface per link carries its LAG",
        {"links": len(links), "lag_max": ports.lag_max, "source": DIRECT_CONNECT_LAG_SOURCE},
    )
    public = bool(dx.public_prefixes) and encryption.mode != "ipsec"
    if public:
        hops = (
            ports_hop,
            PathHop("public virtual interfaces (one per link) to the AWS Region", vifs, required_gbps),
            _s3_hop(cfg, required_gbps),
        )
    else:
        tgw = _tgw_path(cfg)
        hops = (
            ports_hop,
            PathHop(
                "transit virtual interfaces (one per link) to the Direct Connect gateway", vifs, required_gbps
            ),
            *(
                (PathHop("private IP VPN tunnels over Direct Connect", capacity, required_gbps),)
                if encryption.ipsec_connections is not None
                else ()
            ),
            PathHop("Transit Gateway: Direct Connect gateway attachment", tgw, required_gbps),
            PathHop(
                f"Transit Gateway: VPC attachment ({', '.join(aws_settings(cfg).zones)})", tgw, required_gbps
            ),
        )
    short = [hop for hop in hops if not hop.ok]
    if short:
        hop = short[0]
        fix = (
            "give aidc:interconnect.direct_connect.public_prefixes and public_peer_cidr (public addresses you own) "
            "so bulk transfers reach Amazon S3 over public virtual interfaces, which bypass the Transit Gateway"
            if not public and encryption.mode != "ipsec"
            else "use MACsec-capable dedicated ports (macsec: true) so the public virtual interfaces can carry it"
            if not public
            else "lengthen the windows or lower the volumes"
        )
        raise InfeasibleDemand(
            f"the transfers need {required_gbps:,.1f} Gbps, but on their path {hop.name} carries "
            f"{hop.carries.value:,.1f} Gbps ({hop.carries.formula}; {hop.carries.inputs.get('source', '')}): {fix}"
        )
    return ("public-vif" if public else "transit"), hops


def _dx_warnings(
    cfg: StackConfig, ports: DxPorts, links: tuple[DirectConnectLink, ...], encryption: str
) -> list[str]:
    dx = cfg.interconnect.direct_connect
    warnings: list[str] = []
    if dx.hosted and len(dx.hosted_connection_ids) < len(links):
        warnings.append(
            f"Direct Connect needs {len(links)} hosted connections of {ports.port_gbps} Gbps at {dx.location}; "
            f"aidc:interconnect.direct_connect.hosted_connection_ids lists {len(dx.hosted_connection_ids)}: "
            "order the rest from the partner and list their dxcon ids (the program refuses the plan until then)"
        )
    if dx.public_prefixes and encryption == "ipsec":
        warnings.append(
            "aidc:interconnect.direct_connect.public_prefixes: no public virtual interfaces are planned, because "
            "the link carries its data in an IPsec VPN (no MACsec): bulk transfers cross the Transit Gateway"
        )
    documentation = [
        p
        for p in (*dx.public_prefixes, *((dx.public_peer_cidr,) if dx.public_peer_cidr else ()))
        if any(ipaddress.IPv4Network(p).subnet_of(block) for block in DOCUMENTATION_IPV4)
    ]
    if documentation and encryption != "ipsec":
        warnings.append(
            f"aidc:interconnect.direct_connect: {', '.join(documentation)} are documentation addresses (RFC 5737): "
            "AWS verifies that the prefixes a public virtual interface advertises are yours; replace them with your "
            "own public addresses before `pulumi up`"
        )
    return warnings


def size_direct_connect(
    cfg: StackConfig,
    required: Figure,
    vpn_feasible: bool,
    route_prefixes_: tuple[str, ...],
    classifications: list[str],
) -> tuple[DirectConnectPlan | None, list[str]]:
    """Direct Connect for the transfers the VPN cannot carry (mode auto) or on request (mode always)."""
    dx = cfg.interconnect.direct_connect
    if dx.mode == "never" or (dx.mode == "auto" and vpn_feasible):
        return None, []
    warnings: list[str] = []
    reason = (
        "aidc:interconnect.direct_connect.mode is always"
        if dx.mode == "always" and vpn_feasible
        else f"the Site-to-Site VPN cannot carry {required.value:,.1f} Gbps"
    )
    level = _top_classification(classifications or [cfg.demand.security.classification])
    ports = _dx_ports(cfg, required.value, level != "public")
    links, per_location = _dx_links(cfg, ports)
    encryption = _dx_encryption(cfg, level, ports, required.value, warnings)
    capacity = _dx_capacity(ports, encryption)
    bulk_path, path = _dx_path(cfg, required.value, ports, links, encryption, capacity)
    warnings += _dx_warnings(cfg, ports, links, encryption.mode)
    ipsec = encryption.mode == "ipsec"
    allowed = (aws_settings(cfg).vpc_cidr,) + ((dx.transit_gateway_cidr,) if ipsec else ())
    return (
        DirectConnectPlan(
            reason=reason,
            location=links[0].location,
            hosted=dx.hosted,
            port_gbps=ports.port_gbps,
            bandwidth=BANDWIDTH[ports.port_gbps],
            ports=ports.figure,
            links=links if bulk_path == "public-vif" else tuple(_without_public(link) for link in links),
            lag_max=ports.lag_max,
            capacity_gbps=capacity,
            encryption=encryption.mode,
            encryption_reason=encryption.reason,
            ipsec_connections=encryption.ipsec_connections,
            asn=dx.asn,
            amazon_side_asn=dx.amazon_side_asn,
            allowed_prefixes=allowed,
            advertised_prefixes=more_specific(route_prefixes_),
            transit_gateway_cidr=dx.transit_gateway_cidr if ipsec else None,
            vpn_peer_ip=dx.vpn_peer_ip if ipsec else None,
            tgw_path_gbps=_tgw_path(cfg),
            locations=tuple(dict.fromkeys(link.location for link in links)),
            ports_per_location=per_location,
            bulk_path=bulk_path,
            public_prefixes=dx.public_prefixes if bulk_path == "public-vif" else (),
            path=path,
        ),
        warnings,
    )


def _without_public(link: DirectConnectLink) -> DirectConnectLink:
    return dataclasses.replace(
        link, public_vlan=None, public_amazon_address=None, public_customer_address=None
    )


class VpnSizing(NamedTuple):
    connections: Figure
    tunnels: Figure
    provisioned: Figure
    feasible: bool
    tunnels_needed: int


def _vpn(cfg: StackConfig, required_value: float) -> VpnSizing:
    """VPN connections over the Transit Gateway: one active tunnel each (static routes), at most the sane number;
    past it, one connection stays as the encrypted management and fallback path."""
    tunnel_gbps = VPN_TUNNEL_GBPS_LARGE if cfg.vpn.tunnel_bandwidth == "large" else VPN_TUNNEL_GBPS_STANDARD
    per_connection = tunnel_gbps  # static routing: one active tunnel per connection, the other on standby
    connections_needed = max(1, math.ceil(required_value / per_connection - 1e-9))
    tunnels_needed = connections_needed * VPN_TUNNELS_PER_CONNECTION
    feasible = tunnels_needed <= VPN_MAX_SANE_TUNNELS
    inputs: dict[str, object] = {
        "required_gbps": required_value,
        "tunnel_gbps": tunnel_gbps,
        "source": VPN_SOURCE,
    }
    if feasible:
        connections = Figure(
            connections_needed,
            "connections",
            "max(1, ceil(required_gbps / tunnel_gbps)): static routes, one active tunnel per connection, "
            "one private route prefix per connection",
            inputs,
        )
    else:
        # A mesh of this many tunnels is not a sane design; keep one connection as the encrypted management
        # and fallback path and carry the bulk transfers over Direct Connect.
        connections = Figure(
            1,
            "connections",
            f"1 (management path): {tunnels_needed} tunnels would be needed, more than {VPN_MAX_SANE_TUNNELS}",
            {**inputs, "tunnels_needed": tunnels_needed},
        )
    tunnels = Figure(
        connections.int * VPN_TUNNELS_PER_CONNECTION,
        "tunnels",
        "connections · 2 tunnels per connection",
        {"connections": connections.int},
    )
    provisioned = Figure(
        connections.int * per_connection,
        "Gbps",
        "connections · tunnel_gbps (one active tunnel per connection; traffic spread over the route prefixes)",
        {"connections": connections.int, "tunnel_gbps": tunnel_gbps},
    )
    return VpnSizing(connections, tunnels, provisioned, feasible, tunnels_needed)


def _vpn_warning(vpn: VpnSizing, required_value: float, direct_connect: DirectConnectPlan | None) -> str:
    tunnel_gbps = float(vpn.connections.inputs["tunnel_gbps"])
    message = (
        f"transfers need {required_value:,.1f} Gbps; a Site-to-Site VPN carries {tunnel_gbps:g} Gbps per "
        f"tunnel, so {vpn.tunnels_needed} tunnels ({vpn.tunnels_needed // VPN_TUNNELS_PER_CONNECTION} connections) "
        f"would be needed, more than the {VPN_MAX_SANE_TUNNELS} this project treats as sane"
    )
    if direct_connect is None:
        return (
            f"{message}: use AWS Direct Connect (aidc:interconnect.direct_connect.mode is never, so the plan "
            "declares none and the policy pack refuses it); the plan keeps 1 VPN connection as the encrypted "
            "management path"
        )
    dc = direct_connect
    path = (
        "over public virtual interfaces to Amazon S3"
        if dc.bulk_path == "public-vif"
        else "through the Transit Gateway"
    )
    return (
        f"{message}: the plan declares AWS Direct Connect ({dc.ports.int} x {dc.port_gbps:g} Gbps "
        f"{'hosted connections' if dc.hosted else 'dedicated ports'} in {len(dc.links)} "
        f"link{'s' if len(dc.links) != 1 else ''} at {', '.join(dc.locations)}, {dc.encryption}) for the bulk "
        f"transfers, {path}, and keeps 1 VPN connection as the encrypted management and fallback path"
    )


def size_network(cfg: StackConfig) -> tuple[NetworkPlan, list[str]]:
    """Every transfer's rate; AWS's VPN and Direct Connect for the transfers that reach AWS; every other public
    cloud's interconnect for the transfers that reach it (aidc/clouds/<cloud>/interconnect.py)."""
    warnings: list[str] = []
    clouds = {t.name: cfg.transfer_cloud(t) for t in cfg.demand.transfer}
    all_rates = [(t, transfer_gbps(t.volume_gb, t.window_hours)) for t in cfg.demand.transfer]
    # The VPN and Direct Connect sized here are AWS's: they carry the transfers that reach AWS.
    rates = [(t, rate) for t, rate in all_rates if clouds[t.name] == AWS]
    required_value = sum(rate.value for _, rate in rates)
    required = Figure(
        required_value,
        "Gbps",
        "Σ Gbps of the transfers to aws (windows may overlap, so they add)",
        {t.name: round(rate.value, 6) for t, rate in rates},
    )
    vpn = _vpn(cfg, required_value)
    prefixes = route_prefixes(cfg.openstack.network_cidr)
    direct_connect, dx_warnings = size_direct_connect(
        cfg, required, vpn.feasible, prefixes, [cfg.classification_of(t) for t, _ in rates]
    )
    interconnect: Figure | None = None
    if direct_connect is not None:
        interconnect = Figure(
            vpn.provisioned.value + direct_connect.capacity_gbps.value,
            "Gbps",
            "VPN provisioned_gbps + Direct Connect capacity (spare port excluded)",
            {"vpn_gbps": vpn.provisioned.value, "direct_connect_gbps": direct_connect.capacity_gbps.value},
        )
    if not vpn.feasible:
        warnings.append(_vpn_warning(vpn, required_value, direct_connect))
    warnings += dx_warnings
    carried = interconnect.value if interconnect is not None else vpn.provisioned.value
    transfers, others, other_warnings = _transfers(cfg, all_rates, clouds, carried)
    return (
        NetworkPlan(
            transfers=transfers,
            required_gbps=required,
            tunnel_gbps=float(vpn.connections.inputs["tunnel_gbps"]),
            vpn_connections=vpn.connections,
            vpn_tunnels=vpn.tunnels,
            provisioned_gbps=vpn.provisioned,
            feasible_over_vpn=vpn.feasible,
            private_route_prefixes=prefixes,
            direct_connect=direct_connect,
            interconnect_gbps=interconnect,
            edge_route_prefixes=edge_route_prefixes(
                cfg.edge.supernet, (site.network_cidr for site in cfg.edge_layout.values())
            ),
            interconnects=others,
        ),
        warnings + other_warnings,
    )


def _transfers(
    cfg: StackConfig,
    rates: list[tuple[TransferDemand, Figure]],
    clouds: dict[str, PublicCloud],
    aws_gbps: float,
) -> tuple[tuple[TransferSizing, ...], tuple[InterconnectPlan, ...], list[str]]:
    """Every transfer sized, the other clouds' interconnects for theirs, and the hours each transfer takes at
    what its own cloud's interconnect carries (the seed's T = V / B)."""
    sized = tuple(
        TransferSizing(
            name=t.name,
            volume_gb=t.volume_gb,
            window_hours=t.window_hours,
            gbps=rate,
            hours_at_provisioned=transfer_hours(t.volume_gb, aws_gbps),
            classification=cfg.classification_of(t),
            direction=t.direction,
            every=t.every,
            cloud=clouds[t.name],
        )
        for t, rate in rates
    )
    others, warnings = other_interconnects(cfg, sized)
    carried: dict[str, float] = {AWS: aws_gbps, **{i.cloud: i.capacity_gbps.value for i in others}}
    timed = tuple(
        dataclasses.replace(t, hours_at_provisioned=transfer_hours(t.volume_gb, carried[t.cloud]))
        for t in sized
    )
    return timed, others, warnings


def other_interconnects(
    cfg: StackConfig, transfers: tuple[TransferSizing, ...]
) -> tuple[tuple[InterconnectPlan, ...], list[str]]:
    """Each public cloud but AWS sizes its own interconnect for the transfers that reach it."""
    plans: list[InterconnectPlan] = []
    warnings: list[str] = []
    for cloud in PUBLIC_CLOUDS:
        module = interconnect_of(cloud)
        if cloud == AWS or module is None:
            continue
        plan, found = module.size_interconnect(cfg, [t for t in transfers if t.cloud == cloud])
        plans.append(plan)
        warnings += found
    return tuple(plans), warnings


def for_clouds(network: NetworkPlan, clouds: tuple[str, ...]) -> NetworkPlan:
    """The network of a stack that uses `clouds`: the interconnects of the others dropped (nothing is declared
    there: their transfers would have made the stack use them)."""
    kept = dataclasses.replace(
        network, interconnects=tuple(i for i in network.interconnects if i.cloud in clouds)
    )
    return kept if AWS in clouds else without_interconnect(kept)


def without_interconnect(network: NetworkPlan) -> NetworkPlan:
    """The network of a stack that uses no public cloud: no VPN, no Direct Connect, nothing to carry (it has no
    transfers: each reaches a public cloud, which the stack then uses)."""
    none = Figure(0, "connections", "no public cloud in the plan: nothing to interconnect", {})
    return dataclasses.replace(
        network,
        vpn_connections=none,
        vpn_tunnels=Figure(0, "tunnels", "no VPN connection", {}),
        provisioned_gbps=Figure(0.0, "Gbps", "no VPN connection", {}),
        private_route_prefixes=(),
        direct_connect=None,
        interconnect_gbps=None,
    )
