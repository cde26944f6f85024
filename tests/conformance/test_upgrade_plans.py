"""system-upgrade-controller (upstream/system-upgrade-controller: the Plan types of the pinned release): every
upgrade Plan the program declares has only fields the Plan CRD keeps, and the controller's manifests are
pinned release assets."""

from __future__ import annotations

import re

import pytest
from conformance_checks import of_type, suc_plan_problems

from aidc.offline import OfflinePlan
from components.k3s_upgrades import K3sUpgradesArgs, plan_specs

PLAN = "kubernetes:upgrade.cattle.io/v1:Plan"
CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile"
PINNED_RELEASE = re.compile(
    r"^https://github\.com/rancher/system-upgrade-controller/releases/download/v\d+\.\d+\.\d+/"
)


def test_every_plan_has_only_fields_the_crd_keeps(plan: OfflinePlan) -> None:
    plans = of_type(plan.resources, PLAN)
    assert len(plans) >= 2, "no upgrade Plan checked"
    problems: list[str] = []
    for resource in plans:
        problems += suc_plan_problems(resource["plain_inputs"]["spec"], resource["urn"])
    assert problems == []


def test_the_controller_comes_from_a_pinned_release(plan: OfflinePlan) -> None:
    files = [r["plain_inputs"]["file"] for r in of_type(plan.resources, CONFIG_FILE)]
    assert files
    assert all(PINNED_RELEASE.match(f) for f in files), files


def test_rendered_plans_pass() -> None:
    for spec in plan_specs(K3sUpgradesArgs(version="v1.31.4+k3s1")).values():
        assert suc_plan_problems(spec, "good") == []


@pytest.mark.parametrize(
    "change",
    [
        {"versions": "v1.31.5+k3s1"},
        {"upgrade": {"image": "rancher/k3s-upgrade", "environment": []}},
        {"drain": {"force": True, "deleteLocalDatas": True}},
        {"version": None, "upgrade": None},
    ],
    ids=["unknown-field", "unknown-container-field", "unknown-drain-field", "no-version-no-upgrade"],
)
def test_a_broken_plan_is_refused(change: dict[str, object]) -> None:
    spec = {**plan_specs(K3sUpgradesArgs(version="v1.31.4+k3s1"))["agent-plan"], **change}
    spec = {k: v for k, v in spec.items() if v is not None}
    assert suc_plan_problems(spec, "broken")
