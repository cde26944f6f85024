"""A sized plan is bounded before anything is declared from it: storage that would need billions of hosts, and
networks too small for the servers the plan puts in them, are infeasible demand with the figures — quickly, and
never a MemoryError half a minute later in the program."""

from __future__ import annotations

import time

import pytest

from aidc.config import parse_stack_config
from aidc.config.limits import MAX_SERVERS_PER_POOL
from aidc.sizing import InfeasibleDemand, size_stack


def test_storage_for_billions_of_hosts_is_refused_quickly() -> None:
    cfg = parse_stack_config(
        {
            "aidc:demand": {
                "storage": {
                    "datasets_tb": 1e6,
                    "drive_tb": 0.1,
                    "protection": {"replicas": 10},
                    "target_fill": 0.05,
                    "osds_per_host": 1,
                }
            }
        }
    )
    started = time.monotonic()
    with pytest.raises(InfeasibleDemand, match=r"2,000,000,001 Ceph storage hosts.*at most 10,000"):
        size_stack(cfg)
    assert time.monotonic() - started < 10


def test_the_largest_pool_allowed_is_planned() -> None:
    # 3 replicas / 0.75 fill of 4,000 TB on 15.36 TB drives, 4 per host: ~1,300 hosts, well within the bound.
    cfg = parse_stack_config(
        {
            "aidc:demand": {
                "storage": {"datasets_tb": 4000, "drive_tb": 15.36, "target_fill": 0.75, "osds_per_host": 4}
            }
        }
    )
    assert size_stack(cfg).storage.hosts.int <= MAX_SERVERS_PER_POOL


def test_a_private_network_too_small_for_the_servers_is_refused() -> None:
    cfg = parse_stack_config(
        {"aidc:openstack": {"network_cidr": "10.20.0.0/28"}, "aidc:demand": {"storage": {"datasets_tb": 300}}}
    )
    with pytest.raises(InfeasibleDemand, match=r"aidc:openstack.network_cidr 10.20.0.0/28 has 12 addresses"):
        size_stack(cfg)


def test_an_edge_network_too_small_for_its_site_is_refused() -> None:
    cfg = parse_stack_config(
        {
            "aidc:demand": {
                "inference": [
                    {
                        "name": "chat",
                        "peak_tokens_per_s": 400_000,
                        "tokens_per_s_per_gpu": 1000,
                        "accelerator": "l4-24gb",
                        "model_params": 1e9,
                        "edge_fraction": 1.0,
                    }
                ]
            },
            "aidc:edge": {
                "sites": [
                    {"name": "tiny", "share": 1, "accelerator": "l4-24gb", "network_cidr": "10.200.0.0/28"}
                ]
            },
        }
    )
    with pytest.raises(InfeasibleDemand, match=r"edge site tiny: its network 10.200.0.0/28 has 12 addresses"):
        size_stack(cfg)
