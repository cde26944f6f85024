"""The K3s servers: one anti-affinity server group and 1 or 3 instances. The first runs `--cluster-init` (with 3)
and generates the cluster's CAs; the others join it through the registration address once the cluster's identity
(identity.py: the CA hash) is known, with the secure server token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_openstack as openstack

from aidc.contract import CLUSTER_METADATA_KEY as CLUSTER_METADATA_KEY
from aidc.contract import ROLE_METADATA_KEY as ROLE_METADATA_KEY
from aidc.contract import SECRETS_ENCRYPTION_METADATA_KEY as SECRETS_ENCRYPTION_METADATA_KEY
from aidc.contract import SERVER_ROLE
from aidc.contract import TAINTS_METADATA_KEY as TAINTS_METADATA_KEY
from components.cloud_init import k3s_server_user_data
from components.k3s_cluster.args import K3sClusterArgs
from components.k3s_cluster.identity import ADMIN_USER
from components.k3s_cluster.nodes import SERVER_TAINT
from components.k3s_cluster.tokens import SERVER_USER, JoinSecrets, secure_token

# The *_METADATA_KEY names (Nova server metadata the policy pack reads, since user data is secret) are the
# contract's.
# User data is read at first boot only: changing it never replaces a server.
USER_DATA_IGNORED = "userData"


@dataclass(frozen=True)
class ServerSpec:
    """What every server shares: instance settings, metadata, options and its user-data settings."""

    instance: dict[str, Any]
    metadata: dict[str, str]
    opts: pulumi.ResourceOptions
    taints: tuple[str, ...]
    embedded_etcd: bool


def server_spec(name: str, args: K3sClusterArgs, os_child: pulumi.ResourceOptions) -> ServerSpec:
    """The anti-affinity server group and the settings every server instance is declared with."""
    server_group = openstack.compute.ServerGroup(
        f"{name}-servers-sg", name=f"{name}-servers", policies="anti-affinity", opts=os_child
    )
    taints = (SERVER_TAINT,) if args.servers_tainted else ()
    return ServerSpec(
        instance={
            "flavor_name": args.server_flavor,
            "image_name": args.image,
            "key_pair": args.keypair_name,
            "security_groups": args.security_group_names,
            "networks": [openstack.compute.InstanceNetworkArgs(uuid=args.network_id)],
            "scheduler_hints": [openstack.compute.InstanceSchedulerHintArgs(group=server_group.id)],
        },
        metadata={
            CLUSTER_METADATA_KEY: args.cluster_name,
            ROLE_METADATA_KEY: SERVER_ROLE,
            # User data is secret; the policy pack reads these instead.
            SECRETS_ENCRYPTION_METADATA_KEY: str(args.secrets_encryption).lower(),
            TAINTS_METADATA_KEY: " ".join(taints),
        },
        opts=pulumi.ResourceOptions.merge(
            os_child, pulumi.ResourceOptions(ignore_changes=[USER_DATA_IGNORED])
        ),
        taints=taints,
        embedded_etcd=args.servers == 3 if args.embedded_etcd is None else args.embedded_etcd,
    )


def _renderer(args: K3sClusterArgs, spec: ServerSpec, first: bool) -> Callable[[list[Any]], str]:
    def render(values: list[Any]) -> str:
        server_secret, agent_secret, tls_sans, ca_hash, server_url = values
        return k3s_server_user_data(
            version=args.version,
            token=server_secret if first else secure_token(ca_hash, SERVER_USER, server_secret),
            agent_token=agent_secret,
            cluster_init=spec.embedded_etcd if first else False,
            server_url=None if first else server_url,
            secrets_encryption=args.secrets_encryption,
            tls_sans=tls_sans,
            taints=spec.taints,
            admin_user=ADMIN_USER,
        )

    return render


def first_server(
    name: str,
    args: K3sClusterArgs,
    spec: ServerSpec,
    secrets: JoinSecrets,
    tls_sans: pulumi.Output[list[str]],
) -> openstack.compute.Instance:
    """Server 0: generates the CAs, takes the short server token and prints the CA hash on its console."""
    user_data = pulumi.Output.all(secrets.server, secrets.agent, tls_sans, None, None).apply(
        _renderer(args, spec, first=True)
    )
    return openstack.compute.Instance(
        f"{name}-server-0",
        name=f"{args.cluster_name}-server-0",
        user_data=pulumi.Output.secret(user_data),  # type: ignore[arg-type]
        metadata=spec.metadata,
        opts=spec.opts,
        **spec.instance,
    )


def joining_servers(
    name: str,
    args: K3sClusterArgs,
    spec: ServerSpec,
    secrets: JoinSecrets,
    tls_sans: pulumi.Output[list[str]],
    ca_hash: pulumi.Output[str],
    server_url: pulumi.Output[str],
    after: list[pulumi.Resource],
) -> list[openstack.compute.Instance]:
    """Servers 1..n-1: join `server_url` with the secure server token (they need the first one answering)."""
    user_data = pulumi.Output.all(secrets.server, secrets.agent, tls_sans, ca_hash, server_url).apply(
        _renderer(args, spec, first=False)
    )
    return [
        openstack.compute.Instance(
            f"{name}-server-{index}",
            name=f"{args.cluster_name}-server-{index}",
            user_data=pulumi.Output.secret(user_data),  # type: ignore[arg-type]
            metadata=spec.metadata,
            opts=pulumi.ResourceOptions.merge(spec.opts, pulumi.ResourceOptions(depends_on=after)),
            **spec.instance,
        )
        for index in range(1, args.servers)
    ]
