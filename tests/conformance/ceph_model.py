"""What Rook (the pinned operator) and Ceph (the pinned release) do with a pool's spec, replayed from the facts
in upstream/rook/pool-behaviour.json and upstream/ceph/pool-set-rules.json:

1. Rook creates the pool with `ceph osd pool create <pool> <DefaultPGCount>`; DefaultPGCount is "0", so Ceph
   gives it osd_pool_default_pg_num PGs;
2. Rook then sends `ceph osd pool set <pool> <key> <value>` for every entry of `parameters`, in Go map order
   (unspecified: any order can happen), logging and otherwise ignoring a refusal.

`apply` runs that for one order; `outcomes` for every order. Used by test_ceph_pools.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import upstream_files as upstream


@dataclass
class PoolState:
    pg_num_target: int
    autoscale_mode: str
    pg_num_min: int = 0
    pgp_num: int | None = None
    settings: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def created_pool() -> PoolState:
    rook = upstream.rook_pool_facts()
    rules = upstream.ceph_rules()
    requested = int(rook["default_pg_count"]["value"])
    pg_num = requested or int(rules["osd_pool_default_pg_num"]["value"])
    return PoolState(
        pg_num_target=pg_num, autoscale_mode=rules["osd_pool_default_pg_autoscale_mode"]["value"]
    )


def pool_set(state: PoolState, key: str, value: str) -> None:
    """One `osd pool set`, refused (recorded in state.refused) where the monitor answers EINVAL."""
    rule = upstream.ceph_rules()["set_rules"].get(key)
    if rule is None:
        state.refused.append(
            f"{key}: not a pool setting this model knows (add its rule to pool-set-rules.json)"
        )
        return
    if rule["type"] == "int":
        number = int(value)
        if number < rule.get("min", 0):
            state.refused.append(f"{key}={value}: below {rule['min']}")
            return
        if "refused_when" in rule and number > state.pg_num_target:
            state.refused.append(
                rule["error"].replace("N", str(number), 1).replace("M", str(state.pg_num_target), 1)
            )
            return
        if key == "pg_num":
            state.pg_num_target = number
        elif key == "pg_num_min":
            state.pg_num_min = number
        elif key == "pgp_num":
            state.pgp_num = number
    elif rule["type"] in ("enum", "bool"):
        if value not in rule["values"]:
            state.refused.append(f"{key}={value}: not one of {rule['values']}")
            return
        if key == "pg_autoscale_mode":
            state.autoscale_mode = value
    elif rule["type"] == "float" and float(value) < rule.get("min", 0):
        state.refused.append(f"{key}={value}: below {rule['min']}")
        return
    state.settings[key] = value


def apply(parameters: Mapping[str, str], order: tuple[str, ...]) -> PoolState:
    state = created_pool()
    for key in order:
        pool_set(state, key, str(parameters[key]))
    return state


def outcomes(parameters: Mapping[str, str]) -> Iterator[tuple[tuple[str, ...], PoolState]]:
    """The pool after Rook applied `parameters`, for every order Go's map iteration may produce."""
    for order in itertools.permutations(sorted(parameters)):
        yield order, apply(parameters, order)


def planned_pg_problems(parameters: Mapping[str, str] | None, planned_pg_num: int, where: str) -> list[str]:
    """Does the planned pg_num take effect and stay, whatever order Rook applies the parameters in?"""
    problems: list[str] = []
    for order, state in outcomes(dict(parameters or {})):
        label = f"{where} (parameters applied in order {', '.join(order) or '-'})"
        problems += [f"{label}: Ceph refuses {refusal}" for refusal in state.refused]
        if state.pg_num_target != planned_pg_num:
            problems.append(f"{label}: pg_num ends at {state.pg_num_target}, planned {planned_pg_num}")
        elif state.autoscale_mode == "on" and state.pg_num_min < planned_pg_num:
            problems.append(
                f"{label}: pg_autoscale_mode is on with pg_num_min {state.pg_num_min}: the autoscaler may move "
                f"pg_num away from the planned {planned_pg_num}"
            )
    return sorted(set(problems))


def pgs_per_osd_problems(pools: Mapping[str, tuple[int, int]], osds: int, where: str) -> list[str]:
    """Ceph refuses pg_num (ERANGE) when the PG replicas of all pools exceed mon_max_pg_per_osd x max(OSDs, 3)."""
    limit = int(upstream.ceph_rules()["mon_max_pg_per_osd"]["value"]) * max(osds, 3)
    total = sum(pg_num * size for pg_num, size in pools.values())
    if total > limit:
        detail = ", ".join(f"{name} {pg} x {size}" for name, (pg, size) in sorted(pools.items()))
        return [
            f"{where}: {total} PG replicas ({detail}) exceed mon_max_pg_per_osd x {max(osds, 3)} OSDs = {limit}"
        ]
    return []
