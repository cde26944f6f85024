"""What WorkloadQueues writes and validates against. The vocabulary it shares with the program and the policy pack
(labels, annotations, the classifications that get isolated namespaces, the owned locations, Pod Security levels,
the namespaces and pools a workload may not take) is aidc/contract.py's, re-exported here; Kueue's and the EFA
device plugin's own names are defined here."""

from __future__ import annotations

from aidc.contract import ACCELERATOR_LABEL as ACCELERATOR_LABEL
from aidc.contract import GPU_RESOURCE as GPU_RESOURCE
from aidc.contract import LOCATION_LABEL as LOCATION_LABEL
from aidc.contract import OWNED_LOCATIONS as OWNED_LOCATIONS
from aidc.contract import POD_SECURITY as POD_SECURITY
from aidc.contract import POD_SECURITY_ENFORCE_LABEL, PRIVATE_ONLY, WorkloadKind
from aidc.contract import RESERVED_NAMESPACES as RESERVED_NAMESPACES
from aidc.contract import RESERVED_POOLS as RESERVED_POOLS
from aidc.contract import WORKLOAD_LABEL as WORKLOAD_LABEL

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
EFA_RESOURCE = "vpc.amazonaws.com/efa"
ISOLATED_CLASSIFICATIONS = PRIVATE_ONLY
"""Classifications whose namespaces start with default-deny network policies and use owned flavors only."""


def pod_security_labels(kind: WorkloadKind) -> dict[str, str]:
    """The namespace's Pod Security admission labels: the kind's level enforced (POD_SECURITY says why), and
    `restricted` audited and warned, so a training image that can run non-root shows it. Neither level admits
    hostNetwork, hostPath or privileged."""
    return {
        POD_SECURITY_ENFORCE_LABEL: POD_SECURITY[kind],
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
