"""The stack program under mocks: every shipped stack builds, counts equal the plan, secrets stay secret,
no admin port is open to the world, names are stable when demand doubles, and the scale limit holds."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from functools import cache
from typing import Any

import pytest

from aidc.config import parse_stack_config
from aidc.config.load import read_config_values, stack_file
from aidc.offline import OfflinePlan, run_program
from aidc.sizing import size_stack
from aidc.sizing.plan import CapacityPlan
from tests.plans import program_run
from tests.stacks_list import PLANNED_STACKS


def _planned(stack: str) -> tuple[OfflinePlan, CapacityPlan]:
    return program_run(stack), _sized(stack)


@cache
def _sized(stack: str) -> CapacityPlan:
    return size_stack(parse_stack_config(read_config_values(stack_file(stack)), stack=stack))


def _of_type(offline: OfflinePlan, token: str) -> list[dict[str, Any]]:
    return [r for r in offline.resources if r["type"] == token]


def _requirements(resource: dict[str, Any]) -> dict[str, list[str]]:
    spec = resource["inputs"]["spec"]["template"]["spec"]
    return {r["key"]: r["values"] for r in spec["requirements"]}


def _tags_list(resource: dict[str, Any]) -> dict[str, str]:
    return dict(t.split("=", 1) for t in resource["inputs"].get("tags", []) if "=" in t)


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_every_shipped_stack_builds_and_counts_equal_the_plan(stack: str) -> None:
    offline, plan = _planned(stack)
    pools = {
        r["inputs"]["metadata"]["annotations"]["aidc.io/workload"]
        + "/"
        + _requirements(r)["node.kubernetes.io/instance-type"][0]: r["inputs"]
        for r in _of_type(offline, "kubernetes:karpenter.sh/v1:NodePool")
    }
    aws_groups = [g for g in plan.placement.public if g.location == "aws"]
    assert len(pools) == len(aws_groups)
    # GPU capacity is Karpenter's; the only managed node group is the system group.
    assert [r["name"] for r in _of_type(offline, "aws:eks/nodeGroup:NodeGroup")] == ["aws-ng-system"]
    for g in aws_groups:
        pool = pools[f"{g.workload}/{g.instance_type}"]
        assert pool["spec"]["limits"]["nvidia.com/gpu"] == str(g.range.max.int * g.gpus_per_instance), stack
        annotations = pool["metadata"]["annotations"]
        assert annotations["aidc.io/planned-min-instances"] == str(g.range.min.int), (stack, g.workload)
        assert annotations["aidc.io/planned-max-instances"] == str(g.instances.int), (stack, g.workload)
        expected = "reserved" if g.reservation else ("spot" if g.spot else "on-demand")
        assert _requirements({"inputs": pool})["karpenter.sh/capacity-type"] == [expected]
    # Google Cloud's groups are GKE node pools (one per workload and machine type) beside the system pool.
    gke_pools = {r["inputs"]["name"] for r in _of_type(offline, "gcp:container/nodePool:NodePool")}
    gcp_groups = {f"{g.workload}-{g.instance_type}" for g in plan.placement.public if g.location == "gcp"}
    assert gke_pools == (gcp_groups | {"system"} if gcp_groups else set()), stack
    heat = {r["name"]: _tags_list(r) for r in _of_type(offline, "openstack:orchestration/stackV1:StackV1")}
    for g in plan.placement.private:
        assert heat[f"private-gpu-{g.workload}"]["servers"] == str(g.servers)
    assert heat["core-agents-storage"]["servers"] == str(plan.storage.hosts.int)
    for site in plan.edge_sites:
        if site.nodes.int and site.shard is None:  # an estate's sites are in its shard stacks
            assert heat[f"edge-{site.name}-agents-gpu"]["servers"] == str(site.nodes.int)
    assert len(_of_type(offline, "aws:ec2/vpnConnection:VpnConnection")) == plan.network.vpn_connections.int
    assert (
        len(_of_type(offline, "openstack:vpnaas/siteConnection:SiteConnection"))
        == plan.network.vpn_tunnels.int
    )


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_secrets_are_secret_in_inputs_and_exports(stack: str) -> None:
    offline, _ = _planned(stack)
    for r in _of_type(offline, "aws:ec2/vpnConnection:VpnConnection"):
        assert r["inputs"]["tunnel1PresharedKey"] == "[secret]" == r["inputs"]["tunnel2PresharedKey"], r[
            "urn"
        ]
    for r in _of_type(offline, "openstack:vpnaas/siteConnection:SiteConnection"):
        assert r["inputs"]["psk"] == "[secret]", r["urn"]
    for r in _of_type(offline, "openstack:compute/instance:Instance"):
        assert r["inputs"]["userData"] == "[secret]", r["urn"]
    for r in _of_type(offline, "openstack:orchestration/stackV1:StackV1"):
        if "user_data" in r["inputs"]["templateOpts"]["Bin"]:
            assert r["inputs"]["parameters"] == "[secret]", r["urn"]
    for name, value in offline.exports.items():
        if "kubeconfig" in name or "ssh_private_key" in name:
            assert value == "[secret]", name
    # What aidc plan prints: the redacted inputs (the recorder's plain_inputs never leave the process).
    text = json.dumps(
        [{k: r[k] for k in ("urn", "type", "name", "parent", "inputs")} for r in offline.resources]
    )
    assert "BEGIN PRIVATE KEY" not in text and "K3S_TOKEN" not in text


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_no_admin_port_is_open_to_the_world(stack: str) -> None:
    offline, _ = _planned(stack)
    for r in _of_type(offline, "openstack:networking/secGroupRule:SecGroupRule"):
        inputs = r["inputs"]
        if inputs.get("direction") == "ingress":
            assert inputs.get("remoteIpPrefix") not in ("0.0.0.0/0", "::/0"), r["urn"]


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_k3s_server_counts_are_one_or_three(stack: str) -> None:
    offline, _ = _planned(stack)
    servers = Counter(
        r["inputs"]["metadata"]["aidc_cluster"]
        for r in _of_type(offline, "openstack:compute/instance:Instance")
        if r["inputs"]["metadata"].get("aidc_role") == "server"
    )
    assert servers and set(servers.values()) <= {1, 3}, servers


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_ceph_pools_carry_the_planned_protection(stack: str) -> None:
    offline, plan = _planned(stack)
    pools = {
        r["inputs"]["metadata"]["name"]: r["inputs"]["spec"]
        for r in _of_type(offline, "kubernetes:ceph.rook.io/v1:CephBlockPool")
    }
    stores = {
        r["inputs"]["metadata"]["name"]: r["inputs"]["spec"]
        for r in _of_type(offline, "kubernetes:ceph.rook.io/v1:CephObjectStore")
    }
    for pool in plan.storage.pools:
        spec = pools[pool.name] if pool.kind == "block" else stores[pool.name]["dataPool"]
        assert spec["failureDomain"] == "host"
        if pool.erasure_k:
            assert (spec["erasureCoded"]["dataChunks"], spec["erasureCoded"]["codingChunks"]) == (
                pool.erasure_k,
                pool.erasure_m,
            )
        else:
            assert spec["replicated"]["size"] == pool.replicated_size
    cluster = _of_type(offline, "kubernetes:ceph.rook.io/v1:CephCluster")[0]["inputs"]["spec"]
    assert cluster["mon"]["count"] == plan.storage.monitors.int
    assert len(cluster["storage"]["nodes"]) == plan.storage.hosts.int


def test_ecommerce_with_two_thousand_gpu_servers_stays_under_360_resources() -> None:
    """300 before the GPU stack (issue 13), 348 with it: each cluster with GPUs adds its operator or device plugins,
    metrics and Kueue (a handful of resources) and each workload its landing zone; counts follow clusters and
    workloads, never GPUs."""
    offline, plan = _planned("ecommerce")
    assert sum(g.servers for g in plan.placement.private) >= 1900
    assert len(offline.resources) <= 360


def _doubled(values: dict[str, Any]) -> dict[str, Any]:
    doubled = copy.deepcopy(values)
    demand = doubled["aidc:demand"]
    for run in demand.get("training", []):
        run["tokens"] = float(run["tokens"]) * 2  # PyYAML reads 2.0e12 as a string (YAML 1.1)
    for workload in demand.get("inference", []):
        workload["peak_tokens_per_s"] = float(workload["peak_tokens_per_s"]) * 2
    demand["storage"]["datasets_tb"] = float(demand["storage"]["datasets_tb"]) * 2
    for transfer in demand.get("transfer", []):
        transfer["volume_gb"] = float(transfer["volume_gb"]) * 2
    return doubled


def test_doubling_every_demand_changes_counts_never_names() -> None:
    values = read_config_values(stack_file("prod"))
    # Ample inventory and quotas, so doubling grows the same groups instead of placing work elsewhere.
    values["aidc:capacity"] = {
        "private": {"gpus": {"h100-80gb": 4000, "l40s-48gb": 400}},
        "public": {"max_instances": {"p5.48xlarge": 500, "g6e.48xlarge": 100}},
    }
    base = run_program("prod", stack_config=values)
    grown = run_program("prod", stack_config=_doubled(values))
    base_urns = {r["urn"] for r in base.resources}
    grown_urns = {r["urn"] for r in grown.resources}
    # Nothing is renamed or removed. AWS has no count for VPN connections, so each added connection (and its
    # tunnels' PSKs and site connections) is a resource of its own: the only names growth may add.
    assert base_urns <= grown_urns
    added = sorted(urn.split("::")[-1] for urn in grown_urns - base_urns)
    assert all(re.fullmatch(r"vpn-(vpn-\d+|site-\d+-t[12]|psk-\d+-t[12])", name) for name in added), added
    base_plan = size_stack(parse_stack_config(values, stack="prod"))
    grown_plan = size_stack(parse_stack_config(_doubled(values), stack="prod"))
    assert grown_plan.storage.hosts.int > base_plan.storage.hosts.int
    assert sum(s.nodes.int for s in grown_plan.edge_sites) > sum(s.nodes.int for s in base_plan.edge_sites)
    grown_by_urn = {r["urn"]: r for r in grown.resources}
    changed = [r["urn"] for r in base.resources if r["inputs"] != grown_by_urn[r["urn"]]["inputs"]]
    assert changed, "doubling demand must change some counts"


def test_plans_are_deterministic() -> None:
    values = read_config_values(stack_file("dev"))
    first = run_program("dev", stack_config=values)
    second = run_program("dev", stack_config=values)
    assert json.dumps(first.resources, sort_keys=True) == json.dumps(second.resources, sort_keys=True)
    assert first.exports == second.exports


def test_an_edge_site_in_its_own_region_builds_there(mocks: Any) -> None:
    """An edge site with a `region` gets its own openstack Provider; its network and its K3s cluster (whose Args
    are copied with that provider) declare every OpenStack child through it, the core's children do not."""
    import pulumi

    from stacks.program import build

    values = copy.deepcopy(read_config_values(stack_file("prod")))
    values["aidc:edge"]["sites"][0]["region"] = "EdgeEU"
    cfg = parse_stack_config(values, stack="prod")
    plan = size_stack(cfg)
    site = cfg.edge.sites[0].name

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        exports = build(cfg, plan)

        def check(_: object) -> None:
            children = [r for r in mocks.registered if r.typ.startswith("openstack:")]
            in_site = [r for r in children if r.name.startswith(f"edge-{site}-")]
            assert {r.name for r in in_site} >= {f"edge-{site}-server-0", f"edge-{site}-net-network"}
            for resource in in_site:
                assert resource.provider and f"edge-{site}-openstack" in resource.provider, resource.name
            for resource in children:
                if resource.name.startswith(("private-", "core-")):
                    assert not resource.provider or "edge-" not in resource.provider, resource.name

        # The kubeconfigs come out of each cluster's readiness gate, registered after every server.
        kubeconfigs = [value for key, value in exports.items() if key.endswith("kubeconfig")]
        return pulumi.Output.all(exports["edge_api_endpoints"], *kubeconfigs).apply(check)

    run()


DX_PORT = "aws:directconnect/connection:Connection"


def test_ecommerce_declares_direct_connect_that_carries_4000_gbps_with_a_spare() -> None:
    offline, plan = _planned("ecommerce")
    ports = _of_type(offline, DX_PORT)
    dx = plan.network.direct_connect
    assert dx is not None and len(ports) == dx.ports.int == 11
    gbps = [float(p["inputs"]["bandwidth"].removesuffix("Gbps")) for p in ports]
    assert sum(gbps) - max(gbps) >= plan.network.required_gbps.value == pytest.approx(4000)
    lags = _of_type(offline, "aws:directconnect/linkAggregationGroup:LinkAggregationGroup")
    vifs = _of_type(offline, "aws:directconnect/transitVirtualInterface:TransitVirtualInterface")
    assert len(lags) == len(vifs) == len(dx.links) == 6
    [association] = _of_type(offline, "aws:directconnect/gatewayAssociation:GatewayAssociation")
    assert association["inputs"]["allowedPrefixes"] == ["10.0.0.0/16"]
    [tgw] = _of_type(offline, "aws:ec2transitgateway/transitGateway:TransitGateway")
    assert association["inputs"]["associatedGatewayId"].startswith("tgw-")
    assert float(tgw["inputs"]["tags"]["aidc:required-gbps"]) == pytest.approx(4000)
    for vif in vifs:
        assert vif["inputs"]["bgpAuthKey"] == "[secret]", vif["urn"]
    for key in _of_type(offline, "aws:directconnect/macsecKeyAssociation:MacsecKeyAssociation"):
        assert key["inputs"]["ckn"] == "[secret]" == key["inputs"]["cak"], key["urn"]
    exports = offline.exports
    assert exports["direct_connect_bgp_auth_keys"] == "[secret]" == exports["direct_connect_macsec_keys"]
    on_premises = exports["direct_connect_on_premises"]
    assert [link["vlan"] for link in on_premises["links"]] == [100, 101, 102, 103, 104, 105]
    assert on_premises["customer_asn"] == 65000 and on_premises["amazon_side_asn"] == 64513
    # the VPN stays as the encrypted management and fallback path
    assert len(_of_type(offline, "aws:ec2/vpnConnection:VpnConnection")) == 1


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_direct_connect_only_where_the_plan_has_it(stack: str) -> None:
    offline, plan = _planned(stack)
    declared = [r for r in offline.resources if r["type"].startswith("aws:directconnect/")]
    assert bool(declared) == (plan.network.direct_connect is not None), stack
    if stack == "dev":
        assert plan.network.required_gbps.value == pytest.approx(500 * 8 / (4 * 3600))  # 0.28 Gbps
        assert not declared and "direct_connect_on_premises" not in offline.exports


def test_growing_the_seed_transfer_adds_direct_connect_ports_never_renames() -> None:
    values = read_config_values(stack_file("ecommerce"))
    grown_values = copy.deepcopy(values)
    # 1.5 times the seed's 500 GB/s: 6,000 Gbps in 16 ports, 8 each at the two locations (within 10), 8 LAGs
    # (within the 10 per Region), 8 public /30 peers in the /27.
    grown_values["aidc:demand"]["transfer"][0]["volume_gb"] = 1.5 * float(
        values["aidc:demand"]["transfer"][0]["volume_gb"]
    )
    base, _ = _planned("ecommerce")
    grown = run_program("ecommerce", stack_config=grown_values)
    base_urns = {r["urn"] for r in base.resources}
    grown_urns = {r["urn"] for r in grown.resources}
    assert base_urns <= grown_urns
    added = sorted(urn.split("::")[-1] for urn in grown_urns - base_urns)
    pattern = r"dx-link-\d+(-port-\d+(-lag)?|-vif|-public-vif|-ckn|-cak|-bgp-key|-public-bgp-key|-macsec)?"
    assert added and all(re.fullmatch(pattern, name) for name in added), added
    assert len(_of_type(grown, DX_PORT)) == 16  # ceil(6000 / 400) + 1
