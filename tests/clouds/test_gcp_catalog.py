"""The Google Cloud catalog (aidc/clouds/gcp/catalog.py) against its sources. Every entry has a source URL and a
date. Every machine type agrees with GCP's documentation page vendored in
tests/conformance/upstream/gcp/gpu-machine-types.json: its accelerator, GPU count, vCPUs, memory and maximum
egress. Its regional prices cover the priced region, and spot is below on-demand. Each check is a function
returning the problems it finds. It is run once on the catalog, which must have none, and once on a
deliberately broken copy, which it must reject. The prices come from prices.json (a PriceSnapshot): every machine and
system machine type is in it with its source and date, the file is what `aidc catalog refresh` writes of it, and a
malformed regional table is refused naming its key.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from aidc.catalog import ACCELERATORS
from aidc.clouds.base import InstanceType, PriceSnapshot, price_snapshot_document, price_snapshot_of
from aidc.clouds.gcp import catalog as gcp

DATE = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
READ_DATE = re.compile(r"^20\d\d-(0[1-9]|1[0-2])-([0-2]\d|3[01])$")
URL = re.compile(r"https://\S+")
VENDORED = Path(__file__).parents[1] / "conformance" / "upstream" / "gcp" / "gpu-machine-types.json"
# How GCP's accelerator types map onto aidc's accelerator keys (aidc/catalog.py): A3 Mega's H100 is the same
# H100 80GB to sizing; only its network differs.
ACCELERATOR_KEY = {
    "nvidia-h100-80gb": "h100-80gb",
    "nvidia-h100-mega-80gb": "h100-80gb",
    "nvidia-h200-141gb": "h200-141gb",
    "nvidia-a100-80gb": "a100-80gb",
    "nvidia-tesla-a100": "a100-40gb",
    "nvidia-l4": "l4-24gb",
}
# Compute API v1 Scheduling.provisioningModel (discovery document revision 20261106).
PROVISIONING_MODELS = {"STANDARD", "SPOT", "FLEX_START", "RESERVATION_BOUND"}
# The quota metrics of the Compute API v1 Quota.metric enum (revision 20261106) the catalog names, and the
# Cloud Quotas GPU families (docs/quotas/implementation-guide).
QUOTA = re.compile(r"^(NVIDIA_A100_GPUS|NVIDIA_A100_80GB_GPUS|NVIDIA_L4_GPUS|GPUS_PER_GPU_FAMILY:NVIDIA_H100(_MEGA)?"
                   r"|GPUS_PER_GPU_FAMILY:NVIDIA_H200)$")  # fmt: skip
REGIONS = ("us-central1", "us-east4", "europe-west4", "asia-southeast1")


def vendored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VENDORED.read_text())
    return data


# --- the checks ------------------------------------------------------------------------------------------------
def source_problems(entries: Mapping[str, Any]) -> list[str]:
    """Entries (instance types, service or transfer prices) without a source URL or a YYYY-MM date."""
    return [
        f"{key}: source {entry.source!r}, as_of {entry.as_of!r}"
        for key, entry in entries.items()
        if not URL.search(entry.source) or not DATE.match(entry.as_of)
    ]


def machine_type_problems(
    types: Mapping[str, InstanceType], accelerator_types: Mapping[str, str]
) -> list[str]:
    """Machine types that disagree with the vendored documentation page, or with aidc's accelerator keys."""
    documented = vendored()["machine_types"]
    problems = []
    for name, t in types.items():
        doc = documented.get(name)
        if doc is None:
            problems.append(f"{name}: not in {VENDORED.name}")
            continue
        ours = (t.gpus, t.vcpus, t.memory_gb, t.network_gbps, accelerator_types.get(name))
        theirs = (
            doc["gpu_count"],
            doc["vcpus"],
            doc["memory_gb"],
            doc["max_network_gbps"],
            doc["accelerator_type"],
        )
        if ours != theirs:
            problems.append(
                f"{name}: catalog (gpus, vcpus, memory, Gbps, accelerator) {ours} != documented {theirs}"
            )
        if t.cloud != "gcp" or t.accelerator not in ACCELERATORS:
            problems.append(f"{name}: cloud {t.cloud!r}, accelerator {t.accelerator!r}")
        elif ACCELERATOR_KEY.get(doc["accelerator_type"]) != t.accelerator:
            problems.append(f"{name}: {doc['accelerator_type']} is not aidc's {t.accelerator}")
        if not QUOTA.match(t.quota_family):
            problems.append(f"{name}: quota {t.quota_family!r}")
    return problems


def price_problems(
    prices: Mapping[str, Mapping[str, tuple[float, float]]],
    types: Mapping[str, InstanceType],
    priced_region: str,
) -> list[str]:
    """Regional prices that miss the priced region, disagree with the instance type's price, or whose spot price is
    not below on-demand."""
    problems = [f"{name}: no price" for name in types if name not in prices]
    for name, by_region in prices.items():
        if name not in types:
            problems.append(f"{name}: priced but not a catalog type")
        elif priced_region not in by_region:
            problems.append(f"{name}: no {priced_region} price")
        elif by_region[priced_region][0] != types[name].usd_per_hour:
            problems.append(
                f"{name}: {priced_region} {by_region[priced_region][0]} != {types[name].usd_per_hour}"
            )
        for region, (on_demand, spot) in by_region.items():
            if region not in REGIONS or not 0 < spot < on_demand:
                problems.append(f"{name} {region}: on-demand {on_demand}, spot {spot}")
    return problems


# --- the catalog passes --------------------------------------------------------------------------------------
def test_every_entry_has_a_source_url_and_a_date() -> None:
    assert source_problems(gcp.INSTANCE_TYPES) == []
    assert source_problems(gcp.SERVICE_PRICES) == []
    assert source_problems(gcp.TRANSFER_PRICES) == []
    price_list = gcp.PRICE_LIST
    assert (
        URL.search(price_list.source) and URL.search(price_list.spot_source) and DATE.match(price_list.as_of)
    )
    assert (price_list.cloud, price_list.region) == ("gcp", "us-central1")
    assert 0 < price_list.spot_fraction_of_on_demand < 1


def test_machine_types_agree_with_the_documentation_page() -> None:
    data = vendored()
    assert data["source"] == "https://cloud.google.com/compute/docs/gpus" and READ_DATE.match(data["read"])
    assert machine_type_problems(gcp.INSTANCE_TYPES, gcp.GPU_ACCELERATOR_TYPES) == []
    documented = data["machine_types"]
    for name, gib in gcp.BUNDLED_LOCAL_SSD_GIB.items():
        assert documented[name]["bundled_local_ssd_gib"] == gib, name
    for name, nics in gcp.PHYSICAL_NICS.items():
        assert documented[name]["physical_nics"] == nics, name
    # One aidc accelerator per GCP accelerator type, whichever machine carries it.
    assert set(data["accelerator_types"].values()) == set(ACCELERATOR_KEY)


def test_regional_prices_cover_the_priced_region_and_spot_is_cheaper() -> None:
    assert price_problems(gcp.REGIONAL_PRICES, gcp.INSTANCE_TYPES, gcp.PRICE_LIST.region) == []
    for region, source in gcp.REGIONAL_PRICES_SOURCE.items():
        assert region in REGIONS and URL.search(source), region
    for (name, region), how in gcp.DERIVED_REGIONAL_PRICES.items():
        assert region in gcp.REGIONAL_PRICES[name], (name, region)
        assert URL.search(how) and re.search(r"\b20\d\d-\d\d\b", how), (name, region)


def test_limits_and_provisioning_models() -> None:
    assert set(gcp.NOT_ON_DEMAND) <= set(gcp.INSTANCE_TYPES)
    for name, models in gcp.NOT_ON_DEMAND.items():
        assert models and set(models) <= PROVISIONING_MODELS - {"STANDARD"}, name
    assert tuple(sorted(gcp.INTERCONNECT_LINK_TYPES)) == gcp.INTERCONNECT_PORT_GBPS
    assert set(gcp.INTERCONNECT_LAG_MAX) == set(gcp.INTERCONNECT_PORT_GBPS)
    assert set(gcp.MACSEC_PORT_GBPS) | set(gcp.MACSEC_PORT_GBPS_AT_SOME_LOCATIONS) <= set(
        gcp.INTERCONNECT_PORT_GBPS
    )
    assert max(gcp.VLAN_ATTACHMENT_BANDWIDTH_GBPS.values()) == gcp.VLAN_ATTACHMENT_MAX_GBPS
    for low, high in gcp.CLOUD_ROUTER_PRIVATE_ASN_RANGES:
        assert low < high and not low <= gcp.CLOUD_ROUTER_ASN_PARTNER_INTERCONNECT <= high
    for price in gcp.TRANSFER_PRICES.values():
        limits = [up_to for up_to, _ in price.tiers]
        assert limits == sorted(limits) and (not limits or limits[-1] == float("inf")), price.key
        assert not price.tiers or price.tiers[0][1] == price.usd_per_gb, price.key


@pytest.mark.parametrize(
    ("name", "valid"),
    [("aidc-train", True), ("a", True), ("a" * 40, True), ("a" * 41, False), ("Aidc", False),
     ("1aidc", False), ("aidc-", False), ("ai_dc", False)],
)  # fmt: skip
def test_gke_cluster_name_rule(name: str, valid: bool) -> None:
    assert bool(re.match(gcp.GKE_CLUSTER_NAME_PATTERN, name)) is valid


@pytest.mark.parametrize(
    ("name", "valid"),
    [("aidc-datasets", True), ("aidc_data-1", True), ("abc", True), ("ab", False), ("a" * 64, False),
     ("-aidc", False), ("aidc.data", False), ("Aidc", False)],
)  # fmt: skip
def test_gcs_bucket_name_rule(name: str, valid: bool) -> None:
    assert bool(re.match(gcp.GCS_BUCKET_NAME_PATTERN, name)) is valid


# --- a broken copy fails -------------------------------------------------------------------------------------
def test_a_missing_source_or_a_bad_date_is_rejected() -> None:
    entry = gcp.INSTANCE_TYPES["a3-highgpu-8g"]
    assert source_problems({"x": dataclasses.replace(entry, source="the GCP docs")})
    assert source_problems({"x": dataclasses.replace(entry, as_of="2026-7")})


@pytest.mark.parametrize(
    "change",
    [{"gpus": 4}, {"vcpus": 200}, {"memory_gb": 0}, {"network_gbps": 800}, {"accelerator": "h200-141gb"},
     {"quota_family": "NVIDIA_H100_MEGA_GPUS"}, {"name": "a3-highgpu-16g"}, {"cloud": "aws"}],
)  # fmt: skip
def test_a_machine_type_that_disagrees_with_the_page_is_rejected(change: dict[str, Any]) -> None:
    broken = dataclasses.replace(gcp.INSTANCE_TYPES["a3-megagpu-8g"], **change)
    assert machine_type_problems({broken.name: broken}, gcp.GPU_ACCELERATOR_TYPES)


def test_a_wrong_accelerator_type_name_is_rejected() -> None:
    names = {**gcp.GPU_ACCELERATOR_TYPES, "a2-highgpu-8g": "nvidia-a100-40gb"}
    assert machine_type_problems(gcp.INSTANCE_TYPES, names)


def test_a_price_table_with_a_hole_or_a_dear_spot_price_is_rejected() -> None:
    types = gcp.INSTANCE_TYPES
    prices = {name: dict(by_region) for name, by_region in gcp.REGIONAL_PRICES.items()}
    no_central = {**prices, "g2-standard-4": {"us-east4": (0.70452, 0.3106)}}
    assert price_problems(no_central, types, "us-central1")
    dear_spot = {**prices, "a2-highgpu-1g": {**prices["a2-highgpu-1g"], "europe-west4": (3.74797, 3.8)}}
    assert price_problems(dear_spot, types, "us-central1")
    unknown_region = {**prices, "a2-highgpu-1g": {**prices["a2-highgpu-1g"], "us-west9": (1.0, 0.5)}}
    assert price_problems(unknown_region, types, "us-central1")
    missing = {name: p for name, p in prices.items() if name != "a3-ultragpu-8g"}
    assert price_problems(missing, types, "us-central1")
    wrong_base = {**prices, "a2-highgpu-1g": {**prices["a2-highgpu-1g"], "us-central1": (3.0, 1.9)}}
    assert price_problems(wrong_base, types, "us-central1")


# --- the price snapshot (prices.json) ------------------------------------------------------------------------
def test_the_snapshot_prices_every_machine_and_system_type_and_is_what_a_refresh_writes() -> None:
    snapshot = gcp.SNAPSHOT
    assert (snapshot.cloud, snapshot.region) == ("gcp", "us-central1") and READ_DATE.match(snapshot.written)
    assert set(snapshot.instances) == set(gcp.INSTANCE_TYPES) | set(gcp.SYSTEM_MACHINE_TYPES)
    for name, price in snapshot.instances.items():
        assert URL.search(price.source) and DATE.match(price.as_of), name
    for name in gcp.SYSTEM_MACHINE_TYPES:
        assert gcp.SERVICE_PRICES[name].usd_per_hour == snapshot.price(name).usd_per_hour
    assert gcp.PRICE_LIST.as_of == snapshot.extra["source_as_of"]
    # the file is exactly the document `aidc catalog refresh` writes of it: nothing it would drop or reorder
    assert json.dumps(price_snapshot_document(snapshot), indent=2) + "\n" == gcp.PRICES_FILE.read_text()


def test_the_regional_tables_carry_their_sources_and_dates() -> None:
    regional = gcp.regional_prices_of(gcp.SNAPSHOT, "prices.json")
    assert regional.prices == gcp.REGIONAL_PRICES and regional.derived == gcp.DERIVED_REGIONAL_PRICES
    assert set(regional.sources) == set(REGIONS) and set(regional.as_of.values()) == {"2026-07"}
    assert set(regional.derived_as_of.values()) == {"2026-03"}  # SkyPilot's catalog, dated by its spot prices


def _broken(change: Any) -> PriceSnapshot:
    document = json.loads(gcp.PRICES_FILE.read_text())
    change(document)
    return price_snapshot_of(document, "broken.json")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["regional_prices"]["g2-standard-4"]["us-east4"].update(spot="0.31"),
         "regional_prices.g2-standard-4.us-east4.spot must be a number"),
        (lambda d: d["regional_prices"]["g2-standard-4"]["us-east4"].pop("on_demand"),
         "regional_prices.g2-standard-4.us-east4.on_demand must be a number"),
        (lambda d: d["regional_prices"]["g2-standard-4"].update({"us-west9": {"on_demand": 1, "spot": 0.5}}),
         "regional_price_sources.us-west9 is missing"),
        (lambda d: d["regional_price_sources"]["us-east4"].update(as_of="July 2026"),
         "regional_price_sources.us-east4.as_of must be a date"),
        (lambda d: d["derived_regional_prices"]["a3-ultragpu-8g"].update({"asia-southeast1": {"how": "x",
                                                                                            "as_of": "2026-03"}}),
         "regional_prices has no a3-ultragpu-8g price in asia-southeast1"),
        (lambda d: d["derived_regional_prices"]["a3-ultragpu-8g"]["us-east4"].pop("how"),
         "derived_regional_prices.a3-ultragpu-8g.us-east4.how must be a non-empty string"),
        (lambda d: d.update(regional_prices=[]), "regional_prices must be a JSON object"),
    ],
)  # fmt: skip
def test_a_malformed_regional_table_is_refused_naming_its_key(change: Any, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        gcp.regional_prices_of(_broken(change), "broken.json")


def test_a_snapshot_without_a_machine_or_with_a_bad_date_is_refused() -> None:
    with pytest.raises(KeyError, match="no price for 'a3-highgpu-8g'"):
        gcp.instance_types_of(_broken(lambda d: d["instances"].pop("a3-highgpu-8g")))
    with pytest.raises(ValueError, match="source_as_of must be a date"):
        gcp.price_list_of(_broken(lambda d: d.update(source_as_of="2026-7")))
    with pytest.raises(ValueError, match=r"instances\.a2-highgpu-1g\.usd_per_hour"):
        _broken(lambda d: d["instances"]["a2-highgpu-1g"].update(usd_per_hour=-1))


def test_the_documented_prices_are_the_snapshots() -> None:
    """docs/gcp-catalog.md's table of shipped prices: each row's on-demand and Spot price and date as prices.json has
    them (a refresh that moves them makes this fail until the page says the new ones)."""
    page = (Path(__file__).parents[2] / "docs" / "gcp-catalog.md").read_text()
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| ([0-9.]+) \| ([0-9.]+)[^|]*\| (20\d\d-\d\d)", page, re.M)
    assert len(rows) >= 6
    for name, on_demand, spot, as_of in rows:
        assert (float(on_demand), float(spot)) == gcp.REGIONAL_PRICES[name]["us-central1"], name
        assert (
            gcp.INSTANCE_TYPES[name].usd_per_hour == float(on_demand)
            and gcp.INSTANCE_TYPES[name].as_of == as_of
        )
