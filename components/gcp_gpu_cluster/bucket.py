"""The datasets bucket of GcpGpuCluster and its audit trail.

The datasets bucket (checkpoints too) is regional, encrypted by default with the Cloud KMS key (CMEK), uniform
bucket-level access (IAM only, no object ACLs), public access prevention enforced, object versioning on, and its
usage (access) logs written to a second bucket secured the same way, whose objects are deleted after
log_retention_days. Cloud Storage writes those logs as cloud-storage-analytics@google.com, which gets
roles/storage.objectCreator on the log bucket only (cloud.google.com/storage/docs/access-logs). Who read and wrote
which object is recorded by the data-access audit logs of Cloud Storage, turned on for the project (ADMIN_READ,
DATA_READ, DATA_WRITE): an IAMAuditConfig is authoritative for its service, so it is the project's one audit config
for storage.googleapis.com. Workloads reach their own prefix only (workload_identity.py); nodes reach nothing.

Both buckets are auto-named (a suffix): bucket names are global across Google Cloud.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp_gpu_cluster.kms import Key
from components.gcp_gpu_cluster.scope import Scope

LOG_WRITER = "group:cloud-storage-analytics@google.com"
AUDITED_SERVICE = "storage.googleapis.com"
AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


@dataclass(frozen=True)
class Buckets:
    datasets: gcp.storage.Bucket
    logs: gcp.storage.Bucket
    audit: gcp.projects.IAMAuditConfig


def _secure_bucket(
    scope: Scope,
    role: str,
    key: Key,
    depends_on: Sequence[pulumi.Resource],
    lifecycle_rules: Any = None,
    logging: Any = None,
) -> gcp.storage.Bucket:
    return gcp.storage.Bucket(
        f"{scope.name}-{role}",
        project=scope.project,
        location=scope.region.upper(),
        storage_class="STANDARD",
        uniform_bucket_level_access=True,
        public_access_prevention="enforced",
        versioning={"enabled": True},
        encryption={"default_kms_key_name": key.id},
        force_destroy=False,
        labels=dict(scope.labels),
        lifecycle_rules=lifecycle_rules,
        logging=logging,
        opts=scope.opts(depends_on=list(depends_on)),
    )


def create_buckets(scope: Scope, key: Key, log_retention_days: int) -> Buckets:
    """The log bucket, the datasets bucket logging into it, and the project's data-access audit logs for storage."""
    logs = _secure_bucket(
        scope,
        "access-logs",
        key,
        key.grants,
        lifecycle_rules=[{"action": {"type": "Delete"}, "condition": {"age": log_retention_days}}],
    )
    writer = gcp.storage.BucketIAMMember(
        f"{scope.name}-access-logs-writer",
        bucket=logs.name,
        role="roles/storage.objectCreator",
        member=LOG_WRITER,
        opts=scope.opts(),
    )
    datasets = _secure_bucket(
        scope,
        "datasets",
        key,
        [*key.grants, writer],
        logging={"log_bucket": logs.name, "log_object_prefix": "datasets"},
    )
    audit = gcp.projects.IAMAuditConfig(
        f"{scope.name}-storage-audit",
        project=scope.project,
        service=AUDITED_SERVICE,
        audit_log_configs=[{"log_type": log_type} for log_type in AUDIT_LOG_TYPES],
        opts=scope.opts(),
    )
    return Buckets(datasets, logs, audit)
