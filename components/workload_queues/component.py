"""The WorkloadQueues ComponentResource: reads top to bottom, one call per concern (modules of this package).

Names, parents and inputs of every child are decided in the concern modules.
"""

from __future__ import annotations

import pulumi

from components._names import CLUSTER_LABEL
from components._scope import Scope
from components.workload_queues import flavors, kueue, landing_zones
from components.workload_queues.args import WorkloadQueuesArgs
from components.workload_queues.labels import LOCATION_LABEL


class WorkloadQueues(pulumi.ComponentResource):
    """Kueue (pinned chart), its flavors, and per workload a namespace, service account and queues."""

    cluster_queues: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: WorkloadQueuesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:k8s:WorkloadQueues", name, None, opts)
        scope = Scope(name=name, component=self)
        cluster_labels = {CLUSTER_LABEL: args.cluster}

        release = kueue.install_kueue(scope, args)
        site = landing_zones.QueueSite(
            cluster_labels=cluster_labels,
            kueue=release,
            flavors=flavors.create_flavors(scope, args.flavors, cluster_labels, release),
            flavor_locations={f.name: f.node_labels.get(LOCATION_LABEL, "") for f in args.flavors},
        )
        queues = {w.name: landing_zones.create_landing_zone(scope, w, site) for w in args.workloads}

        self.cluster_queues = pulumi.Output.all(**queues) if queues else pulumi.Output.from_input({})
        self.register_outputs({"cluster_queues": self.cluster_queues})
