"""Build ResourceValidationArgs / StackValidationArgs by hand, as pulumi-policy's own tests do, and collect
what a policy reports. Props go through the SDK's unknown-checking proxy, as the analyzer hands them over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from policies._common import config_of


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::aidc::{resource_type}::{name}"


def options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def resource_args(
    resource_type: str, props: Mapping[str, Any], name: str = "r", config: Mapping[str, Any] | None = None
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(dict(props)),
        urn(resource_type, name),
        name,
        options(),
        None,
        dict(config or {}),
    )


def check_resource(
    policy: Policy,
    resource_type: str,
    props: Mapping[str, Any],
    name: str = "r",
    config: Mapping[str, Any] | None = None,
) -> list[str]:
    """Messages the resource policy reports for one resource (config: overrides of the schema defaults)."""
    messages: list[str] = []
    args = resource_args(resource_type, props, name, config)
    # Schema defaults as the CLI applies them.
    args = resource_args(resource_type, props, name, config_of(args, policy.config_schema))
    policy.validate(args, lambda message, _urn=None: messages.append(message))
    return messages


def stack_resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    parent: PolicyResource | None = None,
    property_dependencies: dict[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    deps = property_dependencies or {}
    return PolicyResource(
        resource_type,
        unknown_checking_proxy(dict(props)),
        urn(resource_type, name),
        name,
        options(parent.urn if parent else None),
        None,
        parent,
        [d for ds in deps.values() for d in ds],
        dict(deps),
    )


def check_stack(
    policy: Policy, resources: Sequence[PolicyResource], config: Mapping[str, Any] | None = None
) -> list[tuple[str, str | None]]:
    """(message, urn) pairs the stack policy reports."""
    found: list[tuple[str, str | None]] = []
    args = StackValidationArgs(list(resources), dict(config or {}))
    args = StackValidationArgs(list(resources), config_of(args, policy.config_schema))
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return found
