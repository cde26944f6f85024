"""The AwsGpuCluster ComponentResource: reads top to bottom, one call per concern (modules of this package).

Order matters only through the dependencies each call receives; names, parents and inputs of every child are
decided in the concern modules.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from aidc.contract import COMPONENT_TAG
from components.aws_gpu_cluster import (
    access,
    addons,
    audit,
    bucket,
    deploy_access,
    eks,
    karpenter,
    kms,
    network,
    node_groups,
    pod_identity,
    roles,
)
from components.aws_gpu_cluster.args import AwsGpuClusterArgs
from components.aws_gpu_cluster.deploy_access import DeployAccess, KubeObject
from components.aws_gpu_cluster.scope import Scope


def cluster_access(args: AwsGpuClusterArgs) -> DeployAccess:
    """What the deploy role applies on this cluster: the component's add-ons (device plugins; Karpenter, its node
    classes and pools with GPU groups) and what the program declares there besides (`args.addon_access`)."""
    charts = {addons.NVIDIA_DEVICE_PLUGIN_CHART: args.nvidia_device_plugin_version}
    objects = list(args.addon_access.objects)
    if any(g.efa for g in args.gpu_node_groups):
        charts[addons.EFA_DEVICE_PLUGIN_CHART] = args.efa_device_plugin_version
    if args.gpu_node_groups:
        charts[karpenter.KARPENTER_CRD_CHART] = args.karpenter_version
        charts[karpenter.KARPENTER_CHART] = args.karpenter_version
        objects += [
            KubeObject(kind=kind, name=g.name)
            for g in args.gpu_node_groups
            for kind in ("EC2NodeClass", "NodePool")
        ]
    return DeployAccess(charts={**charts, **args.addon_access.charts}, objects=tuple(objects))


class AwsGpuCluster(pulumi.ComponentResource):
    """VPC, EKS cluster with a system node group and Karpenter GPU node pools, pinned managed add-ons, NVIDIA (and
    EFA) device plugins, an encrypted dataset bucket and its audit trail, and EKS Pod Identity roles that give each
    workload's pods its prefix of the bucket."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[list[str]]
    cluster_name: pulumi.Output[str]
    cluster_endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    log_bucket_name: pulumi.Output[str]
    trail_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    node_group_names: pulumi.Output[dict[str, str]]
    node_pool_names: pulumi.Output[dict[str, str]]  # Karpenter NodePool name by GPU group slug
    pod_role_arns: pulumi.Output[dict[str, str]]
    # The EKS cluster's name as the program knows it before it exists (labels, release descriptions), and the
    # kubernetes Provider of the cluster, for add-ons declared outside the component (workload queues, metrics).
    cluster_id: str
    kubernetes_provider: k8s.Provider
    # Plain lists (length known at construction) for wiring resources per item, e.g. VpnInterconnect routes.
    private_subnet_id_list: list[pulumi.Output[str]]
    private_route_table_id_list: list[pulumi.Output[str]]

    def __init__(
        self, name: str, args: AwsGpuClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:aws:AwsGpuCluster", name, None, opts)
        scope = Scope(name=name, component=self, tags={COMPONENT_TAG: name, **args.tags})
        identity = aws.get_caller_identity_output(opts=scope.invoke())
        region = aws.get_region_output(opts=scope.invoke())
        partition = aws.get_partition_output(opts=scope.invoke())

        trail_name = audit.trail_physical_name(name, args.trail_name)
        key = kms.create_key(scope, trail_name, identity.account_id, region.region, partition.partition)
        account = network.Account(identity.account_id, region.region, partition.partition)
        net = network.create_network(scope, args.vpc_cidr, args.azs, args.log_retention_days, key, account)
        iam = roles.create_roles(scope, partition.partition)
        data = bucket.create_bucket(scope, key)
        trail = audit.create_audit_trail(
            scope, key, data, trail_name, identity.account_id, region.region, partition.partition
        )
        cluster = eks.create_cluster(
            scope,
            args,
            key,
            iam.cluster_role,
            net.private_subnets,
            depends_on=[*iam.cluster_attachments, *net.nat_routes],
        )
        groups = node_groups.create_node_groups(
            scope, args, cluster, iam.node_role, iam.node_attachments, key, net.vpc, net.private_subnets
        )
        managed = addons.create_managed_addons(scope, args, cluster, groups.system)
        identities = pod_identity.create_pod_identities(
            scope,
            args.workload_identities,
            cluster,
            managed["eks-pod-identity-agent"],
            data,
            key,
            region.region,
            identity.account_id,
        )
        api_access = eks.allow_api_access(scope, cluster, args.api_access_cidrs)
        ready = [
            groups.system,
            *api_access,
            *access.grant_access(
                scope, cluster, partition.partition, args.deploy_role_arn, args.admin_role_arn
            ),
        ]
        kubeconfig = addons.cluster_kubeconfig(cluster, region.region)
        if args.deploy_role_arn is not None:
            # The deploy role's RBAC, on a Provider of its own (the admin applies it first: deploy_access.py).
            rbac = addons.kubernetes_provider(scope, kubeconfig, ready, role="k8s-access", adopt=True)
            ready += deploy_access.declare_deploy_access(scope, rbac, cluster_access(args))
        provider = addons.kubernetes_provider(scope, kubeconfig, ready)
        addons.install_device_plugin(
            scope,
            provider,
            groups.system,
            efa=any(g.efa for g in args.gpu_node_groups),
            versions=(args.nvidia_device_plugin_version, args.efa_device_plugin_version),
        )
        pools: dict[str, pulumi.Output[str]] = {}
        if args.gpu_node_groups:
            elastic = karpenter.install_karpenter(
                scope,
                args,
                cluster=cluster,
                provider=provider,
                system_group=groups.system,
                pod_identity_agent=managed["eks-pod-identity-agent"],
                key=key,
                efa_sg=groups.efa_sg,
                identity=identity.account_id,
                region=region.region,
                partition=partition.partition,
            )
            pools = elastic.pool_names

        self._publish(name, net, cluster, kubeconfig, data, trail, key, groups, pools, identities, provider)

    def _publish(
        self,
        name: str,
        net: network.Network,
        cluster: aws.eks.Cluster,
        kubeconfig: pulumi.Output[str],
        data: aws.s3.Bucket,
        trail: audit.Audit,
        key: aws.kms.Key,
        groups: node_groups.NodeGroups,
        pools: dict[str, pulumi.Output[str]],
        identities: pod_identity.PodIdentities,
        provider: k8s.Provider,
    ) -> None:
        """The component's outputs, from what the concerns declared, registered last."""
        self.vpc_id = net.vpc.id
        self.private_subnet_id_list = [s.id for s in net.private_subnets]
        self.private_route_table_id_list = [rt.id for rt in net.private_route_tables]
        self.private_subnet_ids = pulumi.Output.all(*self.private_subnet_id_list).apply(list)
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in net.public_subnets]).apply(list)
        self.private_route_table_ids = pulumi.Output.all(*self.private_route_table_id_list).apply(list)
        self.cluster_name = cluster.name
        self.cluster_endpoint = cluster.endpoint
        self.kubeconfig = kubeconfig
        self.bucket_name = data.bucket
        self.log_bucket_name = trail.log_bucket.bucket
        self.trail_arn = trail.trail.arn
        self.kms_key_arn = key.arn
        self.node_group_names = pulumi.Output.all(**groups.names)
        self.node_pool_names = pulumi.Output.all(**pools) if pools else pulumi.Output.from_input({})
        role_arns = {workload: role.arn for workload, role in identities.roles.items()}
        self.pod_role_arns = pulumi.Output.all(**role_arns) if role_arns else pulumi.Output.from_input({})
        self.cluster_id = eks.cluster_physical_name(name)
        self.kubernetes_provider = provider
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
                "private_route_table_ids": self.private_route_table_ids,
                "cluster_name": self.cluster_name,
                "cluster_endpoint": self.cluster_endpoint,
                "kubeconfig": self.kubeconfig,
                "bucket_name": self.bucket_name,
                "log_bucket_name": self.log_bucket_name,
                "trail_arn": self.trail_arn,
                "kms_key_arn": self.kms_key_arn,
                "node_group_names": self.node_group_names,
                "node_pool_names": self.node_pool_names,
                "pod_role_arns": self.pod_role_arns,
            }
        )
