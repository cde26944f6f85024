"""K3sCluster: a K3s cluster on OpenStack instances — the private core cluster and every edge site.

1 or 3 servers (3 = embedded etcd: the first server runs `--cluster-init`, the others join it) as
individual instances in an anti-affinity server group, and agents in pools, each pool one Heat
ResourceGroup (so the resource count follows pools, not nodes). K3s is installed by cloud-init
(components/cloud_init.py) with `--secrets-encryption` and `--protect-kernel-defaults`.

Registration address: with 3 servers an Octavia load balancer (components/k3s_api.py) whose VIP is in every
server certificate (tls-san) and is what joining servers, agents and the kubeconfig use; with 1 server, that
server's address. Readiness: `api_ready` (components/k3s_readiness.py) is created only once the API answers
/readyz; `kubeconfig` comes out of it, so whatever is built from the kubeconfig waits for the cluster.

User data is boot-time only: `version` is the release a node installs when it first boots; later releases
are rolled out in place by system-upgrade-controller Plans (components/k3s_upgrades.py). Changes to user data
are therefore ignored on existing servers (`ignore_changes`, and `user_data_update_policy: IGNORE` in the agent
pools' Heat template): changing `version` or anything else in user data never replaces a server.

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

from aidc.types import Cidr, FrozenArgs, Slug, field_error
from components._args import LABEL_KEY, NodeLabels, StrInput, StrListInput, first_repeat, matching
from components.cloud_init import (
    K3S_VERSION_PATTERN,
    heat_server_pool_template,
    k3s_agent_user_data,
    k3s_server_user_data,
)
from components.k3s_api import API_PORT, ApiLoadBalancer
from components.k3s_readiness import DEFAULT_TIMEOUT_S, K3sApiReady

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
ACCELERATOR_LABEL = "aidc.io/accelerator"
POOL_LABEL = "aidc.io/pool"
# The GPUs each agent of a GPU pool carries: what its device plugin will advertise as nvidia.com/gpu, so the
# policy pack's schedulability check can count a pool's GPUs from its declaration.
GPUS_PER_NODE_LABEL = "aidc.io/gpus-per-node"
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
TAINT_EFFECTS: tuple[str, ...] = get_args(TaintEffect)
# Nova server metadata keys (Nova allows ^[a-zA-Z0-9-_:. ]{1,255}$: no '/'); the policy pack reads them.
CLUSTER_METADATA_KEY = "aidc_cluster"
ROLE_METADATA_KEY = "aidc_role"
SECRETS_ENCRYPTION_METADATA_KEY = "aidc_secrets_encryption"
# User data is read at first boot only: see the module docstring.
USER_DATA_IGNORED = "userData"
HEAT_USER_DATA_IGNORED = "parameters.user_data"
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
    gpus_per_node: Annotated[int, Field(ge=1)] | None = None
    """GPUs each agent carries (labelled aidc.io/gpus-per-node: the nvidia.com/gpu its device plugin advertises);
    required when gpu is True, forbidden otherwise."""
    image: str | None = None
    """Glance image of the pool's agents (e.g. one with the NVIDIA driver preinstalled); None uses the cluster's."""
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
        if self.gpu and self.gpus_per_node is None:
            raise field_error("gpus_per_node", "required for a GPU pool: the GPUs each agent carries")
        if not self.gpu and self.gpus_per_node is not None:
            raise field_error("gpus_per_node", "only allowed when gpu is True")
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
    security_group_names: StrListInput
    """Security groups for every node, by name (OpenStackPrivateCloud.security_group_names): the openstack
    provider reads an instance's groups back by name, so ids would show as a change on every preview."""
    subnet_id: StrInput | None = None
    """Tenant subnet of the API load balancer's VIP (OpenStackPrivateCloud.subnet_id); required with 3 servers."""
    api_allowed_cidrs: tuple[Cidr, ...] = ()
    """Networks that may reach the API through the load balancer (its listener's allowed_cidrs): the tenant
    network, the admin networks and wherever `pulumi up` runs. Required with 3 servers."""
    api_ready_timeout_s: Annotated[int, Field(ge=60, le=7200)] = DEFAULT_TIMEOUT_S
    """How long `pulumi up` waits for the API to answer /readyz before failing (first boot installs K3s)."""
    keypair_name: StrInput
    """Nova keypair for break-glass SSH."""
    version: K3sVersion = "v1.31.4+k3s1"
    """Pinned K3s release: what a node installs at first boot (INSTALL_K3S_VERSION) and what the cluster's
    upgrade Plans move running nodes to; never 'latest' or a channel."""
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
    def _ha_needs_a_registration_address(self) -> Self:
        if self.servers == 3 and self.subnet_id is None:
            raise field_error("subnet_id", "required with servers=3 (the API load balancer's VIP subnet)")
        if self.servers == 3 and not self.api_allowed_cidrs:
            raise field_error(
                "api_allowed_cidrs", "required with servers=3 (the networks that reach the API load balancer)"
            )
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
        if pool.gpus_per_node is not None:
            labels[GPUS_PER_NODE_LABEL] = str(pool.gpus_per_node)
        if GPU_TAINT not in taints:
            taints.append(GPU_TAINT)
    return labels, taints


# The node labels a GPU pool's Heat tags declare: what Kueue flavors select on and what counts its GPUs. Other
# labels stay out (a workload name of 63 characters would not fit Heat's 80-character tag).
INVENTORY_LABELS = (ACCELERATOR_LABEL, GPUS_PER_NODE_LABEL, "aidc.io/location", "aidc.io/efa")


def pool_node_tags(pool: AgentPool) -> list[str]:
    """Heat stack tags saying what the pool's agents register with — 'node-label:<key>=<value>' for the inventory
    labels and 'node-taint:<taint>' — since the user data that carries them is secret (Heat tags: strings without
    commas)."""
    labels, taints = pool_node_settings(pool)
    return [
        *(f"node-label:{key}={value}" for key, value in sorted(labels.items()) if key in INVENTORY_LABELS),
        *(f"node-taint:{taint}" for taint in sorted(taints)),
    ]


def pool_inventory_tags(pool: AgentPool) -> list[str]:
    """Heat stack tags that declare a GPU pool's inventory to the policy pack: accelerator, GPUs per server and the
    node labels and taints (pool_node_tags). Empty for a pool without GPUs."""
    if not pool.gpu:
        return []
    return [f"accelerator={pool.accelerator}", f"gpus-per-server={pool.gpus_per_node}", *pool_node_tags(pool)]


def _secret(value: pulumi.Output[str]) -> pulumi.Output[str]:
    """Output.secret with the type mypy cannot infer through the SDK's generic signature."""
    return pulumi.Output.secret(value)


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
    """K3s servers as instances and agent pools as Heat ResourceGroups, behind a fixed registration address,
    with a readiness gate and a secret kubeconfig."""

    server_addresses: pulumi.Output[list[str]]
    registration_address: pulumi.Output[str]
    api_endpoint: pulumi.Output[str]
    join_token: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    server_ca_cert: pulumi.Output[str]
    agent_stack_ids: pulumi.Output[dict[str, str]]
    api_ready: K3sApiReady
    """Created once the API answers /readyz: depend on it (or build from `kubeconfig`) to wait for the cluster."""
    version: str
    """The pinned K3s release (Args.version), for the cluster's upgrade Plans."""

    def __init__(self, name: str, args: K3sClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidc:k3s:K3sCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # OpenStack children go to the cluster's region provider when one is given (edge sites).
        os_child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        # A server's user data is read at its first boot only (module docstring): never a reason to replace it.
        server_opts = pulumi.ResourceOptions.merge(
            os_child, pulumi.ResourceOptions(ignore_changes=[USER_DATA_IGNORED])
        )
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

        server_group = openstack.compute.ServerGroup(
            f"{name}-servers-sg", name=f"{name}-servers", policies="anti-affinity", opts=os_child
        )
        common_instance = {
            "flavor_name": args.server_flavor,
            "image_name": args.image,
            "key_pair": args.keypair_name,
            "security_groups": args.security_group_names,
            "networks": [openstack.compute.InstanceNetworkArgs(uuid=args.network_id)],
            "scheduler_hints": [openstack.compute.InstanceSchedulerHintArgs(group=server_group.id)],
        }
        metadata = {
            CLUSTER_METADATA_KEY: args.cluster_name,
            ROLE_METADATA_KEY: "server",
            # User data is secret; the policy pack reads this flag instead.
            SECRETS_ENCRYPTION_METADATA_KEY: str(args.secrets_encryption).lower(),
        }

        first_user_data = _secret(
            pulumi.Output.all(
                token.result,
                server_ca.cert_pem,
                server_ca_key.private_key_pem,
                client_ca.cert_pem,
                client_ca_key.private_key_pem,
                tls_sans,
            ).apply(
                lambda values: k3s_server_user_data(
                    version=args.version,
                    token=values[0],
                    cluster_init=embedded_etcd,
                    server_url=None,
                    secrets_encryption=args.secrets_encryption,
                    tls_sans=values[5],
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
            metadata=metadata,
            opts=server_opts,
            **common_instance,  # type: ignore[arg-type]
        )
        registration_address: pulumi.Output[str] = (
            load_balancer.address if load_balancer is not None else first.access_ip_v4
        )
        server_url = registration_address.apply(lambda address: f"https://{address}:{API_PORT}")
        servers = [first]
        for index in range(1, args.servers):
            joining_user_data = _secret(
                pulumi.Output.all(token.result, server_url, tls_sans).apply(
                    lambda values: k3s_server_user_data(
                        version=args.version,
                        token=values[0],
                        cluster_init=False,
                        server_url=values[1],
                        secrets_encryption=args.secrets_encryption,
                        tls_sans=values[2],
                    )
                )
            )
            servers.append(
                openstack.compute.Instance(
                    f"{name}-server-{index}",
                    name=f"{args.cluster_name}-server-{index}",
                    user_data=joining_user_data,
                    metadata=metadata,
                    # A joining server needs the first one answering behind the registration address.
                    opts=pulumi.ResourceOptions.merge(
                        server_opts, pulumi.ResourceOptions(depends_on=[first])
                    ),
                    **common_instance,  # type: ignore[arg-type]
                )
            )
        if load_balancer is not None:
            load_balancer.add_members(servers)

        security_groups_csv = pulumi.Output.from_input(args.security_group_names).apply(
            lambda groups: ",".join(str(group) for group in groups)
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
                    "image": pool.image or args.image,
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
                tags=[
                    "aidc",
                    f"cluster={args.cluster_name}",
                    f"pool={pool.name}",
                    f"servers={pool.count}",
                    *pool_inventory_tags(pool),
                ],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=args.provider,
                    depends_on=servers,
                    # Read at first boot only; Heat shows a hidden parameter back as '******' besides.
                    ignore_changes=[HEAT_USER_DATA_IGNORED],
                ),
            )
            agent_stack_ids[pool.name] = stack.id

        kubeconfig = _secret(
            pulumi.Output.all(
                registration_address, server_ca.cert_pem, admin_cert.cert_pem, admin_key.private_key_pem
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
            ca_cert_pem=server_ca.cert_pem,
            client_cert_pem=admin_cert.cert_pem,
            client_key_pem=admin_key.private_key_pem,
            kubeconfig=kubeconfig,
            timeout_s=args.api_ready_timeout_s,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*servers, *(load_balancer.resources if load_balancer is not None else [])],
            ),
        )

        self._join_token = token.result
        self._join_url = server_url
        self._k3s_version = args.version
        self.version = args.version
        self.server_addresses = pulumi.Output.all(*[server.access_ip_v4 for server in servers])
        self.registration_address = registration_address
        self.api_endpoint = server_url
        self.join_token = join_token
        self.server_ca_cert = server_ca.cert_pem
        # Out of the readiness gate: a kubernetes Provider built from it waits for the API.
        self.kubeconfig = _secret(self.api_ready.kubeconfig)
        self.agent_stack_ids = (
            pulumi.Output.all(**agent_stack_ids) if agent_stack_ids else pulumi.Output.from_input({})
        )
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
