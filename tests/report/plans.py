"""Plan documents for the report tests, shaped like `aidc plan --json` (the lead's contract).

`synthetic_plan(cfg)` sizes the config for real (sizing engine + cost model, so counts and cost deltas are the
real ones) and stands in for the Pulumi program with a small resource list derived from the plan: one node
group per public group, the VPN connections with their cipher and a secret PSK, the Ceph pools with their
protection, the private GPU server groups and one resource per edge site. When `aidc plan` lands, the golden
tests also run on the real program (see test_golden.py); this stand-in keeps the diff logic tested without it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from aidc.config import StackConfig
from aidc.config.load import parse_stack_config
from aidc.sizing import size_stack
from aidc.sizing.cost import cost_to_dict
from aidc.sizing.serialize import plan_to_dict

STACKS = Path(__file__).resolve().parents[2] / "stacks"
PROJECT = "aidc"


def stack_values(stack: str) -> dict[str, Any]:
    """The `config:` mapping of stacks/Pulumi.<stack>.yaml."""
    return yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]


def config_of(values: dict[str, Any], stack: str = "dev") -> StackConfig:
    return parse_stack_config(copy.deepcopy(values), stack=stack)


def _urn(stack: str, parent_type: str | None, type_: str, name: str) -> str:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{stack}::{PROJECT}::{qualified}::{name}"


def _resource(
    stack: str, parent: tuple[str, str] | None, type_: str, name: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    parent_urn = _urn(stack, None, parent[0], parent[1]) if parent else None
    return {
        "urn": _urn(stack, parent[0] if parent else None, type_, name),
        "type": type_,
        "name": name,
        "parent": parent_urn,
        "inputs": inputs,
    }


_CIPHERS = {
    "aes128": "AES128",
    "aes256": "AES256",
    "aes128-gcm": "AES128-GCM-16",
    "aes256-gcm": "AES256-GCM-16",
}


def synthetic_plan(cfg: StackConfig) -> dict[str, Any]:
    """A plan document with the contract's shape, from real sizing and cost, with stand-in resources."""
    plan = size_stack(cfg)
    cost = cost_to_dict(plan.cost)
    s = cfg.stack
    aws = ("aidc:aws:AwsGpuCluster", f"{s}-aws")
    vpn = ("aidc:vpn:VpnInterconnect", f"{s}-vpn")
    osc = ("aidc:openstack:OpenStackPrivateCloud", f"{s}-private")
    ceph = ("aidc:ceph:CephStorage", f"{s}-ceph")
    resources = [
        _resource(s, None, aws[0], aws[1], {}),
        _resource(s, None, vpn[0], vpn[1], {}),
        _resource(s, None, osc[0], osc[1], {}),
        _resource(s, None, ceph[0], ceph[1], {}),
        _resource(
            s,
            aws,
            "aws:eks/cluster:Cluster",
            f"{s}-aws-eks",
            {
                "version": cfg.aws.eks_version,
                "vpcConfig": {
                    "endpointPublicAccess": cfg.aws.endpoint_public_access,
                    "endpointPrivateAccess": True,
                },
            },
        ),
    ]
    for group in plan.placement.public:
        resources.append(
            _resource(
                s,
                aws,
                "aws:eks/nodeGroup:NodeGroup",
                f"{s}-aws-{group.workload}-{group.instance_type}",
                {
                    "instanceTypes": [group.instance_type],
                    "capacityType": "SPOT" if group.spot else "ON_DEMAND",
                    "scalingConfig": {
                        "desiredSize": group.instances.int,
                        "minSize": group.instances.int,
                        "maxSize": group.instances.int,
                    },
                },
            )
        )
    for i in range(plan.network.vpn_connections.int):
        resources.append(
            _resource(
                s,
                vpn,
                "aws:ec2/vpnConnection:VpnConnection",
                f"{s}-vpn-conn-{i}",
                {
                    "type": "ipsec.1",
                    "tunnel1PresharedKey": "[secret]",
                    "tunnel2PresharedKey": "[secret]",
                    "tunnel1PhaseOneEncryptionAlgorithms": [_CIPHERS[cfg.vpn.encryption]],
                    "tunnel1PhaseTwoEncryptionAlgorithms": [_CIPHERS[cfg.vpn.encryption]],
                    "tunnel1IkeVersions": [cfg.vpn.ike_version],
                },
            )
        )
    resources.append(
        _resource(
            s,
            vpn,
            "openstack:vpnaas/ikePolicy:IkePolicy",
            f"{s}-vpn-ike",
            {"encryptionAlgorithm": cfg.vpn.encryption, "ikeVersion": "v2"},
        )
    )
    for group in plan.placement.private:
        resources.append(
            _resource(
                s,
                osc,
                "openstack:compute/serverGroup:ServerGroup",
                f"{s}-private-{group.workload}",
                {"policies": ["soft-anti-affinity"], "metadata": {"servers": str(group.servers)}},
            )
        )
    for pool in plan.storage.pools:
        spec: dict[str, Any] = {"failureDomain": pool.failure_domain}
        if pool.erasure_k:
            spec["erasureCoded"] = {"dataChunks": pool.erasure_k, "codingChunks": pool.erasure_m}
        else:
            spec["replicated"] = {"size": pool.replicated_size}
        resources.append(
            _resource(
                s,
                ceph,
                "kubernetes:ceph.rook.io/v1:CephBlockPool",
                f"{s}-ceph-{pool.name}",
                {"spec": spec, "parameters": {"pg_num": str(pool.pg_num.int)}},
            )
        )
    resources.append(
        _resource(
            s,
            ceph,
            "kubernetes:ceph.rook.io/v1:CephCluster",
            f"{s}-ceph-cluster",
            {
                "spec": {
                    "mon": {"count": plan.storage.monitors.int},
                    "storage": {"osds": plan.storage.osds.int},
                }
            },
        )
    )
    for site in plan.edge_sites:
        parent = ("aidc:k3s:K3sCluster", f"{s}-edge-{site.name}")
        resources.append(_resource(s, None, parent[0], parent[1], {}))
        resources.append(
            _resource(
                s,
                parent,
                "random:index/randomPassword:RandomPassword",
                f"{s}-edge-{site.name}-token",
                {"length": 48, "special": False},
            )
        )
        resources.append(
            _resource(
                s,
                parent,
                "openstack:compute/instance:Instance",
                f"{s}-edge-{site.name}-agents",
                {
                    "flavorName": site.flavor,
                    "metadata": {"nodes": str(site.nodes.int)},
                    "userData": "[secret]",
                },
            )
        )
    resources.sort(key=lambda r: r["urn"])
    by_type: dict[str, int] = {}
    for r in resources:
        by_type[r["type"]] = by_type.get(r["type"], 0) + 1
    return {
        "stack": s,
        "resources": resources,
        "summary": {
            "resources": len(resources),
            "by_type": dict(sorted(by_type.items())),
            "counts": {
                "gpu_nodes_public": sum(g.instances.int for g in plan.placement.public),
                "gpu_nodes_private": sum(g.servers for g in plan.placement.private),
                "osds": plan.storage.osds.int,
                "vpn_tunnels": plan.network.vpn_tunnels.int,
                "edge_nodes": sum(site.nodes.int for site in plan.edge_sites),
            },
            "cost": cost,
        },
        "policy": {"violations": []},
        "plan": plan_to_dict(plan),
    }
