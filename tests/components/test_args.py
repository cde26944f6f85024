"""The component Args as a family: one slug rule, field docs kept, cross-field faults reported at their field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

import pulumi
import pytest
from pydantic import BaseModel, ValidationError, model_validator

from aidc.types import FrozenArgs, field_error, field_messages
from components.aws_gpu_cluster import AwsGpuClusterArgs, GpuNodeGroup
from components.ceph_storage import CephPoolSpec, CephStorageArgs
from components.k3s_cluster import AgentPool, K3sClusterArgs
from components.openstack_private_cloud import GpuPool, OpenStackPrivateCloudArgs
from components.vpn_interconnect import VpnInterconnectArgs
from tests.components.args_helpers import assert_refused

ARGS_MODELS: tuple[type[BaseModel], ...] = (
    AwsGpuClusterArgs,
    GpuNodeGroup,
    K3sClusterArgs,
    AgentPool,
    OpenStackPrivateCloudArgs,
    GpuPool,
    VpnInterconnectArgs,
    CephStorageArgs,
    CephPoolSpec,
)
GROUP = {"name": "l4", "instance_type": "g6.12xlarge", "desired": 1, "min_size": 1, "max_size": 1}
K3S = {
    "cluster_name": "core",
    "server_flavor": "m1.large",
    "image": "ubuntu-24.04",
    "network_id": "net",
    "security_group_names": ["sg"],
    "keypair_name": "kp",
}
AGENTS = {
    "name": "gpu",
    "flavor": "g1",
    "count": 1,
    "gpu": True,
    "accelerator": "h100-80gb",
    "gpus_per_node": 8,
}
GPU_POOL = {"name": "h100", "flavor": "g1", "servers": 1, "accelerator": "h100-80gb", "gpus_per_server": 8}
CEPH_POOL = {"name": "rbd", "kind": "block", "pg_num": 64, "replicated_size": 3}
CEPH = {"storage_nodes": ["n0", "n1", "n2"], "pools": [CEPH_POOL]}
AZS = ["us-east-1a", "us-east-1b"]


def _aws(field: str) -> Callable[[str], object]:
    return lambda value: AwsGpuClusterArgs(azs=AZS, gpu_node_groups=[{**GROUP, field: value}])


def _k3s_pool(field: str) -> Callable[[str], object]:
    return lambda value: K3sClusterArgs(**K3S, agent_pools=[{**AGENTS, field: value}])


def _openstack_pool(field: str) -> Callable[[str], object]:
    return lambda value: OpenStackPrivateCloudArgs(image="i", gpu_pools=[{**GPU_POOL, field: value}])


# Every field that becomes part of a resource name or a Kubernetes label value takes the one slug rule; each
# builder puts the value it is given into that field of otherwise valid Args.
NAMED_FIELDS = [
    pytest.param("gpu_node_groups[0].name", _aws("name"), id="aws-group"),
    pytest.param("gpu_node_groups[0].accelerator", _aws("accelerator"), id="aws-accelerator"),
    pytest.param(
        "cluster_name", lambda value: K3sClusterArgs(**{**K3S, "cluster_name": value}), id="k3s-cluster"
    ),
    pytest.param("agent_pools[0].name", _k3s_pool("name"), id="k3s-pool"),
    pytest.param("agent_pools[0].accelerator", _k3s_pool("accelerator"), id="k3s-accelerator"),
    pytest.param("gpu_pools[0].name", _openstack_pool("name"), id="openstack-pool"),
    pytest.param("gpu_pools[0].accelerator", _openstack_pool("accelerator"), id="openstack-accelerator"),
    pytest.param(
        "pools[0].name",
        lambda value: CephStorageArgs(**{**CEPH, "pools": [{**CEPH_POOL, "name": value}]}),
        id="ceph-pool",
    ),
    pytest.param("namespace", lambda value: CephStorageArgs(**CEPH, namespace=value), id="ceph-namespace"),
    pytest.param(
        "cluster_name", lambda value: CephStorageArgs(**CEPH, cluster_name=value), id="ceph-cluster"
    ),
]


@pytest.mark.parametrize(("field", "build"), NAMED_FIELDS)
def test_the_one_slug_rule_refuses_bad_name_naming_the_field(
    field: str, build: Callable[[str], object]
) -> None:
    assert_refused(
        lambda: build("Bad_Name"),
        field,
        says="'Bad_Name' is not a name: use lower-case letters, digits and '-', starting with a letter",
    )


@pytest.mark.parametrize(("field", "build"), NAMED_FIELDS)
def test_the_one_slug_rule_takes_a_dns_label_of_up_to_63_characters(
    field: str, build: Callable[[str], object]
) -> None:
    label = "a" + "-b" * 31
    assert len(label) == 63
    build(label)
    assert_refused(lambda: build(label + "c"), field, says="at most 63 characters")
    assert_refused(lambda: build("7-eleven"), field, says="starting with a letter")
    assert_refused(lambda: build("edge-"), field, says="ending with a letter or digit")


@pytest.mark.parametrize("model", ARGS_MODELS, ids=lambda m: m.__name__)
def test_every_field_keeps_its_one_line_doc_as_description(model: type[BaseModel]) -> None:
    assert issubclass(model, FrozenArgs)
    undocumented = [name for name, info in model.model_fields.items() if not info.description]
    assert undocumented == [], f"{model.__name__}: fields without a docstring: {undocumented}"


@pytest.mark.parametrize("model", ARGS_MODELS, ids=lambda m: m.__name__)
def test_args_are_immutable_and_refuse_unknown_fields(model: type[BaseModel]) -> None:
    assert model.model_config.get("frozen") is True
    assert model.model_config.get("extra") == "forbid"


class _Inner(FrozenArgs):
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise field_error("low", f"must be <= high, got low={self.low} high={self.high}")
        return self


class _Outer(FrozenArgs):
    items: tuple[_Inner, ...]

    @model_validator(mode="after")
    def _first_low_zero(self) -> Self:
        if self.items and self.items[0].low != 0:
            raise field_error("items[0].low", "must be 0")
        return self


def test_field_error_is_reported_at_its_field_below_the_models_path() -> None:
    with pytest.raises(ValidationError) as nested:
        _Outer(items=[{"low": 0, "high": 1}, {"low": 3, "high": 2}])  # type: ignore[list-item]
    assert field_messages(nested.value) == ["items[1].low: must be <= high, got low=3 high=2"]
    with pytest.raises(ValidationError) as top:
        _Outer(items=[{"low": 1, "high": 2}])  # type: ignore[list-item]
    assert field_messages(top.value) == ["items[0].low: must be 0"]
    with pytest.raises(ValidationError) as alone:
        _Inner(low=3, high=2)
    assert field_messages(alone.value) == ["low: must be <= high, got low=3 high=2"]
    assert field_messages(alone.value, prefix="aidc:x") == ["aidc:x.low: must be <= high, got low=3 high=2"]
    # The exception's own text names the field too (what `aidc plan` prints).
    assert "low: must be <= high" in str(alone.value)


def test_replace_is_a_validated_copy_that_keeps_nested_records_and_outputs() -> None:
    network_id = pulumi.Output.from_input("net")
    pool = AgentPool(**AGENTS)
    args = K3sClusterArgs(**{**K3S, "network_id": network_id}, agent_pools=[pool])
    copy = args.replace(servers=3, subnet_id="subnet", api_allowed_cidrs=("10.20.0.0/16",))
    assert (copy.servers, args.servers) == (3, 1)
    assert_refused(lambda: args.replace(servers=3), "subnet_id", says="required with servers=3")
    assert copy.network_id is network_id and copy.agent_pools[0] is pool
    assert_refused(lambda: args.replace(servers=2), "servers", says="must be one of 1 or 3")
    assert_refused(lambda: pool.replace(accelerator=None), "accelerator", says="required for a GPU pool")
