"""Transfer demand and the interconnect: Gbps per transfer, VPN connections over a Transit Gateway with ECMP,
and a Direct Connect recommendation with figures when a VPN cannot carry the load.

Gbps = volume_gb · 8 / (window_hours · 3600); the seed article's T = V / B is the inverse and is reported as
the hours each transfer takes at the bandwidth the plan provides, so the two always agree.

Routing is static: Neutron VPNaaS site connections are policy-based and speak no BGP, and a Transit Gateway
spreads traffic over several VPN tunnels (ECMP) only for BGP routes. With static routes each private prefix
uses one active tunnel (the connection's second tunnel is its standby), so the plan splits the private range
into one route prefix per connection and counts one tunnel's bandwidth per connection. Sources: AWS re:Post
knowledge center "vpn-configure-tunnel-preference" and "transit-gateway-ecmp-multiple-tunnels".
"""

from __future__ import annotations

import ipaddress
import math

from aidc.catalog import (
    DIRECT_CONNECT_PORT_GBPS,
    DIRECT_CONNECT_SOURCE,
    VPN_MAX_SANE_TUNNELS,
    VPN_SOURCE,
    VPN_TUNNEL_GBPS_LARGE,
    VPN_TUNNEL_GBPS_STANDARD,
    VPN_TUNNELS_PER_CONNECTION,
)
from aidc.config.model import StackConfig
from aidc.sizing.figure import Figure
from aidc.sizing.plan import NetworkPlan, TransferSizing

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
    direct_connect: Figure | None = None
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
        # path and recommend dedicated links for the bulk transfers.
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
        port = next(
            (p for p in DIRECT_CONNECT_PORT_GBPS if p * 4 >= required_value), DIRECT_CONNECT_PORT_GBPS[-1]
        )
        ports = math.ceil(required_value / port) + 1
        direct_connect = Figure(
            ports,
            f"x {port} Gbps ports",
            "ceil(required_gbps / port_gbps) + 1 (a second location/port for resilience)",
            {"required_gbps": required_value, "port_gbps": port, "source": DIRECT_CONNECT_SOURCE},
        )
        warnings.append(
            f"transfers need {required_value:,.1f} Gbps; a Site-to-Site VPN carries {tunnel_gbps:g} Gbps per "
            f"tunnel, so {tunnels_needed} tunnels ({connections_needed} connections) would be needed, more than "
            f"the {VPN_MAX_SANE_TUNNELS} this project treats as sane: use AWS Direct Connect "
            f"({ports} x {port} Gbps dedicated ports) for the bulk transfers; the plan keeps 1 VPN connection "
            "as the encrypted management path"
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
    transfers = tuple(
        TransferSizing(
            name=t.name,
            volume_gb=t.volume_gb,
            window_hours=t.window_hours,
            gbps=rate,
            hours_at_provisioned=transfer_hours(t.volume_gb, provisioned.value),
            classification=cfg.classification_of(t),
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
        ),
        warnings,
    )
