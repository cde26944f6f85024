"""OpenStack preflight checks with openstacksdk: authentication, the planned flavors (GPU extra specs),
the image, the external network, the VPNaaS extension, and project quotas (instances, cores, RAM,
volumes and their GB, floating IPs).

Credentials: `openstack.connect(cloud=NAME)` reads the clouds.yaml entry NAME (or $OS_CLOUD); with
neither, openstacksdk builds the cloud from the OS_* environment variables (OS_AUTH_URL, OS_USERNAME,
OS_PASSWORD or OS_APPLICATION_CREDENTIAL_*, OS_PROJECT_NAME, OS_*_DOMAIN_NAME, OS_REGION_NAME).
Retries: keystoneauth's connect retries and status-code retries on 429/503, with its backoff.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aidc.preflight.report import CheckResult
from aidc.preflight.requirements import FlavorNeed, OpenStackRequirements
from aidc.preflight.retry import DEFAULT_MAX_ATTEMPTS, Failure, classify_openstack_error

# Extra specs that give a flavor GPUs: PCI passthrough aliases ("a100:8", comma-separated) or
# placement resources (vGPU / PCI devices).
GPU_SPEC_KEYS = ("pci_passthrough:alias", "resources:VGPU", "resources:PGPU")
_ALIAS_COUNT = re.compile(r"^[^:,]+:(\d+)$")
RETRIABLE_STATUS_CODES = (429, 503)


def gpus_in_extra_specs(extra_specs: dict[str, str]) -> int | None:
    """GPUs a flavor's extra specs grant, or None when no GPU spec is present."""
    found: int | None = None
    alias = extra_specs.get("pci_passthrough:alias")
    if alias:
        total = 0
        for part in alias.split(","):
            match = _ALIAS_COUNT.match(part.strip())
            total += int(match.group(1)) if match else 1
        found = total
    for key in ("resources:VGPU", "resources:PGPU"):
        value = extra_specs.get(key)
        if value and value.isdigit() and int(value) > 0:
            found = (found or 0) + int(value)
    return found


@dataclass
class _Context:
    """What earlier checks learnt (flavor sizes) for later ones (quotas)."""

    flavors: dict[str, Any] = field(default_factory=dict)


def _where(reqs: OpenStackRequirements) -> str:
    return reqs.region or "default region"


def check_auth(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    conn.authorize()
    return [
        CheckResult(
            "openstack",
            "credentials",
            _where(reqs),
            True,
            f"token issued for project {conn.current_project_id}",
            {"project_id": conn.current_project_id},
        )
    ]


def _flavor_result(need: FlavorNeed, flavor: Any, conn: Any) -> CheckResult:
    target = f"flavor {need.flavor} ({', '.join(need.roles)})"
    if flavor is None:
        return CheckResult(
            "openstack",
            "flavor",
            target,
            False,
            f"flavor {need.flavor} not found",
            {"servers": need.servers},
            "create the flavor (openstack flavor create …) or name an existing one in aidc:openstack "
            "(gpu_flavors, server_flavor, storage_flavor, edge site flavor)",
        )
    figures: dict[str, Any] = {"servers": need.servers, "vcpus": flavor.vcpus, "ram_mb": flavor.ram}
    if not need.gpus_per_server:
        return CheckResult("openstack", "flavor", target, True, "exists", figures)
    specs = dict(flavor.extra_specs or {})
    if not specs:
        specs = dict(conn.compute.fetch_flavor_extra_specs(flavor).extra_specs or {})
    gpus = gpus_in_extra_specs(specs)
    figures.update({"gpus_needed": need.gpus_per_server, "gpus_in_specs": gpus})
    figures.update({k: specs[k] for k in GPU_SPEC_KEYS if k in specs})
    if gpus is None:
        return CheckResult(
            "openstack",
            "flavor",
            target,
            False,
            "flavor has no GPU extra spec",
            figures,
            f"set one of {', '.join(GPU_SPEC_KEYS)} on the flavor (openstack flavor set --property …)",
        )
    if gpus != need.gpus_per_server:
        return CheckResult(
            "openstack",
            "flavor",
            target,
            False,
            f"flavor grants {gpus} GPU(s), the plan puts {need.gpus_per_server} on each server",
            figures,
            "fix the flavor's GPU count or map the accelerator to the right flavor in aidc:openstack.gpu_flavors",
        )
    return CheckResult("openstack", "flavor", target, True, f"exists with {gpus} GPU(s)", figures)


def check_flavors(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    by_name = {f.name: f for f in conn.compute.flavors(details=True)}
    ctx.flavors = {need.flavor: by_name[need.flavor] for need in reqs.flavors if need.flavor in by_name}
    return [_flavor_result(need, by_name.get(need.flavor), conn) for need in reqs.flavors]


def check_image(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    images = [i for i in conn.image.images(name=reqs.image)]
    active = [i for i in images if i.status == "active"]
    target = f"image {reqs.image} in {_where(reqs)}"
    if active:
        return [
            CheckResult(
                "openstack", "image", target, True, f"active: {active[0].id}", {"image_id": active[0].id}
            )
        ]
    detail = f"image {reqs.image} is {images[0].status}" if images else f"image {reqs.image} not found"
    return [
        CheckResult(
            "openstack",
            "image",
            target,
            False,
            detail,
            {"matches": len(images)},
            "upload the image to Glance or set aidc:openstack.image to an existing image name",
        )
    ]


def check_external_network(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    networks = list(conn.network.networks(name=reqs.external_network))
    external = [n for n in networks if n.is_router_external]
    target = f"network {reqs.external_network} in {_where(reqs)}"
    if external:
        return [
            CheckResult(
                "openstack",
                "external-network",
                target,
                True,
                "exists, router:external",
                {"network_id": external[0].id},
            )
        ]
    detail = (
        f"{reqs.external_network} exists but is not router:external"
        if networks
        else f"network {reqs.external_network} not found"
    )
    return [
        CheckResult(
            "openstack",
            "external-network",
            target,
            False,
            detail,
            {"matches": len(networks)},
            "set aidc:openstack.external_network to the provider network (openstack network list --external)",
        )
    ]


def check_vpnaas(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    if not reqs.needs_vpnaas:
        return []
    aliases = sorted(e.alias for e in conn.network.extensions())
    ok = "vpnaas" in aliases
    return [
        CheckResult(
            "openstack",
            "vpnaas",
            f"Neutron extensions in {_where(reqs)}",
            ok,
            "vpnaas extension enabled" if ok else "Neutron has no vpnaas extension",
            {"extensions": len(aliases)},
            "" if ok else "ask the cloud operator to enable neutron-vpnaas (service_plugins = vpnaas)",
        )
    ]


def _quota(
    name: str, reqs: OpenStackRequirements, needed: int, limit: int, used: int, unit: str, note: str = ""
) -> CheckResult:
    target = f"{name} in {_where(reqs)}"
    figures: dict[str, Any] = {f"needed_{unit}": needed, f"limit_{unit}": limit, f"used_{unit}": used}
    if limit is None or limit < 0:
        return CheckResult("openstack", "quota", target, True, f"unlimited; {needed:,} needed{note}", figures)
    available = limit - used
    figures[f"available_{unit}"] = available
    ok = available >= needed
    detail = f"{needed:,} needed, {available:,} available ({limit:,} limit - {used:,} used){note}"
    hint = "" if ok else f"raise the project quota: openstack quota set --{name} {used + needed} <project>"
    return CheckResult("openstack", "quota", target, ok, detail, figures, hint)


def check_compute_quota(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    absolute = conn.compute.get_limits().absolute
    known = [n for n in reqs.flavors if n.flavor in ctx.flavors]
    note = "" if len(known) == len(reqs.flavors) else " (flavors not found are left out)"
    cores = sum(n.servers * int(ctx.flavors[n.flavor].vcpus) for n in known)
    ram_mb = sum(n.servers * int(ctx.flavors[n.flavor].ram) for n in known)
    return [
        _quota(
            "instances", reqs, reqs.servers, absolute.instances, absolute.instances_used or 0, "instances"
        ),
        _quota("cores", reqs, cores, absolute.total_cores, absolute.total_cores_used or 0, "vcpus", note),
        _quota("ram", reqs, ram_mb, absolute.total_ram, absolute.total_ram_used or 0, "mb", note),
    ]


def check_volume_quota(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    absolute = conn.block_storage.get_limits().absolute
    return [
        _quota(
            "volumes",
            reqs,
            reqs.volumes,
            absolute.max_total_volumes,
            absolute.total_volumes_used or 0,
            "volumes",
        ),
        _quota(
            "gigabytes",
            reqs,
            reqs.volume_gb,
            absolute.max_total_volume_gigabytes,
            absolute.total_gigabytes_used or 0,
            "gb",
        ),
    ]


def check_network_quota(conn: Any, reqs: OpenStackRequirements, ctx: _Context) -> list[CheckResult]:
    details = conn.network.get_quota(conn.current_project_id, details=True)
    fips = details.floating_ips or {}
    return [
        _quota(
            "floating-ips",
            reqs,
            reqs.floating_ips,
            int(fips.get("limit", -1)),
            int(fips.get("used", 0)) + int(fips.get("reserved", 0)),
            "ips",
        )
    ]


CHECKS: tuple[tuple[str, Callable[[Any, OpenStackRequirements, _Context], list[CheckResult]]], ...] = (
    ("credentials", check_auth),
    ("flavor", check_flavors),
    ("image", check_image),
    ("external-network", check_external_network),
    ("vpnaas", check_vpnaas),
    ("quota", check_compute_quota),
    ("quota", check_volume_quota),
    ("quota", check_network_quota),
)


def _failed(name: str, reqs: OpenStackRequirements, failure: Failure) -> CheckResult:
    return CheckResult("openstack", name, _where(reqs), False, failure.reason, {}, failure.hint)


def run_openstack_checks(conn: Any, reqs: OpenStackRequirements) -> list[CheckResult]:
    """All OpenStack checks over an open connection; an unreachable cloud or rejected credentials is
    reported once and ends the run."""
    ctx = _Context()
    results: list[CheckResult] = []
    for name, check in CHECKS:
        try:
            results.extend(check(conn, reqs, ctx))
        except Exception as exc:
            failure = classify_openstack_error(exc)
            results.append(_failed(name, reqs, failure))
            if failure.fatal:
                break
    return results


def connect(
    cloud: str | None, region: str | None, timeout_s: float = 10.0, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Any:
    import openstack

    retries = max(0, max_attempts - 1)
    kwargs: dict[str, Any] = {
        "api_timeout": timeout_s,
        "connect_retries": retries,
        "status_code_retries": retries,
        "retriable_status_codes": list(RETRIABLE_STATUS_CODES),
    }
    if region:
        kwargs["region_name"] = region
    return openstack.connect(cloud=cloud, **kwargs)


def run_openstack_checks_for(
    reqs: OpenStackRequirements,
    cloud: str | None = None,
    timeout_s: float = 10.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> list[CheckResult]:
    """Connect (clouds.yaml entry `cloud`, else OS_CLOUD, else OS_* variables) and run the checks."""
    try:
        conn = connect(cloud, reqs.region, timeout_s, max_attempts)
    except Exception as exc:
        return [_failed("credentials", reqs, classify_openstack_error(exc))]
    try:
        return run_openstack_checks(conn, reqs)
    finally:
        conn.close()
