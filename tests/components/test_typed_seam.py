"""The plan/Args seam is typed (issue 22): an enumeration the config, the plan and a component's Args all carry has
one definition, aidc/contract.py's Literal, so mypy checks what the program hands each Args (and, with
strict_equality, every comparison with one of its values); and at runtime each Args still refuses a value outside it,
naming the field and the values it takes."""

from __future__ import annotations

from typing import Any, get_args, get_type_hints

import pytest
from pydantic import BaseModel

from aidc import contract
from aidc.clouds.gcp.interconnect import DedicatedLink, GcpInterconnectPlan, VlanAttachment
from aidc.clouds.gcp.settings import Settings as GcpSettings
from aidc.config import parse_stack_config
from aidc.config.model import EdgeSite, K3sSettings, VpnSettings
from aidc.sizing import size_stack
from aidc.sizing.plan import DirectConnectPlan, PublicGroup, Reservation
from components.aws_gpu_cluster import CapacityReservationSpec
from components.direct_connect import DirectConnectInterconnectArgs, IpsecOverDirectConnect
from components.gcp_gpu_cluster import GcpGpuClusterArgs
from components.gcp_interconnect import AttachmentSpec, GcpInterconnectArgs, LinkSpec
from components.k3s_cluster import K3sClusterArgs
from components.nvidia_gpu_operator import NvidiaGpuOperatorArgs
from components.vpn_interconnect import VpnInterconnectArgs
from components.workload_queues import WorkloadQueue
from stacks.clouds.gcp import interconnect_args
from stacks.wiring import Wires
from tests.components.args_helpers import assert_refused
from tests.components.test_gcp_gpu_cluster import _args as gke_args
from tests.components.test_k3s_cluster import _args as k3s_args
from tests.components.test_vpn_interconnect import _args as vpn_args

# (a class of config, plan or Args, its field, the contract's type): each row one end of a seam.
SHARED: list[tuple[type, str, object]] = [
    # workload kind and classification: the plan's public groups -> Kueue's landing zones
    (PublicGroup, "kind", contract.WorkloadKind),
    (WorkloadQueue, "kind", contract.WorkloadKind),
    (PublicGroup, "classification", contract.Classification),
    (WorkloadQueue, "classification", contract.Classification),
    # a reservation's kind: the plan -> AwsGpuCluster
    (Reservation, "kind", contract.ReservationKind),
    (CapacityReservationSpec, "kind", contract.ReservationKind),
    # Direct Connect: the plan's port speed and encryption -> DirectConnectInterconnect
    (DirectConnectPlan, "bandwidth", contract.DirectConnectBandwidth),
    (DirectConnectInterconnectArgs, "bandwidth", contract.DirectConnectBandwidth),
    (DirectConnectPlan, "encryption", contract.LinkEncryption),
    (DirectConnectInterconnectArgs, "encryption", contract.LinkEncryption),
    # IPsec: config's aidc:vpn -> VpnInterconnect, the IPsec over Direct Connect, GcpInterconnect
    *(
        (model, field, kind)
        for field, kind in (
            ("ike_version", contract.IkeVersion),
            ("encryption", contract.IpsecEncryption),
            ("integrity", contract.IpsecIntegrity),
            ("dh_group", contract.DhGroup),
            ("tunnel_bandwidth", contract.TunnelBandwidth),
        )
        for model in (VpnSettings, VpnInterconnectArgs, IpsecOverDirectConnect)
    ),
    (GcpInterconnectArgs, "encryption", contract.IpsecEncryption),
    (GcpInterconnectArgs, "integrity", contract.IpsecIntegrity),
    (GcpInterconnectArgs, "dh_group", contract.DhGroup),
    # K3s: server counts and who installs the NVIDIA driver, config -> K3sCluster, NvidiaGpuOperator
    (EdgeSite, "servers", contract.K3sServers),
    (K3sSettings, "core_servers", contract.K3sServers),
    (K3sClusterArgs, "servers", contract.K3sServers),
    (K3sSettings, "gpu_driver", contract.GpuDriver),
    (NvidiaGpuOperatorArgs, "driver", contract.GpuDriver),
    # Google Cloud: the release channel (config), the links and attachments (the plan) -> the GCP components
    (GcpSettings, "release_channel", contract.GkeReleaseChannel),
    (GcpGpuClusterArgs, "release_channel", contract.GkeReleaseChannel),
    (DedicatedLink, "link_type", contract.GcpLinkType),
    (LinkSpec, "link_type", contract.GcpLinkType),
    (VlanAttachment, "bandwidth", contract.GcpAttachmentBandwidth),
    (AttachmentSpec, "bandwidth", contract.GcpAttachmentBandwidth),
]


@pytest.mark.parametrize(("model", "field", "kind"), SHARED, ids=[f"{m.__name__}.{f}" for m, f, _ in SHARED])
def test_both_ends_of_the_seam_take_the_contracts_type(model: type, field: str, kind: object) -> None:
    assert get_type_hints(model)[field] == kind


def _allowed(kind: object) -> str:
    """How pydantic names a Literal's values in its message: 'a', 'b' or 'c'."""
    values = [repr(v) for v in get_args(kind)]
    return f"{', '.join(values[:-1])} or {values[-1]}"


QUEUE = {
    "name": "chat",
    "kind": "inference",
    "classification": "internal",
    "flavor": "l4",
    "gpus": 4,
    "pod_gpus": 1,
}
RESERVATION = {
    "kind": "capacity-reservation",
    "instances": 2,
    "start_date": "2026-12-01",
    "end_date": "2026-12-08",
    "days": 7,
}
IPSEC = {"customer_gateway_ip": "10.20.0.10"}
DX = {
    "transit_gateway_id": "tgw-0123456789abcdef0",
    "links": (
        {
            "name": "link-0",
            "location": "EqDC2",
            "vlan": 100,
            "ports": 2,
            "amazon_address": "169.254.100.1/30",
            "customer_address": "169.254.100.2/30",
        },
    ),
    "bandwidth": "100Gbps",
    "customer_asn": 65000,
    "allowed_prefixes": ("10.40.0.0/16",),
}
LINK = {"name": "link-0", "location": "iad-zone1-1", "circuits": 2, "link_type": "LINK_TYPE_ETHERNET_100G_LR"}
ATTACHMENT = {"name": "attachment-0", "link": "link-0", "bandwidth": "BPS_50G", "vlan": 200}

# (what builds the Args with one bad value, the field, the contract type whose values the message lists)
REFUSED: list[tuple[str, Any, str, object]] = [
    ("queue-kind", lambda: WorkloadQueue(**{**QUEUE, "kind": "batch"}), "kind", contract.WorkloadKind),
    (
        "queue-classification",
        lambda: WorkloadQueue(**{**QUEUE, "classification": "secret"}),
        "classification",
        contract.Classification,
    ),
    (
        "reservation-kind",
        lambda: CapacityReservationSpec(**{**RESERVATION, "kind": "savings-plan"}),
        "kind",
        contract.ReservationKind,
    ),
    (
        "ipsec-over-dx",
        lambda: IpsecOverDirectConnect(**{**IPSEC, "tunnel_bandwidth": "huge"}),
        "tunnel_bandwidth",
        contract.TunnelBandwidth,
    ),
    (
        "dx-bandwidth",
        lambda: DirectConnectInterconnectArgs(**{**DX, "bandwidth": "40Gbps"}),
        "bandwidth",
        contract.DirectConnectBandwidth,
    ),
    (
        "dx-encryption",
        lambda: DirectConnectInterconnectArgs(**{**DX, "encryption": "wireguard"}),
        "encryption",
        contract.LinkEncryption,
    ),
    ("vpn", lambda: vpn_args(encryption="aes192"), "encryption", contract.IpsecEncryption),
    ("k3s", lambda: k3s_args(servers=2), "servers", contract.K3sServers),
    (
        "gpu-operator",
        lambda: NvidiaGpuOperatorArgs(cluster="core", k3s_version="v1.36.5+k3s1", driver="preinstalled"),
        "driver",
        contract.GpuDriver,
    ),
    ("gke", lambda: gke_args(release_channel="EXTENDED"), "release_channel", contract.GkeReleaseChannel),
    (
        "gcp-link",
        lambda: LinkSpec(**{**LINK, "link_type": "LINK_TYPE_ETHERNET_40G_LR4"}),
        "link_type",
        contract.GcpLinkType,
    ),
    (
        "gcp-attachment",
        lambda: AttachmentSpec(**{**ATTACHMENT, "bgp_cidr": "169.254.60.0/29", "bandwidth": "BPS_40G"}),
        "bandwidth",
        contract.GcpAttachmentBandwidth,
    ),
]


@pytest.mark.parametrize(("build", "field", "kind"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_args_refuse_a_value_outside_the_contracts_type(build: Any, field: str, kind: object) -> None:
    assert_refused(build, field, says=_allowed(kind))


def test_the_valid_examples_above_are_accepted() -> None:
    """The refusals above are of the one bad value each: the same Args without it are accepted."""
    built: list[BaseModel] = [
        WorkloadQueue(**QUEUE),
        CapacityReservationSpec(**RESERVATION),
        IpsecOverDirectConnect(**IPSEC),
        DirectConnectInterconnectArgs(**DX),
        vpn_args(),
        k3s_args(servers=3),
        NvidiaGpuOperatorArgs(cluster="core", k3s_version="v1.36.5+k3s1", driver="image"),
        gke_args(release_channel="STABLE"),
        LinkSpec(**LINK),
        AttachmentSpec(**ATTACHMENT, bgp_cidr="169.254.60.0/29"),
    ]
    assert len(built) == 10


def test_a_plan_on_400g_interconnect_links_is_one_the_gcp_args_take() -> None:
    """Past 800 Gbps (eight 100G circuits, a connection's most) the plan sizes 400G circuits; the Args took only 10G
    and 100G link types and attachments up to 100G, so such a plan failed in the program. One type now: the API's."""
    volume_gb = 1200 / 8 * 3600  # an hour of 1,200 Gbps
    cfg = parse_stack_config(
        {
            "aidc:gcp": {"project": "aidc-demo-123", "vpn": {"peer_ips": ["45.33.32.156", "45.33.32.157"]}},
            "aidc:demand": {
                "transfer": [
                    {
                        "name": "sync",
                        "volume_gb": volume_gb,
                        "window_hours": 1,
                        "cloud": "gcp",
                        "classification": "internal",
                    }
                ]
            },
            "aidc:openstack": {"admin_cidrs": ["10.99.0.0/24"]},
        },
        stack="gcp-400g",
    )
    plan = size_stack(cfg)
    sized = plan.network.interconnect("gcp")
    assert isinstance(sized, GcpInterconnectPlan)
    assert {link.link_type for link in sized.links} == {"LINK_TYPE_ETHERNET_400G_LR4"}
    built = interconnect_args(cfg, plan, Wires())
    assert built is not None
    assert [link.link_type for link in built.args.links] == [link.link_type for link in sized.links]
    assert [a.bandwidth for a in built.args.attachments] == [a.bandwidth for a in sized.attachments]
