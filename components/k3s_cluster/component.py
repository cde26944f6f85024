"""The K3sCluster ComponentResource: reads top to bottom, one call per concern (modules of this package)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.k3s_api import API_PORT, ApiLoadBalancer
from components.k3s_cluster import agents, servers
from components.k3s_cluster.access import build_kubeconfig
from components.k3s_cluster.args import AgentPool, K3sClusterArgs
from components.k3s_cluster.identity import K3sClusterIdentity
from components.k3s_cluster.tokens import create_join_secrets
from components.k3s_readiness import K3sApiReady


def _secret(value: pulumi.Output[str]) -> pulumi.Output[str]:
    """Output.secret with the type mypy cannot infer through the SDK's generic signature."""
    return pulumi.Output.secret(value)


class K3sCluster(pulumi.ComponentResource):
    """K3s servers as instances and agent pools as Heat ResourceGroups, behind a fixed registration address,
    with the first server's identity (CA hash, admin certificate), a readiness gate and a secret kubeconfig."""

    server_addresses: pulumi.Output[list[str]]
    registration_address: pulumi.Output[str]
    api_endpoint: pulumi.Output[str]
    join_token: pulumi.Output[str]
    """The secure server token (K10<ca-hash>::server:<secret>): for servers added by hand; agents never get it."""
    kubeconfig: pulumi.Output[str]
    server_ca_cert: pulumi.Output[str]
    agent_stack_ids: pulumi.Output[dict[str, str]]
    api_ready: K3sApiReady
    """Created once the API answers /readyz: depend on it (or build from `kubeconfig`) to wait for the cluster."""
    identity: K3sClusterIdentity
    version: str
    """The pinned K3s release (Args.version), for the cluster's upgrade Plans."""

    def __init__(self, name: str, args: K3sClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidc:k3s:K3sCluster", name, None, opts)
        self._args = args
        # OpenStack children go to the cluster's region provider when one is given (edge sites).
        os_child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        secrets = create_join_secrets(name, pulumi.ResourceOptions(parent=self))
        self._secrets = secrets
        # The registration address first: with 3 servers it goes into every server's certificate and user data.
        load_balancer: ApiLoadBalancer | None = None
        if args.servers == 3:
            assert args.subnet_id is not None  # the Args validator requires it with 3 servers
            load_balancer = ApiLoadBalancer(
                name,
                cluster_name=args.cluster_name,
                subnet_id=args.subnet_id,
                allowed_cidrs=args.api_allowed_cidrs,
                opts=os_child,
            )
        tls_sans: pulumi.Output[list[str]] = (
            load_balancer.address.apply(lambda address: [address])
            if load_balancer is not None
            else pulumi.Output.from_input([])
        )
        spec = servers.server_spec(name, args, os_child)
        first = servers.first_server(name, args, spec, secrets, tls_sans)
        self.identity = K3sClusterIdentity(
            f"{name}-identity",
            cluster=args.cluster_name,
            server_id=first.id,
            address=first.access_ip_v4,
            server_secret=secrets.server,
            region=args.region,
            timeout_s=args.api_ready_timeout_s,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[first]),
        )
        registration_address = load_balancer.address if load_balancer is not None else first.access_ip_v4
        server_url = registration_address.apply(lambda address: f"https://{address}:{API_PORT}")
        self._join_url = server_url
        ca_hash = self.identity.ca_hash
        all_servers = [
            first,
            *servers.joining_servers(
                name, args, spec, secrets, tls_sans, ca_hash, server_url, after=[first, self.identity]
            ),
        ]
        if load_balancer is not None:
            load_balancer.add_members(all_servers)
        stack_ids = agents.create_agent_pools(
            name, args, self._agent_user_data, after=[*all_servers, self.identity], os_child=os_child
        )
        self._declare_access(name, args, registration_address, server_url, all_servers, load_balancer)
        self.version = args.version
        self.server_addresses = pulumi.Output.all(*[server.access_ip_v4 for server in all_servers])
        self.registration_address = registration_address
        self.api_endpoint = server_url
        self.join_token = _secret(
            pulumi.Output.all(ca_hash, secrets.server).apply(
                lambda values: f"K10{values[0]}::server:{values[1]}"
            )
        )
        self.server_ca_cert = self.identity.ca_cert_pem
        self.agent_stack_ids = pulumi.Output.all(**stack_ids) if stack_ids else pulumi.Output.from_input({})
        self.register_outputs(
            {
                "server_addresses": self.server_addresses,
                "registration_address": self.registration_address,
                "api_endpoint": self.api_endpoint,
                "join_token": self.join_token,
                "kubeconfig": self.kubeconfig,
                "server_ca_cert": self.server_ca_cert,
                "agent_stack_ids": self.agent_stack_ids,
            }
        )

    def _declare_access(
        self,
        name: str,
        args: K3sClusterArgs,
        registration_address: pulumi.Output[str],
        server_url: pulumi.Output[str],
        all_servers: Sequence[pulumi.Resource],
        load_balancer: ApiLoadBalancer | None,
    ) -> None:
        """The kubeconfig of the named admin user and the readiness gate it comes out of."""
        identity = self.identity
        kubeconfig = _secret(
            pulumi.Output.all(
                registration_address, identity.ca_cert_pem, identity.admin_cert_pem, identity.admin_key_pem
            ).apply(
                lambda values: build_kubeconfig(
                    cluster_name=args.cluster_name,
                    server_address=values[0],
                    ca_cert_pem=values[1],
                    client_cert_pem=values[2],
                    client_key_pem=values[3],
                )
            )
        )
        self.api_ready = K3sApiReady(
            f"{name}-api-ready",
            cluster=args.cluster_name,
            endpoint=server_url,
            ca_cert_pem=identity.ca_cert_pem,
            client_cert_pem=identity.admin_cert_pem,
            client_key_pem=identity.admin_key_pem,
            kubeconfig=kubeconfig,
            timeout_s=args.api_ready_timeout_s,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*all_servers, *(load_balancer.resources if load_balancer is not None else [])],
            ),
        )
        # Out of the readiness gate: a kubernetes Provider built from it waits for the API.
        self.kubeconfig = _secret(self.api_ready.kubeconfig)

    def _agent_user_data(self, pool: AgentPool) -> pulumi.Output[str]:
        return agents.agent_user_data(
            self._args.version, pool, self._secrets.agent, self.identity.ca_hash, self._join_url
        )

    def agent_user_data(self, pool: AgentPool) -> pulumi.Output[str]:
        """Secret cloud-init user data that joins a server to this cluster as an agent of `pool` (labels and GPU
        taint included), with the secure agent token: for servers declared elsewhere, e.g. OpenStackPrivateCloud
        GPU pools. Refused (ValueError) for a pool named like one of the cluster's own or a reserved pool."""
        if problem := self._args.joining_pool_problem(pool):
            raise ValueError(problem)
        return self._agent_user_data(pool)
