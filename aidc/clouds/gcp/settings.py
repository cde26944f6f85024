"""`aidc:gcp`: the settings of the Google Cloud side of a stack — project, region, zones, networks, GKE, and the
interconnect to the private cloud (HA VPN with Cloud Router, and Cloud Interconnect when the VPN cannot carry the
transfers).

Every key has a default, so `aidc size` needs none of them; they matter once the plan uses Google Cloud. The Pulumi
Google Cloud provider's own keys `gcp:project` and `gcp:region` are read into `project` and `region`
(`PROVIDER_KEYS`). Names and ranges are checked against Google Cloud's documented rules, each with its source.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field, field_validator, model_validator

from aidc.config.base import Model, check_cidr
from aidc.config.limits import K8S_LABEL_SOURCE, NameRule
from aidc.contract import GkeReleaseChannel
from aidc.types import AdminCidrs, field_error

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

DEFAULT_REGION = "us-central1"
PROVIDER_KEYS = {"gcp:project": "project", "gcp:region": "region"}
"""The Google Cloud provider's config keys and the settings field each fills."""

# Project IDs: "6 to 30 characters, lowercase letters, digits and hyphens, start with a letter, cannot end with a
# hyphen" (cloud.google.com/resource-manager/docs/creating-managing-projects, read 2026-12).
PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", re.ASCII)
# Region and zone names: <continent>-<area><number> and <region>-<letter> (cloud.google.com/compute/docs/regions-zones).
REGION = re.compile(r"[a-z]+-[a-z]+[0-9]{1,2}", re.ASCII)
ZONE = re.compile(r"([a-z]+-[a-z]+[0-9]{1,2})-([a-z])", re.ASCII)
# The regions Compute Engine lists (pricing.yml of github.com/Cyclenerd/google-cloud-pricing-cost-calculator at
# fd66b26, generated 2026-07-30 from the Cloud Billing Catalog, plus europe-north2, northamerica-northeast2,
# northamerica-south1 and asia-southeast3 from cloud.google.com/compute/docs/regions-zones). A region's number cannot be
# checked offline (Google opens regions in known areas), so config refuses a name whose area is none of these —
# `us-centrall1` is a typo, `asia-southeast4` may be new — and preflight asks the Compute API.
KNOWN_REGIONS: tuple[str, ...] = (
    "africa-south1",
    *(f"asia-east{n}" for n in (1, 2)),
    *(f"asia-northeast{n}" for n in (1, 2, 3)),
    *(f"asia-south{n}" for n in (1, 2)),
    *(f"asia-southeast{n}" for n in (1, 2, 3)),
    *(f"australia-southeast{n}" for n in (1, 2)),
    "europe-central2",
    *(f"europe-north{n}" for n in (1, 2)),
    "europe-southwest1",
    *(f"europe-west{n}" for n in (1, 2, 3, 4, 6, 8, 9, 10, 12)),
    "me-central1",
    "me-central2",
    "me-west1",
    *(f"northamerica-northeast{n}" for n in (1, 2)),
    "northamerica-south1",
    *(f"southamerica-{area}1" for area in ("east", "west")),
    "us-central1",
    *(f"us-east{n}" for n in (1, 4, 5)),
    "us-south1",
    *(f"us-west{n}" for n in (1, 2, 3, 4)),
)
KNOWN_AREAS = frozenset(region.rstrip("0123456789") for region in KNOWN_REGIONS)
# Most regions have zones a, b, c; these name theirs otherwise (cloud.google.com/compute/docs/regions-zones).
ZONES_OTHER_THAN_ABC: dict[str, tuple[str, ...]] = {
    "us-central1": ("a", "b", "c", "f"),
    "us-east1": ("b", "c", "d"),
    "europe-west1": ("b", "c", "d"),
}
# GCP labels: keys 1-63 characters of lowercase letters, digits, '_' and '-', starting with a lowercase letter;
# values 0-63 of the same; at most 64 labels (cloud.google.com/compute/docs/labeling-resources#requirements).
LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}", re.ASCII)
LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}", re.ASCII)
MAX_LABELS = 64
# Cloud Router ASNs: a private ASN, 64512-65534 or 4200000000-4294967294 (cloud.google.com/network-connectivity/
# docs/router/how-to/create-router-vpc-network; Partner Interconnect routers take 16550 instead).
PRIVATE_ASNS = ((64512, 65534), (4_200_000_000, 4_294_967_294))
LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")

# A workload placed in Google Cloud becomes a GKE node pool named "<workload>-<machine type>" (PublicGroup.name) in
# the cluster "gcp" (stacks/clouds/gcp.py), and a Google service account named after the workload.
WORKLOAD_NAMES: tuple[NameRule, ...] = (
    NameRule(
        "node pool name",
        "{name}-{instance_type}",
        40,
        "GKE node pool names: at most 40 characters (cloud.google.com/kubernetes-engine/docs/reference/rest/v1/"
        "projects.locations.clusters.nodePools#NodePool, name: 'must be 1-40 characters')",
    ),
    NameRule("aidc.io/node-group label", "{name}-{instance_type}", 63, K8S_LABEL_SOURCE),
    NameRule(
        "service account ID",
        "aidc-{name}",
        30,
        "IAM service account IDs: 6-30 characters (cloud.google.com/iam/docs/service-accounts-create)",
    ),
)


def _private_asn(value: int) -> int:
    if not any(low <= value <= high for low, high in PRIVATE_ASNS):
        raise ValueError(f"{value} is not a private ASN: use 64512-65534 or 4200000000-4294967294")
    return value


class HaVpn(Model):
    """`aidc:gcp.vpn`: HA VPN from the VPC's Cloud Router to the on-premises BGP routers.

    HA VPN routes with BGP only; Neutron VPNaaS speaks none, so its peers are the private cloud's border routers
    (the ones that already peer with Direct Connect), named here by their public addresses."""

    peer_ips: tuple[str, ...] = Field(
        (),
        max_length=2,
        description="public IPv4 of the on-premises BGP/IPsec routers (one or two); required to `pulumi up` a "
        "stack that uses Google Cloud",
    )
    peer_asn: int = Field(65000, ge=1, le=4_294_967_294, description="BGP ASN of the on-premises routers")
    router_asn: int = Field(64520, description="the Cloud Router's private ASN")
    inside_cidr: str = Field(
        "169.254.200.0/24", description="link-local block the tunnels' BGP sessions take their /30s from"
    )

    @field_validator("peer_ips")
    @classmethod
    def _peers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for ip in value:
            try:
                address = ipaddress.IPv4Address(ip)
            except ValueError:
                raise ValueError(f"{ip!r} is not an IPv4 address") from None
            if not address.is_global:
                raise ValueError(f"{ip} is not a public address: HA VPN peers are reached over the internet")
        if len(set(value)) != len(value):
            raise ValueError(f"peer addresses must be distinct, got {list(value)}")
        return value

    @field_validator("router_asn")
    @classmethod
    def _router_asn(cls, value: int) -> int:
        return _private_asn(value)

    @field_validator("inside_cidr")
    @classmethod
    def _inside(cls, value: str) -> str:
        check_cidr(value, version=4, longest=27)
        if not ipaddress.IPv4Network(value).subnet_of(LINK_LOCAL):
            raise ValueError(f"{value} is not in 169.254.0.0/16: BGP over HA VPN uses link-local /30s")
        return value


class Interconnect(Model):
    """`aidc:gcp.interconnect`: Dedicated Cloud Interconnect, declared when HA VPN cannot carry the transfers."""

    mode: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: when the transfers need more than the VPN carries; always; never"
    )
    location: str = Field(
        "iad-zone1-1",
        pattern=r"^[a-z0-9-]{1,63}$",
        description="the colocation facility's Interconnect location name (gcloud compute interconnects locations list)",
    )
    port_gbps: Literal[10, 100] | None = Field(
        None, description="circuit speed; default: the smallest that fits"
    )
    macsec: bool = Field(
        True, description="the location offers MACsec at the speed (checked by aidc preflight)"
    )
    bgp_peer_cidr: str = Field(
        "169.254.210.0/24", description="link-local block the VLAN attachments take their /29s from"
    )

    @field_validator("bgp_peer_cidr")
    @classmethod
    def _bgp(cls, value: str) -> str:
        check_cidr(value, version=4, longest=29)
        if not ipaddress.IPv4Network(value).subnet_of(LINK_LOCAL):
            raise ValueError(f"{value} is not in 169.254.0.0/16: VLAN attachments peer on link-local /29s")
        return value


class Settings(Model):
    """`aidc:gcp`: the Google Cloud side of a stack (used only when the plan places capacity or data there)."""

    project: str | None = Field(
        None,
        description="Google Cloud project ID; `gcp:project` (the provider's own key) sets it too; required to "
        "`pulumi up` a stack that uses Google Cloud",
    )
    region: str = Field(DEFAULT_REGION, description="region; `gcp:region` sets it too")
    zones: tuple[str, ...] | None = Field(
        None,
        max_length=8,
        description="zones of the region the node pools run in; default: the region's first three",
    )
    network_cidr: str = Field(
        "10.40.0.0/20", description="the GKE subnet's primary range (nodes), IPv4 /8 to /29"
    )
    pods_cidr: str = Field("10.44.0.0/14", description="secondary range for Pods (VPC-native), /9 to /24")
    services_cidr: str = Field("10.48.0.0/20", description="secondary range for Services, /16 to /27")
    master_cidr: str = Field(
        "10.49.0.0/28", description="the private control plane's /28 (RFC 1918, unused elsewhere)"
    )
    release_channel: GkeReleaseChannel = Field(
        "REGULAR", description="GKE release channel: the control plane and nodes upgrade within it"
    )
    system_machine_type: str = Field(
        "e2-standard-4", pattern=r"^[a-z][a-z0-9]*-[a-z0-9-]+$", description="machine type of the system pool"
    )
    system_nodes: int = Field(1, ge=1, le=20, description="system nodes per zone")
    admin_cidrs: AdminCidrs = Field(
        (), description="networks besides the private cloud's allowed to reach the GKE control plane"
    )
    labels: dict[str, str] = Field(default_factory=dict, description="labels on every resource (GCP's rules)")
    vpn: HaVpn = HaVpn()
    interconnect: Interconnect = Interconnect()

    @field_validator("project")
    @classmethod
    def _project(cls, value: str | None) -> str | None:
        if value is not None and not PROJECT_ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a project ID: 6-30 lowercase letters, digits and hyphens, starting with a "
                "letter and not ending with a hyphen"
            )
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not REGION.fullmatch(value):
            raise ValueError(f"{value!r} is not a Google Cloud region (e.g. us-central1, europe-west4)")
        if value.rstrip("0123456789") not in KNOWN_AREAS:
            from aidc.config.suggest import closest

            match = closest(value, KNOWN_REGIONS)
            hint = f"did you mean {match!r}?" if match else "e.g. us-central1, europe-west4, asia-southeast1"
            raise ValueError(f"{value!r} is in no area Google Cloud has regions in (as of 2026-07); {hint}")
        return value

    @field_validator("network_cidr", "pods_cidr", "services_cidr", "master_cidr")
    @classmethod
    def _cidrs(cls, value: str, info: object) -> str:
        field = getattr(info, "field_name", "")
        bounds = {
            "network_cidr": (8, 29),
            "pods_cidr": (9, 24),
            "services_cidr": (16, 27),
            "master_cidr": (28, 28),
        }[field]
        check_cidr(value, version=4, shortest=bounds[0], longest=bounds[1])
        if field == "master_cidr" and not ipaddress.ip_network(value).is_private:
            raise ValueError(f"{value} is not an RFC 1918 range: the GKE control plane's /28 must be private")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_LABELS - 8:  # aidc adds up to 8 of its own
            raise ValueError(f"{len(value)} labels: Google Cloud allows {MAX_LABELS}, and aidc adds up to 8")
        for key, label in value.items():
            if not LABEL_KEY.fullmatch(key):
                raise ValueError(
                    f"label key {key[:70]!r}: 1-63 lowercase letters, digits, '_' or '-', from a letter"
                )
            if not LABEL_VALUE.fullmatch(label):
                raise ValueError(
                    f"label {key}: value {label[:70]!r}: 0-63 lowercase letters, digits, '_' or '-'"
                )
        return value

    @model_validator(mode="after")
    def _zones_and_ranges(self) -> Settings:
        for index, zone in enumerate(self.zones or ()):
            match = ZONE.fullmatch(zone)
            if not match or match.group(1) != self.region:
                raise field_error(
                    f"zones[{index}]", f"{zone!r} is not a zone of {self.region} ({self.region}-a, …)"
                )
        if self.zones is not None and len(set(self.zones)) != len(self.zones):
            raise field_error("zones", f"zones must be distinct, got {list(self.zones)}")
        ranges = self.routed_ranges()
        for i, (key, cidr) in enumerate(ranges):
            for other_key, other in ranges[:i]:
                if ipaddress.ip_network(cidr).overlaps(ipaddress.ip_network(other)):
                    raise field_error(key.removeprefix("aidc:gcp."), f"{cidr} overlaps {other_key} ({other})")
        return self

    @property
    def zone_names(self) -> tuple[str, ...]:
        """The zones the node pools run in: the configured ones, else the region's first three."""
        if self.zones:
            return self.zones
        letters = ZONES_OTHER_THAN_ABC.get(self.region, ("a", "b", "c"))[:3]
        return tuple(f"{self.region}-{letter}" for letter in letters)

    def routed_ranges(self) -> list[tuple[str, str]]:
        """(config key, CIDR) of the Google Cloud networks the private cloud routes to."""
        return [
            ("aidc:gcp.network_cidr", self.network_cidr),
            ("aidc:gcp.pods_cidr", self.pods_cidr),
            ("aidc:gcp.services_cidr", self.services_cidr),
            ("aidc:gcp.master_cidr", self.master_cidr),
        ]


def settings_of(cfg: StackConfig) -> Settings:
    """The stack's `aidc:gcp` settings, typed."""
    return cast(Settings, cfg.cloud("gcp"))
