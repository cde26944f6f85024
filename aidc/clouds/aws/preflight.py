"""AWS preflight checks with boto3: caller identity, instance type offerings in the region and the planned
AZs, EFA support, vCPU quotas per instance family (Service Quotas, falling back to the AWS default), the
EKS NVIDIA AMI (SSM public parameter, falling back to DescribeImages), the Direct Connect locations the
plan orders ports at (DescribeLocations: in the region, offering the port speed, and MACsec at it) and the quota of
dedicated connections per location (Service Quotas, with the connections the account already holds there).

Each check is a function over `AwsRequirements` and an `AwsClients`; `run_aws_checks` runs them in order
and stops after an unreachable endpoint or rejected credentials (every later call would fail alike).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError

from aidc.catalog import INSTANCE_TYPES
from aidc.clouds.aws.catalog import DIRECT_CONNECT_CONNECTIONS_PER_LOCATION, DIRECT_CONNECT_QUOTA_SOURCE
from aidc.clouds.aws.settings import settings_of
from aidc.preflight.deadline import Deadline, Job
from aidc.preflight.report import CheckResult
from aidc.preflight.retry import DEFAULT_MAX_ATTEMPTS, Failure, aws_session, boto_config, classify_aws_error

if TYPE_CHECKING:
    import argparse

    from boto3.session import Session

    from aidc.config.model import StackConfig
    from aidc.sizing.plan import CapacityPlan, DirectConnectLink

CLOUD = "aws"

# The services the checks call: a Literal, so boto3-stubs can pick the `Session.client` overload per service.
AwsService = Literal["directconnect", "ec2", "service-quotas", "ssm", "sts"]

# (family, spot) -> (Service Quotas code in service "ec2", quota name); vCPU-based quotas.
VCPU_QUOTAS: dict[tuple[str, bool], tuple[str, str]] = {
    ("P", False): ("L-417A185B", "Running On-Demand P instances"),
    ("G", False): ("L-DB2E81BA", "Running On-Demand G and VT instances"),
    ("P", True): ("L-7212CCBC", "All P Spot Instance Requests"),
    ("G", True): ("L-3819A6DF", "All G and VT Spot Instance Requests"),
}

# https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html
EKS_NVIDIA_AMI_PARAMETER = (
    "/aws/service/eks/optimized-ami/{version}/amazon-linux-2023/x86_64/nvidia/recommended/image_id"
)
EKS_NVIDIA_AMI_NAME = "amazon-eks-node-al2023-x86_64-nvidia-{version}-*"

REGION_HINT = (
    "choose a region that offers it (aws:region) or restrict aidc:capacity.public.allowed_instance_types"
)


@dataclass(frozen=True)
class InstanceNeed:
    """Public instances of one type and purchase option the plan launches."""

    instance_type: str
    """EC2 instance type, e.g. "p5.48xlarge"."""
    instances: int
    """Instances of this type the plan launches (all workloads together)."""
    vcpus_per_instance: int
    """vCPUs one instance counts against the family quota."""
    quota_family: str
    """Service Quotas family whose vCPU quota bounds the type: "P" or "G"."""
    spot: bool = False
    """True for spot capacity (counted against the spot quota)."""
    efa: bool = False
    """True when the plan relies on EFA for this type."""

    @property
    def vcpus(self) -> int:
        return self.instances * self.vcpus_per_instance


@dataclass(frozen=True)
class DirectConnectNeed:
    """The Direct Connect ports the plan orders."""

    locations: tuple[str, ...]
    """Location codes the links use (e.g. EqDC2)."""
    port_gbps: float
    """Speed of each port (dedicated) or hosted connection."""
    ports: int
    """Ports (or hosted connections) ordered, the spare included."""
    hosted: bool = False
    """Hosted connections from a partner: the partner's port speeds apply, not the location's."""
    macsec: bool = False
    """The plan encrypts the ports with MACsec, so the location must offer it at this speed."""
    ports_per_location: tuple[tuple[str, int], ...] = ()
    """(location, dedicated connections the plan orders there): each counts against the account's quota."""
    connections_per_location: int = 10
    """The quota the plan was sized with (aidc:interconnect.direct_connect.connections_per_location)."""
    connection_names: tuple[str, ...] = ()
    """Names of the plan's own connections: already ordered, they are not counted twice."""


@dataclass(frozen=True)
class AwsRequirements:
    """What the AWS checks verify."""

    region: str
    """AWS region (`aidc:aws.region`, or `aws:region`)."""
    azs: tuple[str, ...]
    """Availability zones every planned instance type must be offered in."""
    instances: tuple[InstanceNeed, ...]
    """Planned GPU instances, one entry per (type, spot)."""
    eks_version: str = "1.31"
    """EKS version whose NVIDIA AMI must resolve."""
    direct_connect: DirectConnectNeed | None = None
    """Direct Connect ports the plan orders, if any."""


def aws_requirements(cfg: StackConfig, plan: CapacityPlan) -> AwsRequirements:
    """What the AWS checks verify for this plan: its GPU instances per (type, spot), zones, EKS and Direct Connect."""
    aws = settings_of(cfg)
    totals: dict[tuple[str, bool], list[int | bool]] = {}
    for group in plan.placement.public:
        if group.location != CLOUD:
            continue
        count = group.instances.int
        if count <= 0:
            continue
        entry = totals.setdefault((group.instance_type, group.spot), [0, False])
        entry[0] = int(entry[0]) + count
        entry[1] = bool(entry[1]) or group.efa
    needs = []
    for (instance_type, spot), (count, efa) in sorted(totals.items()):
        spec = INSTANCE_TYPES[instance_type]
        needs.append(
            InstanceNeed(instance_type, int(count), spec.vcpus, spec.quota_family, spot=spot, efa=bool(efa))
        )
    dx = plan.network.direct_connect
    direct_connect = (
        DirectConnectNeed(
            locations=tuple(dict.fromkeys(link.location for link in dx.links)),
            port_gbps=dx.port_gbps,
            ports=dx.ports.int,
            hosted=dx.hosted,
            macsec=dx.encryption == "macsec",
            ports_per_location=_ports_per_location(dx.links, dx.hosted),
            connections_per_location=cfg.interconnect.direct_connect.connections_per_location,
            # The program names each port <component>-<link>-port-<i> (stacks/clouds/aws.py: component "dx").
            connection_names=tuple(
                f"dx-{link.name}-port-{port}" for link in dx.links for port in range(link.ports)
            )
            if not dx.hosted
            else (),
        )
        if dx is not None
        else None
    )
    return AwsRequirements(aws.region, aws.zones, tuple(needs), aws.eks_version, direct_connect)


def _ports_per_location(links: Sequence[DirectConnectLink], hosted: bool) -> tuple[tuple[str, int], ...]:
    if hosted:  # hosted connections are the partner's, not the account's dedicated ones
        return ()
    counts: dict[str, int] = {}
    for link in links:
        counts[link.location] = counts.get(link.location, 0) + link.ports
    return tuple(counts.items())


class DeadlineExceeded(BotoCoreError):
    """The preflight's --timeout budget was spent before this request could start."""

    fmt = "the --timeout budget of {budget:g} s was spent"


class AwsClients:
    """boto3 clients for one region with the preflight retry and timeout settings (cached per service).

    `endpoint_url` None lets boto3 honour AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>."""

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        session: Session | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 20.0,
        deadline: Deadline | None = None,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.max_attempts = max_attempts
        self._session = session or aws_session()
        self._config = boto_config(max_attempts, connect_timeout_s, read_timeout_s)
        self._clients: dict[AwsService, Any] = {}
        self._deadline = deadline
        if deadline is not None:
            # No request (first attempt or retry) starts once the run's time budget is spent.
            self._session.events.register("before-send", self._refuse_past_deadline)

    def _refuse_past_deadline(self, **kwargs: Any) -> None:
        if self._deadline is not None and self._deadline.passed():
            raise DeadlineExceeded(budget=self._deadline.budget_s)

    def client(self, service: AwsService) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service,
                region_name=self.region,
                config=self._config,
                # None (also for "") is boto3's own default: AWS_ENDPOINT_URL(_<SERVICE>) or the real endpoint.
                endpoint_url=self.endpoint_url or None,
            )
        return self._clients[service]


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def check_identity(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    identity = clients.client("sts").get_caller_identity()
    return [
        CheckResult(
            "aws",
            "credentials",
            f"region {reqs.region}",
            True,
            f"authenticated as {identity.get('Arn', '?')}",
            {"account": identity.get("Account", "?")},
        )
    ]


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def check_offerings(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    types = sorted({need.instance_type for need in reqs.instances})
    if not types:
        return []
    ec2 = clients.client("ec2")
    type_filter = [{"Name": "instance-type", "Values": types}]
    in_region = {
        o["InstanceType"]
        for o in _paginate(
            ec2,
            "describe_instance_type_offerings",
            "InstanceTypeOfferings",
            LocationType="region",
            Filters=type_filter,
        )
    }
    offered_azs: dict[str, set[str]] = {}
    for offering in _paginate(
        ec2,
        "describe_instance_type_offerings",
        "InstanceTypeOfferings",
        LocationType="availability-zone",
        Filters=type_filter,
    ):
        offered_azs.setdefault(offering["InstanceType"], set()).add(offering["Location"])
    results = []
    for instance_type in types:
        azs = sorted(offered_azs.get(instance_type, ()))
        missing = [az for az in reqs.azs if az not in azs]
        target = f"{instance_type} in {reqs.region} ({', '.join(reqs.azs)})"
        figures = {"planned_azs": list(reqs.azs), "offered_azs": azs, "missing_azs": missing}
        if instance_type not in in_region and not azs:
            results.append(
                CheckResult(
                    "aws",
                    "instance-offering",
                    target,
                    False,
                    f"{instance_type} is not offered in region {reqs.region}",
                    figures,
                    REGION_HINT,
                )
            )
        elif missing:
            usable = (
                f"set aidc:aws.azs to zones that offer it ({', '.join(azs)})"
                if len(azs) >= 2
                else REGION_HINT
            )
            results.append(
                CheckResult(
                    "aws",
                    "instance-offering",
                    target,
                    False,
                    f"{instance_type} is not offered in {', '.join(missing)}",
                    figures,
                    usable,
                )
            )
        else:
            results.append(
                CheckResult(
                    "aws",
                    "instance-offering",
                    target,
                    True,
                    f"offered in all {len(reqs.azs)} planned AZs",
                    figures,
                )
            )
    return results


def check_efa(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    types = sorted({need.instance_type for need in reqs.instances if need.efa})
    if not types:
        return []
    found: dict[str, dict[str, Any]] = {}
    for item in _paginate(
        clients.client("ec2"), "describe_instance_types", "InstanceTypes", InstanceTypes=types
    ):
        found[item["InstanceType"]] = item
    results = []
    for instance_type in types:
        info = found.get(instance_type, {}).get("NetworkInfo", {})
        supported = bool(info.get("EfaSupported", False))
        figures = {
            "efa_supported": supported,
            "max_efa_interfaces": info.get("EfaInfo", {}).get("MaximumEfaInterfaces", 0),
        }
        results.append(
            CheckResult(
                "aws",
                "efa",
                instance_type,
                supported,
                "EFA supported" if supported else f"{instance_type} does not support EFA in {reqs.region}",
                figures,
                "" if supported else "pick an EFA-capable type (p4d/p5) for multi-node training",
            )
        )
    return results


def _quota_value(clients: AwsClients, code: str) -> tuple[float, str]:
    """The vCPU quota and where it came from: "applied" (account value) or "default" (AWS default)."""
    quotas = clients.client("service-quotas")
    try:
        response = quotas.get_service_quota(ServiceCode="ec2", QuotaCode=code)
        return float(response["Quota"]["Value"]), "applied"
    except Exception as exc:
        if _error_code(exc) not in ("NoSuchResourceException", "NoSuchResource"):
            raise
    response = quotas.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=code)
    return float(response["Quota"]["Value"]), "default"


def check_vcpu_quotas(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    by_quota: dict[tuple[str, bool], list[InstanceNeed]] = {}
    for need in reqs.instances:
        by_quota.setdefault((need.quota_family, need.spot), []).append(need)
    results = []
    for key, needs in sorted(by_quota.items()):
        if key not in VCPU_QUOTAS:
            raise ValueError(f"quota_family: {key[0]!r} has no vCPU quota code; allowed: P, G")
        code, quota_name = VCPU_QUOTAS[key]
        needed = sum(n.vcpus for n in needs)
        target = f"{quota_name} ({code}) in {reqs.region}"
        try:
            quota, source = _quota_value(clients, code)
        except Exception as exc:
            failure = classify_aws_error(exc, clients.max_attempts)
            if failure.fatal:
                raise
            results.append(_failed("vcpu-quota", target, failure, {"needed_vcpus": needed}))
            continue
        figures = {
            "needed_vcpus": needed,
            "quota_vcpus": quota,
            "quota_source": source,
            "instances": [f"{n.instances}x {n.instance_type} ({n.vcpus_per_instance} vCPU)" for n in needs],
        }
        ok = quota >= needed
        hint = (
            ""
            if ok
            else (
                "request an increase: aws service-quotas request-service-quota-increase --service-code ec2 "
                f"--quota-code {code} --desired-value {needed} --region {reqs.region}"
            )
        )
        detail = (
            f"{needed:,} vCPUs needed, quota {quota:,.0f} ({source}); instances already running count too"
            if ok
            else f"{needed:,} vCPUs needed but the quota is {quota:,.0f} ({source})"
        )
        results.append(CheckResult("aws", "vcpu-quota", target, ok, detail, figures, hint))
    return results


def check_gpu_ami(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    if not reqs.instances:
        return []
    parameter = EKS_NVIDIA_AMI_PARAMETER.format(version=reqs.eks_version)
    target = f"EKS {reqs.eks_version} AL2023 NVIDIA AMI in {reqs.region}"
    try:
        image_id = clients.client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"]
        return [
            CheckResult(
                "aws",
                "gpu-ami",
                target,
                True,
                f"{image_id} from SSM",
                {"ssm_parameter": parameter, "image_id": image_id},
            )
        ]
    except Exception as exc:
        if _error_code(exc) != "ParameterNotFound":
            raise
    pattern = EKS_NVIDIA_AMI_NAME.format(version=reqs.eks_version)
    images = _paginate(
        clients.client("ec2"),
        "describe_images",
        "Images",
        Owners=["amazon", "self"],
        Filters=[{"Name": "name", "Values": [pattern]}, {"Name": "state", "Values": ["available"]}],
    )
    figures: dict[str, Any] = {"ssm_parameter": parameter, "image_name": pattern}
    if not images:
        return [
            CheckResult(
                "aws",
                "gpu-ami",
                target,
                False,
                f"no SSM parameter {parameter} and no image named {pattern}",
                figures,
                "set aidc:aws.eks_version to a version EKS supports in this region",
            )
        ]
    newest = max(images, key=lambda image: image.get("CreationDate", ""))
    figures["image_id"] = newest["ImageId"]
    return [
        CheckResult(
            "aws",
            "gpu-ami",
            target,
            True,
            f"{newest['ImageId']} ({newest.get('Name')}) from DescribeImages",
            figures,
        )
    ]


def _speed_label(gbps: float) -> str:
    """DescribeLocations lists port speeds as '1G', '10G', '100G', '400G'."""
    return f"{gbps:g}G"


def check_direct_connect(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    need = reqs.direct_connect
    if need is None:
        return []
    locations = {
        str(loc.get("locationCode")): loc
        for loc in clients.client("directconnect").describe_locations().get("locations", [])
    }
    speed = _speed_label(need.port_gbps)
    results = []
    for code in need.locations:
        target = f"Direct Connect {code} in {reqs.region}"
        location = locations.get(code)
        if location is None:
            results.append(
                CheckResult(
                    "aws",
                    "direct-connect-location",
                    target,
                    False,
                    f"{code} is not a Direct Connect location of {reqs.region}",
                    {"known_locations": sorted(locations)},
                    "set aidc:interconnect.direct_connect.location to one of the region's locations "
                    "(aws directconnect describe-locations)",
                )
            )
            continue
        speeds = [str(s) for s in location.get("availablePortSpeeds", [])]
        macsec_speeds = [str(s) for s in location.get("availableMacSecPortSpeeds", [])]
        figures: dict[str, Any] = {
            "location_name": location.get("locationName", ""),
            "port_speed": speed,
            "ports": need.ports,
            "available_port_speeds": speeds,
            "available_macsec_port_speeds": macsec_speeds,
        }
        problems: list[str] = []
        hints: list[str] = []
        if not need.hosted and speed not in speeds:
            problems.append(
                f"{code} offers no {speed} dedicated ports (it offers {', '.join(speeds) or 'none'})"
            )
            hints.append("set aidc:interconnect.direct_connect.port_gbps or location")
        if need.macsec and speed not in macsec_speeds:
            problems.append(
                f"{code} offers no MACsec at {speed} (MACsec at {', '.join(macsec_speeds) or 'none'})"
            )
            hints.append(
                "pick a MACsec location, or set aidc:interconnect.direct_connect.macsec: false "
                "(IPsec over Direct Connect)"
            )
        ok = not problems
        detail = (
            f"{need.ports} x {speed}{' hosted' if need.hosted else ''} ports"
            + (" with MACsec" if need.macsec else "")
            + f" at {location.get('locationName', code)}"
            if ok
            else "; ".join(problems)
        )
        results.append(
            CheckResult("aws", "direct-connect-location", target, ok, detail, figures, "; ".join(hints))
        )
    return results


# Service Quotas names the quota "Dedicated connections per location" in service "directconnect"; the code is looked
# up by name (a code is an opaque L-xxxxxxxx), so a renamed quota falls back to the documented default.
DX_QUOTA_SERVICE = "directconnect"
DX_QUOTA_NAME = re.compile(r"connections per (region per )?location", re.IGNORECASE)
DX_GONE = frozenset({"deleting", "deleted", "rejected"})


def _dx_location_quota(clients: AwsClients) -> tuple[float, str]:
    """The applied quota of dedicated connections per location, else AWS's default, else the documented one."""
    quotas = clients.client("service-quotas")
    for operation, source in (
        ("list_service_quotas", "applied"),
        ("list_aws_default_service_quotas", "default"),
    ):
        for quota in _paginate(quotas, operation, "Quotas", ServiceCode=DX_QUOTA_SERVICE):
            if DX_QUOTA_NAME.search(str(quota.get("QuotaName", ""))):
                return float(quota["Value"]), f"{source}: {quota.get('QuotaName')} ({quota.get('QuotaCode')})"
    return float(
        DIRECT_CONNECT_CONNECTIONS_PER_LOCATION
    ), f"documented default ({DIRECT_CONNECT_QUOTA_SOURCE})"


def check_direct_connect_quota(clients: AwsClients, reqs: AwsRequirements) -> list[CheckResult]:
    """The dedicated connections the plan orders at each location, with those the account already holds there
    (DescribeConnections, the plan's own excluded), within the quota of connections per location."""
    need = reqs.direct_connect
    if need is None or not need.ports_per_location:
        return []
    quota, source = _dx_location_quota(clients)
    existing: dict[str, int] = {}
    response = clients.client("directconnect").describe_connections()
    for connection in response.get("connections", []):
        if (
            connection.get("connectionState") in DX_GONE
            or connection.get("connectionName") in need.connection_names
        ):
            continue
        location = str(connection.get("location", ""))
        existing[location] = existing.get(location, 0) + 1
    results = []
    for location, planned in need.ports_per_location:
        held = existing.get(location, 0)
        ok = planned + held <= quota
        figures = {"planned": planned, "existing": held, "quota": quota, "quota_source": source}
        hint = (
            ""
            if ok
            else (
                f"ask AWS to raise it (aws service-quotas request-service-quota-increase --service-code "
                f"{DX_QUOTA_SERVICE} --quota-code <the quota's code> --desired-value {planned + held} --region "
                f"{reqs.region}, or a support case), or list more locations in aidc:interconnect.direct_connect.locations"
            )
        )
        detail = (
            f"{planned} planned + {held} existing dedicated connections ≤ {quota:,.0f} per location ({source})"
            if ok
            else f"{planned} planned + {held} existing dedicated connections exceed the quota of {quota:,.0f} per "
            f"location ({source})"
        )
        results.append(
            CheckResult(
                "aws",
                "direct-connect-quota",
                f"Direct Connect {location} in {reqs.region}",
                ok,
                detail,
                figures,
                hint,
            )
        )
    if quota < need.connections_per_location:
        results.append(
            CheckResult(
                "aws",
                "direct-connect-quota",
                f"aidc:interconnect.direct_connect.connections_per_location in {reqs.region}",
                False,
                f"the plan was sized with {need.connections_per_location} connections per location but the account's "
                f"quota is {quota:,.0f} ({source})",
                {"configured": need.connections_per_location, "quota": quota},
                "lower aidc:interconnect.direct_connect.connections_per_location to the quota, or have AWS raise it",
            )
        )
    return results


def _failed(name: str, target: str, failure: Failure, figures: dict[str, Any] | None = None) -> CheckResult:
    return CheckResult("aws", name, target, False, failure.reason, figures or {}, failure.hint)


CHECKS: tuple[tuple[str, Callable[[AwsClients, AwsRequirements], list[CheckResult]]], ...] = (
    ("credentials", check_identity),
    ("instance-offering", check_offerings),
    ("efa", check_efa),
    ("vcpu-quota", check_vcpu_quotas),
    ("gpu-ami", check_gpu_ami),
    ("direct-connect-location", check_direct_connect),
    ("direct-connect-quota", check_direct_connect_quota),
)


def run_aws_checks(reqs: AwsRequirements, clients: AwsClients) -> list[CheckResult]:
    """All AWS checks in order; a network or credentials failure is reported once and ends the run."""
    results: list[CheckResult] = []
    for name, check in CHECKS:
        try:
            results.extend(check(clients, reqs))
        except Exception as exc:
            failure = classify_aws_error(exc, clients.max_attempts)
            target = f"region {reqs.region}" + (
                f" via {clients.endpoint_url}" if clients.endpoint_url else ""
            )
            results.append(_failed(name, target, failure))
            if failure.fatal:
                break
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`aidc preflight`'s AWS options."""
    parser.add_argument(
        "--aws-endpoint-url",
        metavar="URL",
        help="AWS endpoint for every service (default: $AWS_ENDPOINT_URL; e.g. a moto server, see docs)",
    )


def job(cfg: StackConfig, plan: CapacityPlan, args: argparse.Namespace, budget: Any) -> Job:
    """The AWS checks of this plan as one preflight job; raises AwsProfileError for an unknown AWS_PROFILE."""
    reqs = aws_requirements(cfg, plan)
    clients = AwsClients(
        reqs.region,
        endpoint_url=args.aws_endpoint_url,
        max_attempts=args.max_attempts,
        connect_timeout_s=budget.connect_timeout_s,
        read_timeout_s=budget.read_timeout_s,
        deadline=budget.deadline,
    )
    where = f"region {reqs.region}" + (f" via {args.aws_endpoint_url}" if args.aws_endpoint_url else "")
    return Job(CLOUD, where, lambda: run_aws_checks(reqs, clients))
