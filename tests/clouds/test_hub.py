"""The public-cloud hub is conditional: a stack whose plan places nothing public, keeps no dataset in a public cloud
and moves no data to one declares no public-cloud resource (no VPC, EKS, bucket, trail, VPN or Direct Connect),
imports no public cloud's SDK, and passes the pack; a stack that touches a cloud in any of those ways gets it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

from aidc.sizing import size_stack
from tests.plans import config_of, edited_values, plan_of


def private_and_edge(values: dict[str, Any]) -> None:
    """dev with its work kept at home: no public instance type allowed, enough private GPUs, no transfer."""
    demand = values["aidc:demand"]
    demand.pop("transfer", None)
    values["aidc:capacity"]["public"] = {"allowed_instance_types": []}
    values["aidc:capacity"]["private"]["gpus"]["l4-24gb"] = 32


def dataset_in_aws(values: dict[str, Any]) -> None:
    """private_and_edge, but the fine-tune's dataset lives in S3."""
    private_and_edge(values)
    values["aidc:demand"]["training"][0].update(dataset_tb=5, dataset_location="aws")


def transfer_to_aws(values: dict[str, Any]) -> None:
    """private_and_edge, but a nightly copy goes to AWS."""
    private_and_edge(values)
    values["aidc:demand"]["transfer"] = [
        {"name": "nightly-sync", "volume_gb": 500, "window_hours": 4, "cloud": "aws"}
    ]


def test_private_and_edge_plan_uses_no_public_cloud() -> None:
    plan = size_stack(config_of(edited_values("dev", private_and_edge)))
    assert plan.clouds == ()
    assert plan.placement.public == ()
    assert plan.network.vpn_connections.int == 0 and plan.network.direct_connect is None
    assert [c.component for c in plan.cost.components] == ["private-cloud", "ceph-storage", "edge-sites"]


@pytest.mark.parametrize("edit", [dataset_in_aws, transfer_to_aws])
def test_data_in_a_public_cloud_brings_its_hub(edit: Any) -> None:
    plan = size_stack(config_of(edited_values("dev", edit)))
    assert plan.clouds == ("aws",), edit.__doc__
    assert plan.placement.public == ()
    assert plan.network.vpn_connections.int >= 1
    assert "vpn-interconnect" in [c.component for c in plan.cost.components]


def test_private_and_edge_stack_declares_nothing_in_aws_and_passes_the_pack() -> None:
    document = plan_of("dev", private_and_edge)
    types = [r["type"] for r in document["resources"]]
    assert types, "the private core and the edge site are still declared"
    assert not [t for t in types if t.startswith("aws:")]
    assert not [t for t in types if t.startswith("aidc:aws:")]
    assert document["exports"]["clouds"] == []
    assert not {"aws_cluster_name", "transit_gateway_id", "datasets_bucket"} & set(document["exports"])
    assert document["policy"]["violations"] == []


def test_a_dataset_in_aws_declares_the_aws_side() -> None:
    document = plan_of("dev", dataset_in_aws)
    types = {r["type"] for r in document["resources"]}
    assert {"aws:eks/cluster:Cluster", "aws:s3/bucket:Bucket", "aws:ec2/vpnConnection:VpnConnection"} <= types
    assert document["exports"]["clouds"] == ["aws"]


_PLAN_AND_LIST_SDKS = textwrap.dedent(
    """
    import argparse, sys, tempfile, pathlib, yaml, json
    from aidc.commands.plan import plan_document
    values = json.loads(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "Pulumi.dev.yaml"
        path.write_text(yaml.safe_dump({"config": values}))
        plan_document(argparse.Namespace(stack=None, config=path))
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("pulumi_aws", "boto3", "botocore"))))
    """
)


@pytest.mark.parametrize(("edit", "imports_aws"), [(private_and_edge, False), (None, True)])
def test_the_aws_sdk_is_imported_only_when_the_plan_uses_aws(edit: Any, imports_aws: bool) -> None:
    import json

    values = edited_values("dev", edit)
    result = subprocess.run(
        [sys.executable, "-c", _PLAN_AND_LIST_SDKS, json.dumps(values)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert ("pulumi_aws" in loaded) is imports_aws, loaded
    if not imports_aws:
        assert loaded == [], "no AWS SDK at all for a stack that does not use AWS"


def _offline(values: dict[str, Any], stack: str = "dev") -> Any:
    from aidc.offline import run_program
    from aidc.sizing import size_stack
    from stacks.program import deploy

    cfg = config_of(values, stack)
    plan = size_stack(cfg)
    return run_program(stack, lambda: deploy(cfg, plan), regions=cfg.cloud_regions())


def test_a_region_named_only_in_aidc_aws_gets_its_own_provider() -> None:
    """`aws:region` configures Pulumi's default AWS provider; a stack that names its region only in aidc:aws.region
    gets an explicit provider with it, or the real `pulumi up` would have no region."""
    values = edited_values("dev")
    region = values.pop("aws:region")
    values["aidc:aws"] = {**values.get("aidc:aws", {}), "region": "eu-west-1"}
    records = _offline(values).resources
    providers = [r for r in records if r["type"] == "pulumi:providers:aws"]
    assert [(p["name"], p["inputs"]["region"]) for p in providers] == [("aws", "eu-west-1")]
    eks = next(r for r in records if r["type"] == "aws:eks/cluster:Cluster")
    assert eks["provider"].startswith(providers[0]["urn"] + "::"), eks["provider"]
    assert region == "us-east-1"


def test_aws_region_keeps_the_default_provider() -> None:
    records = _offline(edited_values("dev")).resources
    assert not [r for r in records if r["type"] == "pulumi:providers:aws"]
    eks = next(r for r in records if r["type"] == "aws:eks/cluster:Cluster")
    assert eks["provider"] is None, eks["provider"]  # the default provider, from aws:region
