"""Mermaid topology and the pull-request markdown."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from aidc.config import parse_stack_config
from aidc.contract import PUBLIC_CLOUDS
from aidc.output.clouds import words
from aidc.output.diff import diff_plans
from aidc.output.diff_markdown import MAX_COMMENT_CHARS, comment_marker, render_markdown
from aidc.output.topology import topology_mermaid
from aidc.sizing import size_stack
from tests.clouds.gcp_plans import H100_RUN
from tests.plans import config_of, plan_of, stack_values
from tests.stacks_list import PLANNED_STACKS

EDGE = re.compile(r'\s+(\w+) (?:<-->|<==>|---)(?:\|"[^"]*"\|)? (\w+)$')


def _check_mermaid(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(1 for ln in lines if ln.strip().startswith("subgraph ")) == sum(
        1 for ln in lines if ln.strip() == "end"
    )
    ids = [m.group(1) for ln in lines if (m := re.match(r"\s+(\w+)[\[(]", ln)) and "subgraph" not in ln]
    assert len(ids) == len(set(ids)), ids
    subgraphs = [m.group(1) for ln in lines if (m := re.match(r"\s+subgraph (\w+)\[", ln))]
    assert len(subgraphs) == len(set(subgraphs)) and not set(subgraphs) & set(ids), subgraphs
    for ln in lines[1:]:
        # every label is one quoted string: an even number of double quotes per line
        assert ln.count('"') % 2 == 0, ln
        if (
            ln.strip() in ("end", "")
            or ln.strip().startswith(("%%", "subgraph "))
            or re.match(r"\s+\w+[\[(]", ln)
        ):
            continue
        # anything else is a link, and both its ends are boxes or nodes drawn above
        edge = EDGE.fullmatch(ln)
        assert edge, f"not a node, subgraph or link: {ln!r}"
        assert {edge.group(1), edge.group(2)} <= {*ids, *subgraphs}, ln


def test_the_mermaid_check_refuses_a_link_to_nothing_and_a_stray_line() -> None:
    good = topology_mermaid(plan_of("dev"))
    _check_mermaid(good)
    with pytest.raises(AssertionError, match="gcp"):
        _check_mermaid(good + '  gcp <-->|"HA VPN"| private\n')
    with pytest.raises(AssertionError, match="not a node"):
        _check_mermaid(good + "  aws -> private\n")


# A shard stack has no plan of its own (its estate is its core's): every other stack.
@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_topology_of_every_stack_is_well_formed_and_counts(stack: str) -> None:
    cfg = config_of(stack_values(stack), stack)
    plan = size_stack(cfg)
    text = topology_mermaid(plan)
    _check_mermaid(text)
    assert text == topology_mermaid(plan_of(stack)), "CapacityPlan and plan document must agree"
    assert f"Ceph: {plan.storage.osds.int:,} OSDs on {plan.storage.hosts.int:,} hosts" in text
    for site in plan.edge_sites:
        assert f"subgraph edge_{site.name.replace('-', '_')}" in text
    # One box and one VPN link per public cloud the plan uses, and none for another.
    for cloud in PUBLIC_CLOUDS:
        said = words(cloud)
        if cloud in plan.clouds:
            nodes = sum(g.instances.int for g in plan.placement.public if g.location == cloud)
            assert f'subgraph {cloud}["{said.name} {said.cluster} GPU cluster: {nodes:,} GPU nodes' in text
            assert f'  {cloud} <-->|"{said.vpn}: ' in text
            assert f"    {cloud}_bucket[(" in text
        else:
            assert f"subgraph {cloud}[" not in text and f"  {cloud} <" not in text


def test_dev_topology_lines() -> None:
    text = topology_mermaid(size_stack(config_of(stack_values("dev"))))
    assert '    aws_g6_12xlarge_on_demand["g6.12xlarge × 1 on-demand<br/>4 × l4-24gb"]' in text
    assert '    private_a100_80gb["a100-80gb: 2 servers<br/>16 GPUs"]' in text
    assert (
        '  aws <-->|"Site-to-Site VPN: IPsec ikev2, aes256-gcm, sha256, DH group 20<br/>'
        '1 connection, 2 tunnels, 1.25 Gbps"| private' in text
    )
    assert '    aws_bucket[("S3: datasets bucket")]' in text
    assert "gcp" not in text  # dev configures no Google Cloud
    assert "  private --- edge_edge_lab" in text


def test_topology_rejects_other_documents() -> None:
    with pytest.raises(ValueError, match="topology_mermaid: expected"):
        topology_mermaid({"resources": []})
    with pytest.raises(ValueError, match="got int"):
        topology_mermaid(3)


def test_labels_escape_quotes() -> None:
    document = plan_of("dev")
    document["plan"]["edge"]["sites"][0]["accelerator"] = 'l4 "quoted"'
    text = topology_mermaid(document)
    assert "#quot;quoted#quot;" in text
    _check_mermaid(text)


def test_markdown_comment_per_stack() -> None:
    dev = plan_of("dev")
    staging = plan_of("staging")
    body = render_markdown(diff_plans(dev, dev), dev)
    assert body.splitlines()[0] == comment_marker("dev") == "<!-- aidc-plan:dev -->"
    assert "**No changes**" in body
    assert "```mermaid\nflowchart LR" in body
    assert "as of 2026-07" in body
    other = render_markdown(diff_plans(staging, staging), staging)
    assert other.splitlines()[0] == "<!-- aidc-plan:staging -->"


def test_markdown_stays_under_the_comment_limit() -> None:
    base = plan_of("dev")
    head = copy.deepcopy(base)
    for i in range(2_000):
        head["resources"].append(
            {
                "urn": f"urn:pulumi:dev::aidc::aws:s3/bucket:Bucket::b{i:04d}",
                "type": "aws:s3/bucket:Bucket",
                "name": f"b{i:04d}",
                "parent": None,
                "inputs": {"tags": {"k": "v" * 200}},
            }
        )
    body = render_markdown(diff_plans(base, head), head)
    assert len(body) <= MAX_COMMENT_CHARS
    assert "1850 more" in body
    assert body.startswith(comment_marker("dev"))


def test_cost_markdown_lists_lines_total_and_source() -> None:
    from aidc.output.cost_table import cost_markdown

    cost = plan_of("dev")["summary"]["cost"]
    text = cost_markdown(cost)
    assert "| aws-gpu-cluster | GPU nodes g6.12xlarge on-demand | 3,359.17 |" in text
    assert "| **total** | | **18,294.93** | |" in text
    assert "| ceph-storage | storage hosts (7) amortisation | 1,729.00 |" in text
    assert (
        "Prices: AWS Price List (AmazonEC2, US East (N. Virginia), Linux, Shared tenancy, on-demand), snapshot aidc/clouds/aws/prices.json, as of 2026-07"
        in text
    )
    assert "Not priced: " in text and "ceph" not in text.split("Not priced: ")[1]


def test_topology_groups_public_capacity_by_the_plans_location() -> None:
    """Location is data: a group the plan places in another public cloud gets its own subgraph."""
    document = plan_of("dev")
    group = copy.deepcopy(document["plan"]["placement"]["public"][0])
    group.update(location="gcp", instance_type="a3-highgpu-8g", count=2, gpus=16)
    document["plan"]["placement"]["public"].append(group)
    text = topology_mermaid(document)
    _check_mermaid(text)
    assert 'subgraph gcp["Google Cloud GKE GPU cluster: 2 GPU nodes, 16 GPUs"]' in text
    assert "    gcp_a3_highgpu_8g_on_demand[" in text
    assert "AWS EKS GPU cluster: 1 GPU nodes" in text


def test_topology_shows_direct_connect_where_the_plan_has_it() -> None:
    ecommerce = topology_mermaid(size_stack(config_of(stack_values("ecommerce"))))
    assert (
        'aws <==>|"Direct Connect: 11 × 400 Gbps ports (1 spare), 6 links at EqDC2, CSVA1, macsec<br/>'
        '4,000 Gbps"| private' in (ecommerce)
    )
    assert "1 connection, 2 tunnels, 1.25 Gbps" in ecommerce  # the VPN stays, as the management path
    assert "Direct Connect" not in topology_mermaid(size_stack(config_of(stack_values("dev"))))


def _gcp_only(transfer_gb: float) -> Any:
    """H100 training that only Google Cloud's quota holds, and a nightly transfer back from it."""
    return size_stack(
        parse_stack_config(
            {
                "aidc:gcp": {"project": "aidc-demo-123"},
                "aidc:demand": {
                    "training": [H100_RUN],
                    "transfer": [
                        {"name": "sync", "volume_gb": transfer_gb, "window_hours": 4, "cloud": "gcp"}
                    ],
                },
                "aidc:capacity": {"public": {"max_instances": {"p5.48xlarge": 0, "a3-highgpu-8g": 200}}},
                "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
            },
            stack="gcp-only",
        )
    )


def test_a_stack_without_aws_draws_no_aws_box_and_google_clouds_interconnect() -> None:
    plan = _gcp_only(2_000)
    assert plan.clouds == ("gcp",)
    text = topology_mermaid(plan)
    _check_mermaid(text)
    assert "aws" not in text and "AWS" not in text, text
    nodes = plan.placement.public[0].instances.int
    assert f'  subgraph gcp["Google Cloud GKE GPU cluster: {nodes} GPU nodes, {nodes * 8} GPUs"]' in text
    assert (
        f'    gcp_a3_highgpu_8g_on_demand["a3-highgpu-8g × {nodes} on-demand<br/>{nodes * 8} × h100-80gb"]'
        in text
    )
    assert '    gcp_bucket[("Cloud Storage: datasets bucket")]' in text
    # 2,000 GB in 4 h = 1.11 Gbps: two HA VPN tunnels (one per gateway interface) of 2 Gbps each, no dedicated link.
    assert (
        '  gcp <-->|"HA VPN (BGP): IPsec ikev2, aes256-gcm, sha256, DH group 20<br/>2 tunnels, 4 Gbps"| private'
        in text
    )
    assert "<==>" not in text


def test_google_clouds_dedicated_interconnect_is_drawn_with_its_circuits() -> None:
    # 100,000 GB in 4 h = 55.6 Gbps: more than 16 HA VPN tunnels, so Dedicated Interconnect of 10 Gbps circuits
    # (MACsec for internal data): ceil(55.6 / 10) = 6 active + 1 spare = 7, in one connection (at most 8).
    plan = _gcp_only(100_000)
    text = topology_mermaid(plan)
    _check_mermaid(text)
    assert (
        '  gcp <==>|"Dedicated Interconnect: 7 × 10 Gbps circuits (1 spare), 1 link at iad-zone1-1, '
        '1 VLAN attachment, macsec<br/>60 Gbps"| private'
    ) in text
    assert "2 tunnels, 4 Gbps" in text  # HA VPN stays, as the encrypted management and fallback path


def test_a_stack_on_both_clouds_draws_both_with_their_own_interconnects() -> None:
    text = topology_mermaid(plan_of("multicloud"))
    _check_mermaid(text)
    assert (
        'subgraph aws["AWS EKS GPU cluster: ' in text
        and 'subgraph gcp["Google Cloud GKE GPU cluster: ' in text
    )
    assert '    gcp_a3_highgpu_8g_on_demand["a3-highgpu-8g × ' in text
    assert "  aws <-->|" in text and "  gcp <-->|" in text
