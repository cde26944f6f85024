"""Checks for the GPU stack of every cluster (issue 13) against the vendored upstream rules (upstream/README.md):
Kueue's CRDs (structural schema and CEL rules) and Configuration fields, the environment variables the GPU
Operator's container toolkit and device plugin read, K3s's containerd files, and the EKS managed add-on versions.
Each function returns a list of problems, empty when the receiving system would accept the input."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import upstream_files as upstream
import yaml
from conformance_checks import custom_resource_problems

KUEUE_VERSION = "v1beta2"


# --- Kueue custom resources -----------------------------------------------------------------------------------
def _rules(node: Mapping[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    for rule in node.get("x-kubernetes-validations", []):
        yield path, rule["rule"]
    for name, child in (node.get("properties") or {}).items():
        yield from _rules(child, (*path, name))
    if isinstance(node.get("items"), dict):
        yield from _rules(node["items"], (*path, "[]"))


def _at(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield value
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        for item in value if isinstance(value, list) else []:
            yield from _at(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from _at(value[head], rest)


_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# Each CEL rule of the Kueue v0.19.2 CRDs, by its exact text, as Python over the node it sits on. A rule that
# upstream changes reads as untranslated instead of passing. Transition rules (oldSelf) compare with a stored
# object: aidc creates these objects, so they hold trivially and are skipped.
KUEUE_CEL: dict[str, Callable[[Any], bool]] = {
    "!has(self.cohortName) && has(self.resourceGroups) ? self.resourceGroups.all(rg, rg.flavors.all(f, "
    "f.resources.all(r, !has(r.borrowingLimit)))) : true": lambda s: (
        "cohortName" in s
        or "resourceGroups" not in s
        or all(
            "borrowingLimit" not in r
            for rg in s["resourceGroups"]
            for f in rg.get("flavors", [])
            for r in f.get("resources", [])
        )
    ),
    "!has(self.preference) || (self.whenCanBorrow == 'TryNextFlavor' && self.whenCanPreempt == 'TryNextFlavor')": (
        lambda s: (
            "preference" not in s
            or (s.get("whenCanBorrow") == "TryNextFlavor" and s.get("whenCanPreempt") == "TryNextFlavor")
        )
    ),
    "!(self.reclaimWithinCohort == 'Never' && has(self.borrowWithinCohort) &&  self.borrowWithinCohort.policy != "
    "'Never')": lambda s: (
        not (
            s.get("reclaimWithinCohort", "Never") == "Never"
            and "borrowWithinCohort" in s
            and s["borrowWithinCohort"].get("policy", "Never") != "Never"
        )
    ),
    "self.flavors.all(x, size(x.resources) == size(self.coveredResources))": lambda s: all(
        len(x.get("resources", [])) == len(s.get("coveredResources", [])) for x in s.get("flavors", [])
    ),
    "!has(self.topologyName) || self.nodeLabels.size() >= 1": lambda s: (
        "topologyName" not in s or len(s.get("nodeLabels", {})) >= 1
    ),
    "self.all(x, x.effect in ['NoSchedule', 'PreferNoSchedule', 'NoExecute'])": lambda s: all(
        x.get("effect") in _EFFECTS for x in s
    ),
    "self.all(x, !has(x.key) ? x.operator == 'Exists' : true)": lambda s: all(
        "key" in x or x.get("operator") == "Exists" for x in s
    ),
    "self.all(x, has(x.tolerationSeconds) ? x.effect == 'NoExecute' : true)": lambda s: all(
        "tolerationSeconds" not in x or x.get("effect") == "NoExecute" for x in s
    ),
    "self.all(x, !has(x.operator) || x.operator in ['Equal', 'Exists'])": lambda s: all(
        x.get("operator", "Equal") in ("Equal", "Exists") for x in s
    ),
    "self.all(x, has(x.operator) && x.operator == 'Exists' ? !has(x.value) : true)": lambda s: all(
        x.get("operator") != "Exists" or "value" not in x for x in s
    ),
    "self.all(x, !has(x.effect) || x.effect in ['NoSchedule', 'PreferNoSchedule', 'NoExecute'])": lambda s: (
        all("effect" not in x or x["effect"] in _EFFECTS for x in s)
    ),
}


_CEL_BY_TEXT = {" ".join(text.split()): check for text, check in KUEUE_CEL.items()}


def kueue_problems(kind: str, document: Mapping[str, Any], where: str) -> list[str]:
    """A Kueue object against its vendored CRD at v1beta2: the structural schema (pruned fields are errors) and
    every CEL rule on a field the object sets."""
    problems = custom_resource_problems(kind, document, where, KUEUE_VERSION)
    if kind not in upstream.KUEUE_CRDS:
        return problems
    for path, rule in _rules(upstream.crd_schema(kind, KUEUE_VERSION)):
        if "oldSelf" in rule:
            continue
        for value in _at(dict(document), path):
            check = _CEL_BY_TEXT.get(" ".join(rule.split()))
            if check is None:
                problems.append(f"{where}: {'.'.join(path)}: CEL rule not translated: {rule}")
            elif not check(value):
                problems.append(f"{where}: {'.'.join(path)}: refused by the CRD's rule {rule}")
    return problems


def kueue_configuration_problems(config_yaml: str, where: str) -> list[str]:
    """Kueue's Configuration (the chart's managerConfig.controllerManagerConfigYaml) against the fields of its
    Go types (strict decoding: Kueue refuses a config with unknown fields). ControllerManager is inlined into
    Configuration; Kubernetes types inside (LabelSelector, durations) are not descended into."""
    fields = upstream.kueue_configuration_fields()
    problems: list[str] = []

    def known(struct: str) -> dict[str, str]:
        found = dict(fields[struct])
        if struct == "Configuration":
            found |= fields["ControllerManager"]
        return found

    def walk(value: Any, struct: str, here: str) -> None:
        if not isinstance(value, dict):
            return
        for key, item in value.items():
            struct_fields = known(struct)
            if key not in struct_fields:
                problems.append(f"{here}.{key}: not a field of {struct}")
                continue
            go_type = struct_fields[key].lstrip("*[]")
            if go_type in fields:
                for element in item if isinstance(item, list) else [item]:
                    walk(element, go_type, f"{here}.{key}")

    config = yaml.safe_load(config_yaml)
    if not isinstance(config, dict):
        return [f"{where}: the configuration is not a YAML map"]
    if config.get("apiVersion") != "config.kueue.x-k8s.io/v1beta2" or config.get("kind") != "Configuration":
        problems.append(f"{where}: apiVersion/kind must be config.kueue.x-k8s.io/v1beta2 Configuration")
    walk({k: v for k, v in config.items() if k not in ("apiVersion", "kind")}, "Configuration", where)
    return problems


# --- the GPU Operator on K3s -----------------------------------------------------------------------------------
def _env(values: Mapping[str, Any], *path: str) -> dict[str, str]:
    node: Any = values
    for key in path:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return {e["name"]: e["value"] for e in node.get("env", [])} if isinstance(node, dict) else {}


def gpu_operator_problems(values: Mapping[str, Any], k3s_version: str, where: str) -> list[str]:
    """The operator's toolkit and device plugin settings against what their images read (env variables named in
    their flag definitions) and what K3s ships at `k3s_version` (containerd template, socket, generation)."""
    problems: list[str] = []
    toolkit = _env(values, "toolkit")
    plugin = _env(values, "devicePlugin")
    toolkit_known = set(upstream.nvidia_toolkit_env()["env"])
    plugin_facts = upstream.nvidia_device_plugin_env()
    problems += [
        f"{where}: toolkit.env {n}: not read by the toolkit" for n in toolkit if n not in toolkit_known
    ]
    problems += [
        f"{where}: devicePlugin.env {n}: not read by the device plugin"
        for n in plugin
        if n not in plugin_facts["env"]
    ]
    strategy = plugin.get("DEVICE_LIST_STRATEGY")
    if strategy is not None and strategy not in plugin_facts["device_list_strategies"]:
        problems.append(f"{where}: DEVICE_LIST_STRATEGY={strategy!r} is not one of the plugin's strategies")
    containerd = upstream.k3s_containerd()
    generation = containerd_generation(k3s_version, containerd)
    template = f"{containerd['config_dir']}/{containerd['template'][f'containerd-{generation}']}"
    if toolkit.get("CONTAINERD_CONFIG") != template:
        problems.append(
            f"{where}: CONTAINERD_CONFIG={toolkit.get('CONTAINERD_CONFIG')!r}, K3s {k3s_version} (containerd "
            f"{generation}) renders {template}"
        )
    if toolkit.get("CONTAINERD_SOCKET") != containerd["socket"]:
        problems.append(f"{where}: CONTAINERD_SOCKET must be K3s's {containerd['socket']}")
    source = f"file={containerd['config_dir']}/{containerd['rendered_config']}"
    if toolkit.get("RUNTIME_CONFIG_SOURCE") != source:
        problems.append(f"{where}: RUNTIME_CONFIG_SOURCE must be {source} (the config K3s rendered)")
    cdi = bool((values.get("cdi") or {}).get("enabled"))
    if cdi and generation != "2.0":
        problems.append(f"{where}: cdi.enabled needs containerd 2.0; K3s {k3s_version} runs {generation}")
    if not cdi and toolkit.get("NVIDIA_RUNTIME_SET_AS_DEFAULT") != "true":
        problems.append(
            f"{where}: without CDI the nvidia runtime must be the default (NVIDIA_RUNTIME_SET_AS_DEFAULT)"
        )
    return problems


def containerd_generation(k3s_version: str, containerd: Mapping[str, Any]) -> str:
    """'2.0' or '1.7' for a K3s release, from the vendored K3s facts."""
    release = tuple(int(p) for p in k3s_version.lstrip("v").split("+")[0].split("."))
    minor_from = tuple(int(p) for p in containerd["containerd_2_minor_from"].split("."))
    if release[:2] >= minor_from:
        return "2.0"
    first = containerd["containerd_2_from"].get(f"{release[0]}.{release[1]}")
    if first is None:
        return "1.7"
    first_release = tuple(int(p) for p in first.lstrip("v").split("+")[0].split("."))
    return "2.0" if release >= first_release else "1.7"


# --- EKS managed add-ons ------------------------------------------------------------------------------------
def eks_addon_problems(inputs: Mapping[str, Any], eks_version: str, where: str) -> list[str]:
    """A managed add-on: a name EKS offers and the version the user guide lists for the cluster's version."""
    facts = upstream.eks_addon_versions()
    name = inputs.get("addonName")
    if name not in facts["names"]:
        return [f"{where}: addonName {name!r} is not one of {facts['names']}"]
    version = inputs.get("addonVersion")
    expected = facts["versions"].get(eks_version, {}).get(name)
    if expected is None:
        return [f"{where}: no vendored {name} version for EKS {eks_version}"]
    if version != expected:
        return [
            f"{where}: {name} {version!r}; the EKS user guide lists {expected} for Kubernetes {eks_version}"
        ]
    return []
