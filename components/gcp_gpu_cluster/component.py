"""The GcpGpuCluster ComponentResource: reads top to bottom, one call per concern (modules of this package).

Order matters only through the dependencies each call receives; names, parents and inputs of every child are
decided in the concern modules.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from aidc.contract import COMPONENT_TAG, cloud_label_of
from components.gcp_gpu_cluster import (
    access,
    bucket,
    gke,
    gpudirect,
    kms,
    network,
    node_pools,
    nodes_identity,
    reservations,
    workload_identity,
)
from components.gcp_gpu_cluster.args import GcpGpuClusterArgs
from components.gcp_gpu_cluster.scope import Scope


def _scope(name: str, args: GcpGpuClusterArgs, component: pulumi.ComponentResource) -> Scope:
    """The project (the Args', else the provider's) and its number, and the labels every child carries."""
    invoke = pulumi.InvokeOptions(parent=component)
    project = (
        pulumi.Output.from_input(args.project)
        if args.project is not None
        else gcp.organizations.get_client_config_output(opts=invoke).project
    )
    number = gcp.organizations.get_project_output(project_id=project, opts=invoke).number
    labels = {**args.labels, cloud_label_of(COMPONENT_TAG): name}
    return Scope(name, component, project, number, args.region, labels)


class GcpGpuCluster(pulumi.ComponentResource):
    """VPC with Cloud NAT and a Cloud Router, a private regional GKE cluster with a system pool and a GPU node pool per
    planned group (their reservations, GPUDirect-TCPXO networks where A3 Mega is planned), a rotated Cloud KMS key
    (secrets, boot disks, buckets), a CMEK datasets bucket with access and data-access audit logs, and a Google
    service account per workload bound through Workload Identity to its prefix of the bucket."""

    cluster_name: pulumi.Output[str]
    cluster_endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    log_bucket_name: pulumi.Output[str]
    kms_key_id: pulumi.Output[str]
    network_id: pulumi.Output[str]
    network_name: pulumi.Output[str]
    subnet_id: pulumi.Output[str]
    router_id: pulumi.Output[str]
    router_name: pulumi.Output[str]
    node_service_account: pulumi.Output[str]
    service_account_emails: pulumi.Output[dict[str, str]]
    node_pool_names: pulumi.Output[dict[str, str]]
    project: pulumi.Output[str]
    # The cluster's name as the program knows it before it exists, and its kubernetes Provider, for the add-ons
    # declared outside the component (workload queues, metrics).
    cluster_id: str
    kubernetes_provider: k8s.Provider

    def __init__(
        self, name: str, args: GcpGpuClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:gcp:GcpGpuCluster", name, None, opts)
        scope = _scope(name, args, self)
        key = kms.create_key(scope, args.key_rotation_days)
        net = network.create_network(scope, args)
        identity = nodes_identity.create_node_identity(scope, args.cluster_name)
        data = bucket.create_buckets(scope, key, args.log_retention_days)
        cluster = gke.create_cluster(scope, args, net, key, identity, depends_on=[*key.grants, net.nat])
        gke.export_routes_to_control_plane(scope, net, cluster)
        gke.allow_control_plane_to_webhooks(scope, args, net, identity)
        system = node_pools.create_system_pool(scope, args, cluster, identity, key)
        gpu_networks = gpudirect.create_gpu_networks(scope, args)
        security = gke.node_security(identity, key)
        pools: dict[str, pulumi.Output[str]] = {}
        for pool in args.gpu_node_pools:
            reservation = reservations.create_reservation(scope, pool)
            created = node_pools.create_gpu_pool(
                scope,
                args,
                cluster,
                pool,
                security,
                reservation=reservation.name if reservation is not None else None,
                gpu_networks=gpu_networks.attachments if gpu_networks is not None else [],
                depends_on=[system, *([reservation] if reservation is not None else [])],
            )
            pools[pool.name] = created.name
        accounts = workload_identity.create_workload_identities(
            scope, args.workload_identities, data.datasets, cluster
        )
        kubeconfig = access.cluster_kubeconfig(cluster)
        provider = access.kubernetes_provider(scope, kubeconfig, [system])
        if gpu_networks is not None:
            gpudirect.declare_device_networks(scope, args, gpu_networks, provider)

        self.cluster_name = cluster.name
        self.cluster_endpoint = cluster.endpoint
        self.kubeconfig = kubeconfig
        self.bucket_name = data.datasets.name
        self.log_bucket_name = data.logs.name
        self.kms_key_id = key.id
        self.network_id = net.network.id
        self.network_name = net.network.name
        self.subnet_id = net.subnet.id
        self.router_id = net.router.id
        self.router_name = net.router.name
        self.node_service_account = identity.account.email
        self.service_account_emails = workload_identity.workload_emails(accounts)
        self.node_pool_names = pulumi.Output.all(**pools) if pools else pulumi.Output.from_input({})
        self.project = scope.project
        self.cluster_id = args.cluster_name
        self.kubernetes_provider = provider
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "cluster_endpoint": self.cluster_endpoint,
                "kubeconfig": self.kubeconfig,
                "bucket_name": self.bucket_name,
                "log_bucket_name": self.log_bucket_name,
                "kms_key_id": self.kms_key_id,
                "network_id": self.network_id,
                "network_name": self.network_name,
                "subnet_id": self.subnet_id,
                "router_id": self.router_id,
                "router_name": self.router_name,
                "node_service_account": self.node_service_account,
                "service_account_emails": self.service_account_emails,
                "node_pool_names": self.node_pool_names,
                "project": self.project,
            }
        )
