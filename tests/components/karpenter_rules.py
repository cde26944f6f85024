"""What the Kubernetes API server of a cluster running Karpenter 1.14.1 accepts as a NodePool or EC2NodeClass,
read from the CRDs vendored in tests/conformance/upstream/karpenter/ (tests/conformance/upstream/README.md:
repository, commit, path).

Two checks, each returning a list of problems (empty when the API server would accept the object):
- the structural schema (openAPIV3Schema): types, enums, patterns, required fields, bounds; a field the schema does
  not know counts as a problem, because the API server prunes it silently;
- the CEL rules (x-kubernetes-validations). No CEL engine is vendored: each rule that applies to a field the
  object sets is translated below, keyed by its exact text, so a rule upstream changes or adds is reported as
  untranslated rather than skipped. Only transition rules (oldSelf) are left out: they compare with a stored
  object, and aidc only creates these objects.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

UPSTREAM = Path(__file__).resolve().parent.parent / "conformance" / "upstream" / "karpenter"
CRDS = {
    "NodePool": "karpenter.sh_nodepools.yaml",
    "EC2NodeClass": "karpenter.k8s.aws_ec2nodeclasses.yaml",
}


@cache
def crd(kind: str) -> dict[str, Any]:
    return dict(yaml.safe_load((UPSTREAM / CRDS[kind]).read_text(encoding="utf-8")))


@cache
def schema(kind: str, version: str = "v1") -> dict[str, Any]:
    for entry in crd(kind)["spec"]["versions"]:
        if entry["name"] == version:
            return dict(entry["schema"]["openAPIV3Schema"])
    raise KeyError(f"{kind}: no version {version}")


@cache
def values() -> dict[str, Any]:
    return dict(yaml.safe_load((UPSTREAM / "values.yaml").read_text(encoding="utf-8")))


@cache
def cloudformation() -> dict[str, Any]:
    class _Loader(yaml.SafeLoader):
        pass

    # CloudFormation short forms (!Sub, !Ref, !GetAtt) as plain values.
    for tag in ("!Sub", "!Ref", "!GetAtt"):
        _Loader.add_constructor(tag, lambda loader, node: loader.construct_scalar(node))
    return dict(yaml.load((UPSTREAM / "cloudformation.yaml").read_text(encoding="utf-8"), Loader=_Loader))


# --- structural schema --------------------------------------------------------------------------------------
def _closed(node: Any) -> Any:
    """The schema with unknown fields refused where the API server would prune them."""
    if isinstance(node, dict):
        out = {k: _closed(v) for k, v in node.items() if not k.startswith("x-kubernetes-validations")}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        if node.get("x-kubernetes-int-or-string"):
            out.pop("type", None)
            out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


def _integral(value: Any) -> Any:
    """Integral floats as integers: the engine carries every number as a double."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def structural_problems(kind: str, document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(_closed(schema(kind)))
    return [
        f"{kind}: {'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message[:240]}"
        for error in validator.iter_errors(_integral(document))
    ]


# --- CEL rules ----------------------------------------------------------------------------------------------
def _rules(node: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    for rule in node.get("x-kubernetes-validations", []):
        yield path, rule["rule"]
    for name, child in (node.get("properties") or {}).items():
        yield from _rules(child, (*path, name))
    if isinstance(node.get("items"), dict):
        yield from _rules(node["items"], (*path, "[]"))
    if isinstance(node.get("additionalProperties"), dict):
        yield from _rules(node["additionalProperties"], (*path, "{}"))


@cache
def rules(kind: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    return tuple(_rules(schema(kind)))


def _at(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """Every value of the document at `path` ([] each item, {} each map value)."""
    if not path:
        yield value
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        for item in value if isinstance(value, list) else []:
            yield from _at(item, rest)
    elif head == "{}":
        for item in value.values() if isinstance(value, dict) else []:
            yield from _at(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from _at(value[head], rest)


def _find(text: str, pattern: str) -> str:
    """CEL's find (Kubernetes regex library): the first match, or ''."""
    match = re.search(pattern, text)
    return match.group(0) if match else ""


_KARPENTER_SH = ["karpenter.sh/capacity-type", "karpenter.sh/nodepool"]
_AWS_LABELS = [
    "karpenter.k8s.aws/instance-tenancy",
    "karpenter.k8s.aws/capacity-reservation-type",
    "karpenter.k8s.aws/capacity-reservation-id",
    "karpenter.k8s.aws/capacity-reservation-interruptible",
    "karpenter.k8s.aws/ec2nodeclass",
    "karpenter.k8s.aws/instance-encryption-in-transit-supported",
    "karpenter.k8s.aws/instance-category",
    "karpenter.k8s.aws/instance-hypervisor",
    "karpenter.k8s.aws/instance-family",
    "karpenter.k8s.aws/instance-generation",
    "karpenter.k8s.aws/instance-local-nvme",
    "karpenter.k8s.aws/instance-size",
    "karpenter.k8s.aws/instance-cpu",
    "karpenter.k8s.aws/instance-cpu-manufacturer",
    "karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz",
    "karpenter.k8s.aws/instance-memory",
    "karpenter.k8s.aws/instance-ebs-bandwidth",
    "karpenter.k8s.aws/instance-network-bandwidth",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-gpu-manufacturer",
    "karpenter.k8s.aws/instance-gpu-count",
    "karpenter.k8s.aws/instance-gpu-memory",
    "karpenter.k8s.aws/instance-accelerator-name",
    "karpenter.k8s.aws/instance-accelerator-manufacturer",
    "karpenter.k8s.aws/instance-accelerator-count",
    "karpenter.k8s.aws/instance-capability-flex",
    "karpenter.k8s.aws/placement-group-id",
    "karpenter.k8s.aws/placement-group-partition",
]


def _label_key_ok(key: str) -> bool:
    domain = _find(key, "^([^/]+)")
    return (
        key != "karpenter.sh/nodepool"
        and key != "kubernetes.io/hostname"
        and (key in _KARPENTER_SH or not domain.endswith("karpenter.sh"))
        and (key in _AWS_LABELS or not domain.endswith("karpenter.k8s.aws"))
    )


def _has(obj: Any, key: str) -> bool:
    return isinstance(obj, dict) and key in obj


def _ami_family_matches(spec: dict[str, Any], family: str, allowed: tuple[str, ...]) -> bool:
    aliased = any(
        _has(t, "alias") and _find(t["alias"], "^[^@]+") == family for t in spec.get("amiSelectorTerms", [])
    )
    return not _has(spec, "amiFamily") or (spec["amiFamily"] in allowed if aliased else True)


def _interfaces_unique(items: list[dict[str, Any]]) -> bool:
    def same_slot(x: dict[str, Any], y: dict[str, Any]) -> bool:
        return x["networkCardIndex"] == y["networkCardIndex"] and x["deviceIndex"] == y["deviceIndex"]

    def efa_on_card(x: dict[str, Any], y: dict[str, Any]) -> bool:
        return x["networkCardIndex"] == y["networkCardIndex"] and y["interfaceType"] == "efa-only"

    return all(
        sum(1 for y in items if same_slot(x, y)) == 1
        and (x["interfaceType"] != "efa-only" or sum(1 for y in items if efa_on_card(x, y)) == 1)
        for x in items
    )


Check = Callable[[Any], bool]
# Each rule's exact text in the CRD -> what it says, in Python.
TRANSLATED: dict[str, Check] = {
    # NodePool
    'self.all(x, x != "karpenter.sh/nodepool")': lambda s: all(x != "karpenter.sh/nodepool" for x in s),
    'self.all(x, x != "kubernetes.io/hostname")': lambda s: all(x != "kubernetes.io/hostname" for x in s),
    'self.all(x, x in ["karpenter.sh/capacity-type", "karpenter.sh/nodepool"] || '
    '!x.find("^([^/]+)").endsWith("karpenter.sh"))': lambda s: all(
        x in _KARPENTER_SH or not _find(x, "^([^/]+)").endswith("karpenter.sh") for x in s
    ),
    'self != "karpenter.sh/nodepool"': lambda s: s != "karpenter.sh/nodepool",
    'self != "kubernetes.io/hostname"': lambda s: s != "kubernetes.io/hostname",
    'self in ["karpenter.sh/capacity-type", "karpenter.sh/nodepool"] || '
    '!self.find("^([^/]+)").endsWith("karpenter.sh")': lambda s: (
        s in _KARPENTER_SH or not _find(s, "^([^/]+)").endswith("karpenter.sh")
    ),
    "self.all(x, x.operator == 'In' ? x.values.size() != 0 : true)": lambda s: all(
        len(x.get("values", [])) != 0 for x in s if x["operator"] == "In"
    ),
    "self.all(x, (x.operator == 'Gt' || x.operator == 'Lt' || x.operator == 'Gte' || x.operator == 'Lte') ? "
    "(x.values.size() == 1 && int(x.values[0]) >= 0) : true)": lambda s: all(
        len(x["values"]) == 1 and int(x["values"][0]) >= 0
        for x in s
        if x["operator"] in ("Gt", "Lt", "Gte", "Lte")
    ),
    "self.all(x, (x.operator == 'In' && has(x.minValues)) ? x.values.size() >= x.minValues : true)": lambda s: (
        all(len(x["values"]) >= x["minValues"] for x in s if x["operator"] == "In" and "minValues" in x)
    ),
    "self.all(x, has(x.schedule) == has(x.duration))": lambda s: all(
        ("schedule" in x) == ("duration" in x) for x in s
    ),
    "!has(self.replicas) || !has(self.weight)": lambda s: not ("replicas" in s and "weight" in s),
    "!has(self.replicas) || (!has(self.limits) || size(self.limits) == 0 || (size(self.limits) == 1 && "
    "'nodes' in self.limits))": lambda s: (
        "replicas" not in s or not s.get("limits") or (len(s["limits"]) == 1 and "nodes" in s["limits"])
    ),
    "self != ''": lambda s: s != "",
    # EC2NodeClass
    "self.all(k, k != '' && self[k] != '')": lambda s: all(k != "" and s[k] != "" for k in s),
    "self.all(x, has(x.tags) || has(x.id) || has(x.name) || has(x.alias) || has(x.ssmParameter))": lambda s: (
        all(any(k in x for k in ("tags", "id", "name", "alias", "ssmParameter")) for x in s)
    ),
    "!self.exists(x, has(x.id) && (has(x.alias) || has(x.tags) || has(x.name) || has(x.owner)))": lambda s: (
        not any("id" in x and any(k in x for k in ("alias", "tags", "name", "owner")) for x in s)
    ),
    "!self.exists(x, has(x.alias) && (has(x.id) || has(x.tags) || has(x.name) || has(x.owner)))": lambda s: (
        not any("alias" in x and any(k in x for k in ("id", "tags", "name", "owner")) for x in s)
    ),
    "!(self.exists(x, has(x.alias)) && self.size() != 1)": lambda s: (
        not (any("alias" in x for x in s) and len(s) != 1)
    ),
    "self.matches('^[a-zA-Z0-9]+@.+$')": lambda s: re.search(r"^[a-zA-Z0-9]+@.+$", s) is not None,
    "self.split('@')[0] in ['al2','al2023','bottlerocket','windows2019','windows2022','windows2025']": lambda s: (
        s.split("@")[0] in ["al2", "al2023", "bottlerocket", "windows2019", "windows2022", "windows2025"]
    ),
    "self.split('@')[0] in ['windows2019','windows2022','windows2025'] ? self.split('@')[1] == 'latest' : true": (
        lambda s: (
            s.split("@")[1] == "latest"
            if s.split("@")[0] in ["windows2019", "windows2022", "windows2025"]
            else True
        )
    ),
    "has(self.snapshotID) || has(self.volumeSize)": lambda s: "snapshotID" in s or "volumeSize" in s,
    "!has(self.volumeInitializationRate) || (has(self.snapshotID) && self.snapshotID != '')": lambda s: (
        "volumeInitializationRate" not in s or bool(s.get("snapshotID"))
    ),
    "self.filter(x, has(x.rootVolume)?x.rootVolume==true:false).size() <= 1": lambda s: (
        sum(1 for x in s if x.get("rootVolume") is True) <= 1
    ),
    "self.all(x, has(x.tags) || has(x.id) || has(x.instanceMatchCriteria))": lambda s: all(
        any(k in x for k in ("tags", "id", "instanceMatchCriteria")) for x in s
    ),
    "!self.all(x, has(x.id) && (has(x.tags) || has(x.ownerID) || has(x.instanceMatchCriteria)))": lambda s: (
        not all("id" in x and any(k in x for k in ("tags", "ownerID", "instanceMatchCriteria")) for x in s)
    ),
    "self.size() == 0 || self.exists(x, x.deviceIndex == 0 && x.networkCardIndex == 0 && "
    "x.interfaceType == 'interface')": lambda s: (
        len(s) == 0
        or any(
            x["deviceIndex"] == 0 and x["networkCardIndex"] == 0 and x["interfaceType"] == "interface"
            for x in s
        )
    ),
    "self.all(x, self.filter(y, x.networkCardIndex == y.networkCardIndex && x.deviceIndex == y.deviceIndex)"
    ".size() == 1 && (x.interfaceType != 'efa-only' || self.filter(y, x.networkCardIndex == y.networkCardIndex "
    "&& y.interfaceType == 'efa-only').size() == 1))": _interfaces_unique,
    "has(self.name) || has(self.id)": lambda s: "name" in s or "id" in s,
    "!(has(self.name) && has(self.id))": lambda s: not ("name" in s and "id" in s),
    "self.all(x, has(x.tags) || has(x.id) || has(x.name))": lambda s: all(
        any(k in x for k in ("tags", "id", "name")) for x in s
    ),
    "!self.all(x, has(x.id) && (has(x.tags) || has(x.name)))": lambda s: (
        not all("id" in x and ("tags" in x or "name" in x) for x in s)
    ),
    "!self.all(x, has(x.name) && (has(x.tags) || has(x.id)))": lambda s: (
        not all("name" in x and ("tags" in x or "id" in x) for x in s)
    ),
    "self.size() != 0": lambda s: len(s) != 0,
    "self.all(x, has(x.tags) || has(x.id))": lambda s: all("tags" in x or "id" in x for x in s),
    "!self.all(x, has(x.id) && has(x.tags))": lambda s: not all("id" in x and "tags" in x for x in s),
    "self.all(k, k != '')": lambda s: all(k != "" for k in s),
    "self.all(k, k !='eks:eks-cluster-name')": lambda s: all(k != "eks:eks-cluster-name" for k in s),
    "self.all(k, !k.startsWith('kubernetes.io/cluster') )": lambda s: all(
        not k.startswith("kubernetes.io/cluster") for k in s
    ),
    "self.all(k, k != 'karpenter.sh/nodepool')": lambda s: all(k != "karpenter.sh/nodepool" for k in s),
    "self.all(k, k !='karpenter.sh/nodeclaim')": lambda s: all(k != "karpenter.sh/nodeclaim" for k in s),
    "self.all(k, k !='karpenter.k8s.aws/ec2nodeclass')": lambda s: all(
        k != "karpenter.k8s.aws/ec2nodeclass" for k in s
    ),
    "(has(self.role) && !has(self.instanceProfile)) || (!has(self.role) && has(self.instanceProfile))": lambda s: (
        ("role" in s) != ("instanceProfile" in s)
    ),
    "self.amiSelectorTerms.exists(x, has(x.alias)) ? true : has(self.amiFamily)": lambda s: (
        any("alias" in t for t in s.get("amiSelectorTerms", [])) or "amiFamily" in s
    ),
}
for _family, _allowed in (
    ("al2", ("Custom", "AL2")),
    ("al2023", ("Custom", "AL2023")),
    ("bottlerocket", ("Custom", "Bottlerocket")),
    ("windows2019", ("Custom", "Windows2019")),
    ("windows2022", ("Custom", "Windows2022")),
    ("windows2025", ("Custom", "Windows2025")),
):
    TRANSLATED[
        f"!has(self.amiFamily) || (self.amiSelectorTerms.exists(x, has(x.alias) && x.alias.find('^[^@]+') == "
        f"'{_family}') ? (self.amiFamily == 'Custom' || self.amiFamily == '{_allowed[1]}') : true)"
    ] = lambda s, f=_family, a=_allowed: _ami_family_matches(s, f, a)
# Label-key rules of NodePool requirements and template labels, per item.
TRANSLATED[
    'self.all(x, x in ["karpenter.k8s.aws/instance-tenancy", "karpenter.k8s.aws/capacity-reservation-type", '
    '"karpenter.k8s.aws/capacity-reservation-id", "karpenter.k8s.aws/capacity-reservation-interruptible", '
    '"karpenter.k8s.aws/capacity-reservation-interruptible", '
    '"karpenter.k8s.aws/ec2nodeclass", "karpenter.k8s.aws/instance-encryption-in-transit-supported", '
    '"karpenter.k8s.aws/instance-category", "karpenter.k8s.aws/instance-hypervisor", '
    '"karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-generation", '
    '"karpenter.k8s.aws/instance-local-nvme", "karpenter.k8s.aws/instance-size", "karpenter.k8s.aws/instance-cpu", '
    '"karpenter.k8s.aws/instance-cpu-manufacturer", "karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz", '
    '"karpenter.k8s.aws/instance-memory", "karpenter.k8s.aws/instance-ebs-bandwidth", '
    '"karpenter.k8s.aws/instance-network-bandwidth", "karpenter.k8s.aws/instance-gpu-name", '
    '"karpenter.k8s.aws/instance-gpu-manufacturer", "karpenter.k8s.aws/instance-gpu-count", '
    '"karpenter.k8s.aws/instance-gpu-memory", "karpenter.k8s.aws/instance-accelerator-name", '
    '"karpenter.k8s.aws/instance-accelerator-manufacturer", "karpenter.k8s.aws/instance-accelerator-count", '
    '"karpenter.k8s.aws/instance-capability-flex", "karpenter.k8s.aws/placement-group-id", '
    '"karpenter.k8s.aws/placement-group-partition"] || !x.find("^([^/]+)").endsWith("karpenter.k8s.aws"))'
] = lambda s: all(x in _AWS_LABELS or not _find(x, "^([^/]+)").endswith("karpenter.k8s.aws") for x in s)
TRANSLATED[
    'self in ["karpenter.k8s.aws/instance-tenancy", "karpenter.k8s.aws/capacity-reservation-type", '
    '"karpenter.k8s.aws/capacity-reservation-id", "karpenter.k8s.aws/capacity-reservation-interruptible", '
    '"karpenter.k8s.aws/ec2nodeclass", "karpenter.k8s.aws/instance-encryption-in-transit-supported", '
    '"karpenter.k8s.aws/instance-category", "karpenter.k8s.aws/instance-hypervisor", '
    '"karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-generation", '
    '"karpenter.k8s.aws/instance-local-nvme", "karpenter.k8s.aws/instance-size", "karpenter.k8s.aws/instance-cpu", '
    '"karpenter.k8s.aws/instance-cpu-manufacturer", "karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz", '
    '"karpenter.k8s.aws/instance-memory", "karpenter.k8s.aws/instance-ebs-bandwidth", '
    '"karpenter.k8s.aws/instance-network-bandwidth", "karpenter.k8s.aws/instance-gpu-name", '
    '"karpenter.k8s.aws/instance-gpu-manufacturer", "karpenter.k8s.aws/instance-gpu-count", '
    '"karpenter.k8s.aws/instance-gpu-memory", "karpenter.k8s.aws/instance-accelerator-name", '
    '"karpenter.k8s.aws/instance-accelerator-manufacturer", "karpenter.k8s.aws/instance-accelerator-count", '
    '"karpenter.k8s.aws/instance-capability-flex", "karpenter.k8s.aws/placement-group-id", '
    '"karpenter.k8s.aws/placement-group-partition"] || !self.find("^([^/]+)").endsWith("karpenter.k8s.aws")'
] = lambda s: s in _AWS_LABELS or not _find(s, "^([^/]+)").endswith("karpenter.k8s.aws")


def cel_problems(kind: str, document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    document = _integral(copy.deepcopy(document))
    for path, rule in rules(kind):
        if "oldSelf" in rule:
            continue  # transition rules: aidc creates these objects, it never changes a stored one's identity
        for value in _at(document, path):
            check = TRANSLATED.get(rule)
            where = ".".join(path) or "(top)"
            if check is None:
                problems.append(f"{kind}: {where}: rule not translated (add it to TRANSLATED): {rule[:160]}")
            elif not check(value):
                problems.append(f"{kind}: {where}: refused by {rule[:160]}")
    return problems


def problems(kind: str, document: dict[str, Any]) -> list[str]:
    """Everything the API server would refuse (or silently drop) in a `kind` object."""
    if kind not in CRDS:
        return [f"{kind}: no vendored CRD"]
    return structural_problems(kind, document) + cel_problems(kind, document)


# Values the chart passes through as written (label and annotation maps, scheduling rules): any key goes.
FREE_FORM = frozenset(
    {
        "nodeSelector",
        "podAnnotations",
        "podLabels",
        "additionalLabels",
        "additionalAnnotations",
        "annotations",
        "tolerations",
        "affinity",
        "topologySpreadConstraints",
        "env",
        "extraVolumes",
        "extraVolumeMounts",
    }
)


def values_problems(given: Any, documented: Any, where: str = "values") -> list[str]:
    """Chart values against the chart's values.yaml: every key exists there, with the same shape. Helm ignores
    unknown keys without a word, so a misspelt key would silently do nothing."""
    if not isinstance(given, dict):
        return []
    if not isinstance(documented, dict):
        return (
            [f"{where}: a map where the chart has {type(documented).__name__}"]
            if documented is not None
            else []
        )
    found: list[str] = []
    for key, value in given.items():
        if key not in documented:
            found.append(f"{where}.{key}: not a value of the chart")
            continue
        theirs = documented[key]
        if key in FREE_FORM:
            if isinstance(theirs, dict | list) and not isinstance(value, type(theirs)):
                found.append(f"{where}.{key}: the chart takes a {type(theirs).__name__}")
            continue
        if isinstance(theirs, dict) and theirs:
            if not isinstance(value, dict):
                found.append(f"{where}.{key}: the chart takes a map")
            else:
                found += values_problems(value, theirs, f"{where}.{key}")
        elif isinstance(theirs, dict) and not isinstance(value, dict):
            found.append(f"{where}.{key}: the chart takes a map")
        elif isinstance(theirs, bool | int | str) and theirs != "" and isinstance(value, dict | list):
            found.append(f"{where}.{key}: the chart takes a {type(theirs).__name__}")
    return found
