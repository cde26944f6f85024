"""Identifier rules: what the program declares carries values the receiving service accepts and no secret where
a public value goes. Each value is matched whole and in ASCII (re.fullmatch with re.ASCII), with the service's own
limits, the same rules aidc's config applies (aidc/types.py, aidc/config/limits.py; the pack imports nothing from
aidc, so tests/policies/test_policy_identifiers.py proves the two agree):

- an EKS access entry's principal is an IAM role or user ARN IAM accepts (path at most 512, name at most 64);
- an EKS add-on's version is a build string EKS lists (vX.Y.Z-eksbuild.N);
- an OpenStack key pair holds an OpenSSH public key, never a private key (the value is never quoted);
- a Direct Connect virtual interface's BGP peers are the two hosts of one /30;
- a capacity reservation does not end in the past (it would be refused, or bill for nothing).

Props are camelCase engine names (pulumi_aws 7, pulumi_openstack 5). Nothing here builds a PolicyPack.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import os
import re
import struct

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies._common import MANDATORY, get

ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ADDON = "aws:eks/addon:Addon"
KEYPAIR = "openstack:compute/keypair:Keypair"
TRANSIT_VIF = "aws:directconnect/transitVirtualInterface:TransitVirtualInterface"
PRIVATE_VIF = "aws:directconnect/privateVirtualInterface:PrivateVirtualInterface"
CAPACITY_RESERVATION = "aws:ec2/capacityReservation:CapacityReservation"

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
# botocore iam service model: pathType `/` or `/[\x21-\x7E]+/` (1-512), roleNameType/userNameType `[\w+=,.@-]+`
# (1-64), accountIdType 12 digits.
PRINCIPAL_ARN = re.compile(
    r"arn:(?P<partition>[a-z][a-z-]*):iam::[0-9]{12}:(?P<kind>role|user)"
    r"(?P<path>/(?:[\x21-\x7E]*/)?)(?P<name>[A-Za-z0-9_+=,.@-]{1,64})",
    re.ASCII,
)
IAM_PATH_MAX = 512
EKS_ADDON_VERSION = re.compile(
    r"v(?:0|[1-9][0-9]{0,5})(?:\.(?:0|[1-9][0-9]{0,5})){2}-eksbuild\.[1-9][0-9]{0,5}", re.ASCII
)
SSH_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
SSH_KEY_LINE = re.compile(r"(?P<type>[a-z0-9-]+) (?P<blob>[A-Za-z0-9+/]+={0,2})(?: [\x20-\x7E]*)?", re.ASCII)
PRIVATE_KEY_MARKS = ("PRIVATE KEY", "PuTTY-User-Key-File", "b3BlbnNzaC1rZXktdjE")


def principal_problem(arn: object) -> str | None:
    if not isinstance(arn, str):
        return "is not a string"
    match = PRINCIPAL_ARN.fullmatch(arn)
    if match is None:
        return (
            "is not an IAM role or user ARN (matched whole, in ASCII: no trailing newline, no Unicode digit)"
        )
    if match["partition"] not in PARTITIONS:
        return f"names the unknown partition {match['partition']!r}"
    if len(match["path"]) > IAM_PATH_MAX:
        return f"has a path of {len(match['path'])} characters; IAM allows at most {IAM_PATH_MAX}"
    return None


def ssh_key_problem(value: object) -> str | None:
    """Why `value` is not an OpenSSH public key line; never quotes it."""
    if not isinstance(value, str):
        return "is not a string"
    if any(mark in value for mark in PRIVATE_KEY_MARKS):
        return "holds a PRIVATE key (not shown)"
    # A single trailing newline is the tls provider's output and what Nova's loader ignores.
    match = SSH_KEY_LINE.fullmatch(value.removesuffix("\n"))
    if match is None or match["type"] not in SSH_KEY_TYPES:
        return f"is not one OpenSSH public key line ({', '.join(SSH_KEY_TYPES)})"
    try:
        blob = base64.b64decode(match["blob"], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        inner = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError, ValueError):
        inner = ""
    return None if inner == match["type"] else f"does not decode to a {match['type']} key"


def peering_problem(amazon: object, customer: object) -> str | None:
    try:
        aws_side = ipaddress.ip_interface(str(amazon))
        customer_side = ipaddress.ip_interface(str(customer))
    except ValueError:
        return f"amazon_address {amazon!r} and customer_address {customer!r} are not address/prefix pairs"
    if aws_side.version != 4 or aws_side.network.prefixlen != 30:
        return f"amazon_address {amazon} is not in a /30"
    if aws_side.network != customer_side.network or customer_side.network.prefixlen != 30:
        return f"amazon_address {amazon} and customer_address {customer} are not in one /30"
    hosts = set(aws_side.network.hosts())
    if aws_side.ip not in hosts or customer_side.ip not in hosts or aws_side.ip == customer_side.ip:
        return f"amazon_address {amazon} and customer_address {customer} are not the /30's two distinct hosts"
    return None


def _validate_access_entry(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ACCESS_ENTRY:
        return
    arn = get(args.props, "principalArn")
    if arn is not None and (problem := principal_problem(arn)):
        report(
            f"EKS access entry {args.name}: principalArn {str(arn)[:120]!r} {problem}; EKS refuses it.", None
        )


def _validate_addon(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ADDON:
        return
    version = get(args.props, "addonVersion")
    if version is not None and not (isinstance(version, str) and EKS_ADDON_VERSION.fullmatch(version)):
        report(
            f"EKS add-on {args.name}: addonVersion {str(version)[:60]!r} is not a build EKS lists "
            "(vX.Y.Z-eksbuild.N, matched whole in ASCII); pin one from DescribeAddonVersions.",
            None,
        )


def _validate_keypair(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KEYPAIR:
        return
    key = get(args.props, "publicKey")
    if key is not None and (problem := ssh_key_problem(key)):
        report(f"Key pair {args.name}: publicKey {problem}; give the one line of a .pub file.", None)


def _validate_peering(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (TRANSIT_VIF, PRIVATE_VIF):
        return
    amazon, customer = get(args.props, "amazonAddress"), get(args.props, "customerAddress")
    if amazon is None and customer is None:
        return  # AWS assigns a 169.254.0.0/16 /30 itself
    if problem := peering_problem(amazon, customer):
        report(f"Direct Connect interface {args.name}: {problem}; one BGP peering is one /30.", None)


def _now() -> datetime.datetime:
    """Now, UTC; or the start of AIDC_TODAY (YYYY-MM-DD) when set: the day aidc's config rules judge dates
    against (aidc/config/limits.py utc_today), so a pinned day means the same to the config and the pack."""
    pinned = os.environ.get("AIDC_TODAY", "")
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", pinned, re.ASCII):
        try:
            return datetime.datetime.fromisoformat(pinned).replace(tzinfo=datetime.UTC)
        except ValueError:
            pass
    return datetime.datetime.now(datetime.UTC)


def _validate_reservation_end(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CAPACITY_RESERVATION or get(args.props, "endDateType") != "limited":
        return
    end = get(args.props, "endDate")
    try:
        ends = datetime.datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        report(f"Capacity reservation {args.name}: endDate {str(end)[:40]!r} is not an RFC 3339 time.", None)
        return
    now = _now()
    if ends.tzinfo is None or ends <= now:
        report(
            f"Capacity reservation {args.name}: endDate {end} is not in the future (now {now:%Y-%m-%dT%H:%MZ}); "
            "a reservation for a run whose window has passed is refused by EC2 or bills for nothing.",
            None,
        )


eks_principal_arn = ResourceValidationPolicy(
    name="eks-access-entry-principal-arn",
    description="An EKS access entry names an IAM role or user ARN IAM and EKS accept (matched whole, in ASCII).",
    enforcement_level=MANDATORY,
    validate=_validate_access_entry,
)
eks_addon_build = ResourceValidationPolicy(
    name="eks-addon-version-build",
    description="An EKS add-on pins a version as EKS lists it: vX.Y.Z-eksbuild.N.",
    enforcement_level=MANDATORY,
    validate=_validate_addon,
)
keypair_public_key = ResourceValidationPolicy(
    name="keypair-public-key-only",
    description="An OpenStack key pair holds one OpenSSH public key line, never private key material.",
    enforcement_level=MANDATORY,
    validate=_validate_keypair,
)
direct_connect_peering = ResourceValidationPolicy(
    name="direct-connect-bgp-peering-slash-30",
    description="A Direct Connect virtual interface's BGP peers are the two hosts of one /30.",
    enforcement_level=MANDATORY,
    validate=_validate_peering,
)
reservation_in_the_future = ResourceValidationPolicy(
    name="capacity-reservation-ends-in-the-future",
    description="A capacity reservation with an end date ends in the future.",
    enforcement_level=MANDATORY,
    validate=_validate_reservation_end,
)

POLICIES = [
    eks_principal_arn,
    eks_addon_build,
    keypair_public_key,
    direct_connect_peering,
    reservation_in_the_future,
]
