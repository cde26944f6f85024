"""NvidiaGpuOperator: the NVIDIA GPU stack of one K3s cluster (the private core or an edge site) — the GPU Operator
from its pinned Helm chart, configured for K3s's embedded containerd and its `nvidia` RuntimeClass.

The operator runs, on every node whose PCI devices show an NVIDIA GPU (Node Feature Discovery labels them; the
operator then labels them nvidia.com/gpu.present=true and deploys its operands there): the driver (or none, when
the servers boot from an image with the driver preinstalled: `driver`), the container toolkit that registers the
`nvidia` runtime with containerd, the device plugin that advertises `nvidia.com/gpu` (one per GPU: what the pool's
aidc.io/gpus-per-node label says), GPU feature discovery and the DCGM exporter (GPU metrics on :9400, scraped by
the cluster's Prometheus, components/gpu_metrics.py). Its operands tolerate the GPU agents' taint.

K3s runs its own containerd, so the toolkit is pointed at K3s's files (pins: tests/conformance/upstream/README.md):
- K3s renders containerd's config from a template in /var/lib/rancher/k3s/agent/etc/containerd: `config.toml.tmpl`
  for containerd 1.7, `config-v3.toml.tmpl` for containerd 2.0, which K3s ships from v1.31.6+k3s1 and v1.32.2+k3s1
  (docs.k3s.io, "Configuring containerd"); the toolkit writes the template (CONTAINERD_CONFIG) starting from the
  config K3s rendered (RUNTIME_CONFIG_SOURCE=file=…/config.toml, the operator's documented config source option), so
  the template keeps K3s's own settings and adds the `nvidia` runtime; and signals K3s's containerd over its socket
  (CONTAINERD_SOCKET=/run/k3s/containerd/containerd.sock), K3s then re-renders the config.
- The runtime handler and RuntimeClass are named `nvidia` (CONTAINERD_RUNTIME_CLASS, operator.runtimeClass).
- containerd 2.0: the operator's default Container Device Interface mode (cdi.enabled), which needs no runtime
  class in workload pods (docs.rke2.io, "GPU Operators", v25.10.x).
- containerd 1.7: CDI needs containerd 2.0 there, so the toolkit makes `nvidia` the default runtime of the GPU
  nodes (NVIDIA_RUNTIME_SET_AS_DEFAULT, read before CONTAINERD_SET_AS_DEFAULT) — workload pods need no runtime
  class either — with the isolation the RKE2 guide prescribes for that mode: unprivileged pods cannot pick GPUs
  with NVIDIA_VISIBLE_DEVICES, the device plugin hands GPUs over as volume mounts.

The RuntimeClass `nvidia` (handler `nvidia`) is the operator's: it creates and reconciles it from
operator.runtimeClass. K3s ships one of the same name among its packaged runtime classes, so declaring a third
owner here would only make the first `pulumi up` race them; the program declares none. Knows nothing of demand:
the stack program says which clusters have GPU agents.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from aidc.contract import GpuDriver
from aidc.types import FrozenArgs, Slug
from components._names import release_description
from components.k3s_cluster import GPU_TAINT, K3sVersion, Taint

GPU_OPERATOR_CHART = "gpu-operator"
GPU_OPERATOR_REPO = "https://helm.ngc.nvidia.com/nvidia"
GPU_OPERATOR_VERSION = "v26.7.0"
RUNTIME_CLASS = "nvidia"
K3S_CONTAINERD_DIR = "/var/lib/rancher/k3s/agent/etc/containerd"
K3S_CONTAINERD_SOCKET = "/run/k3s/containerd/containerd.sock"
# The first K3s release of each minor line that ships containerd 2.0 (February 2025); every later minor has it.
_CONTAINERD_2_FROM = {(1, 31): (1, 31, 6), (1, 32): (1, 32, 2)}
_CONTAINERD_2_MINOR = (1, 33)
DriverSource = GpuDriver
CONTROL_PLANE_TOLERATION = {
    "key": "node-role.kubernetes.io/control-plane",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def containerd_generation(k3s_version: str) -> Literal["1.7", "2.0"]:
    """The containerd a K3s release embeds: '2.0' from v1.31.6+k3s1 / v1.32.2+k3s1 on, '1.7' before."""
    match = re.match(r"^v(\d+)\.(\d+)\.(\d+)\+k3s\d+$", k3s_version)
    if match is None:
        raise ValueError(
            f"k3s_version: must be a pinned K3s release like 'v1.31.4+k3s1', got {k3s_version!r}"
        )
    major, minor, patch = (int(part) for part in match.groups())
    if (major, minor) >= _CONTAINERD_2_MINOR:
        return "2.0"
    first = _CONTAINERD_2_FROM.get((major, minor))
    return "2.0" if first is not None and (major, minor, patch) >= first else "1.7"


def containerd_template(k3s_version: str) -> str:
    """The containerd config template K3s renders on this release (the file the toolkit writes)."""
    name = "config-v3.toml.tmpl" if containerd_generation(k3s_version) == "2.0" else "config.toml.tmpl"
    return f"{K3S_CONTAINERD_DIR}/{name}"


def taint_toleration(taint: str) -> dict[str, str]:
    """The toleration of one 'key=value:Effect' taint (operator Exists: any value of the key)."""
    key_value, _, effect = taint.rpartition(":")
    return {"key": key_value.split("=", 1)[0], "operator": "Exists", "effect": effect}


def _env(settings: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in settings.items()]


class NvidiaGpuOperatorArgs(FrozenArgs):
    """Inputs of NvidiaGpuOperator: one K3s cluster that has GPU agents."""

    cluster: Slug
    """The K3s cluster's name (labels and the release description: aidc.io/cluster=<cluster>)."""
    k3s_version: K3sVersion
    """The cluster's pinned K3s release: decides the containerd generation and so the template and CDI mode."""
    driver: DriverSource = "operator"
    """'operator' installs the NVIDIA driver as a container; 'image' expects it preinstalled in the GPU image."""
    gpu_taints: tuple[Taint, ...] = (GPU_TAINT,)
    """Taints of the GPU agents; every operand (and Node Feature Discovery's worker) tolerates them."""
    chart_version: str = GPU_OPERATOR_VERSION
    """GPU Operator chart version, pinned (the values below are checked against its values.yaml)."""
    namespace: Slug = "gpu-operator"
    """Namespace of the operator and its operands."""


def operator_values(args: NvidiaGpuOperatorArgs) -> dict[str, Any]:
    """The chart values for this cluster (module docstring: why each setting)."""
    containerd_2 = containerd_generation(args.k3s_version) == "2.0"
    tolerations = [taint_toleration(taint) for taint in args.gpu_taints]
    toolkit_env = {
        "CONTAINERD_CONFIG": containerd_template(args.k3s_version),
        "CONTAINERD_SOCKET": K3S_CONTAINERD_SOCKET,
        "RUNTIME_CONFIG_SOURCE": f"file={K3S_CONTAINERD_DIR}/config.toml",
        "CONTAINERD_RUNTIME_CLASS": RUNTIME_CLASS,
    }
    device_plugin_env: dict[str, str] = {}
    if not containerd_2:
        toolkit_env |= {
            "NVIDIA_RUNTIME_SET_AS_DEFAULT": "true",
            "ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED": "false",
            "ACCEPT_NVIDIA_VISIBLE_DEVICES_AS_VOLUME_MOUNTS": "true",
        }
        device_plugin_env["DEVICE_LIST_STRATEGY"] = "volume-mounts"
    return {
        "operator": {"runtimeClass": RUNTIME_CLASS},
        "cdi": {"enabled": containerd_2},
        "driver": {"enabled": args.driver == "operator"},
        "toolkit": {"enabled": True, "env": _env(toolkit_env)},
        "devicePlugin": {"enabled": True, "env": _env(device_plugin_env)},
        # No Prometheus operator runs here: the cluster's Prometheus scrapes the exporter's pods directly.
        "dcgmExporter": {"enabled": True, "serviceMonitor": {"enabled": False}},
        "daemonsets": {"tolerations": tolerations},
        # Node Feature Discovery finds the GPUs: its worker runs on the servers and on every tainted GPU agent.
        "node-feature-discovery": {"worker": {"tolerations": [CONTROL_PLANE_TOLERATION, *tolerations]}},
    }


class NvidiaGpuOperator(pulumi.ComponentResource):
    """The NVIDIA GPU Operator (pinned chart) on one K3s cluster, with the `nvidia` RuntimeClass it manages."""

    release_name: pulumi.Output[str | None]
    runtime_class: pulumi.Output[str]

    def __init__(
        self, name: str, args: NvidiaGpuOperatorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:k3s:NvidiaGpuOperator", name, None, opts)
        release = k8s.helm.v3.Release(
            f"{name}-chart",
            name="gpu-operator",
            chart=GPU_OPERATOR_CHART,
            version=args.chart_version,
            repository_opts={"repo": GPU_OPERATOR_REPO},
            namespace=args.namespace,
            create_namespace=True,
            description=release_description("NVIDIA GPU Operator", args.cluster),
            values=operator_values(args),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.release_name = release.name
        self.runtime_class = pulumi.Output.from_input(RUNTIME_CLASS)
        self.register_outputs({"release_name": self.release_name, "runtime_class": self.runtime_class})
