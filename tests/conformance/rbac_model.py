"""Kubernetes RBAC as the API server evaluates it, for checking the deploy role's rights against what applying the
add-ons needs. Written from the upstream rules, not from aidc's code:

- a rule allows a request when its verbs, API groups and resources contain the request's (or `*`) and, if it names
  objects (`resourceNames`), the request's object name is one of them; a request with no name (create, a list
  without a name) never matches a rule that names objects (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go
  `RuleAllows`, staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go);
- creating or updating a Role or ClusterRole is refused unless the requester holds every permission in it, at its
  scope (ClusterRole: cluster-wide), or may `escalate` on the request's object — and a create request carries no
  object name (pkg/registry/rbac/escalation_check.go `RoleEscalationAuthorized` uses `requestInfo.Name`);
- creating a binding is refused unless the requester may `bind` the referenced role by name or holds all of its
  permissions at the binding's scope (`BindingAuthorized`, pkg/registry/rbac/*binding/policybased/storage.go);
- non-resource URLs match exactly, or by a prefix ending in `*`.

A requester's rights: the rules of every ClusterRole bound to its group by a ClusterRoleBinding (everywhere) and of
every Role or ClusterRole bound by a RoleBinding (in that namespace).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/namespace_policy.go: the Role a chart may bind in
# kube-system (Kueue's visibility server reads the API server's authentication config from it).
SYSTEM_ROLES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("kube-system", "extension-apiserver-authentication-reader"): [
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "resourceNames": ["extension-apiserver-authentication"],
            "verbs": ["get", "list", "watch"],
        }
    ],
}


@dataclass(frozen=True)
class Request:
    """One API request: verb on a resource (group, resource), in a namespace ('' = cluster-scoped), on a named object
    (None: no name in the request: create, list, watch) — or a non-resource URL (`url`)."""

    verb: str
    group: str = ""
    resource: str = ""
    namespace: str = ""
    name: str | None = None
    url: str | None = None
    why: str = field(default="", compare=False)


def _has(values: Iterable[str], value: str) -> bool:
    return "*" in values or value in values


def rule_allows(rule: Mapping[str, Any], request: Request) -> bool:
    if request.url is not None:
        return _has(rule["verbs"], request.verb) and any(
            url == request.url or (url.endswith("*") and request.url.startswith(url[:-1]))
            for url in rule.get("nonResourceURLs") or []
        )
    if not rule.get("resources"):
        return False
    names = rule.get("resourceNames") or []
    return (
        _has(rule["verbs"], request.verb)
        and _has(rule.get("apiGroups") or [], request.group)
        and _has(rule["resources"], request.resource)
        and (not names or (request.name is not None and request.name in names))
    )


@dataclass
class Rights:
    """A requester's rules: everywhere, and per namespace."""

    cluster: list[dict[str, Any]]
    namespaces: dict[str, list[dict[str, Any]]]

    def allows(self, request: Request) -> bool:
        rules = self.cluster + (self.namespaces.get(request.namespace, []) if request.namespace else [])
        return any(rule_allows(rule, request) for rule in rules)


def rights_of_group(group: str, objects: Iterable[Mapping[str, Any]]) -> Rights:
    """What `group` may do, from RBAC manifests (kind, metadata, rules, roleRef, subjects)."""
    objects = list(objects)
    cluster_roles = {
        o["metadata"]["name"]: o.get("rules") or [] for o in objects if o["kind"] == "ClusterRole"
    }
    roles = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o.get("rules") or []
        for o in objects
        if o["kind"] == "Role"
    }
    rights = Rights(cluster=[], namespaces={})
    for binding in objects:
        if binding["kind"] not in ("ClusterRoleBinding", "RoleBinding"):
            continue
        if not any(s["kind"] == "Group" and s["name"] == group for s in binding.get("subjects") or []):
            continue
        ref = binding["roleRef"]
        namespace = binding["metadata"].get("namespace", "")
        rules = (
            cluster_roles.get(ref["name"], [])
            if ref["kind"] == "ClusterRole"
            else roles.get((namespace, ref["name"]), [])
        )
        if binding["kind"] == "ClusterRoleBinding":
            rights.cluster += rules
        else:
            rights.namespaces.setdefault(namespace, []).extend(rules)
    return rights


def requests_of_rules(rules: Iterable[Mapping[str, Any]], namespace: str, why: str) -> list[Request]:
    """Every permission a role's rules hold, as the requests the escalation check asks about (at `namespace`)."""
    requests: list[Request] = []
    for rule in rules:
        for verb in rule["verbs"]:
            requests += [Request(verb, url=url, why=why) for url in rule.get("nonResourceURLs") or []]
            for group in rule.get("apiGroups") or []:
                for resource in rule.get("resources") or []:
                    requests += [
                        Request(verb, group, resource, namespace, name, why=why)
                        for name in (rule.get("resourceNames") or [None])
                    ]
    return requests


def held(rights: Rights, rules: Iterable[Mapping[str, Any]], namespace: str, why: str) -> list[str]:
    """The permissions of `rules` (a role being created, or one a binding references) that `rights` does not hold
    at `namespace` ('' for a ClusterRole or ClusterRoleBinding: only cluster-wide rules count)."""
    scoped = rights if namespace else Rights(rights.cluster, {})
    return [
        f"{why}: not held: {r.verb} {r.group}/{r.resource or r.url} {r.name or '*'} in {namespace or 'the cluster'}"
        for r in requests_of_rules(rules, namespace, why)
        if not scoped.allows(r)
    ]
