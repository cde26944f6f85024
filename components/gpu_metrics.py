"""GpuMetrics: GPU metrics of one cluster — a Prometheus from its pinned chart that scrapes the DCGM exporter, and
on clusters without the GPU Operator (EKS, whose GPU AMI brings the driver and toolkit) the DCGM exporter itself
from its pinned chart.

Footprint: the `prometheus` chart's server only (no Alertmanager, kube-state-metrics, node exporter or
Pushgateway, and none of its default scrape jobs but Prometheus itself), one scrape job for the DCGM exporter's
pods on :9400 every 15 s, 15 days of retention. The exporter labels every GPU metric with the namespace and pod
that hold the GPU (it reads the kubelet's pod-resources API), and every namespace of a GPU workload is named after
the workload (components/workload_queues/), so utilisation per workload is e.g.
`avg by (namespace) (DCGM_FI_DEV_GPU_UTIL)`; the job adds a `cluster` label. Each cluster keeps its own series: no
metric leaves the cluster (no remote write), so a confidential site's metrics stay on its own nodes.

The Prometheus operator is not installed, so the exporters' ServiceMonitors stay off and the scrape job is plain
Kubernetes pod discovery. Knows nothing of demand.
"""

from __future__ import annotations

from typing import Annotated, Any

import pulumi
import pulumi_kubernetes as k8s
import yaml
from pydantic import Field

from aidc.types import FrozenArgs, Slug
from components._args import NodeLabels
from components._names import release_description
from components.k3s_cluster import GPU_TAINT, Taint
from components.nvidia_gpu_operator import taint_toleration

PROMETHEUS_CHART = "prometheus"
PROMETHEUS_REPO = "https://prometheus-community.github.io/helm-charts"
PROMETHEUS_VERSION = "29.27.0"
DCGM_EXPORTER_CHART = "dcgm-exporter"
DCGM_EXPORTER_REPO = "https://nvidia.github.io/dcgm-exporter/helm-charts"
DCGM_EXPORTER_VERSION = "4.7.0"
DCGM_PORT = 9400
# The chart's default scrape jobs: all off but Prometheus's own (the GPU metrics are the point here).
DEFAULT_JOBS_OFF = (
    "kubernetes-api-servers",
    "kubernetes-nodes",
    "kubernetes-nodes-cadvisor",
    "kubernetes-service-endpoints",
    "kubernetes-service-endpoints-slow",
    "prometheus-pushgateway",
    "kubernetes-services",
    "kubernetes-pods",
    "kubernetes-pods-slow",
)


class GpuMetricsArgs(FrozenArgs):
    """Inputs of GpuMetrics: one cluster with GPU nodes."""

    cluster: Slug
    """The cluster's name: the `cluster` label of its series and the releases' description."""
    exporter_namespace: Slug
    """Namespace whose pods serve DCGM metrics on :9400 (the GPU Operator's, or `namespace` for the chart's)."""
    dcgm_exporter: bool = False
    """Install the DCGM exporter chart (clusters without the GPU Operator); False scrapes the operator's exporter."""
    gpu_node_labels: NodeLabels = Field(default_factory=dict)
    """Node labels the DCGM exporter chart selects GPU nodes by (with dcgm_exporter)."""
    gpu_taints: tuple[Taint, ...] = (GPU_TAINT,)
    """Taints of the GPU nodes the DCGM exporter chart tolerates (with dcgm_exporter)."""
    namespace: Slug = "monitoring"
    """Namespace of Prometheus (and of the DCGM exporter chart)."""
    server_node_selector: NodeLabels = Field(default_factory=dict)
    """Where the Prometheus server runs (e.g. EKS's system nodes); empty: any untainted node."""
    persistent: bool = True
    """Keep the series on a volume of the cluster's default StorageClass; False keeps them in an emptyDir (lost
    when the pod moves: for clusters without a default StorageClass)."""
    retention_days: Annotated[int, Field(ge=1, le=365)] = 15
    """How long series are kept."""
    volume_gb: Annotated[int, Field(ge=1)] = 20
    """Size of the series volume (with persistent)."""
    prometheus_chart_version: str = PROMETHEUS_VERSION
    """prometheus chart version, pinned."""
    dcgm_exporter_chart_version: str = DCGM_EXPORTER_VERSION
    """dcgm-exporter chart version, pinned."""


def dcgm_scrape_job(cluster: str, namespace: str) -> dict[str, Any]:
    """The scrape job for DCGM exporter pods in `namespace`: their :9400 port, the node and this cluster as labels;
    the exporter's own `namespace`/`pod` labels (the GPU's workload) are kept (honor_labels)."""
    return {
        "job_name": "dcgm-exporter",
        "scrape_interval": "15s",
        "honor_labels": True,
        "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [namespace]}}],
        "relabel_configs": [
            {
                "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                "regex": str(DCGM_PORT),
                "action": "keep",
            },
            {"source_labels": ["__meta_kubernetes_pod_node_name"], "target_label": "node"},
            {"target_label": "cluster", "replacement": cluster},
        ],
    }


def prometheus_values(args: GpuMetricsArgs) -> dict[str, Any]:
    """The prometheus chart's values: the server only, the DCGM job, retention and storage."""
    server: dict[str, Any] = {
        "retention": f"{args.retention_days}d",
        "persistentVolume": {"enabled": args.persistent, "size": f"{args.volume_gb}Gi"},
        "global": {"scrape_interval": "1m", "scrape_timeout": "10s", "evaluation_interval": "1m"},
    }
    if args.server_node_selector:
        server["nodeSelector"] = dict(args.server_node_selector)
    return {
        "alertmanager": {"enabled": False},
        "kube-state-metrics": {"enabled": False},
        "prometheus-node-exporter": {"enabled": False},
        "prometheus-pushgateway": {"enabled": False},
        "server": server,
        "scrapeConfigs": {job: {"enabled": False} for job in DEFAULT_JOBS_OFF},
        # A string (the chart's contract for extra jobs): YAML of a list of scrape configs.
        "extraScrapeConfigs": yaml.safe_dump(
            [dcgm_scrape_job(args.cluster, args.exporter_namespace)], sort_keys=False
        ),
    }


def dcgm_exporter_values(args: GpuMetricsArgs) -> dict[str, Any]:
    """The dcgm-exporter chart's values: on the GPU nodes (their labels and taints), no ServiceMonitor."""
    return {
        "serviceMonitor": {"enabled": False},
        "nodeSelector": dict(args.gpu_node_labels),
        "tolerations": [taint_toleration(taint) for taint in args.gpu_taints],
    }


class GpuMetrics(pulumi.ComponentResource):
    """Prometheus (pinned chart) scraping the DCGM exporter, and the exporter's chart where no operator runs one."""

    prometheus_release: pulumi.Output[str | None]

    def __init__(self, name: str, args: GpuMetricsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidc:metrics:GpuMetrics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.dcgm_exporter:
            k8s.helm.v3.Release(
                f"{name}-dcgm-exporter",
                name="dcgm-exporter",
                chart=DCGM_EXPORTER_CHART,
                version=args.dcgm_exporter_chart_version,
                repository_opts={"repo": DCGM_EXPORTER_REPO},
                namespace=args.namespace,
                create_namespace=True,
                description=release_description("DCGM exporter", args.cluster),
                values=dcgm_exporter_values(args),
                opts=child,
            )
        prometheus = k8s.helm.v3.Release(
            f"{name}-prometheus",
            name="prometheus",
            chart=PROMETHEUS_CHART,
            version=args.prometheus_chart_version,
            repository_opts={"repo": PROMETHEUS_REPO},
            namespace=args.namespace,
            create_namespace=True,
            description=release_description("Prometheus for GPU metrics", args.cluster),
            values=prometheus_values(args),
            opts=child,
        )
        self.prometheus_release = prometheus.name
        self.register_outputs({"prometheus_release": self.prometheus_release})
