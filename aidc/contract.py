"""The vocabulary the stack program writes and the policy pack reads: one copy, stdlib only.

What lives here: the registered public clouds, the places capacity lives, the enumerations every layer shares
(config validates against them, the plan carries them, component Args accept them), the tags, node labels,
annotations and Heat metadata keys the program writes from the plan and the pack reads back, the stack's export
names, and the table of addresses that are not publicly routable. Nothing else.

Who imports it: everything — config, sizing, components, the stack program, the CLI and the policy pack. The pack
runs in its own virtualenv with only pulumi-policy installed (policies/requirements.txt), so this module imports
nothing but the standard library (tests/test_contract.py imports it in a fresh interpreter and checks), and
`aidc/__init__.py` stays stdlib-only too.

What may be touched: add a name; never change a value — the values are written into live resources (tags,
labels, annotations) and read by rules, dashboards and people's scripts. A new public cloud is one name in
`PublicCloud` (its pieces are found by that name: docs/architecture.md, "Add a public cloud").
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal, cast, get_args

# --- Where capacity lives ---------------------------------------------------------------------------------------
PublicCloud = Literal["aws", "gcp"]
"""The registered public clouds. Each name is its key everywhere: `aidc:<name>` settings, the plan's location, the
`aidc:location` tag, and the folders aidc/clouds/<name>/ (catalog, settings, cost, preflight, mocks),
stacks/clouds/<name>.py (Args and components) and policies/clouds/<name>.py (its rules)."""
PUBLIC_CLOUDS: tuple[str, ...] = get_args(PublicCloud)

Owned = Literal["private", "edge"]
PRIVATE: Literal["private"] = "private"
EDGE: Literal["edge"] = "edge"
OWNED_LOCATIONS: frozenset[str] = frozenset(get_args(Owned))
Location = Literal["private", "edge", "aws", "gcp"]
"""Where capacity lives: an owned place or a public cloud (keep in step with PublicCloud; a test checks)."""


def public_cloud(name: str) -> PublicCloud:
    """`name` as a PublicCloud, or ValueError naming the registered ones (the str -> Literal boundary)."""
    for cloud in PUBLIC_CLOUDS:
        if name == cloud:
            return cast(PublicCloud, cloud)
    raise ValueError(f"unknown public cloud {name!r}; registered: {', '.join(PUBLIC_CLOUDS)}")


def is_public(location: str) -> bool:
    """True for a public cloud location (anything not owned)."""
    return location not in OWNED_LOCATIONS


# --- Enumerations shared by config, plan and component Args -----------------------------------------------------
Classification = Literal["public", "internal", "confidential", "restricted"]
CLASSIFICATION_ORDER: tuple[str, ...] = get_args(Classification)  # least to most sensitive
PRIVATE_ONLY: frozenset[str] = frozenset({"confidential", "restricted"})
"""Classifications whose workloads and data never leave the owned locations."""
WorkloadKind = Literal["training", "inference"]
WeightPrecision = Literal["bf16", "fp8", "int8", "int4"]
ReservationKind = Literal["capacity-block", "capacity-reservation"]
Reserve = Literal["none", "capacity-block", "capacity-reservation"]
LinkEncryption = Literal["macsec", "ipsec", "none"]
"""How a dedicated link (Direct Connect) is encrypted."""
DirectConnectBandwidth = Literal["1Gbps", "2Gbps", "5Gbps", "10Gbps", "25Gbps", "100Gbps", "400Gbps"]
"""Port speeds as the Direct Connect API spells them (botocore directconnect CreateConnection.bandwidth)."""
Every = Literal["day", "week", "month", "once"]
IkeVersion = Literal["ikev1", "ikev2"]
IpsecEncryption = Literal["aes128", "aes256", "aes128-gcm", "aes256-gcm"]
IpsecIntegrity = Literal["sha1", "sha256", "sha384", "sha512"]
DhGroup = Literal[2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
TunnelBandwidth = Literal["standard", "large"]
TransferDirection = Literal["to_private", "to_public", "both"]

# --- Tags (AWS tag keys; the same names ride as Heat `key=value` tags and Kubernetes annotations) ---------------
STACK_TAG = "aidc:stack"
COMPONENT_TAG = "aidc:component"
WORKLOAD_TAG = "aidc:workload"
CLASSIFICATION_TAG = "aidc:classification"
LOCATION_TAG = "aidc:location"
ENCRYPTION_TAG = "aidc:encryption"
NODE_GROUP_TAG = "aidc:node-group"
PLANNED_TAG = "aidc:planned-instances"  # the peak count sizing computed
PLANNED_MIN_TAG = "aidc:planned-min-instances"
PLANNED_MAX_TAG = "aidc:planned-max-instances"
QUOTA_TAG = "aidc:quota-instances"  # aidc:capacity.public.max_instances of the type
COST_TAG = "aidc:usd-per-month"  # the plan's monthly cost of the group at peak (the ceiling rule sums these)
BASELINE_COST_TAG = "aidc:usd-per-month-baseline"
# The plan's whole monthly cost at peak (every component), USD, written when the stack has a cost ceiling: on the
# private core's network (an estate shard: its first site's network) as a Neutron `key=value` tag, so the pack's
# monthly-cost-ceiling rule reads it from resources alone.
STACK_COST_TAG = "aidc:stack-usd-per-month"
REQUIRED_GBPS_TAG = "aidc:required-gbps"  # what the transfers need of an interconnect
PROVISIONED_GBPS_TAG = "aidc:provisioned-gbps"  # what the plan provides for them
PORT_GBPS_TAG = "aidc:port-gbps"  # a dedicated link's port speed
EKS_ACCESS_ROLE_TAG = "aidc:eks-access"  # "deploy" | "admin" on an EKS access entry: whose entry it is
PLANNED_TAGS: tuple[str, ...] = (
    WORKLOAD_TAG,
    CLASSIFICATION_TAG,
    LOCATION_TAG,
    PLANNED_TAG,
    PLANNED_MIN_TAG,
    PLANNED_MAX_TAG,
    QUOTA_TAG,
    COST_TAG,
    BASELINE_COST_TAG,
)
"""The plan's facts on a public GPU group; a Kubernetes object (a Karpenter NodePool) carries them as
annotations (`annotation_of`)."""

# --- Kubernetes labels and annotations -----------------------------------------------------------------------
LABEL_PREFIX = "aidc.io/"
WORKLOAD_LABEL = "aidc.io/workload"
CLASSIFICATION_LABEL = "aidc.io/classification"
LOCATION_LABEL = "aidc.io/location"
KIND_LABEL = "aidc.io/kind"
ACCELERATOR_LABEL = "aidc.io/accelerator"
CLUSTER_LABEL = "aidc.io/cluster"
POOL_LABEL = "aidc.io/pool"
NODE_GROUP_LABEL = "aidc.io/node-group"
CAPACITY_LABEL = "aidc.io/capacity"  # spot | on-demand | reserved
GPUS_PER_NODE_LABEL = "aidc.io/gpus-per-node"  # K3s agents
GPUS_PER_INSTANCE_LABEL = "aidc.io/gpus-per-instance"  # public GPU nodes
EFA_LABEL = "aidc.io/efa"
EFA_INTERFACES_LABEL = "aidc.io/efa-interfaces"
STORAGE_LABEL = "aidc.io/storage"  # "true" on the Ceph hosts Rook selects
ACCESS_LABEL = (
    "aidc.io/access"  # "deploy" on the RBAC objects that give the deploy role its Kubernetes rights
)
DEPLOY_GROUP = "aidc-deploy"  # the Kubernetes group of the deploy role's EKS access entry
SYSTEM_NODE_GROUP = "system"  # NODE_GROUP_LABEL value of a public cluster's system nodes
POD_GPUS_ANNOTATION = "aidc.io/pod-gpus"
PLANNED_GPUS_ANNOTATION = "aidc.io/planned-gpus"
GPU_RESOURCE = "nvidia.com/gpu"


def annotation_of(tag: str) -> str:
    """The annotation that carries an aidc:* tag's value (aidc:usd-per-month -> aidc.io/usd-per-month)."""
    return LABEL_PREFIX + tag.removeprefix("aidc:")


def tag_of(annotation: str) -> str:
    """The aidc:* tag an aidc.io/* annotation carries (the inverse of `annotation_of`)."""
    return "aidc:" + annotation.removeprefix(LABEL_PREFIX)


def cloud_label_of(tag: str) -> str:
    """The key a cloud whose labels take only lowercase letters, digits, '_' and '-' (Google Cloud) carries an aidc:*
    tag under: aidc:workload -> aidc-workload. Only slugs ride there (workload, location, node group); the plan's
    figures ride as Kubernetes node labels (`annotation_of`)."""
    return tag.replace(":", "-", 1)


# --- Nova metadata keys of K3s servers (Nova metadata keys take no ':' or '/') ---------------------------------
CLUSTER_METADATA_KEY = "aidc_cluster"
ROLE_METADATA_KEY = "aidc_role"
SECRETS_ENCRYPTION_METADATA_KEY = "aidc_secrets_encryption"
POOL_METADATA_KEY = "aidc_pool"

# --- Stack exports (what operators and scripts read with `pulumi stack output`) -------------------------------
EXPORT_CLOUDS = "clouds"  # the public clouds the stack declares resources in
EXPORT_PLAN_SUMMARY = "plan_summary"
EXPORT_GPU_QUEUES = "gpu_queues"
EXPORT_CORE_API_ENDPOINT = "core_api_endpoint"
EXPORT_CORE_KUBECONFIG = "core_kubeconfig"
EXPORT_EDGE_SSH_PUBLIC_KEY = "edge_ssh_public_key"
EXPORT_EDGE_API_ENDPOINTS = "edge_api_endpoints"
EXPORT_EDGE_NETWORKS = "edge_networks"
EXPORT_ESTATE_SHARDS = "estate_shards"

# --- Addresses that are not publicly routable ------------------------------------------------------------------
# Admin ports (SSH, the Kubernetes API, etcd, kubelet) answer named networks only. A set of sources is judged by
# the UNION of its networks, never by how it is spelled: 0.0.0.0/1 + 128.0.0.0/1 is the whole IPv4 internet. The
# union is too broad when it holds a block shorter than /8 (IPv4) or /32 (IPv6), or more publicly routable
# addresses than one such block: a /8 is the largest IPv4 block ever allocated to one organisation (a legacy
# class A), a /32 the standard IPv6 allocation to one network operator (RIPE-738). Addresses that are not
# publicly routable (the IANA special-purpose registries: RFC 1918, CGNAT, loopback, link-local, documentation,
# multicast, reserved; in IPv6 everything outside 2000::/3, and 2001:db8::/32) do not count, so
# 10.0.0.0/8 + 172.16.0.0/12 + 192.168.0.0/16 passes. Config (aidc/types.py) and the pack (policies/_common.py)
# both apply this one rule.
ADMIN_SOURCE_MIN_PREFIX = {4: 8, 6: 32}
NOT_PUBLIC_V4 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/3",  # multicast and reserved, up to 255.255.255.255
    )
)
PUBLIC_V6 = ipaddress.ip_network("2000::/3")
DOCUMENTATION_V6 = ipaddress.ip_network("2001:db8::/32")


def _overlap(network: Any, other: Any) -> int:
    """Addresses two CIDR blocks share (one holds the other, or they are disjoint)."""
    if network.version != other.version:
        return 0
    if network.subnet_of(other):
        return int(network.num_addresses)
    if other.subnet_of(network):
        return int(other.num_addresses)
    return 0


def public_addresses(network: Any) -> int:
    """How many publicly routable addresses `network` (an ip_network) holds."""
    if network.version == 4:
        return int(network.num_addresses) - sum(_overlap(network, n) for n in NOT_PUBLIC_V4)
    return _overlap(network, PUBLIC_V6) - _overlap(network, DOCUMENTATION_V6)
