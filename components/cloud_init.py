"""Rendering of instance boot data: cloud-init user data for K3s servers and agents, and the Heat (HOT)
template that declares a pool of identical servers as one OS::Heat::ResourceGroup.

Pure functions over plain strings: the K3sCluster component calls them inside `Output.all(...).apply`
once the join token and server address are known, so the result stays a Pulumi secret there. Nothing
here imports Pulumi or reads config. Edit the flags here, not in the component.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence

import yaml

# Sysctls the kubelet refuses to start without when --protect-kernel-defaults is on (K3s CIS hardening guide).
PROTECT_KERNEL_DEFAULTS_SYSCTLS: Mapping[str, str] = {
    "vm.panic_on_oom": "0",
    "vm.overcommit_memory": "1",
    "kernel.panic": "10",
    "kernel.panic_on_oops": "1",
}

K3S_INSTALL_URL = "https://get.k3s.io"
# Nova server metadata key naming a Heat pool's servers (Nova allows ^[a-zA-Z0-9-_:. ]{1,255}$: no '/').
POOL_METADATA_KEY = "aidc_pool"
K3S_TLS_DIR = "/var/lib/rancher/k3s/server/tls"
# A pinned K3s release tag (INSTALL_K3S_VERSION), never 'latest' or a channel.
K3S_VERSION_PATTERN = r"^v\d+\.\d+\.\d+\+k3s\d+$"
_K3S_VERSION = re.compile(K3S_VERSION_PATTERN)


def validate_k3s_version(version: str) -> str:
    """Return `version` if it is a pinned K3s release tag (e.g. v1.31.4+k3s1), else raise ValueError."""
    if not _K3S_VERSION.match(version):
        raise ValueError(f"version: must be a pinned K3s release like 'v1.31.4+k3s1', got {version!r}")
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
    """/etc/rancher/k3s/config.yaml: keeps the token off the command line (and out of `ps`)."""
    return json.dumps(dict(settings), indent=2, sort_keys=True) + "\n"


def _sysctl_file() -> str:
    return "".join(f"{key}={value}\n" for key, value in PROTECT_KERNEL_DEFAULTS_SYSCTLS.items())


def _install_command(version: str, exec_args: Sequence[str]) -> str:
    exec_line = " ".join(exec_args)
    return (
        f"curl -sfL {K3S_INSTALL_URL} | INSTALL_K3S_VERSION={shlex.quote(version)} "
        f"INSTALL_K3S_EXEC={shlex.quote(exec_line)} sh -s -"
    )


def _cloud_config(files: Sequence[str], install: str) -> str:
    return (
        "#cloud-config\n"
        "write_files:\n"
        + "".join(files)
        + "runcmd:\n"
        + "  - [sysctl, --system]\n"
        + f"  - {_yaml_str(install)}\n"
    )


def node_flags(labels: Mapping[str, str], taints: Sequence[str]) -> list[str]:
    """--node-label / --node-taint flags, sorted so the user data (and the plan) is stable."""
    flags = [f"--node-label={key}={value}" for key, value in sorted(labels.items())]
    flags += [f"--node-taint={taint}" for taint in sorted(taints)]
    return flags


def k3s_server_user_data(
    *,
    version: str,
    token: str,
    cluster_init: bool,
    server_url: str | None,
    secrets_encryption: bool = True,
    tls_sans: Sequence[str] = (),
    ca_files: Mapping[str, str] | None = None,
) -> str:
    """User data for a K3s server: the first of three runs `--cluster-init` (embedded etcd), the others
    join `server_url`; a single server uses the default datastore. `ca_files` (relative path under the
    K3s TLS dir → PEM) pre-seeds CAs the caller controls, so the kubeconfig can be built ahead of time."""
    validate_k3s_version(version)
    if cluster_init and server_url:
        raise ValueError("server_url: must be empty for the --cluster-init server")
    exec_args = ["server", "--protect-kernel-defaults", "--write-kubeconfig-mode=0600"]
    if secrets_encryption:
        exec_args.append("--secrets-encryption")
    if cluster_init:
        exec_args.append("--cluster-init")
    settings: dict[str, object] = {"token": token}
    if server_url:
        settings["server"] = server_url
    if tls_sans:
        settings["tls-san"] = sorted(tls_sans)
    files = [
        _write_file("/etc/sysctl.d/90-kubelet.conf", _sysctl_file(), "0644"),
        _write_file("/etc/rancher/k3s/config.yaml", _k3s_config(settings)),
    ]
    for relative_path, pem in sorted((ca_files or {}).items()):
        files.append(_write_file(f"{K3S_TLS_DIR}/{relative_path}", pem))
    return _cloud_config(files, _install_command(version, exec_args))


def k3s_agent_user_data(
    *,
    version: str,
    token: str,
    server_url: str,
    labels: Mapping[str, str],
    taints: Sequence[str],
) -> str:
    """User data for K3s agents of one pool (every agent of the pool gets the same text)."""
    validate_k3s_version(version)
    exec_args = ["agent", "--protect-kernel-defaults", *node_flags(labels, taints)]
    files = [
        _write_file("/etc/sysctl.d/90-kubelet.conf", _sysctl_file(), "0644"),
        _write_file("/etc/rancher/k3s/config.yaml", _k3s_config({"token": token, "server": server_url})),
    ]
    return _cloud_config(files, _install_command(version, exec_args))


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
