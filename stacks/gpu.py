"""What every cluster with GPUs gets on top of its nodes, and the plan's facts the program writes on GPU groups.

- `planned_tags` / `planned_annotations`: a public GPU group's planned range, quota and monthly cost, and the
  workload, data class and location it serves — the tags (and, on Kubernetes objects, annotations) the policy
  pack reads back (vocabulary: aidc/contract.py).
- `ClusterGpuArgs`: one cluster's GPU Operator (K3s), metrics and Kueue landing zones, built from the plan by
  stacks/program.py (core, edge) and each public cloud's program (stacks/clouds/<cloud>.py), declared by
  `declare_gpu_addons` on the cluster's kubernetes Provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from aidc.contract import (
    ACCELERATOR_LABEL,
    BASELINE_COST_TAG,
    CLASSIFICATION_TAG,
    COST_TAG,
    LOCATION_LABEL,
    LOCATION_TAG,
    NODE_GROUP_LABEL,
    PLANNED_MAX_TAG,
    PLANNED_MIN_TAG,
    PLANNED_TAG,
    PLANNED_TAGS,
    QUOTA_TAG,
    SYSTEM_NODE_GROUP,
    WORKLOAD_TAG,
    WorkloadKind,
    annotation_of,
)
from aidc.sizing.plan import CapacityPlan, PublicGroup
from aidc.versions import chart_version
from components.gpu_metrics import GpuMetrics, GpuMetricsArgs
from components.k3s_cluster import GPU_TAINT
from components.nvidia_gpu_operator import NvidiaGpuOperator, NvidiaGpuOperatorArgs
from components.workload_queues import QueueFlavor, WorkloadQueue, WorkloadQueues, WorkloadQueuesArgs


def planned_tags(group: PublicGroup, plan: CapacityPlan) -> dict[str, str]:
    """Tags the policy pack checks: the planned range (min, max = the peak count) and quota, the monthly cost at
    peak (the ceiling rule sums these) and at baseline, the workload, its data class and place."""
    tags = {
        WORKLOAD_TAG: group.workload,
        CLASSIFICATION_TAG: group.classification,
        PLANNED_TAG: str(group.instances.int),
        LOCATION_TAG: group.location,
        COST_TAG: f"{plan.cost.group_usd_per_month[group.name].value:.2f}",
        PLANNED_MIN_TAG: str(group.range.min.int),
        PLANNED_MAX_TAG: str(group.range.max.int),
    }
    baseline = plan.cost.group_usd_per_month_baseline.get(group.name)
    if baseline is not None:
        tags[BASELINE_COST_TAG] = f"{baseline.value:.2f}"
    if group.quota is not None:
        tags[QUOTA_TAG] = str(group.quota)
    return tags


def planned_annotations(tags: dict[str, str]) -> dict[str, str]:
    """The planned tags as a Kubernetes object's annotations (a Karpenter NodePool), which the pack reads there."""
    return {annotation_of(key): value for key, value in tags.items() if key in PLANNED_TAGS}


@dataclass
class ClusterGpuArgs:
    """What one cluster with GPUs gets on top of its nodes: the GPU Operator (K3s), metrics, and the queues of the
    workloads placed there (None when none is)."""

    operator: NvidiaGpuOperatorArgs | None
    metrics: GpuMetricsArgs
    queues: WorkloadQueuesArgs | None


def queue_flavor(accelerator: str, location: str) -> QueueFlavor:
    """The GPU nodes of one accelerator at one location: what every GPU pool there is labelled and tainted with."""
    return QueueFlavor(
        name=f"{accelerator}-{location}",
        node_labels={ACCELERATOR_LABEL: accelerator, LOCATION_LABEL: location},
        node_taints=(GPU_TAINT,),
    )


def pod_gpus(plan: CapacityPlan, workload: str, kind: WorkloadKind, node_gpus: int) -> int:
    """GPUs per pod of a workload's queue: a training pod takes a whole node (the gang is whole nodes), an
    inference pod one replica (a power of two within one server or instance)."""
    if kind == "training":
        return node_gpus
    return next(w.replica.gpus.int for w in plan.inference if w.name == workload)


def landing_zones(
    cluster: str,
    flavors: dict[str, QueueFlavor],
    workloads: list[WorkloadQueue],
    on_system_nodes: bool = False,
) -> WorkloadQueuesArgs | None:
    """A cluster's landing zones (None without workloads); `on_system_nodes`: the Kueue controller runs on the
    cluster's system node group (a public cloud's managed cluster), not wherever it fits (K3s)."""
    if not workloads:
        return None
    return WorkloadQueuesArgs(
        cluster=cluster,
        kueue_version=chart_version("kueue"),
        flavors=tuple(flavors.values()),
        workloads=tuple(workloads),
        controller_node_selector={NODE_GROUP_LABEL: SYSTEM_NODE_GROUP} if on_system_nodes else {},
    )


def metrics_args(cluster: str, exporter_namespace: str, **settings: Any) -> GpuMetricsArgs:
    """A cluster's GPU metrics at the pinned Prometheus and DCGM exporter chart versions."""
    return GpuMetricsArgs(
        cluster=cluster,
        exporter_namespace=exporter_namespace,
        prometheus_chart_version=chart_version("prometheus"),
        dcgm_exporter_chart_version=chart_version("dcgm-exporter"),
        **settings,
    )


def declare_gpu_addons(prefix: str, args: ClusterGpuArgs | None, opts: pulumi.ResourceOptions) -> None:
    """One cluster's GPU Operator (K3s), metrics and queues, on the cluster's kubernetes Provider (in `opts`)."""
    if args is None:
        return
    if args.operator is not None:
        NvidiaGpuOperator(f"{prefix}-gpu-operator", args.operator, opts=opts)
    GpuMetrics(f"{prefix}-gpu-metrics", args.metrics, opts=opts)
    if args.queues is not None:
        WorkloadQueues(f"{prefix}-queues", args.queues, opts=opts)


def gpu_queue_summary(gpu_addons: dict[str, ClusterGpuArgs | None]) -> dict[str, dict[str, int]]:
    """Export: per cluster, each workload's GPU quota (its ClusterQueue's nominal nvidia.com/gpu)."""
    return {
        cluster: {w.name: w.gpus for w in addons.queues.workloads}
        for cluster, addons in gpu_addons.items()
        if addons is not None and addons.queues is not None
    }
