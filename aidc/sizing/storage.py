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

`size_storage` reads top to bottom, one function per step: capacity (usable, protection, raw), OSDs (for capacity,
for checkpoint bandwidth, the larger), hosts and drives per host, pools, monitors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aidc.catalog import DEFAULT_CATALOG, Catalog
from aidc.config.model import Protection, StackConfig, StorageDemand
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


@dataclass(frozen=True)
class _Protection:
    """The object pool's protection and the block pool's (always replicated: RBD images need a replicated pool)."""

    object_size: int  # copies or chunks: the failure domains the object pool needs
    object_overhead: float  # raw bytes per usable byte, also the write amplification
    object_desc: str
    block_size: int
    erasure_k: int | None
    erasure_m: int | None

    @property
    def block_overhead(self) -> float:
        return float(self.block_size)


def _protection(protection: Protection) -> _Protection:
    if protection.erasure is not None:
        k, m = protection.erasure.k, protection.erasure.m
        overhead = (k + m) / k
        # RBD images need a replicated pool (EC only as a data pool), so block stays 3x replicated.
        return _Protection(k + m, overhead, f"erasure {k}+{m}: (k+m)/k = {overhead:.3g}", 3, k, m)
    size = protection.replicas or 3
    return _Protection(size, float(size), f"{size} replicas", size, None, None)


def _checkpoint_tb(demand: StorageDemand, params: dict[str, float]) -> Figure:
    """The checkpoints kept of every training run."""
    return Figure(
        demand.checkpoint_keep * sum(params.values()) * demand.checkpoint_bytes_per_param / TB,
        "TB",
        "checkpoint_keep · Σ params · checkpoint_bytes_per_param / 1e12",
        {
            "checkpoint_keep": demand.checkpoint_keep,
            "params": params,
            "checkpoint_bytes_per_param": demand.checkpoint_bytes_per_param,
        },
    )


def _raw_tb(demand: StorageDemand, object_tb: float, protection: _Protection) -> Figure:
    """Usable capacity times each pool's overhead, at the target fill."""
    block_tb = demand.block_tb
    return Figure(
        (object_tb * protection.object_overhead + block_tb * protection.block_overhead) / demand.target_fill,
        "TB",
        "(object_tb · object_overhead + block_tb · block_overhead) / target_fill",
        {
            "object_tb": object_tb,
            "object_overhead": protection.object_overhead,
            "protection": protection.object_desc,
            "block_tb": block_tb,
            "block_overhead": protection.block_overhead,
            "target_fill": demand.target_fill,
        },
    )


def _checkpoint_write(demand: StorageDemand, params: dict[str, float]) -> Figure:
    """The client write rate that lands every run's checkpoint within checkpoint_write_minutes."""
    checkpoint_bytes = sum(params.values()) * demand.checkpoint_bytes_per_param
    write_seconds = demand.checkpoint_write_minutes * SECONDS_PER_MINUTE
    return Figure(
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


def _osds_for_bandwidth(
    demand: StorageDemand, checkpoint_write: Figure, protection: _Protection, catalog: Catalog
) -> Figure:
    """Drives that write the checkpoints in time. Checkpoints land in the object pool; every byte a client writes
    is written size (replicas) or (k+m)/k (erasure) times to drives. BlueStore writes large objects once (no
    journal double write)."""
    drive_write = demand.drive_write_mb_per_s or catalog.fact("nvme_write_mb_per_s")
    drive_source = (
        "aidc:demand.storage.drive_write_mb_per_s"
        if demand.drive_write_mb_per_s
        else catalog.facts["nvme_write_mb_per_s"].source
    )
    return Figure(
        math.ceil(checkpoint_write.value * protection.object_overhead / (drive_write / 1000) - 1e-9),
        "OSDs",
        "ceil(checkpoint write GB/s · write amplification (replicas, or (k+m)/k) / drive write GB/s)",
        {
            "checkpoint_write_gb_per_s": checkpoint_write.value,
            "write_amplification": protection.object_overhead,
            "drive_write_mb_per_s": drive_write,
            "drive_write_source": drive_source,
        },
    )


def _osds_needed(for_capacity: Figure, for_bandwidth: Figure) -> tuple[Figure, str]:
    """The larger of the two answers, and which one decided it."""
    bound = "bandwidth" if for_bandwidth.value > for_capacity.value else "capacity"
    needed = Figure(
        int(max(for_capacity.value, for_bandwidth.value)),
        "OSDs",
        f"max(OSDs for capacity, OSDs for checkpoint bandwidth): the {bound} decided; these must remain with one "
        "host lost",
        {"capacity": for_capacity.int, "bandwidth": for_bandwidth.int, "bound": bound},
    )
    return needed, bound


def _hosts(demand: StorageDemand, needed: int, failure_domains: int) -> Figure:
    """Enough hosts for the failure domains and for the drives needed, plus one spare either way."""
    hosts_for_osds = math.ceil(needed / demand.osds_per_host) + 1
    hosts_for_domains = failure_domains + 1
    return Figure(
        max(hosts_for_osds, hosts_for_domains),
        "hosts",
        "max(ceil(osds_needed / osds_per_host) + 1 spare, failure domains + 1 spare)",
        {
            "osds_needed": needed,
            "osds_per_host": demand.osds_per_host,
            "failure_domains": failure_domains,
        },
    )


def _osds(demand: StorageDemand, needed: int, hosts: int) -> tuple[Figure, int]:
    """The drives planned and drives per host. Spread evenly, so that any host lost leaves the drives needed;
    bays left empty are room to grow."""
    drives_per_host = max(1, math.ceil(needed / (hosts - 1)))
    osds = Figure(
        hosts * drives_per_host,
        "OSDs",
        "hosts · ceil(osds_needed / (hosts − 1)): drives spread evenly, so losing any one host (the failure "
        "domain) leaves osds_needed; osds_per_host is the bay limit, not a quota",
        {
            "hosts": hosts,
            "drives_per_host": drives_per_host,
            "osds_needed": needed,
            "osds_per_host": demand.osds_per_host,
        },
    )
    return osds, drives_per_host


def _pools(
    object_tb: float, block_tb: float, protection: _Protection, osds: int
) -> tuple[CephPool, CephPool]:
    """The object and block pools, each with pg_num for its share of the data."""
    total = object_tb + block_tb
    object_share = object_tb / total if total > 0 else 0.5
    block_share = 1 - object_share
    object_size, block_size, erasure_k = protection.object_size, protection.block_size, protection.erasure_k
    return (
        CephPool(
            name="object",
            kind="object",
            replicated_size=None if erasure_k else object_size,
            erasure_k=erasure_k,
            erasure_m=protection.erasure_m,
            size=object_size,
            min_size=(erasure_k + 1) if erasure_k else min_size_for(object_size),
            failure_domain="host",
            pg_num=pg_num(osds, object_share, object_size),
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
            pg_num=pg_num(osds, block_share, block_size),
            usable_tb=block_tb,
        ),
    )


def _monitors(hosts: int) -> Figure:
    """3 monitors, or 5 on large clusters (a quorum then survives two failures)."""
    return Figure(
        5 if hosts >= MONITORS_LARGE_CLUSTER_HOSTS else 3,
        "monitors",
        f"3, or 5 from {MONITORS_LARGE_CLUSTER_HOSTS} hosts on (odd, so a majority forms a quorum)",
        {"hosts": hosts},
    )


def size_storage(cfg: StackConfig, catalog: Catalog = DEFAULT_CATALOG) -> StoragePlan:
    """The Ceph cluster the stack's storage demand needs (module docstring: the rules)."""
    demand = cfg.demand.storage
    params = {run.name: run.params for run in cfg.demand.training}
    checkpoint_tb = _checkpoint_tb(demand, params)
    object_tb = demand.datasets_tb + checkpoint_tb.value
    block_tb = demand.block_tb
    usable_tb = Figure(
        object_tb + block_tb,
        "TB",
        "datasets_tb + checkpoint_tb + block_tb",
        {"datasets_tb": demand.datasets_tb, "checkpoint_tb": checkpoint_tb.value, "block_tb": block_tb},
    )
    protection = _protection(demand.protection)
    raw_tb = _raw_tb(demand, object_tb, protection)
    osds_for_capacity = Figure(
        math.ceil(raw_tb.value / demand.drive_tb - 1e-9),
        "OSDs",
        "ceil(raw_tb / drive_tb) (one OSD per drive)",
        {"raw_tb": raw_tb.value, "drive_tb": demand.drive_tb},
    )
    checkpoint_write = _checkpoint_write(demand, params)
    osds_for_bandwidth = _osds_for_bandwidth(demand, checkpoint_write, protection, catalog)
    osds_needed, bound = _osds_needed(osds_for_capacity, osds_for_bandwidth)
    failure_domains = max(protection.object_size, protection.block_size)
    hosts = _hosts(demand, osds_needed.int, failure_domains)
    osds, drives_per_host = _osds(demand, osds_needed.int, hosts.int)
    return StoragePlan(
        usable_tb=usable_tb,
        checkpoint_tb=checkpoint_tb,
        raw_tb=raw_tb,
        osds=osds,
        hosts=hosts,
        osds_per_host=demand.osds_per_host,
        drive_tb=demand.drive_tb,
        monitors=_monitors(hosts.int),
        pools=_pools(object_tb, block_tb, protection, osds.int),
        failure_domains_needed=failure_domains,
        drives_per_host=drives_per_host,
        osds_for_capacity=osds_for_capacity,
        osds_for_bandwidth=osds_for_bandwidth,
        osds_needed=osds_needed,
        checkpoint_write_gb_per_s=checkpoint_write,
        bound=bound,
    )
