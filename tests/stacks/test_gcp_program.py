"""The Google Cloud part of the stack program (stacks/clouds/gcp.py) on plans with GPU groups in Google Cloud
(tests/clouds/gcp_plans.py): H100 training and serving on GKE with Workload Identity and CMEK, Kueue quotas equal to
the planned GPUs, the plan's facts as node labels, a stack on both clouds with an interconnect each, the explicit
provider, warnings and the `pulumi up` refusal naming missing keys, and pulumi_gcp imported only by stacks that
use Google Cloud."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pulumi
import pytest

from aidc.clouds.gcp.settings import settings_of
from aidc.contract import PLANNED_MAX_TAG, PLANNED_MIN_TAG, QUOTA_TAG, annotation_of
from aidc.offline import run_program, unwrap
from aidc.sizing.figure import Figure
from policies.offline import evaluate
from stacks.clouds import CloudContext, PrivateSide
from stacks.clouds import gcp as program
from stacks.program import deploy
from stacks.wiring import Wires
from tests.clouds.gcp_plans import PROJECT, gcp_case, gcp_config, gcp_offline, with_gcp
from tests.plans import config_of, program_run, stack_values

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"


def _of(resources: list[dict[str, Any]], token: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == token]


def _gpu_pools(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        r["plain_inputs"]["name"]: r["plain_inputs"]
        for r in _of(resources, NODE_POOL)
        if r["plain_inputs"]["name"] != "system"
    }


def test_h100_training_on_gcp_is_a_private_gke_pool_with_identity_cmek_and_its_quota() -> None:
    cfg, plan = gcp_case("prod-gcp")
    offline = gcp_offline("prod-gcp")
    resources = offline.resources
    assert not [r for r in resources if r["type"].startswith(("aws:", "aidc:aws:"))]
    assert offline.exports["clouds"] == ["gcp"]
    (cluster,) = (r["plain_inputs"] for r in _of(resources, CLUSTER))
    assert cluster["privateClusterConfig"]["enablePrivateNodes"] is True
    assert cluster["workloadIdentityConfig"] == {"workloadPool": f"{PROJECT}.svc.id.goog"}
    assert cluster["databaseEncryption"]["state"] == "ENCRYPTED"
    assert cluster["databaseEncryption"]["keyName"].startswith(
        f"projects/{PROJECT}/locations/us-central1/keyRings/"
    )
    authorized = {b["cidrBlock"] for b in cluster["masterAuthorizedNetworksConfig"]["cidrBlocks"]}
    assert cfg.openstack.network_cidr in authorized and "0.0.0.0/0" not in authorized
    pools = _gpu_pools(resources)
    groups = {g.name: g for g in plan.placement.public}
    assert set(pools) == set(groups)
    train = pools["code-34b-a3-megagpu-8g"]["nodeConfig"]["guestAccelerators"]
    assert train == [
        {
            "type": "nvidia-h100-mega-80gb",
            "count": 8,
            "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"},
        }
    ]
    serve = pools["assistant-chat-a3-highgpu-8g"]["nodeConfig"]["guestAccelerators"][0]
    assert (serve["type"], serve["count"]) == ("nvidia-h100-80gb", 8)
    quotas = {
        r["plain_inputs"]["metadata"]["name"]: r["plain_inputs"]["spec"]["resourceGroups"][0]["flavors"][0][
            "resources"
        ][0]
        for r in _of(resources, QUEUE)
        if r["plain_inputs"]["metadata"]["labels"]["aidc.io/cluster"] == "aidc-prod"
    }
    for group in groups.values():
        assert quotas[group.workload] == {"name": "nvidia.com/gpu", "nominalQuota": group.gpus}
    assert offline.exports["gpu_queues"]["aidc-prod"] == {g.workload: g.gpus for g in groups.values()}


def test_the_plans_facts_ride_as_node_labels_and_the_pool_follows_the_range() -> None:
    _, plan = gcp_case("prod-gcp")
    pools = _gpu_pools(gcp_offline("prod-gcp").resources)
    for group in plan.placement.public:
        pool = pools[group.name]
        labels = pool["nodeConfig"]["labels"]
        assert labels[annotation_of(PLANNED_MAX_TAG)] == str(group.range.max.int)
        assert labels[annotation_of(PLANNED_MIN_TAG)] == str(group.range.min.int)
        assert labels["aidc.io/usd-per-month"] == f"{plan.cost.group_usd_per_month[group.name].value:.2f}"
        if group.quota is not None:
            assert labels[annotation_of(QUOTA_TAG)] == str(group.quota)
        assert labels["aidc.io/location"] == "gcp" and labels["aidc.io/accelerator"] == group.accelerator
        if group.kind == "training":
            assert pool["nodeCount"] == group.range.max.int and pool["placementPolicy"] == {"type": "COMPACT"}
            assert len(pool["networkConfig"]["additionalNodeNetworkConfigs"]) == 8  # A3 Mega: TCPXO
        else:
            assert pool["autoscaling"]["totalMinNodeCount"] == group.range.min.int
            assert pool["autoscaling"]["totalMaxNodeCount"] == group.range.max.int
    reserved = [g for g in plan.placement.public if g.reservation is not None]
    assert reserved, "prod's deadline run reserves its capacity"
    for group in reserved:
        assert (
            pools[group.name]["nodeConfig"]["reservationAffinity"]["consumeReservationType"]
            == "SPECIFIC_RESERVATION"
        )


def test_the_workloads_service_accounts_are_annotated_for_workload_identity() -> None:
    accounts = {
        r["plain_inputs"]["metadata"]["namespace"]: r["plain_inputs"]["metadata"].get("annotations", {})
        for r in gcp_offline("prod-gcp").resources
        if r["type"] == "kubernetes:core/v1:ServiceAccount" and "gcp-queues" in r["urn"]
    }
    assert accounts["code-34b"] == {
        "iam.gke.io/gcp-service-account": f"aidc-code-34b@{PROJECT}.iam.gserviceaccount.com"
    }


def test_the_stack_passes_the_pack() -> None:
    for variant in ("prod-gcp", "prod-both", "dev-gcp"):
        violations = evaluate(gcp_offline(variant).resources)
        assert [(v["policy"], v["message"]) for v in violations] == [], variant


def test_a_stack_on_both_clouds_declares_both_clusters_each_with_its_interconnect() -> None:
    offline = gcp_offline("prod-both")
    types = {r["type"] for r in offline.resources}
    assert {"aws:eks/cluster:Cluster", "aws:ec2/vpnConnection:VpnConnection"} <= types
    assert {
        CLUSTER,
        "gcp:compute/vPNTunnel:VPNTunnel",
        "gcp:compute/interconnectAttachment:InterconnectAttachment",
    } <= types
    assert offline.exports["clouds"] == ["aws", "gcp"]
    assert (
        offline.exports["gcp_vpn_tunnel_psks"] == "[secret]"
        and offline.exports["gcp_kubeconfig"] == "[secret]"
    )
    links = offline.exports["gcp_interconnect_links"]
    assert links["link-0"]["macsec_keys"] == ["link-0-key-1"]


def test_a_region_and_project_named_only_in_aidc_gcp_get_an_explicit_provider() -> None:
    resources = gcp_offline("dev-gcp").resources
    (provider,) = _of(resources, "pulumi:providers:gcp")
    assert (
        provider["plain_inputs"]["project"] == PROJECT and provider["plain_inputs"]["region"] == "us-central1"
    )
    (cluster,) = _of(resources, CLUSTER)
    assert cluster["provider"].startswith(provider["urn"] + "::")


def _prepared(cfg: Any, plan: Any) -> program.Prepared:
    unresolved: pulumi.Output[str] = pulumi.Output.from_input("router")
    private = PrivateSide(router_id=unresolved, subnet_id=unresolved)
    return program.prepare(
        CloudContext(cfg=cfg, plan=plan, wires=Wires(), deploy_cidrs=["10.0.0.0/16"], private=private)
    )


def test_provider_keys_in_the_stack_file_keep_the_default_provider() -> None:
    values = stack_values("dev")
    with_gcp(values)
    values.update({"gcp:project": PROJECT, "gcp:region": "us-central1"})
    del values["aidc:gcp"]["project"]
    cfg = config_of(values, stack="dev")
    _, plan = gcp_case("dev-gcp")
    assert _prepared(cfg, plan).provider is None
    assert _prepared(gcp_case("dev-gcp")[0], plan).provider == {"project": PROJECT, "region": "us-central1"}


def test_missing_project_and_peers_warn_and_refuse_only_pulumi_up() -> None:
    cfg = gcp_config("dev", project=None, vpn={"peer_ips": []})
    _, plan = gcp_case("dev-gcp")
    plan = dataclasses.replace(
        plan,
        network=dataclasses.replace(
            plan.network, interconnects=(dataclasses.replace(plan.network.interconnects[0], peer_ips=()),)
        ),
    )
    prepared = _prepared(cfg, plan)
    assert prepared.interconnect is None
    assert any("aidc:gcp.project" in m for m in prepared.missing)
    assert any("aidc:gcp.vpn.peer_ips" in m for m in prepared.missing)
    program.require_deployable(cfg, plan, dry_run=True)  # a preview only warns
    with pytest.raises(pulumi.RunError, match=r"aidc:gcp\.project.*aidc:gcp\.vpn\.peer_ips"):
        program.require_deployable(cfg, plan, dry_run=False)
    program.require_deployable(*gcp_case("dev-gcp"), dry_run=False)  # everything set: no refusal


def test_a_plan_without_a_google_cloud_interconnect_is_refused_at_pulumi_up() -> None:
    cfg, plan = gcp_case("dev-gcp")
    bare = dataclasses.replace(plan, network=dataclasses.replace(plan.network, interconnects=()))
    assert _prepared(cfg, bare).interconnect is None
    with pytest.raises(pulumi.RunError, match="no interconnect to Google Cloud"):
        program.require_deployable(cfg, bare, dry_run=False)


def test_a_machine_type_gke_does_not_know_is_refused_naming_the_group() -> None:
    cfg, plan = gcp_case("dev-gcp")
    odd = dataclasses.replace(plan.placement.public[0], instance_type="n1-standard-8")
    broken = dataclasses.replace(plan, placement=dataclasses.replace(plan.placement, public=(odd,)))
    with pytest.raises(ValueError, match="no GKE accelerator type for machine type 'n1-standard-8'"):
        _prepared(cfg, broken)


def test_resources_scale_with_pools_not_gpus() -> None:
    cfg, plan = gcp_case("dev-gcp")

    def declared(factor: int) -> list[str]:
        groups = tuple(
            dataclasses.replace(
                g,
                instances=Figure(g.instances.int * factor, "instances", "scaled", {}),
                gpus=g.gpus * factor,
                scaling=None,
            )
            for g in plan.placement.public
        )
        bigger = dataclasses.replace(plan, placement=dataclasses.replace(plan.placement, public=groups))
        run = run_program(cfg.stack, lambda: deploy(cfg, bigger), regions=cfg.cloud_regions())
        return sorted(r["urn"] for r in run.resources)

    assert declared(1) == declared(40)


_PLAN_AND_LIST_SDKS = textwrap.dedent(
    """
    import json, sys
    from aidc.offline import run_program
    from aidc.sizing import size_stack
    from stacks.program import deploy
    if sys.argv[1] == "gcp":
        from tests.clouds.gcp_plans import gcp_case
        cfg, plan = gcp_case("dev-gcp")
    else:
        from aidc.config import load_stack_config
        cfg = load_stack_config("dev")
        plan = size_stack(cfg)
    run_program(cfg.stack, lambda: deploy(cfg, plan), regions=cfg.cloud_regions())
    print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("pulumi_gcp", "googleapiclient")})))
    """
)


@pytest.mark.parametrize(("case", "imports_gcp"), [("aws", False), ("gcp", True)])
def test_pulumi_gcp_is_imported_only_when_the_plan_uses_google_cloud(case: str, imports_gcp: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PLAN_AND_LIST_SDKS, case],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == (["pulumi_gcp"] if imports_gcp else []), loaded


def test_exported_secrets_stay_secret() -> None:
    offline = gcp_offline("prod-both")
    kubeconfig = next(
        r for r in offline.resources if r["type"] == "pulumi:providers:kubernetes" and "gcp-k8s" in r["urn"]
    )
    assert kubeconfig["inputs"]["kubeconfig"] == "[secret]"
    assert (
        json.loads(unwrap(kubeconfig["plain_inputs"]["kubeconfig"]))["users"][0]["user"]["exec"]["command"]
        == "gke-gcloud-auth-plugin"
    )


def test_the_shipped_multicloud_stack_advertises_every_routed_range_the_control_plane_included() -> None:
    """The private cloud reaches the cluster's private endpoint (the control plane's /28, in Google's peered network)
    only if the Cloud Router advertises it over BGP: it is in no subnet, so no advertisement mode sends it unnamed."""
    from aidc.config import parse_stack_config
    from aidc.config.load import read_config_values, stack_file
    from tests.plans import program_run

    settings = settings_of(
        parse_stack_config(read_config_values(stack_file("multicloud")), stack="multicloud")
    )
    peers = _of(program_run("multicloud").resources, "gcp:compute/routerPeer:RouterPeer")
    assert peers
    for peer in peers:
        advertised = [r["range"] for r in peer["inputs"]["advertisedIpRanges"]]
        assert advertised == [cidr for _, cidr in settings.routed_ranges()], peer["name"]
        assert settings.master_cidr in advertised


def test_a_second_pulumi_up_replaces_neither_the_cluster_nor_a_pool_by_name_collision() -> None:
    """The cluster's default-pool inputs are create-only (GKE reports no node config once the pool is removed, and
    terraform-provider-google's node_config is ForceNew): ignored after creation. Node pools have fixed names, which
    GKE will not hold twice: a replacement deletes first."""
    resources = program_run("multicloud").resources
    (cluster,) = _of(resources, CLUSTER)
    assert cluster["ignore_changes"] == ["nodeConfig", "initialNodeCount"]
    pools = _of(resources, NODE_POOL)
    assert pools and all(pool["delete_before_replace"] for pool in pools)
    assert all(not r["delete_before_replace"] for r in resources if r["type"] not in (NODE_POOL,))
