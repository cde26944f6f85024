"""What K3s nodes register with: the labels and taints of an agent pool, the servers' taint, and the Heat tags that
declare a pool's inventory to the policy pack (the user data that carries them is secret)."""

from __future__ import annotations

from aidc.contract import ACCELERATOR_LABEL as ACCELERATOR_LABEL
from aidc.contract import (
    EFA_LABEL,
    GPU_RESOURCE,
    HEAT_ACCELERATOR_TAG,
    HEAT_GPUS_PER_SERVER_TAG,
    HEAT_NODE_LABEL_PREFIX,
    HEAT_NODE_TAINT_PREFIX,
    K3S_SERVER_TAINT,
    LOCATION_LABEL,
    heat_tag,
)
from aidc.contract import GPUS_PER_NODE_LABEL as GPUS_PER_NODE_LABEL
from aidc.contract import POOL_LABEL as POOL_LABEL
from components.k3s_cluster.args import AgentPool

GPU_TAINT = f"{GPU_RESOURCE}=present:NoSchedule"
SERVER_TAINT = K3S_SERVER_TAINT  # keeps all but critical add-ons off the servers
# A GPU agent's GPUS_PER_NODE_LABEL is what its device plugin will advertise as nvidia.com/gpu, so the policy pack's
# schedulability check can count a pool's GPUs from its declaration.
# The node labels a GPU pool's Heat tags declare: what Kueue flavors select on and what counts its GPUs. Other
# labels stay out (a workload name of 63 characters would not fit Heat's 80-character tag).
INVENTORY_LABELS = (ACCELERATOR_LABEL, GPUS_PER_NODE_LABEL, LOCATION_LABEL, EFA_LABEL)


def pool_node_settings(pool: AgentPool) -> tuple[dict[str, str], list[str]]:
    """The node labels and taints an agent of `pool` registers with (GPU label and taint included)."""
    labels = {POOL_LABEL: pool.name, **pool.labels}
    taints = list(pool.taints)
    if pool.gpu and pool.accelerator:
        labels[ACCELERATOR_LABEL] = pool.accelerator
        if pool.gpus_per_node is not None:
            labels[GPUS_PER_NODE_LABEL] = str(pool.gpus_per_node)
        if GPU_TAINT not in taints:
            taints.append(GPU_TAINT)
    return labels, taints


def pool_node_tags(pool: AgentPool) -> list[str]:
    """Heat stack tags saying what the pool's agents register with — 'node-label:<key>=<value>' for the inventory
    labels and 'node-taint:<taint>' — since the user data that carries them is secret (Heat tags: strings without
    commas)."""
    labels, taints = pool_node_settings(pool)
    return [
        *(
            HEAT_NODE_LABEL_PREFIX + heat_tag(key, value)
            for key, value in sorted(labels.items())
            if key in INVENTORY_LABELS
        ),
        *(HEAT_NODE_TAINT_PREFIX + taint for taint in sorted(taints)),
    ]


def pool_inventory_tags(pool: AgentPool) -> list[str]:
    """Heat stack tags that declare a GPU pool's inventory to the policy pack: accelerator, GPUs per server and the
    node labels and taints (pool_node_tags). Empty for a pool without GPUs."""
    if not pool.gpu:
        return []
    return [
        heat_tag(HEAT_ACCELERATOR_TAG, pool.accelerator),
        heat_tag(HEAT_GPUS_PER_SERVER_TAG, pool.gpus_per_node),
        *pool_node_tags(pool),
    ]
