"""Schedulability: every GPU the plan sized is one a pod can actually get, through the queue its workload owns.

One stack rule over the declared inventory, grouped by cluster (the `aidc.io/cluster` label, or for Helm
releases, which carry no labels, `aidc.io/cluster=<name>` in their description; Heat stacks: the `cluster=` tag):
- GPU pools: the Heat stacks of owned GPU servers (tags `cluster=`, `servers=`, `gpus-per-server=`,
  `node-label:<k>=<v>`, `node-taint:<taint>`: components/k3s_cluster.py and openstack_private_cloud/servers.py) and
  Karpenter NodePools (template labels and taints; nodes at most the `nvidia.com/gpu` limit over
  `aidc.io/gpus-per-instance`; EFA devices per node from `aidc.io/efa-interfaces`) and GKE node pools (their
  nodeConfig: node labels, taints in GKE's spelling, guest accelerators' count; nodes at most the autoscaling
  total maximum, else the per-zone maximum or count times the pool's zones). GKE runs the NVIDIA device plugin
  itself on GPU nodes, tolerating every taint; it advertises GPUs only where GKE installs the driver, so a GKE
  pool needs `gpu_driver_installation_config` with DEFAULT, LATEST or SPECIFIC on each accelerator;
- device plugins: the NVIDIA device plugin chart, the GPU Operator chart (its device plugin unless disabled) and
  the EFA device plugin chart, with the tolerations each gives its DaemonSet;
- Kueue ResourceFlavors (node labels, node taints, tolerations) and ClusterQueues (nominal quota per flavor,
  `aidc.io/pod-gpus`: the GPUs one pod of the workload asks for).

A violation, with the numbers: a GPU pool in a cluster without a device plugin (no node would advertise
`nvidia.com/gpu`), a GKE pool whose driver GKE does not install, an EFA pool without the EFA device plugin, a pool taint the device plugin or the flavor does
not tolerate, a queue naming a flavor that does not exist or matches no GPU node, a pod larger than the largest
node of its flavor, and quotas (one queue's or all queues' of a flavor together) larger than the GPUs or EFA
devices of the flavor's nodes. Reads only what the program declares; imports nothing of aidc.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs, StackValidationPolicy

from aidc.contract import (
    CLUSTER_LABEL,
    EFA_INTERFACES_LABEL,
    EFA_LABEL,
    GPU_RESOURCE,
    GPUS_PER_INSTANCE_LABEL,
    HEAT_CLUSTER_TAG,
    HEAT_GPUS_PER_SERVER_TAG,
    HEAT_NODE_LABEL_PREFIX,
    HEAT_NODE_TAINT_PREFIX,
    HEAT_SERVERS_TAG,
    POD_GPUS_ANNOTATION,
)
from policies._common import MANDATORY, as_list, get, is_mapping, resources_of, truthy

HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
# GKE's taint effects (container.v1 NodeTaint.effect) as Kubernetes spells them.
GKE_EFFECTS = {
    "NO_SCHEDULE": "NoSchedule",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
    "NO_EXECUTE": "NoExecute",
}
# gpu_driver_installation_config values with which GKE installs a driver (container.v1 GPUDriverInstallationConfig;
# GPU_DRIVER_VERSION_UNSPECIFIED installs none before GKE 1.30.1-gke.1156000, so it does not count).
GKE_DRIVER_INSTALLED = frozenset({"DEFAULT", "LATEST", "SPECIFIC"})
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
KUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:"
RESOURCE_FLAVOR = f"{KUEUE}ResourceFlavor"
CLUSTER_QUEUE = f"{KUEUE}ClusterQueue"
GPU = GPU_RESOURCE
EFA = "vpc.amazonaws.com/efa"
# Charts whose DaemonSet advertises a device resource; the tolerations path in their values.
NVIDIA_PLUGIN_CHARTS = {
    "nvidia-device-plugin": ("tolerations",),
    "gpu-operator": ("daemonsets", "tolerations"),
}
EFA_PLUGIN_CHARTS = {"aws-efa-k8s-device-plugin": ("tolerations",)}


@dataclass
class Pool:
    name: str
    nodes: int
    gpus_per_node: int
    efa_per_node: int
    labels: dict[str, str]
    taints: list[dict[str, str]]
    efa: bool = False
    managed_plugin: bool = False  # GKE: its own device plugin, tolerating every taint
    driver: bool = True  # GKE: the driver is installed by GKE


@dataclass
class Plugin:
    name: str
    tolerations: list[Any]


@dataclass
class Cluster:
    pools: list[Pool] = field(default_factory=list)
    gpu_plugins: list[Plugin] = field(default_factory=list)
    efa_plugins: list[Plugin] = field(default_factory=list)
    flavors: dict[str, Any] = field(default_factory=dict)
    queues: list[Any] = field(default_factory=list)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def parse_taint(text: str) -> dict[str, str]:
    """'key=value:Effect' (or 'key:Effect') as a Kubernetes taint."""
    key_value, _, effect = text.rpartition(":")
    key, _, value = key_value.partition("=")
    return {"key": key, "value": value, "effect": effect}


def tolerates(toleration: Any, taint: dict[str, str]) -> bool:
    """Kubernetes' rule: the key matches (an empty key with Exists matches every key), the effect matches (empty:
    every effect), and Exists or an equal value."""
    if not is_mapping(toleration):
        return False
    key = str(get(toleration, "key", default=""))
    operator = str(get(toleration, "operator", default="Equal"))
    effect = str(get(toleration, "effect", default=""))
    if effect and effect != taint["effect"]:
        return False
    if not key:
        return operator == "Exists"
    if key != taint["key"]:
        return False
    return operator == "Exists" or str(get(toleration, "value", default="")) == taint.get("value", "")


def _untolerated(taints: Iterable[dict[str, str]], tolerations: Iterable[Any]) -> list[str]:
    listed = list(tolerations)
    return [
        f"{t['key']}{'=' + t['value'] if t.get('value') else ''}:{t['effect']}"
        for t in taints
        if t["effect"] in ("NoSchedule", "NoExecute") and not any(tolerates(x, t) for x in listed)
    ]


def _release_cluster(release: Any) -> str | None:
    description = get(release.props, "description", default="")
    if not isinstance(description, str):
        return None
    for part in description.split(";"):
        key, _, value = part.strip().partition("=")
        if key == CLUSTER_LABEL and value:
            return value
    return None


def _heat_pool(stack: Any) -> tuple[str, Pool] | None:
    tags = [t for t in as_list(get(stack.props, "tags")) if isinstance(t, str)]
    prefixes = (HEAT_NODE_LABEL_PREFIX, HEAT_NODE_TAINT_PREFIX)
    plain = dict(t.split("=", 1) for t in tags if "=" in t and not t.startswith(prefixes))
    if HEAT_CLUSTER_TAG not in plain or HEAT_GPUS_PER_SERVER_TAG not in plain:
        return None
    labels = dict(
        t.removeprefix(HEAT_NODE_LABEL_PREFIX).split("=", 1)
        for t in tags
        if t.startswith(HEAT_NODE_LABEL_PREFIX) and "=" in t
    )
    taints = [
        parse_taint(t.removeprefix(HEAT_NODE_TAINT_PREFIX))
        for t in tags
        if t.startswith(HEAT_NODE_TAINT_PREFIX)
    ]
    pool = Pool(
        stack.name,
        _int(plain.get(HEAT_SERVERS_TAG)),
        _int(plain[HEAT_GPUS_PER_SERVER_TAG]),
        0,
        labels,
        taints,
        EFA_LABEL in labels,
    )
    return plain[HEAT_CLUSTER_TAG], pool


def _node_pool(resource: Any) -> tuple[str, Pool] | None:
    cluster = get(resource.props, "metadata", "labels", CLUSTER_LABEL)
    template = get(resource.props, "spec", "template", default={})
    labels = {str(k): str(v) for k, v in (get(template, "metadata", "labels", default={}) or {}).items()}
    gpus_per_node = _int(labels.get(GPUS_PER_INSTANCE_LABEL))
    if not cluster or gpus_per_node <= 0:
        return None
    limit = _int(get(resource.props, "spec", "limits", GPU), default=0)
    taints = [
        {
            "key": str(get(t, "key", default="")),
            "value": str(get(t, "value", default="")),
            "effect": str(get(t, "effect", default="")),
        }
        for t in as_list(get(template, "spec", "taints"))
        if is_mapping(t)
    ]
    pool = Pool(
        resource.name,
        limit // gpus_per_node,
        gpus_per_node,
        _int(labels.get(EFA_INTERFACES_LABEL)),
        labels,
        taints,
        labels.get(EFA_LABEL) == "true",
    )
    return str(cluster), pool


def _gke_nodes(props: Any) -> int:
    """The most nodes a GKE pool may run: its total maximum, else per-zone maximum or count times its zones."""
    zones = max(1, len(as_list(get(props, "nodeLocations"))))
    total = _int(get(props, "autoscaling", "totalMaxNodeCount"))
    if total:
        return total
    per_zone = _int(get(props, "autoscaling", "maxNodeCount")) or _int(get(props, "nodeCount"))
    return per_zone * zones


def _gke_pool(resource: Any) -> tuple[str, Pool] | None:
    config = get(resource.props, "nodeConfig", default={}) or {}
    labels = {str(k): str(v) for k, v in (get(config, "labels", default={}) or {}).items()}
    accelerators = [a for a in as_list(get(config, "guestAccelerators")) if is_mapping(a)]
    gpus_per_node = sum(_int(get(a, "count")) for a in accelerators)
    cluster = labels.get(CLUSTER_LABEL)
    if not cluster or gpus_per_node <= 0:
        return None
    taints = [
        {
            "key": str(get(t, "key", default="")),
            "value": str(get(t, "value", default="")),
            "effect": GKE_EFFECTS.get(str(get(t, "effect", default="")), str(get(t, "effect", default=""))),
        }
        for t in as_list(get(config, "taints"))
        if is_mapping(t)
    ]
    driver = all(
        str(get(a, "gpuDriverInstallationConfig", "gpuDriverVersion", default="")) in GKE_DRIVER_INSTALLED
        for a in accelerators
    )
    pool = Pool(
        str(get(resource.props, "name", default=resource.name)),
        _gke_nodes(resource.props),
        gpus_per_node,
        0,
        labels,
        taints,
        managed_plugin=True,
        driver=driver,
    )
    return cluster, pool


def inventory(resources: list[Any]) -> dict[str, Cluster]:
    """The GPU inventory of the stack, by cluster."""
    clusters: dict[str, Cluster] = defaultdict(Cluster)
    for stack in resources_of(resources, HEAT_STACK):
        found = _heat_pool(stack)
        if found:
            clusters[found[0]].pools.append(found[1])
    for resource in resources_of(resources, NODE_POOL):
        found = _node_pool(resource)
        if found:
            clusters[found[0]].pools.append(found[1])
    for resource in resources_of(resources, GKE_NODE_POOL):
        found = _gke_pool(resource)
        if found:
            clusters[found[0]].pools.append(found[1])
    for release in resources_of(resources, HELM_RELEASE):
        cluster = _release_cluster(release)
        chart = str(get(release.props, "chart", default=""))
        values = get(release.props, "values", default={})
        if cluster is None:
            continue
        if chart in NVIDIA_PLUGIN_CHARTS:
            enabled = chart != "gpu-operator" or truthy(get(values, "devicePlugin", "enabled", default=True))
            if enabled:
                tolerations = as_list(get(values, *NVIDIA_PLUGIN_CHARTS[chart]))
                clusters[cluster].gpu_plugins.append(Plugin(release.name, tolerations))
        elif chart in EFA_PLUGIN_CHARTS:
            tolerations = as_list(get(values, *EFA_PLUGIN_CHARTS[chart]))
            clusters[cluster].efa_plugins.append(Plugin(release.name, tolerations))
    for flavor in resources_of(resources, RESOURCE_FLAVOR):
        cluster = get(flavor.props, "metadata", "labels", CLUSTER_LABEL)
        name = get(flavor.props, "metadata", "name")
        if cluster and name:
            clusters[str(cluster)].flavors[str(name)] = flavor
    for queue in resources_of(resources, CLUSTER_QUEUE):
        cluster = get(queue.props, "metadata", "labels", CLUSTER_LABEL)
        if cluster:
            clusters[str(cluster)].queues.append(queue)
    return dict(clusters)


def _matches(flavor: Any, pool: Pool) -> bool:
    wanted = get(flavor.props, "spec", "nodeLabels", default={}) or {}
    return all(pool.labels.get(str(k)) == str(v) for k, v in wanted.items())


def _quotas(queue: Any) -> dict[str, dict[str, int]]:
    """flavor -> resource -> nominal quota of one ClusterQueue."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for group in as_list(get(queue.props, "spec", "resourceGroups")):
        for flavor in as_list(get(group, "flavors")):
            for resource in as_list(get(flavor, "resources")):
                found[str(get(flavor, "name"))][str(get(resource, "name"))] = _int(
                    get(resource, "nominalQuota")
                )
    return found


def _pool_problems(name: str, cluster: Cluster) -> list[str]:
    problems: list[str] = []
    for pool in cluster.pools:
        shape = f"GPU pool {pool.name} ({pool.nodes} nodes x {pool.gpus_per_node} GPUs) in cluster {name}"
        if pool.managed_plugin:
            if not pool.driver:
                problems.append(
                    f"{shape}: GKE installs no NVIDIA driver on it (gpu_driver_installation_config is not DEFAULT, "
                    f"LATEST or SPECIFIC), so GKE's device plugin advertises none of its "
                    f"{pool.nodes * pool.gpus_per_node} GPUs"
                )
            continue
        if not cluster.gpu_plugins:
            problems.append(
                f"{shape}: no NVIDIA device plugin runs in the cluster, so no node advertises {GPU} and its "
                f"{pool.nodes * pool.gpus_per_node} GPUs cannot be scheduled"
            )
        for plugin in cluster.gpu_plugins:
            missing = _untolerated(pool.taints, plugin.tolerations)
            if missing:
                problems.append(f"{shape}: taint {', '.join(missing)} has no toleration in {plugin.name}")
        if pool.efa:
            if not cluster.efa_plugins:
                problems.append(
                    f"{shape}: EFA pool ({pool.efa_per_node} EFA devices per node) without the EFA device plugin, "
                    f"so pods cannot request {EFA}"
                )
            for plugin in cluster.efa_plugins:
                missing = _untolerated(pool.taints, plugin.tolerations)
                if missing:
                    problems.append(f"{shape}: taint {', '.join(missing)} has no toleration in {plugin.name}")
    return problems


def _queue_problems(name: str, cluster: Cluster) -> list[str]:
    problems: list[str] = []
    promised: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for queue in cluster.queues:
        queue_name = str(get(queue.props, "metadata", "name", default=queue.name))
        pod_gpus = _int(get(queue.props, "metadata", "annotations", POD_GPUS_ANNOTATION), default=1)
        for flavor_name, quotas in _quotas(queue).items():
            flavor = cluster.flavors.get(flavor_name)
            if flavor is None:
                problems.append(
                    f"queue {queue_name} in cluster {name}: flavor {flavor_name} is not declared there "
                    f"(flavors: {sorted(cluster.flavors) or 'none'})"
                )
                continue
            nodes = [p for p in cluster.pools if _matches(flavor, p)]
            if not nodes:
                problems.append(
                    f"queue {queue_name} in cluster {name}: flavor {flavor_name} matches no GPU node "
                    f"(node labels {dict(get(flavor.props, 'spec', 'nodeLabels', default={}) or {})})"
                )
                continue
            largest = max(p.gpus_per_node for p in nodes)
            if quotas.get(GPU, 0) and pod_gpus > largest:
                problems.append(
                    f"queue {queue_name} in cluster {name}: a pod asks for {pod_gpus} GPUs, the largest node of "
                    f"flavor {flavor_name} has {largest}"
                )
            for resource, quota in quotas.items():
                promised[(flavor_name, resource)].append((queue_name, quota))
    for (flavor_name, resource), shares in sorted(promised.items()):
        flavor = cluster.flavors[flavor_name]
        nodes = [p for p in cluster.pools if _matches(flavor, p)]
        per_node = {GPU: lambda p: p.gpus_per_node, EFA: lambda p: p.efa_per_node}.get(resource)
        if per_node is None or not nodes:
            continue
        held = sum(p.nodes * per_node(p) for p in nodes)
        breakdown = " + ".join(f"{p.nodes} nodes x {per_node(p)}" for p in nodes)
        total = sum(quota for _, quota in shares)
        for queue_name, quota in shares:
            if quota > held:
                problems.append(
                    f"queue {queue_name} in cluster {name} is bigger than its nodes: {quota} {resource} of flavor "
                    f"{flavor_name}, whose nodes hold {held} ({breakdown})"
                )
        if len(shares) > 1 and total > held:
            listed = ", ".join(f"{q}: {n}" for q, n in shares)
            problems.append(
                f"flavor {flavor_name} in cluster {name} is promised {total} {resource} by its queues ({listed}); "
                f"its nodes hold {held} ({breakdown})"
            )
    for flavor_name, flavor in sorted(cluster.flavors.items()):
        for pool in (p for p in cluster.pools if _matches(flavor, p)):
            missing = _untolerated(pool.taints, as_list(get(flavor.props, "spec", "tolerations")))
            if missing:
                problems.append(
                    f"flavor {flavor_name} in cluster {name}: taint {', '.join(missing)} of pool {pool.name} has no "
                    "toleration, so admitted pods never land on its nodes"
                )
    return problems


def _validate(args: StackValidationArgs, report: ReportViolation) -> None:
    for name, cluster in sorted(inventory(list(args.resources)).items()):
        for problem in _pool_problems(name, cluster) + _queue_problems(name, cluster):
            report(problem, None)


gpu_schedulability = StackValidationPolicy(
    name="gpu-schedulability",
    description="Every GPU pool runs a device plugin that tolerates its taints (EFA pools the EFA plugin too; GKE "
    "pools get GKE's own with the driver GKE installs), and "
    "every Kueue queue fits the nodes of its flavor: pods within one node, quotas within the flavor's GPUs and EFA.",
    enforcement_level=MANDATORY,
    validate=_validate,
)

POLICIES = [gpu_schedulability]
"""This module's rules, in the order the pack registers them."""
