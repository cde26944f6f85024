"""Every public cloud in the outputs: why each place won or lost each workload (text, --explain, markdown, JSON),
each cloud's interconnect in the network table, the price sources of the clouds shown, the GPU queues' columns,
and the counts each cloud's interconnect adds."""

from __future__ import annotations

import copy
import io
import re
from functools import cache
from typing import Any

import pytest

from aidc.config import parse_stack_config
from aidc.output.clouds import links, used_clouds, words
from aidc.output.formats import SIZE, render
from aidc.output.plan_view import gpu_queues, plan_markdown, plan_text, queue_columns
from aidc.output.size_tables import price_sources, size_lines
from aidc.sizing import size_stack
from aidc.sizing.serialize import plan_to_dict
from tests.plans import config_of, plan_of, stack_values
from tests.schemas import validate_document

WHY = "Why each place won or lost (USD/GPU-h of its best offer; reasons: --explain)"
NETWORK = "Interconnect (each public cloud to the private cloud)"


@cache
def _size(stack: str) -> dict[str, Any]:
    return plan_to_dict(size_stack(config_of(stack_values(stack), stack)))


def size_document(stack: str) -> dict[str, Any]:
    return copy.deepcopy(_size(stack))


def _gcp_only(transfer_gb: float) -> dict[str, Any]:
    """H100 training only Google Cloud's quota holds, and a nightly transfer back from Google Cloud."""
    run = {"name": "llm-pretrain", "params": 7.0e10, "tokens": 2.0e12, "accelerator": "h100-80gb"}
    config = {
        "aidc:gcp": {"project": "aidc-demo-123"},
        "aidc:demand": {
            "training": [{**run, "deadline_days": 30, "classification": "internal"}],
            "transfer": [{"name": "sync", "volume_gb": transfer_gb, "window_hours": 4, "cloud": "gcp"}],
        },
        "aidc:capacity": {"public": {"max_instances": {"p5.48xlarge": 0, "a3-highgpu-8g": 200}}},
        "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
    }
    return plan_to_dict(size_stack(parse_stack_config(config, stack="gcp-only")))


def _section(lines: list[str], title: str) -> list[str]:
    """The lines of the table titled `title`, up to the blank line after it."""
    start = lines.index(title)
    return lines[start : lines.index("", start)]


def _row(lines: list[str], first: str) -> list[str]:
    """The cells of the table row that starts with `first` (cells are separated by two or more spaces)."""
    row = next(line for line in lines if line.startswith(f"  {first} "))
    return re.split(r"\s{2,}", row.strip())


def _column(section: list[str], row: str, header: str) -> str:
    """The whole text of one cell (wrapped over several lines) of the row starting with `row`, in column `header`:
    the rule under the headers gives each column's span."""
    spans = [m.span() for m in re.finditer(r"-+", section[2])]
    column = next(i for i, span in enumerate(spans) if section[1][span[0] : span[1]].strip() == header)
    first = next(i for i, line in enumerate(section) if line.startswith(f"  {row} "))
    end = next((i for i in range(first + 1, len(section)) if section[i][: spans[0][1]].strip()), len(section))
    start, stop = spans[column]
    return " ".join(line[start:stop].strip() for line in section[first:end] if line[start:stop].strip())


def test_the_summary_says_why_each_place_won_or_lost_per_workload() -> None:
    document = size_document("multicloud")
    everything = size_lines(document)
    lines = _section(everything, WHY)
    assert re.split(r"\s{2,}", lines[1].strip()) == ["workload", "private", "aws", "gcp"]
    offers = {(o["workload"], o["location"]): o for o in document["offers"]}
    gcp_price = offers[("foundation-13b", "gcp")]["usd_per_gpu_hour"]
    # H100 training: the private cloud has no H100, AWS's p5 quota is 0, Google Cloud's A3 High is chosen.
    assert _row(lines, "foundation-13b")[1:] == ["no h100-80gb", "over quota", f"chosen {gcp_price:,.2f}"]
    assert _row(lines, "claims-ft")[2:] == ["confidential data", "confidential data"]
    assert _row(lines, "assistant-chat")[3] == "no l40s-48gb"  # Google Cloud sells no L40S
    assert max(len(line) for line in everything) <= 80


def test_explain_and_markdown_give_every_offers_reason_and_price_formula() -> None:
    document = size_document("multicloud")
    explained = " ".join(" ".join(size_lines(document, explain=True)).split())
    markdown = render(SIZE, "markdown", document)
    for offer in document["offers"]:
        where = " ".join(p for p in (offer["location"], offer["instance_type"]) if p)
        assert f"{where}: {offer['outcome']}: {offer['reason']}" in explained, offer
        price = "" if offer["usd_per_gpu_hour"] is None else f"{offer['usd_per_gpu_hour']:,.2f}"
        row = (
            f"| {offer['workload']} | {offer['location']} | {offer['instance_type'] or ''} | {offer['outcome']} | "
            f"{price} | {offer['reason']} |"
        )
        assert row in markdown, row
        if offer["usd_per_gpu_hour"] is not None:
            formula = offer["why"]["usd_per_gpu_hour"]["formula"]
            assert f"{offer['location']} usd_per_gpu_hour = {formula}" in explained
            assert (
                f"**{offer['workload']} at {offer['location']}**: usd_per_gpu_hour: `{formula}`" in markdown
            )
    # The pivot is for the terminal, the long table for markdown: each format shows its own.
    assert "reasons: --explain" not in markdown and "| workload | place | offer |" not in explained


def test_offers_in_the_json_carry_the_price_formula_and_validate() -> None:
    document = size_document("multicloud")
    chosen = [o for o in document["offers"] if o["outcome"] == "chosen"]
    assert {(o["workload"], o["location"]) for o in chosen} == {
        ("foundation-13b", "gcp"),
        ("claims-ft", "private"),
        ("assistant-chat", "aws"),
    }
    for offer in document["offers"]:
        assert offer["cause"], offer
        if offer["usd_per_gpu_hour"] is not None:
            assert offer["why"]["usd_per_gpu_hour"]["unit"] == "USD/GPU-h"
    validate_document("size", document)
    broken = copy.deepcopy(document)
    broken["offers"][0]["outcome"] = "won"
    with pytest.raises(Exception, match="won"):
        validate_document("size", broken)


def test_a_lost_offer_says_when_it_was_cheaper_per_gpu_hour_but_not_in_total() -> None:
    document = size_document("dev")
    offer = next(o for o in document["offers"] if o["outcome"] == "lost")
    offer.update(cause="dearer in total", usd_per_gpu_hour=0.5)
    table = _section(size_lines(document), WHY)
    assert _column(table, offer["workload"], offer["location"]) == "lost 0.50 (dearer in total)"
    # A document from before offers had a cause still shows the outcome.
    for o in document["offers"]:
        o.pop("cause")
    assert "ineligible" in _row(_section(size_lines(document), WHY), offer["workload"])


def test_the_network_table_has_a_row_per_cloud_with_its_vpn_and_dedicated_links() -> None:
    lines = _section(size_lines(size_document("multicloud")), NETWORK)
    aws, gcp = _row(lines, "aws"), _row(lines, "gcp")
    assert aws[2:5] == ["1 conn., 2 tunnels", "1.25", "none"]
    # HA VPN: two tunnels of 2 Gbps (250,000 packets/s, two thirds of them 1,500-byte data segments).
    assert gcp[2:6] == ["2 tunnels", "4.00", "none", "4.00"]


def test_dedicated_interconnect_is_in_the_network_table_and_fits_80_columns() -> None:
    # 100,000 GB in 4 h = 55.6 Gbps: past 16 HA VPN tunnels, so 6 active 10 Gbps circuits + 1 spare (MACsec).
    document = _gcp_only(100_000)
    assert document["clouds"] == ["gcp"]
    lines = size_lines(document)
    assert max(len(line) for line in lines) <= 80
    table = _section(lines, NETWORK)
    assert (
        _row(table, "gcp")[:4] == ["gcp", "55.56", "2 tunnels", "4.00"] and _row(table, "gcp")[-1] == "64.00"
    )
    assert _column(table, "gcp", "dedicated").replace("- ", "-") == (
        "7 × 10 Gbps circuits (1 spare), 1 link at iad-zone1-1, 1 VLAN attachment, macsec"
    )
    assert not any(line.startswith("  aws ") for line in table)  # no AWS interconnect: AWS is not used
    explained = " ".join(" ".join(size_lines(document, explain=True)).split())
    assert "Dedicated Interconnect: HA VPN cannot carry 55.6 Gbps" in explained
    assert "gcp port_gbps = max(1, ceil(required_gbps / port_gbps)) + 1 spare" in explained
    markdown = render(SIZE, "markdown", document)
    assert (
        "| gcp | 55.56 | 2 tunnels | 4.00 | 7 × 10 Gbps circuits (1 spare), 1 link at iad-zone1-1, 1 VLAN"
        in markdown
    )


def test_the_counts_carry_each_clouds_interconnect() -> None:
    counts = _gcp_only(100_000)["counts"]
    assert {k: counts[k] for k in counts if k.startswith("gcp_") or k == "vpn_tunnels"} == {
        "gcp_vpn_tunnels": 2,
        "gcp_interconnect_circuits": 7,
        "gcp_interconnect_links": 1,
        "gcp_interconnect_attachments": 1,
        "vpn_tunnels": 0,  # AWS's: not used
    }
    assert size_document("multicloud")["counts"]["gcp_vpn_tunnels"] == 2
    assert not any(key.startswith("gcp_") for key in size_document("dev")["counts"])


def test_links_and_clouds_read_documents_made_before_clouds_were_listed() -> None:
    document = size_document("dev")
    del document["clouds"]
    assert used_clouds(document) == ["aws"]
    [link] = links(document)
    assert (link.cloud, link.vpn_tunnels, link.vpn_connections) == ("aws", 2, 1)
    assert words("a-new-cloud").name == "a-new-cloud"  # a cloud without a row of words is called by its name


def test_prices_are_those_of_the_clouds_shown() -> None:
    dev, multicloud = size_document("dev"), size_document("multicloud")
    source, _ = price_sources(dev)
    assert source.startswith("AWS Price List") and "gcp" not in source  # dev configures no Google Cloud
    both, as_of = price_sources(multicloud)
    assert both.startswith("aws: AWS Price List") and "; gcp: " in both
    assert as_of == min(p["as_of"] for p in multicloud["sources"]["price_lists"].values())
    spot, _ = price_sources(dev, "spot_source")
    assert spot == dev["sources"]["price_lists"]["aws"]["spot_source"]
    del dev["sources"]["price_lists"]  # an older document: every cloud's, as it says
    assert price_sources(dev) == (dev["sources"]["prices"], dev["sources"]["prices_as_of"])


def test_gpu_queue_columns_are_the_resources_the_queues_hold() -> None:
    dev = plan_of("dev")  # L4 serving and A100 training without EFA: GPUs only
    assert queue_columns(dev)[-1] == "GPUs per pod"
    assert all(len(row) == len(queue_columns(dev)) for row in gpu_queues(dev))
    multicloud = plan_of("multicloud")  # g6e.12xlarge has EFA: its queue holds EFA devices too
    assert queue_columns(multicloud)[-1] == "EFA"
    rows = {(row[0], row[1]): row for row in gpu_queues(multicloud)}
    assert rows[("aws-eks", "assistant-chat")][-1] != "" and rows[("core", "claims-ft")][-1] == ""
    stream = io.StringIO()
    plan_text(multicloud, stream)
    assert " EFA" in stream.getvalue() and "| EFA |" in plan_markdown(multicloud)
