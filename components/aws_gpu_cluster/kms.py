"""The component's one customer-managed KMS key (EKS secrets, EBS volumes, S3 objects, log groups, the audit
trail) and its alias.

The key policy lets the account's IAM decide (root statement), the Auto Scaling service-linked role use the key
for EBS (node groups fail to launch otherwise) and create grants only for AWS resources (the EBS key-policy
statements AWS documents for Auto Scaling), CloudWatch Logs encrypt this account's log groups (the VPC flow log,
the EKS control plane, the VPN tunnel logs), CloudTrail encrypt the component's trail (only that trail:
aws:SourceArn, and only trail files: kms:EncryptionContext:aws:cloudtrail:arn), and S3 server access logging
encrypt the access logs it writes into the log bucket (bucket default SSE-KMS).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.audit import trail_arn
from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement


def key_policy(account_id: str, region: str, partition: str, trail: str) -> PolicyDocument:
    """The key policy: account root through IAM, Auto Scaling for EBS, CloudWatch Logs for this account's groups,
    CloudTrail for the trail whose ARN is `trail`, S3 server access logging (data keys only)."""
    autoscaling_role = (
        f"arn:{partition}:iam::{account_id}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling"
    )
    return PolicyDocument(
        (
            PolicyStatement(
                sid="AccountAdministersKeyThroughIam",
                effect="Allow",
                principal={"AWS": f"arn:{partition}:iam::{account_id}:root"},
                action="kms:*",
                resource="*",
            ),
            PolicyStatement(
                sid="AutoScalingUsesKeyForEbs",
                effect="Allow",
                principal={"AWS": autoscaling_role},
                action=(
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ),
                resource="*",
            ),
            # A grant lets its grantee use the key; this one may only be made for an AWS resource (the EBS
            # volume Auto Scaling attaches), never handed to an arbitrary principal.
            PolicyStatement(
                sid="AutoScalingAttachesPersistentResources",
                effect="Allow",
                principal={"AWS": autoscaling_role},
                action="kms:CreateGrant",
                resource="*",
                condition={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            ),
            *_log_statements(account_id, region, partition, trail),
        )
    )


def _log_statements(account_id: str, region: str, partition: str, trail: str) -> tuple[PolicyStatement, ...]:
    """The log writers: CloudWatch Logs for this account's groups, CloudTrail for the one trail, S3 access logging."""
    return (
        PolicyStatement(
            sid="CloudWatchLogsEncryptsLogGroups",
            effect="Allow",
            principal={"Service": f"logs.{region}.amazonaws.com"},
            action=(
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ),
            resource="*",
            condition={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:*"
                }
            },
        ),
        PolicyStatement(
            sid="CloudTrailEncryptsTrailFiles",
            effect="Allow",
            principal={"Service": "cloudtrail.amazonaws.com"},
            action="kms:GenerateDataKey*",
            resource="*",
            condition={
                "StringEquals": {"aws:SourceArn": trail},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"
                },
            },
        ),
        PolicyStatement(
            sid="CloudTrailDescribesKey",
            effect="Allow",
            principal={"Service": "cloudtrail.amazonaws.com"},
            action="kms:DescribeKey",
            resource="*",
            condition={"StringEquals": {"aws:SourceArn": trail}},
        ),
        # Encrypt side only (no Decrypt): what may be written where is the log bucket policy's business
        # (aws:SourceArn of the dataset bucket). No condition key here: one the logging service does not
        # forward to KMS would make access logs fail without a word.
        PolicyStatement(
            sid="S3LoggingEncryptsAccessLogs",
            effect="Allow",
            principal={"Service": "logging.s3.amazonaws.com"},
            action="kms:GenerateDataKey",
            resource="*",
        ),
    )


def create_key(
    scope: Scope,
    trail_name: str,
    account_id: pulumi.Output[str],
    region: pulumi.Output[str],
    partition: pulumi.Output[str],
) -> aws.kms.Key:
    """The rotating KMS key (30-day deletion window) and its alias alias/aidc-<name>."""
    policy = pulumi.Output.all(account_id, region, partition).apply(
        lambda v: key_policy(v[0], v[1], v[2], trail_arn(v[2], v[1], v[0], trail_name)).to_json()
    )
    key = aws.kms.Key(
        f"{scope.name}-kms",
        description=f"aidc {scope.name}: EKS secrets, EBS, S3 datasets, logs",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy,
        tags=scope.tags,
        opts=scope.opts(),
    )
    aws.kms.Alias(
        f"{scope.name}-kms-alias",
        name=f"alias/aidc-{scope.name}",
        target_key_id=key.key_id,
        opts=scope.opts(),
    )
    return key
