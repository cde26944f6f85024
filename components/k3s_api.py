"""The fixed registration address of an HA K3s cluster: an Octavia load balancer in front of the servers' API.

The K3s HA documentation (docs.k3s.io, "High Availability Embedded etcd" and "Cluster Load Balancer") asks for
a fixed registration address in front of the servers — a layer-4 load balancer, round-robin DNS or a virtual
IP — that agents, joining servers and kubeconfigs use, with the address in every server certificate
(`--tls-san`). Here that is an Octavia load balancer: its VIP is allocated on the cluster's tenant subnet
before any server exists, so it can go into the servers' user data (tls-san, the joining servers' `server`)
and never changes while the servers come and go; a TCP listener on 6443 forwards (TLS passes through) to a
ROUND_ROBIN pool of the servers, a TCP health monitor takes a failed server out. `allowed_cidrs` on the
listener keeps the API to the networks the caller names (Octavia's VIP port otherwise admits any source).

Declares nothing for a single-server cluster: its one server's address is the registration address.
Pure resource declarations; K3sCluster (components/k3s_cluster.py) decides when and passes its own options.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_openstack as openstack

API_PORT = 6443
MONITOR_DELAY_S = 5
MONITOR_TIMEOUT_S = 3
MONITOR_MAX_RETRIES = 3


class ApiLoadBalancer:
    """The load balancer, listener, pool and health monitor; `add_members` puts the servers behind it."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        subnet_id: pulumi.Input[str],
        allowed_cidrs: Sequence[str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        self._name = name
        self._subnet_id = subnet_id
        self._opts = opts
        self.load_balancer = openstack.loadbalancer.LoadBalancer(
            f"{name}-api-lb",
            name=f"{cluster_name}-api",
            description=f"aidc: K3s API registration address of {cluster_name}",
            vip_subnet_id=subnet_id,
            admin_state_up=True,
            opts=opts,
        )
        self.listener = openstack.loadbalancer.Listener(
            f"{name}-api-listener",
            name=f"{cluster_name}-api",
            loadbalancer_id=self.load_balancer.id,
            protocol="TCP",
            protocol_port=API_PORT,
            allowed_cidrs=list(allowed_cidrs),
            opts=opts,
        )
        self.pool = openstack.loadbalancer.Pool(
            f"{name}-api-pool",
            name=f"{cluster_name}-api",
            listener_id=self.listener.id,
            protocol="TCP",
            lb_method="ROUND_ROBIN",
            opts=opts,
        )
        self.monitor = openstack.loadbalancer.Monitor(
            f"{name}-api-monitor",
            name=f"{cluster_name}-api",
            pool_id=self.pool.id,
            type="TCP",
            delay=MONITOR_DELAY_S,
            timeout=MONITOR_TIMEOUT_S,
            max_retries=MONITOR_MAX_RETRIES,
            opts=opts,
        )
        self.members: list[openstack.loadbalancer.Member] = []
        self.address: pulumi.Output[str] = self.load_balancer.vip_address

    def add_members(self, servers: Sequence[openstack.compute.Instance]) -> None:
        """One pool member per server, at its fixed address (member names follow the server index)."""
        for index, server in enumerate(servers):
            self.members.append(
                openstack.loadbalancer.Member(
                    f"{self._name}-api-member-{index}",
                    pool_id=self.pool.id,
                    address=server.access_ip_v4,
                    protocol_port=API_PORT,
                    subnet_id=self._subnet_id,
                    opts=self._opts,
                )
            )

    @property
    def resources(self) -> list[pulumi.Resource]:
        """Everything the address needs to forward traffic (what a readiness check should wait for)."""
        return [self.load_balancer, self.listener, self.pool, self.monitor, *self.members]
