"""The stack program's security controls (issue 12) on every shipped stack with a core (an estate's shards
declare edge sites only), as `pulumi up` would declare them:
the object gateway over TLS only, the audit trail of the dataset bucket, VPN tunnel logging under the AWS
cluster's key, and EKS access through the configured roles only."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from aidc.config.load import read_config_values, stack_file
from aidc.contract import DEPLOY_GROUP
from aidc.offline import OfflinePlan, run_program
from tests.plans import program_run
from tests.stacks_list import PLANNED_STACKS

DEPLOY = "arn:aws:iam::123456789012:role/aidc-deploy"
ADMIN = "arn:aws:iam::123456789012:role/aidc-operators"


def _of_type(offline: OfflinePlan, token: str) -> list[dict[str, Any]]:
    return [r for r in offline.resources if r["type"] == token]


def _named(offline: OfflinePlan, token: str) -> dict[str, dict[str, Any]]:
    return {r["name"]: r["inputs"] for r in _of_type(offline, token)}


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_object_stores_serve_https_only_from_a_secret_tls_secret(stack: str) -> None:
    offline = program_run(stack)
    secrets = _named(offline, "kubernetes:core/v1:Secret")
    stores = _of_type(offline, "kubernetes:ceph.rook.io/v1:CephObjectStore")
    assert stores
    for store in stores:
        gateway = store["inputs"]["spec"]["gateway"]
        assert "port" not in gateway, store["urn"]
        assert gateway["securePort"] == 443, store["urn"]
        (secret,) = [s for s in secrets.values() if s["metadata"]["name"] == gateway["sslCertificateRef"]]
        assert secret["type"] == "kubernetes.io/tls"
        assert secret["metadata"]["namespace"] == store["inputs"]["metadata"]["namespace"]
        assert secret["stringData"] == "[secret]", "the gateway's private key stays a secret"
    assert offline.exports["ceph_rgw_ca_cert"].startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_dataset_bucket_reads_and_writes_are_recorded(stack: str) -> None:
    offline = program_run(stack)
    buckets = {r["name"] for r in _of_type(offline, "aws:s3/bucket:Bucket")}
    assert buckets == {"aws-data", "aws-logs"}
    data, logs = offline.exports["datasets_bucket"], offline.exports["audit_log_bucket"]
    (logging,) = _of_type(offline, "aws:s3/bucketLogging:BucketLogging")
    assert (logging["inputs"]["bucket"], logging["inputs"]["targetBucket"]) == (data, logs)
    (trail,) = _of_type(offline, "aws:cloudtrail/trail:Trail")
    inputs = trail["inputs"]
    assert inputs["s3BucketName"] == logs
    assert inputs["isMultiRegionTrail"] is True and inputs["enableLogFileValidation"] is True
    (key,) = _of_type(offline, "aws:kms/key:Key")
    assert inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert key["inputs"]["enableKeyRotation"] is True
    arns = [
        value
        for selector in inputs["advancedEventSelectors"]
        for field in selector["fieldSelectors"]
        if field["field"] == "resources.ARN"
        for value in field["startsWiths"]
    ]
    assert arns == [f"arn:aws:s3:::{data}/"]
    # Named after the stack: stacks sharing an account never claim the same multi-region trail name.
    assert inputs["name"] == f"aidc-{stack}-trail"
    assert offline.exports["audit_trail_arn"].endswith(f":trail/aidc-{stack}-trail")


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_every_vpn_tunnel_logs_under_the_aws_clusters_key(stack: str) -> None:
    offline = program_run(stack)
    (group,) = [
        g for g in _of_type(offline, "aws:cloudwatch/logGroup:LogGroup") if g["name"] == "vpn-tunnel-logs"
    ]
    kms = _named(offline, "aws:kms/key:Key")
    assert list(kms) == ["aws-kms"]
    cluster = _named(offline, "aws:eks/cluster:Cluster")["aws-eks"]
    # The cluster's secrets key is the one key; the VPN log group is encrypted with it.
    assert group["inputs"]["kmsKeyId"] == cluster["encryptionConfig"]["provider"]["keyArn"]
    assert group["inputs"]["retentionInDays"] > 0
    assert offline.exports["vpn_tunnel_log_group"] == group["inputs"]["name"]
    connections = _of_type(offline, "aws:ec2/vpnConnection:VpnConnection")
    assert connections
    for vpn in connections:
        for tunnel in (1, 2):
            options = vpn["inputs"][f"tunnel{tunnel}LogOptions"]["cloudwatchLogOptions"]
            assert options["logEnabled"] is True, (vpn["urn"], tunnel)
            assert options["logGroupArn"].endswith(f":log-group:{group['inputs']['name']}"), options


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_shipped_stacks_declare_no_bootstrap_admin_and_no_access_entry(stack: str) -> None:
    """Shipped stacks name no roles (they carry no account): no entries, and the program warns (see below)."""
    offline = program_run(stack)
    (cluster,) = _of_type(offline, "aws:eks/cluster:Cluster")
    assert cluster["inputs"]["accessConfig"]["bootstrapClusterCreatorAdminPermissions"] is False
    # At most Karpenter's node role (type EC2_LINUX: its nodes join with it; stacks with public GPU groups), no
    # person or CI role.
    assert {e["inputs"]["type"] for e in _of_type(offline, "aws:eks/accessEntry:AccessEntry")} <= {
        "EC2_LINUX"
    }


def test_configured_roles_get_their_access_entries() -> None:
    values = copy.deepcopy(read_config_values(stack_file("prod")))
    values.setdefault("aidc:aws", {})["access"] = {"deploy_role_arn": DEPLOY, "admin_role_arn": ADMIN}
    offline = run_program("prod", stack_config=values)
    entries = {
        e["inputs"]["principalArn"]: e
        for e in _of_type(offline, "aws:eks/accessEntry:AccessEntry")
        if e["inputs"]["type"] == "STANDARD"
    }
    assert set(entries) == {DEPLOY, ADMIN}
    associations = {
        a["inputs"]["principalArn"]: a["inputs"]
        for a in _of_type(offline, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    }
    # The deploy role gets a Kubernetes group bound to the aidc-deploy RBAC objects, never an access policy, even
    # with Karpenter's cluster-scoped objects to apply (deploy_access.py); the operators get cluster-admin.
    assert set(associations) == {ADMIN}
    assert entries[DEPLOY]["inputs"]["kubernetesGroups"] == [DEPLOY_GROUP]
    assert associations[ADMIN]["policyArn"].endswith("/AmazonEKSClusterAdminPolicy")
    assert associations[ADMIN]["accessScope"] == {"type": "cluster"}
    # Everything else is what the stack declares without the roles: the entries, the admin's association, and the
    # deploy role's RBAC on a Provider of its own.
    base = {r["urn"] for r in program_run("prod").resources}
    added = {r["urn"]: r["type"] for r in offline.resources if r["urn"] not in base}
    assert sorted(set(added.values())) == [
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "kubernetes:core/v1:Namespace",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "pulumi:providers:kubernetes",
    ]
    # Resources scale with the add-on namespaces, never with GPUs or workloads.
    assert len(added) == 3 + 1 + 2 + 2 * 3 + 2


def test_without_a_deploy_role_the_program_warns(caplog: pytest.LogCaptureFixture) -> None:
    values = copy.deepcopy(read_config_values(stack_file("dev")))
    with caplog.at_level("WARNING"):
        run_program("dev", stack_config=values)
    assert any("aidc:aws.access.deploy_role_arn is not set" in r.getMessage() for r in caplog.records)
    caplog.clear()
    values.setdefault("aidc:aws", {})["access"] = {"deploy_role_arn": DEPLOY}
    with caplog.at_level("WARNING"):
        run_program("dev", stack_config=values)
    assert not any("deploy_role_arn" in r.getMessage() for r in caplog.records)
    # A deploy role with no admin role: on a new cluster nobody can apply its RBAC.
    assert any("aidc:aws.access.admin_role_arn is not set" in r.getMessage() for r in caplog.records)
    caplog.clear()
    values["aidc:aws"]["access"]["admin_role_arn"] = ADMIN
    with caplog.at_level("WARNING"):
        run_program("dev", stack_config=values)
    assert not any("role_arn is not set" in r.getMessage() for r in caplog.records)


def test_secrets_of_the_new_resources_stay_secret() -> None:
    """What a plan shows (the masked inputs; `plain_inputs` is the recorder's unmasked copy for conformance)."""
    offline = program_run("dev")
    shown = [r["inputs"] for r in offline.resources]
    assert "PRIVATE KEY" not in json.dumps(shown)
    (secret,) = [r for r in offline.resources if r["name"] == "ceph-rgw-object-tls"]
    assert secret["inputs"]["stringData"] == "[secret]"
    assert "PRIVATE KEY" in secret["plain_inputs"]["stringData"]["tls.key"], "the check can fail"


def test_a_vpn_over_direct_connect_logs_its_tunnels_too() -> None:
    """Private IP VPN connections over Direct Connect (DirectConnectInterconnect, encryption 'ipsec') log to the
    same log group as the Site-to-Site VPN, and the pack finds nothing to refuse."""
    from policies.offline import evaluate

    values = copy.deepcopy(read_config_values(stack_file("dev")))
    values["aidc:demand"]["transfer"][0]["volume_gb"] = 90_000  # 50 Gbps over its 4 h window: Direct Connect
    values["aidc:interconnect"] = {
        "direct_connect": {"mode": "always", "macsec": False, "vpn_peer_ip": "10.99.0.10"}
    }
    offline = run_program("dev", stack_config=values)
    vpns = _of_type(offline, "aws:ec2/vpnConnection:VpnConnection")
    over_dx = [v for v in vpns if v["inputs"].get("outsideIpAddressType") == "PrivateIpv4"]
    assert over_dx and len(vpns) > len(over_dx)
    (group,) = [
        g for g in _of_type(offline, "aws:cloudwatch/logGroup:LogGroup") if g["name"] == "vpn-tunnel-logs"
    ]
    for vpn in vpns:
        for tunnel in (1, 2):
            options = vpn["inputs"][f"tunnel{tunnel}LogOptions"]["cloudwatchLogOptions"]
            assert options["logEnabled"] is True, (vpn["urn"], tunnel)
            assert options["logGroupArn"].endswith(f":log-group:{group['inputs']['name']}"), options
    assert [v for v in evaluate(offline.resources) if v["policy"] == "vpn-tunnel-logging"] == []
