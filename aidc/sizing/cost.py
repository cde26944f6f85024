"""Monthly cost estimate of a CapacityPlan, per stack and per component, each line a `Figure`.

Pure Python (no Pulumi import). Inputs: the plan (public groups carry their per-instance price after config
overrides and their spot flag; private groups their amortised GPU-hour), the stack config (system nodes, AZs,
private amortisation settings) and the catalog (price source and date). AWS service prices that are not GPU
instances live in `AWS_SERVICE_PRICES` below, each with its source URL and the date it was read; they are
us-east-1 list prices and the estimate says so when the stack is elsewhere.

What is deliberately left out (listed in `CostEstimate.not_priced`, so the output says so): Ceph hosts and
drives (no sourced figure for storage-server capex), data transfer and Transit Gateway data processing (they
depend on traffic, not on counts), EBS volumes, S3 storage and KMS requests.

May be touched: add a price with its source and date; keep 730 hours per month (AWS's own convention).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from aidc.catalog import DEFAULT_CATALOG, Catalog
from aidc.sizing.figure import Figure
from aidc.sizing.plan import CapacityPlan

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

HOURS_PER_MONTH = 730  # AWS pricing pages bill a month as 730 hours

COMPONENTS: tuple[str, ...] = ("aws-gpu-cluster", "vpn-interconnect", "private-cloud", "edge-sites")
PRICED_REGION = "us-east-1"


@dataclass(frozen=True)
class ServicePrice:
    """An AWS list price per hour of one billable unit, with where and when it was read."""

    key: str
    usd_per_hour: float
    unit: str
    source: str
    as_of: str


_EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/ (us-east-1, Linux)"
AWS_SERVICE_PRICES: Mapping[str, ServicePrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            ServicePrice(
                "eks-control-plane",
                0.10,
                "cluster-hour",
                "https://aws.amazon.com/eks/pricing/ (standard Kubernetes version support)",
                "2024-11",
            ),
            ServicePrice(
                "nat-gateway",
                0.045,
                "NAT gateway-hour",
                "https://aws.amazon.com/vpc/pricing/ (NAT gateway, us-east-1)",
                "2024-11",
            ),
            ServicePrice(
                "tgw-attachment",
                0.05,
                "attachment-hour",
                "https://aws.amazon.com/transit-gateway/pricing/ (us-east-1)",
                "2024-11",
            ),
            ServicePrice(
                "vpn-connection",
                0.05,
                "connection-hour",
                "https://aws.amazon.com/vpn/pricing/ (Site-to-Site VPN, us-east-1)",
                "2024-11",
            ),
            ServicePrice("m6i.large", 0.096, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m6i.xlarge", 0.192, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m6i.2xlarge", 0.384, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m7i.large", 0.1008, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m7i.xlarge", 0.2016, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m5.large", 0.096, "instance-hour", _EC2, "2024-11"),
            ServicePrice("t3.large", 0.0832, "instance-hour", _EC2, "2024-11"),
        )
    }
)

NOT_PRICED: tuple[str, ...] = (
    "ceph-storage: storage hosts and drives are not priced (no sourced capex figure for storage servers); "
    "add their amortisation by hand",
    "data transfer, Transit Gateway data processing (per GB) and VPN data out: depend on traffic, not counts",
    "EBS volumes, S3 storage, KMS keys and requests",
)


@dataclass(frozen=True)
class CostLine:
    """One priced item of a component: what it is and its monthly cost with formula and inputs."""

    item: str
    usd_per_month: Figure


@dataclass(frozen=True)
class ComponentCost:
    """The priced lines of one component (names match the components/ package)."""

    component: str
    lines: tuple[CostLine, ...]

    @property
    def usd_per_month(self) -> float:
        return sum(line.usd_per_month.value for line in self.lines)


@dataclass(frozen=True)
class CostEstimate:
    """Monthly cost of one stack: components, total, and where the prices came from."""

    stack: str
    components: tuple[ComponentCost, ...]
    total_usd_per_month: Figure
    hours_per_month: int
    price_source: str
    price_as_of: str
    spot_source: str
    service_prices: tuple[ServicePrice, ...]
    not_priced: tuple[str, ...]

    def component(self, name: str) -> ComponentCost:
        for component in self.components:
            if component.component == name:
                return component
        raise ValueError(f"component: unknown {name!r}; allowed: {', '.join(COMPONENTS)}")


def _monthly(usd_per_hour: float, units: float, formula: str, inputs: dict[str, Any]) -> Figure:
    return Figure(
        usd_per_hour * units * HOURS_PER_MONTH,
        "USD/month",
        f"{formula} · {HOURS_PER_MONTH} h",
        {**inputs, "hours_per_month": HOURS_PER_MONTH},
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


def _aws_gpu_cluster(plan: CapacityPlan, cfg: StackConfig, notes: list[str]) -> ComponentCost:
    lines: list[CostLine] = []
    # One node group line per (instance type, purchase option): what the bill shows.
    grouped: dict[tuple[str, bool], list[Any]] = {}
    for group in plan.placement.public:
        grouped.setdefault((group.instance_type, group.spot), []).append(group)
    for (instance_type, spot), groups in sorted(grouped.items()):
        instances = sum(g.instances.int for g in groups)
        hourly = sum(g.instances.int * g.usd_per_hour for g in groups)
        option = "spot" if spot else "on-demand"
        lines.append(
            CostLine(
                f"GPU nodes {instance_type} {option}",
                Figure(
                    hourly * HOURS_PER_MONTH,
                    "USD/month",
                    f"Σ instances · USD/h ({option}) · {HOURS_PER_MONTH} h",
                    {
                        "instances": instances,
                        "usd_per_hour": round(hourly / instances, 4) if instances else 0.0,
                        "workloads": ", ".join(sorted(g.workload for g in groups)),
                        "hours_per_month": HOURS_PER_MONTH,
                    },
                ),
            )
        )
    system_type = cfg.aws.system_instance_type
    if system_type in AWS_SERVICE_PRICES:
        lines.append(_service(system_type, cfg.aws.system_nodes, f"system nodes {system_type}"))
    else:
        notes.append(
            f"aws-gpu-cluster: system instance type {system_type} has no price in sizing/cost.py; "
            f"its {cfg.aws.system_nodes} nodes are not priced"
        )
    lines.append(_service("eks-control-plane", 1, "EKS control plane"))
    # The cluster's VPC gets one NAT gateway per availability zone (no cross-AZ egress dependency).
    lines.append(_service("nat-gateway", len(cfg.azs), f"NAT gateways (one per AZ: {', '.join(cfg.azs)})"))
    return ComponentCost("aws-gpu-cluster", tuple(lines))


def _vpn_interconnect(plan: CapacityPlan) -> ComponentCost:
    connections = plan.network.vpn_connections.int
    # The Transit Gateway has the VPC attachment plus one VPN attachment per connection.
    return ComponentCost(
        "vpn-interconnect",
        (
            _service(
                "tgw-attachment",
                connections + 1,
                "Transit Gateway attachments (VPC + one per VPN connection)",
            ),
            _service("vpn-connection", connections, "Site-to-Site VPN connections"),
        ),
    )


def _private_gpu_lines(
    label: str, accelerator: str, gpus: int, cfg: StackConfig, catalog: Catalog
) -> list[CostLine]:
    override = cfg.capacity.prices.get(accelerator)
    if override is not None:
        return [
            CostLine(
                f"{label} {accelerator} (price override)",
                _monthly(
                    override,
                    gpus,
                    "GPUs · USD/GPU-h (aidc:capacity.prices override)",
                    {"gpus": gpus, "usd_per_gpu_hour": override},
                ),
            )
        ]
    acc = catalog.accelerators[accelerator]
    private = cfg.capacity.private
    capex_hourly = acc.capex_usd_per_gpu / (private.amortisation_months * HOURS_PER_MONTH)
    power_hourly = acc.power_kw_per_gpu * private.pue * private.usd_per_kwh
    return [
        CostLine(
            f"{label} {accelerator} amortisation",
            _monthly(
                capex_hourly,
                gpus,
                "GPUs · capex_usd_per_gpu / (amortisation_months · 730)",
                {
                    "gpus": gpus,
                    "capex_usd_per_gpu": acc.capex_usd_per_gpu,
                    "amortisation_months": private.amortisation_months,
                    "source": acc.source,
                },
            ),
        ),
        CostLine(
            f"{label} {accelerator} power",
            _monthly(
                power_hourly,
                gpus,
                "GPUs · power_kw_per_gpu · pue · usd_per_kwh",
                {
                    "gpus": gpus,
                    "power_kw_per_gpu": acc.power_kw_per_gpu,
                    "pue": private.pue,
                    "usd_per_kwh": private.usd_per_kwh,
                },
            ),
        ),
    ]


def _private_cloud(plan: CapacityPlan, cfg: StackConfig, catalog: Catalog) -> ComponentCost:
    gpus_by_accelerator: dict[str, int] = {}
    for group in plan.placement.private:
        gpus_by_accelerator[group.accelerator] = (
            gpus_by_accelerator.get(group.accelerator, 0) + group.gpus.int
        )
    lines: list[CostLine] = []
    for accelerator, gpus in sorted(gpus_by_accelerator.items()):
        lines.extend(_private_gpu_lines("GPUs", accelerator, gpus, cfg, catalog))
    return ComponentCost("private-cloud", tuple(lines))


def _edge_sites(plan: CapacityPlan, cfg: StackConfig, catalog: Catalog) -> ComponentCost:
    lines: list[CostLine] = []
    for site in plan.edge_sites:
        lines.extend(_private_gpu_lines(f"site {site.name}", site.accelerator, site.gpus.int, cfg, catalog))
    return ComponentCost("edge-sites", tuple(lines))


def monthly_cost(plan: CapacityPlan, cfg: StackConfig, catalog: Catalog = DEFAULT_CATALOG) -> CostEstimate:
    """Monthly cost of `plan` (USD, 730 h), per component, each line with its formula and inputs."""
    notes: list[str] = []
    components = (
        _aws_gpu_cluster(plan, cfg, notes),
        _vpn_interconnect(plan),
        _private_cloud(plan, cfg, catalog),
        _edge_sites(plan, cfg, catalog),
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
        stack=plan.stack,
        components=components,
        total_usd_per_month=total,
        hours_per_month=HOURS_PER_MONTH,
        price_source=catalog.price_source,
        price_as_of=catalog.price_as_of,
        spot_source=catalog.spot_source,
        service_prices=tuple(AWS_SERVICE_PRICES.values()),
        not_priced=(*NOT_PRICED, *notes),
    )


def _usd(value: float) -> float:
    # Cents: enough for a bill, and stable in JSON (no float noise in diffs).
    return round(value + 0.0, 2)


def cost_to_dict(estimate: CostEstimate) -> dict[str, Any]:
    """The JSON shape used by `aidc size --json`, `aidc plan --json` (summary.cost) and the plan diff."""
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
        "total_usd_per_month": _usd(estimate.total_usd_per_month.value),
        "not_priced": list(estimate.not_priced),
    }
