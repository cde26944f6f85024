"""Typed IAM policy documents: build them from PolicyStatement/PolicyDocument records, never from dict literals.

Pure (no Pulumi): a component builds a document in a named function from plain values and serialises it inside
`Output.all(...).apply(...)`, e.g. `bucket.arn.apply(lambda arn: tls_only(arn).to_json())`.

`to_json` is an input of IAM resources, so its bytes matter: keys come out in the order AWS documents them
(Version, Statement; Sid, Effect, Principal, Action, Resource, Condition), absent parts are left out, and a
string stays a string while a tuple becomes a list. Changing that order changes every deployed policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class PolicyStatement:
    """One statement of an IAM policy document."""

    effect: Literal["Allow", "Deny"]
    """Whether the statement allows or denies the actions."""
    action: str | tuple[str, ...]
    """One action (a JSON string) or several (a JSON list), e.g. 's3:GetObject'."""
    resource: str | tuple[str, ...] | None = None
    """ARN(s) the statement covers; None for trust policies, which have no Resource."""
    principal: str | Mapping[str, str | tuple[str, ...]] | None = None
    """'*' or {'AWS' | 'Service': ...}; None for identity policies, which have no Principal."""
    sid: str | None = None
    """Statement id, a readable label."""
    condition: Mapping[str, Mapping[str, str | tuple[str, ...]]] | None = None
    """{operator: {condition key: value}}, e.g. {'Bool': {'aws:SecureTransport': 'false'}}."""

    def to_dict(self) -> dict[str, Any]:
        """The statement as IAM JSON, keys in IAM's documented order."""
        statement: dict[str, Any] = {}
        if self.sid is not None:
            statement["Sid"] = self.sid
        statement["Effect"] = self.effect
        if self.principal is not None:
            statement["Principal"] = (
                self.principal
                if isinstance(self.principal, str)
                else {kind: _one_or_list(who) for kind, who in self.principal.items()}
            )
        statement["Action"] = _one_or_list(self.action)
        if self.resource is not None:
            statement["Resource"] = _one_or_list(self.resource)
        if self.condition is not None:
            statement["Condition"] = {
                operator: {key: _one_or_list(value) for key, value in keys.items()}
                for operator, keys in self.condition.items()
            }
        return statement


@dataclass(frozen=True)
class PolicyDocument:
    """An IAM policy document (identity, resource or trust policy)."""

    statements: tuple[PolicyStatement, ...]
    """The statements, in order."""
    version: str = POLICY_VERSION
    """Policy language version."""

    def to_json(self) -> str:
        """The document as the JSON string IAM, KMS and S3 take."""
        return json.dumps({"Version": self.version, "Statement": [s.to_dict() for s in self.statements]})


def _one_or_list(value: str | tuple[str, ...]) -> str | list[str]:
    return value if isinstance(value, str) else list(value)


def assume_role_policy(service: str) -> PolicyDocument:
    """The trust policy that lets one AWS service (e.g. 'eks.amazonaws.com') assume a role."""
    return PolicyDocument(
        (PolicyStatement(effect="Allow", principal={"Service": service}, action="sts:AssumeRole"),)
    )


def managed_policy_arn(partition: str, policy: str) -> str:
    """The ARN of an AWS-managed policy, e.g. 'AmazonEKSClusterPolicy', in `partition` ('aws', 'aws-cn')."""
    return f"arn:{partition}:iam::aws:policy/{policy}"
