"""`aidc size` warns when a Google Cloud price it used is older than six months, naming `aidc catalog refresh
--cloud gcp`: the GCP price list as a whole (dated by its source, prices.json "source_as_of"), or, while the list is
newer, a placed machine type whose own price is older (A3 Ultra's, taken from SkyPilot's catalog as of 2026-03).
A plan that places nothing on GCP is never warned of GCP prices; a refreshed snapshot is not stale."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aidc.catalog import ACCELERATORS, INSTANCE_TYPES, PRICE_LISTS, REGIONAL_PRICES, Catalog
from aidc.cli import main
from aidc.clouds.base import price_snapshot_document
from aidc.clouds.gcp import catalog as gcp
from aidc.clouds.gcp import pricelist
from aidc.config import parse_stack_config
from aidc.sizing import size_stack
from aidc.sizing.cost import stale_price_warnings
from tests.clouds.gcp_plans import H100_RUN
from tests.clouds.pricing_fakes import gcp_skus

TODAY = datetime.date(2026, 12, 7)  # AIDC_TODAY in tests/conftest.py
SEVEN_MONTHS_ON = datetime.date(2027, 2, 1)  # the GCP list is as of 2026-07: stale after 2027-01-01
REFRESH = "`aidc catalog refresh --cloud gcp`"


def _values(**overrides: Any) -> dict[str, Any]:
    """H100 training that goes to GCP: AWS has no P5 quota, GCP allows a3-highgpu-8g."""
    values: dict[str, Any] = {
        "aidc:gcp": {"project": "aidc-demo-123"},
        "aidc:demand": {"training": [H100_RUN]},
        "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
        "aidc:capacity": {"public": {"max_instances": {"p5.48xlarge": 0, "a3-highgpu-8g": 200}}},
    }
    values.update(overrides)
    return values


def _warnings(plan: Any, today: datetime.date, catalog: Catalog | None = None) -> list[str]:
    extra = {} if catalog is None else {"catalog": catalog}
    return stale_price_warnings(plan.cost, plan.clouds, today, groups=plan.placement.public, **extra)


def test_a_plan_on_gcp_is_warned_once_its_list_is_six_months_old() -> None:
    plan = size_stack(parse_stack_config(_values(), stack="gcp-test"))
    assert [(g.location, g.instance_type) for g in plan.placement.public] == [("gcp", "a3-highgpu-8g")]
    assert plan.clouds == ("gcp",)
    assert _warnings(plan, TODAY) == []
    [warning] = _warnings(plan, SEVEN_MONTHS_ON)
    assert f"the gcp price list ({gcp.PRICE_LIST.source}) is as of 2026-07" in warning
    assert REFRESH in warning and "aws" not in warning


def test_a_placed_type_with_an_older_price_is_warned_while_the_list_is_not() -> None:
    """A3 Ultra is priced from SkyPilot's catalog (2026-03): a spot H200 run on it is warned today."""
    run = {**H100_RUN, "accelerator": "h200-141gb", "spot": True}
    values = _values(
        **{
            "aidc:demand": {"training": [run]},
            "aidc:capacity": {"public": {"allowed_instance_types": ["a3-ultragpu-8g"]}},
        }
    )
    plan = size_stack(parse_stack_config(values, stack="gcp-test"))
    assert [(g.instance_type, g.spot) for g in plan.placement.public] == [("a3-ultragpu-8g", True)]
    [warning] = _warnings(plan, TODAY)
    assert "the gcp price of a3-ultragpu-8g is as of 2026-03" in warning and REFRESH in warning
    # once the list itself is stale, one warning says it for every GCP price
    [warning] = _warnings(plan, SEVEN_MONTHS_ON)
    assert "the gcp price list" in warning and "a3-ultragpu-8g" not in warning


def test_an_aws_plan_is_not_warned_of_gcp_prices() -> None:
    values = _values(
        **{"aidc:capacity": {"public": {"max_instances": {"p5.48xlarge": 200, "a3-highgpu-8g": 0}}}}
    )
    plan = size_stack(parse_stack_config(values, stack="gcp-test"))
    assert plan.clouds == ("aws",)
    assert not [w for w in _warnings(plan, datetime.date(2030, 1, 1)) if "gcp" in w]


def test_a_refreshed_snapshot_is_not_stale() -> None:
    """The same plan priced from a snapshot refreshed on 2026-12-07 (a local fake's prices): no warning seven months
    after the shipped list."""
    refreshed = pricelist.refresh_from(
        gcp.SNAPSHOT, pricelist.machines_of(gcp), gcp_skus(), TODAY.isoformat(), api="https://fake"
    ).snapshot
    regional = gcp.regional_prices_of(refreshed, "refreshed")
    others = {n: t for n, t in INSTANCE_TYPES.items() if t.cloud != "gcp"}
    catalog = Catalog(
        accelerators=ACCELERATORS,
        instance_types={**others, **gcp.instance_types_of(refreshed)},
        price_lists={**PRICE_LISTS, "gcp": gcp.price_list_of(refreshed)},
        regional_prices={**REGIONAL_PRICES, **regional.prices},
    )
    plan = size_stack(parse_stack_config(_values(), stack="gcp-test"), catalog)
    assert _warnings(plan, SEVEN_MONTHS_ON, catalog) == []
    assert price_snapshot_document(refreshed)["source_as_of"] == "2026-12"


def test_aidc_size_says_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = tmp_path / "Pulumi.gcp-test.yaml"
    path.write_text(yaml.safe_dump({"config": _values()}), encoding="utf-8")
    assert main(["size", "--config", str(path), "--json"]) == 0
    assert not [w for w in json.loads(capsys.readouterr().out)["warnings"] if "older than" in w]
    monkeypatch.setenv("AIDC_TODAY", SEVEN_MONTHS_ON.isoformat())
    assert main(["size", "--config", str(path), "--json"]) == 0
    [warning] = [w for w in json.loads(capsys.readouterr().out)["warnings"] if "older than 6 months" in w]
    assert "gcp price list" in warning and "as of 2026-07" in warning and REFRESH in warning
