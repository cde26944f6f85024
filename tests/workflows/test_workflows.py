"""The GitHub Actions workflows: valid against the vendored GitHub workflow schema (check-jsonschema) and wired
as docs/review.md says: one comment per stack found by its marker, matrices that scripts/stacks.py derives from
the stack files (so a new stack needs no edit here or in a workflow), every action pinned to a commit SHA,
concurrency, least-privilege permissions, preview only where secrets exist, staging before prod behind a
protected environment, the policy pack on every Pulumi run."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aidc.output.diff_markdown import comment_marker

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
# Discovered here, independently of scripts/stacks.py, which the workflows run.
STACK_FILES = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)
# Estate shards (`<core>-edge-<n>` beside a `<core>` stack file) are planned with their core, not on their own.
SHARD_FILES = sorted(
    name
    for name in STACK_FILES
    if (m := re.match(r"^(?P<core>.+)-edge-\d+$", name)) and m["core"] in STACK_FILES
)
PLANNED_STACKS = [name for name in STACK_FILES if name not in SHARD_FILES]
_CLOUD_LINES = [
    line.split("#", 1)[0].split()
    for line in (ROOT / ".github" / "cloud-stacks").read_text(encoding="utf-8").splitlines()
]
CLOUD_STACKS = [words[0] for words in _CLOUD_LINES if words]
# Stacks whose credentials exist only on main (the `prod` environment): no pull request previews them.
MAIN_ONLY_STACKS = [words[0] for words in _CLOUD_LINES if words[1:] == ["main-only"]]
PREVIEW_STACKS = [name for name in CLOUD_STACKS if name not in MAIN_ONLY_STACKS]
# Inputs of pulumi/actions v7.0.0 (action.yml of github.com/pulumi/actions at that tag)
PULUMI_ACTION_INPUTS = {
    "exclude",
    "exclude-dependents",
    "always-include-summary",
    "cloud-url",
    "color",
    "command",
    "comment-on-pr",
    "comment-on-pr-number",
    "comment-on-summary",
    "config-map",
    "continue-on-error",
    "debug",
    "diff",
    "edit-pr-comment",
    "exclude-protected",
    "expect-no-changes",
    "github-token",
    "log-flow",
    "log-verbosity",
    "message",
    "parallel",
    "plan",
    "policyPackConfigs",
    "policyPacks",
    "pulumi-version",
    "pulumi-version-file",
    "refresh",
    "remove",
    "replace",
    "secrets-provider",
    "stack-name",
    "suppress-outputs",
    "suppress-progress",
    "target",
    "target-dependents",
    "upsert",
    "work-dir",
}
# `uses: owner/repo@<full commit SHA> # vX.Y.Z`: the SHA is what runs, the comment is what Dependabot and a
# reviewer read. A tag or branch can be moved under us; a commit cannot.
PINNED_USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})\s+#\s+(?P<version>v\d+\.\d+\.\d+)\s*$"
)
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:")


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
def test_permissions_least_and_timeouts(path: Path) -> None:
    document = load(path.name)
    assert document["permissions"] == {"contents": "read"}, (
        f"{path.name}: top-level permissions must be read-only"
    )
    assert "concurrency" in document or all("concurrency" in j for j in document["jobs"].values())
    for job_id, job in document["jobs"].items():
        assert "timeout-minutes" in job, f"{path.name}:{job_id} has no timeout"


def unpinned_uses(text: str) -> list[str]:
    """The `uses:` lines of a workflow that are not `owner/repo@<40-hex SHA> # vX.Y.Z`."""
    return [
        line.strip() for line in text.splitlines() if USES_LINE.match(line) and not PINNED_USES.match(line)
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_pinned_to_a_commit_sha_with_its_version(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not unpinned_uses(text), f"{path.name}: not pinned to a full commit SHA with a version comment"
    # Every `uses:` YAML sees is one of the lines checked (no flow-style or multi-line form slips past).
    document = load(path.name)
    uses = [s["uses"] for job in document["jobs"].values() for s in job.get("steps", []) if "uses" in s]
    uses += [job["uses"] for job in document["jobs"].values() if "uses" in job]
    pinned = [f"{m['action']}@{m['sha']}" for m in map(PINNED_USES.match, text.splitlines()) if m]
    assert uses, f"{path.name}: no action found: the YAML walk is broken"
    assert sorted(uses) == sorted(pinned), f"{path.name}: {sorted(uses)} != {sorted(pinned)}"


def test_one_pin_per_action_across_workflows() -> None:
    # Two SHAs for one action would mean two versions in use: Dependabot bumps them together, so should we.
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in FILES:
        for match in map(PINNED_USES.match, path.read_text(encoding="utf-8").splitlines()):
            if match:
                pins.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert pins, "no pinned action found"
    assert {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


@pytest.mark.parametrize(
    "line",
    [
        "      - uses: actions/checkout@v4",
        "      - uses: actions/checkout@v4.2.2",
        "      - uses: actions/checkout@main",
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4",
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af68 # v4.2.2",
        "      - uses: actions/checkout@11BD71901BBE5B1630CEEA73D27597364C9AF683 # v4.2.2",
        "        uses: ./.github/actions/local",
        "        uses: docker://alpine:3.20",
    ],
)
def test_the_pin_check_refuses_a_movable_or_unlabelled_ref(line: str) -> None:
    assert unpinned_uses(line) == [line.strip()]
    good = "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
    assert unpinned_uses(good) == []


def test_dependabot_keeps_actions_and_python_pins_current() -> None:
    path = ROOT / ".github" / "dependabot.yml"
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.dependabot", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert updates["github-actions"]["directory"] == "/"
    # constraints.txt at the root and the policy pack's requirements.txt
    assert set(updates["pip"]["directories"]) == {"/", "/policies"}


def test_pull_request_plan_diff_comments_once_per_stack() -> None:
    document = load("pull-request.yml")
    assert document["on"] == {"pull_request": {"branches": ["main"]}}
    assert document["concurrency"]["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in document["concurrency"]["group"]
    job = document["jobs"]["plan-diff"]
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.all) }}", (
        "every stack file gets a plan diff, listed by the stacks job"
    )
    assert job["needs"] == "stacks"
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
    assert "strategy" not in job, "the stacks come from the run's artifacts, not from a list kept here"
    assert not steps_using(job, "actions/checkout"), "never check out a fork's code with a write token"
    [download] = steps_using(job, "actions/download-artifact")
    upload_name = steps_using(load("pull-request.yml")["jobs"]["plan-diff"], "actions/upload-artifact")[0]
    assert upload_name["with"]["name"] == "aidc-plan-${{ matrix.stack }}"
    assert download["with"]["pattern"] == "aidc-plan-*"
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    script = steps_using(job, "actions/github-script")[0]["with"]["script"]
    assert "updateComment" in script and "`<!-- aidc-plan:${stack} -->`" in script
    # The names it accepts are the names scripts/stacks.py accepts, every stack file's among them.
    js_pattern = re.search(r"const STACK_NAME = /(.*)/;", script).group(1)  # type: ignore[union-attr]
    assert js_pattern == _stacks_module().STACK_NAME.pattern
    assert all(re.match(js_pattern, stack) for stack in STACK_FILES)


def _stacks_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("aidc_scripts_stacks", ROOT / "scripts" / "stacks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pulumi_step(job: dict[str, Any], preview: bool = False) -> dict[str, Any]:
    """The job's pulumi/actions step; a preview job holds the PREVIEW credentials, a deploy job the deploy ones."""
    [step] = steps_using(job, "pulumi/actions")
    unknown = set(step["with"]) - PULUMI_ACTION_INPUTS
    assert not unknown, f"unknown pulumi/actions inputs {unknown}"
    assert step["with"]["policyPacks"] == "policies", "every Pulumi run carries the policy pack"
    token, role = (
        ("PULUMI_PREVIEW_ACCESS_TOKEN", "AWS_PREVIEW_ROLE_ARN")
        if preview
        else (
            "PULUMI_ACCESS_TOKEN",
            "AWS_ROLE_ARN",
        )
    )
    assert step["env"]["PULUMI_ACCESS_TOKEN"] == f"${{{{ secrets.{token} }}}}"
    [aws] = steps_using(job, "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == f"${{{{ secrets.{role} }}}}"
    assert job["permissions"]["id-token"] == "write", "OIDC role assumption needs id-token: write"
    return step


def test_preview_only_where_secrets_exist() -> None:
    job = load("pull-request.yml")["jobs"]["preview"]
    assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.preview) }}"
    assert set(job["needs"]) == {"test", "stacks"}
    # The declared cloud stacks: the three environments, in this order; prod is previewed from main only.
    assert CLOUD_STACKS == ["dev", "staging", "prod"]
    assert MAIN_ONLY_STACKS == ["prod"]
    assert "matrix.stack" in job["concurrency"]["group"]
    step = _pulumi_step(job, preview=True)
    assert step["with"]["command"] == "preview"
    assert step["with"]["stack-name"] == "${{ matrix.stack }}"
    assert step["with"]["comment-on-pr"] is True and step["with"]["edit-pr-comment"] is True
    # A GitHub-hosted runner cannot reach the cluster APIs: the preview leaves the add-on layer out.
    assert job["runs-on"] == "ubuntu-latest"
    _leaves_out_the_addon_layer(job, step, '"$STACK"')


def _leaves_out_the_addon_layer(job: dict[str, Any], step: dict[str, Any], stack: str) -> None:
    """The job computes the add-on layer's URNs (aidc.deploy_stages) and hands them to pulumi/actions."""
    [addons] = [s for s in job["steps"] if s.get("id") == "addons"]
    assert f"python -m aidc.deploy_stages --stack {stack}" in addons["run"]
    assert step["with"]["exclude"] == "${{ steps.addons.outputs.urns }}"
    assert step["with"]["exclude-dependents"] is True
    assert job["steps"].index(addons) < job["steps"].index(step)


def test_deploy_staging_then_protected_prod() -> None:
    document = load("deploy.yml")
    assert document["on"]["push"] == {"branches": ["main"]}
    assert document["on"]["workflow_dispatch"]["inputs"]["stage"]["options"] == ["all", "infrastructure"]
    assert document["concurrency"]["cancel-in-progress"] is False, "never cancel a running pulumi up"
    jobs = document["jobs"]
    assert jobs["staging"]["needs"] == "test"
    assert jobs["staging-infrastructure"]["needs"] == "test"
    # The next environment waits for the previous one and its shards (skipped, not failed, for one stack).
    for job_id, needs in (
        ("prod", ["staging", "staging-edges"]),
        ("prod-infrastructure", ["staging-infrastructure", "staging-edges-infrastructure"]),
    ):
        assert jobs[job_id]["needs"] == needs, f"{job_id} only after {needs}"
        condition = " ".join(jobs[job_id]["if"].split())
        assert condition.startswith("!cancelled() && github.ref == 'refs/heads/main' && ")
        assert f"needs.{needs[0]}.result == 'success'" in condition
        assert f"needs.{needs[1]}.result == 'success' || needs.{needs[1]}.result == 'skipped'" in condition
    assert {"staging", "prod"} <= set(CLOUD_STACKS), "deployed stacks are previewed on pull requests first"
    for env in ("staging", "prod"):
        assert jobs[env]["environment"] == env == jobs[f"{env}-infrastructure"]["environment"]
        for job_id in (env, f"{env}-infrastructure"):
            job = jobs[job_id]
            step = _pulumi_step(job)
            assert (step["with"]["command"], step["with"]["stack-name"]) == ("up", env)
            runs = [s.get("run", "") for s in job["steps"]]
            assert f"aidc plan --stack {env}" in runs, (
                "offline plan and policy check before touching the cloud"
            )
            assert runs.index(f"aidc plan --stack {env}") < job["steps"].index(step)


def test_deploys_run_inside_the_private_network_and_bootstrap_from_outside() -> None:
    """Every push runs the full `pulumi up` on the self-hosted runner inside the core network (the cluster APIs
    are private); only a manual stage=infrastructure run uses GitHub-hosted runners, leaving the add-on layer out."""
    jobs = load("deploy.yml")["jobs"]
    labels = yaml.safe_load((WORKFLOWS.parent / "actionlint.yaml").read_text(encoding="utf-8"))
    for env in ("staging", "prod"):
        full, infrastructure = jobs[env], jobs[f"{env}-infrastructure"]
        assert full["runs-on"] == ["self-hosted", "linux", "aidc-deploy", f"aidc-{env}"]
        assert set(full["runs-on"]) - {"self-hosted", "linux"} <= set(labels["self-hosted-runner"]["labels"])
        # prod adds its wait for staging's shards to the same stage condition (test above).
        assert "github.event_name == 'push' || inputs.stage == 'all'" in full["if"]
        assert "exclude" not in _pulumi_step(full)["with"], "inside, every resource converges"
        assert infrastructure["runs-on"] == "ubuntu-latest"
        assert "github.event_name == 'workflow_dispatch' && inputs.stage == 'infrastructure'" in " ".join(
            infrastructure["if"].split()
        )
        _leaves_out_the_addon_layer(infrastructure, _pulumi_step(infrastructure), env)


@pytest.mark.parametrize("stage", ["", "-infrastructure"])
@pytest.mark.parametrize("env", ["staging", "prod"])
def test_deploy_fans_out_over_an_estates_shards_after_its_core(env: str, stage: str) -> None:
    """Each environment's shard stacks follow its core in the same stage, on the same kind of runner."""
    document = load("deploy.yml")
    job = document["jobs"][f"{env}-edges{stage}"]
    core = document["jobs"][f"{env}{stage}"]
    assert job["needs"] == ["stacks", f"{env}{stage}"], "a shard deploys after its core"
    assert job["if"] == (
        f"github.ref == 'refs/heads/main' && toJSON(fromJSON(needs.stacks.outputs.shards).{env}) != '[]'"
    )
    assert job["environment"] == env
    assert job["runs-on"] == core["runs-on"], "the edge clusters' APIs are as private as the core's"
    assert job["strategy"]["matrix"]["stack"] == f"${{{{ fromJSON(needs.stacks.outputs.shards).{env} }}}}"
    assert job["strategy"]["fail-fast"] is False
    assert 1 <= job["strategy"]["max-parallel"] <= 8, "bounded fan-out"
    assert job["permissions"] == {"contents": "read"}, "a shard needs no AWS role"
    assert not steps_using(job, "aws-actions/configure-aws-credentials")
    [step] = steps_using(job, "pulumi/actions")
    assert set(step["with"]) <= PULUMI_ACTION_INPUTS
    assert (step["with"]["command"], step["with"]["stack-name"]) == ("up", "${{ matrix.stack }}")
    assert step["with"]["policyPacks"] == "policies" and step["with"]["upsert"] is True
    runs = [s.get("run", "") for s in job["steps"]]
    assert 'aidc plan --stack "$STACK"' in runs
    assert runs.index('aidc plan --stack "$STACK"') < job["steps"].index(step)
    if stage:
        _leaves_out_the_addon_layer(job, step, '"$STACK"')
    else:
        assert "exclude" not in step["with"], "inside, every resource converges"
    assert document["jobs"]["stacks"]["outputs"] == {"shards": "${{ steps.list.outputs.shards }}"}


def test_pull_request_previews_an_estates_shards_after_the_cores() -> None:
    job = load("pull-request.yml")["jobs"]["preview-edges"]
    assert set(job["needs"]) == {"stacks", "preview"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert "needs.stacks.outputs.preview_shards != '[]'" in job["if"]
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.preview_shards) }}"
    assert 1 <= job["strategy"]["max-parallel"] <= 8
    assert "id-token" not in job["permissions"]
    [step] = steps_using(job, "pulumi/actions")
    assert set(step["with"]) <= PULUMI_ACTION_INPUTS
    assert (step["with"]["command"], step["with"]["stack-name"]) == ("preview", "${{ matrix.stack }}")
    assert step["with"]["policyPacks"] == "policies"
    assert "upsert" not in step["with"], "the preview credentials create no stack"
    assert step["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}"
    _leaves_out_the_addon_layer(job, step, '"$STACK"')


def test_every_secret_is_documented() -> None:
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    used: set[str] = set()
    for path in FILES:
        used |= set(re.findall(r"secrets\.([A-Z_]+)", path.read_text(encoding="utf-8")))
        used |= {f"vars.{v}" for v in re.findall(r"vars\.([A-Z_]+)", path.read_text(encoding="utf-8"))}
    assert used, "no secrets found: the regex is broken"
    missing = sorted(s for s in used if s.removeprefix("vars.") not in docs and s != "GITHUB_TOKEN")
    assert not missing, f"docs/ci.md does not mention {missing}"


# --- The stack matrices: the workflow's own command, run here -------------------------------------------------


def _list_stacks_command() -> str:
    job = load("pull-request.yml")["jobs"]["stacks"]
    [step] = [s for s in job["steps"] if s.get("id") == "list"]
    assert job["outputs"] == {
        "all": "${{ steps.list.outputs.all }}",
        "preview": "${{ steps.list.outputs.preview }}",
        "preview_shards": "${{ steps.list.outputs.preview_shards }}",
    }
    assert job["permissions"] == {"contents": "read"}
    return str(step["run"])


def run_list_stacks(root: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Runs the `list stacks` step's command as the runner would (bash, cwd = checkout, $GITHUB_OUTPUT)."""
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["bash", "-e", "-c", _list_stacks_command()],
        cwd=root,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = output.read_text(encoding="utf-8").splitlines()
    return result, {key: json.loads(value) for key, value in (line.split("=", 1) for line in lines)}


def test_the_stacks_job_lists_every_stack_file_and_the_cloud_stacks(tmp_path: Path) -> None:
    result, outputs = run_list_stacks(ROOT, tmp_path)
    assert result.returncode == 0, result.stderr
    shards = {name: [s for s in SHARD_FILES if s.startswith(f"{name}-edge-")] for name in CLOUD_STACKS}
    assert outputs == {
        "all": PLANNED_STACKS,
        "cloud": CLOUD_STACKS,
        "preview": PREVIEW_STACKS,
        "shards": shards,
        "preview_shards": [s for name in PREVIEW_STACKS for s in shards[name]],
    }
    assert set(CLOUD_STACKS) <= set(PLANNED_STACKS)


def _copy_for_stacks(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / ".github").mkdir()
    shutil.copy2(ROOT / "scripts" / "stacks.py", root / "scripts" / "stacks.py")
    shutil.copy2(ROOT / ".github" / "cloud-stacks", root / ".github" / "cloud-stacks")
    shutil.copytree(ROOT / "stacks", root / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def test_a_new_stack_file_joins_the_plan_diff_matrix(tmp_path: Path) -> None:
    root = _copy_for_stacks(tmp_path)
    (root / "stacks" / "Pulumi.eu-edge.yaml").write_text("config: {}\n", encoding="utf-8")
    result, outputs = run_list_stacks(root, tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs["all"] == sorted([*PLANNED_STACKS, "eu-edge"])
    assert outputs["cloud"] == CLOUD_STACKS, "a new stack gets no credentials until it is declared"
    assert outputs["preview"] == PREVIEW_STACKS


def test_an_estate_becoming_a_cloud_stack_fans_its_shards_out_in_shard_order(tmp_path: Path) -> None:
    root = _copy_for_stacks(tmp_path)
    for shard in (10, 2, 0, 1):
        (root / "stacks" / f"Pulumi.prod-edge-{shard}.yaml").write_text("config: {}\n", encoding="utf-8")
    (root / "stacks" / "Pulumi.nocore-edge-0.yaml").write_text("config: {}\n", encoding="utf-8")
    result, outputs = run_list_stacks(root, tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs["shards"]["prod"] == [f"prod-edge-{n}" for n in (0, 1, 2, 10)]
    assert outputs["preview_shards"] == [], "prod is main-only: a pull request previews none of its shards"
    for shard in (0, 1):
        (root / "stacks" / f"Pulumi.staging-edge-{shard}.yaml").write_text("config: {}\n", encoding="utf-8")
    result, outputs = run_list_stacks(root, tmp_path)
    assert outputs["preview_shards"] == ["staging-edge-0", "staging-edge-1"]
    assert "prod-edge-0" not in outputs["all"], "a shard is planned by its core's plan diff"
    assert "nocore-edge-0" in outputs["all"], "without a core file the name is an ordinary stack"
    cloud = root / ".github" / "cloud-stacks"
    cloud.write_text(cloud.read_text(encoding="utf-8") + "prod-edge-1\n", encoding="utf-8")
    result, outputs = run_list_stacks(root, tmp_path)
    assert result.returncode != 0 and "are estate shards; list their core instead" in result.stderr


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("no stack files", "no stack file matches"),
        ("cloud stack without a file", "no stacks/Pulumi.<name>.yaml for ['qa']"),
        ("bad stack name", "is not a valid stack name"),
        ("empty cloud list", "lists no stack"),
    ],
)
def test_the_stacks_job_fails_rather_than_emit_a_wrong_matrix(
    tmp_path: Path, breakage: str, message: str
) -> None:
    root = _copy_for_stacks(tmp_path)
    cloud = root / ".github" / "cloud-stacks"
    if breakage == "no stack files":
        for path in (root / "stacks").glob("Pulumi.*.yaml"):
            path.unlink()
    elif breakage == "cloud stack without a file":
        cloud.write_text(cloud.read_text(encoding="utf-8") + "qa\n", encoding="utf-8")
    elif breakage == "bad stack name":
        (root / "stacks" / "Pulumi.x -->.yaml").write_text("config: {}\n", encoding="utf-8")
    else:
        cloud.write_text("# nothing\n", encoding="utf-8")
    result, outputs = run_list_stacks(root, tmp_path)
    assert result.returncode != 0 and outputs == {}
    assert message in result.stderr


# --- Lint and tests run through the project's scripts ---------------------------------------------------------


def test_workflows_lint_and_test_through_the_project_scripts() -> None:
    # The same scripts as .ci/run, so what a pull request checks and what CI checks cannot drift apart.
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci_run.index("scripts/lint") < ci_run.index("scripts/test")
    for name, job_id in (("pull-request.yml", "test"), ("deploy.yml", "test")):
        runs = [s.get("run", "") for s in load(name)["jobs"][job_id]["steps"]]
        assert "scripts/lint" in runs and "scripts/test" in runs, f"{name}:{job_id}"
        assert runs.index("scripts/lint") < runs.index("scripts/test")
    for path in FILES:
        for job_id, job in load(path.name)["jobs"].items():
            for step in job.get("steps", []):
                assert "pip install" not in step.get("run", ""), (
                    f"{path.name}:{job_id}: install through scripts/setup (constraints.txt), not pip"
                )
                if "actions/setup-python@" in step.get("uses", "") and step["with"].get("cache") == "pip":
                    assert step["with"]["cache-dependency-path"] == "constraints.txt", f"{path.name}:{job_id}"
            for step in steps_using(job, "actions/checkout"):
                assert step["with"]["persist-credentials"] is False, f"{path.name}:{job_id}"


# --- The fork-comment script, run under Node with a fake GitHub API -------------------------------------------

NODE_HARNESS = r"""
const fs = require('fs');
const [scriptFile, stateFile] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const calls = [];
const github = {
  paginate: async (fn, args) => fn(args),
  rest: {
    pulls: { get: async ({ pull_number }) => ({ data: { head: { sha: state.pulls[pull_number] } } }) },
    issues: {
      listComments: ({ issue_number }) => state.comments.filter(c => c.issue_number === issue_number),
      updateComment: async (args) => { calls.push(['update', args]); },
      createComment: async (args) => { calls.push(['create', args]); },
    },
  },
};
const context = { repo: { owner: 'acme', repo: 'aidc' }, payload: { workflow_run: { head_sha: state.head_sha } } };
const core = { notice: (message) => calls.push(['notice', message]) };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptFile, 'utf8'))(
  require, github, context, core,
).then(
  () => console.log(JSON.stringify({ calls })),
  (error) => { console.log(JSON.stringify({ calls, error: String(error.message) })); },
);
"""


def run_fork_comment_script(tmp_path: Path, artifacts: dict[str, dict[str, str]], flat: bool = False) -> Any:
    """Lays out downloaded artifacts as download-artifact does (one: straight into plan/; several: one
    directory each) and runs the workflow's script against a fake API: PR 7 at head `abc`, with one bot
    comment for `dev` already there."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    for name, files in artifacts.items():
        directory = tmp_path / "plan" if flat else tmp_path / "plan" / name
        directory.mkdir(parents=True)
        for file, content in files.items():
            (directory / file).write_text(content, encoding="utf-8")
    job = load("pull-request-comment.yml")["jobs"]["comment"]
    (tmp_path / "script.js").write_text(steps_using(job, "actions/github-script")[0]["with"]["script"])
    (tmp_path / "harness.js").write_text(NODE_HARNESS)
    state = {
        "head_sha": "abc",
        "pulls": {"7": "abc", "8": "old"},
        "comments": [
            {"id": 1, "issue_number": 7, "user": {"type": "Bot"}, "body": "<!-- aidc-plan:dev -->\nold"},
            {"id": 2, "issue_number": 7, "user": {"type": "User"}, "body": "<!-- aidc-plan:prod -->\nhuman"},
        ],
    }
    (tmp_path / "state.json").write_text(json.dumps(state))
    result = subprocess.run(
        [node, "harness.js", "script.js", "state.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _artifact(stack: str, pr: str = "7", body: str | None = None) -> dict[str, str]:
    return {
        "stack": f"{stack}\n",
        "pr-number": f"{pr}\n",
        "comment.md": body or f"{comment_marker(stack)}\nplan",
    }


def test_fork_comment_script_upserts_one_comment_per_artifact(tmp_path: Path) -> None:
    out = run_fork_comment_script(
        tmp_path, {f"aidc-plan-{s}": _artifact(s) for s in ("dev", "prod", "eu-edge")}
    )
    assert "error" not in out, out
    calls = sorted(
        (kind, args.get("comment_id"), args["body"].splitlines()[0]) for kind, args in out["calls"]
    )
    # dev's bot comment is edited; prod's only marked comment is a human's, so the bot creates its own.
    assert calls == [
        ("create", None, comment_marker("eu-edge")),
        ("create", None, comment_marker("prod")),
        ("update", 1, comment_marker("dev")),
    ]
    assert all(args.get("issue_number", 7) == 7 for _, args in out["calls"])


def test_fork_comment_script_reads_a_single_artifact_laid_flat(tmp_path: Path) -> None:
    out = run_fork_comment_script(
        tmp_path, {"aidc-plan-staging": _artifact("staging", body="no marker")}, flat=True
    )
    assert "error" not in out, out
    [(kind, args)] = out["calls"]
    assert kind == "create" and args["body"] == f"{comment_marker('staging')}\nno marker"


def test_fork_comment_script_refuses_untrusted_names_and_stale_pull_requests(tmp_path: Path) -> None:
    out = run_fork_comment_script(tmp_path / "a", {"aidc-plan-x": _artifact("x --> <img src=x>")})
    assert out["calls"] == [] and "refused" in out["error"]
    out = run_fork_comment_script(tmp_path / "b", {"aidc-plan-dev": _artifact("dev", pr="7; rm -rf /")})
    assert [kind for kind, _ in out["calls"]] == ["update"], "parseInt keeps the number only"
    out = run_fork_comment_script(tmp_path / "c", {"aidc-plan-dev": _artifact("dev", pr="not-a-number")})
    assert out["calls"] == [] and "not a number" in out["error"]
    out = run_fork_comment_script(tmp_path / "d", {"aidc-plan-dev": _artifact("dev", pr="8")})
    assert [kind for kind, _ in out["calls"]] == ["notice"], "PR 8 moved on: no comment of an old diff"
