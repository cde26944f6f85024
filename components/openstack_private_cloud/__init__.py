"""OpenStackPrivateCloud: the private cloud's tenant network and its GPU pools (pulumi_openstack).

Declares a tenant network, subnet and router on the external network, two security groups (intra-cluster
traffic; admin ports 22/6443 only from configured CIDRs, plus the K3s API port 6443 from `api_cidrs`, e.g. the
network `pulumi up` runs in), a keypair, and for each planned GPU pool one Nova server group plus one Heat stack
whose OS::Heat::ResourceGroup `count` is the pool's server count — so 2,000 GPU servers are still a handful of
Pulumi resources. Knows nothing of demand: the stack program hands it the planned pools.

A pool's user data is read at its servers' first boot only (`ignore_changes` on it here, and
`user_data_update_policy: IGNORE` in the template): a changed user data never replaces a server.

One module per concern, in the order the component calls them (the way components/aws_gpu_cluster/ is split):
  args.py             OpenStackPrivateCloudArgs and GpuPool (validated at construction)
  component.py        the OpenStackPrivateCloud class: one call per concern, outputs
  network.py          tenant network, subnet, router on the external network, router interface
  security_groups.py  the internal and admin groups and their rules (admin ports from admin CIDRs only)
  keys.py             the Nova keypair (the caller's public key, or a generated Ed25519 key)
  servers.py          per GPU pool: Nova server group and Heat stack (ResourceGroup of `servers` servers)
A child's name, parent and inputs are a contract with live infrastructure: moving code between these modules
must not change them (compare `aidc plan --json` before and after).
"""

from components.openstack_private_cloud.args import (
    GpuPool,
    OpenStackPrivateCloudArgs,
    ServerGroupPolicy,
    SshPublicKeyInput,
)
from components.openstack_private_cloud.component import OpenStackPrivateCloud
from components.openstack_private_cloud.security_groups import ADMIN_PORTS, K3S_API_PORT

__all__ = [
    "ADMIN_PORTS",
    "K3S_API_PORT",
    "GpuPool",
    "OpenStackPrivateCloud",
    "OpenStackPrivateCloudArgs",
    "ServerGroupPolicy",
    "SshPublicKeyInput",
]
