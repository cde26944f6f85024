"""Edge addressing and estate layout: which network and which shard stack each edge site gets (pure; no Pulumi).

Networks. Every edge site gets one block of `aidc:edge.site_prefix_length` (or its own `prefix_length`) from the
supernet `aidc:edge.supernet`. A block is *recorded* when the stack file names it (`network_cidr` on the site,
hand-set or written by `aidc edge allocate`) and *provisional* otherwise. Recorded blocks never move: nothing
here renumbers them, and the real program refuses to deploy a provisional one, so a live network is never
replaced because another site came or went. A provisional block is the site's *home* — sha256(name) modulo the
number of blocks, the scheme aidc used before addresses were recorded, so sites planned then keep their network
— or, when the home is taken, the next free block after it (linear probing, wrapping). Hash homes alone collide
(1,000 names in 32,768 /24s collide with probability ~1 - e^(-1000²/65536) ≈ 1), which is why the probe exists
and why the result must be recorded: probing depends on which blocks are taken.

Shards. An estate (`aidc:estate.max_sites_per_stack`) splits the edge sites over shard stacks of at most that
many sites. A site's shard is recorded beside its network (`shard` on the site); a site without one goes to
the lowest-numbered shard with room. Nothing rebalances: adding or removing a site never moves another.

Every refusal is an `AddressingError` naming the keys and the numbers. Checks are sorted sweeps and bisection
(O(n log n)), so 5,000 sites validate in milliseconds.
"""

from __future__ import annotations

import bisect
import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Where edge sites are numbered by default: does not overlap the default VPC (10.0.0.0/16), the default private
# network (10.20.0.0/16) or the interconnect's tunnel addresses (169.254.0.0/16). 32,768 /24 blocks.
DEFAULT_SUPERNET = "10.128.0.0/9"
DEFAULT_SITE_PREFIX = 24
MAX_SITE_PREFIX = 28  # the smallest tenant network OpenStackPrivateCloud accepts
# The Site-to-Site VPN's tunnel inside addresses (and Direct Connect link addresses) live in link-local space.
INTERCONNECT_RANGES: tuple[tuple[str, str], ...] = (
    ("the interconnect's tunnel addresses (link-local)", "169.254.0.0/16"),
)


def shard_stack_name(core: str, shard: int) -> str:
    """The Pulumi stack that deploys shard `shard` of the estate whose core stack is `core`."""
    return f"{core}-edge-{shard}"


class AddressingError(ValueError):
    """An address plan or a shard layout that cannot be made: the message names keys and numbers."""


@dataclass(frozen=True, slots=True)
class SiteRequest:
    """What the stack file says about one site's network and shard."""

    name: str
    network_cidr: str | None = None
    prefix_length: int | None = None
    shard: int | None = None


@dataclass(frozen=True, slots=True)
class SiteLayout:
    """Where one site lives: its network and (in an estate) its shard, each recorded or provisional."""

    name: str
    network_cidr: str
    network_recorded: bool
    shard: int | None = None
    shard_recorded: bool = False

    @property
    def recorded(self) -> bool:
        """True when nothing about the site can still move (its network, and its shard in an estate)."""
        return self.network_recorded and (self.shard is None or self.shard_recorded)


def _key(index: int) -> str:
    """The site's key path, as `pulumi config set --path` spells it (messages name the site beside it)."""
    return f"aidc:edge.sites[{index}]"


def _interval(network: ipaddress.IPv4Network) -> tuple[int, int]:
    return int(network.network_address), int(network.broadcast_address) + 1


def home_index(name: str, blocks: int) -> int:
    """The site's home block: stable per name (the pre-allocation scheme, kept so old plans keep their networks)."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % blocks


def aggregate(cidrs: Iterable[str]) -> tuple[str, ...]:
    """The fewest prefixes that cover exactly these networks (adjacent and nested ones merged)."""
    networks = [ipaddress.IPv4Network(c) for c in cidrs]
    return tuple(str(n) for n in ipaddress.collapse_addresses(networks))


def edge_route_prefixes(supernet: str, site_networks: Iterable[str]) -> tuple[str, ...]:
    """What the core routes toward the edge: the supernet (so routes never change as sites come and go) plus any
    hand-set site network outside it, collapsed to the fewest covering prefixes; empty without sites."""
    networks = list(site_networks)
    if not networks:
        return ()
    outer = ipaddress.IPv4Network(supernet)
    outside = [c for c in networks if not ipaddress.IPv4Network(c).subnet_of(outer)]
    return aggregate([supernet, *outside])


class _Taken:
    """Disjoint address intervals, sorted: overlap test and insertion by bisection."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.owners: list[str] = []

    def clash(self, start: int, end: int) -> str | None:
        index = bisect.bisect_right(self.starts, start)
        if index and self.ends[index - 1] > start:
            return self.owners[index - 1]
        if index < len(self.starts) and self.starts[index] < end:
            return self.owners[index]
        return None

    def add(self, start: int, end: int, owner: str) -> None:
        index = bisect.bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)
        self.owners.insert(index, owner)


def _check_disjoint(named: Sequence[tuple[str, str, ipaddress.IPv4Network]]) -> None:
    """Refuse the first pair of overlapping networks (a sweep over start addresses); items are (key, site name,
    network)."""
    ordered = sorted(named, key=lambda item: (int(item[2].network_address), -item[2].num_addresses))
    widest: tuple[str, str, ipaddress.IPv4Network] | None = None
    for key, name, network in ordered:
        if widest is not None and int(network.network_address) <= int(widest[2].broadcast_address):
            raise AddressingError(
                f"{key}.network_cidr ({name}: {network}) overlaps {widest[0]}.network_cidr ({widest[1]}: "
                f"{widest[2]}); every site needs a network of its own"
            )
        if widest is None or network.broadcast_address > widest[2].broadcast_address:
            widest = (key, name, network)


def allocate_networks(
    sites: Sequence[SiteRequest],
    supernet: str = DEFAULT_SUPERNET,
    site_prefix_length: int = DEFAULT_SITE_PREFIX,
    reserved: Sequence[tuple[str, str]] = (),
) -> dict[str, tuple[str, bool]]:
    """site name -> (network CIDR, recorded). `reserved` are (config key, CIDR) ranges no edge network may touch
    (the AWS VPC, the private core network); the interconnect's link-local range is always reserved."""
    outer = ipaddress.ip_network(supernet)
    if not isinstance(outer, ipaddress.IPv4Network):
        raise AddressingError(f"aidc:edge.supernet: must be an IPv4 CIDR, got {supernet!r}")
    blocked = [(key, ipaddress.ip_network(cidr)) for key, cidr in (*reserved, *INTERCONNECT_RANGES)]
    for key, network in blocked:
        if outer.overlaps(network):
            raise AddressingError(
                f"aidc:edge.supernet ({supernet}) overlaps {key} ({network}); edge networks are routed to and "
                "from the core, so the supernet must overlap neither the AWS VPC, the private network nor the "
                "interconnect ranges"
            )

    index_of = {site.name: index for index, site in enumerate(sites)}
    recorded: list[tuple[str, str, ipaddress.IPv4Network]] = []
    for index, site in enumerate(sites):
        if site.network_cidr is None:
            continue
        network = ipaddress.ip_network(site.network_cidr)
        if not isinstance(network, ipaddress.IPv4Network):
            raise AddressingError(f"{_key(index)}.network_cidr: must be IPv4, got {site.network_cidr!r}")
        if site.prefix_length is not None and network.prefixlen != site.prefix_length:
            raise AddressingError(
                f"{_key(index)}.prefix_length: {site.name}'s network_cidr ({network}) is a /{network.prefixlen} "
                f"but prefix_length is {site.prefix_length}; a recorded network keeps its size (change both, "
                "which replaces the site)"
            )
        for key, other in blocked:
            if network.overlaps(other):
                raise AddressingError(
                    f"{_key(index)}.network_cidr ({site.name}: {network}) overlaps {key} ({other}); the core "
                    "routes to every edge site, so their networks must not overlap"
                )
        recorded.append((_key(index), site.name, network))
    _check_disjoint(recorded)

    taken = _Taken()
    inside: dict[int, int] = {}  # prefix length -> recorded networks of that size inside the supernet
    for key, name, network in recorded:
        if network.subnet_of(outer):
            taken.add(*_interval(network), key)
            inside[network.prefixlen] = inside.get(network.prefixlen, 0) + 1
        elif network.overlaps(outer):
            raise AddressingError(
                f"{key}.network_cidr ({name}: {network}) straddles aidc:edge.supernet ({supernet}); a site's "
                "network lies wholly inside the supernet or wholly outside it"
            )

    wanted: dict[int, list[SiteRequest]] = {}
    for index, site in enumerate(sites):
        if site.network_cidr is None:
            prefix = site.prefix_length or site_prefix_length
            if not outer.prefixlen < prefix <= MAX_SITE_PREFIX:
                raise AddressingError(
                    f"{_key(index)}.prefix_length: a /{prefix} network for {site.name} does not fit in "
                    f"aidc:edge.supernet ({supernet}); use /{outer.prefixlen + 1}../{MAX_SITE_PREFIX}"
                )
            wanted.setdefault(prefix, []).append(site)

    result: dict[str, tuple[str, bool]] = {s.name: (s.network_cidr, True) for s in sites if s.network_cidr}
    for prefix in sorted(wanted):  # larger blocks first: less fragmentation
        block = 1 << (32 - prefix)
        blocks = 1 << (prefix - outer.prefixlen)
        # Capacity for this size: blocks not overlapping a recorded network of another size.
        base = int(outer.network_address)
        lost_blocks: set[int] = set()
        for _, _, other in recorded:
            if other.prefixlen != prefix and other.subnet_of(outer):
                first, end = _interval(other)
                lost_blocks.update(range((first - base) // block, (end - 1 - base) // block + 1))
        lost = len(lost_blocks)
        capacity = blocks - lost
        needed = len(wanted[prefix]) + inside.get(prefix, 0)
        if needed > capacity:
            held = f"it holds {capacity:,}" + (
                f" ({lost:,} of its {blocks:,} taken by other sizes)" if lost else ""
            )
            raise AddressingError(
                f"aidc:edge.supernet ({supernet}) cannot hold {needed:,} sites of /{prefix}: {held}; use a larger "
                "supernet or a longer site_prefix_length, or remove sites"
            )
        for site in wanted[prefix]:
            home = home_index(site.name, blocks)
            for step in range(blocks):
                start = base + ((home + step) % blocks) * block
                if taken.clash(start, start + block) is None:
                    break
            else:  # fragmentation across sizes: no aligned block left
                raise AddressingError(
                    f"{_key(index_of[site.name])} ({site.name}): no free /{prefix} block left in "
                    f"aidc:edge.supernet ({supernet}) after {len(result):,} sites; use a larger supernet"
                )
            taken.add(start, start + block, _key(index_of[site.name]))
            result[site.name] = (f"{ipaddress.IPv4Address(start)}/{prefix}", False)
    return result


def assign_shards(
    sites: Sequence[SiteRequest], max_sites_per_stack: int, strict: bool = True
) -> dict[str, tuple[int, bool]]:
    """site name -> (shard, recorded). Recorded shards stay; each other site, in config order, goes to the
    lowest-numbered shard that has room. A recorded shard over the limit is refused (moving sites replaces them)
    when `strict`; a derived limit (`auto`) leaves it as recorded and fills other shards."""
    counts: dict[int, int] = {}
    for site in sites:
        if site.shard is not None:
            counts[site.shard] = counts.get(site.shard, 0) + 1
    for shard, count in sorted(counts.items()):
        if strict and count > max_sites_per_stack:
            raise AddressingError(
                f"aidc:estate.max_sites_per_stack is {max_sites_per_stack} but shard {shard} holds {count} sites "
                "recorded in the stack file; raise the limit (moving a site to another shard replaces it)"
            )
    result: dict[str, tuple[int, bool]] = {}
    candidate = 0
    for site in sites:
        if site.shard is not None:
            result[site.name] = (site.shard, True)
            continue
        while counts.get(candidate, 0) >= max_sites_per_stack:
            candidate += 1
        counts[candidate] = counts.get(candidate, 0) + 1
        result[site.name] = (candidate, False)
    return result


def layout_sites(
    sites: Sequence[SiteRequest],
    supernet: str = DEFAULT_SUPERNET,
    site_prefix_length: int = DEFAULT_SITE_PREFIX,
    reserved: Sequence[tuple[str, str]] = (),
    max_sites_per_stack: int | None = None,
    strict_shards: bool = True,
) -> dict[str, SiteLayout]:
    """Networks and (for an estate) shards of every site, in config order."""
    networks = allocate_networks(sites, supernet, site_prefix_length, reserved)
    shards = assign_shards(sites, max_sites_per_stack, strict_shards) if max_sites_per_stack else {}
    layout: dict[str, SiteLayout] = {}
    for site in sites:
        cidr, network_recorded = networks[site.name]
        shard, shard_recorded = shards.get(site.name, (None, False))
        layout[site.name] = SiteLayout(site.name, cidr, network_recorded, shard, shard_recorded)
    return layout
