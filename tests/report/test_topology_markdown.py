"""Mermaid topology and the pull-request markdown."""

from __future__ import annotations

import copy
import re

import pytest

from aidc.output.diff import diff_plans
from aidc.output.diff_markdown import MAX_COMMENT_CHARS, comment_marker, render_markdown
from aidc.output.topology import topology_mermaid
from aidc.sizing import size_stack
from tests.plans import config_of, plan_of, stack_values
from tests.stacks_list import PLANNED_STACKS


def _check_mermaid(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(1 for ln in lines if ln.strip().startswith("subgraph ")) == sum(
        1 for ln in lines if ln.strip() == "end"
    )
    ids = [m.group(1) for ln in lines if (m := re.match(r"\s+(\w+)[\[(]", ln)) and "subgraph" not in ln]
    assert len(ids) == len(set(ids)), ids
    for ln in lines:
        # every label is one quoted string: an even number of double quotes per line
        assert ln.count('"') % 2 == 0, ln


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
    public_nodes = sum(g.instances.int for g in plan.placement.public)
    assert f"AWS EKS GPU cluster: {public_nodes:,} GPU nodes" in text


def test_dev_topology_lines() -> None:
    text = topology_mermaid(size_stack(config_of(stack_values("dev"))))
    assert '    aws_g6_12xlarge_on_demand["g6.12xlarge × 1 on-demand<br/>4 × l4-24gb"]' in text
    assert '    private_a100_80gb["a100-80gb: 2 servers<br/>16 GPUs"]' in text
    assert (
        '  aws <-->|"IPsec ikev2, aes256-gcm, sha256, DH group 20<br/>'
        '1 connection, 2 tunnels, 1.25 Gbps"| private' in text
    )
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
    assert 'subgraph gcp["gcp GPU cluster: 2 GPU nodes, 16 GPUs"]' in text
    assert "    gcp_a3_highgpu_8g_on_demand[" in text
    assert "AWS EKS GPU cluster: 1 GPU nodes" in text


def test_topology_shows_direct_connect_where_the_plan_has_it() -> None:
    ecommerce = topology_mermaid(size_stack(config_of(stack_values("ecommerce"))))
    assert (
        'aws <==>|"Direct Connect EqDC2: 11 × 400 Gbps ports (1 spare), 6 links<br/>4,000 Gbps, macsec"| private'
        in (ecommerce)
    )
    assert "1 connection, 2 tunnels, 1.25 Gbps" in ecommerce  # the VPN stays, as the management path
    assert "Direct Connect" not in topology_mermaid(size_stack(config_of(stack_values("dev"))))
