"""The CLI for a user: --version, help written for users, did-you-mean for typos (keys, regions, instance types,
accelerators), unit hints for numbers, `aidc config schema`, and `schema_version` in every JSON document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from moto import mock_aws
from ruamel.yaml import YAML

from aidc.cli import main, version
from aidc.config.load import STACKS_DIR
from tests.preflight.conftest import aws_env  # noqa: F401  (fixture)
from tests.stacks_list import SHIPPED_STACKS


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"aidc {version()}" and version()[0].isdigit()


def test_help_is_written_for_users(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Entry point of the `aidc` console script" not in out  # no developer docstring
    for text in ("aidc sizes and plans a hybrid cloud", "examples:", "aidc size --stack prod --explain",
                 "Exit codes: 0 ok", "config", "--version"):  # fmt: skip
        assert text in out, text


def _config(tmp_path: Path, values: dict[str, Any]) -> Path:
    path = tmp_path / "Pulumi.typo.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return path


TRAINING = {"name": "x", "params": 7e9, "tokens": 1e12, "accelerator": "h100-80gb", "deadline_days": 3}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"aidc:demnd": {}}, "aidc:demnd: unknown key; did you mean 'aidc:demand'?"),
        (
            {"aidc:demand": {"training": [{**TRAINING, "mfuu": 0.3}]}},
            "aidc:demand.training[0].mfuu: unknown key; did you mean 'mfu'? allowed here: name, params",
        ),
        (
            {"aidc:demand": {"training": [{**TRAINING, "accelerator": "h100-80g"}]}},
            "unknown accelerator 'h100-80g'; did you mean 'h100-80gb'? allowed: ",
        ),
        (
            {"aidc:capacity": {"public": {"max_instances": {"p5.48xlarg": 2}}}},
            "unknown instance type 'p5.48xlarg'; did you mean 'p5.48xlarge'? allowed: ",
        ),
        (
            {"aws:region": "us-est-1"},
            "'us-est-1' is not a region AWS lists (botocore endpoints.json); did you mean",
        ),
        (
            {"aidc:demand": {"storage": {"datasets_tb": "200TB"}}},
            "aidc:demand.storage.datasets_tb: must be a number of TB, e.g. 200 (no unit or thousands separator), "
            "got '200TB'",
        ),
        (
            {"aidc:demand": {"transfer": [{"name": "t", "volume_gb": "1,500", "window_hours": 2}]}},
            "aidc:demand.transfer[0].volume_gb: must be a number of GB, e.g. 1500",
        ),
        (
            {"aidc:demand": {"training": [{**TRAINING, "unknown_thing": 1}]}},
            "unknown_thing: unknown key; allowed here: name",  # nothing close: no suggestion, the list
        ),
    ],
    ids=["top-key", "key", "accelerator", "instance-type", "region", "unit", "thousands", "no-match"],
)
def test_typos_get_a_suggestion_and_numbers_a_unit_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], values: dict[str, Any], expected: str
) -> None:
    assert main(["size", "--config", str(_config(tmp_path, values))]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err


def test_config_schema_describes_every_shipped_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["schema_version"] == 1
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    loader = YAML(typ="safe", pure=True)  # YAML 1.2, as Pulumi reads stack files: 7.0e9 is a number
    for stack in SHIPPED_STACKS:
        document = loader.load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
        assert list(validator.iter_errors(document)) == [], stack
    bad = {"config": {"aidc:demand": {"training": [{**TRAINING, "mfu": 2}]}}}
    assert [e.message for e in validator.iter_errors(bad)] == ["2 is greater than the maximum of 1"]
    assert list(validator.iter_errors({"config": {"aidc:demand": {"trainning": []}}}))


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(list(args))
    out = capsys.readouterr().out
    assert code == 0, out
    document: dict[str, Any] = json.loads(out)
    return document


def test_every_json_document_carries_schema_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in STACKS_DIR.glob("Pulumi.metro*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    metro = str(tmp_path / "Pulumi.metro.yaml")
    assert _json(capsys, "size", "--stack", "dev", "--json")["schema_version"] == 1
    assert _json(capsys, "edge", "allocate", "--config", metro, "--dry-run", "--json")["schema_version"] == 1
    base = tmp_path / "base.json"
    base.write_text(json.dumps(_json(capsys, "plan", "--stack", "dev", "--json")))
    assert json.loads(base.read_text())["schema_version"] == 1
    assert _json(capsys, "plan", "--stack", "dev", "--diff", str(base), "--json")["schema_version"] == 1


def test_estate_init_json_carries_schema_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in STACKS_DIR.glob("Pulumi.metro*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    from aidc.commands import estate

    code = estate.run(_namespace(config=tmp_path / "Pulumi.metro.yaml", dry_run=True, json=True))
    assert code == 0
    assert json.loads(capsys.readouterr().out)["schema_version"] == 1


def _namespace(**values: Any) -> Any:
    import argparse

    return argparse.Namespace(stack=None, **values)


@pytest.mark.usefixtures("aws_env")
def test_backend_bootstrap_json_carries_schema_version(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():
        document = _json(capsys, "backend", "bootstrap", "--bucket", "acme-pulumi-state", "--json")
    assert document["schema_version"] == 1
