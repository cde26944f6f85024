"""The buckets of AwsGpuCluster: the dataset and checkpoint bucket and the audit log bucket, each SSE-KMS with the
component's key, versioned, owner-enforced, every public access blocked, and a bucket policy that refuses
requests without TLS.

The log bucket's policy also lets the two services that write into it do so, each only under its own prefix
and only for this stack's sources (components/aws_gpu_cluster/audit.py declares the logging and the trail).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws

from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement

# Where each writer puts its objects in the log bucket.
ACCESS_LOG_PREFIX = "s3-access/"
TRAIL_PREFIX = "cloudtrail"


def deny_insecure_transport(bucket_arn: str) -> PolicyStatement:
    """Deny every S3 action on the bucket and its objects over plain HTTP."""
    return PolicyStatement(
        sid="DenyInsecureTransport",
        effect="Deny",
        principal="*",
        action="s3:*",
        resource=(bucket_arn, f"{bucket_arn}/*"),
        condition={"Bool": {"aws:SecureTransport": "false"}},
    )


def tls_only_policy(bucket_arn: str) -> PolicyDocument:
    """The dataset bucket's policy: TLS only."""
    return PolicyDocument((deny_insecure_transport(bucket_arn),))


def log_bucket_policy(
    log_bucket_arn: str, source_bucket_arn: str, account_id: str, trail_arn: str
) -> PolicyDocument:
    """The log bucket's policy: S3 server access logging writes the source bucket's logs under
    ACCESS_LOG_PREFIX, CloudTrail checks the bucket ACL and writes the trail's logs under TRAIL_PREFIX (the
    statements AWS documents for each, narrowed with aws:SourceArn/aws:SourceAccount against confused
    deputies), and nothing is served without TLS."""
    return PolicyDocument(
        (
            PolicyStatement(
                sid="S3ServerAccessLogsWrite",
                effect="Allow",
                principal={"Service": "logging.s3.amazonaws.com"},
                action="s3:PutObject",
                resource=f"{log_bucket_arn}/{ACCESS_LOG_PREFIX}*",
                condition={
                    "ArnLike": {"aws:SourceArn": source_bucket_arn},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            ),
            PolicyStatement(
                sid="CloudTrailAclCheck",
                effect="Allow",
                principal={"Service": "cloudtrail.amazonaws.com"},
                action="s3:GetBucketAcl",
                resource=log_bucket_arn,
                condition={"StringEquals": {"aws:SourceArn": trail_arn}},
            ),
            PolicyStatement(
                sid="CloudTrailWrite",
                effect="Allow",
                principal={"Service": "cloudtrail.amazonaws.com"},
                action="s3:PutObject",
                resource=f"{log_bucket_arn}/{TRAIL_PREFIX}/AWSLogs/{account_id}/*",
                condition={
                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
                },
            ),
            deny_insecure_transport(log_bucket_arn),
        )
    )


@dataclass(frozen=True)
class SecuredBucket:
    """A bucket with its encryption, versioning, ownership and public-access block declared."""

    bucket: aws.s3.Bucket
    """The bucket."""
    public_access: aws.s3.BucketPublicAccessBlock
    """Its public-access block: a bucket policy is put only after it (S3 refuses a public policy otherwise)."""


def secured_bucket(scope: Scope, role: str, key: aws.kms.Key) -> SecuredBucket:
    """The bucket f"{name}-{role}" and its ownership, public-access block, encryption and versioning."""
    name = f"{scope.name}-{role}"
    bucket = aws.s3.Bucket(name, force_destroy=False, tags=scope.tags, opts=scope.opts())
    # Owner enforced: ACLs are off, so only the bucket policy grants access (log writers included).
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=scope.opts(),
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=scope.opts(),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key.arn,
                },
                "bucket_key_enabled": True,
            }
        ],
        opts=scope.opts(),
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=scope.opts(),
    )
    return SecuredBucket(bucket, public_access)


def create_bucket(scope: Scope, key: aws.kms.Key) -> aws.s3.Bucket:
    """The dataset bucket and its TLS-only policy."""
    data = secured_bucket(scope, "data", key)
    aws.s3.BucketPolicy(
        f"{scope.name}-data-tls-only",
        bucket=data.bucket.id,
        policy=data.bucket.arn.apply(lambda arn: tls_only_policy(arn).to_json()),
        opts=scope.opts(depends_on=[data.public_access]),
    )
    return data.bucket
