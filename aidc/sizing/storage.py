"""Ceph storage: usable → raw → OSDs needed (capacity, checkpoint bandwidth) → hosts → drives per host →
pg_num per pool → monitors.

Rules (Ceph docs, https://docs.ceph.com/en/latest/rados/operations/placement-groups/ and pgcalc):
raw = usable × overhead / target_fill, overhead n for n replicas and (k+m)/k for erasure coding. The drives
needed are the larger of those that hold raw and those that write the running trainings' checkpoints within
checkpoint_write_minutes (per-drive write bandwidth from the catalog, times the pool's write amplification).
Hosts cover the pool's failure domains (size, or k+m) plus one spare, and enough bays (osds_per_host, a limit)
that the drives needed remain with one host lost; the drives are spread evenly over the hosts. ~100 PGs per
OSD overall, per pool OSDs · 100 · data share / size, rounded to a power of two (down unless that is more than
25% below), from the OSDs actually planned.
"""

from __future__ import annotations

import math

from aidc.catalog import DEFAULT_CATALOG, Catalog
from aidc.config.model import StackConfig
from aidc.sizing.figure import Figure
from aidc.sizing.plan import CephPool, StoragePlan

TARGET_PGS_PER_OSD = 100
MIN_PG_NUM = 32
MONITORS_LARGE_CLUSTER_HOSTS = 10  # from this many hosts on, run 5 monitors (quorum survives 2 failures)
TB = 1e12
GB = 1e9
SECONDS_PER_MINUTE = 60


def pg_num(osds: int, data_share: float, size: int) -> Figure:
    """pgcalc: OSDs · 100 · share / size, to the nearest power of two (round up if rounding down loses >25%)."""
    target = osds * TARGET_PGS_PER_OSD * data_share / size
    value = MIN_PG_NUM
    if target > 0:
        lower = 2 ** math.floor(math.log2(target)) if target >= 1 else 1
        value = max(MIN_PG_NUM, lower * 2 if lower < 0.75 * target else lower)
    return Figure(
        value,
        "PGs",
        f"power of two near OSDs · {TARGET_PGS_PER_OSD} · data_share / size (pgcalc rounding, min {MIN_PG_NUM})",
        {"osds": osds, "data_share": round(data_share, 6), "size": size, "target": round(target, 3)},
    )


def min_size_for(size: int) -> int:
    """Ceph's default min_size: size − size/2 (2 for size 3)."""
    return size - size // 2


def size_storage(cfg: StackConfig, catalog: Catalog = DEFAULT_CATALOG) -> StoragePlan:
    demand = cfg.demand.storage
    params = {run.name: run.params for run in cfg.demand.training}
    checkpoint_tb_value = (
        demand.checkpoint_keep * sum(params.values()) * demand.checkpoint_bytes_per_param / TB
    )
    checkpoint_tb = Figure(
        checkpoint_tb_value,
        "TB",
        "checkpoint_keep · Σ params · checkpoint_bytes_per_param / 1e12",
        {
            "checkpoint_keep": demand.checkpoint_keep,
            "params": params,
            "checkpoint_bytes_per_param": demand.checkpoint_bytes_per_param,
        },
    )
    object_tb = demand.datasets_tb + checkpoint_tb_value
    block_tb = demand.block_tb
    usable_tb = Figure(
        object_tb + block_tb,
        "TB",
        "datasets_tb + checkpoint_tb + block_tb",
        {"datasets_tb": demand.datasets_tb, "checkpoint_tb": checkpoint_tb_value, "block_tb": block_tb},
    )

    protection = demand.protection
    if protection.erasure is not None:
        k, m = protection.erasure.k, protection.erasure.m
        object_size, object_overhead = k + m, (k + m) / k
        object_desc = f"erasure {k}+{m}: (k+m)/k = {object_overhead:.3g}"
        # RBD images need a replicated pool (EC only as a data pool), so block stays 3x replicated.
        block_size = 3
        erasure_km: tuple[int | None, int | None] = (k, m)
    else:
        object_size = block_size = protection.replicas or 3
        object_overhead = float(object_size)
        object_desc = f"{object_size} replicas"
        erasure_km = (None, None)
    block_overhead = float(block_size)

    raw_value = (object_tb * object_overhead + block_tb * block_overhead) / demand.target_fill
    raw_tb = Figure(
        raw_value,
        "TB",
        "(object_tb · object_overhead + block_tb · block_overhead) / target_fill",
        {
            "object_tb": object_tb,
            "object_overhead": object_overhead,
            "protection": object_desc,
            "block_tb": block_tb,
            "block_overhead": block_overhead,
            "target_fill": demand.target_fill,
        },
    )
    osds_for_capacity = Figure(
        math.ceil(raw_value / demand.drive_tb - 1e-9),
        "OSDs",
        "ceil(raw_tb / drive_tb) (one OSD per drive)",
        {"raw_tb": raw_value, "drive_tb": demand.drive_tb},
    )
    # Checkpoints land in the object pool; every byte a client writes is written size (replicas) or (k+m)/k
    # (erasure) times to drives. BlueStore writes large objects once (no journal double write).
    checkpoint_bytes = sum(params.values()) * demand.checkpoint_bytes_per_param
    write_seconds = demand.checkpoint_write_minutes * SECONDS_PER_MINUTE
    checkpoint_write = Figure(
        checkpoint_bytes / write_seconds / GB,
        "GB/s",
        "Σ params · checkpoint_bytes_per_param / (checkpoint_write_minutes · 60) / 1e9 (every run may "
        "checkpoint at the same time)",
        {
            "params": params,
            "checkpoint_bytes_per_param": demand.checkpoint_bytes_per_param,
            "checkpoint_write_minutes": demand.checkpoint_write_minutes,
        },
    )
    drive_write = demand.drive_write_mb_per_s or catalog.fact("nvme_write_mb_per_s")
    drive_source = (
        "aidc:demand.storage.drive_write_mb_per_s"
        if demand.drive_write_mb_per_s
        else catalog.facts["nvme_write_mb_per_s"].source
    )
    osds_for_bandwidth = Figure(
        math.ceil(checkpoint_write.value * object_overhead / (drive_write / 1000) - 1e-9),
        "OSDs",
        "ceil(checkpoint write GB/s · write amplification (replicas, or (k+m)/k) / drive write GB/s)",
        {
            "checkpoint_write_gb_per_s": checkpoint_write.value,
            "write_amplification": object_overhead,
            "drive_write_mb_per_s": drive_write,
            "drive_write_source": drive_source,
        },
    )
    bound = "bandwidth" if osds_for_bandwidth.value > osds_for_capacity.value else "capacity"
    needed = int(max(osds_for_capacity.value, osds_for_bandwidth.value))
    osds_needed = Figure(
        needed,
        "OSDs",
        f"max(OSDs for capacity, OSDs for checkpoint bandwidth): the {bound} decided; these must remain with one "
        "host lost",
        {"capacity": osds_for_capacity.int, "bandwidth": osds_for_bandwidth.int, "bound": bound},
    )
    failure_domains = max(object_size, block_size)
    hosts_for_osds = math.ceil(needed / demand.osds_per_host) + 1
    hosts_for_domains = failure_domains + 1
    hosts_value = max(hosts_for_osds, hosts_for_domains)
    hosts = Figure(
        hosts_value,
        "hosts",
        "max(ceil(osds_needed / osds_per_host) + 1 spare, failure domains + 1 spare)",
        {
            "osds_needed": needed,
            "osds_per_host": demand.osds_per_host,
            "failure_domains": failure_domains,
        },
    )
    # Spread evenly, so that any host lost leaves the drives needed; bays left empty are room to grow.
    drives_per_host = max(1, math.ceil(needed / (hosts_value - 1)))
    osds_value = hosts_value * drives_per_host
    osds = Figure(
        osds_value,
        "OSDs",
        "hosts · ceil(osds_needed / (hosts − 1)): drives spread evenly, so losing any one host (the failure "
        "domain) leaves osds_needed; osds_per_host is the bay limit, not a quota",
        {
            "hosts": hosts_value,
            "drives_per_host": drives_per_host,
            "osds_needed": needed,
            "osds_per_host": demand.osds_per_host,
        },
    )

    total = object_tb + block_tb
    object_share = object_tb / total if total > 0 else 0.5
    block_share = 1 - object_share
    pools = (
        CephPool(
            name="object",
            kind="object",
            replicated_size=None if erasure_km[0] else object_size,
            erasure_k=erasure_km[0],
            erasure_m=erasure_km[1],
            size=object_size,
            min_size=(erasure_km[0] + 1) if erasure_km[0] else min_size_for(object_size),
            failure_domain="host",
            pg_num=pg_num(osds_value, object_share, object_size),
            usable_tb=object_tb,
        ),
        CephPool(
            name="block",
            kind="block",
            replicated_size=block_size,
            erasure_k=None,
            erasure_m=None,
            size=block_size,
            min_size=min_size_for(block_size),
            failure_domain="host",
            pg_num=pg_num(osds_value, block_share, block_size),
            usable_tb=block_tb,
        ),
    )
    monitors_value = 5 if hosts_value >= MONITORS_LARGE_CLUSTER_HOSTS else 3
    monitors = Figure(
        monitors_value,
        "monitors",
        f"3, or 5 from {MONITORS_LARGE_CLUSTER_HOSTS} hosts on (odd, so a majority forms a quorum)",
        {"hosts": hosts_value},
    )
    return StoragePlan(
        usable_tb=usable_tb,
        checkpoint_tb=checkpoint_tb,
        raw_tb=raw_tb,
        osds=osds,
        hosts=hosts,
        osds_per_host=demand.osds_per_host,
        drive_tb=demand.drive_tb,
        monitors=monitors,
        pools=pools,
        failure_domains_needed=failure_domains,
        drives_per_host=drives_per_host,
        osds_for_capacity=osds_for_capacity,
        osds_for_bandwidth=osds_for_bandwidth,
        osds_needed=osds_needed,
        checkpoint_write_gb_per_s=checkpoint_write,
        bound=bound,
    )
