"""What the live checks need from a capacity plan, as explicit values: `requirements_from_plan(cfg, plan)`.

The checks are functions over these dataclasses, so they can be tested without sizing. Pure Python.

Assumptions about what the stack program declares (kept here, in one place, so they can be corrected):
- AWS: one node group per PublicGroup; its instances run in the stack's planned AZs (`cfg.azs`); Direct
  Connect ports at the plan's locations and speed (MACsec when the plan encrypts with it).
- OpenStack, per region (edge sites may name their own): private GPU servers on
  `openstack.gpu_flavor(accelerator, gpus_per_server)`, Ceph hosts on `storage_flavor`, the core K3s
  servers (`k3s.core_servers`) and each edge site's K3s servers on `server_flavor`, each edge site's GPU
  nodes on the site's flavor; every server boots from one volume of `openstack.root_volume_gb`; one
  floating IP per K3s cluster (the core and each edge site).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aidc.catalog import INSTANCE_TYPES

if TYPE_CHECKING:
    from aidc.config import StackConfig
    from aidc.sizing.plan import CapacityPlan, DirectConnectLink


@dataclass(frozen=True)
class InstanceNeed:
    """Public instances of one type and purchase option the plan launches."""

    instance_type: str
    """EC2 instance type, e.g. "p5.48xlarge"."""
    instances: int
    """Instances of this type the plan launches (all workloads together)."""
    vcpus_per_instance: int
    """vCPUs one instance counts against the family quota."""
    quota_family: str
    """Service Quotas family whose vCPU quota bounds the type: "P" or "G"."""
    spot: bool = False
    """True for spot capacity (counted against the spot quota)."""
    efa: bool = False
    """True when the plan relies on EFA for this type."""

    @property
    def vcpus(self) -> int:
        return self.instances * self.vcpus_per_instance


@dataclass(frozen=True)
class DirectConnectNeed:
    """The Direct Connect ports the plan orders."""

    locations: tuple[str, ...]
    """Location codes the links use (e.g. EqDC2)."""
    port_gbps: float
    """Speed of each port (dedicated) or hosted connection."""
    ports: int
    """Ports (or hosted connections) ordered, the spare included."""
    hosted: bool = False
    """Hosted connections from a partner: the partner's port speeds apply, not the location's."""
    macsec: bool = False
    """The plan encrypts the ports with MACsec, so the location must offer it at this speed."""
    ports_per_location: tuple[tuple[str, int], ...] = ()
    """(location, dedicated connections the plan orders there): each counts against the account's quota."""
    connections_per_location: int = 10
    """The quota the plan was sized with (aidc:interconnect.direct_connect.connections_per_location)."""
    connection_names: tuple[str, ...] = ()
    """Names of the plan's own connections: already ordered, they are not counted twice."""


@dataclass(frozen=True)
class AwsRequirements:
    """What the AWS checks verify."""

    region: str
    """AWS region (`aws:region`)."""
    azs: tuple[str, ...]
    """Availability zones every planned instance type must be offered in."""
    instances: tuple[InstanceNeed, ...]
    """Planned GPU instances, one entry per (type, spot)."""
    eks_version: str = "1.31"
    """EKS version whose NVIDIA AMI must resolve."""
    direct_connect: DirectConnectNeed | None = None
    """Direct Connect ports the plan orders, if any."""


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


@dataclass(frozen=True)
class Requirements:
    aws: AwsRequirements
    openstack: tuple[OpenStackRequirements, ...]


def aws_requirements(cfg: StackConfig, plan: CapacityPlan) -> AwsRequirements:
    totals: dict[tuple[str, bool], list[int | bool]] = {}
    for group in plan.placement.public:
        count = group.instances.int
        if count <= 0:
            continue
        entry = totals.setdefault((group.instance_type, group.spot), [0, False])
        entry[0] = int(entry[0]) + count
        entry[1] = bool(entry[1]) or group.efa
    needs = []
    for (instance_type, spot), (count, efa) in sorted(totals.items()):
        spec = INSTANCE_TYPES[instance_type]
        needs.append(
            InstanceNeed(instance_type, int(count), spec.vcpus, spec.quota_family, spot=spot, efa=bool(efa))
        )
    dx = plan.network.direct_connect
    direct_connect = (
        DirectConnectNeed(
            locations=tuple(dict.fromkeys(link.location for link in dx.links)),
            port_gbps=dx.port_gbps,
            ports=dx.ports.int,
            hosted=dx.hosted,
            macsec=dx.encryption == "macsec",
            ports_per_location=_ports_per_location(dx.links, dx.hosted),
            connections_per_location=cfg.interconnect.direct_connect.connections_per_location,
            # The program names each port <component>-<link>-port-<i> (stacks/program.py: component "dx").
            connection_names=tuple(
                f"dx-{link.name}-port-{port}" for link in dx.links for port in range(link.ports)
            )
            if not dx.hosted
            else (),
        )
        if dx is not None
        else None
    )
    return AwsRequirements(cfg.aws_region, tuple(cfg.azs), tuple(needs), cfg.aws.eks_version, direct_connect)


def _ports_per_location(links: Sequence[DirectConnectLink], hosted: bool) -> tuple[tuple[str, int], ...]:
    if hosted:  # hosted connections are the partner's, not the account's dedicated ones
        return ()
    counts: dict[str, int] = {}
    for link in links:
        counts[link.location] = counts.get(link.location, 0) + link.ports
    return tuple(counts.items())


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


def requirements_from_plan(cfg: StackConfig, plan: CapacityPlan) -> Requirements:
    """Everything the live checks verify, derived from the stack config and its capacity plan."""
    return Requirements(aws_requirements(cfg, plan), openstack_requirements(cfg, plan))
