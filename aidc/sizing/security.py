"""Security demand: where each classification may be placed, and the controls each store and link needs.

Classification levels, least to most sensitive: public, internal, confidential, restricted. Confidential and
restricted data stay in the private cloud (confidential may be served at the private edge sites; restricted
may not leave the core). Transfers of such data may only flow into the private cloud.
"""

from __future__ import annotations

from aidc.config.model import PRIVATE_ONLY, StackConfig
from aidc.sizing.errors import InfeasibleDemand
from aidc.sizing.figure import Figure
from aidc.sizing.plan import Control, InferenceSizing, SecurityPlan

PLACEMENT = {
    "public": ("private", "edge", "public"),
    "internal": ("private", "edge", "public"),
    "confidential": ("private", "edge"),
    "restricted": ("private",),
}


def size_security(cfg: StackConfig, inference: tuple[InferenceSizing, ...]) -> SecurityPlan:
    for w in inference:
        if w.edge_gpus.int and "edge" not in PLACEMENT[w.classification]:
            raise InfeasibleDemand(
                f"inference {w.name} is {w.classification}: such data stays in the private core, but its "
                f"edge_fraction sends {w.edge_gpus.int} GPUs of serving to edge sites; set edge_fraction to 0"
            )
    for t in cfg.demand.transfer:
        level = cfg.classification_of(t)
        if level in PRIVATE_ONLY and t.direction != "to_private":
            raise InfeasibleDemand(
                f"transfer {t.name} is {level}: such data stays in the private cloud, but its direction is "
                f"{t.direction!r} ({t.volume_gb:g} GB); only direction to_private is allowed"
            )
    cipher = cfg.demand.security.encryption
    vpn = cfg.vpn
    rotation = cfg.demand.security.key_rotation_days
    controls = (
        Control(
            "ceph:object",
            "encryption at rest: OSDs on LUKS2 dm-crypt (aes-xts-plain64, 512-bit key)",
            "all classifications stored",
        ),
        Control(
            "ceph:block",
            "encryption at rest: OSDs on LUKS2 dm-crypt (aes-xts-plain64, 512-bit key)",
            "all classifications stored",
        ),
        Control("ceph:*", "encryption in transit: msgr2 secure mode", "data crosses hosts"),
        Control(
            "s3:datasets",
            f"SSE-KMS ({cipher}) with a customer key rotated every {rotation} days; TLS only; no public "
            "access",
            "public and internal data only",
        ),
        Control("eks:secrets", "envelope encryption with the customer KMS key", "cluster secrets"),
        Control("ebs:*", "encrypted with the customer KMS key", "node volumes"),
        Control(
            "vpn",
            f"IPsec {vpn.ike_version}, {vpn.encryption}, {vpn.integrity}, DH group {vpn.dh_group}; "
            "PSKs are Pulumi secrets",
            "all traffic between the clouds",
        ),
        Control(
            "k3s:*",
            "secrets encryption at rest; join tokens and kubeconfigs are Pulumi secrets",
            "core and edge clusters",
        ),
    )
    return SecurityPlan(
        placement_by_classification={k: v for k, v in PLACEMENT.items()},
        controls=controls,
        kms_keys=Figure(
            1,
            "keys",
            "one customer-managed KMS key per AWS cluster (EKS secrets, EBS, S3), rotated",
            {"key_rotation_days": rotation},
        ),
        key_rotation_days=rotation,
    )
