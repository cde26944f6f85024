"""Hardware and price facts, each with its source and the date it was read.

This is the only module that holds hardware numbers. Accelerator keys are `<model>-<memory>gb`, lower case.
Peaks are dense (no sparsity) BF16 tensor FLOP/s from the vendor datasheets. Prices are USD per hour,
us-east-1 Linux on-demand, and change: every price can be overridden in `aidc:capacity.prices`.
To add an entry, give it a source and a date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Accelerator:
    """One GPU model as the sizing engine sees it."""

    key: str
    peak_bf16_flops: float  # dense BF16 FLOP/s per GPU
    memory_gb: int
    memory_bandwidth_tbps: float  # HBM/GDDR bandwidth, TB/s; decode throughput scales with it
    gpus_per_node: int  # GPUs in one private-cloud server of this model
    capex_usd_per_gpu: float  # purchase price share of one GPU in a server, for private amortisation
    power_kw_per_gpu: float  # server power per GPU at load, including host share
    source: str
    as_of: str


@dataclass(frozen=True)
class InstanceType:
    """One public GPU instance type."""

    name: str
    accelerator: str
    gpus: int
    vcpus: int
    network_gbps: int
    efa: bool
    efa_interfaces: int  # EFA devices per instance (one per network card); 0 without EFA
    usd_per_hour: float  # on-demand
    quota_family: str  # Service Quotas family (P or G) whose vCPU quota bounds it
    source: str
    as_of: str


@dataclass(frozen=True)
class Catalog:
    """Accelerators and instance types; a sizing run takes one (tests and benchmarks pass their own)."""

    accelerators: Mapping[str, Accelerator]
    instance_types: Mapping[str, InstanceType]
    spot_fraction_of_on_demand: float = 0.4
    spot_source: str = (
        "estimate: GPU spot prices in us-east-1 ran at roughly 30-50% of on-demand in 2024; "
        "check EC2 Spot price history for your region and override in aidc:capacity.prices"
    )
    price_source: str = "https://aws.amazon.com/ec2/pricing/on-demand/ (us-east-1, Linux)"
    price_as_of: str = "2024-11"
    notes: tuple[str, ...] = field(default=())

    def instance_types_for(self, accelerator: str) -> list[InstanceType]:
        return [t for t in self.instance_types.values() if t.accelerator == accelerator]


_NV = "NVIDIA datasheet"
ACCELERATORS: Mapping[str, Accelerator] = MappingProxyType(
    {
        a.key: a
        for a in (
            Accelerator(
                "a100-40gb",
                312e12,
                40,
                1.555,
                8,
                12_000,
                0.8,
                f"{_NV}: A100 Tensor Core GPU (BF16 312 TFLOPS dense, 40GB HBM2 1,555 GB/s)",
                "2024-11",
            ),
            Accelerator(
                "a100-80gb",
                312e12,
                80,
                2.039,
                8,
                15_000,
                0.8,
                f"{_NV}: A100 Tensor Core GPU (BF16 312 TFLOPS dense, 80GB HBM2e 2,039 GB/s SXM)",
                "2024-11",
            ),
            Accelerator(
                "h100-80gb",
                989e12,
                80,
                3.35,
                8,
                30_000,
                1.3,
                f"{_NV}: H100 SXM (BF16 989 TFLOPS dense, 80GB HBM3 3.35 TB/s)",
                "2024-11",
            ),
            Accelerator(
                "h200-141gb",
                989e12,
                141,
                4.8,
                8,
                35_000,
                1.3,
                f"{_NV}: H200 SXM (BF16 989 TFLOPS dense, 141GB HBM3e 4.8 TB/s)",
                "2024-11",
            ),
            Accelerator(
                "b200-180gb",
                2.25e15,
                180,
                7.7,
                8,
                45_000,
                1.6,
                f"{_NV}: HGX B200 (BF16 2.25 PFLOPS dense per GPU); 180 GB per GPU as on AWS p6-b200",
                "2025-05",
            ),
            Accelerator(
                "h100-94gb",
                835e12,
                94,
                3.9,
                8,
                28_000,
                0.45,
                f"{_NV}: H100 NVL (BF16 1,671 TFLOPS with sparsity = 835 dense, 94GB HBM3 3.9 TB/s)",
                "2024-11",
            ),
            Accelerator(
                "l4-24gb",
                121e12,
                24,
                0.3,
                8,
                3_000,
                0.12,
                f"{_NV}: L4 (BF16 121 TFLOPS dense / 242 sparse, 24GB GDDR6 300 GB/s)",
                "2024-11",
            ),
            Accelerator(
                "l40s-48gb",
                362e12,
                48,
                0.864,
                8,
                9_000,
                0.5,
                f"{_NV}: L40S (BF16 362 TFLOPS dense / 733 sparse, 48GB GDDR6 864 GB/s)",
                "2024-11",
            ),
            Accelerator(
                "a10-24gb",
                125e12,
                24,
                0.6,
                4,
                3_500,
                0.2,
                f"{_NV}: A10 (BF16 125 TFLOPS dense / 250 sparse, 24GB GDDR6 600 GB/s)",
                "2024-11",
            ),
            Accelerator(
                "mi300x-192gb",
                1307.4e12,
                192,
                5.3,
                8,
                20_000,
                1.1,
                "AMD Instinct MI300X datasheet (BF16 1,307.4 TFLOPS dense, 192GB HBM3 5.3 TB/s)",
                "2024-11",
            ),
        )
    }
)

_PRICE = "https://aws.amazon.com/ec2/pricing/on-demand/ us-east-1 Linux"
_SPECS = "https://aws.amazon.com/ec2/instance-types/ (accelerated computing)"
# EFA devices per instance = network cards with EFA (EC2 User Guide, "Network cards" and "EFA supported
# instance types"): p5/p5e 32, p6-b200 8, p4d/p4de 4, g6e.48xlarge 4, g6e.12xlarge and g6.48xlarge 1.
INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {
        t.name: t
        for t in (
            InstanceType(
                "p4d.24xlarge",
                "a100-40gb",
                8,
                96,
                400,
                True,
                4,
                32.7726,
                "P",
                f"{_SPECS}: 8x A100 40GB, 400 Gbps EFA; {_PRICE}",
                "2024-11",
            ),
            InstanceType(
                "p4de.24xlarge",
                "a100-80gb",
                8,
                96,
                400,
                True,
                4,
                40.9657,
                "P",
                f"{_SPECS}: 8x A100 80GB, 400 Gbps EFA; {_PRICE}",
                "2024-11",
            ),
            InstanceType(
                "p5.48xlarge",
                "h100-80gb",
                8,
                192,
                3200,
                True,
                32,
                98.32,
                "P",
                f"{_SPECS}: 8x H100 80GB, 3,200 Gbps EFA; {_PRICE} (AWS cut P5 prices in "
                "June 2025: override in aidc:capacity.prices)",
                "2024-11",
            ),
            InstanceType(
                "p5e.48xlarge",
                "h200-141gb",
                8,
                192,
                3200,
                True,
                32,
                108.0,
                "P",
                f"{_SPECS}: 8x H200 141GB, 3,200 Gbps EFA; price an estimate (sold mostly as "
                "Capacity Blocks)",
                "2024-11",
            ),
            InstanceType(
                "p6-b200.48xlarge",
                "b200-180gb",
                8,
                192,
                3200,
                True,
                8,
                113.93,
                "P",
                f"{_SPECS}: 8x B200 180GB, 3,200 Gbps EFA; {_PRICE}",
                "2025-05",
            ),
            InstanceType(
                "g6.48xlarge",
                "l4-24gb",
                8,
                192,
                100,
                True,
                1,
                13.3504,
                "G",
                f"{_SPECS}: 8x L4 24GB, 100 Gbps EFA; {_PRICE}",
                "2024-11",
            ),
            InstanceType(
                "g6.12xlarge",
                "l4-24gb",
                4,
                48,
                40,
                False,
                0,
                4.6016,
                "G",
                f"{_SPECS}: 4x L4 24GB, 40 Gbps; {_PRICE}",
                "2024-11",
            ),
            InstanceType(
                "g6e.48xlarge",
                "l40s-48gb",
                8,
                192,
                400,
                True,
                4,
                30.1309,
                "G",
                f"{_SPECS}: 8x L40S 48GB, 400 Gbps EFA; {_PRICE}",
                "2024-11",
            ),
            InstanceType(
                "g6e.12xlarge",
                "l40s-48gb",
                4,
                48,
                100,
                True,
                1,
                10.4926,
                "G",
                f"{_SPECS}: 4x L40S 48GB, 100 Gbps EFA; {_PRICE}",
                "2024-11",
            ),
        )
    }
)

DEFAULT_CATALOG = Catalog(accelerators=ACCELERATORS, instance_types=INSTANCE_TYPES)

# AWS Site-to-Site VPN limits: https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html
VPN_TUNNELS_PER_CONNECTION = 2
VPN_TUNNEL_GBPS_STANDARD = 1.25
VPN_TUNNEL_GBPS_LARGE = 5.0  # "large" tunnel bandwidth, Transit Gateway attachments only
VPN_SOURCE = "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html (read 2025-11)"
# Past this many tunnels an ECMP VPN mesh is harder to run than a dedicated link.
VPN_MAX_SANE_TUNNELS = 16
DIRECT_CONNECT_PORT_GBPS = (1, 10, 100, 400)
DIRECT_CONNECT_SOURCE = "https://aws.amazon.com/directconnect/ (dedicated ports 1, 10, 100, 400 Gbps)"
