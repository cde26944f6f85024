"""The IPsec algorithms of VpnInterconnect, one explicit table per family (IKE_VERSIONS, ENCRYPTIONS,
INTEGRITIES, DH_GROUPS), keyed by the values the Args' Literal types allow; both sides are built from the same
row, so they always agree. Allowed AWS strings are the ones in the pulumi_aws VpnConnection docstrings; allowed
Neutron strings the ones in the pulumi_openstack IkePolicy/IpSecPolicy docstrings (aes-KKK-gcm-II,
group14..group31). Weak choices (sha1, group 2, aes128, ikev1) are accepted here and refused by the policy pack,
so a stack can be planned and then explained. The IPsec over Direct Connect (components/direct_connect.py) uses
the same tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aidc.contract import DhGroup as DhGroup
from aidc.contract import IkeVersion as IkeVersion
from aidc.contract import IpsecEncryption, IpsecIntegrity

if TYPE_CHECKING:
    from components.vpn_interconnect.args import VpnInterconnectArgs

# The Args' Literal types are the contract's (config and the plan use the same ones).
Encryption = IpsecEncryption
Integrity = IpsecIntegrity
# (AWS name, Neutron name) per Args value, one table per Literal above (a test keeps them equal).
# AWS: tunnelN_phase{1,2}_* docstrings; Neutron: vpnaas docstrings.
IKE_VERSIONS: dict[str, tuple[str, str]] = {"ikev1": ("ikev1", "v1"), "ikev2": ("ikev2", "v2")}
ENCRYPTIONS: dict[str, tuple[str, str]] = {
    "aes128": ("AES128", "aes-128"),
    "aes256": ("AES256", "aes-256"),
    "aes128-gcm": ("AES128-GCM-16", "aes-128-gcm-16"),
    "aes256-gcm": ("AES256-GCM-16", "aes-256-gcm-16"),
}
INTEGRITIES: dict[str, tuple[str, str]] = {
    "sha1": ("SHA1", "sha1"),
    "sha256": ("SHA2-256", "sha256"),
    "sha384": ("SHA2-384", "sha384"),
    "sha512": ("SHA2-512", "sha512"),
}
DH_GROUPS: dict[int, tuple[int, str]] = {2: (2, "group2"), **{g: (g, f"group{g}") for g in range(14, 25)}}
# AWS defaults, set explicitly so Neutron's lifetimes (default 3600 s for both phases) agree with them.
PHASE1_LIFETIME_S = 28800
PHASE2_LIFETIME_S = 3600
DPD_INTERVAL_S = 10


def aws_tunnel_options(args: VpnInterconnectArgs, tunnel: int) -> dict[str, Any]:
    """The tunnelN_* arguments of aws.ec2.VpnConnection for the Args' algorithms (one value per list: pinned)."""
    ike, enc, integ, dh = (
        IKE_VERSIONS[args.ike_version][0],
        ENCRYPTIONS[args.encryption][0],
        INTEGRITIES[args.integrity][0],
        DH_GROUPS[args.dh_group][0],
    )
    prefix = f"tunnel{tunnel}_"
    return {
        f"{prefix}ike_versions": [ike],
        f"{prefix}phase1_encryption_algorithms": [enc],
        f"{prefix}phase2_encryption_algorithms": [enc],
        f"{prefix}phase1_integrity_algorithms": [integ],
        f"{prefix}phase2_integrity_algorithms": [integ],
        f"{prefix}phase1_dh_group_numbers": [dh],
        f"{prefix}phase2_dh_group_numbers": [dh],
        f"{prefix}phase1_lifetime_seconds": PHASE1_LIFETIME_S,
        f"{prefix}phase2_lifetime_seconds": PHASE2_LIFETIME_S,
        f"{prefix}dpd_timeout_action": "restart",
        f"{prefix}dpd_timeout_seconds": args.dpd_timeout_s,
    }


def neutron_policies(args: VpnInterconnectArgs) -> tuple[dict[str, Any], dict[str, Any]]:
    """The arguments of openstack.vpnaas.IkePolicy and IpSecPolicy for the Args' algorithms."""
    enc, integ, pfs = (
        ENCRYPTIONS[args.encryption][1],
        INTEGRITIES[args.integrity][1],
        DH_GROUPS[args.dh_group][1],
    )
    ike = {
        "ike_version": IKE_VERSIONS[args.ike_version][1],
        "encryption_algorithm": enc,
        "auth_algorithm": integ,
        "pfs": pfs,
        "phase1_negotiation_mode": "main",
        "lifetimes": [{"units": "seconds", "value": PHASE1_LIFETIME_S}],
    }
    ipsec = {
        "encryption_algorithm": enc,
        "auth_algorithm": integ,
        "pfs": pfs,
        "transform_protocol": "esp",
        "encapsulation_mode": "tunnel",
        "lifetimes": [{"units": "seconds", "value": PHASE2_LIFETIME_S}],
    }
    return ike, ipsec
