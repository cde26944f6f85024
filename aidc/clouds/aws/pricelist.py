"""AWS's price-list client for `aidc catalog refresh`: the catalog's instance prices read anew from the AWS Price
List Query API (boto3 `pricing`, GetProducts).

For each instance type of the catalog (the GPU types and the EKS system node types), one GetProducts query on
AmazonEC2 with TERM_MATCH filters on instanceType, location (the price list's name of the priced region),
operatingSystem Linux, tenancy Shared, preInstalledSw NA and capacitystatus Used (the instance price itself, not
unused-reservation or dedicated-host rows); each PriceList entry is a JSON document (product, terms, version,
publicationDate) whose OnDemand term has one price dimension per hour ("Hrs", pricePerUnit.USD). A type the API
does not list (e.g. p5e.48xlarge is sold only as Capacity Blocks in us-east-1) keeps its snapshot entry, said in
the report. Capacity Block fees are not in the Price List API; the snapshot keeps them as they are.

The API's endpoints are in us-east-1 (also eu-central-1 and ap-south-1) whatever region is priced; it needs
credentials allowed `pricing:GetProducts` (the standard boto3 chain). boto3 is imported when a refresh runs, never
when aidc starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from aidc.clouds.aws.catalog import INSTANCE_TYPES, SYSTEM_INSTANCE_TYPES
from aidc.clouds.base import ListedPrice, PriceListAccessError, PriceListError, PriceSnapshot, Refreshed

PRICING_REGION = "us-east-1"  # where the Price List Query API answers
SERVICE_CODE = "AmazonEC2"
# The price list's `location` attribute of each region the catalog may price.
LOCATIONS: Mapping[str, str] = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "Europe (Ireland)",
    "eu-central-1": "Europe (Frankfurt)",
}
FIXED_FILTERS: Mapping[str, str] = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}


def filters(instance_type: str, location: str) -> list[dict[str, str]]:
    """The GetProducts filters of one instance type's on-demand Linux price in one location."""
    wanted = {"instanceType": instance_type, "location": location, **FIXED_FILTERS}
    return [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in wanted.items()]


def _on_demand(document: Mapping[str, Any], where: str) -> tuple[float, str]:
    """(USD per hour, effective date) of a PriceList entry's OnDemand term."""
    terms = document.get("terms", {}).get("OnDemand")
    if not isinstance(terms, Mapping) or len(terms) != 1:
        raise PriceListError(f"{where}: expected one OnDemand term, found {len(terms or {})}")
    [term] = terms.values()
    dimensions = [d for d in (term.get("priceDimensions") or {}).values() if d.get("unit") == "Hrs"]
    if len(dimensions) != 1:
        raise PriceListError(f"{where}: expected one hourly price dimension, found {len(dimensions)}")
    try:
        usd = float(dimensions[0]["pricePerUnit"]["USD"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PriceListError(f"{where}: no USD price per hour ({exc})") from None
    return usd, str(term.get("effectiveDate", ""))[:10]


def price_of(instance_type: str, location: str, price_list: Iterable[str]) -> ListedPrice | None:
    """The instance type's on-demand price from GetProducts' PriceList (JSON strings); None when no entry is for
    it. Entries of another market (a Capacity Block row) are skipped; two different prices are an error."""
    found: dict[float, ListedPrice] = {}
    for raw in price_list:
        try:
            document = json.loads(raw)
        except (TypeError, ValueError) as exc:
            raise PriceListError(f"{instance_type}: a PriceList entry is not JSON ({exc})") from None
        product = document.get("product") or {}
        attributes = product.get("attributes") or {}
        if (
            attributes.get("instanceType") != instance_type
            or attributes.get("marketoption", "OnDemand") != "OnDemand"
        ):
            continue
        sku = product.get("sku", "?")
        usd, effective = _on_demand(document, f"{instance_type} (SKU {sku})")
        published = str(document.get("publicationDate", ""))[:10]
        version = document.get("version", "?")
        source = (
            f"AWS Price List Query API GetProducts ({SERVICE_CODE}, {location}, Linux, Shared tenancy, capacity "
            f"status Used, on-demand): SKU {sku}, offer version {version} published {published}"
            + (f", effective {effective}" if effective else "")
        )
        if len(published) < 7:
            raise PriceListError(f"{instance_type} (SKU {sku}): the entry has no publicationDate")
        found[usd] = ListedPrice(usd, source, published[:7])
    if len(found) > 1:
        raise PriceListError(
            f"{instance_type}: the price list has {len(found)} on-demand prices for it "
            f"({', '.join(f'{usd:g}' for usd in sorted(found))}); refusing to guess"
        )
    return next(iter(found.values()), None)


def access_problem(exc: Exception) -> str | None:
    """One line naming what of the user's AWS setup `exc` says is wrong (the profile, the credentials, the region,
    the endpoint) and how to fix it; None for any other error."""
    from botocore.exceptions import (
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    if isinstance(exc, ProfileNotFound):
        profile = exc.kwargs.get("profile", "?")
        return (
            f"AWS profile {profile!r} (AWS_PROFILE) is not in the AWS config or credentials files: set AWS_PROFILE "
            "to a configured profile (`aws configure list-profiles`) or unset it"
        )
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            f"no usable AWS credentials ({exc}): give credentials allowed pricing:GetProducts (AWS_PROFILE, "
            "`aws configure`, `aws sso login`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        )
    if isinstance(exc, NoRegionError):
        return f"no AWS region for the Price List API: set AWS_REGION={PRICING_REGION}"
    if isinstance(exc, EndpointConnectionError):
        url = exc.kwargs.get("endpoint_url", "?")
        return (
            f"cannot reach the Price List API at {url}: check the network and any proxy (HTTPS_PROXY), or "
            "--endpoint-url"
        )
    return None


def _client(endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    try:
        return boto3.client("pricing", region_name=PRICING_REGION, endpoint_url=endpoint_url, config=config)
    except BotoCoreError as exc:
        problem = access_problem(exc)
        if problem is not None:
            raise PriceListAccessError(problem) from None
        raise PriceListError(f"cannot set up the pricing client: {exc}") from None


def _query(client: Any, instance_type: str, location: str) -> list[str]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pages = client.get_paginator("get_products").paginate(
            ServiceCode=SERVICE_CODE, Filters=filters(instance_type, location), FormatVersion="aws_v1"
        )
        return [entry for page in pages for entry in page.get("PriceList", [])]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise PriceListError(
            f"GetProducts {instance_type}: {error.get('Code', 'error')}: {error.get('Message', exc)} "
            "(the credentials need pricing:GetProducts)"
        ) from None
    except BotoCoreError as exc:
        problem = access_problem(exc)
        if problem is not None:
            raise PriceListAccessError(problem) from None
        raise PriceListError(f"GetProducts {instance_type}: {exc}") from None


def refresh(
    snapshot: PriceSnapshot, *, endpoint_url: str | None, today: str, client: Any = None
) -> Refreshed:
    """The snapshot with every catalog instance type's price read from the Price List API."""
    location = LOCATIONS.get(snapshot.region)
    if location is None:
        raise PriceListError(
            f"the snapshot prices region {snapshot.region!r}, which has no price list location here; "
            f"known: {', '.join(sorted(LOCATIONS))}"
        )
    client = client if client is not None else _client(endpoint_url)
    names = sorted(set(snapshot.instances) | set(INSTANCE_TYPES) | set(SYSTEM_INSTANCE_TYPES))
    prices: dict[str, ListedPrice] = {}
    changed: list[tuple[str, float, float]] = []
    kept: list[tuple[str, str]] = []
    for name in names:
        listed = price_of(name, location, _query(client, name, location))
        old = snapshot.instances.get(name)
        if listed is None:
            if old is None:
                raise PriceListError(
                    f"{name}: not in the price list for {location}, and no earlier price to keep"
                )
            kept.append(
                (name, f"not listed on demand in {location}; kept {old.usd_per_hour:g} ({old.as_of})")
            )
            prices[name] = old
            continue
        if old is None or abs(old.usd_per_hour - listed.usd_per_hour) > 1e-9:
            changed.append((name, old.usd_per_hour if old else 0.0, listed.usd_per_hour))
        prices[name] = listed
    new = PriceSnapshot(
        cloud=snapshot.cloud,
        region=snapshot.region,
        source=snapshot.source,
        written=today,
        instances=prices,
        extra=snapshot.extra,
    )
    return Refreshed(new, tuple(changed), tuple(kept))
