"""The Args of GcpGpuCluster: GcpGpuClusterArgs and its GpuNodePool, NodePoolReservation and WorkloadIdentity
records, validated when constructed.

Pure pydantic: a bad value raises a ValidationError (a ValueError) naming the field and what is allowed before any
resource exists. Every name rule is Google Cloud's own, with its source beside it. Field names, defaults and
meanings are a contract with stacks/clouds/gcp.py.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from aidc.contract import SYSTEM_NODE_GROUP, GkeReleaseChannel
from aidc.types import FrozenArgs, IPv4Cidr, Slug, admin_sources_problem, field_error
from components._args import IPv4SourceCidr, NodeLabels, first_repeat, matching, prefix_length

# Project IDs: 6-30 lowercase letters, digits and hyphens, from a letter, not ending with a hyphen
# (cloud.google.com/resource-manager/docs/creating-managing-projects).
GcpProject = Annotated[str, matching(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$", "a Google Cloud project ID")]
"""A Google Cloud project ID."""
Region = Annotated[str, matching(r"^[a-z]+-[a-z]+[0-9]{1,2}$", "a region such as 'us-central1'")]
"""A Compute Engine region."""
Zone = Annotated[str, matching(r"^[a-z]+-[a-z]+[0-9]{1,2}-[a-z]$", "a zone such as 'us-central1-a'")]
"""A Compute Engine zone."""
MachineType = Annotated[
    str, matching(r"^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$", "a machine type such as 'a3-highgpu-8g'")
]
"""A Compute Engine machine type name."""
AcceleratorType = Annotated[
    str, matching(r"^nvidia-[a-z0-9]+(-[a-z0-9]+)*$", "a GKE accelerator type such as 'nvidia-h100-80gb'")
]
"""An accelerator type as GKE node pools name it (cloud.google.com/kubernetes-engine/docs/how-to/gpus)."""
# GKE: cluster names 1-40 characters, node pool names 1-40 ([a-z]([-a-z0-9]*[a-z0-9])?): container.v1
# projects.locations.clusters / nodePools "name" (the API refuses longer ones).
GkeName = Annotated[Slug, StringConstraints(max_length=40)]
"""A GKE cluster or node pool name (a lower-case DNS label of at most 40 characters)."""
# IAM service account IDs: 6-30 characters, [a-z]([-a-z0-9]*[a-z0-9]) (cloud.google.com/iam/docs/service-accounts-create).
ACCOUNT_ID_MAX = 30
ACCOUNT_ID_PREFIX = "aidc-"
SYSTEM_POOL = SYSTEM_NODE_GROUP
GpuDriverVersion = Literal["DEFAULT", "LATEST"]
ReleaseChannel = GkeReleaseChannel
GpuDirect = Literal["none", "tcpxo"]
# GCP labels: keys 1-63 of [a-z0-9_-] from a lowercase letter, values 0-63 of [a-z0-9_-], at most 64 per resource
# (cloud.google.com/compute/docs/labeling-resources#requirements).
GCP_LABEL_KEY = r"^[a-z][a-z0-9_-]{0,62}$"
GCP_LABEL_VALUE = r"^[a-z0-9_-]{0,63}$"
GCP_MAX_LABELS = 64
LABELS_ADDED = (
    4  # the component adds aidc-component, and node pools aidc-node-group, aidc-workload, aidc-location
)


def _gcp_labels(labels: dict[str, str]) -> dict[str, str]:
    if len(labels) > GCP_MAX_LABELS - LABELS_ADDED:
        raise ValueError(
            f"{len(labels)} labels: Google Cloud allows {GCP_MAX_LABELS}, the component adds {LABELS_ADDED}"
        )
    for key, value in labels.items():
        if not re.fullmatch(GCP_LABEL_KEY, key, re.ASCII) or not re.fullmatch(
            GCP_LABEL_VALUE, value, re.ASCII
        ):
            raise ValueError(
                f"{key}={value} is not a Google Cloud label: keys 1-63 of lowercase letters, digits, '_' and '-' "
                "from a letter; values 0-63 of the same"
            )
    return labels


GcpLabels = Annotated[dict[str, str], AfterValidator(_gcp_labels)]
"""Google Cloud resource labels (lowercase keys and values)."""
IsoDate = Annotated[str, matching(r"^\d{4}-\d{2}-\d{2}$", "a date 'YYYY-MM-DD'")]
"""A calendar date (UTC)."""


class NodePoolReservation(FrozenArgs):
    """A specific Compute Engine reservation a GPU pool consumes: its machines, held in one zone until end_date."""

    instances: Annotated[int, Field(ge=1, le=1000)]
    """VMs reserved (the pool's maximum)."""
    end_date: IsoDate
    """The day the term ends (UTC, 00:00): the reservation deletes itself then (delete_at_time)."""


class GpuNodePool(FrozenArgs):
    """One planned GPU group of the cluster: a GKE node pool of one machine type."""

    name: GkeName
    """Stable name (the plan's group name, `<workload>-<machine type>`); never derived from a count."""
    machine_type: MachineType
    """Compute Engine machine type, e.g. 'a3-highgpu-8g'."""
    accelerator_type: AcceleratorType
    """The GPU as GKE names it, e.g. 'nvidia-h100-80gb' (the catalog's GPU_ACCELERATOR_TYPES)."""
    gpus_per_node: Annotated[int, Field(ge=1, le=16)]
    """GPUs of one machine (guest accelerator count)."""
    accelerator: Slug
    """Catalog accelerator key (e.g. 'h100-80gb'): the aidc.io/accelerator label the Kueue flavor selects."""
    min_nodes: Annotated[int, Field(ge=0)]
    """The plan's baseline: the pool's total minimum node count."""
    max_nodes: Annotated[int, Field(ge=1)]
    """The plan's peak: the pool's total maximum node count."""
    fixed: bool = False
    """A fixed pool (training: every node for the whole run) declares max_nodes nodes and no autoscaling."""
    zones: tuple[Zone, ...]
    """Zones the pool's nodes run in; a fixed or compact pool runs in exactly one."""
    spot: bool = False
    """Spot VMs (preemptible) instead of on-demand."""
    compact: bool = False
    """Compact placement (one placement policy keeps the nodes close: multi-node training)."""
    gpudirect: GpuDirect = "none"
    """'tcpxo': the eight GPU NICs of A3 Mega on the cluster's GPUDirect-TCPXO networks."""
    gpu_driver_version: GpuDriverVersion = "LATEST"
    """The NVIDIA driver GKE installs (gpu_driver_installation_config)."""
    disk_type: Literal["pd-balanced", "pd-ssd", "hyperdisk-balanced"] = "pd-balanced"
    """Boot disk type (A3 Ultra takes Hyperdisk only)."""
    disk_size_gb: Annotated[int, Field(ge=50, le=65536)] = 200
    """Boot disk size in GB (encrypted with the cluster's key)."""
    reservation: NodePoolReservation | None = None
    """A specific reservation the pool consumes only (deadline training); None: on-demand or spot."""
    labels: NodeLabels = Field(default_factory=dict)
    """Kubernetes node labels: the flavor's (aidc.io/accelerator, aidc.io/location) and the plan's facts."""
    gcp_labels: GcpLabels = Field(default_factory=dict)
    """Google Cloud labels of the pool's VMs (aidc-workload, aidc-location: slugs only)."""

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.min_nodes > self.max_nodes:
            raise field_error(
                "min_nodes", f"must not exceed max_nodes ({self.max_nodes}), got {self.min_nodes}"
            )
        if self.fixed and self.min_nodes != self.max_nodes:
            raise field_error(
                "min_nodes",
                f"a fixed pool has min_nodes == max_nodes, got {self.min_nodes}..{self.max_nodes}",
            )
        if (self.fixed or self.compact) and len(self.zones) != 1:
            raise field_error("zones", f"a fixed or compact pool runs in one zone, got {list(self.zones)}")
        if not self.zones or len(set(self.zones)) != len(self.zones):
            raise field_error("zones", f"must list distinct zones, got {list(self.zones)}")
        if self.reservation is not None:
            if self.spot:
                raise field_error("spot", "a pool with a reservation runs on it, not on Spot")
            if self.reservation.instances < self.max_nodes:
                raise field_error(
                    "reservation.instances",
                    f"must hold max_nodes ({self.max_nodes}), got {self.reservation.instances}",
                )
        if self.gpudirect == "tcpxo" and self.machine_type != "a3-megagpu-8g":
            raise field_error(
                "gpudirect", f"GPUDirect-TCPXO is A3 Mega's (a3-megagpu-8g), not {self.machine_type}"
            )
        return self


class WorkloadIdentity(FrozenArgs):
    """A workload's Google service account, bound to its Kubernetes service account through Workload Identity, with
    read/write access to its prefix of the datasets bucket only."""

    name: Slug
    """The workload's name: its service account ID is 'aidc-<name>' (6-30 characters)."""
    namespace: Slug
    """Kubernetes namespace of the workload's service account."""
    service_account: Slug
    """Kubernetes service account the workload's pods run as."""
    prefix: Annotated[str, matching(r"^[a-z0-9][a-z0-9-]*/$", "an object prefix such as 'chat/'")]
    """The workload's object prefix in the datasets bucket."""

    @property
    def account_id(self) -> str:
        return f"{ACCOUNT_ID_PREFIX}{self.name}"

    @model_validator(mode="after")
    def _account_id_fits(self) -> Self:
        if not 6 <= len(self.account_id) <= ACCOUNT_ID_MAX:
            raise field_error(
                "name", f"service account ID {self.account_id!r} must be 6-{ACCOUNT_ID_MAX} characters"
            )
        return self


def _split_gpudirect(value: str) -> str:
    if ipaddress.ip_network(value).prefixlen > 21:
        raise ValueError(f"must hold eight /24 subnets (a /21 or larger), got {value!r}")
    return value


class GcpGpuClusterArgs(FrozenArgs):
    """Inputs of GcpGpuCluster: the Google Cloud slice of the capacity plan plus site facts."""

    cluster_name: GkeName
    """The GKE cluster's name (known before it exists: queues and labels name it)."""
    project: GcpProject | None = None
    """Project of every resource; None: the provider's (gcp:project)."""
    region: Region
    """Region of the VPC subnet, the regional cluster, the key ring and the bucket."""
    zones: Annotated[tuple[Zone, ...], Field(min_length=1, max_length=8)]
    """Zones of the region the cluster's nodes run in."""
    network_cidr: Annotated[IPv4Cidr, prefix_length(8, 29)] = "10.40.0.0/20"
    """The subnet's primary range (nodes)."""
    pods_cidr: Annotated[IPv4Cidr, prefix_length(9, 24)] = "10.44.0.0/14"
    """Secondary range 'pods' (VPC-native Pod addresses)."""
    services_cidr: Annotated[IPv4Cidr, prefix_length(16, 27)] = "10.48.0.0/20"
    """Secondary range 'services'."""
    master_cidr: Annotated[IPv4Cidr, prefix_length(28, 28)] = "10.49.0.0/28"
    """The private control plane's /28."""
    gpudirect_cidr: Annotated[IPv4Cidr, AfterValidator(_split_gpudirect)] = "192.168.0.0/21"
    """Eight /24s for the GPUDirect-TCPXO networks (separate VPCs, routed nowhere), when A3 Mega is planned."""
    master_authorized_cidrs: Annotated[tuple[IPv4SourceCidr, ...], Field(min_length=1)]
    """The only networks that reach the control plane's private endpoint: the private cloud, the deploy network,
    the admin networks. Never the internet."""
    release_channel: ReleaseChannel = "REGULAR"
    """GKE release channel: control plane and nodes upgrade within it."""
    system_machine_type: MachineType = "e2-standard-4"
    """Machine type of the system pool (Kueue, Prometheus, GKE's own system pods)."""
    system_nodes: Annotated[int, Field(ge=1, le=20)] = 1
    """System nodes per zone."""
    router_asn: Annotated[int, Field(ge=64512, le=4_294_967_294)] = 64520
    """The Cloud Router's private ASN (its BGP sessions are the interconnect's)."""
    key_rotation_days: Annotated[int, Field(ge=1, le=365)] = 90
    """Rotation period of the Cloud KMS key (secrets, boot disks, the buckets)."""
    log_retention_days: Annotated[int, Field(ge=1, le=3650)] = 365
    """Days the access-log bucket keeps its objects."""
    flow_log_sampling: Annotated[float, Field(gt=0, le=1)] = 0.5
    """Share of the subnet's flows VPC Flow Logs report."""
    deletion_protection: bool = True
    """GKE deletion protection (the API refuses to delete the cluster while on)."""
    gpu_node_pools: tuple[GpuNodePool, ...] = ()
    """Planned GPU groups: one node pool each."""
    workload_identities: tuple[WorkloadIdentity, ...] = ()
    """Workloads whose pods reach the datasets bucket through Workload Identity."""
    labels: GcpLabels = Field(default_factory=dict)
    """Google Cloud labels on every labelled child."""

    @model_validator(mode="after")
    def _private_sources(self) -> Self:
        if problem := admin_sources_problem(self.master_authorized_cidrs):
            raise field_error("master_authorized_cidrs", problem)
        return self

    @model_validator(mode="after")
    def _ranges_apart(self) -> Self:
        ranges = {
            "network_cidr": self.network_cidr,
            "pods_cidr": self.pods_cidr,
            "services_cidr": self.services_cidr,
            "master_cidr": self.master_cidr,
        }
        named = list(ranges.items())
        for i, (key, cidr) in enumerate(named):
            for other, other_cidr in named[:i]:
                if ipaddress.ip_network(cidr).overlaps(ipaddress.ip_network(other_cidr)):
                    raise field_error(key, f"{cidr} overlaps {other} ({other_cidr})")
        return self

    @model_validator(mode="after")
    def _names_unique(self) -> Self:
        names = [SYSTEM_POOL, *(pool.name for pool in self.gpu_node_pools)]
        index = first_repeat(names)
        if index is not None:
            raise field_error(
                f"gpu_node_pools[{index - 1}].name", f"{names[index]!r} is used twice (or is {SYSTEM_POOL!r})"
            )
        index = first_repeat([identity.name for identity in self.workload_identities])
        if index is not None:
            raise field_error(f"workload_identities[{index}].name", "is used twice; names must be unique")
        for i, pool in enumerate(self.gpu_node_pools):
            strays = [zone for zone in pool.zones if zone not in self.zones]
            if strays:
                raise field_error(
                    f"gpu_node_pools[{i}].zones", f"{strays} are not among the cluster's {list(self.zones)}"
                )
        return self

    @property
    def gpudirect(self) -> bool:
        """True when an A3 Mega pool needs the GPUDirect-TCPXO networks."""
        return any(pool.gpudirect == "tcpxo" for pool in self.gpu_node_pools)

    @property
    def workload_pool(self) -> str | None:
        """The Workload Identity pool, when the project is known here."""
        return None if self.project is None else f"{self.project}.svc.id.goog"


def gpudirect_subnets(cidr: str) -> list[str]:
    """The eight /24s of the GPUDirect-TCPXO networks, in NIC order."""
    return [str(net) for net in list(ipaddress.ip_network(cidr).subnets(new_prefix=24))[:8]]
