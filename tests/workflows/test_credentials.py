"""Who holds which credential in the GitHub workflows (docs/ci.md): each rule is a function returning the problems
it finds, run on the real workflows (no problem) and on a deliberately broken copy (the problem it names).

- Pull requests hold preview credentials only: no pull-request job names a GitHub environment (its OIDC subject
  must stay `pull_request`, the only one the preview role trusts) or a deploy secret, and a role it assumes is
  `AWS_PREVIEW_ROLE_ARN`.
- Prod is previewed from main only: the preview matrix holds no `main-only` stack, and every stack a prod job
  deploys is `main-only`.
- Deploys run from main only: every deploy job that reads a secret or may mint an OIDC token names `staging` or
  `prod` and requires `refs/heads/main` as a top-level `&&` term of its `if`; every job waits for the `main-only`
  guard, whose script fails for any other ref.
- The IAM trust policies docs/ci.md gives admit exactly the OIDC subjects the workflows produce.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.test_workflows import (
    CLOUD_STACKS,
    MAIN_ONLY_STACKS,
    ROOT,
    _stacks_module,
    load,
    run_list_stacks,
    steps_using,
)

MAIN = "github.ref == 'refs/heads/main'"
DEPLOY_SECRETS = {
    "AWS_ROLE_ARN",
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_CONFIG_PASSPHRASE",
    "OS_APPLICATION_CREDENTIAL_ID",
    "OS_APPLICATION_CREDENTIAL_SECRET",
}
# What a pull-request job may name: its own token, the Keystone URL (an address, not a credential), PREVIEW secrets.
PULL_REQUEST_SECRETS = re.compile(r"GITHUB_TOKEN|OS_AUTH_URL|[A-Z_]*PREVIEW[A-Z_]*", re.ASCII)
DEPLOY_ENVIRONMENTS = {"staging", "prod"}
SECRET_REFERENCE = re.compile(r"secrets\.([A-Za-z0-9_]+)", re.ASCII)


def secrets_of(job: dict[str, Any]) -> set[str]:
    return set(SECRET_REFERENCE.findall(json.dumps(job)))


def top_level_terms(condition: str) -> tuple[list[str], bool]:
    """The `&&` terms of an expression outside parentheses and quotes, and whether it has a top-level `||`."""
    text = " ".join(condition.replace("${{", "").replace("}}", "").split())
    terms, depth, quoted, start, has_or = [], 0, False, 0, False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and text.startswith("&&", i):
            terms.append(text[start:i].strip())
            start = i + 2
            i += 1
        elif not quoted and depth == 0 and text.startswith("||", i):
            has_or = True
        i += 1
    terms.append(text[start:].strip())
    return terms, has_or


def requires_main(job: dict[str, Any]) -> bool:
    terms, has_or = top_level_terms(str(job.get("if", "")))
    return MAIN in terms and not has_or


def pull_request_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for job_id, job in document["jobs"].items():
        if "environment" in job:
            problems.append(f"{job_id}: names environment {job['environment']!r} (its OIDC subject is then no "
                            "longer pull_request, and it may reach that environment's secrets)")  # fmt: skip
        for secret in sorted(secrets_of(job)):
            if not PULL_REQUEST_SECRETS.fullmatch(secret):
                problems.append(f"{job_id}: reads secret {secret}, which is not a PREVIEW credential")
        for step in steps_using(job, "aws-actions/configure-aws-credentials"):
            if step["with"].get("role-to-assume") != "${{ secrets.AWS_PREVIEW_ROLE_ARN }}":
                problems.append(
                    f"{job_id}: assumes {step['with'].get('role-to-assume')}, not AWS_PREVIEW_ROLE_ARN"
                )
        for step in steps_using(job, "pulumi/actions"):
            if step["with"].get("command") != "preview":
                problems.append(
                    f"{job_id}: runs pulumi {step['with'].get('command')}; pull requests preview only"
                )
            if step["with"].get("upsert"):
                problems.append(f"{job_id}: upserts a stack; the preview credentials create nothing")
    return problems


def deploy_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    jobs = document["jobs"]
    guard = jobs.get("main-only")
    if guard is None or guard.get("if") is not None:
        problems.append("main-only: the guard job is missing or conditional")
    for job_id, job in jobs.items():
        if job_id == "main-only":
            continue
        needs = [job["needs"]] if isinstance(job.get("needs"), str) else list(job.get("needs", []))
        if not _waits_for(jobs, job_id, "main-only"):
            problems.append(f"{job_id}: does not wait for the main-only guard (needs {needs})")
        credentials = secrets_of(job) - {"GITHUB_TOKEN"}
        mints_token = (job.get("permissions") or {}).get("id-token") == "write"
        if not (credentials or mints_token):
            continue
        if job.get("environment") not in DEPLOY_ENVIRONMENTS:
            problems.append(
                f"{job_id}: holds {sorted(credentials) or 'id-token: write'} without naming staging or prod"
            )
        if not requires_main(job):
            problems.append(f"{job_id}: its `if` does not require {MAIN} as a top-level && term")
    return problems


def _waits_for(jobs: dict[str, Any], job_id: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
    needs = jobs[job_id].get("needs", [])
    needs = [needs] if isinstance(needs, str) else list(needs)
    return target in needs or any(
        _waits_for(jobs, need, target, seen | {job_id}) for need in needs if need not in seen and need in jobs
    )


def prod_problems(deploy: dict[str, Any], main_only: list[str]) -> list[str]:
    problems = []
    for job_id, job in deploy["jobs"].items():
        if job.get("environment") != "prod":
            continue
        for step in steps_using(job, "pulumi/actions"):
            stack = step["with"]["stack-name"]
            shard_matrix = stack == "${{ matrix.stack }}" and "shards).prod" in json.dumps(job["strategy"])
            if stack not in main_only and not shard_matrix:
                problems.append(
                    f"{job_id}: deploys {stack!r} in prod, which .github/cloud-stacks does not mark main-only"
                )
    return problems


# --- The real workflows obey every rule -----------------------------------------------------------------------


def test_pull_requests_hold_preview_credentials_only() -> None:
    assert pull_request_problems(load("pull-request.yml")) == []
    assert pull_request_problems(load("pull-request-comment.yml")) == []


def test_deploys_hold_their_credentials_in_environments_on_main_only() -> None:
    assert deploy_problems(load("deploy.yml")) == []


def test_prod_is_main_only_and_never_previewed_by_a_pull_request(tmp_path: Path) -> None:
    assert prod_problems(load("deploy.yml"), MAIN_ONLY_STACKS) == []
    result, outputs = run_list_stacks(ROOT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "prod" in outputs["cloud"] and "prod" not in outputs["preview"]
    assert not set(outputs["preview"]) & set(MAIN_ONLY_STACKS)
    assert set(outputs["preview"]) == set(CLOUD_STACKS) - set(MAIN_ONLY_STACKS)


# --- Each rule finds its deliberately broken workflow -----------------------------------------------------------


def _broken(name: str) -> dict[str, Any]:
    return copy.deepcopy(load(name))


def test_a_pull_request_job_with_an_environment_is_refused() -> None:
    document = _broken("pull-request.yml")
    document["jobs"]["preview"]["environment"] = "prod"
    assert pull_request_problems(document) == [
        "preview: names environment 'prod' (its OIDC subject is then no longer pull_request, and it may reach "
        "that environment's secrets)"
    ]


@pytest.mark.parametrize("secret", sorted(DEPLOY_SECRETS))
def test_a_pull_request_job_naming_a_deploy_secret_is_refused(secret: str) -> None:
    document = _broken("pull-request.yml")
    [step] = steps_using(document["jobs"]["preview-edges"], "pulumi/actions")
    step["env"]["EXTRA"] = f"${{{{ secrets.{secret} }}}}"
    assert pull_request_problems(document) == [
        f"preview-edges: reads secret {secret}, which is not a PREVIEW credential"
    ]


def test_a_pull_request_assuming_the_deploy_role_is_refused() -> None:
    document = _broken("pull-request.yml")
    [aws] = steps_using(document["jobs"]["preview"], "aws-actions/configure-aws-credentials")
    aws["with"]["role-to-assume"] = "arn:aws:iam::111122223333:role/aidc-deploy-prod"
    assert pull_request_problems(document) == [
        "preview: assumes arn:aws:iam::111122223333:role/aidc-deploy-prod, not AWS_PREVIEW_ROLE_ARN"
    ]


def test_a_pull_request_that_deploys_or_creates_a_stack_is_refused() -> None:
    document = _broken("pull-request.yml")
    [step] = steps_using(document["jobs"]["preview-edges"], "pulumi/actions")
    step["with"]["command"] = "up"
    step["with"]["upsert"] = True
    assert pull_request_problems(document) == [
        "preview-edges: runs pulumi up; pull requests preview only",
        "preview-edges: upserts a stack; the preview credentials create nothing",
    ]


@pytest.mark.parametrize(
    ("condition", "refused"),
    [
        ("github.event_name == 'push' || inputs.stage == 'all'", True),
        (f"{MAIN} || inputs.stage == 'all'", True),
        (f"({MAIN} || true) && inputs.stage == 'all'", True),
        ("github.ref == 'refs/heads/mainline' && true", True),
        ("github.ref != 'refs/heads/main'", True),
        (f"!cancelled() && {MAIN} && (github.event_name == 'push' || inputs.stage == 'all')", False),
        (f"{MAIN} && toJSON(fromJSON(needs.stacks.outputs.shards).prod) != '[]'", False),
    ],
)
def test_a_deploy_job_that_may_run_off_main_is_refused(condition: str, refused: bool) -> None:
    document = _broken("deploy.yml")
    document["jobs"]["prod"]["if"] = condition
    expected = ["prod: its `if` does not require github.ref == 'refs/heads/main' as a top-level && term"]
    assert deploy_problems(document) == (expected if refused else [])


def test_a_deploy_job_holding_credentials_outside_an_environment_is_refused() -> None:
    document = _broken("deploy.yml")
    del document["jobs"]["staging"]["environment"]
    document["jobs"]["stacks"]["permissions"]["id-token"] = "write"
    problems = deploy_problems(document)
    assert (
        "staging: holds ['AWS_ROLE_ARN', 'OS_APPLICATION_CREDENTIAL_ID', 'OS_APPLICATION_CREDENTIAL_SECRET', "
        "'OS_AUTH_URL', 'PULUMI_ACCESS_TOKEN', 'PULUMI_CONFIG_PASSPHRASE'] without naming staging or prod"
    ) in problems
    assert "stacks: holds id-token: write without naming staging or prod" in problems


def test_a_job_that_skips_the_guard_is_refused() -> None:
    document = _broken("deploy.yml")
    document["jobs"]["test"]["needs"] = []
    problems = deploy_problems(document)
    assert "test: does not wait for the main-only guard (needs [])" in problems
    assert any(p.startswith("staging: does not wait") for p in problems), "staging waited through test"
    document = _broken("deploy.yml")
    document["jobs"]["main-only"]["if"] = "github.event_name == 'push'"
    assert deploy_problems(document) == ["main-only: the guard job is missing or conditional"]


def test_a_prod_job_deploying_a_previewed_stack_is_refused() -> None:
    assert prod_problems(load("deploy.yml"), []) == [
        f"{job}: deploys 'prod' in prod, which .github/cloud-stacks does not mark main-only"
        for job in ("prod", "prod-infrastructure")
    ]


def test_a_cloud_stack_line_with_an_unknown_mark_is_refused(tmp_path: Path) -> None:
    from tests.workflows.test_workflows import _copy_for_stacks

    root = _copy_for_stacks(tmp_path)
    cloud = root / ".github" / "cloud-stacks"
    cloud.write_text(cloud.read_text(encoding="utf-8").replace("prod main-only", "prod main_only"))
    result, outputs = run_list_stacks(root, tmp_path)
    assert result.returncode != 0 and outputs == {}
    assert "optionally followed by main-only" in result.stderr


@pytest.mark.parametrize("name", ["dev\n", "dev\r", "ｄev", "prod-edge-١", "x" * 101, "-dev"])
def test_stack_names_are_matched_whole_and_ascii(name: str) -> None:
    stacks = _stacks_module()
    assert not stacks.STACK_NAME.fullmatch(name) or not stacks.SHARD_NAME.fullmatch(name)
    assert stacks.STACK_NAME.fullmatch(name) is None or (name.isascii() and "\n" not in name)
    if name == "prod-edge-١":
        assert stacks.SHARD_NAME.fullmatch(name) is None, "an Arabic-Indic digit is no shard number"


# --- The guard job, run -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "code"),
    [("refs/heads/main", 0), ("refs/heads/feature", 1), ("refs/heads/main-hotfix", 1), ("refs/tags/v1", 1)],
)
def test_the_guard_refuses_any_ref_but_main(ref: str, code: int) -> None:
    [step] = load("deploy.yml")["jobs"]["main-only"]["steps"]
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env={"PATH": os.environ["PATH"], "REF": ref},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == code, result.stdout + result.stderr
    if code:
        assert f"deploys refs/heads/main only, not {ref}" in result.stdout


# --- The trust policies in docs/ci.md -------------------------------------------------------------------------

OIDC = "token.actions.githubusercontent.com"


def doc_json_blocks() -> list[dict[str, Any]]:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def trust_problems(policy: dict[str, Any]) -> tuple[set[str], list[str]]:
    """The OIDC subjects a GitHub trust policy admits, and what is wrong with it."""
    subjects: set[str] = set()
    problems = []
    for statement in policy["Statement"]:
        if statement.get("Action") != "sts:AssumeRoleWithWebIdentity" or statement.get("Effect") != "Allow":
            continue
        conditions = statement.get("Condition", {})
        if set(conditions) != {"StringEquals"}:
            problems.append(f"{statement.get('Sid')}: conditions {sorted(conditions)}; only StringEquals")
            continue
        equals = conditions["StringEquals"]
        if equals.get(f"{OIDC}:aud") != "sts.amazonaws.com":
            problems.append(f"{statement.get('Sid')}: audience is not sts.amazonaws.com")
        subject = equals.get(f"{OIDC}:sub")
        if not isinstance(subject, str) or "*" in subject or "?" in subject:
            problems.append(f"{statement.get('Sid')}: subject {subject!r} is not one exact subject")
        else:
            subjects.add(subject)
    return subjects, problems


def trust_policies() -> dict[str, dict[str, Any]]:
    """sid of the first statement -> the policy, for the trust policies (AssumeRoleWithWebIdentity) on the page."""
    return {
        block["Statement"][0]["Sid"]: block
        for block in doc_json_blocks()
        if "Statement" in block and block["Statement"][0].get("Action") == "sts:AssumeRoleWithWebIdentity"
    }


def test_the_documented_trust_policies_admit_exactly_the_workflows_subjects() -> None:
    policies = trust_policies()
    assert set(policies) == {
        "PullRequestsOfThisRepositoryOnly",
        "StagingEnvironmentOnly",
        "ProdEnvironmentOnly",
    }
    admitted = {}
    for sid, policy in policies.items():
        subjects, problems = trust_problems(policy)
        assert problems == [], sid
        admitted[sid] = subjects
    # The subjects the workflows produce: pull-request jobs name no environment; deploy jobs name theirs.
    assert admitted["PullRequestsOfThisRepositoryOnly"] == {"repo:OWNER/REPO:pull_request"}
    environments = {job.get("environment") for job in load("deploy.yml")["jobs"].values()} - {None}
    assert environments == DEPLOY_ENVIRONMENTS
    for environment in environments:
        sid = f"{environment.capitalize()}EnvironmentOnly"
        assert admitted[sid] == {f"repo:OWNER/REPO:environment:{environment}"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c.update({"StringLike": c.pop("StringEquals")}), "only StringEquals"),
        (
            lambda c: c["StringEquals"].update({f"{OIDC}:sub": "repo:OWNER/REPO:*"}),
            "is not one exact subject",
        ),
        (lambda c: c["StringEquals"].pop(f"{OIDC}:aud"), "audience is not sts.amazonaws.com"),
        (lambda c: c["StringEquals"].pop(f"{OIDC}:sub"), "is not one exact subject"),
    ],
)
def test_a_loose_trust_policy_is_refused(change: Any, problem: str) -> None:
    policy = copy.deepcopy(trust_policies()["ProdEnvironmentOnly"])
    change(policy["Statement"][0]["Condition"])
    _, problems = trust_problems(policy)
    assert len(problems) == 1 and problem in problems[0]


def test_the_documented_environments_admit_main_only_and_prod_has_reviewers() -> None:
    environments = [block for block in doc_json_blocks() if "deployment_branch_policy" in block]
    assert len(environments) == 2
    for block in environments:
        assert block["deployment_branch_policy"] == {
            "protected_branches": False,
            "custom_branch_policies": True,
        }
    [prod] = [block for block in environments if "reviewers" in block]
    assert prod["reviewers"] and prod["prevent_self_review"] is True
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for environment in DEPLOY_ENVIRONMENTS:
        assert (
            f"gh api -X POST repos/OWNER/REPO/environments/{environment}/deployment-branch-policies -f name=main "
            "-f type=branch"
        ) in text
