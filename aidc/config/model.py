"""Typed models of the `aidc:*` stack configuration keys (pydantic, unknown keys refused).

What may be touched: add keys with a secure default and a one-line description; never rename a key
(stack files and scripts depend on them). Shape and range checks live here; judgements about safety
(weak ciphers, too few replicas) belong to the policy pack, so a stack can be planned and then refused.

Every number is finite (no .inf, NaN) and within a stated physical bound (the `Field`s below say which and
why), so no arithmetic downstream overflows or divides by a denormal; every name, tag, region, zone, instance
type and regular expression is checked against the limit the cloud that receives it documents
(aidc/config/limits.py, aidc/config/re2.py), so a stack the cloud would refuse is refused here.
"""

from __future__ import annotations

import datetime
import ipaddress
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, cast

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from aidc.catalog import ACCELERATORS, FACTS, HOURS_PER_MONTH, INSTANCE_TYPES
from aidc.clouds import module_of
from aidc.clouds.aws.catalog import (
    DIRECT_CONNECT_CONNECTIONS_PER_LOCATION,
    DIRECT_CONNECT_HOSTED_GBPS,
    DIRECT_CONNECT_PORT_GBPS,
)
from aidc.config import budget, limits
from aidc.config.addressing import (
    DEFAULT_SITE_PREFIX,
    DEFAULT_SUPERNET,
    MAX_SITE_PREFIX,
    AddressingError,
    SiteLayout,
    SiteRequest,
    layout_sites,
    shard_stack_name,
)
from aidc.config.base import Model, check_cidr
from aidc.config.re2 import re2_problem
from aidc.config.suggest import did_you_mean
from aidc.contract import (
    PRIVATE_ONLY,
    PUBLIC_CLOUDS,
    Classification,
    DhGroup,
    Every,
    GpuDriver,
    IkeVersion,
    IpsecEncryption,
    IpsecIntegrity,
    K3sServers,
    PublicCloud,
    Reserve,
    TransferDirection,
    TunnelBandwidth,
    WeightPrecision,
    public_cloud,
)
from aidc.types import RESERVED_NAMESPACES, RESERVED_POOLS, AdminCidrs, Name
from aidc.versions import CHARTS, K3S_DEFAULT, eks_refusal, k3s_refusal, rook_refusal, today

# Names become parts of resource names, so they are short DNS-safe slugs and never derive from counts.
Slug = Name
# Names of things that already exist in a cloud (images, flavors, networks, regions): OpenStack's API limits
# names to 255 characters (Nova flavors, Glance images, Neutron networks, Keystone regions).
CloudName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# Physical bounds (the config model states them; README "Limits and errors" lists them).
MAX_PARAMS = 1e15  # parameters: 500x the largest published dense models (~2e12)
MAX_TOKENS = 1e16  # training tokens: ~600x Llama 3.1 405B's 15.6e12
MAX_DEADLINE_DAYS = 3650  # ten years
MIN_DEADLINE_DAYS = 1 / 24  # one hour
MAX_TOKENS_PER_S = 1e9  # peak serving load: a billion tokens/s
MAX_TOKENS_PER_S_PER_GPU = 1e6  # one GPU decodes at most ~1e5 tokens/s today
MIN_TOKENS_PER_S_PER_GPU = 1e-2
MAX_TB = 1e6  # one exabyte
# The largest data-centre SSD shipping holds 122.88 TB (Solidigm D5-P5336).
MIN_DRIVE_TB, MAX_DRIVE_TB = 0.1, 128.0
MAX_VOLUME_GB = 1e9  # one exabyte per transfer
MIN_WINDOW_HOURS, MAX_WINDOW_HOURS = 1 / 60, 8760  # one minute to one year
MAX_GPUS = 1_000_000  # GPUs the private cloud has of one accelerator
MAX_INSTANCES = 100_000  # instances of one type (the largest quota AWS grants is far below)
MAX_USD = 1e12
MAX_ITEMS = 1000  # workloads or transfers in one list
# Edge sites are a fleet (issue 18 plans 5,000; an estate shards them). At most one shard per site
# (EdgeSite.shard <= 9999). The 1 MiB stack-file bound (aidc/documents.py) may bind first: a recorded site takes
# ~95 bytes in flow style, ~130 in block style, and `aidc edge allocate` refuses to write past it.
MAX_EDGE_SITES = 10_000
MIN_SITE_SHARE = 1 / MAX_EDGE_SITES  # so that the most sites can share the edge load evenly
# A Direct Connect BGP peering is a /30 (AWS the first host, on-premises the second).
BGP_PEERING_PREFIX = 30


def _check_accelerator(value: str) -> str:
    if value not in ACCELERATORS:
        raise ValueError(
            f"unknown accelerator {value!r}{did_you_mean(value, ACCELERATORS) or ';'} allowed: "
            f"{', '.join(sorted(ACCELERATORS))}"
        )
    return value


def _unique_names(items: tuple[Model, ...], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        name = item.name  # type: ignore[attr-defined]
        if name in seen:
            raise ValueError(f"duplicate {what} name {name!r}; names must be unique")
        seen.add(name)


# Days in one period of a repeating run or transfer: a 730-hour month (HOURS_PER_MONTH / 24 = 30.42 days).
PERIOD_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": HOURS_PER_MONTH / 24}


class TrainingDemand(Model):
    """One training run: (6·params + 12·layers·width·sequence_tokens)·tokens FLOPs to finish within deadline_days,
    once or every day, week or month."""

    name: Slug
    params: float = Field(ge=1, le=MAX_PARAMS, description="model parameters (e.g. 7.0e10), at most 1e15")
    tokens: float = Field(ge=1, le=MAX_TOKENS, description="training tokens (e.g. 2.0e12), at most 1e16")
    accelerator: str
    mfu: float | None = Field(
        None,
        ge=0.01,
        le=1,
        description="model FLOPs utilisation, [0.01, 1]; default: by the GPUs the run is planned on, from published "
        "runs at that scale (aidc/catalog.py MFU_BY_SCALE: 0.43 up to 8,192 GPUs, 0.41 up to 16,384, 0.38 beyond)",
    )
    deadline_days: float = Field(
        ge=MIN_DEADLINE_DAYS,
        le=MAX_DEADLINE_DAYS,
        description="one hour to ten years; a run that repeats must finish within its period",
    )
    sequence_tokens: int = Field(
        int(FACTS["training_sequence_tokens"].value),
        ge=1,
        le=10_485_760,
        description="tokens per training sequence, for the attention FLOPs (12 · layers · width · sequence_tokens "
        "per token); default 8,192 (Llama 3's pre-training sequence)",
    )
    every: Every = Field(
        "once",
        description="how often the run repeats (a fine-tune every week): day, week, month or once; the run is sized "
        "for its deadline, which must fit in the period, and costed per month",
    )
    classification: Classification | None = None
    spot: bool = Field(False, description="allow spot instances for this run (needs checkpoint/restart)")
    dataset_tb: float = Field(
        0.0,
        ge=0,
        le=MAX_TB,
        description="TB of training data the run reads (at most 1e6, 1 EB); moved to where the run is placed, "
        "at a cost",
    )
    dataset_location: str = Field(
        "private",
        description=f"where the dataset lives: private, or a public cloud ({', '.join(PUBLIC_CLOUDS)})",
    )
    reserve: Reserve = Field(
        "none",
        description="reserve the run's public capacity for its deadline: none, capacity-block (EC2 Capacity "
        "Block for ML, paid up front) or capacity-reservation (On-Demand Capacity Reservation, targeted)",
    )
    start_date: datetime.date | None = Field(
        None,
        ge=datetime.date(2020, 1, 1),
        le=datetime.date(2100, 12, 31),
        description="the day the run starts (YYYY-MM-DD, UTC); the reservation runs from it for the deadline; "
        "required when reserve is not none",
    )

    @field_validator("accelerator")
    @classmethod
    def _acc(cls, value: str) -> str:
        return _check_accelerator(value)

    @field_validator("dataset_location")
    @classmethod
    def _dataset_location(cls, value: str) -> str:
        allowed = ("private", *PUBLIC_CLOUDS)
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    @field_validator("start_date")
    @classmethod
    def _not_in_the_past(cls, value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
        # A reservation is bought for a window that has not begun: EC2 offers Capacity Blocks from a future start
        # (DescribeCapacityBlockOfferings StartDateRange) and an On-Demand Capacity Reservation starts when made.
        today = (info.context or {}).get("today") or limits.utc_today()
        if value is not None and value < today:
            raise ValueError(
                f"{value.isoformat()} is in the past (today is {today.isoformat()}, UTC): a reservation starts on "
                "or after the day it is made; give today or a later day"
            )
        return value

    @model_validator(mode="after")
    def _reservation(self) -> TrainingDemand:
        if self.every != "once" and self.deadline_days > PERIOD_DAYS[self.every] + 1e-9:
            raise ValueError(
                f"deadline_days: a run repeating every {self.every} must finish within the period "
                f"({PERIOD_DAYS[self.every]:g} days), got {self.deadline_days:g}; set deadline_days to at most "
                f"{PERIOD_DAYS[self.every]:g} or a longer every (day, week, month)"
            )
        if self.every != "once" and self.reserve != "none":
            raise ValueError(
                f"reserve: a reservation covers one run (start_date + deadline_days); a run repeating every "
                f"{self.every} cannot reserve {self.reserve!r}: set reserve none or every once"
            )
        if self.reserve != "none" and self.start_date is None:
            raise ValueError(
                f"start_date: required when reserve is {self.reserve!r} (the reservation starts that day and "
                "ends deadline_days later)"
            )
        if self.reserve != "none" and self.spot:
            raise ValueError(
                f"spot: a run with reserve {self.reserve!r} runs on reserved on-demand capacity; set spot false "
                "or reserve none"
            )
        return self


# Bytes per weight of each precision (BF16 2, FP8 and INT8 1, INT4 a half).
BYTES_PER_WEIGHT: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
KvPrecision = Literal["bf16", "fp8"]
# Bytes per K or V value in the cache (BF16 2, FP8 1).
BYTES_PER_KV_VALUE: dict[str, float] = {"bf16": 2.0, "fp8": 1.0}
DEFAULT_PROMPT_TOKENS = FACTS["serving_prompt_tokens"].value
DEFAULT_OUTPUT_TOKENS = FACTS["serving_output_tokens"].value


class InferenceDemand(Model):
    """One serving workload: a model served in whole replicas, peak tokens/s over replica throughput, part of
    it at the edge."""

    name: Slug
    peak_tokens_per_s: float = Field(
        ge=1e-3, le=MAX_TOKENS_PER_S, description="peak load, [0.001, 1e9] tokens/s"
    )
    tokens_per_s_per_gpu: float | None = Field(
        None,
        ge=MIN_TOKENS_PER_S_PER_GPU,
        le=MAX_TOKENS_PER_S_PER_GPU,
        description="measured throughput of one GPU of `accelerator` serving this model (a replica of n GPUs "
        "gives n times it), [0.01, 1e6]; when absent, estimated from the hardware and flagged as an estimate",
    )
    accelerator: str
    classification: Classification | None = None
    edge_fraction: float = Field(0.0, ge=0, le=1, description="share of peak served at edge sites, [0, 1]")
    spot: bool = False
    model_params: float = Field(
        ge=1, le=MAX_PARAMS, description="the served model's parameters (e.g. 7.0e10), at most 1e15"
    )
    weight_precision: WeightPrecision = Field(
        "bf16", description="bytes per weight: bf16 2, fp8 1, int8 1, int4 0.5"
    )
    kv_precision: KvPrecision = Field(
        "bf16", description="bytes per KV cache value: bf16 2 (vLLM's default), fp8 1 (--kv-cache-dtype fp8)"
    )
    context_tokens: int = Field(
        8192, ge=1, le=10_485_760, description="the most tokens (prompt + output) one sequence may reach"
    )
    prompt_tokens: float | None = Field(
        None,
        ge=1,
        le=10_485_760,
        description="average tokens in per request; default 222 (the MLPerf Llama 2 70B dataset's mean), scaled "
        "down to fit context_tokens",
    )
    output_tokens: float | None = Field(
        None,
        ge=1,
        le=10_485_760,
        description="average tokens out per request; default 294 (Llama 2 70B's mean answer on that dataset), "
        "scaled down to fit context_tokens",
    )
    concurrent_sequences: int = Field(
        int(FACTS["serving_max_sequences"].value),
        ge=1,
        le=4096,
        description="the most sequences one replica runs at once (vLLM --max-num-seqs, TensorRT-LLM "
        "max_batch_size; default 256, vLLM's), which its KV cache must hold at the average sequence",
    )
    layers: int | None = Field(
        None, ge=1, le=1000, description="transformer layers; default from model_params"
    )
    kv_heads: int | None = Field(None, ge=1, le=1024, description="key/value heads; default 8 (Llama 3 GQA)")
    head_dim: int | None = Field(None, ge=1, le=1024, description="dimension of one head; default 128")
    base_tokens_per_s: float | None = Field(
        None,
        ge=1e-3,
        le=MAX_TOKENS_PER_S,
        description="the baseline load the workload never drops below (tokens/s); public capacity scales "
        "between it and peak_tokens_per_s; = peak when absent (fixed capacity)",
    )

    @field_validator("accelerator")
    @classmethod
    def _acc(cls, value: str) -> str:
        return _check_accelerator(value)

    @model_validator(mode="after")
    def _averages_within_context(self) -> InferenceDemand:
        prompt, output = self.average_tokens
        if output <= 0:
            raise ValueError(
                f"output_tokens: prompt_tokens ({prompt:g}) leaves no room in context_tokens ({self.context_tokens}) "
                "for an answer"
            )
        if prompt + output > self.context_tokens + 1e-9:
            raise ValueError(
                f"prompt_tokens + output_tokens: averages ({prompt:g} + {output:g}) cannot exceed context_tokens "
                f"({self.context_tokens}), the most one sequence reaches"
            )
        return self

    @property
    def average_tokens(self) -> tuple[float, float]:
        """(prompt, output) tokens of the average request: as given, else the defaults scaled to the context."""
        prompt = DEFAULT_PROMPT_TOKENS if self.prompt_tokens is None else self.prompt_tokens
        output = DEFAULT_OUTPUT_TOKENS if self.output_tokens is None else self.output_tokens
        given = (self.prompt_tokens is not None, self.output_tokens is not None)
        if not all(given) and prompt + output > self.context_tokens:
            # Defaults never make a request longer than the context: the defaulted part shrinks to fit.
            room = self.context_tokens - (prompt if given[0] else 0) - (output if given[1] else 0)
            defaulted = (0 if given[0] else prompt) + (0 if given[1] else output)
            scale = max(room, 0) / defaulted
            prompt = prompt if given[0] else prompt * scale
            output = output if given[1] else output * scale
        return prompt, output

    @model_validator(mode="after")
    def _base_within_peak(self) -> InferenceDemand:
        if self.base_tokens_per_s is not None and self.base_tokens_per_s > self.peak_tokens_per_s:
            raise ValueError(
                f"base_tokens_per_s: must be at most peak_tokens_per_s ({self.peak_tokens_per_s:g}), "
                f"got {self.base_tokens_per_s:g}"
            )
        return self

    @property
    def baseline_tokens_per_s(self) -> float:
        """The baseline load: base_tokens_per_s, or the peak when the stack gives none."""
        return self.peak_tokens_per_s if self.base_tokens_per_s is None else self.base_tokens_per_s


class ErasureCoding(Model):
    k: int = Field(ge=2, le=16, description="data chunks")
    m: int = Field(ge=1, le=8, description="coding chunks")


class Protection(Model):
    """Either `{replicas: n}` or `{erasure: {k, m}}`."""

    replicas: int | None = Field(None, ge=1, le=10)
    erasure: ErasureCoding | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Protection:
        if (self.replicas is None) == (self.erasure is None):
            raise ValueError("give exactly one of {replicas: n} or {erasure: {k, m}}")
        return self


class StorageDemand(Model):
    datasets_tb: float = Field(0.0, ge=0, le=MAX_TB, description="usable TB of datasets, at most 1e6 (1 EB)")
    checkpoint_keep: int = Field(2, ge=0, le=100, description="checkpoints retained per training run")
    checkpoint_bytes_per_param: float = Field(
        14.0,
        ge=0.5,
        le=64,
        description="bf16 weights (2) + fp32 master weights (4) + Adam moments (8), per ZeRO (arXiv:1910.02054)",
    )
    block_tb: float = Field(
        0.0, ge=0, le=MAX_TB, description="usable TB of block volumes (RBD) for private instances"
    )
    protection: Protection = Protection(replicas=3)
    drive_tb: float = Field(7.68, ge=MIN_DRIVE_TB, le=MAX_DRIVE_TB, description="one drive, 0.1-128 TB")
    target_fill: float = Field(
        0.7, ge=0.05, le=0.85, description="fill ratio to plan for, [0.05, 0.85]; Ceph nearfull is 0.85"
    )
    osds_per_host: int = Field(
        8, ge=1, le=60, description="drive bays per storage host (a limit, not a quota)"
    )
    checkpoint_write_minutes: float = Field(
        5.0,
        ge=0.1,
        le=1440,
        description="minutes within which the running trainings' checkpoints must be written to Ceph",
    )
    drive_write_mb_per_s: float | None = Field(
        None,
        ge=1,
        le=100_000,
        description="sequential write MB/s of one drive, 1-100,000 (the fastest NVMe drives write ~14,000); "
        "default: the catalog's datacentre NVMe figure",
    )


class TransferDemand(Model):
    name: Slug
    volume_gb: float = Field(ge=1e-6, le=MAX_VOLUME_GB, description="GB moved per window, 1 KB to 1 EB")
    window_hours: float = Field(
        ge=MIN_WINDOW_HOURS, le=MAX_WINDOW_HOURS, description="one minute to one year"
    )
    classification: Classification | None = None
    direction: TransferDirection = Field(
        "to_private", description="which way the data flows between the private cloud and the public one"
    )
    every: Every = Field("day", description="how often the volume moves (for cost); once: a one-off move")
    cloud: PublicCloud | None = Field(
        None,
        description="the public cloud the transfer reaches; default: where the stack's public datasets live "
        "(a training run's dataset_location), else the first cloud the stack's quotas name, else "
        f"{PUBLIC_CLOUDS[0]}",
    )


class SecurityDemand(Model):
    encryption: Literal["aes-256-gcm", "aes-256-xts", "aes-128-gcm"] = "aes-256-gcm"
    classification: Classification = Field("internal", description="default for items that name none")
    key_rotation_days: int = Field(365, ge=1, le=3650)


class Demand(Model):
    training: tuple[TrainingDemand, ...] = Field((), max_length=MAX_ITEMS)
    inference: tuple[InferenceDemand, ...] = Field((), max_length=MAX_ITEMS)
    storage: StorageDemand = StorageDemand()
    transfer: tuple[TransferDemand, ...] = Field((), max_length=MAX_ITEMS)
    security: SecurityDemand = SecurityDemand()

    @model_validator(mode="after")
    def _names(self) -> Demand:
        _unique_names(self.training + self.inference, "workload")
        _unique_names(self.transfer, "transfer")
        return self


class PrivateCapacity(Model):
    gpus: dict[str, int] = Field(
        default_factory=dict, description="accelerator -> GPUs the private cloud has"
    )
    amortisation_months: int = Field(36, ge=1, le=120)
    usd_per_kwh: float = Field(0.10, ge=0, le=10)
    pue: float = Field(1.3, ge=1.0, le=3.0, description="power usage effectiveness of the data centre")

    @field_validator("gpus")
    @classmethod
    def _gpus(cls, value: dict[str, int]) -> dict[str, int]:
        for key, count in value.items():
            _check_accelerator(key)
            if count < 0:
                raise ValueError(f"{key}: GPU count must be >= 0, got {count}")
            if count > MAX_GPUS:
                raise ValueError(f"{key}: GPU count must be at most {MAX_GPUS:,}, got {count}")
        return value


class PublicCapacity(Model):
    max_instances: dict[str, int] = Field(default_factory=dict, description="instance type -> quota")
    allowed_instance_types: tuple[str, ...] | None = Field(None, description="restrict placement to these")

    @field_validator("max_instances")
    @classmethod
    def _quota(cls, value: dict[str, int]) -> dict[str, int]:
        for key, count in value.items():
            if key not in INSTANCE_TYPES:
                raise ValueError(
                    f"unknown instance type {key!r}{did_you_mean(key, INSTANCE_TYPES) or ';'} allowed: "
                    f"{', '.join(sorted(INSTANCE_TYPES))}"
                )
            if count < 0:
                raise ValueError(f"{key}: quota must be >= 0, got {count}")
            if count > MAX_INSTANCES:
                raise ValueError(f"{key}: quota must be at most {MAX_INSTANCES:,}, got {count}")
        return value

    @field_validator("allowed_instance_types")
    @classmethod
    def _allowed(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for key in value or ():
            if key not in INSTANCE_TYPES:
                raise ValueError(
                    f"unknown instance type {key!r}{did_you_mean(key, INSTANCE_TYPES) or ';'} allowed: "
                    f"{', '.join(sorted(INSTANCE_TYPES))}"
                )
        return value


class Capacity(Model):
    private: PrivateCapacity = PrivateCapacity()
    public: PublicCapacity = PublicCapacity()
    prices: dict[str, Annotated[float, Field(ge=0, le=10_000)]] = Field(
        default_factory=dict,
        description="USD/hour overrides (0-10,000): instance type (on-demand), '<type>:spot', or accelerator "
        "key (private cost per GPU-hour)",
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


class OpenStackSettings(Model):
    region: CloudName | None = None
    external_network: CloudName = "public"
    image: CloudName = "ubuntu-22.04"
    network_cidr: str = Field("10.20.0.0/16", description="IPv4, /28 or larger, holding every private server")
    dns_nameservers: tuple[str, ...] = Field((), max_length=5)
    admin_cidrs: AdminCidrs = Field((), description="CIDRs allowed to reach SSH and the K3s API")
    server_flavor: CloudName = "m1.xlarge"
    storage_flavor: CloudName = "baremetal.storage"
    gpu_flavors: dict[str, CloudName] = Field(
        default_factory=dict, description="accelerator -> flavor; default gpu-<accelerator>-x<gpus per node>"
    )
    ssh_public_key: Annotated[str, StringConstraints(max_length=16_384)] | None = Field(
        None,
        description="OpenSSH public key line for the servers (TYPE BASE64 [COMMENT]); absent: aidc makes a key pair",
    )
    root_volume_gb: int = Field(200, ge=20, le=10_000)
    gpu_image: CloudName | None = Field(
        None,
        description="Glance image with the NVIDIA driver preinstalled, for GPU servers (aidc:k3s.gpu_driver: image)",
    )

    @field_validator("network_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        # A Neutron IPv4 subnet; the smallest the private cloud takes is a /28.
        return check_cidr(value, version=4, longest=28)

    @field_validator("admin_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_cidr(v) for v in value)

    @field_validator("ssh_public_key")
    @classmethod
    def _ssh_public_key(cls, value: str | None) -> str | None:
        if value is not None and (problem := limits.ssh_public_key_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("dns_nameservers")
    @classmethod
    def _resolvers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for server in value:
            try:
                ipaddress.ip_address(server)
            except ValueError:
                raise ValueError(
                    f"{server!r} is not an IP address (Neutron takes resolver addresses)"
                ) from None
        return value

    @field_validator("gpu_flavors")
    @classmethod
    def _flavors(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            _check_accelerator(key)
        return value

    def gpu_flavor(self, accelerator: str, gpus_per_node: int) -> str:
        return self.gpu_flavors.get(accelerator, f"gpu-{accelerator}-x{gpus_per_node}")


class VpnSettings(Model):
    """IPsec parameters both clouds must agree on (mapped to each cloud's names by the components)."""

    ike_version: IkeVersion = "ikev2"
    encryption: IpsecEncryption = "aes256-gcm"
    integrity: IpsecIntegrity = "sha256"
    dh_group: DhGroup = 20
    tunnel_bandwidth: TunnelBandwidth = "standard"
    customer_gateway_asn: int = Field(65000, ge=1, le=4_294_967_294)
    amazon_side_asn: int = Field(64512, ge=64512, le=65534)
    dpd_timeout_s: int = Field(30, ge=30, le=3600)


def _private_asn(value: int) -> int:
    if not (64512 <= value <= 65534 or 4_200_000_000 <= value <= 4_294_967_294):
        raise ValueError(f"must be a private ASN 64512-65534 or 4200000000-4294967294, got {value}")
    return value


LOCATION_CODE = r"^[A-Za-z0-9-]{2,32}$"
# Ranges the internet never routes (RFC 6890 special-purpose blocks AWS will not accept on a public virtual
# interface); the RFC 5737 documentation ranges are let through for examples, with a warning from sizing.
NOT_PUBLIC_IPV4 = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/3",
    )
)
DOCUMENTATION_IPV4 = tuple(
    ipaddress.IPv4Network(block) for block in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)


def _public_ipv4(value: str) -> str:
    check_cidr(value, version=4)
    network = ipaddress.IPv4Network(value)
    for block in NOT_PUBLIC_IPV4:
        if network.overlaps(block):
            raise ValueError(
                f"{value!r} overlaps {block}, which the internet does not route; a public virtual interface "
                "takes public IPv4 prefixes you own"
            )
    return value


class DirectConnectSettings(Model):
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
    locations: tuple[Annotated[str, Field(pattern=LOCATION_CODE)], ...] = Field(
        (),
        max_length=16,
        description="Direct Connect locations the links are spread over, round robin (instead of location and "
        "second_location); each holds at most connections_per_location ports",
    )
    connections_per_location: int = Field(
        DIRECT_CONNECT_CONNECTIONS_PER_LOCATION,
        ge=1,
        le=1000,
        description="the account's quota of dedicated connections per location in the Region (AWS default 10, "
        "adjustable: raise it with AWS first, then here; `aidc preflight` reads the applied value)",
    )
    public_prefixes: tuple[Annotated[str, AfterValidator(_public_ipv4)], ...] = Field(
        (),
        max_length=1000,
        description="public IPv4 prefixes you own that the private cloud's object gateways use toward Amazon S3, "
        "advertised over one public virtual interface per link: the path bulk transfers take to S3 when the "
        "Transit Gateway cannot carry them (AWS verifies you own them; at most 1,000, its route limit)",
    )
    public_peer_cidr: str | None = Field(
        None,
        description="public IPv4 block you own for the public virtual interfaces' BGP peers: one /30 per link "
        "(AWS .1, on-premises .2); required with public_prefixes",
    )
    public_first_vlan: int = Field(
        2000, ge=1, le=4000, description="VLAN of link 0's public virtual interface; link i uses it + i"
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
        check_cidr(value)
        if ipaddress.ip_network(value).version != 4:
            raise ValueError(f"{value!r} is not an IPv4 CIDR block")
        return value

    @field_validator("bgp_peer_cidr")
    @classmethod
    def _peerings(cls, value: str) -> str:
        # aidc/sizing/network.py cuts it into /30s, one BGP peering per link (AWS .1, on-premises .2).
        prefix = ipaddress.ip_network(value).prefixlen
        if prefix > BGP_PEERING_PREFIX:
            raise ValueError(
                f"{value} holds no /{BGP_PEERING_PREFIX}: each Direct Connect link needs one /{BGP_PEERING_PREFIX} "
                f"BGP peering (at least 1; a /{prefix} has {2 ** (32 - prefix)} addresses, a /{BGP_PEERING_PREFIX} "
                f"4); give a /{BGP_PEERING_PREFIX} per link, e.g. a /24 for up to 64 links"
            )
        return value

    @field_validator("public_prefixes")
    @classmethod
    def _public_prefixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("must be distinct")
        return value

    @field_validator("public_peer_cidr")
    @classmethod
    def _public_peer(cls, value: str | None) -> str | None:
        if value is not None:
            _public_ipv4(value)
            if ipaddress.IPv4Network(value).prefixlen > BGP_PEERING_PREFIX:
                raise ValueError(f"{value!r} is too small: one /30 per link, so /30 or larger")
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
        explicit_location = "location" in self.model_fields_set and self.location not in self.locations
        if self.locations and (self.second_location is not None or explicit_location):
            raise ValueError("locations: give either locations or location (and second_location), not both")
        if len(set(self.locations)) != len(self.locations):
            raise ValueError("locations: must be distinct")
        if bool(self.public_prefixes) != (self.public_peer_cidr is not None):
            raise ValueError(
                "public_prefixes and public_peer_cidr: give both (the prefixes the public virtual interfaces "
                "advertise and the public block their BGP peers use) or neither"
            )
        if self.public_prefixes and self.hosted:
            raise ValueError("public_prefixes: public virtual interfaces are planned on dedicated ports only")
        return self

    @property
    def all_locations(self) -> tuple[str, ...]:
        """The locations links are spread over: `locations`, else location and second_location."""
        if self.locations:
            return self.locations
        return (self.location,) + ((self.second_location,) if self.second_location else ())


class InterconnectSettings(Model):
    """How the clouds are joined besides the VPN (aidc:vpn)."""

    direct_connect: DirectConnectSettings = DirectConnectSettings()


class EdgeSite(Model):
    name: Slug
    share: float = Field(
        ge=MIN_SITE_SHARE, le=1, description="share of the edge load this site serves, [0.0001, 1]"
    )
    accelerator: str
    gpus_per_node: int = Field(1, ge=1, le=16)
    servers: K3sServers = 1
    region: CloudName | None = Field(None, description="OpenStack region of the site; default: the core's")
    flavor: CloudName | None = None
    network_cidr: str | None = Field(
        None,
        description="the site's tenant network, recorded: hand-set, or written by `aidc edge allocate`; "
        "without it the site's network is provisional (shown by size/plan, refused by `pulumi up`)",
    )
    prefix_length: int | None = Field(
        None,
        ge=16,
        le=MAX_SITE_PREFIX,
        description="size of this site's network when allocated; default aidc:edge.site_prefix_length",
    )
    shard: int | None = Field(
        None,
        ge=0,
        le=9999,
        description="estate shard stack the site is deployed by (<core>-edge-<shard>), recorded by "
        "`aidc edge allocate`; only with aidc:estate",
    )

    @field_validator("network_cidr")
    @classmethod
    def _site_cidr(cls, value: str | None) -> str | None:
        return None if value is None else check_cidr(value, version=4, longest=28)

    @field_validator("accelerator")
    @classmethod
    def _acc(cls, value: str) -> str:
        return _check_accelerator(value)

    def request(self) -> SiteRequest:
        return SiteRequest(self.name, self.network_cidr, self.prefix_length, self.shard)


class EdgeSettings(Model):
    supernet: str = Field(
        DEFAULT_SUPERNET,
        description="where edge site networks are allocated; must overlap neither the AWS VPC, the private "
        "network nor the interconnect ranges; the core routes it as one aggregate",
    )
    site_prefix_length: int = Field(
        DEFAULT_SITE_PREFIX, ge=16, le=MAX_SITE_PREFIX, description="size of each allocated site network"
    )
    sites: tuple[EdgeSite, ...] = Field((), max_length=MAX_EDGE_SITES)

    @field_validator("supernet")
    @classmethod
    def _supernet(cls, value: str) -> str:
        check_cidr(value)
        network = ipaddress.ip_network(value)
        if network.version != 4 or not network.is_private or network.is_link_local:
            raise ValueError(f"{value!r} must be a private (RFC 1918) IPv4 range, e.g. 10.128.0.0/9")
        return value

    @model_validator(mode="after")
    def _shares(self) -> EdgeSettings:
        _unique_names(self.sites, "edge site")
        total = sum(s.share for s in self.sites)
        if self.sites and abs(total - 1.0) > 1e-6:
            raise ValueError(f"site shares must add up to 1, they add up to {total:g}")
        return self


class EstateSettings(Model):
    """An estate: a core stack whose edge sites are deployed by shard stacks `<core>-edge-<n>`.

    In the core's stack file: `{max_sites_per_stack: N}`, or `auto` (also `aidc:estate: {}`): as many sites
    as keep a shard stack within the resource budget (aidc/config/budget.py). In a shard's stack file:
    `{core: NAME, shard: N}` (written by `aidc estate init`). Absent: one stack holds everything, as before."""

    max_sites_per_stack: Annotated[int, Field(ge=1, le=1000)] | Literal["auto"] | None = Field(
        None,
        description="edge sites per shard stack (core stack file only), 1-1000, or auto: as many as keep a "
        "shard stack within the resource budget (1,500)",
    )
    core: Slug | None = Field(
        None, description="the core stack this shard belongs to (shard stack file only)"
    )
    shard: int | None = Field(
        None, ge=0, le=9999, description="this stack's shard number (shard stack file only)"
    )

    @model_validator(mode="after")
    def _role(self) -> EstateSettings:
        if self.max_sites_per_stack is not None and (self.core is not None or self.shard is not None):
            raise ValueError(
                "give either {max_sites_per_stack} (a core stack) or {core, shard} (a shard stack), not both"
            )
        if (self.core is None) != (self.shard is None):
            raise ValueError("a shard stack names both its core stack and its shard: {core: NAME, shard: N}")
        return self

    @property
    def role(self) -> Literal["single", "core", "shard"]:
        if self.max_sites_per_stack is not None:
            return "core"
        return "shard" if self.core is not None else "single"


class K3sSettings(Model):
    # The default is judged by StackConfig._versions_supported (with the day the config is read), not here: this
    # model's default instance is built once, at import, where a refusal would be a crash rather than exit 2.
    version: str = Field(K3S_DEFAULT, pattern=r"^v[0-9]+\.[0-9]+\.[0-9]+\+k3s[0-9]+$")
    core_servers: K3sServers = 3
    secrets_encryption: bool = True
    gpu_driver: GpuDriver = Field(
        "operator",
        description="NVIDIA driver on GPU agents: installed by the GPU Operator, or preinstalled in aidc:openstack.gpu_image",
    )

    @field_validator("version")
    @classmethod
    def _k3s_supported(cls, value: str) -> str:
        if why := k3s_refusal(value, today()):
            raise ValueError(f"{why}; pin a patch of a maintained minor")
        return value


class CephSettings(Model):
    rook_chart_version: str = Field(
        CHARTS["rook"].version,
        pattern=r"^v[0-9]+\.[0-9]+\.[0-9]+$",
        description="Rook chart release, on a maintained line (aidc/versions.py: ROOK_LINES)",
    )
    # An OCI image reference (distribution/reference grammar, loosely): registry/path:tag or @digest.
    ceph_image: str = Field(
        "quay.io/ceph/ceph:v19.2.1", max_length=255, pattern=r"^[a-z0-9][a-z0-9._/:@-]*[A-Za-z0-9._-]$"
    )
    device_filter: str = Field(
        "^nvme",
        min_length=1,
        max_length=256,
        description="a Go (RE2) regular expression Rook matches disks with",
    )

    @field_validator("device_filter")
    @classmethod
    def _device_filter(cls, value: str) -> str:
        if problem := re2_problem(value):
            raise ValueError(f"{value!r} is {problem} (Rook compiles deviceFilter with Go's regexp)")
        return value

    @field_validator("rook_chart_version")
    @classmethod
    def _rook_supported(cls, value: str) -> str:
        if why := rook_refusal(value, today()):
            raise ValueError(f"{why}; pin a release of a maintained line")
        return value


class PolicySettings(Model):
    monthly_cost_ceiling_usd: Annotated[float, Field(ge=0, le=MAX_USD)] | None = None


# The clusters' own namespaces and node pools (aidc/types.py): a workload named like one would share it.
RESERVED_WORKLOAD_NAMES = RESERVED_NAMESPACES | RESERVED_POOLS


class StackConfigBase(Model):
    """Everything aidc reads from one stack's config but the public clouds' settings (`StackConfig` adds one
    field per registered cloud, `aidc:<cloud>`, from aidc/clouds/<cloud>/settings.py)."""

    stack: str = "dev"
    demand: Demand = Demand()
    capacity: Capacity = Capacity()
    openstack: OpenStackSettings = OpenStackSettings()
    vpn: VpnSettings = VpnSettings()
    interconnect: InterconnectSettings = InterconnectSettings()
    edge: EdgeSettings = EdgeSettings()
    estate: EstateSettings = EstateSettings()
    k3s: K3sSettings = K3sSettings()
    ceph: CephSettings = CephSettings()
    policy: PolicySettings = PolicySettings()

    @field_validator("stack")
    @classmethod
    def _stack(cls, value: str) -> str:
        if problem := limits.stack_name_problem(value):
            raise ValueError(problem)
        return value

    def cloud(self, name: str) -> Model:
        """The `aidc:<name>` settings of a registered public cloud (its own module types them: settings_of)."""
        if name not in PUBLIC_CLOUDS:
            raise ValueError(f"unknown public cloud {name!r}; registered: {', '.join(PUBLIC_CLOUDS)}")
        settings: Model = getattr(self, name)
        return settings

    def classification_of(self, item: TrainingDemand | InferenceDemand | TransferDemand) -> Classification:
        return item.classification or self.demand.security.classification

    def cloud_regions(self) -> dict[str, str]:
        """Each registered public cloud's region (aidc:<cloud>.region, or its provider key, or its default)."""
        return {cloud: cast(CloudSettings, self.cloud(cloud)).region for cloud in PUBLIC_CLOUDS}

    def transfer_cloud(self, transfer: TransferDemand) -> PublicCloud:
        """The public cloud a transfer reaches: its `cloud`, else where the stack's public datasets live, else the
        first cloud whose instance types the stack's quotas name, else the first registered cloud."""
        if transfer.cloud is not None:
            return transfer.cloud
        for run in self.demand.training:
            if run.dataset_location in PUBLIC_CLOUDS:
                return public_cloud(run.dataset_location)
        for instance_type in self.capacity.public.max_instances:
            return public_cloud(INSTANCE_TYPES[instance_type].cloud)
        return public_cloud(PUBLIC_CLOUDS[0])

    _edge_layout: dict[str, SiteLayout] = PrivateAttr(default_factory=dict)
    _provider_keys: frozenset[str] = PrivateAttr(default_factory=frozenset)
    _configured_clouds: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @property
    def provider_keys(self) -> frozenset[str]:
        """The public clouds' Pulumi provider keys the stack file sets itself (aws:region): the program leaves
        those to the default provider, and gives a cloud whose region only aidc:<cloud> names an explicit one."""
        return self._provider_keys

    @property
    def enabled_clouds(self) -> tuple[PublicCloud, ...]:
        """The public clouds placement may use: those the stack configures — its `aidc:<cloud>` key or the cloud's
        provider keys (aws:region, gcp:project), a quota, allowed type or price of one of its types, a dataset or a
        transfer there — or, when it configures none, the first registered cloud. A cloud needs an account the
        stack names before capacity can go there: adding a cloud to aidc never moves a stack's work by itself."""
        named = set(self._configured_clouds)
        named |= {key.partition(":")[0] for key in self._provider_keys}
        public = self.capacity.public
        types = [*public.max_instances, *(public.allowed_instance_types or ()), *self.capacity.prices]
        named |= {
            INSTANCE_TYPES[t.removesuffix(":spot")].cloud
            for t in types
            if t.removesuffix(":spot") in INSTANCE_TYPES
        }
        named |= {run.dataset_location for run in self.demand.training}
        named |= {t.cloud for t in self.demand.transfer if t.cloud is not None}
        enabled = tuple(public_cloud(c) for c in PUBLIC_CLOUDS if c in named)
        return enabled or (public_cloud(PUBLIC_CLOUDS[0]),)

    @model_validator(mode="before")
    @classmethod
    def _estate_auto(cls, data: Any) -> Any:
        """`aidc:estate: {}` is a core whose shard size is derived (`max_sites_per_stack: auto`)."""
        if isinstance(data, dict) and isinstance(data.get("estate"), dict) and not data["estate"]:
            return {**data, "estate": {"max_sites_per_stack": "auto"}}
        return data

    @property
    def sites_per_shard(self) -> int | None:
        """An estate core's sites per shard stack: as given, or (auto) as many as fit the resource budget;
        None for any other stack."""
        declared = self.estate.max_sites_per_stack
        if declared != "auto":
            return declared
        served = sum(1 for w in self.demand.inference if w.edge_fraction > 0)
        return budget.sites_within_budget(
            budget.resources_per_site(self.edge.sites, served, len(self.openstack.admin_cidrs))
        )

    @property
    def edge_layout(self) -> dict[str, SiteLayout]:
        """Each edge site's network and (in an estate) shard, recorded or provisional, in config order."""
        return self._edge_layout

    def routed_ranges(self) -> list[tuple[str, str]]:
        """(config key, CIDR) of the networks the core routes to, which no edge network may overlap."""
        return [
            *(
                ranged
                for cloud in PUBLIC_CLOUDS
                for ranged in cast(CloudSettings, self.cloud(cloud)).routed_ranges()
            ),
            ("aidc:openstack.network_cidr", self.openstack.network_cidr),
            (
                "aidc:interconnect.direct_connect.transit_gateway_cidr",
                self.interconnect.direct_connect.transit_gateway_cidr,
            ),
        ]

    @model_validator(mode="after")
    def _cross(self, info: ValidationInfo) -> StackConfigBase:
        # What the stack file itself set (the loader passes it): its provider keys and its aidc:<cloud> keys.
        context = info.context or {}
        self._provider_keys = frozenset(context.get("provider_keys", ()))
        self._configured_clouds = frozenset(context.get("configured_clouds", ()))
        if any(w.edge_fraction > 0 for w in self.demand.inference) and not self.edge.sites:
            raise ValueError("inference with edge_fraction > 0 needs aidc:edge.sites")
        routed = self.routed_ranges()
        dx = self.interconnect.direct_connect
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
        if self.k3s.gpu_driver == "image" and not self.openstack.gpu_image:
            raise ValueError(
                "aidc:openstack.gpu_image: required with aidc:k3s.gpu_driver: image (the Glance image whose NVIDIA "
                "driver the GPU agents use)"
            )
        if self.k3s.gpu_driver == "operator" and self.openstack.gpu_image:
            raise ValueError(
                "aidc:openstack.gpu_image: only with aidc:k3s.gpu_driver: image (the GPU Operator installs the driver "
                "on the common image otherwise)"
            )
        for index, run in enumerate(self.demand.training):
            level = self.classification_of(run)
            if level in PRIVATE_ONLY and run.dataset_tb > 0 and run.dataset_location != "private":
                raise ValueError(
                    f"aidc:demand.training[{index}].dataset_location: {run.name} is {level}, so its data stays in "
                    f"the private cloud, but dataset_location is {run.dataset_location!r}"
                )
        if self.estate.role != "core":
            recorded = [(i, site.name) for i, site in enumerate(self.edge.sites) if site.shard is not None]
            if recorded:
                raise ValueError(
                    f"aidc:edge.sites[{recorded[0][0]}].shard ({recorded[0][1]}): only a core stack "
                    "(aidc:estate.max_sites_per_stack) deploys its sites from shard stacks"
                )
        if self.estate.role == "shard" and self.estate.core is not None and self.estate.shard is not None:
            expected = shard_stack_name(self.estate.core, self.estate.shard)
            if self.stack != expected:
                raise ValueError(
                    f"aidc:estate: shard {self.estate.shard} of {self.estate.core} is the stack {expected!r}, "
                    f"not {self.stack!r}; `aidc estate init --stack {self.estate.core}` writes its stack file"
                )
        if self.estate.role == "shard" and (self.edge.sites or self.demand != Demand()):
            raise ValueError(
                f"a shard stack ({self.stack}) holds no demand and no sites: they live in its core stack "
                f"({self.estate.core}), which every shard reads"
            )
        try:
            self._edge_layout = layout_sites(
                [site.request() for site in self.edge.sites],
                supernet=self.edge.supernet,
                site_prefix_length=self.edge.site_prefix_length,
                reserved=routed,
                max_sites_per_stack=self.sites_per_shard,
                # A derived size follows the demand: recorded shards it no longer fits stay (sizing warns).
                strict_shards=self.estate.max_sites_per_stack != "auto",
            )
        except AddressingError as exc:
            raise ValueError(str(exc)) from None
        return self

    @model_validator(mode="after")
    def _versions_supported(self) -> StackConfigBase:
        """The pinned versions are inside their support windows on the day this runs (the defaults too, which
        pydantic built once at import)."""
        aws = getattr(self, "aws", None)  # the AWS cloud's settings, when that cloud is registered
        problems = [
            f"{key}: {why}"
            for key, why in (
                ("aidc:aws.eks_version", eks_refusal(aws.eks_version, today()) if aws is not None else None),
                ("aidc:k3s.version", k3s_refusal(self.k3s.version, today())),
                ("aidc:ceph.rook_chart_version", rook_refusal(self.ceph.rook_chart_version, today())),
            )
            if why
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _cloud_names(self) -> StackConfigBase:
        """Zones in the region, and names that still fit once aidc derives resource names from them; one
        line per fault, each starting with its key path."""
        problems: list[str] = []
        allowed = self.capacity.public.allowed_instance_types
        workloads: list[tuple[str, int, TrainingDemand | InferenceDemand]] = [
            *(("training", i, item) for i, item in enumerate(self.demand.training)),
            *(("inference", i, item) for i, item in enumerate(self.demand.inference)),
        ]
        for kind, index, item in workloads:
            public_types = [
                t
                for t in INSTANCE_TYPES.values()
                if t.accelerator == item.accelerator and (allowed is None or t.name in allowed)
            ]
            found = limits.name_problems(item.name, limits.WORKLOAD_PRIVATE_NAMES)
            if self.classification_of(item) not in PRIVATE_ONLY:
                for cloud in dict.fromkeys(t.cloud for t in public_types if t.cloud in self.enabled_clouds):
                    rules = cast(CloudSettingsModule, module_of(cloud, "settings")).WORKLOAD_NAMES
                    names = [t.name for t in public_types if t.cloud == cloud]
                    found += limits.name_problems(item.name, rules, names)
            for why in dict.fromkeys(found):
                problems.append(f"aidc:demand.{kind}[{index}].name: {why}")
            if item.name in RESERVED_WORKLOAD_NAMES:
                problems.append(
                    f"aidc:demand.{kind}[{index}].name: {item.name!r} is reserved (a workload's namespace and node "
                    f"pool are named after it); reserved: {', '.join(sorted(RESERVED_WORKLOAD_NAMES))}"
                )
        for index, site in enumerate(self.edge.sites):
            for why in limits.name_problems(site.name, limits.SITE_NAMES):
                problems.append(f"aidc:edge.sites[{index}].name: {why}")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class CloudSettings(Protocol):
    """What StackConfig needs of a public cloud's settings model."""

    region: str

    def routed_ranges(self) -> list[tuple[str, str]]: ...


class CloudSettingsModule(Protocol):
    """aidc/clouds/<name>/settings.py: its `Settings` model, the provider keys it mirrors, the names it derives."""

    Settings: type[Model]
    PROVIDER_KEYS: dict[str, str]
    WORKLOAD_NAMES: tuple[limits.NameRule, ...]


def _cloud_settings(cloud: str) -> CloudSettingsModule:
    return cast(CloudSettingsModule, module_of(cloud, "settings"))


if TYPE_CHECKING:

    class StackConfig(StackConfigBase):
        """StackConfigBase with one settings field per registered public cloud (typed through `cloud`)."""

else:
    StackConfig = create_model(
        "StackConfig",
        __base__=StackConfigBase,
        __module__=__name__,
        __doc__="Everything aidc reads from one stack's config.",
        **{
            cloud: (
                _cloud_settings(cloud).Settings,
                Field(
                    default_factory=_cloud_settings(cloud).Settings,
                    description=f"the {cloud} side of the stack (aidc/clouds/{cloud}/settings.py)",
                ),
            )
            for cloud in PUBLIC_CLOUDS
        },
    )
