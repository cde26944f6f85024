"""The Args of AwsGpuCluster: AwsGpuClusterArgs and its GpuNodeGroup records, validated when constructed.

Pure pydantic: a bad value raises a ValidationError (a ValueError) naming the field and what is allowed before
any resource exists. Field names, defaults and meanings are a contract with stacks/program.py.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from aidc.contract import EKS_ADDONS, SYSTEM_NODE_GROUP, EksAddon, ReservationKind
from aidc.types import EksAddonVersion, FrozenArgs, IamRoleArn, IPv4Cidr, Slug, field_error
from components._args import (
    IPv4SourceCidr,
    LogRetentionDays,
    NodeLabels,
    first_repeat,
    matching,
    prefix_length,
)
from components.aws_gpu_cluster.deploy_access import DeployAccess

InstanceType = Annotated[
    str, matching(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$", "an EC2 instance type such as 'p5.48xlarge'")
]
"""An EC2 instance type name: family, '.', size."""
AvailabilityZone = Annotated[
    str, matching(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$", "a zone name such as 'us-east-1a'")
]
"""An availability zone name (not a zone id)."""
EksVersion = Annotated[str, matching(r"^1\.(2[89]|3\d)$", "a supported minor version '1.28'..'1.39'")]
"""A Kubernetes minor version EKS runs."""
# The node group the component always declares; a GPU group may not take its name.
SYSTEM_GROUP = SYSTEM_NODE_GROUP
IsoDate = Annotated[str, matching(r"^\d{4}-\d{2}-\d{2}$", "a date 'YYYY-MM-DD'")]
"""A calendar date (UTC)."""
AmiAlias = Annotated[
    str, matching(r"^al2023@v\d{8}$", "an AL2023 EKS-optimized AMI release pinned as 'al2023@vYYYYMMDD'")
]
"""A Karpenter amiSelectorTerms alias pinned to one EKS AMI release (never @latest: that drifts every node)."""
KarpenterVersion = Annotated[str, matching(r"^\d+\.\d+\.\d+$", "a chart version such as '1.14.1'")]
"""A Karpenter Helm chart version (no 'v': the OCI charts are tagged without it since 0.35)."""
ChartVersion = Annotated[
    str, matching(r"^v?[0-9]+\.[0-9]+\.[0-9]+$", "a pinned chart version such as '0.17.1'")
]
"""A Helm chart version, pinned (never a range)."""


class CapacityReservationSpec(FrozenArgs):
    """Capacity reserved for one GPU group until a deadline: the instances, the term and how it is bought."""

    kind: ReservationKind
    """'capacity-block' buys EC2 Capacity Blocks for ML (paid up front, cannot be cancelled);
    'capacity-reservation' creates a targeted On-Demand Capacity Reservation (billed hourly until end_date)."""
    instances: Annotated[int, Field(ge=1, le=1000)]
    """Instances reserved (a Capacity Reservation holds 1..1000)."""
    start_date: IsoDate
    """The first day of the term (UTC): Capacity Block offerings are searched from it."""
    end_date: IsoDate
    """The day the term ends (UTC, 00:00): the reservation's end date."""
    days: Annotated[int, Field(ge=1, le=366)]
    """Length of the term in days (a Capacity Block: 1..14, then multiples of 7 up to 182)."""
    blocks: tuple[Annotated[int, Field(ge=1, le=64)], ...] = ()
    """Instances per Capacity Block (each at most 64); empty for a Capacity Reservation."""

    @model_validator(mode="after")
    def _blocks_hold_the_instances(self) -> Self:
        if self.kind == "capacity-block":
            if sum(self.blocks) != self.instances:
                raise field_error(
                    "blocks", f"must add up to instances ({self.instances}), got {list(self.blocks)!r}"
                )
            if self.days > 14 and self.days % 7:
                raise field_error(
                    "days", f"a Capacity Block past 14 days lasts a multiple of 7, got {self.days}"
                )
        elif self.blocks:
            raise field_error("blocks", "only for kind 'capacity-block'")
        if self.end_date <= self.start_date:
            raise field_error("end_date", f"must be after start_date {self.start_date}, got {self.end_date}")
        return self


# The EKS managed add-ons the component pins: the contract's EksAddon (config names the same ones).
MANAGED_ADDONS = EKS_ADDONS
AddonVersion = EksAddonVersion
"""An EKS add-on version as DescribeAddonVersions lists it."""
# The component's defaults for the one EKS minor it defaults to; the stack program passes the versions of
# aidc/versions.py (EKS_ADDON_VERSIONS, the table every pin comes from; tests/versions holds these equal to it),
# vendored with their source in tests/conformance/upstream/eks/addon-versions.json.
PINNED_ADDON_VERSIONS: dict[str, dict[str, str]] = {
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
S3Prefix = Annotated[str, matching(r"^[a-z0-9][a-z0-9-]*/$", "an S3 key prefix such as 'chat/'")]
"""A key prefix of the dataset bucket: one workload's part of it."""


class WorkloadIdentity(FrozenArgs):
    """A workload's pod identity: its service account may read and write its prefix of the dataset bucket."""

    name: Slug
    """The workload's name (part of the role's and the association's resource names)."""
    namespace: Slug
    """Kubernetes namespace of the service account."""
    service_account: Slug
    """Kubernetes service account the workload's pods run as; EKS Pod Identity hands it the role."""
    prefix: S3Prefix
    """The workload's key prefix in the dataset bucket (its datasets and checkpoints)."""


def _two_distinct_zones(azs: tuple[str, ...]) -> tuple[str, ...]:
    if len(azs) < 2:
        raise ValueError(f"must list at least two availability zones, got {list(azs)!r}")
    if len(set(azs)) != len(azs):
        raise ValueError(f"zones must be distinct, got {list(azs)!r}")
    return azs


class GpuNodeGroup(FrozenArgs):
    """One planned GPU group (one instance type) of the EKS cluster: a Karpenter NodePool and its EC2NodeClass."""

    name: Slug
    """Stable slug chosen by the caller; part of child names, so never derive it from a count."""
    instance_type: InstanceType
    """EC2 instance type, e.g. 'p5.48xlarge'."""
    desired: Annotated[int, Field(ge=0)]
    """Where the group starts: the plan's baseline (Karpenter keeps no count; the workloads' replicas decide)."""
    min_size: Annotated[int, Field(ge=0)]
    """Minimum number of instances the group may scale down to (the plan's baseline)."""
    max_size: Annotated[int, Field(ge=1)]
    """Maximum number of instances (>= 1): the NodePool's limits are max_size times one instance's GPUs and vCPUs."""
    spot: bool = False
    """True runs the group on Spot capacity, False on On-Demand (or on its reservation, when it has one)."""
    vcpus_per_instance: Annotated[int, Field(ge=0)] = 0
    """vCPUs of one instance, for the NodePool's CPU limit; 0 leaves CPU unlimited (GPUs still bound it)."""
    reservation: CapacityReservationSpec | None = None
    """Capacity reserved for the group (deadline training); the NodePool then launches only into it."""
    annotations: dict[str, str] = Field(default_factory=dict)
    """Annotations of the group's NodePool (e.g. the planned range and quota the policies check)."""
    efa: bool = False
    """True attaches EFA interfaces and a cluster placement group (only for EFA-capable instance types)."""
    efa_interfaces: Annotated[int, Field(ge=1, le=32)] = 1
    """EFA devices per instance, one per network card (p5.48xlarge: 32, p4d.24xlarge: 4); used when efa."""
    gpus_per_instance: Annotated[int, Field(ge=1)] = 8
    """GPUs per instance, recorded as a node label."""
    accelerator: Slug = "h100-80gb"
    """Catalog accelerator key, recorded as a node label."""
    labels: NodeLabels = Field(default_factory=dict)
    """Extra Kubernetes node labels."""
    tags: dict[str, str] = Field(default_factory=dict)
    """The plan's facts as AWS tag keys (aidc:*), for callers that read them back; AWS resources of the group carry
    only the component's tags and aidc:node-group (50 tags per resource, 42 of them the user's), and the policies
    read the NodePool's annotations."""

    @model_validator(mode="after")
    def _reservation_is_on_demand(self) -> Self:
        if self.reservation is not None and self.spot:
            raise field_error("spot", "a group with a reservation runs on it, not on Spot")
        if self.reservation is not None and self.reservation.instances < self.max_size:
            raise field_error(
                "reservation.instances",
                f"must hold max_size ({self.max_size}) instances, got {self.reservation.instances}",
            )
        return self

    @model_validator(mode="after")
    def _sizes_in_order(self) -> Self:
        if not self.min_size <= self.desired <= self.max_size:
            raise field_error(
                "desired",
                "must satisfy 0 <= min_size <= desired <= max_size, got "
                f"min_size={self.min_size} desired={self.desired} max_size={self.max_size}",
            )
        return self


class AwsGpuClusterArgs(FrozenArgs):
    """Inputs of AwsGpuCluster: the public slice of the capacity plan plus site facts."""

    azs: Annotated[tuple[AvailabilityZone, ...], AfterValidator(_two_distinct_zones)]
    """Availability zones to span (at least two, distinct), e.g. ('us-east-1a', 'us-east-1b')."""
    vpc_cidr: Annotated[IPv4Cidr, prefix_length(16, 22)] = "10.40.0.0/16"
    """IPv4 CIDR of the VPC, /16 to /22; split evenly into one private and one public subnet per AZ."""
    eks_version: EksVersion = "1.35"
    """Kubernetes minor version of the EKS control plane, e.g. '1.35' (the program passes aidc/versions.py's)."""
    system_instance_type: InstanceType = "m6i.large"
    """Instance type of the system node group (CoreDNS, device plugin, controllers)."""
    system_nodes: Annotated[int, Field(ge=1)] = 2
    """Number of system nodes (>= 1; the group may grow to twice this)."""
    endpoint_public_access: bool = False
    """Expose the EKS API endpoint publicly; False keeps it private to the VPC (the private endpoint is always on)."""
    public_access_cidrs: tuple[IPv4SourceCidr, ...] = ()
    """CIDRs allowed to reach a public endpoint; required (and never 0.0.0.0/0) when endpoint_public_access."""
    api_access_cidrs: tuple[IPv4SourceCidr, ...] = ()
    """Networks outside the VPC that reach the private API endpoint (443 on the cluster security group), e.g. the
    private cloud network `pulumi up` runs in, over the VPN interconnect. Empty: only the VPC."""
    node_volume_gb: Annotated[int, Field(ge=20)] = 200
    """Root EBS volume size of every node in GB (gp3, encrypted with the component's KMS key)."""
    log_retention_days: LogRetentionDays = 365
    """Retention of the control-plane and VPC flow log groups in days."""
    gpu_node_groups: tuple[GpuNodeGroup, ...] = ()
    """Planned GPU groups; one Karpenter NodePool and EC2NodeClass each (Karpenter is installed when any exists)."""
    karpenter_version: KarpenterVersion = "1.14.1"
    """Karpenter chart (and CRD chart) version, pinned: the NodePool/EC2NodeClass shapes follow its CRDs."""
    nvidia_device_plugin_version: ChartVersion = "0.17.1"
    """NVIDIA device plugin chart version, pinned (the program passes aidc/versions.py's)."""
    efa_device_plugin_version: ChartVersion = "v0.5.30"
    """EFA device plugin chart version, pinned (the program passes aidc/versions.py's)."""
    gpu_ami_alias: AmiAlias = "al2023@v20260724"
    """EKS-optimized AL2023 AMI release for GPU nodes; Karpenter picks the NVIDIA variant for GPU types."""
    addon_versions: dict[EksAddon, AddonVersion] = Field(default_factory=dict)
    """EKS managed add-on versions by name (vpc-cni, coredns, kube-proxy, eks-pod-identity-agent); each name left
    out takes the version pinned for eks_version (PINNED_ADDON_VERSIONS above)."""
    workload_identities: tuple[WorkloadIdentity, ...] = ()
    """Workloads whose pods reach the dataset bucket through EKS Pod Identity (one role and association each)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Tags added to every taggable child."""
    trail_name: (
        Annotated[
            str,
            matching(
                r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$", "a CloudTrail trail name (3-128 of A-Za-z0-9._-)"
            ),
        ]
        | None
    ) = None
    """Name of the audit trail, unique in the account (a multi-region trail exists in every region), e.g.
    'aidc-prod-trail'; None: '<component name>-trail'."""
    deploy_role_arn: IamRoleArn | None = None
    """IAM role that runs `pulumi up`: an EKS access entry in the Kubernetes group the deploy RBAC objects bind,
    with exactly what the add-ons need (deploy_access.py), never an access policy; None declares none (then nobody can
    apply the add-ons: the creator gets no bootstrap grant)."""
    addon_access: DeployAccess = DeployAccess(charts={})
    """What the program applies on the cluster with the deploy role besides the component's own add-ons (the device
    plugins, Karpenter and its pools): charts at their versions and objects, so the deploy role may apply them."""
    admin_role_arn: IamRoleArn | None = None
    """IAM role of the cluster's operators: an EKS access entry with AmazonEKSClusterAdminPolicy, cluster-wide;
    None declares none."""

    @model_validator(mode="after")
    def _one_entry_per_role(self) -> Self:
        # EKS holds one access entry per principal: the same role twice would fail on creation.
        if self.deploy_role_arn is not None and self.deploy_role_arn == self.admin_role_arn:
            raise field_error(
                "admin_role_arn",
                f"{self.admin_role_arn!r} is also deploy_role_arn; EKS keeps one access entry per role, "
                "name two different roles",
            )
        return self

    @model_validator(mode="after")
    def _public_access_only_to_named_networks(self) -> Self:
        if self.endpoint_public_access and not self.public_access_cidrs:
            raise field_error(
                "public_access_cidrs",
                "required when endpoint_public_access is True (name the admin networks)",
            )
        if not self.endpoint_public_access and self.public_access_cidrs:
            raise field_error("public_access_cidrs", "only allowed with endpoint_public_access True")
        return self

    @model_validator(mode="after")
    def _addons_known(self) -> Self:
        pinned = PINNED_ADDON_VERSIONS.get(self.eks_version, {})
        missing = [
            addon for addon in MANAGED_ADDONS if addon not in self.addon_versions and addon not in pinned
        ]
        if missing:
            raise field_error(
                "addon_versions",
                f"no pinned version of {missing} for EKS {self.eks_version} (pinned for "
                f"{sorted(PINNED_ADDON_VERSIONS)}): give them, from `aws eks describe-addon-versions "
                f"--kubernetes-version {self.eks_version}`",
            )
        index = first_repeat([identity.name for identity in self.workload_identities])
        if index is not None:
            raise field_error(f"workload_identities[{index}].name", "is used twice; names must be unique")
        return self

    def addon_version(self, addon: EksAddon) -> str:
        """The version of one managed add-on: the configured one, else the one pinned for eks_version."""
        return self.addon_versions.get(addon) or PINNED_ADDON_VERSIONS[self.eks_version][addon]

    @model_validator(mode="after")
    def _node_group_names_unique(self) -> Self:
        seen = {SYSTEM_GROUP}
        for index, group in enumerate(self.gpu_node_groups):
            if group.name in seen:
                raise field_error(
                    f"gpu_node_groups[{index}].name",
                    f"{group.name!r} is already used; names must be unique and not {SYSTEM_GROUP!r}",
                )
            seen.add(group.name)
        return self
