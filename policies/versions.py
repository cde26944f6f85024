"""Versions rules: what the plan deploys is inside its upstream support window, judged by aidc/versions.py (the one
table of every pin, its window and its source; stdlib only, like aidc/contract.py, so the pack's virtualenv needs
nothing more) on aidc.versions.today() ($AIDC_TODAY when set).

- an EKS cluster's `version`: a minor of the table in standard support (an unknown minor is refused: the table
  lists every minor EKS still creates in standard support);
- a Helm release (`chart`, `version`) of a chart the table pins: refused only when the table says its window has
  ended (the pinned release past its end, or a release of a line a later line's release retired);
- the K3s release a cluster runs, as its system-upgrade-controller Plans (`spec.version`, the rancher/k3s-upgrade
  image) state it: a minor the table maintains, inside its window.

Props are the engine's camelCase input names. Nothing here builds a PolicyPack.
"""

from __future__ import annotations

import datetime
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from aidc.versions import TODAY_ENV, chart_key, chart_refusal, eks_refusal, k3s_refusal, today
from policies._common import MANDATORY, get

EKS_CLUSTER = "aws:eks/cluster:Cluster"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
UPGRADE_PLAN = "kubernetes:upgrade.cattle.io/v1:Plan"
K3S_UPGRADE_IMAGE = "rancher/k3s-upgrade"
"""The image a system-upgrade-controller Plan runs to move a K3s node to the Plan's version (docs.k3s.io)."""


def _text(props: Any, *path: str) -> str | None:
    """A string prop, or None when it is missing, not a string or not known yet (preview)."""
    try:
        value = get(props, *path)
    except UnknownValueError:
        return None
    return value if isinstance(value, str) and value else None


def _refusal(resource_type: str, props: Any, day: datetime.date) -> tuple[str, str, str, str] | None:
    """(what, property, why, where to move the pin) when the resource names a version outside its window on `day`, else None."""
    if resource_type == EKS_CLUSTER:
        version = _text(props, "version")
        why = eks_refusal(version, day) if version is not None else None
        return ("EKS cluster", f"version {version!r}", why, "aidc:aws.eks_version") if why else None
    if resource_type == HELM_RELEASE:
        chart, version = _text(props, "chart"), _text(props, "version")
        why = chart_refusal(chart, version, day) if chart and version else None
        fix = (
            "aidc:ceph.rook_chart_version" if chart_key(chart or "") == "rook" else "aidc/versions.py CHARTS"
        )
        return (f"Helm release of {chart}", f"version {version!r}", why, fix) if why else None
    if resource_type == UPGRADE_PLAN:
        image, version = _text(props, "spec", "upgrade", "image"), _text(props, "spec", "version")
        if image is None or version is None or image.split(":", 1)[0] != K3S_UPGRADE_IMAGE:
            return None
        why = k3s_refusal(version, day)
        return ("K3s upgrade Plan", f"spec.version {version!r}", why, "aidc:k3s.version") if why else None
    return None


def _validate_versions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (EKS_CLUSTER, HELM_RELEASE, UPGRADE_PLAN):
        return
    try:
        day = today()
    except ValueError as error:  # a malformed $AIDC_TODAY: no day to judge on
        report(f"{args.name}: {error} ({TODAY_ENV} sets the day support windows are judged on)", None)
        return
    found = _refusal(args.resource_type, args.props, day)
    if found is not None:
        what, prop, why, fix = found
        report(
            f"{what} {args.name}: {prop}: {why} (judged on {day}): move it to a version inside its window ({fix}; "
            "aidc/versions.py lists every pin, its window and its source).",
            None,
        )


versions_in_support = ResourceValidationPolicy(
    name="versions-in-support",
    description="EKS clusters, Helm charts and K3s releases (upgrade Plans) run versions inside their support "
    "window (aidc/versions.py: the date and the source), judged today or on $AIDC_TODAY.",
    enforcement_level=MANDATORY,
    validate=_validate_versions,
)

POLICIES = [versions_in_support]
"""This module's rules, in the order the pack registers them."""
