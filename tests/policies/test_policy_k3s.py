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
