"""Every version aidc pins — EKS, its managed add-ons, K3s, every chart and manifest release — in one table, each with
its support window and the source that states it. Stdlib only: config, the program, the policy pack (which runs in
its own virtualenv), tests and scripts read it.

What may be touched: move a pin (and re-vendor its upstream files, tests/conformance/upstream/README.md), add an
entry, record a newer release line. Never pin a version whose window has ended: `aidc/config` refuses an EKS, K3s or
Rook version past its window, naming the date and the source; `aidc size` and `aidc plan` warn (dated) about any pin
the stack deploys that is past its window or within WARN_DAYS of its end; `tests/versions/test_versions.py` fails
when a pinned window ends within WARN_DAYS of the day the table was checked (AS_OF, the day the test suite runs on:
tests/conftest.py), so a pin is moved while it is still supported.

Windows, one of three kinds (`Pin.window`), never an unexplained blank:
- dated: the upstream states an end date. EKS: standard support, from the EKS release to its end (14 months), per the
  EKS Kubernetes release calendar; extended support is billed extra and refused here. EKS managed add-ons: the
  versions EKS lists for the pinned Kubernetes version, on that version's window. K3s: K3s maintains the same minors
  as upstream Kubernetes (docs.k3s.io/release-notes, "K3s release cycle"); a minor's window is upstream's, from its
  release to its end of life (kubernetes.io/releases). The pinned tag is a patch of that minor.
- release lines: the upstream maintains its newest N release lines (GPU Operator: the newest major and, for critical
  fixes, the one before; Rook: the two newest minors; Kueue: the two newest minors). A line's window ends the day
  the N-th line after it ships; until then `support_end` is None and `ReleaseLines.checked` says how recent the list
  of lines is.
- none stated: the upstream publishes no window (Karpenter, the device plugins, the DCGM exporter, the prometheus
  chart, system-upgrade-controller). `policy` says what it does state; the pin carries its release and source so a
  reviewer can judge.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aidc.contract import EksAddon

AS_OF = datetime.date(2026, 12, 7)
"""When the windows below were last checked against their sources (and the day the test suite judges them on)."""
WARN_DAYS = 90
"""A pinned window that ends within this many days is warned about, and fails tests/versions (move the pin)."""
TODAY_ENV = "AIDC_TODAY"
"""Set to YYYY-MM-DD to judge windows on another day than today (tests, and planning ahead)."""

DATED = "dated"
RELEASE_LINES = "release lines"
NONE_STATED = "none stated"
WINDOWS = (DATED, RELEASE_LINES, NONE_STATED)
"""The kinds of support window (module docstring)."""


def today() -> datetime.date:
    """The day support windows (and every other date rule: aidc.config.limits.utc_today) are judged on: $AIDC_TODAY
    when set (a full-match ISO date), else today (UTC)."""
    value = os.environ.get(TODAY_ENV)
    if not value:
        return datetime.datetime.now(datetime.UTC).date()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII) is None:
        raise ValueError(f"{TODAY_ENV}: {value[:40]!r} is not a date YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{TODAY_ENV}: {value!r} is not a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class Pin:
    """One pinned release and the window in which its upstream supports it."""

    name: str
    version: str
    support_start: datetime.date
    support_end: datetime.date | None
    source: str
    policy: str = ""
    window: str = DATED

    def __post_init__(self) -> None:
        # A window is stated or explicitly absent, never silently None.
        if self.window not in WINDOWS:
            raise ValueError(f"{self.name}: window must be one of {WINDOWS}, got {self.window!r}")
        if self.window == DATED and self.support_end is None:
            raise ValueError(f"{self.name} {self.version}: a dated window needs its support_end")
        if self.window == NONE_STATED and self.support_end is not None:
            raise ValueError(f"{self.name} {self.version}: no stated window, yet a support_end")
        if self.window != DATED and not self.policy:
            raise ValueError(f"{self.name} {self.version}: say what the upstream states instead of a window")
        if self.support_end is not None and self.support_end <= self.support_start:
            raise ValueError(f"{self.name} {self.version}: support ends before it starts")

    def days_left(self, today: datetime.date) -> int | None:
        """Days until the window closes (negative once closed); None while no end is known."""
        return None if self.support_end is None else (self.support_end - today).days

    def refusal(self, today: datetime.date) -> str | None:
        """Why this pin may not be deployed on `today` (outside its window), or None."""
        if today < self.support_start:
            return f"{self.name} {self.version} is not released until {self.support_start} ({self.source})"
        if self.support_end is not None and today >= self.support_end:
            return f"{self.name} {self.version} left support on {self.support_end} ({self.source})"
        return None

    def window_text(self) -> str:
        """The window in words: its end, or what the upstream states instead."""
        if self.window == NONE_STATED:
            return f"no stated window: {self.policy}"
        if self.support_end is not None:
            return (
                f"supported until {self.support_end} ({self.policy})"
                if self.policy
                else f"supported until {self.support_end}"
            )
        return f"no end yet: {self.policy}"

    def warning(self, today: datetime.date) -> str | None:
        """A dated warning when this pin is past its window or within WARN_DAYS of its end on `today`, else None."""
        if why := self.refusal(today):
            return (
                f"{why}: aidc still pins it, so what it deploys is unsupported (today {today}); move the pin"
            )
        left = self.days_left(today)
        if left is not None and left <= WARN_DAYS:
            return (
                f"{self.name} {self.version}: support ends on {self.support_end}, in {left} days (today {today}; "
                f"{self.source}); move the pin before then"
            )
        return None


def _line_key(line: str) -> tuple[int, ...]:
    return tuple(int(part) for part in line.split("."))


@dataclass(frozen=True)
class ReleaseLines:
    """A project that maintains its newest `maintained` release lines: a line leaves support the day the
    `maintained`-th line after it ships (its first release)."""

    project: str
    first_releases: dict[str, datetime.date]
    """Each release line ('26.7', '1.20') and the day its first release shipped (the project's tags)."""
    maintained: int
    source: str
    policy: str
    checked: datetime.date
    """The day the list of lines was read (a line that shipped later is not in it)."""

    def line_of(self, version: str) -> str:
        """'v26.7.0' -> '26.7': the line a version belongs to."""
        return ".".join(version.lstrip("v").split(".")[:2])

    def ended_by(self, line: str) -> str | None:
        """The line whose release ended `line`'s support (the `maintained`-th later line), None while none has."""
        later = sorted(
            (other for other in self.first_releases if _line_key(other) > _line_key(line)), key=_line_key
        )
        return later[self.maintained - 1] if len(later) >= self.maintained else None

    def pin(self, name: str, version: str, released: datetime.date, release_source: str) -> Pin:
        """The pin of one release of a known line, with its line's window; its source names the life-cycle
        statement and the release."""
        line = self.line_of(version)
        if line not in self.first_releases:
            raise ValueError(f"{self.project} {version}: line {line} is not in the table of release lines")
        ended_by = self.ended_by(line)
        if ended_by is None:
            end, policy = None, f"{self.policy}; no line had replaced {line} by {self.checked}"
        else:
            end = self.first_releases[ended_by]
            policy = f"{self.policy}; {line} left support when {self.project} {ended_by} shipped"
        return Pin(name, version, released, end, f"{self.source}; {release_source}", policy, RELEASE_LINES)


EKS_CALENDAR = (
    "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar"
)
# Standard support of the EKS minors a stack may still choose (EKS release → end of standard support, UTC). 1.31-1.34
# from the EKS user guide's calendar (awsdocs/amazon-eks-user-guide, latest/ug/versioning/kubernetes-versions.adoc);
# 1.34-1.35 as the calendar states them, corroborated by https://endoflife.date/amazon-eks. 1.36: EKS released it on
# 2026-06-02 with standard support to 2027-08-02 (14 months), the endOfStandardSupportDate `aws eks
# describe-cluster-versions` returns (recorded in a public deployment's compatibility matrix, 2026-09) and the date
# the EKS 1.36 release coverage states; the user guide's "Kubernetes 1.36 is now available in Amazon EKS"
# (kubernetes-versions-standard.html). Checked AS_OF.
EKS_VERSIONS: dict[str, Pin] = {
    minor: Pin("EKS", minor, start, end, EKS_CALENDAR, "standard support: 14 months from the EKS release")
    for minor, start, end in (
        ("1.31", datetime.date(2024, 9, 26), datetime.date(2025, 11, 26)),
        ("1.32", datetime.date(2025, 1, 23), datetime.date(2026, 3, 23)),
        ("1.33", datetime.date(2025, 5, 29), datetime.date(2026, 7, 29)),
        ("1.34", datetime.date(2025, 10, 2), datetime.date(2026, 12, 2)),
        ("1.35", datetime.date(2026, 1, 27), datetime.date(2027, 3, 27)),
        ("1.36", datetime.date(2026, 6, 2), datetime.date(2027, 8, 2)),
    )
}
# The default stays 1.35 (in standard support to 2027-03-27) until tests/versions trips 90 days before that: checkov
# 3.3.30 (CKV_AWS_339, the scan in scripts/scan) does not know 1.36 yet, and a new default is an in-place
# control-plane upgrade of every AWS stack. A stack may choose 1.36 with aidc:aws.eks_version.
EKS_DEFAULT = "1.35"

# The EKS managed add-on versions for each EKS minor aidc can pin: the versions an EKS cluster of that minor runs,
# vendored in tests/conformance/upstream/eks/addon-versions.json with their source. 1.35: eks-pod-identity-agent
# v1.3.10-eksbuild.3, vpc-cni v1.21.1-eksbuild.3, kube-proxy v1.35.0-eksbuild.2, coredns v1.13.2-eksbuild.1. 1.36:
# the set a 1.36 cluster created through the EKS API resolved to on 2026-09-16 (vpc-cni v1.22.4-eksbuild.3, kube-proxy
# v1.36.0-eksbuild.21, coredns v1.14.3-eksbuild.16, eks-pod-identity-agent v1.3.10-eksbuild.3); two other records of
# 1.36 clusters agree on vpc-cni and on the kube-proxy v1.36.0 and coredns v1.14.3 lines. Confirm with `aws eks
# describe-addon-versions --kubernetes-version 1.36 --addon-name <name>` before moving them.
EKS_ADDONS_SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html"
EKS_ADDON_VERSIONS: dict[str, dict[EksAddon, str]] = {
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "coredns": "v1.13.2-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
    },
    "1.36": {
        "vpc-cni": "v1.22.4-eksbuild.3",
        "coredns": "v1.14.3-eksbuild.16",
        "kube-proxy": "v1.36.0-eksbuild.21",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
    },
}

K3S_RELEASES = "https://docs.k3s.io/release-notes/v1.36.X"
K8S_RELEASES = "https://kubernetes.io/releases/"
# Upstream Kubernetes minors (release → end of life), which K3s maintains on the same calendar.
K3S_MINORS: dict[str, Pin] = {
    minor: Pin("K3s", minor, start, end, K8S_RELEASES, "K3s maintains the minors upstream maintains")
    for minor, start, end in (
        ("1.34", datetime.date(2025, 8, 27), datetime.date(2026, 10, 28)),
        ("1.35", datetime.date(2025, 12, 17), datetime.date(2027, 2, 28)),
        ("1.36", datetime.date(2026, 4, 22), datetime.date(2027, 6, 28)),
        ("1.37", datetime.date(2026, 8, 26), datetime.date(2027, 10, 28)),
    )
}
K3S_DEFAULT = "v1.36.5+k3s1"

# Release lines, from each project's tags (the first release of each line; the repositories as fetched, newest
# commit 2026-08-20/22) and the life-cycle statement each publishes.
GPU_OPERATOR_LINES = ReleaseLines(
    "NVIDIA GPU Operator",
    {
        "25.3": datetime.date(2025, 3, 26),
        "25.10": datetime.date(2025, 10, 22),
        "26.3": datetime.date(2026, 3, 19),
        "26.7": datetime.date(2026, 8, 20),
    },
    maintained=2,
    source="https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/platform-support.html",
    policy="NVIDIA supports the newest major and, with critical fixes only, the one before; older majors are end of "
    "support (GPU Operator life cycle, NVIDIA/cloud-native-docs gpu-operator/life-cycle-policy.rst, 2026-08-21)",
    checked=datetime.date(2026, 8, 21),
)
ROOK_LINES = ReleaseLines(
    "Rook",
    {
        "1.16": datetime.date(2024, 12, 17),
        "1.17": datetime.date(2025, 4, 16),
        "1.18": datetime.date(2025, 8, 20),
        "1.19": datetime.date(2026, 1, 20),
        "1.20": datetime.date(2026, 6, 2),
    },
    maintained=2,
    source="https://rook.io/docs/rook/latest/Getting-Started/release-cycle/",
    policy="Rook maintains its two most recent minor releases (Documentation/Getting-Started/release-cycle.md)",
    checked=datetime.date(2026, 8, 21),
)
KUEUE_LINES = ReleaseLines(
    "Kueue",
    {"0.18": datetime.date(2026, 5, 29), "0.19": datetime.date(2026, 7, 22)},
    maintained=2,
    source="https://github.com/kubernetes-sigs/kueue/blob/main/RELEASE.md#patch-releases",
    policy="Kueue maintains its two most recent minors while it works on the next (RELEASE.md, 'Patch releases')",
    checked=datetime.date(2026, 8, 22),
)


def _no_window(name: str, version: str, released: datetime.date, source: str, states: str) -> Pin:
    return Pin(name, version, released, None, source, states, NONE_STATED)


CHARTS: dict[str, Pin] = {
    "karpenter": _no_window(
        "Karpenter chart",
        "1.14.1",
        datetime.date(2026, 8, 20),
        "https://github.com/aws/karpenter-provider-aws/releases/tag/v1.14.1",
        "Karpenter publishes no end-of-life dates (its compatibility page promises an EOL policy, without dates); "
        "1.14 supports Kubernetes 1.30-1.36 (karpenter.sh/docs/upgrading/compatibility)",
    ),
    "nvidia-device-plugin": _no_window(
        "NVIDIA device plugin chart",
        "0.17.1",
        datetime.date(2025, 3, 12),
        "https://github.com/NVIDIA/k8s-device-plugin/releases/tag/v0.17.1",
        "NVIDIA publishes no life cycle for the device plugin (releases only)",
    ),
    "efa-device-plugin": _no_window(
        "EFA device plugin chart",
        "v0.5.30",
        datetime.date(2026, 7, 21),
        "https://github.com/aws/eks-charts/tree/master/stable/aws-efa-k8s-device-plugin",
        "eks-charts publishes no life cycle",
    ),
    "gpu-operator": GPU_OPERATOR_LINES.pin(
        "NVIDIA GPU Operator chart",
        "v26.7.0",
        datetime.date(2026, 8, 20),
        "https://github.com/NVIDIA/gpu-operator/releases/tag/v26.7.0",
    ),
    "kueue": KUEUE_LINES.pin(
        "Kueue chart",
        "0.19.2",
        datetime.date(2026, 8, 20),
        "https://github.com/kubernetes-sigs/kueue/releases/tag/v0.19.2",
    ),
    "prometheus": _no_window(
        "prometheus chart",
        "29.27.0",
        datetime.date(2026, 8, 18),
        "https://github.com/prometheus-community/helm-charts/releases/tag/prometheus-29.27.0",
        "prometheus-community publishes no life cycle for its charts",
    ),
    "dcgm-exporter": _no_window(
        "DCGM exporter chart",
        "4.7.0",
        datetime.date(2025, 11, 18),
        "https://github.com/NVIDIA/dcgm-exporter/releases",
        "NVIDIA publishes no life cycle for the DCGM exporter",
    ),
    "rook": ROOK_LINES.pin(
        "Rook chart",
        "v1.20.6",
        datetime.date(2026, 8, 20),
        "https://github.com/rook/rook/releases/tag/v1.20.6",
    ),
    "system-upgrade-controller": _no_window(
        "system-upgrade-controller",
        "v0.14.2",
        datetime.date(2024, 10, 15),
        "https://github.com/rancher/system-upgrade-controller/releases/tag/v0.14.2",
        "Rancher publishes no life cycle for it; the K3s automated-upgrade docs use its latest release",
    ),
}
AWS_CHARTS = ("karpenter", "nvidia-device-plugin", "efa-device-plugin")
"""The charts only an EKS cluster deploys; the rest run on the K3s clusters."""


def chart_version(key: str) -> str:
    """The pinned version of one chart or manifest release (a key of CHARTS)."""
    return CHARTS[key].version


def k3s_minor(version: str) -> str:
    """'v1.36.5+k3s1' -> '1.36' (the caller validated the tag's shape)."""
    return ".".join(version.lstrip("v").split("+", 1)[0].split(".")[:2])


def eks_refusal(minor: str, today: datetime.date) -> str | None:
    """Why EKS `minor` may not be used on `today`, naming the date and the source; None when it may."""
    pin = EKS_VERSIONS.get(minor)
    if pin is None:
        return (
            f"EKS {minor} is not in aidc's table (known: {', '.join(sorted(EKS_VERSIONS))}; {EKS_CALENDAR})"
        )
    return pin.refusal(today)


def k3s_refusal(version: str, today: datetime.date) -> str | None:
    """Why K3s `version` may not be used on `today` (its minor is out of upstream support); None when it may."""
    minor = k3s_minor(version)
    pin = K3S_MINORS.get(minor)
    if pin is None:
        return f"K3s {minor} is not a maintained minor in aidc's table (known: {', '.join(sorted(K3S_MINORS))}; {K8S_RELEASES})"
    return pin.refusal(today)


def rook_refusal(version: str, today: datetime.date) -> str | None:
    """Why Rook chart `version` may not be used on `today` (its line is out of support, or not in the table)."""
    pin = rook_pin(version)
    if pin is None:
        known = ", ".join(sorted(ROOK_LINES.first_releases, key=_line_key))
        return f"Rook {ROOK_LINES.line_of(version)} is not a release line in aidc's table (known: {known}; {ROOK_LINES.source})"
    return pin.refusal(today)


def eks_pins(minor: str, addon_versions: dict[str, str] | None = None) -> list[Pin]:
    """The EKS control plane of `minor` and its managed add-ons (the pinned versions, or `addon_versions`), the
    add-ons on the control plane's window. An unknown minor gives none (config refuses it first)."""
    eks = EKS_VERSIONS.get(minor)
    if eks is None:
        return []
    versions: dict[str, str] = {name: v for name, v in EKS_ADDON_VERSIONS.get(minor, {}).items()}
    versions.update(addon_versions or {})
    return [
        eks,
        *(
            Pin(
                f"EKS add-on {name}",
                version,
                eks.support_start,
                eks.support_end,
                EKS_ADDONS_SOURCE,
                eks.policy,
            )
            for name, version in versions.items()
        ),
    ]


def k3s_pin(version: str) -> Pin | None:
    """A K3s release on its minor's window (None for a minor the table does not know: config refuses it)."""
    window = K3S_MINORS.get(k3s_minor(version))
    if window is None:
        return None
    return Pin("K3s", version, window.support_start, window.support_end, K3S_RELEASES, window.policy)


def rook_pin(version: str) -> Pin | None:
    """A Rook chart release on its line's window: the pinned one, or another of a line the table knows (from the
    line's first release); None for a line the table does not know."""
    if version == CHARTS["rook"].version:
        return CHARTS["rook"]
    line = ROOK_LINES.line_of(version)
    if line not in ROOK_LINES.first_releases:
        return None
    released = ROOK_LINES.first_releases[line]
    return ROOK_LINES.pin(
        "Rook chart", version, released, f"https://github.com/rook/rook/releases/tag/{version}"
    )


def pinned() -> list[Pin]:
    """Every default pin: EKS, its add-ons (on EKS's window), K3s (on its minor's window), the charts."""
    k3s = k3s_pin(K3S_DEFAULT)
    assert k3s is not None, "K3S_DEFAULT's minor is in K3S_MINORS"  # tests/versions holds it
    return [*eks_pins(EKS_DEFAULT), k3s, *CHARTS.values()]


def deployed(
    clouds: Iterable[str],
    eks_minor: str | None,
    addon_versions: dict[str, str] | None,
    k3s_version: str,
    rook_version: str,
) -> list[Pin]:
    """The pins a stack deploys: its K3s clusters' release and charts always (the private core runs K3s), and the
    EKS control plane, its add-ons and the EKS charts when the stack uses AWS."""
    aws = "aws" in set(clouds)
    pins: list[Pin | None] = [k3s_pin(k3s_version), rook_pin(rook_version)]
    pins += [pin for key, pin in CHARTS.items() if key != "rook" and (aws or key not in AWS_CHARTS)]
    if aws and eks_minor is not None:
        pins += eks_pins(eks_minor, addon_versions)[:1]  # its add-ons ride on the control plane's window
    return [pin for pin in pins if pin is not None]


def window_warnings(pins: Sequence[Pin], today: datetime.date) -> list[str]:
    """One dated line for each pin past its window or within WARN_DAYS of its end on `today` (Pin.warning)."""
    return [warning for pin in pins if (warning := pin.warning(today))]


# --- What a planned resource names, judged against the table (the policy pack's rule `versions-in-support`) -----
HELM_CHARTS: dict[str, str] = {
    "karpenter": "karpenter",
    "karpenter-crd": "karpenter",
    "nvidia-device-plugin": "nvidia-device-plugin",
    "aws-efa-k8s-device-plugin": "efa-device-plugin",
    "gpu-operator": "gpu-operator",
    "kueue": "kueue",
    "prometheus": "prometheus",
    "dcgm-exporter": "dcgm-exporter",
    "rook-ceph": "rook",
}
"""The Helm chart names the components install (the last segment of an oci:// reference) and their CHARTS key."""
CHART_LINES: dict[str, ReleaseLines] = {
    "gpu-operator": GPU_OPERATOR_LINES,
    "kueue": KUEUE_LINES,
    "rook": ROOK_LINES,
}
"""The charts whose upstream maintains its newest release lines: any version of theirs can be judged by its line."""


def chart_key(chart: str) -> str | None:
    """The CHARTS key of a Helm release's `chart` ('rook-ceph', 'oci://registry.k8s.io/kueue/charts/kueue'), or
    None for a chart the table does not pin."""
    return HELM_CHARTS.get(chart.rstrip("/").rsplit("/", 1)[-1])


def _line_of(version: str) -> str | None:
    line = ".".join(version.strip().lstrip("v").split(".")[:2])
    return line if re.fullmatch(r"[0-9]+\.[0-9]+", line, re.ASCII) else None


def chart_refusal(chart: str, version: str, today: datetime.date) -> str | None:
    """Why Helm chart `chart` at `version` may not be deployed on `today`, only when the table says its window has
    ended (naming the date and the source); None otherwise, also for a chart or a line the table cannot judge.

    The pinned release is judged on its own window; another release of a chart on release lines by its line: a
    line leaves support the day the `maintained`-th later line of the table shipped, also a line older than every
    line in the table (each later line is in it)."""
    key = chart_key(chart)
    if key is None:
        return None
    pin = CHARTS[key]
    if version.lstrip("v") == pin.version.lstrip("v"):
        end = pin.support_end
        return pin.refusal(today) if end is not None and today >= end else None
    lines = CHART_LINES.get(key)
    line = _line_of(version)
    if lines is None or line is None:
        return None
    ended_by = lines.ended_by(line)
    if ended_by is None or today < lines.first_releases[ended_by]:
        return None
    when = "on" if line in lines.first_releases else "at the latest on"  # an older line than the table's
    return (
        f"{pin.name} {version} (line {line}) left support {when} {lines.first_releases[ended_by]}, when "
        f"{lines.project} {ended_by} shipped ({lines.policy}; {lines.source})"
    )
