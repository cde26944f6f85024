"""The project's own install and check scripts, as CI runs them: constraints.txt pins every package exactly and
within pyproject.toml's ranges, scripts/setup installs from it (and only once per set of inputs), the policy
pack pins the same Pulumi, and .ci/run stops on a lint finding before any test runs."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def pins(path: Path) -> dict[str, str]:
    """name (canonical) -> exact version, from a file of `name==version` lines and comments."""
    result: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and name and version and " " not in line, f"{path.name}: {line!r} is not name==version"
        assert canonicalize_name(name) not in result, f"{path.name}: {name} pinned twice"
        result[canonicalize_name(name)] = version
    return result


CONSTRAINTS = pins(ROOT / "constraints.txt")


def project_requirements(extras: tuple[str, ...] = ("dev",)) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    return [Requirement(text) for text in declared]


def test_constraints_pin_the_installer_too() -> None:
    # pip, setuptools and wheel build aidc (no build isolation): they are pinned like everything else.
    assert {"pip", "setuptools", "wheel"} <= set(CONSTRAINTS)
    assert "aidc" not in CONSTRAINTS, "the project itself is installed editable, never pinned"


def test_pyproject_ranges_admit_every_pin() -> None:
    for requirement in project_requirements():
        name = canonicalize_name(requirement.name)
        assert name in CONSTRAINTS, f"{requirement} is not pinned in constraints.txt: run scripts/lock"
        assert requirement.specifier.contains(Version(CONSTRAINTS[name]), prereleases=True), (
            f"constraints.txt pins {name}=={CONSTRAINTS[name]}, outside pyproject.toml's {requirement}"
        )


def test_policy_pack_pins_the_same_pulumi() -> None:
    policy = pins(ROOT / "policies" / "requirements.txt")
    assert policy == {name: CONSTRAINTS[name] for name in ("pulumi", "pulumi-policy")}


def _installed() -> dict[str, importlib.metadata.Distribution]:
    return {canonicalize_name(d.metadata["Name"]): d for d in importlib.metadata.distributions()}


def test_this_environment_is_what_constraints_txt_pins() -> None:
    """What scripts/setup installed: every pin at its exact version, and everything aidc[dev] needs pinned."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip(f"not running in {ROOT / '.venv'} (scripts/setup's), but in {sys.prefix}")
    installed = _installed()
    wrong = {
        name: (version, installed[name].version if name in installed else None)
        for name, version in CONSTRAINTS.items()
        if name not in installed or installed[name].version != version
    }
    assert wrong == {}, "pinned -> installed; run scripts/setup"
    # Walk aidc[dev]'s dependency closure as installed: every package in it is pinned.
    unpinned: set[str] = set()
    seen: set[str] = set()
    todo = [(r, frozenset({"dev"}) if r.name == "aidc" else frozenset()) for r in [Requirement("aidc[dev]")]]
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(extras | set(requirement.extras)))}]"
        if key in seen:
            continue
        seen.add(key)
        if name != "aidc" and name not in CONSTRAINTS:
            unpinned.add(name)
        active = extras | set(requirement.extras)
        for text in installed[name].requires or []:
            child = Requirement(text)
            env_ok = child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in (active or {""})
            )
            if env_ok:
                todo.append((child, frozenset(child.extras)))
    assert len(seen) > 50, f"the walk found only {len(seen)} packages: it is broken"
    assert unpinned == set(), "needed by aidc[dev] but not in constraints.txt: run scripts/lock"


# --- scripts/setup, with a stand-in interpreter that records what it is asked to do -------------------------

FAKE_PYTHON = """#!/usr/bin/env bash
# Stand-in for .venv/bin/python: records pip calls, runs the real interpreter for `-c` snippets.
if [ "$1" = "-c" ]; then exec "$REAL_PYTHON" "$@"; fi
echo "$*" >> "$CALLS"
"""


@pytest.fixture
def setup_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    for name in ("scripts/setup", "constraints.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, root / name)
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(0o755)
    return root


def run_setup(root: Path, *args: str) -> tuple[int, list[str]]:
    calls = root / "calls"
    calls.touch()
    env = {**os.environ, "REAL_PYTHON": sys.executable, "CALLS": str(calls)}
    result = subprocess.run(
        ["bash", "scripts/setup", *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    lines = calls.read_text(encoding="utf-8").splitlines()
    calls.write_text("", encoding="utf-8")
    return result.returncode, lines


def test_setup_installs_everything_through_constraints_txt(setup_copy: Path) -> None:
    status, calls = run_setup(setup_copy)
    assert status == 0
    assert calls, "scripts/setup installed nothing"
    for call in calls:
        assert call.startswith("-m pip "), call
        assert " install --constraint constraints.txt " in call, f"not constrained: {call}"
    assert calls[0].endswith("install --constraint constraints.txt pip setuptools wheel")
    assert calls[-1].endswith("install --constraint constraints.txt --no-build-isolation -e .[dev]")


def test_setup_is_idempotent_until_its_inputs_change(setup_copy: Path) -> None:
    assert run_setup(setup_copy, "--check")[0] == 1, "a fresh .venv is not set up"
    assert run_setup(setup_copy)[1]
    assert run_setup(setup_copy, "--check") == (0, [])
    assert run_setup(setup_copy) == (0, []), "a second run installs nothing"
    constraints = setup_copy / "constraints.txt"
    constraints.write_text(constraints.read_text(encoding="utf-8").replace("ruff==", "ruff==0.0.1#"))
    assert run_setup(setup_copy, "--check") == (1, [])
    assert len(run_setup(setup_copy)[1]) == 2, "a new constraints.txt is installed"


# --- .ci/run stops on a lint finding --------------------------------------------------------------------------


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The tracked files in a temporary directory, sharing this checkout's .venv (already set up)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    root = tmp_path / "repo"
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, root / name)
    (root / ".venv").symlink_to(ROOT / ".venv")
    # The copy must not reinstall into the shared .venv (that would point its editable aidc at the copy).
    check = subprocess.run(["bash", "scripts/setup", "--check"], cwd=root, check=False)
    if check.returncode != 0:
        pytest.skip("this checkout's .venv is not set up from its constraints.txt: run scripts/setup")
    return root


FINDINGS = {
    "ruff check": ("aidc/_injected.py", "import os\n"),
    "ruff format --check": ("aidc/_injected.py", "x = [1,2]\n"),
    "shellcheck": ("scripts/injected", "#!/usr/bin/env bash\nrm -rf $1/build\n"),
    "zizmor": (".github/workflows/deploy.yml", None),
    # zizmor has nothing against a job that needs a job that does not exist; actionlint does.
    "actionlint": (".github/workflows/deploy.yml", "needs: main-only"),
}


@pytest.mark.parametrize("tool", FINDINGS)
def test_ci_run_fails_on_a_lint_finding_before_any_test(repo_copy: Path, tool: str) -> None:
    path, content = FINDINGS[tool]
    target = repo_copy / path
    if content is None:
        text = target.read_text(encoding="utf-8")
        pinned = next(line for line in text.splitlines() if "actions/checkout@" in line)
        target.write_text(text.replace(pinned, "      - uses: actions/checkout@v4"), encoding="utf-8")
    elif content.startswith("needs: "):
        text = target.read_text(encoding="utf-8")
        assert content in text
        target.write_text(text.replace(content, "needs: no-such-job", 1), encoding="utf-8")
    else:
        target.write_text(content, encoding="utf-8")
    result = subprocess.run(
        ["bash", ".ci/run"],
        cwd=repo_copy,
        env={**os.environ, "CI": "true"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"scripts/lint: FAILED: {tool}" in output, output
    assert Path(path).name in output, f"the finding in {path} is not reported:\n{output}"
    assert "passed" not in output and "pytest" not in output, "tests ran after a lint finding"
