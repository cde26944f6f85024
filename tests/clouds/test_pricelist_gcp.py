"""The GCP price-list client of `aidc catalog refresh` against a local fake of the Cloud Billing Catalog API
(tests/clouds/pricing_fakes.py: services.skus.list as google-api-python-client's cloudbilling.v1 discovery document
describes it, every response checked against its ListSkusResponse schema). Machine prices are composed as the GCP
catalog composes them: vCPU + memory + GPUs + bundled Local SSD. Never the network."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aidc.clouds.base import InstanceType, ListedPrice, PriceListError, PriceSnapshot
from aidc.clouds.gcp import pricelist
from tests.clouds.pricing_fakes import FakeCloudBilling, response_problems, sku

AMERICAS = ["us-central1", "us-east4"]
# Per-unit prices of the fake's SKUs (USD): vCPU-hour, GiB-hour, GPU-hour, Local SSD GiB-month.
A3_CORE, A3_RAM, H100, SSD = 0.0259, 0.0025, 9.0, 0.08
G2_CORE, G2_RAM, L4 = 0.0249, 0.0029, 0.56


def _skus() -> list[dict]:
    return [
        sku("A3 Instance Core running in Americas", "CPU", "OnDemand", AMERICAS, A3_CORE),
        sku("A3 Instance Ram running in Americas", "RAM", "OnDemand", AMERICAS, A3_RAM, "GiBy.h"),
        sku("Nvidia H100 80GB GPU running in Americas", "GPU", "OnDemand", AMERICAS, H100),
        sku("Nvidia H100 80GB Mega GPU running in Americas", "GPU", "OnDemand", AMERICAS, 10.0),
        sku("SSD backed Local Storage", "LocalSSD", "OnDemand", AMERICAS, SSD, "GiBy.mo"),
        sku("Spot Preemptible A3 Instance Core running in Americas", "CPU", "Preemptible", AMERICAS, 0.008),
        sku(
            "Spot Preemptible A3 Instance Ram running in Americas",
            "RAM",
            "Preemptible",
            AMERICAS,
            0.0008,
            "GiBy.h",
        ),
        sku(
            "Nvidia H100 80GB GPU attached to Spot Preemptible VMs running in Americas",
            "GPU",
            "Preemptible",
            AMERICAS,
            3.0,
        ),
        sku(
            "SSD backed Local Storage attached to Spot Preemptible VMs",
            "LocalSSD",
            "Preemptible",
            AMERICAS,
            0.0229,
            "GiBy.mo",
        ),
        sku("Commitment v1: A3 Cpu in Americas for 1 Year", "CPU", "Commit1Yr", AMERICAS, 0.01),
        sku("G2 Instance Core running in Americas", "CPU", "OnDemand", AMERICAS, G2_CORE),
        sku("G2 Instance Ram running in Americas", "RAM", "OnDemand", AMERICAS, G2_RAM, "GiBy.h"),
        sku("Nvidia L4 GPU running in Americas", "GPU", "OnDemand", AMERICAS, L4),
        sku("E2 Instance Core running in Americas", "CPU", "OnDemand", AMERICAS, 0.021811),
        sku("E2 Instance Ram running in Americas", "RAM", "OnDemand", AMERICAS, 0.002923, "GiBy.h"),
    ]


def _machine(name: str, accelerator: str, gpus: int, vcpus: int, memory: int) -> InstanceType:
    return InstanceType(
        cloud="gcp",  # type: ignore[arg-type]  # not registered on this branch
        name=name,
        accelerator=accelerator,
        gpus=gpus,
        vcpus=vcpus,
        memory_gb=memory,
        network_gbps=100,
        usd_per_hour=0.0,
        source="test",
        as_of="2026-07",
    )


# The GCP catalog's structure (aidc/clouds/gcp/catalog.py on the gcp branches): machine types, their accelerator
# types and bundled Local SSD.
CATALOG = SimpleNamespace(
    INSTANCE_TYPES={
        "a3-highgpu-8g": _machine("a3-highgpu-8g", "h100-80gb", 8, 208, 1872),
        "g2-standard-24": _machine("g2-standard-24", "l4-24gb", 2, 24, 96),
        "a3-ultragpu-8g": _machine("a3-ultragpu-8g", "h200-141gb", 8, 224, 2952),
    },
    GPU_ACCELERATOR_TYPES={
        "a3-highgpu-8g": "nvidia-h100-80gb",
        "g2-standard-24": "nvidia-l4",
        "a3-ultragpu-8g": "nvidia-h200-141gb",
    },
    BUNDLED_LOCAL_SSD_GIB={"a3-highgpu-8g": 6000, "a3-ultragpu-8g": 12000},
)
OLD = PriceSnapshot(
    cloud="gcp",
    region="us-central1",
    source="test snapshot",
    written="2026-07-30",
    instances={
        "a3-highgpu-8g": ListedPrice(88.49, "old", "2026-07"),
        "g2-standard-24": ListedPrice(2.00083, "old", "2026-07"),
        "a3-ultragpu-8g": ListedPrice(88.07499, "old", "2026-03"),
        "e2-standard-2": ListedPrice(0.06701, "old", "2026-07"),
        "e2-standard-4": ListedPrice(0.13402, "old", "2026-07"),
        "n2-standard-4": ListedPrice(0.19424, "old", "2026-07"),
    },
    extra={},
)


def test_machines_are_priced_from_their_parts_through_the_paged_api() -> None:
    with FakeCloudBilling(_skus(), key="k", page_size=4) as fake:
        skus = pricelist.list_skus(fake.url, "k")
    assert len(skus) == len(_skus()) and len(fake.requests) == 4  # followed nextPageToken
    assert fake.requests[0]["currencyCode"] == ["USD"]
    refreshed = pricelist.refresh_from(
        OLD,
        pricelist.machines_of(CATALOG),
        skus,
        "2026-12-07",
        {"a3-highgpu-8g": ["us-central1", "us-east4"]},
    )
    a3 = refreshed.snapshot.instances["a3-highgpu-8g"]
    # 208 vCPU · 0.0259 + 1,872 GiB · 0.0025 + 8 H100 · 9 + 6,000 GiB Local SSD · 0.08 / 730 h
    assert a3.usd_per_hour == pytest.approx(
        208 * A3_CORE + 1872 * A3_RAM + 8 * H100 + 6000 * SSD / 730, abs=1e-5
    )
    assert a3.as_of == "2026-12" and "SKUs" in a3.source and "(2026-11-01)" in a3.source
    g2 = refreshed.snapshot.instances["g2-standard-24"]
    assert g2.usd_per_hour == pytest.approx(24 * G2_CORE + 96 * G2_RAM + 2 * L4, abs=1e-5)
    spot = refreshed.snapshot.extra["regional_prices"]["a3-highgpu-8g"]["us-east4"]["spot"]
    assert spot == pytest.approx(208 * 0.008 + 1872 * 0.0008 + 8 * 3.0 + 6000 * 0.0229 / 730, abs=1e-5)
    # A3 Ultra's parts are not listed here: its entry is kept, and said; e2 is priced, n2 is kept.
    assert refreshed.snapshot.instances["a3-ultragpu-8g"] == OLD.instances["a3-ultragpu-8g"]
    kept = dict(refreshed.kept)
    assert "no SKU for A3 Ultra Instance Core (CPU) in us-central1" in kept["a3-ultragpu-8g"]
    assert "n2-standard-4" in kept and "e2-standard-4" not in kept
    assert refreshed.snapshot.written == "2026-12-07"


def test_a_refused_key_is_a_price_list_error_without_the_key() -> None:
    with FakeCloudBilling(_skus(), key="right") as fake, pytest.raises(PriceListError) as refused:
        pricelist.list_skus(fake.url, "wrong-secret")
    assert "HTTP 403" in str(refused.value) and "API key not valid" in str(refused.value)
    assert "wrong-secret" not in str(refused.value)


def test_refresh_needs_the_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pricelist.API_KEY_VARIABLE, raising=False)
    with pytest.raises(PriceListError, match=pricelist.API_KEY_VARIABLE):
        pricelist.refresh(OLD, endpoint_url=None, today="2026-12-07")


def test_disagreeing_skus_are_refused() -> None:
    skus = [*_skus(), sku("G2 Instance Core running in Americas (v2)", "CPU", "OnDemand", AMERICAS, 0.03)]
    with pytest.raises(PriceListError, match="different prices"):
        pricelist.machine_price(
            pricelist.Machine("g2-standard-4", 4, 16, 1, "nvidia-l4"), skus, "us-central1"
        )


def test_the_fake_serves_only_the_discovery_documents_shape() -> None:
    good = {"skus": _skus()[:2], "nextPageToken": "2"}
    assert response_problems(good) == []
    broken = {
        "skus": [
            dict(
                _skus()[0],
                pricingInfo=[{"pricingExpression": {"tieredRates": [{"unitPrice": {"units": 1}}]}}],
            )
        ]
    }
    assert response_problems(broken)  # Money.units is an int64 string
    assert response_problems({"skus": [dict(_skus()[0], price=1)]})  # no such Sku field
