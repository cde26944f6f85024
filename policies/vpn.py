"""VPN rules, both clouds: every AWS VPN connection pins both tunnels and logs both to CloudWatch Logs; IKEv2
only; no DES/3DES/MD5/SHA-1 and no Diffie-Hellman group below 14 on either side (AWS tunnel options, Neutron
VPNaaS IKE and IPsec policies); every tunnel has its Neutron site connection; pre-shared keys come from secrets,
never literals.

Props are camelCase engine names (pulumi_aws 7 VpnConnection, pulumi_openstack 5 vpnaas). Nothing here builds
a PolicyPack.

Secrets under the real engine: the Python analyzer deserialises properties with the secret wrapper removed
(pulumi_policy/policy.py Analyze/AnalyzeStack call deserialize_properties without proxy_secrets), and
"it's not currently possible to check if a ... property is a secret from policies"
(https://github.com/pulumi/pulumi-policy/issues/241, #163; Pulumi CrossGuard FAQ "How are secrets handled in
policies"). So vpn-psk-from-secret is a stack policy that accepts a PSK when it is marked secret (the offline
"[secret]" marker of `aidc plan`, or pulumi_policy.Secret), when the property depends on another resource
(property_dependencies: e.g. a pulumi_random RandomPassword — what VpnInterconnect does), or when it is
unknown during preview (computed). A plain string with no dependency is a literal in the program. A PSK read
with `config.require_secret` reaches a real-engine policy as a plain string with no dependency and is refused
too: generate PSKs with pulumi_random, or disable the policy for that stack.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies._common import (
    ADVISORY,
    MANDATORY,
    as_list,
    config_of,
    get,
    is_secret_value,
    resources_of,
    schema,
    truthy,
)

VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
IKE_POLICY = "openstack:vpnaas/ikePolicy:IkePolicy"
IPSEC_POLICY = "openstack:vpnaas/ipSecPolicy:IpSecPolicy"
SITE_CONNECTION = "openstack:vpnaas/siteConnection:SiteConnection"
VPN_SERVICE = "openstack:vpnaas/service:Service"
TUNNELS = (1, 2)

_TUNNEL_SETTINGS = (
    "IkeVersions",
    "Phase1EncryptionAlgorithms",
    "Phase1IntegrityAlgorithms",
    "Phase1DhGroupNumbers",
    "Phase2EncryptionAlgorithms",
    "Phase2IntegrityAlgorithms",
    "Phase2DhGroupNumbers",
    "PresharedKey",
)


def _validate_both_tunnels(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != VPN_CONNECTION:
        return
    for tunnel in TUNNELS:
        missing = [s for s in _TUNNEL_SETTINGS if not get(args.props, f"tunnel{tunnel}{s}")]
        if missing:
            report(
                f"VPN connection {args.name}: tunnel {tunnel} leaves {', '.join(missing)} to AWS defaults, which "
                f"accept IKEv1, SHA-1 and DH group 2: pin tunnel{tunnel}_ike_versions, phase 1/2 algorithms, DH "
                "groups and a preshared key on BOTH tunnels (VpnInterconnect does).",
                None,
            )


vpn_both_tunnels_configured = ResourceValidationPolicy(
    name="vpn-both-tunnels-configured",
    description="Every AWS VPN connection pins IKE version, algorithms, DH groups and a PSK on both tunnels.",
    enforcement_level=MANDATORY,
    validate=_validate_both_tunnels,
)


def _validate_tunnel_logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != VPN_CONNECTION:
        return
    for tunnel in TUNNELS:
        options = get(args.props, f"tunnel{tunnel}LogOptions", "cloudwatchLogOptions", default={})
        if not truthy(get(options, "logEnabled", default=False)) or not get(options, "logGroupArn"):
            report(
                f"VPN connection {args.name}: tunnel {tunnel} does not log, so a failed negotiation or a tunnel "
                f"flap leaves no record: set tunnel{tunnel}_log_options.cloudwatch_log_options to log_enabled=True "
                "with log_group_arn of a KMS-encrypted log group with a retention period (VpnInterconnect does, "
                "for both tunnels).",
                None,
            )


vpn_tunnel_logging = ResourceValidationPolicy(
    name="vpn-tunnel-logging",
    description="Both tunnels of every AWS VPN connection log to a CloudWatch log group.",
    enforcement_level=MANDATORY,
    validate=_validate_tunnel_logging,
)


def _validate_tunnels_paired(args: StackValidationArgs, report: ReportViolation) -> None:
    # A private IP VPN over Direct Connect ends on an on-premises router, not on Neutron.
    connections = [
        c
        for c in resources_of(args.resources, VPN_CONNECTION)
        if get(c.props, "outsideIpAddressType") != "PrivateIpv4"
    ]
    if not connections or not resources_of(args.resources, VPN_SERVICE):
        return  # the far end is not declared in this stack
    sites = resources_of(args.resources, SITE_CONNECTION)
    needed = len(TUNNELS) * len(connections)
    if len(sites) < needed:
        report(
            f"{len(connections)} AWS VPN connection(s) have {needed} tunnels but only {len(sites)} Neutron "
            "site connection(s) terminate them, so the missing tunnels never come up and a single tunnel "
            "failure cuts the link: declare one openstack.vpnaas.SiteConnection per AWS tunnel.",
            None,
        )


vpn_tunnels_paired = StackValidationPolicy(
    name="vpn-tunnels-paired",
    description="Every AWS VPN tunnel has a Neutron VPNaaS site connection at the private-cloud end.",
    enforcement_level=ADVISORY,
    validate=_validate_tunnels_paired,
)


def _validate_ikev2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == VPN_CONNECTION:
        for tunnel in TUNNELS:
            versions = [str(v) for v in as_list(get(args.props, f"tunnel{tunnel}IkeVersions"))]
            if versions != ["ikev2"]:
                shown = ", ".join(versions) or "unset (AWS allows ikev1 and ikev2)"
                report(
                    f"VPN connection {args.name}: tunnel {tunnel} IKE versions are {shown}: set "
                    f"tunnel{tunnel}_ike_versions=['ikev2'] (aidc:vpn.ike_version: ikev2).",
                    None,
                )
    elif args.resource_type == IKE_POLICY:
        version = get(args.props, "ikeVersion", default="v1")  # Neutron's default is v1
        if version != "v2":
            report(
                f"IKE policy {args.name} uses IKE {version}: set ike_version='v2' (aidc:vpn.ike_version: ikev2).",
                None,
            )


vpn_ikev2_only = ResourceValidationPolicy(
    name="vpn-ikev2-only",
    description="Both ends of the VPN negotiate IKEv2 only.",
    enforcement_level=MANDATORY,
    validate=_validate_ikev2,
)

_ALGORITHM_SCHEMA = schema(
    {
        "forbidden-encryption": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["des", "3des", "des3"],
            "description": "Encryption algorithms refused (lower case, dashes ignored).",
        },
        "forbidden-integrity": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["md5", "sha1"],
            "description": "Integrity / PRF algorithms refused (lower case, dashes ignored).",
        },
    }
)


def _norm(algorithm: Any) -> str:
    return str(algorithm).lower().replace("-", "").replace("_", "")


def _validate_algorithms(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = config_of(args, _ALGORITHM_SCHEMA)
    bad_enc = {_norm(a) for a in config["forbidden-encryption"]}
    bad_int = {_norm(a) for a in config["forbidden-integrity"]}
    found: list[str] = []
    if args.resource_type == VPN_CONNECTION:
        for tunnel in TUNNELS:
            for phase in (1, 2):
                for kind, forbidden in (("Encryption", bad_enc), ("Integrity", bad_int)):
                    key = f"tunnel{tunnel}Phase{phase}{kind}Algorithms"
                    found += [f"{key}={a}" for a in as_list(get(args.props, key)) if _norm(a) in forbidden]
    elif args.resource_type in (IKE_POLICY, IPSEC_POLICY):
        # Neutron's defaults are aes-128 and sha1: an unset authAlgorithm is SHA-1.
        encryption = get(args.props, "encryptionAlgorithm", default="aes-128")
        integrity = get(args.props, "authAlgorithm", default="sha1")
        if _norm(encryption) in bad_enc:
            found.append(f"encryption_algorithm={encryption}")
        if _norm(integrity) in bad_int:
            found.append(f"auth_algorithm={integrity}")
    else:
        return
    if found:
        report(
            f"{args.name} allows weak algorithms ({', '.join(found)}): use AES-GCM or AES-CBC with SHA-256 or "
            "stronger on both clouds (aidc:vpn.encryption / aidc:vpn.integrity: sha256, sha384 or sha512).",
            None,
        )


vpn_no_weak_algorithms = ResourceValidationPolicy(
    name="vpn-no-weak-algorithms",
    description="No DES/3DES encryption and no MD5/SHA-1 integrity on either end of the VPN.",
    enforcement_level=MANDATORY,
    config_schema=_ALGORITHM_SCHEMA,
    validate=_validate_algorithms,
)

_DH_SCHEMA = schema(
    {
        "min-dh-group": {
            "type": "integer",
            "minimum": 1,
            "maximum": 32,
            "default": 14,
            "description": "Smallest Diffie-Hellman group number accepted (14 = 2048-bit MODP).",
        }
    }
)


def _group_number(value: Any) -> int | None:
    text = str(value).lower().removeprefix("group")
    try:
        return int(float(text))
    except ValueError:
        return None


def _validate_dh_groups(args: ResourceValidationArgs, report: ReportViolation) -> None:
    minimum = int(config_of(args, _DH_SCHEMA)["min-dh-group"])
    weak: list[str] = []
    if args.resource_type == VPN_CONNECTION:
        for tunnel in TUNNELS:
            for phase in (1, 2):
                key = f"tunnel{tunnel}Phase{phase}DhGroupNumbers"
                weak += [
                    f"{key}={_group_number(g)}"
                    for g in as_list(get(args.props, key))
                    if (_group_number(g) or 0) < minimum
                ]
    elif args.resource_type in (IKE_POLICY, IPSEC_POLICY):
        pfs = get(args.props, "pfs", default="group5")  # Neutron's default is group5
        if (_group_number(pfs) or 0) < minimum:
            weak.append(f"pfs={pfs}")
    else:
        return
    if weak:
        report(
            f"{args.name} allows Diffie-Hellman groups below {minimum} ({', '.join(weak)}): use group 14 or "
            "higher on both clouds, 19-21 (ECP) preferred (aidc:vpn.dh_group: 20).",
            None,
        )


vpn_dh_group_minimum = ResourceValidationPolicy(
    name="vpn-dh-group-minimum",
    description="Every Diffie-Hellman / PFS group on either end of the VPN is group 14 or stronger.",
    enforcement_level=MANDATORY,
    config_schema=_DH_SCHEMA,
    validate=_validate_dh_groups,
)

_PSK_PROPS = {
    VPN_CONNECTION: ("tunnel1PresharedKey", "tunnel2PresharedKey"),
    SITE_CONNECTION: ("psk",),
}


def _validate_psk(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource in args.resources:
        for prop in _PSK_PROPS.get(resource.resource_type, ()):
            try:
                value = resource.props.get(prop)
            except UnknownValueError:
                continue  # computed during preview: it comes from another resource
            if value is None or is_secret_value(value):
                continue
            if (resource.property_dependencies or {}).get(prop):
                continue
            report(
                f"{resource.name}: {prop} is a literal in the program, so it sits in source control and in "
                "plain text in the state: generate it with pulumi_random.RandomPassword (special=False, "
                "length >= 32) and pass its result, a Pulumi secret.",
                resource.urn,
            )


vpn_psk_from_secret = StackValidationPolicy(
    name="vpn-psk-from-secret",
    description="VPN pre-shared keys come from secrets (pulumi_random or Pulumi secrets), never literals.",
    enforcement_level=MANDATORY,
    validate=_validate_psk,
)

POLICIES = [
    vpn_both_tunnels_configured,
    vpn_tunnel_logging,
    vpn_tunnels_paired,
    vpn_ikev2_only,
    vpn_no_weak_algorithms,
    vpn_dh_group_minimum,
    vpn_psk_from_secret,
]
"""This module's rules, in the order the pack registers them."""
