"""Pulumi ComponentResources of aidc, one per module; each takes its slice of the capacity plan as Args.

Re-exports the public classes so the stack program can `from components import AwsGpuCluster, ...`.
Components never read pulumi.Config and never size anything (see /work/shared/DESIGN.md).
"""

from components.aws_gpu_cluster import AwsGpuCluster, AwsGpuClusterArgs, GpuNodeGroup
from components.vpn_interconnect import VpnInterconnect, VpnInterconnectArgs

__all__ = [
    "AwsGpuCluster",
    "AwsGpuClusterArgs",
    "GpuNodeGroup",
    "VpnInterconnect",
    "VpnInterconnectArgs",
]
