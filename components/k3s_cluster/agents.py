"""Agent pools: per pool one soft-anti-affinity server group and one Heat stack (a ResourceGroup of `count`
servers), so the resource count follows pools, not nodes. Agents join with the secure agent token only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_openstack as openstack

from aidc.contract import HEAT_CLUSTER_TAG, HEAT_MARKER_TAG, HEAT_POOL_TAG, HEAT_SERVERS_TAG, heat_tag
from components.cloud_init import heat_server_pool_template, k3s_agent_user_data
from components.k3s_cluster.args import AgentPool, K3sClusterArgs
from components.k3s_cluster.nodes import pool_inventory_tags, pool_node_settings
from components.k3s_cluster.tokens import AGENT_USER, secure_token

# Read at first boot only; Heat shows a hidden parameter back as '******' besides.
HEAT_USER_DATA_IGNORED = "parameters.user_data"


def agent_renderer(
    version: str, labels: Mapping[str, str], taints: Sequence[str]
) -> Callable[[list[Any]], str]:
    """Binds one pool's labels and taints for the apply that renders its agents' user data from the agent
    secret, the CA hash and the registration URL."""

    def render(values: list[Any]) -> str:
        agent_secret, ca_hash, server_url = values
        return k3s_agent_user_data(
            version=version,
            token=secure_token(ca_hash, AGENT_USER, agent_secret),
            server_url=server_url,
            labels=labels,
            taints=taints,
        )

    return render


def agent_user_data(
    version: str,
    pool: AgentPool,
    agent_secret: pulumi.Output[str],
    ca_hash: pulumi.Output[str],
    url: pulumi.Output[str],
) -> pulumi.Output[str]:
    """Secret user data joining an agent of `pool` (its labels and taints) to the cluster."""
    labels, taints = pool_node_settings(pool)
    rendered = pulumi.Output.all(agent_secret, ca_hash, url).apply(agent_renderer(version, labels, taints))
    return pulumi.Output.secret(rendered)


def create_agent_pools(
    name: str,
    args: K3sClusterArgs,
    user_data_for: Callable[[AgentPool], pulumi.Output[str]],
    after: list[pulumi.Resource],
    os_child: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One Heat stack per pool with agents; returns their stack ids by pool name."""
    security_groups_csv = pulumi.Output.from_input(args.security_group_names).apply(
        lambda groups: ",".join(str(group) for group in groups)
    )
    template = heat_server_pool_template(with_user_data=True)
    stack_ids: dict[str, pulumi.Output[str]] = {}
    for pool in args.agent_pools:
        if pool.count == 0:
            continue
        pool_group = openstack.compute.ServerGroup(
            f"{name}-agents-{pool.name}-sg",
            name=f"{name}-agents-{pool.name}",
            policies="soft-anti-affinity",
            opts=os_child,
        )
        stack = openstack.orchestration.StackV1(
            f"{name}-agents-{pool.name}",
            name=f"{args.cluster_name}-agents-{pool.name}",
            template_opts={"Bin": template},
            parameters={
                "count": str(pool.count),
                "name_prefix": f"{args.cluster_name}-{pool.name}",
                "flavor": pool.flavor,
                "image": pool.image or args.image,
                "key_name": args.keypair_name,
                "network": args.network_id,
                "security_groups": security_groups_csv,
                "server_group": pool_group.id,
                "root_volume_gb": str(pool.root_volume_gb),
                "user_data": user_data_for(pool),
            },
            disable_rollback=False,
            timeout=120,
            # The parameters are secret as a whole (user data); tags keep the count visible in plans.
            tags=[
                HEAT_MARKER_TAG,
                heat_tag(HEAT_CLUSTER_TAG, args.cluster_name),
                heat_tag(HEAT_POOL_TAG, pool.name),
                heat_tag(HEAT_SERVERS_TAG, pool.count),
                *pool_inventory_tags(pool),
            ],
            opts=pulumi.ResourceOptions.merge(
                os_child, pulumi.ResourceOptions(depends_on=after, ignore_changes=[HEAT_USER_DATA_IGNORED])
            ),
        )
        stack_ids[pool.name] = stack.id
    return stack_ids
