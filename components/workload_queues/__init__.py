"""WorkloadQueues: Kueue on one cluster and a landing zone per sized workload placed there — the sizing engine's GPU
counts as quotas the cluster enforces.

Declared on the cluster's kubernetes Provider (passed through the component's options):
- Kueue from its pinned chart (oci://registry.k8s.io/kueue/charts/kueue), configured so that
  - a job is admitted as a whole: Kueue reserves quota for every pod set of a workload at once or not at all, and
    with `waitForPodsReady` an admitted job whose pods are not all running within `pods_ready_timeout` is evicted
    and requeued (its quota released) and, with blockAdmission, nothing else is admitted meanwhile — so a training
    gang never holds part of its GPUs while waiting for the rest;
  - only the resources a ClusterQueue covers count (quotaCheckStrategy IgnoreUndeclared): GPUs and EFA devices are
    quota, CPU and memory stay the scheduler's business;
  - a job without a queue label in a workload namespace is never started (manageJobsWithoutQueueName with a
    namespace selector on the aidc.io/workload label), so a workload's GPUs are used through its queue only;
- one ResourceFlavor per accelerator and location: its node labels (aidc.io/accelerator, aidc.io/location) pick
  the GPU nodes, its nodeTaints are theirs and its tolerations are added to every admitted pod;
- per workload: a Namespace and ServiceAccount named after the workload, a ClusterQueue whose nominal
  `nvidia.com/gpu` quota (and `vpc.amazonaws.com/efa` where EFA is planned) is what placement gave the workload in
  this cluster, open to that namespace only, and a LocalQueue of the same name in it; confidential and restricted
  namespaces start with default-deny NetworkPolicies (traffic within the namespace and DNS allowed), and their
  flavors must pin an owned location (validated here, checked again by the policy pack).

Names come from workload, flavor and cluster names, never from counts. Knows nothing of demand: the stack
program hands it the plan's slice for this cluster.

One module per concern, in the order the component calls them (the way components/aws_gpu_cluster/ is split):
  labels.py         the labels, extended resources, classifications and reserved namespaces used here
  args.py           WorkloadQueuesArgs, QueueFlavor and WorkloadQueue (validated at construction)
  component.py      the WorkloadQueues class: one call per concern, outputs
  kueue.py          Kueue's Configuration, the chart's values and the pinned release
  flavors.py        one ResourceFlavor per accelerator and location (labels, taints, tolerations)
  landing_zones.py  per workload: namespace, service account, network policies, ClusterQueue, LocalQueue
A child's name, parent and inputs are a contract with live infrastructure: moving code between these modules
must not change them (compare `aidc plan --json` before and after).
"""

from components.workload_queues.args import (
    KUEUE_VERSION,
    Classification,
    Duration,
    QueueFlavor,
    WorkloadQueue,
    WorkloadQueuesArgs,
)
from components.workload_queues.component import WorkloadQueues
from components.workload_queues.flavors import flavor_spec
from components.workload_queues.kueue import KUEUE_API, KUEUE_CHART, kueue_config, kueue_values
from components.workload_queues.labels import (
    ACCELERATOR_LABEL,
    EFA_RESOURCE,
    GPU_RESOURCE,
    ISOLATED_CLASSIFICATIONS,
    LOCATION_LABEL,
    OWNED_LOCATIONS,
    POD_SECURITY,
    QUEUE_LABEL,
    RESERVED_NAMESPACES,
    RESERVED_POOLS,
    WORKLOAD_LABEL,
    pod_security_labels,
)
from components.workload_queues.landing_zones import cluster_queue_spec, network_policies, queue_annotations

__all__ = [
    "ACCELERATOR_LABEL",
    "EFA_RESOURCE",
    "GPU_RESOURCE",
    "ISOLATED_CLASSIFICATIONS",
    "KUEUE_API",
    "KUEUE_CHART",
    "KUEUE_VERSION",
    "LOCATION_LABEL",
    "OWNED_LOCATIONS",
    "POD_SECURITY",
    "QUEUE_LABEL",
    "RESERVED_NAMESPACES",
    "RESERVED_POOLS",
    "WORKLOAD_LABEL",
    "Classification",
    "Duration",
    "QueueFlavor",
    "WorkloadQueue",
    "WorkloadQueues",
    "WorkloadQueuesArgs",
    "cluster_queue_spec",
    "flavor_spec",
    "kueue_config",
    "kueue_values",
    "network_policies",
    "pod_security_labels",
    "queue_annotations",
]
