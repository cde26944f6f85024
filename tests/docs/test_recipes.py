"""The recipes the documentation gives are run as written, so they stay true: docs/preflight.md's fake-AWS
recipe (moto.server on a loopback port, then `aidc preflight` against it)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.preflight.conftest import closed_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def recipe(page: str, name: str) -> str:
    """The bash block between `<!-- recipe: NAME -->` and `<!-- /recipe -->` of a docs page."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {name} -->\n```bash\n(.*?)```\n<!-- /recipe -->", text, re.DOTALL)
    assert match, f"docs/{page} has no recipe {name}"
    return match.group(1)


def test_the_preflight_moto_recipe_runs_as_documented(tmp_path: Path) -> None:
    script = recipe("preflight.md", "preflight-moto")
    port = str(closed_port())
    script = script.replace("5000", port)  # a free port instead of the documented one
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OS_", "CI"))}
    # Its own process group: whatever happens, the moto server it starts is ended with it.
    process = subprocess.Popen(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=240)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    assert "Traceback" not in err, err
    assert "PASS aws:credentials" in out and "PASS aws:instance-offering p5.48xlarge" in out, out
    # moto has no EC2 quotas and no EKS AMI parameter: two failed checks, each with its reason, no HTML.
    assert "FAIL aws:vcpu-quota" in out and "FAIL aws:gpu-ami" in out, out
    assert "<html" not in out.lower() and "<title" not in out.lower()
    assert "3 passed, 2 failed" in out
    assert "preflight exit code: 1" in out
    # The documented report is this real output.
    documented = (ROOT / "docs" / "preflight.md").read_text(encoding="utf-8")
    assert "3 passed, 2 failed" in documented
