"""Every version aidc pins — EKS, its managed add-ons, K3s, every chart and manifest release — in one table, each with
its support window and the source that states it. Stdlib only: config, the program, tests and scripts read it.

What may be touched: move a pin (and re-vendor its upstream files, tests/conformance/upstream/README.md), add an
entry. Never pin a version whose window has ended: `aidc/config` refuses it, naming the date and the source, and
`tests/versions/test_versions.py` fails 90 days before any pinned window closes, so a pin is moved while it is
still supported.

Windows:
- EKS: standard support, from the EKS release to its end (14 months), per the EKS Kubernetes release calendar.
  Extended support is billed extra and refused here: a stack pins a version in standard support.
- EKS managed add-ons: the versions EKS lists for the pinned Kubernetes version; their window is that version's.
- K3s: K3s maintains the same minors as upstream Kubernetes (docs.k3s.io/release-notes, "K3s release cycle"); a
  minor's window is upstream's, from its release to its end of life (the 28th of the second month after the
  fourth minor that follows, per kubernetes.io/releases: ~14 months). The pinned tag is a patch of that minor.
- Charts and manifests: most projects publish no calendar. `support_end` is then None and `policy` says what the
  project supports (e.g. the latest minors); the pin carries its release and source so a reviewer can judge.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass

from aidc.contract import EksAddon

AS_OF = datetime.date(2026, 12, 7)
"""When the windows below were last checked against their sources."""
WARN_DAYS = 90
"""A pinned window that ends within this many days fails tests/versions (move the pin before it closes)."""
TODAY_ENV = "AIDC_TODAY"
"""Set to YYYY-MM-DD to judge windows on another day than today (tests, and planning ahead)."""


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

    def days_left(self, today: datetime.date) -> int | None:
        """Days until the window closes (negative once closed); None when upstream publishes no end."""
        return None if self.support_end is None else (self.support_end - today).days

    def refusal(self, today: datetime.date) -> str | None:
        """Why this pin may not be deployed on `today` (outside its window), or None."""
        if today < self.support_start:
            return f"{self.name} {self.version} is not released until {self.support_start} ({self.source})"
        if self.support_end is not None and today >= self.support_end:
            return f"{self.name} {self.version} left support on {self.support_end} ({self.source})"
        return None


EKS_CALENDAR = (
    "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar"
)
# Standard support of the EKS minors a stack may still choose (EKS release → end of standard support, UTC). 1.31-1.34
# from the EKS user guide's calendar (awsdocs/amazon-eks-user-guide, latest/ug/versioning/kubernetes-versions.adoc);
# 1.34-1.35 as the calendar states them, corroborated by https://endoflife.date/amazon-eks (checked AS_OF).
EKS_VERSIONS: dict[str, Pin] = {
    minor: Pin("EKS", minor, start, end, EKS_CALENDAR, "standard support: 14 months from the EKS release")
    for minor, start, end in (
        ("1.31", datetime.date(2024, 9, 26), datetime.date(2025, 11, 26)),
        ("1.32", datetime.date(2025, 1, 23), datetime.date(2026, 3, 23)),
        ("1.33", datetime.date(2025, 5, 29), datetime.date(2026, 7, 29)),
        ("1.34", datetime.date(2025, 10, 2), datetime.date(2026, 12, 2)),
        ("1.35", datetime.date(2026, 1, 27), datetime.date(2027, 3, 27)),
    )
}
EKS_DEFAULT = "1.35"

# The EKS managed add-on versions for each EKS minor aidc can pin. 1.35: the versions an EKS 1.35 deployment runs
# (eks-pod-identity-agent v1.3.10-eksbuild.3, vpc-cni v1.21.1-eksbuild.3, kube-proxy v1.35.0-eksbuild.2, coredns
# v1.13.2-eksbuild.1), vendored in tests/conformance/upstream/eks/addon-versions.json with their source; confirm
# with `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name <name>`.
EKS_ADDONS_SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html"
EKS_ADDON_VERSIONS: dict[str, dict[EksAddon, str]] = {
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "coredns": "v1.13.2-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
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


def _chart(name: str, version: str, released: datetime.date, source: str, policy: str) -> Pin:
    return Pin(name, version, released, None, source, policy)


CHARTS: dict[str, Pin] = {
    "karpenter": _chart(
        "Karpenter chart",
        "1.14.1",
        datetime.date(2026, 7, 23),
        "https://github.com/aws/karpenter-provider-aws/releases/tag/v1.14.1",
        "Karpenter supports its latest minor; the compatibility matrix (karpenter.sh/docs/upgrading/compatibility) "
        "names the Kubernetes minors each supports",
    ),
    "nvidia-device-plugin": _chart(
        "NVIDIA device plugin chart",
        "0.17.1",
        datetime.date(2025, 3, 7),
        "https://github.com/NVIDIA/k8s-device-plugin/releases/tag/v0.17.1",
        "NVIDIA supports the latest release line",
    ),
    "efa-device-plugin": _chart(
        "EFA device plugin chart",
        "v0.5.30",
        datetime.date(2026, 4, 1),
        "https://github.com/aws/eks-charts/tree/master/stable/aws-efa-k8s-device-plugin",
        "eks-charts publishes no calendar",
    ),
    "gpu-operator": _chart(
        "NVIDIA GPU Operator chart",
        "v25.10.1",
        datetime.date(2025, 12, 4),
        "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/platform-support.html",
        "NVIDIA supports a GPU Operator release for 12 months (platform support: 'release lifecycle')",
    ),
    "kueue": _chart(
        "Kueue chart",
        "0.19.2",
        datetime.date(2026, 10, 1),
        "https://github.com/kubernetes-sigs/kueue/releases/tag/v0.19.2",
        "Kueue patches its two latest minors",
    ),
    "prometheus": _chart(
        "prometheus chart",
        "29.27.0",
        datetime.date(2026, 10, 1),
        "https://github.com/prometheus-community/helm-charts/releases/tag/prometheus-29.27.0",
        "prometheus-community supports the latest chart only",
    ),
    "dcgm-exporter": _chart(
        "DCGM exporter chart",
        "4.7.0",
        datetime.date(2025, 11, 1),
        "https://github.com/NVIDIA/dcgm-exporter/releases",
        "NVIDIA publishes no calendar",
    ),
    "rook": _chart(
        "Rook chart",
        "v1.16.4",
        datetime.date(2025, 2, 6),
        "https://github.com/rook/rook/releases/tag/v1.16.4",
        "Rook patches its latest minor (rook.io/docs: 'Rook supports the latest release'); re-vendor the CRDs "
        "(tests/conformance/upstream/rook) when moving it",
    ),
    "system-upgrade-controller": _chart(
        "system-upgrade-controller",
        "v0.14.2",
        datetime.date(2024, 10, 15),
        "https://github.com/rancher/system-upgrade-controller/releases/tag/v0.14.2",
        "Rancher publishes no calendar; the K3s automated-upgrade docs use its latest release",
    ),
}


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


def pinned() -> list[Pin]:
    """Every default pin: EKS, its add-ons (on EKS's window), K3s (on its minor's window), the charts."""
    eks = EKS_VERSIONS[EKS_DEFAULT]
    k3s_window = K3S_MINORS[k3s_minor(K3S_DEFAULT)]
    addons = [
        Pin(f"EKS add-on {name}", version, eks.support_start, eks.support_end, EKS_ADDONS_SOURCE, eks.policy)
        for name, version in EKS_ADDON_VERSIONS[EKS_DEFAULT].items()
    ]
    k3s = Pin(
        "K3s", K3S_DEFAULT, k3s_window.support_start, k3s_window.support_end, K3S_RELEASES, k3s_window.policy
    )
    return [eks, *addons, k3s, *CHARTS.values()]
