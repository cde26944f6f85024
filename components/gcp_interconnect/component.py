"""The GcpInterconnect ComponentResource: HA VPN (always) and Dedicated Interconnect (when sized) between the VPC's
Cloud Router and the private cloud's BGP routers; exports what the private side needs to peer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_gcp as gcp

from aidc.contract import COMPONENT_TAG, cloud_label_of
from components.gcp_interconnect import dedicated, vpn
from components.gcp_interconnect.args import AttachmentSpec, GcpInterconnectArgs
from components.gcp_interconnect.scope import Scope


def _tunnel_exports(args: GcpInterconnectArgs, made: vpn.Vpn) -> pulumi.Output[dict[str, Any]]:
    """Per tunnel: the Google and on-premises addresses, the BGP addresses and ASNs (not secret)."""

    def render(interfaces: Any) -> dict[str, Any]:
        addresses = {int(_get(i, "id")): str(_get(i, "ip_address", "ipAddress")) for i in interfaces or []}
        return {
            spec.name: {
                "google_address": addresses.get(spec.interface, ""),
                "peer_address": args.peer_ips[spec.peer_interface],
                "cloud_router_bgp_address": spec.cloud_router_ip,
                "peer_bgp_address": spec.peer_ip,
                "bgp_cidr": spec.bgp_cidr,
                "router_asn": args.router_asn,
                "peer_asn": args.peer_asn,
                "ike_version": args.ike_version,
                "cipher_suite": vpn.cipher_suite(args),
            }
            for spec in args.tunnels
        }

    return made.gateway.vpn_interfaces.apply(render)


def _get(item: Any, snake: str, camel: str | None = None) -> Any:
    if type(item) is dict:
        return item.get(camel or snake, item.get(snake))
    return getattr(item, snake, None)


class GcpInterconnect(pulumi.ComponentResource):
    """HA VPN tunnels with BGP sessions on the Cloud Router, and Dedicated Interconnect links with VLAN attachments
    when the plan sized them."""

    gateway_addresses: pulumi.Output[list[str]]
    tunnels: pulumi.Output[dict[str, Any]]
    tunnel_psks: pulumi.Output[dict[str, str]]
    links: pulumi.Output[dict[str, Any]]
    attachments: pulumi.Output[dict[str, Any]]
    bgp_md5_keys: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: GcpInterconnectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aidc:gcp:GcpInterconnect", name, None, opts)
        project = (
            pulumi.Output.from_input(args.project)
            if args.project is not None
            else gcp.organizations.get_client_config_output(opts=pulumi.InvokeOptions(parent=self)).project
        )
        scope = Scope(name, self, project, args.region, {**args.labels, cloud_label_of(COMPONENT_TAG): name})
        made = vpn.create_vpn(scope, args)
        links = dedicated.create_dedicated(scope, args)

        self.gateway_addresses = made.gateway.vpn_interfaces.apply(
            lambda interfaces: [str(_get(i, "ip_address", "ipAddress")) for i in interfaces or []]
        )
        self.tunnels = _tunnel_exports(args, made)
        self.tunnel_psks = pulumi.Output.secret(
            pulumi.Output.all(**{name: psk.result for name, psk in made.psks.items()})
        )
        self.links = dedicated.link_exports(args, links)
        self.attachments = self._attachment_exports(args, links)
        md5 = {name: key.result for name, key in links.md5_keys.items()}
        self.bgp_md5_keys = pulumi.Output.secret(
            pulumi.Output.all(**md5) if md5 else pulumi.Output.from_input({})
        )
        self.register_outputs(
            {
                "gateway_addresses": self.gateway_addresses,
                "tunnels": self.tunnels,
                "tunnel_psks": self.tunnel_psks,
                "links": self.links,
                "attachments": self.attachments,
                "bgp_md5_keys": self.bgp_md5_keys,
            }
        )

    @staticmethod
    def _attachment_exports(
        args: GcpInterconnectArgs, made: dedicated.Dedicated
    ) -> pulumi.Output[dict[str, Any]]:
        """Per attachment: its link, VLAN, capacity and the BGP addresses Google chose in its /29."""
        exported = {
            spec.name: pulumi.Output.all(
                made.attachments[spec.name].cloud_router_ip_address,
                made.attachments[spec.name].customer_router_ip_address,
            ).apply(_attachment_export(args, spec))
            for spec in args.attachments
        }
        return pulumi.Output.all(**exported) if exported else pulumi.Output.from_input({})


def _attachment_export(
    args: GcpInterconnectArgs, spec: AttachmentSpec
) -> Callable[[list[str]], dict[str, Any]]:
    def render(addresses: list[str]) -> dict[str, Any]:
        return {
            "link": spec.link,
            "vlan": spec.vlan,
            "bandwidth": spec.bandwidth,
            "cloud_router_bgp_address": addresses[0],
            "peer_bgp_address": addresses[1],
            "router_asn": args.router_asn,
            "peer_asn": args.peer_asn,
        }

    return render
