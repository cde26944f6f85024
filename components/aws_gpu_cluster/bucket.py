"""The dataset and checkpoint bucket of AwsGpuCluster: SSE-KMS with the component's key, versioned, owner-enforced,
every public access blocked, and a bucket policy that refuses requests without TLS.
"""

from __future__ import annotations

import pulumi_aws as aws

from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement


def tls_only_policy(bucket_arn: str) -> PolicyDocument:
    """Deny every S3 action on the bucket and its objects over plain HTTP."""
    return PolicyDocument(
        (
            PolicyStatement(
                sid="DenyInsecureTransport",
                effect="Deny",
                principal="*",
                action="s3:*",
                resource=(bucket_arn, f"{bucket_arn}/*"),
                condition={"Bool": {"aws:SecureTransport": "false"}},
            ),
        )
    )


def create_bucket(scope: Scope, key: aws.kms.Key) -> aws.s3.Bucket:
    """The bucket and its ownership, public-access block, encryption, versioning and TLS-only policy."""
    name = scope.name
    bucket = aws.s3.Bucket(f"{name}-data", force_destroy=False, tags=scope.tags, opts=scope.opts())
    aws.s3.BucketOwnershipControls(
        f"{name}-data-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=scope.opts(),
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{name}-data-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=scope.opts(),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-data-sse",
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
        f"{name}-data-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=scope.opts(),
    )
    aws.s3.BucketPolicy(
        f"{name}-data-tls-only",
        bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: tls_only_policy(arn).to_json()),
        opts=scope.opts(depends_on=[public_access]),
    )
    return bucket
