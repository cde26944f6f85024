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
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

import pulumi
import pulumi_kubernetes as k8s
import yaml
from pydantic import Field, model_validator

from aidc.types import RESERVED_NAMESPACES, RESERVED_POOLS, FrozenArgs, Slug, field_error
from components._args import NodeLabels, first_repeat, matching
from components._names import CLUSTER_LABEL, release_description
from components.k3s_cluster import Taint

KUEUE_CHART = "oci://registry.k8s.io/kueue/charts/kueue"
KUEUE_VERSION = "0.19.2"
KUEUE_API = "kueue.x-k8s.io/v1beta2"
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
Classification = Literal["public", "internal", "confidential", "restricted"]
Duration = Annotated[str, matching(r"^\d+(s|m|h)$", "a duration such as '10m'")]
"""A Kubernetes duration in seconds, minutes or hours."""


def _taint_parts(taint: str) -> dict[str, str]:
    key_value, _, effect = taint.rpartition(":")
    key, _, value = key_value.partition("=")
    parts = {"key": key, "effect": effect}
    if value:
        parts["value"] = value
    return parts


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
    kind: Literal["training", "inference"]
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


def flavor_spec(flavor: QueueFlavor) -> dict[str, Any]:
    """ResourceFlavor spec: node labels, the nodes' taints, and the tolerations Kueue adds to admitted pods."""
    spec: dict[str, Any] = {"nodeLabels": dict(flavor.node_labels)}
    if flavor.node_taints:
        spec["nodeTaints"] = [_taint_parts(taint) for taint in flavor.node_taints]
        spec["tolerations"] = [
            {"key": _taint_parts(taint)["key"], "operator": "Exists", "effect": _taint_parts(taint)["effect"]}
            for taint in flavor.node_taints
        ]
    return spec


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
    return {"aidc.io/pod-gpus": str(workload.pod_gpus), "aidc.io/planned-gpus": str(workload.gpus)}


def pod_security_labels(kind: str) -> dict[str, str]:
    """The namespace's Pod Security admission labels (POD_SECURITY says why each level)."""
    return {
        "pod-security.kubernetes.io/enforce": POD_SECURITY[kind],
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }


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


class WorkloadQueues(pulumi.ComponentResource):
    """Kueue (pinned chart), its flavors, and per workload a namespace, service account and queues."""

    cluster_queues: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: WorkloadQueuesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:k8s:WorkloadQueues", name, None, opts)
        cluster_label = {CLUSTER_LABEL: args.cluster}
        kueue = k8s.helm.v3.Release(
            f"{name}-kueue",
            name="kueue",
            chart=KUEUE_CHART,
            version=args.kueue_version,
            namespace="kueue-system",
            create_namespace=True,
            description=release_description("Kueue", args.cluster),
            values=kueue_values(args),
            opts=pulumi.ResourceOptions(parent=self),
        )
        after_kueue = pulumi.ResourceOptions(parent=self, depends_on=[kueue])
        flavors = {
            flavor.name: k8s.apiextensions.CustomResource(
                f"{name}-flavor-{flavor.name}",
                api_version=KUEUE_API,
                kind="ResourceFlavor",
                metadata={"name": flavor.name, "labels": cluster_label},
                spec=flavor_spec(flavor),
                opts=after_kueue,
            )
            for flavor in args.flavors
        }
        flavor_location = {f.name: f.node_labels.get(LOCATION_LABEL, "") for f in args.flavors}
        queues: dict[str, pulumi.Output[str]] = {}
        for workload in args.workloads:
            labels: dict[str, str] = {
                **cluster_label,
                WORKLOAD_LABEL: workload.name,
                "aidc.io/kind": workload.kind,
                "aidc.io/classification": workload.classification,
            }
            namespace = k8s.core.v1.Namespace(
                f"{name}-{workload.name}-ns",
                metadata={"name": workload.name, "labels": {**labels, **pod_security_labels(workload.kind)}},
                opts=pulumi.ResourceOptions(parent=self),
            )
            in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
            k8s.core.v1.ServiceAccount(
                f"{name}-{workload.name}-sa",
                metadata={
                    "name": workload.name,
                    "namespace": workload.name,
                    "labels": labels,
                    "annotations": dict(workload.service_account_annotations),
                },
                opts=in_namespace,
            )
            if workload.classification in ISOLATED_CLASSIFICATIONS:
                for policy, spec in network_policies(workload.name).items():
                    # Keyword dict: mypy cannot match nested dict literals to the SDK's TypedDicts.
                    policy_args: dict[str, Any] = {
                        "metadata": {"name": policy, "namespace": workload.name, "labels": labels},
                        "spec": spec,
                    }
                    k8s.networking.v1.NetworkPolicy(
                        f"{name}-{workload.name}-{policy}", **policy_args, opts=in_namespace
                    )
            cluster_queue = k8s.apiextensions.CustomResource(
                f"{name}-{workload.name}-cq",
                api_version=KUEUE_API,
                kind="ClusterQueue",
                metadata={
                    "name": workload.name,
                    "labels": {**labels, LOCATION_LABEL: flavor_location[workload.flavor]},
                    "annotations": queue_annotations(workload),
                },
                spec=cluster_queue_spec(workload),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[kueue, flavors[workload.flavor]]),
            )
            k8s.apiextensions.CustomResource(
                f"{name}-{workload.name}-lq",
                api_version=KUEUE_API,
                kind="LocalQueue",
                metadata={"name": workload.name, "namespace": workload.name, "labels": labels},
                spec={"clusterQueue": workload.name},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace, cluster_queue]),
            )
            queues[workload.name] = cluster_queue.id
        self.cluster_queues = pulumi.Output.all(**queues) if queues else pulumi.Output.from_input({})
        self.register_outputs({"cluster_queues": self.cluster_queues})
