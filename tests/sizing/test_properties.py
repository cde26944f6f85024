"""Property tests: capacity covers demand under the failure model, more demand never gives fewer resources,
and random config mutations give either a plan or a clean error."""

from __future__ import annotations

import copy
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidc.catalog import ACCELERATORS as ACC
from aidc.config import ConfigError, parse_stack_config, stack_file
from aidc.sizing import InfeasibleDemand, size_stack

ACCELERATORS = ["a100-80gb", "h100-80gb", "l40s-48gb", "l4-24gb"]
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def demands(draw: st.DrawFn) -> dict[str, Any]:
    training = [
        {
            "name": f"t{i}",
            "params": draw(st.floats(1e8, 2e11)),
            "tokens": draw(st.floats(1e9, 5e12)),
            "accelerator": draw(st.sampled_from(ACCELERATORS)),
            "mfu": draw(st.floats(0.2, 0.6)),
            "deadline_days": draw(st.floats(1, 90)),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    inference = [
        {
            "name": f"i{i}",
            "peak_tokens_per_s": draw(st.floats(10, 5e5)),
            # Absent: the decode roofline estimates it.
            "tokens_per_s_per_gpu": draw(st.one_of(st.none(), st.floats(100, 5000))),
            "accelerator": draw(st.sampled_from(ACCELERATORS)),
            "edge_fraction": draw(st.sampled_from([0.0, 0.25, 0.5])),
            # Models that fit one node of both edge sites below (2 × L4, 1 × L40S: 43.2 GB usable each).
            "model_params": draw(st.floats(1e8, 7e9)),
            "weight_precision": draw(st.sampled_from(["bf16", "fp8", "int4"])),
            "context_tokens": draw(st.sampled_from([1024, 2048, 4096])),
            "concurrent_sequences": draw(st.integers(1, 16)),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    for w in inference:
        if w["tokens_per_s_per_gpu"] is None:
            del w["tokens_per_s_per_gpu"]
    protection = draw(
        st.one_of(
            st.builds(lambda n: {"replicas": n}, st.integers(2, 5)),
            st.builds(lambda k, m: {"erasure": {"k": k, "m": m}}, st.integers(2, 10), st.integers(1, 4)),
        )
    )
    storage = {
        "datasets_tb": draw(st.floats(0, 5000)),
        "checkpoint_keep": draw(st.integers(0, 5)),
        "protection": protection,
        "drive_tb": draw(st.sampled_from([3.84, 7.68, 15.36])),
        "target_fill": draw(st.floats(0.5, 0.85)),
        # >= 2: with one OSD per host the largest draws need more than MAX_SERVERS_PER_POOL Ceph hosts
        "osds_per_host": draw(st.integers(2, 24)),
        "checkpoint_write_minutes": draw(st.floats(1, 60)),
    }
    transfer = [
        {"name": f"x{i}", "volume_gb": draw(st.floats(1, 50_000)), "window_hours": draw(st.floats(0.5, 24))}
        for i in range(draw(st.integers(0, 3)))
    ]
    return {"training": training, "inference": inference, "storage": storage, "transfer": transfer}


def _config(demand: dict[str, Any]) -> dict[str, Any]:
    return {
        "aidc:demand": demand,
        # The largest draws (3 × 50,000 GB in half an hour: 2,400 Gbps) pass what the Transit Gateway carries:
        # the bulk reaches S3 over public virtual interfaces, over two locations.
        "aidc:interconnect": {
            "direct_connect": {
                "locations": ["EqDC2", "CSVA1"],
                "public_prefixes": ["198.51.100.0/24"],
                "public_peer_cidr": "203.0.113.0/27",
            }
        },
        "aidc:edge": {
            "sites": [
                # /16s: the largest draws put more servers at a site than its default /24 holds
                {
                    "name": "e1",
                    "share": 0.6,
                    "accelerator": "l4-24gb",
                    "gpus_per_node": 2,
                    "network_cidr": "10.200.0.0/16",
                },
                {"name": "e2", "share": 0.4, "accelerator": "l40s-48gb", "network_cidr": "10.201.0.0/16"},
            ]
        },
    }


@PROPERTY_SETTINGS
@given(demands())
def test_capacity_covers_demand_under_the_failure_model(demand: dict[str, Any]) -> None:
    cfg = parse_stack_config(_config(demand))
    plan = size_stack(cfg)
    placed: dict[str, int] = {}
    for g in plan.placement.private:
        placed[g.workload] = placed.get(g.workload, 0) + g.gpus.int
    for p in plan.placement.public:
        placed[p.workload] = placed.get(p.workload, 0) + p.gpus
    for t in plan.training:
        assert placed.get(t.name, 0) >= t.gpus.int, t.name
        # The run finishes by its deadline on the GPUs it gets.
        deadline = next(d for d in cfg.demand.training if d.name == t.name).deadline_days
        assert t.gpu_hours.value / t.gpus.int <= deadline * 24 * (1 + 1e-9)
    for w in plan.inference:
        assert placed.get(w.name, 0) >= w.gpus.int, w.name
        spec = next(d for d in cfg.demand.inference if d.name == w.name)
        replica = w.replica
        # The replica holds the weights and the KV cache within its GPUs' usable memory, in one server.
        assert replica.memory_gb.value <= replica.gpus.int * ACC[w.accelerator].memory_gb * 0.9 + 1e-9
        assert replica.gpus.int & (replica.gpus.int - 1) == 0
        # Whole replicas, and N+1: losing one replica still serves the core peak.
        assert w.gpus.int == w.replicas.int * replica.gpus.int
        if w.gpus.int:
            assert (w.replicas.int - 1) * replica.tokens_per_s.value >= spec.peak_tokens_per_s * (
                1 - spec.edge_fraction
            ) - 1e-6
        assert replica.estimated == (spec.tokens_per_s_per_gpu is None)
        if replica.estimated and w.gpus.int:
            assert any(f"inference {w.name}: tokens_per_s_per_gpu is not given" in x for x in plan.warnings)
    sites = {site.name: site for site in cfg.edge.sites}
    for site in plan.edge_sites:
        allocations = [a for w in plan.inference for a in w.edge if a.site == site.name]
        needed = sum(a.gpus for a in allocations)
        for a in allocations:
            assert a.gpus == a.replicas * a.replica_gpus and a.replica_gpus <= sites[site.name].gpus_per_node
            assert a.replicas * a.per_gpu_tokens_per_s * a.replica_gpus >= a.site_tokens_per_s - 1e-6
        if needed:
            # One spare node: losing any node still leaves the GPUs the site needs.
            assert (site.nodes.int - 1) * site.gpus_per_node >= needed
    s = plan.storage
    # Losing one host, the remaining drives still hold all replicas/chunks at the target fill, and still
    # write the checkpoints in time; no host has more drives than bays.
    assert s.drives_per_host <= s.osds_per_host
    assert s.osds.int == s.hosts.int * s.drives_per_host
    remaining = (s.hosts.int - 1) * s.drives_per_host
    assert remaining >= s.osds_needed.int >= max(s.osds_for_capacity.int, s.osds_for_bandwidth.int)
    assert remaining * s.drive_tb >= s.raw_tb.value - 1e-6
    write_amplification = s.osds_for_bandwidth.inputs["write_amplification"]
    drive_gb_per_s = s.osds_for_bandwidth.inputs["drive_write_mb_per_s"] / 1000
    assert remaining * drive_gb_per_s >= s.checkpoint_write_gb_per_s.value * write_amplification - 1e-6
    assert s.hosts.int >= s.failure_domains_needed + 1
    for pool in s.pools:
        assert pool.pg_num.int & (pool.pg_num.int - 1) == 0
        # min_size never exceeds size, and EC pools keep at least k chunks (k+1 by default) to serve I/O.
        assert (pool.erasure_k or 1) <= pool.min_size <= pool.size
    assert s.monitors.int % 2 == 1 and s.monitors.int >= 3
    n = plan.network
    if n.feasible_over_vpn:
        assert n.provisioned_gbps.value >= n.required_gbps.value - 1e-9
    else:
        assert n.direct_connect is not None
        # Every hop of the bulk path carries the transfers, within the quota of connections per location.
        assert all(hop.ok for hop in n.direct_connect.path), n.direct_connect.path
        assert n.direct_connect.ports_per_location is not None
        assert (
            n.direct_connect.ports_per_location.int
            <= cfg.interconnect.direct_connect.connections_per_location
        )


def _scaled(demand: dict[str, Any], factor: float) -> dict[str, Any]:
    bigger = copy.deepcopy(demand)
    for t in bigger["training"]:
        t["tokens"] *= factor
    for w in bigger["inference"]:
        w["peak_tokens_per_s"] *= factor
    bigger["storage"]["datasets_tb"] *= factor
    for x in bigger["transfer"]:
        x["volume_gb"] *= factor
    return bigger


@PROPERTY_SETTINGS
@given(demands(), st.floats(1.0, 4.0))
def test_more_demand_never_gives_fewer_resources(demand: dict[str, Any], factor: float) -> None:
    small = size_stack(parse_stack_config(_config(demand)))
    try:
        large = size_stack(parse_stack_config(_config(_scaled(demand, factor))))
    except InfeasibleDemand:
        # More demand may pass a bound the smaller one kept within (e.g. 10,000 servers in one pool): refused with
        # the numbers, never sized smaller.
        return
    for a, b in zip(small.training, large.training, strict=True):
        assert b.gpus.int >= a.gpus.int
    for a, b in zip(small.inference, large.inference, strict=True):
        assert b.gpus.int >= a.gpus.int and b.edge_gpus.int >= a.edge_gpus.int
    for a, b in zip(small.edge_sites, large.edge_sites, strict=True):
        assert b.nodes.int >= a.nodes.int
    assert large.storage.raw_tb.value >= small.storage.raw_tb.value - 1e-9
    # The drives needed never fall; their total may, when one more host spreads them (a smaller spare share).
    assert large.storage.osds_needed.int >= small.storage.osds_needed.int
    assert large.storage.hosts.int >= small.storage.hosts.int
    assert large.network.required_gbps.value >= small.network.required_gbps.value - 1e-9
    if large.network.feasible_over_vpn:
        assert large.network.vpn_tunnels.int >= small.network.vpn_tunnels.int
    # The optimum for more demand cannot cost less: any placement of it also serves the smaller demand.
    assert large.placement.usd_per_hour.value >= small.placement.usd_per_hour.value * (1 - 1e-6) - 1e-6


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))] or [path]
    return [path]


DEV = yaml.safe_load(stack_file("dev").read_text())["config"]
LEAVES = _leaves(DEV)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(LEAVES), st.sampled_from(["set", "delete", "extra"]), JUNK),
        min_size=1,
        max_size=3,
    )
)
def test_random_config_mutations_give_a_plan_or_a_clean_error(mutations: list[Any]) -> None:
    values = copy.deepcopy(DEV)
    for path, action, junk in mutations:
        parent: Any = values
        try:
            for key in path[:-1]:
                parent = parent[key]
            last = path[-1]
            if action == "set":
                parent[last] = junk
            elif action == "delete" and isinstance(parent, dict):
                parent.pop(last, None)
            elif isinstance(parent, dict):
                parent["unexpected_key"] = junk
        except (KeyError, IndexError, TypeError):
            continue
    outcome: object
    try:
        outcome = size_stack(parse_stack_config(values))
    except (ConfigError, InfeasibleDemand) as exc:
        outcome = exc
    if isinstance(outcome, ConfigError):
        assert outcome.problems
        assert all(p.startswith(("aidc", "aws:", "config")) for p in outcome.problems), outcome.problems
    elif isinstance(outcome, InfeasibleDemand):
        assert any(ch.isdigit() for ch in str(outcome))
    else:
        assert all(math.isfinite(t.gpu_hours.value) for t in outcome.training)  # type: ignore[attr-defined]
