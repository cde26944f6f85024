"""AWS's lines of the one cost model (aidc/sizing/cost.py calls these for a plan that uses AWS).

Components: `aws-gpu-cluster` (the GPU node groups at peak, system nodes, the EKS control plane, one NAT gateway
per zone), `vpn-interconnect` (Transit Gateway attachments, Site-to-Site VPN connections, TGW data processing and,
without Direct Connect, data out at the tiered internet rates) and `direct-connect` when the plan has it (ports,
the gateway attachment, private IP VPNs over the link, data out at the Direct Connect rate). Transfers are the
`aidc:demand.transfer` items that reach AWS (`TransferSizing.cloud`), priced from their volume and `every`
(runs per 730-hour month: day 730/24, week 730/168, month 1, once 0 — a one-off move is said apart): to_private
leaves AWS (data transfer out), to_public enters it (free), both moves the volume each way; every GB crossing the
Transit Gateway pays its data processing (not when Direct Connect carries the bulk to S3 over public virtual
interfaces, which bypass it). Prices are aidc/clouds/aws/catalog.py's, with their sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aidc.catalog import RUNS_PER_MONTH
from aidc.clouds.aws.catalog import PRICE_LIST, SERVICE_PRICES, TRANSFER_PRICES
from aidc.clouds.aws.settings import settings_of
from aidc.clouds.base import ServicePrice, TransferPrice
from aidc.contract import PublicCloud
from aidc.sizing.cost import monthly, per_gb_line, public_gpu_lines, tiered_usd
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    ComponentCost,
    CostLine,
    DirectConnectPlan,
    NetworkPlan,
    PublicGroup,
    TransferSizing,
)

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

CLOUD: PublicCloud = "aws"
GPU_CLUSTER, VPN, DIRECT_CONNECT = "aws-gpu-cluster", "vpn-interconnect", "direct-connect"


def priced_services() -> tuple[tuple[ServicePrice, ...], tuple[TransferPrice, ...]]:
    """The service and transfer prices AWS's lines use, for the plan's price table."""
    return tuple(SERVICE_PRICES.values()), tuple(TRANSFER_PRICES.values())


def _service(key: str, units: int, what: str) -> CostLine:
    price = SERVICE_PRICES[key]
    return CostLine(
        what,
        monthly(
            price.usd_per_hour,
            units,
            f"{price.unit}s · USD/{price.unit}",
            {f"{price.unit}s": units, "usd_per_hour": price.usd_per_hour, "source": price.source},
        ),
    )


def _gpu_cluster(groups: Sequence[PublicGroup], cfg: StackConfig, notes: list[str]) -> list[CostLine]:
    aws = settings_of(cfg)
    lines = public_gpu_lines(groups)
    system_type = aws.system_instance_type
    if system_type in SERVICE_PRICES:
        lines.append(_service(system_type, aws.system_nodes, f"system nodes {system_type}"))
    else:
        notes.append(
            f"{GPU_CLUSTER}: system instance type {system_type} has no price in aidc/clouds/aws/catalog.py; "
            f"its {aws.system_nodes} nodes are not priced"
        )
    lines.append(_service("eks-control-plane", 1, "EKS control plane"))
    # The cluster's VPC gets one NAT gateway per availability zone (no cross-AZ egress dependency).
    zones = aws.zones
    lines.append(_service("nat-gateway", len(zones), f"NAT gateways (one per AZ: {', '.join(zones)})"))
    return lines


def _transfers(network: NetworkPlan) -> list[TransferSizing]:
    return [t for t in network.transfers if t.cloud == CLOUD]


def _directions(transfer: TransferSizing) -> tuple[float, float]:
    """(GB out of AWS, GB into AWS) of one run of the transfer."""
    out = transfer.volume_gb if transfer.direction in ("to_private", "both") else 0.0
    into = transfer.volume_gb if transfer.direction in ("to_public", "both") else 0.0
    return out, into


def _monthly_gb(network: NetworkPlan) -> tuple[float, float, dict[str, float]]:
    """GB per 730-h month out of and into AWS, and each transfer's GB per month (both directions)."""
    out_total = in_total = 0.0
    per_transfer: dict[str, float] = {}
    for transfer in _transfers(network):
        runs = RUNS_PER_MONTH[transfer.every]
        out, into = _directions(transfer)
        out_total += out * runs
        in_total += into * runs
        per_transfer[f"{transfer.name}_gb_per_month"] = round((out + into) * runs, 3)
    return out_total, in_total, per_transfer


def through_tgw(network: NetworkPlan) -> bool:
    """True when the transfers cross the Transit Gateway (and pay its data processing): over the VPN, or over
    Direct Connect's transit path; Direct Connect's public virtual interfaces to S3 bypass it."""
    return network.direct_connect is None or network.direct_connect.bulk_path == "transit"


def _tgw_processing_line(network: NetworkPlan) -> CostLine | None:
    out, into, per_transfer = _monthly_gb(network)
    if out + into <= 0 or not through_tgw(network):
        return None
    return per_gb_line(
        "Transit Gateway data processing (planned transfers)",
        out + into,
        TRANSFER_PRICES["tgw-processing"],
        "Σ GB/month through the Transit Gateway, both directions · USD/GB",
        per_transfer,
    )


def _transfer_out_line(network: NetworkPlan, key: str, what: str) -> CostLine | None:
    out, _, _ = _monthly_gb(network)
    if out <= 0:
        return None
    names = [t.name for t in _transfers(network) if _directions(t)[0] and RUNS_PER_MONTH[t.every]]
    price = TRANSFER_PRICES[key]
    formula = "Σ GB/month out of AWS (to_private, both) · " + ("tiered USD/GB" if price.tiers else "USD/GB")
    return per_gb_line(what, out, price, formula, {"transfers": ", ".join(names)})


def _vpn_interconnect(network: NetworkPlan) -> list[CostLine]:
    connections = network.vpn_connections.int
    # The Transit Gateway has the VPC attachment plus one VPN attachment per connection.
    lines = [
        _service(
            "tgw-attachment", connections + 1, "Transit Gateway attachments (VPC + one per VPN connection)"
        ),
        _service("vpn-connection", connections, "Site-to-Site VPN connections"),
    ]
    processing = _tgw_processing_line(network)
    if processing is not None:
        lines.append(processing)
    if network.direct_connect is None:  # with Direct Connect, the transfers leave AWS over it
        out = _transfer_out_line(network, "internet-out", "data transfer out over the VPN (internet rates)")
        if out is not None:
            lines.append(out)
    return lines


def _direct_connect(dc: DirectConnectPlan, network: NetworkPlan) -> list[CostLine]:
    gbps = f"{dc.port_gbps:g}"
    key = f"dx-hosted-{gbps}g" if dc.hosted else f"dx-port-{gbps}g"
    kind = "hosted connections" if dc.hosted else "dedicated ports"
    lines = [
        _service(key, dc.ports.int, f"Direct Connect {kind} {dc.ports.int} x {dc.bandwidth} (incl. 1 spare)"),
        _service("tgw-attachment", 1, "Transit Gateway attachment (Direct Connect gateway)"),
    ]
    if dc.ipsec_connections is not None:
        count = dc.ipsec_connections.int
        lines.append(_service("vpn-connection", count, "private IP VPN connections over Direct Connect"))
        lines.append(_service("tgw-attachment", count, "Transit Gateway attachments (private IP VPNs)"))
    out = _transfer_out_line(network, "dx-out", "data transfer out over Direct Connect")
    if out is not None:
        lines.append(out)
    return lines


def cost_components(
    groups: Sequence[PublicGroup], network: NetworkPlan, cfg: StackConfig, notes: list[str]
) -> list[ComponentCost]:
    """AWS's components, priced per month (each line a Figure with its formula and inputs)."""
    components = [
        ComponentCost(GPU_CLUSTER, CLOUD, tuple(_gpu_cluster(groups, cfg, notes))),
        ComponentCost(VPN, CLOUD, tuple(_vpn_interconnect(network))),
    ]
    if network.direct_connect is not None:
        components.append(
            ComponentCost(DIRECT_CONNECT, CLOUD, tuple(_direct_connect(network.direct_connect, network)))
        )
    region = settings_of(cfg).region
    if region != PRICE_LIST.region:
        notes.append(
            f"AWS prices are {PRICE_LIST.region} list prices; the stack runs in {region}, "
            f"override GPU prices in aidc:capacity.prices"
        )
    if cfg.vpn.tunnel_bandwidth == "large":
        notes.append(
            f"{VPN}: priced at the standard Site-to-Site VPN connection rate; "
            "large-bandwidth tunnels may bill differently (see https://aws.amazon.com/vpn/pricing/)"
        )
    return components


def one_off_notes(network: NetworkPlan) -> list[str]:
    """Transfers to AWS that run once: their cost is not monthly, so it is stated apart."""
    notes: list[str] = []
    out_key = "dx-out" if network.direct_connect is not None else "internet-out"
    for transfer in _transfers(network):
        if transfer.every != "once":
            continue
        out, into = _directions(transfer)
        processing = (
            tiered_usd(out + into, TRANSFER_PRICES["tgw-processing"]) if through_tgw(network) else 0.0
        )
        usd = tiered_usd(out, TRANSFER_PRICES[out_key]) + processing
        notes.append(
            f"transfer {transfer.name} runs once: {transfer.volume_gb:,.0f} GB ({transfer.direction}) costs "
            f"{usd:,.2f} USD once (data out {out_key}, Transit Gateway processing), not in the monthly total"
        )
    return notes


def move_usd(dataset_gb: float, leaves: bool, network: NetworkPlan) -> Figure:
    """USD to move a dataset once out of AWS (`leaves`) or into it: data out over Direct Connect when the plan has
    it (else the VPN's internet rates) and Transit Gateway processing; data into AWS is free."""
    processing = TRANSFER_PRICES["tgw-processing"]
    out_key = "dx-out" if network.direct_connect is not None else "internet-out"
    out_usd = tiered_usd(dataset_gb, TRANSFER_PRICES[out_key]) if leaves else 0.0
    processing_usd = tiered_usd(dataset_gb, processing) if through_tgw(network) else 0.0
    inputs: dict[str, Any] = {
        "dataset_gb": dataset_gb,
        "tgw_processing_usd_per_gb": processing.usd_per_gb,
        "data_out_usd": round(out_usd, 2),
        "processing_usd": round(processing_usd, 2),
    }
    return Figure(
        out_usd + processing_usd,
        "USD",
        "dataset_gb · tgw_processing_usd_per_gb"
        + (f" + data out of AWS ({out_key})" if leaves else "")
        + " (data into AWS is free)",
        inputs,
    )
