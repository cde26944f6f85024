"""`aidc:aws`: the settings of the AWS side of a stack — region, zones, VPC, EKS, tags and access.

Every key has a default, so `aidc size` needs none of them; they matter once the plan uses AWS. The Pulumi AWS
provider's own `aws:region` key is read into `region` (`PROVIDER_KEYS`), so existing stack files keep working.
`WORKLOAD_NAMES` are the names the AWS side derives from a workload's name, with the limits AWS documents.
"""

from __future__ import annotations

import ipaddress
import math
from typing import TYPE_CHECKING, cast

from pydantic import Field, field_validator, model_validator

from aidc.config import limits
from aidc.config.base import Model, check_cidr
from aidc.config.ec2_instance_types import EC2_INSTANCE_TYPES
from aidc.config.limits import NameRule
from aidc.config.suggest import closest
from aidc.contract import EKS_ADDONS, EksAddon
from aidc.types import AdminCidrs, EksAddonVersion, IamRoleArn, arn_partition, field_error
from aidc.versions import EKS_ADDON_VERSIONS, EKS_DEFAULT, eks_refusal, today

EKS_ADDON_NAMES = EKS_ADDONS

if TYPE_CHECKING:
    from aidc.config.model import StackConfig

DEFAULT_REGION = "us-east-1"
# The smallest VPC subnet AWS takes (docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
VPC_SUBNET_LONGEST = 28
PROVIDER_KEYS = {"aws:region": "region"}
"""The AWS provider's config keys (`aws:region`) and the settings field each fills."""

# A workload placed in AWS becomes a node group named "<workload>-<instance type>" (PublicGroup.name) in the
# component "aws" (stacks/clouds/aws.py): each name it derives, and the limit AWS documents.
WORKLOAD_NAMES: tuple[NameRule, ...] = (
    NameRule(
        "node group name",
        "{name}-{instance_type}",
        63,
        "a name handed to a component is a Slug, a DNS label of 1-63 characters (aidc/types.py)",
    ),
    NameRule(
        "EKS node group name",
        "aws-ng-{name}-{instance_type}{autoname}",
        63,
        "EKS CreateNodegroup: nodegroupName at most 63 characters",
    ),
    NameRule("aidc.io/node-group label", "{name}-{instance_type}", 63, limits.K8S_LABEL_SOURCE),
    NameRule(
        "EC2 launch template name",
        "aws-lt-{name}-{instance_type}{autoname}",
        128,
        "EC2 CreateLaunchTemplate: LaunchTemplateName 3-128 characters",
    ),
)


class AwsAccess(Model):
    """Who may use the EKS cluster's Kubernetes API (EKS access entries); the creator gets no standing grant."""

    deploy_role_arn: IamRoleArn | None = Field(
        None,
        description="IAM role that runs `pulumi up` (e.g. the role behind AWS_ROLE_ARN): the Kubernetes group "
        "aidc-deploy, bound to exactly what the add-ons need (never cluster-admin); without it the first `pulumi up` "
        "cannot apply them",
    )
    admin_role_arn: IamRoleArn | None = Field(
        None,
        description="IAM role of the cluster's operators: cluster admin; on a new cluster it applies the deploy "
        "role's RBAC once (`python -m aidc.deploy_stages --stage access`)",
    )

    @model_validator(mode="after")
    def _two_roles(self) -> AwsAccess:
        if self.deploy_role_arn is not None and self.deploy_role_arn == self.admin_role_arn:
            raise ValueError(
                "admin_role_arn and deploy_role_arn name the same role; EKS keeps one access entry per role"
            )
        return self


class Settings(Model):
    """`aidc:aws`: the AWS side of a stack (used only when the plan places capacity or data in AWS)."""

    region: str = Field(
        DEFAULT_REGION,
        description="AWS region; `aws:region` (the AWS provider's own key) sets it too; if both are set they must "
        "agree",
    )
    azs: tuple[str, ...] | None = Field(
        None, max_length=26, description="availability zones of the region; default: <region>a, <region>b"
    )
    vpc_cidr: str = Field("10.0.0.0/16", description="IPv4, /16 to /22 (split into a subnet pair per zone)")
    eks_version: str = Field(
        EKS_DEFAULT,
        validate_default=True,
        pattern=r"^1\.[0-9]{2}$",
        description="EKS minor version in standard support (aidc/versions.py: EKS_VERSIONS)",
    )
    system_instance_type: str = Field("m6i.large", description="an EC2 instance type (botocore's list)")
    system_nodes: int = Field(2, ge=1, le=20)
    endpoint_public_access: bool = False
    public_access_cidrs: AdminCidrs = Field((), description="IPv4 CIDRs allowed to a public EKS endpoint")
    tags: dict[str, str] = Field(default_factory=dict, description="AWS tags (AWS's tag limits apply)")
    access: AwsAccess = Field(AwsAccess(), description="EKS access entries: deploy_role_arn, admin_role_arn")
    addon_versions: dict[EksAddon, EksAddonVersion] = Field(
        default_factory=dict,
        description="EKS managed add-on versions; default: the ones pinned for eks_version (aidc/versions.py)",
    )

    @field_validator("eks_version")
    @classmethod
    def _eks_supported(cls, value: str) -> str:
        if why := eks_refusal(value, today()):
            raise ValueError(f"{why}; pin a version in standard support")
        return value

    @model_validator(mode="after")
    def _addons_for_version(self) -> Settings:
        known = EKS_ADDON_VERSIONS.get(self.eks_version, {})
        missing = [name for name in EKS_ADDON_NAMES if name not in known and name not in self.addon_versions]
        if missing:
            raise ValueError(
                f"addon_versions: aidc pins no {', '.join(missing)} version for EKS {self.eks_version}; give them "
                f"(`aws eks describe-addon-versions --kubernetes-version {self.eks_version} --addon-name NAME`)"
            )
        return self

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return check_cidr(value, version=4, shortest=16, longest=22)

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # EKS publicAccessCidrs takes IPv4 blocks only.
        return tuple(check_cidr(v, version=4) for v in value)

    @field_validator("azs")
    @classmethod
    def _azs(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and len(value) < 2:
            raise ValueError("give at least two availability zones")
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"availability zones must be distinct, got {list(value)}")
        return value

    @field_validator("system_instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        if value not in EC2_INSTANCE_TYPES:
            raise ValueError(
                f"{value!r} is not an EC2 instance type (botocore's EC2 service model lists "
                f"{len(EC2_INSTANCE_TYPES):,}; "
                + (
                    f"did you mean {m!r}?)"
                    if (m := closest(value, EC2_INSTANCE_TYPES))
                    else "e.g. m6i.large, m7i.xlarge)"
                )
            )
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        problems = limits.tag_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if problem := limits.region_problem(value):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _zones_in_region(self) -> Settings:
        for index, zone in enumerate(self.azs or ()):
            if why := limits.zone_problem(zone, self.region):
                raise field_error(f"azs[{index}]", why)
        return self

    @model_validator(mode="after")
    def _role_partitions(self) -> Settings:
        """A role of another partition than the region's cannot be an EKS access entry there (arn:aws-cn only
        with cn-* regions, arn:aws-us-gov with us-gov-*)."""
        for key in ("deploy_role_arn", "admin_role_arn"):
            arn = getattr(self.access, key)
            if arn is not None and (why := limits.partition_problem(arn_partition(arn), self.region)):
                raise field_error(f"access.{key}", f"{why} (the region is {self.region})")
        return self

    @model_validator(mode="after")
    def _subnets_fit(self) -> Settings:
        # components/aws_gpu_cluster/network.py subnet_cidrs cuts the VPC into 2·zones equal subnets (private and public per zone); a
        # VPC subnet is /16 to /28 (docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
        zones = len(self.azs) if self.azs is not None else 2
        subnet_prefix = ipaddress.ip_network(self.vpc_cidr).prefixlen + math.ceil(math.log2(2 * zones))
        if subnet_prefix > VPC_SUBNET_LONGEST:
            raise field_error(
                "vpc_cidr",
                f"{self.vpc_cidr} cut into {2 * zones} subnets ({zones} zones, a private and a public subnet each) "
                f"gives /{subnet_prefix} subnets, smaller than the /{VPC_SUBNET_LONGEST} AWS allows: give a larger "
                "vpc_cidr or fewer azs",
            )
        return self

    @property
    def zones(self) -> tuple[str, ...]:
        """The availability zones the VPC spans: the configured ones, else <region>a and <region>b."""
        return self.azs or (f"{self.region}a", f"{self.region}b")

    def routed_ranges(self) -> list[tuple[str, str]]:
        """(config key, CIDR) of the AWS networks the private cloud routes to."""
        return [("aidc:aws.vpc_cidr", self.vpc_cidr)]


def settings_of(cfg: StackConfig) -> Settings:
    """The stack's `aidc:aws` settings, typed."""
    return cast(Settings, cfg.cloud("aws"))
