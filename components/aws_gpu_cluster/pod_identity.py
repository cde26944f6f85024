"""Pod access to the dataset bucket for AwsGpuCluster: EKS Pod Identity, one IAM role per workload.

Pods cannot use the node role (IMDSv2 with hop limit 1 keeps them from it, and the node role has no bucket access):
each workload's service account gets a role through an EKS Pod Identity association. The role is assumed by the
Pod Identity agent (the `eks-pod-identity-agent` add-on, addons.py) for pods of that service account only, and may
list, read, write and delete objects under the workload's own prefix of the one bucket — its datasets and
checkpoints — and use the bucket's KMS key only through S3 in this region. Names come from the workload's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aidc.contract import WORKLOAD_TAG
from components.aws_gpu_cluster.args import WorkloadIdentity
from components.aws_gpu_cluster.scope import Scope
from components.iam import PolicyDocument, PolicyStatement

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"


def pod_identity_trust_policy(
    account_id: str, cluster_arn: str, namespace: str, service_account: str
) -> PolicyDocument:
    """EKS Pod Identity assumes the role for the pod and tags the session with the pod's identity; only for this
    account (aws:SourceAccount) and for the one cluster, namespace and service account the role is for: the session
    tags Pod Identity sets (EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity" and
    "Enable or disable session tags": eks-cluster-arn, kubernetes-namespace, kubernetes-service-account), so no
    other association in the account, on any cluster, can assume it."""
    return PolicyDocument(
        (
            PolicyStatement(
                sid="AllowEksAuthToAssumeRoleForPodIdentity",
                effect="Allow",
                principal={"Service": POD_IDENTITY_SERVICE},
                action=("sts:AssumeRole", "sts:TagSession"),
                condition={
                    "StringEquals": {
                        "aws:SourceAccount": account_id,
                        "aws:RequestTag/eks-cluster-arn": cluster_arn,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": service_account,
                    }
                },
            ),
        )
    )


def trust_for(
    account_id: pulumi.Output[str], cluster: aws.eks.Cluster, namespace: str, service_account: str
) -> pulumi.Output[str]:
    """The trust policy of a role for `namespace`/`service_account` on `cluster`, as JSON."""
    return pulumi.Output.all(account_id, cluster.arn).apply(
        lambda v: pod_identity_trust_policy(v[0], v[1], namespace, service_account).to_json()
    )


def workload_data_policy(bucket_arn: str, key_arn: str, prefix: str, region: str) -> PolicyDocument:
    """One workload's bucket access: list its prefix, read, write and delete objects under it, and use the key
    only on S3's behalf in this region (the bucket encrypts with it; bucket keys make S3 the only caller)."""
    return PolicyDocument(
        (
            PolicyStatement(
                sid="ListOwnPrefix",
                effect="Allow",
                action="s3:ListBucket",
                resource=bucket_arn,
                condition={"StringLike": {"s3:prefix": f"{prefix}*"}},
            ),
            PolicyStatement(
                sid="ReadWriteOwnPrefix",
                effect="Allow",
                action=("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
                resource=f"{bucket_arn}/{prefix}*",
            ),
            PolicyStatement(
                sid="BucketKeyThroughS3",
                effect="Allow",
                action=("kms:Decrypt", "kms:GenerateDataKey"),
                resource=key_arn,
                condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            ),
        )
    )


def _policy_for(prefix: str) -> Callable[[list[str]], str]:
    """Binds one workload's prefix for the apply that renders its policy from bucket, key and region."""

    def render(values: list[str]) -> str:
        bucket_arn, key_arn, region = values
        return workload_data_policy(bucket_arn, key_arn, prefix, region).to_json()

    return render


@dataclass(frozen=True)
class PodIdentities:
    """The roles and associations by workload name."""

    roles: dict[str, aws.iam.Role]
    associations: dict[str, aws.eks.PodIdentityAssociation]


def create_pod_identities(
    scope: Scope,
    identities: tuple[WorkloadIdentity, ...],
    cluster: aws.eks.Cluster,
    agent: aws.eks.Addon,
    bucket: aws.s3.Bucket,
    key: aws.kms.Key,
    region: pulumi.Output[str],
    account_id: pulumi.Output[str],
) -> PodIdentities:
    """Per workload: a role only Pod Identity may assume, its bucket policy, and the association to its account."""
    roles: dict[str, aws.iam.Role] = {}
    associations: dict[str, aws.eks.PodIdentityAssociation] = {}
    for identity in identities:
        base = f"{scope.name}-pod-{identity.name}"
        tags = {**scope.tags, WORKLOAD_TAG: identity.name}
        role = aws.iam.Role(
            f"{base}-role",
            assume_role_policy=trust_for(account_id, cluster, identity.namespace, identity.service_account),
            tags=tags,
            opts=scope.opts(),
        )
        aws.iam.RolePolicy(
            f"{base}-data",
            role=role.id,
            policy=pulumi.Output.all(bucket.arn, key.arn, region).apply(_policy_for(identity.prefix)),
            opts=scope.opts(),
        )
        associations[identity.name] = aws.eks.PodIdentityAssociation(
            base,
            cluster_name=cluster.name,
            namespace=identity.namespace,
            service_account=identity.service_account,
            role_arn=role.arn,
            tags=tags,
            opts=scope.opts(depends_on=[agent]),
        )
        roles[identity.name] = role
    return PodIdentities(roles, associations)
