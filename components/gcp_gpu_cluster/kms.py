"""The Cloud KMS key of GcpGpuCluster: one key ring in the cluster's region and one symmetric key with a rotation
period, which encrypts the cluster's Kubernetes secrets (application-layer secrets encryption), every node's boot
disk and the objects of both buckets. The key is used on the caller's behalf by Google's service agents, each
granted roles/cloudkms.cryptoKeyEncrypterDecrypter on this key only: GKE's (secrets), Compute Engine's (boot disks,
`service-<number>@compute-system`) and Cloud Storage's (the project's GCS service account).

Key rings and keys cannot be deleted in Cloud KMS (a destroyed key's versions are, its name stays): the ring and
key are auto-named (a suffix), so a stack deployed again after `pulumi destroy` never collides with the old names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.gcp_gpu_cluster.scope import Scope

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
SECONDS_PER_DAY = 86_400


def service_agents(scope: Scope) -> dict[str, pulumi.Output[str]]:
    """The service agents that encrypt with the key, as IAM members, by role name."""
    number = scope.project_number
    storage_agent = gcp.storage.get_project_service_account_output(project=scope.project, opts=scope.invoke())
    return {
        "gke": number.apply(
            lambda n: f"serviceAccount:service-{n}@container-engine-robot.iam.gserviceaccount.com"
        ),
        "compute": number.apply(
            lambda n: f"serviceAccount:service-{n}@compute-system.iam.gserviceaccount.com"
        ),
        "storage": storage_agent.email_address.apply(lambda email: f"serviceAccount:{email}"),
    }


@dataclass(frozen=True)
class Key:
    ring: gcp.kms.KeyRing
    key: gcp.kms.CryptoKey
    grants: list[gcp.kms.CryptoKeyIAMMember]

    @property
    def id(self) -> pulumi.Output[str]:
        """projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>: what CMEK fields take."""
        return self.key.id


def create_key(scope: Scope, rotation_days: int) -> Key:
    """The key ring, the rotated key and the service agents' grants on it."""
    ring = gcp.kms.KeyRing(
        f"{scope.name}-keyring", project=scope.project, location=scope.region, opts=scope.opts()
    )
    key = gcp.kms.CryptoKey(
        f"{scope.name}-key",
        key_ring=ring.id,
        purpose="ENCRYPT_DECRYPT",
        rotation_period=f"{rotation_days * SECONDS_PER_DAY}s",
        version_template={"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protection_level": "SOFTWARE"},
        labels=dict(scope.labels),
        opts=scope.opts(),
    )
    grants = [
        gcp.kms.CryptoKeyIAMMember(
            f"{scope.name}-key-{agent}",
            crypto_key_id=key.id,
            role=ENCRYPTER_DECRYPTER,
            member=member,
            opts=scope.opts(),
        )
        for agent, member in service_agents(scope).items()
    ]
    return Key(ring, key, grants)
