"""The GCP price-list client of `aidc catalog refresh` against a local fake of the Cloud Billing Catalog API
(tests/clouds/pricing_fakes.py: services.skus.list as google-api-python-client's cloudbilling.v1 discovery document
describes it, every response checked against its ListSkusResponse schema). Machine prices are composed as the GCP
catalog composes them: vCPU + memory + GPUs + bundled Local SSD. `aidc catalog refresh --cloud gcp` end to end: the
snapshot it writes is what aidc/clouds/gcp/catalog.py reads (a catalog with the fake's prices, which sizing then
places at), what it keeps and how it says so, its JSON report's schema, and its exit codes. Never the network."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest

from aidc.catalog import ACCELERATORS, INSTANCE_TYPES, PRICE_LISTS, REGIONAL_PRICES, Catalog
from aidc.cli import main
from aidc.clouds import catalog_of
from aidc.clouds.base import InstanceType, ListedPrice, PriceListError, PriceSnapshot, read_price_snapshot
from aidc.clouds.gcp import catalog as gcp_catalog
from aidc.clouds.gcp import pricelist
from aidc.config import StackConfig, parse_stack_config
from aidc.sizing import size_stack
from tests.clouds.pricing_fakes import FakeCloudBilling, expected_usd, gcp_skus, response_problems, sku
from tests.schemas import validate_document

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


# --- the real catalog, refreshed end to end --------------------------------------------------------------------
MEGA_GPU = "Nvidia H100 80GB Mega GPU"


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(pricelist.API_KEY_VARIABLE, "test-key")
    return "test-key"


def _machines() -> dict[str, pricelist.Machine]:
    return {m.name: m for m in pricelist.machines_of(gcp_catalog)}


def _refresh_cli(url: str, out: Path, *extra: str) -> int:
    argv = ["catalog", "refresh", "--cloud", "gcp", "--endpoint-url", url, "--output", str(out), *extra]
    return main(argv)


def _catalog_from(path: Path) -> Catalog:
    """The one catalog sizing reads, with the GCP part read from the snapshot at `path` as the catalog module
    reads its own prices.json."""
    snapshot = read_price_snapshot(path)
    regional = gcp_catalog.regional_prices_of(snapshot, str(path))
    others = {n: t for n, t in INSTANCE_TYPES.items() if t.cloud != "gcp"}
    return Catalog(
        accelerators=ACCELERATORS,
        instance_types={**others, **gcp_catalog.instance_types_of(snapshot)},
        price_lists={**PRICE_LISTS, "gcp": gcp_catalog.price_list_of(snapshot)},
        regional_prices={**REGIONAL_PRICES, **regional.prices},
    )


def test_a_refresh_read_back_is_a_catalog_with_the_fakes_prices(
    api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prices.json"
    with FakeCloudBilling(gcp_skus(), key=api_key, page_size=40) as fake:
        assert _refresh_cli(fake.url, out) == 0, capsys.readouterr().err
    report = capsys.readouterr().out
    assert "gcp a3-highgpu-8g" in report and "-> " in report and "written to" in report
    snapshot = read_price_snapshot(out)
    assert set(snapshot.instances) == set(gcp_catalog.SNAPSHOT.instances)
    assert snapshot.written == "2026-12-07" and snapshot.extra["source_as_of"] == "2026-12"
    machines = _machines()
    types = gcp_catalog.instance_types_of(snapshot)
    regional = gcp_catalog.regional_prices_of(snapshot, str(out))
    for name, t in types.items():
        assert t.usd_per_hour == pytest.approx(expected_usd(machines[name], "us-central1"), abs=1e-9), name
        assert t.as_of == "2026-12" and f"Cloud Billing Catalog API ({fake.url}/v1/services" in t.source
        assert t.on_demand == gcp_catalog.INSTANCE_TYPES[name].on_demand
        # the same regions as before, each at the fake's on-demand and spot price
        assert set(regional.prices[name]) == set(gcp_catalog.REGIONAL_PRICES[name])
        for region, (on_demand, spot) in regional.prices[name].items():
            assert on_demand == pytest.approx(expected_usd(machines[name], region), abs=1e-9)
            assert spot == pytest.approx(expected_usd(machines[name], region, spot=True), abs=1e-9)
    assert regional.derived == {}  # every part listed: nothing derived
    assert set(regional.as_of.values()) == {"2026-12"}
    for price in gcp_catalog.system_machine_prices_of(snapshot):
        assert price.usd_per_hour == pytest.approx(expected_usd(machines[price.key], "us-central1"))
    assert gcp_catalog.price_list_of(snapshot).as_of == "2026-12"
    # and sizing prices a GCP placement at the fake's prices
    catalog = _catalog_from(out)
    quotas = {"p5.48xlarge": 0, "a3-highgpu-8g": 200}
    for region in ("us-central1", "europe-west4"):
        plan = size_stack(_h100_stack(quotas, region), catalog)
        [group] = plan.placement.public
        assert (group.location, group.instance_type) == ("gcp", "a3-highgpu-8g")
        assert group.usd_per_hour == pytest.approx(expected_usd(machines["a3-highgpu-8g"], region), abs=1e-9)


def _h100_stack(quotas: dict[str, int], region: str = "us-central1") -> StackConfig:
    return parse_stack_config(
        {
            "aidc:gcp": {"project": "aidc-demo-123", "region": region},
            "aidc:demand": {
                "training": [
                    {
                        "name": "llm-pretrain",
                        "params": 7.0e10,
                        "tokens": 2.0e12,
                        "accelerator": "h100-80gb",
                        "deadline_days": 30,
                        "classification": "internal",
                    }
                ]
            },
            "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
            "aidc:capacity": {"public": {"max_instances": quotas}},
        },
        stack="gcp-test",
    )


def test_the_json_report_follows_its_schema(api_key: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "prices.json"
    with FakeCloudBilling(gcp_skus(), key=api_key, page_size=100) as fake:
        assert _refresh_cli(fake.url, out, "--json") == 0
    document = json.loads(capsys.readouterr().out)
    validate_document("catalog-refresh", document)
    [report] = document["refreshed"]
    assert report["cloud"] == "gcp" and report["file"] == str(out) and report["kept"] == []
    old = gcp_catalog.INSTANCE_TYPES["a3-highgpu-8g"].usd_per_hour
    new = expected_usd(_machines()["a3-highgpu-8g"], "us-central1")
    assert {"instance_type": "a3-highgpu-8g", "old": old, "new": new} in report["changed"]
    broken = {**document, "refreshed": [{**report, "prices": "26"}]}
    with pytest.raises(jsonschema.ValidationError):
        validate_document("catalog-refresh", broken)


def test_a_part_the_api_does_not_list_keeps_its_price_and_says_how_it_was_made(
    api_key: str, tmp_path: Path, capsys
) -> None:
    """As in GCP's own list: us-central1's Mega GPU SKU has another description, so A3 Mega is not priced there."""
    out = tmp_path / "prices.json"
    leave_out = {(MEGA_GPU, "us-central1", "OnDemand"), (MEGA_GPU, "us-central1", "Preemptible")}
    with FakeCloudBilling(gcp_skus(leave_out), key=api_key, page_size=100) as fake:
        assert _refresh_cli(fake.url, out, "--json") == 0
    [report] = json.loads(capsys.readouterr().out)["refreshed"]
    kept = [row["reason"] for row in report["kept"] if row["instance_type"] == "a3-megagpu-8g"]
    assert len(kept) == 3 and all(f"{MEGA_GPU} (GPU) in us-central1" in why for why in kept)
    snapshot = read_price_snapshot(out)
    assert snapshot.instances["a3-megagpu-8g"] == gcp_catalog.SNAPSHOT.instances["a3-megagpu-8g"]
    regional = gcp_catalog.regional_prices_of(snapshot, str(out))
    old = gcp_catalog.REGIONAL_PRICES["a3-megagpu-8g"]
    assert regional.prices["a3-megagpu-8g"]["us-central1"] == old["us-central1"]
    assert regional.prices["a3-megagpu-8g"]["us-east4"] != old["us-east4"]  # read where it is listed
    # the kept entry keeps its derivation and its date; the priced region still agrees with the machine's price
    key = ("a3-megagpu-8g", "us-central1")
    assert regional.derived[key] == gcp_catalog.DERIVED_REGIONAL_PRICES[key]
    assert regional.derived_as_of[key] == "2026-03"
    assert regional.prices["a3-megagpu-8g"]["us-central1"][0] == snapshot.price("a3-megagpu-8g").usd_per_hour
    assert snapshot.as_of == "2026-07" and gcp_catalog.price_list_of(snapshot).as_of == "2026-12"


def test_a_side_kept_alone_is_noted_once_however_often_it_is_refreshed(api_key: str, tmp_path: Path) -> None:
    """No spot H200 SKU in us-east4: A3 Ultra's on-demand price there is read, its spot price kept."""
    leave_out = {("Nvidia H200 141GB GPU", "us-east4", "Preemptible")}
    machines = list(_machines().values())
    snapshot = gcp_catalog.SNAPSHOT
    for today in ("2026-12-07", "2027-01-07"):
        refreshed = pricelist.refresh_from(snapshot, machines, gcp_skus(leave_out), today, api="https://fake")
        snapshot = refreshed.snapshot
        regional = gcp_catalog.regional_prices_of(snapshot, "refreshed")
        on_demand, spot = regional.prices["a3-ultragpu-8g"]["us-east4"]
        assert on_demand == pytest.approx(expected_usd(_machines()["a3-ultragpu-8g"], "us-east4"), abs=1e-9)
        assert spot == gcp_catalog.REGIONAL_PRICES["a3-ultragpu-8g"]["us-east4"][1]
        how = regional.derived[("a3-ultragpu-8g", "us-east4")]
        assert (
            how.count("kept from the snapshot") == 1 and "skypilot" in how and how.startswith("on-demand: ")
        )
        assert regional.derived_as_of[("a3-ultragpu-8g", "us-east4")] == "2026-03"
        assert (
            "us-east4 spot: no SKU for spot Nvidia H200 141GB GPU" in dict(refreshed.kept)["a3-ultragpu-8g"]
        )


def test_a_missing_api_key_exits_2_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.delenv(pricelist.API_KEY_VARIABLE, raising=False)
    out = tmp_path / "prices.json"
    assert main(["catalog", "refresh", "--cloud", "gcp", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and pricelist.API_KEY_VARIABLE in err and "Traceback" not in err
    assert f"export {pricelist.API_KEY_VARIABLE}=" in err
    assert not out.exists()


def test_a_refused_key_exits_2_and_writes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv(pricelist.API_KEY_VARIABLE, "wrong-secret")
    out = tmp_path / "prices.json"
    with FakeCloudBilling(gcp_skus(), key="right") as fake:
        assert _refresh_cli(fake.url, out) == 2
    err = capsys.readouterr().err
    assert "HTTP 403" in err and pricelist.API_KEY_VARIABLE in err
    assert "wrong-secret" not in err and not out.exists()


def test_an_unreachable_endpoint_exits_2_naming_it(tmp_path: Path, capsys, monkeypatch) -> None:
    import socket

    monkeypatch.setenv(pricelist.API_KEY_VARIABLE, "a-key")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "prices.json"
    assert _refresh_cli(f"http://127.0.0.1:{port}", out) == 2
    err = capsys.readouterr().err
    assert f"cannot reach http://127.0.0.1:{port}" in err and "Traceback" not in err and not out.exists()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--cloud", "gcq"], "unknown public cloud 'gcq'; registered: aws, gcp"),
        (["--cloud", "gcp", "--endpoint-url", "ftp://x"], "is not an http(s) URL"),
        (["--cloud", "gcp", "--cloud", "aws", "--output", "x.json"], "give exactly one --cloud"),
    ],
)
def test_bad_input_exits_2(argv: list[str], words: str, capsys) -> None:
    assert main(["catalog", "refresh", *argv]) == 2
    assert words in capsys.readouterr().err


def test_a_dry_run_of_every_cloud_without_credentials_fails_cleanly(monkeypatch, capsys) -> None:
    import boto3

    # boto3's default session keeps the credentials an earlier test gave it: start from none, and never the network
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv(pricelist.API_KEY_VARIABLE, raising=False)
    shipped = {cloud: catalog_of(cloud).PRICES_FILE.read_bytes() for cloud in ("aws", "gcp")}
    # No AWS credentials is the user's to fix (exit 2), and it decides the exit code over GCP's failure.
    assert main(["catalog", "refresh", "--dry-run"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err, err
    assert lines[0].startswith("aidc: aws price list: ") and "credentials" in lines[0]
    assert lines[1].startswith("aidc: gcp price list: ") and pricelist.API_KEY_VARIABLE in lines[1]
    assert {cloud: catalog_of(cloud).PRICES_FILE.read_bytes() for cloud in shipped} == shipped


def test_one_cloud_failing_writes_no_cloud(api_key: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """All or nothing: the clouds that were read are not written when another could not be."""
    from aidc.commands import catalog as command

    written: list[str] = []
    monkeypatch.setattr(command, "_write", lambda path, document: written.append(str(path)) or str(path))

    def read(cloud: str, args: Any, today: str) -> Any:
        if cloud == "aws":
            raise PriceListError("refused by the test")
        return pricelist.refresh_from(gcp_catalog.SNAPSHOT, list(_machines().values()), gcp_skus(), today)

    monkeypatch.setattr(command, "read_cloud", read)
    assert main(["catalog", "refresh"]) == 1
    err = capsys.readouterr().err
    assert "aws price list: refused by the test" in err and "read but not written" in err and "gcp" in err
    assert written == []
