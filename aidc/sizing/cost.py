"""The one cost model: every price the sizing engine and the reports use, per hour and per month.

Pure Python (no Pulumi import). Placement prices its options with `private_gpu_hour_usd` and
`instance_hour_usd`; `monthly_cost` prices a sized stack per component, each line a `Figure` with its formula
and inputs, and the CapacityPlan carries the result (`plan.cost`), so `aidc size`, `aidc plan`, the
pull-request diff and the policy pack (through the node-group tags the program writes from
`plan.cost.group_usd_per_month`) all read the same numbers. Prices and the 730-hour month come from
aidc/catalog.py and each cloud's catalog with their sources and dates; `aidc:capacity.prices` overrides any of them.

This module prices what every stack has (owned GPUs in the private cloud and at the edge sites) and the parts all
public clouds share (their GPU groups at peak and at baseline); each public cloud the plan uses adds its own
components — its cluster, its interconnect, its egress — from aidc/clouds/<cloud>/cost.py (`cost_components`), and
prices moving a dataset in or out of it (`move_usd`, for placement).

A training run's public groups bill the hours the run runs (run hours · runs per month; a one-off run its run hours
once, at most the month's 730), and its private GPUs draw power for those hours (their amortisation stays whole:
owned hardware is paid whether it runs or not); a reserved run's groups bill the reservation's term (a Capacity
Block, paid up front: the whole block). So a run never costs more a month for repeating less often.

Owned hardware is amortised over `aidc:capacity.private.amortisation_months` and powered at its PUE and USD/kWh,
as the private GPUs are: the GPUs (their capex and power carry their host's share), the Ceph storage hosts and
their drives (`ceph-storage`), the core's K3s servers (`private-cloud`) and every edge site's K3s servers
(`edge-sites`), from the sourced facts of aidc/catalog.py (`server_capex_usd`, `storage_host_capex_usd`,
`nvme_capex_usd_per_tb`, `server_power_kw`, `nvme_power_kw`).

What is deliberately left out (listed in `CostEstimate.not_priced`, so the output says so): traffic other than
the planned transfers (inter-AZ, object storage, internet), block volumes, object storage and key-management
requests, and the owned sites' network gear, OpenStack control plane, WAN links and floor space.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from aidc.catalog import DEFAULT_CATALOG, HOURS_PER_MONTH, Catalog, InstanceType, TransferPrice
from aidc.clouds import cost_of
from aidc.contract import EDGE, PRIVATE, is_public
from aidc.sizing.figure import Figure
from aidc.sizing.plan import (
    ComponentCost,
    CostEstimate,
    CostLine,
    EdgeSitePlan,
    NetworkPlan,
    Placement,
    PublicGroup,
    StoragePlan,
)

if TYPE_CHECKING:
    from aidc.config.model import CloudSettings, StackConfig

# The components that hold the owned locations' GPUs (each public cloud names its own in its cost module).
COMPONENT_OF_LOCATION: dict[str, str] = {PRIVATE: "private-cloud", EDGE: "edge-sites"}

NOT_PRICED: tuple[str, ...] = (
    "traffic other than aidc:demand.transfer (inter-AZ, object storage, internet egress of the workloads)",
    "block volumes, object storage, key-management keys and requests",
    "the owned sites' network switches and routers, the OpenStack control plane, WAN links to the edge sites and "
    "floor space (only power at PUE is priced)",
)
CEPH = "ceph-storage"


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
    """USD per instance-hour in the stack's region of the instance's cloud: the override (`<type>`, `<type>:spot`),
    else the catalog's price for that region (its listed spot price for spot), else the priced region's on-demand
    price (× the cloud's spot fraction for spot)."""
    prices = cfg.capacity.prices
    region = cast("CloudSettings", cfg.cloud(instance.cloud)).region
    listed = catalog.regional_price(instance, region)
    if spot:
        if f"{instance.name}:spot" in prices:
            return prices[f"{instance.name}:spot"]
        if instance.name not in prices and listed is not None and listed[1] > 0:
            return listed[1]
        on_demand = prices.get(instance.name, listed[0] if listed is not None else instance.usd_per_hour)
        return on_demand * catalog.price_list(instance.cloud).spot_fraction_of_on_demand
    return prices.get(instance.name, listed[0] if listed is not None else instance.usd_per_hour)


# --- monthly figures ---------------------------------------------------------------------------------------
def monthly(usd_per_hour: float, units: float, formula: str, inputs: dict[str, Any]) -> Figure:
    """usd_per_hour · units · 730 h, with the formula and inputs."""
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
    training run's group bills the hours its run holds it (`hours_per_month`: run hours · runs per month, a one-off
    run's hours once, a reservation's term)."""
    count = group.instances.int if instances is None else instances
    rate = group_usd_per_hour(group)
    if group.hours_per_month is not None:
        hours = group.hours_per_month
        return Figure(
            rate * count * hours.value,
            "USD/month",
            f"instances · USD/h ({_purchase_option(group)}) · hours billed a month ({_billed(group)})",
            {
                "instances": count,
                "usd_per_hour": round(rate, 4),
                "hours_per_month": round(hours.value, 3),
                "billed": _billed(group),
                **{
                    k: v
                    for k, v in hours.inputs.items()
                    if k in ("every", "run_hours", "runs_per_month", "days")
                },
            },
        )
    return monthly(
        rate,
        count,
        f"instances · USD/h ({_purchase_option(group)})",
        {"instances": count, "usd_per_hour": round(rate, 4)},
    )


def _billed(group: PublicGroup) -> str:
    """What a training group's hours a month are, in words (its `hours_per_month` figure has the formula)."""
    hours = group.hours_per_month
    if group.reservation is not None:
        return f"the {group.reservation.kind}'s {group.reservation.days.int} days · 24 h, {group.reservation.paid}"
    if hours is not None and hours.inputs.get("every") == "once":
        return f"the one run's run_hours, at most {HOURS_PER_MONTH}"
    return "the run's run_hours · runs a month"


def group_usd_per_month_baseline(group: PublicGroup) -> Figure:
    """A group's monthly cost at the baseline: min instances (fixed groups: their count) · USD/h · 730 h. Training
    runs are demand, not load: a repeating run costs the same at baseline (its min of 0 is between runs)."""
    if group.kind == "training":
        return group_usd_per_month(group)
    return group_usd_per_month(group, group.range.min.int)


def _billed_by_workload(groups: Sequence[PublicGroup]) -> dict[str, dict[str, str]]:
    billed = {g.workload: _billed(g) for g in groups if g.hours_per_month is not None}
    return {"billed": billed} if billed else {}


def public_gpu_lines(groups: Sequence[PublicGroup]) -> list[CostLine]:
    """A public cloud's GPU groups at peak: one line per (instance type, purchase option), what the bill shows."""
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
                    f"Σ instances · USD/h ({option}) · hours billed a month ({HOURS_PER_MONTH}; a training "
                    "run: the hours it runs, a reserved run: its reservation's term)",
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
                        **_billed_by_workload(members),
                    },
                ),
            )
        )
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


def per_gb_line(what: str, gb: float, price: TransferPrice, formula: str, inputs: dict[str, Any]) -> CostLine:
    """A month's GB at a (tiered) per-GB price, as a cost line with the tiers and source."""
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


def dataset_move_usd(dataset_gb: float, source: str, target: str, network: NetworkPlan) -> Figure:
    """USD to move a dataset once from `source` to `target` (private or a public cloud): what leaving the source
    cloud and entering the target cloud cost over their interconnects (aidc/clouds/<cloud>/cost.py `move_usd`).
    Zero when the dataset is already there."""
    where = {"source": source, "target": target}
    if source == target or dataset_gb <= 0:
        return Figure(0.0, "USD", "dataset already where the run is placed", where)
    legs = [cost_of(source).move_usd(dataset_gb, True, network)] if is_public(source) else []
    if is_public(target):
        legs.append(cost_of(target).move_usd(dataset_gb, False, network))
    if len(legs) == 1:
        return Figure(legs[0].value, "USD", legs[0].formula, {**legs[0].inputs, **where})
    return Figure(
        sum(leg.value for leg in legs),
        "USD",
        f"out of {source} ({legs[0].formula}) + into {target} ({legs[1].formula})",
        {
            "dataset_gb": dataset_gb,
            **where,
            "out_usd": round(legs[0].value, 2),
            "in_usd": round(legs[1].value, 2),
        },
    )


def _owned_gpu_lines(
    label: str,
    accelerator: str,
    gpus: int,
    cfg: StackConfig,
    catalog: Catalog,
    powered_gpu_hours: float | None = None,
) -> list[CostLine]:
    """Owned GPUs priced from the same hourly figure placement used: amortisation and power, or the override.
    `powered_gpu_hours`: the GPU-hours a month they draw power when not all 730 (training runs)."""
    hourly = private_gpu_hour_usd(accelerator, cfg, catalog)
    if accelerator in cfg.capacity.prices:
        return [
            CostLine(
                f"{label} {accelerator} (price override)",
                monthly(
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
            monthly(
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


def _fact_source(catalog: Catalog, key: str) -> str:
    fact = catalog.facts[key]
    return f"{key}: {fact.source} ({fact.as_of})"


def amortisation_line(
    what: str, units: float, unit: str, capex_key: str, cfg: StackConfig, catalog: Catalog
) -> CostLine:
    """`units` of owned hardware bought at the catalog fact `capex_key` (USD per unit), spread evenly over
    aidc:capacity.private.amortisation_months."""
    capex = catalog.fact(capex_key)
    months = cfg.capacity.private.amortisation_months
    return CostLine(
        what,
        monthly(
            capex / (months * HOURS_PER_MONTH),
            units,
            f"{unit} · {capex_key} / (amortisation_months · {HOURS_PER_MONTH})",
            {
                unit: round(units, 3),
                capex_key: capex,
                "amortisation_months": months,
                "source": _fact_source(catalog, capex_key),
            },
        ),
    )


def power_line(
    what: str, loads: Sequence[tuple[str, float, str]], cfg: StackConfig, catalog: Catalog
) -> CostLine:
    """Owned hardware's power at the data centre's PUE and price: `loads` are (unit, count, power fact key)."""
    private = cfg.capacity.private
    kw = sum(count * catalog.fact(key) for _, count, key in loads)
    terms = " + ".join(f"{unit} · {key}" for unit, _, key in loads)
    inputs: dict[str, Any] = {}
    for unit, count, key in loads:
        inputs[unit] = round(count, 3)
        inputs[key] = catalog.fact(key)
    inputs.update({"pue": private.pue, "usd_per_kwh": private.usd_per_kwh})
    inputs["source"] = "; ".join(_fact_source(catalog, key) for _, _, key in loads)
    formula = f"({terms}) · pue · usd_per_kwh" if len(loads) > 1 else f"{terms} · pue · usd_per_kwh"
    return CostLine(what, monthly(kw * private.pue * private.usd_per_kwh, 1, formula, inputs))


def server_lines(label: str, servers: int, cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    """K3s servers (not GPU servers): amortisation and power, each server a whole general-purpose host."""
    if servers <= 0:
        return []
    return [
        amortisation_line(f"{label} amortisation", servers, "servers", "server_capex_usd", cfg, catalog),
        power_line(f"{label} power", [("servers", servers, "server_power_kw")], cfg, catalog),
    ]


def ceph_lines(storage: StoragePlan, cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    """Ceph's storage hosts and their data drives, amortised, and their power."""
    hosts, drives = storage.hosts.int, storage.osds.int
    if hosts <= 0:
        return []
    drive_tb = drives * storage.drive_tb
    return [
        amortisation_line(
            f"storage hosts ({hosts}) amortisation", hosts, "hosts", "storage_host_capex_usd", cfg, catalog
        ),
        amortisation_line(
            f"NVMe drives ({drives} x {storage.drive_tb:g} TB) amortisation",
            drive_tb,
            "drive_tb",
            "nvme_capex_usd_per_tb",
            cfg,
            catalog,
        ),
        power_line(
            f"storage power ({hosts} hosts, {drives} drives)",
            [("hosts", hosts, "server_power_kw"), ("drives", drives, "nvme_power_kw")],
            cfg,
            catalog,
        ),
    ]


def _power_line(inputs: Mapping[str, Any], gpus: int, powered_gpu_hours: float | None) -> Figure:
    shown = {
        "gpus": gpus,
        "power_kw_per_gpu": inputs["power_kw_per_gpu"],
        "pue": inputs["pue"],
        "usd_per_kwh": inputs["usd_per_kwh"],
    }
    if powered_gpu_hours is None:
        return monthly(
            inputs["power_usd_per_gpu_hour"], gpus, "GPUs · power_kw_per_gpu · pue · usd_per_kwh", shown
        )
    return Figure(
        inputs["power_usd_per_gpu_hour"] * powered_gpu_hours,
        "USD/month",
        "GPU-hours powered a month (always-on GPUs · 730 h + training runs' GPUs · the hours they run) · "
        "power_kw_per_gpu · pue · usd_per_kwh",
        {**shown, "powered_gpu_hours": round(powered_gpu_hours, 3)},
    )


def _private_cloud(placement: Placement, cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    gpus_by_accelerator: dict[str, int] = {}
    powered: dict[str, float] = {}  # GPU-hours a month drawing power
    part_time: set[str] = set()  # accelerators with GPUs of a training run
    for group in placement.private:
        gpus_by_accelerator[group.accelerator] = (
            gpus_by_accelerator.get(group.accelerator, 0) + group.gpus.int
        )
        hours = HOURS_PER_MONTH if group.hours_per_month is None else group.hours_per_month.value
        powered[group.accelerator] = powered.get(group.accelerator, 0.0) + group.gpus.int * hours
        if group.hours_per_month is not None:
            part_time.add(group.accelerator)
    lines: list[CostLine] = []
    for accelerator, gpus in sorted(gpus_by_accelerator.items()):
        gpu_hours = powered[accelerator] if accelerator in part_time else None
        lines.extend(_owned_gpu_lines("GPUs", accelerator, gpus, cfg, catalog, gpu_hours))
    servers = cfg.k3s.core_servers
    lines.extend(server_lines(f"K3s core servers ({servers})", servers, cfg, catalog))
    return lines


def _edge_sites(sites: Sequence[EdgeSitePlan], cfg: StackConfig, catalog: Catalog) -> list[CostLine]:
    lines: list[CostLine] = []
    for site in sites:
        lines.extend(_owned_gpu_lines(f"site {site.name}", site.accelerator, site.gpus.int, cfg, catalog))
    # Every site's K3s servers, together: one kind of host, so one amortisation and one power line.
    servers = sum(site.servers for site in sites)
    count = f"{servers} server{'s' * (servers != 1)}, {len(sites)} site{'s' * (len(sites) != 1)}"
    label = f"K3s servers of the edge sites ({count})"
    lines.extend(server_lines(label, servers, cfg, catalog))
    return lines


def monthly_cost(
    stack: str,
    placement: Placement,
    network: NetworkPlan,
    edge_sites: Sequence[EdgeSitePlan],
    cfg: StackConfig,
    catalog: Catalog = DEFAULT_CATALOG,
    clouds: Sequence[str] = (),
    storage: StoragePlan | None = None,
) -> CostEstimate:
    """Monthly cost (USD, 730 h) of a sized stack, per component, each line with its formula and inputs: the
    public clouds the stack uses (`clouds`, each from its own cost module), then the private cloud and the edge."""
    notes: list[str] = []
    public_by_location: dict[str, list[PublicGroup]] = {}
    for group in placement.public:
        public_by_location.setdefault(group.location, []).append(group)
    unused = sorted(set(public_by_location) - set(clouds))
    if unused:  # the engine derives `clouds` from the placement, so this is a caller's mistake
        raise ValueError(
            f"public groups in {', '.join(unused)}, which the stack's clouds ({clouds}) leave out"
        )
    public = [
        component
        for cloud in clouds
        for component in cost_of(cloud).cost_components(
            public_by_location.get(cloud, []), network, cfg, notes
        )
    ]
    components = (
        *public,
        ComponentCost(
            COMPONENT_OF_LOCATION[PRIVATE], PRIVATE, tuple(_private_cloud(placement, cfg, catalog))
        ),
        ComponentCost(CEPH, PRIVATE, tuple(ceph_lines(storage, cfg, catalog) if storage else ())),
        ComponentCost(COMPONENT_OF_LOCATION[EDGE], EDGE, tuple(_edge_sites(edge_sites, cfg, catalog))),
    )
    for cloud in clouds:
        notes += cost_of(cloud).one_off_notes(network)
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
    priced = [cost_of(cloud).priced_services() for cloud in clouds]
    return CostEstimate(
        stack=stack,
        components=components,
        total_usd_per_month=total,
        hours_per_month=HOURS_PER_MONTH,
        price_source=catalog.price_source(clouds),
        price_as_of=catalog.price_as_of(clouds),
        spot_source=catalog.spot_source(clouds),
        service_prices=tuple(price for services, _ in priced for price in services),
        not_priced=(*NOT_PRICED, *notes),
        group_usd_per_month={g.name: group_usd_per_month(g) for g in placement.public},
        transfer_prices=tuple(price for _, transfers in priced for price in transfers),
        group_usd_per_month_baseline=baseline,
        baseline_usd_per_month=Figure(
            total.value - sum(peak - base for peak, base in savings.values()),
            "USD/month",
            "Σ components at peak − Σ autoscaled groups (peak − baseline): each at its min instances",
            {name: round(peak - base, 2) for name, (peak, base) in sorted(savings.items())},
        ),
        reservations={g.name: g.reservation for g in placement.public if g.reservation is not None},
        ceiling_usd_per_month=cfg.policy.monthly_cost_ceiling_usd,
    )


def ceiling_warnings(estimate: CostEstimate) -> list[str]:
    """What `aidc size` says of a stack over its cost ceiling (the pack refuses it: `aidc plan` exits 1)."""
    if not estimate.over_ceiling or estimate.ceiling_usd_per_month is None:
        return []
    ceiling, peak = estimate.ceiling_usd_per_month, estimate.peak_usd_per_month.value
    return [
        f"the stack costs {peak:,.0f} USD/month at peak, {peak - ceiling:,.0f} over aidc:policy."
        f"monthly_cost_ceiling_usd ({ceiling:,.0f}): `aidc plan` and `pulumi preview` refuse it "
        "(monthly-cost-ceiling, mandatory); lower the demand or raise the ceiling"
    ]


# `aidc size` warns when a price list it used is older than this (prices move: AWS cut P5 by ~44% in June 2025).
STALE_AFTER_MONTHS = 6


def _as_of_date(as_of: str) -> datetime.date | None:
    """An as_of date (YYYY-MM-DD, or YYYY-MM: its first day); None when it is not a date."""
    try:
        return datetime.date(int(as_of[:4]), int(as_of[5:7]), int(as_of[8:10]) if len(as_of) >= 10 else 1)
    except (ValueError, IndexError):
        return None


def is_stale(as_of: str, today: datetime.date, months: int = STALE_AFTER_MONTHS) -> bool:
    """A price dated `as_of` is more than `months` old on `today` (a date that does not parse counts as stale)."""
    date = _as_of_date(as_of)
    if date is None:
        return True
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    for day in (date.day, 30, 29, 28):  # the same day `months` later, or the month's last
        try:
            return today > datetime.date(year, month, day)
        except ValueError:
            continue
    return True


def stale_price_warnings(
    estimate: CostEstimate,
    clouds: Sequence[str],
    today: datetime.date,
    catalog: Catalog = DEFAULT_CATALOG,
    groups: Sequence[PublicGroup] = (),
) -> list[str]:
    """The price lists this estimate used that are older than STALE_AFTER_MONTHS on `today`, each named with its
    date and how to bring it up to date; and, where a cloud's list is not that old, the instance types placed in
    `groups` whose own price is (an entry a refresh kept, or one taken from another source)."""
    older = f"prices older than {STALE_AFTER_MONTHS} months (today {today.isoformat()})"
    stale_lists = [cloud for cloud in clouds if is_stale(catalog.price_list(cloud).as_of, today)]
    warnings = [
        f"{older}: the {cloud} price list ({price_list.source}) is as of {price_list.as_of}; run `aidc catalog "
        f"refresh --cloud {cloud}` with {cloud} credentials, or set aidc:capacity.prices"
        for cloud in stale_lists
        for price_list in (catalog.price_list(cloud),)
    ]
    placed = {
        (g.location, g.instance_type): catalog.instance_types[g.instance_type]
        for g in groups
        if g.location not in stale_lists and g.instance_type in catalog.instance_types
    }
    warnings += [
        f"{older}: the {cloud} price of {name} is as of {t.as_of} ({t.source}); run `aidc catalog refresh "
        f"--cloud {cloud}` with {cloud} credentials, or set aidc:capacity.prices"
        for (cloud, name), t in sorted(placed.items())
        if is_stale(t.as_of, today)
    ]
    warnings += [
        f"{older}: reservation {name} is priced from {r.price_list}, as of {r.price_as_of}"
        for name, r in sorted(estimate.reservations.items())
        if r.price_as_of and is_stale(r.price_as_of, today)
    ]
    return warnings


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
        "ceiling_usd_per_month": estimate.ceiling_usd_per_month,
        "over_ceiling": estimate.over_ceiling,
        "not_priced": list(estimate.not_priced),
    }
