"""The rules of the systems aidc drives, as functions over what the program registers: each returns a list of
problems (empty when the real API would accept the value). The rules come from the vendored upstream files
(upstream_files.py); nothing here knows how aidc builds its resources, so a broken input built by hand goes through
the same function as a shipped stack's output.

Resource records are the offline recorder's (aidc/offline.py): `type`, `name`, `urn`, `plain_inputs` (engine
camelCase, secrets unwrapped), `dependencies`, `property_dependencies`, `provider`, `ignore_changes`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import inspect
import ipaddress
import itertools
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import jsonschema
import upstream_files as upstream
import yaml

Record = Mapping[str, Any]
INSTANCE = "openstack:compute/instance:Instance"
HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def of_type(resources: Sequence[Record], *tokens: str) -> list[Record]:
    return [r for r in resources if r["type"] in tokens]


# --- Nova ---------------------------------------------------------------------------------------------------
def _printable(text: str) -> bool:
    # nova.api.validation.parameter_types._is_printable: not a control ("C*") and no space but plain spaces.
    return all(
        not unicodedata.category(c).startswith("C")
        and (not unicodedata.category(c).startswith("Z") or unicodedata.category(c) == "Zs")
        for c in text
    )


@cache
def nova_format_checker() -> jsonschema.FormatChecker:
    """The formats Nova's schemas use, with the meaning nova/api/validation/validators.py gives them."""
    checker = jsonschema.FormatChecker()

    @checker.checks("base64", raises=(binascii.Error, ValueError))
    def _base64(value: object) -> bool:
        return not isinstance(value, str) or bool(base64.b64decode(value, validate=True) or True)

    @checker.checks("uuid", raises=ValueError)
    def _uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    @checker.checks("name")
    def _name(value: object) -> bool:
        return not isinstance(value, str) or (_printable(value) and value.strip() == value)

    @checker.checks("name_with_leading_trailing_spaces")
    def _name_spaces(value: object) -> bool:
        return not isinstance(value, str) or _printable(value)

    return checker


def nova_server_request(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The body of `POST /servers` the openstack provider sends for an Instance's inputs: the user data
    base64-encoded, security groups by name, the image and flavor as the ids it looks their names up to."""
    server: dict[str, Any] = {
        "name": inputs.get("name"),
        "flavorRef": inputs.get("flavorId") or "resolved-from:" + str(inputs.get("flavorName")),
        "imageRef": inputs.get("imageId") or "00000000-0000-4000-8000-000000000000",
    }
    if inputs.get("metadata") is not None:
        server["metadata"] = inputs["metadata"]
    if inputs.get("userData") is not None:
        server["user_data"] = base64.b64encode(str(inputs["userData"]).encode()).decode()
    if inputs.get("securityGroups"):
        server["security_groups"] = [{"name": group} for group in inputs["securityGroups"]]
    if inputs.get("keyPair"):
        server["key_name"] = inputs["keyPair"]
    networks = []
    for network in inputs.get("networks") or []:
        entry = {}
        if network.get("uuid"):
            entry["uuid"] = network["uuid"]
        if network.get("port"):
            entry["port"] = network["port"]
        if network.get("fixedIpV4"):
            entry["fixed_ip"] = network["fixedIpV4"]
        networks.append(entry)
    if networks:
        server["networks"] = networks
    body: dict[str, Any] = {"server": server}
    hints = (inputs.get("schedulerHints") or [{}])[0]
    if hints.get("group"):
        body["os:scheduler_hints"] = {"group": hints["group"]}
    return body


def _schema_errors(schema: Mapping[str, Any], document: Any, where: str, **kwargs: Any) -> list[str]:
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, **kwargs)
    return [
        f"{where}: {'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message[:300]}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]


def nova_server_problems(inputs: Mapping[str, Any], where: str) -> list[str]:
    """Nova's server create schema (the v2.1 base and the newest microversion) against the request."""
    body = nova_server_request(inputs)
    problems: list[str] = []
    for version in ("servers.create", "servers.create_v294"):
        problems += _schema_errors(
            upstream.nova()[version], body, f"{where} ({version})", format_checker=nova_format_checker()
        )
    return sorted(set(problems))


def nova_metadata_problems(metadata: Any, where: str) -> list[str]:
    """Server metadata as Nova checks it (server_metadata.update_all: keys ^[a-zA-Z0-9-_:. ]{1,255}$)."""
    return _schema_errors(upstream.nova()["server_metadata.update_all"], {"metadata": metadata}, where)


# --- Heat ---------------------------------------------------------------------------------------------------
RESOURCE_KEYS = {
    "type",
    "properties",
    "metadata",
    "depends_on",
    "update_policy",
    "deletion_policy",
    "condition",
}
HEAT_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "list": list,
    "map": dict,
}


@cache
def _all_function_names() -> frozenset[str]:
    versions = upstream.heat()["template_versions"].values()
    return frozenset(itertools.chain.from_iterable(v["functions"] for v in versions))


def _is_function(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _all_function_names()


def _functions(value: Any) -> Iterator[tuple[str, Any]]:
    if _is_function(value):
        name, argument = next(iter(value.items()))
        yield name, argument
        yield from _functions(argument)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _functions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _functions(item)


def _constraint_problems(value: Any, constraints: Sequence[Mapping[str, Any]], where: str) -> list[str]:
    problems = []
    for constraint in constraints:
        if "allowed_values" in constraint and value not in constraint["allowed_values"]:
            problems.append(f"{where}: {value!r} is not one of {constraint['allowed_values']}")
        bounds = constraint.get("range") or constraint.get("length")
        if bounds is not None:
            measure = len(value) if "length" in constraint and hasattr(value, "__len__") else value
            if isinstance(measure, int | float) and not isinstance(measure, bool):
                if "min" in bounds and measure < bounds["min"]:
                    problems.append(f"{where}: {value!r} is below the minimum {bounds['min']}")
                if "max" in bounds and measure > bounds["max"]:
                    problems.append(f"{where}: {value!r} is above the maximum {bounds['max']}")
        pattern = constraint.get("allowed_pattern")
        if pattern is not None and isinstance(value, str) and not re.fullmatch(pattern, value):
            problems.append(f"{where}: {value!r} does not match {constraint['allowed_pattern']}")
    return problems


def heat_property_problems(value: Any, schema: Mapping[str, Any], where: str) -> list[str]:
    """One property value against its Heat property schema (type, constraints, nested schema); values that
    are intrinsic function calls are resolved by Heat at run time and only their arguments are walked."""
    if _is_function(value) or value is None:
        return []
    expected = HEAT_TYPES[schema["type"]]
    if schema["type"] in ("integer", "number") and isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return [f"{where}: {value!r} is not a {schema['type']}"]
    if schema["type"] == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not isinstance(value, expected) or (schema["type"] != "boolean" and isinstance(value, bool)):
        return [f"{where}: {value!r} is a {type(value).__name__}, Heat expects a {schema['type']}"]
    problems = _constraint_problems(value, schema.get("constraints", ()), where)
    nested = schema.get("schema")
    if nested and schema["type"] == "list":
        item_schema = nested.get("*")
        for index, item in enumerate(value):
            if item_schema is not None:
                problems += heat_property_problems(item, item_schema, f"{where}[{index}]")
    elif nested and schema["type"] == "map":
        problems += heat_properties_problems(value, nested, where)
    return problems


def heat_properties_problems(
    properties: Mapping[str, Any], schema: Mapping[str, Mapping[str, Any]], where: str
) -> list[str]:
    problems = [f"{where}.{key}: not a property Heat knows" for key in properties if key not in schema]
    for key, key_schema in schema.items():
        if key in properties:
            problems += heat_property_problems(properties[key], key_schema, f"{where}.{key}")
        elif key_schema.get("required") and key_schema.get("default") is None:
            problems.append(f"{where}.{key}: required and missing")
    return problems


def heat_template_problems(
    template_text: str, parameter_values: Mapping[str, Any] | None, where: str
) -> list[str]:
    """A HOT template as Heat (the vendored release) validates it at stack create, and the stack's parameter
    values against the template's parameters."""
    heat = upstream.heat()
    try:
        template = yaml.safe_load(template_text)
    except yaml.YAMLError as exc:
        return [f"{where}: template is not YAML: {exc}"]
    version = str(template.get("heat_template_version"))
    if version not in heat["template_versions"]:
        return [
            f"{where}: heat_template_version {version!r} is not one of {sorted(heat['template_versions'])}"
        ]
    spec = heat["template_versions"][version]
    sections = set(spec["sections"]) - {"__undefined__"}
    problems = [f"{where}: unknown section {key!r}" for key in template if key not in sections]
    parameters = template.get("parameters") or {}
    for name, definition in parameters.items():
        here = f"{where}: parameters.{name}"
        problems += [
            f"{here}.{key}: not a parameter key" for key in definition if key not in heat["parameter_keys"]
        ]
        if definition.get("type") not in heat["parameter_types"]:
            problems.append(
                f"{here}.type: {definition.get('type')!r} is not one of {heat['parameter_types']}"
            )
        for constraint in definition.get("constraints") or []:
            unknown = set(constraint) - set(heat["parameter_constraint_keys"]) - {"description"}
            if unknown:
                problems.append(f"{here}.constraints: unknown constraint {sorted(unknown)}")
    resources = template.get("resources") or {}
    types = heat["resource_types"]
    for name, function_argument in _functions(template):
        if name not in spec["functions"]:
            problems.append(f"{where}: function {name} is not available in HOT {version}")
        elif name == "get_param":
            target = function_argument[0] if isinstance(function_argument, list) else function_argument
            if target not in parameters:
                problems.append(f"{where}: get_param {target!r}: no such parameter")
        elif name == "get_resource" and function_argument not in resources:
            problems.append(f"{where}: get_resource {function_argument!r}: no such resource")
        elif name == "get_attr":
            resource, attribute = function_argument[0], function_argument[1]
            if resource not in resources:
                problems.append(f"{where}: get_attr {resource!r}: no such resource")
                continue
            rtype = resources[resource].get("type")
            owners = [rtype]
            if rtype == "OS::Heat::ResourceGroup":
                # A group passes other attribute names on to its members (a list, one per member).
                owners.append(
                    (resources[resource].get("properties") or {}).get("resource_def", {}).get("type")
                )
            known = set().union(*(types.get(t, {}).get("attributes", {}) for t in owners))
            hidden = set().union(*(types.get(t, {}).get("hidden_attributes", ()) for t in owners))
            if attribute in hidden:
                problems.append(
                    f"{where}: get_attr {resource}.{attribute}: deprecated and hidden from Heat's resource type "
                    f"schema; use one of {sorted(known)}"
                )
            elif attribute not in known:
                problems.append(f"{where}: get_attr {resource}.{attribute}: {rtype} has no such attribute")
    for name, resource in resources.items():
        here = f"{where}: resources.{name}"
        problems += [f"{here}.{key}: not a resource key" for key in resource if key not in RESOURCE_KEYS]
        rtype = resource.get("type")
        if rtype not in types:
            problems.append(f"{here}: type {rtype!r} has no vendored schema (upstream/heat)")
            continue
        properties = resource.get("properties") or {}
        problems += heat_properties_problems(properties, types[rtype]["properties"], here)
        if rtype == "OS::Heat::ResourceGroup":
            definition = properties.get("resource_def") or {}
            member = definition.get("type")
            if member not in types:
                problems.append(f"{here}.resource_def.type: {member!r} has no vendored schema")
            else:
                problems += heat_properties_problems(
                    definition.get("properties") or {}, types[member]["properties"], f"{here}.resource_def"
                )
    if parameter_values is not None:
        problems += [
            f"{where}: parameter {key!r} is not defined in the template (Heat refuses the stack)"
            for key in parameter_values
            if key not in parameters
        ]
        for name, definition in parameters.items():
            value = parameter_values.get(name, definition.get("default"))
            if value is None:
                problems.append(f"{where}: parameter {name!r} has no value and no default")
                continue
            if definition.get("type") == "number":
                try:
                    float(value)
                except (TypeError, ValueError):
                    problems.append(f"{where}: parameter {name}={value!r} is not a number")
                    continue
                problems += _constraint_problems(
                    float(value), definition.get("constraints") or [], f"{where}: {name}"
                )
    return problems


def heat_member_metadata(template_text: str, parameter_values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The metadata maps Heat hands Nova for the template's servers, with get_param resolved."""

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"get_param"}:
            return parameter_values.get(value["get_param"])
        return value

    template = yaml.safe_load(template_text)
    found = []
    for resource in (template.get("resources") or {}).values():
        definition = resource
        if resource.get("type") == "OS::Heat::ResourceGroup":
            definition = (resource.get("properties") or {}).get("resource_def") or {}
        if definition.get("type") == "OS::Nova::Server":
            metadata = (definition.get("properties") or {}).get("metadata") or {}
            found.append({str(resolve(k)): resolve(v) for k, v in metadata.items()})
    return found


# --- Kubernetes CRDs (structural schemas: unknown fields are pruned silently) ---------------------------------
def structural_to_jsonschema(schema: Any) -> Any:
    """An apiextensions openAPIV3Schema as JSON Schema, with what the API server does made explicit: fields not
    in `properties` are pruned unless x-kubernetes-preserve-unknown-fields, so they become errors here."""
    if isinstance(schema, list):
        return [structural_to_jsonschema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: structural_to_jsonschema(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    out.pop("nullable", None)
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if (
        schema.get("type") == "object"
        and "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def custom_resource_problems(
    kind: str, document: Mapping[str, Any], where: str, version: str = "v1"
) -> list[str]:
    if kind not in upstream.CRDS:
        return [f"{where}: no vendored CRD for kind {kind}"]
    schema = copy.deepcopy(structural_to_jsonschema(upstream.crd_schema(kind, version)))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return _schema_errors(schema, dict(document), where)


def suc_plan_problems(spec: Mapping[str, Any], where: str) -> list[str]:
    """A system-upgrade-controller Plan spec against the Go types its CRD is generated from (unknown fields are
    pruned). Kubernetes core types inside (LabelSelector, Toleration, ...) are not descended into."""
    fields = upstream.suc_plan_fields()
    problems: list[str] = []

    def walk(value: Any, struct: str, here: str) -> None:
        known = fields[struct]
        for key, item in value.items():
            if key not in known:
                problems.append(f"{here}.{key}: not a field of {struct} (pruned by the API server)")
                continue
            go_type = known[key].lstrip("*[]")
            if go_type in fields:
                for index, element in enumerate(item if isinstance(item, list) else [item]):
                    walk(element, go_type, f"{here}.{key}" + (f"[{index}]" if isinstance(item, list) else ""))

    walk(spec, "PlanSpec", f"{where}: spec")
    if "upgrade" not in spec:
        problems.append(f"{where}: spec.upgrade is required")
    if not spec.get("version") and not spec.get("channel"):
        problems.append(f"{where}: spec needs version or channel")
    return problems


# --- Helm values ---------------------------------------------------------------------------------------------
def helm_values_problems(values: Any, defaults: Any, path: str = "values") -> list[str]:
    """Helm merges values over the chart's values.yaml and ignores keys no template reads: a key that is not in
    values.yaml (where the chart documents every setting) is almost always a typo that silently does nothing.
    An empty map, a list or null in values.yaml is free-form below."""
    problems: list[str] = []
    if not isinstance(values, dict):
        return problems
    if not isinstance(defaults, dict):
        return [f"{path}: the chart's value is a {type(defaults).__name__}, not a map"]
    for key, value in values.items():
        here = f"{path}.{key}"
        if defaults == {}:
            continue
        if key not in defaults:
            problems.append(f"{here}: not in the chart's values.yaml (Helm ignores it)")
            continue
        default = defaults[key]
        if default is None:
            continue
        if isinstance(default, dict):
            if not isinstance(value, dict):
                problems.append(f"{here}: the chart expects a map, got {type(value).__name__}")
            else:
                problems += helm_values_problems(value, default, here)
        elif isinstance(default, list):
            if not isinstance(value, list):
                problems.append(f"{here}: the chart expects a list, got {type(value).__name__}")
        elif isinstance(value, dict | list):
            problems.append(f"{here}: the chart expects a scalar, got {type(value).__name__}")
    return problems


def helm_release_problems(inputs: Mapping[str, Any], where: str) -> list[str]:
    key = ((inputs.get("repositoryOpts") or {}).get("repo"), inputs.get("chart"), inputs.get("version"))
    if key not in upstream.HELM_VALUES:
        return [
            f"{where}: no vendored values.yaml for chart {key} (add it to upstream/ and upstream.HELM_VALUES)"
        ]
    return helm_values_problems(inputs.get("values") or {}, upstream.load_yaml(upstream.HELM_VALUES[key]))


# --- cloud-init and K3s ----------------------------------------------------------------------------------------
def cloud_config(user_data: str) -> dict[str, Any]:
    if not user_data.startswith("#cloud-config\n"):
        raise ValueError("user data must start with '#cloud-config' to be read as cloud-config")
    document = yaml.safe_load(user_data)
    if not isinstance(document, dict):
        raise ValueError("cloud-config is not a YAML map")
    return document


def cloud_config_problems(user_data: str, where: str) -> list[str]:
    try:
        document = cloud_config(user_data)
    except (ValueError, yaml.YAMLError) as exc:
        return [f"{where}: {exc}"]
    return _schema_errors(upstream.cloud_config_schema(), document, where)


def _k3s_flag(role: str, name: str) -> tuple[str, dict[str, Any]] | None:
    flags = upstream.k3s_flags()[role]["flags"]
    for long_name, spec in flags.items():
        if name == long_name or name in spec["aliases"]:
            return long_name, spec
    return None


def k3s_problems(user_data: str, where: str) -> list[str]:
    """The K3s role (the systemd unit's ExecStart, as K3s's installer writes it) and config.yaml keys in a K3s node's
    cloud-config, against the flags `k3s server` / `k3s agent` define (config.yaml keys are the long flag names),
    and the install script's download: the pinned release's binary, checked against the release's checksums."""
    try:
        document = cloud_config(user_data)
    except (ValueError, yaml.YAMLError) as exc:
        return [f"{where}: {exc}"]
    files = {item.get("path"): item.get("content") or "" for item in document.get("write_files") or []}
    units = {
        path: text
        for path, text in files.items()
        if re.fullmatch(r"/etc/systemd/system/k3s(-agent)?\.service", path or "")
    }
    if len(units) != 1:
        return [f"{where}: expected one K3s systemd unit in write_files, found {sorted(units)}"]
    starts = re.findall(r"^ExecStart=/usr/local/bin/k3s (\S+)\s*$", next(iter(units.values())), re.MULTILINE)
    if starts not in (["server"], ["agent"]):
        return [f"{where}: the unit's ExecStart must run `k3s server` or `k3s agent`, got {starts}"]
    role = starts[0]
    problems = _k3s_install_problems(files, document, where)
    config = yaml.safe_load(files.get("/etc/rancher/k3s/config.yaml") or "") or {}
    for key, value in config.items():
        found = _k3s_flag(role, key)
        if found is None:
            problems.append(f"{where}: config.yaml key {key!r} is not a k3s {role} flag")
        elif found[1]["kind"] == "bool" and not isinstance(value, bool):
            problems.append(f"{where}: config.yaml {key} is a switch, got {value!r}")
        elif found[1]["kind"] == "value" and isinstance(value, list | dict):
            problems.append(f"{where}: config.yaml {key} takes one value, got {value!r}")
    return problems


def _k3s_install_problems(files: dict[str, str], document: dict[str, Any], where: str) -> list[str]:
    script = files.get("/usr/local/lib/aidc/install-k3s.sh") or ""
    if ["sh", "/usr/local/lib/aidc/install-k3s.sh"] not in (document.get("runcmd") or []):
        return [f"{where}: runcmd does not run the install script"]
    urls = re.findall(r"https://\S+", script)
    release = r"https://github\.com/k3s-io/k3s/releases/download/v[0-9]+\.[0-9]+\.[0-9]+%2Bk3s[0-9]+"
    problems = [
        f"{where}: download {url} is not the pinned release's asset"
        for url in urls
        if not re.fullmatch(rf"{release}/(k3s|sha256sum-amd64\.txt)", url)
    ]
    if "sha256sum" not in script or "exit 1" not in script or "| sh" in script:
        problems.append(
            f"{where}: the install script must verify the binary's sha256 and run nothing it downloads"
        )
    return problems


# --- AWS (botocore's service models, from the installed botocore) -----------------------------------------------
@cache
def _service(name: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(name)


def aws_enum(service: str, shape: str) -> Callable[[], list[str]]:
    return lambda: list(_service(service).shape_for(shape).enum)


def aws_documented(
    service: str, shape: str, member: str, label: str = "Valid values"
) -> Callable[[], list[str]]:
    """Allowed values that botocore documents in prose ('Valid values: a | b'), for members typed as strings."""

    def values() -> list[str]:
        doc = re.sub(r"<[^>]+>", " ", _service(service).shape_for(shape).members[member].documentation or "")
        match = re.search(rf"{label}(?: are)?:\s*(.+?)(?:\s+Default:|\.\s|$)", doc, re.IGNORECASE)
        if not match:
            raise LookupError(f"{service} {shape}.{member}: no '{label}' in the documentation")
        return [v.strip(" .") for v in re.split(r"\s*[|,]\s*|\s+and\s+", match.group(1)) if v.strip(" .")]

    return values


TUNNEL = "VpnTunnelOptionsSpecification"
AWS_RULES: list[tuple[str, str, Callable[[], list[str]]]] = [
    ("aws:eks/nodeGroup:NodeGroup", "amiType", aws_enum("eks", "AMITypes")),
    ("aws:eks/nodeGroup:NodeGroup", "capacityType", aws_enum("eks", "CapacityTypes")),
    ("aws:eks/nodeGroup:NodeGroup", "instanceTypes[]", aws_enum("ec2", "InstanceType")),
    # GPU capacity is Karpenter's (NodePools, checked against their CRD in tests/components/test_karpenter.py);
    # the system node group has no taints. A deadline run's Capacity Block (prod):
    (
        "aws:ec2/capacityBlockReservation:CapacityBlockReservation",
        "instancePlatform",
        aws_enum("ec2", "CapacityReservationInstancePlatform"),
    ),
    ("aws:eks/cluster:Cluster", "enabledClusterLogTypes[]", aws_enum("eks", "LogType")),
    ("aws:eks/cluster:Cluster", "accessConfig.authenticationMode", aws_enum("eks", "AuthenticationMode")),
    (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "metadataOptions.httpTokens",
        aws_enum("ec2", "LaunchTemplateHttpTokensState"),
    ),
    (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "metadataOptions.httpEndpoint",
        aws_enum("ec2", "LaunchTemplateInstanceMetadataEndpointState"),
    ),
    (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "metadataOptions.instanceMetadataTags",
        aws_enum("ec2", "LaunchTemplateInstanceMetadataTagsState"),
    ),
    (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "blockDeviceMappings[].ebs.volumeType",
        aws_enum("ec2", "VolumeType"),
    ),
    (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "tagSpecifications[].resourceType",
        aws_enum("ec2", "ResourceType"),
    ),
    ("aws:ec2/placementGroup:PlacementGroup", "strategy", aws_enum("ec2", "PlacementStrategy")),
    ("aws:ec2/eip:Eip", "domain", aws_enum("ec2", "DomainType")),
    ("aws:ec2/natGateway:NatGateway", "connectivityType", aws_enum("ec2", "ConnectivityType")),
    ("aws:ec2/flowLog:FlowLog", "trafficType", aws_enum("ec2", "TrafficType")),
    ("aws:ec2/flowLog:FlowLog", "logDestinationType", aws_enum("ec2", "LogDestinationType")),
    ("aws:ec2/customerGateway:CustomerGateway", "type", aws_enum("ec2", "GatewayType")),
    ("aws:ec2/vpnConnection:VpnConnection", "type", aws_enum("ec2", "GatewayType")),
    ("aws:ec2/vpnConnection:VpnConnection", "tunnelBandwidth", aws_enum("ec2", "VpnTunnelBandwidth")),
    *[
        (
            "aws:ec2/vpnConnection:VpnConnection",
            f"tunnel{t}{field}[]",
            aws_documented("ec2", TUNNEL, member),
        )
        for t in (1, 2)
        for field, member in [
            ("IkeVersions", "IKEVersions"),
            ("Phase1EncryptionAlgorithms", "Phase1EncryptionAlgorithms"),
            ("Phase2EncryptionAlgorithms", "Phase2EncryptionAlgorithms"),
            ("Phase1IntegrityAlgorithms", "Phase1IntegrityAlgorithms"),
            ("Phase2IntegrityAlgorithms", "Phase2IntegrityAlgorithms"),
            ("Phase1DhGroupNumbers", "Phase1DHGroupNumbers"),
            ("Phase2DhGroupNumbers", "Phase2DHGroupNumbers"),
        ]
    ],
    *[
        (
            "aws:ec2/vpnConnection:VpnConnection",
            f"tunnel{t}DpdTimeoutAction",
            aws_documented("ec2", TUNNEL, "DPDTimeoutAction"),
        )
        for t in (1, 2)
    ],
    *[
        (
            "aws:ec2transitgateway/transitGateway:TransitGateway",
            field,
            aws_enum("ec2", shape),
        )
        for field, shape in [
            ("autoAcceptSharedAttachments", "AutoAcceptSharedAttachmentsValue"),
            ("vpnEcmpSupport", "VpnEcmpSupportValue"),
            ("dnsSupport", "DnsSupportValue"),
            ("defaultRouteTableAssociation", "DefaultRouteTableAssociationValue"),
            ("defaultRouteTablePropagation", "DefaultRouteTablePropagationValue"),
        ]
    ],
    ("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "dnsSupport", aws_enum("ec2", "DnsSupportValue")),
    (
        "aws:cloudwatch/logGroup:LogGroup",
        "retentionInDays",
        aws_documented("logs", "PutRetentionPolicyRequest", "retentionInDays", "Possible values"),
    ),
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
        aws_enum("s3", "ServerSideEncryption"),
    ),
    (
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "rule.objectOwnership",
        aws_enum("s3", "ObjectOwnership"),
    ),
    (
        "aws:s3/bucketVersioning:BucketVersioning",
        "versioningConfiguration.status",
        aws_enum("s3", "BucketVersioningStatus"),
    ),
    # Issue 12: the dataset bucket's access logging and the VPN tunnels' logs.
    (
        "aws:s3/bucketLogging:BucketLogging",
        "targetObjectKeyFormat.partitionedPrefix.partitionDateSource",
        aws_enum("s3", "PartitionDateSource"),
    ),
    *[
        (
            "aws:ec2/vpnConnection:VpnConnection",
            f"tunnel{t}LogOptions.cloudwatchLogOptions.logOutputFormat",
            aws_documented("ec2", "CloudWatchLogOptionsSpecification", "LogOutputFormat"),
        )
        for t in (1, 2)
    ],
]


def values_at(document: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path where `name[]` walks a list."""
    if not path:
        yield document
        return
    head, _, rest = path.partition(".")
    is_list = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(document, Mapping) or document.get(key) is None:
        return
    items = document[key] if is_list else [document[key]]
    for item in items if isinstance(items, list) else [items]:
        yield from values_at(item, rest)


def _as_api_string(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def aws_value_problems(resource: Record) -> tuple[list[str], int]:
    """(problems, values checked) for one AWS resource against the rules that apply to its type."""
    problems, checked = [], 0
    for token, path, allowed in AWS_RULES:
        if resource["type"] != token:
            continue
        for value in values_at(resource["plain_inputs"], path):
            checked += 1
            if _as_api_string(value) not in allowed():
                problems.append(f"{resource['urn']}: {path}={value!r} is not one of botocore's {allowed()}")
    return problems, checked


# --- Neutron VPNaaS, Octavia ----------------------------------------------------------------------------------
VPNAAS: dict[str, tuple[str, str, dict[str, str]]] = {
    # type token -> (neutron-lib extension alias, collection, pulumi input -> API attribute)
    "openstack:vpnaas/ikePolicy:IkePolicy": (
        "vpnaas",
        "ikepolicies",
        {
            "authAlgorithm": "auth_algorithm",
            "encryptionAlgorithm": "encryption_algorithm",
            "phase1NegotiationMode": "phase1_negotiation_mode",
            "ikeVersion": "ike_version",
            "pfs": "pfs",
            "lifetimes[]": "lifetime",
        },
    ),
    "openstack:vpnaas/ipSecPolicy:IpSecPolicy": (
        "vpnaas",
        "ipsecpolicies",
        {
            "authAlgorithm": "auth_algorithm",
            "encryptionAlgorithm": "encryption_algorithm",
            "transformProtocol": "transform_protocol",
            "encapsulationMode": "encapsulation_mode",
            "pfs": "pfs",
            "lifetimes[]": "lifetime",
        },
    ),
    "openstack:vpnaas/siteConnection:SiteConnection": (
        "vpnaas",
        "ipsec_site_connections",
        {"initiator": "initiator", "dpds[]": "dpd", "mtu": "mtu"},
    ),
    "openstack:vpnaas/endpointGroup:EndpointGroup": (
        "vpn-endpoint-groups",
        "endpoint_groups",
        {"type": "type"},
    ),
}


def _neutron_value_problems(value: Any, validate: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    for kind, rule in validate.items():
        if kind == "type:values" and value not in rule:
            problems.append(f"{where}: {value!r} is not one of {rule}")
        elif kind == "type:range" and (
            int(value) < rule[0] or (rule[1] is not None and int(value) > rule[1])
        ):
            problems.append(f"{where}: {value!r} is outside {rule}")
        elif kind == "type:non_negative" and int(value) < 0:
            problems.append(f"{where}: {value!r} is negative")
        elif kind in ("type:dict", "type:dict_or_empty") and isinstance(value, Mapping):
            for key, item in value.items():
                sub = (rule or {}).get(key)
                if sub is None:
                    problems.append(f"{where}.{key}: not an attribute Neutron accepts")
                elif isinstance(sub, Mapping):
                    problems += _neutron_value_problems(item, sub, f"{where}.{key}")
    return problems


def vpnaas_problems(resource: Record) -> tuple[list[str], int]:
    if resource["type"] not in VPNAAS:
        return [], 0
    alias, collection, fields = VPNAAS[resource["type"]]
    attributes = upstream.neutron_vpnaas()[alias]["RESOURCE_ATTRIBUTE_MAP"][collection]
    problems, checked = [], 0
    for path, attribute in fields.items():
        validate = attributes[attribute].get("validate") or {}
        for value in values_at(resource["plain_inputs"], path):
            checked += 1
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, Mapping):
                value = {
                    k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in value.items()
                }
            problems += _neutron_value_problems(value, validate, f"{resource['urn']}: {path}")
    return problems, checked


OCTAVIA: dict[str, dict[str, str]] = {
    "openstack:loadbalancer/listener:Listener": {"protocol": "SUPPORTED_PROTOCOLS"},
    "openstack:loadbalancer/pool:Pool": {
        "protocol": "SUPPORTED_PROTOCOLS",
        "lbMethod": "SUPPORTED_LB_ALGORITHMS",
    },
    "openstack:loadbalancer/monitor:Monitor": {"type": "SUPPORTED_HEALTH_MONITOR_TYPES"},
}


def octavia_problems(resource: Record) -> tuple[list[str], int]:
    problems, checked = [], 0
    for field, constant in OCTAVIA.get(resource["type"], {}).items():
        value = resource["plain_inputs"].get(field)
        checked += 1
        if value not in upstream.octavia()[constant]:
            problems.append(f"{resource['urn']}: {field}={value!r} is not one of octavia-lib's {constant}")
    return problems, checked


# --- the openstack provider (pulumi_openstack SDK docstrings) ---------------------------------------------------
def provider_docstring(cls: type, argument: str) -> str:
    """The `:param ... <argument>:` text of a pulumi_openstack resource's constructor docstring (the provider
    schema's description of the argument)."""
    args_class = getattr(inspect.getmodule(cls), f"{cls.__name__}Args", cls)
    doc = inspect.getdoc(args_class.__init__) or ""
    match = re.search(rf":param [^:]*\b{argument}:(.*?)(?=\n:param|\Z)", doc, re.DOTALL)
    if match is None:
        raise LookupError(f"{cls.__name__}: no docstring for {argument}")
    return " ".join(match.group(1).split())


def instance_security_group_problems(resources: Sequence[Record]) -> tuple[list[str], int]:
    """The openstack provider reads security groups back by name (docstring: 'Names should be used and not ids,
    as ids trigger unnecessary updates'): every value must be the name of a security group, never an id."""
    names = {
        r["plain_inputs"].get("name") for r in of_type(resources, "openstack:networking/secGroup:SecGroup")
    } | {"default"}
    problems, checked = [], 0
    for instance in of_type(resources, INSTANCE):
        for group in instance["plain_inputs"].get("securityGroups") or []:
            checked += 1
            if group not in names:
                problems.append(
                    f"{instance['urn']}: security group {group!r} is not the name of a declared security group "
                    "(an id makes every later preview show a change)"
                )
    return problems, checked


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
