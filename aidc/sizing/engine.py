"""`size_stack`: the whole sizing run, config in, CapacityPlan out (pure; no Pulumi)."""

from __future__ import annotations

from aidc.catalog import DEFAULT_CATALOG, Catalog
from aidc.config import budget
from aidc.config.budget import MAX_RESOURCES_PER_STACK, RESOURCES_PER_EDGE_SITE
from aidc.config.model import StackConfig
from aidc.contract import PUBLIC_CLOUDS, PublicCloud, public_cloud
from aidc.sizing.bounds import check_plan_bounds
from aidc.sizing.choices import explain
from aidc.sizing.compute import largest_node_by_accelerator, size_edge_sites, size_inference, size_training
from aidc.sizing.cost import ceiling_warnings, monthly_cost
from aidc.sizing.elastic import replica_ranges, with_elastic_capacity
from aidc.sizing.network import for_clouds, size_network
from aidc.sizing.placement import place
from aidc.sizing.plan import CapacityPlan, EdgeSitePlan, InferenceSizing, NetworkPlan, Placement
from aidc.sizing.security import size_security
from aidc.sizing.storage import size_storage


def resources_per_site(cfg: StackConfig) -> float:
    """What an average site of this stack adds (aidc/config/budget.py)."""
    return budget.resources_per_site(
        cfg.edge.sites,
        sum(1 for w in cfg.demand.inference if w.edge_fraction > 0),
        len(cfg.openstack.admin_cidrs),
    )


def used_clouds(cfg: StackConfig, placement: Placement, network: NetworkPlan) -> tuple[PublicCloud, ...]:
    """The public clouds the stack declares resources in, in registration order: where placement put GPU groups,
    where a training run's dataset lives, where a transfer goes. A stack with none of these is private and edge
    only, and declares no public-cloud resource at all."""
    used: set[str] = {group.location for group in placement.public}
    used |= {run.dataset_location for run in cfg.demand.training if run.dataset_tb > 0}
    used |= {transfer.cloud for transfer in network.transfers}
    return tuple(public_cloud(cloud) for cloud in PUBLIC_CLOUDS if cloud in used)


def size_stack(cfg: StackConfig, catalog: Catalog = DEFAULT_CATALOG) -> CapacityPlan:
    """Size every demand of one stack; raises InfeasibleDemand with the item and the numbers."""
    training = tuple(size_training(run, cfg.classification_of(run), catalog) for run in cfg.demand.training)
    largest_node = largest_node_by_accelerator(cfg.edge.sites)
    inference = tuple(
        size_inference(w, cfg.classification_of(w), cfg.edge.sites, catalog, largest_node)
        for w in cfg.demand.inference
    )
    security = size_security(cfg, inference)
    # The network first: placement prices moving datasets over the links it plans.
    network, network_warnings = size_network(cfg)
    placement, placement_warnings = place(cfg, training, inference, catalog, network)
    placement = with_elastic_capacity(placement, cfg, inference, catalog, placement_warnings, training)
    storage = size_storage(cfg, catalog)
    edge_sites = size_edge_sites(cfg, inference)
    warnings = [
        *placement_warnings,
        *network_warnings,
        *serving_warnings(cfg, inference),
        *estate_warnings(cfg, edge_sites),
    ]
    offers = explain(cfg, training, inference, placement, catalog, network)
    clouds = used_clouds(cfg, placement, network)
    network = for_clouds(network, clouds)
    cost = monthly_cost(cfg.stack, placement, network, edge_sites, cfg, catalog, clouds, storage)
    plan = CapacityPlan(
        stack=cfg.stack,
        training=training,
        inference=inference,
        placement=placement,
        storage=storage,
        network=network,
        security=security,
        edge_sites=edge_sites,
        cost=cost,
        warnings=(*warnings, *ceiling_warnings(cost)),
        replicas=replica_ranges(cfg, inference),
        clouds=clouds,
        offers=offers,
        catalog_source={
            # The price lists placement compared: the clouds the stack may use (not every registered one).
            "prices": catalog.price_source(cfg.enabled_clouds),
            "prices_as_of": catalog.price_as_of(cfg.enabled_clouds),
            "spot": catalog.spot_source(cfg.enabled_clouds),
            # Each cloud's price list on its own: `aidc size` names only those whose prices the plan shows.
            "price_lists": {
                cloud: {"source": p.source, "as_of": p.as_of, "spot_source": p.spot_source}
                for cloud, p in catalog.price_lists.items()
                if cloud in cfg.enabled_clouds
            },
            "facts": {
                key: {"value": f.value, "unit": f.unit, "source": f.source, "as_of": f.as_of}
                for key, f in catalog.facts.items()
            },
        },
    )
    check_plan_bounds(cfg, plan)
    return plan


def serving_warnings(cfg: StackConfig, inference: tuple[InferenceSizing, ...]) -> list[str]:
    """Throughputs that are estimates, or scaled to another accelerator at the edge: measure them."""
    warnings: list[str] = []
    site_accelerators: dict[str, list[str]] = {}
    for site in cfg.edge.sites:
        site_accelerators.setdefault(site.accelerator, []).append(site.name)
    for w, sized in zip(cfg.demand.inference, inference, strict=True):
        if sized.replica.estimated:
            per_gpu = sized.replica.tokens_per_s.value / sized.replica.gpus.value
            warnings.append(
                f"inference {w.name}: tokens_per_s_per_gpu is not given, so its throughput is an ESTIMATE from "
                f"the decode roofline ({per_gpu:,.0f} tokens/s per {w.accelerator} GPU in replicas of "
                f"{sized.replica.gpus.int}, a batch of {sized.replica.batch.int} bounded by the "
                f"{sized.replica.bound}); measure it and set tokens_per_s_per_gpu"
            )
        for accelerator, names in site_accelerators.items():
            if w.edge_fraction > 0 and accelerator != w.accelerator and w.tokens_per_s_per_gpu is not None:
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                warnings.append(
                    f"inference {w.name} runs on {accelerator}, not {w.accelerator}, at edge sites {shown}: its "
                    "per-GPU throughput there is scaled by memory bandwidth; measure it"
                )
    return warnings


def estate_warnings(cfg: StackConfig, edge_sites: tuple[EdgeSitePlan, ...]) -> list[str]:
    """A shard stack too large for one `pulumi up`, and sites whose network is not recorded yet."""
    warnings: list[str] = []
    per_stack = cfg.sites_per_shard
    per_site = resources_per_site(cfg)
    if per_stack and per_stack * per_site > MAX_RESOURCES_PER_STACK:
        warnings.append(
            f"aidc:estate.max_sites_per_stack is {per_stack}"
            + (" (auto)" if cfg.estate.max_sites_per_stack == "auto" else "")
            + ": a full shard stack holds about "
            f"{per_stack * per_site:,.0f} resources ({per_site:.0f} per site here: {RESOURCES_PER_EDGE_SITE[1]} for "
            f"a one-server site or {RESOURCES_PER_EDGE_SITE[3]} for a three-server one, plus its admin CIDRs' rules "
            "and its GPU stack), more than the "
            f"{MAX_RESOURCES_PER_STACK:,} one `pulumi up` should carry; "
            f"{budget.sites_within_budget(per_site)} sites or fewer keep it under (max_sites_per_stack: auto)"
        )
    unrecorded = [site for site in edge_sites if not site.recorded]
    if unrecorded:
        shown = ", ".join(f"{s.name} {s.network_cidr}" for s in unrecorded[:3])
        more = f" and {len(unrecorded) - 3} more" if len(unrecorded) > 3 else ""
        what = "network or shard" if cfg.estate.role == "core" else "network"
        warnings.append(
            f"{len(unrecorded)} edge site(s) have a provisional {what}, not recorded in the stack file ({shown}"
            f"{more}): `aidc edge allocate --stack {cfg.stack}` records them; `pulumi up` refuses a site whose "
            f"{what} is not recorded"
        )
    return warnings
