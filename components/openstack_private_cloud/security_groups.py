"""The security groups of OpenStackPrivateCloud: `internal` (members talk to each other freely: K3s, etcd, VXLAN,
NCCL) and `admin` (SSH and the K3s API from the admin CIDRs only, plus the K3s API from the API CIDRs).

Rules are named from their CIDR, never from a position, so adding a CIDR never renames another's rule. The groups
are handed on only once every rule exists, so no server boots half-protected.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_openstack as openstack

from components._names import cidr_slug
from components._scope import Scope

# Ports that administer a node or the cluster: never reachable from anywhere but admin_cidrs.
ADMIN_PORTS: tuple[int, ...] = (22, 6443)
K3S_API_PORT = 6443


@dataclass(frozen=True)
class AdminRule:
    """One ingress rule of the admin group: TCP `port` from `remote_ip_prefix`."""

    role: str
    """The rule's name after the component's: 'sg-admin-<port>-<cidr>' or 'sg-api-<port>-<cidr>'."""
    port: int
    """The one TCP port it opens."""
    remote_ip_prefix: str
    """The source network, normalised (host bits cleared)."""
    ethertype: str
    """'IPv4' or 'IPv6', from the source network."""
    description: str
    """What the rule is for, as the rule's description says it."""


def admin_rules(admin_cidrs: Sequence[str], api_cidrs: Sequence[str]) -> list[AdminRule]:
    """Every admin port from each admin CIDR, then the K3s API from each API CIDR that is not an admin CIDR
    already (it has the port then); each list sorted and without repeats."""
    rules: list[AdminRule] = []
    for cidr in sorted(set(admin_cidrs)):
        admin_net = ipaddress.ip_network(cidr, strict=False)
        for port in ADMIN_PORTS:
            rules.append(
                AdminRule(
                    f"sg-admin-{port}-{cidr_slug(cidr)}",
                    port,
                    str(admin_net),
                    f"IPv{admin_net.version}",
                    f"aidc: admin port {port}",
                )
            )
    for cidr in sorted(set(api_cidrs) - set(admin_cidrs)):
        api_net = ipaddress.ip_network(cidr, strict=False)
        rules.append(
            AdminRule(
                f"sg-api-{K3S_API_PORT}-{cidr_slug(cidr)}",
                K3S_API_PORT,
                str(api_net),
                f"IPv{api_net.version}",
                f"aidc: K3s API {K3S_API_PORT}",
            )
        )
    return rules


@dataclass(frozen=True)
class SecurityGroups:
    """The two groups, each known to consumers only once every rule exists."""

    ids: pulumi.Output[list[str]]
    """[internal, admin] by id (Heat's server parameters)."""
    names: pulumi.Output[list[str]]
    """[internal, admin] by name (the openstack provider reads an instance's groups back by name)."""


def create_security_groups(
    scope: Scope, admin_cidrs: Sequence[str], api_cidrs: Sequence[str]
) -> SecurityGroups:
    """The internal group and its same-group rules (IPv4, IPv6), the admin group and its rules."""
    name = scope.name
    internal_sg = openstack.networking.SecGroup(
        f"{name}-sg-internal",
        name=f"{name}-internal",
        description="aidc: traffic between members of this group only",
        opts=scope.opts(),
    )
    rules = [
        openstack.networking.SecGroupRule(
            f"{name}-sg-internal-{ethertype.lower()}",
            security_group_id=internal_sg.id,
            direction="ingress",
            ethertype=ethertype,
            remote_group_id=internal_sg.id,
            description="aidc: intra-cluster",
            opts=scope.opts(),
        )
        for ethertype in ("IPv4", "IPv6")
    ]
    admin_sg = openstack.networking.SecGroup(
        f"{name}-sg-admin",
        name=f"{name}-admin",
        description=f"aidc: ports {', '.join(map(str, ADMIN_PORTS))} from admin CIDRs only",
        opts=scope.opts(),
    )
    for rule in admin_rules(admin_cidrs, api_cidrs):
        rules.append(
            openstack.networking.SecGroupRule(
                f"{name}-{rule.role}",
                security_group_id=admin_sg.id,
                direction="ingress",
                ethertype=rule.ethertype,
                protocol="tcp",
                port_range_min=rule.port,
                port_range_max=rule.port,
                remote_ip_prefix=rule.remote_ip_prefix,
                description=rule.description,
                opts=scope.opts(),
            )
        )
    rule_ids = [r.id for r in rules]
    return SecurityGroups(
        ids=pulumi.Output.all(internal_sg.id, admin_sg.id, *rule_ids).apply(lambda ids: [ids[0], ids[1]]),
        names=pulumi.Output.all(internal_sg.name, admin_sg.name, *rule_ids).apply(lambda v: [v[0], v[1]]),
    )
