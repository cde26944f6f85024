"""Google Cloud preflight checks with the google-cloud client libraries (REST transport): the credentials, the APIs
the stack needs enabled in the project (Service Usage), each planned machine type and accelerator type in each
planned zone (Compute `machineTypes.get`, `acceleratorTypes.get`), the regional GPU quotas (Compute `regions.get`
`quotas[]`, and Cloud Quotas for the GPUs Compute does not report), the project's GPUS_ALL_REGIONS, and the regional
vCPU quota of the system node pool.

Which quota bounds a GPU machine (each fact with its source):
- A2, A3 and G2 machines need GPU quota only: "To create A2 VMs, you only need to have the required NVIDIA A100 GPU
  quotas. You don't need to request CPU quotas", and likewise A3 and G2 with H100, H200 and L4 quotas
  (cloud.google.com/compute/resource-usage, "GPU quota"). Their vCPUs are not checked against a CPU quota.
- On-demand A100 (40 and 80 GB) and L4 GPUs have regional Compute metrics (NVIDIA_A100_GPUS, NVIDIA_A100_80GB_GPUS,
  NVIDIA_L4_GPUS). Compute's Quota.metric enum (discovery document compute.v1.json, revision 20261106, shipped with
  google-api-python-client 2.202) has no on-demand H100, H100 Mega or H200 metric: those GPUs are counted by the
  Cloud Quotas quota GPUS-PER-GPU-FAMILY-per-project-region, dimensions region and gpu_family (NVIDIA_H100,
  NVIDIA_H100_MEGA, NVIDIA_H200; cloud.google.com/docs/quotas/implementation-guide). The catalog's `quota_family`
  says which: a metric name, or "GPUS_PER_GPU_FAMILY:<gpu_family>". Cloud Quotas reports the limit, not the usage.
- Spot VMs draw on preemptible quota (PREEMPTIBLE_<metric>) where the project has some, and otherwise on the
  standard quota ("To prevent Spot VMs from consuming your quotas for standard VMs' CPUs, GPUs, and disks, consider
  requesting preemptible quota", cloud.google.com/compute/docs/instances/create-use-spot).
- GPUS_ALL_REGIONS (Compute `projects.get` quotas) caps the project's GPUs of every kind in every region.

Each check is a function over `GcpRequirements` and a `GcpClients`; `run_gcp_checks` runs them in order and stops
after an unreachable endpoint or rejected credentials. Every call goes through `GcpClients.call`: the libraries' own
retry is off, attempts are `--max-attempts` with backoff, and no attempt starts past the run's deadline. The client
libraries are imported inside functions, never at `aidc` import time.
"""

from __future__ import annotations

import functools
import random
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aidc.clouds.gcp.settings import settings_of
from aidc.preflight.deadline import Deadline, Job
from aidc.preflight.report import CheckResult
from aidc.preflight.retry import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT_S,
    Failure,
    GcpDeadlineExceeded,
    classify_gcp_error,
    gcp_transient,
)

if TYPE_CHECKING:
    import argparse

    from aidc.clouds.gcp.settings import Settings
    from aidc.config.model import StackConfig
    from aidc.sizing.plan import CapacityPlan, PublicGroup

CLOUD = "gcp"
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
# The APIs a stack on Google Cloud calls (its GKE cluster, KMS keys, bucket, service accounts and Workload
# Identity tokens, logs and metrics, and the project itself: its number, IAM members and audit config through
# Resource Manager); `gcloud services enable` names them so.
REQUIRED_APIS = (
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "storage.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
)
FAMILY_PREFIX = "GPUS_PER_GPU_FAMILY:"
GPU_FAMILY_QUOTA_ID = "GPUS-PER-GPU-FAMILY-per-project-region"
GPU_FAMILY_METRIC = "compute.googleapis.com/gpus_per_gpu_family"
GPUS_ALL_REGIONS = "GPUS_ALL_REGIONS"
# The preemptible metric of each standard GPU quota (Compute Quota.metric enum, revision 20261106); H100 Mega and
# H200 have none, so their Spot VMs draw on the standard quota.
SPOT_GPU_METRICS = {
    "NVIDIA_A100_GPUS": "PREEMPTIBLE_NVIDIA_A100_GPUS",
    "NVIDIA_A100_80GB_GPUS": "PREEMPTIBLE_NVIDIA_A100_80GB_GPUS",
    "NVIDIA_L4_GPUS": "PREEMPTIBLE_NVIDIA_L4_GPUS",
    f"{FAMILY_PREFIX}NVIDIA_H100": "PREEMPTIBLE_NVIDIA_H100_GPUS",
}
# The regional vCPU metric of the general-purpose series a system pool may use (the Compute Quota.metric enum);
# E2 and N1 count against CPUS.
CPU_METRICS = {
    "n2": "N2_CPUS",
    "n2d": "N2D_CPUS",
    "c2": "C2_CPUS",
    "c2d": "C2D_CPUS",
    "c3": "C3_CPUS",
    "m1": "M1_CPUS",
    "m2": "M2_CPUS",
    "m3": "M3_CPUS",
    "t2d": "T2D_CPUS",
    "t2a": "T2A_CPUS",
}
QUOTAS_PAGE = "https://console.cloud.google.com/iam-admin/quotas?project={project}"
BACKOFF_BASE_S, BACKOFF_CAP_S = 0.5, 8.0


@dataclass(frozen=True)
class MachineNeed:
    """GPU machines of one type and provisioning model the plan runs (its node pools' peak, all workloads)."""

    machine_type: str
    """Compute machine type, e.g. "a3-highgpu-8g"."""
    instances: int
    """Machines of this type at the plan's peak."""
    accelerator_type: str
    """The accelerator type it carries, as Compute and GKE name it, e.g. "nvidia-h100-80gb"."""
    gpus_per_instance: int
    """GPUs each machine carries."""
    gpu_quota: str
    """The quota that bounds its GPUs: a Compute Quota.metric ("NVIDIA_L4_GPUS") or "GPUS_PER_GPU_FAMILY:<family>"."""
    spot: bool = False
    """Spot VMs (preemptible quota where the project has some)."""

    @property
    def gpus(self) -> int:
        return self.instances * self.gpus_per_instance


@dataclass(frozen=True)
class SystemPoolNeed:
    """The GKE cluster's system node pool (general-purpose machines, counted against a regional vCPU quota)."""

    machine_type: str
    """e.g. "e2-standard-4" (aidc:gcp.system_machine_type)."""
    nodes: int
    """Nodes in the region: aidc:gcp.system_nodes per zone, times the zones."""


@dataclass(frozen=True)
class GcpRequirements:
    """What the Google Cloud checks verify."""

    project: str
    """The project ID (aidc:gcp.project or gcp:project)."""
    region: str
    """The region (aidc:gcp.region or gcp:region)."""
    zones: tuple[str, ...]
    """Zones every planned machine and accelerator type must be offered in (the node pools' locations)."""
    machines: tuple[MachineNeed, ...]
    """Planned GPU machines, one entry per (type, spot)."""
    system_pool: SystemPoolNeed | None = None
    """The system node pool, when the plan declares a cluster."""
    apis: tuple[str, ...] = REQUIRED_APIS
    """Service names that must be enabled in the project."""


def gcp_requirements(cfg: StackConfig, plan: CapacityPlan) -> GcpRequirements:
    """What the Google Cloud checks verify for this plan; ValueError (one line) when no project is configured."""
    settings = settings_of(cfg)
    if not settings.project:
        raise ValueError(
            "aidc:gcp.project: not set (nor gcp:project); aidc preflight checks quotas and APIs in a project, "
            "so name it in the stack file"
        )
    return requirements_of(settings, plan.placement.public)


def requirements_of(settings: Settings, groups: Iterable[PublicGroup]) -> GcpRequirements:
    """The requirements of the plan's Google Cloud groups (location "gcp") under these settings."""
    from aidc.clouds.gcp.catalog import GPU_ACCELERATOR_TYPES, INSTANCE_TYPES

    totals: dict[tuple[str, bool], int] = {}
    for group in groups:
        if group.location == CLOUD and group.instances.int > 0:
            key = (group.instance_type, group.spot)
            totals[key] = totals.get(key, 0) + group.instances.int
    machines = tuple(
        MachineNeed(
            machine_type,
            count,
            GPU_ACCELERATOR_TYPES[machine_type],
            INSTANCE_TYPES[machine_type].gpus,
            INSTANCE_TYPES[machine_type].quota_family,
            spot=spot,
        )
        for (machine_type, spot), count in sorted(totals.items())
    )
    zones = settings.zone_names
    system = (
        SystemPoolNeed(settings.system_machine_type, settings.system_nodes * len(zones)) if machines else None
    )
    return GcpRequirements(str(settings.project), settings.region, zones, machines, system)


# google.api_core and each client library warn at import that Google "will stop supporting" this Python in a later
# release: a FutureWarning about the libraries' future, not about this run, that every `aidc preflight` would print.
warnings.filterwarnings(
    "ignore",
    message=r"You are using a Python version .* which Google will stop supporting",
    category=FutureWarning,
)


def _import_libraries() -> Any:
    from google.cloud import cloudquotas_v1, compute_v1, service_usage_v1

    return compute_v1, service_usage_v1, cloudquotas_v1


class GcpClients:
    """The REST clients of one project, sharing one set of credentials, with the preflight's retry and deadline.

    `endpoint_url` None: Google's own endpoints. `anonymous` (tests only): no credentials are sent."""

    SERVICES = ("regions", "projects", "machine_types", "accelerator_types", "service_usage", "cloud_quotas")

    def __init__(
        self,
        endpoint_url: str | None = None,
        anonymous: bool = False,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
        deadline: Deadline | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.anonymous = anonymous
        self.max_attempts = max_attempts
        self.read_timeout_s = read_timeout_s
        self.deadline = deadline
        self._credentials: Any = None
        self._clients: dict[str, Any] = {}
        self.cache: dict[
            tuple[str, ...], Any
        ] = {}  # answers a later check reuses (the region, machine types)

    @property
    def credentials(self) -> Any:
        """Application Default Credentials, or anonymous ones for a test endpoint (looked up on first use)."""
        if self._credentials is None:
            if self.anonymous:
                from google.auth.credentials import AnonymousCredentials

                self._credentials = AnonymousCredentials()
            else:
                import google.auth

                self._credentials, _ = google.auth.default(scopes=list(SCOPES))
        return self._credentials

    def client(self, service: str) -> Any:
        if service not in self._clients:
            compute_v1, service_usage_v1, cloudquotas_v1 = _import_libraries()
            from google.api_core.client_options import ClientOptions

            kinds = {
                "regions": compute_v1.RegionsClient,
                "projects": compute_v1.ProjectsClient,
                "machine_types": compute_v1.MachineTypesClient,
                "accelerator_types": compute_v1.AcceleratorTypesClient,
                "service_usage": service_usage_v1.ServiceUsageClient,
                "cloud_quotas": cloudquotas_v1.CloudQuotasClient,
            }
            options = ClientOptions(api_endpoint=self.endpoint_url) if self.endpoint_url else None
            self._clients[service] = kinds[service](
                credentials=self.credentials, transport="rest", client_options=options
            )
        return self._clients[service]

    def _remaining(self) -> float:
        return self.deadline.remaining() if self.deadline is not None else float("inf")

    def attempt(self, work: Callable[[float], Any]) -> Any:
        """`work(timeout_s)` with up to max_attempts tries for transient failures, backing off with jitter; no try
        starts once the deadline has passed, and none may outlast it."""
        tries = 0
        while True:
            tries += 1
            remaining = self._remaining()
            if remaining <= 0:
                raise GcpDeadlineExceeded(self.deadline.budget_s if self.deadline else 0.0)
            try:
                return work(min(self.read_timeout_s, remaining))
            except Exception as exc:
                if tries >= self.max_attempts or not gcp_transient(exc):
                    raise
                pause = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (tries - 1)) * random.uniform(0.5, 1.0)
                if pause >= self._remaining():
                    raise
                time.sleep(pause)

    def call(self, service: str, method: str, **request: Any) -> Any:
        """One API method (`request` as its fields), the libraries' own retry off, within the deadline."""
        function = getattr(self.client(service), method)
        return self.attempt(lambda timeout_s: function(request=request, retry=None, timeout=timeout_s))

    def region(self, project: str, region: str) -> Any:
        key = ("region", project, region)
        if key not in self.cache:
            self.cache[key] = self.call("regions", "get", project=project, region=region)
        return self.cache[key]

    def machine_type(self, project: str, zone: str, name: str) -> Any:
        """The zone's MachineType, or None when the zone does not offer it (404)."""
        from google.api_core.exceptions import NotFound

        key = ("machine_type", project, zone, name)
        if key not in self.cache:
            try:
                self.cache[key] = self.call(
                    "machine_types", "get", project=project, zone=zone, machine_type=name
                )
            except NotFound:
                self.cache[key] = None
        return self.cache[key]


def _quotas(items: Iterable[Any]) -> dict[str, tuple[float, float]]:
    """Compute quotas[] as metric -> (limit, usage)."""
    return {str(q.metric): (float(q.limit), float(q.usage)) for q in items}


def check_credentials(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    target = f"project {reqs.project}" + (f" via {clients.endpoint_url}" if clients.endpoint_url else "")
    if clients.anonymous:
        detail = "anonymous (a test endpoint: no credentials are sent)"
        return [CheckResult(CLOUD, "credentials", target, True, detail, {"credentials": "anonymous"})]
    credentials = clients.credentials
    from google.auth.transport.requests import Request

    request = Request()
    clients.attempt(lambda timeout_s: credentials.refresh(functools.partial(request, timeout=timeout_s)))
    who = getattr(credentials, "service_account_email", None) or getattr(credentials, "account", None)
    kind = type(credentials).__module__.removeprefix("google.") + "." + type(credentials).__name__
    detail = f"authenticated as {who}" if who else f"authenticated ({kind})"
    return [CheckResult(CLOUD, "credentials", target, True, detail, {"credentials": kind})]


def check_apis(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    parent = f"projects/{reqs.project}"
    response = clients.call(
        "service_usage",
        "batch_get_services",
        parent=parent,
        names=[f"{parent}/services/{a}" for a in reqs.apis],
    )
    states = {str(s.name).rsplit("/", 1)[-1]: s.state.name for s in response.services}
    enabled = [api for api in reqs.apis if states.get(api) == "ENABLED"]
    results = []
    for api in reqs.apis:
        if api in enabled:
            continue
        state = states.get(api, "not listed")
        results.append(
            CheckResult(
                CLOUD,
                "api",
                f"{api} in project {reqs.project}",
                False,
                f"{api} is {state.lower()} in project {reqs.project}",
                {"state": state},
                f"gcloud services enable {api} --project {reqs.project}",
            )
        )
    if enabled:
        short = ", ".join(api.removesuffix(".googleapis.com") for api in enabled)
        results.insert(
            0,
            CheckResult(
                CLOUD,
                "api",
                f"project {reqs.project}",
                True,
                f"{len(enabled)} APIs enabled: {short}",
                {"enabled": enabled},
            ),
        )
    return results


def _zone_problems(machine_type: Any, need: MachineNeed | None) -> str | None:
    """Why the zone's machine type does not carry what the plan expects, or None."""
    if need is None:
        return None
    carried = [
        (str(a.guest_accelerator_type), int(a.guest_accelerator_count)) for a in machine_type.accelerators
    ]
    expected = [(need.accelerator_type, need.gpus_per_instance)]
    if carried != expected:
        shown = ", ".join(f"{n} x {t}" for t, n in carried) or "no GPUs"
        return f"carries {shown}, the plan expects {need.gpus_per_instance} x {need.accelerator_type}"
    return None


def check_machine_types(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    wanted: dict[str, MachineNeed | None] = {m.machine_type: m for m in reqs.machines}
    if reqs.system_pool is not None:
        wanted.setdefault(reqs.system_pool.machine_type, None)
    results = []
    for name, need in wanted.items():
        offered, problems = [], []
        for zone in reqs.zones:
            found = clients.machine_type(reqs.project, zone, name)
            if found is None:
                continue
            offered.append(zone)
            if problem := _zone_problems(found, need):
                problems.append(f"in {zone} it {problem}")
        missing = [zone for zone in reqs.zones if zone not in offered]
        figures = {"planned_zones": list(reqs.zones), "offered_zones": offered, "missing_zones": missing}
        target = f"{name} in {', '.join(reqs.zones)}"
        if missing or problems:
            detail = "; ".join(
                ([f"{name} is not offered in {', '.join(missing)}"] if missing else []) + problems
            )
            hint = (
                f"set aidc:gcp.zones to zones of {reqs.region} that offer it (gcloud compute machine-types list "
                f'--filter="name={name}" --format="value(zone)"), or another aidc:gcp.region'
            )
            results.append(CheckResult(CLOUD, "machine-type", target, False, detail, figures, hint))
        else:
            detail = f"offered in all {len(reqs.zones)} planned zones"
            results.append(CheckResult(CLOUD, "machine-type", target, True, detail, figures))
    return results


def check_accelerator_types(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    from google.api_core.exceptions import NotFound

    per_machine: dict[str, int] = {}
    for need in reqs.machines:
        per_machine[need.accelerator_type] = max(
            per_machine.get(need.accelerator_type, 0), need.gpus_per_instance
        )
    results = []
    for accelerator, per_instance in per_machine.items():
        offered: list[str] = []
        too_few: list[str] = []
        for zone in reqs.zones:
            try:
                found = clients.call(
                    "accelerator_types", "get", project=reqs.project, zone=zone, accelerator_type=accelerator
                )
            except NotFound:
                continue
            offered.append(zone)
            if int(found.maximum_cards_per_instance) < per_instance:
                too_few.append(f"{zone} attaches at most {found.maximum_cards_per_instance} per machine")
        missing = [zone for zone in reqs.zones if zone not in offered]
        figures = {
            "planned_zones": list(reqs.zones),
            "offered_zones": offered,
            "gpus_per_machine": per_instance,
        }
        target = f"{accelerator} in {', '.join(reqs.zones)}"
        if missing or too_few:
            detail = "; ".join(
                ([f"{accelerator} is not offered in {', '.join(missing)}"] if missing else []) + too_few
            )
            hint = (
                f'set aidc:gcp.zones to zones that offer it (gcloud compute accelerator-types list --filter="name='
                f'{accelerator}" --format="value(zone)"), or another aidc:gcp.region'
            )
            results.append(CheckResult(CLOUD, "accelerator-type", target, False, detail, figures, hint))
        else:
            detail = f"offered in all {len(reqs.zones)} planned zones"
            results.append(CheckResult(CLOUD, "accelerator-type", target, True, detail, figures))
    return results


@dataclass
class QuotaDraw:
    """The GPUs the plan draws on one quota, and from which machines."""

    quota: str
    gpus: int = 0
    machines: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def gpu_draws(machines: Sequence[MachineNeed], regional: dict[str, tuple[float, float]]) -> list[QuotaDraw]:
    """Which quota each planned machine's GPUs draw on (module docstring), summed per quota."""
    draws: dict[str, QuotaDraw] = {}
    for need in machines:
        quota, note = need.gpu_quota, ""
        if need.spot:
            preemptible = SPOT_GPU_METRICS.get(need.gpu_quota)
            if preemptible and regional.get(preemptible, (0.0, 0.0))[0] > 0:
                quota = preemptible
            else:
                note = f"Spot {need.machine_type} draws on the standard quota (no preemptible GPU quota)"
        draw = draws.setdefault(quota, QuotaDraw(quota))
        draw.gpus += need.gpus
        spot = " Spot" if need.spot else ""
        draw.machines += (f"{need.instances}x {need.machine_type}{spot} ({need.gpus_per_instance} GPUs)",)
        draw.notes += (note,) if note else ()
    return list(draws.values())


def family_limit(info: Any, region: str, family: str) -> int | None:
    """The QuotaInfo's value for (region, gpu_family): the most specific dimensionsInfo that applies (one that
    leaves a dimension out applies to every value of it, except those another entry names), -1 for unlimited."""
    best: tuple[int, int] | None = None
    for entry in info.dimensions_infos:
        dimensions = dict(entry.dimensions)
        if dimensions.get("region", region) != region or dimensions.get("gpu_family", family) != family:
            continue
        locations = list(entry.applicable_locations)
        if "region" not in dimensions and locations and region not in locations and "global" not in locations:
            continue
        if best is None or len(dimensions) > best[0]:
            best = (len(dimensions), int(entry.details.value))
    return None if best is None else best[1]


def _quota_result(
    reqs: GcpRequirements, draw: QuotaDraw, target: str, limit: float | None, usage: float | None
) -> CheckResult:
    figures: dict[str, Any] = {"needed_gpus": draw.gpus, "machines": list(draw.machines)}
    notes = "".join(f"; {n}" for n in draw.notes)
    page = QUOTAS_PAGE.format(project=reqs.project)
    if limit is None:
        detail = (
            f"{draw.gpus:,} GPUs needed but {target} reports no such quota (the region may not offer the GPU)"
        )
        return CheckResult(CLOUD, "gpu-quota", target, False, detail + notes, figures, f"request it: {page}")
    unlimited = limit < 0
    figures["quota_gpus"] = "unlimited" if unlimited else limit
    if usage is not None:
        figures["in_use_gpus"] = usage
    if unlimited or draw.gpus <= limit:
        shown = "unlimited" if unlimited else f"{limit:,.0f}"
        detail = f"{draw.gpus:,} GPUs needed, quota {shown}"
        if usage is None:
            detail += " (Cloud Quotas reports no usage: GPUs already running count too)"
        elif not unlimited and draw.gpus > limit - usage:
            detail += f", {usage:,.0f} in use: only {limit - usage:,.0f} free now (this stack's running nodes count too)"
        return CheckResult(CLOUD, "gpu-quota", target, True, detail + notes, figures)
    detail = f"{draw.gpus:,} GPUs needed but the quota is {limit:,.0f}"
    if usage:
        detail += f" ({usage:,.0f} in use)"
    hint = f"request an increase of {target} to at least {draw.gpus:,}: {page}"
    return CheckResult(CLOUD, "gpu-quota", target, False, detail + notes, figures, hint)


def check_gpu_quotas(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    if not reqs.machines:
        return []
    regional = _quotas(clients.region(reqs.project, reqs.region).quotas)
    results = []
    for draw in gpu_draws(reqs.machines, regional):
        if not draw.quota.startswith(FAMILY_PREFIX):
            limit, usage = regional.get(draw.quota, (None, None))
            results.append(_quota_result(reqs, draw, f"{draw.quota} in {reqs.region}", limit, usage))
            continue
        family = draw.quota.removeprefix(FAMILY_PREFIX)
        target = f"{GPU_FAMILY_QUOTA_ID} (gpu_family {family}) in {reqs.region}"
        name = f"projects/{reqs.project}/locations/global/services/compute.googleapis.com/quotaInfos/{GPU_FAMILY_QUOTA_ID}"
        try:
            info = clients.call("cloud_quotas", "get_quota_info", name=name)
        except Exception as exc:
            failure = classify_gcp_error(exc, clients.max_attempts)
            if failure.fatal:
                raise
            results.append(_failed("gpu-quota", target, failure, {"needed_gpus": draw.gpus}))
            continue
        limit = family_limit(info, reqs.region, family)
        results.append(_quota_result(reqs, draw, target, None if limit is None else float(limit), None))
    return results


def check_project(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    """The project exists in Compute (a 404 here ends the run: every later 404 would only repeat it) and its
    GPUS_ALL_REGIONS admits the plan's GPUs."""
    project = _quotas(clients.call("projects", "get", project=reqs.project).quotas)
    if not reqs.machines:
        return []
    needed = sum(m.gpus for m in reqs.machines)
    target = f"{GPUS_ALL_REGIONS} of project {reqs.project}"
    if GPUS_ALL_REGIONS not in project:
        detail = f"{needed:,} GPUs needed; the project reports no {GPUS_ALL_REGIONS} cap"
        return [CheckResult(CLOUD, "gpu-quota", target, True, detail, {"needed_gpus": needed})]
    limit, usage = project[GPUS_ALL_REGIONS]
    draw = QuotaDraw(
        GPUS_ALL_REGIONS, needed, tuple(f"{m.instances}x {m.machine_type}" for m in reqs.machines)
    )
    return [_quota_result(reqs, draw, target, limit, usage)]


def cpu_metric(machine_type: str) -> str:
    """The regional vCPU quota metric a general-purpose machine type counts against."""
    return CPU_METRICS.get(machine_type.split("-", 1)[0], "CPUS")


def check_system_cpus(clients: GcpClients, reqs: GcpRequirements) -> list[CheckResult]:
    pool = reqs.system_pool
    if pool is None:
        return []
    found = next(
        (m for z in reqs.zones if (m := clients.machine_type(reqs.project, z, pool.machine_type))), None
    )
    if found is None:
        return []  # not offered in any planned zone: the machine-type check says so
    vcpus = pool.nodes * int(found.guest_cpus)
    metric = cpu_metric(pool.machine_type)
    regional = _quotas(clients.region(reqs.project, reqs.region).quotas)
    target = f"{metric} in {reqs.region}"
    figures: dict[str, Any] = {
        "needed_vcpus": vcpus,
        "nodes": f"{pool.nodes}x {pool.machine_type} ({found.guest_cpus} vCPU)",
    }
    if metric not in regional:
        detail = f"{vcpus} vCPUs needed for the system pool but {reqs.region} reports no {metric} quota"
        return [
            CheckResult(
                CLOUD, "cpu-quota", target, False, detail, figures, "pick aidc:gcp.system_machine_type"
            )
        ]
    limit, usage = regional[metric]
    figures.update(quota_vcpus=limit, in_use_vcpus=usage)
    free = limit - usage
    ok = vcpus <= free
    detail = (
        f"{vcpus} vCPUs needed for the system pool, {free:,.0f} free (quota {limit:,.0f}, {usage:,.0f} in use)"
        if ok
        else f"{vcpus} vCPUs needed for the system pool but only {free:,.0f} are free (quota {limit:,.0f}, "
        f"{usage:,.0f} in use)"
    )
    hint = "" if ok else f"request an increase of {target}: {QUOTAS_PAGE.format(project=reqs.project)}"
    return [CheckResult(CLOUD, "cpu-quota", target, ok, detail, figures, hint)]


def _failed(name: str, target: str, failure: Failure, figures: dict[str, Any] | None = None) -> CheckResult:
    return CheckResult(CLOUD, name, target, False, failure.reason, figures or {}, failure.hint)


CHECKS: tuple[tuple[str, Callable[[GcpClients, GcpRequirements], list[CheckResult]]], ...] = (
    ("credentials", check_credentials),
    ("api", check_apis),
    ("project", check_project),
    ("machine-type", check_machine_types),
    ("accelerator-type", check_accelerator_types),
    ("gpu-quota", check_gpu_quotas),
    ("cpu-quota", check_system_cpus),
)


def run_gcp_checks(reqs: GcpRequirements, clients: GcpClients) -> list[CheckResult]:
    """All Google Cloud checks in order; a network or credentials failure, or a project Compute does not know, is
    reported once and ends the run."""
    results: list[CheckResult] = []
    for name, check in CHECKS:
        try:
            results.extend(check(clients, reqs))
        except Exception as exc:
            failure = classify_gcp_error(exc, clients.max_attempts)
            where = f"project {reqs.project} in {reqs.region}"
            target = where + (f" via {clients.endpoint_url}" if clients.endpoint_url else "")
            results.append(_failed(name, target, failure))
            if failure.fatal or (name == "project" and failure.kind == "not-found"):
                break
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`aidc preflight`'s Google Cloud options."""
    parser.add_argument(
        "--gcp-endpoint-url",
        metavar="URL",
        help="one endpoint for Compute, Service Usage and Cloud Quotas (default: Google's; e.g. the local fake, "
        "see docs/gcp-preflight.md)",
    )
    parser.add_argument(
        "--gcp-credentials",
        choices=("adc", "anonymous"),
        default="adc",
        help="adc: Application Default Credentials (default); anonymous: none, only with --gcp-endpoint-url",
    )


def endpoint_of(args: argparse.Namespace) -> tuple[str | None, bool]:
    """(--gcp-endpoint-url, anonymous?) checked: ValueError (one line) for a URL that is not one, or anonymous
    credentials aimed at Google's own endpoints."""
    url: str | None = getattr(args, "gcp_endpoint_url", None) or None
    anonymous = getattr(args, "gcp_credentials", "adc") == "anonymous"
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError(f"--gcp-endpoint-url: {url!r} is not http(s)://host[:port]")
    if anonymous and (url is None or str(urlsplit(url).hostname).endswith("googleapis.com")):
        raise ValueError(
            "--gcp-credentials anonymous: only with --gcp-endpoint-url naming a test endpoint (Google's APIs refuse "
            "anonymous calls)"
        )
    return (url.rstrip("/") if url else None), anonymous


def job(cfg: StackConfig, plan: CapacityPlan, args: argparse.Namespace, budget: Any) -> Job:
    """The Google Cloud checks of this plan as one preflight job; ValueError (one line) for a bad local setting."""
    reqs = gcp_requirements(cfg, plan)
    return job_of(reqs, args, budget)


def job_of(reqs: GcpRequirements, args: argparse.Namespace, budget: Any) -> Job:
    """The checks of `reqs` as one preflight job, with the options and budget of this run."""
    url, anonymous = endpoint_of(args)
    clients = GcpClients(
        url,
        anonymous=anonymous,
        max_attempts=args.max_attempts,
        read_timeout_s=budget.read_timeout_s,
        deadline=budget.deadline,
    )
    where = f"project {reqs.project} in {reqs.region}" + (f" via {url}" if url else "")
    return Job(CLOUD, where, lambda: run_gcp_checks(reqs, clients))


if TYPE_CHECKING:  # mypy checks this module against the interface (aidc/clouds/gcp/__init__.py is the lead's)
    from aidc.clouds.base import CloudPreflight
    from aidc.clouds.gcp import preflight as _this_module

    _preflight: CloudPreflight = _this_module
