"""Pulumi ComponentResources of aidc, one per module (or package, for a large one); each takes its slice of the
capacity plan as validated Args. Import from the module: `from components.aws_gpu_cluster import AwsGpuCluster`.

Components never read pulumi.Config and never size anything (see docs/architecture.md).
"""
