"""Run the real stack program (stacks/__main__.py) in-process under Pulumi's mock engine and record what it
registers: type token, name, parent and inputs of every resource (secrets replaced by "[secret]"), and the
stack's exports. This is what `aidc plan` shows and what the policy pack evaluates offline.

Nothing here talks to a cloud or needs the Pulumi CLI. Outputs come from aidc.mocks (realistic ids, ARNs,
documentation-range addresses), so the wiring between resources is visible.

Each run happens in a worker thread of its own (its own event loop and Pulumi context, so nothing of one run
leaks into the next) and the caller waits at most `timeout_s`: a program that never finishes — an output
nothing resolves — ends in `OfflineTimeout` naming the stack, never in a hang.
"""

from __future__ import annotations

import asyncio
import json
import logging
import runpy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.settings import SETTINGS, get_root_resource, set_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from aidc.mocks import AidcMocks, StackOutputs

SECRET = "[secret]"
PROJECT = "aidc"  # Pulumi.yaml `name`
ORGANIZATION = "organization"  # what a self-managed (DIY) backend calls the organization in stack names
PROGRAM = Path(__file__).resolve().parent.parent / "stacks" / "__main__.py"


def unwrap(value: Any) -> Any:
    """The same data with every secret replaced by its plain value: for tests that check what the real API
    receives (never printed by `aidc plan`)."""
    if rpc.is_rpc_secret(value):
        return unwrap(rpc.unwrap_rpc_secret(value))
    if isinstance(value, Mapping):
        return {str(k): unwrap(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list | tuple):
        return [unwrap(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return f"[{type(value).__name__}]"
    return str(value)


def redact(value: Any) -> Any:
    """Replace every secret (at any depth) by "[secret]"; leave the rest as plain JSON-able data."""
    if rpc.is_rpc_secret(value):
        return SECRET
    if isinstance(value, Mapping):
        return {str(k): redact(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return f"[{type(value).__name__}]"
    return str(value)


DEFAULT_TIMEOUT_S = 300.0
"""The largest shipped stack plans in well under a minute; ten times that is a hang, not a slow plan."""


class OfflineTimeout(RuntimeError):
    """The program did not finish within the time allowed; the message names the stack and the bound."""


@dataclass
class OfflinePlan:
    stack: str
    resources: list[dict[str, Any]]
    exports: dict[str, Any] = field(default_factory=dict)
    # What the program logged with pulumi.log.warn (the real engine shows these in `pulumi preview`).
    warnings: list[str] = field(default_factory=list)

    def stack_outputs(self) -> StackOutputs:
        """These exports as a StackReference to this stack would see them (secret ones stay secret)."""
        return StackOutputs(self.exports, frozenset(k for k, v in self.exports.items() if v == SECRET))


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping each registration's parent, its inputs with secrets marked, and what
    the engine would use to order and diff it: dependencies (`dependencies`, `propertyDependencies`, the
    `provider` reference), `ignoreChanges`, `replaceOnChanges`, `deleteBeforeReplace` and aliases. `plain_inputs` holds the inputs with
    secrets unwrapped, for conformance tests only; `aidc plan` never prints it."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        self._record(response.urn, request, rpc.deserialize_properties(request.object), bool(request.custom))
        return response

    def ReadResource(self, request: Any) -> Any:
        """Resources a program reads rather than creates (a StackReference): recorded like the others, inputs
        being what it asked for (the referenced stack's name)."""
        response = super().ReadResource(request)
        inputs = rpc.deserialize_properties(request.properties)
        self._record(response.urn, request, {k: v for k, v in inputs.items() if v is not None}, True)
        return response

    def _record(self, urn: str, request: Any, inputs: Any, custom: bool) -> None:
        with self._lock:
            self.records[urn] = {
                "urn": urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent or None,
                "custom": custom,
                "inputs": redact(inputs),
                "plain_inputs": unwrap(inputs),
                # A read (ReadResourceRequest) carries its dependencies and provider, not the options of a
                # registration: those are empty for it.
                "dependencies": sorted(request.dependencies),
                "property_dependencies": {
                    key: sorted(deps.urns)
                    for key, deps in sorted(getattr(request, "propertyDependencies", {}).items())
                },
                "provider": request.provider or None,
                "providers": dict(getattr(request, "providers", {})),
                "ignore_changes": list(getattr(request, "ignoreChanges", [])),
                "replace_on_changes": list(getattr(request, "replaceOnChanges", [])),
                "delete_before_replace": bool(getattr(request, "deleteBeforeReplace", False)),
                "aliases": [str(alias) for alias in getattr(request, "aliases", [])]
                + list(getattr(request, "aliasURNs", [])),
            }


def config_values(stack_config: Mapping[str, Any]) -> dict[str, str]:
    """A stack file's `config:` mapping as the engine passes it: every value a string, objects as JSON."""
    return {str(k): v if isinstance(v, str) else json.dumps(v, default=str) for k, v in stack_config.items()}


def run_program(
    stack: str,
    program: Callable[[], Any] | None = None,
    regions: Mapping[str, str] | None = None,
    stack_config: Mapping[str, Any] | None = None,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    stack_outputs: Mapping[str, StackOutputs] | None = None,
) -> OfflinePlan:
    """Run `program` (default: stacks/__main__.py, which reads `stack_config` as the engine would hand it) under
    mocks; raise whatever the program raises, or OfflineTimeout when it has not finished after `timeout_s`
    seconds (None waits for ever). `aidc plan` passes the program for the plan it already sized.
    `stack_outputs` (fully qualified stack name -> its exports) is what a StackReference resolves to: an estate's
    shards read the core's exports from the core planned just before. `regions` (public cloud -> region:
    `StackConfig.cloud_regions()`) is where the mocks say each cloud's resources live."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            outcome["plan"] = _run(stack, program, regions, stack_config, stack_outputs)
        except BaseException as exc:  # handed to the caller's thread, raised there
            outcome["error"] = exc
        finally:
            # A program that failed half-way leaves registrations waiting on outputs that will never come:
            # cancel them, so closing the loop does not leave "Task was destroyed but it is pending!" behind.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=5))
            asyncio.set_event_loop(None)
            loop.close()

    # A daemon thread: if the program hangs, the process can still exit once the caller gives up.
    worker = threading.Thread(target=work, name=f"aidc-offline-{stack}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise OfflineTimeout(f"the offline plan of stack {stack} did not finish within {timeout_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    plan: OfflinePlan = outcome["plan"]
    return plan


class _Collect(logging.Handler):
    """Keeps the messages the mock engine logs (pulumi.log.warn under mocks goes to a logger, whose default
    would print the bare text on stderr), so the CLI can show them as warnings, once, before its output."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


def _engine_logger(stack: str) -> tuple[logging.Logger, _Collect]:
    logger = logging.getLogger(f"aidc.offline.{stack}")
    # Records reach the root (pytest's caplog); our handler keeps Python's last-resort print away.
    logger.propagate = True
    logger.handlers.clear()
    collect = _Collect()
    logger.addHandler(collect)
    return logger, collect


def _run(
    stack: str,
    program: Callable[[], Any] | None,
    regions: Mapping[str, str] | None,
    stack_config: Mapping[str, Any] | None,
    stack_outputs: Mapping[str, StackOutputs] | None = None,
) -> OfflinePlan:
    mocks = AidcMocks(regions=regions, stack_outputs=stack_outputs)
    monitor = _RecordingMonitor(mocks)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    pulumi.runtime.set_all_config(config_values(stack_config or {}), [])
    # Each run gets its own root Stack resource (set_mocks only makes one when none exists), so top-level
    # resources are parented to this stack, not to the first stack planned in the process.
    set_root_resource(None)  # type: ignore[arg-type]
    logger, collected = _engine_logger(stack)
    pulumi.runtime.set_mocks(
        mocks,
        project=PROJECT,
        stack=stack,
        preview=False,
        monitor=monitor,
        organization=ORGANIZATION,
        logger=logger,
    )

    # The program runs inside the Pulumi stack function so that every outstanding registration is awaited
    # before the records are read.
    def entry() -> None:
        if program is not None:
            program()
        else:
            runpy.run_path(str(PROGRAM), run_name="__main__")

    _sync_await(run_pulumi_func(entry))
    exports = _sync_await(_resolve_exports(dict(getattr(get_root_resource(), "outputs", {}) or {})))
    resources = sorted(monitor.records.values(), key=lambda r: r["urn"])
    return OfflinePlan(stack=stack, resources=resources, exports=exports, warnings=list(collected.messages))


async def _resolve_exports(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Stack exports, each resolved; a secret export (or one holding a secret) is shown as "[secret]"."""
    resolved: dict[str, Any] = {}
    for name in sorted(outputs):
        output = pulumi.Output.from_input(outputs[name])
        secret = await output.is_secret()
        value = await output.future()
        resolved[name] = SECRET if secret else redact(value)
    return resolved
