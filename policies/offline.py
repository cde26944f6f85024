"""Run the policy pack without the Pulumi engine: `aidc plan` records what the mocked program registers and
calls `evaluate` here, which runs the SAME rule objects policies/__main__.py registers, the way the
analyzer does (pulumi_policy/policy.py, _PolicyAnalyzerServicer.Analyze / AnalyzeStack): props wrapped in
the SDK's unknown-checking proxy, one ResourceValidationArgs per resource and policy, one
StackValidationArgs per stack policy, per-policy config = schema defaults overlaid with the caller's.

Resource dicts: {"urn", "type", "name", "parent", "inputs" (camelCase; secrets as "[secret]"), "custom"},
optionally "propertyDependencies" ({prop: [urn, ...]}) when the recorder keeps them.
Violations: {"policy", "enforcement" ("mandatory" | "advisory"), "urn" (None = the stack), "message"}.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from inspect import isawaitable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies import ALL_POLICIES, MANDATORY

__all__ = ["ALL_POLICIES", "MANDATORY", "evaluate", "policy_resources"]


def _options(parent: str | None) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=parent,
    )


def policy_resources(resources: Iterable[Mapping[str, Any]]) -> list[PolicyResource]:
    """PolicyResources with parents and property dependencies linked, as AnalyzeStack builds them."""
    built: list[tuple[PolicyResource, Mapping[str, Any]]] = []
    for record in resources:
        resource = PolicyResource(
            record["type"],
            unknown_checking_proxy(dict(record.get("inputs") or {})),
            record["urn"],
            record["name"],
            _options(record.get("parent")),
            None,
            None,
            [],
            {},
        )
        built.append((resource, record))
    by_urn = {r.urn: r for r, _ in built}
    for resource, record in built:
        parent = record.get("parent")
        if parent in by_urn:
            resource.parent = by_urn[parent]
        deps = record.get("propertyDependencies") or record.get("property_dependencies") or {}
        for prop, urns in deps.items():
            resource.property_dependencies[prop] = [by_urn[u] for u in urns if u in by_urn]
            resource.dependencies.extend(by_urn[u] for u in urns if u in by_urn)
    return [r for r, _ in built]


def _level(policy: Policy, configured: Any) -> EnforcementLevel:
    """The policy's level, unless its config overrides it (a level string, or {"enforcementLevel": ...})."""
    if isinstance(configured, str):
        return EnforcementLevel(configured)
    if isinstance(configured, Mapping) and "enforcementLevel" in configured:
        return EnforcementLevel(configured["enforcementLevel"])
    return policy.enforcement_level or EnforcementLevel.ADVISORY


def _config(policy: Policy, configured: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    if policy.config_schema is not None:
        for key, prop in policy.config_schema.properties.items():
            if "default" in prop:
                merged[key] = prop["default"]
    if isinstance(configured, Mapping):
        merged.update({k: v for k, v in configured.items() if k != "enforcementLevel"})
    return merged


def _run(result: Any) -> None:
    if isawaitable(result):
        asyncio.run(_await(result))


async def _await(result: Any) -> None:
    await result


def evaluate(
    resources: list[dict[str, Any]], policy_config: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every violation the pack reports on these resources; `policy_config` maps policy name -> config."""
    policy_config = policy_config or {}
    unknown = sorted(set(policy_config) - {p.name for p in ALL_POLICIES})
    if unknown:
        raise ValueError(
            f"policy_config: unknown policy {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(p.name for p in ALL_POLICIES))}"
        )
    stack_resources = policy_resources(resources)
    violations: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None, str]] = set()

    def reporter(policy: Policy, level: EnforcementLevel, fixed_urn: str | None, stack: bool) -> Any:
        def report(message: str, urn: str | None = None) -> None:
            # As in the analyzer: a resource policy's violation is always the validated resource's.
            target = (urn or None) if stack else fixed_urn
            key = (policy.name, target, message)
            if key not in seen:
                seen.add(key)
                violations.append(
                    {"policy": policy.name, "enforcement": level.value, "urn": target, "message": message}
                )

        return report

    for policy in ALL_POLICIES:
        configured = policy_config.get(policy.name)
        level = _level(policy, configured)
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        config = _config(policy, configured)
        try:
            if isinstance(policy, StackValidationPolicy):
                _run(
                    policy.validate(
                        StackValidationArgs(stack_resources, config),
                        reporter(policy, level, None, stack=True),
                    )
                )
            elif isinstance(policy, ResourceValidationPolicy):
                for resource in stack_resources:
                    args = ResourceValidationArgs(
                        resource.resource_type,
                        resource.props,
                        resource.urn,
                        resource.name,
                        resource.opts,
                        None,
                        config,
                    )
                    try:
                        _run(policy.validate(args, reporter(policy, level, resource.urn, stack=False)))
                    except UnknownValueError:
                        continue
        except UnknownValueError:
            continue
    return violations
