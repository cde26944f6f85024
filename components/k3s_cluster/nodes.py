"""What K3s nodes register with: the labels and taints of an agent pool, the servers' taint, and the Heat tags that
declare a pool's inventory to the policy pack (the user data that carries them is secret)."""

from __future__ import annotations

from components.k3s_cluster.args import AgentPool

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
# K3s docs ("High Availability Embedded etcd", dedicated server nodes): servers tainted so only critical add-ons,
# which tolerate CriticalAddonsOnly, run there; NoExecute also evicts anything scheduled before the taint.
SERVER_TAINT = "CriticalAddonsOnly=true:NoExecute"
ACCELERATOR_LABEL = "aidc.io/accelerator"
POOL_LABEL = "aidc.io/pool"
# The GPUs each agent of a GPU pool carries: what its device plugin will advertise as nvidia.com/gpu, so the
# policy pack's schedulability check can count a pool's GPUs from its declaration.
GPUS_PER_NODE_LABEL = "aidc.io/gpus-per-node"
# The node labels a GPU pool's Heat tags declare: what Kueue flavors select on and what counts its GPUs. Other
# labels stay out (a workload name of 63 characters would not fit Heat's 80-character tag).
INVENTORY_LABELS = (ACCELERATOR_LABEL, GPUS_PER_NODE_LABEL, "aidc.io/location", "aidc.io/efa")


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
        *(f"node-label:{key}={value}" for key, value in sorted(labels.items()) if key in INVENTORY_LABELS),
        *(f"node-taint:{taint}" for taint in sorted(taints)),
    ]


def pool_inventory_tags(pool: AgentPool) -> list[str]:
    """Heat stack tags that declare a GPU pool's inventory to the policy pack: accelerator, GPUs per server and the
    node labels and taints (pool_node_tags). Empty for a pool without GPUs."""
    if not pool.gpu:
        return []
    return [f"accelerator={pool.accelerator}", f"gpus-per-server={pool.gpus_per_node}", *pool_node_tags(pool)]
