"""A MINIMAL STAND-IN for Google Cloud's catalog: the lead's to replace (the full catalog, with every machine type,
its prices and their sources, comes from issue 23's catalog work, branch gcp-catalog; at merge that file wins).

It exists only so the preflight (aidc/clouds/gcp/preflight.py `gcp_requirements`) can be tested on this branch
before Google Cloud is registered: it holds the two names the preflight reads, spelled as the full catalog spells
them — `INSTANCE_TYPES` (each machine type's GPUs, vCPUs and `quota_family`: a Compute API Quota.metric such as
"NVIDIA_A100_GPUS", or "GPUS_PER_GPU_FAMILY:<gpu_family>" for the GPUs Cloud Quotas counts by family) and
`GPU_ACCELERATOR_TYPES` (machine type -> the accelerator type the Compute API and GKE name). The figures are copied
from the full catalog (https://cloud.google.com/compute/docs/gpus, read 2026-12; prices from its price list).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aidc.clouds.base import InstanceType

_SOURCE = "https://cloud.google.com/compute/docs/gpus (stand-in; the full catalog carries each source)"
_FAMILY = "GPUS_PER_GPU_FAMILY:"


def _machine(
    name: str, accelerator: str, gpus: int, vcpus: int, gbps: int, usd: float, quota: str
) -> InstanceType:
    return InstanceType(
        cloud="gcp",  # type: ignore[arg-type]  # "gcp" is not a registered PublicCloud on this branch
        name=name,
        accelerator=accelerator,
        gpus=gpus,
        vcpus=vcpus,
        network_gbps=gbps,
        usd_per_hour=usd,
        quota_family=quota,
        source=_SOURCE,
        as_of="2026-07",
    )


INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {
        t.name: t
        for t in (
            _machine("a3-highgpu-8g", "h100-80gb", 8, 208, 1000, 88.49, f"{_FAMILY}NVIDIA_H100"),
            _machine("a3-megagpu-8g", "h100-80gb", 8, 208, 1800, 92.8718, f"{_FAMILY}NVIDIA_H100_MEGA"),
            _machine("a3-ultragpu-8g", "h200-141gb", 8, 224, 3600, 88.07499, f"{_FAMILY}NVIDIA_H200"),
            _machine("a2-ultragpu-8g", "a100-80gb", 8, 96, 100, 40.55038, "NVIDIA_A100_80GB_GPUS"),
            _machine("a2-highgpu-8g", "a100-40gb", 8, 96, 100, 29.38708, "NVIDIA_A100_GPUS"),
            _machine("g2-standard-48", "l4-24gb", 4, 48, 50, 4.00167, "NVIDIA_L4_GPUS"),
        )
    }
)

GPU_ACCELERATOR_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "a3-highgpu-8g": "nvidia-h100-80gb",
        "a3-megagpu-8g": "nvidia-h100-mega-80gb",
        "a3-ultragpu-8g": "nvidia-h200-141gb",
        "a2-ultragpu-8g": "nvidia-a100-80gb",
        "a2-highgpu-8g": "nvidia-tesla-a100",
        "g2-standard-48": "nvidia-l4",
    }
)
