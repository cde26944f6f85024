"""HA VPN of GcpInterconnect: the VPC's HA VPN gateway (two interfaces, each with its own Google address), an
external VPN gateway naming the on-premises routers' public addresses, and per planned tunnel a pre-shared key
(pulumi_random, secret in state), the tunnel (IKEv2, one cipher per role — Cloud VPN's advice for a stable
selection), the Cloud Router's interface on the tunnel's link-local /30 (first host) and its BGP peer (second host,
the on-premises ASN), advertising exactly the GKE ranges the plan names.

Why the peers are the private cloud's BGP routers and not Neutron VPNaaS: HA VPN routes with BGP only (a static
route to an HA VPN tunnel is refused), and VPNaaS site connections are policy-based with no BGP — so the tunnels
end on the border routers that already speak BGP (docs/gcp.md says what the network team configures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components.gcp_interconnect.args import REDUNDANCY, GcpInterconnectArgs, TunnelSpec
from components.gcp_interconnect.scope import Scope

# Letters only (48 characters, ~273 bits): what every IKE implementation accepts as a PSK.
PSK_LENGTH = 48
ENCRYPTIONS = {
    "aes128": "AES-CBC-128",
    "aes256": "AES-CBC-256",
    "aes128-gcm": "AES-GCM-16-128",
    "aes256-gcm": "AES-GCM-16-256",
}
INTEGRITIES = {
    "sha1": "HMAC-SHA1-96",
    "sha256": "HMAC-SHA2-256-128",
    "sha384": "HMAC-SHA2-384-192",
    "sha512": "HMAC-SHA2-512-256",
}
PRFS = {
    "sha1": "PRF-HMAC-SHA1",
    "sha256": "PRF-HMAC-SHA2-256",
    "sha384": "PRF-HMAC-SHA2-384",
    "sha512": "PRF-HMAC-SHA2-512",
}


def dh_name(group: int) -> str:
    return f"Group-{group}"


def cipher_suite(args: GcpInterconnectArgs) -> Any:
    """The tunnels' IKE ciphers in Cloud VPN's spelling; an AES-GCM cipher authenticates itself (no integrity)."""
    aead = args.encryption.endswith("-gcm")
    integrity = None if aead else [INTEGRITIES[args.integrity]]
    return {
        "phase1": {
            "encryptions": [ENCRYPTIONS[args.encryption]],
            "integrities": integrity,
            "prves": [PRFS[args.integrity]],
            "dhs": [dh_name(args.dh_group)],
        },
        "phase2": {
            "encryptions": [ENCRYPTIONS[args.encryption]],
            "integrities": integrity,
            "pfs": [dh_name(args.dh_group)],
        },
    }


def tunnel_psk(resource_name: str, opts: pulumi.ResourceOptions) -> random.RandomPassword:
    return random.RandomPassword(
        resource_name,
        length=PSK_LENGTH,
        special=False,
        numeric=False,
        upper=True,
        lower=True,
        min_upper=1,
        min_lower=1,
        opts=opts,
    )


@dataclass(frozen=True)
class Vpn:
    gateway: gcp.compute.HaVpnGateway
    tunnels: dict[str, gcp.compute.VPNTunnel]
    psks: dict[str, random.RandomPassword]


def advertised(args: GcpInterconnectArgs) -> Any:
    """A BGP peer's advertisements: exactly the plan's ranges (custom mode, no subnet groups)."""
    return {
        "advertise_mode": "CUSTOM",
        "advertised_ip_ranges": [{"range": cidr} for cidr in args.advertised_ranges],
    }


def _tunnel(
    scope: Scope, args: GcpInterconnectArgs, spec: TunnelSpec, gateway: gcp.compute.HaVpnGateway, peer: Any
) -> tuple[gcp.compute.VPNTunnel, random.RandomPassword]:
    base = f"{scope.name}-{spec.name}"
    psk = tunnel_psk(f"{base}-psk", scope.opts())
    tunnel = gcp.compute.VPNTunnel(
        base,
        project=scope.project,
        region=scope.region,
        vpn_gateway=gateway.id,
        vpn_gateway_interface=spec.interface,
        peer_external_gateway=peer.id,
        peer_external_gateway_interface=spec.peer_interface,
        shared_secret=psk.result,
        router=args.router,
        ike_version=args.ike_version,
        cipher_suite=cipher_suite(args),
        labels=dict(scope.labels),
        opts=scope.opts(),
    )
    interface = gcp.compute.RouterInterface(
        f"{base}-if",
        project=scope.project,
        region=scope.region,
        router=args.router_name,
        ip_range=f"{spec.cloud_router_ip}/30",
        vpn_tunnel=tunnel.name,
        opts=scope.opts(),
    )
    gcp.compute.RouterPeer(
        f"{base}-bgp",
        project=scope.project,
        region=scope.region,
        router=args.router_name,
        interface=interface.name,
        ip_address=spec.cloud_router_ip,
        peer_ip_address=spec.peer_ip,
        peer_asn=args.peer_asn,
        advertised_route_priority=100,
        **advertised(args),
        opts=scope.opts(),
    )
    return tunnel, psk


def create_vpn(scope: Scope, args: GcpInterconnectArgs) -> Vpn:
    """The HA VPN gateway, the external gateway of the on-premises routers, and each tunnel with its BGP session."""
    gateway = gcp.compute.HaVpnGateway(
        f"{scope.name}-gateway",
        project=scope.project,
        region=scope.region,
        network=args.network,
        stack_type="IPV4_ONLY",
        description=args.description or None,
        labels=dict(scope.labels),
        opts=scope.opts(),
    )
    peer = gcp.compute.ExternalVpnGateway(
        f"{scope.name}-peer",
        project=scope.project,
        redundancy_type=REDUNDANCY[len(args.peer_ips)],
        interfaces=[{"id": index, "ip_address": ip} for index, ip in enumerate(args.peer_ips)],
        description="aidc: the private cloud's BGP/IPsec routers",
        labels=dict(scope.labels),
        opts=scope.opts(),
    )
    tunnels: dict[str, gcp.compute.VPNTunnel] = {}
    psks: dict[str, random.RandomPassword] = {}
    for spec in args.tunnels:
        tunnels[spec.name], psks[spec.name] = _tunnel(scope, args, spec, gateway, peer)
    return Vpn(gateway, tunnels, psks)
