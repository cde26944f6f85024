"""The audit trail of AwsGpuCluster: who read or wrote training data, and who changed the account.

- a log bucket (components/aws_gpu_cluster/bucket.py: SSE-KMS with the component's key, versioned, owner
  enforced, public access blocked, TLS only) whose policy lets S3 server access logging and CloudTrail write;
- S3 server access logging of the dataset bucket into it (every request, including anonymous and denied ones);
- one multi-region CloudTrail trail into it: management events, and S3 data events (object reads and writes)
  of the dataset bucket only, log file validation on (a signed digest per hour proves no file was changed or
  removed), KMS-encrypted with the component's key (kms.py grants CloudTrail under aws:SourceArn and
  kms:EncryptionContext:aws:cloudtrail:arn conditions).

The logging configuration and the trail wait for the log bucket's policy: CloudTrail refuses to create a trail
whose bucket does not yet let it write (InsufficientS3BucketPolicyException).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_gpu_cluster.bucket import (
    ACCESS_LOG_PREFIX,
    TRAIL_PREFIX,
    log_bucket_policy,
    secured_bucket,
)
from components.aws_gpu_cluster.scope import Scope


def trail_physical_name(name: str, trail_name: str | None = None) -> str:
    """The trail's name in AWS (the Args' trail_name, or '<component name>-trail'); the key and bucket policies
    name its ARN before it exists."""
    return trail_name or f"{name}-trail"


def trail_arn(partition: str, region: str, account_id: str, trail: str) -> str:
    """The ARN of the trail named `trail` (a multi-region trail's ARN carries its home region)."""
    return f"arn:{partition}:cloudtrail:{region}:{account_id}:trail/{trail}"


def event_selectors(
    data_bucket_arn: pulumi.Input[str],
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgs]:
    """Advanced event selectors: every management event, and object-level data events of one bucket."""
    objects = pulumi.Output.from_input(data_bucket_arn).apply(lambda arn: f"{arn}/")
    field = aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs
    return [
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="Management events",
            field_selectors=[field(field="eventCategory", equals=["Management"])],
        ),
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="Dataset bucket object reads and writes",
            field_selectors=[
                field(field="eventCategory", equals=["Data"]),
                field(field="resources.type", equals=["AWS::S3::Object"]),
                field(field="resources.ARN", starts_withs=[objects]),
            ],
        ),
    ]


@dataclass(frozen=True)
class Audit:
    """The audit resources others may refer to."""

    log_bucket: aws.s3.Bucket
    """Where the access logs and the trail's files go."""
    trail: aws.cloudtrail.Trail
    """The multi-region trail."""


def create_audit_trail(
    scope: Scope,
    key: aws.kms.Key,
    data_bucket: aws.s3.Bucket,
    trail_name: str,
    account_id: pulumi.Output[str],
    region: pulumi.Output[str],
    partition: pulumi.Output[str],
) -> Audit:
    """The log bucket and its policy, access logging of `data_bucket`, and the trail named `trail_name`."""
    name = scope.name
    logs = secured_bucket(scope, "logs", key)
    policy = aws.s3.BucketPolicy(
        f"{name}-logs-policy",
        bucket=logs.bucket.id,
        policy=pulumi.Output.all(logs.bucket.arn, data_bucket.arn, account_id, region, partition).apply(
            lambda v: log_bucket_policy(v[0], v[1], v[2], trail_arn(v[4], v[3], v[2], trail_name)).to_json()
        ),
        opts=scope.opts(depends_on=[logs.public_access]),
    )
    aws.s3.BucketLogging(
        f"{name}-data-access-logging",
        bucket=data_bucket.id,
        target_bucket=logs.bucket.id,
        target_prefix=ACCESS_LOG_PREFIX,
        # [prefix][account]/[region]/[bucket]/[YYYY]/[MM]/[DD]/...: partitioned by the request's time, so a
        # query over one day reads one day's objects.
        target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
        opts=scope.opts(depends_on=[policy]),
    )
    trail = aws.cloudtrail.Trail(
        f"{name}-trail",
        name=trail_name,
        s3_bucket_name=logs.bucket.id,
        s3_key_prefix=TRAIL_PREFIX,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        kms_key_id=key.arn,
        advanced_event_selectors=event_selectors(data_bucket.arn),
        tags=scope.tags,
        opts=scope.opts(depends_on=[policy]),
    )
    return Audit(logs.bucket, trail)
