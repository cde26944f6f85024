"""Versions rule: EKS, Helm charts and K3s releases inside their support windows (aidc/versions.py), each with
violating and compliant resources, judged on $AIDC_TODAY (tests/conftest.py sets the day the table was checked)."""

from __future__ import annotations

import datetime

import pytest
from policy_helpers import check_resource

from aidc import versions as table
from policies import ALL_POLICIES, MANDATORY, versions

RULE = versions.versions_in_support
SUC_PLAN = {"upgrade": {"image": "rancher/k3s-upgrade"}, "concurrency": 1}


def _plan(version: str, image: str = "rancher/k3s-upgrade") -> dict:
    return {"spec": {**SUC_PLAN, "upgrade": {"image": image}, "version": version}}


COMPLIANT = [
    (versions.EKS_CLUSTER, {"version": table.EKS_DEFAULT}),
    (versions.EKS_CLUSTER, {"version": "1.35"}),
    (versions.HELM_RELEASE, {"chart": "rook-ceph", "version": table.CHARTS["rook"].version}),
    (
        versions.HELM_RELEASE,
        {"chart": "rook-ceph", "version": "v1.19.4"},
    ),  # 1.19 is still one of the two newest
    (versions.HELM_RELEASE, {"chart": "gpu-operator", "version": "v26.3.1"}),
    (versions.HELM_RELEASE, {"chart": "oci://registry.k8s.io/kueue/charts/kueue", "version": "0.19.2"}),
    (versions.HELM_RELEASE, {"chart": "prometheus", "version": "1.0.0"}),  # no stated window: never refused
    (versions.HELM_RELEASE, {"chart": "some-other-chart", "version": "0.0.1"}),  # not in the table
    (versions.UPGRADE_PLAN, _plan(table.K3S_DEFAULT)),
    (versions.UPGRADE_PLAN, _plan("v1.31.4+k3s1", image="example/other-upgrade")),  # not a K3s upgrade
    (versions.EKS_CLUSTER, {}),  # no version set: nothing to judge
]


@pytest.mark.parametrize(("resource_type", "props"), COMPLIANT)
def test_versions_inside_their_windows_pass(resource_type, props):
    assert check_resource(RULE, resource_type, props) == []


REFUSED = [
    # (type, props, what the message names: the version, the end date, the source)
    (
        versions.EKS_CLUSTER,
        {"version": "1.31"},
        ("'1.31'", "2025-11-26", table.EKS_CALENDAR, "aidc:aws.eks_version"),
    ),
    (versions.EKS_CLUSTER, {"version": "1.29"}, ("'1.29'", "not in aidc's table", table.EKS_CALENDAR)),
    (
        versions.HELM_RELEASE,
        {"chart": "rook-ceph", "version": "v1.18.3"},
        (
            "'v1.18.3'",
            "2026-06-02",
            "Rook 1.20 shipped",
            table.ROOK_LINES.source,
            "aidc:ceph.rook_chart_version",
        ),
    ),
    (
        versions.HELM_RELEASE,
        {"chart": "gpu-operator", "version": "v25.3.0"},
        ("'v25.3.0'", "2026-03-19", table.GPU_OPERATOR_LINES.source),
    ),
    (
        versions.HELM_RELEASE,
        {"chart": "oci://registry.k8s.io/kueue/charts/kueue", "version": "0.12.0"},
        ("'0.12.0'", "at the latest on 2026-07-22", table.KUEUE_LINES.source),
    ),
    (
        versions.UPGRADE_PLAN,
        _plan("v1.31.4+k3s1"),
        (
            "spec.version 'v1.31.4+k3s1'",
            "K3s 1.31 is not a maintained minor",
            table.K8S_RELEASES,
            "aidc:k3s.version",
        ),
    ),
    (versions.UPGRADE_PLAN, _plan("v1.34.2+k3s1"), ("'v1.34.2+k3s1'", "2026-10-28", table.K8S_RELEASES)),
]


@pytest.mark.parametrize(("resource_type", "props", "says"), REFUSED)
def test_versions_past_their_windows_are_refused(resource_type, props, says):
    [message] = check_resource(RULE, resource_type, props, name="the-resource")
    assert "the-resource" in message and "judged on 2026-12-07" in message
    for part in says:
        assert part in message, (part, message)


def test_todays_pins_are_refused_once_their_windows_end(monkeypatch):
    """The pins the stacks deploy today, judged after the day their windows end: EKS and K3s by their dated ends;
    release-line charts are not refused while the table knows no line that retired them."""
    eks, k3s = table.EKS_VERSIONS[table.EKS_DEFAULT], table.k3s_pin(table.K3S_DEFAULT)
    assert eks.support_end is not None and k3s is not None and k3s.support_end is not None
    monkeypatch.setenv(table.TODAY_ENV, eks.support_end.isoformat())
    [message] = check_resource(RULE, versions.EKS_CLUSTER, {"version": table.EKS_DEFAULT})
    assert f"left support on {eks.support_end}" in message and table.EKS_CALENDAR in message
    monkeypatch.setenv(table.TODAY_ENV, k3s.support_end.isoformat())
    [message] = check_resource(RULE, versions.UPGRADE_PLAN, _plan(table.K3S_DEFAULT))
    assert f"left support on {k3s.support_end}" in message and table.K8S_RELEASES in message
    monkeypatch.setenv(table.TODAY_ENV, "2099-01-01")
    rook = table.CHARTS["rook"]
    assert check_resource(RULE, versions.HELM_RELEASE, {"chart": "rook-ceph", "version": rook.version}) == []
    # The day before the EKS window ends, it still passes.
    monkeypatch.setenv(table.TODAY_ENV, (eks.support_end - datetime.timedelta(days=1)).isoformat())
    assert check_resource(RULE, versions.EKS_CLUSTER, {"version": table.EKS_DEFAULT}) == []


def test_a_malformed_day_is_reported_not_raised(monkeypatch):
    monkeypatch.setenv(table.TODAY_ENV, "2026-13-99")
    [message] = check_resource(RULE, versions.EKS_CLUSTER, {"version": table.EKS_DEFAULT})
    assert table.TODAY_ENV in message and "2026-13-99" in message


def test_the_versions_rule_is_mandatory_and_registered():
    assert RULE.name in MANDATORY
    assert RULE in ALL_POLICIES


@pytest.mark.parametrize(
    ("chart", "key"),
    [
        ("rook-ceph", "rook"),
        ("oci://public.ecr.aws/karpenter/karpenter-crd", "karpenter"),
        ("aws-efa-k8s-device-plugin", "efa-device-plugin"),
        ("kueue/", "kueue"),
        ("rook", None),
        ("", None),
    ],
)
def test_chart_names_map_to_the_table(chart, key):
    assert table.chart_key(chart) == key
