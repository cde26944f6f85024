"""The one registry of output formats (aidc/output/formats.py): what the commands offer, what each renderer
writes and where it writes it."""

from __future__ import annotations

import errno
import io
import re
from typing import Any

import pytest
from rich.console import Console

from aidc.cli import build_parser
from aidc.output.cost_table import cost_markdown, print_cost
from aidc.output.diff import DiffDocument, diff_plans
from aidc.output.formats import PLAN, PLAN_DIFF, RENDERERS, SIZE, formats, render, renderer, write
from aidc.sizing import size_stack
from aidc.sizing.serialize import plan_to_dict
from tests.plans import as_base, config_of, plan_of, stack_values
from tests.stacks_list import PLANNED_STACKS


def _document(kind: str) -> Any:
    if kind == SIZE:
        return plan_to_dict(size_stack(config_of(stack_values("dev"))))
    plan = plan_of("dev")
    if kind == PLAN:
        return plan
    base = as_base(plan)
    base["resources"] = base["resources"][1:]  # so the diff has something to say
    return DiffDocument(diff_plans(base, plan), plan)


KINDS_AND_FORMATS = [(kind, fmt) for kind in RENDERERS for fmt in RENDERERS[kind]]


def test_every_kind_has_text_json_and_markdown() -> None:
    assert set(RENDERERS) == {SIZE, PLAN, PLAN_DIFF}
    for kind in RENDERERS:
        assert formats(kind) == ("text", "json", "markdown"), kind


@pytest.mark.parametrize(("command", "kind"), [("size", SIZE), ("plan", PLAN)])
def test_commands_offer_exactly_the_registered_formats(command: str, kind: str) -> None:
    parser = build_parser([command])
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    [fmt] = [a for a in sub._actions if a.dest == "format"]
    assert tuple(fmt.choices) == formats(kind)
    # `aidc plan --format` also picks the renderer of `--diff`: one option, so the same formats.
    assert formats(PLAN) == formats(PLAN_DIFF)


@pytest.mark.parametrize(("kind", "fmt"), KINDS_AND_FORMATS)
def test_renderers_write_to_the_stream_they_are_given(
    kind: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = io.StringIO()
    write(kind, fmt, _document(kind), stream)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
    assert stream.getvalue().endswith("\n") and len(stream.getvalue()) > 100
    assert render(kind, fmt, _document(kind)) == stream.getvalue()


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(("kind", "fmt"), KINDS_AND_FORMATS)
def test_a_failing_stream_reaches_the_caller(kind: str, fmt: str) -> None:
    """Renderers neither swallow write errors nor fall back to stdout: the command decides what they mean."""
    with pytest.raises(OSError, match="No space left"):
        write(kind, fmt, _document(kind), _FullDisk())


def test_unknown_format_or_kind_names_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="--format: unknown 'html'; allowed: text, json, markdown"):
        renderer(SIZE, "html")
    with pytest.raises(ValueError, match="unknown kind of document 'cost'; known: size, plan, plan-diff"):
        formats("cost")


def test_one_cost_table_per_format_over_cost_to_dict() -> None:
    cost = plan_of("dev")["summary"]["cost"]
    assert cost == plan_to_dict(size_stack(config_of(stack_values("dev"))))["cost"]
    out = io.StringIO()
    print_cost(cost, Console(file=out, width=80))
    text = out.getvalue()
    for component, value in cost["components"].items():
        assert f"{component}" in text and f"{value['usd_per_month']:,.0f}" in text, component
    assert "total" in text and f"{cost['total_usd_per_month']:,.0f}" in text
    markdown = cost_markdown(cost)
    lines = [line for c in cost["components"].values() for line in c["lines"]]
    # The header, one row per line, then the total at baseline and at peak (and one per reservation).
    reservations = len(cost["reservations"])
    assert sum(1 for row in markdown.splitlines() if row.startswith("| ") and "**" not in row) == (
        1 + len(lines) + 2 + reservations
    )
    assert f"| at baseline | | {cost['baseline_usd_per_month']:,.2f} |" in markdown
    assert f"| at peak | | {cost['peak_usd_per_month']:,.2f} |" in markdown
    assert "at baseline" in text and "at peak" in text
    assert all(line["formula"].replace("|", "\\|") in markdown for line in lines)


def _formulas(document: Any) -> list[str]:
    """Every figure's formula in a size document (the cost lines are the cost table's)."""
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for figure in (value.get("why") or {}).values():
                found.append(figure["formula"])
            for key, item in value.items():
                if key not in ("why", "cost"):
                    walk(item, key)
        elif isinstance(value, list):
            for item in value:
                walk(item, path)

    walk(document, "")
    return found


def _flat(text: str) -> str:
    """Text as a wrapped paragraph reads: one space between words, nothing after a hyphen that ends a line."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_size_explain_and_markdown_show_every_figures_formula(stack: str) -> None:
    cfg = config_of(stack_values(stack), stack)
    document = plan_to_dict(size_stack(cfg))
    formulas = _formulas(document)
    assert formulas
    explained = _flat(render(SIZE, "text", document, explain=True))
    markdown = _flat(render(SIZE, "markdown", document))
    for formula in formulas:
        assert _flat(formula) in explained, formula
        assert _flat(formula.replace("|", "\\|")) in markdown, formula
    summary = render(SIZE, "text", document)
    assert all(_flat(f) not in _flat(summary) for f in formulas if len(f) > 40)


def test_size_markdown_explains_every_row() -> None:
    document = _document(SIZE)
    markdown = render(SIZE, "markdown", document)
    for run in document["compute"]["training"]:
        assert f"- **{run['name']}**: flops: `{run['why']['flops']['formula']}`" in markdown
        assert f"gpu_hours: `{run['why']['gpu_hours']['formula']}`" in markdown
    for key in ("usable_tb", "raw_tb", "osds", "hosts", "monitors"):
        assert f"{key}: `{document['storage']['why'][key]['formula']}`" in markdown, key
    assert f"`{document['network']['why']['vpn_connections']['formula']}`" in markdown
    total = document["cost"]["total_usd_per_month"]
    assert "#### Monthly cost (USD)" in markdown and f"| **total** | | **{total:,.2f}** | |" in markdown
    assert "**Warnings**" not in markdown  # dev has none


def test_size_markdown_puts_warnings_first() -> None:
    document = plan_to_dict(size_stack(config_of(stack_values("ecommerce"), "ecommerce")))
    assert document["warnings"]
    markdown = render(SIZE, "markdown", document)
    assert markdown.index("**Warnings**") < markdown.index("#### Training")
    for warning in document["warnings"]:
        assert f"- {warning}" in markdown
    # Direct Connect in the interconnect table, with its formula under it.
    assert (
        "| aws | 4,000.00 | 1 conn., 2 tunnels | 1.25 | 11 × 400 Gbps ports (1 spare), 6 links at EqDC2, "
        in markdown
    )
    assert (
        f"aws Direct Connect ports: `{document['network']['direct_connect']['why']['ports']['formula']}`"
        in markdown
    )
