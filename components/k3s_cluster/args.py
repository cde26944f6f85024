"""The Args of K3sCluster: AgentPool and K3sClusterArgs, validated when constructed (pure pydantic).

Field names, defaults and meanings are a contract with stacks/program.py. A bad value raises a ValidationError
naming the field and what is allowed before any resource exists.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, get_args

import pulumi
from pydantic import AfterValidator, Field, model_validator

from aidc.contract import RESERVED_POOLS, K3sServers
from aidc.contract import SERVER_POOL as SERVER_POOL
from aidc.types import Cidr, FrozenArgs, Slug, field_error
from components._args import LABEL_KEY, NodeLabels, StrInput, StrListInput, first_repeat, matching
from components.cloud_init import K3S_VERSION_PATTERN
from components.k3s_readiness import DEFAULT_TIMEOUT_S

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
TAINT_EFFECTS: tuple[str, ...] = get_args(TaintEffect)
# The release a node installs when no version is passed (the program passes aidc/versions.py's K3S_DEFAULT).
DEFAULT_VERSION = "v1.36.5+k3s1"
# SERVER_POOL, the servers' own pool name: their hosts are <cluster>-server-<index>, so no agent pool may take it.


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
K3sVersion = Annotated[str, matching(K3S_VERSION_PATTERN, "a pinned K3s release like 'v1.36.5+k3s1'")]
"""A pinned K3s release tag."""


class AgentPool(FrozenArgs):
    """One pool of identical K3s agents, declared as one Heat ResourceGroup."""

    name: Slug
    """Stable slug chosen by the caller (part of resource and host names: never derive it from a count); not
    'server' (the servers' host names) nor another reserved pool (aidc.contract.RESERVED_POOLS) unless it is that pool."""
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
        if self.name == SERVER_POOL:
            raise field_error(
                "name", f"{SERVER_POOL!r} is the servers' pool (their host names); rename the pool"
            )
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
    version: K3sVersion = DEFAULT_VERSION
    """Pinned K3s release: what a node installs at first boot (the release's binary, checked against the release's
    sha256sum-amd64.txt) and what
    the cluster's upgrade Plans move running nodes to; never 'latest' or a channel."""
    servers: K3sServers = 1
    """Server count: 1 (single server) or 3 (HA, embedded etcd)."""
    agent_pools: tuple[AgentPool, ...] = ()
    """Agent pools; one server group and one Heat stack each."""
    secrets_encryption: bool = True
    """Encrypt Kubernetes Secrets at rest in the datastore (--secrets-encryption)."""
    embedded_etcd: bool | None = None
    """Run embedded etcd (--cluster-init); None means only with 3 servers. Set True on a 1-server cluster that
    may grow to 3: switching later changes the first server's user data and replaces it."""
    dedicated_servers: bool | None = None
    """Taint the servers CriticalAddonsOnly=true:NoExecute so workloads run on agents only. None: when the cluster
    has a general-purpose (non-GPU) agent pool to run the add-ons; an edge site whose only agents are GPU nodes
    keeps its servers schedulable for them (Kueue, Prometheus, the GPU Operator's controller)."""
    provider: pulumi.ProviderResource | None = None
    """openstack Provider for the cluster's region (edge sites); None uses the default/inherited provider."""
    region: str | None = None
    """OpenStack region of the cluster (edge sites), where the identity check reads the first server's console."""

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

    @property
    def servers_tainted(self) -> bool:
        """Whether the servers carry CriticalAddonsOnly=true:NoExecute (dedicated_servers, resolved)."""
        if self.dedicated_servers is not None:
            return self.dedicated_servers
        return any(not pool.gpu and pool.count > 0 for pool in self.agent_pools)

    def joining_pool_problem(self, pool: AgentPool) -> str | None:
        """Why `pool`, declared elsewhere, may not join this cluster (its name is one of the cluster's own pools
        or a reserved one), or None."""
        own = {p.name for p in self.agent_pools} | RESERVED_POOLS
        if pool.name in own:
            return (
                f"agent pool {pool.name!r} may not join cluster {self.cluster_name}: the name is taken by the "
                f"cluster's own pools or reserved ({', '.join(sorted(own))})"
            )
        return None
