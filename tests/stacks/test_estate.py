"""Estates under mocks: a core stack and shard stacks of at most max_sites_per_stack sites; shards take from the
core only through a StackReference (secrets stay secret); the same sites as one stack or as an estate declare
the same site resources; shard membership never moves; the real program refuses unrecorded estate sites."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from aidc.cli import main
from aidc.config import parse_stack_config
from aidc.config.load import STACKS_DIR, read_config_values, stack_file
from aidc.estate.files import shard_sites
from aidc.estate.offline import EstatePlan, plan_estate, reference_name
from aidc.mocks import StackOutputs
from aidc.offline import SECRET, run_program
from aidc.sizing import size_stack
from aidc.sizing.engine import resources_per_site

SITES = [f"site-{index}" for index in range(7)]
# Exports the core computes from its config, which a shard knows from the same stack file: not core resources.
CONFIG_EXPORTS = {"edge_networks", "edge_route_prefixes", "estate_shards", "plan_summary"}


def estate_values(sites: list[str] = SITES, max_sites: int | None = 3, **site_keys: Any) -> dict[str, Any]:
    rows = [
        {"name": name, "share": 1 / len(sites), "accelerator": "l4-24gb", "gpus_per_node": 2, **site_keys}
        for name in sites
    ]
    rows[-1]["share"] = 1 - sum(row["share"] for row in rows[:-1])
    values: dict[str, Any] = {
        "aidc:demand": {
            "inference": [
                {
                    "name": "chat",
                    "peak_tokens_per_s": 60000,
                    "tokens_per_s_per_gpu": 1500,
                    "model_params": 7.0e9,
                    "context_tokens": 2048,
                    "accelerator": "l4-24gb",
                    "edge_fraction": 0.5,
                }
            ]
        },
        "aidc:capacity": {"private": {"gpus": {"l4-24gb": 64}}},
        "aidc:edge": {"sites": rows},
    }
    if max_sites is not None:
        values["aidc:estate"] = {"max_sites_per_stack": max_sites}
    return values


@cache
def planned_estate() -> EstatePlan:
    cfg = parse_stack_config(estate_values(), stack="city")
    return plan_estate(cfg, size_stack(cfg), {}, processes=1)


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_an_estate_plans_as_a_core_and_shards_each_within_the_limit() -> None:
    estate = planned_estate()
    assert [r.stack for r in estate.shards] == ["city-edge-0", "city-edge-1", "city-edge-2"]
    assert [r.sites for r in estate.shards] == [tuple(SITES[0:3]), tuple(SITES[3:6]), tuple(SITES[6:])]
    core_names = {r["name"] for r in estate.core.offline.resources}
    assert not any(name.startswith("edge-site-") for name in core_names), "the core declares no edge site"
    assert "edge-ssh" in core_names
    for shard in estate.shards:
        clusters = {r["name"] for r in shard.offline.resources if r["type"] == "aidc:k3s:K3sCluster"}
        assert clusters == {f"edge-{site}" for site in shard.sites}, shard.stack
        per_site = (len(shard.offline.resources) - 1) / len(shard.sites)  # less the StackReference
        # 25 for a one-server site, 9 for its GPU stack and 4 per workload served there (aidc/config/budget.py).
        assert per_site <= resources_per_site(parse_stack_config(estate_values(), stack="city")), shard.stack
    assert estate.core.offline.exports["estate_shards"] == {
        "city-edge-0": SITES[0:3],
        "city-edge-1": SITES[3:6],
        "city-edge-2": SITES[6:],
    }


def test_shards_take_from_the_core_only_through_the_stack_reference() -> None:
    estate = planned_estate()
    core_exports = estate.core.offline.exports
    from_core = {
        value
        for key, export in core_exports.items()
        if key not in CONFIG_EXPORTS
        for value in strings(export)
        if value not in (SECRET, "")
    }
    public_key = core_exports["edge_ssh_public_key"]
    assert public_key.startswith("ssh-ed25519 ")
    core_urns = {r["urn"] for r in estate.core.offline.resources}
    for shard in estate.shards:
        resources = shard.offline.resources
        [reference] = [r for r in resources if r["type"] == "pulumi:pulumi:StackReference"]
        assert reference["inputs"]["name"] == reference_name("city"), reference["urn"]
        for resource in (r for r in resources if r is not reference):
            assert not resource["type"].startswith("aws:"), resource["urn"]
            assert resource["name"] not in {"private", "core", "vpn", "ceph", "aws", "edge-ssh"}, resource[
                "urn"
            ]
            assert resource["urn"] not in core_urns
            assert resource["urn"].startswith(f"urn:pulumi:{shard.stack}::"), resource["urn"]
            used = from_core & set(strings(resource["inputs"]))
            # The only core value a shard holds is the key it read through the reference, where it belongs.
            assert used <= {public_key}, (resource["urn"], used)
            if used:
                assert resource["type"] == "openstack:compute/keypair:Keypair", resource["urn"]
        keypairs = [r for r in resources if r["type"] == "openstack:compute/keypair:Keypair"]
        assert len(keypairs) == len(shard.sites)
        assert all(k["inputs"]["publicKey"] == public_key for k in keypairs)
        assert not [
            r for r in resources if r["type"] == "tls:index/privateKey:PrivateKey" and "ssh" in r["name"]
        ]


def test_secret_core_outputs_stay_secret_through_the_reference() -> None:
    estate = planned_estate()
    outputs = estate.core.offline.stack_outputs()
    assert {"edge_ssh_private_key", "core_kubeconfig"} <= outputs.secret_names
    # All its work is private and at the edge: the core declares no public cloud, so it has no AWS kubeconfig.
    assert estate.core.offline.exports["clouds"] == [] and "aws_kubeconfig" not in outputs.values
    assert "edge_ssh_public_key" not in outputs.secret_names

    def program() -> None:
        from stacks.program import core_reference

        core = core_reference("city")
        pulumi.export("private_key", core.require_output("edge_ssh_private_key"))
        pulumi.export("kubeconfig", core.get_output("core_kubeconfig"))
        pulumi.export("public_key", core.require_output("edge_ssh_public_key"))

    read = run_program("city-edge-0", program, stack_outputs={reference_name("city"): outputs})
    assert read.exports["private_key"] == SECRET
    assert read.exports["kubeconfig"] == SECRET
    assert read.exports["public_key"] == outputs.values["edge_ssh_public_key"]
    with pytest.raises(ValueError, match="StackReference 'organization/aidc/elsewhere': no planned outputs"):
        run_program("x", lambda: __import__("stacks.program").program.core_reference("elsewhere").name)


def test_one_stack_and_an_estate_declare_the_same_sites() -> None:
    """Splitting changes where resources live, not what they are: the same site resources by type and name,
    less each site's own SSH key (the core holds one for the estate), plus one StackReference per shard."""
    single_cfg = parse_stack_config(estate_values(max_sites=None), stack="city")
    single = run_program(
        "city", lambda: __import__("stacks.program").program.deploy(single_cfg, size_stack(single_cfg))
    )
    estate = planned_estate()

    def kinds(resources: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
        return Counter((r["type"], r["name"]) for r in resources)

    split = kinds(estate.core.offline.resources)
    for shard in estate.shards:
        split += kinds(shard.offline.resources)
    site_keys = Counter({("tls:index/privateKey:PrivateKey", f"edge-{s}-net-ssh-key"): 1 for s in SITES})
    references = Counter({("pulumi:pulumi:StackReference", "core"): len(estate.shards)})
    estate_key = Counter({("tls:index/privateKey:PrivateKey", "edge-ssh"): 1})
    assert split == kinds(single.resources) - site_keys + references + estate_key


def test_shard_membership_never_moves_when_sites_come_and_go(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.city.yaml"
    path.write_text(yaml.safe_dump({"config": estate_values()}, sort_keys=False))
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    assert main(["estate", "init", "--config", str(path)]) == 0
    first = shard_sites(parse_stack_config(read_config_values(path), stack="city"))
    assert first == {0: SITES[0:3], 1: SITES[3:6], 2: SITES[6:]}
    assert sorted(p.name for p in tmp_path.glob("Pulumi.city-edge-*.yaml")) == [
        f"Pulumi.city-edge-{n}.yaml" for n in range(3)
    ]
    # Remove site-1 (shard 0) and site-6 (shard 2, which empties), add four: holes fill, nobody moves.
    document = yaml.safe_load(path.read_text())
    rows = [
        row for row in document["config"]["aidc:edge"]["sites"] if row["name"] not in ("site-1", "site-6")
    ]
    rows += [dict(rows[0], name=f"new-{n}", network_cidr=None, shard=None) for n in range(4)]
    for row in rows:
        for key in ("network_cidr", "shard"):
            if row[key] is None:
                del row[key]
        row["share"] = 1 / len(rows)
    rows[-1]["share"] = 1 - sum(row["share"] for row in rows[:-1])
    document["config"]["aidc:edge"]["sites"] = rows
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    second = shard_sites(parse_stack_config(read_config_values(path), stack="city"))
    assert second == {0: ["site-0", "site-2", "new-0"], 1: SITES[3:6], 2: ["new-1", "new-2", "new-3"]}
    for shard, names in first.items():
        assert all(second.get(shard, []).count(n) for n in names if n not in ("site-1", "site-6"))


def test_estate_init_reports_an_emptied_shard_and_never_deletes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = estate_values(sites=SITES[:4], max_sites=2)
    path = tmp_path / "Pulumi.city.yaml"
    path.write_text(yaml.safe_dump({"config": values}, sort_keys=False))
    assert main(["estate", "init", "--config", str(path)]) == 2
    assert "run `aidc edge allocate --stack city` first" in capsys.readouterr().err
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    assert main(["estate", "init", "--config", str(path)]) == 0
    document = yaml.safe_load(path.read_text())
    document["config"]["aidc:edge"]["sites"] = document["config"]["aidc:edge"]["sites"][:2]
    document["config"]["aidc:edge"]["sites"][0]["share"] = 0.5
    document["config"]["aidc:edge"]["sites"][1]["share"] = 0.5
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    capsys.readouterr()
    assert main(["estate", "init", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "city-edge-1" in out and "holds no site any more: `pulumi destroy --stack city-edge-1`" in out
    assert (tmp_path / "Pulumi.city-edge-1.yaml").exists()
    shard_file = yaml.safe_load((tmp_path / "Pulumi.city-edge-1.yaml").read_text())
    assert shard_file == {"config": {"aidc:estate": {"core": "city", "shard": 1}}}


def test_the_real_program_of_a_shard_reads_its_core_file_and_refuses_unrecorded_sites(tmp_path: Path) -> None:
    """stacks/__main__.py as `pulumi up` runs it for metro-edge-1: the sites recorded with shard 1 in
    stacks/Pulumi.metro.yaml, the core's key through the reference."""
    core = parse_stack_config(read_config_values(stack_file("metro")), stack="metro")
    values = read_config_values(stack_file("metro-edge-1"))
    outputs = StackOutputs({"edge_ssh_public_key": "ssh-ed25519 AAAAcore aidc"})
    shard = run_program("metro-edge-1", stack_config=values, stack_outputs={reference_name("metro"): outputs})
    clusters = sorted(r["name"] for r in shard.resources if r["type"] == "aidc:k3s:K3sCluster")
    assert clusters == sorted(f"edge-{name}" for name in shard_sites(core)[1])
    # The same estate with its records dropped: `pulumi up` (not a preview) of a shard refuses.
    copy = tmp_path / "stacks"
    shutil.copytree(STACKS_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (copy / "Pulumi.metro.yaml").read_text()
    (copy / "Pulumi.metro.yaml").write_text(
        "".join(line for line in text.splitlines(keepends=True) if "network_cidr" not in line)
    )
    from stacks import program

    unrecorded = parse_stack_config(read_config_values(copy / "Pulumi.metro.yaml"), stack="metro")
    plan = size_stack(unrecorded)
    with pytest.raises(pulumi.RunError, match=r"refusing to deploy: 10 edge site\(s\) of metro"):
        program.require_recorded_sites(
            unrecorded, [s for s in plan.edge_sites if s.shard == 1], dry_run=False
        )


def test_aidc_plan_over_an_estate_in_parallel_and_its_diff_names_the_shards_that_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two worker processes plan the shards; the pull-request comment says which shards a change touches."""
    path = tmp_path / "Pulumi.city.yaml"
    path.write_text(yaml.safe_dump({"config": estate_values()}, sort_keys=False))
    assert main(["edge", "allocate", "--config", str(path)]) == 0
    capsys.readouterr()
    assert main(["plan", "--config", str(path), "--json", "--jobs", "2"]) == 0
    base = json.loads(capsys.readouterr().out)
    assert [s["stack"] for s in base["estate"]["stacks"]] == ["city", *(f"city-edge-{n}" for n in range(3))]
    assert base["estate"]["total"]["sites"] == 7
    sequential = planned_estate()
    assert [len(shard["resources"]) for shard in base["shards"].values()] == [
        len(r.offline.resources) for r in sequential.shards
    ], "parallel and in-process plans agree"
    base_path = tmp_path / "base.json"
    base_path.write_text(json.dumps(base))
    # One site of shard 1 gets bigger nodes: only that shard's resources change.
    document = yaml.safe_load(path.read_text())
    document["config"]["aidc:edge"]["sites"][4]["gpus_per_node"] = 4
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert (
        main(["plan", "--config", str(path), "--diff", str(base_path), "--format", "markdown", "--jobs", "2"])
        == 0
    )
    comment = capsys.readouterr().out
    assert "**Estate**: 1 of 4 stacks change." in comment
    assert "| `city-edge-1` | 3 |" in comment and "`city-edge-0`" not in comment.split("**Estate**")[1]
    assert comment.index("**Estate**") < comment.index("<details>")
    assert "city-edge-1: 3 sites" in comment  # the topology draws one box per shard


def test_timeout_bounds_every_stack_of_an_estate_also_in_a_worker_process() -> None:
    """`aidc plan --timeout` holds for each stack of an estate: a shard planned in a worker process that does not
    finish comes back as OfflineTimeout naming the shard (not a hang, not a pickling error)."""
    from concurrent.futures import ProcessPoolExecutor

    from aidc.estate.offline import ShardJob, _context, _warm, plan_shard
    from aidc.offline import OfflineTimeout

    cfg = parse_stack_config(estate_values(), stack="city")
    outputs = planned_estate().core.offline.stack_outputs()
    job = ShardJob(cfg, size_stack(cfg), 0, outputs, {}, timeout_s=0.001)
    with ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_warm) as pool:
        future = pool.submit(plan_shard, job)
        with pytest.raises(OfflineTimeout, match=r"stack city-edge-0 did not finish within 0\.001 s"):
            future.result(timeout=120)


def test_aidc_plan_over_an_estate_past_its_timeout_exits_1_naming_the_stack() -> None:
    import subprocess
    import sys

    aidc = str(Path(sys.executable).parent / "aidc")
    result = subprocess.run(
        [aidc, "plan", "--stack", "metro", "--timeout", "0.01", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "the offline plan of stack metro did not finish within 0.01 s" in result.stderr
