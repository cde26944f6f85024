"""Versions as data (aidc/versions.py): every pin has a source and a window that is stated (a date, or the release
of a later line) or explicitly absent; no pinned window ends within WARN_DAYS of the day the table was checked;
config refuses a version past its window naming the date and the source; `aidc size` and `aidc plan` warn, dated,
about what a stack deploys past or near the end of its window; the components' defaults and the vendored upstream
files are the table's."""

from __future__ import annotations

import datetime
import json
import os
import pathlib

import pytest
import yaml

from aidc import versions
from aidc.cli import main
from aidc.config import ConfigError, parse_stack_config
from aidc.config.load import stack_file
from components.aws_gpu_cluster.args import PINNED_ADDON_VERSIONS, AwsGpuClusterArgs
from components.ceph_storage.args import CephStorageArgs
from components.gpu_metrics import DCGM_EXPORTER_VERSION, PROMETHEUS_VERSION
from components.k3s_cluster import DEFAULT_VERSION
from components.k3s_upgrades import SUC_VERSION
from components.nvidia_gpu_operator import GPU_OPERATOR_VERSION
from components.workload_queues import KUEUE_VERSION

TESTS = pathlib.Path(__file__).parents[1]
UPSTREAM = TESTS / "conformance" / "upstream"


def judged_on() -> datetime.date:
    """The day the 90-day check judges on, never the machine's clock: $AIDC_TODAY, which tests/conftest.py sets to
    the day the table was checked (AS_OF) — so a CI run on a later day gets the same answer — unless the environment
    names another day (`AIDC_TODAY=$(date -u +%F) pytest tests/versions` asks about today). `aidc size` and `aidc
    plan` judge on the real day and warn (test_size_warns_dated_about_a_window_closing_soon)."""
    return versions.today() if os.environ.get(versions.TODAY_ENV) else versions.AS_OF


def closing(today: datetime.date) -> list[str]:
    """Pins whose window closes within WARN_DAYS of `today` (or has closed)."""
    return [
        f"{pin.name} {pin.version}: support ends {pin.support_end} ({pin.source})"
        for pin in versions.pinned()
        if (left := pin.days_left(today)) is not None and left <= versions.WARN_DAYS
    ]


def test_the_suite_judges_on_the_day_the_table_was_checked() -> None:
    conftest = (TESTS / "conftest.py").read_text(encoding="utf-8")
    assert f'os.environ.setdefault("AIDC_TODAY", "{versions.AS_OF.isoformat()}")' in conftest


def test_no_pinned_window_ends_within_90_days() -> None:
    day = judged_on()
    assert closing(day) == [], f"judged on {day}: move these pins (aidc/versions.py)"


def test_the_90_day_check_fails_for_a_window_about_to_close() -> None:
    eks_end = versions.EKS_VERSIONS[versions.EKS_DEFAULT].support_end
    assert eks_end is not None
    assert any(
        line.startswith(f"EKS {versions.EKS_DEFAULT}:")
        for line in closing(eks_end - datetime.timedelta(days=versions.WARN_DAYS))
    )
    assert not any(
        line.startswith(f"EKS {versions.EKS_DEFAULT}:")
        for line in closing(eks_end - datetime.timedelta(days=versions.WARN_DAYS + 1))
    )


def test_every_pin_has_a_source_and_a_stated_or_explicitly_absent_window() -> None:
    for pin in versions.pinned():
        assert pin.source.startswith("https://"), pin
        assert pin.window in versions.WINDOWS, pin
        assert pin.support_end is not None or pin.policy, f"{pin.name}: no end and no support policy"
        assert pin.support_end is None or pin.support_start < pin.support_end, pin
    kinds = {key: pin.window for key, pin in versions.CHARTS.items()}
    assert kinds == {
        "karpenter": versions.NONE_STATED,
        "nvidia-device-plugin": versions.NONE_STATED,
        "efa-device-plugin": versions.NONE_STATED,
        "gpu-operator": versions.RELEASE_LINES,
        "kueue": versions.RELEASE_LINES,
        "prometheus": versions.NONE_STATED,
        "dcgm-exporter": versions.NONE_STATED,
        "rook": versions.RELEASE_LINES,
        "system-upgrade-controller": versions.NONE_STATED,
    }
    for key in ("system-upgrade-controller", "nvidia-device-plugin"):
        assert versions.CHARTS[key].window_text().startswith("no stated window: ")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"support_end": None}, "a dated window needs its support_end"),
        ({"window": versions.NONE_STATED, "support_end": datetime.date(2027, 1, 1)}, "no stated window, yet"),
        (
            {"window": versions.RELEASE_LINES, "support_end": None, "policy": ""},
            "say what the upstream states",
        ),
        ({"window": "unknown"}, "window must be one of"),
        ({"support_end": datetime.date(2026, 1, 1)}, "support ends before it starts"),
    ],
)
def test_a_pin_without_a_stated_or_explicit_window_is_refused(fields: dict[str, object], says: str) -> None:
    base: dict[str, object] = {
        "name": "x",
        "version": "1",
        "support_start": datetime.date(2026, 6, 1),
        "support_end": datetime.date(2027, 6, 1),
        "source": "https://example.org",
        "policy": "",
    }
    with pytest.raises(ValueError, match=says):
        versions.Pin(**{**base, **fields})  # type: ignore[arg-type]


def test_release_lines_end_when_the_line_after_next_ships() -> None:
    lines = versions.GPU_OPERATOR_LINES
    assert lines.ended_by("25.3") == "26.3" and lines.ended_by("25.10") == "26.7"
    assert lines.ended_by("26.3") is None and lines.ended_by("26.7") is None
    old = lines.pin("NVIDIA GPU Operator chart", "v25.10.1", datetime.date(2025, 12, 3), "https://r")
    assert old.support_end == datetime.date(2026, 8, 20)
    assert old.refusal(datetime.date(2026, 12, 7)) == (
        f"NVIDIA GPU Operator chart v25.10.1 left support on 2026-08-20 ({lines.source}; https://r)"
    )
    assert "25.10 left support when NVIDIA GPU Operator 26.7 shipped" in old.policy
    assert versions.CHARTS["gpu-operator"].support_end is None
    assert versions.ROOK_LINES.ended_by("1.16") == "1.18" and versions.ROOK_LINES.ended_by("1.19") is None
    with pytest.raises(ValueError, match=r"line 27\.1 is not in the table"):
        lines.pin("x", "v27.1.0", datetime.date(2027, 1, 1), "https://r")


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
        ("aidc:ceph", {"rook_chart_version": "v1.16.4"}, "Rook chart v1.16.4 left support on 2025-08-20"),
        ("aidc:ceph", {"rook_chart_version": "v1.22.0"}, "Rook 1.22 is not a release line in aidc's table"),
    ],
)
def test_config_refuses_a_version_past_its_window_naming_date_and_source(
    key: str, value: object, says: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_stack_config({key: value}, stack="dev")
    assert says in str(refused.value)
    assert "https://" in str(refused.value)


def test_config_takes_a_release_of_a_maintained_line() -> None:
    assert parse_stack_config(
        {"aidc:ceph": {"rook_chart_version": "v1.19.10"}}, stack="dev"
    ).ceph.rook_chart_version == ("v1.19.10")


def test_a_window_that_closed_later_is_refused_on_that_day(monkeypatch: pytest.MonkeyPatch) -> None:
    # The default EKS minor (1.35: standard support to 2027-03-27), with a K3s whose window outlasts it.
    later_k3s = {"aidc:k3s": {"version": "v1.37.1+k3s1"}}
    monkeypatch.setenv(versions.TODAY_ENV, "2027-03-27")
    with pytest.raises(ConfigError, match=r"EKS 1\.35 left support on 2027-03-27"):
        parse_stack_config(later_k3s, stack="dev")
    monkeypatch.setenv(versions.TODAY_ENV, "2027-03-26")
    assert parse_stack_config(later_k3s, stack="dev").aws.eks_version == "1.35"
    # 1.36 is in the table and may be chosen; its window closes later.
    chosen = {**later_k3s, "aidc:aws": {"eks_version": "1.36"}}
    monkeypatch.setenv(versions.TODAY_ENV, "2027-08-02")
    with pytest.raises(ConfigError, match=r"EKS 1\.36 left support on 2027-08-02"):
        parse_stack_config(chosen, stack="dev")
    monkeypatch.setenv(versions.TODAY_ENV, "2027-08-01")
    assert parse_stack_config(chosen, stack="dev").aws.eks_version == "1.36"


def _dev_on_eks(minor: str, directory: pathlib.Path) -> pathlib.Path:
    """dev's stack file with `aidc:aws.eks_version` set to `minor` (a stack may choose any minor of the table)."""
    stack = yaml.safe_load(stack_file("dev").read_text(encoding="utf-8"))
    stack["config"]["aidc:aws"] = {**stack["config"].get("aidc:aws", {}), "eks_version": minor}
    path = directory / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(stack), encoding="utf-8")
    return path


def test_a_default_past_its_window_is_a_refusal_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: pathlib.Path
) -> None:
    """The defaults are judged when a stack is read (the day may be any), never when aidc is imported."""
    monkeypatch.setenv(versions.TODAY_ENV, "2027-04-01")
    assert main(["size", "--stack", "dev"]) == 2
    assert "aidc:aws.eks_version: EKS 1.35 left support on 2027-03-27" in capsys.readouterr().err
    # On EKS 1.36 (to 2027-08-02), the default K3s (Kubernetes 1.36, to 2027-06-28) is the one refused.
    monkeypatch.setenv(versions.TODAY_ENV, "2027-07-01")
    assert main(["size", "--config", str(_dev_on_eks("1.36", tmp_path))]) == 2
    assert "aidc:k3s.version: K3s 1.36 left support on 2027-06-28 (https://kubernetes.io/releases/)" in (
        capsys.readouterr().err
    )


def test_size_warns_dated_about_a_window_closing_soon(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: pathlib.Path
) -> None:
    assert main(["size", "--stack", "dev"]) == 0
    assert "support ends" not in capsys.readouterr().err
    # The default EKS minor (1.35) warns from 90 days before 2027-03-27; K3s is further off.
    monkeypatch.setenv(versions.TODAY_ENV, "2027-01-10")
    assert main(["size", "--stack", "dev", "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any(w.startswith("EKS 1.35: support ends on 2027-03-27, in 76 days") for w in warnings), warnings
    assert not any(w.startswith("K3s") for w in warnings)
    # dev on EKS 1.36 (in the table, chosen by the stack) in May 2027: both windows close within 90 days.
    chosen = _dev_on_eks("1.36", tmp_path)
    monkeypatch.setenv(versions.TODAY_ENV, "2027-05-10")
    assert main(["size", "--config", str(chosen), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert (
        "K3s v1.36.5+k3s1: support ends on 2027-06-28, in 49 days (today 2027-05-10; "
        f"{versions.K3S_RELEASES}); move the pin before then"
    ) in warnings
    assert any(w.startswith("EKS 1.36: support ends on 2027-08-02, in 84 days") for w in warnings)
    assert not any(w.startswith("EKS add-on") for w in warnings)  # they ride on EKS's window: one line
    assert main(["size", "--config", str(chosen)]) == 0
    assert "warning: K3s v1.36.5+k3s1: support ends on 2027-06-28" in capsys.readouterr().err


def test_size_and_plan_warn_about_a_pin_past_its_window(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """A pinned chart nobody configures (the GPU Operator) outside its window is not a silent pass: both commands
    say so, with the date and the source, and the plan is refused by the pack's mandatory versions-in-support rule
    (on the Helm releases that deploy it)."""
    stale = versions.GPU_OPERATOR_LINES.pin(
        "NVIDIA GPU Operator chart",
        "v25.10.1",
        datetime.date(2025, 12, 3),
        "https://github.com/NVIDIA/gpu-operator",
    )
    monkeypatch.setitem(versions.CHARTS, "gpu-operator", stale)
    says = "NVIDIA GPU Operator chart v25.10.1 left support on 2026-08-20"
    assert main(["size", "--stack", "dev"]) == 0
    assert f"warning: {says}" in capsys.readouterr().err
    assert main(["plan", "--stack", "dev", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert any(w.startswith(says) and "today 2026-12-07" in w for w in document["warnings"])
    refused = [v for v in document["policy"]["violations"] if v["policy"] == "versions-in-support"]
    assert refused and all("gpu-operator" in v["urn"] and says in v["message"] for v in refused), refused
    assert all(v["enforcement"] == "mandatory" for v in refused)


def test_a_private_only_stack_is_not_warned_about_eks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(versions.TODAY_ENV, "2027-05-10")
    pins = versions.deployed((), "1.36", None, versions.K3S_DEFAULT, versions.chart_version("rook"))
    assert [p.name for p in pins if p.name.startswith("EKS") or p.name.startswith("Karpenter")] == []
    assert any(w.startswith("K3s") for w in versions.window_warnings(pins, versions.today()))


def test_component_defaults_are_the_tables() -> None:
    chart = versions.chart_version
    assert DEFAULT_VERSION == versions.K3S_DEFAULT
    assert AwsGpuClusterArgs.model_fields["eks_version"].default == versions.EKS_DEFAULT
    assert PINNED_ADDON_VERSIONS == versions.EKS_ADDON_VERSIONS
    fields = AwsGpuClusterArgs.model_fields
    assert fields["karpenter_version"].default == chart("karpenter")
    assert fields["nvidia_device_plugin_version"].default == chart("nvidia-device-plugin")
    assert fields["efa_device_plugin_version"].default == chart("efa-device-plugin")
    assert CephStorageArgs.model_fields["rook_chart_version"].default == chart("rook")
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
    gpu_values = (UPSTREAM / "nvidia" / "gpu-operator-values.yaml").read_text()
    toolkit = json.loads((UPSTREAM / "nvidia" / "container-toolkit-env.json").read_text())["tag"]
    plugin = json.loads((UPSTREAM / "nvidia" / "device-plugin-env.json").read_text())["tag"]
    assert f"  version: {toolkit}\n" in gpu_values and f"  version: {plugin}\n" in gpu_values
    pools = json.loads((UPSTREAM / "rook" / "pool-behaviour.json").read_text())
    assert pools["tag"] == versions.chart_version("rook")
