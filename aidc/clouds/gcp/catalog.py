"""PROVISIONAL — the lead's placeholder until the catalog with prices lands (the gcp-catalog branch replaces this
file): the Google Cloud limits the interconnect sizing rests on, each with its source."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aidc.clouds.base import InstanceType, PriceList, ServicePrice, TransferPrice

INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType({})
PRICE_LIST = PriceList(
    cloud="gcp",
    source="https://cloud.google.com/compute/all-pricing",
    as_of="2026-12",
    region="us-central1",
    spot_fraction_of_on_demand=0.4,
    spot_source="placeholder",
)
SERVICE_PRICES: Mapping[str, ServicePrice] = MappingProxyType({})
TRANSFER_PRICES: Mapping[str, TransferPrice] = MappingProxyType({})
GKE_ACCELERATOR_TYPES: Mapping[str, str] = MappingProxyType({})

# HA VPN: "Each Cloud VPN tunnel can support up to 250,000 packets per second for the sum of ingress and egress
# traffic ... roughly equivalent to 3 Gbps" (https://cloud.google.com/network-connectivity/docs/vpn/quotas#limits).
HA_VPN_TUNNEL_GBPS = 3.0
HA_VPN_SOURCE = "https://cloud.google.com/network-connectivity/docs/vpn/quotas#limits (read 2026-12)"
HA_VPN_INTERFACES = 2  # an HA VPN gateway has two interfaces, each with its own external IP
# Dedicated Interconnect circuits (compute.v1 Interconnect.linkType) and how many one connection bundles.
INTERCONNECT_PORT_GBPS: tuple[int, ...] = (10, 100)
INTERCONNECT_MAX_CIRCUITS: Mapping[int, int] = MappingProxyType({10: 8, 100: 2})
INTERCONNECT_LINK_TYPE: Mapping[int, str] = MappingProxyType(
    {10: "LINK_TYPE_ETHERNET_10G_LR", 100: "LINK_TYPE_ETHERNET_100G_LR"}
)
INTERCONNECT_SOURCE = "https://cloud.google.com/network-connectivity/docs/interconnect/concepts/dedicated-overview (read 2026-12)"
INTERCONNECT_MACSEC_GBPS: tuple[int, ...] = (10, 100)
MACSEC_SOURCE = "https://cloud.google.com/network-connectivity/docs/interconnect/concepts/macsec-overview"
# VLAN attachment capacities (compute.v1 InterconnectAttachment.bandwidth), Gbps per enum, and the largest one a
# circuit speed takes.
ATTACHMENT_BANDWIDTHS: Mapping[str, float] = MappingProxyType(
    {"BPS_1G": 1, "BPS_2G": 2, "BPS_5G": 5, "BPS_10G": 10, "BPS_20G": 20, "BPS_50G": 50, "BPS_100G": 100}
)
ATTACHMENT_MAX_GBPS: Mapping[int, float] = MappingProxyType({10: 50, 100: 100})
ATTACHMENT_SOURCE = (
    "https://cloud.google.com/network-connectivity/docs/interconnect/concepts/terminology#vlanattachment"
)
REGIONAL_PRICES: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType({})
# Future reservations in calendar mode (GPU VMs for a fixed window): https://cloud.google.com/compute/docs/
# instances/future-reservations-calendar-mode-overview — duration and size limits.
CALENDAR_MODE_MAX_DAYS = 90
CALENDAR_MODE_MAX_VMS = 80
CALENDAR_MODE_SOURCE = (
    "https://cloud.google.com/compute/docs/instances/future-reservations-calendar-mode-overview"
)
SPECIFIC_RESERVATION_SOURCE = (
    "https://cloud.google.com/compute/docs/instances/reservations-overview (billed at the machines' on-demand "
    "rate from creation until deleted, used or not)"
)
