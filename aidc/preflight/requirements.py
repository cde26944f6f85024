"""What the OpenStack checks need from a capacity plan, as explicit values: `openstack_requirements(cfg, plan)`.

The checks are functions over these dataclasses, so they can be tested without sizing. Pure Python.

Assumptions about what the stack program declares (kept here, in one place, so they can be corrected):
- Each public cloud the plan uses: its own requirements, in its preflight module (aidc/clouds/<cloud>/preflight.py).
- OpenStack, per region (edge sites may name their own): private GPU servers on
  `openstack.gpu_flavor(accelerator, gpus_per_server)`, Ceph hosts on `storage_flavor`, the core K3s
  servers (`k3s.core_servers`) and each edge site's K3s servers on `server_flavor`, each edge site's GPU
  nodes on the site's flavor; every server boots from one volume of `openstack.root_volume_gb`; one
  floating IP per K3s cluster (the core and each edge site).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aidc.config import StackConfig
    from aidc.sizing.plan import CapacityPlan


@dataclass(frozen=True)
class FlavorNeed:
    """Servers the plan boots on one Nova flavor."""

    flavor: str
    """Flavor name."""
    servers: int
    """Servers on this flavor."""
    gpus_per_server: int = 0
    """GPUs each server must carry (0: not a GPU flavor)."""
    roles: tuple[str, ...] = ()
    """Who uses it, for the report (e.g. "gpu:a100-80gb", "ceph", "k3s-core", "edge:lab")."""


@dataclass(frozen=True)
class OpenStackRequirements:
    """What the OpenStack checks verify in one region."""

    region: str | None
    """OpenStack region (None: the cloud's default)."""
    image: str
    """Glance image name every server boots."""
    external_network: str
    """Name of the external (router:external) network."""
    flavors: tuple[FlavorNeed, ...]
    """Flavors and the servers booted on each."""
    volumes: int
    """Cinder volumes the plan creates (boot volumes)."""
    volume_gb: int
    """Total GB of those volumes."""
    floating_ips: int
    """Floating IPs the plan allocates."""
    needs_vpnaas: bool = True
    """The VPN interconnect terminates on Neutron VPNaaS (the core region only)."""

    @property
    def servers(self) -> int:
        return sum(f.servers for f in self.flavors)


def openstack_requirements(cfg: StackConfig, plan: CapacityPlan) -> tuple[OpenStackRequirements, ...]:
    os_cfg = cfg.openstack
    core = os_cfg.region
    # region -> flavor -> [servers, gpus_per_server, roles]
    by_region: dict[str | None, dict[str, list]] = {core: {}}
    clusters: dict[str | None, int] = {core: 1}

    def add(region: str | None, flavor: str, servers: int, gpus: int, role: str) -> None:
        if servers <= 0:
            return
        entry = by_region.setdefault(region, {}).setdefault(flavor, [0, gpus, []])
        entry[0] += servers
        entry[1] = max(entry[1], gpus)
        if role not in entry[2]:
            entry[2].append(role)

    for group in plan.placement.private:
        flavor = os_cfg.gpu_flavor(group.accelerator, group.gpus_per_server)
        add(core, flavor, group.servers, group.gpus_per_server, f"gpu:{group.accelerator}")
    add(core, os_cfg.storage_flavor, plan.storage.hosts.int, 0, "ceph")
    add(core, os_cfg.server_flavor, cfg.k3s.core_servers, 0, "k3s-core")
    for site in plan.edge_sites:
        region = site.region or core
        clusters[region] = clusters.get(region, 0) + 1
        add(region, os_cfg.server_flavor, site.servers, 0, f"edge:{site.name}")
        add(region, site.flavor, site.nodes.int, site.gpus_per_node, f"edge:{site.name}")

    result = []
    for region, flavors in by_region.items():
        needs = tuple(
            FlavorNeed(name, servers, gpus, tuple(roles))
            for name, (servers, gpus, roles) in sorted(flavors.items())
        )
        servers = sum(f.servers for f in needs)
        result.append(
            OpenStackRequirements(
                region=region,
                image=os_cfg.image,
                external_network=os_cfg.external_network,
                flavors=needs,
                volumes=servers,
                volume_gb=servers * os_cfg.root_volume_gb,
                floating_ips=clusters.get(region, 0),
                needs_vpnaas=region == core,
            )
        )
    return tuple(result)
