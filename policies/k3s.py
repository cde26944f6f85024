"""K3s and Kubernetes rules: each K3s cluster runs 1 or 3 servers with Secrets encryption on; what the project
deploys to Kubernetes (pods, workload controllers, Helm releases) runs no privileged containers and no
host networking/PID/IPC; images and charts are pinned.

K3s servers are OpenStack instances labelled by Nova metadata aidc_cluster and aidc_role=server
(components/k3s_cluster.py; Nova refuses '/' in metadata keys, so no aidc.io/ prefix); their flags are in the
cloud-init user data. Under the real engine a policy sees that user data in plain text (secrets are unwrapped
for analyzers); offline `aidc plan` shows it as "[secret]", so the rule also reads the instance metadata key
aidc_secrets_encryption when the component sets it, and stays silent when neither is visible. Nothing here
builds a PolicyPack.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aidc.contract import (
    CLUSTER_METADATA_KEY,
    HEAT_ACCELERATOR_TAG,
    HEAT_CLUSTER_TAG,
    HEAT_SERVERS_TAG,
    K3S_SERVER_TAINT,
    KIND_LABEL,
    POD_SECURITY,
    POD_SECURITY_ENFORCE_LABEL,
    RESERVED_NAMESPACES,
    ROLE_METADATA_KEY,
    SECRETS_ENCRYPTION_METADATA_KEY,
    SERVER_ROLE,
    TAINTS_METADATA_KEY,
    WORKLOAD_LABEL,
)
from policies._common import (
    ADVISORY,
    MANDATORY,
    as_list,
    config_of,
    get,
    is_list,
    is_mapping,
    is_secret_value,
    resources_of,
    schema,
    truthy,
)

OS_INSTANCE = "openstack:compute/instance:Instance"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
CEPH_CLUSTER = "kubernetes:ceph.rook.io/v1:CephCluster"
# Nova server metadata keys the K3s component sets (Nova allows ^[a-zA-Z0-9-_:. ]{1,255}$).
ROLE_KEY = ROLE_METADATA_KEY
CLUSTER_KEY = CLUSTER_METADATA_KEY
SECRETS_ENCRYPTION_KEY = SECRETS_ENCRYPTION_METADATA_KEY
TAINTS_KEY = TAINTS_METADATA_KEY
HEAT_STACK = "openstack:orchestration/stackV1:StackV1"
NAMESPACE = "kubernetes:core/v1:Namespace"
K3S_CONFIG = "/etc/rancher/k3s/config.yaml"
SERVER_TAINT = K3S_SERVER_TAINT
METADATA_GUARD = re.compile(r"iptables -w -t raw -I PREROUTING -s \S+ -d 169\.254\.169\.254/32 -j DROP")
PEM_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|/server/tls/[a-z/-]*\.key\b")

# Where the pod spec sits in each workload kind (pulumi_kubernetes type token -> path).
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

_SERVER_COUNT_SCHEMA = schema(
    {
        "allowed-server-counts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "default": [1, 3],
            "description": "Server counts a K3s cluster may have (1, or 3 for embedded-etcd HA).",
        }
    }
)


def _validate_server_count(args: StackValidationArgs, report: ReportViolation) -> None:
    allowed = [int(n) for n in config_of(args, _SERVER_COUNT_SCHEMA)["allowed-server-counts"]]
    servers: dict[str, list[Any]] = defaultdict(list)
    for instance in resources_of(args.resources, OS_INSTANCE):
        metadata = get(instance.props, "metadata", default={})
        if get(metadata, ROLE_KEY) == SERVER_ROLE and get(metadata, CLUSTER_KEY):
            servers[str(get(metadata, CLUSTER_KEY))].append(instance)
    for cluster, instances in sorted(servers.items()):
        if len(instances) not in allowed:
            report(
                f"K3s cluster {cluster} has {len(instances)} servers: use one of {allowed} — with embedded etcd "
                "an even count adds no fault tolerance and 2 servers lose quorum when either fails "
                "(aidc:k3s.core_servers / aidc:edge.sites[].servers).",
                instances[0].urn,
            )


k3s_server_count = StackValidationPolicy(
    name="k3s-server-count",
    description="Every K3s cluster runs 1 server, or 3 for HA with embedded etcd.",
    enforcement_level=MANDATORY,
    config_schema=_SERVER_COUNT_SCHEMA,
    validate=_validate_server_count,
)


def _text(user_data: str) -> str:
    try:
        return base64.b64decode(user_data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return user_data


_CONFIG_FILE = re.compile(
    r"- path: /etc/rancher/k3s/config\.yaml\n(?:    [a-z]+: .*\n)*?    content: (\"(?:[^\"\\]|\\.)*\")"
)


def k3s_config(text: str) -> dict[str, Any] | None:
    """/etc/rancher/k3s/config.yaml of a node's cloud-config, as aidc writes it (components/cloud_init.py: the
    content a JSON string of JSON, so no YAML parser is needed here: the pack imports only pulumi_policy), or None."""
    if not text.startswith("#cloud-config"):
        return None
    match = _CONFIG_FILE.search(text)
    if match is None:
        return None
    try:
        loaded = json.loads(json.loads(match.group(1)))
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def secrets_encryption_state(props: Any) -> bool | None:
    """True/False when the server's flags are visible, None when they are not (offline secret user data)."""
    declared = get(props, "metadata", SECRETS_ENCRYPTION_KEY)
    if declared is not None:
        return truthy(declared)
    user_data = get(props, "userData")
    if not isinstance(user_data, str) or is_secret_value(user_data):
        return None
    text = _text(user_data)
    if "k3s" not in text.lower():
        return None
    config = k3s_config(text)
    if config is not None:
        return config.get("secrets-encryption") is True
    return "--secrets-encryption" in text or "secrets-encryption: true" in text


def _validate_secrets_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != OS_INSTANCE or get(args.props, "metadata", ROLE_KEY) != SERVER_ROLE:
        return
    if secrets_encryption_state(args.props) is False:
        report(
            f"K3s server {args.name} stores Kubernetes Secrets unencrypted in its datastore: start it with "
            "--secrets-encryption (aidc:k3s.secrets_encryption: true, the default).",
            None,
        )


k3s_secrets_encryption = ResourceValidationPolicy(
    name="k3s-secrets-encryption",
    description="Every K3s server encrypts Kubernetes Secrets at rest (--secrets-encryption).",
    enforcement_level=MANDATORY,
    validate=_validate_secrets_encryption,
)


def _containers(pod_spec: Any) -> Iterator[Any]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from as_list(get(pod_spec, key))


def _pod_spec_problems(pod_spec: Any) -> list[str]:
    problems = [f"{key}: true" for key in ("hostNetwork", "hostPID", "hostIPC") if truthy(get(pod_spec, key))]
    for container in _containers(pod_spec):
        if truthy(get(container, "securityContext", "privileged")):
            problems.append(f"container {get(container, 'name', default='?')} privileged: true")
    return problems


def _values_problems(values: Any, path: str = "values") -> list[str]:
    """Chart values that switch on privileged mode or host namespaces, at any depth."""
    found: list[str] = []
    if is_mapping(values):
        for key, value in values.items():
            here = f"{path}.{key}"
            if key in ("privileged", "hostNetwork", "hostPID", "hostIPC") and value is True:
                found.append(f"{here}: true")
            else:
                found += _values_problems(value, here)
    elif is_list(values):
        for i, value in enumerate(values):
            found += _values_problems(value, f"{path}[{i}]")
    return found


_PRIVILEGED_SCHEMA = schema(
    {
        "exempt-namespaces": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Namespaces whose workloads may be privileged (e.g. a storage operator's).",
        }
    }
)


def _validate_no_privileged(args: ResourceValidationArgs, report: ReportViolation) -> None:
    exempt = set(config_of(args, _PRIVILEGED_SCHEMA)["exempt-namespaces"])
    if args.resource_type in POD_SPEC_PATHS:
        if get(args.props, "metadata", "namespace", default="default") in exempt:
            return
        problems = _pod_spec_problems(get(args.props, *POD_SPEC_PATHS[args.resource_type], default={}))
    elif args.resource_type == HELM_RELEASE:
        if get(args.props, "namespace", default="default") in exempt:
            return
        problems = _values_problems(get(args.props, "values", default={}))
    else:
        return
    if problems:
        report(
            f"{args.name} runs with {', '.join(problems)}, which gives its pods the node: drop these settings "
            "(use device plugins, capabilities or a Service instead), or list the namespace in this "
            "policy's exempt-namespaces if the workload truly needs the host.",
            None,
        )


k8s_no_privileged_workloads = ResourceValidationPolicy(
    name="k8s-no-privileged-workloads",
    description="What the project deploys to Kubernetes runs no privileged containers and no host network/PID/IPC.",
    enforcement_level=MANDATORY,
    config_schema=_PRIVILEGED_SCHEMA,
    validate=_validate_no_privileged,
)


def image_pinned(image: Any) -> bool:
    """A digest, or a tag other than latest on the last path segment."""
    if not isinstance(image, str) or not image:
        return False
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def _values_unpinned(values: Any, path: str = "values") -> list[str]:
    found: list[str] = []
    if is_mapping(values):
        for key, value in values.items():
            here = f"{path}.{key}"
            if (key == "tag" and isinstance(value, str) and value in ("", "latest")) or (
                key == "image" and isinstance(value, str) and not image_pinned(value)
            ):
                found.append(f"{here}={value!r}")
            else:
                found += _values_unpinned(value, here)
    elif is_list(values):
        for i, value in enumerate(values):
            found += _values_unpinned(value, f"{path}[{i}]")
    return found


def _validate_images_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    unpinned: list[str] = []
    if args.resource_type in POD_SPEC_PATHS:
        pod_spec = get(args.props, *POD_SPEC_PATHS[args.resource_type], default={})
        unpinned = [
            f"{get(c, 'name', default='?')}={get(c, 'image', default='')!r}"
            for c in _containers(pod_spec)
            if not image_pinned(get(c, "image"))
        ]
    elif args.resource_type == HELM_RELEASE:
        if not get(args.props, "version"):
            unpinned.append("chart version unset")
        unpinned += _values_unpinned(get(args.props, "values", default={}))
    elif args.resource_type == CEPH_CLUSTER:
        image = get(args.props, "spec", "cephVersion", "image")
        if not image_pinned(image):
            unpinned.append(f"spec.cephVersion.image={image!r}")
    else:
        return
    if unpinned:
        report(
            f"{args.name} is not pinned ({', '.join(unpinned)}), so a re-deploy can pull different code: pin "
            "chart versions and image tags (or digests), never 'latest'.",
            None,
        )


k8s_images_pinned = ResourceValidationPolicy(
    name="k8s-images-pinned",
    description="Helm charts, Ceph and container images the project deploys are pinned to a version or digest.",
    enforcement_level=ADVISORY,
    validate=_validate_images_pinned,
)


# --- issue 24: K3s secrets on nodes, dedicated servers, Pod Security ---------------------------------------------
def node_user_data(resource_type: str, props: Any) -> tuple[str, str] | None:
    """(role, plain user data) of a K3s node: a server instance, or an agent pool's Heat stack; None when the
    resource is neither or its user data is not visible (offline plans show secrets as "[secret]")."""
    if resource_type == OS_INSTANCE and get(props, "metadata", ROLE_KEY) == SERVER_ROLE:
        role, value = "server", get(props, "userData")
    elif resource_type == HEAT_STACK:
        role, value = "agent", get(props, "parameters", "user_data")
    else:
        return None
    if not isinstance(value, str) or is_secret_value(value) or value == "[secret]":
        return None
    text = _text(value)
    return (role, text) if k3s_config(text) is not None else None


def node_secret_problems(role: str, text: str) -> list[str]:
    """What a K3s node's user data must not hold or must do: no CA private key, the agent token only on agents
    (secure, `::node:`), the metadata guard, a checksum-verified install (no `curl | sh`), and on servers the
    Pod Security admission configuration and audit log."""
    config = k3s_config(text) or {}
    problems = []
    if PEM_PRIVATE_KEY.search(text):
        problems.append("holds a CA private key (the first server generates the cluster's CAs)")
    token = str(config.get("token") or "")
    if role == "agent" and not re.fullmatch(r"K10[0-9a-f]{64}::node:.+", token):
        problems.append("an agent must join with the secure agent token K10<ca-hash>::node:<secret>")
    if not METADATA_GUARD.search(text):
        problems.append("does not drop its pods' traffic to 169.254.169.254 (the metadata service)")
    if "get.k3s.io" in text or "| sh" in text or "sha256sum" not in text:
        problems.append("installs K3s without checking the release's sha256 (or by `curl | sh`)")
    if role == "server":
        apiserver = " ".join(str(a) for a in as_list(config.get("kube-apiserver-arg")))
        for flag in ("admission-control-config-file=", "audit-policy-file=", "audit-log-path="):
            if flag not in apiserver:
                problems.append(f"runs the API server without {flag.rstrip('=')} (K3s CIS hardening guide)")
    return problems


def _validate_node_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    node = node_user_data(args.resource_type, args.props)
    if node is None:
        return
    for problem in node_secret_problems(*node):
        report(f"K3s {node[0]} {args.name}: user data {problem}.", None)


k3s_node_secrets = ResourceValidationPolicy(
    name="k3s-node-secrets",
    description="K3s user data holds no CA key, agents only the agent token, every node blocks pods from the "
    "metadata service, K3s is installed checksum-verified, servers run Pod Security admission and audit logging.",
    enforcement_level=MANDATORY,
    validate=_validate_node_secrets,
)


def _validate_no_server_token_on_agents(args: StackValidationArgs, report: ReportViolation) -> None:
    secrets: dict[str, str] = {}
    agents: list[tuple[str, str, str]] = []
    for resource in args.resources:
        node = node_user_data(resource.resource_type, resource.props)
        if node is None:
            continue
        config = k3s_config(node[1]) or {}
        if node[0] == "server":
            cluster = str(get(resource.props, "metadata", CLUSTER_KEY))
            secret = str(config.get("token") or "").rsplit("::server:", 1)[-1]
            if secret and "server" not in config:
                secrets[cluster] = secret
        else:
            tags = dict(str(t).split("=", 1) for t in as_list(get(resource.props, "tags")) if "=" in str(t))
            agents.append((tags.get(HEAT_CLUSTER_TAG, ""), resource.name, node[1]))
    for cluster, name, text in agents:
        if cluster in secrets and secrets[cluster] in text:
            report(
                f"K3s agent pool {name} holds the server token of cluster {cluster}: give agents the agent token.",
                None,
            )


k3s_no_server_token_on_agents = StackValidationPolicy(
    name="k3s-no-server-token-on-agents",
    description="No K3s agent's user data holds its cluster's server token.",
    enforcement_level=MANDATORY,
    validate=_validate_no_server_token_on_agents,
)


def _validate_dedicated_servers(args: StackValidationArgs, report: ReportViolation) -> None:
    general: set[str] = set()
    for stack in resources_of(args.resources, HEAT_STACK):
        tags = dict(str(t).split("=", 1) for t in as_list(get(stack.props, "tags")) if "=" in str(t))
        if (
            HEAT_CLUSTER_TAG in tags
            and HEAT_ACCELERATOR_TAG not in tags
            and tags.get(HEAT_SERVERS_TAG, "0") != "0"
        ):
            general.add(tags[HEAT_CLUSTER_TAG])
    for instance in resources_of(args.resources, OS_INSTANCE):
        metadata = get(instance.props, "metadata", default={})
        cluster = str(get(metadata, CLUSTER_KEY))
        tainted = SERVER_TAINT in str(get(metadata, TAINTS_KEY) or "")
        if get(metadata, ROLE_KEY) == SERVER_ROLE and cluster in general and not tainted:
            report(
                f"K3s server {instance.name} of {cluster} is not tainted {SERVER_TAINT} although the cluster has "
                "general-purpose agents: workloads could land on the control plane.",
                instance.urn,
            )


k3s_dedicated_servers = StackValidationPolicy(
    name="k3s-dedicated-servers",
    description="Where a K3s cluster has general-purpose agents, its servers are tainted CriticalAddonsOnly=true:NoExecute.",
    enforcement_level=MANDATORY,
    validate=_validate_dedicated_servers,
)

# What a workload namespace may enforce, by kind: restricted, or the level the program writes for the kind.
POD_SECURITY_LEVELS: dict[str, tuple[str, ...]] = {
    kind: tuple(dict.fromkeys(("restricted", level))) for kind, level in POD_SECURITY.items()
}


def _validate_workload_namespace(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != NAMESPACE:
        return
    labels = get(args.props, "metadata", "labels", default={}) or {}
    workload = get(labels, WORKLOAD_LABEL)
    if workload is None:
        return
    name = get(args.props, "metadata", "name")
    if name in RESERVED_NAMESPACES:
        report(f"Workload namespace {name} is one the clusters' add-ons use: rename the workload.", None)
    enforced = get(labels, POD_SECURITY_ENFORCE_LABEL)
    allowed = POD_SECURITY_LEVELS.get(str(get(labels, KIND_LABEL)), ("restricted",))
    if enforced not in allowed:
        report(
            f"Workload namespace {name} enforces Pod Security {enforced!r}; allowed: {', '.join(allowed)} "
            "(label pod-security.kubernetes.io/enforce).",
            None,
        )


k8s_workload_pod_security = ResourceValidationPolicy(
    name="k8s-workload-pod-security",
    description="Workload namespaces enforce Pod Security restricted (baseline for training) and are never a "
    "namespace the clusters' add-ons use.",
    enforcement_level=MANDATORY,
    validate=_validate_workload_namespace,
)

POLICIES = [
    k3s_server_count,
    k3s_secrets_encryption,
    k8s_no_privileged_workloads,
    k8s_images_pinned,
    k3s_node_secrets,
    k3s_no_server_token_on_agents,
    k3s_dedicated_servers,
    k8s_workload_pod_security,
]
"""This module's rules, in the order the pack registers them."""
