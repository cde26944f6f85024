"""Versions as data (aidc/versions.py): every pin has a source; no pinned window ends within WARN_DAYS of today
(injectable: $AIDC_TODAY); config refuses a version past its window naming the date and the source; the components'
defaults and the vendored upstream files are the table's."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from aidc import versions
from aidc.config import ConfigError, parse_stack_config
from components.aws_gpu_cluster.args import PINNED_ADDON_VERSIONS, AwsGpuClusterArgs
from components.gpu_metrics import DCGM_EXPORTER_VERSION, PROMETHEUS_VERSION
from components.k3s_cluster import DEFAULT_VERSION
from components.k3s_upgrades import SUC_VERSION
from components.nvidia_gpu_operator import GPU_OPERATOR_VERSION
from components.workload_queues import KUEUE_VERSION

UPSTREAM = pathlib.Path(__file__).parents[1] / "conformance" / "upstream"


def closing(today: datetime.date) -> list[str]:
    """Pins whose window closes within WARN_DAYS of `today` (or has closed)."""
    return [
        f"{pin.name} {pin.version}: support ends {pin.support_end} ({pin.source})"
        for pin in versions.pinned()
        if (left := pin.days_left(today)) is not None and left <= versions.WARN_DAYS
    ]


def test_no_pinned_window_ends_within_90_days() -> None:
    assert closing(versions.today()) == []


def test_the_90_day_check_fails_for_a_window_about_to_close() -> None:
    eks_end = versions.EKS_VERSIONS[versions.EKS_DEFAULT].support_end
    assert eks_end is not None
    assert closing(eks_end - datetime.timedelta(days=versions.WARN_DAYS))
    assert not closing(eks_end - datetime.timedelta(days=versions.WARN_DAYS + 1)) or any(
        "K3s" in line for line in closing(eks_end - datetime.timedelta(days=versions.WARN_DAYS + 1))
    )


def test_every_pin_has_a_source_and_a_window_or_a_policy() -> None:
    for pin in versions.pinned():
        assert pin.source.startswith("https://"), pin
        assert pin.support_end is not None or pin.policy, f"{pin.name}: no end and no support policy"
        assert pin.support_end is None or pin.support_start < pin.support_end, pin


def test_today_is_injectable_and_refuses_a_bad_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(versions.TODAY_ENV, "2027-04-01")
    assert versions.today() == datetime.date(2027, 4, 1)
    monkeypatch.setenv(versions.TODAY_ENV, "2027-04-01\n")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        versions.today()


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("aidc:aws", {"eks_version": "1.31"}, "EKS 1.31 left support on 2025-11-26"),
        ("aidc:aws", {"eks_version": "1.34"}, "EKS 1.34 left support on 2026-12-02"),
        ("aidc:k3s", {"version": "v1.31.4+k3s1"}, "K3s 1.31 is not a maintained minor"),
    ],
)
def test_config_refuses_a_version_past_its_window_naming_date_and_source(
    key: str, value: object, says: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_stack_config({key: value}, stack="dev")
    assert says in str(refused.value)
    assert "https://" in str(refused.value)


def test_a_window_that_closed_later_is_refused_on_that_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(versions.TODAY_ENV, "2027-03-27")
    with pytest.raises(ConfigError, match=r"EKS 1\.35 left support on 2027-03-27"):
        parse_stack_config({}, stack="dev")
    monkeypatch.setenv(versions.TODAY_ENV, "2027-03-26")
    assert parse_stack_config({}, stack="dev").aws.eks_version == "1.35"


def test_component_defaults_are_the_tables() -> None:
    chart = versions.chart_version
    assert DEFAULT_VERSION == versions.K3S_DEFAULT
    assert AwsGpuClusterArgs.model_fields["eks_version"].default == versions.EKS_DEFAULT
    assert PINNED_ADDON_VERSIONS == versions.EKS_ADDON_VERSIONS
    fields = AwsGpuClusterArgs.model_fields
    assert fields["karpenter_version"].default == chart("karpenter")
    assert fields["nvidia_device_plugin_version"].default == chart("nvidia-device-plugin")
    assert fields["efa_device_plugin_version"].default == chart("efa-device-plugin")
    assert (
        chart("gpu-operator"),
        chart("kueue"),
        chart("prometheus"),
    ) == (GPU_OPERATOR_VERSION, KUEUE_VERSION, PROMETHEUS_VERSION)
    assert (
        chart("dcgm-exporter"),
        chart("system-upgrade-controller"),
    ) == (DCGM_EXPORTER_VERSION, SUC_VERSION)


def test_vendored_upstream_files_are_at_the_pinned_versions() -> None:
    readme = (UPSTREAM / "README.md").read_text()
    for key in ("karpenter", "kueue", "gpu-operator", "prometheus", "rook", "system-upgrade-controller"):
        assert versions.chart_version(key) in readme, f"{key} {versions.chart_version(key)} not vendored"
    addons = json.loads((UPSTREAM / "eks" / "addon-versions.json").read_text())["versions"]
    assert addons[versions.EKS_DEFAULT] == versions.EKS_ADDON_VERSIONS[versions.EKS_DEFAULT]
    assert versions.K3S_DEFAULT in readme
