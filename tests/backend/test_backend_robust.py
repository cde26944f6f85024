"""`aidc backend bootstrap` under concurrency and against endpoints that misbehave: two runs at once converge on
one aliased KMS key (the loser's key is scheduled for deletion, both exit 0), an endpoint answering something
that is not AWS is one line and exit 1 (not `KeyError: 'KeyMetadata'`), an unknown AWS profile is bad input."""

from __future__ import annotations

import http.server
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from aidc.backend import BootstrapResult, bootstrap
from aidc.cli import main
from tests.preflight.conftest import aws_env, closed_port  # noqa: F401  (fixture)
from tests.preflight.test_e2e_moto_server import AIDC, aidc_env

REGION = "eu-central-1"


@pytest.fixture
def server() -> Iterator[str]:
    port = closed_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    url = f"http://127.0.0.1:{port}"
    # The threaded server keeps moto's in-process state: start every test from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10)
    try:
        yield url
    finally:
        moto.stop()


def _kms(endpoint: str) -> Any:
    return boto3.client(
        "kms",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _key_states(endpoint: str, alias: str) -> tuple[str, dict[str, str]]:
    kms = _kms(endpoint)
    [aliased] = [a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias]
    states = {
        k["KeyId"]: kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
        for k in kms.list_keys()["Keys"]
    }
    return aliased, states


@pytest.mark.usefixtures("aws_env")
def test_two_runs_racing_for_the_alias_converge_on_one_key(server: str) -> None:
    """Both runs look the alias up before either creates it (a barrier holds each after ListAliases), so both
    create a key and race for the alias: the loser retires its key and uses the winner's."""
    barrier = threading.Barrier(2, timeout=30)
    results: list[BootstrapResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        session = boto3.session.Session()
        first = threading.Event()

        def hold(**_: Any) -> None:
            if not first.is_set():
                first.set()
                barrier.wait()

        session.events.register("after-call.kms.ListAliases", hold)
        try:
            results.append(
                bootstrap("race-state", REGION, "alias/race", endpoint_url=server, session=session)
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == 2
    assert results[0].kms_key_arn == results[1].kms_key_arn
    aliased, states = _key_states(server, "alias/race")
    assert len(states) == 2  # both runs made a key …
    assert states.pop(aliased) == "Enabled"  # … one is the alias's,
    assert list(states.values()) == ["PendingDeletion"]  # and the other is on its way out, not orphaned
    notes = [note for result in results for resource, _, note in result.actions if resource == "kms key"]
    assert any("scheduled for deletion" in note for note in notes)


@pytest.mark.slow
def test_two_bootstrap_commands_at_once_both_exit_0_with_one_aliased_key(server: str, tmp_path: Path) -> None:
    env = aidc_env(server, tmp_path)
    args = [
        AIDC,
        "backend",
        "bootstrap",
        "--bucket",
        "both-state",
        "--region",
        REGION,
        "--kms-alias",
        "alias/both",
    ]
    processes = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in processes]
    for code, err in outcomes:
        assert code == 0, err
        assert "Traceback" not in err
    aliased, states = _key_states(server, "alias/both")
    assert states.pop(aliased) == "Enabled"
    assert set(states.values()) <= {"PendingDeletion"}  # a losing run's key, if the runs overlapped


class _Garbage(http.server.BaseHTTPRequestHandler):
    """An endpoint that accepts every request and answers 200 with a body that is no AWS response."""

    body = b"{}"

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, *_: Any) -> None:
        pass


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize("body", [b"{}", b"garbage", b"<html><body>proxy login</body></html>"])
def test_an_endpoint_that_does_not_answer_like_aws_is_one_line(
    body: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = type("Handler", (_Garbage,), {"body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code = main(["backend", "bootstrap", "--bucket", "any-state", "--endpoint-url", url])
    finally:
        server.shutdown()
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "KeyError" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("aidc: backend bootstrap failed:")
    assert "did not answer like AWS" in line or "not an AWS response" in line, line


def test_an_unknown_aws_profile_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile ops]\nregion = eu-west-1\n")
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_PROFILE", "nope")
    assert main(["backend", "bootstrap", "--bucket", "any-state"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "AWS_PROFILE: 'nope' is not a profile" in line and "known profiles: ops" in line
