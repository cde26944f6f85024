"""CapacityPlan → plain dict: the `aidc size --json` contract (docs/architecture.md, "Contracts"), stable key order.

Each sized number appears as a plain value where the contract names it, and again with its formula and
inputs under `why`, so scripts read numbers and people can check them.
"""

from __future__ import annotations

import math
from typing import Any

from aidc.sizing.cost import cost_to_dict
from aidc.sizing.figure import Figure
from aidc.sizing.plan import CapacityPlan, DirectConnectPlan, ModelSizing, ReplicaSizing


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return None
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _why(**figures: Figure | None) -> dict[str, Any]:
    return {k: v.to_json() for k, v in figures.items() if v is not None}


def _direct_connect(dc: DirectConnectPlan) -> dict[str, Any]:
    return {
        "reason": dc.reason,
        "ports": dc.ports.int,
        "unit": dc.ports.unit,
        "port_gbps": dc.port_gbps,
        "bandwidth": dc.bandwidth,
        "hosted": dc.hosted,
        "location": dc.location,
        "lag_max": dc.lag_max,
        "links": [
            {
                "name": link.name,
                "location": link.location,
                "ports": link.ports,
                "vlan": link.vlan,
                "amazon_address": link.amazon_address,
                "customer_address": link.customer_address,
                "hosted_connection_id": link.hosted_connection_id,
            }
            for link in dc.links
        ],
        "capacity_gbps": dc.capacity_gbps.value,
        "encryption": dc.encryption,
        "encryption_reason": dc.encryption_reason,
        "ipsec_connections": None if dc.ipsec_connections is None else dc.ipsec_connections.int,
        "asn": dc.asn,
        "amazon_side_asn": dc.amazon_side_asn,
        "allowed_prefixes": list(dc.allowed_prefixes),
        "advertised_prefixes": list(dc.advertised_prefixes),
        "transit_gateway_cidr": dc.transit_gateway_cidr,
        "tgw_path_gbps": dc.tgw_path_gbps.value,
        "why": _why(
            ports=dc.ports,
            capacity_gbps=dc.capacity_gbps,
            ipsec_connections=dc.ipsec_connections,
            tgw_path_gbps=dc.tgw_path_gbps,
        ),
    }


def _model(model: ModelSizing) -> dict[str, Any]:
    return {
        "params": model.params,
        "weight_precision": model.weight_precision,
        "context_tokens": model.context_tokens,
        "concurrent_sequences": model.concurrent_sequences,
        "layers": model.layers,
        "kv_heads": model.kv_heads,
        "head_dim": model.head_dim,
        "assumed": model.assumed,
        "weights_gb": model.weights_gb.value,
        "kv_bytes_per_token": model.kv_bytes_per_token.value,
        "why": _why(weights_gb=model.weights_gb, kv_bytes_per_token=model.kv_bytes_per_token),
    }


def _replica(replica: ReplicaSizing) -> dict[str, Any]:
    return {
        "accelerator": replica.accelerator,
        "gpus": replica.gpus.int,
        "memory_gb": replica.memory_gb.value,
        "batch": replica.batch.int,
        "tokens_per_s": replica.tokens_per_s.value,
        "estimated": replica.estimated,
        "why": _why(
            gpus=replica.gpus,
            memory_gb=replica.memory_gb,
            batch=replica.batch,
            tokens_per_s=replica.tokens_per_s,
        ),
    }


def plan_to_dict(plan: CapacityPlan) -> dict[str, Any]:
    placement = plan.placement
    storage = plan.storage
    network = plan.network
    data: dict[str, Any] = {
        "stack": plan.stack,
        # The public clouds the stack declares resources in (placement.public[].location is one of them).
        "clouds": list(plan.clouds),
        "compute": {
            "training": [
                {
                    "name": t.name,
                    "accelerator": t.accelerator,
                    "classification": t.classification,
                    "flops": t.flops.value,
                    "gpu_hours": t.gpu_hours.value,
                    "gpus": t.gpus.int,
                    "nodes": t.nodes.int,
                    "spot": t.spot,
                    "state_gpus": t.state_gpus.int,
                    "bound": t.bound,
                    "why": _why(
                        flops=t.flops,
                        gpu_hours=t.gpu_hours,
                        nodes=t.nodes,
                        gpus=t.gpus,
                        state_gpus=t.state_gpus,
                    ),
                }
                for t in plan.training
            ],
            "inference": [
                {
                    "name": w.name,
                    "accelerator": w.accelerator,
                    "classification": w.classification,
                    "gpus": w.gpus.int,
                    "edge_gpus": w.edge_gpus.int,
                    "edge": [
                        {
                            "site": a.site,
                            "accelerator": a.accelerator,
                            "gpus": a.gpus,
                            "replicas": a.replicas,
                            "replica_gpus": a.replica_gpus,
                        }
                        for a in w.edge
                    ],
                    "spot": w.spot,
                    "replicas": w.replicas.int,
                    "model": _model(w.model),
                    "replica": _replica(w.replica),
                    "edge_replicas": [_replica(r) for r in w.edge_replicas],
                    "throughput_estimated": w.replica.estimated or any(r.estimated for r in w.edge_replicas),
                    "why": _why(gpus=w.gpus, edge_gpus=w.edge_gpus, replicas=w.replicas),
                }
                for w in plan.inference
            ],
        },
        "placement": {
            "private": [
                {
                    "workload": g.workload,
                    "kind": g.kind,
                    "classification": g.classification,
                    "location": g.location,
                    "accelerator": g.accelerator,
                    "gpus": g.gpus.int,
                    "servers": g.servers,
                    "gpus_per_server": g.gpus_per_server,
                    "flavor": g.flavor,
                    "usd_per_gpu_hour": g.usd_per_gpu_hour,
                    "why": _why(gpus=g.gpus),
                }
                for g in placement.private
            ],
            "public": [
                {
                    "workload": g.workload,
                    "kind": g.kind,
                    "classification": g.classification,
                    "location": g.location,
                    "instance_type": g.instance_type,
                    "accelerator": g.accelerator,
                    "count": g.instances.int,
                    "gpus": g.gpus,
                    "gpus_per_instance": g.gpus_per_instance,
                    "spot": g.spot,
                    "efa": g.efa,
                    "efa_interfaces": g.efa_interfaces,
                    "usd_per_hour": g.usd_per_hour,
                    "min": g.range.min.int,
                    "desired": g.range.desired.int,
                    "max": g.range.max.int,
                    "autoscaled": g.range.autoscaled,
                    "quota": g.quota,
                    "vcpus_per_instance": g.vcpus_per_instance,
                    "reservation": None
                    if g.reservation is None
                    else {
                        "kind": g.reservation.kind,
                        "instances": g.reservation.instances.int,
                        "days": g.reservation.days.int,
                        "start_date": g.reservation.start_date,
                        "end_date": g.reservation.end_date,
                        "blocks": list(g.reservation.blocks),
                        "usd_total": round(g.reservation.usd_total.value, 2),
                        "paid": g.reservation.paid,
                    },
                    "why": _why(
                        count=g.instances,
                        min=g.range.min,
                        desired=g.range.desired,
                        max=g.range.max,
                        reservation_instances=g.reservation.instances if g.reservation else None,
                        reservation_days=g.reservation.days if g.reservation else None,
                        reservation_usd=g.reservation.usd_total if g.reservation else None,
                    ),
                }
                for g in placement.public
            ],
            "private_gpus": sum(g.gpus.int for g in placement.private),
            "public_gpus": sum(g.gpus for g in placement.public),
            "public_instances": placement.public_instances_by_type(),
            "private_gpus_used": placement.private_gpus_used,
            "private_gpus_available": placement.private_gpus_available,
            "usd_per_hour": placement.usd_per_hour.value,
            "solver": placement.solver,
            "why": _why(usd_per_hour=placement.usd_per_hour),
        },
        "storage": {
            "usable_tb": storage.usable_tb.value,
            "checkpoint_tb": storage.checkpoint_tb.value,
            "raw_tb": storage.raw_tb.value,
            "osds": storage.osds.int,
            "hosts": storage.hosts.int,
            "osds_per_host": storage.osds_per_host,
            "drives_per_host": storage.drives_per_host,
            "osds_needed": storage.osds_needed.int,
            "osds_for_capacity": storage.osds_for_capacity.int,
            "osds_for_bandwidth": storage.osds_for_bandwidth.int,
            "osd_bound": storage.bound,
            "checkpoint_write_gb_per_s": storage.checkpoint_write_gb_per_s.value,
            "drive_tb": storage.drive_tb,
            "monitors": storage.monitors.int,
            "pg_num": {p.name: p.pg_num.int for p in storage.pools},
            "pools": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "size": p.size,
                    "min_size": p.min_size,
                    "replicated_size": p.replicated_size,
                    "erasure_k": p.erasure_k,
                    "erasure_m": p.erasure_m,
                    "failure_domain": p.failure_domain,
                    "pg_num": p.pg_num.int,
                    "usable_tb": p.usable_tb,
                    "why": _why(pg_num=p.pg_num),
                }
                for p in storage.pools
            ],
            "why": _why(
                usable_tb=storage.usable_tb,
                checkpoint_tb=storage.checkpoint_tb,
                raw_tb=storage.raw_tb,
                checkpoint_write_gb_per_s=storage.checkpoint_write_gb_per_s,
                osds_for_capacity=storage.osds_for_capacity,
                osds_for_bandwidth=storage.osds_for_bandwidth,
                osds_needed=storage.osds_needed,
                osds=storage.osds,
                hosts=storage.hosts,
                monitors=storage.monitors,
            ),
        },
        "network": {
            "transfers": [
                {
                    "name": t.name,
                    "volume_gb": t.volume_gb,
                    "window_hours": t.window_hours,
                    "gbps": t.gbps.value,
                    "hours_at_provisioned": t.hours_at_provisioned.value,
                    "classification": t.classification,
                    "direction": t.direction,
                    "every": t.every,
                    "why": _why(gbps=t.gbps, hours_at_provisioned=t.hours_at_provisioned),
                }
                for t in network.transfers
            ],
            "required_gbps": network.required_gbps.value,
            "provisioned_gbps": network.provisioned_gbps.value,
            "tunnel_gbps": network.tunnel_gbps,
            "vpn_connections": network.vpn_connections.int,
            "vpn_tunnels": network.vpn_tunnels.int,
            "feasible_over_vpn": network.feasible_over_vpn,
            "private_route_prefixes": list(network.private_route_prefixes),
            "interconnect_gbps": network.capacity_gbps.value,
            "edge_route_prefixes": list(network.edge_route_prefixes),
            "direct_connect": None
            if network.direct_connect is None
            else _direct_connect(network.direct_connect),
            "why": _why(
                required_gbps=network.required_gbps,
                vpn_connections=network.vpn_connections,
                vpn_tunnels=network.vpn_tunnels,
                provisioned_gbps=network.provisioned_gbps,
                interconnect_gbps=network.interconnect_gbps,
            ),
        },
        "security": {
            "placement_by_classification": {
                k: list(v) for k, v in plan.security.placement_by_classification.items()
            },
            "controls": [
                {"target": c.target, "control": c.control, "reason": c.reason} for c in plan.security.controls
            ],
            "kms_keys": plan.security.kms_keys.int,
            "key_rotation_days": plan.security.key_rotation_days,
        },
        "edge": {
            "sites": [
                {
                    "name": s.name,
                    "accelerator": s.accelerator,
                    "gpus": s.gpus.int,
                    "nodes": s.nodes.int,
                    "gpus_per_node": s.gpus_per_node,
                    "servers": s.servers,
                    "location": s.location,
                    "region": s.region,
                    "flavor": s.flavor,
                    "network_cidr": s.network_cidr,
                    "recorded": s.recorded,
                    "shard": s.shard,
                    "why": _why(nodes=s.nodes),
                }
                for s in plan.edge_sites
            ],
            "nodes": sum(s.nodes.int for s in plan.edge_sites),
            "gpus": sum(s.gpus.int for s in plan.edge_sites),
        },
        "replicas": [
            {
                "workload": r.workload,
                "where": r.where,
                "gpus_per_replica": r.gpus_per_replica,
                "min": r.min.int,
                "max": r.max.int,
                "why": _why(min=r.min, max=r.max),
            }
            for r in plan.replicas
        ],
        "counts": plan.counts(),
        "cost": cost_to_dict(plan.cost),
        "warnings": list(plan.warnings),
        "sources": dict(plan.catalog_source),
    }
    return _clean(data)
