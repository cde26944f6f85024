"""Resource tests for AwsGpuCluster's security controls (issue 12) under AidcMocks: the key policy's grant
condition and service statements, the audit trail (log bucket, access logging, CloudTrail), and EKS access
(no bootstrap admin, access entries for the named roles). API values are checked against botocore's models."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

from aidc.contract import DEPLOY_GROUP
from aidc.mocks import AidcMocks
from components.aws_gpu_cluster.access import ADMIN_POLICY
from components.aws_gpu_cluster.bucket import ACCESS_LOG_PREFIX, TRAIL_PREFIX
from tests.aws_api import enum, members, service
from tests.components.args_helpers import assert_refused
from tests.components.test_aws_gpu_cluster import _args, _build, _of_type, _one

ACCOUNT = "123456789012"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/ci/aidc-deploy"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/aidc-operators"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/gpu-trail"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ACCESS_POLICY = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
# The EKS access policies AWS documents (EKS user guide, "Associate access policies with access entries":
# AmazonEKSClusterAdminPolicy, AmazonEKSAdminPolicy, AmazonEKSEditPolicy, AmazonEKSViewPolicy, ...). botocore's
# model lists no values (ListAccessPolicies returns them); the ARN form is the one the pulumi_aws docs show.
EKS_ACCESS_POLICY_ARN = re.compile(
    r"^arn:aws:eks::aws:cluster-access-policy/"
    r"(AmazonEKSClusterAdminPolicy|AmazonEKSAdminPolicy|AmazonEKSEditPolicy|AmazonEKSViewPolicy)$"
)


def _statements(mocks: AidcMocks) -> dict[str, dict[str, Any]]:
    policy = json.loads(_one(mocks, "aws:kms/key:Key").inputs["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


# --- 5: KMS CreateGrant only for AWS resources ------------------------------------------------------------------


def test_auto_scaling_creates_grants_only_for_aws_resources(mocks: AidcMocks) -> None:
    _build(_args())
    statements = _statements(mocks)
    role = (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    use = statements["AutoScalingUsesKeyForEbs"]
    assert use["Principal"] == {"AWS": role}
    # The other actions are unchanged, without a condition; CreateGrant is no longer among them.
    assert use["Action"] == [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    ]
    assert "Condition" not in use
    grant = statements["AutoScalingAttachesPersistentResources"]
    assert grant["Principal"] == {"AWS": role}
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    # No other statement but the account root's lets anyone create grants.
    others = [
        sid
        for sid, s in statements.items()
        if sid not in ("AccountAdministersKeyThroughIam", "AutoScalingAttachesPersistentResources")
        and any(a in ("kms:CreateGrant", "kms:*", "kms:Create*") for a in _actions(s))
    ]
    assert others == []


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_key_policy_lets_cloudtrail_use_the_key_only_for_this_trail(mocks: AidcMocks) -> None:
    out = _build(_args())
    statements = _statements(mocks)
    assert out["trail_arn"] == TRAIL_ARN
    encrypt = statements["CloudTrailEncryptsTrailFiles"]
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL_ARN},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
    }
    describe = statements["CloudTrailDescribesKey"]
    assert describe["Action"] == "kms:DescribeKey"
    assert describe["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    logging = statements["S3LoggingEncryptsAccessLogs"]
    assert logging["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    # Encrypt side only: the logging service can make data keys for the access logs, never decrypt.
    assert logging["Action"] == "kms:GenerateDataKey"
    # Every other service statement is narrowed by a condition.
    unconditional = [sid for sid, s in statements.items() if "Condition" not in s]
    assert unconditional == [
        "AccountAdministersKeyThroughIam",
        "AutoScalingUsesKeyForEbs",
        "S3LoggingEncryptsAccessLogs",
    ]


# --- 2: the audit trail ---------------------------------------------------------------------------------------


def test_log_bucket_policy_lets_only_the_log_writers_write_under_their_prefixes(mocks: AidcMocks) -> None:
    out = _build(_args())
    logs_arn = f"arn:aws:s3:::{out['log_bucket']}"
    policy = json.loads(
        _of_type(mocks, "aws:s3/bucketPolicy:BucketPolicy")["gpu-logs-policy"].inputs["policy"]
    )
    statements = {s["Sid"]: s for s in policy["Statement"]}
    access = statements["S3ServerAccessLogsWrite"]
    assert access["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert access["Action"] == "s3:PutObject"
    assert access["Resource"] == f"{logs_arn}/{ACCESS_LOG_PREFIX}*"
    assert access["Condition"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{out['bucket']}"},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }
    acl = statements["CloudTrailAclCheck"]
    assert (acl["Action"], acl["Resource"]) == ("s3:GetBucketAcl", logs_arn)
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    write = statements["CloudTrailWrite"]
    assert write["Resource"] == f"{logs_arn}/{TRAIL_PREFIX}/AWSLogs/{ACCOUNT}/*"
    assert write["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}
    }
    assert statements["DenyInsecureTransport"]["Resource"] == [logs_arn, f"{logs_arn}/*"]
    assert {s["Effect"] for sid, s in statements.items() if sid != "DenyInsecureTransport"} == {"Allow"}


def test_dataset_bucket_access_is_logged_into_the_log_bucket(mocks: AidcMocks) -> None:
    out = _build(_args())
    logging = _one(mocks, "aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["bucket"] == out["bucket"]
    assert logging.inputs["targetBucket"] == out["log_bucket"] != out["bucket"]
    assert logging.inputs["targetPrefix"] == ACCESS_LOG_PREFIX
    source = logging.inputs["targetObjectKeyFormat"]["partitionedPrefix"]["partitionDateSource"]
    assert source in enum("s3", "PartitionDateSource")


def test_trail_is_multi_region_validated_encrypted_and_records_dataset_object_events(
    mocks: AidcMocks,
) -> None:
    out = _build(_args())
    trail = _one(mocks, "aws:cloudtrail/trail:Trail")
    inputs = trail.inputs
    assert inputs["isMultiRegionTrail"] is True
    assert inputs["includeGlobalServiceEvents"] is True
    assert inputs["enableLogFileValidation"] is True
    assert inputs["kmsKeyId"] == out["kms_key_arn"]
    assert inputs["s3BucketName"] == out["log_bucket"]
    assert inputs["s3KeyPrefix"] == TRAIL_PREFIX
    selectors = {s["name"]: s["fieldSelectors"] for s in inputs["advancedEventSelectors"]}
    assert selectors["Management events"] == [{"field": "eventCategory", "equals": ["Management"]}]
    data = {f["field"]: f for f in selectors["Dataset bucket object reads and writes"]}
    assert data["eventCategory"]["equals"] == ["Data"]
    assert data["resources.type"]["equals"] == ["AWS::S3::Object"]
    # Only this bucket's objects: the ARN prefix ends with the bucket name and '/'.
    assert data["resources.ARN"]["startsWiths"] == [f"arn:aws:s3:::{out['bucket']}/"]
    # Field names the API accepts (pulumi_aws documents the CloudTrail list), operators it has.
    doc = aws.cloudtrail.outputs.TrailAdvancedEventSelectorFieldSelector.__init__.__doc__ or ""
    allowed_fields = re.findall(r"`([\w.]+)`", doc.split("following values:")[1].split("\n")[0])
    assert set(data) <= set(allowed_fields), allowed_fields
    operators = {_api_operator(key) for selector in data.values() for key in selector if key != "field"}
    assert operators <= set(members("cloudtrail", "AdvancedFieldSelector")), operators
    assert _api_operator("startsWiths") == "StartsWith" and _api_operator("beginsWiths") not in members(
        "cloudtrail", "AdvancedFieldSelector"
    )


def _api_operator(engine_key: str) -> str:
    """pulumi_aws names a selector's list operators in the plural ('startsWiths'); the API in the singular."""
    api = engine_key[0].upper() + engine_key[1:]
    return api[:-1] if api.endswith("Withs") else api


def test_access_logging_and_trail_wait_for_the_log_bucket_policy(
    mocks: AidcMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CloudTrail refuses a trail whose bucket policy does not yet let it write: both depend on the policy."""
    waits: dict[str, list[Any]] = {}

    def spy(cls: type) -> type:
        class Spy(cls):  # type: ignore[misc, valid-type]
            def __init__(
                self, resource_name: str, *args: Any, opts: pulumi.ResourceOptions | None = None, **kw: Any
            ):
                waits[resource_name] = list((opts.depends_on if opts else None) or [])
                super().__init__(resource_name, *args, opts=opts, **kw)

        return Spy

    monkeypatch.setattr(aws.cloudtrail, "Trail", spy(aws.cloudtrail.Trail))
    monkeypatch.setattr(aws.s3, "BucketLogging", spy(aws.s3.BucketLogging))
    policies: dict[str, Any] = {}
    original = aws.s3.BucketPolicy

    class PolicySpy(original):  # type: ignore[misc, valid-type]
        def __init__(self, resource_name: str, *args: Any, **kw: Any):
            super().__init__(resource_name, *args, **kw)
            policies[resource_name] = self

    monkeypatch.setattr(aws.s3, "BucketPolicy", PolicySpy)
    _build(_args())
    assert policies["gpu-logs-policy"] in waits["gpu-trail"]
    assert policies["gpu-logs-policy"] in waits["gpu-data-access-logging"]


# --- 3: EKS access --------------------------------------------------------------------------------------------


def test_cluster_gives_its_creator_no_bootstrap_admin(mocks: AidcMocks) -> None:
    _build(_args())
    cluster = _one(mocks, "aws:eks/cluster:Cluster")
    assert cluster.inputs["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert "API" in enum("eks", "AuthenticationMode")
    # Karpenter's node role has its EC2_LINUX entry (nodes join with it); no person or CI role has one.
    people = {n: e for n, e in _of_type(mocks, ACCESS_ENTRY).items() if e.inputs["type"] != "EC2_LINUX"}
    assert people == {}, "no role named, no entry"


def test_named_roles_get_access_entries_with_least_access_policies(mocks: AidcMocks) -> None:
    _build(_args(deploy_role_arn=DEPLOY, admin_role_arn=ADMIN))
    cluster = _one(mocks, "aws:eks/cluster:Cluster")
    entries = {n: e for n, e in _of_type(mocks, ACCESS_ENTRY).items() if e.inputs["type"] != "EC2_LINUX"}
    assert set(entries) == {"gpu-access-deploy", "gpu-access-admin"}
    assert {e.inputs["principalArn"] for e in entries.values()} == {DEPLOY, ADMIN}
    for entry in entries.values():
        assert entry.inputs["clusterName"] == cluster.inputs["name"], entry.name
        # CreateAccessEntryRequest.type is a plain string in botocore; STANDARD is the type for IAM roles.
        assert entry.inputs["type"] == "STANDARD"
        assert "STANDARD" in _doc("CreateAccessEntryRequest", "type")
    policies = _of_type(mocks, ACCESS_POLICY)
    # The deploy role gets a Kubernetes group (bound by the aidc-deploy RBAC objects) and no access policy: never
    # cluster-admin, even with GPU groups bringing Karpenter's cluster-scoped objects.
    assert _of_type(mocks, "kubernetes:karpenter.sh/v1:NodePool")
    assert set(policies) == {"gpu-access-admin-policy"}
    assert entries["gpu-access-deploy"].inputs["kubernetesGroups"] == [DEPLOY_GROUP]
    assert entries["gpu-access-deploy"].inputs["tags"]["aidc:eks-access"] == "deploy"
    assert "kubernetesGroups" not in entries["gpu-access-admin"].inputs
    # Group names EKS refuses (CreateAccessEntry: no system:, eks:, amazon:, aws: or iam: prefix).
    assert not DEPLOY_GROUP.startswith(("system:", "eks:", "amazon:", "aws:", "iam:"))
    admin = policies["gpu-access-admin-policy"].inputs
    assert admin["principalArn"] == ADMIN
    assert admin["policyArn"] == f"arn:aws:eks::aws:cluster-access-policy/{ADMIN_POLICY}"
    assert admin["accessScope"] == {"type": "cluster"}
    for association in policies.values():
        assert association.inputs["clusterName"] == cluster.inputs["name"]
        assert EKS_ACCESS_POLICY_ARN.match(association.inputs["policyArn"]), association.inputs["policyArn"]
        assert association.inputs["accessScope"]["type"] in enum("eks", "AccessScopeType")
    assert not EKS_ACCESS_POLICY_ARN.match("arn:aws:eks::aws:cluster-access-policy/AmazonEKSRootPolicy")


def test_without_gpu_groups_the_deploy_role_may_apply_only_the_device_plugin(mocks: AidcMocks) -> None:
    _build(_args(deploy_role_arn=DEPLOY, gpu_node_groups=[]))
    assert not _of_type(mocks, ACCESS_POLICY)
    assert not _of_type(mocks, "kubernetes:karpenter.sh/v1:NodePool")
    # The device plugin renders namespaced objects only: no ClusterRole at all, and the one Role lives where the
    # release goes.
    release = _one(mocks, "kubernetes:helm.sh/v3:Release")
    roles = _of_type(mocks, "kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert [r.inputs["metadata"]["namespace"] for r in roles.values()] == [release.inputs["namespace"]]
    assert not _of_type(mocks, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")


def _doc(shape: str, member: str) -> str:
    return str(service("eks").shape_for(shape).members[member].documentation)  # type: ignore[attr-defined]


def test_the_add_ons_wait_for_the_deploy_roles_access(
    mocks: AidcMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: dict[str, list[Any]] = {}
    original = k8s.Provider

    class ProviderSpy(original):  # type: ignore[misc, valid-type]
        def __init__(
            self, resource_name: str, *args: Any, opts: pulumi.ResourceOptions | None = None, **kw: Any
        ):
            waits[resource_name] = list((opts.depends_on if opts else None) or [])
            super().__init__(resource_name, *args, opts=opts, **kw)

    monkeypatch.setattr(k8s, "Provider", ProviderSpy)
    _build(_args(deploy_role_arn=DEPLOY))
    kinds = [type(d).__name__ for d in waits["gpu-k8s"]]
    assert {"AccessEntry", "ClusterRoleBinding", "RoleBinding"} <= set(kinds), kinds
    assert "NodeGroup" in kinds, kinds
    # The RBAC objects ride on a Provider of their own (the admin applies them first on a new cluster).
    assert "AccessEntry" in [type(d).__name__ for d in waits["gpu-k8s-access"]]


def test_a_named_trail_is_the_one_every_policy_names(mocks: AidcMocks) -> None:
    out = _build(_args(trail_name="aidc-prod-trail"))
    arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/aidc-prod-trail"
    assert out["trail_arn"] == arn
    assert _one(mocks, "aws:cloudtrail/trail:Trail").inputs["name"] == "aidc-prod-trail"
    assert _statements(mocks)["CloudTrailEncryptsTrailFiles"]["Condition"]["StringEquals"] == {
        "aws:SourceArn": arn
    }
    policy = json.loads(
        _of_type(mocks, "aws:s3/bucketPolicy:BucketPolicy")["gpu-logs-policy"].inputs["policy"]
    )
    conditions = [s["Condition"] for s in policy["Statement"] if s["Sid"].startswith("CloudTrail")]
    assert all(c["StringEquals"]["aws:SourceArn"] == arn for c in conditions)


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"trail_name": "-trail"}, "trail_name", "CloudTrail trail name"),
        ({"trail_name": "a" * 129}, "trail_name", "CloudTrail trail name"),
        (
            {"deploy_role_arn": "arn:aws:iam::123456789012:user/deployer"},
            "deploy_role_arn",
            "not an IAM role ARN",
        ),
        (
            {"deploy_role_arn": "arn:aws:sts::123456789012:assumed-role/aidc-deploy/ci"},
            "deploy_role_arn",
            "STS session",
        ),
        ({"admin_role_arn": "arn:aws:iam::1234:role/admins"}, "admin_role_arn", "12-digit account"),
        ({"admin_role_arn": "aidc-operators"}, "admin_role_arn", "not an IAM role ARN"),
        (
            {"deploy_role_arn": DEPLOY, "admin_role_arn": DEPLOY},
            "admin_role_arn",
            "one access entry per role",
        ),
    ],
)
def test_bad_role_arns_are_refused_naming_the_field(
    mocks: AidcMocks, overrides: dict[str, Any], field: str, says: str
) -> None:
    assert_refused(lambda: _args(**overrides), field, says=says)
    assert mocks.registered == [], "refused before any resource exists"


def test_deploy_access_names_only_rendered_charts_and_known_kinds() -> None:
    from pydantic import ValidationError

    from components.aws_gpu_cluster.deploy_access import CHARTS, DeployAccess, KubeObject

    assert DeployAccess(charts={"prometheus": CHARTS["prometheus"].version}).charts
    # A chart version whose templates were never rendered: its objects and roles are unknown, so refused.
    with pytest.raises(ValidationError, match=r"re-run tests/conformance/upstream/tools/chart_objects\.py"):
        DeployAccess(charts={"prometheus": "1.0.0"})
    with pytest.raises(ValidationError, match="no rendered access facts"):
        DeployAccess(charts={"gpu-operator": "v25.10.1"})
    with pytest.raises(ValidationError, match="is not one of"):
        KubeObject(kind="Pod", name="x")
