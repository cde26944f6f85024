"""The vocabulary WorkloadQueues writes and validates against: labels, extended resources, the classifications
that get isolated namespaces, the owned locations, and the namespaces a workload may not take. The policy pack
reads the same strings back (schedulability, isolation)."""

from __future__ import annotations

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
GPU_RESOURCE = "nvidia.com/gpu"
EFA_RESOURCE = "vpc.amazonaws.com/efa"
WORKLOAD_LABEL = "aidc.io/workload"
LOCATION_LABEL = "aidc.io/location"
ACCELERATOR_LABEL = "aidc.io/accelerator"
ISOLATED_CLASSIFICATIONS = frozenset({"confidential", "restricted"})
OWNED_LOCATIONS = frozenset({"private", "edge"})
# Namespaces the clusters already use: a workload may not take their names.
RESERVED_NAMESPACES = frozenset(
    {"default", "kube-system", "kube-public", "kube-node-lease", "kueue-system", "gpu-operator", "monitoring"}
)
