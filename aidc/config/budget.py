"""The resource budget of one stack, and the shard size an estate derives from it (pure; no Pulumi).

A stack whose `pulumi up` carries more than `MAX_RESOURCES_PER_STACK` resources is slow to plan and to apply,
and one failure holds back everything in it. An estate's shard stacks therefore hold as many edge sites as fit
that budget: `aidc:estate: {max_sites_per_stack: auto}` (or `aidc:estate: {}`) derives the number from what a
site of this stack adds; a number given by hand is kept, and sizing warns when it overruns the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

# Resources one edge site adds to a shard stack, by its K3s servers (measured on the program with benchmarks/
# bench_estate.py and the metro estate: network, router, security groups and rules, keypair, K3s server(s), CAs,
# token, readiness gate, kubernetes Provider, upgrade plans, a Heat agent pool; three servers add the API load
# balancer and two instances; in one stack a site also has its own SSH key, one more), and what one stack should
# carry at most.
RESOURCES_PER_EDGE_SITE = {1: 34, 3: 43}
MAX_RESOURCES_PER_STACK = 1500
# A site with GPU nodes adds its GPU stack (issue 13): the GPU Operator, Prometheus and Kueue with their components
# and the site's flavor (7), and a landing zone per inference workload served at the edge (namespace, service
# account, ClusterQueue, LocalQueue: 4 each).
GPU_STACK_PER_EDGE_SITE = 7
RESOURCES_PER_EDGE_LANDING_ZONE = 4
# A shard stack's own resources besides its sites: the StackReference to its core.
RESOURCES_PER_SHARD = 1


class _Site(Protocol):
    @property
    def servers(self) -> int: ...


def resources_per_site(sites: Sequence[_Site], workloads_served_at_edge: int) -> float:
    """What an average site adds (a one-server site when there is none yet), with its GPU stack when inference
    is served at the edge."""
    gpu_stack = (
        GPU_STACK_PER_EDGE_SITE + RESOURCES_PER_EDGE_LANDING_ZONE * workloads_served_at_edge
        if workloads_served_at_edge
        else 0
    )
    if not sites:
        return RESOURCES_PER_EDGE_SITE[1] + gpu_stack
    return sum(RESOURCES_PER_EDGE_SITE[site.servers] for site in sites) / len(sites) + gpu_stack


def sites_within_budget(per_site: float) -> int:
    """The most sites one shard stack holds within MAX_RESOURCES_PER_STACK (at least one)."""
    return max(1, int((MAX_RESOURCES_PER_STACK - RESOURCES_PER_SHARD) // per_site))
