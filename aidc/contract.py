"""The vocabulary the stack program writes and the policy pack reads: one copy, stdlib only.

What lives here: the registered public clouds, the places capacity lives, the enumerations every layer shares
(config validates against them, the plan carries them, component Args accept them), the tags, node labels,
annotations, Nova metadata keys and Heat pool tags the program writes from the plan and the pack reads back, the
namespaces and pools the clusters keep for themselves, the stack's export names, and the table of addresses that
are not publicly routable. Nothing else, and nothing else spells them: tests/test_contract.py walks every string
literal of aidc/, components/, stacks/ and policies/ and fails on a copy (docs/architecture.md, "The vocabulary is
one module").

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
TRAINING: Literal["training"] = "training"
INFERENCE: Literal["inference"] = "inference"
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
K3sServers = Literal[1, 3]
"""Servers of a K3s cluster: one, or three (embedded etcd's quorum)."""
GpuDriver = Literal["operator", "image"]
"""Who puts the NVIDIA driver on owned GPU agents: the GPU Operator, or the Glance image (aidc:openstack.gpu_image)."""
EksAddon = Literal["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent"]
"""The EKS managed add-ons aidc pins (names as EKS knows them: the EKS User Guide, "Amazon EKS add-ons")."""
EKS_ADDONS: tuple[EksAddon, ...] = get_args(EksAddon)
CephPoolKind = Literal["block", "object"]
CephFailureDomain = Literal["host", "rack", "zone", "osd"]
GkeReleaseChannel = Literal["RAPID", "REGULAR", "STABLE"]
"""GKE release channels (container.v1 ReleaseChannel.channel, less UNSPECIFIED and EXTENDED)."""
GcpLinkType = Literal[
    "LINK_TYPE_ETHERNET_10G_LR", "LINK_TYPE_ETHERNET_100G_LR", "LINK_TYPE_ETHERNET_400G_LR4"
]
"""Dedicated Interconnect port types (compute.v1 Interconnect.linkType)."""
GcpAttachmentBandwidth = Literal[
    "BPS_50M",
    "BPS_100M",
    "BPS_200M",
    "BPS_300M",
    "BPS_400M",
    "BPS_500M",
    "BPS_1G",
    "BPS_2G",
    "BPS_5G",
    "BPS_10G",
    "BPS_20G",
    "BPS_50G",
    "BPS_100G",
    "BPS_400G",
]
"""VLAN attachment capacities (compute.v1 InterconnectAttachment.bandwidth)."""


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
AccessRole = Literal["deploy", "admin"]
"""Values of EKS_ACCESS_ROLE_TAG (whose access entry) and ACCESS_LABEL (whose RBAC object)."""
DEPLOY_ACCESS: Literal["deploy"] = "deploy"
ADMIN_ACCESS: Literal["admin"] = "admin"
SYSTEM_NODE_GROUP = "system"  # NODE_GROUP_LABEL value of a public cluster's system nodes
POD_GPUS_ANNOTATION = "aidc.io/pod-gpus"
PLANNED_GPUS_ANNOTATION = "aidc.io/planned-gpus"
GPU_RESOURCE = "nvidia.com/gpu"
POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
POD_SECURITY: dict[WorkloadKind, str] = {"training": "baseline", "inference": "restricted"}
"""The Pod Security level a workload namespace enforces, by WorkloadKind: `restricted` for serving (vLLM, TGI and
Triton run as non-root without added capabilities); `baseline` for training, because the NGC PyTorch images a gang
runs start as root (restricted requires runAsNonRoot). The pack admits `restricted` or the kind's level."""
# Namespaces the clusters' own add-ons use (Kubernetes' own, Kueue, the GPU Operator, Prometheus, Rook,
# system-upgrade-controller): a workload's namespace is named after it, so no workload may take one of these.
RESERVED_NAMESPACES: frozenset[str] = frozenset(
    {
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "kueue-system",
        "gpu-operator",
        "monitoring",
        "rook-ceph",
        "system-upgrade",
    }
)
SERVER_POOL = "server"  # the POOL_LABEL value of a K3s cluster's servers
STORAGE_POOL = "storage"  # the POOL_LABEL value of the core's Ceph hosts
# Node pools a K3s cluster declares itself (its servers, the core's Ceph hosts): a pool joining from elsewhere,
# named after its workload, may not take one (its nodes would share the pool's label, and a pool named "server"
# would give its agents the servers' host names).
RESERVED_POOLS: frozenset[str] = frozenset({SERVER_POOL, STORAGE_POOL})


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


# --- Nova metadata keys of K3s servers (Nova allows ^[a-zA-Z0-9-_:. ]{1,255}$: no '/') -------------------------
CLUSTER_METADATA_KEY = "aidc_cluster"
ROLE_METADATA_KEY = "aidc_role"
SERVER_ROLE = "server"  # the ROLE_METADATA_KEY value of a K3s server
SECRETS_ENCRYPTION_METADATA_KEY = "aidc_secrets_encryption"
TAINTS_METADATA_KEY = "aidc_node_taints"  # a server's taints, comma-separated ('' when untainted)
POOL_METADATA_KEY = "aidc_pool"  # names a Heat pool's servers
# K3s docs ("High Availability Embedded etcd", dedicated server nodes): servers tainted so only critical add-ons,
# which tolerate CriticalAddonsOnly, run there; NoExecute also evicts anything scheduled before the taint.
K3S_SERVER_TAINT = "CriticalAddonsOnly=true:NoExecute"

# --- Heat stack tags of an owned server pool (Heat tags are strings without commas: `key=value`) ---------------
# The user data that says what a pool's servers register with is secret; these say it in the clear.
HEAT_MARKER_TAG = "aidc"  # every pool aidc declares
HEAT_CLUSTER_TAG = "cluster"  # the K3s cluster the pool joins
HEAT_POOL_TAG = "pool"
HEAT_SERVERS_TAG = "servers"  # the pool's server count
HEAT_ACCELERATOR_TAG = "accelerator"  # a GPU pool's accelerator
HEAT_GPUS_PER_SERVER_TAG = "gpus-per-server"
HEAT_NODE_LABEL_PREFIX = (
    "node-label:"  # node-label:<key>=<value>, a node label the pool's agents register with
)
HEAT_NODE_TAINT_PREFIX = "node-taint:"  # node-taint:<taint>, a taint they register with


def heat_tag(key: str, value: object) -> str:
    """A Heat stack tag `key=value`."""
    return f"{key}={value}"


# --- Stack exports (what operators and scripts read with `pulumi stack output`) -------------------------------
# The program's own; a public cloud's exports are named in its stacks/clouds/<name>.py.
EXPORT_CLOUDS = "clouds"  # the public clouds the stack declares resources in
EXPORT_PLAN_SUMMARY = "plan_summary"
EXPORT_GPU_QUEUES = "gpu_queues"
EXPORT_CORE_API_ENDPOINT = "core_api_endpoint"
EXPORT_CORE_KUBECONFIG = "core_kubeconfig"
EXPORT_CEPH_BLOCK_STORAGE_CLASS = "ceph_block_storage_class"
EXPORT_CEPH_OBJECT_STORE = "ceph_object_store"
EXPORT_CEPH_RGW_CA_CERT = "ceph_rgw_ca_cert"
EXPORT_SSH_PRIVATE_KEY = "ssh_private_key"
EXPORT_EDGE_SSH_PUBLIC_KEY = "edge_ssh_public_key"
EXPORT_EDGE_SSH_PRIVATE_KEY = "edge_ssh_private_key"
EXPORT_EDGE_API_ENDPOINTS = "edge_api_endpoints"
EXPORT_EDGE_NETWORKS = "edge_networks"
EXPORT_EDGE_ROUTE_PREFIXES = "edge_route_prefixes"
EXPORT_EDGE_NODES_BY_SITE = "edge_nodes_by_site"
EXPORT_ESTATE_SHARDS = "estate_shards"
EXPORT_CORE_STACK = "core_stack"  # a shard's: the estate core it reads


def edge_site_export(site: str, what: str) -> str:
    """The export of one edge site's `what` (kubeconfig, ssh_private_key): edge_<site>_<what>, '-' as '_'."""
    return f"edge_{site.replace('-', '_')}_{what}"


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
