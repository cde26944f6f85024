"""Google Cloud's price-list client for `aidc catalog refresh`: machine prices composed from the Cloud Billing
Catalog API's Compute Engine SKUs (services/6F81-5844-456A/skus), as the GCP catalog composes them.

GCP bills a GPU machine type as its parts: vCPUs (the series' "<Series> Instance Core" SKU, per vCPU-hour), memory
("<Series> Instance Ram", per GiB-hour), the attached GPUs ("<GPU> running in <geo>", per GPU-hour) and the bundled
Local SSD ("SSD backed Local Storage", per GiB-month, / 730 h); spot uses the Preemptible SKUs of the same parts
("Spot Preemptible <Series> Instance ...", "<GPU> attached to Spot Preemptible VMs ...", "SSD backed Local Storage
attached to Spot Preemptible VMs ..."). A SKU's price is its pricingInfo's pricingExpression.tieredRates rate from
usage 0: unitPrice units + nanos / 1e9 (USD; currencyCode=USD is asked for). A SKU applies to a region when the
region is in its serviceRegions.

The API takes an API key (AIDC_GCP_API_KEY; the Catalog API is public data, any project's key with the Cloud
Billing API enabled) and answers the latest prices (up to 12 hours old): each price is dated the day it was read,
with the SKU ids and their effectiveTime in its source. urllib only; nothing is imported until a refresh runs.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from aidc.clouds.base import ListedPrice, PriceListAccessError, PriceListError, PriceSnapshot, Refreshed

API = "https://cloudbilling.googleapis.com"
SERVICE = "services/6F81-5844-456A"  # Compute Engine
API_KEY_VARIABLE = "AIDC_GCP_API_KEY"
HOURS_PER_MONTH = 730  # Local SSD is priced per GiB-month
PAGE_SIZE = 5000  # the API's default and largest page

# The SKU description of each GPU (the Compute API's accelerator type names them), on demand.
GPU_SKUS: Mapping[str, str] = {
    "nvidia-h100-80gb": "Nvidia H100 80GB GPU",
    "nvidia-h100-mega-80gb": "Nvidia H100 80GB Mega GPU",
    "nvidia-h200-141gb": "Nvidia H200 141GB GPU",
    "nvidia-a100-80gb": "Nvidia Tesla A100 80GB GPU",
    "nvidia-tesla-a100": "Nvidia Tesla A100 GPU",
    "nvidia-l4": "Nvidia L4 GPU",
}
# The vCPU and memory SKUs of each machine series (a machine type's name less its size).
SERIES_SKUS: Mapping[str, str] = {
    "a3-highgpu": "A3 Instance",
    "a3-megagpu": "A3 Instance",
    "a3-ultragpu": "A3 Ultra Instance",
    "a2-ultragpu": "A2 Instance",
    "a2-highgpu": "A2 Instance",
    "a2-megagpu": "A2 Instance",
    "g2-standard": "G2 Instance",
    "e2-standard": "E2 Instance",
    "n2-standard": "N2 Instance",
}
LOCAL_SSD_SKU = "SSD backed Local Storage"


@dataclass(frozen=True)
class Machine:
    """What a machine type is billed for: its vCPUs, memory (GiB), GPUs (and their accelerator type) and the
    Local SSD bundled with it (GiB)."""

    name: str
    vcpus: int
    memory_gb: float
    gpus: int = 0
    accelerator_type: str = ""
    local_ssd_gib: int = 0

    @property
    def series(self) -> str:
        return self.name.rsplit("-", 1)[0]


# CPU machine types the catalog prices as services (GKE system nodes), GCP's standard shapes.
SYSTEM_MACHINES = (
    Machine("e2-standard-2", 2, 8),
    Machine("e2-standard-4", 4, 16),
    Machine("n2-standard-4", 4, 16),
)


def unit_price(sku: Mapping[str, Any]) -> float:
    """USD per usage unit of a SKU: its (latest) pricing expression's rate from usage 0."""
    where = f"SKU {sku.get('skuId', '?')} ({sku.get('description', '?')})"
    try:
        expression = sku["pricingInfo"][-1]["pricingExpression"]
        rates = sorted(expression["tieredRates"], key=lambda rate: float(rate.get("startUsageAmount", 0)))
        first = rates[0]["unitPrice"]
        if first.get("currencyCode", "USD") != "USD":
            raise PriceListError(f"{where}: priced in {first['currencyCode']}, not USD")
        return int(first.get("units") or 0) + int(first.get("nanos") or 0) / 1e9
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise PriceListError(f"{where}: no unit price ({exc!r})") from None


def _matches(sku: Mapping[str, Any], region: str, spot: bool, description: str, group: str) -> bool:
    category = sku.get("category") or {}
    text = str(sku.get("description", ""))
    if region not in (sku.get("serviceRegions") or ()) or category.get("resourceGroup") != group:
        return False
    if category.get("usageType") != ("Preemptible" if spot else "OnDemand"):
        return False
    if spot:
        return description in text and "Spot" in text
    return text.startswith(description) and "Spot" not in text and "Commitment" not in text


def part_price(
    skus: Sequence[Mapping[str, Any]], region: str, spot: bool, description: str, group: str
) -> tuple[float, str]:
    """(USD per unit, 'skuId effective date') of the one SKU for a part in a region; PriceListError when none
    is listed or the listed ones disagree."""
    found = {unit_price(s): s for s in skus if _matches(s, region, spot, description, group)}
    what = f"{'spot ' if spot else ''}{description} ({group}) in {region}"
    if not found:
        raise PriceListError(f"no SKU for {what}")
    if len(found) > 1:
        raise PriceListError(f"{len(found)} SKUs with different prices for {what}: refusing to guess")
    [(usd, sku)] = found.items()
    effective = str(sku["pricingInfo"][-1].get("effectiveTime", ""))[:10]
    return usd, f"{sku.get('skuId')} ({effective})" if effective else str(sku.get("skuId"))


def machine_price(
    machine: Machine, skus: Sequence[Mapping[str, Any]], region: str, spot: bool = False
) -> tuple[float, list[str]]:
    """USD per hour of a machine in a region: vCPUs + memory + GPUs + bundled Local SSD, and the SKUs used."""
    series = SERIES_SKUS.get(machine.series)
    if series is None:
        raise PriceListError(f"{machine.name}: no vCPU/memory SKU known for series {machine.series!r}")
    parts: list[tuple[float, str, str]] = [
        (machine.vcpus, f"{series} Core", "CPU"),
        (machine.memory_gb, f"{series} Ram", "RAM"),
    ]
    if machine.gpus:
        if machine.accelerator_type not in GPU_SKUS:
            raise PriceListError(f"{machine.name}: no GPU SKU known for {machine.accelerator_type!r}")
        parts.append((machine.gpus, GPU_SKUS[machine.accelerator_type], "GPU"))
    total, used = 0.0, []
    for quantity, description, group in parts:
        usd, sku = part_price(skus, region, spot, description, group)
        total += quantity * usd
        used.append(sku)
    if machine.local_ssd_gib:
        usd, sku = part_price(skus, region, spot, LOCAL_SSD_SKU, "LocalSSD")
        total += machine.local_ssd_gib * usd / HOURS_PER_MONTH
        used.append(sku)
    return total, used


def list_skus(endpoint: str, api_key: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Every Compute Engine SKU, page by page (services.skus.list)."""
    skus: list[dict[str, Any]] = []
    token = ""
    for _ in range(1000):  # pages; Compute Engine has a few tens of thousands of SKUs
        query = {"currencyCode": "USD", "pageSize": str(PAGE_SIZE), "key": api_key}
        if token:
            query["pageToken"] = token
        url = f"{endpoint.rstrip('/')}/v1/{SERVICE}/skus?{urllib.parse.urlencode(query)}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                page = json.load(response)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            message = (
                json.loads(detail).get("error", {}).get("message", detail)
                if detail.startswith("{")
                else detail
            )
            problem = f"services.skus.list: HTTP {exc.code}: {message[:300]}"
            if exc.code in (400, 401, 403):
                # The key is missing, invalid or not allowed the API: the user's to fix (exit 2).
                raise PriceListAccessError(
                    f"{problem} (check {API_KEY_VARIABLE}: a key of a project with the Cloud Billing API enabled)"
                ) from None
            raise PriceListError(problem) from None
        except urllib.error.URLError as exc:
            raise PriceListAccessError(
                f"services.skus.list: cannot reach {endpoint} ({exc.reason}); check the network or --endpoint-url"
            ) from None
        except (OSError, ValueError) as exc:
            raise PriceListError(f"services.skus.list: {exc}") from None
        skus.extend(page.get("skus") or [])
        token = page.get("nextPageToken") or ""
        if not token:
            return skus
    raise PriceListError("services.skus.list: more than 1,000 pages; refusing to go on")


def machines_of(catalog: ModuleType) -> list[Machine]:
    """The machines the GCP catalog module lists (INSTANCE_TYPES, GPU_ACCELERATOR_TYPES, BUNDLED_LOCAL_SSD_GIB),
    and the system machine types."""
    local_ssd: Mapping[str, int] = getattr(catalog, "BUNDLED_LOCAL_SSD_GIB", {})
    accelerators: Mapping[str, str] = getattr(catalog, "GPU_ACCELERATOR_TYPES", {})
    return [
        Machine(t.name, t.vcpus, t.memory_gb, t.gpus, accelerators.get(t.name, ""), local_ssd.get(t.name, 0))
        for t in catalog.INSTANCE_TYPES.values()
    ] + list(SYSTEM_MACHINES)


def _read_from(api: str, today: str) -> str:
    return f"Cloud Billing Catalog API ({api.rstrip('/')}/v1/{SERVICE}/skus) read {today}"


def _kept_note(
    snapshot: PriceSnapshot, name: str, region: str, sides: Sequence[str], today_source: str
) -> dict[str, str]:
    """The derivation note of a regional entry with `sides` kept from `snapshot`: what they were made from (the
    entry's own note, else its region's source) and its date; `from` keeps the origin so notes never nest."""
    old_note = (snapshot.extra.get("derived_regional_prices") or {}).get(name, {}).get(region)
    old_source = (snapshot.extra.get("regional_price_sources") or {}).get(region) or {}
    origin = (
        str(old_note.get("from", old_note.get("how", "")))
        if old_note
        else str(old_source.get("source", "an earlier snapshot"))
    )
    as_of = str((old_note or old_source).get("as_of", snapshot.written[:7]))
    both = len(sides) == 2
    if both and old_note:
        return dict(old_note)
    read = "" if both else f"{'spot' if sides == ['on_demand'] else 'on-demand'}: {today_source}; "
    how = f"{read}{' and '.join(s.replace('_', '-') for s in sides)} kept from the snapshot of {snapshot.written}: {origin}"
    return {"how": how, "from": origin, "as_of": as_of}


def regional_prices(
    snapshot: PriceSnapshot,
    machines: Iterable[Machine],
    regions: Mapping[str, Iterable[str]],
    skus: Sequence[Mapping[str, Any]],
    today: str,
    api: str = API,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The snapshot's regional tables read anew: machine -> region -> {on_demand, spot} USD/h for the regions each
    machine is listed in, each region's source, and the derivation notes of the prices kept as they were (a part
    the API does not list there), with what was kept and why."""
    old = snapshot.extra.get("regional_prices") or {}
    table: dict[str, dict[str, dict[str, float]]] = {}
    derived: dict[str, dict[str, dict[str, str]]] = {}
    kept: list[tuple[str, str]] = []
    for machine in machines:
        for region in regions.get(machine.name, ()):
            entry: dict[str, float] = {}
            kept_sides: list[tuple[str, str]] = []
            for side in ("on_demand", "spot"):
                try:
                    entry[side] = round(machine_price(machine, skus, region, spot=side == "spot")[0], 5)
                except PriceListError as exc:
                    previous = old.get(machine.name, {}).get(region)
                    if previous is None:
                        raise
                    entry[side] = previous[side]
                    kept_sides.append((side, f"{region} {side.replace('_', '-')}: {exc}; kept {entry[side]}"))
            table.setdefault(machine.name, {})[region] = entry
            if kept_sides:
                sides = [side for side, _ in kept_sides]
                note = _kept_note(snapshot, machine.name, region, sides, _read_from(api, today))
                derived.setdefault(machine.name, {})[region] = note
                kept += [(machine.name, f"{why} ({note['as_of']})") for _, why in kept_sides]
    listed = dict.fromkeys(region for by_region in table.values() for region in by_region)
    sources = {
        region: {
            "source": f"{_read_from(api, today)}: {region} on-demand and Spot SKUs, vCPU + memory + GPUs + "
            "bundled Local SSD per machine",
            "as_of": today[:7],
        }
        for region in listed
    }
    tables = {"regional_prices": table, "regional_price_sources": sources, "derived_regional_prices": derived}
    return tables, kept


def _machine_prices(
    snapshot: PriceSnapshot,
    machines: Sequence[Machine],
    skus: Sequence[Mapping[str, Any]],
    today: str,
    api: str,
) -> tuple[dict[str, ListedPrice], list[tuple[str, float, float]], list[tuple[str, str]]]:
    """Each machine's price in the snapshot's region read from `skus` (a machine whose parts are not all listed
    keeps its entry, said), with the prices that changed and the ones kept."""
    prices: dict[str, ListedPrice] = {}
    changed: list[tuple[str, float, float]] = []
    kept: list[tuple[str, str]] = []
    for machine in machines:
        old = snapshot.instances.get(machine.name)
        try:
            usd, used = machine_price(machine, skus, snapshot.region)
        except PriceListError as exc:
            if old is None:
                raise
            kept.append((machine.name, f"{exc}; kept {old.usd_per_hour} ({old.as_of})"))
            prices[machine.name] = old
            continue
        ssd = (
            f" + {machine.local_ssd_gib} GiB Local SSD / {HOURS_PER_MONTH} h" if machine.local_ssd_gib else ""
        )
        source = (
            f"{_read_from(api, today)}, {snapshot.region} on-demand: {machine.vcpus} vCPU + "
            f"{machine.memory_gb:g} GiB + {machine.gpus} GPU{ssd}; SKUs {', '.join(used)}"
        )
        new = ListedPrice(round(usd, 5), source, today[:7])
        if old is None or abs(old.usd_per_hour - new.usd_per_hour) > 1e-9:
            changed.append((machine.name, old.usd_per_hour if old else 0.0, new.usd_per_hour))
        prices[machine.name] = new
    return prices, changed, kept


def regions_of(snapshot: PriceSnapshot) -> dict[str, list[str]]:
    """machine -> the regions the snapshot prices it in (its regional_prices)."""
    table = snapshot.extra.get("regional_prices") or {}
    return {name: list(by_region) for name, by_region in table.items() if isinstance(by_region, dict)}


def refresh_from(
    snapshot: PriceSnapshot,
    machines: Sequence[Machine],
    skus: Sequence[Mapping[str, Any]],
    today: str,
    regions: Mapping[str, Iterable[str]] | None = None,
    api: str = API,
) -> Refreshed:
    """The snapshot with each machine's price in the snapshot's region read from `skus`, and with `regions`
    (machine -> regions; default: the snapshot's own) each machine's on-demand and spot price per region, in the
    shape aidc/clouds/gcp/catalog.py reads. A price whose parts are not all listed keeps its entry (said); `api`
    names the endpoint the SKUs were read from in each source."""
    prices, changed, kept = _machine_prices(snapshot, machines, skus, today, api)
    extra = dict(snapshot.extra)
    extra["source_as_of"] = today[:7]
    tables, kept_regional = regional_prices(
        snapshot, machines, regions_of(snapshot) if regions is None else regions, skus, today, api
    )
    extra.update(tables)
    source = (
        f"{_read_from(api, today)}: {snapshot.region} on-demand, per machine vCPU + memory + GPUs + bundled Local SSD"
        f" (Compute Engine SKUs), snapshot aidc/clouds/gcp/prices.json"
    )
    new_snapshot = PriceSnapshot(snapshot.cloud, snapshot.region, source, today, prices, extra)
    return Refreshed(new_snapshot, tuple(changed), (*kept, *kept_regional))


def refresh(snapshot: PriceSnapshot, *, endpoint_url: str | None, today: str) -> Refreshed:
    """Read every Compute Engine SKU (the API key in AIDC_GCP_API_KEY) and price the GCP catalog's machines, in
    the snapshot's region and in each region the snapshot prices them in."""
    import importlib

    api_key = os.environ.get(API_KEY_VARIABLE, "")
    if not api_key:
        raise PriceListAccessError(
            f"{API_KEY_VARIABLE} is not set: the Cloud Billing Catalog API takes an API key of a project with the "
            f"Cloud Billing API enabled (export {API_KEY_VARIABLE}=<key>)"
        )
    catalog = importlib.import_module("aidc.clouds.gcp.catalog")
    api = endpoint_url or API
    skus = list_skus(api, api_key)
    return refresh_from(snapshot, machines_of(catalog), skus, today, api=api)
