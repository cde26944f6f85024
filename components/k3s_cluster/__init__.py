"""K3sCluster: a K3s cluster on OpenStack instances — the private core cluster and every edge site.

1 or 3 servers (3 = embedded etcd: the first server runs `--cluster-init`, the others join it) as individual
instances in an anti-affinity server group, and agents in pools, each pool one Heat ResourceGroup (so the resource
count follows pools, not nodes). K3s is installed by cloud-init (components/cloud_init.py) from the pinned release's
checksum-verified binary, with `--secrets-encryption`, `--protect-kernel-defaults`, Pod Security admission and
audit logging (the K3s CIS hardening guide), and a host firewall rule that keeps pods from the metadata service.

Secrets (docs.k3s.io/cli/token, docs.k3s.io/cli/certificate): the first server generates the cluster's CAs — no CA
key is in any user data or in Pulumi state. The first server takes the short server token; once it has booted,
K3sClusterIdentity (identity.py) learns its CA hash through Nova's console and the others join with secure tokens
that pin it: servers with the server token (`K10<hash>::server:<secret>`), agents with the agent token
(`K10<hash>::node:<secret>`), which joins agents only. Servers are tainted `CriticalAddonsOnly=true:NoExecute` where
general-purpose agents exist. The kubeconfig is the named user `aidc-admin`, bound to cluster-admin by a
ClusterRoleBinding every server applies, with a certificate of ADMIN_CERT_HOURS that `pulumi up` renews.

Registration address: with 3 servers an Octavia load balancer (components/k3s_api.py) whose VIP is in every
server certificate (tls-san) and is what joining servers, agents and the kubeconfig use; with 1 server, that
server's address. Readiness: `api_ready` (components/k3s_readiness.py) is created only once the API answers
/readyz; `kubeconfig` comes out of it, so whatever is built from the kubeconfig waits for the cluster.

User data is boot-time only: `version` is the release a node installs when it first boots; later releases are
rolled out in place by system-upgrade-controller Plans (components/k3s_upgrades.py). Changes to user data are
ignored on existing servers (`ignore_changes`, and `user_data_update_policy: IGNORE` in the agent pools' Heat
template): changing `version` or anything else in user data never replaces a server. Edge regions pass their
openstack Provider in the Args.

One module per concern, in the order the component calls them:
  args.py       AgentPool and K3sClusterArgs (validated at construction)
  nodes.py      node labels and taints, the servers' taint, Heat inventory tags
  tokens.py     the server and agent join secrets and the secure token format
  servers.py    the server group, the first server and the joining servers
  identity.py   K3sClusterIdentity: the first server's CA hash and the short-lived admin certificate
  agents.py     agent pools as Heat stacks, agent user data
  access.py     the admin kubeconfig
  component.py  the K3sCluster class
A child's name, parent and inputs are a contract with live infrastructure (compare `aidc plan --json`).
"""

from components.k3s_cluster.access import build_kubeconfig
from components.k3s_cluster.agents import HEAT_USER_DATA_IGNORED
from components.k3s_cluster.args import (
    DEFAULT_VERSION,
    SERVER_POOL,
    TAINT_EFFECTS,
    AgentPool,
    K3sClusterArgs,
    K3sVersion,
    Taint,
    TaintEffect,
)
from components.k3s_cluster.component import K3sCluster
from components.k3s_cluster.identity import ADMIN_CERT_HOURS, ADMIN_USER, K3sClusterIdentity
from components.k3s_cluster.nodes import (
    ACCELERATOR_LABEL,
    GPU_TAINT,
    GPUS_PER_NODE_LABEL,
    INVENTORY_LABELS,
    POOL_LABEL,
    SERVER_TAINT,
    pool_inventory_tags,
    pool_node_settings,
    pool_node_tags,
)
from components.k3s_cluster.servers import (
    CLUSTER_METADATA_KEY,
    ROLE_METADATA_KEY,
    SECRETS_ENCRYPTION_METADATA_KEY,
    TAINTS_METADATA_KEY,
    USER_DATA_IGNORED,
)

__all__ = [
    "ACCELERATOR_LABEL",
    "ADMIN_CERT_HOURS",
    "ADMIN_USER",
    "CLUSTER_METADATA_KEY",
    "DEFAULT_VERSION",
    "GPUS_PER_NODE_LABEL",
    "GPU_TAINT",
    "HEAT_USER_DATA_IGNORED",
    "INVENTORY_LABELS",
    "POOL_LABEL",
    "ROLE_METADATA_KEY",
    "SECRETS_ENCRYPTION_METADATA_KEY",
    "SERVER_POOL",
    "SERVER_TAINT",
    "TAINTS_METADATA_KEY",
    "TAINT_EFFECTS",
    "USER_DATA_IGNORED",
    "AgentPool",
    "K3sCluster",
    "K3sClusterArgs",
    "K3sClusterIdentity",
    "K3sVersion",
    "Taint",
    "TaintEffect",
    "build_kubeconfig",
    "pool_inventory_tags",
    "pool_node_settings",
    "pool_node_tags",
]
