"""AWS rules: each with a violating and a compliant resource, built as the analyzer builds them."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from policy_helpers import check_resource, check_stack, stack_resource

from policies import aws

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/e052f35c-0bec-ce2e-ed17-69d3efde7d34"


def _bucket_stack(sse: dict | None, versioning: str | None, flags: dict | None, by_dependency: bool = False):
    bucket = stack_resource(aws.BUCKET, "aws-data", {"forceDestroy": False})
    ref = {"bucket": "aws-data-fa08c07"}
    deps = {"bucket": [bucket]} if by_dependency else None
    if by_dependency:
        ref = {"bucket": "some-physical-name"}
    resources = [bucket]
    if sse is not None:
        resources.append(
            stack_resource(aws.SSE[0], "aws-data-sse", {**ref, "rules": [sse]}, property_dependencies=deps)
        )
    if versioning is not None:
        resources.append(
            stack_resource(
                aws.VERSIONING[0],
                "aws-data-versioning",
                {**ref, "versioningConfiguration": {"status": versioning}},
                property_dependencies=deps,
            )
        )
    if flags is not None:
        resources.append(
            stack_resource(
                aws.PUBLIC_ACCESS_BLOCK[0], "aws-data-pab", {**ref, **flags}, property_dependencies=deps
            )
        )
    return resources


KMS_RULE = {
    "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
    "bucketKeyEnabled": True,
}
ALL_BLOCKED = {
    f: True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
}


@pytest.mark.parametrize("by_dependency", [False, True])
def test_s3_compliant_bucket_passes_all_three(by_dependency):
    resources = _bucket_stack(KMS_RULE, "Enabled", ALL_BLOCKED, by_dependency)
    for policy in (
        aws.aws_s3_bucket_kms_encryption,
        aws.aws_s3_bucket_versioning,
        aws.aws_s3_bucket_public_access_blocked,
    ):
        assert check_stack(policy, resources) == [], policy.name


def test_s3_bucket_without_sse_is_refused_on_the_bucket():
    resources = _bucket_stack(None, "Enabled", ALL_BLOCKED)
    found = check_stack(aws.aws_s3_bucket_kms_encryption, resources)
    assert [u for _, u in found] == [resources[0].urn]
    assert "kms_master_key_id" in found[0][0]


def test_s3_aes256_instead_of_kms_is_refused():
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    found = check_stack(aws.aws_s3_bucket_kms_encryption, _bucket_stack(rule, "Enabled", ALL_BLOCKED))
    assert len(found) == 2  # the bucket has no KMS default, and the SSE resource itself is flagged
    assert any("'AES256'" in m for m, _ in found)


def test_s3_sse_of_another_bucket_does_not_count():
    resources = _bucket_stack(KMS_RULE, "Enabled", ALL_BLOCKED)
    other = stack_resource(aws.BUCKET, "aws-logs", {})
    found = check_stack(aws.aws_s3_bucket_kms_encryption, [*resources, other])
    assert [u for _, u in found] == [other.urn]


@pytest.mark.parametrize("status", [None, "Suspended"])
def test_s3_unversioned_bucket_is_refused(status):
    found = check_stack(aws.aws_s3_bucket_versioning, _bucket_stack(KMS_RULE, status, ALL_BLOCKED))
    assert len(found) == 1
    assert "'Enabled'" in found[0][0]


@pytest.mark.parametrize("flags", [None, {**ALL_BLOCKED, "restrictPublicBuckets": False}])
def test_s3_public_access_not_blocked_is_refused(flags):
    found = check_stack(aws.aws_s3_bucket_public_access_blocked, _bucket_stack(KMS_RULE, "Enabled", flags))
    assert found
    assert any("restrict_public_buckets" in m or "restrictPublicBuckets" in m for m, _ in found)


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (
            aws.SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
        ),
        (
            aws.SECURITY_GROUP,
            {
                "ingress": [
                    {
                        "protocol": "-1",
                        "fromPort": 0,
                        "toPort": 0,
                        "cidrBlocks": ["10.0.0.0/8"],
                        "ipv6CidrBlocks": ["::/0"],
                    }
                ]
            },
        ),
        (
            aws.DEFAULT_SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "fromPort": 0, "toPort": 65535, "cidrBlocks": ["0.0.0.0/0"]}]},
        ),
        (
            aws.SECURITY_GROUP_RULE,
            {
                "type": "ingress",
                "protocol": "tcp",
                "fromPort": 6443,
                "toPort": 6443,
                "cidrBlocks": ["0.0.0.0/0"],
            },
        ),
        (aws.INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrIpv4": "0.0.0.0/0"}),
    ],
)
def test_open_admin_or_all_port_ingress_is_refused(resource_type, props):
    assert check_resource(aws.aws_no_open_ingress, resource_type, props)


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (
            aws.SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]},
        ),
        (
            aws.SECURITY_GROUP,
            {
                "ingress": [
                    {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["203.0.113.0/24"]}
                ]
            },
        ),
        (aws.DEFAULT_SECURITY_GROUP, {"ingress": [], "egress": []}),
        (
            aws.SECURITY_GROUP_RULE,
            {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]},
        ),
    ],
)
def test_restricted_or_https_ingress_passes(resource_type, props):
    assert check_resource(aws.aws_no_open_ingress, resource_type, props) == []


def test_admin_ports_are_configurable():
    props = {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}
    assert check_resource(aws.aws_no_open_ingress, aws.SECURITY_GROUP, props, config={"admin-ports": [443]})


LAUNCH_TEMPLATE = {
    "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1},
    "blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN, "volumeType": "gp3"}}
    ],
}


def test_imdsv2_required_passes_and_optional_is_refused():
    assert check_resource(aws.aws_imdsv2_required, aws.LAUNCH_TEMPLATE, LAUNCH_TEMPLATE) == []
    weak = copy.deepcopy(LAUNCH_TEMPLATE)
    weak["metadataOptions"]["httpTokens"] = "optional"
    assert "http_tokens='required'" in check_resource(aws.aws_imdsv2_required, aws.LAUNCH_TEMPLATE, weak)[0]
    assert check_resource(aws.aws_imdsv2_required, aws.INSTANCE, {})  # unset means IMDSv1 allowed


def test_imds_hop_limit_threshold():
    props = copy.deepcopy(LAUNCH_TEMPLATE)
    props["metadataOptions"]["httpPutResponseHopLimit"] = 3
    assert check_resource(aws.aws_imdsv2_required, aws.LAUNCH_TEMPLATE, props)
    assert (
        check_resource(aws.aws_imdsv2_required, aws.LAUNCH_TEMPLATE, props, config={"max-hop-limit": 3}) == []
    )


@pytest.mark.parametrize(
    "ebs", [{"encrypted": "false"}, {"encrypted": "true"}, {"encrypted": True, "kmsKeyId": ""}]
)
def test_ebs_without_customer_key_is_refused(ebs):
    props = {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": ebs}]}
    assert check_resource(aws.aws_ebs_encrypted_cmk, aws.LAUNCH_TEMPLATE, props)


def test_ebs_with_customer_key_passes_on_templates_and_volumes():
    assert check_resource(aws.aws_ebs_encrypted_cmk, aws.LAUNCH_TEMPLATE, LAUNCH_TEMPLATE) == []
    assert (
        check_resource(aws.aws_ebs_encrypted_cmk, aws.EBS_VOLUME, {"encrypted": True, "kmsKeyId": KEY_ARN})
        == []
    )
    assert check_resource(aws.aws_ebs_encrypted_cmk, aws.EBS_VOLUME, {"size": 100})


def test_kms_rotation():
    assert check_resource(aws.aws_kms_key_rotation, aws.KMS_KEY, {"enableKeyRotation": True}) == []
    assert check_resource(aws.aws_kms_key_rotation, aws.KMS_KEY, {"enableKeyRotation": False})
    # Asymmetric keys cannot rotate automatically: not applicable.
    assert check_resource(aws.aws_kms_key_rotation, aws.KMS_KEY, {"customerMasterKeySpec": "RSA_2048"}) == []


@pytest.mark.parametrize(
    "script",
    [
        "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
        "#!/bin/bash\necho 'aws_secret_access_key = abc' >> ~/.aws/credentials\n",
        "#cloud-config\nwrite_files:\n- content: |\n    -----BEGIN RSA PRIVATE KEY-----\n",
        "#!/bin/bash\nDB_PASSWORD=hunter2\n",
    ],
)
def test_credentials_in_user_data_are_refused_plain_or_base64(script):
    encoded = base64.b64encode(script.encode()).decode()
    assert check_resource(aws.aws_no_credentials_in_user_data, aws.LAUNCH_TEMPLATE, {"userData": encoded})
    assert check_resource(aws.aws_no_credentials_in_user_data, aws.INSTANCE, {"userData": script})


def test_user_data_without_credentials_passes():
    script = "#!/bin/bash\n/etc/eks/bootstrap.sh aws-eks --kubelet-extra-args '--node-labels=gpu=true'\n"
    encoded = base64.b64encode(script.encode()).decode()
    assert (
        check_resource(aws.aws_no_credentials_in_user_data, aws.LAUNCH_TEMPLATE, {"userData": encoded}) == []
    )
    assert check_resource(aws.aws_no_credentials_in_user_data, aws.INSTANCE, {"userData": "[secret]"}) == []


EKS = {
    "vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True},
    "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY_ARN}},
}


def test_eks_compliant_cluster_passes_every_eks_rule():
    for policy in (
        aws.aws_eks_secrets_encryption,
        aws.aws_eks_endpoint_restricted,
        aws.aws_eks_control_plane_logging,
    ):
        assert check_resource(policy, aws.EKS_CLUSTER, EKS) == [], policy.name


def test_eks_without_secrets_encryption_is_refused():
    props = {k: v for k, v in EKS.items() if k != "encryptionConfig"}
    assert check_resource(aws.aws_eks_secrets_encryption, aws.EKS_CLUSTER, props)
    props["encryptionConfig"] = {"resources": ["secrets"], "provider": {}}
    assert check_resource(aws.aws_eks_secrets_encryption, aws.EKS_CLUSTER, props)


@pytest.mark.parametrize(
    ("vpc_config", "refused"),
    [
        ({}, True),  # AWS default: public to the internet
        ({"endpointPublicAccess": True}, True),
        ({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}, True),
        ({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}, False),
        ({"endpointPublicAccess": False}, False),
    ],
)
def test_eks_endpoint(vpc_config, refused):
    found = check_resource(aws.aws_eks_endpoint_restricted, aws.EKS_CLUSTER, {**EKS, "vpcConfig": vpc_config})
    assert bool(found) is refused, found


def test_eks_missing_audit_log_is_reported_and_threshold_configurable():
    props = {**EKS, "enabledClusterLogTypes": ["api"]}
    found = check_resource(aws.aws_eks_control_plane_logging, aws.EKS_CLUSTER, props)
    assert found
    assert "audit" in found[0]
    assert (
        check_resource(
            aws.aws_eks_control_plane_logging, aws.EKS_CLUSTER, props, config={"required-log-types": ["api"]}
        )
        == []
    )


def test_vpc_flow_logs_joined_by_dependency_or_parent():
    component = stack_resource("aidc:aws:AwsGpuCluster", "aws", {})
    vpc = stack_resource(aws.VPC, "aws-vpc", {"cidrBlock": "10.0.0.0/16"}, parent=component)
    by_dependency = stack_resource(
        aws.FLOW_LOG, "fl", {"vpcId": "vpc-1"}, property_dependencies={"vpcId": [vpc]}
    )
    by_parent = stack_resource(aws.FLOW_LOG, "aws-flow-log", {"vpcId": "vpc-1"}, parent=component)
    assert check_stack(aws.aws_vpc_flow_logs, [component, vpc, by_dependency]) == []
    assert check_stack(aws.aws_vpc_flow_logs, [component, vpc, by_parent]) == []
    found = check_stack(aws.aws_vpc_flow_logs, [component, vpc])
    assert [u for _, u in found] == [vpc.urn]


def test_tgw_auto_accept():
    assert check_resource(
        aws.aws_tgw_no_auto_accept, aws.TRANSIT_GATEWAY, {"autoAcceptSharedAttachments": "enable"}
    )
    assert (
        check_resource(
            aws.aws_tgw_no_auto_accept, aws.TRANSIT_GATEWAY, {"autoAcceptSharedAttachments": "disable"}
        )
        == []
    )


def _node_class(metadata=None, mappings=None):
    spec = {"role": "node", "amiSelectorTerms": [{"alias": "al2023@v20260724"}]}
    if metadata is not None:
        spec["metadataOptions"] = metadata
    if mappings is not None:
        spec["blockDeviceMappings"] = mappings
    return {"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "spec": spec}


def test_karpenter_node_classes_require_imdsv2_with_hop_limit_one():
    secure = {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
    assert check_resource(aws.aws_imdsv2_required, aws.NODE_CLASS, _node_class(secure)) == []
    # Omitted: Karpenter's own defaults are httpTokens required and hop limit 1.
    assert check_resource(aws.aws_imdsv2_required, aws.NODE_CLASS, _node_class()) == []
    assert check_resource(
        aws.aws_imdsv2_required, aws.NODE_CLASS, _node_class({**secure, "httpTokens": "optional"})
    )
    assert check_resource(
        aws.aws_imdsv2_required, aws.NODE_CLASS, _node_class({**secure, "httpPutResponseHopLimit": 3})
    )


def test_karpenter_node_classes_encrypt_their_volumes_with_a_customer_key():
    good = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True, "kmsKeyID": KEY_ARN, "volumeType": "gp3"}}]
    assert check_resource(aws.aws_ebs_encrypted_cmk, aws.NODE_CLASS, _node_class(mappings=good)) == []
    aws_key = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True}}]
    assert (
        "AWS-managed key"
        in check_resource(aws.aws_ebs_encrypted_cmk, aws.NODE_CLASS, _node_class(mappings=aws_key))[0]
    )
    plain = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": False, "kmsKeyID": KEY_ARN}}]
    assert check_resource(aws.aws_ebs_encrypted_cmk, aws.NODE_CLASS, _node_class(mappings=plain))
    assert (
        "no blockDeviceMappings"
        in check_resource(aws.aws_ebs_encrypted_cmk, aws.NODE_CLASS, _node_class())[0]
    )


# --- S3 server access logging ---------------------------------------------------------------------------------


def _logged_stack(by_dependency: bool = False, with_logging: bool = True, trail: bool = True):
    """The dataset bucket, a log bucket, the dataset bucket's logging into it and a trail writing into it."""
    data = stack_resource(aws.BUCKET, "aws-data", {"forceDestroy": False})
    logs = stack_resource(aws.BUCKET, "aws-logs", {"forceDestroy": False})
    resources = [data, logs]
    if with_logging:
        if by_dependency:
            props = {"bucket": "physical-data", "targetBucket": "physical-logs", "targetPrefix": "s3-access/"}
            deps = {"bucket": [data], "targetBucket": [logs]}
        else:
            props = {
                "bucket": "aws-data-fa08c07",
                "targetBucket": "aws-logs-9309bdb",
                "targetPrefix": "s3-access/",
            }
            deps = None
        resources.append(
            stack_resource(aws.LOGGING[0], "aws-data-access-logging", props, property_dependencies=deps)
        )
    if trail:
        resources.append(
            stack_resource(aws.TRAIL, "aws-trail", {**TRAIL, "s3BucketName": "aws-logs-9309bdb"})
        )
    return resources


@pytest.mark.parametrize("by_dependency", [False, True])
def test_logged_bucket_and_its_log_destination_pass(by_dependency):
    assert check_stack(aws.aws_s3_bucket_access_logging, _logged_stack(by_dependency)) == []


def test_bucket_without_access_logging_is_refused_on_the_bucket():
    resources = _logged_stack(with_logging=False)
    found = check_stack(aws.aws_s3_bucket_access_logging, resources)
    # The log bucket receives the trail's files, so only the dataset bucket is refused.
    assert [u for _, u in found] == [resources[0].urn]
    assert "aws.s3.BucketLogging" in found[0][0]


def test_a_bucket_receiving_no_logs_needs_logging_of_its_own():
    resources = _logged_stack(with_logging=False, trail=False)
    found = check_stack(aws.aws_s3_bucket_access_logging, resources)
    assert sorted(u for _, u in found) == sorted(r.urn for r in resources)


def test_logging_without_a_target_does_not_count():
    data = stack_resource(aws.BUCKET, "aws-data", {})
    logging = stack_resource(aws.LOGGING[0], "aws-data-access-logging", {"bucket": "aws-data-fa08c07"})
    assert [u for _, u in check_stack(aws.aws_s3_bucket_access_logging, [data, logging])] == [data.urn]


def test_access_logging_rule_is_mandatory():
    assert aws.aws_s3_bucket_access_logging.enforcement_level.value == "mandatory"


# --- CloudTrail --------------------------------------------------------------------------------------------------

TRAIL = {
    "isMultiRegionTrail": True,
    "enableLogFileValidation": True,
    "includeGlobalServiceEvents": True,
    "kmsKeyId": KEY_ARN,
    "s3BucketName": "aws-logs-9309bdb",
}


def test_multi_region_validated_encrypted_trail_passes():
    assert check_resource(aws.aws_cloudtrail_integrity, aws.TRAIL, TRAIL) == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"isMultiRegionTrail": False}, "is_multi_region_trail=True"),
        ({"enableLogFileValidation": False}, "enable_log_file_validation=True"),
        ({"kmsKeyId": None}, "kms_key_id"),
        ({"isMultiRegionTrail": None, "enableLogFileValidation": None}, "enable_log_file_validation=True"),
    ],
    ids=["single-region", "no-validation", "no-kms", "defaults"],
)
def test_trail_without_integrity_is_refused(change, says):
    props = {k: v for k, v in {**TRAIL, **change}.items() if v is not None}
    found = check_resource(aws.aws_cloudtrail_integrity, aws.TRAIL, props)
    assert len(found) == 1
    assert says in found[0]


# --- KMS grants ----------------------------------------------------------------------------------------------

ROOT = {
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*",
    "Resource": "*",
}
ASG_ROLE = (
    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)
GRANT_FOR_RESOURCE = {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def _key(*statements):
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": [ROOT, *statements]})}


def _grant(action, condition=None, principal=None, sid="AutoScaling"):
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal or {"AWS": ASG_ROLE},
        "Action": action,
        "Resource": "*",
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    "statements",
    [
        (),
        (
            _grant(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]),
            _grant("kms:CreateGrant", GRANT_FOR_RESOURCE),
        ),
        (_grant("kms:CreateGrant", {"Bool": {"kms:GrantIsForAWSResource": True}}),),
        (_grant(["kms:CreateGrant", "kms:ListGrants"], {"Bool": {"KMS:GrantIsForAwsResource": ["true"]}}),),
        ({**_grant("kms:CreateGrant"), "Effect": "Deny"},),
    ],
    ids=["root-only", "split-statements", "bool-true", "case-and-list", "deny"],
)
def test_grants_only_for_aws_resources_pass(statements):
    assert check_resource(aws.aws_kms_grant_for_aws_resource, aws.KMS_KEY, _key(*statements)) == []


@pytest.mark.parametrize(
    "statement",
    [
        _grant(["kms:Encrypt", "kms:CreateGrant"]),
        _grant("kms:*"),
        _grant("kms:Create*"),
        _grant("*"),
        _grant("kms:creategrant"),
        _grant("kms:CreateGrant", {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}),
        _grant("kms:CreateGrant", {"Bool": {"kms:GrantIsForAWSResource": "false"}}),
        _grant("kms:CreateGrant", principal="*"),
        _grant("kms:CreateGrant", principal={"Service": "logs.us-east-1.amazonaws.com"}),
        {"Sid": "NotAction", "Effect": "Allow", "Principal": {"AWS": ASG_ROLE}, "NotAction": "kms:Decrypt"},
    ],
    ids=[
        "in-a-list",
        "kms-star",
        "create-star",
        "star",
        "lower-case",
        "if-exists",
        "condition-false",
        "anyone",
        "service",
        "not-action",
    ],
)
def test_create_grant_without_the_condition_is_refused(statement):
    found = check_resource(aws.aws_kms_grant_for_aws_resource, aws.KMS_KEY, _key(statement))
    assert len(found) == 1
    assert "kms:GrantIsForAWSResource" in found[0]
    # The same document through aws.kms.KeyPolicy is refused the same way.
    assert check_resource(aws.aws_kms_grant_for_aws_resource, aws.KMS_KEY_POLICY, _key(statement))


def test_unknown_or_missing_key_policy_is_not_judged():
    assert check_resource(aws.aws_kms_grant_for_aws_resource, aws.KMS_KEY, {}) == []
    assert check_resource(aws.aws_kms_grant_for_aws_resource, aws.KMS_KEY, {"policy": "not json"}) == []


# --- EKS bootstrap admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("access_config", "refused"),
    [
        ({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}, False),
        ({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": "false"}, False),
        ({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}, True),
        ({"authenticationMode": "API"}, True),  # the EKS API's default is true
        (None, True),
    ],
    ids=["off", "off-as-string", "on", "unset", "no-access-config"],
)
def test_eks_bootstrap_admin(access_config, refused):
    props = {**EKS} if access_config is None else {**EKS, "accessConfig": access_config}
    found = check_resource(aws.aws_eks_no_bootstrap_admin, aws.EKS_CLUSTER, props)
    assert bool(found) is refused, found
    if refused:
        assert "bootstrap_cluster_creator_admin_permissions=False" in found[0]


def test_new_aws_rules_are_mandatory():
    for policy in (
        aws.aws_cloudtrail_integrity,
        aws.aws_kms_grant_for_aws_resource,
        aws.aws_eks_no_bootstrap_admin,
    ):
        assert policy.enforcement_level.value == "mandatory", policy.name


# --- issue 24: source conditions, CreateGrant in identity policies -----------------------------------------------
from components.aws_gpu_cluster.karpenter import controller_policy, interruption_queue_policy  # noqa: E402
from components.aws_gpu_cluster.network import flow_log_trust_policy  # noqa: E402
from components.aws_gpu_cluster.pod_identity import pod_identity_trust_policy  # noqa: E402

ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/aws-eks"


def _trust(service: str, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize(
    ("resource_type", "props", "refused"),
    [
        (
            "aws:iam/role:Role",
            {"assumeRolePolicy": pod_identity_trust_policy(ACCOUNT, CLUSTER_ARN, "a", "a").to_json()},
            False,
        ),
        ("aws:iam/role:Role", {"assumeRolePolicy": _trust("pods.eks.amazonaws.com")}, True),
        (
            "aws:iam/role:Role",
            {
                "assumeRolePolicy": _trust(
                    "pods.eks.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
                )
            },
            True,
        ),
        (
            "aws:iam/role:Role",
            {"assumeRolePolicy": flow_log_trust_policy(ACCOUNT, "us-east-1", "aws").to_json()},
            False,
        ),
        ("aws:iam/role:Role", {"assumeRolePolicy": _trust("vpc-flow-logs.amazonaws.com")}, True),
        ("aws:iam/role:Role", {"assumeRolePolicy": _trust("ec2.amazonaws.com")}, False),
        (
            "aws:sqs/queuePolicy:QueuePolicy",
            {
                "policy": interruption_queue_policy(
                    "arn:q", ACCOUNT, ["arn:aws:events:us-east-1:1:rule/r"]
                ).to_json()
            },
            False,
        ),
        (
            "aws:sqs/queuePolicy:QueuePolicy",
            {"policy": _trust("events.amazonaws.com").replace("sts:AssumeRole", "sqs:SendMessage")},
            True,
        ),
    ],
)
def test_service_source_conditions(resource_type: str, props: dict, refused: bool) -> None:
    found = check_resource(aws.aws_service_source_conditions, resource_type, props)
    assert bool(found) is refused, found


def test_identity_policies_create_grants_only_for_aws_resources() -> None:
    good = controller_policy(
        partition="aws",
        region="us-east-1",
        account_id=ACCOUNT,
        cluster_name="c",
        node_role_arn="arn:n",
        queue_arn="arn:q",
        key_arn="arn:k",
    ).to_json()
    assert (
        check_resource(aws.aws_iam_grant_for_aws_resource, "aws:iam/rolePolicy:RolePolicy", {"policy": good})
        == []
    )
    bad = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["kms:CreateGrant"], "Resource": "*"}],
        }
    )
    found = check_resource(
        aws.aws_iam_grant_for_aws_resource, "aws:iam/rolePolicy:RolePolicy", {"policy": bad}
    )
    assert found and "GrantIsForAWSResource" in found[0]


# --- issue 24: the deploy role is never cluster-admin ------------------------------------------------------------
DEPLOY_ARN = "arn:aws:iam::123456789012:role/aidc-deploy"
ADMIN_ARN = "arn:aws:iam::123456789012:role/aidc-operators"
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
RBAC = "kubernetes:rbac.authorization.k8s.io/v1:"
DEPLOY_LABELS = {"labels": {"aidc.io/access": "deploy"}}
GOOD_RULES = [
    {"apiGroups": ["karpenter.sh"], "resources": ["nodepools"], "verbs": ["create", "get", "patch"]},
    {
        "apiGroups": [""],
        "resources": ["namespaces"],
        "verbs": ["delete"],
        "resourceNames": ["assistant-chat"],
    },
]


def _access_stack(association_principal=None, rules=None, role_ref="aidc-deploy", groups=("aidc-deploy",)):
    deploy = stack_resource(
        aws.ACCESS_ENTRY,
        "aws-access-deploy",
        {"principalArn": DEPLOY_ARN, "kubernetesGroups": list(groups), "tags": {"aidc:eks-access": "deploy"}},
    )
    admin = stack_resource(
        aws.ACCESS_ENTRY,
        "aws-access-admin",
        {"principalArn": ADMIN_ARN, "tags": {"aidc:eks-access": "admin"}},
    )
    resources = [
        deploy,
        admin,
        stack_resource(
            aws.ACCESS_POLICY_ASSOCIATION,
            "aws-access-admin-policy",
            {"principalArn": ADMIN_ARN, "policyArn": CLUSTER_ADMIN, "accessScope": {"type": "cluster"}},
        ),
        stack_resource(
            RBAC + "ClusterRole",
            "aws-deploy-role",
            {"metadata": {"name": "aidc-deploy", **DEPLOY_LABELS}, "rules": rules or GOOD_RULES},
        ),
        stack_resource(
            RBAC + "ClusterRoleBinding",
            "aws-deploy-binding",
            {
                "metadata": {"name": "aidc-deploy", **DEPLOY_LABELS},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_ref},
                "subjects": [{"kind": "Group", "name": "aidc-deploy"}],
            },
        ),
    ]
    if association_principal is not None:
        resources.append(
            stack_resource(
                aws.ACCESS_POLICY_ASSOCIATION,
                "aws-access-deploy-policy",
                {
                    "principalArn": association_principal,
                    "policyArn": CLUSTER_ADMIN,
                    "accessScope": {"type": "cluster"},
                },
                property_dependencies={"principalArn": [deploy]},
            )
        )
    return resources


@pytest.mark.parametrize(
    ("resources", "refused"),
    [
        (_access_stack(), False),
        (_access_stack(association_principal=DEPLOY_ARN), True),
        # In a preview the principal is not known yet: the dependency on the deploy entry still shows it.
        (_access_stack(association_principal="[unknown]"), True),
        (_access_stack(rules=[{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]), True),
        (_access_stack(rules=[{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]), True),
        (_access_stack(rules=[{"nonResourceURLs": ["/metrics*"], "verbs": ["get"]}]), True),
        (
            _access_stack(
                rules=[
                    {
                        "apiGroups": ["rbac.authorization.k8s.io"],
                        "resources": ["clusterroles"],
                        "verbs": ["escalate"],
                    }
                ]
            ),
            True,
        ),
        (_access_stack(role_ref="cluster-admin"), True),
        (_access_stack(role_ref="some-other-role"), True),
        (_access_stack(groups=("aidc-deploy", "system:masters")), True),
    ],
    ids=[
        "rbac-only",
        "cluster-admin-policy",
        "cluster-admin-in-preview",
        "wildcard-group",
        "wildcard-verb",
        "wildcard-url",
        "escalate",
        "bound-to-cluster-admin",
        "bound-to-an-unlabelled-role",
        "system-masters",
    ],
)
def test_deploy_role_least_privilege(resources, refused):
    found = check_stack(aws.aws_eks_deploy_least_privilege, resources)
    assert bool(found) is refused, found


def test_deploy_least_privilege_is_mandatory():
    assert aws.aws_eks_deploy_least_privilege.enforcement_level.value == "mandatory"


# --- Direct Connect: MACsec ports must_encrypt --------------------------------------------------------------------
def _dx_lag(member_props: dict, key_on: str = "lag", members: int = 1):
    """A LAG, `members` ports joined to it by ConnectionAssociations (property dependencies, as the engine and the
    offline recorder hand them over) and a MACsec key on the LAG (key_on='lag'), on the first port ('port') or
    none."""
    lag = stack_resource(aws.DX_LAG, "dx-link-0", {"name": "dx-link-0", "connectionsBandwidth": "100Gbps"})
    resources = [lag]
    ports = []
    for index in range(members):
        port = stack_resource(
            aws.DX_CONNECTION,
            f"dx-link-0-port-{index}",
            {"bandwidth": "100Gbps", "location": "EqDC2", **member_props},
        )
        ports.append(port)
        resources += [
            port,
            stack_resource(
                aws.DX_LAG_MEMBER,
                f"dx-link-0-port-{index}-lag",
                {"connectionId": "dxcon-1", "lagId": "dxlag-1"},
                property_dependencies={"connectionId": [port], "lagId": [lag]},
            ),
        ]
    if key_on != "none":
        target = lag if key_on == "lag" else ports[0]
        resources.append(
            stack_resource(
                aws.DX_MACSEC_KEY,
                "dx-link-0-macsec",
                {"connectionId": "dxlag-1", "ckn": "[secret]", "cak": "[secret]"},
                property_dependencies={"connectionId": [target]},
            )
        )
    return resources


MUST = {"requestMacsec": True, "encryptionMode": "must_encrypt"}


@pytest.mark.parametrize("key_on", ["lag", "port", "none"])
def test_macsec_ports_that_must_encrypt_pass(key_on):
    assert check_stack(aws.aws_direct_connect_macsec_must_encrypt, _dx_lag(MUST, key_on, members=2)) == []


def test_ports_without_macsec_planned_are_not_judged():
    """IPsec over the link, or public data: no requestMacsec, no key, no mode."""
    assert (
        check_stack(aws.aws_direct_connect_macsec_must_encrypt, _dx_lag({"requestMacsec": False}, "none"))
        == []
    )


@pytest.mark.parametrize(
    ("props", "key_on", "says"),
    [
        (
            {"requestMacsec": True, "encryptionMode": "should_encrypt"},
            "none",
            "encryptionMode is 'should_encrypt'",
        ),
        ({"requestMacsec": True, "encryptionMode": "no_encrypt"}, "none", "requestMacsec is true"),
        ({"requestMacsec": True}, "none", "encryptionMode is None"),
        ({}, "lag", "it is a port of LAG dx-link-0, which has a MACsec key"),
        ({"encryptionMode": "must_encrypt"}, "lag", "requestMacsec is not true"),
        (
            {"requestMacsec": False, "encryptionMode": "must_encrypt"},
            "port",
            "a MACsec key is associated with it",
        ),
        ({"requestMacsec": "true", "encryptionMode": "MUST_ENCRYPT"}, "none", "not 'must_encrypt'"),
    ],
)
def test_macsec_ports_that_may_fall_back_to_clear_text_are_refused(props, key_on, says):
    found = check_stack(aws.aws_direct_connect_macsec_must_encrypt, _dx_lag(props, key_on, members=2))
    assert found, props
    messages = [message for message, _ in found]
    assert all(says in m or key_on == "port" for m in messages), messages
    assert any(says in m for m in messages), messages
    assert all("encryption_mode='must_encrypt'" in m and "dx-link-0-port-" in m for m in messages), messages
    assert {urn.split("::")[-1] for _, urn in found} <= {"dx-link-0-port-0", "dx-link-0-port-1"}


def test_a_macsec_lag_without_declared_ports_is_refused_on_the_lag():
    resources = [
        r
        for r in _dx_lag(MUST, "lag")
        if r.resource_type == aws.DX_LAG or r.resource_type == aws.DX_MACSEC_KEY
    ]
    [(message, urn)] = check_stack(aws.aws_direct_connect_macsec_must_encrypt, resources)
    assert urn.endswith("::dx-link-0") and "no member connection" in message and "must_encrypt" in message


def test_a_port_of_another_lag_is_not_judged_by_this_lags_key():
    resources = _dx_lag(MUST, "lag")
    other = stack_resource(aws.DX_LAG, "dx-link-1", {"name": "dx-link-1"})
    port = stack_resource(aws.DX_CONNECTION, "dx-link-1-port-0", {"bandwidth": "100Gbps"})
    join = stack_resource(
        aws.DX_LAG_MEMBER,
        "dx-link-1-port-0-lag",
        {"connectionId": "dxcon-2", "lagId": "dxlag-2"},
        property_dependencies={"connectionId": [port], "lagId": [other]},
    )
    assert check_stack(aws.aws_direct_connect_macsec_must_encrypt, [*resources, other, port, join]) == []


def test_direct_connect_macsec_rule_is_mandatory():
    assert aws.aws_direct_connect_macsec_must_encrypt.enforcement_level == aws.MANDATORY
    assert aws.aws_direct_connect_macsec_must_encrypt in aws.POLICIES
