"""The one registry of output formats: for each kind of document a command prints (`size`, `plan`,
`plan-diff`), the formats it can be printed in and the renderer of each. `aidc size --format`, `aidc plan
--format` and `aidc plan --diff --format` look their renderer up here, so a format or a kind is one entry and
every command offers exactly the formats registered for it.

A renderer writes one document to the text stream it is handed and never to sys.stdout itself, so the
command decides what a full disk or a closed pipe means. `render` collects the output in a string (tests,
golden files).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from aidc.output.diff import DiffDocument, render_json, render_text
from aidc.output.diff_markdown import render_markdown
from aidc.output.estate import changes_text, topology_view, with_changes_json, with_changes_markdown
from aidc.output.plan_view import plan_markdown, plan_text, plan_text_resources, write_plan_json
from aidc.output.size_tables import size_markdown, size_text, size_text_explained

Renderer = Callable[[Any, TextIO], None]

SIZE = "size"  # the `aidc size --json` document (aidc.sizing.serialize.plan_to_dict)
PLAN = "plan"  # the `aidc plan --json` document (aidc.commands.plan.plan_document)
PLAN_DIFF = "plan-diff"  # a DiffDocument: two plan documents compared, and the head plan


def _whole(text_of: Callable[[Any], str]) -> Renderer:
    """A renderer from a function that returns the whole output as one string."""

    def write_to(document: Any, stream: TextIO) -> None:
        stream.write(text_of(document))

    return write_to


def _size_json(document: Mapping[str, Any], stream: TextIO) -> None:
    # The `aidc size --json` contract keeps the document's own key order (compute, placement, storage …).
    json.dump(document, stream, indent=2, sort_keys=False)
    stream.write("\n")


RENDERERS: Mapping[str, Mapping[str, Renderer]] = {
    SIZE: {"text": size_text, "json": _size_json, "markdown": _whole(size_markdown)},
    PLAN: {"text": plan_text, "json": write_plan_json, "markdown": _whole(plan_markdown)},
    PLAN_DIFF: {
        "text": _whole(lambda d: render_text(d.diff) + (changes_text(d.stacks) if d.stacks else "")),
        "json": _whole(lambda d: with_changes_json(render_json(d.diff), d.stacks)),
        "markdown": _whole(
            lambda d: with_changes_markdown(render_markdown(d.diff, topology_view(d.head)), d.stacks)
        ),
    },
}


# The text renderers that show everything: `aidc size --explain` (every figure's formula and inputs; markdown
# always shows them, JSON carries them under `why`) and `aidc plan --resources` (every resource).
EXPLAINED: Mapping[str, Renderer] = {SIZE: size_text_explained, PLAN: plan_text_resources}


def formats(kind: str) -> tuple[str, ...]:
    """The format names registered for `kind`, in registry order (the first is the default)."""
    if kind not in RENDERERS:
        raise ValueError(f"unknown kind of document {kind!r}; known: {', '.join(RENDERERS)}")
    return tuple(RENDERERS[kind])


def renderer(kind: str, fmt: str) -> Renderer:
    """The renderer of `kind` in format `fmt`; ValueError names the formats allowed."""
    allowed = formats(kind)
    if fmt not in allowed:
        raise ValueError(f"--format: unknown {fmt!r}; allowed: {', '.join(allowed)}")
    return RENDERERS[kind][fmt]


def write(kind: str, fmt: str, document: Any, stream: TextIO, explain: bool = False) -> None:
    """Render `document` (a document of `kind`) in `fmt` to `stream` (`explain`: the text with every
    figure's formula and inputs, where the kind has it)."""
    if explain and fmt == "text" and kind in EXPLAINED:
        EXPLAINED[kind](document, stream)
        return
    renderer(kind, fmt)(document, stream)


def render(kind: str, fmt: str, document: Any, explain: bool = False) -> str:
    """What `write` would write, as a string."""
    out = io.StringIO()
    write(kind, fmt, document, out, explain)
    return out.getvalue()


__all__ = ["PLAN", "PLAN_DIFF", "RENDERERS", "SIZE", "DiffDocument", "Renderer", "formats", "render", "write"]
