"""Typed models of the `aidc:*` stack configuration keys (pydantic, unknown keys refused).

What may be touched: add keys with a secure default and a one-line description; never rename a key
(stack files and scripts depend on them). Shape and range checks live here; judgements about safety
(weak ciphers, too few replicas) belong to the policy pack, so a stack can be planned and then refused.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aidc.catalog import (
    ACCELERATORS,
    DIRECT_CONNECT_HOSTED_GBPS,
    DIRECT_CONNECT_PORT_GBPS,
    INSTANCE_TYPES,
)
from aidc.types import Name

Classification = Literal["public", "internal", "confidential", "restricted"]
CLASSIFICATION_ORDER: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
PRIVATE_ONLY: frozenset[str] = frozenset({"confidential", "restricted"})

# Names become parts of resource names, so they are short DNS-safe slugs and never derive from counts.
Slug = Name
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_accelerator(value: str) -> str:
    if value not in ACCELERATORS:
        raise ValueError(f"unknown accelerator {value!r}; allowed: {', '.join(sorted(ACCELERATORS))}")
    return value


def _check_cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a CIDR block (e.g. 10.0.0.0/16): {exc}") from None
    return value


def _unique_names(items: tuple[_Model, ...], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        name = item.name  # type: ignore[attr-defined]
        if name in seen:
            raise ValueError(f"duplicate {what} name {name!r}; names must be unique")
        seen.add(name)


class TrainingDemand(_Model):
    """One training run: 6·params·tokens FLOPs to finish within deadline_days."""

    name: Slug
    params: Positive = Field(description="model parameters (e.g. 7.0e10)")
    tokens: Positive = Field(description="training tokens (e.g. 2.0e12)")
    accelerator: str
    mfu: float = Field(0.4, gt=0, le=1, description="model FLOPs utilisation, (0, 1]")
    deadline_days: Positive
    classification: Classification | None = None
    spot: bool = Field(False, description="allow spot instances for this run (needs checkpoint/restart)")
    dataset_tb: NonNegative = Field(
        0.0, description="TB of training data the run reads; moved to where the run is placed, at a cost"
    )
    dataset_location: str = Field(
        "private", description="where the dataset lives: private, or a public cloud (aws)"
    )

    @field_validator("accelerator")
    @classmethod
    def _acc(cls, value: str) -> str:
        return _check_accelerator(value)

    @field_validator("dataset_location")
    @classmethod
    def _dataset_location(cls, value: str) -> str:
        allowed = ("private", *sorted({t.cloud for t in INSTANCE_TYPES.values()}))
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, got {value!r}")
        return value


WeightPrecision = Literal["bf16", "fp8", "int4"]
# Bytes per weight of each precision (BF16 2, FP8 1, INT4 a half).
BYTES_PER_WEIGHT: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "int4": 0.5}


class InferenceDemand(_Model):
    """One serving workload: a model served in whole replicas, peak tokens/s over replica throughput, part of
    it at the edge."""

    name: Slug
    peak_tokens_per_s: Positive
    tokens_per_s_per_gpu: Positive | None = Field(
        None,
        description="measured throughput of one GPU of `accelerator` serving this model (a replica of n GPUs "
        "gives n times it); when absent, estimated from the hardware and flagged as an estimate",
    )
    accelerator: str
    classification: Classification | None = None
    edge_fraction: float = Field(0.0, ge=0, le=1, description="share of peak served at edge sites, [0, 1]")
    spot: bool = False
    model_params: Positive = Field(description="the served model's parameters (e.g. 7.0e10)")
    weight_precision: WeightPrecision = Field("bf16", description="bytes per weight: bf16 2, fp8 1, int4 0.5")
    context_tokens: int = Field(
        8192, ge=1, le=10_485_760, description="tokens of context (prompt + output) one sequence may reach"
    )
    concurrent_sequences: int = Field(
        32,
        ge=1,
        le=4096,
        description="sequences in flight per replica at full context, which the replica's KV cache must hold",
    )
    layers: int | None = Field(
        None, ge=1, le=1000, description="transformer layers; default from model_params"
    )
    kv_heads: int | None = Field(None, ge=1, le=1024, description="key/value heads; default 8 (Llama 3 GQA)")
    head_dim: int | None = Field(None, ge=1, le=1024, description="dimension of one head; default 128")

    @field_validator("accelerator")
    @classmethod
    def _acc(cls, value: str) -> str:
        return _check_accelerator(value)


class ErasureCoding(_Model):
    k: int = Field(ge=2, le=16, description="data chunks")
    m: int = Field(ge=1, le=8, description="coding chunks")


class Protection(_Model):
    """Either `{replicas: n}` or `{erasure: {k, m}}`."""

    replicas: int | None = Field(None, ge=1, le=10)
    erasure: ErasureCoding | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Protection:
        if (self.replicas is None) == (self.erasure is None):
            raise ValueError("give exactly one of {replicas: n} or {erasure: {k, m}}")
        return self


class StorageDemand(_Model):
    datasets_tb: NonNegative = 0.0
    checkpoint_keep: int = Field(2, ge=0, le=100, description="checkpoints retained per training run")
    checkpoint_bytes_per_param: Positive = Field(
        14.0,
        description="bf16 weights (2) + fp32 master weights (4) + Adam moments (8), per ZeRO (arXiv:1910.02054)",
    )
    block_tb: NonNegative = Field(0.0, description="usable TB of block volumes (RBD) for private instances")
    protection: Protection = Protection(replicas=3)
    drive_tb: Positive = 7.68
    target_fill: float = Field(
        0.7, gt=0, le=0.85, description="fill ratio to plan for; Ceph nearfull is 0.85"
    )
    osds_per_host: int = Field(
        8, ge=1, le=60, description="drive bays per storage host (a limit, not a quota)"
    )
    checkpoint_write_minutes: Positive = Field(
        5.0,
        le=1440,
        description="minutes within which the running trainings' checkpoints must be written to Ceph",
    )
    drive_write_mb_per_s: Positive | None = Field(
        None, description="sequential write MB/s of one drive; default: the catalog's datacentre NVMe figure"
    )


class TransferDemand(_Model):
    name: Slug
    volume_gb: Positive
    window_hours: Positive
    classification: Classification | None = None
    direction: Literal["to_private", "to_public", "both"] = Field(
        "to_private", description="which way the data flows between the clouds"
    )
    every: Literal["day", "week", "month", "once"] = Field(
        "day", description="how often the volume moves (for cost); once: a one-off move"
    )


class SecurityDemand(_Model):
    encryption: Literal["aes-256-gcm", "aes-256-xts", "aes-128-gcm"] = "aes-256-gcm"
    classification: Classification = Field("internal", description="default for items that name none")
    key_rotation_days: int = Field(365, ge=1, le=3650)


class Demand(_Model):
    training: tuple[TrainingDemand, ...] = ()
    inference: tuple[InferenceDemand, ...] = ()
    storage: StorageDemand = StorageDemand()
    transfer: tuple[TransferDemand, ...] = ()
    security: SecurityDemand = SecurityDemand()

    @model_validator(mode="after")
    def _names(self) -> Demand:
        _unique_names(self.training + self.inference, "workload")  # type: ignore[operator]
        _unique_names(self.transfer, "transfer")
        return self


class PrivateCapacity(_Model):
    gpus: dict[str, int] = Field(
        default_factory=dict, description="accelerator -> GPUs the private cloud has"
    )
    amortisation_months: int = Field(36, ge=1, le=120)
    usd_per_kwh: NonNegative = 0.10
    pue: float = Field(1.3, ge=1.0, le=3.0, description="power usage effectiveness of the data centre")

    @field_validator("gpus")
    @classmethod
    def _gpus(cls, value: dict[str, int]) -> dict[str, int]:
        for key, count in value.items():
            _check_accelerator(key)
            if count < 0:
                raise ValueError(f"{key}: GPU count must be >= 0, got {count}")
        return value


class PublicCapacity(_Model):
    max_instances: dict[str, int] = Field(default_factory=dict, description="instance type -> quota")
    allowed_instance_types: tuple[str, ...] | None = Field(None, description="restrict placement to these")

    @field_validator("max_instances")
    @classmethod
    def _quota(cls, value: dict[str, int]) -> dict[str, int]:
        for key, count in value.items():
            if key not in INSTANCE_TYPES:
                raise ValueError(
                    f"unknown instance type {key!r}; allowed: {', '.join(sorted(INSTANCE_TYPES))}"
                )
            if count < 0:
                raise ValueError(f"{key}: quota must be >= 0, got {count}")
        return value

    @field_validator("allowed_instance_types")
    @classmethod
    def _allowed(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for key in value or ():
            if key not in INSTANCE_TYPES:
                raise ValueError(
                    f"unknown instance type {key!r}; allowed: {', '.join(sorted(INSTANCE_TYPES))}"
                )
        return value


class Capacity(_Model):
    private: PrivateCapacity = PrivateCapacity()
    public: PublicCapacity = PublicCapacity()
    prices: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="USD/hour overrides: instance type (on-demand), '<type>:spot', or accelerator key "
        "(private cost per GPU-hour)",
    )

    @field_validator("prices")
    @classmethod
    def _prices(cls, value: dict[str, float]) -> dict[str, float]:
        allowed = set(INSTANCE_TYPES) | {f"{t}:spot" for t in INSTANCE_TYPES} | set(ACCELERATORS)
        for key in value:
            if key not in allowed:
                raise ValueError(
                    f"unknown price key {key!r}; allowed: an instance type, '<type>:spot' or an accelerator "
                    f"({', '.join(sorted(INSTANCE_TYPES))}; {', '.join(sorted(ACCELERATORS))})"
                )
        return value


class AwsSettings(_Model):
    azs: tuple[str, ...] | None = Field(None, description="availability zones; default: <region>a, <region>b")
    vpc_cidr: str = "10.0.0.0/16"
    eks_version: str = "1.31"
    system_instance_type: str = "m6i.large"
    system_nodes: int = Field(2, ge=1, le=20)
    endpoint_public_access: bool = False
    public_access_cidrs: tuple[str, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _check_cidr(value)

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_cidr(v) for v in value)

    @field_validator("azs")
    @classmethod
    def _azs(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and len(value) < 2:
            raise ValueError("give at least two availability zones")
        return value


class OpenStackSettings(_Model):
    region: str | None = None
    external_network: str = "public"
    image: str = "ubuntu-22.04"
    network_cidr: str = "10.20.0.0/16"
    dns_nameservers: tuple[str, ...] = ()
    admin_cidrs: tuple[str, ...] = Field((), description="CIDRs allowed to reach SSH and the K3s API")
    server_flavor: str = "m1.xlarge"
    storage_flavor: str = "baremetal.storage"
    gpu_flavors: dict[str, str] = Field(
        default_factory=dict, description="accelerator -> flavor; default gpu-<accelerator>-x<gpus per node>"
    )
    ssh_public_key: str | None = None
    root_volume_gb: int = Field(200, ge=20, le=10_000)

    @field_validator("network_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _check_cidr(value)

    @field_validator("admin_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_cidr(v) for v in value)

    @field_validator("gpu_flavors")
    @classmethod
    def _flavors(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            _check_accelerator(key)
        return value

    def gpu_flavor(self, accelerator: str, gpus_per_node: int) -> str:
        return self.gpu_flavors.get(accelerator, f"gpu-{accelerator}-x{gpus_per_node}")


class VpnSettings(_Model):
    """IPsec parameters both clouds must agree on (mapped to each cloud's names by the components)."""

    ike_version: Literal["ikev1", "ikev2"] = "ikev2"
    encryption: Literal["aes128", "aes256", "aes128-gcm", "aes256-gcm"] = "aes256-gcm"
    integrity: Literal["sha1", "sha256", "sha384", "sha512"] = "sha256"
    dh_group: Literal[2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24] = 20
    tunnel_bandwidth: Literal["standard", "large"] = "standard"
    customer_gateway_asn: int = Field(65000, ge=1, le=4_294_967_294)
    amazon_side_asn: int = Field(64512, ge=64512, le=65534)
    dpd_timeout_s: int = Field(30, ge=30, le=3600)


def _private_asn(value: int) -> int:
    if not (64512 <= value <= 65534 or 4_200_000_000 <= value <= 4_294_967_294):
        raise ValueError(f"must be a private ASN 64512-65534 or 4200000000-4294967294, got {value}")
    return value


LOCATION_CODE = r"^[A-Za-z0-9-]{2,32}$"


class DirectConnectSettings(_Model):
    """AWS Direct Connect: declared when sizing says the VPN cannot carry the transfers, or on request."""

    mode: Literal["auto", "always", "never"] = Field(
        "auto",
        description="auto: when the transfers exceed the VPN; always: on request; never: VPN only "
        "(the policy pack then refuses a plan whose VPN cannot carry the transfers)",
    )
    location: str = Field(
        "EqDC2",
        pattern=LOCATION_CODE,
        description="Direct Connect location code (EqDC2: Equinix DC2, Ashburn)",
    )
    second_location: str | None = Field(
        None, pattern=LOCATION_CODE, description="a second location; links alternate between the two"
    )
    port_gbps: Literal[1, 2, 5, 10, 25, 100, 400] | None = Field(
        None, description="port speed; default: the smallest that fits the rate in one LAG"
    )
    hosted: bool = Field(False, description="hosted connections from a partner instead of dedicated ports")
    hosted_connection_ids: tuple[Annotated[str, Field(pattern=r"^dxcon-[a-z0-9]{8}$")], ...] = Field(
        (), description="the partner's hosted connections (dxcon-...), accepted by the program"
    )
    asn: int = Field(65000, ge=1, le=4_294_967_294, description="BGP ASN of the on-premises routers")
    amazon_side_asn: int = Field(
        64513,
        description="private ASN of the Direct Connect gateway; must differ from aidc:vpn.amazon_side_asn",
    )
    macsec: bool = Field(
        True,
        description="the location offers MACsec at the port speed (checked by aidc preflight); false: internal "
        "data and above cross the link in an IPsec VPN over Direct Connect",
    )
    first_vlan: int = Field(
        100, ge=1, le=4000, description="VLAN of the first link; link i uses first_vlan + i"
    )
    bgp_peer_cidr: str = Field(
        "169.254.100.0/24", description="BGP peer addresses: one /30 per link (AWS .1, on-premises .2)"
    )
    vpn_peer_ip: str | None = Field(
        None,
        description="private IPv4 of the on-premises VPN device over Direct Connect (IPsec over DX only)",
    )
    transit_gateway_cidr: str = Field(
        "100.64.255.0/24", description="Transit Gateway CIDR for the private IP VPN's AWS outside addresses"
    )

    @field_validator("amazon_side_asn")
    @classmethod
    def _asn(cls, value: int) -> int:
        return _private_asn(value)

    @field_validator("bgp_peer_cidr", "transit_gateway_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        _check_cidr(value)
        if ipaddress.ip_network(value).version != 4:
            raise ValueError(f"{value!r} is not an IPv4 CIDR block")
        return value

    @field_validator("vpn_peer_ip")
    @classmethod
    def _ip(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.IPv4Address(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an IPv4 address") from None
        return value

    @model_validator(mode="after")
    def _speeds(self) -> DirectConnectSettings:
        allowed = DIRECT_CONNECT_HOSTED_GBPS if self.hosted else DIRECT_CONNECT_PORT_GBPS
        kind = "hosted connections" if self.hosted else "dedicated ports"
        if self.port_gbps is not None and self.port_gbps not in allowed:
            raise ValueError(
                f"port_gbps: {kind} come at {', '.join(str(g) for g in allowed)} Gbps, got {self.port_gbps}"
            )
        if self.hosted_connection_ids and not self.hosted:
            raise ValueError("hosted_connection_ids: only with hosted: true")
        if len(set(self.hosted_connection_ids)) != len(self.hosted_connection_ids):
            raise ValueError("hosted_connection_ids: must be distinct")
        if ipaddress.ip_network(self.transit_gateway_cidr).prefixlen > 24:
            raise ValueError("transit_gateway_cidr: a Transit Gateway CIDR block is /24 or larger")
        return self


class InterconnectSettings(_Model):
    """How the clouds are joined besides the VPN (aidc:vpn)."""

    direct_connect: DirectConnectSettings = DirectConnectSettings()


class EdgeSite(_Model):
    name: Slug
    share: float = Field(gt=0, le=1, description="share of the edge load this site serves")
    accelerator: str
    gpus_per_node: int = Field(1, ge=1, le=16)
    servers: Literal[1, 3] = 1
    region: str | None = Field(None, description="OpenStack region of the site; default: the core's")
    flavor: str | None = None
    network_cidr: str | None = Field(
        None,
        description="the site's tenant network; default: a /24 in 10.128.0.0/9 "
        "derived from the site's name (stable when sites are added or removed)",
    )

    @field_validator("network_cidr")
    @classmethod
    def _site_cidr(cls, value: str | None) -> str | None:
        return None if value is None else _check_cidr(value)

    @property
    def cidr(self) -> str:
        if self.network_cidr:
            return self.network_cidr
        index = int(hashlib.sha256(self.name.encode()).hexdigest(), 16) % 32768
        return f"10.{128 + index // 256}.{index % 256}.0/24"

    @field_validator("accelerator")
    @classmethod
    def _acc(cls, value: str) -> str:
        return _check_accelerator(value)


class EdgeSettings(_Model):
    sites: tuple[EdgeSite, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> EdgeSettings:
        _unique_names(self.sites, "edge site")
        networks = [(site.name, ipaddress.ip_network(site.cidr)) for site in self.sites]
        for i, (name, net) in enumerate(networks):
            for other, other_net in networks[:i]:
                if net.overlaps(other_net):
                    raise ValueError(
                        f"edge sites {other} and {name} have overlapping networks ({other_net}, "
                        f"{net}); set network_cidr on one of them"
                    )
        total = sum(s.share for s in self.sites)
        if self.sites and abs(total - 1.0) > 1e-6:
            raise ValueError(f"site shares must add up to 1, they add up to {total:g}")
        return self


class K3sSettings(_Model):
    version: str = Field("v1.31.4+k3s1", pattern=r"^v\d+\.\d+\.\d+\+k3s\d+$")
    core_servers: Literal[1, 3] = 3
    secrets_encryption: bool = True


class CephSettings(_Model):
    rook_chart_version: str = Field("v1.16.4", pattern=r"^v\d+\.\d+\.\d+$")
    ceph_image: str = "quay.io/ceph/ceph:v19.2.1"
    device_filter: str = "^nvme"


class PolicySettings(_Model):
    monthly_cost_ceiling_usd: NonNegative | None = None


class StackConfig(_Model):
    """Everything aidc reads from one stack's config."""

    stack: str = "dev"
    aws_region: str = "us-east-1"
    demand: Demand = Demand()
    capacity: Capacity = Capacity()
    aws: AwsSettings = AwsSettings()
    openstack: OpenStackSettings = OpenStackSettings()
    vpn: VpnSettings = VpnSettings()
    interconnect: InterconnectSettings = InterconnectSettings()
    edge: EdgeSettings = EdgeSettings()
    k3s: K3sSettings = K3sSettings()
    ceph: CephSettings = CephSettings()
    policy: PolicySettings = PolicySettings()

    @property
    def azs(self) -> tuple[str, ...]:
        return self.aws.azs or (f"{self.aws_region}a", f"{self.aws_region}b")

    def classification_of(self, item: TrainingDemand | InferenceDemand | TransferDemand) -> str:
        return item.classification or self.demand.security.classification

    @model_validator(mode="after")
    def _cross(self) -> StackConfig:
        if any(w.edge_fraction > 0 for w in self.demand.inference) and not self.edge.sites:
            raise ValueError("inference with edge_fraction > 0 needs aidc:edge.sites")
        routed = [
            ("aidc:aws.vpc_cidr", self.aws.vpc_cidr),
            ("aidc:openstack.network_cidr", self.openstack.network_cidr),
        ]
        routed += [(f"aidc:edge.sites[{site.name}]", site.cidr) for site in self.edge.sites]
        dx = self.interconnect.direct_connect
        routed.append(("aidc:interconnect.direct_connect.transit_gateway_cidr", dx.transit_gateway_cidr))
        for i, (key, cidr) in enumerate(routed):
            for other_key, other_cidr in routed[:i]:
                if ipaddress.ip_network(cidr).overlaps(ipaddress.ip_network(other_cidr)):
                    raise ValueError(
                        f"{other_key} ({other_cidr}) and {key} ({cidr}) overlap; the clouds route "
                        "between them, so their networks must not overlap"
                    )
        if dx.amazon_side_asn == self.vpn.amazon_side_asn:
            raise ValueError(
                f"aidc:interconnect.direct_connect.amazon_side_asn ({dx.amazon_side_asn}) equals "
                "aidc:vpn.amazon_side_asn (the Transit Gateway's): a Direct Connect gateway associated with a "
                "Transit Gateway needs its own ASN"
            )
        for index, run in enumerate(self.demand.training):
            level = self.classification_of(run)
            if level in PRIVATE_ONLY and run.dataset_tb > 0 and run.dataset_location != "private":
                raise ValueError(
                    f"aidc:demand.training[{index}].dataset_location: {run.name} is {level}, so its data stays in "
                    f"the private cloud, but dataset_location is {run.dataset_location!r}"
                )
        return self
