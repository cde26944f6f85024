"""Bootstrap of a self-managed Pulumi state backend with boto3: one S3 bucket (versioning on, SSE-KMS
with a bucket key, all public access blocked, a TLS-only bucket policy) and one KMS key with rotation on,
found again by its alias; both limited to named principals (aidc/backend_access.py), and the bucket's data
events added to a CloudTrail trail that exists (`trail`). Idempotent: every setting is read first and written
only when it differs, so a second run changes nothing and creates no second key.

Read before anything is made: a bucket that exists in another region than `region` is refused, naming both,
before any key is created.

The endpoint comes from `endpoint_url` or, when None, boto3's own AWS_ENDPOINT_URL handling.

Concurrent runs converge on one key per alias, every time. The alias is the arbiter: each run that finds no alias
creates a key (tagged with the alias) and tries to alias it; then every run reads back which key the alias names
(retrying while KMS's reads lag its writes) and a run whose key lost schedules it for deletion (7 days, the
shortest window KMS allows) and continues with the winner's. Should an endpoint ever hold the alias on several
keys at once (a store whose check-and-set is not atomic: moto's server, under threads), every run repoints it to
one deterministic winner (the smallest key id) before the losers retire theirs. A key that cannot be retired is
an error naming it, never a silent orphan.
An endpoint that answers with something that is not an AWS response raises `BackendError`, naming the call.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aidc import backend_access as access

TLS_ONLY_SID = "DenyInsecureTransport"
# KMS ScheduleKeyDeletion: PendingWindowInDays is 7-30.
DISCARDED_KEY_PENDING_DAYS = 7
# The tag every key bootstrap makes carries: which alias it was made for (KMS tag keys/values: 1-128/0-256).
ALIAS_TAG = "aidc:kms-alias"
# KMS is eventually consistent: a new alias can take a few seconds to show in ListAliases
# (docs.aws.amazon.com/kms/latest/developerguide/accessing-kms.html, "Eventual consistency"). A new key's run
# reads the alias until two reads this far apart agree.
ALIAS_SETTLE_GAP_S = 0.5
ALIAS_SETTLE_READS = 20


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


def tls_only_statement(bucket: str, partition: str = "aws") -> dict[str, Any]:
    return {
        "Sid": TLS_ONLY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
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
    principals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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
            "allowed_principals": self.principals,
            "warnings": self.warnings,
            "login": self.login_command,
            "secrets_provider": self.secrets_provider,
        }


def _code(exc: BaseException) -> str:
    return str((getattr(exc, "response", None) or {}).get("Error", {}).get("Code", ""))


def _aliased_keys(kms: Any, alias: str) -> list[str]:
    """The keys `alias` names (one, on a real KMS; none while a new alias is not yet visible)."""
    keys = []
    for page in kms.get_paginator("list_aliases").paginate():
        for entry in page.get("Aliases", []) if isinstance(page, dict) else []:
            if isinstance(entry, dict) and entry.get("AliasName") == alias and entry.get("TargetKeyId"):
                keys.append(str(entry["TargetKeyId"]))
    return keys


def _aliased_key(kms: Any, alias: str) -> str | None:
    keys = _aliased_keys(kms, alias)
    return min(keys) if keys else None


def _discard_key(kms: Any, key_id: str) -> None:
    try:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=DISCARDED_KEY_PENDING_DAYS)
    except Exception as exc:
        if _code(exc) == "KMSInvalidStateException":  # already pending deletion: retired
            return
        raise BackendError(
            f"KMS key {key_id}, made by this run for an alias another run took, could not be scheduled for "
            f"deletion ({_code(exc) or exc.__class__.__name__}); schedule it yourself: aws kms "
            f"schedule-key-deletion --key-id {key_id} --pending-window-in-days {DISCARDED_KEY_PENDING_DAYS}"
        ) from None


def _settle_alias(kms: Any, alias: str, mine: str) -> str:
    """The one key `alias` names once the runs racing for it are done: two reads ALIAS_SETTLE_GAP_S apart that
    agree on one key (KMS's reads may lag its writes; a racing CreateAlias lands within the gap)."""
    seen: str | None = None
    for attempt in range(ALIAS_SETTLE_READS):
        if attempt:
            time.sleep(ALIAS_SETTLE_GAP_S)
        keys = _aliased_keys(kms, alias)
        if len(keys) > 1:
            # An endpoint whose CreateAlias let two runs in: every run picks the same winner and repoints the
            # alias to it, until one key is left holding it.
            kms.update_alias(AliasName=alias, TargetKeyId=min(keys))
            seen = None
            continue
        if keys and keys[0] == seen:
            return seen
        seen = keys[0] if keys else None
    raise BackendError(
        f"{alias} did not settle on one key after {ALIAS_SETTLE_READS * ALIAS_SETTLE_GAP_S:.0f} s; run again "
        f"(this run's key {mine} is kept until then)"
    )


def _ensure_key(kms: Any, alias: str, result: BootstrapResult, policy: dict[str, Any] | None = None) -> str:
    key_id = _aliased_key(kms, alias)
    if key_id is None:
        arguments: dict[str, Any] = {
            "Description": "Pulumi state backend and secrets provider (aidc backend bootstrap)",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "Tags": [{"TagKey": "managed-by", "TagValue": "aidc"}, {"TagKey": ALIAS_TAG, "TagValue": alias}],
        }
        if policy is not None:
            arguments["Policy"] = json.dumps(policy)  # never open for a moment: made with its policy
        created = kms.create_key(**arguments)
        new_key = str(_field(created, "KMS CreateKey", "KeyMetadata", "KeyId"))
        try:
            kms.create_alias(AliasName=alias, TargetKeyId=new_key)
        except Exception as exc:
            if _code(exc) != "AlreadyExistsException":
                # Never leave the key just made behind without an alias: nothing would ever find it again.
                _discard_key(kms, new_key)
                raise
        key_id = _settle_alias(kms, alias, new_key)
        if key_id == new_key:
            result.actions.append(("kms key", "created", f"{alias} -> {key_id}"))
        else:
            # Another bootstrap holds the alias: use its key, retire ours.
            _discard_key(kms, new_key)
            result.actions.append(
                (
                    "kms key",
                    "unchanged",
                    f"{alias} -> {key_id} (made by a concurrent run; this run's key {new_key} is scheduled "
                    f"for deletion in {DISCARDED_KEY_PENDING_DAYS} days)",
                )
            )
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
    if policy is not None:
        _ensure_key_policy(kms, key_id, policy, result)
    return str(_field(metadata, "KMS DescribeKey", "Arn"))


def _ensure_key_policy(kms: Any, key_id: str, policy: dict[str, Any], result: BootstrapResult) -> None:
    text = _field(kms.get_key_policy(KeyId=key_id, PolicyName="default"), "KMS GetKeyPolicy", "Policy")
    try:
        current = json.loads(text)
    except (TypeError, ValueError):
        current = None
    if access.same_statements(current, policy):
        result.actions.append(("kms key policy", "unchanged", f"{len(result.principals)} principals"))
        return
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    result.actions.append(("kms key policy", "updated", f"only {', '.join(result.principals)}"))


def bucket_region(s3: Any, bucket: str) -> str | None:
    """The region of `bucket` if this account owns it, else None (GetBucketLocation: null is us-east-1 and the
    legacy 'EU' is eu-west-1)."""
    try:
        answer = s3.list_buckets()
    except Exception as exc:
        metadata = (getattr(exc, "response", None) or {}).get("ResponseMetadata", {})
        if _code(exc) == "500" and not metadata.get("RequestId"):
            # botocore reports a body it cannot parse as XML as a 500; S3 itself always sends a request id.
            raise BackendError(
                "the endpoint's answer to S3 ListBuckets is not an AWS response (no request id, a body that is not "
                "S3's XML): it did not answer like AWS (check --endpoint-url / AWS_ENDPOINT_URL)"
            ) from None
        raise
    listed = _field(answer, "S3 ListBuckets", "Buckets")
    owned = {b.get("Name") for b in listed if isinstance(b, dict)} if isinstance(listed, list) else set()
    if bucket not in owned:
        return None
    location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    return {"EU": "eu-west-1"}.get(str(location), str(location))


def _refuse_other_region(s3: Any, bucket: str, region: str) -> bool:
    """Whether the bucket exists; ValueError when it is in another region than `region`."""
    where = bucket_region(s3, bucket)
    if where is not None and where != region:
        raise ValueError(
            f"--region: bucket {bucket} is in {where}, not {region}; run again with --region {where} (the state "
            "bucket and its key live in one region, and Pulumi logs in with the bucket's region)"
        )
    return where is not None


def _ensure_bucket(s3: Any, bucket: str, region: str, result: BootstrapResult) -> None:
    if _refuse_other_region(s3, bucket, region):
        result.actions.append(("s3 bucket", "unchanged", f"{bucket} in {region}"))
        return
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except Exception as exc:
        if _code(exc) == "BucketAlreadyOwnedByYou":
            _refuse_other_region(s3, bucket, region)  # a concurrent run made it: in this region?
            result.actions.append(("s3 bucket", "unchanged", bucket))
            return
        if _code(exc) == "BucketAlreadyExists":
            raise BackendError(
                f"bucket {bucket} exists and belongs to another account; choose another --bucket"
            ) from None
        raise
    result.actions.append(("s3 bucket", "created", f"{bucket} in {region}"))


def _ensure_settings(
    s3: Any, bucket: str, key_arn: str, result: BootstrapResult, partition: str = "aws"
) -> None:
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

    statement = tls_only_statement(bucket, partition)
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
    ours = [statement]
    if result.principals:
        ours += access.bucket_statements(partition, bucket, result.principals)
    wanted = access.merge_statements({**policy, "Statement": statements}, ours)
    access.check_bucket_policy(wanted, len(result.principals))
    if access.same_statements(policy, {"Statement": ours}):
        result.actions.append(("bucket policy", "unchanged", "TLS only; allowed principals only"))
    else:
        # Keep the owner's other statements; replace only ours.
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(wanted))
        result.actions.append(
            ("bucket policy", "updated", "TLS only (deny aws:SecureTransport=false); allowed principals only")
        )


def _current_policies(kms: Any, s3: Any, alias: str, bucket: str) -> set[str]:
    """The principals the existing key and bucket policies allow (empty for a new backend)."""
    allowed: set[str] = set()
    key_id = _aliased_key(kms, alias)
    if key_id is not None:
        try:
            allowed |= access.allowed_in(
                json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
            )
        except Exception as exc:
            if _code(exc) not in ("NotFoundException",):
                raise
    try:
        allowed |= access.allowed_in(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]))
    except Exception as exc:
        if _code(exc) not in ("NoSuchBucketPolicy", "NoSuchBucket"):
            raise
    return allowed


def _ensure_trail(
    session: Any,
    kwargs: dict[str, Any],
    trail: str | None,
    partition: str,
    bucket: str,
    result: BootstrapResult,
) -> None:
    cloudtrail = session.client("cloudtrail", **kwargs)
    if trail is None:
        result.warnings.append(
            f"no trail named: the data events of {bucket} (who read or wrote which state) are recorded only if a "
            "trail already selects them; pass --trail NAME to add them to your trail (docs/backend.md)"
        )
        result.actions.append(("cloudtrail data events", "unchanged", "no --trail given"))
        return
    found = cloudtrail.describe_trails(trailNameList=[trail], includeShadowTrails=True).get("trailList", [])
    if not found:
        raise ValueError(
            f"--trail: no trail {trail} in {kwargs['region_name']}; bootstrap adds the state bucket's data events "
            "to a trail that exists and never creates one (docs/backend.md)"
        )
    home, arn = found[0].get("HomeRegion") or kwargs["region_name"], found[0].get("TrailARN", trail)
    if home != kwargs["region_name"]:
        cloudtrail = session.client("cloudtrail", **{**kwargs, "region_name": home})
    current = cloudtrail.get_event_selectors(TrailName=arn)
    change, note = access.selectors_with_bucket(current, partition, bucket)
    if change is None:
        result.actions.append(("cloudtrail data events", "unchanged", f"{arn}: {note}"))
    else:
        cloudtrail.put_event_selectors(TrailName=arn, **change)
        result.actions.append(("cloudtrail data events", "updated", f"{arn}: {note}"))
    status = cloudtrail.get_trail_status(Name=arn)
    if isinstance(status, dict) and status.get("IsLogging") is False:
        result.warnings.append(
            f"trail {arn} is not logging: start it (aws cloudtrail start-logging --name {arn})"
        )


def bootstrap(
    bucket: str,
    region: str,
    kms_alias: str,
    endpoint_url: str | None = None,
    session: Any = None,
    allow_roles: tuple[str, ...] = (),
    revoke_roles: tuple[str, ...] = (),
    trail: str | None = None,
) -> BootstrapResult:
    """Create or converge the state bucket and its KMS key; raises ValueError for bad input."""
    from aidc.config.limits import partition_of_region
    from aidc.preflight.retry import aws_session, boto_config

    validate(bucket, region, kms_alias)
    partition = partition_of_region(region) or "aws"
    allow = access.check_roles(allow_roles, "--allow-role", partition)
    revoke = access.check_roles(revoke_roles, "--revoke-role", partition)
    if trail is not None:
        access.check_trail(trail)
    session = session or aws_session()
    kwargs: dict[str, Any] = {"region_name": region, "config": boto_config()}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    kms = session.client("kms", **kwargs)
    s3 = session.client("s3", **kwargs)
    result = BootstrapResult(bucket, region, kms_alias)
    # Read first: a bucket in another region is refused before anything is made.
    _refuse_other_region(s3, bucket, region)
    caller, account, _ = access.caller_principal(
        session.client("sts", **kwargs), session.client("iam", **kwargs), allow
    )
    root = access.root_arn(partition, account)
    result.principals = access.converge_principals(
        _current_policies(kms, s3, kms_alias, bucket), allow, revoke, caller, root
    )
    policy = access.key_policy(partition, account, result.principals)
    result.kms_key_arn = _ensure_key(kms, kms_alias, result, policy)
    _ensure_bucket(s3, bucket, region, result)
    _ensure_settings(s3, bucket, result.kms_key_arn, result, partition)
    _ensure_trail(session, kwargs, trail, partition, bucket, result)
    return result


def secrets_key(
    region: str,
    kms_alias: str,
    endpoint_url: str | None = None,
    session: Any = None,
    allow_roles: tuple[str, ...] = (),
    revoke_roles: tuple[str, ...] = (),
) -> BootstrapResult:
    """Create or converge a KMS key for one environment's stack secrets (e.g. prod's `awskms://alias/pulumi-prod`),
    with the same limited key policy as the state key and no bucket: the key the state bucket encrypts with stays
    the one `bootstrap` made, so the roles that read non-prod state never decrypt prod's secrets."""
    from aidc.config.limits import partition_of_region
    from aidc.preflight.retry import aws_session, boto_config

    validate("placeholder-bucket", region, kms_alias)
    partition = partition_of_region(region) or "aws"
    allow = access.check_roles(allow_roles, "--allow-role", partition)
    revoke = access.check_roles(revoke_roles, "--revoke-role", partition)
    session = session or aws_session()
    kwargs: dict[str, Any] = {"region_name": region, "config": boto_config()}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    kms = session.client("kms", **kwargs)
    result = BootstrapResult("", region, kms_alias)
    caller, account, _ = access.caller_principal(
        session.client("sts", **kwargs), session.client("iam", **kwargs), allow
    )
    current: set[str] = set()
    if (key_id := _aliased_key(kms, kms_alias)) is not None:
        current = access.allowed_in(
            json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        )
    result.principals = access.converge_principals(
        current, allow, revoke, caller, access.root_arn(partition, account)
    )
    result.kms_key_arn = _ensure_key(
        kms, kms_alias, result, access.key_policy(partition, account, result.principals)
    )
    return result
