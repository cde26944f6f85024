"""The one cost model: every price the sizing engine and the reports use, per hour and per month.

Pure Python (no Pulumi import). Placement prices its options with `private_gpu_hour_usd` and
`instance_hour_usd`; `monthly_cost` prices a sized stack per component, each line a `Figure` with its formula
and inputs, and the CapacityPlan carries the result (`plan.cost`), so `aidc size`, `aidc plan`, the
pull-request diff and the policy pack (through the node-group tags the program writes from
`plan.cost.group_usd_per_month`) all read the same numbers. Prices and the 730-hour month come from
aidc/catalog.py with their sources and dates; `aidc:capacity.prices` overrides any of them.

Transfers are priced from each `aidc:demand.transfer` item's volume and `every` (runs per 730-hour month: day
730/24, week 730/168, month 1, once 0 — a one-off move is listed apart, not in the monthly total), by direction:
to_private leaves AWS (data transfer out: over Direct Connect at its per-GB rate, otherwise over the VPN at the
tiered internet rates), to_public enters AWS (free), both moves the volume each way; every GB crossing the Transit
Gateway pays its data processing (not when Direct Connect carries the bulk to S3 over public virtual interfaces).
A repeating training run's public groups bill the hours the run runs (run hours · runs per month), its private
GPUs draw power for those hours (amortisation stays whole); a one-off run is costed for the whole month. `dataset_move_usd` prices moving a training run's dataset between locations the
same way, for placement.

What is deliberately left out (listed in `CostEstimate.not_priced`, so the output says so): Ceph hosts and
drives (no sourced figure for storage-server capex), traffic other than the planned transfers (inter-AZ, S3,
internet), EBS volumes, S3 storage and KMS requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aidc.catalog import (
    AWS_SERVICE_PRICES,
    AWS_TRANSFER_PRICES,
    DEFAULT_CATALOG,
    HOURS_PER_MONTH,
    RUNS_PER_MONTH,
    Catalog,
    InstanceType,
    TransferPrice,
)
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    EDGE,
    PRIVATE,
    ComponentCost,
    CostEstimate,
    CostLine,
    DirectConnectPlan,
    EdgeSitePlan,
    NetworkPlan,
    Placement,
    PublicGroup,
    TransferSizing,
)

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

# The component that holds each location's GPU capacity (a new public cloud adds its component here).
COMPONENT_OF_LOCATION: dict[str, str] = {
    "aws": "aws-gpu-cluster",
    PRIVATE: "private-cloud",
    EDGE: "edge-sites",
}
COMPONENTS: tuple[str, ...] = (
    "aws-gpu-cluster",
    "vpn-interconnect",
    "direct-connect",  # only when the plan declares Direct Connect
    "private-cloud",
    "edge-sites",
)
PRICED_REGION = "us-east-1"

NOT_PRICED: tuple[str, ...] = (
    "ceph-storage: storage hosts and drives are not priced (no sourced capex figure for storage servers); "
    "add their amortisation by hand",
    "traffic other than aidc:demand.transfer (inter-AZ, S3, internet egress of the workloads)",
    "EBS volumes, S3 storage, KMS keys and requests",
)


# --- hourly prices (placement decides with these) ----------------------------------------------------------
def private_gpu_hour_usd(accelerator: str, cfg: StackConfig, catalog: Catalog = DEFAULT_CATALOG) -> Figure:
    """Cost of one private GPU-hour: capex over the amortisation period plus power at PUE, or the override."""
    override = cfg.capacity.prices.get(accelerator)
    if override is not None:
        return Figure(
            override,
            "USD/GPU-h",
            "aidc:capacity.prices override",
            {"accelerator": accelerator, "usd_per_gpu_hour": override},
        )
    acc = catalog.accelerators[accelerator]
    private = cfg.capacity.private
    capex = acc.capex_usd_per_gpu / (private.amortisation_months * HOURS_PER_MONTH)
    power = acc.power_kw_per_gpu * private.pue * private.usd_per_kwh
    return Figure(
        capex + power,
        "USD/GPU-h",
        f"capex_usd_per_gpu / (amortisation_months · {HOURS_PER_MONTH}) + power_kw_per_gpu · pue · usd_per_kwh",
        {
            "capex_usd_per_gpu": acc.capex_usd_per_gpu,
            "amortisation_months": private.amortisation_months,
            "power_kw_per_gpu": acc.power_kw_per_gpu,
            "pue": private.pue,
            "usd_per_kwh": private.usd_per_kwh,
            "capex_usd_per_gpu_hour": capex,
            "power_usd_per_gpu_hour": power,
            "source": acc.capex_source or acc.source,
        },
    )


def instance_hour_usd(
    instance: InstanceType, spot: bool, cfg: StackConfig, catalog: Catalog = DEFAULT_CATALOG
) -> float:
    """USD per instance-hour: the override, else the catalog's on-demand price (× the spot fraction for spot)."""
    prices = cfg.capacity.prices
    if spot:
        if f"{instance.name}:spot" in prices:
            return prices[f"{instance.name}:spot"]
        return prices.get(instance.name, instance.usd_per_hour) * catalog.spot_fraction_of_on_demand
    return prices.get(instance.name, instance.usd_per_hour)


# --- monthly figures ---------------------------------------------------------------------------------------
def _monthly(usd_per_hour: float, units: float, formula: str, inputs: dict[str, Any]) -> Figure:
    return Figure(
        usd_per_hour * units * HOURS_PER_MONTH,
        "USD/month",
        f"{formula} · {HOURS_PER_MONTH} h",
        {**inputs, "hours_per_month": HOURS_PER_MONTH},
    )


def _purchase_option(group: PublicGroup) -> str:
    if group.reservation is not None:
        return group.reservation.kind
    return "spot" if group.spot else "on-demand"


def group_usd_per_hour(group: PublicGroup) -> float:
    """USD per instance-hour of a group: its reservation's rate (a Capacity Block's fee), else the placement's."""
    return group.reservation.usd_per_instance_hour if group.reservation is not None else group.usd_per_hour


def group_usd_per_month(group: PublicGroup, instances: int | None = None) -> Figure:
    """One public node group's monthly cost: instances (the peak, unless given) · USD per instance-hour · 730 h; a
    repeating training run's group bills the hours it runs (`hours_per_month`: run hours · runs per month)."""
    count = group.instances.int if instances is None else instances
    rate = group_usd_per_hour(group)
    if group.hours_per_month is not None:
        hours = group.hours_per_month.value
        return Figure(
            rate * count * hours,
            "USD/month",
            f"instances · USD/h ({_purchase_option(group)}) · hours the repeating run runs a month",
            {"instances": count, "usd_per_hour": round(rate, 4), "hours_per_month": round(hours, 3)},
        )
    return _monthly(
        rate,
        count,
        f"instances · USD/h ({_purchase_option(group)})",
        {"instances": count, "usd_per_hour": round(rate, 4)},
    )


def group_usd_per_month_baseline(group: PublicGroup) -> Figure:
    """A group's monthly cost at the baseline: min instances (fixed groups: their count) · USD/h · 730 h. Training
    runs are demand, not load: a repeating run costs the same at baseline (its min of 0 is between runs)."""
    if group.kind == "training":
        return group_usd_per_month(group)
    return group_usd_per_month(group, group.range.min.int)


def _service(key: str, units: int, what: str) -> CostLine:
    price = AWS_SERVICE_PRICES[key]
    return CostLine(
        what,
        _monthly(
            price.usd_per_hour,
            units,
            f"{price.unit}s · USD/{price.unit}",
            {f"{price.unit}s": units, "usd_per_hour": price.usd_per_hour, "source": price.source},
        ),
    )


def _public_gpu_lines(groups: Sequence[PublicGroup]) -> list[CostLine]:
    # One line per (instance type, purchase option): what the bill shows; each the sum of its groups.
    grouped: dict[tuple[str, str], list[PublicGroup]] = {}
    for group in groups:
        grouped.setdefault((group.instance_type, _purchase_option(group)), []).append(group)
    lines: list[CostLine] = []
    for (instance_type, option), members in sorted(grouped.items()):
        instances = sum(g.instances.int for g in members)
        monthly = sum(group_usd_per_month(g).value for g in members)
        lines.append(
            CostLine(
                f"GPU nodes {instance_type} {option}",
                Figure(
                    monthly,
                    "USD/month",
                    f"Σ instances · USD/h ({option}) · hours a month ({HOURS_PER_MONTH}; a repeating training "
                    "run: the hours it runs)",
                    {
                        "instances": instances,
                        "usd_per_hour": round(group_usd_per_hour(members[0]), 4),
                        "workloads": ", ".join(sorted(g.workload for g in members)),
                        "hours_per_month": {
                            g.workload: round(
                                g.hours_per_month.value if g.hours_per_month else HOURS_PER_MONTH, 3
                            )
                            for g in members
                        },
                    },
                ),
            )
        )
    return lines


def _aws_gpu_cluster(groups: Sequence[PublicGroup], cfg: StackConfig, notes: list[str]) -> list[CostLine]:
    lines = _public_gpu_lines(groups)
    system_type = cfg.aws.system_instance_type
    if system_type in AWS_SERVICE_PRICES:
        lines.append(_service(system_type, cfg.aws.system_nodes, f"system nodes {system_type}"))
    else:
        notes.append(
            f"aws-gpu-cluster: system instance type {system_type} has no price in aidc/catalog.py; "
            f"its {cfg.aws.system_nodes} nodes are not priced"
        )
    lines.append(_service("eks-control-plane", 1, "EKS control plane"))
    # The cluster's VPC gets one NAT gateway per availability zone (no cross-AZ egress dependency).
    lines.append(_service("nat-gateway", len(cfg.azs), f"NAT gateways (one per AZ: {', '.join(cfg.azs)})"))
    return lines


# --- transfers -------------------------------------------------------------------------------------------------
GB_PER_TB = 1000  # dataset_tb is decimal, as drives and datasets are sized


def tiered_usd(gb: float, price: TransferPrice) -> float:
    """USD for `gb` in one month at a tiered (or flat) per-GB price."""
    if not price.tiers:
        return gb * price.usd_per_gb
    total, floor = 0.0, 0.0
    for ceiling, usd_per_gb in price.tiers:
        if gb <= floor:
            break
        total += (min(gb, ceiling) - floor) * usd_per_gb
        floor = ceiling
    return total


def _directions(transfer: TransferSizing) -> tuple[float, float]:
    """(GB out of AWS, GB into AWS) of one run of the transfer."""
    out = transfer.volume_gb if transfer.direction in ("to_private", "both") else 0.0
    into = transfer.volume_gb if transfer.direction in ("to_public", "both") else 0.0
    return out, into


def _monthly_gb(network: NetworkPlan) -> tuple[float, float, dict[str, float]]:
    """GB per 730-h month out of and into AWS, and each transfer's GB per month (both directions)."""
    out_total = in_total = 0.0
    per_transfer: dict[str, float] = {}
    for transfer in network.transfers:
        runs = RUNS_PER_MONTH[transfer.every]
        out, into = _directions(transfer)
        out_total += out * runs
        in_total += into * runs
        per_transfer[f"{transfer.name}_gb_per_month"] = round((out + into) * runs, 3)
    return out_total, in_total, per_transfer


def _per_gb_line(
    what: str, gb: float, price: TransferPrice, formula: str, inputs: dict[str, Any]
) -> CostLine:
    usd = tiered_usd(gb, price)
    shown: dict[str, Any] = {**inputs, "gb_per_month": round(gb, 3)}
    if price.tiers:
        shown["usd_per_gb_tiers"] = ", ".join(
            f"{'rest' if ceiling == float('inf') else f'<= {ceiling:,.0f} GB'}: {usd_per_gb}"
            for ceiling, usd_per_gb in price.tiers
        )
    else:
        shown["usd_per_gb"] = price.usd_per_gb
    shown["source"] = price.source
    return CostLine(
        what,
        Figure(
            usd,
            "USD/month",
            f"{formula} (volume_gb · runs per 730-h month: day 730/24, week 730/168, month 1)",
            shown,
        ),
    )


def through_tgw(network: NetworkPlan) -> bool:
    """True when the transfers cross the Transit Gateway (and pay its data processing): over the VPN, or over
    Direct Connect's transit path; public virtual interfaces to S3 bypass it."""
    return network.direct_connect is None or network.direct_connect.bulk_path == "transit"


def _tgw_processing_line(network: NetworkPlan) -> CostLine | None:
    out, into, per_transfer = _monthly_gb(network)
    if out + into <= 0 or not through_tgw(network):
        return None
    return _per_gb_line(
        "Transit Gateway data processing (planned transfers)",
        out + into,
        AWS_TRANSFER_PRICES["tgw-processing"],
        "Σ GB/month through the Transit Gateway, both directions · USD/GB",
        per_transfer,
    )


def _transfer_out_line(network: NetworkPlan, key: str, what: str) -> CostLine | None:
    out, _, _ = _monthly_gb(network)
    if out <= 0:
        return None
    names = [t.name for t in network.transfers if _directions(t)[0] and RUNS_PER_MONTH[t.every]]
    price = AWS_TRANSFER_PRICES[key]
    formula = "Σ GB/month out of AWS (to_private, both) · " + ("tiered USD/GB" if price.tiers else "USD/GB")
    return _per_gb_line(what, out, price, formula, {"transfers": ", ".join(names)})


def one_off_transfer_notes(network: NetworkPlan) -> list[str]:
    """Transfers that run once: their cost is not monthly, so it is stated apart."""
    notes: list[str] = []
    dtos_key = "dx-out" if network.direct_connect is not None else "internet-out"
    for transfer in network.transfers:
        if transfer.every != "once":
            continue
        out, into = _directions(transfer)
        processing = (
            tiered_usd(out + into, AWS_TRANSFER_PRICES["tgw-processing"]) if through_tgw(network) else 0.0
        )
        usd = tiered_usd(out, AWS_TRANSFER_PRICES[dtos_key]) + processing
        notes.append(
            f"transfer {transfer.name} runs once: {transfer.volume_gb:,.0f} GB ({transfer.direction}) costs "
            f"{usd:,.2f} USD once (data out {dtos_key}, Transit Gateway processing), not in the monthly total"
        )
    return notes


def dataset_move_usd(dataset_gb: float, source: str, target: str, network: NetworkPlan) -> Figure:
    """USD to move a dataset once from `source` to `target` (private or a public cloud): data out of AWS over
    Direct Connect when the plan has it (else the VPN's internet rates), and Transit Gateway processing; data
    into AWS is free. Zero when the dataset is already there."""
    if source == target or dataset_gb <= 0:
        return Figure(
            0.0, "USD", "dataset already where the run is placed", {"source": source, "target": target}
        )
    processing = AWS_TRANSFER_PRICES["tgw-processing"]
    leaves_aws = source != PRIVATE  # public -> private leaves AWS; private -> public enters it
    out_key = "dx-out" if network.direct_connect is not None else "internet-out"
    out_usd = tiered_usd(dataset_gb, AWS_TRANSFER_PRICES[out_key]) if leaves_aws else 0.0
    processing_usd = tiered_usd(dataset_gb, processing) if through_tgw(network) else 0.0
    return Figure(
        out_usd + processing_usd,
        "USD",
        "dataset_gb · tgw_processing_usd_per_gb"
        + (f" + data out of AWS ({out_key})" if leaves_aws else "")
        + " (data into AWS is free)",
        {
            "dataset_gb": dataset_gb,
            "source": source,
            "target": target,
            "tgw_processing_usd_per_gb": processing.usd_per_gb,
            "data_out_usd": round(out_usd, 2),
            "processing_usd": round(processing_usd, 2),
        },
    )


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


def _owned_gpu_lines(
    label: str,
    accelerator: str,
    gpus: int,
    cfg: StackConfig,
    catalog: Catalog,
    powered_gpu_hours: float | None = None,
) -> list[CostLine]:
    """Owned GPUs priced from the same hourly figure placement used: amortisation and power, or the override.
    `powered_gpu_hours`: the GPU-hours a month they draw power when not all 730 (repeating training runs)."""
    hourly = private_gpu_hour_usd(accelerator, cfg, catalog)
    if accelerator in cfg.capacity.prices:
        return [
            CostLine(
                f"{label} {accelerator} (price override)",
                _monthly(
                    hourly.value,
                    gpus,
                    "GPUs · USD/GPU-h (aidc:capacity.prices override)",
                    {"gpus": gpus, "usd_per_gpu_hour": hourly.value},
                ),
            )
        ]
    inputs = hourly.inputs
    return [
        CostLine(
            f"{label} {accelerator} amortisation",
            _monthly(
                inputs["capex_usd_per_gpu_hour"],
                gpus,
                f"GPUs · capex_usd_per_gpu / (amortisation_months · {HOURS_PER_MONTH})",
                {
                    "gpus": gpus,
                    "capex_usd_per_gpu": inputs["capex_usd_per_gpu"],
                    "amortisation_months": inputs["amortisation_months"],
                    "source": inputs["source"],
                },
            ),
        ),
        CostLine(f"{label} {accelerator} power", _power_line(inputs, gpus, powered_gpu_hours)),
    ]


def _power_line(inputs: Mapping[str, Any], gpus: int, powered_gpu_hours: float | None) -> Figure:
    shown = {
        "gpus": gpus,
        "power_kw_per_gpu": inputs["power_kw_per_gpu"],
        "pue": inputs["pue"],
        "usd_per_kwh": inputs["usd_per_kwh"],
    }
    if powered_gpu_hours is None:
        return _monthly(
            inputs["power_usd_per_gpu_hour"], gpus, "GPUs · power_kw_per_gpu · pue · usd_per_kwh", shown
        )
    return Figure(
        inputs["power_usd_per_gpu_hour"] * powered_gpu_hours,
        "USD/month",
        "GPU-hours powered a month (always-on GPUs · 730 h + repeating runs' GPUs · the hours they run) · "
        "power_kw_per_gpu · pue · usd_per_kwh",
        {**shown, "powered_gpu_hours": round(powered_gpu_hours, 3)},
    )


def _private_cloud(placement: Placement, cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    gpus_by_accelerator: dict[str, int] = {}
    powered: dict[str, float] = {}  # GPU-hours a month drawing power
    repeating: set[str] = set()
    for group in placement.private:
        gpus_by_accelerator[group.accelerator] = (
            gpus_by_accelerator.get(group.accelerator, 0) + group.gpus.int
        )
        hours = HOURS_PER_MONTH if group.hours_per_month is None else group.hours_per_month.value
        powered[group.accelerator] = powered.get(group.accelerator, 0.0) + group.gpus.int * hours
        if group.hours_per_month is not None:
            repeating.add(group.accelerator)
    lines: list[CostLine] = []
    for accelerator, gpus in sorted(gpus_by_accelerator.items()):
        gpu_hours = powered[accelerator] if accelerator in repeating else None
        lines.extend(_owned_gpu_lines("GPUs", accelerator, gpus, cfg, catalog, gpu_hours))
    return lines


def _edge_sites(sites: Sequence[EdgeSitePlan], cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    lines: list[CostLine] = []
    for site in sites:
        lines.extend(_owned_gpu_lines(f"site {site.name}", site.accelerator, site.gpus.int, cfg, catalog))
    return lines


def monthly_cost(
    stack: str,
    placement: Placement,
    network: NetworkPlan,
    edge_sites: Sequence[EdgeSitePlan],
    cfg: StackConfig,
    catalog: Catalog = DEFAULT_CATALOG,
) -> CostEstimate:
    """Monthly cost (USD, 730 h) of a sized stack, per component, each line with its formula and inputs."""
    notes: list[str] = []
    public_by_location: dict[str, list[PublicGroup]] = {}
    for group in placement.public:
        public_by_location.setdefault(group.location, []).append(group)
    unknown = sorted(set(public_by_location) - {"aws"})
    if unknown:  # a new public cloud needs its own component costing here
        raise ValueError(f"no cost model for public location(s) {', '.join(unknown)}")
    components = (
        ComponentCost(
            "aws-gpu-cluster", "aws", tuple(_aws_gpu_cluster(public_by_location.get("aws", []), cfg, notes))
        ),
        ComponentCost("vpn-interconnect", "aws", tuple(_vpn_interconnect(network))),
        *(
            (ComponentCost("direct-connect", "aws", tuple(_direct_connect(network.direct_connect, network))),)
            if network.direct_connect is not None
            else ()
        ),
        ComponentCost(
            COMPONENT_OF_LOCATION[PRIVATE], PRIVATE, tuple(_private_cloud(placement, cfg, catalog))
        ),
        ComponentCost(COMPONENT_OF_LOCATION[EDGE], EDGE, tuple(_edge_sites(edge_sites, cfg, catalog))),
    )
    if cfg.aws_region != PRICED_REGION:
        notes.append(
            f"AWS prices are {PRICED_REGION} list prices; the stack runs in {cfg.aws_region}, "
            f"override GPU prices in aidc:capacity.prices"
        )
    if cfg.vpn.tunnel_bandwidth == "large":
        notes.append(
            "vpn-interconnect: priced at the standard Site-to-Site VPN connection rate; "
            "large-bandwidth tunnels may bill differently (see https://aws.amazon.com/vpn/pricing/)"
        )
    notes += one_off_transfer_notes(network)
    total = Figure(
        sum(c.usd_per_month for c in components),
        "USD/month",
        "Σ components",
        {c.component: round(c.usd_per_month, 2) for c in components},
    )
    baseline = {g.name: group_usd_per_month_baseline(g) for g in placement.public}
    savings = {
        g.name: (group_usd_per_month(g).value, baseline[g.name].value)
        for g in placement.public
        if g.range.autoscaled and g.kind != "training"
    }
    return CostEstimate(
        stack=stack,
        components=components,
        total_usd_per_month=total,
        hours_per_month=HOURS_PER_MONTH,
        price_source=catalog.price_source,
        price_as_of=catalog.price_as_of,
        spot_source=catalog.spot_source,
        service_prices=tuple(AWS_SERVICE_PRICES.values()),
        not_priced=(*NOT_PRICED, *notes),
        group_usd_per_month={g.name: group_usd_per_month(g) for g in placement.public},
        transfer_prices=tuple(AWS_TRANSFER_PRICES.values()),
        group_usd_per_month_baseline=baseline,
        baseline_usd_per_month=Figure(
            total.value - sum(peak - base for peak, base in savings.values()),
            "USD/month",
            "Σ components at peak − Σ autoscaled groups (peak − baseline): each at its min instances",
            {name: round(peak - base, 2) for name, (peak, base) in sorted(savings.items())},
        ),
        reservations={g.name: g.reservation for g in placement.public if g.reservation is not None},
    )


def _usd(value: float) -> float:
    # Cents: enough for a bill, and stable in JSON (no float noise in diffs).
    return round(value + 0.0, 2)


def cost_to_dict(estimate: CostEstimate) -> dict[str, Any]:
    """The JSON shape of `cost` in `aidc size --json`, `summary.cost` in `aidc plan --json` and the diff."""
    return {
        "stack": estimate.stack,
        "currency": "USD",
        "hours_per_month": estimate.hours_per_month,
        "price_source": estimate.price_source,
        "price_as_of": estimate.price_as_of,
        "spot_source": estimate.spot_source,
        "service_prices": {
            p.key: {"usd_per_hour": p.usd_per_hour, "unit": p.unit, "source": p.source, "as_of": p.as_of}
            for p in estimate.service_prices
        },
        "components": {
            c.component: {
                "location": c.location,
                "usd_per_month": _usd(c.usd_per_month),
                "lines": [
                    {
                        "item": line.item,
                        "usd_per_month": _usd(line.usd_per_month.value),
                        "formula": line.usd_per_month.formula,
                        "inputs": dict(line.usd_per_month.inputs),
                    }
                    for line in c.lines
                ],
            }
            for c in estimate.components
        },
        "transfer_prices": {
            p.key: {
                "usd_per_gb": p.usd_per_gb,
                **({"tiers": [[None if c == float("inf") else c, u] for c, u in p.tiers]} if p.tiers else {}),
                "source": p.source,
                "as_of": p.as_of,
            }
            for p in estimate.transfer_prices
        },
        "node_groups": {
            name: _usd(figure.value) for name, figure in sorted(estimate.group_usd_per_month.items())
        },
        "node_groups_baseline": {
            name: _usd(figure.value) for name, figure in sorted(estimate.group_usd_per_month_baseline.items())
        },
        "reservations": {
            name: {
                "kind": r.kind,
                "instance_type": r.instance_type,
                "instances": r.instances.int,
                "days": r.days.int,
                "start_date": r.start_date,
                "end_date": r.end_date,
                "blocks": list(r.blocks),
                "usd_per_instance_hour": r.usd_per_instance_hour,
                "usd_total": _usd(r.usd_total.value),
                "paid": r.paid,
                "formula": r.usd_total.formula,
                "inputs": dict(r.usd_total.inputs),
            }
            for name, r in sorted(estimate.reservations.items())
        },
        "total_usd_per_month": _usd(estimate.total_usd_per_month.value),
        "baseline_usd_per_month": _usd(
            (estimate.baseline_usd_per_month or estimate.total_usd_per_month).value
        ),
        "peak_usd_per_month": _usd(estimate.peak_usd_per_month.value),
        "not_priced": list(estimate.not_priced),
    }
