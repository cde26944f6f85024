"""Edge addressing and shard layout (pure): collision-free at 1,000 and 5,000 sites, recorded networks and shards
never move when sites come and go, exhaustion and overlaps refused with the numbers, routes aggregated."""

from __future__ import annotations

import ipaddress
import itertools
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.config import ConfigError, parse_stack_config
from aidc.config.addressing import (
    DEFAULT_SUPERNET,
    AddressingError,
    SiteRequest,
    aggregate,
    allocate_networks,
    assign_shards,
    edge_route_prefixes,
    home_index,
)
from aidc.sizing import size_stack


def sites(names: list[str], **extra: Any) -> list[dict[str, Any]]:
    """Edge sites whose shares add up to 1."""
    rows = [{"name": name, "share": 1 / len(names), "accelerator": "l4-24gb", **extra} for name in names]
    rows[-1]["share"] = 1 - sum(row["share"] for row in rows[:-1])
    return rows


def names(count: int, prefix: str = "site") -> list[str]:
    return [f"{prefix}-{index:04d}" for index in range(count)]


def assert_disjoint(cidrs: list[str], supernet: str = DEFAULT_SUPERNET) -> None:
    networks = sorted(ipaddress.ip_network(c) for c in cidrs)
    outer = ipaddress.ip_network(supernet)
    assert all(n.subnet_of(outer) for n in networks)  # type: ignore[arg-type]
    for left, right in itertools.pairwise(networks):
        assert not left.overlaps(right), f"{left} overlaps {right}"


def record(layout: dict[str, Any]) -> dict[str, str]:
    return {name: site.network_cidr for name, site in layout.items()}


@pytest.mark.parametrize("count", [1000, 5000])
def test_thousands_of_sites_get_distinct_networks_and_size(count: int) -> None:
    cfg = parse_stack_config(
        {
            "aidc:edge": {"sites": sites(names(count))},
            "aidc:demand": {
                "inference": [
                    {
                        "name": "chat",
                        "peak_tokens_per_s": 2e6,
                        "tokens_per_s_per_gpu": 1000,
                        "model_params": 7.0e9,
                        "context_tokens": 2048,
                        "concurrent_sequences": 8,
                        "accelerator": "l4-24gb",
                        "edge_fraction": 0.5,
                    }
                ]
            },
        }
    )
    cidrs = [site.network_cidr for site in cfg.edge_layout.values()]
    assert len(set(cidrs)) == count
    assert_disjoint(cidrs)
    plan = size_stack(cfg)
    assert [s.network_cidr for s in plan.edge_sites] == cidrs
    assert plan.network.edge_route_prefixes == (DEFAULT_SUPERNET,)  # one route for every site
    assert any(f"{count} edge site(s) have a provisional network" in w for w in plan.warnings)


def test_the_reported_collision_is_resolved_and_homes_are_kept() -> None:
    """site-0224 and site-0256 hash to the same /24 (issue 18): the second listed probes to the next free block;
    every site whose home is free keeps the network the old name-hash scheme gave it."""
    layout = parse_stack_config({"aidc:edge": {"sites": sites(names(1000))}}).edge_layout
    assert home_index("site-0224", 32768) == home_index("site-0256", 32768)
    assert layout["site-0224"].network_cidr == "10.142.224.0/24"
    assert layout["site-0256"].network_cidr == "10.142.225.0/24"
    at_home = sum(
        1
        for name, site in layout.items()
        if site.network_cidr
        == f"10.{128 + home_index(name, 32768) // 256}.{home_index(name, 32768) % 256}.0/24"
    )
    assert 970 <= at_home < 1000  # birthday bound: about 15 collisions expected at 1,000 in 32,768


def test_recorded_networks_never_move_when_sites_are_added_or_removed() -> None:
    first = parse_stack_config({"aidc:edge": {"sites": sites(names(1000))}}).edge_layout
    recorded = record(first)
    # Remove every third site, add 500 new ones whose homes collide with the old ones' at random.
    kept = [name for index, name in enumerate(recorded) if index % 3]
    added = names(500, prefix="new")
    rows = sites(kept + added)
    for row in rows:
        if row["name"] in recorded:
            row["network_cidr"] = recorded[row["name"]]
    second = parse_stack_config({"aidc:edge": {"sites": rows}}).edge_layout
    assert all(second[name].network_cidr == recorded[name] for name in kept)
    assert all(second[name].network_recorded for name in kept)
    assert not any(second[name].network_recorded for name in added)
    assert_disjoint([site.network_cidr for site in second.values()])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), min_size=1, max_size=40))
def test_allocate_add_remove_sequences_keep_every_other_network(steps: list[tuple[bool, int]]) -> None:
    """Any sequence of adds and removes, recording after each step (what `aidc edge allocate` does): a site keeps
    its network for as long as it exists, and no two sites ever share an address."""
    supernet = "10.128.0.0/20"  # 16 /24s: collisions and probing on every step
    current: dict[str, str | None] = {}
    history: dict[str, str] = {}
    for add, number in steps:
        if add or not current:
            if len(current) < 16:
                current[f"s{number}"] = None
        else:
            del current[sorted(current)[number % len(current)]]
        requests = [SiteRequest(name, cidr) for name, cidr in current.items()]
        allocated = allocate_networks(requests, supernet=supernet)
        for name, (cidr, _) in allocated.items():
            if name in history and current[name] is not None:
                assert cidr == history[name], f"{name} moved"
            history[name] = cidr
            current[name] = cidr  # recorded
        assert_disjoint([cidr for cidr, _ in allocated.values()], supernet)


def test_exhaustion_is_refused_with_the_numbers() -> None:
    with pytest.raises(ConfigError, match=r"cannot hold 20 sites of /24: it holds 16"):
        parse_stack_config({"aidc:edge": {"supernet": "10.128.0.0/20", "sites": sites(names(20))}})
    # A larger site prefix fits them.
    cfg = parse_stack_config(
        {"aidc:edge": {"supernet": "10.128.0.0/20", "site_prefix_length": 26, "sites": sites(names(20))}}
    )
    assert {ipaddress.ip_network(s.network_cidr).prefixlen for s in cfg.edge_layout.values()} == {26}
    # Hand-set networks of another size take blocks away, and the message says how many.
    rows = sites(names(16))
    rows[0]["network_cidr"] = "10.128.0.0/23"
    with pytest.raises(ConfigError, match=r"cannot hold 15 sites of /24: it holds 14 \(2 of its 16 taken"):
        parse_stack_config({"aidc:edge": {"supernet": "10.128.0.0/20", "sites": rows}})


def test_overlaps_are_refused_naming_both() -> None:
    rows = sites(["a", "b"])
    rows[0]["network_cidr"] = "10.130.0.0/16"
    rows[1]["network_cidr"] = "10.130.4.0/24"
    with pytest.raises(
        ConfigError,
        match=r"aidc:edge.sites\[1\].network_cidr \(b: 10.130.4.0/24\) overlaps aidc:edge.sites\[0\].network_cidr "
        r"\(a: 10.130.0.0/16\)",
    ):
        parse_stack_config({"aidc:edge": {"sites": rows}})
    site = sites(["a"], network_cidr="10.20.5.0/24")
    with pytest.raises(
        ConfigError,
        match=r"aidc:edge.sites\[0\].network_cidr \(a: 10.20.5.0/24\) overlaps aidc:openstack.network_cidr \(10.20.0.0/16\)",
    ):
        parse_stack_config({"aidc:edge": {"sites": site}})
    with pytest.raises(ConfigError, match=r"overlaps the interconnect's tunnel addresses"):
        parse_stack_config({"aidc:edge": {"sites": sites(["a"], network_cidr="169.254.10.0/24")}})
    with pytest.raises(ConfigError, match=r"aidc:edge.supernet \(10.0.0.0/8\) overlaps aidc:aws.vpc_cidr"):
        parse_stack_config({"aidc:edge": {"supernet": "10.0.0.0/8"}})
    with pytest.raises(ConfigError, match=r"aidc:edge.supernet: '8.0.0.0/8' must be a private"):
        parse_stack_config({"aidc:edge": {"supernet": "8.0.0.0/8"}})
    straddling = sites(["a"], network_cidr="10.0.0.0/8")
    with pytest.raises(ConfigError, match="overlaps"):
        parse_stack_config({"aidc:aws": {"vpc_cidr": "172.16.0.0/16"}, "aidc:edge": {"sites": straddling}})


def test_a_hand_set_network_outside_the_supernet_is_kept_and_routed() -> None:
    rows = sites(["a", "b", "c"])
    rows[0]["network_cidr"] = "172.20.0.0/24"
    rows[1]["network_cidr"] = "172.20.1.0/24"
    cfg = parse_stack_config({"aidc:edge": {"sites": rows}})
    assert cfg.edge_layout["a"].network_cidr == "172.20.0.0/24"
    assert cfg.edge_layout["c"].network_cidr.startswith("10.")
    assert size_stack(cfg).network.edge_route_prefixes == ("10.128.0.0/9", "172.20.0.0/23")


def test_route_aggregation() -> None:
    assert aggregate(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]) == ("10.0.0.0/22",)
    assert aggregate(["10.0.0.0/24", "10.0.2.0/24"]) == ("10.0.0.0/24", "10.0.2.0/24")
    assert aggregate(["10.0.0.0/16", "10.0.5.0/24"]) == ("10.0.0.0/16",)
    assert edge_route_prefixes(DEFAULT_SUPERNET, []) == ()
    many = [f"10.{128 + i // 256}.{i % 256}.0/24" for i in range(0, 32768, 7)]
    assert edge_route_prefixes(DEFAULT_SUPERNET, many) == (DEFAULT_SUPERNET,)
    assert edge_route_prefixes("10.128.0.0/9", ["192.168.4.0/24", "192.168.5.0/24", "192.168.7.0/24"]) == (
        "10.128.0.0/9",
        "192.168.4.0/23",
        "192.168.7.0/24",
    )


def test_per_site_prefix_length_and_recorded_size_must_agree() -> None:
    rows = sites(["big", "small"])
    rows[0]["prefix_length"] = 20
    layout = parse_stack_config({"aidc:edge": {"sites": rows}}).edge_layout
    assert layout["big"].network_cidr.endswith("/20") and layout["small"].network_cidr.endswith("/24")
    assert_disjoint([s.network_cidr for s in layout.values()])
    rows[0]["network_cidr"] = "10.140.0.0/24"
    with pytest.raises(
        ConfigError,
        match=r"aidc:edge.sites\[0\].prefix_length: big's network_cidr \(10.140.0.0/24\) is a /24 but "
        r"prefix_length is 20",
    ):
        parse_stack_config({"aidc:edge": {"sites": rows}})


def test_shards_are_filled_in_order_and_never_rebalanced() -> None:
    requests = [SiteRequest(name) for name in names(25)]
    first = assign_shards(requests, max_sites_per_stack=10)
    assert [first[r.name][0] for r in requests] == [0] * 10 + [1] * 10 + [2] * 5
    recorded = [SiteRequest(r.name, shard=first[r.name][0]) for r in requests]
    # Remove three sites from shard 0 and one from shard 1, add 9: the holes fill first, nobody moves.
    survivors = [r for i, r in enumerate(recorded) if i not in (0, 4, 7, 12)]
    newcomers = [SiteRequest(name) for name in names(9, prefix="new")]
    second = assign_shards(survivors + newcomers, max_sites_per_stack=10)
    assert all(second[r.name] == (r.shard, True) for r in survivors)
    assert [second[r.name][0] for r in newcomers] == [0, 0, 0, 1, 2, 2, 2, 2, 2]
    assert max(list(second.values()).count((s, True)) for s in range(3)) <= 10


def test_an_over_full_recorded_shard_is_refused() -> None:
    requests = [SiteRequest(name, shard=0) for name in names(12)]
    with pytest.raises(AddressingError, match=r"max_sites_per_stack is 10 but shard 0 holds 12 sites"):
        assign_shards(requests, max_sites_per_stack=10)


def test_shards_need_an_estate_and_a_shard_stack_holds_no_sites() -> None:
    with pytest.raises(ConfigError, match=r"aidc:edge.sites\[0\].shard \(a\): only a core stack"):
        parse_stack_config({"aidc:edge": {"sites": sites(["a"], shard=0)}})
    with pytest.raises(ConfigError, match="holds no demand and no sites"):
        parse_stack_config(
            {"aidc:estate": {"core": "city", "shard": 0}, "aidc:edge": {"sites": sites(["a"])}},
            stack="city-edge-0",
        )
    with pytest.raises(ConfigError, match=r"shard 2 of city is the stack 'city-edge-2', not 'dev'"):
        parse_stack_config({"aidc:estate": {"core": "city", "shard": 2}})
    with pytest.raises(ConfigError, match="not both"):
        parse_stack_config({"aidc:estate": {"core": "city", "shard": 0, "max_sites_per_stack": 5}})
    cfg = parse_stack_config(
        {"aidc:estate": {"max_sites_per_stack": 3}, "aidc:edge": {"sites": sites(names(7))}}
    )
    assert cfg.estate.role == "core"
    assert [s.shard for s in cfg.edge_layout.values()] == [0, 0, 0, 1, 1, 1, 2]


def test_provisional_networks_are_deterministic() -> None:
    shuffled = names(300)
    random.Random(7).shuffle(shuffled)
    one = parse_stack_config({"aidc:edge": {"sites": sites(shuffled)}}).edge_layout
    two = parse_stack_config({"aidc:edge": {"sites": sites(shuffled)}}).edge_layout
    assert record(one) == record(two)


def test_a_shard_size_past_what_one_stack_should_carry_is_flagged() -> None:
    small = size_stack(parse_stack_config({"aidc:estate": {"max_sites_per_stack": 40}}))
    assert not any("max_sites_per_stack" in w for w in small.warnings)
    # A one-server site without GPU stack or admin CIDRs: 25 resources (aidc/config/budget.py, measured).
    large = size_stack(parse_stack_config({"aidc:estate": {"max_sites_per_stack": 200}}))
    assert any("about 5,000 resources" in w and "59 sites or fewer" in w for w in large.warnings)
    # Three-server sites weigh more (34 each, measured): 45 of them pass the limit, 44 do not.
    ha = {"aidc:estate": {"max_sites_per_stack": 45}, "aidc:edge": {"sites": sites(names(45), servers=3)}}
    warned = [w for w in size_stack(parse_stack_config(ha)).warnings if "max_sites_per_stack" in w]
    assert len(warned) == 1 and "about 1,530 resources (34 per site here" in warned[0], warned
    fits = {"aidc:estate": {"max_sites_per_stack": 44}, "aidc:edge": {"sites": sites(names(44), servers=3)}}
    assert not [w for w in size_stack(parse_stack_config(fits)).warnings if "max_sites_per_stack" in w]
    assert "44 sites or fewer" in warned[0]


def test_at_most_ten_thousand_sites_each_with_a_share_of_at_least_one_in_ten_thousand() -> None:
    """Main's robustness bounds (1,000 items a list, shares of at least 0.001) give way for edge sites: 5,000 sites
    must plan (issue 18), so a fleet of up to 10,000 sites may share the edge load evenly; past that, refused."""
    from aidc.config.model import MAX_EDGE_SITES, MIN_SITE_SHARE

    assert MAX_EDGE_SITES * MIN_SITE_SHARE == 1
    rows = [{"name": name, "share": MIN_SITE_SHARE, "accelerator": "l4-24gb"} for name in names(10_001)]
    with pytest.raises(ConfigError, match=r"aidc:edge\.sites: .*10000"):
        parse_stack_config({"aidc:edge": {"sites": rows}})
    with pytest.raises(
        ConfigError, match=r"aidc:edge\.sites\[0\]\.share: input should be greater than or equal"
    ):
        parse_stack_config({"aidc:edge": {"sites": [{"name": "a", "share": 5e-5, "accelerator": "l4-24gb"}]}})
