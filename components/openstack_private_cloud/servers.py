"""The GPU pools of OpenStackPrivateCloud: per planned pool one Nova server group and one Heat stack whose
OS::Heat::ResourceGroup `count` is the pool's server count (components/cloud_init.py has the template), so 2,000
GPU servers are still a handful of Pulumi resources. A pool of 0 servers declares nothing.

A pool's user data is read at its servers' first boot only (`ignore_changes` on it here, and
`user_data_update_policy: IGNORE` in the template): a changed user data never replaces a server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_openstack as openstack

from aidc.contract import (
    HEAT_ACCELERATOR_TAG,
    HEAT_GPUS_PER_SERVER_TAG,
    HEAT_MARKER_TAG,
    HEAT_SERVERS_TAG,
    heat_tag,
)
from components._scope import Scope
from components.cloud_init import heat_server_pool_template
from components.openstack_private_cloud.args import GpuPool

HEAT_TIMEOUT_MINUTES = 120
"""How long Heat may take to create or update a pool's stack (StackV1 `timeout`, minutes)."""


@dataclass(frozen=True)
class PoolSite:
    """What every pool's servers attach to and boot with, shared by the pools."""

    default_image: str
    """Glance image of a pool that names none."""
    root_volume_gb: int
    """Boot volume size of every server."""
    keypair_name: pulumi.Input[str]
    """The Nova keypair."""
    network_id: pulumi.Input[str]
    """The tenant network."""
    subnet: pulumi.Resource
    """The tenant subnet: a stack waits for it (a server needs an address)."""
    security_group_ids: pulumi.Output[list[str]]
    """The groups, known once every rule exists."""


@dataclass(frozen=True)
class Pools:
    """Ids by pool name of what was declared (pools of 0 servers are absent)."""

    server_group_ids: dict[str, pulumi.Output[str]]
    """Nova server group id by pool name."""
    stack_ids: dict[str, pulumi.Output[str]]
    """Heat stack id by pool name."""


def stack_tags(pool: GpuPool) -> list[str]:
    """The Heat stack's tags: aidc's own (accelerator, GPUs per server, servers), then the pool's extra tags."""
    return [
        HEAT_MARKER_TAG,
        heat_tag(HEAT_ACCELERATOR_TAG, pool.accelerator),
        heat_tag(HEAT_GPUS_PER_SERVER_TAG, pool.gpus_per_server),
        heat_tag(HEAT_SERVERS_TAG, pool.servers),
        *pool.tags,
    ]


def heat_parameters(
    name: str, pool: GpuPool, site: PoolSite, server_group_id: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    """The parameters of the pool's Heat template; the user data, which may carry a join token, as a secret."""
    parameters: dict[str, pulumi.Input[str]] = {
        "count": str(pool.servers),
        "name_prefix": f"{name}-gpu-{pool.name}",
        "flavor": pool.flavor,
        "image": pool.image or site.default_image,
        "key_name": site.keypair_name,
        "network": site.network_id,
        "security_groups": site.security_group_ids.apply(",".join),
        "server_group": server_group_id,
        "root_volume_gb": str(site.root_volume_gb),
    }
    if pool.user_data is not None:
        # The user data may carry a join token: the whole parameter map is a secret.
        parameters["user_data"] = pulumi.Output.secret(pool.user_data)
    return parameters


def create_pools(scope: Scope, pools: Sequence[GpuPool], site: PoolSite) -> Pools:
    """One server group and one Heat stack per pool with servers."""
    name = scope.name
    declared = Pools({}, {})
    for pool in pools:
        if pool.servers == 0:
            continue
        server_group = openstack.compute.ServerGroup(
            f"{name}-gpu-{pool.name}-sg",
            name=f"{name}-gpu-{pool.name}",
            policies=pool.server_group_policy,
            opts=scope.opts(),
        )
        stack = openstack.orchestration.StackV1(
            f"{name}-gpu-{pool.name}",
            name=f"{name}-gpu-{pool.name}",
            template_opts={"Bin": heat_server_pool_template(with_user_data=pool.user_data is not None)},
            parameters=heat_parameters(name, pool, site, server_group.id),
            disable_rollback=False,
            timeout=HEAT_TIMEOUT_MINUTES,
            tags=stack_tags(pool),
            # Read at first boot only; Heat shows a hidden parameter back as '******' besides.
            opts=scope.opts(depends_on=[site.subnet], ignore_changes=["parameters.user_data"]),
        )
        declared.server_group_ids[pool.name] = server_group.id
        declared.stack_ids[pool.name] = stack.id
    return declared
