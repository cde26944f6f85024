"""GcpGpuCluster: the Google Cloud GPU capacity — VPC, Cloud NAT, a private regional GKE cluster with GPU node pools,
a CMEK datasets bucket (pulumi_gcp).

Declares a custom-mode VPC with one regional subnet (secondary ranges for Pods and Services, Private Google Access,
VPC Flow Logs), a Cloud Router (the interconnect's BGP speaker) with Cloud NAT, one Cloud KMS key with a rotation
period (Kubernetes secrets, boot disks, both buckets; GKE's, Compute Engine's and Cloud Storage's service agents may
use it), a private regional GKE cluster (private nodes and endpoint, master authorized networks only, Workload
Identity, Shielded Nodes, Dataplane V2, a release channel, secrets encrypted with the key, managed DCGM metrics, no
default node pool), a dedicated least-privilege node service account, a system pool and one GPU node pool per planned
group (GKE's accelerator type and count, the GKE-managed driver, gVNIC, compact placement for multi-node training,
GPUDirect-TCPXO networks for A3 Mega, autoscaling within the plan's range or fixed for training, a specific
reservation for deadline runs, the GPU taint and the labels Kueue's flavors select), a datasets bucket (CMEK,
uniform access, public access prevention, versioning, access logs to a log bucket) with Cloud Storage's data-access
audit logs, and a Google service account per workload bound through Workload Identity to its prefix of the bucket.

The pulumi_gcp resources are used directly so every child is visible to tests and to the policy pack. Pools are
named from the plan's group names, never from counts: a new range changes a pool in place. Knows nothing of demand.

One module per concern, in the order the component calls them:
  args.py               GcpGpuClusterArgs, GpuNodePool, NodePoolReservation, WorkloadIdentity (validated)
  component.py          the GcpGpuCluster class: one call per concern, outputs
  scope.py              name prefix, parent, project, region and labels every concern declares its children with
  kms.py                the key ring, the rotated key and the service agents' grants
  network.py            VPC, subnet, Cloud Router, Cloud NAT
  nodes_identity.py     the nodes' service account and its one project role
  bucket.py             the datasets and access-log buckets, the storage data-access audit config
  gke.py                the cluster, and the export of custom routes to its control plane's peering
  node_pools.py         the system pool and the GPU pools
  reservations.py       a specific Compute Engine reservation per reserved pool
  gpudirect.py          A3 Mega's eight GPUDirect-TCPXO networks and their GKE Network objects
  workload_identity.py  per-workload service accounts, Workload Identity bindings and prefix-scoped bucket grants
  access.py             the kubeconfig (gke-gcloud-auth-plugin) and the kubernetes Provider
A child's name, parent and inputs are a contract with live infrastructure: moving code between these modules must
not change them (compare `aidc plan --json` before and after).
"""

from components.gcp_gpu_cluster.args import (
    GcpGpuClusterArgs,
    GpuNodePool,
    NodePoolReservation,
    WorkloadIdentity,
)
from components.gcp_gpu_cluster.component import GcpGpuCluster

__all__ = ["GcpGpuCluster", "GcpGpuClusterArgs", "GpuNodePool", "NodePoolReservation", "WorkloadIdentity"]
