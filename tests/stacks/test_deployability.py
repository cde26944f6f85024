"""The real program, run offline, deploys in one `pulumi up` and stays put on the second (issue 10):

- readiness: every Kubernetes resource of a K3s cluster sits behind that cluster's readiness gate in the
  dependency graph the engine orders by, and the gate behind every server of the cluster;
- HA: a 3-server cluster's registration address is its load balancer VIP, in every server certificate and used
  by joining servers and every agent (pools of the cluster and GPU pools joining it);
- the second `pulumi up`: a K3s version bump changes the upgrade Plans and nothing the engine would diff on an
  instance or a Heat pool; growing a pool changes its count and nothing that replaces a member;
- where `pulumi up` runs: the infrastructure stage leaves out exactly the cluster add-on layer.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pulumi_openstack as openstack
import pytest
import yaml
from stacks_list import SHARD_STACKS, SHIPPED_STACKS

from aidc.config.load import read_config_values, stack_file
from aidc.contract import PUBLIC_CLOUDS
from aidc.deploy_stages import access_stage_targets, addon_layer_roots, dependents_closure
from aidc.estate.offline import reference_name
from aidc.offline import OfflinePlan, run_program

INSTANCE = "openstack:compute/instance:Instance"
HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
GATE = "pulumi-python:dynamic:Resource"
K8S_PROVIDER = "pulumi:providers:kubernetes"
PLAN = "kubernetes:upgrade.cattle.io/v1:Plan"
MEMBER = "openstack:loadbalancer/member:Member"
HEAT_SCHEMAS = (
    Path(__file__).resolve().parents[1] / "conformance" / "upstream" / "heat" / "resource-schemas.json"
)


@cache
def _run(stack: str, edit: str = "") -> OfflinePlan:
    values = read_config_values(stack_file(stack))
    if edit:
        values = copy.deepcopy(values)
        for path, value in json.loads(edit).items():
            target = values
            keys = path.split(".")
            for key in keys[:-1]:
                target = target.setdefault(key, {})
            target[keys[-1]] = value
    core = (values.get("aidc:estate") or {}).get("core")
    if core is not None:  # an estate's shard: its StackReference reads the exports of its core, planned first
        outputs = {reference_name(core): _run(core).stack_outputs()}
        return run_program(stack, stack_config=values, stack_outputs=outputs)
    return run_program(stack, stack_config=values)


def _edited(stack: str, **changes: Any) -> OfflinePlan:
    return _run(stack, json.dumps(changes, sort_keys=True))


def _by_urn(plan: OfflinePlan) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in plan.resources}


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _ancestors(plan: OfflinePlan, urn: str) -> set[str]:
    """Everything `urn` waits for: dependencies, property dependencies and its provider, transitively."""
    records = _by_urn(plan)
    seen: set[str] = set()
    todo = [urn]
    while todo:
        record = records.get(todo.pop())
        if record is None:
            continue
        needs = set(record["dependencies"])
        for urns in record["property_dependencies"].values():
            needs |= set(urns)
        if record["provider"]:
            needs.add(record["provider"].rsplit("::", 1)[0])
        for need in needs - seen:
            seen.add(need)
            todo.append(need)
    return seen


def _gates(plan: OfflinePlan) -> dict[str, str]:
    """Readiness gate URN -> the K3sCluster component name it gates."""
    return {
        r["urn"]: r["name"].removesuffix("-api-ready")
        for r in plan.resources
        if r["type"] == GATE and r["name"].endswith("-api-ready")
    }


def _clusters_of(stack: str) -> list[str]:
    """The K3s clusters a stack file declares: the core and its edge sites; an estate's core only the core, each
    shard the sites recorded with its shard in the core's file."""
    values = read_config_values(stack_file(stack))
    estate = values.get("aidc:estate") or {}
    if "core" in estate:
        sites = read_config_values(stack_file(estate["core"])).get("aidc:edge", {}).get("sites", [])
        return [f"edge-{s['name']}" for s in sites if s.get("shard") == estate["shard"]]
    sites = [] if "max_sites_per_stack" in estate else values.get("aidc:edge", {}).get("sites", [])
    return ["core", *(f"edge-{s['name']}" for s in sites)]


# --- readiness ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_kubernetes_resource_of_a_k3s_cluster_waits_for_that_clusters_gate(stack: str) -> None:
    plan = _run(stack)
    gates = _gates(plan)
    assert gates and ({"core"} <= set(gates.values()) or stack in SHARD_STACKS), gates
    checked = 0
    for resource in plan.resources:
        if not (resource["type"].startswith("kubernetes:") or resource["type"] == K8S_PROVIDER):
            continue
        provider = resource["urn"] if resource["type"] == K8S_PROVIDER else (resource["provider"] or "")
        if any(f"::{cloud}-k8s" in provider for cloud in PUBLIC_CLOUDS):
            continue  # a public cloud's managed cluster (EKS, GKE): no K3s cluster behind it
        reached = {gates[urn] for urn in _ancestors(plan, resource["urn"]) if urn in gates}
        owner = _short(provider.rsplit("::", 1)[0] if resource["type"] != K8S_PROVIDER else provider)
        assert len(reached) == 1 and owner.startswith(next(iter(reached))), (
            f"{resource['urn']} (provider {owner}) is behind gates {sorted(reached)}"
        )
        checked += 1
    assert checked >= 10, f"only {checked} Kubernetes resources found"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_each_gate_waits_for_every_server_and_the_registration_address(stack: str) -> None:
    plan = _run(stack)
    gates = _gates(plan)
    assert sorted(gates.values()) == sorted(_clusters_of(stack))
    for gate, cluster in gates.items():
        ancestors = _ancestors(plan, gate)
        servers = [
            r["urn"]
            for r in plan.resources
            if r["type"] == INSTANCE and _short(r["urn"]).startswith(f"{cluster}-server-")
        ]
        assert servers and set(servers) <= ancestors, (gate, servers)
        members = [
            r["urn"] for r in plan.resources if r["type"] == MEMBER and _short(r["urn"]).startswith(cluster)
        ]
        assert set(members) <= ancestors, (gate, members)


# --- HA -----------------------------------------------------------------------------------------------------
def _k3s_config(user_data: str) -> dict[str, Any]:
    files = {f["path"]: f for f in yaml.safe_load(user_data)["write_files"]}
    return dict(yaml.safe_load(files["/etc/rancher/k3s/config.yaml"]["content"]))


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_ha_clusters_register_at_their_load_balancer_vip(stack: str) -> None:
    plan = _run(stack)
    servers_by_cluster: dict[str, list[dict[str, Any]]] = {}
    for r in plan.resources:
        if r["type"] == INSTANCE:
            servers_by_cluster.setdefault(r["plain_inputs"]["metadata"]["aidc_cluster"], []).append(r)
    ha = {cluster: servers for cluster, servers in servers_by_cluster.items() if len(servers) == 3}
    if stack in ("dev", "prod"):
        assert "core" in ha
    for cluster, servers in ha.items():
        configs = [_k3s_config(s["plain_inputs"]["userData"]) for s in servers]
        (vip,) = {tuple(c.get("tls-san", ())) for c in configs}
        assert len(vip) == 1, f"{cluster}: every server carries the one registration address as tls-san"
        url = f"https://{vip[0]}:6443"
        members = {
            r["plain_inputs"]["address"]
            for r in plan.resources
            if r["type"] == MEMBER and _short(r["urn"]).startswith(f"{cluster}-api-member-")
        }
        assert len(members) == 3 and vip[0] not in members
        assert [c.get("server") for c in configs] == [None, url, url], cluster
        # Every agent that joins this cluster, in its own pools or in the private cloud's GPU pools.
        joining = [
            _k3s_config(r["plain_inputs"]["parameters"]["user_data"])
            for r in plan.resources
            if r["type"] == HEAT_STACK and "user_data" in (r["plain_inputs"]["parameters"] or {})
        ]
        # Agents join with the agent token (K10<ca-hash>::node:<the servers' agent-token>), never the server's.
        agent_secret = configs[0]["agent-token"]
        agents = [c for c in joining if str(c["token"]).endswith(f"::node:{agent_secret}")]
        assert agents and {c["server"] for c in agents} == {url}, cluster


# --- the second pulumi up -------------------------------------------------------------------------------------
def _without(document: Any, path: str) -> Any:
    """`document` without the value at a dotted ignoreChanges path (what the engine keeps from the old state)."""
    document = copy.deepcopy(document)
    head, _, rest = path.partition(".")
    if isinstance(document, dict) and head in document:
        if rest:
            document[head] = _without(document[head], rest)
        else:
            document.pop(head)
    return document


def _diffed_inputs(record: dict[str, Any]) -> Any:
    inputs = record["plain_inputs"]
    for path in record["ignore_changes"]:
        inputs = _without(inputs, path)
    return inputs


def _force_new(resource_class: type, argument: str) -> bool:
    """Whether the openstack provider replaces the resource when `argument` changes (its schema description,
    as the SDK docstring carries it)."""
    import inspect
    import re

    args_class = getattr(inspect.getmodule(resource_class), f"{resource_class.__name__}Args")
    doc = inspect.getdoc(args_class.__init__) or ""
    match = re.search(rf":param [^:]*\b{argument}:(.*?)(?=\n:param|\Z)", doc, re.DOTALL)
    assert match, argument
    return "creates a new" in " ".join(match.group(1).split())


VERSION_BUMP = {"aidc:k3s.version": "v1.36.6+k3s1"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_k3s_version_bump_changes_the_upgrade_plans_and_nothing_on_a_server(stack: str) -> None:
    before = _run(stack)
    after = _edited(stack, **{"aidc:k3s": {"version": "v1.36.6+k3s1"}})
    old, new = _by_urn(before), _by_urn(after)
    assert set(old) == set(new), "a version bump adds or removes nothing"
    changed = {urn for urn in old if old[urn]["plain_inputs"] != new[urn]["plain_inputs"]}
    # The version is in the boot-time user data of every node, which the engine does not diff ...
    user_data = {urn for urn in changed if old[urn]["type"] in (INSTANCE, HEAT_STACK)}
    assert user_data, "the bootstrap version is in the user data"
    assert _force_new(openstack.compute.Instance, "user_data"), "without ignore_changes this replaces servers"
    for urn in user_data:
        assert _diffed_inputs(old[urn]) == _diffed_inputs(new[urn]), f"{urn}: the engine would see a change"
    for urn in (u for u in old if old[u]["type"] == INSTANCE):
        assert old[urn]["ignore_changes"] == ["userData"], urn
    # ... and the only resources the engine updates are the upgrade Plans, to the new version.
    updated = {urn for urn in changed - user_data}
    assert updated and {old[urn]["type"] for urn in updated} == {PLAN}
    for urn in updated:
        assert new[urn]["plain_inputs"]["spec"]["version"] == "v1.36.6+k3s1"
        assert _without(new[urn]["plain_inputs"], "spec.version") == _without(
            old[urn]["plain_inputs"], "spec.version"
        )


def test_growing_a_pool_changes_its_count_and_never_its_members_definition() -> None:
    before = _run("dev")
    values = read_config_values(stack_file("dev"))
    storage = dict(values["aidc:demand"]["storage"])
    storage["datasets_tb"] = float(storage["datasets_tb"]) * 4
    after = _edited("dev", **{"aidc:demand": {**values["aidc:demand"], "storage": storage}})
    old, new = _by_urn(before), _by_urn(after)
    pool = next(u for u in old if _short(u) == "core-agents-storage")
    old_params, new_params = old[pool]["plain_inputs"]["parameters"], new[pool]["plain_inputs"]["parameters"]
    assert int(new_params["count"]) > int(old_params["count"]), "the storage pool grows"
    assert {k for k in old_params if old_params[k] != new_params[k]} == {"count"}
    assert old[pool]["plain_inputs"]["templateOpts"] == new[pool]["plain_inputs"]["templateOpts"], (
        "the members' resource_def is unchanged, so Heat adds members and touches no existing one"
    )
    for urn, record in old.items():
        if record["type"] == INSTANCE:
            assert _diffed_inputs(record) == _diffed_inputs(new[urn]), urn
    # Heat updates a group's count in place (update_allowed), and the provider updates a stack's parameters and
    # tags in place (no "creates a new" in their schema descriptions).
    heat = json.loads(HEAT_SCHEMAS.read_text(encoding="utf-8"))
    assert heat["resource_types"]["OS::Heat::ResourceGroup"]["properties"]["count"]["update_allowed"] is True
    for argument in ("parameters", "tags", "template_opts"):
        assert not _force_new(openstack.orchestration.StackV1, argument), argument


# --- where pulumi up runs -------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_the_infrastructure_stage_leaves_out_exactly_the_cluster_add_on_layer(stack: str) -> None:
    plan = _run(stack)
    left_out = dependents_closure(plan.resources, addon_layer_roots(plan.resources))
    by_urn = {r["urn"]: r for r in plan.resources}
    identities = [
        r["urn"]
        for r in plan.resources
        if r["type"] == GATE and r["inputs"].get("kind") == "k3s-cluster-identity"
    ]
    assert identities, "every K3s cluster has an identity"
    joining = {
        urn
        for urn in dependents_closure(plan.resources, identities)
        if by_urn[urn]["type"].startswith("openstack:")
    }
    for resource in plan.resources:
        urn, kind = resource["urn"], resource["type"]
        talks_to_a_cluster = kind.startswith("kubernetes:") or kind in (K8S_PROVIDER, GATE)
        if resource["custom"] and talks_to_a_cluster:
            assert urn in left_out, f"{urn} needs a cluster API: the infrastructure stage must leave it out"
        if kind.split(":", 1)[0] in ("openstack", "aws", "tls", "random") and urn not in joining:
            assert urn not in left_out, f"{urn} only needs cloud APIs: the infrastructure stage builds it"
    # What joins a K3s cluster with a token that pins its CA (every server but the first, the agents' pools and
    # the load balancer members of those servers) waits for the cluster's identity, which reads the CA from the
    # first server's API: the full stage builds those; the first server itself is built from outside.
    for urn in joining:
        resource = by_urn[urn]
        assert resource["type"] in (INSTANCE, HEAT_STACK, MEMBER), f"{urn} is not a K3s node"
        assert not str(resource["name"]).endswith("-server-0"), f"{urn}: the first server needs no CA hash"
    first_servers = [
        u for u, r in by_urn.items() if r["type"] == INSTANCE and r["name"].endswith("-server-0")
    ]
    assert first_servers and not set(first_servers) & left_out


ROLES = {
    "deploy_role_arn": "arn:aws:iam::111122223333:role/aidc-deploy",
    "admin_role_arn": "arn:aws:iam::111122223333:role/aidc-operators",
}


def test_the_access_stage_applies_the_deploy_roles_rbac_before_any_add_on() -> None:
    """On a new EKS cluster the admin role applies the deploy role's RBAC first (`--stage access`): those targets
    need nothing but what the infrastructure stage built, and every add-on on the deploy role's Provider waits for
    them."""
    plan = _run("prod", json.dumps({"aidc:aws.access": ROLES}))
    resources = plan.resources
    targets = set(access_stage_targets(resources))
    by_urn = _by_urn(plan)
    kinds = {by_urn[u]["type"].rsplit(":", 1)[-1] for u in targets}
    assert {"kubernetes", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Namespace"} <= kinds, (
        kinds
    )
    addon_layer = dependents_closure(resources, addon_layer_roots(resources))
    for urn in targets:
        assert _ancestors(plan, urn) & addon_layer <= targets, (
            f"{urn} needs an add-on outside the access stage"
        )
    deploy_provider = next(
        r["urn"] for r in resources if r["type"] == K8S_PROVIDER and r["name"] == "aws-k8s"
    )
    for urn, record in by_urn.items():
        if (record["provider"] or "").rsplit("::", 1)[0] == deploy_provider:
            assert targets - {u for u in targets if by_urn[u]["type"] == K8S_PROVIDER} <= _ancestors(
                plan, urn
            ), urn
    # Without a deploy role there is nothing to apply.
    assert access_stage_targets(_run("prod").resources) == []
