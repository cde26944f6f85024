"""Resource tests for GcpInterconnect under AidcMocks: HA VPN with one BGP session per tunnel on link-local /30s,
the ciphers of aidc:vpn in Cloud VPN's spelling, random pre-shared keys kept secret, Dedicated Interconnect links
with MACsec and VLAN attachments with MD5-authenticated BGP, the exports the private side peers with, and Args
refusals naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from aidc.mocks import AidcMocks
from aidc.offline import unwrap
from components.gcp_interconnect import (
    AttachmentSpec,
    GcpInterconnect,
    GcpInterconnectArgs,
    LinkSpec,
    TunnelSpec,
)
from tests.components.args_helpers import assert_refused

TUNNELS = (
    TunnelSpec(name="tunnel-0", interface=0, peer_interface=0, bgp_cidr="169.254.200.0/30"),
    TunnelSpec(name="tunnel-1", interface=1, peer_interface=1, bgp_cidr="169.254.200.4/30"),
)
LINK = LinkSpec(name="link-0", location="iad-zone1-1", circuits=2, link_type="LINK_TYPE_ETHERNET_100G_LR")
ATTACHMENT = AttachmentSpec(
    name="attachment-0", link="link-0", bandwidth="BPS_50G", vlan=100, bgp_cidr="169.254.210.0/29"
)
RANGES = ("10.40.0.0/20", "10.44.0.0/14", "10.48.0.0/20", "10.49.0.0/28")


def _args(**changes: Any) -> GcpInterconnectArgs:
    base: dict[str, Any] = {
        "project": "aidc-gpu-test",
        "region": "us-central1",
        "network": "projects/aidc-gpu-test/global/networks/gcp-vpc",
        "router": "projects/aidc-gpu-test/regions/us-central1/routers/gcp-router",
        "router_name": "gcp-router",
        "peer_ips": ("80.80.80.1", "80.80.80.2"),
        "tunnels": TUNNELS,
        "advertised_ranges": RANGES,
        "links": (LINK,),
        "attachments": (ATTACHMENT,),
        "macsec": True,
        "customer_name": "Example Corp",
    }
    base.update(changes)
    return GcpInterconnectArgs(**base)


@dataclass
class Built:
    registered: list[pulumi.runtime.MockResourceArgs]
    outputs: dict[str, Any]
    secrets: dict[str, bool]

    def of(self, token_end: str) -> dict[str, dict[str, Any]]:
        """Inputs (secrets unwrapped: what the API receives) of the resources whose type ends with `token_end`."""
        return {r.name: unwrap(r.inputs) for r in self.registered if r.typ.endswith(token_end)}

    def raw(self, name: str) -> dict[str, Any]:
        """A resource's inputs as registered (secrets still wrapped)."""
        return next(dict(r.inputs) for r in self.registered if r.name == name)


def build(args: GcpInterconnectArgs) -> Built:
    mocks = AidcMocks(regions={"gcp": "us-central1"})
    pulumi.runtime.set_mocks(mocks, project="aidc", stack="test", preview=False)
    outputs: dict[str, Any] = {}
    secrets: dict[str, bool] = {}
    names = ("gateway_addresses", "tunnels", "tunnel_psks", "links", "attachments", "bgp_md5_keys")

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        made = GcpInterconnect("gcp-interconnect", args)
        values = [getattr(made, name) for name in names]
        return pulumi.Output.all(*values, *(v.is_secret() for v in values)).apply(
            lambda got: (
                outputs.update(zip(names, got[: len(names)], strict=True)),
                secrets.update(zip(names, got[len(names) :], strict=True)),
            )
        )

    run()
    return Built(list(mocks.registered), outputs, secrets)


@pytest.fixture(scope="module")
def built() -> Built:
    return build(_args())


def test_ha_vpn_peers_with_the_on_premises_routers(built: Built) -> None:
    (gateway,) = built.of(":HaVpnGateway").values()
    assert gateway["network"].endswith("/networks/gcp-vpc") and gateway["stackType"] == "IPV4_ONLY"
    (peer,) = built.of(":ExternalVpnGateway").values()
    assert peer["redundancyType"] == "TWO_IPS_REDUNDANCY"
    assert peer["interfaces"] == [{"id": 0, "ipAddress": "80.80.80.1"}, {"id": 1, "ipAddress": "80.80.80.2"}]
    tunnels = built.of(":VPNTunnel")
    assert set(tunnels) == {"gcp-interconnect-tunnel-0", "gcp-interconnect-tunnel-1"}
    for index, spec in enumerate(TUNNELS):
        tunnel = tunnels[f"gcp-interconnect-{spec.name}"]
        assert tunnel["vpnGatewayInterface"] == index and tunnel["peerExternalGatewayInterface"] == index
        assert tunnel["ikeVersion"] == 2 and tunnel["router"].endswith("/routers/gcp-router")
        assert len(tunnel["sharedSecret"]) == 48 and tunnel["sharedSecret"].isalpha()
        assert rpc.is_rpc_secret(built.raw(f"gcp-interconnect-{spec.name}")["sharedSecret"])


def test_tunnels_use_one_cipher_per_role_in_cloud_vpns_spelling(built: Built) -> None:
    for tunnel in built.of(":VPNTunnel").values():
        assert tunnel["cipherSuite"] == {
            "phase1": {
                "encryptions": ["AES-GCM-16-256"],
                "prves": ["PRF-HMAC-SHA2-256"],
                "dhs": ["Group-20"],
            },
            "phase2": {"encryptions": ["AES-GCM-16-256"], "pfs": ["Group-20"]},
        }
    cbc = build(
        _args(encryption="aes256", integrity="sha384", dh_group=14, links=(), attachments=(), macsec=False)
    )
    (tunnel, _) = cbc.of(":VPNTunnel").values()
    assert tunnel["cipherSuite"]["phase1"]["integrities"] == ["HMAC-SHA2-384-192"]
    assert tunnel["cipherSuite"]["phase2"] == {
        "encryptions": ["AES-CBC-256"],
        "integrities": ["HMAC-SHA2-384-192"],
        "pfs": ["Group-14"],
    }


def test_each_tunnel_has_a_bgp_session_on_its_link_local_30_advertising_the_gke_ranges(built: Built) -> None:
    interfaces, peers = built.of(":RouterInterface"), built.of(":RouterPeer")
    assert interfaces["gcp-interconnect-tunnel-1-if"]["ipRange"] == "169.254.200.5/30"
    peer = peers["gcp-interconnect-tunnel-1-bgp"]
    assert peer["ipAddress"] == "169.254.200.5" and peer["peerIpAddress"] == "169.254.200.6"
    assert peer["peerAsn"] == 65000 and peer["router"] == "gcp-router"
    assert peer["advertiseMode"] == "CUSTOM"
    assert [r["range"] for r in peer["advertisedIpRanges"]] == list(RANGES)
    assert "advertisedGroups" not in peer


def test_dedicated_links_request_macsec_and_attachments_peer_with_md5(built: Built) -> None:
    (link,) = built.of(":Interconnect").values()
    assert link["interconnectType"] == "DEDICATED" and link["linkType"] == "LINK_TYPE_ETHERNET_100G_LR"
    assert link["requestedLinkCount"] == 2 and link["customerName"] == "Example Corp"
    assert link["location"] == (
        "https://www.googleapis.com/compute/v1/projects/aidc-gpu-test/global/interconnectLocations/iad-zone1-1"
    )
    assert link["requestedFeatures"] == ["IF_MACSEC"] and link["macsecEnabled"] is True
    assert link["macsec"] == {"preSharedKeys": [{"name": "link-0-key-1"}], "failOpen": False}
    (attachment,) = built.of(":InterconnectAttachment").values()
    assert attachment["type"] == "DEDICATED" and attachment["bandwidth"] == "BPS_50G"
    assert attachment["vlanTag8021q"] == 100 and attachment["candidateSubnets"] == ["169.254.210.0/29"]
    assert attachment["interconnect"].endswith(
        "/interconnects/gcp-interconnect-link-0-" + attachment["interconnect"][-7:]
    )
    peer = built.of(":RouterPeer")["gcp-interconnect-attachment-0-bgp"]
    assert peer["peerIpAddress"] == "169.254.210.2"
    assert (
        peer["md5AuthenticationKey"]["name"] == "attachment-0-md5"
        and len(peer["md5AuthenticationKey"]["key"]) == 32
    )
    assert rpc.is_rpc_secret(built.raw("gcp-interconnect-attachment-0-bgp")["md5AuthenticationKey"])
    assert built.of(":RouterInterface")["gcp-interconnect-attachment-0-if"]["ipRange"] == "169.254.210.1/29"


def test_the_private_side_gets_what_it_peers_with_and_the_keys_stay_secret(built: Built) -> None:
    tunnels = built.outputs["tunnels"]
    assert tunnels["tunnel-0"]["peer_address"] == "80.80.80.1"
    assert tunnels["tunnel-0"]["google_address"] in built.outputs["gateway_addresses"]
    assert (
        tunnels["tunnel-0"]["peer_bgp_address"] == "169.254.200.2"
        and tunnels["tunnel-0"]["router_asn"] == 64520
    )
    assert set(built.outputs["tunnel_psks"]) == {"tunnel-0", "tunnel-1"}
    assert built.secrets["tunnel_psks"] and built.secrets["bgp_md5_keys"]
    assert not built.secrets["tunnels"]
    assert built.outputs["links"]["link-0"]["macsec_keys"] == ["link-0-key-1"]
    assert built.outputs["attachments"]["attachment-0"]["peer_bgp_address"] == "169.254.210.2/29"


def test_without_links_only_ha_vpn_is_declared() -> None:
    vpn_only = build(
        _args(
            links=(),
            attachments=(),
            macsec=False,
            peer_ips=("80.80.80.1",),
            tunnels=(
                TUNNELS[0],
                TunnelSpec(name="tunnel-1", interface=1, peer_interface=0, bgp_cidr="169.254.200.4/30"),
            ),
        )
    )
    assert not vpn_only.of(":Interconnect") and not vpn_only.of(":InterconnectAttachment")
    (peer,) = vpn_only.of(":ExternalVpnGateway").values()
    assert peer["redundancyType"] == "SINGLE_IP_INTERNALLY_REDUNDANT"
    assert vpn_only.outputs["links"] == {} and vpn_only.outputs["bgp_md5_keys"] == {}


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"peer_ips": ("10.0.0.1",)}, "peer_ips[0]", "not a public address"),
        ({"peer_ips": ()}, "peer_ips", "at least 1"),
        ({"peer_ips": ("80.80.80.1",)}, "tunnels[1].peer_interface", "1 peer addresses"),
        ({"dh_group": 22}, "dh_group", "no longer supports group 22"),
        ({"router_asn": 3000}, "router_asn", "private ASN"),
        ({"peer_asn": 64520}, "peer_asn", "eBGP"),
        ({"tunnels": (TUNNELS[0], TUNNELS[0])}, "tunnels[1]", "used twice"),
        (
            {"attachments": (ATTACHMENT.model_copy(update={"link": "link-9"}),)},
            "attachments[0].link",
            "not among links",
        ),
        ({"advertised_ranges": ()}, "advertised_ranges", "at least 1"),
    ],
    ids=[
        "private-peer",
        "no-peer",
        "peer-interface",
        "dh-22",
        "public-asn",
        "same-asn",
        "twice",
        "stray-link",
        "nothing-advertised",
    ],
)
def test_bad_args_are_refused_naming_the_field(changes: dict[str, Any], field: str, says: str) -> None:
    assert_refused(lambda: _args(**changes), field, says=says)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        (
            {"name": "t", "interface": 0, "peer_interface": 0, "bgp_cidr": "169.254.200.0/29"},
            "/30 in 169.254.0.0/16",
        ),
        (
            {"name": "t", "interface": 0, "peer_interface": 0, "bgp_cidr": "10.0.0.0/30"},
            "/30 in 169.254.0.0/16",
        ),
        ({"name": "t", "interface": 2, "peer_interface": 0, "bgp_cidr": "169.254.200.0/30"}, "0 or 1"),
    ],
)
def test_bad_tunnels_are_refused(spec: dict[str, Any], says: str) -> None:
    field = "tunnels[0].interface" if spec["interface"] == 2 else "tunnels[0].bgp_cidr"
    assert_refused(lambda: _args(tunnels=(spec,)), field, says=says)
