"""cloud-init (upstream/cloud-init: schema-cloud-config-v1.json) and K3s (upstream/k3s: the flags of `k3s server`
and `k3s agent`): every user data document the program hands a server — instances' user data and the Heat
pools' user_data parameters, unmasked — is cloud-config the schema accepts, and its K3s install uses only
flags and config.yaml keys K3s defines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conformance_checks import HEAT_STACK, INSTANCE, cloud_config_problems, k3s_problems, of_type

from aidc.offline import OfflinePlan
from components.cloud_init import k3s_agent_user_data, k3s_server_user_data

VERSION = "v1.36.5+k3s1"
HASH = "a" * 64


def user_data_documents(plan: OfflinePlan) -> Iterator[tuple[str, str]]:
    for instance in of_type(plan.resources, INSTANCE):
        if instance["plain_inputs"].get("userData"):
            yield instance["urn"], instance["plain_inputs"]["userData"]
    for stack in of_type(plan.resources, HEAT_STACK):
        parameters = stack["plain_inputs"].get("parameters") or {}
        if parameters.get("user_data"):
            yield stack["urn"], parameters["user_data"]


def test_every_user_data_is_cloud_config_the_schema_accepts(plan: OfflinePlan) -> None:
    documents = list(user_data_documents(plan))
    assert len(documents) >= 2, "no user data checked"
    problems: list[str] = []
    for where, text in documents:
        problems += cloud_config_problems(text, where)
    assert problems == []


def test_every_k3s_install_uses_flags_k3s_has(plan: OfflinePlan) -> None:
    problems: list[str] = []
    for where, text in user_data_documents(plan):
        problems += k3s_problems(text, where)
    assert problems == []


def _server() -> str:
    return k3s_server_user_data(
        version=VERSION, token="t" * 48, agent_token="n" * 48, cluster_init=True, server_url=None
    )


def _agent() -> str:
    return k3s_agent_user_data(
        version=VERSION,
        token=f"K10{HASH}::node:{'n' * 48}",
        server_url="https://192.0.2.10:6443",
        labels={"a": "b"},
        taints=(),
    )


def test_rendered_server_and_agent_user_data_pass() -> None:
    for text in (_server(), _agent()):
        assert cloud_config_problems(text, "good") == []
        assert k3s_problems(text, "good") == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("#cloud-config\n", "#cloud-confi\n"),
        ("write_files:", "write_file:"),
        ("    permissions: '0600'", "    permissions: 600"),
        ("runcmd:\n", "runcmd: sysctl --system\nbootcmd:\n"),
    ],
    ids=["no-header", "unknown-module-key", "permissions-not-a-string", "runcmd-not-a-list"],
)
def test_cloud_init_refuses_broken_user_data(old: str, new: str) -> None:
    text = _server()
    assert old in text
    assert cloud_config_problems(text.replace(old, new, 1), "broken")


@pytest.mark.parametrize(
    ("old", "new", "role"),
    [
        ('\\"secrets-encryption\\"', '\\"secret-encryption\\"', "server"),
        ('\\"protect-kernel-defaults\\": true', '\\"protect-kernel-defaults\\": \\"yes\\"', "server"),
        ('\\"token\\"', '\\"join-token\\"', "server"),
        ('\\"server\\": ', '\\"cluster-init\\": true, \\"server\\": ', "agent"),
        ("ExecStart=/usr/local/bin/k3s agent", "ExecStart=/usr/local/bin/k3s", "agent"),
        ("%2Bk3s1/k3s", "%2Bk3s1/../latest/k3s", "agent"),
        ("exit 1", "true", "server"),
        ("- [sh, /usr/local/lib/aidc/install-k3s.sh]", "- [curl, https://get.k3s.io]", "server"),
    ],
    ids=[
        "unknown-config-key-flag",
        "switch-with-value",
        "unknown-config-key",
        "server-flag-on-agent",
        "no-role",
        "unpinned-download",
        "no-checksum",
        "no-install",
    ],
)
def test_k3s_refuses_broken_flags(old: str, new: str, role: str) -> None:
    text = _server() if role == "server" else _agent()
    assert old in text, text
    assert k3s_problems(text.replace(old, new, 1), "broken")
