"""`aidc catalog refresh --cloud aws` against a local fake of the AWS Price List Query API (tests/clouds/
pricing_fakes.py: botocore's pricing service model checks every request, the entries are a real captured
GetProducts PriceList entry's shape): the snapshot it writes, what it keeps, and its exit codes. Never the network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidc.cli import main
from aidc.clouds.aws import pricelist
from aidc.clouds.aws.catalog import INSTANCE_TYPES, SNAPSHOT, SYSTEM_INSTANCE_TYPES
from aidc.clouds.base import PriceListError, read_price_snapshot
from tests.clouds.pricing_fakes import FakeAwsPriceList, aws_entry, request_problems

LISTED = sorted((set(INSTANCE_TYPES) | set(SYSTEM_INSTANCE_TYPES)) - {"p5e.48xlarge"})


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(key, value)


def _entries(p5: float = 48.0) -> list[str]:
    entries = [aws_entry(name, 1.0 + i / 100) for i, name in enumerate(LISTED) if name != "p5.48xlarge"]
    entries.append(aws_entry("p5.48xlarge", p5))
    # Rows the filters or the parser must leave out: an unused reservation, a Capacity Block row, another region.
    entries.append(aws_entry("p5.48xlarge", 5.0, capacity_status="UnusedCapacityReservation"))
    entries.append(aws_entry("p5.48xlarge", 31.0, market="CapacityBlock"))
    entries.append(aws_entry("p5.48xlarge", 60.0, location="US East (Ohio)"))
    return entries


def test_refresh_writes_the_listed_prices_with_their_source_and_date(tmp_path: Path, capsys) -> None:
    out = tmp_path / "prices.json"
    with FakeAwsPriceList(_entries(), page_size=1) as fake:
        code = main(
            [
                "catalog",
                "refresh",
                "--cloud",
                "aws",
                "--endpoint-url",
                fake.url,
                "--output",
                str(out),
                "--json",
            ]
        )
    assert code == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)["refreshed"][0]
    snapshot = read_price_snapshot(out)
    p5 = snapshot.instances["p5.48xlarge"]
    assert p5.usd_per_hour == 48.0  # not the unused-reservation, Capacity Block or Ohio rows
    assert p5.as_of == "2026-12" and "offer version 20261201000000 published 2026-12-01" in p5.source
    assert "US East (N. Virginia), Linux, Shared tenancy" in p5.source
    assert snapshot.written == "2026-12-07"  # AIDC_TODAY, pinned by tests/conftest.py
    # p5e.48xlarge is not listed on demand: its entry is kept, and said.
    assert snapshot.instances["p5e.48xlarge"] == SNAPSHOT.instances["p5e.48xlarge"]
    assert [row["instance_type"] for row in report["kept"]] == ["p5e.48xlarge"]
    assert {"instance_type": "p5.48xlarge", "old": 55.04, "new": 48.0} in report["changed"]
    # Capacity Block fees are not in the Price List API: carried over unchanged.
    assert snapshot.extra["capacity_blocks"] == SNAPSHOT.extra["capacity_blocks"]
    # One query per instance type, each with the filters the brief names, paginated.
    queried = {f["Value"] for r in fake.requests for f in r["Filters"] if f["Field"] == "instanceType"}
    assert queried == set(LISTED) | {"p5e.48xlarge"}
    fields = {f["Field"]: f["Value"] for f in fake.requests[0]["Filters"]}
    assert fields | {"instanceType": "x"} == {
        "instanceType": "x",
        "location": "US East (N. Virginia)",
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
    }
    assert any(r.get("NextToken") for r in fake.requests)  # the fake paged, the client followed


def test_the_written_snapshot_is_what_the_catalog_loads(tmp_path: Path, capsys) -> None:
    out = tmp_path / "prices.json"
    with FakeAwsPriceList(_entries()) as fake:
        assert (
            main(["catalog", "refresh", "--cloud", "aws", "--endpoint-url", fake.url, "--output", str(out)])
            == 0
        )
    assert "p5.48xlarge" in capsys.readouterr().out
    snapshot = read_price_snapshot(out)
    assert set(snapshot.instances) == set(SNAPSHOT.instances)
    assert snapshot.as_of == "2026-09"  # the oldest: the kept p5e entry


def test_an_api_refusal_exits_1_and_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "prices.json"
    with FakeAwsPriceList([], fail_with="AccessDeniedException") as fake:
        code = main(
            ["catalog", "refresh", "--cloud", "aws", "--endpoint-url", fake.url, "--output", str(out)]
        )
    err = capsys.readouterr().err
    assert code == 1
    assert "AccessDeniedException" in err and "pricing:GetProducts" in err and "Traceback" not in err
    assert not out.exists()


def test_an_unreachable_endpoint_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    with FakeAwsPriceList([]) as fake:
        url = fake.url  # closed once the block ends
    out = tmp_path / "p.json"
    code = main(["catalog", "refresh", "--cloud", "aws", "--endpoint-url", url, "--output", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "aws price list: cannot reach the Price List API at" in err and url.rstrip("/") in err
    assert "--endpoint-url" in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_missing_aws_profile_exits_2_naming_aws_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`AWS_PROFILE=nope aidc catalog refresh`: botocore's ProfileNotFound used to end as an internal error."""
    monkeypatch.setenv("AWS_PROFILE", "nope")
    out = tmp_path / "p.json"
    with FakeAwsPriceList(_entries()) as fake:
        code = main(
            ["catalog", "refresh", "--cloud", "aws", "--endpoint-url", fake.url, "--output", str(out)]
        )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "'nope' (AWS_PROFILE)" in err and "aws configure list-profiles" in err, err
    assert "internal error" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_no_credentials_exit_2_saying_how_to_give_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key in (
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role lookup
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session of an earlier test caches its credentials
    out = tmp_path / "p.json"
    with FakeAwsPriceList(_entries()) as fake:
        code = main(
            ["catalog", "refresh", "--cloud", "aws", "--endpoint-url", fake.url, "--output", str(out)]
        )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "no usable AWS credentials" in err and "AWS_PROFILE" in err and "pricing:GetProducts" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_setup_errors_are_named_and_others_are_not() -> None:
    from botocore.exceptions import NoRegionError, PartialCredentialsError, ReadTimeoutError

    assert "AWS_REGION=us-east-1" in (pricelist.access_problem(NoRegionError()) or "")
    partial = PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY")
    assert "AWS_SECRET_ACCESS_KEY" in (pricelist.access_problem(partial) or "")
    assert pricelist.access_problem(ReadTimeoutError(endpoint_url="https://x")) is None
    assert pricelist.access_problem(ValueError("x")) is None


def test_the_command_line_with_a_bad_profile_ends_in_one_line() -> None:
    """The command as a user types it, in a fresh interpreter: exit 2, one line, no traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "AWS_PROFILE": "nope", "AIDC_DEBUG": ""}
    result = subprocess.run(
        [sys.executable, "-m", "aidc.cli", "catalog", "refresh", "--cloud", "aws", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 2, result.stderr
    assert "AWS_PROFILE" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--cloud", "azure"], "unknown public cloud 'azure'"),
        (["--cloud", "aws", "--endpoint-url", "localhost:1"], "is not an http(s) URL"),
    ],
)
def test_bad_input_exits_2(argv: list[str], words: str, capsys) -> None:
    assert main(["catalog", "refresh", *argv]) == 2
    assert words in capsys.readouterr().err


def test_two_prices_for_one_type_are_refused() -> None:
    entries = [aws_entry("p5.48xlarge", 48.0), aws_entry("p5.48xlarge", 49.0, capacity_status="Used")]
    with pytest.raises(PriceListError, match="2 on-demand prices"):
        pricelist.price_of("p5.48xlarge", "US East (N. Virginia)", entries)


def test_the_fake_refuses_what_the_service_model_refuses() -> None:
    good = {"ServiceCode": "AmazonEC2", "Filters": pricelist.filters("p5.48xlarge", "US East (N. Virginia)")}
    assert request_problems("GetProducts", good) == []
    assert request_problems("GetProducts", {"Filters": []})  # ServiceCode is required
    assert request_problems("GetProducts", {**good, "MaxResults": 500})
    bad_filter = {"ServiceCode": "AmazonEC2", "Filters": [{"Type": "EXACT", "Field": "x", "Value": "y"}]}
    assert request_problems("GetProducts", bad_filter)
