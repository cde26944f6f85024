"""Rendering of instance boot data: cloud-init user data for K3s servers and agents, and the Heat (HOT)
template that declares a pool of identical servers as one OS::Heat::ResourceGroup.

Pure functions over plain strings: the K3sCluster component calls them inside `Output.all(...).apply`
once the join tokens and server address are known, so the result stays a Pulumi secret there. Nothing
here imports Pulumi or reads config. Edit the settings here, not in the component.

What a K3s node's user data holds (docs.k3s.io: "k3s token", "Using Custom CA Certificates", the CIS hardening
guide): never a CA private key (the first server generates its CAs); a server, the server token (the first one
short, the others secure) and the agent token's secret; an agent, only the secure agent token. Every node drops
its pods' traffic to the metadata service at every boot (metadata_guard), and K3s is installed from the pinned
release's binary, checked against the release's sha256sum file (install_script), never by `curl | sh`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

import yaml

from aidc.contract import POOL_METADATA_KEY

# Sysctls the kubelet refuses to start without when --protect-kernel-defaults is on (K3s CIS hardening guide).
PROTECT_KERNEL_DEFAULTS_SYSCTLS: Mapping[str, str] = {
    "vm.panic_on_oom": "0",
    "vm.overcommit_memory": "1",
    "kernel.panic": "10",
    "kernel.panic_on_oops": "1",
}

# The release's own assets: the binary and its checksums (github.com/k3s-io/k3s/releases), verified before use.
K3S_RELEASES = "https://github.com/k3s-io/k3s/releases/download"
K3S_BINARY = "/usr/local/bin/k3s"
INSTALL_SCRIPT = "/usr/local/lib/aidc/install-k3s.sh"
K3S_CONFIG = "/etc/rancher/k3s/config.yaml"
K3S_SERVER_DIR = "/var/lib/rancher/k3s/server"
K3S_TLS_DIR = f"{K3S_SERVER_DIR}/tls"
# K3s's default pod network, set explicitly so the metadata guard below names the same range.
CLUSTER_CIDR = "10.42.0.0/16"
METADATA_ADDRESS = "169.254.169.254"
# Written by the first server once K3s generated its CA; read back through Nova's console (k3s_cluster/identity.py).
CA_HASH_MARKER = "aidc-k3s-ca-sha256="
# The named admin a server binds to cluster-admin (k3s_cluster/identity.py mints its client certificate).
ADMIN_USER = "aidc-admin"
# The K3s CIS hardening guide's Pod Security admission configuration and audit policy (docs.k3s.io/security/
# hardening-guide: "Pod Security", "API Server audit configuration"), and where the apiserver finds them.
PSA_CONFIG = f"{K3S_SERVER_DIR}/psa.yaml"
AUDIT_POLICY = f"{K3S_SERVER_DIR}/audit.yaml"
AUDIT_LOG = f"{K3S_SERVER_DIR}/logs/audit.log"
# K3s applies every manifest in this directory at start ("Auto-Deploying Manifests"): the admin user's binding.
ADMIN_BINDING = f"{K3S_SERVER_DIR}/manifests/{ADMIN_USER}.yaml"
# Namespaces exempt from the cluster-wide `restricted` default, each because an add-on there needs more: K3s's own
# (kube-system), the GPU Operator's driver and toolkit (privileged, host paths), Rook's OSDs (privileged, devices),
# system-upgrade-controller's upgrade jobs (privileged, the host's binary), Prometheus (the chart's server sets no
# seccomp profile). Workload namespaces label their own level (components/workload_queues.py).
PSA_EXEMPT_NAMESPACES = ("gpu-operator", "kube-system", "monitoring", "rook-ceph", "system-upgrade")
# A pinned K3s release tag, never 'latest' or a channel.
K3S_VERSION_PATTERN = r"^v[0-9]+\.[0-9]+\.[0-9]+\+k3s[0-9]+$"
_K3S_VERSION = re.compile(K3S_VERSION_PATTERN, re.ASCII)


def validate_k3s_version(version: str) -> str:
    """Return `version` if it is a pinned K3s release tag (e.g. v1.36.5+k3s1), else raise ValueError."""
    if not _K3S_VERSION.fullmatch(version):
        raise ValueError(f"version: must be a pinned K3s release like 'v1.36.5+k3s1', got {version!r}")
    return version


def _yaml_str(value: str) -> str:
    # JSON strings are valid YAML scalars and escape everything a token or PEM could contain.
    return json.dumps(value)


def _write_file(path: str, content: str, permissions: str = "0600") -> str:
    return (
        f"  - path: {path}\n"
        f"    owner: root:root\n"
        f"    permissions: '{permissions}'\n"
        f"    content: {_yaml_str(content)}\n"
    )


def _k3s_config(settings: Mapping[str, object]) -> str:
    """/etc/rancher/k3s/config.yaml (JSON is YAML): every setting, so the token stays off the command line."""
    return json.dumps(dict(settings), indent=2, sort_keys=True) + "\n"


def _sysctl_file() -> str:
    return "".join(f"{key}={value}\n" for key, value in PROTECT_KERNEL_DEFAULTS_SYSCTLS.items())


def metadata_guard(cluster_cidr: str = CLUSTER_CIDR) -> str:
    """The host firewall rule that keeps pods from the metadata service (Nova's user data holds join tokens).

    Pod traffic leaves the pod network through the host's routing (flannel's bridge, then the host's default route),
    so it traverses PREROUTING; the host's own requests (cloud-init reading its user data) traverse OUTPUT and are
    not matched. The raw table is evaluated before K3s's and kube-router's filter chains and is not managed by them,
    so their rule ordering cannot bypass it. Idempotent (-C before -I), run at every boot (bootcmd). A pod on the
    host's network namespace (hostNetwork) is the host to the kernel: Pod Security `baseline` forbids those."""
    rule = f"PREROUTING -s {cluster_cidr} -d {METADATA_ADDRESS}/32 -j DROP"
    return f"iptables -w -t raw -C {rule} 2>/dev/null || iptables -w -t raw -I {rule}"


def install_script(version: str, role: str, print_ca_hash: bool = False) -> str:
    """Download the pinned release's binary and its sha256sum-amd64.txt, refuse a binary whose sha256 differs,
    install it and start the K3s unit (written beside it). No `curl | sh`: nothing downloaded is executed unchecked."""
    release = f"{K3S_RELEASES}/{quote(validate_k3s_version(version), safe='')}"
    unit = "k3s" if role == "server" else "k3s-agent"
    lines = [
        "#!/bin/sh",
        "set -eu",
        'tmp="$(mktemp -d)"',
        f"curl --proto '=https' --tlsv1.2 -sSfL --retry 5 -o \"$tmp/k3s\" {release}/k3s",
        f"curl --proto '=https' --tlsv1.2 -sSfL --retry 5 -o \"$tmp/sums\" {release}/sha256sum-amd64.txt",
        'expected="$(awk \'$2 == "k3s" {print $1}\' "$tmp/sums")"',
        'actual="$(sha256sum "$tmp/k3s" | cut -d\' \' -f1)"',
        '[ -n "$expected" ] && [ "$expected" = "$actual" ] || { echo "k3s binary: sha256 mismatch" >&2; exit 1; }',
        f'install -m 0755 "$tmp/k3s" {K3S_BINARY}',
        'rm -rf "$tmp"',
        "systemctl daemon-reload",
        f"systemctl enable --now {unit}.service",
    ]
    if print_ca_hash:
        lines.append(
            f"echo \"{CA_HASH_MARKER}$(sha256sum {K3S_TLS_DIR}/server-ca.crt | cut -d' ' -f1)\" | tee /dev/console"
        )
    return "\n".join(lines) + "\n"


def systemd_unit(role: str) -> str:
    """The unit K3s's installer writes (k3s.service / k3s-agent.service), settings read from config.yaml."""
    return (
        "[Unit]\nDescription=Lightweight Kubernetes\nDocumentation=https://k3s.io\n"
        "Wants=network-online.target\nAfter=network-online.target\n\n"
        "[Service]\nType=notify\nKillMode=process\nDelegate=yes\nLimitNOFILE=1048576\nLimitNPROC=infinity\n"
        "LimitCORE=infinity\nTasksMax=infinity\nTimeoutStartSec=0\nRestart=always\nRestartSec=5s\n"
        "ExecStartPre=-/sbin/modprobe br_netfilter\nExecStartPre=-/sbin/modprobe overlay\n"
        f"ExecStart={K3S_BINARY} {role}\n\n[Install]\nWantedBy=multi-user.target\n"
    )


def psa_config() -> str:
    """AdmissionConfiguration: Pod Security `restricted` enforced, audited and warned cluster-wide by default."""
    levels = {
        f"{mode}{suffix}": value
        for mode in ("enforce", "audit", "warn")
        for suffix, value in (("", "restricted"), ("-version", "latest"))
    }
    return yaml.safe_dump(
        {
            "apiVersion": "apiserver.config.k8s.io/v1",
            "kind": "AdmissionConfiguration",
            "plugins": [
                {
                    "name": "PodSecurity",
                    "configuration": {
                        "apiVersion": "pod-security.admission.config.k8s.io/v1",
                        "kind": "PodSecurityConfiguration",
                        "defaults": levels,
                        "exemptions": {
                            "usernames": [],
                            "runtimeClasses": [],
                            "namespaces": list(PSA_EXEMPT_NAMESPACES),
                        },
                    },
                }
            ],
        },
        sort_keys=False,
    )


def audit_policy() -> str:
    """The hardening guide's audit policy: every request's metadata (never bodies: Secrets stay out of the log)."""
    return yaml.safe_dump(
        {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "Metadata"}]}
    )


def admin_binding(user: str) -> str:
    """The ClusterRoleBinding that makes the named admin user (k3s_cluster/identity.py) cluster-admin: deleting it
    revokes every certificate issued to the user, which system:masters could never be."""
    return yaml.safe_dump(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": user, "labels": {"app.kubernetes.io/managed-by": "aidc"}},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "cluster-admin",
            },
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
        },
        sort_keys=False,
    )


def apiserver_args() -> list[str]:
    """kube-apiserver flags of the hardening guide: Pod Security admission configuration and audit logging."""
    return [
        f"admission-control-config-file={PSA_CONFIG}",
        f"audit-policy-file={AUDIT_POLICY}",
        f"audit-log-path={AUDIT_LOG}",
        "audit-log-maxage=30",
        "audit-log-maxbackup=10",
        "audit-log-maxsize=100",
    ]


def _cloud_config(files: Sequence[str]) -> str:
    return (
        "#cloud-config\n"
        "bootcmd:\n"
        + f"  - {_yaml_str(metadata_guard())}\n"
        + "write_files:\n"
        + "".join(files)
        + "runcmd:\n"
        + "  - [sysctl, --system]\n"
        + f"  - [sh, {INSTALL_SCRIPT}]\n"
    )


def node_flags(labels: Mapping[str, str], taints: Sequence[str]) -> dict[str, list[str]]:
    """node-label / node-taint settings, sorted so the user data (and the plan) is stable."""
    flags: dict[str, list[str]] = {}
    if labels:
        flags["node-label"] = [f"{key}={value}" for key, value in sorted(labels.items())]
    if taints:
        flags["node-taint"] = sorted(taints)
    return flags


def _node_files(
    version: str, role: str, settings: Mapping[str, object], print_ca_hash: bool = False
) -> list[str]:
    return [
        _write_file("/etc/sysctl.d/90-kubelet.conf", _sysctl_file(), "0644"),
        _write_file(K3S_CONFIG, _k3s_config(settings)),
        _write_file(
            f"/etc/systemd/system/{'k3s' if role == 'server' else 'k3s-agent'}.service",
            systemd_unit(role),
            "0644",
        ),
        _write_file(INSTALL_SCRIPT, install_script(version, role, print_ca_hash), "0700"),
    ]


def k3s_server_user_data(
    *,
    version: str,
    token: str,
    agent_token: str,
    cluster_init: bool,
    server_url: str | None,
    secrets_encryption: bool = True,
    tls_sans: Sequence[str] = (),
    taints: Sequence[str] = (),
    admin_user: str = ADMIN_USER,
) -> str:
    """User data for a K3s server. The first server (no `server_url`) generates the cluster's CAs itself and prints
    their hash to its console; it takes the short server token (K3s cannot check a CA hash before the CA exists).
    The others join `server_url` with the secure server token (`K10<ca-hash>::server:<secret>`). Every server
    holds the agent token's secret, so agents join with it and never see the server token."""
    validate_k3s_version(version)
    first = not server_url
    if cluster_init and not first:
        raise ValueError("server_url: must be empty for the --cluster-init server")
    if first and token.startswith("K10"):
        raise ValueError("token: the first server takes the short token (its CA does not exist yet)")
    if not first and not token.startswith("K10"):
        raise ValueError("token: a joining server takes the secure token K10<ca-hash>::server:<secret>")
    settings: dict[str, object] = {
        "token": token,
        "agent-token": agent_token,
        "protect-kernel-defaults": True,
        "write-kubeconfig-mode": "0600",
        "cluster-cidr": CLUSTER_CIDR,
        "kube-apiserver-arg": apiserver_args(),
        **node_flags({}, taints),
    }
    if secrets_encryption:
        settings["secrets-encryption"] = True
    if cluster_init:
        settings["cluster-init"] = True
    if server_url:
        settings["server"] = server_url
    if tls_sans:
        settings["tls-san"] = sorted(tls_sans)
    files = [
        *_node_files(version, "server", settings, print_ca_hash=first),
        _write_file(PSA_CONFIG, psa_config()),
        _write_file(AUDIT_POLICY, audit_policy()),
        _write_file(ADMIN_BINDING, admin_binding(admin_user)),
    ]
    return _cloud_config(files)


def k3s_agent_user_data(
    *,
    version: str,
    token: str,
    server_url: str,
    labels: Mapping[str, str],
    taints: Sequence[str],
) -> str:
    """User data for K3s agents of one pool (every agent of the pool gets the same text): the secure agent token
    (`K10<ca-hash>::node:<secret>`), which joins agents only."""
    validate_k3s_version(version)
    if not token.startswith("K10") or "::server:" in token:
        raise ValueError("token: an agent takes the secure agent token K10<ca-hash>::node:<secret>")
    settings = {
        "token": token,
        "server": server_url,
        "protect-kernel-defaults": True,
        **node_flags(labels, taints),
    }
    return _cloud_config(_node_files(version, "agent", settings))


def heat_server_pool_template(*, with_user_data: bool) -> str:
    """A HOT template whose OS::Heat::ResourceGroup `count` parameter is the number of servers.

    One Heat stack per pool keeps the Pulumi resource count independent of the server count. The
    servers boot from a Cinder volume of `root_volume_gb`, join the pool's server group (anti-affinity
    policy chosen by the caller) and attach to one tenant network with the given security groups.
    `user_data` is a hidden parameter so Heat does not echo the K3s join token in its API.

    Changing `count` only adds or removes members: a ResourceGroup creates the missing indexes and, shrinking,
    deletes the highest ones (to take out a particular broken member instead, pass its index in the group's
    `removal_policies`, e.g. `[{resource_list: ['3']}]`; a removed index is never reused). Existing members are
    never replaced by a changed user data: it is read at first boot only (`user_data_update_policy: IGNORE`)."""
    parameters: dict[str, dict[str, object]] = {
        "count": {
            "type": "number",
            "description": "Number of servers in the pool",
            "constraints": [{"range": {"min": 0}}],
        },
        "name_prefix": {"type": "string", "description": "Server names are <name_prefix>-<index>"},
        "flavor": {"type": "string", "description": "Nova flavor"},
        "image": {"type": "string", "description": "Glance image name or id"},
        "key_name": {"type": "string", "description": "Nova keypair"},
        "network": {"type": "string", "description": "Tenant network id"},
        "security_groups": {"type": "comma_delimited_list", "description": "Security group names or ids"},
        "server_group": {"type": "string", "description": "Nova server group id (scheduler hint)"},
        "root_volume_gb": {"type": "number", "description": "Boot volume size in GB"},
    }
    server_properties: dict[str, object] = {
        "name": {"list_join": ["-", [{"get_param": "name_prefix"}, "%index%"]]},
        "flavor": {"get_param": "flavor"},
        "key_name": {"get_param": "key_name"},
        "networks": [{"network": {"get_param": "network"}}],
        "security_groups": {"get_param": "security_groups"},
        "scheduler_hints": {"group": {"get_param": "server_group"}},
        "block_device_mapping_v2": [
            {
                "image": {"get_param": "image"},
                "volume_size": {"get_param": "root_volume_gb"},
                "boot_index": 0,
                "delete_on_termination": True,
            }
        ],
        "metadata": {POOL_METADATA_KEY: {"get_param": "name_prefix"}},
    }
    # No volume_type on the boot volume: Heat's OS::Nova::Server block_device_mapping_v2 has no such key (the
    # boot volume gets the project's default Cinder type; make that the encrypted type).
    if with_user_data:
        parameters["user_data"] = {"type": "string", "hidden": True, "description": "cloud-init user data"}
        server_properties["user_data_format"] = "RAW"
        server_properties["user_data"] = {"get_param": "user_data"}
        server_properties["user_data_update_policy"] = "IGNORE"
    template = {
        "heat_template_version": "2018-08-31",
        "description": "aidc server pool: one ResourceGroup of identical servers",
        "parameters": parameters,
        "resources": {
            "servers": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {
                    "count": {"get_param": "count"},
                    "resource_def": {"type": "OS::Nova::Server", "properties": server_properties},
                },
            }
        },
        "outputs": {
            "server_ids": {"description": "Nova server ids", "value": {"get_attr": ["servers", "refs"]}},
            "fixed_ips": {
                "description": "First fixed address of each server on the pool's network",
                "value": {"get_attr": ["servers", "networks", {"get_param": "network"}, 0]},
            },
        },
    }
    return yaml.safe_dump(template, sort_keys=False, width=120)
