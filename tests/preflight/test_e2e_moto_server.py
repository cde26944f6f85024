"""End to end: the installed `aidc` command against `moto.server` on a loopback port via AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.preflight.conftest import closed_port
from tests.preflight.test_preflight_cli import stack_file_with

pytestmark = pytest.mark.slow
AIDC = str(Path(sys.executable).parent / "aidc")


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto.server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def aidc_env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OS_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
    )
    return env


def run_aidc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIDC, *args], env=env, capture_output=True, text=True, timeout=120)


def test_preflight_against_moto_server(moto_server: str, tmp_path: Path) -> None:
    result = run_aidc(
        aidc_env(moto_server, tmp_path), "preflight", "--stack", "prod", "--cloud", "aws", "--json"
    )
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    by_name = {c["name"]: c for c in document["checks"]}
    assert by_name["credentials"]["ok"], by_name["credentials"]
    assert by_name["instance-offering"]["ok"] and by_name["instance-offering"]["target"].startswith(
        "p5.48xlarge"
    )
    assert by_name["efa"]["ok"]
    # moto.server has no EC2 quotas and no EKS AMI parameter: failed checks with reasons, exit 1
    assert not by_name["vcpu-quota"]["ok"] and by_name["vcpu-quota"]["detail"]
    assert result.returncode == 1


def test_region_without_the_instance_type(moto_server: str, tmp_path: Path) -> None:
    path = stack_file_with(
        tmp_path, "prod", **{"aws:region": "af-south-1", "aidc:aws": {"azs": ["af-south-1a", "af-south-1b"]}}
    )
    result = run_aidc(aidc_env(moto_server, tmp_path), "preflight", "--config", str(path), "--cloud", "aws")
    assert result.returncode == 1, result.stderr
    assert "p5.48xlarge is not offered in region af-south-1" in " ".join(result.stdout.split())


def test_unreachable_endpoint_exits_1_with_reason(tmp_path: Path) -> None:
    env = aidc_env(f"http://127.0.0.1:{closed_port()}", tmp_path)
    result = run_aidc(env, "preflight", "--stack", "dev", "--cloud", "aws", "--json", "--max-attempts", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [check] = json.loads(result.stdout)["checks"]
    assert check["detail"].startswith("unreachable:")
