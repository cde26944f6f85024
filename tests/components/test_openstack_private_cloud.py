"""Resource tests for OpenStackPrivateCloud under AidcMocks: admin exposure, GPU pool grouping, naming."""

from __future__ import annotations

import ipaddress

import pulumi
import pytest

from aidc.mocks import AidcMocks
from components.openstack_private_cloud import (
    ADMIN_PORTS,
    GpuPool,
    OpenStackPrivateCloud,
    OpenStackPrivateCloudArgs,
)
from tests.components.args_helpers import assert_refused, data

H100 = GpuPool(name="h100", flavor="g1.8xh100", servers=250, accelerator="h100-80gb", gpus_per_server=8)
A100 = GpuPool(name="a100", flavor="g1.8xa100", servers=40, accelerator="a100-80gb", gpus_per_server=8)


def _args(**overrides: object) -> OpenStackPrivateCloudArgs:
    base: dict[str, object] = {
        "image": "ubuntu-24.04",
        "ssh_public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAidcTestKey aidc@test",
        "gpu_pools": (H100, A100),
    }
    base.update(overrides)
    return OpenStackPrivateCloudArgs(**base)  # type: ignore[arg-type]


def _settled(cloud: OpenStackPrivateCloud) -> pulumi.Output[list[object]]:
    """Resolves once every child of `cloud` is registered (each child feeds one of its outputs)."""
    return pulumi.Output.all(
        cloud.network_id,
        cloud.subnet_id,
        cloud.router_id,
        cloud.security_group_ids,
        cloud.keypair_name,
        cloud.server_group_ids,
        cloud.gpu_stack_ids,
    )


def _of_type(mocks: AidcMocks, token: str) -> list[pulumi.runtime.MockResourceArgs]:
    return [r for r in mocks.registered if r.typ == token]


def _rule_opens_admin_port(rule: pulumi.runtime.MockResourceArgs) -> bool:
    inputs = rule.inputs
    if inputs.get("direction") != "ingress":
        return False
    low, high = inputs.get("portRangeMin"), inputs.get("portRangeMax")
    if low is None or high is None:  # no port range = every port
        return True
    return any(low <= port <= high for port in ADMIN_PORTS)


def _check_no_world_admin(mocks: AidcMocks, allowed: set[str]) -> None:
    rules = _of_type(mocks, "openstack:networking/secGroupRule:SecGroupRule")
    assert rules, "no security group rules registered"
    for rule in rules:
        if not _rule_opens_admin_port(rule):
            continue
        prefix = rule.inputs.get("remoteIpPrefix")
        if prefix is None:
            # Only a same-group rule may reach admin ports without a prefix.
            assert rule.inputs.get("remoteGroupId"), (
                f"{rule.name}: admin port open with no source restriction"
            )
            continue
        assert ipaddress.ip_network(prefix).prefixlen > 0, f"{rule.name}: admin port open to {prefix}"
        assert prefix in allowed, f"{rule.name}: admin port open to {prefix}, not an admin CIDR"


@pulumi.runtime.test
def test_admin_ports_closed_without_admin_cidrs(mocks: AidcMocks):
    cloud = OpenStackPrivateCloud("pc", _args())

    def check(_: object) -> None:
        _check_no_world_admin(mocks, allowed=set())
        admin_rules = [
            r
            for r in _of_type(mocks, "openstack:networking/secGroupRule:SecGroupRule")
            if r.inputs.get("remoteIpPrefix")
        ]
        assert admin_rules == [], f"unexpected prefix rules {[r.name for r in admin_rules]}"

    return _settled(cloud).apply(check)


@pulumi.runtime.test
def test_admin_ports_only_from_admin_cidrs(mocks: AidcMocks):
    cidrs = ("198.51.100.0/24", "2001:db8::/32")
    cloud = OpenStackPrivateCloud("pc", _args(admin_cidrs=cidrs))

    def check(_: object) -> None:
        _check_no_world_admin(mocks, allowed=set(cidrs))
        opened = {
            (r.inputs["remoteIpPrefix"], r.inputs["portRangeMin"], r.inputs["ethertype"])
            for r in _of_type(mocks, "openstack:networking/secGroupRule:SecGroupRule")
            if r.inputs.get("remoteIpPrefix")
        }
        assert opened == {
            ("198.51.100.0/24", 22, "IPv4"),
            ("198.51.100.0/24", 6443, "IPv4"),
            ("2001:db8::/32", 22, "IPv6"),
            ("2001:db8::/32", 6443, "IPv6"),
        }

    return _settled(cloud).apply(check)


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_world_admin_cidr_refused(mocks: AidcMocks, cidr: str):
    assert_refused(
        lambda: _args(admin_cidrs=("198.51.100.0/24", cidr)), "admin_cidrs[1]", says="whole internet"
    )


@pulumi.runtime.test
def test_one_server_group_and_one_heat_stack_per_pool(mocks: AidcMocks):
    cloud = OpenStackPrivateCloud("pc", _args())

    def check(stack_ids: dict[str, str]) -> None:
        assert set(stack_ids) == {"h100", "a100"}
        stacks = {r.name: r for r in _of_type(mocks, "openstack:orchestration/stackV1:StackV1")}
        groups = _of_type(mocks, "openstack:compute/serverGroup:ServerGroup")
        assert set(stacks) == {"pc-gpu-h100", "pc-gpu-a100"}
        assert len(groups) == 2
        assert stacks["pc-gpu-h100"].inputs["parameters"]["count"] == "250"
        assert stacks["pc-gpu-a100"].inputs["parameters"]["count"] == "40"
        template = stacks["pc-gpu-h100"].inputs["templateOpts"]["Bin"]
        assert "OS::Heat::ResourceGroup" in template
        assert "get_param: count" in template
        # No per-server resources: GPU servers live only inside the Heat stacks.
        assert _of_type(mocks, "openstack:compute/instance:Instance") == []

    return cloud.gpu_stack_ids.apply(check)


@pulumi.runtime.test
def test_heat_stack_wires_network_keypair_and_server_group(mocks: AidcMocks):
    cloud = OpenStackPrivateCloud("pc", _args(gpu_pools=(H100,)))

    def check(values: list[object]) -> None:
        network_id, _subnet, _router, sg_ids, keypair_name, server_groups, _stacks = values
        (stack,) = _of_type(mocks, "openstack:orchestration/stackV1:StackV1")
        params = stack.inputs["parameters"]
        assert params["network"] == network_id
        assert params["key_name"] == keypair_name
        assert params["server_group"] == server_groups["h100"]  # type: ignore[index]
        assert params["security_groups"].split(",") == sg_ids
        assert params["flavor"] == "g1.8xh100"

    return _settled(cloud).apply(check)


def _cloud(name: str, servers: int) -> OpenStackPrivateCloud:
    pools = (
        GpuPool(name="h100", flavor="g1.8xh100", servers=servers, accelerator="h100-80gb", gpus_per_server=8),
        GpuPool(
            name="l40s", flavor="g1.4xl40s", servers=servers // 4, accelerator="l40s-48gb", gpus_per_server=4
        ),
    )
    return OpenStackPrivateCloud(name, _args(gpu_pools=pools, admin_cidrs=("198.51.100.0/24",)))


@pulumi.runtime.test
def test_resource_names_stable_when_counts_double(mocks: AidcMocks):
    small, large = _cloud("small", 100), _cloud("large", 200)

    def names(prefix: str) -> set[tuple[str, str]]:
        # URN parent chains differ only in the component name; compare the per-role suffixes.
        return {(r.typ, r.name.removeprefix(prefix)) for r in mocks.registered if r.name.startswith(prefix)}

    def check(_: object) -> None:
        assert names("small-"), "nothing registered"
        assert names("small-") == names("large-")
        counts = {
            r.name: r.inputs["parameters"]["count"]
            for r in mocks.registered
            if r.typ == "openstack:orchestration/stackV1:StackV1"
        }
        assert counts == {
            "small-gpu-h100": "100",
            "small-gpu-l40s": "25",
            "large-gpu-h100": "200",
            "large-gpu-l40s": "50",
        }

    return pulumi.Output.all(_settled(small), _settled(large)).apply(check)


@pulumi.runtime.test
def test_generated_ssh_key_is_secret(mocks: AidcMocks):
    cloud = OpenStackPrivateCloud("pc", _args(ssh_public_key=None))

    def check(secret: bool) -> None:
        assert secret, "generated SSH private key must be a Pulumi secret"
        assert any(
            r.typ == "tls:index/privateKey:PrivateKey" and r.inputs["algorithm"] == "ED25519"
            for r in mocks.registered
        )

    return pulumi.Output.from_input(cloud.ssh_private_key.is_secret()).apply(check)


@pytest.mark.parametrize(
    ("override", "field", "says"),
    [
        ({"network_cidr": "10.0.0.0/30"}, "network_cidr", "/0../28"),
        ({"network_cidr": "not-a-cidr"}, "network_cidr", "not a CIDR"),
        ({"network_cidr": "fd00::/64"}, "network_cidr", "not an IPv4 CIDR"),
        ({"admin_cidrs": "198.51.100.0/24"}, "admin_cidrs", "must be a list"),
        ({"admin_cidrs": ("198.51.100.0/33",)}, "admin_cidrs[0]", "not a CIDR"),
        ({"root_volume_gb": 9}, "root_volume_gb", "greater than or equal to 10"),
        ({"gpu_pools": (data(H100, name="H100!"),)}, "gpu_pools[0].name", "lower-case letters"),
        ({"gpu_pools": (H100, H100)}, "gpu_pools[1].name", "must be unique"),
        ({"gpu_pools": (data(H100, servers=-1),)}, "gpu_pools[0].servers", "greater than or equal to 0"),
        ({"gpu_pools": (data(H100, gpus_per_server=0),)}, "gpu_pools[0].gpus_per_server", "greater than"),
        ({"gpu_pools": (data(H100, flavor=""),)}, "gpu_pools[0].flavor", "at least 1 character"),
        ({"gpu_pools": (data(H100, accelerator="H100"),)}, "gpu_pools[0].accelerator", "not a name"),
        (
            {"gpu_pools": (data(H100, server_group_policy="spread"),)},
            "gpu_pools[0].server_group_policy",
            "'anti-affinity', 'soft-anti-affinity', 'affinity' or 'soft-affinity'",
        ),
        ({"gpu_pools": (data(H100, user_data=42),)}, "gpu_pools[0].user_data", "pulumi Output"),
        ({"ssh_public_key": "not a key"}, "ssh_public_key", "OpenSSH public key"),
    ],
)
def test_bad_args_are_refused_at_construction_naming_the_field(
    mocks: AidcMocks, override: dict[str, object], field: str, says: str
):
    assert_refused(lambda: _args(**override), field, says=says)
    assert mocks.registered == [], "refused before any resource exists"


SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's wire marker for a secret value


@pulumi.runtime.test
def test_gpu_pool_user_data_is_passed_to_heat_and_kept_secret(mocks: AidcMocks):
    joining = GpuPool(
        name="h100",
        flavor="g1.8xh100",
        servers=3,
        accelerator="h100-80gb",
        gpus_per_server=8,
        user_data="#cloud-config\nwrite_files: [{path: /etc/rancher/k3s/config.yaml, content: t}]\n",
    )
    cloud = OpenStackPrivateCloud("pc", _args(gpu_pools=(joining, A100)))

    def check(_: object) -> None:
        stacks = {r.name: r for r in _of_type(mocks, "openstack:orchestration/stackV1:StackV1")}
        with_user_data = stacks["pc-gpu-h100"].inputs
        assert (
            isinstance(with_user_data["parameters"], dict) and SECRET_SIG in with_user_data["parameters"]
        ), "parameters carrying user data must reach the engine as a secret"
        assert with_user_data["parameters"]["value"]["user_data"].startswith("#cloud-config")
        assert "user_data" in with_user_data["templateOpts"]["Bin"]
        assert "servers=3" in with_user_data["tags"]
        # A pool without user data stays plain: its count is visible in the plan.
        plain = stacks["pc-gpu-a100"].inputs
        assert plain["parameters"]["count"] == "40"
        assert "user_data" not in plain["templateOpts"]["Bin"]

    return _settled(cloud).apply(check)
