"""The resource budget of one stack, and the shard size an estate derives from it (pure; no Pulumi).

A stack whose `pulumi up` carries more than `MAX_RESOURCES_PER_STACK` resources is slow to plan and to apply,
and one failure holds back everything in it. An estate's shard stacks therefore hold as many edge sites as fit
that budget: `aidc:estate: {max_sites_per_stack: auto}` (or `aidc:estate: {}`) derives the number from what a
site of this stack adds; a number given by hand is kept, and sizing warns when it overruns the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

# Resources one edge site adds to a shard stack, by its K3s servers, measured with the offline recorder
# (aidc/offline.py under aidc.estate.offline.plan_estate; tests/config/test_estate_budget.py re-measures the metro
# shards against this estimate): its network, subnet, router and interface, two security groups and their two
# intra-group rules and the K3s API rules from the site's own and the core's network, keypair, K3s server(s) and
# their server group, two generated passwords (token, agent token), the readiness gate and the kubeconfig
# (dynamic), the kubernetes Provider, the upgrade plans (2 Plans, 2 ConfigFiles) and the K3sCluster, K3sUpgrades and
# OpenStackPrivateCloud components; three servers add two instances and the API load balancer (balancer, listener,
# pool, monitor, three members). In one stack (not a shard) a site also has its own SSH key, one more.
RESOURCES_PER_EDGE_SITE = {1: 25, 3: 34}
# Each aidc:openstack.admin_cidrs entry adds its SSH and K3s API rules (components/openstack_private_cloud/
# security_groups.py ADMIN_PORTS) to every site's admin security group.
RESOURCES_PER_ADMIN_CIDR = 2
MAX_RESOURCES_PER_STACK = 1500
# A site with GPU nodes adds its GPU stack (issue 13): the GPU agent pool (Heat stack and server group), the GPU
# Operator, Prometheus and Kueue (three components, three Helm releases) and the site's ResourceFlavor (9), and a
# landing zone per inference workload served at the edge (namespace, service account, ClusterQueue, LocalQueue: 4
# each).
GPU_STACK_PER_EDGE_SITE = 9
RESOURCES_PER_EDGE_LANDING_ZONE = 4
# A shard stack's own resources besides its sites: the StackReference to its core.
RESOURCES_PER_SHARD = 1


class _Site(Protocol):
    @property
    def servers(self) -> int: ...


def resources_per_site(sites: Sequence[_Site], workloads_served_at_edge: int, admin_cidrs: int) -> float:
    """What an average site adds (a one-server site when there is none yet): its servers' resources, the rules of
    each admin CIDR, and its GPU stack when inference is served at the edge."""
    gpu_stack = (
        GPU_STACK_PER_EDGE_SITE + RESOURCES_PER_EDGE_LANDING_ZONE * workloads_served_at_edge
        if workloads_served_at_edge
        else 0
    )
    rules = RESOURCES_PER_ADMIN_CIDR * admin_cidrs
    if not sites:
        return RESOURCES_PER_EDGE_SITE[1] + rules + gpu_stack
    return sum(RESOURCES_PER_EDGE_SITE[site.servers] for site in sites) / len(sites) + rules + gpu_stack


def sites_within_budget(per_site: float) -> int:
    """The most sites one shard stack holds within MAX_RESOURCES_PER_STACK (at least one)."""
    return max(1, int((MAX_RESOURCES_PER_STACK - RESOURCES_PER_SHARD) // per_site))
