"""Property-based robustness suite (issue 11): hostile stack configs, stack-file bytes and command lines go
through the real CLI in-process, and every run must end with exit 0, 1 or 2, no traceback, within a bound —
and exit 0 only for a stack within every documented cloud limit (tests/robustness/oracle.py).

The light tests drive `aidc size` and the other cheap commands (a few hundred examples in all); the heavy ones
run the whole offline program per example (`aidc plan`) and are marked slow."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aidc.cli import main
from tests.robustness.oracle import limits_broken
from tests.robustness.strategies import command_lines, stack_configs, stack_texts

LIGHT = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
HEAVY = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
SIZE_BOUND_S = 30.0  # sizing one stack takes well under a second; the bound says "it ended"
PLAN_TIMEOUT_S = 120.0


@pytest.fixture(autouse=True, scope="module")
def _no_network_reachable() -> Any:
    """Every cloud endpoint a command might call is a closed loopback port: nothing leaves the machine."""
    saved = dict(os.environ)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_CONFIG_FILE="/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-credentials",
        OS_AUTH_URL="http://127.0.0.1:9/v3",
        OS_USERNAME="u",
        OS_PASSWORD="p",
        OS_PROJECT_NAME="p",
        OS_USER_DOMAIN_NAME="Default",
        OS_PROJECT_DOMAIN_NAME="Default",
        OS_CLIENT_CONFIG_FILE="/nonexistent/clouds.yaml",
    )
    for var in ("AWS_PROFILE", "OS_CLOUD"):
        os.environ.pop(var, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


def run_cli(argv: list[str]) -> tuple[int, str, str, float]:
    """`aidc argv` in-process: exit code, stdout, stderr, seconds. `main` must never raise."""
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue(), time.monotonic() - started


def assert_clean(code: int, err: str, elapsed: float, bound: float, out: str = "") -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err + out, err
    assert elapsed < bound, elapsed
    if code != 0:
        # a failure says what failed: on stderr, or (preflight's failed checks) in its table
        assert err.strip() or out.strip(), "a failure must say what failed"
        assert "internal error" not in err, err  # every class has its own message before the last resort


def _write(tmp: Path, name: str, config: Any) -> Path:
    path = tmp / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, allow_unicode=True))
    return path


@LIGHT
@given(stack_configs())
def test_hostile_configs_size_cleanly_and_pass_only_within_cloud_limits(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, dict[str, Any]]
) -> None:
    stack, config = case
    path = _write(tmp_path_factory.mktemp("cfg"), "fuzz", config)
    code, out, err, elapsed = run_cli(["size", "--config", str(path), "--json"])
    event(f"exit {code}")
    assert_clean(code, err, elapsed, SIZE_BOUND_S)
    assert code != 1  # sizing has no environment to fail on
    if code == 0:
        plan = json.loads(out)
        assert limits_broken(config, "fuzz", plan) == [], (stack, config)
    else:
        assert err.startswith("aidc: ") and len(err.strip().splitlines()) <= 12, err


@LIGHT
@given(stack_texts())
def test_damaged_stack_files_end_in_one_clear_line(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("text") / "Pulumi.damaged.yaml"
    path.write_bytes(data)
    code, _, err, elapsed = run_cli(["size", "--config", str(path)])
    event(f"exit {code}")
    assert_clean(code, err, elapsed, SIZE_BOUND_S)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(command_lines())
def test_command_lines_end_cleanly(argv: list[str]) -> None:
    code, out, err, elapsed = run_cli(argv)
    event(f"exit {code}")
    # preflight and backend may reach for the (closed) endpoints: bounded by their own timeouts
    assert_clean(code, err, elapsed, 60.0, out)


@pytest.mark.slow
@HEAVY
@given(stack_configs(max_mutations=2), st.sampled_from(["json", "text"]))
def test_hostile_configs_plan_cleanly_and_pass_only_within_cloud_limits(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, dict[str, Any]], fmt: str
) -> None:
    stack, config = case
    path = _write(tmp_path_factory.mktemp("plan"), "fuzz", config)
    code, out, err, elapsed = run_cli(
        ["plan", "--config", str(path), "--format", fmt, "--timeout", f"{PLAN_TIMEOUT_S:g}"]
    )
    event(f"exit {code}")
    assert_clean(code, err, elapsed, PLAN_TIMEOUT_S + 60, out)
    if code == 0:
        size_code, size_out, _, _ = run_cli(["size", "--config", str(path), "--json"])
        assert size_code == 0
        assert limits_broken(config, "fuzz", json.loads(size_out)) == [], (stack, config)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.one_of(
                st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)
            ),
            lambda inner: st.one_of(
                st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
            ),
            max_leaves=20,
        ).map(lambda v: json.dumps({"stack": "dev", "resources": [], "summary": v}).encode()),
    )
)
def test_any_diff_base_ends_cleanly(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    base = tmp_path_factory.mktemp("diff") / "base.json"
    base.write_bytes(data)
    code, _, err, elapsed = run_cli(["plan", "--stack", "dev", "--diff", str(base), "--format", "json"])
    assert_clean(code, err, elapsed, PLAN_TIMEOUT_S + 60)
