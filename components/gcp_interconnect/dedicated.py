"""Dedicated Cloud Interconnect of GcpInterconnect, declared when the plan sizes it (the VPN cannot carry the
transfers): per link a Dedicated Interconnect connection (`circuits` circuits of the link type at the location,
requested for MACsec where the plan encrypts the links: must-secure, with a key chain), and per VLAN attachment the
attachment on its link (type DEDICATED, its capacity, VLAN and candidate /29), the Cloud Router's interface on the
attachment's Cloud Router address and a BGP peer at the customer address with an MD5 key (pulumi_random, secret),
advertising exactly the plan's GKE ranges.

MACsec keys: Cloud Interconnect generates each key's CKN/CAK itself from the key chain's named keys (no API takes
them from the caller); the network team reads them with `gcloud compute interconnects macsec get-config` once the
circuits are provisioned (docs/gcp.md). The component exports the key names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components.gcp_interconnect.args import AttachmentSpec, GcpInterconnectArgs, LinkSpec
from components.gcp_interconnect.scope import Scope
from components.gcp_interconnect.vpn import advertised

MD5_LENGTH = 32  # Cloud Router MD5 keys: at most 80 characters
COMPUTE = "https://www.googleapis.com/compute/v1/"


def macsec_key_name(link: str) -> str:
    return f"{link}-key-1"


@dataclass(frozen=True)
class Dedicated:
    links: dict[str, gcp.compute.Interconnect]
    attachments: dict[str, gcp.compute.InterconnectAttachment]
    md5_keys: dict[str, random.RandomPassword]


def _link(scope: Scope, args: GcpInterconnectArgs, spec: LinkSpec) -> gcp.compute.Interconnect:
    macsec: dict[str, Any] = {}
    if args.macsec:
        macsec = {
            "requested_features": ["IF_MACSEC"],
            "macsec": {"pre_shared_keys": [{"name": macsec_key_name(spec.name)}], "fail_open": False},
            "macsec_enabled": True,
        }
    return gcp.compute.Interconnect(
        f"{scope.name}-{spec.name}",
        project=scope.project,
        customer_name=args.customer_name,
        interconnect_type="DEDICATED",
        link_type=spec.link_type,
        location=pulumi.Output.concat(
            COMPUTE, "projects/", scope.project, f"/global/interconnectLocations/{spec.location}"
        ),
        requested_link_count=spec.circuits,
        admin_enabled=True,
        noc_contact_email=args.noc_contact_email,
        description=args.description or None,
        labels=dict(scope.labels),
        **macsec,
        opts=scope.opts(),
    )


def _attachment(
    scope: Scope, args: GcpInterconnectArgs, spec: AttachmentSpec, link: gcp.compute.Interconnect
) -> tuple[gcp.compute.InterconnectAttachment, random.RandomPassword]:
    base = f"{scope.name}-{spec.name}"
    attachment = gcp.compute.InterconnectAttachment(
        base,
        project=scope.project,
        region=scope.region,
        router=args.router,
        interconnect=link.id,
        type="DEDICATED",
        bandwidth=spec.bandwidth,
        vlan_tag8021q=spec.vlan,
        candidate_subnets=[spec.bgp_cidr],
        admin_enabled=True,
        labels=dict(scope.labels),
        opts=scope.opts(),
    )
    interface = gcp.compute.RouterInterface(
        f"{base}-if",
        project=scope.project,
        region=scope.region,
        router=args.router_name,
        ip_range=attachment.cloud_router_ip_address,
        interconnect_attachment=attachment.name,
        opts=scope.opts(),
    )
    md5 = random.RandomPassword(f"{base}-md5", length=MD5_LENGTH, special=False, opts=scope.opts())
    gcp.compute.RouterPeer(
        f"{base}-bgp",
        project=scope.project,
        region=scope.region,
        router=args.router_name,
        interface=interface.name,
        peer_ip_address=attachment.customer_router_ip_address.apply(lambda cidr: cidr.split("/")[0]),
        peer_asn=args.peer_asn,
        advertised_route_priority=100,
        md5_authentication_key={"name": f"{spec.name}-md5", "key": md5.result},
        **advertised(args),
        opts=scope.opts(),
    )
    return attachment, md5


def create_dedicated(scope: Scope, args: GcpInterconnectArgs) -> Dedicated:
    """The links and their attachments with BGP sessions; nothing when the plan sized none."""
    links = {spec.name: _link(scope, args, spec) for spec in args.links}
    attachments: dict[str, gcp.compute.InterconnectAttachment] = {}
    md5_keys: dict[str, random.RandomPassword] = {}
    for spec in args.attachments:
        attachments[spec.name], md5_keys[spec.name] = _attachment(scope, args, spec, links[spec.link])
    return Dedicated(links, attachments, md5_keys)


def _link_export(spec: LinkSpec, macsec: bool) -> Callable[[str], dict[str, Any]]:
    def render(reference: str) -> dict[str, Any]:
        return {
            "location": spec.location,
            "circuits": spec.circuits,
            "link_type": spec.link_type,
            "google_reference_id": reference,
            "macsec_keys": [macsec_key_name(spec.name)] if macsec else [],
        }

    return render


def link_exports(args: GcpInterconnectArgs, dedicated: Dedicated) -> pulumi.Output[dict[str, Any]]:
    """What the network team needs per link: location, circuits, the Google reference for the LOA, MACsec keys."""
    exported = {
        spec.name: dedicated.links[spec.name].google_reference_id.apply(_link_export(spec, args.macsec))
        for spec in args.links
    }
    return pulumi.Output.all(**exported) if exported else pulumi.Output.from_input({})
