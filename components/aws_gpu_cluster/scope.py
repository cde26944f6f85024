"""Scope of AwsGpuCluster's concern modules: the one shared by every component split by concern
(components/_scope.py)."""

from components._scope import Scope

__all__ = ["Scope"]
