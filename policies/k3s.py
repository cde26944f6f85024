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

from aidc.contract import CLUSTER_METADATA_KEY, ROLE_METADATA_KEY, SECRETS_ENCRYPTION_METADATA_KEY
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
        if get(metadata, ROLE_KEY) == "server" and get(metadata, CLUSTER_KEY):
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
    return "--secrets-encryption" in text or "secrets-encryption: true" in text


def _validate_secrets_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != OS_INSTANCE or get(args.props, "metadata", ROLE_KEY) != "server":
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

POLICIES = [k3s_server_count, k3s_secrets_encryption, k8s_no_privileged_workloads, k8s_images_pinned]
"""This module's rules, in the order the pack registers them."""
