"""Karpenter on AwsGpuCluster under AidcMocks, and its objects against the vendored Karpenter 1.14.1 files
(upstream/karpenter: the NodePool and EC2NodeClass CRDs, the chart's values.yaml, the getting-started
CloudFormation), each check proven by a broken input it refuses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pulumi
import pytest

from aidc.mocks import AidcMocks
from components.aws_gpu_cluster import AwsGpuCluster, AwsGpuClusterArgs, CapacityReservationSpec, GpuNodeGroup
from components.aws_gpu_cluster.karpenter import (
    INTERRUPTION_EVENTS,
    KARPENTER_CHART,
    KARPENTER_CRD_CHART,
    controller_policy,
    controller_values,
)
from tests.components.karpenter_rules import cloudformation, problems, rules, values, values_problems

NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
HELM = "kubernetes:helm.sh/v3:Release"
CHAT = GpuNodeGroup(
    name="chat-p5-48xlarge",
    instance_type="p5.48xlarge",
    desired=0,
    min_size=0,
    max_size=4,
    efa=True,
    efa_interfaces=32,
    vcpus_per_instance=192,
    labels={"aidc.io/kind": "inference"},
)
TRAIN_CB = GpuNodeGroup(
    name="train-p5-48xlarge",
    instance_type="p5.48xlarge",
    desired=18,
    min_size=18,
    max_size=18,
    efa=True,
    efa_interfaces=32,
    vcpus_per_instance=192,
    labels={"aidc.io/kind": "training"},
    reservation=CapacityReservationSpec(
        kind="capacity-block",
        instances=18,
        start_date="2026-12-07",
        end_date="2026-12-28",
        days=21,
        blocks=(18,),
    ),
)
TRAIN_CR = GpuNodeGroup(
    name="tune-g6-48xlarge",
    instance_type="g6.48xlarge",
    desired=3,
    min_size=3,
    max_size=3,
    labels={"aidc.io/kind": "training"},
    reservation=CapacityReservationSpec(
        kind="capacity-reservation", instances=3, start_date="2026-12-07", end_date="2026-12-17", days=10
    ),
)


def _build(groups: tuple[GpuNodeGroup, ...] = (CHAT, TRAIN_CB, TRAIN_CR)) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        cluster = AwsGpuCluster(
            "gpu", AwsGpuClusterArgs(azs=("us-east-1a", "us-east-1b"), gpu_node_groups=groups)
        )
        return pulumi.Output.all(cluster.cluster_name, cluster.node_pool_names)

    run()


def _of_type(mocks: AidcMocks, token: str) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in mocks.registered if r.typ == token}


# --- the declared objects against the CRDs --------------------------------------------------------------------
def test_every_node_pool_and_node_class_validates_against_the_crds(mocks: AidcMocks) -> None:
    _build()
    pools, classes = _of_type(mocks, NODE_POOL), _of_type(mocks, NODE_CLASS)
    assert len(pools) == len(classes) == 3
    found: list[str] = []
    for name, document in {**pools, **classes}.items():
        found += [f"{name}: {p}" for p in problems(document["kind"], document)]
    assert found == []


def test_the_shipped_prod_pools_validate_too() -> None:
    from tests.plans import plan_of

    document = plan_of("prod")
    objects = [r for r in document["resources"] if r["type"] in (NODE_POOL, NODE_CLASS)]
    assert len(objects) == 4, [r["name"] for r in objects]
    assert [p for r in objects for p in problems(r["inputs"]["kind"], r["inputs"])] == []


def test_every_cel_rule_of_a_field_aidc_sets_is_translated() -> None:
    """A rule upstream adds on a field aidc sets must be translated, never skipped: the translation table is
    keyed by the rule's exact text (checked here against the vendored CRDs)."""
    from tests.components.karpenter_rules import TRANSLATED

    texts = {rule for kind in ("NodePool", "EC2NodeClass") for _, rule in rules(kind)}
    assert set(TRANSLATED) <= texts, set(TRANSLATED) - texts


def _pool(mocks: AidcMocks, name: str) -> dict[str, Any]:
    return copy.deepcopy(_of_type(mocks, NODE_POOL)[f"gpu-np-{name}"])


def _class(mocks: AidcMocks, name: str) -> dict[str, Any]:
    return copy.deepcopy(_of_type(mocks, NODE_CLASS)[f"gpu-nc-{name}"])


BROKEN_POOLS = {
    "unknown-field": lambda d: d["spec"].update(limit={"nvidia.com/gpu": "8"}),
    "bad-operator": lambda d: d["spec"]["template"]["spec"]["requirements"][0].update(operator="Within"),
    "empty-in": lambda d: d["spec"]["template"]["spec"]["requirements"][0].update(values=[]),
    "restricted-key": lambda d: d["spec"]["template"]["spec"]["requirements"].append(
        {"key": "karpenter.sh/nodepool", "operator": "In", "values": ["x"]}
    ),
    "unknown-karpenter-label": lambda d: d["spec"]["template"]["spec"]["requirements"].append(
        {"key": "karpenter.k8s.aws/capacity-type", "operator": "In", "values": ["reserved"]}
    ),
    "bad-taint-effect": lambda d: d["spec"]["template"]["spec"]["taints"][0].update(effect="NO_SCHEDULE"),
    "bad-consolidation": lambda d: d["spec"]["disruption"].update(consolidationPolicy="WhenUnderutilized"),
    "bad-limit": lambda d: d["spec"]["limits"].update({"nvidia.com/gpu": "lots"}),
    "no-node-class": lambda d: d["spec"]["template"]["spec"].pop("nodeClassRef"),
}


@pytest.mark.parametrize("break_it", BROKEN_POOLS.values(), ids=BROKEN_POOLS.keys())
def test_the_crd_refuses_a_broken_node_pool(mocks: AidcMocks, break_it: Any) -> None:
    _build()
    document = _pool(mocks, "chat-p5-48xlarge")
    assert problems("NodePool", document) == []
    break_it(document)
    assert problems("NodePool", document)


BROKEN_CLASSES = {
    "latest-alias-with-other-term": lambda d: d["spec"]["amiSelectorTerms"].append({"id": "ami-123"}),
    "unknown-alias-family": lambda d: d["spec"]["amiSelectorTerms"][0].update(alias="ubuntu@v20260724"),
    "role-and-profile": lambda d: d["spec"].update(instanceProfile="profile"),
    "hop-limit-zero": lambda d: d["spec"]["metadataOptions"].update(httpPutResponseHopLimit=0),
    "tokens-optional-typo": lambda d: d["spec"]["metadataOptions"].update(httpTokens="require"),
    "restricted-tag": lambda d: d["spec"]["tags"].update({"kubernetes.io/cluster/gpu-eks": "owned"}),
    "no-primary-interface": lambda d: d["spec"]["networkInterfaces"].pop(0),
    "two-efa-on-one-card": lambda d: d["spec"]["networkInterfaces"].append(
        {"networkCardIndex": 1, "deviceIndex": 1, "interfaceType": "efa-only"}
    ),
    "efa-interface-type": lambda d: d["spec"]["networkInterfaces"][1].update(interfaceType="efa"),
    "placement-name-and-id": lambda d: d["spec"]["placementGroupSelector"].update(id="pg-0123"),
    "bad-reservation-id": lambda d: d["spec"]["capacityReservationSelectorTerms"][0].update(id="cb-0123"),
    "volume-size-unitless": lambda d: d["spec"]["blockDeviceMappings"][0]["ebs"].update(volumeType="gp4"),
}


@pytest.mark.parametrize("break_it", BROKEN_CLASSES.values(), ids=BROKEN_CLASSES.keys())
def test_the_crd_refuses_a_broken_node_class(mocks: AidcMocks, break_it: Any) -> None:
    _build()
    document = _class(mocks, "train-p5-48xlarge")
    assert problems("EC2NodeClass", document) == []
    break_it(document)
    assert problems("EC2NodeClass", document)


def test_a_kind_without_a_vendored_crd_is_refused() -> None:
    assert problems("NodeClaim", {"spec": {}})


# --- what the pools say --------------------------------------------------------------------------------------
def test_reserved_groups_launch_only_into_their_reservation(mocks: AidcMocks) -> None:
    _build()
    pools, classes = _of_type(mocks, NODE_POOL), _of_type(mocks, NODE_CLASS)
    for name in ("train-p5-48xlarge", "tune-g6-48xlarge"):
        requirements = {
            r["key"]: r["values"] for r in pools[f"gpu-np-{name}"]["spec"]["template"]["spec"]["requirements"]
        }
        assert requirements["karpenter.sh/capacity-type"] == ["reserved"], name
        assert requirements["topology.kubernetes.io/zone"] == ["us-east-1a"], name
        terms = classes[f"gpu-nc-{name}"]["spec"]["capacityReservationSelectorTerms"]
        assert len(terms) == 1 and terms[0]["id"].startswith("cr-"), name
        # A training run keeps its nodes until it ends: consolidated only when empty, never expired or drifted.
        spec = pools[f"gpu-np-{name}"]["spec"]
        assert spec["disruption"]["consolidationPolicy"] == "WhenEmpty"
        assert spec["template"]["spec"]["expireAfter"] == "Never"
        assert {"nodes": "0", "reasons": ["Drifted"]} in spec["disruption"]["budgets"]
    requirements = {
        r["key"]: r["values"]
        for r in pools["gpu-np-chat-p5-48xlarge"]["spec"]["template"]["spec"]["requirements"]
    }
    assert requirements["karpenter.sh/capacity-type"] == ["on-demand"]
    assert "capacityReservationSelectorTerms" not in classes["gpu-nc-chat-p5-48xlarge"]["spec"]


def test_a_capacity_reservation_is_targeted_and_ends_on_the_deadline(mocks: AidcMocks) -> None:
    _build()
    (reservation,) = _of_type(mocks, "aws:ec2/capacityReservation:CapacityReservation").values()
    assert reservation["instanceMatchCriteria"] == "targeted"
    assert reservation["endDateType"] == "limited"
    assert reservation["endDate"] == "2026-12-17T00:00:00Z"
    assert reservation["instanceCount"] == 3
    assert reservation["instanceType"] == "g6.48xlarge"
    assert reservation["instancePlatform"] == "Linux/UNIX"
    assert reservation["availabilityZone"] == "us-east-1a"


def test_a_capacity_block_is_bought_from_the_offering_of_its_term_and_protected(mocks: AidcMocks) -> None:
    _build()
    (block,) = [
        r for r in mocks.registered if r.typ == "aws:ec2/capacityBlockReservation:CapacityBlockReservation"
    ]
    assert block.name == "gpu-cb-train-p5-48xlarge"
    assert block.inputs["instancePlatform"] == "Linux/UNIX"
    assert block.inputs["capacityBlockOfferingId"].startswith("cb-")
    (lookup,) = [
        c for c in mocks.calls if c.token == "aws:ec2/getCapacityBlockOffering:getCapacityBlockOffering"
    ]
    assert lookup.args["capacityDurationHours"] == 21 * 24
    assert lookup.args["instanceCount"] == 18
    assert lookup.args["startDateRange"] == "2026-12-07T00:00:00Z"
    assert lookup.args["endDateRange"] == "2026-12-28T00:00:00Z"


def test_no_gpu_groups_no_karpenter(mocks: AidcMocks) -> None:
    _build(())
    kinds = {r.typ for r in mocks.registered}
    assert NODE_POOL not in kinds and "aws:sqs/queue:Queue" not in kinds
    assert [r.inputs["chart"] for r in mocks.registered if r.typ == HELM] == ["nvidia-device-plugin"]


def test_pool_names_stay_when_the_range_changes(mocks: AidcMocks) -> None:
    _build()
    before = {(r.typ, r.name) for r in mocks.registered}
    mocks.registered.clear()
    wider = CHAT.replace(min_size=2, desired=2, max_size=12)
    _build((wider, TRAIN_CB, TRAIN_CR))
    assert {(r.typ, r.name) for r in mocks.registered} == before
    assert _of_type(mocks, NODE_POOL)["gpu-np-chat-p5-48xlarge"]["spec"]["limits"]["nvidia.com/gpu"] == "96"


# --- the controller, its IAM and its queue against the upstream CloudFormation and chart ----------------------
def _upstream_statements() -> dict[str, set[str]]:
    """Sid -> actions of every controller policy in Karpenter's getting-started CloudFormation."""
    out: dict[str, set[str]] = {}
    for resource in cloudformation()["Resources"].values():
        if resource["Type"] != "AWS::IAM::ManagedPolicy":
            continue
        document = json.loads(resource["Properties"]["PolicyDocument"])
        for statement in document["Statement"]:
            actions = statement["Action"]
            out[statement["Sid"]] = {actions} if isinstance(actions, str) else set(actions)
    return out


def _ours() -> dict[str, set[str]]:
    document = json.loads(
        controller_policy(
            partition="aws",
            region="us-east-1",
            account_id="123456789012",
            cluster_name="gpu-eks",
            node_role_arn="arn:aws:iam::123456789012:role/node",
            queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
            key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        ).to_json()
    )
    return {
        s["Sid"]: {s["Action"]} if isinstance(s["Action"], str) else set(s["Action"])
        for s in document["Statement"]
    }


def controller_policy_statements() -> list[dict[str, object]]:
    from components.aws_gpu_cluster.karpenter import controller_policy

    document = controller_policy(
        partition="aws",
        region="us-east-1",
        account_id="123456789012",
        cluster_name="c",
        node_role_arn="arn:aws:iam::123456789012:role/n",
        queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
        key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
    )
    return json.loads(document.to_json())["Statement"]


def test_the_controller_policy_grants_what_upstream_grants_statement_by_statement() -> None:
    upstream, ours = _upstream_statements(), _ours()
    assert upstream, "no policy read from the CloudFormation"
    missing = {
        sid: actions - ours.get(sid, set())
        for sid, actions in upstream.items()
        if actions - ours.get(sid, set())
    }
    assert missing == {}
    # Beyond upstream, only the use of the cluster key for the nodes' encrypted volumes, grants for AWS resources only.
    assert set(ours) - set(upstream) == {"AllowEbsEncryptionWithClusterKey", "AllowEbsGrantsForAwsResources"}
    grant = next(s for s in controller_policy_statements() if s["Sid"] == "AllowEbsGrantsForAwsResources")
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert not any(
        "kms:CreateGrant" in s["Action"]
        for s in controller_policy_statements()
        if s.get("Condition", {}).get("Bool") is None
    ), "CreateGrant only with kms:GrantIsForAWSResource"


def test_the_interruption_rules_are_upstreams(mocks: AidcMocks) -> None:
    upstream = {
        (
            resource["Properties"]["EventPattern"]["source"][0],
            resource["Properties"]["EventPattern"]["detail-type"][0],
        )
        for resource in cloudformation()["Resources"].values()
        if resource["Type"] == "AWS::Events::Rule"
    }
    assert set(INTERRUPTION_EVENTS.values()) == upstream
    _build()
    rules_ = _of_type(mocks, "aws:cloudwatch/eventRule:EventRule")
    declared = {tuple(v[0] for v in json.loads(r["eventPattern"]).values()) for r in rules_.values()}
    assert declared == upstream
    targets = _of_type(mocks, "aws:cloudwatch/eventTarget:EventTarget")
    assert len(targets) == len(rules_) == 5
    (queue,) = _of_type(mocks, "aws:sqs/queue:Queue").values()
    assert queue["sqsManagedSseEnabled"] is True and queue["messageRetentionSeconds"] == 300
    assert all(t["arn"].startswith("arn:aws:sqs:") for t in targets.values())
    (policy,) = _of_type(mocks, "aws:sqs/queuePolicy:QueuePolicy").values()
    statements = json.loads(policy["policy"])["Statement"]
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (send,) = [s for s in statements if s["Effect"] == "Allow"]
    assert send["Principal"] == {"Service": "events.amazonaws.com"}
    assert send["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    sources = send["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert len(sources) == len(rules_) == 5 and all(":events:" in a and ":rule/" in a for a in sources), (
        sources
    )


def test_the_controller_runs_as_its_pod_identity_role_and_nodes_join_by_access_entry(
    mocks: AidcMocks,
) -> None:
    _build()
    (association,) = _of_type(mocks, "aws:eks/podIdentityAssociation:PodIdentityAssociation").values()
    assert (association["namespace"], association["serviceAccount"]) == ("kube-system", "karpenter")
    assert ":role/gpu-karpenter-controller-role" in association["roleArn"]
    roles = _of_type(mocks, "aws:iam/role:Role")
    trust = json.loads(roles["gpu-karpenter-controller-role"]["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert set(trust["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    condition = trust["Condition"]["StringEquals"]
    assert condition["aws:SourceAccount"] == "123456789012"
    assert (
        condition["aws:RequestTag/eks-cluster-arn"].endswith(":cluster/aws-eks")
        or ":cluster/" in condition["aws:RequestTag/eks-cluster-arn"]
    )
    assert (
        condition["aws:RequestTag/kubernetes-namespace"],
        condition["aws:RequestTag/kubernetes-service-account"],
    ) == (
        "kube-system",
        "karpenter",
    )
    # The agent is the cluster's pinned managed add-on (addons.py), under the name it always had.
    addon = _of_type(mocks, "aws:eks/addon:Addon")["gpu-pod-identity-agent"]
    assert addon["addonName"] == "eks-pod-identity-agent"
    assert addon["addonVersion"] == "v1.3.10-eksbuild.3"
    (entry,) = _of_type(mocks, "aws:eks/accessEntry:AccessEntry").values()
    assert entry["type"] == "EC2_LINUX"
    assert ":role/gpu-karpenter-node-role" in entry["principalArn"]
    node_classes = _of_type(mocks, NODE_CLASS)
    assert all(c["spec"]["role"].startswith("gpu-karpenter-node-role") for c in node_classes.values())


def test_the_charts_are_pinned_oci_and_set_only_values_the_chart_has(mocks: AidcMocks) -> None:
    _build()
    releases = {r["chart"]: r for r in _of_type(mocks, HELM).values()}
    assert releases[KARPENTER_CHART]["version"] == releases[KARPENTER_CRD_CHART]["version"] == "1.14.1"
    assert releases[KARPENTER_CHART]["skipCrds"] is True
    controller = releases[KARPENTER_CHART]["values"]
    assert controller["settings"]["clusterName"] == "gpu-eks"
    assert controller["settings"]["interruptionQueue"].startswith("gpu-karpenter-queue")
    assert values_problems(controller, values()) == []


@pytest.mark.parametrize(
    "change",
    [
        {"settings": {"interruptionQueueName": "q"}},
        {"nodeSelectors": {"a": "b"}},
        {"settings": "cluster"},
        {"replicas": {"count": 2}},
    ],
    ids=["misspelt-setting", "unknown-key", "scalar-for-map", "map-for-int"],
)
def test_the_chart_values_check_refuses_broken_values(change: dict[str, Any]) -> None:
    good = controller_values("gpu-eks", "gpu-karpenter-queue")
    assert values_problems(good, values()) == []
    assert values_problems({**good, **change}, values())
