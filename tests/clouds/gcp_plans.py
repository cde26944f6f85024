"""Plans that put GPU groups in Google Cloud, for the program, conformance and policy tests of the Google Cloud side.

The real sizing engine sizes a shipped stack; its public groups are then moved to the Google Cloud machine type with
the same accelerator and GPUs (`MACHINES`), its plan gets a Google Cloud interconnect of the shape
aidc/clouds/gcp/interconnect.py defines, and the stack config gets `aidc:gcp` (project, peers). Until the lead's
catalog, placement and interconnect sizing land, this is how a plan reaches stacks/clouds/gcp.py; afterwards the
same tests can take the engine's plans. Each variant is run through the real program under the offline recorder
once per session (`gcp_offline`).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from aidc.clouds.gcp.interconnect import DedicatedLink, GcpInterconnectPlan, VlanAttachment, VpnTunnel
from aidc.config import StackConfig
from aidc.sizing import size_stack
from aidc.sizing.figure import Figure
from aidc.sizing.plan import CapacityPlan, PublicGroup
from tests.plans import config_of, stack_values

PROJECT = "aidc-gpu-prod"
# A 70B-parameter H100 pre-training run (aidc:demand.training entry) that placement may send to Google Cloud: the
# demand of the GCP sizing, price-age, topology and done-when tests.
H100_RUN = {
    "name": "llm-pretrain",
    "params": 7.0e10,
    "tokens": 2.0e12,
    "accelerator": "h100-80gb",
    "deadline_days": 30,
    "classification": "internal",
}
PEERS = ("80.80.80.1", "80.80.80.2")
# (AWS instance type, kind) -> the Google Cloud machine type with the same GPUs: H100 x8 (training on A3 Mega, with
# GPUDirect-TCPXO; serving on A3 High), L4 x4.
MACHINES = {
    ("p5.48xlarge", "training"): "a3-megagpu-8g",
    ("p5.48xlarge", "inference"): "a3-highgpu-8g",
    ("g6.12xlarge", "inference"): "g2-standard-48",
    ("g6.12xlarge", "training"): "g2-standard-48",
}


def with_gcp(values: dict[str, Any], **settings: Any) -> None:
    """Give a stack file's config an aidc:gcp section: project, on-premises peers, and `settings` over them."""
    gcp: dict[str, Any] = {"project": PROJECT, "vpn": {"peer_ips": list(PEERS)}}
    gcp.update(settings)
    values["aidc:gcp"] = gcp


def gcp_config(stack: str, **settings: Any) -> StackConfig:
    values = stack_values(stack)
    with_gcp(values, **settings)
    return config_of(values, stack=stack)


def _moved(group: PublicGroup) -> PublicGroup:
    if group.location == "gcp":  # placement already chose Google Cloud (the cheaper L4 machine, say)
        return group
    machine = MACHINES[(group.instance_type, group.kind)]
    return dataclasses.replace(group, location="gcp", instance_type=machine, efa=False, efa_interfaces=0)


def interconnect(dedicated: bool, encryption: str = "macsec") -> GcpInterconnectPlan:
    """Two HA VPN tunnels (one per gateway interface, to each peer) and, when `dedicated`, one 100G link of two
    circuits with one 50G VLAN attachment."""
    gbps = Figure(3.0, "Gbps", "tunnels · 1.5", {"tunnels": 2})
    links = (DedicatedLink("link-0", "iad-zone1-1", 2, "LINK_TYPE_ETHERNET_100G_LR"),) if dedicated else ()
    attachments = (
        (VlanAttachment("attachment-0", "link-0", "BPS_50G", 100, "169.254.210.0/29"),) if dedicated else ()
    )
    return GcpInterconnectPlan(
        cloud="gcp",
        required_gbps=Figure(1.2, "Gbps", "Σ transfers", {}),
        vpn_tunnels=Figure(2, "tunnels", "HA VPN: two", {}),
        vpn_gbps=gbps,
        capacity_gbps=Figure(53.0 if dedicated else 3.0, "Gbps", "VPN + attachments", {}),
        router_asn=64520,
        peer_asn=65000,
        peer_ips=PEERS,
        tunnels=(
            VpnTunnel("tunnel-0", 0, 0, "169.254.200.0/30"),
            VpnTunnel("tunnel-1", 1, 1, "169.254.200.4/30"),
        ),
        links=links,
        attachments=attachments,
        encryption=encryption if dedicated else "none",  # type: ignore[arg-type]
        advertised_prefixes=("10.40.0.0/20", "10.44.0.0/14", "10.48.0.0/20", "10.49.0.0/28"),
    )


def on_gcp(plan: CapacityPlan, keep_aws: bool = False, dedicated: bool = False) -> CapacityPlan:
    """The plan with its public groups in Google Cloud (with `keep_aws`: copies beside the AWS ones, under
    '<workload>-gcp'), a Google Cloud interconnect, and 'gcp' among its clouds."""
    groups = [_moved(g) for g in plan.placement.public]
    if keep_aws:
        groups = [dataclasses.replace(g, workload=f"{g.workload}-gcp") for g in groups]
    costs = dict(plan.cost.group_usd_per_month)
    baselines = dict(plan.cost.group_usd_per_month_baseline)
    for old, new in zip(plan.placement.public, groups, strict=True):
        costs[new.name] = plan.cost.group_usd_per_month[old.name]
        if old.name in baselines:
            baselines[new.name] = baselines[old.name]
    public = (*plan.placement.public, *groups) if keep_aws else tuple(groups)
    # The copies serve from Google Cloud only (no edge replicas: those stay the originals').
    inference = plan.inference + tuple(
        dataclasses.replace(w, name=f"{w.name}-gcp", edge=()) for w in plan.inference if keep_aws
    )
    clouds = ("aws", "gcp") if keep_aws or ("aws" in plan.clouds and not plan.placement.public) else ("gcp",)
    return dataclasses.replace(
        plan,
        placement=dataclasses.replace(plan.placement, public=public),
        inference=inference,
        cost=dataclasses.replace(
            plan.cost, group_usd_per_month=costs, group_usd_per_month_baseline=baselines
        ),
        network=dataclasses.replace(plan.network, interconnects=(interconnect(dedicated),)),
        clouds=clouds,  # type: ignore[arg-type]
    )


VARIANTS = {
    # prod's H100 training (reserved, A3 Mega) and serving (A3 High), Google Cloud only, VPN only
    "prod-gcp": ("prod", False, False),
    # prod on both clouds, with Dedicated Interconnect (MACsec) to Google Cloud
    "prod-both": ("prod", True, True),
    # dev's L4 serving (G2)
    "dev-gcp": ("dev", False, False),
}


@cache
def gcp_case(variant: str) -> tuple[StackConfig, CapacityPlan]:
    stack, keep_aws, dedicated = VARIANTS[variant]
    cfg = gcp_config(stack)
    return cfg, on_gcp(size_stack(cfg), keep_aws=keep_aws, dedicated=dedicated)


@cache
def gcp_offline(variant: str) -> Any:
    """The program run on the variant's plan under the offline recorder (once per session)."""
    from aidc.offline import run_program
    from stacks.program import deploy

    cfg, plan = gcp_case(variant)
    return run_program(cfg.stack, lambda: deploy(cfg, plan), regions=cfg.cloud_regions())
