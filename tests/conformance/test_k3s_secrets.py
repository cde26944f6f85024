"""The K3s secrets on nodes (issue 24), on the UNMASKED program output of every shipped stack: user data is what
Nova and Heat receive (and what a pod reaching 169.254.169.254 would read), so it is checked with secrets unwrapped.

- no agent's user data holds its cluster's server token (agents join with the agent token only);
- no user data holds a CA private key (the first server generates the CAs);
- servers other than the first and every agent pin the cluster CA (secure tokens, one hash per cluster);
- every node drops its pods' traffic to the metadata service at every boot.
Each check is proven by a broken document it rejects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import yaml
from conformance_checks import HEAT_STACK, INSTANCE, of_type

from aidc.offline import OfflinePlan

PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
GUARD = "-t raw -I PREROUTING -s 10.42.0.0/16 -d 169.254.169.254/32 -j DROP"


def _config(user_data: str) -> dict[str, object]:
    files = {f["path"]: f["content"] for f in yaml.safe_load(user_data)["write_files"]}
    return json.loads(files["/etc/rancher/k3s/config.yaml"])


def nodes(plan: OfflinePlan) -> Iterator[tuple[str, str, str, str]]:
    """(urn, cluster, role, user data) of every K3s node: server instances and agent pools (Heat stacks)."""
    for instance in of_type(plan.resources, INSTANCE):
        inputs = instance["plain_inputs"]
        if inputs.get("userData") and (inputs.get("metadata") or {}).get("aidc_role") == "server":
            yield instance["urn"], inputs["metadata"]["aidc_cluster"], "server", inputs["userData"]
    for stack in of_type(plan.resources, HEAT_STACK):
        user_data = (stack["plain_inputs"].get("parameters") or {}).get("user_data")
        if user_data:
            tags = dict(t.split("=", 1) for t in stack["plain_inputs"].get("tags") or [] if "=" in t)
            yield stack["urn"], tags["cluster"], "agent", user_data


def secret_problems(documents: list[tuple[str, str, str, str]]) -> list[str]:
    """What breaks the rules above, one line per fault."""
    problems: list[str] = []
    server_secrets: dict[str, set[str]] = {}
    hashes: dict[str, set[str]] = {}
    for urn, cluster, role, text in documents:
        if PEM_KEY.search(text) or re.search(r"/tls/[a-z-]*ca\.key", text):
            problems.append(f"{urn}: user data holds a CA private key")
        if GUARD not in text:
            problems.append(f"{urn}: no metadata guard ({GUARD})")
        token = str(_config(text)["token"])
        if role == "server":
            server_secrets.setdefault(cluster, set()).add(token.split("::server:")[-1])
        match = re.fullmatch(r"K10([0-9a-f]{64})::(server|node):.+", token)
        if match:
            hashes.setdefault(cluster, set()).add(match.group(1))
        elif role == "agent" or (role == "server" and "server" in _config(text)):
            problems.append(f"{urn}: a joining {role} without a secure token (K10<ca-hash>::...)")
        if role == "agent" and match and match.group(2) != "node":
            problems.append(f"{urn}: an agent joins with the server token")
    for urn, cluster, role, text in documents:
        if role == "agent" and any(secret in text for secret in server_secrets.get(cluster, ())):
            problems.append(f"{urn}: an agent's user data holds the server token of {cluster}")
    problems += [
        f"cluster {c}: joining nodes pin {len(h)} CA hashes" for c, h in hashes.items() if len(h) != 1
    ]
    return problems


def test_no_agent_holds_the_server_token_and_no_user_data_a_ca_key(plan: OfflinePlan) -> None:
    documents = list(nodes(plan))
    assert {role for *_, role, _ in documents} == {"server", "agent"}, "no K3s node checked"
    assert secret_problems(documents) == []


def _good(plan: OfflinePlan) -> list[tuple[str, str, str, str]]:
    return list(nodes(plan))


@pytest.mark.parametrize(
    "breakage",
    ["server-token-to-agent", "ca-key", "no-guard", "short-agent-token", "other-hash"],
)
def test_the_check_rejects_broken_user_data(breakage: str) -> None:
    from stack_runs import offline_plan

    documents = _good(offline_plan("dev"))
    server = next(d for d in documents if d[2] == "server" and "server" not in _config(d[3]))
    agent_index = next(i for i, d in enumerate(documents) if d[2] == "agent" and d[1] == server[1])
    urn, cluster, role, text = documents[agent_index]
    token = str(_config(text)["token"])
    secret = str(_config(server[3])["token"])
    if breakage == "server-token-to-agent":
        text = text.replace(token.split("::node:")[1], secret)
    elif breakage == "ca-key":
        text = text.replace("#cloud-config\n", "#cloud-config\n# -----BEGIN EC PRIVATE KEY-----\n")
    elif breakage == "no-guard":
        text = text.replace(GUARD, "-t raw -I PREROUTING -j ACCEPT")
    elif breakage == "short-agent-token":
        text = text.replace(token, token.split("::node:")[1])
    else:
        text = text.replace(token[3:67], "0" * 64)
    documents[agent_index] = (urn, cluster, role, text)
    assert secret_problems(documents)
