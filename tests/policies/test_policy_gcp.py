"""Google Cloud rules: each with violating and compliant resources built by hand, as the analyzer hands them over,
and once through the pulumi-gcp SDK itself (registered under mocks, the engine's camelCase inputs recorded), so the
property names the rules read are the SDK's own.

The GCP program (stacks/clouds/gcp.py, components/gcp_gpu_cluster/) is not on this branch yet, so there is no
end-to-end case through `aidc plan` here; the lead adds one when the program lands (docs/gcp-preflight.md says so).
"""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest
from policy_helpers import check_resource, check_stack, stack_resource

from aidc.mocks import AidcMocks
from policies import gcp
from policies._common import SECRET_MARKER

PROJECT = "aidc-prod-4711"
KEY = f"projects/{PROJECT}/locations/us-central1/keyRings/aidc/cryptoKeys/gke"
NODE_SA = f"aidc-gke-nodes@{PROJECT}.iam.gserviceaccount.com"
NODE_CONFIG: dict[str, Any] = {
    "machineType": "a3-highgpu-8g",
    "serviceAccount": NODE_SA,
    "workloadMetadataConfig": {"mode": "GKE_METADATA"},
    "bootDiskKmsKey": KEY,
    "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
    "guestAccelerators": [{"type": "nvidia-h100-80gb", "count": 8}],
}
CLUSTER: dict[str, Any] = {
    "location": "us-central1",
    "removeDefaultNodePool": True,
    "initialNodeCount": 1,
    "privateClusterConfig": {
        "enablePrivateNodes": True,
        "enablePrivateEndpoint": True,
        "masterIpv4CidrBlock": "10.49.0.0/28",
    },
    "masterAuthorizedNetworksConfig": {
        "cidrBlocks": [
            {"cidrBlock": "10.20.0.0/16", "displayName": "private-cloud"},
            {"cidrBlock": "198.51.100.0/24", "displayName": "deploy"},
        ],
        "gcpPublicCidrsAccessEnabled": False,
    },
    "databaseEncryption": {"state": "ENCRYPTED", "keyName": KEY},
    "workloadIdentityConfig": {"workloadPool": f"{PROJECT}.svc.id.goog"},
    "enableShieldedNodes": True,
}
NODE_POOL: dict[str, Any] = {"cluster": "gcp", "location": "us-central1", "nodeConfig": NODE_CONFIG}
BUCKET: dict[str, Any] = {
    "location": "US-CENTRAL1",
    "publicAccessPrevention": "enforced",
    "uniformBucketLevelAccess": True,
    "encryption": {"defaultKmsKeyName": KEY},
    "versioning": {"enabled": True},
}
CRYPTO_KEY: dict[str, Any] = {"keyRing": "aidc", "rotationPeriod": "7776000s", "purpose": "ENCRYPT_DECRYPT"}
TUNNEL: dict[str, Any] = {"ikeVersion": 2, "sharedSecret": SECRET_MARKER, "vpnGateway": "gw", "router": "r"}

RESOURCE_POLICIES = [
    p for p in gcp.POLICIES if not isinstance(p, type(gcp.gcp_vpn_shared_secret_from_secret))
]
COMPLIANT = [
    (gcp.CLUSTER, CLUSTER),
    (gcp.NODE_POOL, NODE_POOL),
    (gcp.BUCKET, BUCKET),
    (gcp.CRYPTO_KEY, CRYPTO_KEY),
    (gcp.VPN_TUNNEL, TUNNEL),
]


def edited(props: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `props` with the dotted `path` set to `value` (None deletes it)."""
    result = copy.deepcopy(props)
    node = result
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return result


def test_every_rule_is_mandatory_and_kebab_named() -> None:
    assert len(gcp.POLICIES) == 14
    for policy in gcp.POLICIES:
        assert policy.name.startswith("gcp-"), policy.name
        assert policy.enforcement_level == gcp.MANDATORY, policy.name


@pytest.mark.parametrize(("resource_type", "props"), COMPLIANT)
@pytest.mark.parametrize("policy", RESOURCE_POLICIES, ids=lambda p: p.name)
def test_compliant_resources_pass_every_rule(policy: Any, resource_type: str, props: dict[str, Any]) -> None:
    assert check_resource(policy, resource_type, props, "aidc") == []


# --- Private nodes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [False, None])
def test_cluster_without_private_nodes_is_refused(value: Any) -> None:
    props = edited(CLUSTER, "privateClusterConfig.enablePrivateNodes", value)
    [message] = check_resource(gcp.gcp_gke_private_nodes, gcp.CLUSTER, props, "gcp")
    assert "GKE cluster gcp gives its nodes public IP addresses" in message
    assert "enable_private_nodes: True" in message


def test_cluster_without_private_cluster_config_is_refused() -> None:
    props = edited(CLUSTER, "privateClusterConfig", None)
    assert check_resource(gcp.gcp_gke_private_nodes, gcp.CLUSTER, props)


def test_node_pool_that_turns_private_nodes_off_is_refused_alone_or_inline() -> None:
    pool = edited(NODE_POOL, "networkConfig.enablePrivateNodes", False)
    [message] = check_resource(gcp.gcp_gke_private_nodes, gcp.NODE_POOL, pool, "gpu")
    assert "GKE node pool gpu turns private nodes off" in message
    inline = edited(CLUSTER, "nodePools", [{"name": "cpu", "networkConfig": {"enablePrivateNodes": False}}])
    [message] = check_resource(gcp.gcp_gke_private_nodes, gcp.CLUSTER, inline, "gcp")
    assert "GKE node pool cpu" in message
    keeps = edited(NODE_POOL, "networkConfig.enablePrivateNodes", True)
    assert check_resource(gcp.gcp_gke_private_nodes, gcp.NODE_POOL, keeps) == []


# --- The control plane -------------------------------------------------------------------------------------


def test_public_endpoint_is_refused() -> None:
    props = edited(CLUSTER, "privateClusterConfig.enablePrivateEndpoint", False)
    [message] = check_resource(gcp.gcp_gke_private_endpoint, gcp.CLUSTER, props, "gcp")
    assert "keeps a public control-plane endpoint" in message and "enable_private_endpoint=True" in message


def test_external_dns_endpoint_is_refused() -> None:
    props = edited(
        CLUSTER, "controlPlaneEndpointsConfig", {"dnsEndpointConfig": {"allowExternalTraffic": True}}
    )
    [message] = check_resource(gcp.gcp_gke_private_endpoint, gcp.CLUSTER, props, "gcp")
    assert "allow_external_traffic=True" in message
    internal = edited(
        CLUSTER, "controlPlaneEndpointsConfig", {"dnsEndpointConfig": {"allowExternalTraffic": False}}
    )
    assert check_resource(gcp.gcp_gke_private_endpoint, gcp.CLUSTER, internal) == []


@pytest.mark.parametrize(
    ("cidrs", "shown"),
    [
        (["0.0.0.0/0"], "0.0.0.0/0"),
        (["0.0.0.0/1", "128.0.0.0/1"], "together 0.0.0.0/0"),
        (["10.20.0.0/16", "8.0.0.0/7"], "wider than a /8"),
        (["::/0"], "::/0"),
    ],
)
def test_broad_authorized_networks_are_refused_even_behind_a_private_endpoint(
    cidrs: list[str], shown: str
) -> None:
    blocks = [{"cidrBlock": c, "displayName": f"n{i}"} for i, c in enumerate(cidrs)]
    props = edited(CLUSTER, "masterAuthorizedNetworksConfig.cidrBlocks", blocks)
    [message] = check_resource(gcp.gcp_gke_authorized_networks, gcp.CLUSTER, props, "gcp")
    assert shown in message and "aidc:gcp.admin_cidrs" in message


def test_private_ranges_together_pass() -> None:
    blocks = [{"cidrBlock": c} for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    props = edited(CLUSTER, "masterAuthorizedNetworksConfig.cidrBlocks", blocks)
    assert check_resource(gcp.gcp_gke_authorized_networks, gcp.CLUSTER, props) == []


def test_public_endpoint_without_authorized_networks_is_open_to_the_internet() -> None:
    props = edited(
        edited(CLUSTER, "privateClusterConfig.enablePrivateEndpoint", False),
        "masterAuthorizedNetworksConfig",
        None,
    )
    [message] = check_resource(gcp.gcp_gke_authorized_networks, gcp.CLUSTER, props, "gcp")
    assert "no authorized networks" in message and "0.0.0.0/0" in message
    # behind a private endpoint, no list means the VPC and its peers only
    private = edited(CLUSTER, "masterAuthorizedNetworksConfig", None)
    assert check_resource(gcp.gcp_gke_authorized_networks, gcp.CLUSTER, private) == []


def test_google_cloud_public_ranges_are_refused() -> None:
    props = edited(CLUSTER, "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled", True)
    [message] = check_resource(gcp.gcp_gke_authorized_networks, gcp.CLUSTER, props)
    assert "gcp_public_cidrs_access_enabled=False" in message
    # unset on a public endpoint: GKE's default admits them, so it must be said
    public = edited(
        edited(CLUSTER, "privateClusterConfig.enablePrivateEndpoint", False),
        "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled",
        None,
    )
    assert check_resource(gcp.gcp_gke_authorized_networks, gcp.CLUSTER, public)


# --- Secrets, identity, Shielded Nodes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encryption",
    [None, {"state": "DECRYPTED"}, {"state": "ENCRYPTED"}, {"state": "DECRYPTED", "keyName": KEY}],
)
def test_secrets_without_a_cloud_kms_key_are_refused(encryption: Any) -> None:
    props = edited(CLUSTER, "databaseEncryption", encryption)
    [message] = check_resource(gcp.gcp_gke_secrets_cmek, gcp.CLUSTER, props, "gcp")
    assert "state: 'ENCRYPTED', key_name" in message


@pytest.mark.parametrize("pool", [None, "", "aidc-prod-4711.svc.id.google", "global"])
def test_cluster_without_workload_identity_is_refused(pool: Any) -> None:
    props = edited(CLUSTER, "workloadIdentityConfig", None if pool is None else {"workloadPool": pool})
    [message] = check_resource(gcp.gcp_gke_workload_identity, gcp.CLUSTER, props, "gcp")
    assert "has no Workload Identity" in message


@pytest.mark.parametrize("mode", [None, "GCE_METADATA", "MODE_UNSPECIFIED"])
def test_node_pool_without_gke_metadata_is_refused(mode: Any) -> None:
    props = edited(NODE_POOL, "nodeConfig.workloadMetadataConfig", None if mode is None else {"mode": mode})
    [message] = check_resource(gcp.gcp_gke_workload_identity, gcp.NODE_POOL, props, "gpu")
    assert "GKE node pool gpu exposes the Compute Engine metadata server" in message
    assert "GKE_METADATA" in message


@pytest.mark.parametrize("account", [None, "default", "123456789012-compute@developer.gserviceaccount.com"])
def test_default_compute_service_account_is_refused(account: Any) -> None:
    props = edited(NODE_POOL, "nodeConfig.serviceAccount", account)
    [message] = check_resource(gcp.gcp_gke_no_default_service_account, gcp.NODE_POOL, props, "gpu")
    assert "Compute Engine default service account" in message


def test_a_service_account_named_like_the_default_elsewhere_passes() -> None:
    lookalike = "compute@aidc-prod-4711.iam.gserviceaccount.com"
    props = edited(NODE_POOL, "nodeConfig.serviceAccount", lookalike)
    assert check_resource(gcp.gcp_gke_no_default_service_account, gcp.NODE_POOL, props) == []


def test_cluster_node_configs_are_all_read() -> None:
    """The default pool (kept), inline pools and node auto-provisioning each carry their own node settings."""
    props = edited(CLUSTER, "removeDefaultNodePool", None)
    props["nodeConfig"] = {}
    found = check_resource(gcp.gcp_gke_no_default_service_account, gcp.CLUSTER, props, "gcp")
    assert [m.split(" runs as")[0] for m in found] == ["GKE cluster gcp (default node pool)"]
    props = copy.deepcopy(CLUSTER)
    props["nodePools"] = [{"name": "cpu", "nodeConfig": {"serviceAccount": "default"}}]
    props["clusterAutoscaling"] = {"enabled": True, "autoProvisioningDefaults": {"bootDiskKmsKey": KEY}}
    found = check_resource(gcp.gcp_gke_no_default_service_account, gcp.CLUSTER, props, "gcp")
    assert [m.split(" runs as")[0] for m in found] == [
        "GKE cluster gcp node pool cpu",
        "GKE cluster gcp (node auto-provisioning defaults)",
    ]
    # auto-provisioned pools take GKE_METADATA from the cluster: only the inline pool is refused
    found = check_resource(gcp.gcp_gke_workload_identity, gcp.CLUSTER, props, "gcp")
    assert len(found) == 1 and "node pool cpu" in found[0]


def test_autopilot_nodes_are_googles_to_configure() -> None:
    props = {"enableAutopilot": True, "privateClusterConfig": {"enablePrivateNodes": True}}
    for policy in (
        gcp.gcp_gke_no_default_service_account,
        gcp.gcp_gke_boot_disk_cmek,
        gcp.gcp_gke_shielded_nodes,
    ):
        assert check_resource(policy, gcp.CLUSTER, props) == [], policy.name
    # the control plane is still the program's to restrict
    assert check_resource(gcp.gcp_gke_private_endpoint, gcp.CLUSTER, props)
    assert check_resource(gcp.gcp_gke_secrets_cmek, gcp.CLUSTER, props)


def test_boot_disk_without_a_cloud_kms_key_is_refused() -> None:
    props = edited(NODE_POOL, "nodeConfig.bootDiskKmsKey", None)
    [message] = check_resource(gcp.gcp_gke_boot_disk_cmek, gcp.NODE_POOL, props, "gpu")
    assert "boot_disk_kms_key" in message
    nap = edited(CLUSTER, "clusterAutoscaling", {"enabled": True, "autoProvisioningDefaults": {}})
    [message] = check_resource(gcp.gcp_gke_boot_disk_cmek, gcp.CLUSTER, nap, "gcp")
    assert "node auto-provisioning defaults" in message


def test_shielded_nodes_off_is_refused() -> None:
    props = edited(CLUSTER, "enableShieldedNodes", False)
    [message] = check_resource(gcp.gcp_gke_shielded_nodes, gcp.CLUSTER, props, "gcp")
    assert "enable_shielded_nodes=False" in message
    unset = edited(CLUSTER, "enableShieldedNodes", None)  # GKE's default is on
    assert check_resource(gcp.gcp_gke_shielded_nodes, gcp.CLUSTER, unset) == []


def test_node_pool_shielded_options() -> None:
    no_monitoring = edited(NODE_POOL, "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", False)
    [message] = check_resource(gcp.gcp_gke_shielded_nodes, gcp.NODE_POOL, no_monitoring, "gpu")
    assert "leaves enable_integrity_monitoring off" in message
    no_secure_boot = edited(NODE_POOL, "nodeConfig.shieldedInstanceConfig", None)
    [message] = check_resource(gcp.gcp_gke_shielded_nodes, gcp.NODE_POOL, no_secure_boot, "gpu")
    assert "leaves enable_secure_boot off" in message
    allowed = {"require-secure-boot": False}
    assert check_resource(gcp.gcp_gke_shielded_nodes, gcp.NODE_POOL, no_secure_boot, config=allowed) == []


# --- Cloud Storage, Cloud KMS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encryption", [None, {}, {"defaultKmsKeyName": ""}])
def test_bucket_without_cmek_is_refused(encryption: Any) -> None:
    props = edited(BUCKET, "encryption", encryption)
    [message] = check_resource(gcp.gcp_storage_bucket_cmek, gcp.BUCKET, props, "datasets")
    assert "Cloud Storage bucket datasets encrypts with a Google-managed key" in message


@pytest.mark.parametrize("prevention", [None, "inherited", "unspecified"])
def test_bucket_without_public_access_prevention_is_refused(prevention: Any) -> None:
    props = edited(BUCKET, "publicAccessPrevention", prevention)
    [message] = check_resource(gcp.gcp_storage_public_access_prevention, gcp.BUCKET, props, "datasets")
    assert "public_access_prevention='enforced'" in message


@pytest.mark.parametrize("uniform", [None, False])
def test_bucket_with_object_acls_is_refused(uniform: Any) -> None:
    props = edited(BUCKET, "uniformBucketLevelAccess", uniform)
    [message] = check_resource(gcp.gcp_storage_uniform_access, gcp.BUCKET, props, "datasets")
    assert "uniform_bucket_level_access=True" in message


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (None, "never rotates"),
        ("31536000s", "rotates every 365 days: at most 90"),
        ("7776000.5s", "rotates every 90"),
        ("90d", "is not '<seconds>s'"),
    ],
)
def test_kms_key_rotation(period: Any, expected: str) -> None:
    props = edited(CRYPTO_KEY, "rotationPeriod", period)
    [message] = check_resource(gcp.gcp_kms_key_rotation, gcp.CRYPTO_KEY, props, "gke")
    assert expected in message


def test_kms_rotation_limit_is_configurable_and_asymmetric_keys_are_exempt() -> None:
    yearly = edited(CRYPTO_KEY, "rotationPeriod", "31536000s")
    assert (
        check_resource(gcp.gcp_kms_key_rotation, gcp.CRYPTO_KEY, yearly, config={"max-rotation-days": 365})
        == []
    )
    signing = edited(edited(CRYPTO_KEY, "rotationPeriod", None), "purpose", "ASYMMETRIC_SIGN")
    assert check_resource(gcp.gcp_kms_key_rotation, gcp.CRYPTO_KEY, signing) == []
    assert gcp.rotation_days("7776000s") == 90
    assert gcp.rotation_days("86400.000000001s") == pytest.approx(1.0)


# --- Cloud VPN ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 1.0, "1"])
def test_ikev1_tunnel_is_refused(version: Any) -> None:
    props = edited(TUNNEL, "ikeVersion", version)
    [message] = check_resource(gcp.gcp_vpn_ikev2_only, gcp.VPN_TUNNEL, props, "tunnel-0")
    assert "Cloud VPN tunnel tunnel-0 negotiates IKEv1" in message


@pytest.mark.parametrize(
    "version", [2, 2.0, None]
)  # engine numbers arrive as floats; unset is the default, 2
def test_ikev2_tunnel_passes(version: Any) -> None:
    assert check_resource(gcp.gcp_vpn_ikev2_only, gcp.VPN_TUNNEL, edited(TUNNEL, "ikeVersion", version)) == []


def test_literal_shared_secret_is_refused_on_the_tunnel() -> None:
    literal = stack_resource(gcp.VPN_TUNNEL, "tunnel-0", edited(TUNNEL, "sharedSecret", "hunter2hunter2"))
    write_only = stack_resource(
        gcp.VPN_TUNNEL, "tunnel-1", {**edited(TUNNEL, "sharedSecret", None), "sharedSecretWo": "hunter2"}
    )
    found = check_stack(gcp.gcp_vpn_shared_secret_from_secret, [literal, write_only])
    assert [urn for _, urn in found] == [literal.urn, write_only.urn]
    assert "sharedSecret is a literal" in found[0][0] and "sharedSecretWo is a literal" in found[1][0]


def test_shared_secret_from_a_secret_or_another_resource_passes() -> None:
    password = stack_resource("random:index/randomPassword:RandomPassword", "tunnel-0-psk", {"length": 32})
    marked = stack_resource(gcp.VPN_TUNNEL, "tunnel-0", TUNNEL)
    derived = stack_resource(
        gcp.VPN_TUNNEL,
        "tunnel-1",
        edited(TUNNEL, "sharedSecret", "resolved-in-up"),
        property_dependencies={"sharedSecret": [password]},
    )
    assert check_stack(gcp.gcp_vpn_shared_secret_from_secret, [password, marked, derived]) == []


# --- The SDK's own property names ------------------------------------------------------------------------------


@pulumi.runtime.test
def test_compliant_resources_built_with_pulumi_gcp_pass_every_rule(mocks: AidcMocks) -> Any:
    """The compliant props above, written as pulumi-gcp Python arguments: what the engine records must be what the
    rules read (a renamed or misspelt property would leave a rule reading nothing and refusing)."""
    import pulumi_gcp as gcp_sdk
    import pulumi_random

    key = KEY
    container = gcp_sdk.container
    cluster = container.Cluster(
        "gcp",
        location="us-central1",
        remove_default_node_pool=True,
        initial_node_count=1,
        private_cluster_config=container.ClusterPrivateClusterConfigArgs(
            enable_private_nodes=True, enable_private_endpoint=True, master_ipv4_cidr_block="10.49.0.0/28"
        ),
        master_authorized_networks_config=container.ClusterMasterAuthorizedNetworksConfigArgs(
            cidr_blocks=[
                container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                    cidr_block="10.20.0.0/16", display_name="private-cloud"
                )
            ],
            gcp_public_cidrs_access_enabled=False,
        ),
        database_encryption=container.ClusterDatabaseEncryptionArgs(state="ENCRYPTED", key_name=key),
        workload_identity_config=container.ClusterWorkloadIdentityConfigArgs(
            workload_pool=f"{PROJECT}.svc.id.goog"
        ),
        enable_shielded_nodes=True,
    )
    pool = container.NodePool(
        "gpu",
        cluster=cluster.name,
        location="us-central1",
        node_config=container.NodePoolNodeConfigArgs(
            machine_type="a3-highgpu-8g",
            service_account=NODE_SA,
            workload_metadata_config=container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                mode="GKE_METADATA"
            ),
            boot_disk_kms_key=key,
            shielded_instance_config=container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                enable_secure_boot=True, enable_integrity_monitoring=True
            ),
        ),
    )
    bucket = gcp_sdk.storage.Bucket(
        "datasets",
        location="US-CENTRAL1",
        public_access_prevention="enforced",
        uniform_bucket_level_access=True,
        encryption=gcp_sdk.storage.BucketEncryptionArgs(default_kms_key_name=key),
    )
    crypto_key = gcp_sdk.kms.CryptoKey("gke", key_ring="aidc", rotation_period="7776000s")
    psk = pulumi_random.RandomPassword("tunnel-0-psk", length=32, special=False)
    tunnel = gcp_sdk.compute.VPNTunnel(
        "tunnel-0",
        ike_version=2,
        shared_secret=psk.result,
        vpn_gateway="gw",
        router="r",
        region="us-central1",
    )
    declared = (cluster, pool, bucket, crypto_key, tunnel)

    def check(_: list[Any]) -> None:
        by_name = {r.name: r for r in mocks.registered if r.typ.startswith("gcp:")}
        assert {r.typ for r in by_name.values()} == {t for t, _ in COMPLIANT}
        for resource in by_name.values():
            for policy in RESOURCE_POLICIES:
                found = check_resource(policy, resource.typ, dict(resource.inputs), resource.name)
                assert found == [], (policy.name, resource.typ, found)
        # and a rule still fires on what the SDK records once a setting is dropped
        refused = edited(dict(by_name["gcp"].inputs), "privateClusterConfig.enablePrivateNodes", False)
        assert check_resource(gcp.gcp_gke_private_nodes, gcp.CLUSTER, refused)

    return pulumi.Output.all(*(r.urn for r in declared)).apply(check)
