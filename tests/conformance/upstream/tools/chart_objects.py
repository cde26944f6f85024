"""Render the Helm charts the EKS deploy role applies, at their pinned versions, with the values the shipped stacks
give them, and print what they create as JSON (tests/conformance/upstream/charts/eks-addons.json): every object's
apiVersion, kind, name and namespace, the rules of every Role and ClusterRole, the roleRef of every binding, the
service account of every workload, and the CustomResourceDefinitions of a chart's crds/ directory.

Run by hand, never in CI, from the repository root, with Helm's template engine importable (helm-python-sdk 0.2.2
binds Helm v4.2.3's Go SDK: the engine `helm template` runs; pip install --target /tmp/helmlib helm-python-sdk==0.2.2)
and a git clone of each chart's repository (`--git owner/name=PATH`, e.g. a `git clone --bare`):

    PYTHONPATH=/tmp/helmlib .venv/bin/python tests/conformance/upstream/tools/chart_objects.py \\
        --git aws/karpenter-provider-aws=... --git kubernetes-sigs/kueue=... ... \\
        --component-data components/aws_gpu_cluster/chart_access.json > tests/conformance/upstream/charts/eks-addons.json

`--component-data` also writes what the deploy role's RBAC is built from (components/aws_gpu_cluster/
deploy_access.py): per chart, the cluster-scoped objects by name, the namespaced kinds per namespace, and the rules of
its ClusterRoles and Roles.

The releases and their values come from the stack program itself, run offline on every shipped stack (the Helm
releases on the EKS cluster's kubernetes Provider), so the file records exactly what the program installs; the test
(tests/conformance/test_deploy_access.py) fails when a stack's values or a pinned version no longer match it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

# chart (as the program names it) -> repository, commit of the pinned version, chart directory in the repository
SOURCES: dict[str, tuple[str, str, str, str]] = {
    "oci://public.ecr.aws/karpenter/karpenter": (
        "aws/karpenter-provider-aws",
        "c88abbbad455186e69e30296c595e474123e9bc1",
        "charts/karpenter",
        "1.14.1",
    ),
    "oci://public.ecr.aws/karpenter/karpenter-crd": (
        "aws/karpenter-provider-aws",
        "c88abbbad455186e69e30296c595e474123e9bc1",
        "charts/karpenter-crd",
        "1.14.1",
    ),
    "nvidia-device-plugin": (
        "NVIDIA/k8s-device-plugin",
        "3c378193fcebf6e955f0d65bd6f2aeed099ad8ea",
        "deployments/helm/nvidia-device-plugin",
        "0.17.1",
    ),
    "aws-efa-k8s-device-plugin": (
        "aws/eks-charts",
        "bfe91c4b9257c80f754ad4b3d6a9a3c239b2b8ec",
        "stable/aws-efa-k8s-device-plugin",
        "v0.5.30",
    ),
    "oci://registry.k8s.io/kueue/charts/kueue": (
        "kubernetes-sigs/kueue",
        "8eab68778fc1b52affe165fdf5af29d1e9b4f3cb",
        "charts/kueue",
        "0.19.2",
    ),
    "prometheus": (
        "prometheus-community/helm-charts",
        "ca06aaef8a20ca639f06523f467cb0ef8a114feb",
        "charts/prometheus",
        "29.27.0",
    ),
    "dcgm-exporter": (
        "NVIDIA/dcgm-exporter",
        "54267f29ee8037d15fdd55e9c0c65f99577d9990",
        "deployment",
        "4.7.0",
    ),
}
# Karpenter's charts link their crds/ to pkg/apis/crds (symlinks Helm follows).
EXTRA_PATHS = {"charts/karpenter": ["pkg/apis/crds"]}
EKS_PROVIDER = "aws-k8s"
RELEASE = "kubernetes:helm.sh/v3:Release"
# What Pulumi's auto-name adds to a Release's resource name (8 random characters) when the program names none.
AUTO_SUFFIX = "-xxxxxxxx"
WORKLOADS = {"Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "ReplicaSet", "Pod"}


def program_releases() -> list[dict[str, Any]]:
    """The Helm releases on the EKS cluster's Provider in every shipped stack, one per distinct chart and values."""
    sys.path.insert(0, "tests")
    from stacks_list import PLANNED_STACKS

    from aidc.estate.offline import run_stack

    releases: dict[str, dict[str, Any]] = {}
    for stack in PLANNED_STACKS:
        plan = run_stack(stack)
        providers = {
            r["urn"]
            for r in plan.resources
            if r["type"] == "pulumi:providers:kubernetes" and r["name"] == EKS_PROVIDER
        }
        for r in plan.resources:
            if r["type"] != RELEASE or (r["provider"] or "").rsplit("::", 1)[0] not in providers:
                continue
            inputs = r["plain_inputs"]
            release = {
                "resource": r["name"],
                "chart": inputs["chart"],
                "version": inputs["version"],
                "name": inputs.get("name") or f"{r['name']}{AUTO_SUFFIX}",
                "auto_named": not inputs.get("name"),
                "namespace": inputs["namespace"],
                "skip_crds": bool(inputs.get("skipCrds")),
                "create_namespace": bool(inputs.get("createNamespace")),
                "values": inputs.get("values") or {},
            }
            key = json.dumps(release, sort_keys=True)
            releases.setdefault(key, {**release, "stacks": []})["stacks"].append(stack)
    return list(releases.values())


def _checkout(git_dirs: dict[str, str], chart: str, into: Path) -> Path:
    repository, commit, path, _ = SOURCES[chart]
    paths = [path, *EXTRA_PATHS.get(path, [])]
    archive = subprocess.run(
        ["git", "-C", git_dirs[repository], "archive", commit, *paths], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / path


def _object(document: dict[str, Any], template: str) -> dict[str, Any]:
    meta = document.get("metadata") or {}
    record: dict[str, Any] = {
        "apiVersion": document["apiVersion"],
        "kind": document["kind"],
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "template": template,
    }
    hook = (meta.get("annotations") or {}).get("helm.sh/hook")
    if hook:
        record["hook"] = hook
    kind = document["kind"]
    if kind in ("Role", "ClusterRole"):
        record["rules"] = document.get("rules") or []
        if "aggregationRule" in document:
            record["aggregationRule"] = document["aggregationRule"]
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        record["roleRef"] = document["roleRef"]
        record["subjects"] = document.get("subjects") or []
    if kind in WORKLOADS:
        spec = document["spec"]
        pod = (
            spec
            if kind == "Pod"
            else (spec.get("jobTemplate", {}).get("spec", spec)).get("template", {}).get("spec", {})
        )
        record["serviceAccountName"] = pod.get("serviceAccountName", "default")
    if kind == "CustomResourceDefinition":
        record["group"] = document["spec"]["group"]
        record["plural"] = document["spec"]["names"]["plural"]
        record["scope"] = document["spec"]["scope"]
    return record


def render(release: dict[str, Any], git_dirs: dict[str, str]) -> dict[str, Any]:
    from helm_python import Chart

    repository, commit, path, version = SOURCES[release["chart"]]
    if release["version"] != version:
        raise SystemExit(f"{release['chart']}: the program pins {release['version']}, SOURCES {version}")
    with tempfile.TemporaryDirectory() as tmp:
        directory = _checkout(git_dirs, release["chart"], Path(tmp))
        with Chart.load(directory) as chart:
            if chart.version.lstrip("v") != version.lstrip("v"):
                raise SystemExit(f"{directory}: Chart.yaml has version {chart.version}, not {version}")
            rendered = chart.render(
                values=release["values"],
                name=release["name"],
                namespace=release["namespace"],
                is_install=True,
            )
            crds = [] if release["skip_crds"] else [c["data"] for c in chart.crds]
    objects = [
        _object(document, template)
        for template, text in sorted(rendered.items())
        if not template.endswith("NOTES.txt")
        for document in yaml.safe_load_all(text)
        if document
    ]
    objects += [
        {**_object(document, "crds/"), "crd_directory": True}
        for text in crds
        for document in yaml.safe_load_all(text)
        if document
    ]
    return {
        **release,
        "source": {"repository": repository, "commit": commit, "path": path},
        "objects": objects,
    }


def chart_access(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The rendered releases reduced to what deploy_access.py needs, per chart (the union over a chart's releases)."""
    from components.aws_gpu_cluster.deploy_access import KINDS

    charts: dict[str, dict[str, Any]] = {}
    for release in releases:
        facts = charts.setdefault(
            release["chart"],
            {
                "version": release["version"],
                "namespace": release["namespace"],
                "create_namespace": release["create_namespace"],
                "cluster_objects": {},
                "namespaced_objects": {},
                "cluster_rules": [],
                "namespaced_rules": {},
            },
        )
        for obj in release["objects"]:
            group, resource, namespaced = KINDS[obj["kind"]]
            target = f"{group}/{resource}"
            namespace = obj["namespace"] or release["namespace"]
            if namespaced:
                kinds = facts["namespaced_objects"].setdefault(namespace, [])
                kinds[:] = sorted({*kinds, target})
            else:
                names = facts["cluster_objects"].setdefault(target, [])
                names[:] = sorted({*names, obj["name"]})
            if obj["kind"] == "ClusterRole":
                facts["cluster_rules"] += [r for r in obj["rules"] if r not in facts["cluster_rules"]]
            if obj["kind"] == "Role":
                rules = facts["namespaced_rules"].setdefault(namespace, [])
                rules += [r for r in obj["rules"] if r not in rules]
    return {
        "source": "tests/conformance/upstream/charts/eks-addons.json (tools/chart_objects.py --component-data)",
        "charts": charts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--git", action="append", default=[], help="owner/name=PATH of a clone (bare is fine)"
    )
    parser.add_argument("--component-data", type=Path, help="also write deploy_access.py's chart facts here")
    args = parser.parse_args()
    git_dirs = dict(item.split("=", 1) for item in args.git)
    releases = [render(release, git_dirs) for release in program_releases()]
    document = {
        "tool": "tests/conformance/upstream/tools/chart_objects.py",
        "engine": "helm-python-sdk 0.2.2 (Helm v4.2.3 Go SDK: helm template's engine)",
        "releases": sorted(releases, key=lambda r: (r["chart"], json.dumps(r["values"], sort_keys=True))),
    }
    json.dump(document, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    if args.component_data:
        args.component_data.write_text(json.dumps(chart_access(releases), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
