"""`aidc backend bootstrap`: secure settings, idempotency and drift repair (moto in-process), bad input,
and the real command against moto.server with AWS_ENDPOINT_URL and with --endpoint-url."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from aidc.backend import TLS_ONLY_SID, bootstrap, tls_only_statement
from aidc.cli import main
from tests.preflight.conftest import aws_env  # noqa: F401  (fixture)
from tests.preflight.test_e2e_moto_server import aidc_env, moto_server, run_aidc  # noqa: F401

BUCKET, REGION, ALIAS = "aidc-pulumi-state", "eu-west-1", "alias/aidc-state"


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:  # noqa: F811
    with mock_aws():
        yield


@pytest.mark.usefixtures("moto_aws")
def test_first_run_creates_a_secure_backend() -> None:
    result = bootstrap(BUCKET, REGION, ALIAS)
    s3 = boto3.client("s3", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": result.kms_key_arn,
    }
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(
        block[k]
        for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    )
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert tls_only_statement(BUCKET) in policy["Statement"]
    key_id = result.kms_key_arn.rsplit("/", 1)[1]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    assert result.login_command == f"pulumi login 's3://{BUCKET}?region={REGION}&awssdk=v2'"
    assert result.secrets_provider == f'--secrets-provider="awskms://{ALIAS}?region={REGION}"'


@pytest.mark.usefixtures("moto_aws")
def test_second_run_changes_nothing_and_creates_no_second_key() -> None:
    first = bootstrap(BUCKET, REGION, ALIAS)
    second = bootstrap(BUCKET, REGION, ALIAS)
    assert first.changed
    assert not second.changed, second.actions
    assert second.kms_key_arn == first.kms_key_arn
    assert len(boto3.client("kms", region_name=REGION).list_keys()["Keys"]) == 1


@pytest.mark.usefixtures("moto_aws")
def test_drift_is_repaired_and_other_policy_statements_kept() -> None:
    bootstrap(BUCKET, REGION, ALIAS)
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    extra = {
        "Sid": "AllowCiRole",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [extra]}))
    result = bootstrap(BUCKET, REGION, ALIAS)
    updated = {resource for resource, state, _ in result.actions if state == "updated"}
    assert updated == {"versioning", "bucket policy"}
    statements = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert extra in statements and [s["Sid"] for s in statements].count(TLS_ONLY_SID) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bucket", "Bad_Bucket"], "--bucket: 'Bad_Bucket' is not a valid S3 bucket name"),
        (["--bucket", "192.168.1.10"], "looks like an IP address"),
        (
            ["--bucket", "ok-bucket", "--kms-alias", "pulumi"],
            "--kms-alias: 'pulumi' must look like alias/NAME",
        ),
        (["--bucket", "ok-bucket", "--kms-alias", "alias/aws/s3"], "reserved for AWS managed keys"),
        (["--bucket", "ok-bucket", "--region", "mars"], "--region: 'mars' is not an AWS region name"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backend", "bootstrap", *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_bootstrap_command_against_moto_server(moto_server: str, tmp_path: Path) -> None:  # noqa: F811
    env = aidc_env(moto_server, tmp_path)
    args = (
        "backend",
        "bootstrap",
        "--bucket",
        "e2e-state",
        "--region",
        "us-west-2",
        "--kms-alias",
        "alias/e2e",
    )
    first = run_aidc(env, *args)
    assert first.returncode == 0, first.stderr
    assert "pulumi login 's3://e2e-state?region=us-west-2&awssdk=v2'" in first.stdout
    assert '--secrets-provider="awskms://alias/e2e?region=us-west-2"' in first.stdout
    # explicit --endpoint-url instead of the environment variable
    env_without = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
    second = run_aidc(env_without, *args, "--endpoint-url", moto_server, "--json")
    assert second.returncode == 0, second.stderr
    document = json.loads(second.stdout)
    assert document["changed"] is False
    assert {a["state"] for a in document["actions"]} == {"unchanged"}
    kms = boto3.client(
        "kms",
        region_name="us-west-2",
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert len(kms.list_keys()["Keys"]) == 1


def test_unreachable_endpoint_exits_1(tmp_path: Path) -> None:
    from tests.preflight.conftest import closed_port

    env = aidc_env(f"http://127.0.0.1:{closed_port()}", tmp_path)
    result = run_aidc(env, "backend", "bootstrap", "--bucket", "any-bucket")
    assert result.returncode == 1
    assert "backend bootstrap failed: unreachable" in result.stderr and "Traceback" not in result.stderr
