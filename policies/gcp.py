"""Google Cloud's rules — MINIMAL PLACEHOLDER written by the gcp-components helper so the registered cloud's rule
module exists (policies/__init__.py loads one per cloud); gcp-guard's module REPLACES this file at merge."""

from __future__ import annotations

from pulumi_policy import Policy

POLICIES: list[Policy] = []
"""This module's rules, in the order the pack registers them."""
