"""The component's one customer-managed KMS key (EKS secrets, EBS volumes, S3 objects, log groups) and its alias.

The key policy lets the account's IAM decide (root statement), the Auto Scaling service-linked role use the key
for EBS (node groups fail to launch otherwise) and CloudWatch Logs encrypt the component's log groups.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement


def key_policy(account_id: str, region: str, partition: str) -> PolicyDocument:
    """The key policy: account root through IAM, Auto Scaling for EBS, CloudWatch Logs for this account's groups."""
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
                principal={
                    "AWS": f"arn:{partition}:iam::{account_id}:role/aws-service-role/autoscaling.amazonaws.com/"
                    "AWSServiceRoleForAutoScaling"
                },
                action=(
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                ),
                resource="*",
            ),
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
        )
    )


def create_key(
    scope: Scope,
    account_id: pulumi.Output[str],
    region: pulumi.Output[str],
    partition: pulumi.Output[str],
) -> aws.kms.Key:
    """The rotating KMS key (30-day deletion window) and its alias alias/aidc-<name>."""
    policy = pulumi.Output.all(account_id, region, partition).apply(lambda v: key_policy(*v).to_json())
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
