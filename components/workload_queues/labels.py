"""The vocabulary WorkloadQueues writes and validates against: labels, extended resources, the classifications
that get isolated namespaces, the owned locations, and the namespaces a workload may not take. The policy pack
reads the same strings back (schedulability, isolation)."""

from __future__ import annotations

# The namespaces and node pools the clusters already use, which a workload may not take: one list (aidc/types.py),
# which config validates against too.
from aidc.types import RESERVED_NAMESPACES as RESERVED_NAMESPACES
from aidc.types import RESERVED_POOLS as RESERVED_POOLS

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
GPU_RESOURCE = "nvidia.com/gpu"
EFA_RESOURCE = "vpc.amazonaws.com/efa"
WORKLOAD_LABEL = "aidc.io/workload"
LOCATION_LABEL = "aidc.io/location"
ACCELERATOR_LABEL = "aidc.io/accelerator"
ISOLATED_CLASSIFICATIONS = frozenset({"confidential", "restricted"})
OWNED_LOCATIONS = frozenset({"private", "edge"})
# Pod Security (pod-security.kubernetes.io labels) of a workload's namespace: `restricted` enforced for serving
# (vLLM, TGI and Triton run as non-root without added capabilities); `baseline` for training, because the NGC
# PyTorch images a gang runs start as root (restricted requires runAsNonRoot), with `restricted` still audited and
# warned so a training image that can run non-root shows it. Neither level admits hostNetwork, hostPath or privileged.
POD_SECURITY = {"training": "baseline", "inference": "restricted"}


def pod_security_labels(kind: str) -> dict[str, str]:
    """The namespace's Pod Security admission labels (POD_SECURITY says why each level)."""
    return {
        "pod-security.kubernetes.io/enforce": POD_SECURITY[kind],
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
