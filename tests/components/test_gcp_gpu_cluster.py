"""Resource tests for GcpGpuCluster under AidcMocks: the private regional cluster, its node pools (GPUs, driver,
labels, taints, placement, autoscaling, reservations, GPUDirect-TCPXO), the key and who may use it, the network,
the buckets and their audit trail, per-workload identities scoped to their prefix, the kubeconfig, and resource
counts that do not grow with GPUs. Args refusals name the field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
import yaml

from aidc.clouds.gcp.mocks import MOCK_PROJECT, project_number
from aidc.mocks import AidcMocks
from components.gcp_gpu_cluster import (
    GcpGpuCluster,
    GcpGpuClusterArgs,
    GpuNodePool,
    NodePoolReservation,
    WorkloadIdentity,
)
from components.gcp_gpu_cluster.nodes_identity import node_account_id
from tests.components.args_helpers import assert_refused, data
from tests.conformance.upstream_files import UPSTREAM

PROJECT = "aidc-gpu-test"
ZONES = ("us-central1-a", "us-central1-b", "us-central1-c")
TRAIN = GpuNodePool(
    name="pretrain-a3-megagpu-8g",
    machine_type="a3-megagpu-8g",
    accelerator_type="nvidia-h100-mega-80gb",
    gpus_per_node=8,
    accelerator="h100-80gb",
    min_nodes=4,
    max_nodes=4,
    fixed=True,
    compact=True,
    zones=("us-central1-a",),
    gpudirect="tcpxo",
    reservation=NodePoolReservation(instances=4, end_date="2027-03-01"),
    labels={"aidc.io/workload": "pretrain", "aidc.io/location": "gcp", "aidc.io/usd-per-month": "123456.78"},
    gcp_labels={"aidc-workload": "pretrain"},
)
SERVE = GpuNodePool(
    name="chat-a3-highgpu-8g",
    machine_type="a3-highgpu-8g",
    accelerator_type="nvidia-h100-80gb",
    gpus_per_node=8,
    accelerator="h100-80gb",
    min_nodes=1,
    max_nodes=6,
    zones=ZONES,
    spot=True,
    labels={"aidc.io/workload": "chat", "aidc.io/location": "gcp"},
)
AUTHORIZED = ("10.10.0.0/16", "192.168.50.0/24")
CLUSTER = "Cluster"


def _args(**changes: Any) -> GcpGpuClusterArgs:
    base: dict[str, Any] = {
        "cluster_name": "aidc-test",
        "project": PROJECT,
        "region": "us-central1",
        "zones": ZONES,
        "master_authorized_cidrs": AUTHORIZED,
        "gpu_node_pools": (TRAIN, SERVE),
        "workload_identities": (
            WorkloadIdentity(
                name="pretrain", namespace="pretrain", service_account="pretrain", prefix="pretrain/"
            ),
            WorkloadIdentity(name="chat", namespace="chat", service_account="chat", prefix="chat/"),
        ),
        "labels": {"aidc-stack": "test"},
    }
    base.update(changes)
    return GcpGpuClusterArgs(**base)


@dataclass
class Built:
    registered: list[pulumi.runtime.MockResourceArgs]
    outputs: dict[str, Any]
    secret_kubeconfig: bool

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        """Inputs of the registered resources whose type ends with `kind`, by resource name."""
        return {r.name: r.inputs for r in self.registered if r.typ.endswith(f":{kind}")}

    def one(self, kind: str) -> dict[str, Any]:
        found = list(self.of(kind).values())
        assert len(found) == 1, f"expected one {kind}, got {len(found)}"
        return found[0]


def build(args: GcpGpuClusterArgs) -> Built:
    """Declare the cluster under fresh mocks; wait for every registration and return its inputs and outputs."""
    mocks = AidcMocks(regions={"gcp": "us-central1"})
    pulumi.runtime.set_mocks(mocks, project="aidc", stack="test", preview=False)
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        cluster = GcpGpuCluster("gcp", args)
        names = (
            "cluster_name",
            "cluster_endpoint",
            "kubeconfig",
            "bucket_name",
            "log_bucket_name",
            "kms_key_id",
            "network_id",
            "router_name",
            "node_service_account",
            "service_account_emails",
            "node_pool_names",
        )
        return pulumi.Output.all(
            cluster.kubeconfig.is_secret(), *(getattr(cluster, name) for name in names)
        ).apply(lambda values: outputs.update(secret=values[0], **dict(zip(names, values[1:], strict=True))))

    run()
    return Built(list(mocks.registered), outputs, bool(outputs.pop("secret")))


@pytest.fixture(scope="module")
def built() -> Built:
    return build(_args())


def test_the_cluster_is_private_regional_and_reachable_only_from_the_named_networks(built: Built) -> None:
    cluster = built.one(CLUSTER)
    assert cluster["name"] == "aidc-test" and cluster["location"] == "us-central1"
    assert cluster["nodeLocations"] == list(ZONES)
    private = cluster["privateClusterConfig"]
    assert private["enablePrivateNodes"] is True and private["enablePrivateEndpoint"] is True
    assert private["masterIpv4CidrBlock"] == "10.49.0.0/28"
    assert private["masterGlobalAccessConfig"] == {"enabled": False}
    authorized = cluster["masterAuthorizedNetworksConfig"]
    assert [b["cidrBlock"] for b in authorized["cidrBlocks"]] == list(AUTHORIZED)
    assert authorized["gcpPublicCidrsAccessEnabled"] is False
    assert authorized["privateEndpointEnforcementEnabled"] is True
    assert cluster["ipAllocationPolicy"] == {
        "clusterSecondaryRangeName": "pods",
        "servicesSecondaryRangeName": "services",
    }


def test_the_cluster_has_workload_identity_shielded_nodes_dataplane_v2_and_cmek_secrets(built: Built) -> None:
    cluster = built.one(CLUSTER)
    assert cluster["workloadIdentityConfig"] == {"workloadPool": f"{PROJECT}.svc.id.goog"}
    assert cluster["enableShieldedNodes"] is True and cluster["enableLegacyAbac"] is False
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": built.outputs["kms_key_id"]}
    assert cluster["removeDefaultNodePool"] is True and cluster["deletionProtection"] is True
    assert "DCGM" in cluster["monitoringConfig"]["enableComponents"]
    assert cluster["monitoringConfig"]["managedPrometheus"] == {"enabled": True}
    assert {"APISERVER", "WORKLOADS"} <= set(cluster["loggingConfig"]["enableComponents"])
    assert cluster["masterAuth"] == {"clientCertificateConfig": {"issueClientCertificate": False}}
    assert cluster["enableIntranodeVisibility"] is True
    # A3 Mega is planned: multi-networking for its GPU NICs.
    assert cluster["enableMultiNetworking"] is True


def test_every_node_runs_as_the_dedicated_account_on_shielded_cmek_disks(built: Built) -> None:
    email = f"{node_account_id('aidc-test')}@{PROJECT}.iam.gserviceaccount.com"
    assert built.outputs["node_service_account"] == email
    configs = [built.one(CLUSTER)["nodeConfig"], *(p["nodeConfig"] for p in built.of("NodePool").values())]
    assert len(configs) == 4  # the default pool's, system, two GPU pools
    for config in configs:
        assert config["serviceAccount"] == email and "-compute@developer" not in config["serviceAccount"]
        assert config["shieldedInstanceConfig"] == {
            "enableSecureBoot": True,
            "enableIntegrityMonitoring": True,
        }
        assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert config["bootDiskKmsKey"] == built.outputs["kms_key_id"]
    (role,) = [r.inputs for r in built.registered if r.typ == "gcp:projects/iAMMember:IAMMember"]
    assert role["role"] == "roles/container.defaultNodeServiceAccount"
    assert role["member"] == f"serviceAccount:{email}"


def test_gpu_pools_carry_gke_accelerators_the_managed_driver_labels_and_the_gpu_taint(built: Built) -> None:
    pools = {p["name"]: p for p in built.of("NodePool").values()}
    assert set(pools) == {"system", TRAIN.name, SERVE.name}
    for planned in (TRAIN, SERVE):
        config = pools[planned.name]["nodeConfig"]
        assert config["machineType"] == planned.machine_type
        assert config["guestAccelerators"] == [
            {
                "type": planned.accelerator_type,
                "count": 8,
                "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"},
            }
        ]
        assert config["gvnic"] == {"enabled": True}
        assert config["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
        labels = config["labels"]
        assert labels["aidc.io/cluster"] == "aidc-test" and labels["aidc.io/node-group"] == planned.name
        assert labels["aidc.io/accelerator"] == "h100-80gb" and labels["aidc.io/gpus-per-instance"] == "8"
        assert labels["aidc.io/location"] == "gcp"
        assert config["resourceLabels"]["aidc-node-group"] == planned.name
        assert config["resourceLabels"]["aidc-stack"] == "test"
    assert pools[TRAIN.name]["nodeConfig"]["labels"]["aidc.io/usd-per-month"] == "123456.78"
    assert pools["system"]["nodeConfig"]["labels"] == {
        "aidc.io/node-group": "system",
        "aidc.io/cluster": "aidc-test",
    }
    assert "taints" not in pools["system"]["nodeConfig"]


def test_training_is_fixed_and_compact_in_one_zone_serving_autoscales_over_the_zones(built: Built) -> None:
    pools = {p["name"]: p for p in built.of("NodePool").values()}
    train, serve = pools[TRAIN.name], pools[SERVE.name]
    assert train["nodeCount"] == 4 and "autoscaling" not in train
    assert train["nodeLocations"] == ["us-central1-a"]
    assert train["placementPolicy"] == {"type": "COMPACT"}
    assert serve["autoscaling"] == {"totalMinNodeCount": 1, "totalMaxNodeCount": 6, "locationPolicy": "ANY"}
    assert serve["nodeLocations"] == list(ZONES) and "placementPolicy" not in serve
    assert serve["nodeConfig"]["spot"] is True
    for pool in (train, serve):
        assert pool["upgradeSettings"] == {"strategy": "SURGE", "maxSurge": 0, "maxUnavailable": 1}
        assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}


def test_a_reserved_pool_consumes_only_its_specific_reservation(built: Built) -> None:
    (reservation,) = [r for r in built.registered if r.typ == "gcp:compute/reservation:Reservation"]
    assert reservation.inputs["zone"] == "us-central1-a"
    assert reservation.inputs["specificReservation"] == {
        "count": 4,
        "instanceProperties": {"machineType": "a3-megagpu-8g"},
    }
    assert reservation.inputs["specificReservationRequired"] is True
    assert reservation.inputs["deleteAtTime"] == "2027-03-01T00:00:00Z"
    pools = {p["name"]: p for p in built.of("NodePool").values()}
    affinity = pools[TRAIN.name]["nodeConfig"]["reservationAffinity"]
    assert affinity["consumeReservationType"] == "SPECIFIC_RESERVATION"
    assert affinity["key"] == "compute.googleapis.com/reservation-name"
    assert affinity["values"] == [f"{reservation.name}-{_suffix(reservation)}"]
    assert "reservationAffinity" not in pools[SERVE.name]["nodeConfig"]


def _suffix(resource: pulumi.runtime.MockResourceArgs) -> str:
    from aidc.mocks import stable_hex

    return stable_hex(resource.typ, resource.name)[:7]


def test_a3_mega_pools_get_eight_gpudirect_tcpxo_networks(built: Built) -> None:
    networks = {n: i for n, i in built.of("Network").items() if n.startswith("gcp-gpunic-")}
    assert len(networks) == 8 and all(i["mtu"] == 8244 for i in networks.values())
    subnets = sorted(
        i["ipCidrRange"] for n, i in built.of("Subnetwork").items() if n.startswith("gcp-gpunic-")
    )
    assert subnets == sorted(f"192.168.{i}.0/24" for i in range(8))
    pools = {p["name"]: p for p in built.of("NodePool").values()}
    extra = pools[TRAIN.name]["networkConfig"]["additionalNodeNetworkConfigs"]
    assert [e["network"] for e in extra] == [
        f"gcp-gpunic-{i}-{_suffix_of(built, 'Network', f'gcp-gpunic-{i}')}" for i in range(8)
    ]
    assert "additionalNodeNetworkConfigs" not in pools[SERVE.name]["networkConfig"]
    params = built.of("GKENetworkParamSet")
    assert len(params) == 8 and all(p["spec"]["deviceMode"] == "NetDevice" for p in params.values())
    device_networks = [
        i for r, i in built.of("Network").items() if r.endswith(tuple(f"gpu-nic{k}" for k in range(8)))
    ]
    assert len(device_networks) == 8 and all(n["spec"]["type"] == "Device" for n in device_networks)


def _suffix_of(built: Built, kind: str, name: str) -> str:
    (resource,) = [r for r in built.registered if r.typ.endswith(f":{kind}") and r.name == name]
    return _suffix(resource)


def test_the_control_plane_reaches_kueue_on_the_nodes_and_nothing_else(built: Built) -> None:
    """A private cluster's control plane reaches nodes on 443 and 10250 only (GKE's own rule); Kueue's webhook (9443)
    and visibility server (8082) need their own rule, from the control plane's /28 to the nodes' account only."""
    rule = built.of("Firewall")["gcp-control-plane-webhooks"]
    assert rule["direction"] == "INGRESS" and rule["sourceRanges"] == ["10.49.0.0/28"]
    assert rule["allows"] == [{"protocol": "tcp", "ports": ["8082", "9443"]}]
    assert rule["targetServiceAccounts"] == [built.outputs["node_service_account"]]
    assert rule["logConfig"] == {"metadata": "INCLUDE_ALL_METADATA"}
    webhook = yaml.safe_load((UPSTREAM / "kueue" / "kueue-values.yaml").read_text(encoding="utf-8"))
    assert str(webhook["webhookService"]["ports"][0]["targetPort"]) in rule["allows"][0]["ports"]


def test_without_a3_mega_there_are_no_gpu_networks() -> None:
    plain = build(_args(gpu_node_pools=(SERVE,), workload_identities=()))
    assert list(plain.of("Network")) == ["gcp-vpc"]
    assert not plain.of("GKENetworkParamSet")
    # The one firewall rule is the control plane's to Kueue's ports; no GPU NIC network gets one.
    assert list(plain.of("Firewall")) == ["gcp-control-plane-webhooks"]
    assert "enableMultiNetworking" not in plain.one(CLUSTER)


def test_the_key_rotates_and_only_the_service_agents_may_use_it(built: Built) -> None:
    key = built.one("CryptoKey")
    assert key["purpose"] == "ENCRYPT_DECRYPT" and key["rotationPeriod"] == "7776000s"
    number = project_number(PROJECT)
    grants = {g["member"] for g in built.of("CryptoKeyIAMMember").values()}
    assert grants == {
        f"serviceAccount:service-{number}@container-engine-robot.iam.gserviceaccount.com",
        f"serviceAccount:service-{number}@compute-system.iam.gserviceaccount.com",
        f"serviceAccount:service-{number}@gs-project-accounts.iam.gserviceaccount.com",
    }
    assert {g["role"] for g in built.of("CryptoKeyIAMMember").values()} == {
        "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    }
    assert built.one("KeyRing")["location"] == "us-central1"


def test_the_subnet_has_its_secondary_ranges_private_google_access_and_flow_logs(built: Built) -> None:
    subnet = built.of("Subnetwork")["gcp-nodes"]
    assert subnet["ipCidrRange"] == "10.40.0.0/20" and subnet["privateIpGoogleAccess"] is True
    assert subnet["secondaryIpRanges"] == [
        {"rangeName": "pods", "ipCidrRange": "10.44.0.0/14"},
        {"rangeName": "services", "ipCidrRange": "10.48.0.0/20"},
    ]
    assert subnet["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA"
    assert built.of("Network")["gcp-vpc"]["autoCreateSubnetworks"] is False
    nat = built.one("RouterNat")
    assert nat["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    assert [s["sourceIpRangesToNats"] for s in nat["subnetworks"]] == [["ALL_IP_RANGES"]]
    assert built.one("Router")["bgp"]["asn"] == 64520


def test_the_datasets_bucket_is_cmek_uniform_private_versioned_and_logged(built: Built) -> None:
    buckets = built.of("Bucket")
    datasets, logs = buckets["gcp-datasets"], buckets["gcp-access-logs"]
    for bucket in (datasets, logs):
        assert bucket["encryption"] == {"defaultKmsKeyName": built.outputs["kms_key_id"]}
        assert bucket["uniformBucketLevelAccess"] is True and bucket["publicAccessPrevention"] == "enforced"
        assert bucket["versioning"] == {"enabled": True} and bucket["location"] == "US-CENTRAL1"
    assert datasets["logging"] == {
        "logBucket": built.outputs["log_bucket_name"],
        "logObjectPrefix": "datasets",
    }
    assert logs["lifecycleRules"] == [{"action": {"type": "Delete"}, "condition": {"age": 365}}]
    writer = built.of("BucketIAMMember")["gcp-access-logs-writer"]
    assert writer == {
        "bucket": built.outputs["log_bucket_name"],
        "role": "roles/storage.objectCreator",
        "member": "group:cloud-storage-analytics@google.com",
    }
    audit = built.one("IAMAuditConfig")
    assert audit["service"] == "storage.googleapis.com" and audit["project"] == PROJECT
    assert {c["logType"] for c in audit["auditLogConfigs"]} == {"ADMIN_READ", "DATA_READ", "DATA_WRITE"}


def test_each_workload_gets_an_account_bound_through_workload_identity_to_its_prefix(built: Built) -> None:
    bucket = built.outputs["bucket_name"]
    assert built.outputs["service_account_emails"] == {
        "pretrain": f"aidc-pretrain@{PROJECT}.iam.gserviceaccount.com",
        "chat": f"aidc-chat@{PROJECT}.iam.gserviceaccount.com",
    }
    bindings = {
        r.name: r.inputs for r in built.registered if r.typ == "gcp:serviceaccount/iAMMember:IAMMember"
    }
    assert bindings["gcp-wi-chat-binding"]["member"] == f"serviceAccount:{PROJECT}.svc.id.goog[chat/chat]"
    assert bindings["gcp-wi-chat-binding"]["role"] == "roles/iam.workloadIdentityUser"
    grants = built.of("BucketIAMMember")
    objects, listing = grants["gcp-wi-chat-objects"], grants["gcp-wi-chat-list"]
    member = f"serviceAccount:aidc-chat@{PROJECT}.iam.gserviceaccount.com"
    assert objects["member"] == member and objects["role"] == "roles/storage.objectUser"
    assert (
        objects["condition"]["expression"]
        == f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/chat/")'
    )
    assert listing["member"] == member and listing["role"] == "roles/storage.objectViewer"
    assert 'objectListPrefix", "").startsWith("chat/")' in listing["condition"]["expression"]
    # Nothing else of the bucket or project is granted to a workload.
    workload_grants = [r for r in built.registered if member in str(r.inputs.get("member", ""))]
    assert {r.name for r in workload_grants} == {"gcp-wi-chat-objects", "gcp-wi-chat-list"}


def test_the_kubeconfig_is_secret_and_uses_the_gke_auth_plugin_on_the_private_endpoint(built: Built) -> None:
    assert built.secret_kubeconfig
    config = json.loads(built.outputs["kubeconfig"])
    assert config["clusters"][0]["cluster"]["server"] == "https://10.49.0.2"
    assert config["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert config["users"][0]["user"]["exec"]["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert "token" not in json.dumps(config["users"])


def test_the_project_defaults_to_the_providers() -> None:
    default = build(_args(project=None, gpu_node_pools=(SERVE,), workload_identities=()))
    assert default.one(CLUSTER)["project"] == MOCK_PROJECT
    assert default.one(CLUSTER)["workloadIdentityConfig"] == {"workloadPool": f"{MOCK_PROJECT}.svc.id.goog"}


def test_resources_scale_with_pools_never_with_gpus() -> None:
    small = build(_args(gpu_node_pools=(SERVE,), workload_identities=()))
    large = build(
        _args(gpu_node_pools=(data_pool(SERVE, min_nodes=50, max_nodes=500),), workload_identities=())
    )
    assert len(small.registered) == len(large.registered)
    assert sorted(r.typ for r in small.registered) == sorted(r.typ for r in large.registered)


def data_pool(pool: GpuNodePool, **changes: Any) -> GpuNodePool:
    return GpuNodePool.model_validate(data(pool, **changes))


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"master_authorized_cidrs": ("0.0.0.0/0",)}, "master_authorized_cidrs[0]", "whole internet"),
        (
            {"master_authorized_cidrs": ("0.0.0.0/1", "128.0.0.0/1")},
            "master_authorized_cidrs",
            "shorter than /8",
        ),
        ({"master_authorized_cidrs": ()}, "master_authorized_cidrs", "at least 1"),
        ({"cluster_name": "a" * 41}, "cluster_name", "at most 40"),
        ({"project": "Bad_Project"}, "project", "project ID"),
        ({"pods_cidr": "10.40.0.0/14"}, "pods_cidr", "overlaps network_cidr"),
        ({"gpu_node_pools": (data(SERVE, name="system"),)}, "gpu_node_pools[0].name", "system"),
        (
            {"gpu_node_pools": (data(SERVE, zones=("europe-west4-a",)),)},
            "gpu_node_pools[0].zones",
            "not among",
        ),
        ({"gpu_node_pools": (data(TRAIN, zones=ZONES),)}, "gpu_node_pools[0].zones", "one zone"),
        ({"gpu_node_pools": (data(TRAIN, min_nodes=1),)}, "gpu_node_pools[0].min_nodes", "fixed pool"),
        ({"gpu_node_pools": (data(SERVE, gpudirect="tcpxo"),)}, "gpu_node_pools[0].gpudirect", "A3 Mega"),
        ({"gpu_node_pools": (data(TRAIN, spot=True),)}, "gpu_node_pools[0].spot", "reservation"),
        (
            {"gpu_node_pools": (data(SERVE, accelerator_type="h100"),)},
            "gpu_node_pools[0].accelerator_type",
            "GKE accelerator",
        ),
        ({"gpu_node_pools": (data(SERVE, name="x" * 41),)}, "gpu_node_pools[0].name", "at most 40"),
        ({"labels": {"Stack": "x"}}, "labels", "Google Cloud label"),
    ],
    ids=[
        "open-to-the-world",
        "halves-of-the-world",
        "no-networks",
        "long-name",
        "project",
        "overlap",
        "system-name",
        "stray-zone",
        "fixed-multi-zone",
        "fixed-range",
        "tcpxo-elsewhere",
        "reserved-spot",
        "accelerator",
        "long-pool",
        "label",
    ],
)
def test_bad_args_are_refused_naming_the_field(changes: dict[str, Any], field: str, says: str) -> None:
    assert_refused(lambda: _args(**changes), field, says=says)


def test_a_workload_whose_account_id_would_be_too_long_is_refused() -> None:
    name = "w" * 26  # 'aidc-' + 26: IAM's limit is 30
    identity = {"name": name, "namespace": "a", "service_account": "a", "prefix": "a/"}
    assert_refused(lambda: _args(workload_identities=(identity,)), "workload_identities[0].name", says="6-30")
