"""The EKS deploy role's Kubernetes rights: everything applying the add-ons needs is allowed, nothing more, and no
wildcard (components/aws_gpu_cluster/deploy_access.py says what and why).

What the add-ons need is derived here, independently of the component, from:
- the charts' rendered templates (upstream/charts/eks-addons.json: each chart at its pinned version with the values
  the program gives it, rendered by Helm's engine; tools/chart_objects.py): Helm checks each object exists (get),
  creates it, patches it on upgrade and deletes it on uninstall, waits for a Deployment's ReplicaSet, and keeps the
  release record as a Secret in the release's namespace; a Role, ClusterRole or binding it creates must be held by
  the deploy role (rbac_model.py: Kubernetes's escalation check);
- the program's own objects on the cluster (from the offline run): created, then read, listed and watched by name
  while Pulumi waits, updated, patched and deleted by name.
Minimal: every permission the deploy role's rules grant is the only one that allows some needed request.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest
from rbac_model import SYSTEM_ROLES, Request, Rights, held, requests_of_rules, rights_of_group, rule_allows
from stack_runs import SHIPPED, offline_plan
from upstream_files import load_json

from aidc.config.load import read_config_values, stack_file
from aidc.contract import ACCESS_LABEL, DEPLOY_GROUP
from aidc.offline import OfflinePlan, run_program

RELEASE = "kubernetes:helm.sh/v3:Release"
PROVIDER = "pulumi:providers:kubernetes"
DEPLOY_PROVIDER = "aws-k8s"  # the EKS cluster's Provider the deploy role's add-ons ride on
ROLES = {
    "deploy_role_arn": "arn:aws:iam::111122223333:role/aidc-deploy",
    "admin_role_arn": "arn:aws:iam::111122223333:role/aidc-operators",
}
# kind -> (API group, resource, namespaced): the Kubernetes API's own names for what the add-ons create.
KINDS: dict[str, tuple[str, str, bool]] = {
    "APIService": ("apiregistration.k8s.io", "apiservices", False),
    "ClusterQueue": ("kueue.x-k8s.io", "clusterqueues", False),
    "ClusterRole": ("rbac.authorization.k8s.io", "clusterroles", False),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io", "clusterrolebindings", False),
    "ConfigMap": ("", "configmaps", True),
    "CustomResourceDefinition": ("apiextensions.k8s.io", "customresourcedefinitions", False),
    "DaemonSet": ("apps", "daemonsets", True),
    "Deployment": ("apps", "deployments", True),
    "EC2NodeClass": ("karpenter.k8s.aws", "ec2nodeclasses", False),
    "LocalQueue": ("kueue.x-k8s.io", "localqueues", True),
    "MutatingWebhookConfiguration": ("admissionregistration.k8s.io", "mutatingwebhookconfigurations", False),
    "Namespace": ("", "namespaces", False),
    "NodePool": ("karpenter.sh", "nodepools", False),
    "PodDisruptionBudget": ("policy", "poddisruptionbudgets", True),
    "ResourceFlavor": ("kueue.x-k8s.io", "resourceflavors", False),
    "Role": ("rbac.authorization.k8s.io", "roles", True),
    "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings", True),
    "Secret": ("", "secrets", True),
    "Service": ("", "services", True),
    "ServiceAccount": ("", "serviceaccounts", True),
    "ValidatingWebhookConfiguration": (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        False,
    ),
}
HELM_RECORD_VERBS = ("create", "get", "list", "update", "delete")


def rendered_releases() -> list[dict[str, Any]]:
    return list(load_json("charts/eks-addons.json")["releases"])


def _release_key(inputs: dict[str, Any], resource: str) -> tuple[Any, ...]:
    return (
        inputs["chart"],
        inputs["version"],
        inputs.get("name") or None,
        resource if not inputs.get("name") else None,
        inputs["namespace"],
        json.dumps(inputs.get("values") or {}, sort_keys=True),
    )


def _recorded(release: dict[str, Any]) -> tuple[Any, ...]:
    return (
        release["chart"],
        release["version"],
        None if release["auto_named"] else release["name"],
        release["resource"] if release["auto_named"] else None,
        release["namespace"],
        json.dumps(release["values"], sort_keys=True),
    )


def _on_deploy_provider(plan: OfflinePlan) -> list[dict[str, Any]]:
    providers = {r["urn"] for r in plan.resources if r["type"] == PROVIDER and r["name"] == DEPLOY_PROVIDER}
    return [r for r in plan.resources if (r["provider"] or "").rsplit("::", 1)[0] in providers]


@cache
def with_roles(stack: str) -> OfflinePlan:
    """The stack with a deploy and an admin role named (the shipped stacks name none: they carry no account)."""
    values = copy.deepcopy(read_config_values(stack_file(stack)))
    values.setdefault("aidc:aws", {})["access"] = dict(ROLES)
    return run_program(stack, stack_config=values)


EKS_STACKS = [s for s in SHIPPED if _on_deploy_provider(offline_plan(s))]


def _object_needs(obj: dict[str, Any], namespace: str, why: str) -> list[Request]:
    group, resource, namespaced = KINDS[obj["kind"]]
    where = (obj["namespace"] or namespace) if namespaced else ""
    needs = [Request("create", group, resource, where, why=why)]
    needs += [
        Request(v, group, resource, where, obj["name"], why=why) for v in ("get", "update", "patch", "delete")
    ]
    if obj["kind"] == "Deployment":  # Helm's wait reads the Deployment's new ReplicaSet
        needs.append(Request("list", "apps", "replicasets", where, why=why))
    return needs


def _held_roles(release: dict[str, Any]) -> list[tuple[list[dict[str, Any]], str, str]]:
    """(rules, namespace, why) of every role the release creates and every role its bindings reference."""
    ns = release["namespace"]
    objects = release["objects"]
    cluster_roles = {o["name"]: o["rules"] for o in objects if o["kind"] == "ClusterRole"}
    roles = {((o["namespace"] or ns), o["name"]): o["rules"] for o in objects if o["kind"] == "Role"}
    held_rules: list[tuple[list[dict[str, Any]], str, str]] = []
    for obj in objects:
        where = obj["namespace"] or ns
        why = f"{release['chart']} {obj['kind']} {obj['name']}"
        if obj["kind"] == "ClusterRole":
            held_rules.append((obj["rules"], "", why))
        elif obj["kind"] == "Role":
            held_rules.append((obj["rules"], where, why))
        elif obj["kind"] in ("ClusterRoleBinding", "RoleBinding"):
            ref = obj["roleRef"]
            scope = where if obj["kind"] == "RoleBinding" else ""
            rules = (
                cluster_roles[ref["name"]]
                if ref["kind"] == "ClusterRole"
                else roles.get((where, ref["name"])) or SYSTEM_ROLES[(where, ref["name"])]
            )
            held_rules.append((rules, scope, f"{why} -> {ref['kind']} {ref['name']}"))
    return held_rules


def needs_of(plan: OfflinePlan) -> tuple[list[Request], list[tuple[list[dict[str, Any]], str, str]]]:
    """What applying the stack's add-ons with the deploy role asks of the API, and the roles it must hold."""
    recorded = {_recorded(r): r for r in rendered_releases()}
    needs: list[Request] = []
    roles: list[tuple[list[dict[str, Any]], str, str]] = []
    for resource in _on_deploy_provider(plan):
        inputs = resource["plain_inputs"]
        if resource["type"] == RELEASE:
            release = recorded[_release_key(inputs, resource["name"])]
            ns = release["namespace"]
            needs += [
                Request(v, "", "secrets", ns, why=f"{release['chart']} release record")
                for v in HELM_RECORD_VERBS
            ]
            if release["create_namespace"]:
                needs.append(Request("create", "", "namespaces", why=f"{release['chart']} createNamespace"))
            for obj in release["objects"]:
                needs += _object_needs(obj, ns, f"{release['chart']} {obj['kind']} {obj['name']}")
            roles += _held_roles(release)
            continue
        kind = inputs["kind"]
        group, resource_name, _ = KINDS[kind]
        assert inputs["apiVersion"].rpartition("/")[0] == group, resource["urn"]
        meta = inputs["metadata"]
        where, why = meta.get("namespace") or "", f"program {kind} {meta['name']}"
        needs.append(Request("create", group, resource_name, where, why=why))
        verbs = ("get", "list", "watch", "update", "patch", "delete")
        needs += [Request(v, group, resource_name, where, meta["name"], why=why) for v in verbs]
    return needs, roles


def deploy_objects(plan: OfflinePlan) -> list[dict[str, Any]]:
    """The RBAC manifests the program declares (on any provider), as Kubernetes would store them."""
    return [
        {"kind": r["type"].rsplit(":", 1)[1], **r["plain_inputs"]}
        for r in plan.resources
        if r["type"].startswith("kubernetes:rbac.authorization.k8s.io/v1:")
    ]


def _atoms(rights: Rights) -> list[tuple[str, Request]]:
    """Each single permission the rights grant, with where it holds ('' everywhere, else the namespace)."""
    atoms = [(" ", a) for a in requests_of_rules(rights.cluster, "", "deploy")]
    for namespace, rules in rights.namespaces.items():
        atoms += [(namespace, a) for a in requests_of_rules(rules, namespace, "deploy")]
    return atoms


def _atom_allows(where: str, atom: Request, request: Request) -> bool:
    if where.strip() and request.namespace != where:
        return False
    if atom.url is not None:
        return rule_allows({"verbs": [atom.verb], "nonResourceURLs": [atom.url]}, request)
    rule: dict[str, Any] = {"verbs": [atom.verb], "apiGroups": [atom.group], "resources": [atom.resource]}
    if atom.name is not None:
        rule["resourceNames"] = [atom.name]
    return rule_allows(rule, request)


def access_problems(objects: list[dict[str, Any]], plan: OfflinePlan) -> list[str]:
    """Needed requests the deploy group cannot make, roles it cannot create or bind, permissions no request needs
    (each must be the only one allowing some needed request), and wildcards or privilege verbs."""
    rights = rights_of_group(DEPLOY_GROUP, objects)
    needs, roles = needs_of(plan)
    problems = [
        f"{n.why}: {n.verb} {n.group}/{n.resource} {n.name or '*'} in {n.namespace or '-'}"
        for n in needs
        if not rights.allows(n)
    ]
    for rules, namespace, why in roles:
        problems += held(rights, rules, namespace, why)
        needs += requests_of_rules(rules, namespace, why)
    atoms = _atoms(rights)
    needed: set[int] = set()
    for need in set(needs):
        allowing = [i for i, (where, atom) in enumerate(atoms) if _atom_allows(where, atom, need)]
        if len(allowing) == 1:
            needed.add(allowing[0])
    problems += [
        f"not needed: {a.verb} {a.group}/{a.resource or a.url} {a.name or '*'} in {w.strip() or 'the cluster'}"
        for i, (w, a) in enumerate(atoms)
        if i not in needed
    ]
    for rule in rights.cluster + [r for rules in rights.namespaces.values() for r in rules]:
        for key in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"):
            if any(str(v).endswith("*") for v in rule.get(key) or []):
                problems.append(f"wildcard in {key}: {rule}")
        problems += [
            f"privilege verb {v}: {rule}" for v in ("escalate", "bind", "impersonate") if v in rule["verbs"]
        ]
    return problems


# --- the stacks -----------------------------------------------------------------------------------------------
def test_every_add_on_release_was_rendered_with_the_values_the_program_gives_it() -> None:
    recorded = {_recorded(r) for r in rendered_releases()}
    seen = 0
    for stack in EKS_STACKS:
        for resource in _on_deploy_provider(offline_plan(stack)):
            if resource["type"] == RELEASE:
                seen += 1
                key = _release_key(resource["plain_inputs"], resource["name"])
                assert key in recorded, (
                    f"{resource['urn']}: chart, version or values differ from upstream/charts/eks-addons.json; "
                    "re-run tests/conformance/upstream/tools/chart_objects.py (with --component-data)"
                )
    assert seen


def test_cluster_scoped_chart_objects_have_fixed_names() -> None:
    """The deploy role manages them by name: a release named at random by Pulumi must not name them."""
    for release in rendered_releases():
        for obj in release["objects"]:
            if not KINDS[obj["kind"]][2]:
                assert "xxxxxxxx" not in obj["name"], f"{release['chart']}: {obj['kind']} {obj['name']}"


@pytest.mark.parametrize("stack", EKS_STACKS)
def test_the_deploy_role_may_apply_exactly_the_add_ons(stack: str) -> None:
    plan = with_roles(stack)
    objects = deploy_objects(plan)
    assert objects, "a deploy role gets its RBAC objects"
    assert all(o["metadata"]["labels"][ACCESS_LABEL] == "deploy" for o in objects)
    assert access_problems(objects, plan) == []


@pytest.mark.parametrize("stack", EKS_STACKS)
def test_the_deploy_role_has_a_group_and_no_access_policy(stack: str) -> None:
    plan = with_roles(stack)
    entries = {
        r["plain_inputs"]["principalArn"]: r["plain_inputs"]
        for r in plan.resources
        if r["type"] == "aws:eks/accessEntry:AccessEntry"
    }
    assert entries[ROLES["deploy_role_arn"]]["kubernetesGroups"] == [DEPLOY_GROUP]
    associations = [
        r["plain_inputs"]
        for r in plan.resources
        if r["type"] == "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
    ]
    assert [a["principalArn"] for a in associations] == [ROLES["admin_role_arn"]]
    # Without a deploy role there is nobody to bind: no RBAC objects.
    assert deploy_objects(offline_plan(stack)) == []


# --- each check refuses a broken input -------------------------------------------------------------------------
def _broken(objects: list[dict[str, Any]], change: Any) -> list[dict[str, Any]]:
    broken = copy.deepcopy(objects)
    change(next(o for o in broken if o["kind"] == "ClusterRole")["rules"])
    return broken


def _drop_crd_create(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        if "customresourcedefinitions" in rule.get("resources", []) and "create" in rule["verbs"]:
            rule["verbs"] = [v for v in rule["verbs"] if v != "create"] or ["get"]


@pytest.mark.parametrize(
    "change",
    [
        _drop_crd_create,
        lambda rules: rules.append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}),
        lambda rules: rules.append({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}),
        lambda rules: rules.append(
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]}
        ),
        lambda rules: rules.pop(next(i for i, r in enumerate(rules) if "nodes" in r.get("resources", []))),
    ],
    ids=["no-crd-create", "secrets-everywhere", "wildcard", "escalate", "no-node-rights-for-karpenter-role"],
)
def test_broken_deploy_rights_are_refused(change: Any) -> None:
    plan = with_roles("prod")
    assert access_problems(_broken(deploy_objects(plan), change), plan)


def test_a_named_rule_never_allows_a_create() -> None:
    rule = {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["clusterroles"],
        "verbs": ["create", "escalate"],
        "resourceNames": ["karpenter"],
    }
    assert not rule_allows(rule, Request("create", "rbac.authorization.k8s.io", "clusterroles"))
    assert not rule_allows(rule, Request("escalate", "rbac.authorization.k8s.io", "clusterroles"))
    assert rule_allows(
        rule, Request("escalate", "rbac.authorization.k8s.io", "clusterroles", name="karpenter")
    )
