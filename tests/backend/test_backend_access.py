"""`aidc backend bootstrap` limits the state to named principals, records its data events in a trail, refuses a
bucket in another region before making anything, and converges concurrent runs on one key per alias.

The policies are checked against what KMS, S3 and IAM accept (sizes, characters, the KMS actions from
botocore's service model), and run against moto."""

from __future__ import annotations

import fnmatch
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from aidc import backend_access as access
from aidc.backend import ALIAS_TAG, bootstrap
from aidc.cli import main
from tests.preflight.conftest import aws_env, closed_port  # noqa: F401  (fixture)

BUCKET, REGION, ALIAS = "aidc-state-access", "eu-west-1", "alias/aidc-access"
ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:  # noqa: F811
    with mock_aws():
        yield


def role(name: str, path: str = "/") -> str:
    iam = boto3.client("iam", region_name=REGION)
    return str(
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    )


def as_role(arn: str) -> boto3.session.Session:
    """A session of an assumed role: its caller identity is an assumed-role ARN that has lost the role's path."""
    credentials = boto3.client("sts", region_name=REGION).assume_role(RoleArn=arn, RoleSessionName="ci")[
        "Credentials"
    ]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def policies() -> tuple[dict[str, Any], dict[str, Any]]:
    kms = boto3.client("kms", region_name=REGION)
    [key] = [a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == ALIAS]
    key_policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    bucket_policy = json.loads(
        boto3.client("s3", region_name=REGION).get_bucket_policy(Bucket=BUCKET)["Policy"]
    )
    return key_policy, bucket_policy


# --- Who is allowed ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("moto_aws")
def test_the_runner_is_allowed_through_its_role_path_and_named_roles_are_added() -> None:
    runner = role("aidc-admin", path="/ops/people/")
    deploy = role("aidc-deploy-prod", path="/ci/")
    result = bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner), allow_roles=(deploy,))
    assert result.principals == [*sorted([runner, deploy]), ROOT]
    assert runner.endswith(":role/ops/people/aidc-admin"), "the path the session ARN lost is back"
    key_policy, bucket_policy = policies()
    assert access.allowed_in(key_policy) == access.allowed_in(bucket_policy) == {runner, deploy, ROOT}
    [allow] = [s for s in key_policy["Statement"] if s["Sid"] == access.ALLOW_SID]
    assert sorted(allow["Principal"]["AWS"]) == sorted([runner, deploy])
    # A second run without --allow-role changes nothing: allowed roles stay allowed.
    again = bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner))
    assert not again.changed, again.actions
    assert again.principals == result.principals


@pytest.mark.usefixtures("moto_aws")
def test_a_role_is_revoked_only_on_request_and_never_the_runners() -> None:
    runner, preview = role("aidc-admin"), role("aidc-preview")
    bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner), allow_roles=(preview,))
    revoked = bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner), revoke_roles=(preview,))
    assert preview not in revoked.principals and runner in revoked.principals
    assert {r for r, state, _ in revoked.actions if state == "updated"} == {"kms key policy", "bucket policy"}
    assert preview not in access.allowed_in(policies()[0])
    with pytest.raises(access.AccessError, match="would lock you out"):
        bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner), revoke_roles=(runner,))


@pytest.mark.usefixtures("moto_aws")
def test_an_existing_open_backend_is_closed_and_the_owners_statements_kept() -> None:
    runner = role("aidc-admin")
    bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner))
    s3 = boto3.client("s3", region_name=REGION)
    owner = {"Sid": "OwnersOwn", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
             "Resource": f"arn:aws:s3:::{BUCKET}"}  # fmt: skip
    bucket_policy = policies()[1]
    opened = [s for s in bucket_policy["Statement"] if s["Sid"] not in (access.DENY_SID, access.ALLOW_SID)]
    s3.put_bucket_policy(
        Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [*opened, owner]})
    )
    result = bootstrap(BUCKET, REGION, ALIAS, session=as_role(runner))
    assert ("bucket policy", "updated") in {(r, s) for r, s, _ in result.actions}
    statements = policies()[1]["Statement"]
    assert owner in statements and {s["Sid"] for s in statements} >= {access.DENY_SID, "OwnersOwn"}


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        (
            "--allow-role",
            f"arn:aws:iam::{ACCOUNT}:role/ci\n",
            "--allow-role: 'arn:aws:iam::123456789012:role/ci\\n'",
        ),
        ("--allow-role", f"arn:aws:iam::{ACCOUNT}:user/alice", "is not an IAM role ARN"),
        ("--allow-role", f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/s", "is an STS session"),
        ("--allow-role", f"arn:aws-cn:iam::{ACCOUNT}:role/ci", "is in partition aws-cn, the backend in aws"),
        ("--allow-role", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/ci", "is not an IAM role ARN"),
        ("--revoke-role", f"arn:aws:iam::{ACCOUNT}:role/" + "n" * 65, "the role name is 65 characters"),
        ("--trail", "x", "--trail: 'x' is not a trail name"),
        ("--trail", "audit..trail", "is not a trail name"),
    ],
)
def test_bad_principals_and_trails_are_bad_input(
    flag: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backend", "bootstrap", "--bucket", "ok-bucket", "--region", "us-east-1", flag, value]) == 2
    assert message in capsys.readouterr().err


def test_too_many_principals_for_a_policy_is_refused_with_the_size() -> None:
    roles = [f"arn:aws:iam::{ACCOUNT}:role/{'p' * 400}/role-{i}" for i in range(60)]
    with pytest.raises(access.AccessError, match=r"past the 32,768 AWS accepts"):
        access.key_policy("aws", ACCOUNT, [*roles, ROOT])
    statements = access.bucket_statements("aws", BUCKET, [*roles[:30], ROOT])
    with pytest.raises(access.AccessError, match=r"past the 20,480 AWS accepts"):
        access.check_bucket_policy({"Version": "2012-10-17", "Statement": statements}, 31)


# --- The policies are what KMS and S3 accept --------------------------------------------------------------------


def kms_key_actions() -> set[str]:
    """Every KMS operation that acts on a key (botocore's kms service model), as kms:Action."""
    model = botocore.session.get_session().get_service_model("kms")
    not_on_a_key = {
        "CreateKey", "ListKeys", "ListAliases", "GenerateRandom", "CreateCustomKeyStore", "ConnectCustomKeyStore",
        "DeleteCustomKeyStore", "DescribeCustomKeyStores", "DisconnectCustomKeyStore", "UpdateCustomKeyStore",
        "ListRetirableGrants", "RetireGrant", "GetParametersForImport", "ListKeyRotations", "DeleteImportedKeyMaterial",
    }  # fmt: skip
    return {f"kms:{name}" for name in model.operation_names} - {f"kms:{n}" for n in not_on_a_key}


def test_the_key_policy_denies_every_kms_action_on_the_key_but_describe() -> None:
    actions = kms_key_actions()
    assert len(actions) > 30, "botocore's KMS model was read"
    uncovered = {a for a in actions if not any(fnmatch.fnmatchcase(a, p) for p in access.KEY_DENIED)}
    assert uncovered == {"kms:DescribeKey"}
    # A deny list that forgot one would be caught: drop Decrypt's pattern.
    fewer = [p for p in access.KEY_DENIED if p != "kms:Decrypt"]
    assert "kms:Decrypt" in {a for a in actions if not any(fnmatch.fnmatchcase(a, p) for p in fewer)}


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_the_policies_hold_to_the_kms_and_s3_rules(partition: str) -> None:
    principals = [
        f"arn:{partition}:iam::{ACCOUNT}:role/ci/aidc-deploy",
        f"arn:{partition}:iam::{ACCOUNT}:root",
    ]
    key = access.key_policy(partition, ACCOUNT, principals)
    text = json.dumps(key)
    # KMS: at most 32 KB of printable ASCII / Latin-1 (and tab, LF, CR); Effect, Principal, Action, Resource.
    assert len(text.encode()) <= access.KEY_POLICY_MAX_BYTES
    assert all(c in "\t\n\r" or 0x20 <= ord(c) <= 0xFF for c in text)
    for statement in key["Statement"]:
        assert {"Effect", "Principal", "Action", "Resource"} <= set(statement)
        assert statement["Effect"] in ("Allow", "Deny")
    [deny] = [s for s in key["Statement"] if s["Sid"] == access.DENY_SID]
    assert deny["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": principals},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    }
    bucket = access.bucket_statements(partition, BUCKET, principals)
    for statement in bucket:
        assert all(r.startswith(f"arn:{partition}:s3:::{BUCKET}") for r in statement["Resource"])
        assert all(a.startswith("s3:") for a in ([statement["Action"]] if isinstance(statement["Action"], str)
                                                  else statement["Action"]))  # fmt: skip
    # Resource policies name principals that exist; the root principal is covered by the administer statement.
    assert all(
        not p.endswith(":root") for s in bucket if s["Effect"] == "Allow" for p in s["Principal"]["AWS"]
    )


# --- A bucket in another region ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("moto_aws")
@pytest.mark.parametrize(("existing", "asked"), [("eu-west-1", "us-east-1"), ("us-east-1", "eu-central-1")])
def test_a_bucket_in_another_region_is_refused_naming_both_before_anything_is_made(
    existing: str, asked: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", region_name=existing)
    kwargs = (
        {} if existing == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": existing}}
    )
    s3.create_bucket(Bucket=BUCKET, **kwargs)
    assert main(["backend", "bootstrap", "--bucket", BUCKET, "--region", asked, "--kms-alias", ALIAS]) == 2
    err = capsys.readouterr().err
    assert (
        f"--region: bucket {BUCKET} is in {existing}, not {asked}; run again with --region {existing}" in err
    )
    assert boto3.client("kms", region_name=asked).list_keys()["Keys"] == [], "no key made in the wrong region"


# --- CloudTrail data events --------------------------------------------------------------------------------------


def trail(name: str = "org-audit", selectors: dict[str, Any] | None = None) -> str:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=f"{name}-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    cloudtrail = boto3.client("cloudtrail", region_name=REGION)
    arn = cloudtrail.create_trail(Name=name, S3BucketName=f"{name}-logs")["TrailARN"]
    cloudtrail.start_logging(Name=name)
    if selectors:
        cloudtrail.put_event_selectors(TrailName=name, **selectors)
    return str(arn)


@pytest.mark.usefixtures("moto_aws")
def test_the_state_buckets_data_events_join_an_existing_trail_once() -> None:
    arn = trail(selectors={"AdvancedEventSelectors": [{"Name": "management", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}]}]})  # fmt: skip
    first = bootstrap(BUCKET, REGION, ALIAS, trail="org-audit")
    assert ("cloudtrail data events", "updated") in {(r, s) for r, s, _ in first.actions}
    selectors = boto3.client("cloudtrail", region_name=REGION).get_event_selectors(TrailName=arn)
    advanced = selectors["AdvancedEventSelectors"]
    assert advanced[0]["Name"] == "management", "the trail's own selector is kept"
    assert advanced[1] == access.advanced_selector("aws", BUCKET)
    second = bootstrap(BUCKET, REGION, ALIAS, trail=arn)
    assert not second.changed, second.actions


@pytest.mark.usefixtures("moto_aws")
def test_a_trail_with_basic_selectors_gets_a_basic_one_until_it_has_five() -> None:
    management = {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}
    arn = trail(selectors={"EventSelectors": [management]})
    bootstrap(BUCKET, REGION, ALIAS, trail="org-audit")
    selectors = boto3.client("cloudtrail", region_name=REGION).get_event_selectors(TrailName=arn)
    assert selectors["EventSelectors"][-1]["DataResources"] == [
        {"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{BUCKET}/"]}
    ]
    full = {"EventSelectors": [management] * access.BASIC_SELECTORS_MAX}
    with pytest.raises(access.AccessError, match="has 5 event selectors, the most CloudTrail allows"):
        access.selectors_with_bucket(full, "aws", BUCKET)
    covered = {"EventSelectors": [{"ReadWriteType": "All", "DataResources": [
        {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}  # fmt: skip
    assert access.selectors_with_bucket(covered, "aws", BUCKET)[0] is None
    narrowed = {"AdvancedEventSelectors": [{"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "readOnly", "Equals": ["true"]}]}]}  # fmt: skip
    assert access.selectors_with_bucket(narrowed, "aws", BUCKET)[0] is not None, (
        "reads only is not every event"
    )


@pytest.mark.usefixtures("moto_aws")
def test_no_trail_is_a_warning_and_a_missing_trail_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    result = bootstrap(BUCKET, REGION, ALIAS)
    assert any("pass --trail NAME" in w for w in result.warnings)
    assert (
        main(["backend", "bootstrap", "--bucket", BUCKET, "--region", REGION, "--trail", "nope-trail"]) == 2
    )
    assert "--trail: no trail nope-trail" in capsys.readouterr().err


# --- Concurrent bootstraps: one key per alias, every time ------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[str]:
    port = closed_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    url = f"http://127.0.0.1:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10)
    try:
        yield url
    finally:
        moto.stop()


TRIALS, RUNS_PER_TRIAL = 20, 3


@pytest.mark.slow
@pytest.mark.usefixtures("aws_env")
def test_twenty_concurrent_trials_leave_exactly_one_key_per_alias(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 trials at once, each RUNS_PER_TRIAL bootstraps of one alias and bucket racing (every run of a trial
    looks the alias up before any creates it: a barrier holds each after its ListAliases); 60 threads against one
    moto server. Each alias ends with exactly one enabled key, the one every run of its trial reports and its
    bucket encrypts with; every other key made is pending deletion.

    moto checks that an alias is free and then sets it, apart: under threads two CreateAlias calls can both
    succeed, which is how a concurrent bootstrap left an orphan key behind. The check is slowed here (the server
    runs in this process) so that the race happens in every trial instead of now and then."""
    from moto.kms.models import KmsBackend

    check = KmsBackend.alias_exists

    def slow_check(self: Any, alias_name: str) -> bool:
        exists = check(self, alias_name)
        time.sleep(0.05)
        return bool(exists)

    monkeypatch.setattr(KmsBackend, "alias_exists", slow_check)
    barriers = [threading.Barrier(RUNS_PER_TRIAL, timeout=60) for _ in range(TRIALS)]
    results: dict[int, list[Any]] = {trial: [] for trial in range(TRIALS)}
    errors: list[BaseException] = []

    def run(trial: int) -> None:
        session = boto3.session.Session()
        held = threading.Event()

        def hold(**_: Any) -> None:
            if not held.is_set():
                held.set()
                barriers[trial].wait()

        session.events.register("after-call.kms.ListAliases", hold)
        try:
            results[trial].append(
                bootstrap(
                    f"race-{trial}-state", REGION, f"alias/race-{trial}", endpoint_url=server, session=session
                )
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(TRIALS) for _ in range(RUNS_PER_TRIAL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors[:3]
    client = {
        "region_name": REGION,
        "endpoint_url": server,
        "aws_access_key_id": "t",
        "aws_secret_access_key": "t",
    }
    kms, s3 = boto3.client("kms", **client), boto3.client("s3", **client)
    states = {
        k["KeyId"]: kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
        for page in kms.get_paginator("list_keys").paginate()
        for k in page["Keys"]
    }
    aliases = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/race-")]
    for trial in range(TRIALS):
        alias = f"alias/race-{trial}"
        [aliased] = [a["TargetKeyId"] for a in aliases if a["AliasName"] == alias]
        tagged = {
            key
            for key in states
            if {"TagKey": ALIAS_TAG, "TagValue": alias} in kms.list_resource_tags(KeyId=key)["Tags"]
        }
        enabled = {key for key in tagged if states[key] == "Enabled"}
        assert enabled == {aliased}, f"{alias}: enabled keys {enabled}, aliased {aliased}"
        assert {states[key] for key in tagged - enabled} <= {"PendingDeletion"}
        assert {r.kms_key_arn.rsplit("/", 1)[1] for r in results[trial]} == {aliased}
        [rule] = s3.get_bucket_encryption(Bucket=f"race-{trial}-state")["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
        assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"].endswith(aliased)
    assert sum(1 for s in states.values() if s == "Enabled") == TRIALS


@pytest.mark.usefixtures("moto_aws")
def test_a_secrets_key_of_its_own_for_prod(capsys: pytest.CaptureFixture[str]) -> None:
    """prod's stack secrets under a key only the prod deploy role (and the runner) may use; the state key and
    bucket keep theirs, so a preview role allowed on the state decrypts no prod secret."""
    preview, prod = role("aidc-preview"), role("aidc-deploy-prod")
    state = bootstrap(BUCKET, REGION, ALIAS, allow_roles=(preview, prod))
    argv = [
        "backend",
        "secrets-key",
        "--region",
        REGION,
        "--kms-alias",
        "alias/pulumi-prod",
        "--allow-role",
        prod,
    ]
    assert main([*argv, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert prod in document["allowed_principals"] and preview not in document["allowed_principals"]
    assert document["secrets_provider"] == f'--secrets-provider="awskms://alias/pulumi-prod?region={REGION}"'
    assert document["kms_key_arn"] != state.kms_key_arn
    [rule] = boto3.client("s3", region_name=REGION).get_bucket_encryption(Bucket=BUCKET)[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == state.kms_key_arn, "state key kept"
    assert main(argv) == 0
    assert "unchanged  kms key: alias/pulumi-prod" in capsys.readouterr().out
