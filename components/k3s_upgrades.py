"""K3sUpgrades: in-place K3s upgrades for one cluster — system-upgrade-controller and its two Plans.

How K3s documents automated upgrades (docs.k3s.io, "Automated Upgrades"): install the system-upgrade-controller
(its release's crd.yaml and system-upgrade-controller.yaml, pinned here to one release) and give it a Plan for
the servers and one for the agents; the agents' Plan waits (`prepare: [prepare, <server plan>]`) until the
servers run the new release, and each Plan upgrades one node at a time (cordoned, then uncordoned) with the
rancher/k3s-upgrade image at the Plan's `version`. Changing the version is then an update of two custom
resources: no server is replaced and no user data changes (components/k3s_cluster.py).

The agents' Plan tolerates the GPU taint, so GPU agents are upgraded too. The caller passes the cluster's
kubernetes Provider in the component's ResourceOptions (built from K3sCluster.kubeconfig, so everything here
waits for the cluster's readiness gate); children inherit it through `parent`.
"""

from __future__ import annotations

from typing import Annotated, Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from aidc.contract import GPU_RESOURCE
from aidc.types import FrozenArgs
from components._args import matching
from components.cloud_init import K3S_VERSION_PATTERN

SUC_VERSION = "v0.14.2"
SUC_RELEASES = "https://github.com/rancher/system-upgrade-controller/releases/download"
SUC_NAMESPACE = "system-upgrade"
SUC_SERVICE_ACCOUNT = "system-upgrade"
UPGRADE_IMAGE = "rancher/k3s-upgrade"
SERVER_PLAN = "server-plan"
AGENT_PLAN = "agent-plan"
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"


class K3sUpgradesArgs(FrozenArgs):
    """Inputs of K3sUpgrades."""

    version: Annotated[str, matching(K3S_VERSION_PATTERN, "a pinned K3s release like 'v1.31.4+k3s1'")]
    """The K3s release every node of the cluster is moved to (K3sCluster.version)."""
    tolerations: tuple[dict[str, str], ...] = (
        {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"},
    )
    """Taints of agent pools the agents' Plan must tolerate to reach every node."""
    concurrency: Annotated[int, Field(ge=1)] = 1
    """Nodes upgraded at once per Plan."""
    controller_version: Annotated[
        str, matching(r"^v[0-9]+\.[0-9]+\.[0-9]+$", "a release tag like 'v0.14.2'")
    ] = SUC_VERSION
    """system-upgrade-controller release whose manifests are applied (the program passes aidc/versions.py's)."""


def plan_specs(args: K3sUpgradesArgs) -> dict[str, dict[str, Any]]:
    """The servers' and agents' Plan specs (docs.k3s.io Automated Upgrades, with the version pinned)."""
    common: dict[str, Any] = {
        "concurrency": args.concurrency,
        "cordon": True,
        "serviceAccountName": SUC_SERVICE_ACCOUNT,
        "upgrade": {"image": UPGRADE_IMAGE},
        "version": args.version,
    }
    return {
        SERVER_PLAN: {
            **common,
            "nodeSelector": {
                "matchExpressions": [{"key": CONTROL_PLANE_LABEL, "operator": "In", "values": ["true"]}]
            },
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        },
        AGENT_PLAN: {
            **common,
            "nodeSelector": {"matchExpressions": [{"key": CONTROL_PLANE_LABEL, "operator": "DoesNotExist"}]},
            "prepare": {"image": UPGRADE_IMAGE, "args": ["prepare", SERVER_PLAN]},
            "tolerations": [dict(t) for t in args.tolerations],
        },
    }


class K3sUpgrades(pulumi.ComponentResource):
    """system-upgrade-controller (pinned release manifests) and the cluster's server and agent Plans."""

    plan_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: K3sUpgradesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidc:k3s:K3sUpgrades", name, None, opts)
        release = f"{SUC_RELEASES}/{args.controller_version}"
        crds = k8s.yaml.v2.ConfigFile(
            f"{name}-crd", file=f"{release}/crd.yaml", opts=pulumi.ResourceOptions(parent=self)
        )
        controller = k8s.yaml.v2.ConfigFile(
            f"{name}-controller",
            file=f"{release}/system-upgrade-controller.yaml",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[crds]),
        )
        plans = [
            k8s.apiextensions.CustomResource(
                f"{name}-{plan}",
                api_version="upgrade.cattle.io/v1",
                kind="Plan",
                metadata={"name": plan, "namespace": SUC_NAMESPACE},
                spec=spec,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[crds, controller]),
            )
            for plan, spec in plan_specs(args).items()
        ]
        self.plan_names = pulumi.Output.all(*[plan.id for plan in plans]).apply(
            lambda _: list(plan_specs(args))
        )
        self.register_outputs({"plan_names": self.plan_names})
