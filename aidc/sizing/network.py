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

from aidc.clouds.aws.catalog import (
    DIRECT_CONNECT_HOSTED_GBPS,
    DIRECT_CONNECT_LAG_MAX,
    DIRECT_CONNECT_LAG_SOURCE,
    DIRECT_CONNECT_MACSEC_GBPS,
    DIRECT_CONNECT_MACSEC_SOURCE,
    DIRECT_CONNECT_PORT_GBPS,
    DIRECT_CONNECT_SOURCE,
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
from aidc.config.model import StackConfig
from aidc.contract import CLASSIFICATION_ORDER, DirectConnectBandwidth, LinkEncryption
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import DirectConnectLink, DirectConnectPlan, NetworkPlan, TransferSizing

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


def size_direct_connect(
    cfg: StackConfig,
    required: Figure,
    vpn_feasible: bool,
    route_prefixes_: tuple[str, ...],
    classifications: list[str],
) -> tuple[DirectConnectPlan | None, list[str]]:
    """Direct Connect for the transfers the VPN cannot carry (mode auto) or on request (mode always)."""
    dx = cfg.interconnect.direct_connect
    required_value = required.value
    if dx.mode == "never" or (dx.mode == "auto" and vpn_feasible):
        return None, []
    warnings: list[str] = []
    reason = (
        "aidc:interconnect.direct_connect.mode is always"
        if dx.mode == "always" and vpn_feasible
        else f"the Site-to-Site VPN cannot carry {required_value:,.1f} Gbps"
    )
    level = _top_classification(classifications or [cfg.demand.security.classification])
    must_encrypt = level != "public"
    speeds = DIRECT_CONNECT_HOSTED_GBPS if dx.hosted else DIRECT_CONNECT_PORT_GBPS
    want_macsec = must_encrypt and not dx.hosted and dx.macsec
    candidates = tuple(p for p in speeds if p in DIRECT_CONNECT_MACSEC_GBPS) if want_macsec else speeds
    port = dx.port_gbps or _port_speed(required_value, candidates, dx.hosted)
    active = max(1, math.ceil(required_value / port - 1e-9))
    port_count = active + 1
    lag_max = 1 if dx.hosted else DIRECT_CONNECT_LAG_MAX[port]
    ports = Figure(
        port_count,
        f"x {port} Gbps {'hosted connections' if dx.hosted else 'ports'}",
        "max(1, ceil(required_gbps / port_gbps)) + 1 spare"
        + ("" if dx.hosted else f"; LAGs of at most {lag_max} (ceil(ports / {lag_max}) links)"),
        {
            "required_gbps": round(required_value, 6),
            "port_gbps": port,
            "active_ports": active,
            "spare_ports": 1,
            "lag_max": lag_max,
            "source": DIRECT_CONNECT_SOURCE + ("" if dx.hosted else "; " + DIRECT_CONNECT_LAG_SOURCE),
        },
    )
    locations = [dx.location] + ([dx.second_location] if dx.second_location else [])
    peers = list(ipaddress.IPv4Network(dx.bgp_peer_cidr).subnets(new_prefix=30))
    link_count = math.ceil(port_count / lag_max)
    if link_count > len(peers):
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} links but aidc:interconnect.direct_connect.bgp_peer_cidr "
            f"({dx.bgp_peer_cidr}) holds {len(peers)} /30 BGP peerings: give a larger range"
        )
    if dx.first_vlan + link_count - 1 > 4094:
        raise InfeasibleDemand(
            f"Direct Connect needs {link_count} links (VLANs {dx.first_vlan}..{dx.first_vlan + link_count - 1}), "
            "past VLAN 4094: lower aidc:interconnect.direct_connect.first_vlan"
        )
    if dx.hosted and len(dx.hosted_connection_ids) < link_count:
        warnings.append(
            f"Direct Connect needs {link_count} hosted connections of {port} Gbps at {dx.location}; "
            f"aidc:interconnect.direct_connect.hosted_connection_ids lists {len(dx.hosted_connection_ids)}: "
            "order the rest from the partner and list their dxcon ids (the program refuses the plan until then)"
        )
    links = []
    for index in range(link_count):
        hosts = list(peers[index].hosts())
        links.append(
            DirectConnectLink(
                name=f"link-{index}",
                location=locations[index % len(locations)],
                ports=min(lag_max, port_count - index * lag_max),
                vlan=dx.first_vlan + index,
                amazon_address=f"{hosts[0]}/30",
                customer_address=f"{hosts[1]}/30",
                hosted_connection_id=(
                    dx.hosted_connection_ids[index] if index < len(dx.hosted_connection_ids) else None
                ),
            )
        )
    ports_capacity = (port_count - 1) * port
    ipsec_connections: Figure | None = None
    encryption: LinkEncryption
    if not must_encrypt:
        encryption = "none"
        encryption_reason = f"the transfers are {level}: Direct Connect carries them unencrypted"
    elif want_macsec and port in DIRECT_CONNECT_MACSEC_GBPS:
        encryption = "macsec"
        encryption_reason = (
            f"{level} data: MACsec (must_encrypt) on the dedicated {port} Gbps ports "
            f"({DIRECT_CONNECT_MACSEC_SOURCE})"
        )
    else:
        encryption = "ipsec"
        why = (
            "hosted connections have no MACsec"
            if dx.hosted
            else f"{port} Gbps ports have no MACsec"
            if port not in DIRECT_CONNECT_MACSEC_GBPS
            else "aidc:interconnect.direct_connect.macsec is false"
        )
        encryption_reason = f"{level} data and {why}: a private IP Site-to-Site VPN over the link"
        if dx.vpn_peer_ip is None:
            raise InfeasibleDemand(
                f"Direct Connect carries {level} data without MACsec ({why}), so it runs an IPsec VPN over the "
                "link, whose on-premises end needs an address: set aidc:interconnect.direct_connect.vpn_peer_ip "
                "(the VPN device's private IPv4 reached over Direct Connect)"
            )
        tunnel_gbps = (
            VPN_TUNNEL_GBPS_LARGE if cfg.vpn.tunnel_bandwidth == "large" else VPN_TUNNEL_GBPS_STANDARD
        )
        per_connection = VPN_TUNNELS_PER_CONNECTION * tunnel_gbps  # BGP: ECMP over both tunnels
        count = max(1, math.ceil(required_value / per_connection - 1e-9))
        ipsec_connections = Figure(
            count,
            "connections",
            "max(1, ceil(required_gbps / (2 tunnels · tunnel_gbps))): BGP over the private IP VPN, ECMP over "
            "both tunnels of every connection",
            {"required_gbps": round(required_value, 6), "tunnel_gbps": tunnel_gbps, "source": VPN_SOURCE},
        )
        if count * VPN_TUNNELS_PER_CONNECTION > VPN_MAX_SANE_TUNNELS:
            warnings.append(
                f"IPsec over Direct Connect needs {count} VPN connections ({count * 2} tunnels of "
                f"{tunnel_gbps:g} Gbps) for {required_value:,.1f} Gbps: MACsec-capable dedicated ports "
                f"({', '.join(str(g) for g in DIRECT_CONNECT_MACSEC_GBPS)} Gbps) encrypt at line rate"
            )
    capacity_value = float(ports_capacity)
    inputs: dict[str, object] = {"ports": port_count, "port_gbps": port}
    formula = "(ports - 1 spare) · port_gbps"
    if ipsec_connections is not None:
        tunnel_gbps = float(ipsec_connections.inputs["tunnel_gbps"])
        encrypted = ipsec_connections.int * VPN_TUNNELS_PER_CONNECTION * tunnel_gbps
        capacity_value = min(capacity_value, encrypted)
        formula = "min((ports - 1 spare) · port_gbps, ipsec_connections · 2 · tunnel_gbps)"
        inputs |= {"ipsec_connections": ipsec_connections.int, "tunnel_gbps": tunnel_gbps}
    capacity = Figure(capacity_value, "Gbps", formula, inputs)
    azs = len(aws_settings(cfg).zones)
    tgw_path = Figure(
        TGW_ATTACHMENT_GBPS_PER_AZ * azs,
        "Gbps",
        "Transit Gateway attachment bandwidth per AZ · AZs",
        {"gbps_per_az": TGW_ATTACHMENT_GBPS_PER_AZ, "azs": azs, "source": TGW_BANDWIDTH_SOURCE},
    )
    if tgw_path.value < required_value:
        warnings.append(
            f"the Direct Connect ports carry {capacity_value:,.0f} Gbps, but a Transit Gateway attachment carries "
            f"up to {TGW_ATTACHMENT_GBPS_PER_AZ} Gbps per Availability Zone ({tgw_path.value:,.0f} Gbps over "
            f"{azs} AZs) of the {required_value:,.1f} Gbps: spread the transfers over more AZs or VPCs, or ask "
            "AWS for the path"
        )
    allowed = (aws_settings(cfg).vpc_cidr,) + ((dx.transit_gateway_cidr,) if encryption == "ipsec" else ())
    return (
        DirectConnectPlan(
            reason=reason,
            location=dx.location,
            hosted=dx.hosted,
            port_gbps=port,
            bandwidth=BANDWIDTH[port],
            ports=ports,
            links=tuple(links),
            lag_max=lag_max,
            capacity_gbps=capacity,
            encryption=encryption,
            encryption_reason=encryption_reason,
            ipsec_connections=ipsec_connections,
            asn=dx.asn,
            amazon_side_asn=dx.amazon_side_asn,
            allowed_prefixes=allowed,
            advertised_prefixes=more_specific(route_prefixes_),
            transit_gateway_cidr=dx.transit_gateway_cidr if encryption == "ipsec" else None,
            vpn_peer_ip=dx.vpn_peer_ip if encryption == "ipsec" else None,
            tgw_path_gbps=tgw_path,
        ),
        warnings,
    )


def size_network(cfg: StackConfig) -> tuple[NetworkPlan, list[str]]:
    warnings: list[str] = []
    tunnel_gbps = VPN_TUNNEL_GBPS_LARGE if cfg.vpn.tunnel_bandwidth == "large" else VPN_TUNNEL_GBPS_STANDARD
    per_connection = tunnel_gbps  # static routing: one active tunnel per connection, the other on standby
    rates = [(t, transfer_gbps(t.volume_gb, t.window_hours)) for t in cfg.demand.transfer]
    required_value = sum(rate.value for _, rate in rates)
    required = Figure(
        required_value,
        "Gbps",
        "Σ transfer Gbps (windows may overlap, so they add)",
        {t.name: round(rate.value, 6) for t, rate in rates},
    )
    connections_needed = max(1, math.ceil(required_value / per_connection - 1e-9))
    tunnels_needed = connections_needed * VPN_TUNNELS_PER_CONNECTION
    feasible = tunnels_needed <= VPN_MAX_SANE_TUNNELS
    if feasible:
        connections = Figure(
            connections_needed,
            "connections",
            "max(1, ceil(required_gbps / tunnel_gbps)): static routes, one active tunnel per connection, "
            "one private route prefix per connection",
            {"required_gbps": required_value, "tunnel_gbps": tunnel_gbps, "source": VPN_SOURCE},
        )
    else:
        # A mesh of this many tunnels is not a sane design; keep one connection as the encrypted management
        # and fallback path and carry the bulk transfers over Direct Connect.
        connections = Figure(
            1,
            "connections",
            f"1 (management path): {tunnels_needed} tunnels would be needed, more than {VPN_MAX_SANE_TUNNELS}",
            {
                "required_gbps": required_value,
                "tunnel_gbps": tunnel_gbps,
                "tunnels_needed": tunnels_needed,
                "source": VPN_SOURCE,
            },
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
    prefixes = route_prefixes(cfg.openstack.network_cidr)
    direct_connect, dx_warnings = size_direct_connect(
        cfg, required, feasible, prefixes, [cfg.classification_of(t) for t in cfg.demand.transfer]
    )
    interconnect: Figure | None = None
    if direct_connect is not None:
        interconnect = Figure(
            provisioned.value + direct_connect.capacity_gbps.value,
            "Gbps",
            "VPN provisioned_gbps + Direct Connect capacity (spare port excluded)",
            {"vpn_gbps": provisioned.value, "direct_connect_gbps": direct_connect.capacity_gbps.value},
        )
    if not feasible:
        message = (
            f"transfers need {required_value:,.1f} Gbps; a Site-to-Site VPN carries {tunnel_gbps:g} Gbps per "
            f"tunnel, so {tunnels_needed} tunnels ({connections_needed} connections) would be needed, more than "
            f"the {VPN_MAX_SANE_TUNNELS} this project treats as sane"
        )
        if direct_connect is not None:
            dc = direct_connect
            warnings.append(
                f"{message}: the plan declares AWS Direct Connect ({dc.ports.int} x {dc.port_gbps:g} Gbps "
                f"{'hosted connections' if dc.hosted else 'dedicated ports'} in {len(dc.links)} "
                f"link{'s' if len(dc.links) != 1 else ''} at {dc.location}, {dc.encryption}) for the bulk "
                "transfers and keeps 1 VPN connection as the encrypted management and fallback path"
            )
        else:
            warnings.append(
                f"{message}: use AWS Direct Connect (aidc:interconnect.direct_connect.mode is never, so the plan "
                "declares none and the policy pack refuses it); the plan keeps 1 VPN connection as the encrypted "
                "management path"
            )
    warnings += dx_warnings
    carried = interconnect.value if interconnect is not None else provisioned.value
    transfers = tuple(
        TransferSizing(
            name=t.name,
            volume_gb=t.volume_gb,
            window_hours=t.window_hours,
            gbps=rate,
            hours_at_provisioned=transfer_hours(t.volume_gb, carried),
            classification=cfg.classification_of(t),
            direction=t.direction,
            every=t.every,
            cloud=cfg.transfer_cloud(t),
        )
        for t, rate in rates
    )
    return (
        NetworkPlan(
            transfers=transfers,
            required_gbps=required,
            tunnel_gbps=tunnel_gbps,
            vpn_connections=connections,
            vpn_tunnels=tunnels,
            provisioned_gbps=provisioned,
            feasible_over_vpn=feasible,
            private_route_prefixes=prefixes,
            direct_connect=direct_connect,
            interconnect_gbps=interconnect,
            edge_route_prefixes=edge_route_prefixes(
                cfg.edge.supernet, (site.network_cidr for site in cfg.edge_layout.values())
            ),
        ),
        warnings,
    )


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
