"""Kueue itself, from its pinned chart (oci://registry.k8s.io/kueue/charts/kueue), configured so that
- a job is admitted as a whole: Kueue reserves quota for every pod set of a workload at once or not at all, and
  with `waitForPodsReady` an admitted job whose pods are not all running within `pods_ready_timeout` is evicted
  and requeued (its quota released) and, with blockAdmission, nothing else is admitted meanwhile — so a training
  gang never holds part of its GPUs while waiting for the rest;
- only the resources a ClusterQueue covers count (quotaCheckStrategy IgnoreUndeclared): GPUs and EFA devices are
  quota, CPU and memory stay the scheduler's business;
- a job without a queue label in a workload namespace is never started (manageJobsWithoutQueueName with a
  namespace selector on the aidc.io/workload label), so a workload's GPUs are used through its queue only.
"""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s
import yaml

from components._names import release_description
from components._scope import Scope
from components.workload_queues.args import WorkloadQueuesArgs
from components.workload_queues.labels import WORKLOAD_LABEL

KUEUE_CHART = "oci://registry.k8s.io/kueue/charts/kueue"
KUEUE_API = "kueue.x-k8s.io/v1beta2"
KUEUE_NAMESPACE = "kueue-system"


def kueue_config(args: WorkloadQueuesArgs) -> dict[str, Any]:
    """Kueue's Configuration (config.kueue.x-k8s.io/v1beta2): the chart's defaults plus gang admission, GPU-only
    quota and queue-label enforcement in workload namespaces (module docstring)."""
    return {
        "apiVersion": "config.kueue.x-k8s.io/v1beta2",
        "kind": "Configuration",
        "health": {"healthProbeBindAddress": ":8081"},
        "metrics": {"bindAddress": ":8443"},
        "webhook": {"port": 9443},
        "leaderElection": {"leaderElect": True, "resourceName": "c1f6bfd2.kueue.x-k8s.io"},
        "controller": {
            "groupKindConcurrency": {
                "Job.batch": 5,
                "Pod": 5,
                "Workload.kueue.x-k8s.io": 10,
                "LocalQueue.kueue.x-k8s.io": 5,
                "ClusterQueue.kueue.x-k8s.io": 5,
                "ResourceFlavor.kueue.x-k8s.io": 1,
            }
        },
        "clientConnection": {"qps": 300, "burst": 500},
        "waitForPodsReady": {
            "timeout": args.pods_ready_timeout,
            "blockAdmission": True,
            "requeuingStrategy": {
                "timestamp": "Eviction",
                "backoffBaseSeconds": 60,
                "backoffMaxSeconds": 3600,
            },
        },
        "manageJobsWithoutQueueName": True,
        "managedJobsNamespaceSelector": {"matchExpressions": [{"key": WORKLOAD_LABEL, "operator": "Exists"}]},
        "integrations": {
            "frameworks": [
                "batch/job",
                "kubeflow.org/pytorchjob",
                "jobset.x-k8s.io/jobset",
                "trainer.kubeflow.org/trainjob",
                "pod",
                "deployment",
                "statefulset",
                "leaderworkerset.x-k8s.io/leaderworkerset",
            ]
        },
        "resources": {"quotaCheckStrategy": "IgnoreUndeclared"},
    }


def kueue_values(args: WorkloadQueuesArgs) -> dict[str, Any]:
    """The Kueue chart's values: its Configuration as the YAML string the chart expects."""
    values: dict[str, Any] = {
        "managerConfig": {"controllerManagerConfigYaml": yaml.safe_dump(kueue_config(args), sort_keys=False)}
    }
    if args.controller_node_selector:
        values["controllerManager"] = {"nodeSelector": dict(args.controller_node_selector)}
    return values


def install_kueue(scope: Scope, args: WorkloadQueuesArgs) -> k8s.helm.v3.Release:
    """The pinned Kueue chart in its own namespace, its release description naming the cluster."""
    return k8s.helm.v3.Release(
        f"{scope.name}-kueue",
        name="kueue",
        chart=KUEUE_CHART,
        version=args.kueue_version,
        namespace=KUEUE_NAMESPACE,
        create_namespace=True,
        description=release_description("Kueue", args.cluster),
        values=kueue_values(args),
        opts=scope.opts(),
    )
