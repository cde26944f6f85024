"""VpnInterconnectArgs: both clouds' network facts plus the planned number of connections, validated at
construction (a bad value names its field before any child exists)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Self

import pulumi
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from aidc.contract import TunnelBandwidth as TunnelBandwidth
from aidc.types import FrozenArgs, IPv4Cidr, field_error
from components._args import LogRetentionDays, StrInput, StrListInput, distinct, prefix_length
from components.vpn_interconnect.algorithms import DhGroup, Encryption, IkeVersion, Integrity

PrivateCidr = Annotated[IPv4Cidr, prefix_length(8, 32)]
"""An IPv4 network of the private cloud, /8 or longer."""


def _private_asn(asn: int) -> int:
    if not (64512 <= asn <= 65534 or 4_200_000_000 <= asn <= 4_294_967_294):
        raise ValueError(f"must be a private ASN 64512-65534 or 4200000000-4294967294, got {asn}")
    return asn


def _known_length(value: Any) -> Any:
    if isinstance(value, (str, pulumi.Output)):
        raise ValueError(
            "must be a list (its length decides how many routes are declared), e.g. "
            "AwsGpuCluster.private_route_table_id_list"
        )
    return value


class VpnInterconnectArgs(FrozenArgs):
    """Inputs of VpnInterconnect: both clouds' network facts plus the planned number of connections."""

    vpc_id: StrInput
    """Id of the AWS VPC to attach to the Transit Gateway."""
    vpc_cidr: Annotated[IPv4Cidr, prefix_length(8, 28)]
    """IPv4 CIDR of the VPC (the OpenStack side's peer CIDR)."""
    vpc_subnet_ids: StrListInput
    """Subnets (one per AZ) for the Transit Gateway VPC attachment."""
    vpc_route_table_ids: Annotated[tuple[StrInput, ...], BeforeValidator(_known_length)]
    """VPC route tables that get routes to private_cidrs via the TGW; a list whose length is known now."""
    private_cidrs: Annotated[tuple[PrivateCidr, ...], Field(min_length=1), AfterValidator(distinct)]
    """IPv4 CIDRs of the private cloud reached over the VPN (VPC routes to the TGW)."""
    openstack_router_id: StrInput
    """Neutron router that hosts the VPN service (its external gateway is the customer gateway address)."""
    openstack_subnet_id: StrInput
    """Neutron subnet exposed to AWS (the local endpoint group)."""
    route_prefixes: Annotated[tuple[PrivateCidr, ...], AfterValidator(distinct)] = ()
    """Transit Gateway static routes, each inside a private CIDR and spread over the connections (prefix i ->
    connection i mod N); a fixed split keeps route names stable when the connection count changes.
    Empty: one route per private CIDR."""
    connections: Annotated[int, Field(ge=1, strict=True)] = 1
    """Number of Site-to-Site VPN connections (>= 1), two tunnels each."""
    tunnel_bandwidth: TunnelBandwidth = "standard"
    """'standard' (up to 1.25 Gbps per tunnel) or 'large' (up to 5 Gbps; Transit Gateway only, which is used)."""
    ike_version: IkeVersion = "ikev2"
    """IKE version both sides are pinned to: 'ikev2' (default) or 'ikev1'."""
    encryption: Encryption = "aes256-gcm"
    """Phase 1 and 2 cipher: aes128, aes256, aes128-gcm, aes256-gcm."""
    integrity: Integrity = "sha256"
    """Phase 1 and 2 integrity / PRF: sha1, sha256, sha384, sha512."""
    dh_group: DhGroup = 20
    """Diffie-Hellman group for phase 1 and PFS: 2 or 14..24."""
    amazon_side_asn: Annotated[int, AfterValidator(_private_asn)] = 64512
    """Private ASN of the Transit Gateway (64512-65534 or 4200000000-4294967294)."""
    customer_gateway_asn: Annotated[int, Field(ge=1, le=2_147_483_647)] = 65000
    """ASN recorded on the customer gateway (1-2147483647); static routing does not use it for BGP."""
    dpd_timeout_s: Annotated[int, Field(ge=30, le=3600)] = 30
    """Dead-peer-detection timeout on both sides in seconds (30-3600; AWS minimum 30); action is restart."""
    transit_gateway_cidr_blocks: tuple[Annotated[IPv4Cidr, prefix_length(8, 24)], ...] = ()
    """CIDR blocks of the Transit Gateway (/24 or larger; a private IP VPN over Direct Connect takes its outside
    addresses from one); empty: none."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Extra tags on the Transit Gateway (e.g. the transfer rate the plan sized, for the policy pack)."""
    log_kms_key_arn: StrInput
    """KMS key (in the VPN's region) that encrypts the tunnel log group; its key policy must let CloudWatch Logs
    use it for this account's log groups (AwsGpuCluster.kms_key_arn does)."""
    log_retention_days: LogRetentionDays = 365
    """Retention of the tunnel log group in days (a value CloudWatch Logs accepts)."""

    @model_validator(mode="after")
    def _private_side_apart_from_the_vpc(self) -> Self:
        vpc = ipaddress.ip_network(self.vpc_cidr)
        for index, cidr in enumerate(self.private_cidrs):
            if ipaddress.ip_network(cidr).overlaps(vpc):
                raise field_error(f"private_cidrs[{index}]", f"{cidr!r} overlaps vpc_cidr {self.vpc_cidr!r}")
        ranges = [ipaddress.IPv4Network(c) for c in self.private_cidrs]
        for index, prefix in enumerate(self.route_prefixes):
            if not any(ipaddress.IPv4Network(prefix).subnet_of(r) for r in ranges):
                raise field_error(
                    f"route_prefixes[{index}]", f"{prefix!r} is not inside any of private_cidrs"
                )
        return self

    @model_validator(mode="after")
    def _gcm_needs_ikev2(self) -> Self:
        if self.encryption.endswith("-gcm") and self.ike_version != "ikev2":
            # strongSwan (Neutron's reference driver) has no AEAD ciphers for IKEv1 SAs, and AWS lists GCM for IKEv2.
            raise field_error(
                "encryption",
                f"{self.encryption!r} (AES-GCM) needs ike_version 'ikev2'; with 'ikev1' use aes128 or aes256",
            )
        return self
