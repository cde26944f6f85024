"""WorkloadQueuesArgs, QueueFlavor and WorkloadQueue: the plan's slice for one cluster, validated at construction
(a bad value names its field before any child exists)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from aidc.contract import Classification, WorkloadKind
from aidc.types import FrozenArgs, Slug, field_error
from components._args import NodeLabels, first_repeat, matching
from components.k3s_cluster import Taint
from components.workload_queues.labels import (
    ISOLATED_CLASSIFICATIONS,
    LOCATION_LABEL,
    OWNED_LOCATIONS,
    RESERVED_NAMESPACES,
    RESERVED_POOLS,
)

KUEUE_VERSION = "0.19.2"
Duration = Annotated[str, matching(r"^\d+(s|m|h)$", "a duration such as '10m'")]
"""A Kubernetes duration in seconds, minutes or hours."""


class QueueFlavor(FrozenArgs):
    """One ResourceFlavor: the GPU nodes of one accelerator at one location."""

    name: Slug
    """Flavor name, e.g. 'h100-80gb-private' (from accelerator and location, never a count)."""
    node_labels: NodeLabels
    """Labels every node of the flavor carries (Kueue adds them as node selectors to admitted pods)."""
    node_taints: tuple[Taint, ...] = ()
    """Taints of the flavor's nodes; admitted pods tolerate them (the flavor's tolerations)."""

    @model_validator(mode="after")
    def _labels_pick_nodes(self) -> Self:
        if not self.node_labels:
            raise field_error("node_labels", "at least one label, or the flavor would match every node")
        return self


class WorkloadQueue(FrozenArgs):
    """One sized workload's landing zone in this cluster."""

    name: Slug
    """The workload's name: namespace, service account, ClusterQueue and LocalQueue are named after it."""
    kind: WorkloadKind
    """Training runs are admitted as one gang; inference replicas one by one."""
    classification: Classification
    """Data class: confidential and restricted get default-deny network policies and owned flavors only."""
    flavor: Slug
    """The QueueFlavor its GPUs come from."""
    gpus: Annotated[int, Field(ge=1)]
    """Nominal nvidia.com/gpu quota: what placement gave the workload in this cluster."""
    pod_gpus: Annotated[int, Field(ge=1)]
    """GPUs per pod: a training pod's node (the gang's shape) or an inference replica's size."""
    efa: Annotated[int, Field(ge=0)] = 0
    """Nominal vpc.amazonaws.com/efa quota (EFA devices); 0 when no EFA is planned."""
    service_account_annotations: dict[str, str] = Field(default_factory=dict)
    """Annotations of the workload's service account (EKS Pod Identity needs none: it matches by name)."""

    @model_validator(mode="after")
    def _quota_in_whole_pods(self) -> Self:
        if self.name in RESERVED_NAMESPACES | RESERVED_POOLS:
            raise field_error(
                "name",
                f"{self.name!r} is a namespace or node pool the cluster already uses "
                f"({', '.join(sorted(RESERVED_NAMESPACES | RESERVED_POOLS))}); rename the workload",
            )
        if self.gpus % self.pod_gpus:
            raise field_error(
                "gpus",
                f"{self.gpus} GPUs are not whole pods of {self.pod_gpus}: placement gives whole replicas",
            )
        return self


class WorkloadQueuesArgs(FrozenArgs):
    """Inputs of WorkloadQueues: Kueue and the landing zones of one cluster."""

    cluster: Slug
    """The cluster's name (label aidc.io/cluster on every object, the release description)."""
    flavors: tuple[QueueFlavor, ...]
    """The GPU flavors of this cluster (one per accelerator and location)."""
    workloads: tuple[WorkloadQueue, ...]
    """The workloads placed in this cluster."""
    kueue_version: Annotated[str, matching(r"^\d+\.\d+\.\d+$", "a chart version such as '0.19.2'")] = (
        KUEUE_VERSION
    )
    """Kueue chart version, pinned (the objects below follow its CRDs)."""
    pods_ready_timeout: Duration = "10m"
    """How long an admitted job may wait for all its pods to run before Kueue evicts and requeues it."""
    controller_node_selector: NodeLabels = Field(default_factory=dict)
    """Where Kueue's controller runs (e.g. EKS's system nodes); empty: any untainted node."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        flavors = {flavor.name: flavor for flavor in self.flavors}
        for field, names in (
            ("flavors", [f.name for f in self.flavors]),
            ("workloads", [w.name for w in self.workloads]),
        ):
            index = first_repeat(names)
            if index is not None:
                raise field_error(
                    f"{field}[{index}].name", f"{names[index]!r} is used twice; names must be unique"
                )
        for index, workload in enumerate(self.workloads):
            flavor = flavors.get(workload.flavor)
            if flavor is None:
                raise field_error(
                    f"workloads[{index}].flavor", f"{workload.flavor!r} is not one of {sorted(flavors)}"
                )
            location = flavor.node_labels.get(LOCATION_LABEL)
            if workload.classification in ISOLATED_CLASSIFICATIONS and location not in OWNED_LOCATIONS:
                raise field_error(
                    f"workloads[{index}].flavor",
                    f"{workload.classification} workload {workload.name} may only use a flavor pinned to "
                    f"{LOCATION_LABEL} in {sorted(OWNED_LOCATIONS)}, {flavor.name} has {location!r}",
                )
        return self
