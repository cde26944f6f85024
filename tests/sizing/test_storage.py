"""Ceph sizing, hand-derived."""

from __future__ import annotations

import pytest

from aidc.sizing import size_stack
from aidc.sizing.storage import pg_num
from tests.sizing.helpers import stack


def test_replicated_pool_hand_derived() -> None:
    cfg = stack(
        {
            "storage": {
                "datasets_tb": 100,
                "checkpoint_keep": 0,
                "protection": {"replicas": 3},
                "drive_tb": 10,
                "target_fill": 0.75,
                "osds_per_host": 10,
            }
        }
    )
    s = size_stack(cfg).storage
    assert s.raw_tb.value == pytest.approx(400.0)  # 100 · 3 / 0.75
    assert s.hosts.int == 5  # ceil(40 OSDs / 10) + 1 spare
    assert s.osds.int == 50  # 40 must remain with a host lost: ceil(40 / 4) = 10 per host (every bay, here)
    obj = next(p for p in s.pools if p.name == "object")
    assert (obj.size, obj.min_size, obj.failure_domain) == (3, 2, "host")
    assert obj.pg_num.int == 2048  # 50·100/3 = 1666.7; 1024 is >25% below, so round up
    assert s.monitors.int == 3


def test_erasure_coded_pool_needs_k_plus_m_plus_one_hosts() -> None:
    cfg = stack(
        {
            "storage": {
                "datasets_tb": 80,
                "checkpoint_keep": 0,
                "protection": {"erasure": {"k": 4, "m": 2}},
                "drive_tb": 10,
                "target_fill": 0.8,
                "osds_per_host": 4,
            }
        }
    )
    s = size_stack(cfg).storage
    assert s.raw_tb.value == pytest.approx(150.0)  # 80 · 6/4 / 0.8
    assert s.hosts.int == 7  # failure domains k+m = 6, plus one spare (15 OSDs alone would need 5)
    # 15 drives must remain with a host lost: ceil(15 / 6) = 3 per host, 21 in all (not 7 · 4 bays = 28).
    assert (s.drives_per_host, s.osds.int) == (3, 21)
    obj = next(p for p in s.pools if p.name == "object")
    assert (obj.erasure_k, obj.erasure_m, obj.size, obj.min_size) == (4, 2, 6, 5)
    assert obj.pg_num.int == 512  # 21·100/6 = 350 → 256 is >25% below → 512
    block = next(p for p in s.pools if p.name == "block")
    assert block.replicated_size == 3  # RBD needs a replicated pool


def test_checkpoints_follow_parameters() -> None:
    cfg = stack(
        {
            "training": [
                {
                    "name": "big",
                    "params": 70e9,
                    "tokens": 1e9,
                    "accelerator": "h100-80gb",
                    "deadline_days": 30,
                }
            ],
            "storage": {"datasets_tb": 0, "checkpoint_keep": 3},
        },
        {"private": {"gpus": {"h100-80gb": 8}}},
    )
    s = size_stack(cfg).storage
    assert s.checkpoint_tb.value == pytest.approx(3 * 70e9 * 14 / 1e12)  # 2.94 TB


@pytest.mark.parametrize(
    ("osds", "share", "size", "expected"),
    [(100, 1.0, 3, 4096), (10, 1.0, 3, 256), (1, 0.01, 3, 32), (200, 0.5, 6, 2048)],
)
def test_pg_num_rounding(osds: int, share: float, size: int, expected: int) -> None:
    assert pg_num(osds, share, size).int == expected


def test_five_monitors_for_large_clusters() -> None:
    cfg = stack({"storage": {"datasets_tb": 2000, "drive_tb": 10, "osds_per_host": 10}})
    assert size_stack(cfg).storage.monitors.int == 5


def test_ec_8_3_on_twelve_hosts_buys_the_drives_it_needs_not_every_bay() -> None:
    # raw = 290 · 11/8 / 0.8 = 498.4 TB → 50 drives of 10 TB. EC 8+3 needs 11 failure domains + 1 spare = 12
    # hosts; 50 drives must remain with one host lost: ceil(50 / 11) = 5 per host, 60 in all. Filling every bay
    # (12 · 12 = 144) would buy 2.9 times the drives.
    cfg = stack(
        {
            "storage": {
                "datasets_tb": 290,
                "checkpoint_keep": 0,
                "protection": {"erasure": {"k": 8, "m": 3}},
                "drive_tb": 10,
                "target_fill": 0.8,
                "osds_per_host": 12,
            }
        }
    )
    s = size_stack(cfg).storage
    assert s.raw_tb.value == pytest.approx(498.4375)
    assert (s.osds_for_capacity.int, s.osds_needed.int, s.bound) == (50, 50, "capacity")
    assert (s.hosts.int, s.drives_per_host, s.osds.int) == (12, 5, 60)
    # Any host lost: 11 · 5 = 55 drives, 550 TB ≥ 498.4 TB raw.
    assert (s.hosts.int - 1) * s.drives_per_host * s.drive_tb >= s.raw_tb.value
    obj = next(p for p in s.pools if p.name == "object")
    assert obj.pg_num.int == 512  # from the 60 OSDs planned: 60 · 100 / 11 = 545.5 → 512


def _checkpoint_heavy(**storage: object) -> dict[str, object]:
    return {
        "training": [
            {"name": "big", "params": 1.75e11, "tokens": 1e9, "accelerator": "h100-80gb", "deadline_days": 30}
        ],
        "storage": {
            "datasets_tb": 2,
            "checkpoint_keep": 2,
            "protection": {"replicas": 3},
            "drive_tb": 15.36,
            "osds_per_host": 12,
            **storage,
        },
    }


def test_checkpoint_bandwidth_decides_when_the_data_is_small() -> None:
    # A 175B run's checkpoint: 1.75e11 · 14 B = 2.45 TB, written within 5 minutes = 8.17 GB/s from clients;
    # 3 replicas → 24.5 GB/s to drives; a datacentre NVMe writes 3.5 GB/s → 7 drives. Capacity needs only
    # ceil((2 + 4.9) · 3 / 0.7 / 15.36) = 2. Hosts: 3 replicas + 1 spare = 4; 7 drives over 3 survivors → 3 each.
    s = size_stack(stack(_checkpoint_heavy(), {"private": {"gpus": {"h100-80gb": 64}}})).storage
    assert s.checkpoint_write_gb_per_s.value == pytest.approx(2.45e12 / 300 / 1e9)
    assert s.osds_for_bandwidth.inputs["write_amplification"] == 3
    assert (s.osds_for_capacity.int, s.osds_for_bandwidth.int, s.bound) == (2, 7, "bandwidth")
    assert (s.hosts.int, s.drives_per_host, s.osds.int) == (4, 3, 12)
    assert "bandwidth decided" in s.osds_needed.formula


def test_a_longer_checkpoint_window_or_faster_drives_need_fewer_drives() -> None:
    capacity = stack(_checkpoint_heavy(checkpoint_write_minutes=60), {"private": {"gpus": {"h100-80gb": 64}}})
    s = size_stack(capacity).storage
    # 0.68 GB/s · 3 / 3.5 → 1 drive; capacity (2) decides; 4 hosts of 1 drive (a host per failure domain + spare).
    assert (s.osds_for_bandwidth.int, s.bound, s.osds.int) == (1, "capacity", 4)
    fast = stack(_checkpoint_heavy(drive_write_mb_per_s=7000), {"private": {"gpus": {"h100-80gb": 64}}})
    s = size_stack(fast).storage
    assert s.osds_for_bandwidth.int == 4  # ceil(24.5 / 7)
    assert s.osds_for_bandwidth.inputs["drive_write_source"] == "aidc:demand.storage.drive_write_mb_per_s"
