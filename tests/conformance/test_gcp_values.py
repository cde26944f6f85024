"""Google Cloud: every value the program sends through pulumi_gcp is one the APIs accept (gcp_checks: the discovery
documents of the pinned google-api-python-client, the vendored machine-type and Cloud VPN facts, the pulumi-gcp
SDK's argument names), on plans that place GPU groups in Google Cloud (tests/clouds/gcp_plans.py) and on every
shipped stack; each check refuses a deliberately broken value."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from gcp_checks import (
    RULES,
    accelerator_problems,
    api_value_problems,
    auto_name_problems,
    sdk_name_problems,
    values_at,
)

from aidc.offline import OfflinePlan
from tests.clouds.gcp_plans import VARIANTS, gcp_offline


@pytest.fixture(params=sorted(VARIANTS))
def gcp_plan(request: pytest.FixtureRequest) -> OfflinePlan:
    return gcp_offline(request.param)


def _all_problems(plan: OfflinePlan) -> tuple[list[str], int]:
    problems: list[str] = []
    checked = 0
    for resource in plan.resources:
        found, count = api_value_problems(resource)
        names, keys = sdk_name_problems(resource)
        problems += found + names + accelerator_problems(resource) + auto_name_problems(resource)
        checked += count + keys
    return problems, checked


def test_every_google_cloud_value_is_one_the_apis_accept(gcp_plan: OfflinePlan) -> None:
    problems, checked = _all_problems(gcp_plan)
    assert checked > 300, f"only {checked} values checked"
    assert problems == []


def test_no_shipped_stack_emits_a_google_cloud_value_the_apis_refuse(plan: OfflinePlan) -> None:
    assert _all_problems(plan)[0] == []


def test_every_rule_checks_something_in_some_plan() -> None:
    used = {
        (token, path)
        for variant in VARIANTS
        for resource in gcp_offline(variant).resources
        for token, path, _ in RULES
        if resource["type"] == token and any(True for _ in values_at(resource["plain_inputs"], path))
    }
    assert sorted({(t, p) for t, p, _ in RULES} - used) == [], "rules that never saw a value (renamed input?)"


def test_every_rule_resolves_its_allowed_values_from_upstream() -> None:
    for token, path, rule in RULES:
        check = rule()
        assert getattr(check, "allowed", True), (token, path)


def _resource(token: str, inputs: dict[str, Any], name: str = "broken") -> dict[str, Any]:
    return {"type": token, "urn": f"urn:{name}", "name": name, "plain_inputs": inputs}


GOOD = {
    "pool": _resource(
        "gcp:container/nodePool:NodePool",
        {
            "name": "chat-a3-highgpu-8g",
            "cluster": "aidc-prod",
            "nodeConfig": {
                "machineType": "a3-highgpu-8g",
                "guestAccelerators": [
                    {
                        "type": "nvidia-h100-80gb",
                        "count": 8,
                        "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"},
                    }
                ],
                "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}],
                "workloadMetadataConfig": {"mode": "GKE_METADATA"},
            },
            "placementPolicy": {"type": "COMPACT"},
            "autoscaling": {"locationPolicy": "ANY", "totalMinNodeCount": 0, "totalMaxNodeCount": 2},
        },
    ),
    "tunnel": _resource(
        "gcp:compute/vPNTunnel:VPNTunnel",
        {
            "ikeVersion": 2,
            "cipherSuite": {
                "phase1": {
                    "encryptions": ["AES-GCM-16-256"],
                    "prves": ["PRF-HMAC-SHA2-256"],
                    "dhs": ["Group-20"],
                },
                "phase2": {"encryptions": ["AES-GCM-16-256"], "pfs": ["Group-20"]},
            },
        },
    ),
    "attachment": _resource(
        "gcp:compute/interconnectAttachment:InterconnectAttachment",
        {
            "type": "DEDICATED",
            "bandwidth": "BPS_10G",
            "vlanTag8021q": 100,
            "candidateSubnets": ["169.254.210.0/29"],
        },
    ),
    "key": _resource(
        "gcp:kms/cryptoKey:CryptoKey",
        {
            "keyRing": "r",
            "purpose": "ENCRYPT_DECRYPT",
            "rotationPeriod": "7776000s",
            "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "SOFTWARE"},
        },
    ),
    "bucket": _resource(
        "gcp:storage/bucket:Bucket",
        {"location": "US", "publicAccessPrevention": "enforced", "storageClass": "STANDARD"},
    ),
    "account": _resource("gcp:serviceaccount/account:Account", {"accountId": "aidc-chat"}),
    "audit": _resource(
        "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        {"service": "storage.googleapis.com", "auditLogConfigs": [{"logType": "DATA_READ"}]},
    ),
    "cluster": _resource(
        "gcp:container/cluster:Cluster",
        {
            "name": "aidc-prod",
            "datapathProvider": "ADVANCED_DATAPATH",
            "releaseChannel": {"channel": "REGULAR"},
            "privateClusterConfig": {"enablePrivateEndpoint": True},
        },
    ),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_well_formed_values_pass(name: str) -> None:
    resource = GOOD[name]
    problems, checked = api_value_problems(resource)
    assert (problems, sdk_name_problems(resource)[0], accelerator_problems(resource)) == ([], [], [])
    assert checked >= 1


BROKEN = [
    ("pool", "nodeConfig.guestAccelerators.0.gpuDriverInstallationConfig.gpuDriverVersion", "NEWEST"),
    ("pool", "nodeConfig.taints.0.effect", "NoSchedule"),
    ("pool", "nodeConfig.workloadMetadataConfig.mode", "GKE_METADATA_SERVER"),
    ("pool", "placementPolicy.type", "SPREAD"),
    ("pool", "autoscaling.locationPolicy", "FIRST"),
    ("pool", "name", "a-pool-name-longer-than-forty-characters-x"),
    ("tunnel", "ikeVersion", 3),
    ("tunnel", "cipherSuite.phase1.encryptions.0", "AES256-GCM"),
    ("tunnel", "cipherSuite.phase1.dhs.0", "Group-22"),
    ("tunnel", "cipherSuite.phase2.pfs.0", "MODP_2048"),
    ("attachment", "bandwidth", "BPS_40G"),
    ("attachment", "type", "PRIVATE"),
    ("attachment", "vlanTag8021q", 4094),
    ("attachment", "candidateSubnets.0", "169.254.210.0/30"),
    ("key", "rotationPeriod", "3600s"),
    ("key", "purpose", "ENCRYPT"),
    ("bucket", "publicAccessPrevention", "enabled"),
    ("bucket", "storageClass", "HOT"),
    ("account", "accountId", "aidc"),
    ("audit", "auditLogConfigs.0.logType", "DATA_ACCESS"),
    ("cluster", "datapathProvider", "DATAPLANE_V2"),
    ("cluster", "releaseChannel.channel", "LTS"),
]


def _set(document: Any, path: str, value: Any) -> None:
    *head, last = path.split(".")
    for part in head:
        document = document[int(part)] if part.isdigit() else document[part]
    document[int(last) if last.isdigit() else last] = value


@pytest.mark.parametrize(("name", "path", "value"), BROKEN, ids=[f"{n}-{p}" for n, p, _ in BROKEN])
def test_a_broken_value_is_refused(name: str, path: str, value: Any) -> None:
    broken = copy.deepcopy(GOOD[name])
    _set(broken["plain_inputs"], path, value)
    assert api_value_problems(broken)[0]


def test_a_pool_whose_accelerator_is_not_its_machines_is_refused() -> None:
    for path, value in (
        ("nodeConfig.guestAccelerators.0.type", "nvidia-h100-mega-80gb"),
        ("nodeConfig.guestAccelerators.0.count", 4),
    ):
        broken = copy.deepcopy(GOOD["pool"])
        _set(broken["plain_inputs"], path, value)
        assert accelerator_problems(broken), path


@pytest.mark.parametrize(
    ("name", "key", "where"),
    [
        ("cluster", "privateClusterConfig.enablePrivateEndpoints", "privateClusterConfig"),
        ("pool", "nodeConfig.guestAccelerators.0.driverVersion", "nodeConfig.guestAccelerators"),
        ("tunnel", "cipherSuite.phase1.encryption", "cipherSuite.phase1"),
        ("bucket", "publicAccessPrevent", ""),
    ],
)
def test_an_argument_the_sdk_does_not_have_is_refused(name: str, key: str, where: str) -> None:
    broken = copy.deepcopy(GOOD[name])
    _set(broken["plain_inputs"], key, True)
    problems, _ = sdk_name_problems(broken)
    assert problems and key.rsplit(".", 1)[-1] in problems[0], problems


def test_an_auto_name_that_would_not_fit_is_refused() -> None:
    resource = _resource("gcp:compute/router:Router", {"region": "us-central1"}, name="r" * 56)
    assert auto_name_problems(resource)
    assert auto_name_problems(_resource("gcp:compute/router:Router", {}, name="r" * 55)) == []
    assert auto_name_problems(_resource("gcp:kms/keyRing:KeyRing", {"location": "x"}, name="ring.with.dots"))
