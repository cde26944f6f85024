"""The GitHub Actions workflows: valid against the vendored GitHub workflow schema (check-jsonschema) and wired
as docs/review.md says: one comment per stack found by its marker, a matrix over every stack file, concurrency,
least-privilege permissions, preview only where secrets exist, staging before prod behind a protected
environment, the policy pack on every Pulumi run."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aidc.report.markdown import comment_marker

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
STACK_FILES = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)
# Inputs of pulumi/actions (src/config.ts of github.com/pulumi/actions)
PULUMI_ACTION_INPUTS = {
    "command",
    "stack-name",
    "pulumi-version",
    "pulumi-version-file",
    "work-dir",
    "secrets-provider",
    "cloud-url",
    "github-token",
    "comment-on-pr",
    "comment-on-pr-number",
    "comment-on-summary",
    "upsert",
    "remove",
    "refresh",
    "config-map",
    "edit-pr-comment",
    "parallel",
    "message",
    "expect-no-changes",
    "diff",
    "replace",
    "target",
    "target-dependents",
    "policyPacks",
    "policyPackConfigs",
    "color",
    "always-include-summary",
    "plan",
    "suppress-outputs",
    "suppress-progress",
    "exclude-protected",
    "continue-on-error",
}


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    if True in document:
        document["on"] = document.pop(True)
    return document


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(action + "@")]


def _schema() -> dict[str, Any]:
    import check_jsonschema

    path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "github-workflows.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_expected_workflows_exist() -> None:
    assert {p.name for p in FILES} == {"pull-request.yml", "pull-request-comment.yml", "deploy.yml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_check_jsonschema_accepts(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_rejects_a_broken_workflow() -> None:
    # Guard against a schema check that accepts anything.
    document = load("deploy.yml")
    jsonschema.validate(document, _schema())
    broken = copy.deepcopy(document)
    broken["jobs"]["prod"]["runs-on"] = {"bad": True}
    broken["jobs"]["prod"]["needz"] = "staging"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_pinned_and_permissions_least(path: Path) -> None:
    document = load(path.name)
    assert document["permissions"] == {"contents": "read"}, (
        f"{path.name}: top-level permissions must be read-only"
    )
    assert "concurrency" in document or all("concurrency" in j for j in document["jobs"].values())
    for job_id, job in document["jobs"].items():
        assert "timeout-minutes" in job, f"{path.name}:{job_id} has no timeout"
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.match(r"^[\w.-]+/[\w.-]+@v\d+$", step["uses"]), (
                    f"{path.name}:{job_id}: {step['uses']}"
                )


def test_pull_request_plan_diff_comments_once_per_stack() -> None:
    document = load("pull-request.yml")
    assert document["on"] == {"pull_request": {"branches": ["main"]}}
    assert document["concurrency"]["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in document["concurrency"]["group"]
    job = document["jobs"]["plan-diff"]
    assert sorted(job["strategy"]["matrix"]["stack"]) == STACK_FILES, "every stack file gets a plan diff"
    assert job["strategy"]["fail-fast"] is False
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    run = "\n".join(s.get("run", "") for s in job["steps"])
    assert 'git worktree add "$RUNNER_TEMP/base" "$BASE_SHA"' in run
    assert 'python -m aidc.cli plan --stack "$STACK" --json' in run
    assert '--diff "$RUNNER_TEMP/base.json" --format markdown' in run
    [comment] = steps_using(job, "actions/github-script")
    assert comment["env"]["STACK"] == "${{ matrix.stack }}"
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    script = comment["with"]["script"]
    # The script's marker is the one render_markdown writes, for every stack.
    template = re.search(r"const marker = `(.*)`;", script).group(1)  # type: ignore[union-attr]
    for stack in STACK_FILES:
        assert template.replace("${process.env.STACK}", stack) == comment_marker(stack)
    # Updated in place: found among existing comments, edited if present, created only otherwise.
    assert "github.paginate(github.rest.issues.listComments" in script
    assert "c.body.startsWith(marker)" in script
    assert script.index("updateComment") < script.index("createComment")
    [upload] = steps_using(job, "actions/upload-artifact")
    assert upload["with"]["name"] == "aidc-plan-${{ matrix.stack }}"


def test_fork_comments_come_from_workflow_run_without_running_fork_code() -> None:
    document = load("pull-request-comment.yml")
    assert document["on"]["workflow_run"]["workflows"] == [load("pull-request.yml")["name"]]
    job = document["jobs"]["comment"]
    assert "head_repository.full_name != github.repository" in job["if"]
    assert sorted(job["strategy"]["matrix"]["stack"]) == STACK_FILES
    assert not steps_using(job, "actions/checkout"), "never check out a fork's code with a write token"
    [download] = steps_using(job, "actions/download-artifact")
    assert download["with"]["name"] == "aidc-plan-${{ matrix.stack }}"
    script = steps_using(job, "actions/github-script")[0]["with"]["script"]
    assert "updateComment" in script and "`<!-- aidc-plan:${process.env.STACK} -->`" in script


def _pulumi_step(job: dict[str, Any]) -> dict[str, Any]:
    [step] = steps_using(job, "pulumi/actions")
    assert step["uses"] == "pulumi/actions@v6"
    unknown = set(step["with"]) - PULUMI_ACTION_INPUTS
    assert not unknown, f"unknown pulumi/actions inputs {unknown}"
    assert step["with"]["policyPacks"] == "policies", "every Pulumi run carries the policy pack"
    assert step["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    [aws] = steps_using(job, "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ secrets.AWS_ROLE_ARN }}"
    assert job["permissions"]["id-token"] == "write", "OIDC role assumption needs id-token: write"
    return step


def test_preview_only_where_secrets_exist() -> None:
    job = load("pull-request.yml")["jobs"]["preview"]
    assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert job["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    assert "matrix.stack" in job["concurrency"]["group"]
    step = _pulumi_step(job)
    assert step["with"]["command"] == "preview"
    assert step["with"]["stack-name"] == "${{ matrix.stack }}"
    assert step["with"]["comment-on-pr"] is True and step["with"]["edit-pr-comment"] is True


def test_deploy_staging_then_protected_prod() -> None:
    document = load("deploy.yml")
    assert document["on"]["push"] == {"branches": ["main"]}
    assert document["concurrency"]["cancel-in-progress"] is False, "never cancel a running pulumi up"
    jobs = document["jobs"]
    assert jobs["staging"]["needs"] == "test"
    assert jobs["prod"]["needs"] == "staging", "prod only after staging succeeded"
    assert jobs["staging"]["environment"] == "staging"
    assert jobs["prod"]["environment"] == "prod", "prod runs behind the protected environment"
    for env in ("staging", "prod"):
        step = _pulumi_step(jobs[env])
        assert (step["with"]["command"], step["with"]["stack-name"]) == ("up", env)
        runs = [s.get("run", "") for s in jobs[env]["steps"]]
        assert f"aidc plan --stack {env}" in runs, "offline plan and policy check before touching the cloud"
        assert runs.index(f"aidc plan --stack {env}") < jobs[env]["steps"].index(step)


def test_every_secret_is_documented() -> None:
    docs = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    used: set[str] = set()
    for path in FILES:
        used |= set(re.findall(r"secrets\.([A-Z_]+)", path.read_text(encoding="utf-8")))
        used |= {f"vars.{v}" for v in re.findall(r"vars\.([A-Z_]+)", path.read_text(encoding="utf-8"))}
    assert used, "no secrets found: the regex is broken"
    missing = sorted(s for s in used if s.removeprefix("vars.") not in docs and s != "GITHUB_TOKEN")
    assert not missing, f"docs/review.md does not mention {missing}"
