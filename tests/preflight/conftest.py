"""Fixtures for the preflight tests: isolated AWS credentials, the HTTP fake OpenStack and Google Cloud, plan
builders."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from aidc.clouds.aws.preflight import AwsRequirements, InstanceNeed
from aidc.preflight.requirements import FlavorNeed, OpenStackRequirements
from tests.preflight.fake_gcp import FakeGcp
from tests.preflight.fake_openstack import FakeOpenStack


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials only; no profile, no config file, no endpoint from the developer's shell."""
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))


@pytest.fixture
def fake_openstack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeOpenStack]:
    """The fake cloud on loopback, with OS_* pointing at it and no clouds.yaml from the machine."""
    monkeypatch.delenv("OS_CLOUD", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with FakeOpenStack() as cloud:
        for key, value in cloud.env().items():
            monkeypatch.setenv(key, value)
        yield cloud


@pytest.fixture
def gcp_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Google credentials or project from the developer's machine: no GOOGLE_APPLICATION_CREDENTIALS, gcloud's
    config in an empty folder, no probe of the GCE metadata server. Returns where a key file may be written."""
    for var in (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "GCLOUD_PROJECT",
        "CLOUDSDK_CORE_PROJECT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    return tmp_path


@pytest.fixture
def fake_gcp(gcp_env: Path) -> Iterator[FakeGcp]:
    """The fake Google Cloud on loopback (anonymous calls accepted until a test sets `require_token`)."""
    with FakeGcp() as cloud:
        yield cloud


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def aws_reqs(
    *needs: InstanceNeed, region: str = "us-east-1", azs: tuple[str, ...] = ("us-east-1a", "us-east-1b")
) -> AwsRequirements:
    return AwsRequirements(region, azs, tuple(needs), "1.31")


P5 = InstanceNeed("p5.48xlarge", 4, 192, "P", efa=True)


def os_reqs(**overrides: object) -> OpenStackRequirements:
    """Requirements that the unmodified fake cloud satisfies."""
    values: dict[str, object] = {
        "region": None,
        "image": "ubuntu-22.04",
        "external_network": "public",
        "flavors": (
            FlavorNeed("gpu-a100-80gb-x8", 2, 8, ("gpu:a100-80gb",)),
            FlavorNeed("m1.xlarge", 3, 0, ("k3s-core",)),
        ),
        "volumes": 5,
        "volume_gb": 1000,
        "floating_ips": 1,
    }
    values.update(overrides)
    return OpenStackRequirements(**values)  # type: ignore[arg-type]
