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
    assert s.osds.int == 50
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
    obj = next(p for p in s.pools if p.name == "object")
    assert (obj.erasure_k, obj.erasure_m, obj.size, obj.min_size) == (4, 2, 6, 5)
    assert obj.pg_num.int == 512  # 28·100/6 = 466.7 → 256 is >25% below → 512
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
