"""K3s and Kubernetes rules: a violating and a compliant resource for each."""

from __future__ import annotations

import base64

import pytest
from policy_helpers import check_resource, check_stack, stack_resource

from policies import k3s


def _server(cluster: str, index: int, **metadata):
    return stack_resource(
        k3s.OS_INSTANCE,
        f"{cluster}-server-{index}",
        {
            "metadata": {"aidc_role": "server", "aidc_cluster": cluster, **metadata},
            "userData": "[secret]",
        },
    )


@pytest.mark.parametrize(("servers", "refused"), [(1, False), (2, True), (3, False), (4, True)])
def test_server_count(servers, refused):
    resources = [_server("core", i) for i in range(servers)]
    resources.append(stack_resource(k3s.OS_INSTANCE, "other", {"metadata": {"aidc_role": "agent"}}))
    found = check_stack(k3s.k3s_server_count, resources)
    assert bool(found) is refused, found


def test_server_counts_are_per_cluster():
    resources = [_server("core", i) for i in range(3)] + [
        _server("edge-a", 0),
        _server("edge-b", 0),
        _server("edge-b", 1),
    ]
    found = check_stack(k3s.k3s_server_count, resources)
    assert len(found) == 1
    assert "edge-b" in found[0][0]


CLOUD_INIT = (
    "#cloud-config\nruncmd:\n- INSTALL_K3S_EXEC='server --protect-kernel-defaults {flag}' sh install.sh\n"
)


@pytest.mark.parametrize(
    ("user_data", "metadata", "refused"),
    [
        (CLOUD_INIT.format(flag="--secrets-encryption"), {}, False),
        (CLOUD_INIT.format(flag=""), {}, True),
        (base64.b64encode(CLOUD_INIT.format(flag="").encode()).decode(), {}, True),
        ("[secret]", {"aidc_secrets_encryption": "false"}, True),
        ("[secret]", {"aidc_secrets_encryption": "true"}, False),
        ("[secret]", {}, False),  # nothing visible: not judged
    ],
)
def test_secrets_encryption(user_data, metadata, refused):
    props = {
        "metadata": {"aidc_role": "server", "aidc_cluster": "core", **metadata},
        "userData": user_data,
    }
    found = check_resource(k3s.k3s_secrets_encryption, k3s.OS_INSTANCE, props)
    assert bool(found) is refused, found


def test_agents_are_not_judged_for_secrets_encryption():
    props = {"metadata": {"aidc_role": "agent"}, "userData": CLOUD_INIT.format(flag="")}
    assert check_resource(k3s.k3s_secrets_encryption, k3s.OS_INSTANCE, props) == []


def _deployment(pod_spec, namespace="default"):
    return {"metadata": {"name": "d", "namespace": namespace}, "spec": {"template": {"spec": pod_spec}}}


SAFE_POD = {"containers": [{"name": "app", "image": "ghcr.io/example/app:1.2.3"}]}


@pytest.mark.parametrize(
    "pod_spec",
    [
        {**SAFE_POD, "hostNetwork": True},
        {"containers": [{"name": "app", "image": "x:1", "securityContext": {"privileged": True}}]},
        {
            **SAFE_POD,
            "initContainers": [{"name": "init", "image": "x:1", "securityContext": {"privileged": True}}],
        },
        {**SAFE_POD, "hostPID": True},
    ],
)
def test_privileged_or_host_network_workloads_are_refused(pod_spec):
    assert check_resource(
        k3s.k8s_no_privileged_workloads, "kubernetes:apps/v1:Deployment", _deployment(pod_spec)
    )


def test_safe_workload_passes_and_exempt_namespace_is_skipped():
    assert (
        check_resource(
            k3s.k8s_no_privileged_workloads, "kubernetes:apps/v1:Deployment", _deployment(SAFE_POD)
        )
        == []
    )
    privileged = _deployment({**SAFE_POD, "hostNetwork": True}, namespace="rook-ceph")
    assert (
        check_resource(
            k3s.k8s_no_privileged_workloads,
            "kubernetes:apps/v1:Deployment",
            privileged,
            config={"exempt-namespaces": ["rook-ceph"]},
        )
        == []
    )


def test_helm_values_enabling_privileged_mode_are_refused():
    release = {
        "chart": "c",
        "version": "1.0.0",
        "namespace": "kube-system",
        "values": {"daemonset": {"securityContext": {"privileged": True}}},
    }
    found = check_resource(k3s.k8s_no_privileged_workloads, k3s.HELM_RELEASE, release)
    assert found
    assert "values.daemonset.securityContext.privileged" in found[0]
    release["values"] = {"nodeSelector": {"nvidia.com/gpu.present": "true"}}
    assert check_resource(k3s.k8s_no_privileged_workloads, k3s.HELM_RELEASE, release) == []


@pytest.mark.parametrize(
    ("resource_type", "props", "refused"),
    [
        (k3s.HELM_RELEASE, {"chart": "nvidia-device-plugin", "version": "0.17.1", "values": {}}, False),
        (k3s.HELM_RELEASE, {"chart": "nvidia-device-plugin", "values": {}}, True),
        (k3s.HELM_RELEASE, {"chart": "c", "version": "1", "values": {"image": {"tag": "latest"}}}, True),
        (k3s.CEPH_CLUSTER, {"spec": {"cephVersion": {"image": "quay.io/ceph/ceph:v19.2.1"}}}, False),
        (k3s.CEPH_CLUSTER, {"spec": {"cephVersion": {"image": "quay.io/ceph/ceph"}}}, True),
        ("kubernetes:apps/v1:Deployment", _deployment(SAFE_POD), False),
        (
            "kubernetes:apps/v1:Deployment",
            _deployment({"containers": [{"name": "a", "image": "nginx:latest"}]}),
            True,
        ),
        (
            "kubernetes:core/v1:Pod",
            {"spec": {"containers": [{"name": "a", "image": "registry:5000/app"}]}},
            True,
        ),
        (
            "kubernetes:core/v1:Pod",
            {"spec": {"containers": [{"name": "a", "image": "app@sha256:" + "a" * 64}]}},
            False,
        ),
    ],
)
def test_images_pinned(resource_type, props, refused):
    found = check_resource(k3s.k8s_images_pinned, resource_type, props)
    assert bool(found) is refused, found


# --- issue 24: secrets on nodes, dedicated servers, Pod Security ----------------------------------------------
from components.cloud_init import k3s_agent_user_data, k3s_server_user_data  # noqa: E402

HASH = "b" * 64
SERVER_SECRET, AGENT_SECRET = "s" * 48, "n" * 48


def _server_text(**overrides: object) -> str:
    settings: dict[str, object] = {
        "version": "v1.36.5+k3s1",
        "token": SERVER_SECRET,
        "agent_token": AGENT_SECRET,
        "cluster_init": True,
        "server_url": None,
    }
    settings.update(overrides)
    return k3s_server_user_data(**settings)  # type: ignore[arg-type]


def _agent_text(token: str = f"K10{HASH}::node:{AGENT_SECRET}") -> str:
    return k3s_agent_user_data(
        version="v1.36.5+k3s1", token=token, server_url="https://192.0.2.1:6443", labels={}, taints=()
    )


def _server_props(text: str, cluster: str = "core", taints: str = "") -> dict[str, object]:
    return {
        "metadata": {"aidc_role": "server", "aidc_cluster": cluster, "aidc_node_taints": taints},
        "userData": text,
    }


def _agent_props(text: str, cluster: str = "core", gpu: bool = False) -> dict[str, object]:
    tags = ["aidc", f"cluster={cluster}", "pool=p", "servers=2", *(["accelerator=h100-80gb"] if gpu else [])]
    return {"parameters": {"user_data": text, "count": "2"}, "tags": tags}


@pytest.mark.parametrize(
    ("role", "text", "says"),
    [
        ("server", _server_text(), None),
        ("agent", _agent_text(), None),
        ("server", "[secret]", None),  # not visible offline: not judged
        (
            "server",
            _server_text().replace("#cloud-config\n", "#cloud-config\n# -----BEGIN EC PRIVATE KEY-----\n"),
            "CA private key",
        ),
        ("agent", _agent_text().replace(f"K10{HASH}::node:", f"K10{HASH}::server:"), "secure agent token"),
        ("agent", _agent_text().replace("-t raw -I PREROUTING", "-t raw -I OUTPUT"), "169.254.169.254"),
        ("server", _server_text().replace("sha256sum", "md5sum"), "sha256"),
        (
            "server",
            _server_text().replace("admission-control-config-file=", "enable-admission-plugins="),
            "admission",
        ),
        (
            "server",
            _server_text().replace("audit-policy-file=", "audit-webhook-config-file="),
            "audit-policy",
        ),
    ],
)
def test_node_secrets(role: str, text: str, says: str | None) -> None:
    if role == "server":
        found = check_resource(k3s.k3s_node_secrets, k3s.OS_INSTANCE, _server_props(text))
    else:
        found = check_resource(k3s.k3s_node_secrets, k3s.HEAT_STACK, _agent_props(text))
    assert (found == []) is (says is None), found
    if says:
        assert says in found[0]


def test_no_server_token_on_agents() -> None:
    server = stack_resource(k3s.OS_INSTANCE, "core-server-0", _server_props(_server_text()))
    good = stack_resource(k3s.HEAT_STACK, "core-agents-a", _agent_props(_agent_text()))
    leaked = _agent_text().replace(AGENT_SECRET, SERVER_SECRET)
    bad = stack_resource(k3s.HEAT_STACK, "core-agents-b", _agent_props(leaked))
    other = stack_resource(k3s.HEAT_STACK, "edge-agents", _agent_props(leaked, cluster="edge-a"))
    assert check_stack(k3s.k3s_no_server_token_on_agents, [server, good, other]) == []
    found = check_stack(k3s.k3s_no_server_token_on_agents, [server, good, bad])
    assert len(found) == 1 and "core-agents-b" in found[0][0]


@pytest.mark.parametrize(
    ("taints", "gpu_only", "refused"),
    [("CriticalAddonsOnly=true:NoExecute", False, False), ("", False, True), ("", True, False)],
)
def test_dedicated_servers(taints: str, gpu_only: bool, refused: bool) -> None:
    server = stack_resource(k3s.OS_INSTANCE, "core-server-0", _server_props("[secret]", taints=taints))
    pool = stack_resource(k3s.HEAT_STACK, "core-agents", _agent_props("[secret]", gpu=gpu_only))
    assert bool(check_stack(k3s.k3s_dedicated_servers, [server, pool])) is refused


@pytest.mark.parametrize(
    ("name", "kind", "level", "refused"),
    [
        ("chat", "inference", "restricted", False),
        ("train", "training", "baseline", False),
        ("chat", "inference", "baseline", True),
        ("train", "training", "privileged", True),
        ("chat", "inference", None, True),
        ("rook-ceph", "inference", "restricted", True),
    ],
)
def test_workload_namespaces_enforce_pod_security(
    name: str, kind: str, level: str | None, refused: bool
) -> None:
    labels = {"aidc.io/workload": name, "aidc.io/kind": kind}
    if level:
        labels["pod-security.kubernetes.io/enforce"] = level
    found = check_resource(
        k3s.k8s_workload_pod_security, k3s.NAMESPACE, {"metadata": {"name": name, "labels": labels}}
    )
    assert bool(found) is refused, found
    system = {"metadata": {"name": "kube-system", "labels": {}}}
    assert check_resource(k3s.k8s_workload_pod_security, k3s.NAMESPACE, system) == []
