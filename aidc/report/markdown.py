"""Alias of aidc.output.diff_markdown for importers not yet moved (tests/workflows); see aidc/report/__init__.py."""

from __future__ import annotations

from aidc.output.diff_markdown import comment_marker, render_markdown

__all__ = ["comment_marker", "render_markdown"]
