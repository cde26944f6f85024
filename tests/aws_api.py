"""The AWS APIs' own rules, read from the installed botocore service models (the version constraints.txt pins), for
component tests of values the shipped stacks do not emit (EKS access entries: the shipped stacks name no roles)
and of field names: enums, structure members, and the values a member's documentation lists ("Valid values:
<code>json</code> | <code>text</code>"). What every shipped stack emits is checked by tests/conformance
(AWS_RULES). Mocks accept any value; these are what AWS accepts."""

from __future__ import annotations

import re
from functools import cache

import botocore.session
from botocore.model import ServiceModel


@cache
def service(name: str) -> ServiceModel:
    """The botocore model of one AWS service, e.g. 'ec2', 'eks', 's3', 'cloudtrail'."""
    return botocore.session.get_session().get_service_model(name)


def enum(service_name: str, shape: str) -> list[str]:
    """The values of an enum shape, e.g. enum('eks', 'AccessScopeType') -> ['cluster', 'namespace']."""
    values = list(service(service_name).shape_for(shape).enum)
    assert values, f"{service_name}.{shape} is not an enum"
    return values


def members(service_name: str, shape: str) -> list[str]:
    """The member names of a structure shape (the API's field names)."""
    return list(service(service_name).shape_for(shape).members)  # type: ignore[attr-defined]


def documented_values(service_name: str, shape: str, member: str) -> list[str]:
    """The values a string member's documentation lists after 'Valid values:'."""
    doc = service(service_name).shape_for(shape).members[member].documentation  # type: ignore[attr-defined]
    found = re.search(r"Valid [Vv]alues:?\s*(.*?)(</p>|$)", doc)
    assert found, f"{service_name}.{shape}.{member} documents no valid values: {doc}"
    return re.findall(r"<code>([^<]+)</code>", found.group(1))
