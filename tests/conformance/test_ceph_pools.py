"""Rook v1.20.6 and Ceph Squid (upstream/rook/pool-behaviour.json, upstream/ceph/pool-set-rules.json): each planned
pool ends up with the planned pg_num, whatever order Rook applies its `parameters` in, without a command Ceph
refuses; and all pools together stay within the monitor's per-OSD PG limit, so no pg_num is refused."""

from __future__ import annotations

from typing import Any

import pytest
import upstream_files as upstream
from ceph_model import created_pool, pgs_per_osd_problems, planned_pg_problems
from stack_runs import offline_plan

from aidc.config import parse_stack_config
from aidc.config.load import read_config_values, stack_file
from aidc.offline import OfflinePlan
from aidc.sizing import size_stack
from aidc.sizing.plan import CapacityPlan

ROOK = "kubernetes:ceph.rook.io/v1:"


def _sizing(stack: str) -> CapacityPlan:
    values = read_config_values(stack_file(stack))
    return size_stack(parse_stack_config(values, stack=stack))


def _size(pool_spec: dict[str, Any]) -> int:
    if pool_spec.get("erasureCoded"):
        return int(pool_spec["erasureCoded"]["dataChunks"]) + int(pool_spec["erasureCoded"]["codingChunks"])
    return int(pool_spec["replicated"]["size"])


def _planned_pools(plan: OfflinePlan) -> dict[str, dict[str, Any]]:
    """Pool name -> its spec, for the pools sizing plans (block pools and object stores' data pools)."""
    pools: dict[str, dict[str, Any]] = {}
    for resource in plan.resources:
        inputs = resource["plain_inputs"]
        if resource["type"] == ROOK + "CephBlockPool":
            pools[inputs["metadata"]["name"]] = inputs["spec"]
        elif resource["type"] == ROOK + "CephObjectStore":
            pools[inputs["metadata"]["name"]] = inputs["spec"]["dataPool"]
    return pools


def test_every_planned_pool_gets_its_planned_pg_num(plan: OfflinePlan) -> None:
    sizing = _sizing(plan.stack)
    declared = _planned_pools(plan)
    problems: list[str] = []
    for pool in sizing.storage.pools:
        spec = declared[pool.name]
        problems += planned_pg_problems(spec.get("parameters"), pool.pg_num.int, f"{plan.stack}/{pool.name}")
    assert sizing.storage.pools
    assert problems == []


def test_all_pools_fit_the_monitors_pg_per_osd_limit(plan: OfflinePlan) -> None:
    sizing = _sizing(plan.stack)
    declared = _planned_pools(plan)
    planned = {p.name: p.pg_num.int for p in sizing.storage.pools}
    default_pg = created_pool().pg_num_target
    rgw = upstream.rook_pool_facts()["object_store_metadata_pools"]
    pools: dict[str, tuple[int, int]] = {".mgr": (1, 3)}
    for resource in plan.resources:
        inputs = resource["plain_inputs"]
        if resource["type"] == ROOK + "CephObjectStore":
            store = inputs["metadata"]["name"]
            for name in rgw["pools"]:
                pools[f"{store}.{name}"] = (rgw["pg_num"], _size(inputs["spec"]["metadataPool"]))
    for name, spec in declared.items():
        pools[name] = (planned.get(name, default_pg), _size(spec))
    assert pgs_per_osd_problems(pools, sizing.storage.osds.int, plan.stack) == []


GOOD = {"pg_num": "256", "pg_autoscale_mode": "off"}


def test_a_spec_that_takes_effect_in_every_order_passes() -> None:
    assert planned_pg_problems(GOOD, 256, "good") == []


@pytest.mark.parametrize(
    "parameters",
    [
        None,
        {"pg_num_min": "256"},
        {"pg_num": "256", "pgp_num": "256", "pg_autoscale_mode": "off"},
        {"pg_num": "256", "pg_num_min": "256"},
        {"pg_num": "256"},
        {"pg_num": "256", "pg_autoscale_mode": "of"},
    ],
    ids=["nothing", "pg-num-min-alone", "pgp-num-order", "pg-num-min-order", "autoscaler-on", "bad-mode"],
)
def test_a_spec_that_rook_and_ceph_do_not_turn_into_the_plan_is_refused(
    parameters: dict[str, str] | None,
) -> None:
    assert planned_pg_problems(parameters, 256, "broken")


def test_the_pg_per_osd_limit_refuses_too_many_pgs() -> None:
    assert pgs_per_osd_problems({"data": (128, 3)}, 12, "fits") == []
    assert pgs_per_osd_problems({"data": (1024, 3)}, 12, "too many")


def test_shipped_stacks_are_sized() -> None:
    assert _sizing("prod").storage.pools
    assert offline_plan("prod").resources
