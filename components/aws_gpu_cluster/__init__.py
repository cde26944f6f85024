"""AwsGpuCluster: the public-cloud GPU capacity — VPC, EKS, Karpenter GPU node pools, dataset bucket (pulumi_aws).

Declares a VPC over >= 2 AZs (private + public subnets, one NAT gateway per AZ, flow logs to a KMS-encrypted
log group, the default security group emptied), one customer-managed KMS key with rotation (EKS secrets,
EBS volumes, S3 objects, log groups), an EKS cluster (private endpoint by default, every control-plane log
type, secrets envelope-encrypted), a managed system node group, and Karpenter with one GPU NodePool and
EC2NodeClass per planned GPU group (IMDSv2 required and encrypted EBS; EFA interfaces plus one cluster placement
group for EFA groups; the group's capacity reservation for deadline training), the EKS managed add-ons at pinned
versions, the NVIDIA device plugin (and, where EFA groups are planned, the EFA device plugin) as pinned Helm charts
through a kubernetes Provider built from the cluster's kubeconfig, and an S3 bucket for datasets and checkpoints
(SSE-KMS, versioning, public access blocked, TLS only). IAM roles carry only the AWS-managed policies EKS requires;
nodes have no bucket access: each workload's pods get their prefix of the bucket through an EKS Pod Identity role.
Kubernetes API access goes through EKS access entries for the named deploy and admin roles only (no bootstrap
cluster-admin for the creator). An audit trail records who reads and writes the datasets: server access logging of
the bucket and a multi-region CloudTrail trail (management events and the bucket's object events, log file
validation, KMS) into a log bucket secured like the dataset bucket.

The aws.eks resources are used directly (not the pulumi-eks remote component) so every child is visible to
tests and to the policy pack. GPU groups are named from the caller's slug, never from counts: changing a range
updates a NodePool's limits in place and never renames or adds a resource. Knows nothing of demand.

One module per concern, in the order the component calls them (split the way pulumi-eks splits its code):
  args.py         AwsGpuClusterArgs and GpuNodeGroup (validated at construction)
  component.py    the AwsGpuCluster class: one call per concern, outputs
  scope.py        name prefix, parent and tags every concern declares its children with
  kms.py          the KMS key, its policy and alias
  network.py      VPC, subnets, internet and NAT gateways, route tables, flow logs
  roles.py        cluster and node IAM roles, managed-policy attachments
  bucket.py       the dataset and log buckets: encryption, versioning, public-access block, bucket policies
  audit.py        the log bucket and its policy, the dataset bucket's access logging, the CloudTrail trail
  eks.py          control-plane log group and the EKS cluster
  node_groups.py  the system group's launch template and node group, the EFA security group, GPU taint/labels
  access.py       EKS access entries and access policies of the deploy and admin roles
  addons.py       managed add-ons, kubeconfig, kubernetes Provider, NVIDIA and EFA device plugin Helm releases
  karpenter.py    interruption queue and rules, controller and node IAM, the charts, NodePools, EC2NodeClasses,
                  placement groups and capacity reservations
  pod_identity.py per-workload Pod Identity roles, bucket-prefix policies and associations
A child's name, parent and inputs are a contract with live infrastructure: moving code between these modules
must not change them (compare `aidc plan --json` before and after).
"""

from components.aws_gpu_cluster.addons import NVIDIA_DEVICE_PLUGIN_VERSION
from components.aws_gpu_cluster.args import (
    AwsGpuClusterArgs,
    CapacityReservationSpec,
    GpuNodeGroup,
    WorkloadIdentity,
)
from components.aws_gpu_cluster.component import AwsGpuCluster
from components.aws_gpu_cluster.eks import EKS_LOG_TYPES

__all__ = [
    "EKS_LOG_TYPES",
    "NVIDIA_DEVICE_PLUGIN_VERSION",
    "AwsGpuCluster",
    "AwsGpuClusterArgs",
    "CapacityReservationSpec",
    "GpuNodeGroup",
    "WorkloadIdentity",
]
