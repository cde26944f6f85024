"""Bounds a sized plan must respect before anything is declared from it: no pool of servers larger than the
program can name (aidc/config/limits.py MAX_SERVERS_PER_POOL: Heat numbers a pool's servers, and 100,000
storage hosts would be 100,000 names held in memory at once), and every private or edge network large enough
for the servers the plan puts in it, and no more Direct Connect links than one gateway takes. A plan past a
bound is infeasible demand, with the figures.
"""

from __future__ import annotations

import ipaddress

from aidc.config.limits import MAX_SERVERS_PER_POOL
from aidc.config.model import StackConfig
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.plan import CapacityPlan

# Neutron keeps the network and broadcast addresses, the gateway (the router's interface) and a DHCP port.
NEUTRON_RESERVED_ADDRESSES = 4
# Every Direct Connect link carries one transit virtual interface to the one Direct Connect gateway, which takes
# at most 30 (docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html: "Private or transit virtual
# interfaces per Direct Connect gateway", not adjustable).
MAX_DIRECT_CONNECT_LINKS = 30


def usable_addresses(cidr: str) -> int:
    """Addresses a Neutron IPv4 subnet of `cidr` can give to servers."""
    return max(0, int(ipaddress.ip_network(cidr).num_addresses) - NEUTRON_RESERVED_ADDRESSES)


def check_plan_bounds(cfg: StackConfig, plan: CapacityPlan) -> None:
    """Raise InfeasibleDemand naming the first pool or network the plan does not fit."""
    pools = [("Ceph storage hosts", plan.storage.hosts.int)]
    pools += [(f"private GPU servers of {g.workload}", g.servers) for g in plan.placement.private]
    pools += [(f"GPU nodes of edge site {s.name}", s.nodes.int) for s in plan.edge_sites]
    for what, count in pools:
        if count > MAX_SERVERS_PER_POOL:
            raise InfeasibleDemand(
                f"the plan needs {count:,} {what}; one pool holds at most {MAX_SERVERS_PER_POOL:,} servers: "
                "lower the demand (e.g. aidc:demand.storage.datasets_tb) or use larger drives or servers"
            )
    direct_connect = plan.network.direct_connect
    if direct_connect is not None and len(direct_connect.links) > MAX_DIRECT_CONNECT_LINKS:
        raise InfeasibleDemand(
            f"Direct Connect needs {len(direct_connect.links):,} links ({direct_connect.ports.int:,} ports of "
            f"{direct_connect.port_gbps:g} Gbps), but one Direct Connect gateway takes at most "
            f"{MAX_DIRECT_CONNECT_LINKS} virtual interfaces: lower the transfer rate (aidc:demand.transfer)"
        )
    private_servers = (
        cfg.k3s.core_servers + plan.storage.hosts.int + sum(g.servers for g in plan.placement.private)
    )
    room = usable_addresses(cfg.openstack.network_cidr)
    if private_servers > room:
        raise InfeasibleDemand(
            f"aidc:openstack.network_cidr {cfg.openstack.network_cidr} has {room:,} addresses for servers "
            f"(Neutron keeps {NEUTRON_RESERVED_ADDRESSES}), but the plan puts {private_servers:,} servers in it "
            f"({cfg.k3s.core_servers} K3s servers, {plan.storage.hosts.int:,} Ceph hosts, "
            f"{private_servers - cfg.k3s.core_servers - plan.storage.hosts.int:,} GPU servers): use a larger network"
        )
    for site in plan.edge_sites:
        needed = site.servers + site.nodes.int
        room = usable_addresses(site.network_cidr)
        if needed > room:
            raise InfeasibleDemand(
                f"edge site {site.name}: its network {site.network_cidr} has {room:,} addresses for servers, but "
                f"the plan puts {needed:,} servers in it: set a larger network_cidr on the site"
            )
