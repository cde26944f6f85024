"""Resource tests for K3sCluster under AidcMocks: server counts, etcd flags, secrets, user data, GPU pools."""

from __future__ import annotations

import pulumi
import pulumi_openstack as openstack
import pytest
import yaml

from aidc.mocks import AidcMocks
from components.k3s_cluster import GPU_TAINT, AgentPool, K3sCluster, K3sClusterArgs
from tests.components.args_helpers import assert_refused, data

VERSION = "v1.36.5+k3s1"
GPU_POOL = AgentPool(
    name="h100", flavor="g1.8xh100", count=64, gpu=True, accelerator="h100-80gb", gpus_per_node=8
)
CPU_POOL = AgentPool(name="general", flavor="m1.xlarge", count=6, labels={"tier": "general"})
INSTANCE = "openstack:compute/instance:Instance"
STACK = "openstack:orchestration/stackV1:StackV1"


def _args(**overrides: object) -> K3sClusterArgs:
    base: dict[str, object] = {
        "cluster_name": "core",
        "server_flavor": "m1.large",
        "image": "ubuntu-24.04",
        "network_id": "5a1c2d3e-0000-4000-8000-000000000001",
        "security_group_names": [
            "5a1c2d3e-0000-4000-8000-0000000000a1",
            "5a1c2d3e-0000-4000-8000-0000000000a2",
        ],
        "subnet_id": "5a1c2d3e-0000-4000-8000-0000000000b1",
        "api_allowed_cidrs": ("10.20.0.0/16", "10.99.0.0/24"),
        "keypair_name": "pc-keypair",
        "version": VERSION,
        "agent_pools": (GPU_POOL, CPU_POOL),
    }
    base.update(overrides)
    return K3sClusterArgs(**base)  # type: ignore[arg-type]


def _settled(cluster: K3sCluster) -> pulumi.Output[list[object]]:
    """Resolves once every child is registered (each child feeds one of the outputs)."""
    return pulumi.Output.all(
        cluster.server_addresses,
        cluster.kubeconfig,
        cluster.join_token,
        cluster.agent_stack_ids,
        cluster.registration_address,
    )


def _servers(mocks: AidcMocks) -> dict[str, pulumi.runtime.MockResourceArgs]:
    return {r.name: r for r in mocks.registered if r.typ == INSTANCE}


def _stacks(mocks: AidcMocks) -> dict[str, pulumi.runtime.MockResourceArgs]:
    return {r.name: r for r in mocks.registered if r.typ == STACK}


SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's wire marker for a secret value


def _secret_value(value: object) -> str:
    """The plain text of an input that reached the engine as a secret; fails if it was not secret."""
    assert isinstance(value, dict) and SECRET_SIG in value, f"not a secret input: {str(value)[:60]!r}"
    return value["value"]


def _params(stack: pulumi.runtime.MockResourceArgs) -> dict[str, str]:
    """Heat parameters of an agent stack: secret as a whole, since they carry the join token."""
    return _secret_value(stack.inputs["parameters"])  # type: ignore[return-value]


def _files(user_data: str) -> dict[str, str]:
    return {f["path"]: f["content"] for f in yaml.safe_load(user_data)["write_files"]}


def _install_script(user_data: str) -> str:
    runcmd = yaml.safe_load(user_data)["runcmd"]
    assert ["sh", "/usr/local/lib/aidc/install-k3s.sh"] in runcmd
    return _files(user_data)["/usr/local/lib/aidc/install-k3s.sh"]


def _k3s_config(user_data: str) -> dict[str, object]:
    files = {f["path"]: f for f in yaml.safe_load(user_data)["write_files"]}
    config = files["/etc/rancher/k3s/config.yaml"]
    assert config["permissions"] == "0600", "the token file must be root-only"
    return yaml.safe_load(config["content"])


@pytest.mark.parametrize("servers", [0, 2, 4])
def test_server_count_must_be_1_or_3(mocks: AidcMocks, servers: int):
    assert_refused(lambda: _args(servers=servers), "servers", says=f"must be one of 1 or 3, got {servers}")


@pulumi.runtime.test
def test_three_servers_use_embedded_etcd(mocks: AidcMocks):
    cluster = K3sCluster("core", _args(servers=3))

    def check(values: list[object]) -> None:
        addresses, vip = values[0], values[4]
        servers = _servers(mocks)
        assert sorted(servers) == ["core-server-0", "core-server-1", "core-server-2"]
        assert len(addresses) == 3  # type: ignore[arg-type]
        first = _secret_value(servers["core-server-0"].inputs["userData"])
        assert _k3s_config(first)["cluster-init"] is True
        assert "server" not in _k3s_config(first), "the --cluster-init server must not join anyone"
        for joining in ("core-server-1", "core-server-2"):
            user_data = _secret_value(servers[joining].inputs["userData"])
            assert "cluster-init" not in _k3s_config(user_data), joining
            assert _k3s_config(user_data)["server"] == f"https://{vip}:6443", joining

    return _settled(cluster).apply(check)


LB = "openstack:loadbalancer/"


@pulumi.runtime.test
def test_three_servers_register_through_a_load_balancer_vip_everyone_uses(mocks: AidcMocks):
    """K3s HA: a fixed registration address (the Octavia VIP) in every server certificate (tls-san), used by
    joining servers, agents and the kubeconfig; losing server-0 strands nobody."""
    cluster = K3sCluster("core", _args(servers=3))

    def check(values: list[object]) -> None:
        addresses, kubeconfig, vip = values[0], values[1], values[4]
        by_type: dict[str, list[pulumi.runtime.MockResourceArgs]] = {}
        for r in mocks.registered:
            by_type.setdefault(r.typ, []).append(r)
        (lb,) = by_type[LB + "loadBalancer:LoadBalancer"]
        assert lb.inputs["vipSubnetId"] == "5a1c2d3e-0000-4000-8000-0000000000b1"
        (listener,) = by_type[LB + "listener:Listener"]
        assert (listener.inputs["protocol"], listener.inputs["protocolPort"]) == ("TCP", 6443)
        assert listener.inputs["allowedCidrs"] == ["10.20.0.0/16", "10.99.0.0/24"]
        (pool,) = by_type[LB + "pool:Pool"]
        assert (pool.inputs["protocol"], pool.inputs["lbMethod"]) == ("TCP", "ROUND_ROBIN")
        members = by_type[LB + "member:Member"]
        assert sorted(m.inputs["address"] for m in members) == sorted(addresses)  # type: ignore[arg-type]
        assert {m.inputs["protocolPort"] for m in members} == {6443}
        (monitor,) = by_type[LB + "monitor:Monitor"]
        assert monitor.inputs["type"] == "TCP"
        assert vip not in addresses  # type: ignore[operator]
        for server in _servers(mocks).values():
            assert _k3s_config(_secret_value(server.inputs["userData"]))["tls-san"] == [vip], server.name
        for stack in _stacks(mocks).values():
            assert _k3s_config(_params(stack)["user_data"])["server"] == f"https://{vip}:6443", stack.name
        config = yaml.safe_load(kubeconfig)  # type: ignore[arg-type]
        assert config["clusters"][0]["cluster"]["server"] == f"https://{vip}:6443"

    return _settled(cluster).apply(check)


@pulumi.runtime.test
def test_a_single_server_is_its_own_registration_address(mocks: AidcMocks):
    cluster = K3sCluster("edge", _args(cluster_name="edge-sh", servers=1))

    def check(values: list[object]) -> None:
        addresses, kubeconfig, address = values[0], values[1], values[4]
        assert [address] == addresses
        assert not [r for r in mocks.registered if r.typ.startswith(LB)]
        config = yaml.safe_load(kubeconfig)  # type: ignore[arg-type]
        assert config["clusters"][0]["cluster"]["server"] == f"https://{address}:6443"

    return _settled(cluster).apply(check)


@pytest.mark.parametrize(
    ("override", "field"),
    [({"subnet_id": None}, "subnet_id"), ({"api_allowed_cidrs": ()}, "api_allowed_cidrs")],
)
def test_three_servers_need_a_subnet_and_allowed_networks_for_their_address(
    mocks: AidcMocks, override: dict[str, object], field: str
):
    assert_refused(lambda: _args(servers=3, **override), field, says="required with servers=3")
    assert _args(servers=1, **override).servers == 1


@pulumi.runtime.test
def test_single_server_has_no_etcd_and_one_instance(mocks: AidcMocks):
    cluster = K3sCluster("edge", _args(cluster_name="edge-sh", servers=1))

    def check(_: object) -> None:
        servers = _servers(mocks)
        assert list(servers) == ["edge-server-0"]
        assert "cluster-init" not in _k3s_config(_secret_value(servers["edge-server-0"].inputs["userData"]))

    return _settled(cluster).apply(check)


@pulumi.runtime.test
def test_user_data_pins_version_and_hardening_flags(mocks: AidcMocks):
    cluster = K3sCluster("core", _args(servers=3))

    def check(_: object) -> None:
        user_data = [_secret_value(r.inputs["userData"]) for r in _servers(mocks).values()]
        user_data += [_params(r)["user_data"] for r in _stacks(mocks).values()]
        assert len(user_data) == 5
        for text in user_data:
            script = _install_script(text)
            assert f"releases/download/{VERSION.replace('+', '%2B')}/k3s\n" in script
            assert "sha256sum-amd64.txt" in script and "sha256 mismatch" in script
            assert "get.k3s.io" not in text and "| sh" not in script
            assert _k3s_config(text)["protect-kernel-defaults"] is True
            sysctls = _files(text)
            assert "vm.overcommit_memory=1" in sysctls["/etc/sysctl.d/90-kubelet.conf"]
            assert "kernel.panic_on_oops=1" in sysctls["/etc/sysctl.d/90-kubelet.conf"]
            assert "token" in _k3s_config(text)
        for server in _servers(mocks).values():
            assert _k3s_config(_secret_value(server.inputs["userData"]))["secrets-encryption"] is True

    return _settled(cluster).apply(check)


@pulumi.runtime.test
def test_join_token_is_secret(mocks: AidcMocks):
    cluster = K3sCluster("core", _args())
    return pulumi.Output.from_input(cluster.join_token.is_secret()).apply(
        lambda secret: _assert(secret, "join_token must be a Pulumi secret")
    )


@pulumi.runtime.test
def test_kubeconfig_is_secret_and_points_at_the_registration_address(mocks: AidcMocks):
    cluster = K3sCluster("core", _args(servers=3))
    is_secret = pulumi.Output.from_input(cluster.kubeconfig.is_secret())

    def check(values: list[object]) -> None:
        secret, kubeconfig, address = values
        assert secret, "kubeconfig must be a Pulumi secret"
        config = yaml.safe_load(kubeconfig)  # type: ignore[arg-type]
        assert config["clusters"][0]["cluster"]["server"] == f"https://{address}:6443"
        user = config["users"][0]["user"]
        assert set(user) == {"client-certificate-data", "client-key-data"}
        assert config["users"][0]["name"] == "aidc-admin", "a named user, not system:masters"
        assert "insecure-skip-tls-verify" not in config["clusters"][0]["cluster"]
        assert not [r for r in mocks.registered if r.typ.startswith("tls:")], "no CA is made by Pulumi"

    return pulumi.Output.all(is_secret, cluster.kubeconfig, cluster.registration_address).apply(check)


def _assert(condition: object, message: str) -> None:
    assert condition, message


@pulumi.runtime.test
def test_gpu_agents_tainted_and_labelled_cpu_agents_not(mocks: AidcMocks):
    cluster = K3sCluster("core", _args())

    def check(_: object) -> None:
        stacks = _stacks(mocks)
        assert set(stacks) == {"core-agents-h100", "core-agents-general"}
        gpu = _k3s_config(_params(stacks["core-agents-h100"])["user_data"])
        assert GPU_TAINT in gpu["node-taint"]
        assert "aidc.io/accelerator=h100-80gb" in gpu["node-label"]
        cpu = _k3s_config(_params(stacks["core-agents-general"])["user_data"])
        assert "node-taint" not in cpu
        assert not [label for label in cpu["node-label"] if "accelerator" in label]
        assert "tier=general" in cpu["node-label"]
        assert _params(stacks["core-agents-h100"])["count"] == "64"
        assert "servers=64" in stacks["core-agents-h100"].inputs["tags"], "count must stay visible in plans"
        assert "OS::Heat::ResourceGroup" in stacks["core-agents-h100"].inputs["templateOpts"]["Bin"]
        # Agents live only in Heat stacks: the only instances are the servers.
        assert list(_servers(mocks)) == ["core-server-0"]

    return _settled(cluster).apply(check)


@pulumi.runtime.test
def test_resource_names_stable_when_counts_double(mocks: AidcMocks):
    def pools(scale: int) -> tuple[AgentPool, ...]:
        return (
            AgentPool(
                name="h100",
                flavor="g1.8xh100",
                count=32 * scale,
                gpu=True,
                accelerator="h100-80gb",
                gpus_per_node=8,
            ),
            AgentPool(name="general", flavor="m1.xlarge", count=3 * scale),
        )

    small = K3sCluster("small", _args(agent_pools=pools(1)))
    large = K3sCluster("large", _args(agent_pools=pools(2)))

    def names(prefix: str) -> set[tuple[str, str]]:
        return {(r.typ, r.name.removeprefix(prefix)) for r in mocks.registered if r.name.startswith(prefix)}

    def check(_: object) -> None:
        assert names("small-"), "nothing registered"
        assert names("small-") == names("large-")
        counts = {name: _params(r)["count"] for name, r in _stacks(mocks).items()}
        assert counts["large-agents-h100"] == "64"
        assert counts["small-agents-h100"] == "32"

    return pulumi.Output.all(_settled(small), _settled(large)).apply(check)


@pulumi.runtime.test
def test_edge_provider_reaches_openstack_children(mocks: AidcMocks):
    edge = openstack.Provider("edge-provider", region="EdgeOne")
    cluster = K3sCluster("edge", _args(cluster_name="edge-a", provider=edge))

    def check(_: object) -> None:
        openstack_children = [r for r in mocks.registered if r.typ.startswith("openstack:")]
        assert openstack_children
        for resource in openstack_children:
            assert resource.provider and "edge-provider" in resource.provider, resource.name

    return _settled(cluster).apply(check)


@pytest.mark.parametrize(
    ("override", "field", "says"),
    [
        ({"version": "latest"}, "version", "'v1.36.5+k3s1'"),
        ({"version": "v1.36.5+k3s1\n"}, "version", "'v1.36.5+k3s1'"),
        ({"agent_pools": (data(CPU_POOL, name="server"),)}, "agent_pools[0].name", "servers' pool"),
        ({"cluster_name": "Core!"}, "cluster_name", "lower-case letters"),
        ({"cluster_name": "1core"}, "cluster_name", "starting with a letter"),
        (
            {"agent_pools": ({"name": "gpu", "flavor": "f", "count": 1, "gpu": True},)},
            "agent_pools[0].accelerator",
            "required",
        ),
        (
            {"agent_pools": ({"name": "cpu", "flavor": "f", "count": 1, "accelerator": "h100-80gb"},)},
            "agent_pools[0].accelerator",
            "only allowed when gpu is True",
        ),
        ({"agent_pools": (data(GPU_POOL, accelerator="H100"),)}, "agent_pools[0].accelerator", "not a name"),
        ({"agent_pools": (CPU_POOL, CPU_POOL)}, "agent_pools[1].name", "must be unique"),
        ({"agent_pools": (data(CPU_POOL, taints=("bad",)),)}, "agent_pools[0].taints[0]", "NoSchedule"),
        ({"agent_pools": (data(CPU_POOL, taints=("k=v:Never",)),)}, "agent_pools[0].taints[0]", "NoExecute"),
        (
            {"agent_pools": (data(CPU_POOL, labels={"tier": "a b"}),)},
            "agent_pools[0].labels",
            "Kubernetes label",
        ),
        ({"agent_pools": (data(CPU_POOL, count=-1),)}, "agent_pools[0].count", "greater than or equal to 0"),
        ({"agent_pools": (data(CPU_POOL, root_volume_gb=19),)}, "agent_pools[0].root_volume_gb", "20"),
        ({"servers": 3, "embedded_etcd": False}, "embedded_etcd", "HA needs embedded etcd"),
        ({"security_group_names": "sg-1"}, "security_group_names", "must be a list"),
        ({"network_id": None}, "network_id", "must be a string or a pulumi Output"),
        ({"provider": "EdgeOne"}, "provider", "ProviderResource"),
    ],
)
def test_bad_args_are_refused_at_construction_naming_the_field(
    mocks: AidcMocks, override: dict[str, object], field: str, says: str
):
    assert_refused(lambda: _args(**override), field, says=says)
    assert mocks.registered == [], "refused before any resource exists"


def test_edge_cluster_names_composed_by_the_program_pass() -> None:
    # stacks/program.py names an edge cluster "edge-<site>"; a site name is at most 32 characters.
    site = "s" * 32
    assert _args(cluster_name=f"edge-{site}").cluster_name == f"edge-{site}"


@pulumi.runtime.test
def test_agent_user_data_joins_servers_declared_elsewhere(mocks: AidcMocks):
    """GPU servers of OpenStackPrivateCloud join the core cluster through this user data: same token, the
    first server's URL, the pool's GPU label and taint, and the whole thing secret."""
    cluster = K3sCluster("core", _args(servers=3))
    pool = AgentPool(
        name="train-70b", flavor="g1.8xh100", count=12, gpu=True, accelerator="h100-80gb", gpus_per_node=8
    )
    user_data = cluster.agent_user_data(pool)

    def check(values: list[object]) -> None:
        text, server_token, endpoint, secret = values
        config = _k3s_config(str(text))
        assert str(config["token"]).startswith("K10") and "::node:" in str(config["token"]), "the agent token"
        assert config["token"] != server_token and str(server_token).split("::server:")[1] not in str(text)
        assert config["server"] == endpoint
        assert GPU_TAINT in config["node-taint"]
        assert "aidc.io/accelerator=h100-80gb" in config["node-label"]
        assert VERSION.replace("+", "%2B") in _install_script(str(text))
        assert secret is True, "agent user data carries the agent token: it must be secret"

    return pulumi.Output.all(
        user_data, cluster.join_token, cluster.api_endpoint, pulumi.Output.from_input(user_data.is_secret())
    ).apply(check)


def test_a_pool_for_agent_user_data_is_validated_when_constructed(mocks: AidcMocks):
    # agent_user_data takes the pool as it is: a GPU pool without its accelerator cannot be built at all.
    assert_refused(
        lambda: AgentPool(name="gpu", flavor="g1", count=1, gpu=True), "accelerator", says="required"
    )


def test_a_pool_named_like_the_clusters_own_may_not_join(mocks: AidcMocks):
    cluster = K3sCluster("core", _args(agent_pools=(CPU_POOL,)))
    for name in ("general", "storage"):
        pool = AgentPool(name=name, flavor="g1", count=1, gpu=True, accelerator="h100-80gb", gpus_per_node=8)
        with pytest.raises(ValueError, match="may not join cluster core"):
            cluster.agent_user_data(pool)


@pulumi.runtime.test
def test_servers_and_agents_join_with_their_own_secure_tokens(mocks: AidcMocks):
    """Server 0 takes the short server token; the others the secure server token pinning the CA hash the identity
    learnt; agents the secure agent token, never the server's secret."""
    cluster = K3sCluster("core", _args(servers=3))

    def check(ca_hash: object) -> None:
        servers = {n: _k3s_config(_secret_value(r.inputs["userData"])) for n, r in _servers(mocks).items()}
        secret = str(servers["core-server-0"]["token"])
        assert not secret.startswith("K10"), "the first server's CA does not exist yet: short token"
        agent_secret = str(servers["core-server-0"]["agent-token"])
        assert agent_secret != secret
        for joining in ("core-server-1", "core-server-2"):
            assert servers[joining]["token"] == f"K10{ca_hash}::server:{secret}"
            assert servers[joining]["agent-token"] == agent_secret
        for stack in _stacks(mocks).values():
            text = _params(stack)["user_data"]
            assert _k3s_config(text)["token"] == f"K10{ca_hash}::node:{agent_secret}"
            assert secret not in text, f"{stack.name}: an agent holds the server token"

    return pulumi.Output.all(_settled(cluster), cluster.identity.ca_hash).apply(
        lambda values: check(values[1])
    )


@pulumi.runtime.test
def test_servers_are_tainted_only_where_general_purpose_agents_exist(mocks: AidcMocks):
    with_general = K3sCluster("core", _args(servers=1))
    gpu_only = K3sCluster("edge", _args(cluster_name="edge-a", servers=1, agent_pools=(GPU_POOL,)))

    def check(_: object) -> None:
        servers = _servers(mocks)
        core = _k3s_config(_secret_value(servers["core-server-0"].inputs["userData"]))
        edge = _k3s_config(_secret_value(servers["edge-server-0"].inputs["userData"]))
        assert core["node-taint"] == ["CriticalAddonsOnly=true:NoExecute"]
        assert (
            servers["core-server-0"].inputs["metadata"]["aidc_node_taints"]
            == "CriticalAddonsOnly=true:NoExecute"
        )
        assert "node-taint" not in edge, (
            "an edge site's only other nodes are GPU agents: the add-ons run here"
        )

    return pulumi.Output.all(_settled(with_general), _settled(gpu_only)).apply(check)


@pulumi.runtime.test
def test_every_node_drops_pod_traffic_to_the_metadata_service(mocks: AidcMocks):
    cluster = K3sCluster("core", _args(servers=3))

    def check(_: object) -> None:
        texts = [_secret_value(r.inputs["userData"]) for r in _servers(mocks).values()]
        texts += [_params(r)["user_data"] for r in _stacks(mocks).values()]
        for text in texts:
            (guard,) = yaml.safe_load(text)["bootcmd"]
            assert "-t raw" in guard and "PREROUTING -s 10.42.0.0/16 -d 169.254.169.254/32 -j DROP" in guard
        for text in texts[:3]:
            assert _k3s_config(text)["cluster-cidr"] == "10.42.0.0/16", "the guard names the pod network"

    return _settled(cluster).apply(check)
