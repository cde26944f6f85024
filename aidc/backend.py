"""Bootstrap of a self-managed Pulumi state backend with boto3: one S3 bucket (versioning on, SSE-KMS
with a bucket key, all public access blocked, a TLS-only bucket policy) and one KMS key with rotation on,
found again by its alias. Idempotent: every setting is read first and written only when it differs, so
a second run changes nothing and creates no second key.

The endpoint comes from `endpoint_url` or, when None, boto3's own AWS_ENDPOINT_URL handling.

Concurrent runs converge: two bootstraps racing for the same alias both create a key, only one alias can be
created; the run that loses (AlreadyExistsException) schedules its own key for deletion (7 days, the shortest
window KMS allows) and continues with the winner's, so both succeed with one aliased key and no orphan.
An endpoint that answers with something that is not an AWS response raises `BackendError`, naming the call.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any

TLS_ONLY_SID = "DenyInsecureTransport"
# KMS ScheduleKeyDeletion: PendingWindowInDays is 7-30.
DISCARDED_KEY_PENDING_DAYS = 7


class BackendError(RuntimeError):
    """The backend cannot be converged (an endpoint's odd answer, a key in the wrong state); one line."""


def _field(response: Any, operation: str, *path: str) -> Any:
    """response[path[0]][path[1]]…, or BackendError naming the call whose answer lacks it."""
    value = response
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise BackendError(
                f"the endpoint's answer to {operation} has no {'.'.join(path)}: it did not answer like AWS "
                "(check --endpoint-url / AWS_ENDPOINT_URL)"
            )
        value = value[key]
    return value


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ALIAS = re.compile(r"^alias/[a-zA-Z0-9/_-]{1,250}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")


def validate(bucket: str, region: str, kms_alias: str) -> None:
    """Raise ValueError naming the option and what is allowed."""
    if not _BUCKET.match(bucket) or ".." in bucket or ".-" in bucket or "-." in bucket:
        raise ValueError(
            f"--bucket: {bucket!r} is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, "
            "'.' and '-', starting and ending with a letter or digit)"
        )
    try:
        ipaddress.ip_address(bucket)
    except ValueError:
        pass
    else:
        raise ValueError(f"--bucket: {bucket!r} looks like an IP address; S3 bucket names may not")
    if not _REGION.match(region):
        raise ValueError(f"--region: {region!r} is not an AWS region name (e.g. us-east-1, eu-west-1)")
    if not _ALIAS.match(kms_alias) or kms_alias.startswith("alias/aws/"):
        raise ValueError(
            f"--kms-alias: {kms_alias!r} must look like alias/NAME (letters, digits, '/', '_', '-'); "
            "the alias/aws/ prefix is reserved for AWS managed keys"
        )


def tls_only_statement(bucket: str) -> dict[str, Any]:
    return {
        "Sid": TLS_ONLY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


@dataclass
class BootstrapResult:
    """What bootstrap found and did; `actions` are (resource, "created" | "updated" | "unchanged", note)."""

    bucket: str
    region: str
    kms_alias: str
    kms_key_arn: str = ""
    actions: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(state != "unchanged" for _, state, _ in self.actions)

    @property
    def login_command(self) -> str:
        # Quoted: '?' and '&' are special to shells. awssdk=v2 per Pulumi's DIY backend docs.
        return f"pulumi login 's3://{self.bucket}?region={self.region}&awssdk=v2'"

    @property
    def secrets_provider(self) -> str:
        return f'--secrets-provider="awskms://{self.kms_alias}?region={self.region}"'

    def to_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "region": self.region,
            "kms_alias": self.kms_alias,
            "kms_key_arn": self.kms_key_arn,
            "actions": [{"resource": r, "state": s, "note": n} for r, s, n in self.actions],
            "changed": self.changed,
            "login": self.login_command,
            "secrets_provider": self.secrets_provider,
        }


def _code(exc: BaseException) -> str:
    return str((getattr(exc, "response", None) or {}).get("Error", {}).get("Code", ""))


def _aliased_key(kms: Any, alias: str) -> str | None:
    for page in kms.get_paginator("list_aliases").paginate():
        for entry in page.get("Aliases", []) if isinstance(page, dict) else []:
            if isinstance(entry, dict) and entry.get("AliasName") == alias and entry.get("TargetKeyId"):
                return str(entry["TargetKeyId"])
    return None


def _discard_key(kms: Any, key_id: str) -> None:
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=DISCARDED_KEY_PENDING_DAYS)


def _ensure_key(kms: Any, alias: str, result: BootstrapResult) -> str:
    key_id = _aliased_key(kms, alias)
    if key_id is None:
        created = kms.create_key(
            Description="Pulumi state backend and secrets provider (aidc backend bootstrap)",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=[{"TagKey": "managed-by", "TagValue": "aidc"}],
        )
        new_key = str(_field(created, "KMS CreateKey", "KeyMetadata", "KeyId"))
        try:
            kms.create_alias(AliasName=alias, TargetKeyId=new_key)
        except Exception as exc:
            # Never leave the key just made behind without an alias: nothing would ever find it again.
            _discard_key(kms, new_key)
            if _code(exc) != "AlreadyExistsException":
                raise
            # Another bootstrap created the alias between our lookup and now: use its key.
            key_id = _aliased_key(kms, alias)
            if key_id is None:
                raise BackendError(
                    f"{alias} exists but names no key; delete the alias or choose another"
                ) from None
            result.actions.append(
                (
                    "kms key",
                    "unchanged",
                    f"{alias} -> {key_id} (made by a concurrent run; this run's key {new_key} is scheduled "
                    f"for deletion in {DISCARDED_KEY_PENDING_DAYS} days)",
                )
            )
        else:
            key_id = new_key
            result.actions.append(("kms key", "created", f"{alias} -> {key_id}"))
    else:
        result.actions.append(("kms key", "unchanged", f"{alias} -> {key_id}"))
    metadata = _field(kms.describe_key(KeyId=key_id), "KMS DescribeKey", "KeyMetadata")
    if metadata.get("KeyState") != "Enabled":
        raise BackendError(
            f"the KMS key behind {alias} is {metadata.get('KeyState')}; enable it (or cancel its deletion) "
            "or choose another --kms-alias"
        )
    if kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled"):
        result.actions.append(("kms key rotation", "unchanged", "enabled"))
    else:
        kms.enable_key_rotation(KeyId=key_id)
        result.actions.append(("kms key rotation", "updated", "enabled"))
    return str(_field(metadata, "KMS DescribeKey", "Arn"))


def _ensure_bucket(s3: Any, bucket: str, region: str, result: BootstrapResult) -> None:
    listed = _field(s3.list_buckets(), "S3 ListBuckets", "Buckets")
    owned = {b.get("Name") for b in listed if isinstance(b, dict)} if isinstance(listed, list) else set()
    if bucket in owned:
        result.actions.append(("s3 bucket", "unchanged", bucket))
        return
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except Exception as exc:
        if _code(exc) == "BucketAlreadyOwnedByYou":
            result.actions.append(("s3 bucket", "unchanged", bucket))
            return
        if _code(exc) == "BucketAlreadyExists":
            raise BackendError(
                f"bucket {bucket} exists and belongs to another account; choose another --bucket"
            ) from None
        raise
    result.actions.append(("s3 bucket", "created", f"{bucket} in {region}"))


def _ensure_settings(s3: Any, bucket: str, key_arn: str, result: BootstrapResult) -> None:
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled":
        result.actions.append(("versioning", "unchanged", "Enabled"))
    else:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        result.actions.append(("versioning", "updated", "Enabled"))

    wanted_rule = {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
        "BucketKeyEnabled": True,
    }
    try:
        rules = _field(
            s3.get_bucket_encryption(Bucket=bucket),
            "S3 GetBucketEncryption",
            "ServerSideEncryptionConfiguration",
            "Rules",
        )
    except Exception as exc:
        if _code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    current = rules[0] if isinstance(rules, list) and len(rules) == 1 and isinstance(rules[0], dict) else {}
    default = current.get("ApplyServerSideEncryptionByDefault", {})
    if (
        default.get("SSEAlgorithm") == "aws:kms"
        and default.get("KMSMasterKeyID") == key_arn
        and current.get("BucketKeyEnabled")
    ):
        result.actions.append(("encryption", "unchanged", "SSE-KMS"))
    else:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [wanted_rule]})
        result.actions.append(("encryption", "updated", f"SSE-KMS with {key_arn}"))

    wanted_block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    try:
        block = _field(
            s3.get_public_access_block(Bucket=bucket),
            "S3 GetPublicAccessBlock",
            "PublicAccessBlockConfiguration",
        )
    except Exception as exc:
        if _code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        block = {}
    if isinstance(block, dict) and all(block.get(k) is True for k in wanted_block):
        result.actions.append(("public access block", "unchanged", "all blocked"))
    else:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=wanted_block)
        result.actions.append(("public access block", "updated", "all blocked"))

    statement = tls_only_statement(bucket)
    try:
        text = _field(s3.get_bucket_policy(Bucket=bucket), "S3 GetBucketPolicy", "Policy")
    except Exception as exc:
        if _code(exc) != "NoSuchBucketPolicy":
            raise
        text = '{"Version": "2012-10-17", "Statement": []}'
    try:
        policy = json.loads(text)
    except (TypeError, ValueError):
        raise BackendError(
            f"the bucket policy of {bucket} is not JSON; fix or delete it and run again"
        ) from None
    if not isinstance(policy, dict):
        raise BackendError(f"the bucket policy of {bucket} is not a JSON object; fix or delete it")
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        statements = []
    if statement in statements:
        result.actions.append(("bucket policy", "unchanged", "TLS only"))
    else:
        # Keep the owner's other statements; replace only ours.
        policy["Statement"] = [
            s for s in statements if not (isinstance(s, dict) and s.get("Sid") == TLS_ONLY_SID)
        ] + [statement]
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        result.actions.append(("bucket policy", "updated", "TLS only (deny aws:SecureTransport=false)"))


def bootstrap(
    bucket: str,
    region: str,
    kms_alias: str,
    endpoint_url: str | None = None,
    session: Any = None,
) -> BootstrapResult:
    """Create or converge the state bucket and its KMS key; raises ValueError for bad input."""
    from aidc.preflight.retry import aws_session, boto_config

    validate(bucket, region, kms_alias)
    session = session or aws_session()
    kwargs: dict[str, Any] = {"region_name": region, "config": boto_config()}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    kms = session.client("kms", **kwargs)
    s3 = session.client("s3", **kwargs)
    result = BootstrapResult(bucket, region, kms_alias)
    result.kms_key_arn = _ensure_key(kms, kms_alias, result)
    _ensure_bucket(s3, bucket, region, result)
    _ensure_settings(s3, bucket, result.kms_key_arn, result)
    return result
