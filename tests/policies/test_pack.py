"""The pack as a whole: metadata of every rule, the offline evaluator on recorded resources, and the
importability of the rules without starting the policy server."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policies.offline import ALL_POLICIES, MANDATORY, evaluate
from tests.plans import program_run
from tests.stacks_list import SHIPPED_STACKS

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


def test_every_rule_is_named_described_and_levelled():
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))
    assert len(names) >= 25
    for policy in ALL_POLICIES:
        assert KEBAB.match(policy.name), policy.name
        assert policy.description.endswith("."), policy.name
        assert policy.enforcement_level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY), (
            policy.name
        )
        assert isinstance(policy, ResourceValidationPolicy | StackValidationPolicy)
        for key, prop in (policy.config_schema.properties if policy.config_schema else {}).items():
            assert "default" in prop, f"{policy.name}.{key}"
            assert prop.get("description"), f"{policy.name}.{key}"
    assert {
        "aws-s3-bucket-kms-encryption",
        "vpn-ikev2-only",
        "ceph-pool-redundancy",
        "placement-private-classifications",
        "k3s-secrets-encryption",
        "monthly-cost-ceiling",  # mandatory when set (off without a ceiling)
    } <= MANDATORY


def test_importing_the_rules_starts_no_server():
    code = "import policies, policies.offline; print(len(policies.ALL_POLICIES))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert int(out.stdout.strip()) == len(ALL_POLICIES)


def _record(resource_type, name, inputs, parent=None):
    return {
        "urn": f"urn:pulumi:dev::aidc::{resource_type}::{name}",
        "type": resource_type,
        "name": name,
        "parent": parent,
        "inputs": inputs,
        "custom": True,
    }


def test_evaluate_reports_resource_and_stack_violations_with_levels():
    resources = [
        _record(
            "aws:ec2transitgateway/transitGateway:TransitGateway",
            "tgw",
            {"autoAcceptSharedAttachments": "enable"},
        ),
        _record("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"}),
    ]
    violations = evaluate(resources)
    by_policy = {v["policy"]: v for v in violations}
    assert by_policy["aws-tgw-no-auto-accept"]["enforcement"] == "mandatory"
    assert by_policy["aws-tgw-no-auto-accept"]["urn"] == resources[0]["urn"]
    assert by_policy["aws-vpc-flow-logs"]["enforcement"] == "advisory"
    assert by_policy["aws-vpc-flow-logs"]["urn"] == resources[1]["urn"]
    assert set(by_policy) == {"aws-tgw-no-auto-accept", "aws-vpc-flow-logs"}


def test_evaluate_honours_thresholds_and_enforcement_overrides():
    resources = [
        _record(
            "openstack:vpnaas/ikePolicy:IkePolicy",
            "ike",
            {
                "ikeVersion": "v2",
                "encryptionAlgorithm": "aes-256",
                "authAlgorithm": "sha256",
                "pfs": "group14",
            },
        )
    ]
    assert evaluate(resources) == []
    raised = evaluate(resources, {"vpn-dh-group-minimum": {"min-dh-group": 19}})
    assert [v["policy"] for v in raised] == ["vpn-dh-group-minimum"]
    advisory = evaluate(
        resources, {"vpn-dh-group-minimum": {"min-dh-group": 19, "enforcementLevel": "advisory"}}
    )
    assert advisory[0]["enforcement"] == "advisory"
    assert evaluate(resources, {"vpn-dh-group-minimum": "disabled", "vpn-ikev2-only": "disabled"}) == []


def test_evaluate_uses_recorded_property_dependencies():
    password = _record("random:index/randomPassword:RandomPassword", "psk", {"length": 48})
    site = _record("openstack:vpnaas/siteConnection:SiteConnection", "site", {"psk": "plain-looking"})
    assert [v["policy"] for v in evaluate([password, site])] == ["vpn-psk-from-secret"]
    site["propertyDependencies"] = {"psk": [password["urn"]]}
    assert evaluate([password, site]) == []


def test_unknown_policy_in_config_is_a_value_error():
    with pytest.raises(ValueError, match="policy_config: unknown policy no-such-rule"):
        evaluate([], {"no-such-rule": {}})


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stacks_pass_the_pack(stack):
    plan = program_run(stack)  # stacks/__main__.py reading the stack file, shared with tests/stacks
    violations = evaluate(plan.resources)
    assert [v for v in violations if v["enforcement"] == "mandatory"] == []
    assert len(plan.resources) > 50


def test_the_pack_needs_nothing_from_the_repository_but_itself():
    """The Pulumi CLI runs the pack in its own virtualenv: the rules import nothing of aidc but its stdlib-only
    vocabulary (aidc/contract.py) and its table of pinned versions (aidc/versions.py) — no sizing, no catalog, no
    pydantic."""
    import subprocess
    import sys

    code = (
        "import sys, policies; "
        "sys.exit(1 if any(m.startswith('aidc.') and m not in ('aidc.contract', 'aidc.versions') or m == 'pydantic' "
        "for m in sys.modules) "
        "else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
