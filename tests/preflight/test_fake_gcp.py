"""The fake Google Cloud answers in the APIs' real shapes: every body it serves is checked against the discovery
document of its API as google-api-python-client 2.202 ships it (compute.v1.json, serviceusage.v1.json: every key a
declared property, every value of its declared type and format, every enum value one the API lists), and Cloud
Quotas' body is parsed strictly into the client library's own QuotaInfo message. Each check is shown to reject a
deliberately broken body."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import googleapiclient
import pytest

from tests.preflight.fake_gcp import (
    ACCELERATOR_TYPES,
    MACHINE_TYPES,
    REGION,
    ZONES,
    FakeGcp,
    error_body,
    service_disabled,
)

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


def discovery(name: str) -> dict[str, Any]:
    return dict(json.loads((DOCUMENTS / f"{name}.json").read_text()))


COMPUTE = discovery("compute.v1")
SERVICE_USAGE = discovery("serviceusage.v1")


def problems(value: Any, schema: dict[str, Any], document: dict[str, Any], path: str = "$") -> list[str]:
    """Where `value` breaks the discovery-document `schema` (types, formats, enums, undeclared keys)."""
    if "$ref" in schema:
        return problems(value, document["schemas"][schema["$ref"]], document, path)
    kind, fmt = schema.get("type"), schema.get("format")
    found: list[str] = []
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        declared = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in declared:
                found += problems(item, declared[key], document, f"{path}.{key}")
            elif extra is not None:
                found += problems(item, extra, document, f"{path}.{key}")
            else:
                found.append(f"{path}.{key}: not a property of the schema")
        return found
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        for index, item in enumerate(value):
            found += problems(item, schema["items"], document, f"{path}[{index}]")
        return found
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        if fmt in ("int64", "uint64") and not value.isdigit():
            return [f"{path}: {fmt} is a string of digits in JSON"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{path}: {value!r} is not one of the API's values"]
        return []
    if kind == "integer":
        return (
            [] if isinstance(value, int) and not isinstance(value, bool) else [f"{path}: expected an integer"]
        )
    if kind == "number":
        return (
            []
            if isinstance(value, int | float) and not isinstance(value, bool)
            else [f"{path}: expected a number"]
        )
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    return [] if kind == "any" else [f"{path}: unknown type {kind}"]


def compute_problems(body: dict[str, Any], schema: str) -> list[str]:
    return problems(body, {"$ref": schema}, COMPUTE)


@pytest.fixture(scope="module")
def fake() -> FakeGcp:
    return FakeGcp()  # the bodies only: not started


def test_the_documents_are_the_pinned_revisions() -> None:
    assert (COMPUTE["version"], COMPUTE["revision"]) == ("v1", "20261106")
    assert (SERVICE_USAGE["version"], SERVICE_USAGE["revision"]) == ("v1", "20260921")


def test_compute_bodies_have_computes_shapes(fake: FakeGcp) -> None:
    assert compute_problems(fake.project(), "Project") == []
    assert compute_problems(fake.region(REGION), "Region") == []
    for zone in ZONES:
        for name in MACHINE_TYPES:
            assert compute_problems(fake.machine_type(zone, name), "MachineType") == [], name
        for name in ACCELERATOR_TYPES:
            assert compute_problems(fake.accelerator_type(zone, name), "AcceleratorType") == [], name


def test_every_quota_metric_the_fake_reports_is_one_compute_lists(fake: FakeGcp) -> None:
    """And so the on-demand H100 has no metric of its own in Region.quotas: the preflight asks Cloud Quotas."""
    metrics = COMPUTE["schemas"]["Quota"]["properties"]["metric"]["enum"]
    assert {
        "NVIDIA_A100_GPUS",
        "NVIDIA_A100_80GB_GPUS",
        "NVIDIA_L4_GPUS",
        "PREEMPTIBLE_NVIDIA_H100_GPUS",
    } <= set(metrics)
    assert "NVIDIA_H100_GPUS" not in metrics and "NVIDIA_H200_GPUS" not in metrics
    broken = fake.region(REGION)
    broken["quotas"].append({"metric": "NVIDIA_H100_GPUS", "limit": 8.0, "usage": 0.0})
    assert compute_problems(broken, "Region") == [
        "$.quotas[10].metric: 'NVIDIA_H100_GPUS' is not one of the API's values"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda b: b.update(guestCpus="208"), "$.guestCpus: expected an integer"),
        (
            lambda b: b.update(maximumPersistentDisksSizeGb=263168),
            "$.maximumPersistentDisksSizeGb: expected a string",
        ),
        (lambda b: b.update(id="abc"), "$.id: uint64 is a string of digits in JSON"),
        (lambda b: b.update(gpus=8), "$.gpus: not a property of the schema"),
        (
            lambda b: b["accelerators"][0].update(type="nvidia-h100-80gb"),
            "$.accelerators[0].type: not a property",
        ),
        (lambda b: b.update(architecture="X86"), "$.architecture: 'X86' is not one of the API's values"),
    ],
)
def test_a_broken_machine_type_is_caught(fake: FakeGcp, edit: Any, expected: str) -> None:
    body = copy.deepcopy(fake.machine_type(ZONES[0], "a3-highgpu-8g"))
    edit(body)
    [problem] = compute_problems(body, "MachineType")
    assert problem.startswith(expected)


def test_service_usage_body_has_its_shape(fake: FakeGcp) -> None:
    names = [f"projects/p/services/{s}" for s in ("compute.googleapis.com", "container.googleapis.com")]
    body = fake.batch_get(names)
    assert problems(body, {"$ref": "BatchGetServicesResponse"}, SERVICE_USAGE) == []
    body["services"][0]["state"] = "ON"
    assert problems(body, {"$ref": "BatchGetServicesResponse"}, SERVICE_USAGE) == [
        "$.services[0].state: 'ON' is not one of the API's values"
    ]


def test_cloud_quotas_body_parses_strictly_into_the_librarys_message(fake: FakeGcp) -> None:
    from google.cloud import cloudquotas_v1
    from google.protobuf.json_format import ParseError

    body = fake.quota_info("GPUS-PER-GPU-FAMILY-per-project-region")
    info = cloudquotas_v1.QuotaInfo.from_json(json.dumps(body), ignore_unknown_fields=False)
    assert info.container_type == cloudquotas_v1.QuotaInfo.ContainerType.PROJECT
    assert dict(info.dimensions_infos[0].dimensions) == {
        "region": REGION,
        "gpu_family": "NVIDIA_H100",
    }
    body["quotatId"] = body.pop("quotaId")  # the misspelling in Google's own documentation example
    with pytest.raises(ParseError, match="quotatId"):
        cloudquotas_v1.QuotaInfo.from_json(json.dumps(body), ignore_unknown_fields=False)


def test_error_bodies_are_what_api_core_reads() -> None:
    """Google's JSON error body: api_core builds the exception from its code, message, errors and details (the
    preflight reads the reasons from the body itself: on REST, api_core keeps ErrorInfo as a dict and its `reason`
    property fails)."""
    from unittest.mock import Mock

    from google.api_core import exceptions

    disabled = service_disabled("compute.googleapis.com")
    for body, reasons in ((disabled, ["accessNotConfigured"]), (error_body(404, "gone"), ["notFound"])):
        response = Mock(status_code=body["error"]["code"], json=Mock(return_value=body))
        response.request = Mock(method="GET", url="http://fake/compute/v1/projects/p")
        error = exceptions.from_http_response(response)
        assert type(error) is {403: exceptions.Forbidden, 404: exceptions.NotFound}[body["error"]["code"]]
        assert error.message.endswith(body["error"]["message"])
        assert [e["reason"] for e in error.errors] == reasons
    assert disabled["error"]["status"] == "PERMISSION_DENIED"
    assert disabled["error"]["details"][0]["metadata"]["service"] == "compute.googleapis.com"
