"""Helm (upstream/rook, upstream/nvidia: each chart's values.yaml at the pinned version): every value a Helm
release sets is a key the chart's values.yaml documents, with the same shape; Helm itself ignores unknown keys
without a word."""

from __future__ import annotations

import pytest
from conformance_checks import HELM_RELEASE, helm_release_problems, of_type

from aidc.offline import OfflinePlan


def test_every_helm_release_sets_only_values_its_chart_has(plan: OfflinePlan) -> None:
    releases = of_type(plan.resources, HELM_RELEASE)
    assert releases, "no Helm release checked"
    problems: list[str] = []
    for release in releases:
        problems += helm_release_problems(release["plain_inputs"], release["urn"])
    assert problems == []


NVIDIA = {
    "chart": "nvidia-device-plugin",
    "version": "0.17.1",
    "repositoryOpts": {"repo": "https://nvidia.github.io/k8s-device-plugin"},
    "values": {
        "nodeSelector": {"nvidia.com/gpu.present": "true"},
        "priorityClassName": "system-node-critical",
    },
}


def test_well_formed_values_pass() -> None:
    assert helm_release_problems(NVIDIA, "good") == []


@pytest.mark.parametrize(
    "change",
    [
        {"values": {"nodeSelectors": {"a": "b"}}},
        {"values": {"nodeSelector": "gpu=true"}},
        {"values": {"image": {"repository": "nvcr.io/nvidia/k8s-device-plugin", "tags": "v0.17.1"}}},
        {"values": {"priorityClassName": {"name": "system-node-critical"}}},
        {"version": "0.17.9"},
    ],
    ids=["unknown-key", "scalar-for-map", "unknown-nested-key", "map-for-scalar", "unvendored-version"],
)
def test_a_broken_release_is_refused(change: dict[str, object]) -> None:
    assert helm_release_problems({**NVIDIA, **change}, "broken")
