"""Mock outputs for pulumi_openstack resources and invokes (engine camelCase keys).

Ids are UUIDs derived from type+name; fixed (tenant) addresses come from 192.0.2.0/24 and external or
floating addresses from 203.0.113.0/24 (RFC 5737), so a plan shows wiring without looking like a real
cloud. The VPN service's `externalV4Ip` and the `getNetwork` answer are relied on by other components.
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks

FIXED_BLOCK = "192.0.2"
EXTERNAL_BLOCK = "203.0.113"


def _doc_ip(seed: str, block: str = EXTERNAL_BLOCK) -> str:
    """A documentation-range address (RFC 5737) derived from the resource's identity."""
    from aidc.mocks import stable_hex

    return f"{block}.{int(stable_hex(seed, length=4), 16) % 250 + 2}"


def _uuid(*parts: str) -> str:
    from aidc.mocks import stable_hex

    rid = stable_hex(*parts, length=32)
    return f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}"


def _fingerprint(*parts: str) -> str:
    """An MD5-style colon-separated fingerprint, as Nova reports for keypairs."""
    from aidc.mocks import stable_hex

    digest = stable_hex("fingerprint", *parts, length=32)
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _stack_outputs(name: str, inputs: dict[str, Any]) -> list[dict[str, str]]:
    """Heat outputs of an aidc server pool stack: one id and one fixed address per ResourceGroup member."""
    parameters = inputs.get("parameters") or {}
    try:
        count = int(parameters.get("count", 0))
    except (TypeError, ValueError):
        count = 0
    base = int(_doc_ip(name, FIXED_BLOCK).rsplit(".", 1)[1])
    server_ids = [_uuid("openstack:compute/instance:Instance", f"{name}-{index}") for index in range(count)]
    fixed_ips = [f"{FIXED_BLOCK}.{(base - 2 + index) % 250 + 2}" for index in range(count)]
    return [
        {"outputKey": "server_ids", "outputValue": json.dumps(server_ids), "description": "Nova server ids"},
        {
            "outputKey": "fixed_ips",
            "outputValue": json.dumps(fixed_ips),
            "description": "First fixed IPv4 address",
        },
    ]


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    outputs = dict(args.inputs)
    uuid = _uuid(args.typ, args.name)
    token = args.typ
    outputs.setdefault("region", "RegionOne")
    if token == "openstack:vpnaas/service:Service":
        # Neutron reports the router's external address as the VPN service's endpoint.
        outputs.setdefault("externalV4Ip", _doc_ip(args.name))
        outputs.setdefault("status", "ACTIVE")
    elif token == "openstack:compute/instance:Instance":
        fixed_ip = _doc_ip(args.name, FIXED_BLOCK)
        networks = [dict(network) for network in outputs.get("networks") or [{}]]
        for network in networks:
            network.setdefault("fixedIpV4", fixed_ip)
            network.setdefault("mac", "fa:16:3e:" + ":".join(_fingerprint(args.name).split(":")[:3]))
        outputs["networks"] = networks
        outputs.setdefault("accessIpV4", fixed_ip)
        outputs.setdefault("allMetadata", outputs.get("metadata", {}))
        outputs.setdefault("powerState", "active")
    elif token == "openstack:compute/keypair:Keypair":
        outputs.setdefault("fingerprint", _fingerprint(args.name))
        outputs.setdefault("userId", _uuid("user", "aidc"))
    elif token == "openstack:compute/serverGroup:ServerGroup":
        outputs.setdefault("members", [])
    elif token == "openstack:orchestration/stackV1:StackV1":
        outputs.setdefault("StackOutputs", _stack_outputs(args.name, outputs))
        outputs.setdefault("status", "CREATE_COMPLETE")
        outputs.setdefault("statusReason", "Stack CREATE completed successfully")
        outputs.setdefault("creationTime", "2026-01-01T00:00:00Z")
    elif token == "openstack:networking/network:Network":
        outputs.setdefault("mtu", 1450)
        outputs.setdefault("external", False)
    elif token == "openstack:networking/subnet:Subnet":
        cidr = outputs.get("cidr")
        if cidr:
            net = ipaddress.ip_network(str(cidr), strict=False)
            hosts = net.hosts()
            gateway = str(next(hosts))
            outputs.setdefault("gatewayIp", gateway)
            outputs.setdefault(
                "allocationPools",
                [{"start": str(net.network_address + 2), "end": str(net.broadcast_address - 1)}],
            )
    elif token == "openstack:networking/router:Router":
        outputs.setdefault(
            "externalFixedIps",
            [{"ipAddress": _doc_ip(args.name), "subnetId": _uuid("external-subnet", args.name)}],
        )
    elif token == "openstack:networking/routerInterface:RouterInterface":
        outputs.setdefault("portId", _uuid("port", args.name))
    elif token == "openstack:networking/floatingIp:FloatingIp":
        outputs.setdefault("address", _doc_ip(args.name))
    elif token == "openstack:networking/port:Port":
        outputs.setdefault("allFixedIps", [_doc_ip(args.name, FIXED_BLOCK)])
        outputs.setdefault("macAddress", "fa:16:3e:" + ":".join(_fingerprint(args.name).split(":")[:3]))
    elif token == "openstack:blockstorage/volume:Volume":
        outputs.setdefault("availabilityZone", "nova")
        outputs.setdefault("volumeType", outputs.get("volumeType") or "__DEFAULT__")
    elif token == "openstack:networking/secGroup:SecGroup":
        outputs.setdefault("tenantId", _uuid("tenant", "aidc"))
    elif token == "openstack:loadbalancer/loadBalancer:LoadBalancer":
        # Octavia allocates the VIP on the given subnet (the tenant network's fixed block here).
        outputs.setdefault("vipAddress", _doc_ip(args.name, FIXED_BLOCK))
        outputs.setdefault("vipPortId", _uuid("port", args.name))
        outputs.setdefault("vipNetworkId", _uuid("network", args.name))
        outputs.setdefault("loadbalancerProvider", "amphora")
    return uuid, outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    if args.token == "openstack:networking/getNetwork:getNetwork":
        name = str(args.args.get("name", "public"))
        return {"id": _uuid("network", name), "name": name, "external": True}
    return {}
