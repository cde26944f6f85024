"""`aidc preflight --timeout` bounds the whole run: against endpoints that accept connections and never answer
(AWS and OpenStack alike), the command ends within a small multiple of the budget — a correctness bound, not
a benchmark — with a failed check per cloud, exit 1, no traceback. An unknown AWS profile is bad input."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aidc.cli import main
from tests.preflight.test_e2e_moto_server import AIDC

pytestmark = pytest.mark.slow
BUDGET_S = 5.0


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A loopback server that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


def _env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OS_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        OS_AUTH_URL=f"{endpoint}/v3",
        OS_USERNAME="ops",
        OS_PASSWORD="secret",
        OS_PROJECT_NAME="aidc",
        OS_USER_DOMAIN_NAME="Default",
        OS_PROJECT_DOMAIN_NAME="Default",
        OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"),
        XDG_CONFIG_HOME=str(tmp_path),
    )
    return env


def test_a_silent_endpoint_cannot_stretch_the_run_past_its_budget(
    silent_endpoint: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [
            AIDC,
            "preflight",
            "--stack",
            "dev",
            "--aws-endpoint-url",
            silent_endpoint,
            "--timeout",
            f"{BUDGET_S:g}",
        ],
        env=_env(silent_endpoint, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 3 * BUDGET_S + 5, elapsed  # + interpreter start-up on a loaded machine
    assert "aws:" in result.stdout and "openstack:" in result.stdout
    assert "within --timeout 5 s" in result.stdout or "timed out" in result.stdout


def test_an_unknown_aws_profile_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_PROFILE", "nope")
    assert main(["preflight", "--stack", "dev", "--cloud", "aws"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "AWS_PROFILE: 'nope' is not a profile" in line and "known profiles: none" in line
