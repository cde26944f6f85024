"""Reports for reviewers: the plan diff (diff.py), its markdown rendering for pull-request comments
(markdown.py), the Mermaid topology (topology.py) and the cost table (cost_table.py).

Everything here works on the `aidc plan --json` document (plain dicts) so it runs without Pulumi, without
credentials and on plans produced by another checkout. No Pulumi import.
"""

from __future__ import annotations

from aidc.report.diff import PlanDiff, diff_plans, load_plan_json, render, render_json, render_text
from aidc.report.markdown import comment_marker, render_markdown
from aidc.report.topology import topology_mermaid

__all__ = [
    "PlanDiff",
    "comment_marker",
    "diff_plans",
    "load_plan_json",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
    "topology_mermaid",
]
