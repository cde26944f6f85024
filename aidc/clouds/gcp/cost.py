"""Google Cloud's lines of the one cost model (aidc/sizing/cost.py calls these for a plan that uses it).

Components: `gcp-gpu-cluster` (the GPU node pools at peak, the system pool, the GKE cluster management fee and the
Cloud NAT gateway) and `gcp-interconnect` (HA VPN tunnels; Dedicated Interconnect circuits and VLAN attachments
when the plan has them; data out of Google Cloud: over Cloud Interconnect at its egress rate, otherwise over HA VPN
at the internet egress tiers). Transfers are the `aidc:demand.transfer` items whose `cloud` is gcp, priced from
their volume and `every` (runs per 730-hour month); ingress to Google Cloud is free. Prices are
aidc/clouds/gcp/catalog.py's, with their sources and dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aidc.catalog import RUNS_PER_MONTH
from aidc.clouds.base import ServicePrice, TransferPrice
from aidc.clouds.gcp.catalog import (
    PRICE_LIST,
    SERVICE_PRICES,
    TRANSFER_PRICES,
    VLAN_ATTACHMENT_BANDWIDTH_GBPS,
)
from aidc.clouds.gcp.interconnect import GcpInterconnectPlan
from aidc.clouds.gcp.settings import settings_of
from aidc.contract import PublicCloud
from aidc.sizing.cost import monthly, per_gb_line, public_gpu_lines, tiered_usd
from aidc.sizing.figure import Figure
from aidc.sizing.plan import ComponentCost, CostLine, NetworkPlan, PublicGroup, TransferSizing

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

CLOUD: PublicCloud = "gcp"
GPU_CLUSTER, INTERCONNECT = "gcp-gpu-cluster", "gcp-interconnect"
# Price keys in the catalog.
GKE_FEE, NAT_VM, TUNNEL = "gke-cluster-management", "cloud-nat-vm", "ha-vpn-tunnel"
ATTACHMENT = "interconnect-vlan-attachment"
EGRESS_VPN, EGRESS_INTERCONNECT = "vpn-out", "interconnect-out"
NAT_VM_CAP = 32  # Cloud NAT bills at most 32 VMs per gateway (the catalog's price note)


def priced_services() -> tuple[tuple[ServicePrice, ...], tuple[TransferPrice, ...]]:
    """The service and transfer prices Google Cloud's lines use, for the plan's price table."""
    return tuple(SERVICE_PRICES.values()), tuple(TRANSFER_PRICES.values())


def _service(key: str, units: float, what: str) -> CostLine:
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
    gcp = settings_of(cfg)
    lines = public_gpu_lines(groups)
    system = gcp.system_machine_type
    nodes = gcp.system_nodes * len(gcp.zone_names)
    if system in SERVICE_PRICES:
        lines.append(_service(system, nodes, f"system pool {nodes} x {system} ({gcp.system_nodes} per zone)"))
    else:
        notes.append(
            f"{GPU_CLUSTER}: system machine type {system} has no price in aidc/clouds/gcp/catalog.py; its {nodes} "
            "nodes are not priced"
        )
    lines.append(_service(GKE_FEE, 1, "GKE cluster management fee (regional cluster)"))
    vms = min(NAT_VM_CAP, nodes + sum(g.instances.int for g in groups))
    lines.append(_service(NAT_VM, vms, f"Cloud NAT gateway ({vms} VMs at peak, billed up to {NAT_VM_CAP})"))
    return lines


def _transfers(network: NetworkPlan) -> list[TransferSizing]:
    return [t for t in network.transfers if t.cloud == CLOUD]


def _out_gb(network: NetworkPlan) -> tuple[float, list[str]]:
    """GB per 730-h month out of Google Cloud (to_private, both), and the transfers that move it."""
    total, names = 0.0, []
    for transfer in _transfers(network):
        runs = RUNS_PER_MONTH[transfer.every]
        if transfer.direction in ("to_private", "both") and runs:
            total += transfer.volume_gb * runs
            names.append(transfer.name)
    return total, names


def _egress_key(interconnect: GcpInterconnectPlan | None) -> str:
    return EGRESS_INTERCONNECT if interconnect is not None and interconnect.links else EGRESS_VPN


def _dedicated(plan: GcpInterconnectPlan, notes: list[str]) -> list[CostLine]:
    """The circuits and VLAN attachments, where the catalog prices them (the rest said in `notes`)."""
    lines = []
    for link in plan.links:
        speed = link.link_type.removeprefix("LINK_TYPE_ETHERNET_").split("_")[0].lower()
        key = f"interconnect-port-{speed}"
        if key in SERVICE_PRICES:
            lines.append(
                _service(key, link.circuits, f"Dedicated Interconnect {link.name}: {link.circuits} x {speed}")
            )
        else:
            notes.append(
                f"{INTERCONNECT}: {link.name}'s {speed} circuits have no price in aidc/clouds/gcp/catalog.py"
            )
    small = [a for a in plan.attachments if VLAN_ATTACHMENT_BANDWIDTH_GBPS[a.bandwidth] <= 10]
    if small:
        lines.append(_service(ATTACHMENT, len(small), "VLAN attachments up to 10 Gbps"))
    for attachment in plan.attachments:
        if attachment not in small:
            notes.append(
                f"{INTERCONNECT}: VLAN attachment {attachment.name} ({attachment.bandwidth}) has no dated price in "
                "aidc/clouds/gcp/catalog.py (only attachments up to 10 Gbps do): add it by hand"
            )
    return lines


def _interconnect(network: NetworkPlan, notes: list[str]) -> list[CostLine]:
    plan = network.interconnect(CLOUD)
    if not isinstance(plan, GcpInterconnectPlan):
        return []
    lines = [_service(TUNNEL, plan.vpn_tunnels.int, f"HA VPN tunnels ({plan.vpn_tunnels.int})")]
    lines += _dedicated(plan, notes)
    gb, names = _out_gb(network)
    if gb > 0:
        price = TRANSFER_PRICES[_egress_key(plan)]
        lines.append(
            per_gb_line(
                f"data out of Google Cloud ({'Cloud Interconnect' if plan.links else 'HA VPN, internet egress'})",
                gb,
                price,
                "Σ GB/month out of Google Cloud (to_private, both) · "
                + ("tiered USD/GB" if price.tiers else "USD/GB"),
                {"transfers": ", ".join(names)},
            )
        )
    return lines


def cost_components(
    groups: Sequence[PublicGroup], network: NetworkPlan, cfg: StackConfig, notes: list[str]
) -> list[ComponentCost]:
    """Google Cloud's components, priced per month (each line a Figure with its formula and inputs)."""
    region = settings_of(cfg).region
    if region != PRICE_LIST.region and any(g.instance_type not in _regional(region) for g in groups):
        notes.append(
            f"Google Cloud prices are {PRICE_LIST.region} list prices where the catalog has none for {region}; "
            "override them in aidc:capacity.prices"
        )
    return [
        ComponentCost(GPU_CLUSTER, CLOUD, tuple(_gpu_cluster(groups, cfg, notes))),
        ComponentCost(INTERCONNECT, CLOUD, tuple(_interconnect(network, notes))),
    ]


def _regional(region: str) -> set[str]:
    from aidc.clouds.gcp.catalog import REGIONAL_PRICES

    return {machine for machine, regions in REGIONAL_PRICES.items() if region in regions}


def one_off_notes(network: NetworkPlan) -> list[str]:
    """Transfers to Google Cloud that run once: their egress is not monthly, so it is stated apart."""
    plan = network.interconnect(CLOUD)
    key = _egress_key(plan if isinstance(plan, GcpInterconnectPlan) else None)
    notes = []
    for transfer in _transfers(network):
        if transfer.every != "once":
            continue
        out = transfer.volume_gb if transfer.direction in ("to_private", "both") else 0.0
        usd = tiered_usd(out, TRANSFER_PRICES[key])
        notes.append(
            f"transfer {transfer.name} runs once: {transfer.volume_gb:,.0f} GB ({transfer.direction}) costs "
            f"{usd:,.2f} USD once (Google Cloud {key}), not in the monthly total"
        )
    return notes


def move_usd(dataset_gb: float, leaves: bool, network: NetworkPlan) -> Figure:
    """USD to move a dataset once out of Google Cloud (`leaves`: its egress, over Cloud Interconnect when the plan
    has it, else the internet tiers) or into it (free)."""
    plan = network.interconnect(CLOUD)
    key = _egress_key(plan if isinstance(plan, GcpInterconnectPlan) else None)
    out_usd = tiered_usd(dataset_gb, TRANSFER_PRICES[key]) if leaves else 0.0
    inputs: dict[str, Any] = {
        "dataset_gb": dataset_gb,
        "egress": key if leaves else "none",
        "data_out_usd": round(out_usd, 2),
    }
    formula = f"dataset_gb · Google Cloud {key} USD/GB" if leaves else "data into Google Cloud is free"
    return Figure(out_usd, "USD", formula, inputs)
