"""The CapacityPlan: what the sizing engine hands to the stack program, and to `aidc size --json`.

Frozen dataclasses only. Counts are `Figure`s (value + formula + inputs). Everything a component needs is
here, keyed by stable names (workload, site, instance type, accelerator) so that growing demand changes
counts, never names. No Pulumi import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from aidc.catalog import ServicePrice, TransferPrice
from aidc.contract import (
    EDGE,
    PRIVATE,
    CephFailureDomain,
    CephPoolKind,
    Classification,
    DirectConnectBandwidth,
    Every,
    K3sServers,
    LinkEncryption,
    Location,
    PublicCloud,
    ReservationKind,
    TransferDirection,
    WeightPrecision,
    WorkloadKind,
)
from aidc.sizing.figure import Figure


@dataclass(frozen=True)
class TrainingSizing:
    name: str
    accelerator: str
    classification: Classification
    flops: Figure
    gpu_hours: Figure
    gpus: Figure  # rounded up to whole nodes
    nodes: Figure  # the larger of the compute (deadline) and memory (model states) answers
    spot: bool
    state_gpus: Figure  # GPUs whose memory holds the sharded model states (weights, gradients, Adam)
    bound: str  # "compute" (the deadline decided) or "memory" (the model states decided)
    mfu: Figure | None = None  # the MFU used: given, or the default for the run's scale (MFU_BY_SCALE)
    every: str = "once"  # day | week | month | once: how often the run repeats
    run_hours: Figure | None = None  # wall-clock hours one run takes on its planned GPUs (≤ its deadline)
    gpu_hours_per_month: Figure | None = None  # GPU-hours the run needs in a 730-hour month (repeating runs)


@dataclass(frozen=True)
class ModelSizing:
    """The served model as sizing sees it: its weights and the KV cache one token takes, with what was
    assumed where config gave no architecture."""

    params: float
    weight_precision: WeightPrecision
    context_tokens: int  # the most one sequence reaches
    concurrent_sequences: int  # the most sequences one replica runs at once
    layers: int
    kv_heads: int
    head_dim: int
    assumed: str  # what was derived rather than given ("" when the stack gave layers, kv_heads and head_dim)
    weights_gb: Figure
    kv_bytes_per_token: Figure
    kv_precision: str = "bf16"
    prompt_tokens: float = 0.0  # average tokens in per request
    output_tokens: float = 0.0  # average tokens out per request
    model_dim: int = 0  # the width (attention FLOPs); from the model family
    cached_tokens: Figure | None = (
        None  # KV cache tokens the average sequence holds (paged): prompt + output / 2
    )


@dataclass(frozen=True)
class ReplicaSizing:
    """The smallest tensor-parallel replica of a model on one accelerator, and what it serves."""

    accelerator: str
    gpus: Figure  # a power of two within one server or instance
    memory_gb: (
        Figure  # weights + KV cache for concurrent_sequences at the average sequence, against usable memory
    )
    batch: Figure  # sequences decoded together: min(KV cache at the average sequence, concurrent, compute)
    tokens_per_s: Figure  # per replica: measured per GPU · GPUs, or the decode roofline estimate
    estimated: bool  # tokens_per_s comes from the roofline, not a measurement
    bound: str = ""  # what decided the batch: "KV cache", "concurrent_sequences" or "compute"


@dataclass(frozen=True, slots=True)
class EdgeAllocation:
    """GPUs one inference workload needs at one edge site, in whole replicas (hundreds of sites × workloads:
    kept lean; `why` builds the explaining Figure on demand)."""

    workload: str
    site: str
    accelerator: str
    gpus: int  # replicas · replica_gpus
    site_tokens_per_s: float  # peak_tokens_per_s · edge_fraction · share
    per_gpu_tokens_per_s: float
    per_gpu_formula: str
    replica_gpus: int
    replicas: int

    @property
    def why(self) -> Figure:
        return Figure(
            self.gpus,
            "GPUs",
            f"ceil(peak_tokens_per_s · edge_fraction · share / (replica_gpus · {self.per_gpu_formula})) "
            "· replica_gpus",
            {
                "site_tokens_per_s": self.site_tokens_per_s,
                "per_gpu_tokens_per_s": self.per_gpu_tokens_per_s,
                "replica_gpus": self.replica_gpus,
                "replicas": self.replicas,
            },
        )


@dataclass(frozen=True)
class InferenceSizing:
    name: str
    accelerator: str
    classification: Classification
    gpus: Figure  # core (non-edge) GPUs: whole replicas incl. one spare replica (N+1)
    edge_gpus: (
        Figure  # all edge GPUs of this workload (whole replicas; each site's spare node is in its plan)
    )
    edge: tuple[EdgeAllocation, ...]
    spot: bool
    model: ModelSizing
    replica: ReplicaSizing  # on `accelerator`, in the core
    replicas: Figure  # core replicas incl. the spare
    edge_replicas: tuple[ReplicaSizing, ...] = ()  # one per edge-site accelerator


@dataclass(frozen=True)
class InstanceRange:
    """How far a public group may scale: min (the baseline), desired (where it starts) and max (the peak)."""

    min: Figure
    desired: Figure
    max: Figure

    @property
    def autoscaled(self) -> bool:
        """True when the group scales (its baseline is below its peak)."""
        return self.min.int < self.max.int


@dataclass(frozen=True)
class ReplicaRange:
    """The serving replicas of one inference workload in one place, between its baseline and its peak: what a
    HorizontalPodAutoscaler's minReplicas and maxReplicas are."""

    workload: str
    where: str  # "core" (public + private core) or an edge site's name
    gpus_per_replica: int
    min: Figure
    max: Figure


@dataclass(frozen=True)
class Reservation:
    """Capacity reserved for a deadline training run: N instances of one type from start to end."""

    kind: ReservationKind
    instance_type: str
    instances: Figure
    days: Figure  # the reserved duration (a Capacity Block's allowed durations round it up)
    start_date: str  # ISO date, 00:00 UTC
    end_date: str  # ISO date, 00:00 UTC: start + days
    blocks: tuple[int, ...]  # instances per Capacity Block (one entry for a Capacity Reservation)
    usd_per_instance_hour: float  # the Capacity Block fee, or the on-demand rate a reservation bills at
    usd_total: Figure  # what the reservation costs over its whole term
    paid: str  # "up front" (Capacity Block) | "hourly over the term" (Capacity Reservation)
    # The price list of a fee not priced from the cloud's instance prices (a Capacity Block's), and its date.
    price_list: str = ""
    price_as_of: str = ""


@dataclass(frozen=True)
class PublicGroup:
    """One GPU node group in a public cloud: a workload's share on one instance type."""

    workload: str
    kind: WorkloadKind
    classification: Classification
    location: PublicCloud  # the instance type's catalog `cloud`
    instance_type: str
    accelerator: str
    instances: Figure
    gpus: int  # instances · gpus_per_instance
    gpus_per_instance: int
    spot: bool
    usd_per_hour: float  # per instance, after overrides
    efa: bool
    efa_interfaces: int  # EFA devices per instance (one per network card); 0 without EFA
    vcpus_per_instance: int = 0  # the instance type's vCPUs (for node-pool CPU limits); 0 when unknown
    quota: int | None = None  # aidc:capacity.public.max_instances of the type, None when none is given
    scaling: InstanceRange | None = None  # min/desired/max; None: fixed at `instances`
    reservation: Reservation | None = None  # reserved capacity of a deadline training run
    hours_per_month: Figure | None = None  # hours the group runs in a month (a repeating run); None: all 730

    @property
    def range(self) -> InstanceRange:
        """min/desired/max instances; a group sizing gave no range is fixed at its planned count."""
        if self.scaling is not None:
            return self.scaling
        fixed = Figure(self.instances.int, "instances", "fixed: the planned count", {})
        return InstanceRange(fixed, fixed, self.instances)

    @property
    def name(self) -> str:
        """Stable name of the group: workload and instance type, never a count."""
        return f"{self.workload}-{self.instance_type.replace('.', '-')}"


@dataclass(frozen=True)
class PrivateGroup:
    """A workload's share of the private cloud's GPU inventory, in whole servers."""

    workload: str
    kind: WorkloadKind
    classification: Classification
    accelerator: str
    gpus: Figure
    servers: int
    gpus_per_server: int
    usd_per_gpu_hour: float
    flavor: str  # the Nova flavor of these servers (aidc:openstack.gpu_flavors, or the default name)
    location: Location = PRIVATE
    hours_per_month: Figure | None = (
        None  # hours the GPUs draw power in a month (a repeating run); None: all 730
    )


OfferOutcome = Literal["chosen", "lost", "ineligible"]
"""How a place fared for a workload: placement put GPUs there, another place won, or it could not take it."""


@dataclass(frozen=True)
class Offer:
    """What one location offered one workload, and how it fared."""

    workload: str
    location: str  # private or a public cloud
    instance_type: str | None  # the location's cheapest eligible type (None: private, or nothing eligible)
    usd_per_gpu_hour: Figure | None  # None when the location could not take the workload
    gpus: int  # GPUs placement gave the workload there
    outcome: OfferOutcome
    reason: str  # why, as a sentence naming the numbers and the config keys
    cause: str = (
        ""  # the reason as a short phrase for a table cell ("costs more", "over quota", "no l4-24gb")
    )


@dataclass(frozen=True)
class Placement:
    private: tuple[PrivateGroup, ...]
    public: tuple[PublicGroup, ...]
    private_gpus_used: dict[str, int]
    private_gpus_available: dict[str, int]
    usd_per_hour: Figure
    solver: str

    def public_instances_by_type(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for group in self.public:
            totals[group.instance_type] = totals.get(group.instance_type, 0) + group.instances.int
        return totals


@dataclass(frozen=True)
class CephPool:
    name: str
    kind: CephPoolKind
    replicated_size: int | None  # set for replicated pools
    erasure_k: int | None  # set for erasure-coded pools
    erasure_m: int | None
    size: int  # copies or k+m
    min_size: int
    failure_domain: CephFailureDomain
    pg_num: Figure
    usable_tb: float


@dataclass(frozen=True)
class StoragePlan:
    usable_tb: Figure
    checkpoint_tb: Figure
    raw_tb: Figure
    osds: Figure  # hosts · drives_per_host
    hosts: Figure
    osds_per_host: int  # drive bays per host: the limit drives_per_host stays within
    drive_tb: float
    monitors: Figure
    pools: tuple[CephPool, ...]
    failure_domains_needed: int
    drives_per_host: int
    osds_for_capacity: Figure  # drives that hold the raw capacity
    osds_for_bandwidth: Figure  # drives that write the checkpoints in time
    osds_needed: Figure  # the larger of the two: what must remain with one host lost
    checkpoint_write_gb_per_s: Figure  # client write rate the checkpoints need
    bound: str  # "capacity" or "bandwidth": which answer decided osds_needed


@dataclass(frozen=True)
class TransferSizing:
    name: str
    volume_gb: float
    window_hours: float
    gbps: Figure
    hours_at_provisioned: Figure  # T = V / B at the bandwidth the plan provides (the seed's formula)
    classification: Classification
    direction: TransferDirection = "to_private"  # to_private (out of the public cloud) | to_public | both
    every: Every = "day"  # how often the volume moves
    cloud: PublicCloud = "aws"  # the public cloud the transfer reaches


@dataclass(frozen=True)
class DirectConnectLink:
    """One logical Direct Connect link: a LAG of dedicated ports (or one hosted connection) with its transit
    virtual interface. Named by its index, never by a count, so more ports fill links and add new ones."""

    name: str  # "link-<i>"
    location: str
    ports: int  # connections in the LAG (1 for a hosted connection)
    vlan: int
    amazon_address: str  # BGP peer address on the AWS side, "a.b.c.d/30"
    customer_address: str  # BGP peer address of the on-premises router
    hosted_connection_id: str | None = None
    public_vlan: int | None = None  # the public virtual interface to Amazon S3 on this link (the bulk path)
    public_amazon_address: str | None = None  # its BGP peers: public /30 addresses from public_peer_cidr
    public_customer_address: str | None = None


@dataclass(frozen=True)
class PathHop:
    """One hop of the path the bulk transfers take, with what it carries (Gbps, formula, the limit's source)."""

    name: str
    carries: Figure  # Gbps this hop carries as declared
    required_gbps: float  # what the transfers need through it

    @property
    def ok(self) -> bool:
        return self.carries.value + 1e-6 >= self.required_gbps


@dataclass(frozen=True)
class DirectConnectPlan:
    """Direct Connect as sized: ports, links (LAGs), encryption and routing, each count with its figure."""

    reason: str  # why it is declared: the VPN cannot carry the transfers, or config asked for it
    location: str
    hosted: bool
    port_gbps: float
    bandwidth: DirectConnectBandwidth  # as the Direct Connect API spells it, e.g. "400Gbps"
    ports: Figure  # ceil(required / port) + 1 spare
    links: tuple[DirectConnectLink, ...]
    lag_max: int  # connections one LAG may bundle at this speed
    capacity_gbps: Figure  # the ports without the spare (and, for IPsec, what the tunnels carry)
    encryption: LinkEncryption
    encryption_reason: str
    ipsec_connections: Figure | None  # private IP VPN connections over the link (encryption == "ipsec")
    asn: int  # on-premises BGP ASN
    amazon_side_asn: int  # the Direct Connect gateway's
    allowed_prefixes: tuple[
        str, ...
    ]  # AWS prefixes the DX gateway advertises to on-premises (TGW association)
    advertised_prefixes: tuple[str, ...]  # what on-premises advertises over the link (more specific than VPN)
    transit_gateway_cidr: str | None  # the TGW's CIDR block for the private IP VPN outside addresses
    vpn_peer_ip: str | None  # the on-premises VPN device over the link (IPsec)
    tgw_path_gbps: Figure  # what the Transit Gateway attachments carry (per-AZ quota)
    locations: tuple[str, ...] = ()  # the locations the links are spread over, in order
    ports_per_location: Figure | None = None  # the most ports at one location, against the account's quota
    bulk_path: str = (
        "transit"  # "public-vif" (to S3 over public virtual interfaces) | "transit" (through the TGW)
    )
    public_prefixes: tuple[str, ...] = ()  # what the public virtual interfaces advertise (the customer's own)
    path: tuple[PathHop, ...] = ()  # the hops the bulk transfers cross, each with what it carries


@dataclass(frozen=True)
class InterconnectPlan:
    """What links one public cloud to the private cloud, as sized: what its transfers need and what the plan
    provides. A cloud's own plan (e.g. aidc/clouds/gcp/interconnect.py GcpInterconnectPlan) adds its specifics."""

    cloud: PublicCloud
    required_gbps: Figure  # Σ Gbps of the transfers that reach this cloud
    vpn_tunnels: Figure
    vpn_gbps: Figure  # what the VPN carries
    capacity_gbps: Figure  # VPN plus the dedicated links (spares excluded)

    def counts(self) -> dict[str, int]:
        """Its headline counts (CapacityPlan.counts() prefixes each with the cloud): the VPN tunnels, and what
        a cloud's own plan adds (its dedicated circuits and links)."""
        return {"vpn_tunnels": self.vpn_tunnels.int}


@dataclass(frozen=True)
class NetworkPlan:
    transfers: tuple[TransferSizing, ...]
    required_gbps: Figure
    tunnel_gbps: float
    vpn_connections: Figure
    vpn_tunnels: Figure
    provisioned_gbps: Figure
    feasible_over_vpn: bool
    private_route_prefixes: tuple[str, ...]  # TGW static routes to the private range, spread over connections
    direct_connect: (
        DirectConnectPlan | None
    )  # declared when the VPN cannot carry the transfers, or on request
    interconnect_gbps: Figure | None = None  # VPN + Direct Connect without its spare: what the plan carries
    # What the core routes toward the edge sites: the edge supernet plus hand-set networks outside it, collapsed.
    edge_route_prefixes: tuple[str, ...] = ()
    # The interconnects of the public clouds other than the one the fields above describe (AWS's), one per cloud.
    interconnects: tuple[InterconnectPlan, ...] = ()

    def interconnect(self, cloud: str) -> InterconnectPlan | None:
        """The sized interconnect to `cloud`, if the plan has one in `interconnects`."""
        return next((i for i in self.interconnects if i.cloud == cloud), None)

    @property
    def capacity_gbps(self) -> Figure:
        """What the interconnect carries: VPN plus Direct Connect (spare excluded)."""
        return self.interconnect_gbps or self.provisioned_gbps


@dataclass(frozen=True)
class Control:
    """A security control one store or link needs."""

    target: str  # e.g. "ceph:object", "s3:datasets", "vpn", "eks:secrets"
    control: str
    reason: str


@dataclass(frozen=True)
class SecurityPlan:
    placement_by_classification: dict[str, tuple[str, ...]]  # classification -> allowed locations
    controls: tuple[Control, ...]
    kms_keys: Figure
    key_rotation_days: int


@dataclass(frozen=True)
class EdgeSitePlan:
    name: str
    accelerator: str
    gpus: Figure
    nodes: Figure
    gpus_per_node: int
    servers: K3sServers
    region: str | None
    flavor: str
    network_cidr: str  # the site's tenant network
    location: Location = EDGE
    # False: the network (or shard) is provisional, not in the stack file yet; `pulumi up` refuses the site.
    recorded: bool = True
    shard: int | None = None  # the estate shard stack that deploys the site; None in a one-stack estate


@dataclass(frozen=True)
class CostLine:
    """One priced item of a component: what it is and its monthly cost with formula and inputs."""

    item: str
    usd_per_month: Figure


@dataclass(frozen=True)
class ComponentCost:
    """The priced lines of one component (names match the components/ package)."""

    component: str
    location: Location  # where the component's capacity lives
    lines: tuple[CostLine, ...]

    @property
    def usd_per_month(self) -> float:
        return sum(line.usd_per_month.value for line in self.lines)


@dataclass(frozen=True)
class CostEstimate:
    """Monthly cost of one stack: components, total, and where the prices came from."""

    stack: str
    components: tuple[ComponentCost, ...]
    total_usd_per_month: Figure
    hours_per_month: int
    price_source: str
    price_as_of: str
    spot_source: str
    service_prices: tuple[ServicePrice, ...]
    not_priced: tuple[str, ...]
    group_usd_per_month: dict[str, Figure] = field(default_factory=dict)  # per public node group name
    transfer_prices: tuple[TransferPrice, ...] = ()
    # At baseline: every autoscaled group at its min (owned capacity and fixed groups as at peak).
    group_usd_per_month_baseline: dict[str, Figure] = field(default_factory=dict)
    baseline_usd_per_month: Figure | None = None  # the stack's monthly cost at baseline load
    reservations: dict[str, Reservation] = field(default_factory=dict)  # per public node group name
    # aidc:policy.monthly_cost_ceiling_usd: what the whole monthly cost at peak must stay under (None: no ceiling)
    ceiling_usd_per_month: float | None = None

    @property
    def over_ceiling(self) -> bool:
        """The monthly cost at peak is above the stack's ceiling (the pack's monthly-cost-ceiling rule refuses it)."""
        ceiling = self.ceiling_usd_per_month
        return ceiling is not None and self.peak_usd_per_month.value > ceiling

    @property
    def peak_usd_per_month(self) -> Figure:
        """The stack's monthly cost at peak load: every public group at its max (the total)."""
        return self.total_usd_per_month

    def component(self, name: str) -> ComponentCost:
        for component in self.components:
            if component.component == name:
                return component
        allowed = ", ".join(c.component for c in self.components)
        raise ValueError(f"component: unknown {name!r}; allowed: {allowed}")


@dataclass(frozen=True)
class CapacityPlan:
    stack: str
    training: tuple[TrainingSizing, ...]
    inference: tuple[InferenceSizing, ...]
    placement: Placement
    storage: StoragePlan
    network: NetworkPlan
    security: SecurityPlan
    edge_sites: tuple[EdgeSitePlan, ...]
    cost: CostEstimate
    warnings: tuple[str, ...] = field(default=())
    replicas: tuple[ReplicaRange, ...] = field(default=())  # inference replicas per place, baseline..peak
    catalog_source: dict[str, Any] = field(default_factory=dict)
    # The public clouds the stack declares resources in: where it places GPUs, keeps datasets or moves data to.
    clouds: tuple[PublicCloud, ...] = field(default=())
    # Why each place won or lost each workload (aidc/sizing/choices.py): one offer per workload and location.
    offers: tuple[Offer, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """The headline counts, under the one set of keys every report and export uses."""
        return {
            "gpu_nodes_public": sum(g.instances.int for g in self.placement.public),
            "gpu_nodes_private": sum(g.servers for g in self.placement.private),
            "ceph_hosts": self.storage.hosts.int,
            "osds": self.storage.osds.int,
            "vpn_connections": self.network.vpn_connections.int,
            "vpn_tunnels": self.network.vpn_tunnels.int,
            **(
                {
                    "direct_connect_ports": self.network.direct_connect.ports.int,
                    "direct_connect_links": len(self.network.direct_connect.links),
                }
                if self.network.direct_connect
                else {}
            ),
            "edge_nodes": sum(s.nodes.int for s in self.edge_sites),
            # Each other public cloud's interconnect: gcp_vpn_tunnels, gcp_interconnect_circuits ...
            **{
                f"{link.cloud}_{key}": value
                for link in self.network.interconnects
                for key, value in link.counts().items()
            },
        }
