"""Pod access to the datasets bucket for GcpGpuCluster: a Google service account per workload, bound through
Workload Identity.

A workload's pods run as the Kubernetes service account `<namespace>/<ksa>`; GKE's metadata server (GKE_METADATA on
every pool) hands them the Google service account 'aidc-<workload>' only because that account grants
roles/iam.workloadIdentityUser to `serviceAccount:<project>.svc.id.goog[<namespace>/<ksa>]` and the Kubernetes
service account is annotated with the account's email (stacks/clouds/gcp.py passes it to the workload's queue).
The account may read, write and delete objects under the workload's prefix only — roles/storage.objectUser under
the IAM condition `resource.name.startsWith("projects/_/buckets/<bucket>/objects/<prefix>")` — and list only that
prefix: roles/storage.objectViewer under a condition that holds for list requests whose prefix is the workload's
(`storage.googleapis.com/objectListPrefix`, cloud.google.com/storage/docs/access-control/iam#conditions). The bucket
encrypts with the cluster's key through Cloud Storage's service agent, so workloads need no key access.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.gcp_gpu_cluster.args import WorkloadIdentity
from components.gcp_gpu_cluster.scope import Scope

WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
OBJECT_USER = "roles/storage.objectUser"
OBJECT_LISTER = "roles/storage.objectViewer"


def list_expression(prefix: str) -> str:
    """Listing the bucket, only with the workload's prefix."""
    return (
        'resource.type == "storage.googleapis.com/Bucket" && '
        f'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("{prefix}")'
    )


@dataclass(frozen=True)
class WorkloadAccounts:
    accounts: dict[str, gcp.serviceaccount.Account]


def create_workload_identities(
    scope: Scope,
    identities: tuple[WorkloadIdentity, ...],
    bucket: gcp.storage.Bucket,
    cluster: gcp.container.Cluster,
) -> WorkloadAccounts:
    """Per workload: its Google service account, the Workload Identity binding (once the cluster's identity pool
    exists) and its two conditional grants on the bucket."""
    accounts: dict[str, gcp.serviceaccount.Account] = {}
    for identity in identities:
        base = f"{scope.name}-wi-{identity.name}"
        account = gcp.serviceaccount.Account(
            base,
            project=scope.project,
            account_id=identity.account_id,
            display_name=f"aidc workload {identity.name}",
            opts=scope.opts(),
        )
        subject = pulumi.Output.concat(
            "serviceAccount:", scope.project, f".svc.id.goog[{identity.namespace}/{identity.service_account}]"
        )
        gcp.serviceaccount.IAMMember(
            f"{base}-binding",
            service_account_id=account.name,
            role=WORKLOAD_IDENTITY_USER,
            member=subject,
            opts=scope.opts(depends_on=[cluster]),
        )
        prefix = identity.prefix
        gcp.storage.BucketIAMMember(
            f"{base}-objects",
            bucket=bucket.name,
            role=OBJECT_USER,
            member=account.member,
            condition={
                "title": f"objects under {prefix}",
                "expression": pulumi.Output.concat(
                    'resource.name.startsWith("projects/_/buckets/', bucket.name, f'/objects/{prefix}")'
                ),
            },
            opts=scope.opts(),
        )
        gcp.storage.BucketIAMMember(
            f"{base}-list",
            bucket=bucket.name,
            role=OBJECT_LISTER,
            member=account.member,
            condition={"title": f"list {prefix} only", "expression": list_expression(prefix)},
            opts=scope.opts(),
        )
        accounts[identity.name] = account
    return WorkloadAccounts(accounts)


def workload_emails(accounts: WorkloadAccounts) -> pulumi.Output[dict[str, str]]:
    emails = {name: account.email for name, account in accounts.accounts.items()}
    return pulumi.Output.all(**emails) if emails else pulumi.Output.from_input({})
