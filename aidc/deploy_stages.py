"""The two places `pulumi up` runs (README, "Where `pulumi up` runs"): the URNs the infrastructure stage leaves
out, so that it can run where no cluster API is reachable.

The cluster add-on layer is everything that talks to a Kubernetes API: each K3s cluster's readiness gate
(components/k3s_readiness.py), which polls the API, its identity (components/k3s_cluster/identity.py), which reads
the CA from the first server's API port and mints the admin certificate there, and every kubernetes Provider, with
everything that depends on them (Helm releases, Rook and upgrade-Plan custom resources, manifests, and the K3s
nodes that join with a token pinning the CA: every server but the first, and the agents). The infrastructure stage is
`pulumi up --exclude <each root> --exclude-dependents`: it builds networks, the VPN, instances, Heat pools,
load balancers and EKS from anywhere with cloud credentials (a GitHub-hosted runner, a workstation). The full
`pulumi up` then runs on the self-hosted runner inside the core cluster's network and converges the rest.

The roots are exact URNs, computed from the stack's program run offline (the same program, so the same URNs
the engine registers): Pulumi matches URN wildcards against resources already in the state only, and on a
first deployment there are none.

    python -m aidc.deploy_stages --stack staging     # one URN a line, for --exclude / pulumi/actions `exclude`

A third, one-off stage gives the EKS deploy role its Kubernetes rights on a new cluster: the deploy role has none
until its RBAC objects exist, so the admin role applies them first (components/aws_gpu_cluster/deploy_access.py),
from the deploy runner's network: `pulumi up --target <each URN>` of

    python -m aidc.deploy_stages --stack staging --stage access
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"
# The mock monitor puts the root Stack's type in the URNs of top-level resources; the engine does not.
_MOCK_ROOT = "::pulumi:pulumi:Stack$"
DYNAMIC_RESOURCE = "pulumi-python:dynamic:Resource"
READINESS_GATE_SUFFIX = "-api-ready"
# The `kind` input of K3sClusterIdentity (components/k3s_cluster/identity.py KIND): it calls the first server's API.
CLUSTER_IDENTITY_KIND = "k3s-cluster-identity"
# The kubernetes Provider the EKS deploy role's RBAC objects ride on (components/aws_gpu_cluster/component.py).
ACCESS_PROVIDER_SUFFIX = "-k8s-access"


def _talks_to_a_cluster_api(resource: Mapping[str, Any]) -> bool:
    if resource["type"] == KUBERNETES_PROVIDER:
        return True
    if resource["type"] != DYNAMIC_RESOURCE:
        return False
    inputs = resource.get("inputs") or {}
    return (
        str(resource["name"]).endswith(READINESS_GATE_SUFFIX) or inputs.get("kind") == CLUSTER_IDENTITY_KIND
    )


def addon_layer_roots(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """URNs of the readiness gates, the K3s clusters' identities and the kubernetes Providers, sorted."""
    return sorted(r["urn"] for r in resources if _talks_to_a_cluster_api(r))


def engine_urn(urn: str) -> str:
    """The URN the engine gives a resource the offline run recorded (top-level: no Stack in the type chain)."""
    return urn.replace(_MOCK_ROOT, "::", 1)


def _provider_urn(reference: str | None) -> str | None:
    # A provider reference is "<urn>::<id>"; the URN itself contains "::", the id does not.
    return reference.rsplit("::", 1)[0] if reference else None


def dependents_closure(resources: Sequence[Mapping[str, Any]], roots: Iterable[str]) -> set[str]:
    """`roots` and every resource that depends on one of them, transitively, the way the engine follows
    dependencies for --exclude-dependents: explicit and property dependencies, and the provider a resource uses.
    (Children are not dependents of their parent component, nor is a component of the providers it hands its
    children.)"""
    edges: dict[str, set[str]] = {}
    for resource in resources:
        needs = set(resource.get("dependencies") or [])
        for urns in (resource.get("property_dependencies") or {}).values():
            needs |= set(urns)
        provider = _provider_urn(resource.get("provider"))
        if provider:
            needs.add(provider)
        edges[resource["urn"]] = needs
    closed = set(roots)
    changed = True
    while changed:
        changed = False
        for urn, needs in edges.items():
            if urn not in closed and needs & closed:
                closed.add(urn)
                changed = True
    return closed


def access_stage_targets(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """URNs of the EKS deploy role's RBAC objects and the Provider they ride on (named `<cluster>-k8s-access`),
    sorted: what `pulumi up --target` applies, as the admin role, on a new cluster."""
    resources = list(resources)
    providers = {
        r["urn"]
        for r in resources
        if r["type"] == KUBERNETES_PROVIDER and str(r["name"]).endswith(ACCESS_PROVIDER_SUFFIX)
    }
    return sorted(providers | {r["urn"] for r in resources if _provider_urn(r.get("provider")) in providers})


def stack_resources(stack: str) -> list[dict[str, Any]]:
    """The stack's program, run offline on its stack file (what `aidc plan` runs); an estate's shard stack after
    its core, whose outputs its StackReference reads."""
    from aidc.estate.offline import run_stack

    return run_stack(stack).resources


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aidc.deploy_stages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--stack", required=True, help="stack name (stacks/Pulumi.<stack>.yaml)")
    parser.add_argument(
        "--stage",
        choices=("infrastructure", "access"),
        default="infrastructure",
        help="infrastructure: the URNs to --exclude (default); access: the URNs the admin role --target-s once "
        "on a new EKS cluster",
    )
    args = parser.parse_args(argv)
    resources = stack_resources(args.stack)
    urns = addon_layer_roots(resources) if args.stage == "infrastructure" else access_stage_targets(resources)
    if args.stage == "access" and not urns:
        sys.stderr.write(
            f"stack {args.stack} declares no EKS deploy-role access (no aidc:aws.access.deploy_role_arn, or no "
            "AWS): nothing to apply\n"
        )
    for urn in urns:
        sys.stdout.write(engine_urn(urn) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
