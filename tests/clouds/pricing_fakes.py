"""Local fakes of the price-list APIs `aidc catalog refresh` reads, serving their real shapes (never the network).

- AWS Price List Query API (`FakeAwsPriceList`): the AWS JSON 1.1 protocol botocore speaks for `pricing`
  (POST /, X-Amz-Target AWSPriceListService.<operation>), every request checked against botocore's own pricing
  service model (members, required members, enums, ranges) and answered with PriceList entries built from a real
  captured GetProducts entry (upstream/aws/pricing-getproducts-item.json), filtered by its TERM_MATCH filters.
- Cloud Billing Catalog API (`FakeCloudBilling`): GET /v1/services/{service}/skus with the query parameters of the
  discovery document's services.skus.list (upstream/gcp/cloudbilling-v1-skus.json); each response is checked
  against the document's ListSkusResponse schema before it is sent.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import botocore.session

UPSTREAM = Path(__file__).resolve().parents[1] / "conformance" / "upstream"
AWS_ITEM = json.loads((UPSTREAM / "aws" / "pricing-getproducts-item.json").read_text())["item"]
BILLING = json.loads((UPSTREAM / "gcp" / "cloudbilling-v1-skus.json").read_text())


class _Server:
    """A loopback HTTP server on a free port, in a daemon thread; `with` starts and stops it."""

    handler: type[BaseHTTPRequestHandler]

    def __enter__(self) -> _Server:
        owner = self

        class Handler(self.handler):  # type: ignore[name-defined,misc]
            fake = owner

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


# --- AWS --------------------------------------------------------------------------------------------------------
PRICING_MODEL = botocore.session.get_session().get_service_model("pricing")


def request_problems(operation: str, body: Any) -> list[str]:
    """What the real service would refuse in a request body, from botocore's pricing service model."""
    try:
        shape = PRICING_MODEL.operation_model(operation).input_shape
    except Exception:
        return [f"unknown operation {operation!r}"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems = [f"unknown member {key}" for key in body if key not in shape.members]
    problems += [f"missing required {key}" for key in shape.required_members if key not in body]
    limits = shape.members["MaxResults"].metadata if "MaxResults" in shape.members else {}
    if "MaxResults" in body and not limits.get("min", 1) <= body["MaxResults"] <= limits.get("max", 100):
        problems.append(f"MaxResults {body['MaxResults']} out of range")
    for item in body.get("Filters", []) if operation == "GetProducts" else []:
        member = shape.members["Filters"].member
        problems += [f"filter missing {key}" for key in member.required_members if key not in item]
        problems += [f"filter member {key} unknown" for key in item if key not in member.members]
        if item.get("Type") not in member.members["Type"].enum:
            problems.append(f"filter Type {item.get('Type')!r} not in {member.members['Type'].enum}")
    return problems


def aws_entry(
    instance_type: str,
    usd: float,
    *,
    location: str = "US East (N. Virginia)",
    market: str = "OnDemand",
    capacity_status: str = "Used",
    version: str = "20261201000000",
    published: str = "2026-12-01T00:00:00Z",
) -> str:
    """A PriceList entry (a JSON string, as GetProducts returns it) shaped exactly like the captured one."""
    item = copy.deepcopy(AWS_ITEM)
    sku = f"SKU{abs(hash((instance_type, market, capacity_status))) % 10**10:010d}"
    attributes = item["product"]["attributes"]
    attributes.update(
        instanceType=instance_type,
        location=location,
        regionCode="us-east-1",
        capacitystatus=capacity_status,
        usagetype=f"BoxUsage:{instance_type}",
        marketoption=market,
        operatingSystem="Linux",
        tenancy="Shared",
        preInstalledSw="NA",
    )
    item["product"]["sku"] = sku
    [(_, term)] = item["terms"]["OnDemand"].items()
    [(_, dimension)] = term["priceDimensions"].items()
    dimension.update(
        rateCode=f"{sku}.JRTCKXETXF.6YS6EN2CT7",
        pricePerUnit={"USD": f"{usd:.10f}"},
        description=f"${usd} per On Demand Linux {instance_type} Instance Hour",
    )
    term.update(sku=sku, priceDimensions={f"{sku}.JRTCKXETXF.6YS6EN2CT7": dimension})
    item["terms"]["OnDemand"] = {f"{sku}.JRTCKXETXF": term}
    item.update(version=version, publicationDate=published)
    return json.dumps(item)


class FakeAwsPriceList(_Server):
    """GetProducts over `entries` (PriceList JSON strings), `page_size` a page; `fail_with` answers every call
    with that AWS error code instead."""

    def __init__(self, entries: list[str], page_size: int = 2, fail_with: str | None = None) -> None:
        self.entries = entries
        self.page_size = page_size
        self.fail_with = fail_with
        self.requests: list[dict[str, Any]] = []
        self.handler = _AwsHandler


class _AwsHandler(BaseHTTPRequestHandler):
    fake: FakeAwsPriceList

    def _send(self, status: int, document: Mapping[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        target = self.headers.get("X-Amz-Target", "")
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        prefix = PRICING_MODEL.metadata["targetPrefix"] + "."
        problems = [] if target.startswith(prefix) else [f"X-Amz-Target {target!r}"]
        if "AWS4-HMAC-SHA256" not in self.headers.get("Authorization", ""):
            problems.append("the request is not signed (SigV4)")
        problems += request_problems(target.removeprefix(prefix), body)
        self.fake.requests.append(body)
        if problems:
            self._send(400, {"__type": "ValidationException", "message": "; ".join(problems)})
            return
        if self.fake.fail_with:
            self._send(400, {"__type": self.fake.fail_with, "message": "refused by the fake"})
            return
        wanted = {f["Field"]: f["Value"] for f in body.get("Filters", []) if f["Type"] == "TERM_MATCH"}
        matching = [
            entry
            for entry in self.fake.entries
            if all(json.loads(entry)["product"]["attributes"].get(k) == v for k, v in wanted.items())
        ]
        start = int(body.get("NextToken") or 0)
        page = matching[start : start + self.fake.page_size]
        answer: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": page}
        if start + self.fake.page_size < len(matching):
            answer["NextToken"] = str(start + self.fake.page_size)
        self._send(200, answer)


# --- Google Cloud -----------------------------------------------------------------------------------------------
def _schema_problems(value: Any, schema: Mapping[str, Any], where: str) -> list[str]:
    """Where `value` does not fit a discovery-document schema (types, $ref, arrays, objects, enums)."""
    if "$ref" in schema:
        return _schema_problems(value, BILLING["schemas"][schema["$ref"]], where)
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        properties = schema.get("properties", {})
        problems = [f"{where}.{key}: not in the schema" for key in value if key not in properties]
        for key, sub in properties.items():
            if key in value:
                problems += _schema_problems(value[key], sub, f"{where}.{key}")
        return problems
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: not an array"]
        return [
            p
            for i, item in enumerate(value)
            for p in _schema_problems(item, schema["items"], f"{where}[{i}]")
        ]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: not a string"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{where}: {value!r} not in {schema['enum']}"]
        if schema.get("format") == "int64" and not value.lstrip("-").isdigit():
            return [f"{where}: {value!r} is not an int64 string"]
        return []
    if kind == "integer":
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: not an integer"]
    if kind == "number":
        return (
            []
            if isinstance(value, int | float) and not isinstance(value, bool)
            else [f"{where}: not a number"]
        )
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: not a boolean"]
    return []


def response_problems(document: Any) -> list[str]:
    return _schema_problems(document, {"$ref": "ListSkusResponse"}, "ListSkusResponse")


def money(usd: float) -> dict[str, Any]:
    units = int(usd)
    return {"currencyCode": "USD", "units": str(units), "nanos": round((usd - units) * 1e9)}


def sku(
    description: str, group: str, usage: str, regions: list[str], usd: float, unit: str = "h"
) -> dict[str, Any]:
    """A Compute Engine SKU as services.skus.list returns one (Cyclenerd's captured skus.json has the same keys)."""
    sku_id = f"{abs(hash((description, usage, tuple(regions)))) % 0xFFFFFFFFFFFF:012X}"
    sku_id = f"{sku_id[:4]}-{sku_id[4:8]}-{sku_id[8:]}"
    return {
        "name": f"services/6F81-5844-456A/skus/{sku_id}",
        "skuId": sku_id,
        "description": description,
        "category": {
            "serviceDisplayName": "Compute Engine",
            "resourceFamily": "Storage" if group == "LocalSSD" else "Compute",
            "resourceGroup": group,
            "usageType": usage,
        },
        "serviceRegions": regions,
        "pricingInfo": [
            {
                "summary": "",
                "pricingExpression": {
                    "usageUnit": unit,
                    "displayQuantity": 1,
                    "tieredRates": [{"startUsageAmount": 0, "unitPrice": money(usd)}],
                    "usageUnitDescription": {
                        "h": "hour",
                        "GiBy.h": "gibibyte hour",
                        "GiBy.mo": "gibibyte month",
                    }[unit],
                },
                "currencyConversionRate": 1,
                "effectiveTime": "2026-11-01T00:00:00Z",
            }
        ],
        "serviceProviderName": "Google",
    }


class FakeCloudBilling(_Server):
    """services.skus.list over `skus`, `page_size` a page; wants `key` as the API key."""

    def __init__(self, skus: list[dict[str, Any]], key: str = "test-key", page_size: int = 3) -> None:
        self.skus = skus
        self.key = key
        self.page_size = page_size
        self.requests: list[dict[str, list[str]]] = []
        self.handler = _BillingHandler


class _BillingHandler(BaseHTTPRequestHandler):
    fake: FakeCloudBilling

    def _send(self, status: int, document: Mapping[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.fake.requests.append(query)
        method = BILLING["method"]
        expected_path = "/" + method["flatPath"].replace("{servicesId}", "6F81-5844-456A")
        allowed = set(method["parameters"]) - {"parent"} | {"key"}
        unknown = sorted(set(query) - allowed)
        if url.path != expected_path or unknown:
            self._send(400, {"error": {"code": 400, "message": f"bad request {url.path} {unknown}"}})
            return
        if query.get("key") != [self.fake.key]:
            self._send(
                403, {"error": {"code": 403, "message": "API key not valid.", "status": "PERMISSION_DENIED"}}
            )
            return
        start = int((query.get("pageToken") or ["0"])[0])
        size = min(int((query.get("pageSize") or [str(self.fake.page_size)])[0]), self.fake.page_size)
        answer: dict[str, Any] = {"skus": self.fake.skus[start : start + size]}
        if start + size < len(self.fake.skus):
            answer["nextPageToken"] = str(start + size)
        problems = response_problems(answer)
        if problems:  # the fake itself must serve the real shape
            raise AssertionError(problems)
        self._send(200, answer)


# A Compute Engine price list for every machine the GCP catalog prices, in each of its regions: per-unit prices of
# each part (vCPU-hour, GiB-hour, GPU-hour; Local SSD GiB-month), scaled by region, and spot at SPOT_SHARE of
# on-demand. `expected_usd` prices a machine from the same numbers, as the catalog composes it.
SERIES_CORE_RAM = {
    "A3 Instance": (0.0259, 0.0025),
    "A3 Ultra Instance": (0.0301, 0.0027),
    "A2 Instance": (0.0318, 0.0043),
    "G2 Instance": (0.0249, 0.0029),
    "E2 Instance": (0.0218, 0.0029),
    "N2 Instance": (0.0316, 0.0042),
}
GPU_HOUR = {
    "Nvidia H100 80GB GPU": 9.1,
    "Nvidia H100 80GB Mega GPU": 9.6,
    "Nvidia H200 141GB GPU": 10.2,
    "Nvidia Tesla A100 80GB GPU": 4.1,
    "Nvidia Tesla A100 GPU": 2.9,
    "Nvidia L4 GPU": 0.57,
}
LOCAL_SSD_GIB_MONTH = 0.08
REGION_FACTOR = {"us-central1": 1.0, "us-east4": 1.1, "europe-west4": 1.2, "asia-southeast1": 1.3}
SPOT_SHARE = 0.4


def _quantized(usd: float) -> float:
    """What the API's Money (units + nanos) carries of a price."""
    units = int(usd)
    return units + round((usd - units) * 1e9) / 1e9


def gcp_skus(leave_out: set[tuple[str, str, str]] = frozenset()) -> list[dict[str, Any]]:
    """The SKUs of every part in every region; `leave_out` drops (description, region, usage) triples, e.g. the
    Mega GPU in us-central1, whose SKU has another description there."""
    parts = [
        *((f"{series} Core", "CPU", core, "h") for series, (core, _) in SERIES_CORE_RAM.items()),
        *((f"{series} Ram", "RAM", ram, "GiBy.h") for series, (_, ram) in SERIES_CORE_RAM.items()),
        *((gpu, "GPU", usd, "h") for gpu, usd in GPU_HOUR.items()),
        ("SSD backed Local Storage", "LocalSSD", LOCAL_SSD_GIB_MONTH, "GiBy.mo"),
    ]
    skus = []
    for region, factor in REGION_FACTOR.items():
        for description, group, usd, unit in parts:
            if (description, region, "OnDemand") not in leave_out:
                skus.append(
                    sku(f"{description} running in {region}", group, "OnDemand", [region], usd * factor, unit)
                )
            if (description, region, "Preemptible") in leave_out:
                continue
            spot = (
                f"{description} attached to Spot Preemptible VMs running in {region}"
                if group in ("GPU", "LocalSSD")
                else f"Spot Preemptible {description} running in {region}"
            )
            skus.append(sku(spot, group, "Preemptible", [region], usd * factor * SPOT_SHARE, unit))
    return skus


def expected_usd(machine: Any, region: str, spot: bool = False) -> float:
    """A pricelist.Machine's USD/h in `region` from gcp_skus's prices: vCPU + memory + GPUs + Local SSD / 730 h."""
    from aidc.clouds.gcp.pricelist import GPU_SKUS, SERIES_SKUS

    factor = REGION_FACTOR[region] * (SPOT_SHARE if spot else 1.0)
    core, ram = SERIES_CORE_RAM[SERIES_SKUS[machine.series]]
    total = machine.vcpus * _quantized(core * factor) + machine.memory_gb * _quantized(ram * factor)
    if machine.gpus:
        total += machine.gpus * _quantized(GPU_HOUR[GPU_SKUS[machine.accelerator_type]] * factor)
    total += machine.local_ssd_gib * _quantized(LOCAL_SSD_GIB_MONTH * factor) / 730
    return round(total, 5)
