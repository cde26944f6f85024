"""K3sCluster: a K3s cluster on OpenStack instances — the private core cluster and every edge site.

1 or 3 servers (3 = embedded etcd: the first server runs `--cluster-init`, the others join it) as
individual instances in an anti-affinity server group, and agents in pools, each pool one Heat
ResourceGroup (so the resource count follows pools, not nodes). K3s is installed by cloud-init
(components/cloud_init.py) with a pinned version, `--secrets-encryption` and `--protect-kernel-defaults`.

The join token comes from pulumi_random and the cluster's server and client CAs from pulumi_tls; the CAs
are pre-seeded on the first server so the kubeconfig (admin client certificate, system:masters) can be
built here and exported as a secret. Both CA keys therefore live in the (encrypted) Pulumi state and in
the first server's user data, like the token. Edge regions pass their openstack Provider in the Args.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, Self, get_args

import pulumi
import pulumi_openstack as openstack
import pulumi_random as random
import pulumi_tls as tls
import yaml
from pydantic import AfterValidator, Field, model_validator

from aidc.types import FrozenArgs, Slug, field_error
from components._args import LABEL_KEY, NodeLabels, StrInput, StrListInput, first_repeat, matching
from components.cloud_init import (
    K3S_VERSION_PATTERN,
    heat_server_pool_template,
    k3s_agent_user_data,
    k3s_server_user_data,
)

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
ACCELERATOR_LABEL = "aidc.io/accelerator"
POOL_LABEL = "aidc.io/pool"
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
TAINT_EFFECTS: tuple[str, ...] = get_args(TaintEffect)
API_PORT = 6443
_CA_VALIDITY_HOURS = 10 * 365 * 24
_ADMIN_CERT_VALIDITY_HOURS = 365 * 24


def _taint(taint: str) -> str:
    key_value, _, effect = taint.rpartition(":")
    key = key_value.split("=", 1)[0]
    if effect not in TAINT_EFFECTS or not key or not LABEL_KEY.match(key):
        raise ValueError(
            f"must be 'key=value:Effect' with Effect one of {', '.join(TAINT_EFFECTS)}, got {taint!r}"
        )
    return taint


Taint = Annotated[str, AfterValidator(_taint)]
"""A Kubernetes node taint, 'key=value:Effect' (value optional)."""
K3sVersion = Annotated[str, matching(K3S_VERSION_PATTERN, "a pinned K3s release like 'v1.31.4+k3s1'")]
"""A pinned K3s release tag."""


class AgentPool(FrozenArgs):
    """One pool of identical K3s agents, declared as one Heat ResourceGroup."""

    name: Slug
    """Stable slug chosen by the caller (part of resource names: never derive it from a count)."""
    flavor: str
    """Nova flavor of the pool's instances."""
    count: Annotated[int, Field(ge=0)]
    """Number of agents (the ResourceGroup count); 0 declares nothing."""
    gpu: bool = False
    """True for GPU agents: labelled aidc.io/accelerator=<accelerator> and tainted nvidia.com/gpu=present:NoSchedule."""
    accelerator: Slug | None = None
    """Catalog accelerator key (e.g. 'h100-80gb'); required when gpu is True, forbidden otherwise."""
    labels: NodeLabels = Field(default_factory=dict)
    """Extra node labels for every agent of the pool."""
    taints: tuple[Taint, ...] = ()
    """Extra node taints, 'key=value:Effect'."""
    root_volume_gb: Annotated[int, Field(ge=20)] = 100
    """Boot volume size of each agent in GB."""

    @model_validator(mode="after")
    def _accelerator_only_for_gpu_pools(self) -> Self:
        if self.gpu and self.accelerator is None:
            raise field_error("accelerator", "required for a GPU pool, a catalog key like 'h100-80gb'")
        if not self.gpu and self.accelerator is not None:
            raise field_error("accelerator", "only allowed when gpu is True")
        return self


class K3sClusterArgs(FrozenArgs):
    """Inputs of K3sCluster (one cluster: the private core or one edge site)."""

    cluster_name: Slug
    """Slug naming the cluster (node names, CA subjects, kubeconfig context)."""
    server_flavor: str
    """Nova flavor of the server (control-plane) instances."""
    image: str
    """Glance image name for every node (a systemd distribution cloud-init supports)."""
    network_id: StrInput
    """Tenant network the nodes attach to (OpenStackPrivateCloud.network_id)."""
    security_group_ids: StrListInput
    """Security groups for every node (OpenStackPrivateCloud.security_group_ids)."""
    keypair_name: StrInput
    """Nova keypair for break-glass SSH."""
    version: K3sVersion = "v1.31.4+k3s1"
    """Pinned K3s release (INSTALL_K3S_VERSION); never 'latest' or a channel."""
    servers: Literal[1, 3] = 1
    """Server count: 1 (single server) or 3 (HA, embedded etcd)."""
    agent_pools: tuple[AgentPool, ...] = ()
    """Agent pools; one server group and one Heat stack each."""
    secrets_encryption: bool = True
    """Encrypt Kubernetes Secrets at rest in the datastore (--secrets-encryption)."""
    embedded_etcd: bool | None = None
    """Run embedded etcd (--cluster-init); None means only with 3 servers. Set True on a 1-server cluster that
    may grow to 3: switching later changes the first server's user data and replaces it."""
    provider: pulumi.ProviderResource | None = None
    """openstack Provider for the cluster's region (edge sites); None uses the default/inherited provider."""

    @model_validator(mode="after")
    def _ha_needs_embedded_etcd(self) -> Self:
        if self.embedded_etcd is False and self.servers == 3:
            raise field_error("embedded_etcd", "must be True or None with servers=3 (HA needs embedded etcd)")
        return self

    @model_validator(mode="after")
    def _pool_names_unique(self) -> Self:
        index = first_repeat([pool.name for pool in self.agent_pools])
        if index is not None:
            raise field_error(
                f"agent_pools[{index}].name",
                f"{self.agent_pools[index].name!r} is used by another pool; names must be unique",
            )
        return self


def pool_node_settings(pool: AgentPool) -> tuple[dict[str, str], list[str]]:
    """The node labels and taints an agent of `pool` registers with (GPU label and taint included)."""
    labels = {POOL_LABEL: pool.name, **pool.labels}
    taints = list(pool.taints)
    if pool.gpu and pool.accelerator:
        labels[ACCELERATOR_LABEL] = pool.accelerator
        if GPU_TAINT not in taints:
            taints.append(GPU_TAINT)
    return labels, taints


def _secret(value: pulumi.Output[str]) -> pulumi.Output[str]:
    """Output.secret with the type mypy cannot infer through the SDK's generic signature."""
    return pulumi.Output.secret(value)  # type: ignore[arg-type]


def _agent_renderer(
    version: str, labels: Mapping[str, str], taints: Sequence[str]
) -> Callable[[list[Any]], str]:
    """Binds one pool's labels and taints for the apply that renders its agents' user data."""

    def render(values: list[Any]) -> str:
        token, server_url = values
        return k3s_agent_user_data(
            version=version, token=token, server_url=server_url, labels=labels, taints=taints
        )

    return render


def _b64(pem: str | None) -> str:
    return base64.b64encode((pem or "").encode()).decode()


def build_kubeconfig(
    *,
    cluster_name: str,
    server_address: str,
    ca_cert_pem: str | None,
    client_cert_pem: str | None,
    client_key_pem: str | None,
) -> str:
    """An admin kubeconfig for https://<server_address>:6443 trusting the cluster's server CA."""
    user = f"{cluster_name}-admin"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {
                    "server": f"https://{server_address}:{API_PORT}",
                    "certificate-authority-data": _b64(ca_cert_pem),
                },
            }
        ],
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": _b64(client_cert_pem),
                    "client-key-data": _b64(client_key_pem),
                },
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
        "current-context": cluster_name,
    }
    return yaml.safe_dump(config, sort_keys=False)


class K3sCluster(pulumi.ComponentResource):
    """K3s servers as instances and agent pools as Heat ResourceGroups, with a secret kubeconfig."""

    server_addresses: pulumi.Output[list[str]]
    api_endpoint: pulumi.Output[str]
    join_token: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    server_ca_cert: pulumi.Output[str]
    agent_stack_ids: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: K3sClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidc:k3s:K3sCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # OpenStack children go to the cluster's region provider when one is given (edge sites).
        os_child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        embedded_etcd = args.servers == 3 if args.embedded_etcd is None else args.embedded_etcd

        token = random.RandomPassword(f"{name}-token", length=48, special=False, opts=child)
        join_token = _secret(token.result)

        def ca(role: str, common_name: str) -> tuple[tls.PrivateKey, tls.SelfSignedCert]:
            key = tls.PrivateKey(f"{name}-{role}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
            cert = tls.SelfSignedCert(
                f"{name}-{role}",
                private_key_pem=key.private_key_pem,
                is_ca_certificate=True,
                validity_period_hours=_CA_VALIDITY_HOURS,
                allowed_uses=["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
                subject={"common_name": f"{common_name}@{args.cluster_name}", "organization": "aidc"},
                opts=child,
            )
            return key, cert

        server_ca_key, server_ca = ca("server-ca", "k3s-server-ca")
        client_ca_key, client_ca = ca("client-ca", "k3s-client-ca")
        admin_key = tls.PrivateKey(f"{name}-admin-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        admin_csr = tls.CertRequest(
            f"{name}-admin-csr",
            private_key_pem=admin_key.private_key_pem,
            subject={"common_name": f"{args.cluster_name}-admin", "organization": "system:masters"},
            opts=child,
        )
        admin_cert = tls.LocallySignedCert(
            f"{name}-admin-cert",
            cert_request_pem=admin_csr.cert_request_pem,
            ca_private_key_pem=client_ca_key.private_key_pem,
            ca_cert_pem=client_ca.cert_pem,
            validity_period_hours=_ADMIN_CERT_VALIDITY_HOURS,
            early_renewal_hours=30 * 24,
            allowed_uses=["client_auth", "digital_signature", "key_encipherment"],
            opts=child,
        )

        server_group = openstack.compute.ServerGroup(
            f"{name}-servers-sg", name=f"{name}-servers", policies="anti-affinity", opts=os_child
        )
        common_instance = {
            "flavor_name": args.server_flavor,
            "image_name": args.image,
            "key_pair": args.keypair_name,
            "security_groups": args.security_group_ids,
            "networks": [openstack.compute.InstanceNetworkArgs(uuid=args.network_id)],
            "scheduler_hints": [openstack.compute.InstanceSchedulerHintArgs(group=server_group.id)],
        }

        first_user_data = _secret(
            pulumi.Output.all(
                token.result,
                server_ca.cert_pem,
                server_ca_key.private_key_pem,
                client_ca.cert_pem,
                client_ca_key.private_key_pem,
            ).apply(
                lambda values: k3s_server_user_data(
                    version=args.version,
                    token=values[0],
                    cluster_init=embedded_etcd,
                    server_url=None,
                    secrets_encryption=args.secrets_encryption,
                    ca_files={
                        "server-ca.crt": values[1] or "",
                        "server-ca.key": values[2] or "",
                        "client-ca.crt": values[3] or "",
                        "client-ca.key": values[4] or "",
                    },
                )
            )
        )
        first = openstack.compute.Instance(
            f"{name}-server-0",
            name=f"{args.cluster_name}-server-0",
            user_data=first_user_data,
            metadata={
                "aidc.io/cluster": args.cluster_name,
                "aidc.io/role": "server",
                # User data is secret; the policy pack reads this flag instead.
                "aidc.io/secrets-encryption": str(args.secrets_encryption).lower(),
            },
            opts=os_child,
            **common_instance,  # type: ignore[arg-type]
        )
        server_url = first.access_ip_v4.apply(lambda ip: f"https://{ip}:{API_PORT}")
        servers = [first]
        for index in range(1, args.servers):
            joining_user_data = _secret(
                pulumi.Output.all(token.result, server_url).apply(
                    lambda values: k3s_server_user_data(
                        version=args.version,
                        token=values[0],
                        cluster_init=False,
                        server_url=values[1],
                        secrets_encryption=args.secrets_encryption,
                    )
                )
            )
            servers.append(
                openstack.compute.Instance(
                    f"{name}-server-{index}",
                    name=f"{args.cluster_name}-server-{index}",
                    user_data=joining_user_data,
                    metadata={
                        "aidc.io/cluster": args.cluster_name,
                        "aidc.io/role": "server",
                        # User data is secret; the policy pack reads this flag instead.
                        "aidc.io/secrets-encryption": str(args.secrets_encryption).lower(),
                    },
                    opts=os_child,
                    **common_instance,  # type: ignore[arg-type]
                )
            )

        security_groups_csv = pulumi.Output.from_input(args.security_group_ids).apply(
            lambda ids: ",".join(str(sg) for sg in ids)
        )
        agent_template = heat_server_pool_template(with_user_data=True)
        agent_stack_ids: dict[str, pulumi.Output[str]] = {}
        for pool in args.agent_pools:
            if pool.count == 0:
                continue
            labels, taints = pool_node_settings(pool)
            agent_user_data = _secret(
                pulumi.Output.all(token.result, server_url).apply(
                    _agent_renderer(args.version, labels, taints)
                )
            )
            pool_group = openstack.compute.ServerGroup(
                f"{name}-agents-{pool.name}-sg",
                name=f"{name}-agents-{pool.name}",
                policies="soft-anti-affinity",
                opts=os_child,
            )
            stack = openstack.orchestration.StackV1(
                f"{name}-agents-{pool.name}",
                name=f"{args.cluster_name}-agents-{pool.name}",
                template_opts={"Bin": agent_template},
                parameters={
                    "count": str(pool.count),
                    "name_prefix": f"{args.cluster_name}-{pool.name}",
                    "flavor": pool.flavor,
                    "image": args.image,
                    "key_name": args.keypair_name,
                    "network": args.network_id,
                    "security_groups": security_groups_csv,
                    "server_group": pool_group.id,
                    "root_volume_gb": str(pool.root_volume_gb),
                    "user_data": agent_user_data,
                },
                disable_rollback=False,
                timeout=120,
                # The parameters are secret as a whole (user data); tags keep the count visible in plans.
                tags=["aidc", f"cluster={args.cluster_name}", f"pool={pool.name}", f"servers={pool.count}"],
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=servers),
            )
            agent_stack_ids[pool.name] = stack.id

        self._join_token = token.result
        self._join_url = server_url
        self._k3s_version = args.version
        self.server_addresses = pulumi.Output.all(*[server.access_ip_v4 for server in servers])
        self.api_endpoint = server_url
        self.join_token = join_token
        self.server_ca_cert = server_ca.cert_pem
        self.kubeconfig = _secret(
            pulumi.Output.all(
                first.access_ip_v4, server_ca.cert_pem, admin_cert.cert_pem, admin_key.private_key_pem
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
        self.agent_stack_ids = (
            pulumi.Output.all(**agent_stack_ids) if agent_stack_ids else pulumi.Output.from_input({})
        )
        self.register_outputs(
            {
                "server_addresses": self.server_addresses,
                "api_endpoint": self.api_endpoint,
                "join_token": self.join_token,
                "kubeconfig": self.kubeconfig,
                "server_ca_cert": self.server_ca_cert,
                "agent_stack_ids": self.agent_stack_ids,
            }
        )

    def agent_user_data(self, pool: AgentPool) -> pulumi.Output[str]:
        """Secret cloud-init user data that joins a server to this cluster as an agent of `pool` (labels and
        GPU taint included): for servers declared elsewhere, e.g. OpenStackPrivateCloud GPU pools. The pool was
        validated when it was constructed."""
        labels, taints = pool_node_settings(pool)
        return pulumi.Output.secret(
            pulumi.Output.all(self._join_token, self._join_url).apply(
                lambda values: k3s_agent_user_data(
                    version=self._k3s_version,
                    token=values[0],
                    server_url=values[1],
                    labels=labels,
                    taints=taints,
                )
            )
        )
