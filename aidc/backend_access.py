"""Who may use the state backend: the principals its KMS key and S3 bucket admit, and the CloudTrail data events
that record what they do with the state (used by aidc/backend.py; boto3 clients are passed in).

The allowed principals are the roles named with `--allow-role` (added to those already allowed: a run without it
changes nothing; `--revoke-role` removes one), plus the principal running bootstrap, so nobody locks themselves
out, plus the account root (the break-glass way back in if every allowed role is deleted: a key or bucket that
only deleted roles may use cannot be recovered otherwise). Both policies are checked against the real limits
(KMS: key policy at most 32,768 bytes, printable ASCII and Latin-1; S3: bucket policy at most 20 KB) and carry
one deny statement each, `aws:PrincipalArn` not among the allowed (ArnNotEquals, a global condition key KMS and S3
both evaluate; for an assumed role it is the role's ARN, path included), which the stored policy is read back
from. AWS services acting as themselves (`aws:PrincipalIsAWSService`) are not denied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from aidc.types import arn_partition, iam_role_arn_problem

ALLOW_SID = "AidcAllowedPrincipals"
DENY_SID = "AidcOnlyAllowedPrincipals"
KEY_ADMIN_SID = "AidcAccountAdministers"
# docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html ("Key policy format"): up to 32 KB.
KEY_POLICY_MAX_BYTES = 32_768
# docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html: "Bucket policies are limited to 20 KB".
BUCKET_POLICY_MAX_BYTES = 20_480
# What an allowed principal does with the key (Pulumi's awskms secrets provider and S3's SSE-KMS on its behalf).
KEY_USE = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
# What everyone else may not do with the key: every KMS action on a key but kms:DescribeKey (its metadata: that
# it exists, its state, its ARN), left to IAM so that tools can still find the key. Spelled out rather than
# `kms:*` with an exception because a key policy statement needs `Action` (KMS developer guide, "Key policy
# elements"); the test vendors the KMS action list from botocore and proves every other action is covered.
KEY_DENIED = (
    "kms:Cancel*",
    "kms:Create*",
    "kms:Decapsulate",
    "kms:Decrypt",
    "kms:Delete*",
    "kms:Derive*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Encapsulate",
    "kms:Encrypt",
    "kms:Generate*",
    "kms:Get*",
    "kms:Import*",
    "kms:List*",
    "kms:Put*",
    "kms:ReEncrypt*",
    "kms:Replicate*",
    "kms:Retire*",
    "kms:Revoke*",
    "kms:Rotate*",
    "kms:Schedule*",
    "kms:Sign",
    "kms:Tag*",
    "kms:Untag*",
    "kms:Update*",
    "kms:Verify*",
)
# What an allowed principal does with the state (Pulumi's DIY backend: read, write, list, delete its objects).
STATE_USE = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:GetBucketLocation",
)
_CALLER = re.compile(
    r"arn:(?P<partition>[a-z-]+):(?P<service>sts|iam)::(?P<account>[0-9]{12}):"
    r"(?P<kind>assumed-role|user|root|federated-user)(?:/(?P<rest>.+))?",
    re.ASCII,
)


class AccessError(ValueError):
    """An allow-list that cannot be applied as given (bad ARN, lock-out, too large); one line, the option named."""


def root_arn(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:root"


def caller_principal(sts: Any, iam: Any, allowed: Iterable[str]) -> tuple[str, str, str]:
    """(principal ARN as aws:PrincipalArn sees it, account, partition) of whoever runs bootstrap.

    An assumed role's session ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) loses the role's path, which
    aws:PrincipalArn keeps: the role is looked up (iam:GetRole) for its ARN, or found among `allowed` by name."""
    identity = sts.get_caller_identity()
    arn = str(identity.get("Arn", "")) if isinstance(identity, dict) else ""
    match = _CALLER.fullmatch(arn)
    if match is None:
        raise AccessError(f"the caller's identity {arn!r} is not an IAM user, role session or root ARN")
    partition, account = match["partition"], match["account"]
    if match["kind"] == "root":
        return root_arn(partition, account), account, partition
    if match["kind"] != "assumed-role":
        return arn, account, partition
    role_name = (match["rest"] or "").split("/", 1)[0]
    try:
        role = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except Exception:  # no iam:GetRole, or an endpoint without IAM: the role must then be named by the user
        role = next(
            (
                a
                for a in allowed
                if a.rsplit("/", 1)[-1] == role_name
                and a.split(":")[4] == account
                and arn_partition(a) == partition
            ),
            None,
        )
        if role is None:
            raise AccessError(
                f"--allow-role: you run as role {role_name} (session {arn}), whose full ARN (with its path) "
                "could not be read (iam:GetRole); name it with --allow-role arn:"
                f"{partition}:iam::{account}:role/[path/]{role_name} so that it keeps access"
            ) from None
    return str(role), account, partition


def check_roles(roles: Iterable[str], option: str, partition: str | None = None) -> list[str]:
    """The roles, each checked with IAM's grammar (and in `partition` when given); AccessError otherwise."""
    checked = []
    for role in roles:
        if problem := iam_role_arn_problem(role):
            raise AccessError(f"{option}: {problem}")
        if partition is not None and arn_partition(role) != partition:
            raise AccessError(
                f"{option}: {role} is in partition {arn_partition(role)}, the backend in {partition}"
            )
        checked.append(role)
    return checked


def allowed_in(policy: dict[str, Any] | None) -> set[str]:
    """The principals our deny statement in `policy` lets through (root included), or an empty set."""
    for statement in _statements(policy):
        if isinstance(statement, dict) and statement.get("Sid") == DENY_SID:
            values = statement.get("Condition", {}).get("ArnNotEquals", {}).get("aws:PrincipalArn", [])
            return {values} if isinstance(values, str) else {str(v) for v in values}
    return set()


def _statements(policy: dict[str, Any] | None) -> list[Any]:
    statements = (policy or {}).get("Statement", [])
    return (
        [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    )


def converge_principals(
    current: set[str], allow: list[str], revoke: list[str], caller: str, root: str
) -> list[str]:
    """The principals after this run: those allowed before, plus `allow` and the caller, less `revoke`."""
    if caller in revoke:
        raise AccessError(f"--revoke-role: {caller} is the principal running this; it would lock you out")
    wanted = (current | set(allow) | {caller, root}) - set(revoke)
    return [*sorted(wanted - {root}), root]


def _deny(principals: list[str], action: str | list[str], resource: Any) -> dict[str, Any]:
    return {
        "Sid": DENY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {
            "ArnNotEquals": {"aws:PrincipalArn": principals},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def _allow_principals(principals: list[str]) -> list[str]:
    # A resource policy's Principal must name principals that exist; root is covered by the administer statement.
    return [p for p in principals if not p.endswith(":root")]


def key_policy(partition: str, account: str, principals: list[str]) -> dict[str, Any]:
    """The state key's policy: the account administers it (so IAM and root can recover it), the allowed
    principals use it, nobody else may do anything with it."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": KEY_ADMIN_SID,
            "Effect": "Allow",
            "Principal": {"AWS": root_arn(partition, account)},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    users = _allow_principals(principals)
    if users:
        statements.append(
            {
                "Sid": ALLOW_SID,
                "Effect": "Allow",
                "Principal": {"AWS": users},
                "Action": list(KEY_USE),
                "Resource": "*",
            }
        )
    statements.append(_deny(principals, list(KEY_DENIED), "*"))
    document = {"Version": "2012-10-17", "Statement": statements}
    _check_size(document, KEY_POLICY_MAX_BYTES, "the KMS key policy", len(principals))
    return document


def bucket_statements(partition: str, bucket: str, principals: list[str]) -> list[dict[str, Any]]:
    resources = [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"]
    statements: list[dict[str, Any]] = []
    users = _allow_principals(principals)
    if users:
        statements.append(
            {
                "Sid": ALLOW_SID,
                "Effect": "Allow",
                "Principal": {"AWS": users},
                "Action": list(STATE_USE),
                "Resource": resources,
            }
        )
    statements.append(_deny(principals, "s3:*", resources))
    return statements


def merge_statements(policy: dict[str, Any], ours: list[dict[str, Any]]) -> dict[str, Any]:
    """`policy` with our statements (by Sid) replaced by `ours`; the owner's other statements kept in order."""
    sids = {statement["Sid"] for statement in ours}
    kept = [s for s in _statements(policy) if not (isinstance(s, dict) and s.get("Sid") in sids)]
    return {"Version": policy.get("Version", "2012-10-17"), **policy, "Statement": kept + ours}


def check_bucket_policy(document: dict[str, Any], principals: int) -> None:
    _check_size(document, BUCKET_POLICY_MAX_BYTES, "the bucket policy", principals)


def _check_size(document: dict[str, Any], limit: int, what: str, principals: int) -> None:
    size = len(json.dumps(document).encode("utf-8"))
    if size > limit:
        raise AccessError(
            f"--allow-role: with {principals} principals {what} is {size:,} bytes, past the {limit:,} AWS accepts; "
            "allow fewer roles (a role per environment, not per person)"
        )


def same_statements(current: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether `current` already holds `wanted`'s statements (compared as AWS normalises them: a one-item list
    and its item are the same, order of values does not matter)."""
    have = {s.get("Sid"): _normal(s) for s in _statements(current) if isinstance(s, dict)}
    return all(have.get(s.get("Sid")) == _normal(s) for s in _statements(wanted))


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_normal(v) for v in value]
        return items[0] if len(items) == 1 else sorted(items, key=json.dumps)
    return value


# --- CloudTrail data events for the state bucket ---------------------------------------------------------------
# Bootstrap adds the bucket's object-level events to a trail that exists (`--trail NAME`); it never creates one:
# a trail is the account's audit set-up (an organization trail, or the AWS stack's own), with its own log bucket,
# retention and key, and a second trail made here would duplicate it. The trail's selectors keep their kind:
# advanced selectors get one more (advanced and basic cannot be mixed, and replacing basic selectors with
# advanced ones would drop what they record); basic selectors get one more selector (at most 5 per trail).
# docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
TRAIL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{1,126})[A-Za-z0-9]", re.ASCII)
TRAIL_ARN = re.compile(r"arn:[a-z-]+:cloudtrail:[a-z0-9-]+:[0-9]{12}:trail/[A-Za-z0-9._-]{3,128}", re.ASCII)
BASIC_SELECTORS_MAX = 5


def check_trail(trail: str) -> str:
    if TRAIL_ARN.fullmatch(trail) or (TRAIL_NAME.fullmatch(trail) and not re.search(r"[._-]{2}", trail)):
        return trail
    raise AccessError(
        f"--trail: {trail[:140]!r} is not a trail name (3-128 letters, digits, '.', '_', '-', starting and ending "
        "with a letter or digit, no two of '._-' together) or trail ARN"
    )


def object_prefix(partition: str, bucket: str) -> str:
    return f"arn:{partition}:s3:::{bucket}/"


def advanced_selector(partition: str, bucket: str) -> dict[str, Any]:
    return {
        "Name": f"aidc state backend {bucket}: every object read and write",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": [object_prefix(partition, bucket)]},
        ],
    }


def basic_selector(partition: str, bucket: str) -> dict[str, Any]:
    return {
        "ReadWriteType": "All",
        "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [object_prefix(partition, bucket)]}],
    }


def _advanced_covers(selector: dict[str, Any], prefix: str) -> bool:
    fields = {f.get("Field"): f for f in selector.get("FieldSelectors", []) if isinstance(f, dict)}
    if set(fields) - {"eventCategory", "resources.type", "resources.ARN"}:
        return False  # narrowed by readOnly, eventName …: not every event
    if fields.get("eventCategory", {}).get("Equals") != ["Data"]:
        return False
    if fields.get("resources.type", {}).get("Equals") != ["AWS::S3::Object"]:
        return False
    arn = fields.get("resources.ARN")
    if arn is None:
        return True  # every bucket's objects
    return set(arn) <= {"Field", "StartsWith"} and any(
        prefix.startswith(p) for p in arn.get("StartsWith", [])
    )


def _basic_covers(selector: dict[str, Any], prefix: str, partition: str) -> bool:
    if selector.get("ReadWriteType", "All") != "All":
        return False
    for resource in selector.get("DataResources", []):
        if resource.get("Type") == "AWS::S3::Object":
            values = resource.get("Values", [])
            if f"arn:{partition}:s3" in values or any(
                prefix.startswith(v) for v in values if v.endswith("/")
            ):
                return True
    return False


def selectors_with_bucket(
    current: dict[str, Any], partition: str, bucket: str
) -> tuple[dict[str, Any] | None, str]:
    """(the PutEventSelectors arguments that add the bucket's data events, or None when the trail records them
    already; a note)."""
    prefix = object_prefix(partition, bucket)
    advanced = [s for s in current.get("AdvancedEventSelectors") or [] if isinstance(s, dict)]
    basic = [s for s in current.get("EventSelectors") or [] if isinstance(s, dict)]
    if advanced:
        if any(_advanced_covers(s, prefix) for s in advanced):
            return None, "recorded by an advanced event selector"
        return {
            "AdvancedEventSelectors": [*advanced, advanced_selector(partition, bucket)]
        }, "advanced selector added"
    if basic:
        if any(_basic_covers(s, prefix, partition) for s in basic):
            return None, "recorded by an event selector"
        if len(basic) >= BASIC_SELECTORS_MAX:
            raise AccessError(
                f"--trail: the trail has {len(basic)} event selectors, the most CloudTrail allows; add "
                f"{prefix} to one of them (or move the trail to advanced event selectors) and run again"
            )
        return {"EventSelectors": [*basic, basic_selector(partition, bucket)]}, "event selector added"
    return {"AdvancedEventSelectors": [advanced_selector(partition, bucket)]}, "advanced selector added"
