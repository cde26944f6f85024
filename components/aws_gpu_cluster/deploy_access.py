"""What the deploy role may do in the EKS cluster's Kubernetes API: exactly what applying the add-ons needs, instead of
cluster-admin.

The deploy role's access entry (access.py) carries the Kubernetes group DEPLOY_GROUP and no EKS access policy; these
RBAC objects give the group its rights:

- ClusterRole and ClusterRoleBinding `aidc-deploy` (cluster-wide):
  - every rule of every ClusterRole the add-on charts create (`held`). Kubernetes lets an identity create a role or
    a binding only with rights it holds itself, or with the `escalate` / `bind` verbs; `escalate` is checked against
    the name in the request URL, which a create (POST) does not have, so it cannot be granted per role for a first
    install, and granting it unrestricted, or by name on update, would let the holder write any rule into a chart's
    role and act through the chart's service account. Holding the charts' own rules lets Helm create their roles and
    bindings (ConfirmNoEscalation) and adds nothing those controllers do not already do;
  - the cluster-scoped objects the charts and the program create, by name: CustomResourceDefinitions,
    ClusterRoles, ClusterRoleBindings, webhook configurations, APIServices and namespaces (`create` cannot be
    limited by name: Kubernetes authorises it before the name is known; every other verb is);
  - the program's own objects in workload namespaces (service accounts, queues), by name.
- a Role and RoleBinding `aidc-deploy` in each namespace the charts install into (kube-system, kueue-system,
  monitoring): the namespaced kinds the charts render there, with the rules of the chart Roles in that namespace and
  Helm's release records (Secrets; so Secrets are readable in those namespaces only).

The rules come from the charts' templates rendered at the pinned versions with the values the program gives them
(chart_access.json, written by tests/conformance/upstream/tools/chart_objects.py; tests/conformance/
test_deploy_access.py checks that every object the add-ons create is covered and no rule is more than needed).

What this does not bound: Kueue installs a mutating admission webhook on pods and Karpenter launches nodes; whoever
can change those controllers' Deployments (the deploy role must) can act through them. The ClusterRole takes away
direct cluster-admin — no Secret outside the add-on namespaces, no role or binding but the charts', no object of a
kind no add-on uses — not the power of the controllers it installs (docs/security.md).

Who creates these objects. On a new cluster the deploy role has no rights until they exist, so the first time they
are applied by the admin role (`aidc:aws.access.admin_role_arn`, cluster-admin through its access policy):
`pulumi up --target` of the URNs `python -m aidc.deploy_stages --stack <stack> --stage access` lists, from the deploy
runner's network with the admin role's credentials. They ride on a kubernetes Provider of their own that adopts
objects already there (upsertExistingObjects: a cluster whose Helm releases created the namespaces). On a cluster
created before this change the deploy role still holds cluster-admin during the `pulumi up` that applies them; that
run then deletes its access policy association. Widening the ClusterRole later (a chart that needs more) is again an
admin's `--stage access` run: the deploy role cannot grant itself what it does not hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import model_validator

from aidc.contract import ACCESS_LABEL, DEPLOY_ACCESS, DEPLOY_GROUP
from aidc.types import FrozenArgs, Slug, field_error
from components.aws_gpu_cluster.scope import Scope

DEPLOY_ROLE = DEPLOY_GROUP  # the ClusterRole, its binding, and each add-on namespace's Role and RoleBinding
CHART_ACCESS_FILE = Path(__file__).with_name("chart_access.json")
# Verbs on the objects Helm installs (get: its ownership check and waits; patch: upgrades; delete: uninstall) and on
# the objects the program declares through Pulumi (which also lists and watches an object by name while it waits).
HELM_VERBS = ("get", "update", "patch", "delete")
PULUMI_VERBS = ("get", "list", "watch", "update", "patch", "delete")
NAMESPACED_VERBS = ("create", "get", "update", "patch", "delete")
# Helm's release records: listed by label, created, read, updated (their status) and deleted, never patched.
RECORD_VERBS = ("create", "get", "list", "update", "delete")
# kind -> (API group, resource, namespaced), for every kind the add-ons and the program create.
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
    "NetworkPolicy": ("networking.k8s.io", "networkpolicies", True),
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

# One permission: (API group, resource, verb, object name or None for any), or ("", "url:<path>", verb, None).
Atom = tuple[str, str, str, str | None]


def rule_atoms(rules: Iterable[Mapping[str, Any]]) -> set[Atom]:
    """The permissions a list of RBAC PolicyRules (manifest form) grants, one atom each."""
    atoms: set[Atom] = set()
    for rule in rules:
        names: Sequence[str | None] = rule.get("resourceNames") or [None]
        for verb in rule["verbs"]:
            atoms |= {("", f"url:{url}", verb, None) for url in rule.get("nonResourceURLs") or []}
            for group in rule.get("apiGroups") or []:
                atoms |= {
                    (group, resource, verb, name)
                    for resource in rule.get("resources") or []
                    for name in names
                }
    return atoms


def _granted(atom: Atom, by: set[Atom]) -> bool:
    """Whether `by` grants `atom`: the same permission, or the same verb on every object of the resource."""
    return atom in by or (atom[3] is not None and (atom[0], atom[1], atom[2], None) in by)


def without_covered(atoms: set[Atom], by: set[Atom] | None = None) -> set[Atom]:
    """`atoms` less those that `by` grants (with no `by`: less the named atoms an any-name atom of `atoms` grants)."""
    if by is None:
        return {atom for atom in atoms if atom[3] is None or (atom[0], atom[1], atom[2], None) not in atoms}
    return {atom for atom in atoms if not _granted(atom, by)}


def rules_of(atoms: Iterable[Atom]) -> list[dict[str, Any]]:
    """Atoms as PolicyRules, in a stable order: one rule per API group, verbs and names (named objects of a
    resource share a rule), non-resource URLs apart."""
    by_object: dict[tuple[str, str, str | None], set[str]] = {}
    for group, resource, verb, name in atoms:
        by_object.setdefault((group, resource, name), set()).add(verb)
    urls: dict[tuple[str, ...], list[str]] = {}
    by_names: dict[tuple[str, tuple[str, ...], str], set[str | None]] = {}
    for (group, resource, name), verb_set in by_object.items():
        verbs = tuple(sorted(verb_set))
        if resource.startswith("url:"):
            urls.setdefault(verbs, []).append(resource.removeprefix("url:"))
        else:
            by_names.setdefault((group, verbs, resource), set()).add(name)
    grouped: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for (group, verbs, resource), names in by_names.items():
        if None in names:
            grouped.setdefault((group, verbs, ()), []).append(resource)
        named = tuple(sorted(n for n in names if n is not None))
        if named:
            grouped.setdefault((group, verbs, named), []).append(resource)
    rules: list[dict[str, Any]] = []
    for (group, verbs, object_names), resources in sorted(grouped.items()):
        rule: dict[str, Any] = {"apiGroups": [group], "resources": sorted(resources), "verbs": list(verbs)}
        if object_names:
            rule["resourceNames"] = list(object_names)
        rules.append(rule)
    rules += [
        {"nonResourceURLs": sorted(paths), "verbs": list(verbs)} for verbs, paths in sorted(urls.items())
    ]
    return rules


def _policy_rule(rule: Mapping[str, Any]) -> k8s.rbac.v1.PolicyRuleArgs:
    """A rule (manifest keys) as the SDK's typed argument."""
    return k8s.rbac.v1.PolicyRuleArgs(
        verbs=list(rule["verbs"]),
        api_groups=rule.get("apiGroups"),
        resources=rule.get("resources"),
        resource_names=rule.get("resourceNames"),
        non_resource_urls=rule.get("nonResourceURLs"),
    )


def _metadata(namespace: str | None = None) -> k8s.meta.v1.ObjectMetaArgs:
    return k8s.meta.v1.ObjectMetaArgs(
        name=DEPLOY_ROLE, namespace=namespace, labels={ACCESS_LABEL: DEPLOY_ACCESS}
    )


@dataclass(frozen=True)
class ChartAccess:
    """What one chart release creates, from its rendered templates (chart_access.json)."""

    chart: str
    version: str
    namespace: str
    cluster_objects: Mapping[str, tuple[str, ...]]  # "<group>/<resource>" -> names
    namespaced_objects: Mapping[
        str, tuple[str, ...]
    ]  # namespace -> "<group>/<resource>" of what it renders there
    cluster_rules: tuple[Mapping[str, Any], ...]  # the rules of its ClusterRoles
    namespaced_rules: Mapping[str, tuple[Mapping[str, Any], ...]]  # namespace -> the rules of its Roles there
    create_namespace: bool


def load_chart_access(path: Path = CHART_ACCESS_FILE) -> dict[str, ChartAccess]:
    """chart_access.json by chart (as the program names it: repository chart name or OCI reference)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        chart: ChartAccess(
            chart=chart,
            version=facts["version"],
            namespace=facts["namespace"],
            cluster_objects={k: tuple(v) for k, v in facts["cluster_objects"].items()},
            namespaced_objects={k: tuple(v) for k, v in facts["namespaced_objects"].items()},
            cluster_rules=tuple(facts["cluster_rules"]),
            namespaced_rules={k: tuple(v) for k, v in facts["namespaced_rules"].items()},
            create_namespace=facts["create_namespace"],
        )
        for chart, facts in document["charts"].items()
    }


# Empty only while tools/chart_objects.py writes the file for the first time: DeployAccess then refuses every chart.
CHARTS = load_chart_access() if CHART_ACCESS_FILE.exists() else {}


class KubeObject(FrozenArgs):
    """An object the program declares on the cluster with the deploy role (not through a chart)."""

    kind: str
    """Its kind (a key of KINDS)."""
    name: Slug
    """Its name."""

    @model_validator(mode="after")
    def _known(self) -> KubeObject:
        if self.kind not in KINDS:
            raise field_error("kind", f"{self.kind!r} is not one of {sorted(KINDS)}")
        return self


class DeployAccess(FrozenArgs):
    """What the deploy role applies on the cluster: chart releases (by chart, at their pinned versions) and the
    program's own objects."""

    charts: dict[str, str]
    """Chart (as the program names it) -> its pinned version; each must be in chart_access.json at that version."""
    objects: tuple[KubeObject, ...] = ()
    """The program's objects (namespaces, service accounts, queues, node pools), by kind and name."""

    @model_validator(mode="after")
    def _charts_known(self) -> DeployAccess:
        for chart, version in self.charts.items():
            facts = CHARTS.get(chart)
            if facts is None or facts.version != version:
                known = f"{facts.version}" if facts else "none"
                raise field_error(
                    f"charts[{chart!r}]",
                    f"version {version} has no rendered access facts (chart_access.json has {known}); re-run "
                    "tests/conformance/upstream/tools/chart_objects.py",
                )
        return self


@dataclass(frozen=True)
class DeployRules:
    """The deploy role's rules: cluster-wide, and per add-on namespace."""

    cluster: list[dict[str, Any]]
    namespaced: dict[str, list[dict[str, Any]]]


def deploy_rules(access: DeployAccess) -> DeployRules:
    """The rules DEPLOY_ROLE grants for `access` (module docstring: what and why)."""
    charts = [CHARTS[chart] for chart in access.charts]
    cluster = rule_atoms(rule for chart in charts for rule in chart.cluster_rules)
    for chart in charts:
        for target, names in chart.cluster_objects.items():
            group, resource = target.split("/", 1)
            cluster.add((group, resource, "create", None))
            cluster |= {(group, resource, verb, name) for verb in HELM_VERBS for name in names}
        if chart.create_namespace:
            cluster.add(("", "namespaces", "create", None))
    for obj in access.objects:
        group, resource, _ = KINDS[obj.kind]
        cluster.add((group, resource, "create", None))
        cluster |= {(group, resource, verb, obj.name) for verb in PULUMI_VERBS}
    cluster = without_covered(cluster)
    namespaced: dict[str, set[Atom]] = {}
    for chart in charts:
        for namespace, targets in chart.namespaced_objects.items():
            atoms = namespaced.setdefault(namespace, set())
            for target in targets:
                group, resource = target.split("/", 1)
                atoms |= {(group, resource, verb, None) for verb in NAMESPACED_VERBS}
        # Helm keeps each release's record as a Secret in the release's namespace.
        namespaced.setdefault(chart.namespace, set()).update(("", "secrets", v, None) for v in RECORD_VERBS)
        for namespace, rules in chart.namespaced_rules.items():
            namespaced.setdefault(namespace, set()).update(rule_atoms(rules))
    return DeployRules(
        cluster=rules_of(cluster),
        namespaced={
            ns: rules_of(without_covered(atoms, by=cluster)) for ns, atoms in sorted(namespaced.items())
        },
    )


def _binding(
    scope: Scope, provider: k8s.Provider, kind: str, namespace: str | None, role: pulumi.Resource
) -> pulumi.Resource:
    """The binding of DEPLOY_GROUP to the role `kind` DEPLOY_ROLE (in `namespace`, or cluster-wide)."""
    subjects = [
        k8s.rbac.v1.SubjectArgs(api_group="rbac.authorization.k8s.io", kind="Group", name=DEPLOY_GROUP)
    ]
    role_ref = k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind=kind, name=DEPLOY_ROLE)
    opts = scope.opts(provider=provider, depends_on=[role])
    if namespace is None:
        return k8s.rbac.v1.ClusterRoleBinding(
            f"{scope.name}-deploy-binding",
            metadata=_metadata(),
            role_ref=role_ref,
            subjects=subjects,
            opts=opts,
        )
    return k8s.rbac.v1.RoleBinding(
        f"{scope.name}-deploy-binding-{namespace}",
        metadata=_metadata(namespace),
        role_ref=role_ref,
        subjects=subjects,
        opts=opts,
    )


def declare_deploy_access(
    scope: Scope, provider: k8s.Provider, access: DeployAccess
) -> list[pulumi.Resource]:
    """The RBAC objects on the access Provider; returns what the deploy role's Provider must wait for."""
    rules = deploy_rules(access)
    opts = scope.opts(provider=provider)
    declared: list[pulumi.Resource] = []
    if rules.cluster:  # a device plugin alone renders nothing cluster-scoped
        role = k8s.rbac.v1.ClusterRole(
            f"{scope.name}-deploy-role",
            metadata=_metadata(),
            rules=[_policy_rule(rule) for rule in rules.cluster],
            opts=opts,
        )
        declared += [role, _binding(scope, provider, "ClusterRole", None, role)]
    for namespace, namespaced in rules.namespaced.items():
        after: list[pulumi.Resource] = []
        if namespace != "kube-system":
            after.append(
                k8s.core.v1.Namespace(
                    f"{scope.name}-ns-{namespace}",
                    metadata=k8s.meta.v1.ObjectMetaArgs(name=namespace),
                    opts=opts,
                )
            )
        ns_role = k8s.rbac.v1.Role(
            f"{scope.name}-deploy-role-{namespace}",
            metadata=_metadata(namespace),
            rules=[_policy_rule(rule) for rule in namespaced],
            opts=scope.opts(provider=provider, depends_on=after),
        )
        declared += [*after, ns_role, _binding(scope, provider, "Role", namespace, ns_role)]
    return declared
