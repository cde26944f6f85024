"""AWS checks: moto in-process for offerings, EFA and the AMI; botocore's Stubber where moto lacks the API
(EC2 vCPU quotas in Service Quotas); a loopback HTTP server for throttling; a closed port for an
unreachable endpoint."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from aidc.clouds.aws.preflight import (
    EKS_NVIDIA_AMI_PARAMETER,
    AwsClients,
    InstanceNeed,
    check_efa,
    check_gpu_ami,
    check_offerings,
    check_vcpu_quotas,
    run_aws_checks,
)
from tests.preflight.conftest import P5, aws_reqs, closed_port


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


def _by_target(results):  # type: ignore[no-untyped-def]
    return {r.target.split(" ")[0]: r for r in results}


@pytest.mark.usefixtures("moto_aws")
def test_offerings_pass_and_name_missing_azs() -> None:
    p4de = InstanceNeed("p4de.24xlarge", 2, 96, "P", efa=True)
    results = _by_target(check_offerings(AwsClients("us-east-1"), aws_reqs(P5, p4de)))
    assert results["p5.48xlarge"].ok, results["p5.48xlarge"]
    assert not results["p4de.24xlarge"].ok
    # moto's recorded offerings have no p4de.24xlarge in us-east-1a
    assert results["p4de.24xlarge"].figures["missing_azs"] == ["us-east-1a"]
    assert "us-east-1a" in results["p4de.24xlarge"].detail
    assert "aidc:aws.azs" in results["p4de.24xlarge"].hint


@pytest.mark.usefixtures("moto_aws")
def test_region_without_the_instance_type_fails() -> None:
    reqs = aws_reqs(P5, region="af-south-1", azs=("af-south-1a", "af-south-1b"))
    [result] = check_offerings(AwsClients("af-south-1"), reqs)
    assert not result.ok
    assert result.detail == "p5.48xlarge is not offered in region af-south-1"
    assert "aws:region" in result.hint


@pytest.mark.usefixtures("moto_aws")
def test_efa_support_is_read_from_describe_instance_types() -> None:
    no_efa = InstanceNeed("g6.xlarge", 1, 4, "G", efa=True)
    results = _by_target(check_efa(AwsClients("us-east-1"), aws_reqs(P5, no_efa)))
    assert results["p5.48xlarge"].ok and results["p5.48xlarge"].figures["efa_supported"] is True
    assert not results["g6.xlarge"].ok and "does not support EFA" in results["g6.xlarge"].detail


@pytest.mark.usefixtures("moto_aws")
def test_gpu_ami_falls_back_to_describe_images() -> None:
    clients = AwsClients("us-east-1")
    [missing] = check_gpu_ami(clients, aws_reqs(P5))
    assert not missing.ok and "eks_version" in missing.hint
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    image_id = ec2.create_image(
        InstanceId=instance["InstanceId"], Name="amazon-eks-node-al2023-x86_64-nvidia-1.31-v20241109"
    )["ImageId"]
    [found] = check_gpu_ami(clients, aws_reqs(P5))
    assert found.ok, found
    assert found.figures["image_id"] == image_id


@pytest.mark.usefixtures("aws_env")
def test_gpu_ami_from_ssm_public_parameter() -> None:
    clients = AwsClients("us-east-1")
    ssm = clients.client("ssm")
    name = EKS_NVIDIA_AMI_PARAMETER.format(version="1.31")
    with Stubber(ssm) as stub:
        stub.add_response(
            "get_parameter", {"Parameter": {"Name": name, "Value": "ami-0f3a1b2c3d4e5f607"}}, {"Name": name}
        )
        [result] = check_gpu_ami(clients, aws_reqs(P5))
        stub.assert_no_pending_responses()
    assert result.ok and result.figures["image_id"] == "ami-0f3a1b2c3d4e5f607"


@pytest.mark.usefixtures("aws_env")
def test_vcpu_quota_applied_value_covers_the_plan() -> None:
    clients = AwsClients("us-east-1")
    with Stubber(clients.client("service-quotas")) as stub:
        stub.add_response(
            "get_service_quota",
            {"Quota": {"QuotaCode": "L-417A185B", "Value": 1152.0}},
            {"ServiceCode": "ec2", "QuotaCode": "L-417A185B"},
        )
        [result] = check_vcpu_quotas(clients, aws_reqs(P5))
    assert result.ok, result
    assert result.figures["needed_vcpus"] == 4 * 192
    assert result.figures["quota_source"] == "applied"


@pytest.mark.usefixtures("aws_env")
def test_vcpu_quota_falls_back_to_default_and_fails_with_increase_hint() -> None:
    clients = AwsClients("us-east-1")
    spot_g = InstanceNeed("g6.12xlarge", 3, 48, "G", spot=True)
    with Stubber(clients.client("service-quotas")) as stub:
        # quotas are read in (family, spot) order: ("G", spot) before ("P", on-demand)
        stub.add_client_error(
            "get_service_quota",
            "NoSuchResourceException",
            "no applied quota",
            expected_params={"ServiceCode": "ec2", "QuotaCode": "L-3819A6DF"},
        )
        stub.add_response(
            "get_aws_default_service_quota",
            {"Quota": {"QuotaCode": "L-3819A6DF", "Value": 64.0}},
            {"ServiceCode": "ec2", "QuotaCode": "L-3819A6DF"},
        )
        stub.add_response(
            "get_service_quota",
            {"Quota": {"QuotaCode": "L-417A185B", "Value": 768.0}},
            {"ServiceCode": "ec2", "QuotaCode": "L-417A185B"},
        )
        results = check_vcpu_quotas(clients, aws_reqs(spot_g, P5))
        stub.assert_no_pending_responses()
    by_code = {r.target.split("(")[1].split(")")[0]: r for r in results}
    assert by_code["L-417A185B"].ok  # 768 needed, 768 allowed
    spot = by_code["L-3819A6DF"]
    assert not spot.ok
    assert spot.figures == {
        "needed_vcpus": 144,
        "quota_vcpus": 64.0,
        "quota_source": "default",
        "instances": ["3x g6.12xlarge (48 vCPU)"],
    }
    assert "--quota-code L-3819A6DF --desired-value 144" in spot.hint


@pytest.mark.usefixtures("aws_env")
def test_expired_credentials_fail_once_and_stop() -> None:
    clients = AwsClients("us-east-1")
    with Stubber(clients.client("sts")) as stub:
        stub.add_client_error(
            "get_caller_identity", "ExpiredToken", "The security token included in the request is expired"
        )
        results = run_aws_checks(aws_reqs(P5), clients)
    assert len(results) == 1
    [result] = results
    assert (result.name, result.ok) == ("credentials", False)
    assert result.detail.startswith("credentials rejected (ExpiredToken)")
    assert "sso login" in result.hint


@pytest.mark.usefixtures("aws_env")
def test_unreachable_endpoint_is_a_failed_check() -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    clients = AwsClients("us-east-1", endpoint_url=endpoint, max_attempts=1, connect_timeout_s=1)
    [result] = run_aws_checks(aws_reqs(P5), clients)
    assert not result.ok
    assert result.detail.startswith("unreachable:")
    assert endpoint in result.target


class _ThrottlingQuotas:
    """Service Quotas (JSON protocol) on loopback: `throttled` ThrottlingException answers, then the quota."""

    def __init__(self, throttled: int) -> None:
        self.throttled = throttled
        self.requests: list[float] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append(time.monotonic())
                if len(outer.requests) <= outer.throttled:
                    status, body = 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
                else:
                    status, body = 200, {"Quota": {"QuotaCode": "L-417A185B", "Value": 1000.0}}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.mark.usefixtures("aws_env")
def test_throttling_is_retried_with_backoff_then_passes() -> None:
    fake = _ThrottlingQuotas(throttled=2)
    try:
        clients = AwsClients("us-east-1", endpoint_url=fake.url, max_attempts=4)
        [result] = check_vcpu_quotas(clients, aws_reqs(P5))
    finally:
        fake.server.shutdown()
    assert result.ok, result
    assert len(fake.requests) == 3  # two throttled answers, then the quota


@pytest.mark.usefixtures("aws_env")
def test_throttling_that_persists_fails_with_the_attempt_count() -> None:
    fake = _ThrottlingQuotas(throttled=100)
    try:
        clients = AwsClients("us-east-1", endpoint_url=fake.url, max_attempts=2)
        [result] = check_vcpu_quotas(clients, aws_reqs(P5))
    finally:
        fake.server.shutdown()
    assert not result.ok
    assert len(fake.requests) == 2
    assert result.detail.startswith("throttled (ThrottlingException) on GetServiceQuota after 2 attempts")
