"""Google Cloud as the catalog sees it — MINIMAL PLACEHOLDER written by the gcp-components helper so the program side
(stacks/clouds/gcp.py, components/gcp_gpu_cluster/) can be registered, planned and tested. The catalog helper's
module (machine types, prices per region, sources) REPLACES this file at merge; keep `GKE_ACCELERATOR_TYPES` (or an
equivalent mapping under that name), which stacks/clouds/gcp.py reads.

`INSTANCE_TYPES` is deliberately empty here, so registering the cloud changes no shipped stack's placement.
Stdlib only (catalog layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aidc.clouds.base import InstanceType, PriceList, ServicePrice, TransferPrice

PRICE_LIST = PriceList(
    cloud="gcp",
    source="https://cloud.google.com/compute/gpus-pricing (us-central1)",
    as_of="2026-12",
    region="us-central1",
    spot_fraction_of_on_demand=0.4,
    spot_source="placeholder: the catalog helper's module gives GCP Spot prices per machine type",
)

INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType({})
SERVICE_PRICES: Mapping[str, ServicePrice] = MappingProxyType({})
TRANSFER_PRICES: Mapping[str, TransferPrice] = MappingProxyType({})

GKE_ACCELERATOR_SOURCE = (
    "https://cloud.google.com/kubernetes-engine/docs/how-to/gpus (the --accelerator type of each GPU machine "
    "series) and https://cloud.google.com/compute/docs/gpus (machine types per GPU), read 2026-12"
)
_A2_HIGH = ("a2-highgpu-1g", "a2-highgpu-2g", "a2-highgpu-4g", "a2-highgpu-8g", "a2-megagpu-16g")
_A2_ULTRA = ("a2-ultragpu-1g", "a2-ultragpu-2g", "a2-ultragpu-4g", "a2-ultragpu-8g")
_G2 = tuple(f"g2-standard-{n}" for n in (4, 8, 12, 16, 24, 32, 48, 96))
GKE_ACCELERATOR_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "a3-highgpu-8g": "nvidia-h100-80gb",
        "a3-megagpu-8g": "nvidia-h100-mega-80gb",
        "a3-ultragpu-8g": "nvidia-h200-141gb",
        **dict.fromkeys(_A2_ULTRA, "nvidia-a100-80gb"),
        **dict.fromkeys(_A2_HIGH, "nvidia-tesla-a100"),
        **dict.fromkeys(_G2, "nvidia-l4"),
    }
)
"""Machine type -> the accelerator type GKE's node pools name (`guest_accelerator.type`), GKE_ACCELERATOR_SOURCE."""
