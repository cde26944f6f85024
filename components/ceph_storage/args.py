"""CephStorageArgs and CephPoolSpec: the storage slice of the capacity plan plus versions, validated at
construction (a bad value names its field before any child exists)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from aidc.contract import STORAGE_LABEL, CephFailureDomain, CephPoolKind
from aidc.types import FrozenArgs, Slug, field_error
from components._args import distinct, first_repeat, matching

PoolKind = CephPoolKind
FailureDomain = CephFailureDomain
ReclaimPolicy = Literal["Retain", "Delete"]


def _power_of_two(pg_num: int) -> int:
    if pg_num < 1 or pg_num & (pg_num - 1):
        raise ValueError(f"must be a power of two, got {pg_num}")
    return pg_num


def _quorum(monitors: int) -> int:
    if monitors < 3 or monitors % 2 == 0:
        raise ValueError(f"must be odd and >= 3 (3 or 5 typical), got {monitors}")
    return monitors


def _pinned_image(image: str) -> str:
    if ":" not in image or image.endswith(":latest"):
        raise ValueError(f"must carry a pinned tag, e.g. 'quay.io/ceph/ceph:v19.2.1', got {image!r}")
    return image


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"must be a regular expression, got {pattern!r}: {exc}") from None
    return pattern


class CephPoolSpec(FrozenArgs):
    """One planned Ceph pool: a block pool (RBD) or an object store's data pool (RGW)."""

    name: Slug
    """Stable slug naming the pool (and its storage class)."""
    kind: PoolKind
    """'block' (CephBlockPool + RBD StorageClass) or 'object' (CephObjectStore + bucket StorageClass)."""
    pg_num: Annotated[int, AfterValidator(_power_of_two)]
    """Planned placement groups (power of two): the pool's pg_num, with the autoscaler off for the pool."""
    replicated_size: Annotated[int, Field(ge=2)] | None = None
    """Replica count (size); None when the pool is erasure coded."""
    erasure_k: Annotated[int, Field(ge=2)] | None = None
    """Erasure-coding data chunks (dataChunks); None when replicated."""
    erasure_m: Annotated[int, Field(ge=1)] | None = None
    """Erasure-coding coding chunks (codingChunks); None when replicated."""
    failure_domain: FailureDomain = "host"
    """CRUSH failure domain: no two copies/chunks share one of these."""

    @model_validator(mode="after")
    def _replicated_or_erasure_coded(self) -> Self:
        replicated = self.replicated_size is not None
        erasure = self.erasure_k is not None or self.erasure_m is not None
        if replicated == erasure:
            raise field_error(
                "replicated_size",
                "set either replicated_size or erasure_k and erasure_m, not both or neither",
            )
        if erasure and (self.erasure_k is None or self.erasure_m is None):
            missing = "erasure_k" if self.erasure_k is None else "erasure_m"
            raise field_error(missing, "need erasure_k >= 2 and erasure_m >= 1")
        return self

    @property
    def failure_domains_needed(self) -> int:
        """How many distinct failure domains the pool needs to place every copy or chunk."""
        if self.replicated_size is not None:
            return self.replicated_size
        return (self.erasure_k or 0) + (self.erasure_m or 0)


class CephStorageArgs(FrozenArgs):
    """Inputs of CephStorage (the storage slice of the capacity plan plus versions)."""

    storage_nodes: Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(distinct)]
    """Kubernetes node names (kubernetes.io/hostname) that carry OSDs; useAllNodes stays false."""
    pools: Annotated[tuple[CephPoolSpec, ...], Field(min_length=1)]
    """Planned pools; at least one."""
    namespace: Slug = "rook-ceph"
    """Namespace of the operator and the cluster."""
    cluster_name: Slug = "rook-ceph"
    """Name of the CephCluster resource."""
    rook_chart_version: Annotated[str, matching(r"^v\d+\.\d+\.\d+$", "a pinned version like 'v1.20.6'")] = (
        "v1.20.6"
    )
    """Pinned rook-ceph chart version."""
    ceph_image: Annotated[str, AfterValidator(_pinned_image)] = "quay.io/ceph/ceph:v19.2.1"
    """Pinned Ceph container image (a tag or digest, never 'latest')."""
    monitors: Annotated[int, AfterValidator(_quorum)] = 3
    """Ceph monitor count: odd and >= 3 (quorum)."""
    storage_node_label: Annotated[
        str, matching(r"^([a-z0-9.-]+/)?[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*$", "'key=value'")
    ] = f"{STORAGE_LABEL}=true"
    """'key=value' node label every Ceph daemon is scheduled on."""
    device_filter: Annotated[str, AfterValidator(_regex)] = "^nvme[0-9]+n1$"
    """Regex of the raw devices OSDs consume on each storage node."""
    osds_per_device: Annotated[int, Field(ge=1)] = 1
    """OSDs per matching device (more than 1 only for fast NVMe)."""
    encrypt_osds: bool = True
    """Encrypt OSDs at rest with dm-crypt (storage.config.encryptedDevice)."""
    encrypt_in_transit: bool = True
    """msgr2 on-wire encryption between daemons and clients (network.connections.encryption)."""
    reclaim_policy: ReclaimPolicy = "Retain"
    """reclaimPolicy of the storage classes; Retain keeps data when a claim is deleted."""
    rgw_instances: Annotated[int, Field(ge=1)] = 2
    """RGW gateway pods per object store."""
    operator_values: dict[str, Any] = Field(default_factory=dict)
    """Extra values for the rook-ceph chart (merged over aidc's)."""

    @model_validator(mode="after")
    def _pool_names_unique(self) -> Self:
        index = first_repeat([pool.name for pool in self.pools])
        if index is not None:
            raise field_error(
                f"pools[{index}].name",
                f"{self.pools[index].name!r} is used by another pool; names must be unique",
            )
        return self

    @model_validator(mode="after")
    def _enough_hosts(self) -> Self:
        for index, pool in enumerate(self.pools):
            if pool.failure_domain == "host" and len(self.storage_nodes) < pool.failure_domains_needed:
                raise field_error(
                    f"pools[{index}].failure_domain",
                    f"needs {pool.failure_domains_needed} hosts for failureDomain host, "
                    f"storage_nodes lists {len(self.storage_nodes)}",
                )
        return self
