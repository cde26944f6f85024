"""Plan documents for tests, built by the real code: aidc.commands.plan's `plan_document` (what `aidc plan`
prints: the sizing engine once, then the stack program offline under the mocks, then the policy pack) on a
shipped stack or on an edited copy of its stack file. There is no hand-made plan to drift.

Running the program costs about a second per plan, so each (stack, edit) is planned once per test session and
shared by every module that asks for it (tests/cli, tests/report, tests/policies, tests/stacks). An edit is a
module-level function that changes a stack file's `config:` mapping in place; the cache is keyed on it, so
define edits once, at module level. Every call returns a fresh copy: tests may change what they get.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from aidc.config import StackConfig
from aidc.config.load import parse_stack_config, read_config_values, stack_file

if TYPE_CHECKING:
    from aidc.offline import OfflinePlan

Edit = Callable[[dict[str, Any]], None]


def stack_values(stack: str) -> dict[str, Any]:
    """The `config:` mapping of stacks/Pulumi.<stack>.yaml (a fresh copy)."""
    return read_config_values(stack_file(stack))


def edited_values(stack: str, edit: Edit | None = None) -> dict[str, Any]:
    """The stack's `config:` mapping with `edit` applied."""
    values = stack_values(stack)
    if edit is not None:
        edit(values)
    return values


def config_of(values: dict[str, Any], stack: str = "dev") -> StackConfig:
    return parse_stack_config(copy.deepcopy(values), stack=stack)


@cache
def _plan(stack: str, edit: Edit | None) -> dict[str, Any]:
    from aidc.commands.plan import plan_document

    if edit is None:
        return plan_document(argparse.Namespace(stack=stack, config=None))
    with tempfile.TemporaryDirectory() as tmp:
        # Named like a stack file, so the plan (and every URN in it) is the stack's own.
        config = Path(tmp) / f"Pulumi.{stack}.yaml"
        config.write_text(yaml.safe_dump({"config": edited_values(stack, edit)}), encoding="utf-8")
        return plan_document(argparse.Namespace(stack=None, config=config))


def plan_of(stack: str = "dev", edit: Edit | None = None) -> dict[str, Any]:
    """The `aidc plan` document of the stack (its stack file edited by `edit`), as `aidc plan` holds it in
    memory: the head of `aidc plan --diff`. Planned once per session; a fresh copy on every call."""
    return copy.deepcopy(_plan(stack, edit))


def plan_json_text(document: dict[str, Any]) -> str:
    """What `aidc plan --json` prints for this document."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def as_base(document: dict[str, Any]) -> dict[str, Any]:
    """The document as `aidc plan --diff BASE.json` reads it back from an earlier `--json` output."""
    return json.loads(plan_json_text(document))  # type: ignore[no-any-return]


@cache
def _program_run(stack: str) -> OfflinePlan:
    from aidc.estate.offline import run_stack

    # An estate's shard runs after its core (cached here too), whose exports its StackReference reads.
    return run_stack(stack, _CORE_RUNS)


_CORE_RUNS: dict[str, OfflinePlan] = {}


def program_run(stack: str) -> OfflinePlan:
    """stacks/__main__.py under the mocks, reading the stack file as the engine hands it (the path `pulumi
    up` takes, where `aidc plan` calls the program with the plan it sized); run once per session."""
    return copy.deepcopy(_program_run(stack))
