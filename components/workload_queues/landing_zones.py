"""Per workload, its landing zone in the cluster: a Namespace and ServiceAccount named after the workload, a
ClusterQueue whose nominal `nvidia.com/gpu` quota (and `vpc.amazonaws.com/efa` where EFA is planned) is what
placement gave the workload in this cluster, open to that namespace only, and a LocalQueue of the same name in it;
confidential and restricted namespaces start with default-deny NetworkPolicies (traffic within the namespace and
DNS allowed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aidc.contract import CLASSIFICATION_LABEL, KIND_LABEL, PLANNED_GPUS_ANNOTATION, POD_GPUS_ANNOTATION
from components._scope import Scope
from components.workload_queues.args import WorkloadQueue
from components.workload_queues.kueue import KUEUE_API
from components.workload_queues.labels import (
    EFA_RESOURCE,
    GPU_RESOURCE,
    ISOLATED_CLASSIFICATIONS,
    LOCATION_LABEL,
    WORKLOAD_LABEL,
    pod_security_labels,
)


def cluster_queue_spec(workload: WorkloadQueue) -> dict[str, Any]:
    """ClusterQueue spec: the workload's quota in its flavor, for its namespace only."""
    resources: list[dict[str, Any]] = [{"name": GPU_RESOURCE, "nominalQuota": workload.gpus}]
    covered = [GPU_RESOURCE]
    if workload.efa:
        resources.append({"name": EFA_RESOURCE, "nominalQuota": workload.efa})
        covered.append(EFA_RESOURCE)
    return {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": workload.name}},
        "queueingStrategy": "BestEffortFIFO",
        "resourceGroups": [
            {"coveredResources": covered, "flavors": [{"name": workload.flavor, "resources": resources}]}
        ],
        "preemption": {"withinClusterQueue": "LowerPriority"},
    }


def queue_annotations(workload: WorkloadQueue) -> dict[str, str]:
    """What the policy pack's schedulability check reads besides the quota: the shape of a pod."""
    return {POD_GPUS_ANNOTATION: str(workload.pod_gpus), PLANNED_GPUS_ANNOTATION: str(workload.gpus)}


def network_policies(namespace: str) -> dict[str, dict[str, Any]]:
    """Default deny for a confidential namespace: nothing in or out, except within the namespace (a training gang
    talks to itself) and DNS to the cluster's resolver."""
    return {
        "default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        "allow-same-namespace": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
            "egress": [{"to": [{"podSelector": {}}]}],
        },
        "allow-dns": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }
            ],
        },
    }


def workload_labels(cluster_labels: Mapping[str, str], workload: WorkloadQueue) -> dict[str, str]:
    """The labels of every object of the workload's landing zone."""
    return {
        **cluster_labels,
        WORKLOAD_LABEL: workload.name,
        KIND_LABEL: workload.kind,
        CLASSIFICATION_LABEL: workload.classification,
    }


@dataclass(frozen=True)
class QueueSite:
    """What every landing zone of the cluster refers to."""

    cluster_labels: Mapping[str, str]
    """The cluster label every object carries."""
    kueue: pulumi.Resource
    """The Kueue release (its CRDs and webhooks)."""
    flavors: Mapping[str, pulumi.Resource]
    """ResourceFlavors by name."""
    flavor_locations: Mapping[str, str]
    """Each flavor's aidc.io/location label ('' when it has none)."""


def create_landing_zone(scope: Scope, workload: WorkloadQueue, site: QueueSite) -> pulumi.Output[str]:
    """Namespace, service account, network policies where isolated, ClusterQueue and LocalQueue; the
    ClusterQueue's id."""
    name, ns = scope.name, workload.name
    labels = workload_labels(site.cluster_labels, workload)
    namespace = k8s.core.v1.Namespace(
        f"{name}-{ns}-ns",
        metadata={"name": ns, "labels": {**labels, **pod_security_labels(workload.kind)}},
        opts=scope.opts(),
    )
    in_namespace = scope.opts(depends_on=[namespace])
    k8s.core.v1.ServiceAccount(
        f"{name}-{ns}-sa",
        metadata={
            "name": ns,
            "namespace": ns,
            "labels": labels,
            "annotations": dict(workload.service_account_annotations),
        },
        opts=in_namespace,
    )
    if workload.classification in ISOLATED_CLASSIFICATIONS:
        for policy, spec in network_policies(ns).items():
            # Keyword dict: mypy cannot match nested dict literals to the SDK's TypedDicts.
            policy_args: dict[str, Any] = {
                "metadata": {"name": policy, "namespace": ns, "labels": labels},
                "spec": spec,
            }
            k8s.networking.v1.NetworkPolicy(f"{name}-{ns}-{policy}", **policy_args, opts=in_namespace)
    cluster_queue = k8s.apiextensions.CustomResource(
        f"{name}-{ns}-cq",
        api_version=KUEUE_API,
        kind="ClusterQueue",
        metadata={
            "name": ns,
            "labels": {**labels, LOCATION_LABEL: site.flavor_locations[workload.flavor]},
            "annotations": queue_annotations(workload),
        },
        spec=cluster_queue_spec(workload),
        opts=scope.opts(depends_on=[site.kueue, site.flavors[workload.flavor]]),
    )
    k8s.apiextensions.CustomResource(
        f"{name}-{ns}-lq",
        api_version=KUEUE_API,
        kind="LocalQueue",
        metadata={"name": ns, "namespace": ns, "labels": labels},
        spec={"clusterQueue": ns},
        opts=scope.opts(depends_on=[namespace, cluster_queue]),
    )
    return cluster_queue.id
