"""Progress on stderr for long steps, only for a person at a terminal: shown when stderr is a terminal (a pty
here), silent under CI, with --json and when stderr is piped (aidc/output/progress.py)."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from aidc.output.progress import Progress, wanted

pytestmark = pytest.mark.slow
AIDC = str(Path(sys.executable).parent / "aidc")


def _run_with_terminal_stderr(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run aidc with stderr on a pseudo-terminal (stdout a file); return (exit code, stdout, stderr)."""
    master, slave = pty.openpty()
    # stdout goes to a file, not a pipe: nothing reads it while stderr is drained, and a document larger than the
    # pipe's buffer (`aidc size --json`) would block the command until the deadline.
    with tempfile.TemporaryFile() as captured:
        process = subprocess.Popen([AIDC, *args], stdout=captured, stderr=slave, env=env)
        os.close(slave)
        chunks: list[bytes] = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:  # the pty closes when the process ends
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        os.close(master)
        process.wait(timeout=60)
        captured.seek(0)
        out = captured.read()
    return process.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(AIDC_PROGRESS_AFTER_S="0", COLUMNS="80", **extra)
    return env


def test_a_terminal_sees_progress_of_a_plan() -> None:
    code, out, err = _run_with_terminal_stderr("plan", "--stack", "dev", env=_env())
    assert code == 0, err
    assert "aidc: sizing dev …" in err and "aidc: planning dev" in err and "done in" in err
    assert "aidc:" not in out.split("\n", 1)[0]  # stdout holds the plan only


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("size", "--stack", "dev"), {"CI": "true"}),
        (("size", "--stack", "dev", "--json"), {}),
    ],
    ids=["CI", "json"],
)
def test_no_progress_under_ci_or_with_json(args: tuple[str, ...], env: dict[str, str]) -> None:
    code, _, err = _run_with_terminal_stderr(*args, env=_env(**env))
    assert code == 0, err
    assert "sizing" not in err and "done in" not in err


def test_no_progress_when_stderr_is_piped() -> None:
    result = subprocess.run(
        [AIDC, "size", "--stack", "dev"], capture_output=True, text=True, env=_env(), timeout=300
    )
    assert result.returncode == 0
    assert "sizing" not in result.stderr and "done in" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_step_speaks_only_once_it_has_taken_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = _Terminal()
    assert wanted(stream) and not wanted(stream, machine_output=True) and not wanted(io.StringIO())
    monkeypatch.setenv("AIDC_PROGRESS_AFTER_S", "5")
    progress = Progress(True, stream)
    with progress.step("quick"):
        pass
    assert stream.getvalue() == ""  # a step shorter than the delay stays silent
    monkeypatch.setenv("AIDC_PROGRESS_AFTER_S", "0.05")
    with progress.step("slow"):
        time.sleep(0.5)
    assert stream.getvalue().startswith("aidc: slow …\naidc: slow: done in 0.")
    monkeypatch.setenv("CI", "true")
    assert not wanted(stream)
