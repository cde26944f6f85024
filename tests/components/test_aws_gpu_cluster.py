"""Resource tests for AwsGpuCluster under AidcMocks: scaling, capacity, taints, EFA, IMDSv2, encryption, IAM, names."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from aidc.mocks import AidcMocks
from components.aws_gpu_cluster import (
    EKS_LOG_TYPES,
    NVIDIA_DEVICE_PLUGIN_VERSION,
    AwsGpuCluster,
    AwsGpuClusterArgs,
    GpuNodeGroup,
    WorkloadIdentity,
)
from tests.components.args_helpers import assert_refused, changed, data

H100 = GpuNodeGroup(
    name="h100",
    instance_type="p5.48xlarge",
    desired=4,
    min_size=2,
    max_size=8,
    efa=True,
    efa_interfaces=32,
    vcpus_per_instance=192,
)
L4 = GpuNodeGroup(
    name="l4",
    instance_type="g6.12xlarge",
    desired=3,
    min_size=0,
    max_size=6,
    spot=True,
    gpus_per_instance=4,
    accelerator="l4-24gb",
    labels={"team": "inference"},
)
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
HELM = "kubernetes:helm.sh/v3:Release"
ZONE = "topology.kubernetes.io/zone"
# Expected minimal managed policies: what EKS documents for the cluster role and managed node groups.
CLUSTER_POLICY_ARNS = {"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"}
NODE_POLICY_ARNS = {
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
}


def _args(**overrides: Any) -> AwsGpuClusterArgs:
    base: dict[str, Any] = {"azs": ("us-east-1a", "us-east-1b", "us-east-1c"), "gpu_node_groups": (H100, L4)}
    base.update(overrides)
    return AwsGpuClusterArgs(**base)


def _build(args: AwsGpuClusterArgs) -> dict[str, Any]:
    """Declare the cluster, wait for every registration, and return its resolved outputs."""
    resolved: dict[str, Any] = {}
    holder: dict[str, AwsGpuCluster] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        cluster = AwsGpuCluster("gpu", args)
        holder["cluster"] = cluster
        return pulumi.Output.all(
            cluster.vpc_id,
            cluster.kms_key_arn,
            cluster.cluster_endpoint,
            cluster.kubeconfig,
            cluster.node_group_names,
            cluster.bucket_name,
            cluster.private_route_table_ids,
            cluster.log_bucket_name,
            cluster.trail_arn,
        ).apply(
            lambda v: resolved.update(
                vpc_id=v[0],
                kms_key_arn=v[1],
                endpoint=v[2],
                kubeconfig=v[3],
                node_group_names=v[4],
                bucket=v[5],
                private_route_table_ids=v[6],
                log_bucket=v[7],
                trail_arn=v[8],
            )
        )

    run()
    resolved["cluster"] = holder["cluster"]
    return resolved


def _of_type(mocks: AidcMocks, token: str) -> dict[str, pulumi.runtime.MockResourceArgs]:
    return {r.name: r for r in mocks.registered if r.typ == token}


def _one(mocks: AidcMocks, token: str) -> pulumi.runtime.MockResourceArgs:
    found = list(_of_type(mocks, token).values())
    assert len(found) == 1, f"expected one {token}, got {[r.name for r in found]}"
    return found[0]


def _pools(mocks: AidcMocks) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in mocks.registered if r.typ == NODE_POOL}


def _classes(mocks: AidcMocks) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in mocks.registered if r.typ == NODE_CLASS}


def test_gpu_groups_are_karpenter_node_pools_limited_by_their_max(mocks: AidcMocks) -> None:
    _build(_args())
    # GPU capacity is Karpenter's: the only managed node group left is the system group.
    assert set(_of_type(mocks, NODE_GROUP)) == {"gpu-ng-system"}
    assert _of_type(mocks, NODE_GROUP)["gpu-ng-system"].inputs["capacityType"] == "ON_DEMAND"
    pools = _pools(mocks)
    assert set(pools) == {"gpu-np-h100", "gpu-np-l4"}
    for planned in (H100, L4):
        pool = pools[f"gpu-np-{planned.name}"]
        assert pool["metadata"]["name"] == planned.name
        spec = pool["spec"]
        assert spec["limits"]["nvidia.com/gpu"] == str(planned.max_size * planned.gpus_per_instance)
        requirements = {r["key"]: r["values"] for r in spec["template"]["spec"]["requirements"]}
        assert requirements["node.kubernetes.io/instance-type"] == [planned.instance_type]
        assert requirements["karpenter.sh/capacity-type"] == (["spot"] if planned.spot else ["on-demand"])
        assert spec["template"]["spec"]["nodeClassRef"] == {
            "group": "karpenter.k8s.aws",
            "kind": "EC2NodeClass",
            "name": planned.name,
        }
        assert spec["disruption"]["consolidationPolicy"] == "WhenEmptyOrUnderutilized"
    # CPU limits follow the vCPUs the Args give; none given leaves CPU unlimited.
    assert pools["gpu-np-h100"]["spec"]["limits"]["cpu"] == str(H100.max_size * 192)
    assert "cpu" not in pools["gpu-np-l4"]["spec"]["limits"]


def test_gpu_pools_have_the_gpu_taint_and_labels(mocks: AidcMocks) -> None:
    _build(_args())
    for planned in (H100, L4):
        template = _pools(mocks)[f"gpu-np-{planned.name}"]["spec"]["template"]
        assert template["spec"]["taints"] == [
            {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
        ]
        labels = template["metadata"]["labels"]
        assert labels["nvidia.com/gpu.present"] == "true"
        assert labels["aidc.io/accelerator"] == planned.accelerator
        assert labels["aidc.io/gpus-per-instance"] == str(planned.gpus_per_instance)
        assert labels["aidc.io/capacity"] == ("spot" if planned.spot else "on-demand")
        for key, value in planned.labels.items():
            assert labels[key] == value, planned.name
    assert not _of_type(mocks, NODE_GROUP)["gpu-ng-system"].inputs.get("taints")


def test_efa_pools_get_placement_group_efa_interfaces_and_one_zone(mocks: AidcMocks) -> None:
    _build(_args())
    placement_groups = _of_type(mocks, "aws:ec2/placementGroup:PlacementGroup")
    assert set(placement_groups) == {"gpu-pg-h100"}
    assert placement_groups["gpu-pg-h100"].inputs["strategy"] == "cluster"
    efa = _classes(mocks)["gpu-nc-h100"]["spec"]
    interfaces = efa["networkInterfaces"]
    assert interfaces[0] == {"networkCardIndex": 0, "deviceIndex": 0, "interfaceType": "interface"}
    efa_only = [i for i in interfaces if i["interfaceType"] == "efa-only"]
    assert sorted(i["networkCardIndex"] for i in efa_only) == list(range(H100.efa_interfaces))
    assert efa["placementGroupSelector"]["name"].startswith("gpu-pg-h100")
    # The EFA pool's nodes join the EFA security group (by id) beside the discovered cluster group.
    assert next(t["id"] for t in efa["securityGroupSelectorTerms"] if "id" in t).startswith("sg-")
    l4 = _classes(mocks)["gpu-nc-l4"]["spec"]
    assert "networkInterfaces" not in l4 and "placementGroupSelector" not in l4
    # The EFA pool stays in its placement group's zone; the others may use every private subnet's.
    zones = {
        name: [r["values"] for r in pool["spec"]["template"]["spec"]["requirements"] if r["key"] == ZONE]
        for name, pool in _pools(mocks).items()
    }
    assert zones == {"gpu-np-h100": [["us-east-1a"]], "gpu-np-l4": []}


def test_nodes_require_imdsv2_and_encrypt_their_root_volume_with_the_key(mocks: AidcMocks) -> None:
    out = _build(_args())
    (template,) = _of_type(mocks, LAUNCH_TEMPLATE).values()
    assert template.name == "gpu-lt-system"
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert template.inputs["blockDeviceMappings"][0]["ebs"]["kmsKeyId"] == out["kms_key_arn"]
    for name, node_class in _classes(mocks).items():
        spec = node_class["spec"]
        assert spec["metadataOptions"]["httpTokens"] == "required", name
        assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1, name
        (mapping,) = spec["blockDeviceMappings"]
        assert mapping["ebs"]["encrypted"] is True, name
        assert mapping["ebs"]["volumeType"] == "gp3", name
        assert mapping["ebs"]["kmsKeyID"] == out["kms_key_arn"], name
        assert spec["amiSelectorTerms"] == [{"alias": "al2023@v20260724"}], name
        # Subnets and security groups by the discovery tag, which the private subnets and the cluster SG carry.
        assert spec["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "gpu-eks"}}], name
        assert {"tags": {"karpenter.sh/discovery": "gpu-eks"}} in spec["securityGroupSelectorTerms"], name
    private = [s for n, s in _of_type(mocks, "aws:ec2/subnet:Subnet").items() if "-private-" in n]
    assert all(s.inputs["tags"]["karpenter.sh/discovery"] == "gpu-eks" for s in private)
    (sg_tag,) = _of_type(mocks, "aws:ec2/tag:Tag").values()
    assert (sg_tag.inputs["key"], sg_tag.inputs["value"]) == ("karpenter.sh/discovery", "gpu-eks")


@pytest.mark.parametrize("role", ["data", "logs"])
def test_bucket_is_sse_kms_with_component_key_versioned_and_private(mocks: AidcMocks, role: str) -> None:
    """The dataset bucket and the audit log bucket alike."""
    out = _build(_args())
    sse = _of_type(
        mocks, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )[f"gpu-{role}-sse"]
    (rule,) = sse.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": out["kms_key_arn"],
    }
    assert sse.inputs["bucket"] == (out["bucket"] if role == "data" else out["log_bucket"])
    versioning = _of_type(mocks, "aws:s3/bucketVersioning:BucketVersioning")[f"gpu-{role}-versioning"]
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    block = _of_type(mocks, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[
        f"gpu-{role}-public-access"
    ]
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[flag] is True, flag
    ownership = _of_type(mocks, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")[
        f"gpu-{role}-ownership"
    ]
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    policy_name = "gpu-data-tls-only" if role == "data" else "gpu-logs-policy"
    policy = json.loads(_of_type(mocks, "aws:s3/bucketPolicy:BucketPolicy")[policy_name].inputs["policy"])
    assert policy["Statement"][-1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["Statement"][-1]["Effect"] == "Deny"
    key = _one(mocks, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True


def test_eks_encrypts_secrets_keeps_endpoint_private_and_logs_everything(mocks: AidcMocks) -> None:
    out = _build(_args())
    cluster = _one(mocks, "aws:eks/cluster:Cluster")
    assert cluster.inputs["encryptionConfig"] == {
        "provider": {"keyArn": out["kms_key_arn"]},
        "resources": ["secrets"],
    }
    vpc_config = cluster.inputs["vpcConfig"]
    assert vpc_config["endpointPrivateAccess"] is True
    assert vpc_config["endpointPublicAccess"] is False
    assert not vpc_config.get("publicAccessCidrs")
    assert sorted(cluster.inputs["enabledClusterLogTypes"]) == sorted(EKS_LOG_TYPES)
    assert set(EKS_LOG_TYPES) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    flow_log = _one(mocks, "aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["vpcId"] == out["vpc_id"]


def test_public_endpoint_only_to_given_cidrs(mocks: AidcMocks) -> None:
    _build(_args(endpoint_public_access=True, public_access_cidrs=("198.51.100.0/24",)))
    vpc_config = _one(mocks, "aws:eks/cluster:Cluster").inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["198.51.100.0/24"]


def test_iam_attachments_are_the_minimal_managed_policies(mocks: AidcMocks) -> None:
    _build(_args())
    roles = _of_type(mocks, "aws:iam/role:Role")
    by_role: dict[str, set[str]] = {}
    for attachment in _of_type(mocks, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").values():
        by_role.setdefault(attachment.inputs["role"], set()).add(attachment.inputs["policyArn"])
    cluster_role = next(r for n, r in roles.items() if n == "gpu-cluster-role")
    node_role = next(r for n, r in roles.items() if n == "gpu-node-role")
    cluster_role_name = f"gpu-cluster-role-{_hex_role('gpu-cluster-role')}"
    node_role_name = f"gpu-node-role-{_hex_role('gpu-node-role')}"
    karpenter_node_role = f"gpu-karpenter-node-role-{_hex_role('gpu-karpenter-node-role')}"
    assert by_role == {
        cluster_role_name: CLUSTER_POLICY_ARNS,
        node_role_name: NODE_POLICY_ARNS,
        karpenter_node_role: NODE_POLICY_ARNS,
    }
    assert "eks.amazonaws.com" in cluster_role.inputs["assumeRolePolicy"]
    assert "ec2.amazonaws.com" in node_role.inputs["assumeRolePolicy"]
    # Nodes have no inline policy at all: no bucket, no key (pods use Pod Identity).
    inline = _of_type(mocks, "aws:iam/rolePolicy:RolePolicy")
    node_roles = ("gpu-node-role", "gpu-karpenter-node-role")
    assert not any(policy.inputs["role"].startswith(node_roles) for policy in inline.values()), inline


def _hex_role(name: str) -> str:
    from aidc.mocks import stable_hex

    return stable_hex("aws:iam/role:Role", name)[:7]


def test_vpc_spans_azs_with_private_and_public_subnets_and_nat(mocks: AidcMocks) -> None:
    _build(_args())
    subnets = _of_type(mocks, "aws:ec2/subnet:Subnet")
    assert set(subnets) == {f"gpu-{kind}-us-east-1{z}" for kind in ("private", "public") for z in "abc"}
    cidrs = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in subnets.values()]
    assert all(c.subnet_of(ipaddress.ip_network("10.40.0.0/16")) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets.values())
    assert len(_of_type(mocks, "aws:ec2/natGateway:NatGateway")) == 3


def test_device_plugin_chart_is_pinned_and_uses_the_cluster_provider(mocks: AidcMocks) -> None:
    _build(_args())
    (release,) = [r for r in _of_type(mocks, HELM).values() if r.inputs["chart"] == "nvidia-device-plugin"]
    assert release.inputs["chart"] == "nvidia-device-plugin"
    assert release.inputs["version"] == NVIDIA_DEVICE_PLUGIN_VERSION
    assert release.provider and "::gpu-k8s::" in release.provider
    provider = _one(mocks, "pulumi:providers:kubernetes")
    # The provider receives the kubeconfig as a secret (engine wire form) built from the cluster's endpoint.
    kubeconfig = provider.inputs["kubeconfig"]
    assert kubeconfig[rpc._special_sig_key] == rpc._special_secret_sig
    assert "gr7.us-east-1.eks.amazonaws.com" in kubeconfig["value"]


def test_kubeconfig_is_secret_and_points_at_the_endpoint(mocks: AidcMocks) -> None:
    out = _build(_args())
    assert asyncio.get_event_loop().run_until_complete(out["cluster"].kubeconfig.is_secret())
    config = json.loads(out["kubeconfig"])
    assert config["clusters"][0]["cluster"]["server"] == out["endpoint"]
    assert config["users"][0]["user"]["exec"]["args"][:2] == ["eks", "get-token"]


def test_doubling_desired_sizes_keeps_resource_names(mocks: AidcMocks) -> None:
    _build(_args())
    before = {(r.typ, r.name) for r in mocks.registered}
    mocks.registered.clear()
    doubled = tuple(changed(g, desired=2 * g.desired, max_size=2 * g.max_size) for g in (H100, L4))
    _build(_args(gpu_node_groups=doubled, system_nodes=4))
    after = {(r.typ, r.name) for r in mocks.registered}
    assert before == after
    limit = _pools(mocks)["gpu-np-h100"]["spec"]["limits"]["nvidia.com/gpu"]
    assert limit == str(2 * H100.max_size * H100.gpus_per_instance)


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"azs": ("us-east-1a",)}, "azs", "at least two"),
        ({"azs": ("us-east-1a", "us-east-1a")}, "azs", "distinct"),
        ({"azs": ("us-east-1a", "use1-az1")}, "azs[1]", "us-east-1a"),
        ({"azs": "us-east-1a"}, "azs", "must be a list"),
        ({"vpc_cidr": "10.0.0.0/8"}, "vpc_cidr", "/16../22"),
        ({"vpc_cidr": "not-a-cidr"}, "vpc_cidr", "not a CIDR"),
        ({"vpc_cidr": "10.40.0.1/16"}, "vpc_cidr", "not a CIDR"),
        ({"eks_version": "latest"}, "eks_version", "'1.28'..'1.39'"),
        ({"system_instance_type": ""}, "system_instance_type", "EC2 instance type"),
        ({"system_nodes": 0}, "system_nodes", "greater than or equal to 1"),
        ({"node_volume_gb": 19}, "node_volume_gb", "greater than or equal to 20"),
        ({"endpoint_public_access": True}, "public_access_cidrs", "required when endpoint_public_access"),
        (
            {"endpoint_public_access": True, "public_access_cidrs": ("0.0.0.0/0",)},
            "public_access_cidrs[0]",
            "whole internet",
        ),
        (
            {"endpoint_public_access": True, "public_access_cidrs": "198.51.100.0/24"},
            "public_access_cidrs",
            "must be a list",
        ),
        ({"public_access_cidrs": ("198.51.100.0/24",)}, "public_access_cidrs", "only allowed"),
        ({"gpu_node_groups": (data(L4, desired=9),)}, "gpu_node_groups[0].desired", "min_size <= desired"),
        ({"gpu_node_groups": (data(L4, name="L4 GPUs"),)}, "gpu_node_groups[0].name", "lower-case letters"),
        ({"gpu_node_groups": (L4, L4)}, "gpu_node_groups[1].name", "must be unique"),
        ({"gpu_node_groups": (data(L4, name="system"),)}, "gpu_node_groups[0].name", "not 'system'"),
        (
            {"gpu_node_groups": (data(L4, max_size=0, desired=0),)},
            "gpu_node_groups[0].max_size",
            "greater than or equal to 1",
        ),
        (
            {"gpu_node_groups": (data(L4, instance_type="p5"),)},
            "gpu_node_groups[0].instance_type",
            "p5.48xlarge",
        ),
        (
            {"gpu_node_groups": (data(L4, gpus_per_instance=0),)},
            "gpu_node_groups[0].gpus_per_instance",
            "greater than or equal to 1",
        ),
        (
            {"gpu_node_groups": (data(H100, efa_interfaces=33),)},
            "gpu_node_groups[0].efa_interfaces",
            "less than or equal to 32",
        ),
        ({"gpu_node_groups": (data(L4, accelerator="L4"),)}, "gpu_node_groups[0].accelerator", "not a name"),
        (
            {"gpu_node_groups": (data(L4, labels={"team": "in ference"}),)},
            "gpu_node_groups[0].labels",
            "not a valid Kubernetes label",
        ),
        ({"log_retention_days": 42}, "log_retention_days", "must be one of 1, 3, 5"),
        ({"unknown": 1}, "unknown", "unknown field"),
    ],
)
def test_invalid_args_are_refused_at_construction_naming_the_field(
    mocks: AidcMocks, overrides: dict[str, Any], field: str, says: str
) -> None:
    assert_refused(lambda: _args(**overrides), field, says=says)
    assert mocks.registered == [], "refused before any resource exists"


def test_a_node_group_is_checked_on_its_own_too() -> None:
    assert_refused(lambda: changed(L4, desired=9), "desired", says="desired=9 max_size=6")


def test_node_group_names_composed_by_the_program_pass() -> None:
    # stacks/program.py names a group "<workload>-<instance type with dashes>"; a workload name is at most 32.
    workload = "w" * 32
    group = changed(L4, name=f"{workload}-{'p6-b200.48xlarge'.replace('.', '-')}")
    assert _args(gpu_node_groups=(group,)).gpu_node_groups[0].name == group.name


# --- issue 13: managed add-ons, the EFA device plugin where EFA is planned, Pod Identity per workload ----------
def test_managed_addons_are_pinned_for_the_eks_version(mocks: AidcMocks) -> None:
    _build(_args())
    addons = {r.inputs["addonName"]: r for r in _of_type(mocks, "aws:eks/addon:Addon").values()}
    assert {name: r.inputs["addonVersion"] for name, r in addons.items()} == {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "coredns": "v1.13.2-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
    }
    assert all(r.inputs["resolveConflictsOnCreate"] == "OVERWRITE" for r in addons.values())
    # The agent keeps the name Karpenter's controller declared it under (no replacement of a live add-on).
    assert addons["eks-pod-identity-agent"].name == "gpu-pod-identity-agent"


def test_addon_version_override_wins(mocks: AidcMocks) -> None:
    _build(_args(addon_versions={"coredns": "v1.11.4-eksbuild.2"}))
    coredns = next(
        r for r in _of_type(mocks, "aws:eks/addon:Addon").values() if r.inputs["addonName"] == "coredns"
    )
    assert coredns.inputs["addonVersion"] == "v1.11.4-eksbuild.2"


def test_efa_device_plugin_follows_the_efa_node_pools(mocks: AidcMocks) -> None:
    _build(_args())
    releases = {r.inputs["chart"]: r for r in _of_type(mocks, HELM).values()}
    efa = releases["aws-efa-k8s-device-plugin"]
    assert efa.inputs["version"] == "v0.5.30"
    assert efa.provider and "::gpu-k8s::" in efa.provider
    selector = efa.inputs["values"]["nodeSelector"]
    # The plugin selects exactly the nodes of EFA NodePools: their template carries the label, others do not.
    pools = _pools(mocks)
    h100 = pools["gpu-np-h100"]["spec"]["template"]["metadata"]["labels"]
    l4 = pools["gpu-np-l4"]["spec"]["template"]["metadata"]["labels"]
    assert all(h100.get(k) == v for k, v in selector.items())
    assert not all(l4.get(k) == v for k, v in selector.items())
    assert h100["aidc.io/efa-interfaces"] == "32"
    taint = pools["gpu-np-h100"]["spec"]["template"]["spec"]["taints"][0]
    assert any(
        t["key"] == taint["key"] and t["effect"] == taint["effect"]
        for t in efa.inputs["values"]["tolerations"]
    )
    assert "aidc.io/cluster=" in efa.inputs["description"]


def test_no_efa_device_plugin_without_efa_types(mocks: AidcMocks) -> None:
    _build(_args(gpu_node_groups=(L4,)))
    charts = {r.inputs["chart"] for r in _of_type(mocks, HELM).values()}
    assert "nvidia-device-plugin" in charts
    assert "aws-efa-k8s-device-plugin" not in charts


def test_each_workload_gets_a_pod_identity_role_for_its_prefix(mocks: AidcMocks) -> None:
    identities = (
        WorkloadIdentity(name="chat", namespace="chat", service_account="chat", prefix="chat/"),
        WorkloadIdentity(
            name="train-70b", namespace="train-70b", service_account="train-70b", prefix="train-70b/"
        ),
    )
    _build(_args(workload_identities=identities))
    associations = {
        r.name: r.inputs
        for r in _of_type(mocks, "aws:eks/podIdentityAssociation:PodIdentityAssociation").values()
        if r.name != "gpu-karpenter-pod-identity"
    }
    assert {(a["namespace"], a["serviceAccount"]) for a in associations.values()} == {
        ("chat", "chat"),
        ("train-70b", "train-70b"),
    }
    policies = _of_type(mocks, "aws:iam/rolePolicy:RolePolicy")
    chat = json.loads(policies["gpu-pod-chat-data"].inputs["policy"])["Statement"]
    resources = [s["Resource"] for s in chat]
    assert resources[1].endswith("/chat/*") and chat[0]["Condition"]["StringLike"]["s3:prefix"] == "chat/*"
    assert "train-70b" not in json.dumps(chat)
    trust = json.loads(_of_type(mocks, "aws:iam/role:Role")["gpu-pod-chat-role"].inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    # Neither node role may reach the bucket any more: their only policies are the AWS-managed ones.
    node_roles = ("gpu-node-role", "gpu-karpenter-node-role")
    assert not [p for p in policies.values() if p.inputs["role"].startswith(node_roles)]


def test_duplicate_workload_identities_are_refused() -> None:
    twice = WorkloadIdentity(name="chat", namespace="chat", service_account="chat", prefix="chat/")
    assert_refused(lambda: _args(workload_identities=(twice, twice)), "workload_identities[1].name")
