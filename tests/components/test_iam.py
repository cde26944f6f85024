"""components/iam.py and the documents AwsGpuCluster builds with it: the JSON is an input of live IAM, KMS and
S3 resources, so its bytes (key order, string vs list) are pinned against the documents written out by hand."""

from __future__ import annotations

import json

from components.aws_gpu_cluster.bucket import log_bucket_policy, tls_only_policy
from components.aws_gpu_cluster.kms import key_policy
from components.aws_gpu_cluster.network import flow_log_policy
from components.aws_gpu_cluster.pod_identity import pod_identity_trust_policy, workload_data_policy
from components.iam import PolicyDocument, PolicyStatement, assume_role_policy, managed_policy_arn

BUCKET = "arn:aws:s3:::gpu-data-1a2b3c4"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0d1e2f30-0000-4000-8000-000000000001"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aidc/gpu/vpc-flow-logs"


def test_statement_keys_come_out_in_iam_order_and_absent_parts_are_left_out() -> None:
    statement = PolicyStatement(
        condition={"Bool": {"aws:SecureTransport": "false"}},
        resource="*",
        action="s3:*",
        principal="*",
        effect="Deny",
        sid="S",
    )
    assert list(statement.to_dict()) == ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]
    assert list(PolicyStatement(effect="Allow", action="s3:GetObject").to_dict()) == ["Effect", "Action"]


def test_a_string_stays_a_string_and_a_tuple_becomes_a_list() -> None:
    one = PolicyStatement(effect="Allow", action="kms:*", resource=("a", "b")).to_dict()
    assert one["Action"] == "kms:*" and one["Resource"] == ["a", "b"]
    single = PolicyStatement(effect="Allow", action=("s3:ListBucket",), resource="a").to_dict()
    assert single["Action"] == ["s3:ListBucket"] and single["Resource"] == "a"


def test_document_json_is_version_then_statements() -> None:
    document = PolicyDocument((PolicyStatement(effect="Allow", action="sts:AssumeRole"),))
    assert (
        document.to_json()
        == '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}'
    )


def test_trust_policy_and_managed_policy_arn() -> None:
    assert assume_role_policy("eks.amazonaws.com").to_json() == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    assert (
        managed_policy_arn("aws-cn", "AmazonEKSClusterPolicy")
        == "arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy"
    )


def test_bucket_tls_only_policy_bytes() -> None:
    assert tls_only_policy(BUCKET).to_json() == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [BUCKET, f"{BUCKET}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def test_workload_data_policy_bytes_reach_only_its_prefix_and_the_key_through_s3() -> None:
    assert workload_data_policy(BUCKET, KEY, "chat/", "us-east-1").to_json() == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListOwnPrefix",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": BUCKET,
                    "Condition": {"StringLike": {"s3:prefix": "chat/*"}},
                },
                {
                    "Sid": "ReadWriteOwnPrefix",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                    "Resource": f"{BUCKET}/chat/*",
                },
                {
                    "Sid": "BucketKeyThroughS3",
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": KEY,
                    "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
                },
            ],
        }
    )


def test_pod_identity_trust_lets_only_the_pod_identity_service_assume_and_tag() -> None:
    cluster = "arn:aws:eks:us-east-1:123456789012:cluster/aws-eks"
    statement = json.loads(pod_identity_trust_policy("123456789012", cluster, "chat", "chat").to_json())[
        "Statement"
    ]
    assert statement == [
        {
            "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": "123456789012",
                    "aws:RequestTag/eks-cluster-arn": cluster,
                    "aws:RequestTag/kubernetes-namespace": "chat",
                    "aws:RequestTag/kubernetes-service-account": "chat",
                }
            },
        }
    ]


def test_flow_log_trust_is_for_this_accounts_flow_logs_only() -> None:
    from components.aws_gpu_cluster.network import flow_log_trust_policy

    (statement,) = json.loads(flow_log_trust_policy("123456789012", "us-east-1", "aws").to_json())[
        "Statement"
    ]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"},
    }


def test_flow_log_policy_bytes() -> None:
    assert flow_log_policy(LOGS).to_json() == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": [LOGS, f"{LOGS}:*"],
                }
            ],
        }
    )


def test_key_policy_bytes() -> None:
    account, region, partition = "123456789012", "us-east-1", "aws"
    trail = f"arn:{partition}:cloudtrail:{region}:{account}:trail/gpu-trail"
    assert key_policy(account, region, partition, trail).to_json() == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministersKeyThroughIam",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingUsesKeyForEbs",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:{partition}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
                        "AWSServiceRoleForAutoScaling"
                    },
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingAttachesPersistentResources",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:{partition}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
                        "AWSServiceRoleForAutoScaling"
                    },
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
                {
                    "Sid": "CloudWatchLogsEncryptsLogGroups",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account}:*"
                        }
                    },
                },
                {
                    "Sid": "CloudTrailEncryptsTrailFiles",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:GenerateDataKey*",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:SourceArn": trail},
                        "StringLike": {
                            "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account}:trail/*"
                        },
                    },
                },
                {
                    "Sid": "CloudTrailDescribesKey",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail}},
                },
                {
                    "Sid": "S3LoggingEncryptsAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "kms:GenerateDataKey",
                    "Resource": "*",
                },
            ],
        }
    )


def test_log_bucket_policy_bytes() -> None:
    logs, trail = "arn:aws:s3:::gpu-logs-5e6f7a8", "arn:aws:cloudtrail:us-east-1:123456789012:trail/gpu-trail"
    assert log_bucket_policy(logs, BUCKET, "123456789012", trail).to_json() == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "S3ServerAccessLogsWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{logs}/s3-access/*",
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": BUCKET},
                        "StringEquals": {"aws:SourceAccount": "123456789012"},
                    },
                },
                {
                    "Sid": "CloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": logs,
                    "Condition": {"StringEquals": {"aws:SourceArn": trail}},
                },
                {
                    "Sid": "CloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{logs}/cloudtrail/AWSLogs/123456789012/*",
                    "Condition": {
                        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}
                    },
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [logs, f"{logs}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )
