"""What the IaC scan reads (aidc/scan.py, scripts/scan) covers what every shipped stack emits: each AWS resource type
maps to its Terraform type, references survive as the scanner's graph edges, and the manifests K3s servers apply
from user data are found."""

from __future__ import annotations

from stack_runs import SHIPPED, offline_plan

from aidc.scan import AWS_TYPES, k3s_manifests, kubernetes_object, terraform_plan

# Resource types with no Terraform counterpart the scanner checks (Pulumi's own, or not AWS / OpenStack / Kubernetes).
NOT_SCANNED_PREFIXES = (
    "openstack:",
    "random:",
    "tls:",
    "pulumi:",
    "pulumi-python:",
    "kubernetes:helm.sh/",
    "kubernetes:yaml",
)


def test_every_aws_type_a_stack_emits_is_exported() -> None:
    for stack in SHIPPED:
        for resource in offline_plan(stack).resources:
            if resource["custom"] and resource["type"].startswith("aws:"):
                assert resource["type"] in AWS_TYPES, f"{resource['type']} ({stack}): add its Terraform type"


def test_every_kubernetes_object_a_stack_declares_is_exported() -> None:
    for stack in SHIPPED:
        for resource in offline_plan(stack).resources:
            kind = resource["type"]
            if (
                resource["custom"]
                and kind.startswith("kubernetes:")
                and not kind.startswith(NOT_SCANNED_PREFIXES)
            ):
                manifest = kubernetes_object(resource)
                assert manifest is not None and manifest["kind"] == kind.rsplit(":", 1)[1], resource["urn"]
                assert "/" in manifest["apiVersion"] or manifest["apiVersion"] == "v1", manifest["apiVersion"]


def test_references_become_graph_edges() -> None:
    plan = terraform_plan(offline_plan("dev").resources)
    by_address = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    policy = next(a for a in by_address if a.startswith("aws_s3_bucket_policy."))
    references = by_address[policy]["expressions"]["bucket"]["references"]
    assert any(r.startswith("aws_s3_bucket.") for r in references), references
    values = {r["address"]: r["values"] for r in plan["planned_values"]["root_module"]["resources"]}
    sse = next(
        v for a, v in values.items() if a.startswith("aws_s3_bucket_server_side_encryption_configuration.")
    )
    # Terraform's block name, in snake case.
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    trail = next(v for a, v in values.items() if a.startswith("aws_cloudtrail."))
    assert trail["enable_log_file_validation"] is True and "advanced_event_selector" in trail


def test_the_k3s_servers_manifests_are_found() -> None:
    manifests = k3s_manifests(offline_plan("dev").resources)
    bindings = [m for m in manifests if m["kind"] == "ClusterRoleBinding"]
    assert [b["metadata"]["name"] for b in bindings] == ["aidc-admin"], bindings
    # A plain (unencoded) cloud-config and one with no manifest: nothing is invented.
    cloud_config = "#cloud-config\nwrite_files:\n- path: /etc/motd\n  content: hello\n"
    assert k3s_manifests([{"plain_inputs": {"userData": cloud_config}}]) == []
