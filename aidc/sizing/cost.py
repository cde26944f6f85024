"""The one cost model: every price the sizing engine and the reports use, per hour and per month.

Pure Python (no Pulumi import). Placement prices its options with `private_gpu_hour_usd` and
`instance_hour_usd`; `monthly_cost` prices a sized stack per component, each line a `Figure` with its formula
and inputs, and the CapacityPlan carries the result (`plan.cost`), so `aidc size`, `aidc plan`, the
pull-request diff and the policy pack (through the node-group tags the program writes from
`plan.cost.group_usd_per_month`) all read the same numbers. Prices and the 730-hour month come from
aidc/catalog.py with their sources and dates; `aidc:capacity.prices` overrides any of them.

What is deliberately left out (listed in `CostEstimate.not_priced`, so the output says so): Ceph hosts and
drives (no sourced figure for storage-server capex), data transfer and Transit Gateway data processing (they
depend on traffic, not on counts), EBS volumes, S3 storage and KMS requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aidc.catalog import AWS_SERVICE_PRICES, DEFAULT_CATALOG, HOURS_PER_MONTH, Catalog, InstanceType
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    EDGE,
    PRIVATE,
    ComponentCost,
    CostEstimate,
    CostLine,
    EdgeSitePlan,
    NetworkPlan,
    Placement,
    PublicGroup,
)

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

# The component that holds each location's GPU capacity (a new public cloud adds its component here).
COMPONENT_OF_LOCATION: dict[str, str] = {
    "aws": "aws-gpu-cluster",
    PRIVATE: "private-cloud",
    EDGE: "edge-sites",
}
COMPONENTS: tuple[str, ...] = ("aws-gpu-cluster", "vpn-interconnect", "private-cloud", "edge-sites")
PRICED_REGION = "us-east-1"

NOT_PRICED: tuple[str, ...] = (
    "ceph-storage: storage hosts and drives are not priced (no sourced capex figure for storage servers); "
    "add their amortisation by hand",
    "data transfer, Transit Gateway data processing (per GB) and VPN data out: depend on traffic, not counts",
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


def group_usd_per_month(group: PublicGroup) -> Figure:
    """One public node group's monthly cost: instances · USD per instance-hour · 730 h."""
    option = "spot" if group.spot else "on-demand"
    return _monthly(
        group.usd_per_hour,
        group.instances.int,
        f"instances · USD/h ({option})",
        {"instances": group.instances.int, "usd_per_hour": round(group.usd_per_hour, 4)},
    )


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
    grouped: dict[tuple[str, bool], list[PublicGroup]] = {}
    for group in groups:
        grouped.setdefault((group.instance_type, group.spot), []).append(group)
    lines: list[CostLine] = []
    for (instance_type, spot), members in sorted(grouped.items()):
        instances = sum(g.instances.int for g in members)
        monthly = sum(group_usd_per_month(g).value for g in members)
        option = "spot" if spot else "on-demand"
        lines.append(
            CostLine(
                f"GPU nodes {instance_type} {option}",
                Figure(
                    monthly,
                    "USD/month",
                    f"Σ instances · USD/h ({option}) · {HOURS_PER_MONTH} h",
                    {
                        "instances": instances,
                        "usd_per_hour": round(monthly / HOURS_PER_MONTH / instances, 4) if instances else 0.0,
                        "workloads": ", ".join(sorted(g.workload for g in members)),
                        "hours_per_month": HOURS_PER_MONTH,
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


def _vpn_interconnect(network: NetworkPlan) -> list[CostLine]:
    connections = network.vpn_connections.int
    # The Transit Gateway has the VPC attachment plus one VPN attachment per connection.
    return [
        _service(
            "tgw-attachment", connections + 1, "Transit Gateway attachments (VPC + one per VPN connection)"
        ),
        _service("vpn-connection", connections, "Site-to-Site VPN connections"),
    ]


def _owned_gpu_lines(
    label: str, accelerator: str, gpus: int, cfg: StackConfig, catalog: Catalog
) -> list[CostLine]:
    """Owned GPUs priced from the same hourly figure placement used: amortisation and power, or the override."""
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
        CostLine(
            f"{label} {accelerator} power",
            _monthly(
                inputs["power_usd_per_gpu_hour"],
                gpus,
                "GPUs · power_kw_per_gpu · pue · usd_per_kwh",
                {
                    "gpus": gpus,
                    "power_kw_per_gpu": inputs["power_kw_per_gpu"],
                    "pue": inputs["pue"],
                    "usd_per_kwh": inputs["usd_per_kwh"],
                },
            ),
        ),
    ]


def _private_cloud(placement: Placement, cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    gpus_by_accelerator: dict[str, int] = {}
    for group in placement.private:
        gpus_by_accelerator[group.accelerator] = (
            gpus_by_accelerator.get(group.accelerator, 0) + group.gpus.int
        )
    lines: list[CostLine] = []
    for accelerator, gpus in sorted(gpus_by_accelerator.items()):
        lines.extend(_owned_gpu_lines("GPUs", accelerator, gpus, cfg, catalog))
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
    total = Figure(
        sum(c.usd_per_month for c in components),
        "USD/month",
        "Σ components",
        {c.component: round(c.usd_per_month, 2) for c in components},
    )
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
        "node_groups": {
            name: _usd(figure.value) for name, figure in sorted(estimate.group_usd_per_month.items())
        },
        "total_usd_per_month": _usd(estimate.total_usd_per_month.value),
        "not_priced": list(estimate.not_priced),
    }
