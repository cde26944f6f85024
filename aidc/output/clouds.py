"""The public clouds as the outputs show them: what each is called, and each one's interconnect to the private cloud
read from a plan document into one shape, so `aidc size`'s tables and the Mermaid topology draw every cloud the same
way (nothing here branches on a cloud's name; what differs is a row of `WORDS`).

The plan keeps one cloud's interconnect in `network`'s own fields (VPN connections, tunnels, Direct Connect: AWS's,
aidc/sizing/plan.py NetworkPlan) and every other cloud's in `network.interconnects[]` (e.g. Google Cloud's HA VPN
tunnels, Dedicated Interconnect links and VLAN attachments: aidc/clouds/gcp/interconnect.py). `links(document)` reads
both into `Link`s, one per public cloud the plan uses. Plain dicts in (a `aidc size --json` document or the `plan` of
an `aidc plan --json` one), plain values out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aidc.contract import PUBLIC_CLOUDS

Doc = Mapping[str, Any]


@dataclass(frozen=True)
class Words:
    """What a public cloud's parts are called in tables and diagrams."""

    name: str  # the cloud, for people
    cluster: str  # its Kubernetes service
    node_groups: str  # what a GPU node group is called there
    bucket: str  # its object store
    vpn: str  # its VPN to the private cloud
    dedicated: str  # its dedicated link


WORDS: Mapping[str, Words] = {
    "aws": Words("AWS", "EKS", "node groups", "S3", "Site-to-Site VPN", "Direct Connect"),
    "gcp": Words(
        "Google Cloud", "GKE", "node pools", "Cloud Storage", "HA VPN (BGP)", "Dedicated Interconnect"
    ),
}
# The cloud whose interconnect the plan's `network` fields describe themselves (NetworkPlan: "the interconnects of
# the public clouds other than the one the fields above describe (AWS's)").
NETWORK_FIELDS_CLOUD = "aws"


def words(cloud: str) -> Words:
    """The cloud's words; a cloud registered later without a row here is called by its name."""
    return WORDS.get(cloud) or Words(cloud, "Kubernetes", "node groups", "bucket", "VPN", "dedicated link")


@dataclass(frozen=True)
class Link:
    """One public cloud's interconnect to the private cloud, as sized."""

    cloud: str
    required_gbps: float  # what the transfers to this cloud need
    vpn_tunnels: int
    vpn_connections: int | None  # VPN connections (two tunnels each), where the cloud counts them
    vpn_gbps: float
    capacity_gbps: float  # VPN plus the dedicated links, spares excluded
    dedicated: str  # the dedicated links in a few words ("" when none is sized)
    notes: tuple[str, ...] = ()  # why the dedicated links are there, their encryption, the bulk path

    @property
    def dedicated_gbps(self) -> float:
        """What the dedicated links carry (spares excluded)."""
        return max(0.0, self.capacity_gbps - self.vpn_gbps)

    sources: tuple[tuple[str, Doc], ...] = field(default=())  # the document objects whose `why` explain it


def used_clouds(document: Doc) -> list[str]:
    """The public clouds the plan declares resources in: the document's `clouds`, or for a document made before
    it carried them, where its groups are placed and which interconnects it sized."""
    if isinstance(document.get("clouds"), list):
        return [str(c) for c in document["clouds"]]
    network = document.get("network") or {}
    found = {
        str(g.get("location") or NETWORK_FIELDS_CLOUD)
        for g in (document.get("placement") or {}).get("public") or []
    }
    found |= {str(i.get("cloud")) for i in network.get("interconnects") or []}
    if network.get("vpn_connections"):
        found.add(NETWORK_FIELDS_CLOUD)
    return [c for c in PUBLIC_CLOUDS if c in found] + sorted(found - set(PUBLIC_CLOUDS))


def _n(value: Any) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _direct_connect(dc: Doc) -> tuple[str, tuple[str, ...]]:
    kind = "hosted connections" if dc.get("hosted") else "ports"
    locations = ", ".join(dc.get("locations") or [dc.get("location", "")])
    text = (
        f"{_n(dc.get('ports') or 0)} × {_n(dc.get('port_gbps') or 0)} Gbps {kind} (1 spare), "
        f"{_plural(len(dc.get('links') or []), 'link')} at {locations}, {dc.get('encryption', '')}"
    )
    notes = (
        f"Direct Connect at {locations}: {dc.get('reason', '')}",
        f"encryption: {dc.get('encryption_reason', '')}",
        *([f"bulk transfers: {dc['bulk_path']}"] if dc.get("bulk_path") else []),
    )
    return text, notes


def _network_fields_link(network: Doc) -> Link:
    dc = network.get("direct_connect")
    dedicated, notes = _direct_connect(dc) if dc else ("", ())
    return Link(
        cloud=NETWORK_FIELDS_CLOUD,
        required_gbps=float(network.get("required_gbps") or 0),
        vpn_tunnels=int(network.get("vpn_tunnels") or 0),
        vpn_connections=int(network.get("vpn_connections") or 0),
        vpn_gbps=float(network.get("provisioned_gbps") or 0),
        capacity_gbps=float(network.get("interconnect_gbps") or network.get("provisioned_gbps") or 0),
        dedicated=dedicated,
        notes=notes,
        sources=(("", network), *((("Direct Connect ", dc),) if dc else ())),
    )


def _dedicated_links(entry: Doc) -> str:
    """A cloud's own dedicated links (e.g. Dedicated Interconnect): circuits by speed, links, attachments."""
    links: Sequence[Doc] = entry.get("links") or []
    if not links:
        return ""
    circuits = entry.get("port_gbps")
    unit = str(((entry.get("why") or {}).get("port_gbps") or {}).get("unit") or "circuits").removeprefix("x ")
    parts = [
        f"{_n(circuits)} × {unit} (1 spare)" if circuits else "",
        f"{_plural(len(links), 'link')} at {', '.join(sorted({str(link.get('location')) for link in links}))}",
        _plural(len(entry.get("attachments") or []), "VLAN attachment") if entry.get("attachments") else "",
        str(entry.get("encryption") or ""),
    ]
    return ", ".join(p for p in parts if p)


def _interconnect_link(entry: Doc) -> Link:
    reason = str(entry.get("reason") or "")
    return Link(
        cloud=str(entry.get("cloud")),
        required_gbps=float(entry.get("required_gbps") or 0),
        vpn_tunnels=int(entry.get("vpn_tunnels") or 0),
        vpn_connections=None,
        vpn_gbps=float(entry.get("vpn_gbps") or 0),
        capacity_gbps=float(entry.get("capacity_gbps") or 0),
        dedicated=_dedicated_links(entry),
        notes=(f"{words(str(entry.get('cloud'))).dedicated}: {reason}",) if reason else (),
        sources=(("", entry),),
    )


def links(document: Doc) -> list[Link]:
    """Each public cloud's interconnect the plan sizes, in the clouds' registered order."""
    network = document.get("network") or {}
    clouds = used_clouds(document)
    found = {
        str(entry.get("cloud")): _interconnect_link(entry) for entry in network.get("interconnects") or []
    }
    if NETWORK_FIELDS_CLOUD in clouds and NETWORK_FIELDS_CLOUD not in found:
        found[NETWORK_FIELDS_CLOUD] = _network_fields_link(network)
    return [found[c] for c in clouds if c in found] + [link for c, link in found.items() if c not in clouds]
