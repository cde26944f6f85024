"""What Google Cloud accepts, for the conformance tests of everything the program emits as pulumi_gcp inputs.

Three rule sets, each read from its upstream source at test time:
- the API's own rules, from the discovery documents google-api-python-client ships at the pinned version
  (googleapiclient/discovery_cache/documents/{compute,container,storage,cloudkms,iam,cloudresourcemanager}.v1.json):
  enum values, name patterns and lengths, and the values a description spells out in prose ("Currently, 'inherited'
  and 'enforced' are supported", "must be 6-30 characters long, and match the regular expression ...");
- vendored facts the discovery documents leave as free strings (upstream/gcp/: machine type -> GKE accelerator,
  Cloud VPN's cipher names), each with its source and date;
- the pulumi-gcp SDK's real argument names (engine camelCase), nested blocks included, read from the installed
  SDK's Args classes: mocks accept any key, the provider does not.
"""

from __future__ import annotations

import importlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient
from upstream_files import load_json

DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
Record = Mapping[str, Any]
Check = Callable[[Any], str | None]  # a problem, or None


@cache
def discovery(api: str) -> dict[str, Any]:
    """The discovery document of `api` ('compute', 'container', ...) v1 at the pinned client library."""
    return json.loads((DISCOVERY / f"{api}.v1.json").read_text(encoding="utf-8"))


def prop(api: str, path: str) -> dict[str, Any]:
    """A schema property by 'Schema.field[.field…]' (nested object properties included)."""
    schema, *fields = path.split(".")
    node: dict[str, Any] = discovery(api)["schemas"][schema]
    for name in fields:
        node = node["properties"][name]
    return node


def enum(api: str, path: str) -> Check:
    node = prop(api, path)
    values = node.get("items", node)["enum"]  # an array property's enum is its items'
    allowed = [v for v in values if not v.endswith("UNSPECIFIED") and v != "UNKNOWN"]

    def check(value: Any) -> str | None:
        return None if value in allowed else f"{value!r} is not one of {api} {path}'s {allowed}"

    check.allowed = allowed  # type: ignore[attr-defined]
    return check


def quoted_in_description(api: str, path: str) -> Check:
    """Values the property's description names in quotes ('inherited' and 'enforced')."""
    allowed = re.findall(r"'([A-Za-z_]+)'", prop(api, path)["description"])

    def check(value: Any) -> str | None:
        return None if value in allowed else f"{value!r} is not one of {api} {path}'s {allowed}"

    check.allowed = allowed  # type: ignore[attr-defined]
    return check


def listed_in_description(api: str, path: str, lead: str) -> Check:
    """Values the description lists after `lead` ('Values include A, B, and C')."""
    text = prop(api, path)["description"]
    listed = text.split(lead, 1)[1].split(".")[0]
    allowed = re.findall(r"\b[A-Z][A-Z_]+\b", listed)

    def check(value: Any) -> str | None:
        return None if value in allowed else f"{value!r} is not one of {api} {path}'s {allowed}"

    check.allowed = allowed  # type: ignore[attr-defined]
    return check


def rfc1035(api: str = "compute", path: str = "Network.name", longest: int = 63) -> Check:
    """A resource name: the discovery document's pattern, 1..`longest` characters."""
    pattern = re.compile(prop(api, path)["pattern"])

    def check(value: Any) -> str | None:
        text = str(value)
        if not pattern.fullmatch(text) or len(text) > longest:
            return f"{text!r} is not a name {api} {path} accepts ({pattern.pattern}, at most {longest} characters)"
        return None

    check.allowed = [pattern.pattern]  # type: ignore[attr-defined]
    return check


def described_regex(api: str, description: str, bounds: tuple[int, int] | None = None) -> Check:
    """A name the description constrains with a regular expression in backticks (and a length range)."""
    pattern = re.compile(re.findall(r"`([^`]+)`", description)[0])

    def check(value: Any) -> str | None:
        text = str(value)
        if not pattern.fullmatch(text) or (bounds is not None and not bounds[0] <= len(text) <= bounds[1]):
            return f"{text!r} does not match {api}'s `{pattern.pattern}` {bounds or ''}"
        return None

    check.allowed = [pattern.pattern]  # type: ignore[attr-defined]
    return check


def account_id() -> Check:
    text = prop("iam", "CreateServiceAccountRequest.accountId")["description"]
    low, high = (int(n) for n in re.search(r"(\d+)-(\d+) characters", text).groups())  # type: ignore[union-attr]
    return described_regex("iam", text, (low, high))


def kms_id(collection: str, parameter: str) -> Check:
    locations = discovery("cloudkms")["resources"]["projects"]["resources"]["locations"]["resources"]
    if collection == "keyRings":
        method = locations["keyRings"]["methods"]["create"]
    else:
        method = locations["keyRings"]["resources"]["cryptoKeys"]["methods"]["create"]
    return described_regex("cloudkms", method["parameters"][parameter]["description"])


def in_range(api: str, path: str, low: int, high: int) -> Check:
    """An integer range the description states (e.g. 'in the range 2-4093'), checked to be stated there."""
    description = prop(api, path)["description"]
    assert f"{low}-{high}" in description or f"{low} or {high}" in description, (path, description)

    def check(value: Any) -> str | None:
        return (
            None
            if isinstance(value, int | float) and low <= value <= high
            else f"{value!r} not in {low}..{high}"
        )

    check.allowed = [f"{low}..{high}"]  # type: ignore[attr-defined]
    return check


def duration_between(api: str, path: str, low_h: int, high_h: int) -> Check:
    """A google-duration ('<seconds>s') within the bounds the description states in hours."""
    description = prop(api, path)["description"]
    assert f"at least {low_h} hours" in description and f"at most {high_h:,} hours" in description, (
        description
    )

    def check(value: Any) -> str | None:
        match = re.fullmatch(r"(\d+)s", str(value))
        if not match or not low_h * 3600 <= int(match.group(1)) <= high_h * 3600:
            return f"{value!r} is not a duration of {low_h}..{high_h} hours"
        return None

    check.allowed = [f"{low_h}h..{high_h}h"]  # type: ignore[attr-defined]
    return check


def link_local_candidate(value: Any) -> str | None:
    """InterconnectAttachment.candidateSubnets: 'within link-local address space (169.254.0.0/16) and must be /29
    or shorter'."""
    assert "/29 or shorter" in prop("compute", "InterconnectAttachment.candidateSubnets")["description"]
    network = ipaddress.ip_network(str(value))
    if not network.subnet_of(ipaddress.ip_network("169.254.0.0/16")) or network.prefixlen > 29:  # type: ignore[arg-type]
        return f"{value!r} is not a link-local /29 or shorter"
    return None


def vendored(role: str, phase: str) -> Check:
    allowed = load_json("gcp/vpn-ciphers.json")[phase][role]

    def check(value: Any) -> str | None:
        return None if value in allowed else f"{value!r} is not a Cloud VPN {phase} {role} ({allowed})"

    check.allowed = allowed  # type: ignore[attr-defined]
    return check


def ike_version(value: Any) -> str | None:
    assert "Acceptable IKE versions are 1 or 2" in prop("compute", "VpnTunnel.ikeVersion")["description"]
    return None if value in (1, 2) else f"{value!r} is not IKE version 1 or 2"


COMPUTE = "gcp:compute/"
RULES: list[tuple[str, str, Callable[[], Check]]] = [
    (f"{COMPUTE}network:Network", "routingMode", lambda: enum("compute", "NetworkRoutingConfig.routingMode")),
    (f"{COMPUTE}subnetwork:Subnetwork", "stackType", lambda: enum("compute", "Subnetwork.stackType")),
    (
        f"{COMPUTE}subnetwork:Subnetwork",
        "logConfig.aggregationInterval",
        lambda: enum("compute", "SubnetworkLogConfig.aggregationInterval"),
    ),
    (
        f"{COMPUTE}subnetwork:Subnetwork",
        "logConfig.metadata",
        lambda: enum("compute", "SubnetworkLogConfig.metadata"),
    ),
    (f"{COMPUTE}subnetwork:Subnetwork", "secondaryIpRanges[].rangeName", lambda: rfc1035()),
    (f"{COMPUTE}router:Router", "bgp.advertiseMode", lambda: enum("compute", "RouterBgp.advertiseMode")),
    (
        f"{COMPUTE}routerNat:RouterNat",
        "natIpAllocateOption",
        lambda: enum("compute", "RouterNat.natIpAllocateOption"),
    ),
    (
        f"{COMPUTE}routerNat:RouterNat",
        "sourceSubnetworkIpRangesToNat",
        lambda: enum("compute", "RouterNat.sourceSubnetworkIpRangesToNat"),
    ),
    (
        f"{COMPUTE}routerNat:RouterNat",
        "subnetworks[].sourceIpRangesToNats[]",
        lambda: enum("compute", "RouterNatSubnetworkToNat.sourceIpRangesToNat"),
    ),
    (
        f"{COMPUTE}routerNat:RouterNat",
        "logConfig.filter",
        lambda: enum("compute", "RouterNatLogConfig.filter"),
    ),
    (
        f"{COMPUTE}routerPeer:RouterPeer",
        "advertiseMode",
        lambda: enum("compute", "RouterBgpPeer.advertiseMode"),
    ),
    (f"{COMPUTE}firewall:Firewall", "direction", lambda: enum("compute", "Firewall.direction")),
    (
        f"{COMPUTE}firewall:Firewall",
        "logConfig.metadata",
        lambda: enum("compute", "FirewallLogConfig.metadata"),
    ),
    (f"{COMPUTE}haVpnGateway:HaVpnGateway", "stackType", lambda: enum("compute", "VpnGateway.stackType")),
    (
        f"{COMPUTE}externalVpnGateway:ExternalVpnGateway",
        "redundancyType",
        lambda: enum("compute", "ExternalVpnGateway.redundancyType"),
    ),
    (f"{COMPUTE}vPNTunnel:VPNTunnel", "ikeVersion", lambda: ike_version),
    (
        f"{COMPUTE}vPNTunnel:VPNTunnel",
        "cipherSuite.phase1.encryptions[]",
        lambda: vendored("encryption", "phase1"),
    ),
    (f"{COMPUTE}vPNTunnel:VPNTunnel", "cipherSuite.phase1.prves[]", lambda: vendored("prf", "phase1")),
    (f"{COMPUTE}vPNTunnel:VPNTunnel", "cipherSuite.phase1.dhs[]", lambda: vendored("dh", "phase1")),
    (
        f"{COMPUTE}vPNTunnel:VPNTunnel",
        "cipherSuite.phase2.encryptions[]",
        lambda: vendored("encryption", "phase2"),
    ),
    (f"{COMPUTE}vPNTunnel:VPNTunnel", "cipherSuite.phase2.pfs[]", lambda: vendored("pfs", "phase2")),
    (f"{COMPUTE}interconnect:Interconnect", "linkType", lambda: enum("compute", "Interconnect.linkType")),
    (
        f"{COMPUTE}interconnect:Interconnect",
        "interconnectType",
        lambda: enum("compute", "Interconnect.interconnectType"),
    ),
    (
        f"{COMPUTE}interconnect:Interconnect",
        "requestedFeatures[]",
        lambda: enum("compute", "Interconnect.requestedFeatures"),
    ),
    (f"{COMPUTE}interconnect:Interconnect", "macsec.preSharedKeys[].name", lambda: rfc1035()),
    (
        f"{COMPUTE}interconnectAttachment:InterconnectAttachment",
        "bandwidth",
        lambda: enum("compute", "InterconnectAttachment.bandwidth"),
    ),
    (
        f"{COMPUTE}interconnectAttachment:InterconnectAttachment",
        "type",
        lambda: enum("compute", "InterconnectAttachment.type"),
    ),
    (
        f"{COMPUTE}interconnectAttachment:InterconnectAttachment",
        "vlanTag8021q",
        lambda: in_range("compute", "InterconnectAttachment.vlanTag8021q", 2, 4093),
    ),
    (
        f"{COMPUTE}interconnectAttachment:InterconnectAttachment",
        "candidateSubnets[]",
        lambda: link_local_candidate,
    ),
    ("gcp:container/cluster:Cluster", "name", lambda: rfc1035(longest=40)),
    (
        "gcp:container/cluster:Cluster",
        "releaseChannel.channel",
        lambda: enum("container", "ReleaseChannel.channel"),
    ),
    (
        "gcp:container/cluster:Cluster",
        "databaseEncryption.state",
        lambda: enum("container", "DatabaseEncryption.state"),
    ),
    (
        "gcp:container/cluster:Cluster",
        "datapathProvider",
        lambda: enum("container", "NetworkConfig.datapathProvider"),
    ),
    (
        "gcp:container/cluster:Cluster",
        "loggingConfig.enableComponents[]",
        lambda: enum("container", "LoggingComponentConfig.enableComponents"),
    ),
    (
        "gcp:container/cluster:Cluster",
        "monitoringConfig.enableComponents[]",
        lambda: enum("container", "MonitoringComponentConfig.enableComponents"),
    ),
    (
        "gcp:container/cluster:Cluster",
        "nodeConfig.workloadMetadataConfig.mode",
        lambda: enum("container", "WorkloadMetadataConfig.mode"),
    ),
    ("gcp:container/nodePool:NodePool", "name", lambda: rfc1035(longest=40)),
    (
        "gcp:container/nodePool:NodePool",
        "nodeConfig.workloadMetadataConfig.mode",
        lambda: enum("container", "WorkloadMetadataConfig.mode"),
    ),
    (
        "gcp:container/nodePool:NodePool",
        "nodeConfig.guestAccelerators[].gpuDriverInstallationConfig.gpuDriverVersion",
        lambda: enum("container", "GPUDriverInstallationConfig.gpuDriverVersion"),
    ),
    (
        "gcp:container/nodePool:NodePool",
        "nodeConfig.taints[].effect",
        lambda: enum("container", "NodeTaint.effect"),
    ),
    (
        "gcp:container/nodePool:NodePool",
        "nodeConfig.reservationAffinity.consumeReservationType",
        lambda: enum("container", "ReservationAffinity.consumeReservationType"),
    ),
    (
        "gcp:container/nodePool:NodePool",
        "placementPolicy.type",
        lambda: enum("container", "PlacementPolicy.type"),
    ),
    (
        "gcp:container/nodePool:NodePool",
        "autoscaling.locationPolicy",
        lambda: enum("container", "NodePoolAutoscaling.locationPolicy"),
    ),
    (
        "gcp:container/nodePool:NodePool",
        "upgradeSettings.strategy",
        lambda: enum("container", "UpgradeSettings.strategy"),
    ),
    (
        "gcp:storage/bucket:Bucket",
        "publicAccessPrevention",
        lambda: quoted_in_description("storage", "Bucket.iamConfiguration.publicAccessPrevention"),
    ),
    (
        "gcp:storage/bucket:Bucket",
        "storageClass",
        lambda: listed_in_description("storage", "Bucket.storageClass", "Values include"),
    ),
    ("gcp:kms/cryptoKey:CryptoKey", "purpose", lambda: enum("cloudkms", "CryptoKey.purpose")),
    (
        "gcp:kms/cryptoKey:CryptoKey",
        "rotationPeriod",
        lambda: duration_between("cloudkms", "CryptoKey.rotationPeriod", 24, 876_000),
    ),
    (
        "gcp:kms/cryptoKey:CryptoKey",
        "versionTemplate.algorithm",
        lambda: enum("cloudkms", "CryptoKeyVersionTemplate.algorithm"),
    ),
    (
        "gcp:kms/cryptoKey:CryptoKey",
        "versionTemplate.protectionLevel",
        lambda: enum("cloudkms", "CryptoKeyVersionTemplate.protectionLevel"),
    ),
    ("gcp:serviceaccount/account:Account", "accountId", lambda: account_id()),
    (
        "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        "auditLogConfigs[].logType",
        lambda: enum("cloudresourcemanager", "AuditLogConfig.logType"),
    ),
]


def values_at(document: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path where `name[]` walks a list."""
    if not path:
        yield document
        return
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(document, Mapping) or document.get(key) is None:
        return
    items = document[key] if head.endswith("[]") else [document[key]]
    for item in items if isinstance(items, list) else [items]:
        yield from values_at(item, rest)


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def api_value_problems(resource: Record) -> tuple[list[str], int]:
    """(problems, values checked) of one resource against the API rules of its type."""
    problems: list[str] = []
    checked = 0
    for token, path, rule in RULES:
        if resource["type"] != token:
            continue
        for value in values_at(resource["plain_inputs"], path):
            checked += 1
            problem = rule()(_number(value))
            if problem:
                problems.append(f"{resource['urn']}: {path}: {problem}")
    return problems, checked


# --- what the pools' machine types carry -------------------------------------------------------------------------
def accelerator_problems(resource: Record) -> list[str]:
    """A GKE node pool's guest accelerator is the GPU its machine type carries, in the count it carries."""
    if resource["type"] != "gcp:container/nodePool:NodePool":
        return []
    config = resource["plain_inputs"].get("nodeConfig", {})
    machine = str(config.get("machineType", ""))
    accelerators = config.get("guestAccelerators") or []
    machines = load_json("gcp/gpu-machine-types.json")["machine_types"]
    found = machines.get(machine)
    if found is None:
        return (
            [f"{resource['urn']}: GPU accelerators on {machine!r}, not a GPU machine type"]
            if accelerators
            else []
        )
    expected = [{"type": found["accelerator_type"], "count": found["gpu_count"]}]
    actual = [{"type": a.get("type"), "count": _number(a.get("count"))} for a in accelerators]
    return (
        []
        if actual == expected
        else [f"{resource['urn']}: {machine} carries {expected}, the pool says {actual}"]
    )


# --- auto-names must fit the name rules ------------------------------------------------------------------------
AUTO_NAME_SUFFIX = 8  # Pulumi's auto-name: '<logical name>-' and seven random characters
NAMED_BY = {
    COMPUTE: ("name", rfc1035),
    "gcp:kms/keyRing:": ("name", lambda: kms_id("keyRings", "keyRingId")),
    "gcp:kms/cryptoKey:": ("name", lambda: kms_id("cryptoKeys", "cryptoKeyId")),
}


def auto_name_problems(resource: Record) -> list[str]:
    """A resource left to Pulumi's auto-naming gets '<logical name>-<7 characters>': that name must still be one the
    API accepts (63 characters for Compute Engine names)."""
    for prefix, (key, rule) in NAMED_BY.items():
        if resource["type"].startswith(prefix) and key not in resource["plain_inputs"]:
            problem = rule()(f"{resource['name']}-{'a' * (AUTO_NAME_SUFFIX - 1)}")
            return [f"{resource['urn']}: auto-name {problem}"] if problem else []
    return []


# --- the SDK's argument names ----------------------------------------------------------------------------------
def _args_class(token: str) -> type:
    """pulumi_gcp's <Resource>Args class for a type token ('gcp:container/nodePool:NodePool')."""
    _, module, name = token.split(":")
    package = module.split("/")[0]
    return getattr(importlib.import_module(f"pulumi_gcp.{package}"), f"{name}Args")


@cache
def engine_names(cls: type) -> dict[str, type | None]:
    """The engine (camelCase) name of every argument of an Args class, with the Args class of a nested block."""
    module = importlib.import_module(cls.__module__)
    names: dict[str, type | None] = {}
    for attribute in dir(cls):
        member = getattr(cls, attribute, None)
        if not isinstance(member, property) or member.fget is None:
            continue
        engine = getattr(member.fget, "_pulumi_name", attribute)
        annotation = str(getattr(member.fget, "__annotations__", {}).get("return", ""))
        nested = re.findall(r"'(\w+Args)'", annotation)
        names[engine] = getattr(module, nested[0], None) if nested else None
    return names


def _walk(value: Any, cls: type, path: str, problems: list[str]) -> int:
    names = engine_names(cls)
    checked = 0
    for key, item in value.items():
        checked += 1
        if key not in names:
            problems.append(f"{path}{key}: not an argument of {cls.__name__} ({', '.join(sorted(names))})")
            continue
        nested = names[key]
        if nested is None:
            continue
        for element in item if isinstance(item, list) else [item]:
            if isinstance(element, Mapping):
                checked += _walk(element, nested, f"{path}{key}.", problems)
    return checked


def sdk_name_problems(resource: Record) -> tuple[list[str], int]:
    """(problems, keys checked): every input key, nested blocks included, is an argument the pulumi-gcp SDK has."""
    if not resource["type"].startswith("gcp:"):
        return [], 0
    problems: list[str] = []
    checked = _walk(resource["plain_inputs"], _args_class(resource["type"]), "", problems)
    return [f"{resource['urn']}: {p}" for p in problems], checked
