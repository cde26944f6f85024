"""The IaC scan (scripts/scan): what every shipped stack emits, in the forms an IaC scanner reads, and the judgement of
the scanner's findings against the reviewed suppressions (scripts/scan-suppressions.yaml).

    python -m aidc.scan export DIR          # one Terraform-plan JSON and one Kubernetes manifest file per stack
    python -m aidc.scan judge RESULTS.json  # exit 1 on a finding no suppression explains, or a stale suppression

What is exported, from each stack's program run offline (`aidc plan`'s run: aidc/offline.py, every resource's
inputs; secrets stay "[secret]"):
- its AWS, Google Cloud (and OpenStack network and instance) resources as a Terraform plan (`<stack>.tfplan.json`):
  pulumi-aws and pulumi-gcp are the Terraform AWS and Google providers bridged,
  so each resource is the Terraform resource of the same schema (AWS_TYPES, GCP_TYPES, property names in snake case,
  the few names Pulumi pluralises given back: RENAMED), and each property that refers to another resource carries the
  reference Pulumi recorded, so the scanner's graph checks connect a bucket to its policy and settings;
- its Kubernetes objects (`<stack>.k8s.yaml`): every object the program declares, and the manifests K3s servers
  apply from user data (their `write_files` under /var/lib/rancher/k3s/server/manifests).
Helm releases are not rendered here (their values alone are not manifests; the scanner's Helm runner needs the helm
binary): the charts' objects at the pinned versions are checked by tests/conformance instead.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import gzip
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

# pulumi-aws type token -> Terraform resource type (pulumi-aws provider/resources.go maps them one to one).
AWS_TYPES: dict[str, str] = {
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:directconnect/connection:Connection": "aws_dx_connection",
    "aws:directconnect/connectionAssociation:ConnectionAssociation": "aws_dx_connection_association",
    "aws:directconnect/gateway:Gateway": "aws_dx_gateway",
    "aws:directconnect/gatewayAssociation:GatewayAssociation": "aws_dx_gateway_association",
    "aws:directconnect/linkAggregationGroup:LinkAggregationGroup": "aws_dx_lag",
    "aws:directconnect/publicVirtualInterface:PublicVirtualInterface": "aws_dx_public_virtual_interface",
    "aws:directconnect/macsecKeyAssociation:MacsecKeyAssociation": "aws_dx_macsec_key_association",
    "aws:directconnect/transitVirtualInterface:TransitVirtualInterface": "aws_dx_transit_virtual_interface",
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": "aws_ec2_capacity_block_reservation",
    "aws:ec2/capacityReservation:CapacityReservation": "aws_ec2_capacity_reservation",
    "aws:ec2/customerGateway:CustomerGateway": "aws_customer_gateway",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/placementGroup:PlacementGroup": "aws_placement_group",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/tag:Tag": "aws_ec2_tag",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpnConnection:VpnConnection": "aws_vpn_connection",
    "aws:ec2transitgateway/route:Route": "aws_ec2_transit_gateway_route",
    "aws:ec2transitgateway/transitGateway:TransitGateway": "aws_ec2_transit_gateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "aws_ec2_transit_gateway_vpc_attachment",
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "aws_eks_pod_identity_association",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
}
# pulumi-openstack type token -> Terraform resource type (the provider bridged the same way), for the scanner's
# OpenStack checks (security group rules open to the world, instance admin passwords).
OPENSTACK_TYPES: dict[str, str] = {
    "openstack:compute/instance:Instance": "openstack_compute_instance_v2",
    "openstack:networking/network:Network": "openstack_networking_network_v2",
    "openstack:networking/router:Router": "openstack_networking_router_v2",
    "openstack:networking/secGroup:SecGroup": "openstack_networking_secgroup_v2",
    "openstack:networking/secGroupRule:SecGroupRule": "openstack_networking_secgroup_rule_v2",
    "openstack:networking/subnet:Subnet": "openstack_networking_subnet_v2",
}
# pulumi-gcp type token -> Terraform resource type (pulumi-gcp bridges terraform-provider-google the same way), for
# the scanner's Google Cloud checks (GKE hardening, bucket access, KMS rotation, VPN ciphers, IAM).
GCP_TYPES: dict[str, str] = {
    "gcp:compute/externalVpnGateway:ExternalVpnGateway": "google_compute_external_vpn_gateway",
    "gcp:compute/haVpnGateway:HaVpnGateway": "google_compute_ha_vpn_gateway",
    "gcp:compute/interconnect:Interconnect": "google_compute_interconnect",
    "gcp:compute/interconnectAttachment:InterconnectAttachment": "google_compute_interconnect_attachment",
    "gcp:compute/firewall:Firewall": "google_compute_firewall",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/networkPeeringRoutesConfig:NetworkPeeringRoutesConfig": "google_compute_network_peering_routes_config",
    "gcp:compute/reservation:Reservation": "google_compute_reservation",
    "gcp:compute/router:Router": "google_compute_router",
    "gcp:compute/routerInterface:RouterInterface": "google_compute_router_interface",
    "gcp:compute/routerNat:RouterNat": "google_compute_router_nat",
    "gcp:compute/routerPeer:RouterPeer": "google_compute_router_peer",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
    "gcp:compute/vPNTunnel:VPNTunnel": "google_compute_vpn_tunnel",
    "gcp:container/cluster:Cluster": "google_container_cluster",
    "gcp:container/nodePool:NodePool": "google_container_node_pool",
    "gcp:kms/cryptoKey:CryptoKey": "google_kms_crypto_key",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "google_kms_crypto_key_iam_member",
    "gcp:kms/keyRing:KeyRing": "google_kms_key_ring",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "google_project_iam_audit_config",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:projects/service:Service": "google_project_service",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:storage/bucket:Bucket": "google_storage_bucket",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
}
PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "google": "registry.terraform.io/hashicorp/google",
    "openstack": "registry.terraform.io/terraform-provider-openstack/openstack",
}
# Terraform block names Pulumi pluralises (a list of blocks), by Terraform type: Pulumi name -> Terraform name.
RENAMED: dict[str, dict[str, str]] = {
    "aws_cloudtrail": {
        "advancedEventSelectors": "advanced_event_selector",
        "eventSelectors": "event_selector",
    },
    "aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"},
    "aws_route_table": {"routes": "route"},
    "google_compute_external_vpn_gateway": {"interfaces": "interface"},
    "google_compute_firewall": {"allows": "allow", "denies": "deny"},
    "google_compute_router_nat": {"subnetworks": "subnetwork"},
    "google_compute_subnetwork": {"secondaryIpRanges": "secondary_ip_range"},
    "google_project_iam_audit_config": {"auditLogConfigs": "audit_log_config"},
    "google_storage_bucket": {"lifecycleRules": "lifecycle_rule"},
}
K3S_MANIFESTS = "/var/lib/rancher/k3s/server/manifests/"
KUBERNETES = "kubernetes:"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def snake(name: str) -> str:
    """A Pulumi (camelCase) property name as Terraform's (snake_case): kmsKeyId -> kms_key_id, cidrIpv4 ->
    cidr_ipv4, tunnel1LogOptions -> tunnel1_log_options."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _terraform_values(value: Any, tf_type: str, top: bool = True) -> Any:
    if isinstance(value, Mapping):
        renames = RENAMED.get(tf_type, {}) if top else {}
        # Maps the user owns (tags, labels) keep their keys.
        return {
            renames.get(k, snake(k)): (
                v if k in ("tags", "tagsAll", "labels") else _terraform_values(v, tf_type, False)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_terraform_values(v, tf_type, False) for v in value]
    return value


def _address(resource: Mapping[str, Any]) -> str | None:
    token = resource["type"]
    tf_type = AWS_TYPES.get(token) or GCP_TYPES.get(token) or OPENSTACK_TYPES.get(token)
    return f"{tf_type}.{resource['name']}" if tf_type else None


def terraform_plan(resources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The stack's AWS, Google Cloud and OpenStack resources as a Terraform plan document (format 1.2): planned values and, for each property
    that refers to another resource, the reference (configuration expressions)."""
    addresses = {r["urn"]: _address(r) for r in resources}
    planned: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    for resource in resources:
        address = addresses[resource["urn"]]
        if address is None:
            continue
        tf_type, name = address.split(".", 1)
        planned.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": PROVIDERS[tf_type.split("_", 1)[0]],
                "values": _terraform_values(resource["inputs"], tf_type),
            }
        )
        expressions = {
            RENAMED.get(tf_type, {}).get(prop, snake(prop)): {
                "references": [f"{ref}.id" for ref in refs] + list(refs)
            }
            for prop, urns in (resource.get("property_dependencies") or {}).items()
            if (refs := sorted({a for u in urns if (a := addresses.get(u))}))
        }
        configured.append(
            {"address": address, "mode": "managed", "type": tf_type, "name": name, "expressions": expressions}
        )
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": [
            {
                "address": p["address"],
                "mode": "managed",
                "type": p["type"],
                "name": p["name"],
                "change": {"actions": ["create"], "before": None, "after": p["values"]},
            }
            for p in planned
        ],
        "configuration": {"root_module": {"resources": configured}},
    }


def kubernetes_object(resource: Mapping[str, Any]) -> dict[str, Any] | None:
    """A declared Kubernetes object as its manifest (apiVersion from the type token: kubernetes:apps/v1:Deployment
    -> apps/v1, kubernetes:core/v1:Namespace -> v1)."""
    token = resource["type"]
    # Releases and YAML files (kubernetes:yaml/v2:ConfigFile) are Pulumi's packaging, not objects.
    if (
        not token.startswith(KUBERNETES)
        or token == HELM_RELEASE
        or token.startswith("kubernetes:yaml")
        or token.count(":") != 2
    ):
        return None
    group_version, kind = token.removeprefix(KUBERNETES).split(":")
    api_version = group_version.removeprefix("core/")
    return {
        "apiVersion": api_version,
        "kind": kind,
        **{k: v for k, v in resource["inputs"].items() if k not in ("apiVersion", "kind")},
    }


def _user_data_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        raw = base64.b64decode(value, validate=True)
        return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()
    except (ValueError, OSError, UnicodeDecodeError):
        return value


def _cloud_configs(value: Any) -> Iterable[Mapping[str, Any]]:
    """The cloud-config documents in a user data string (plain, or a MIME multi-part of them)."""
    text = _user_data_text(value)
    for part in re.split(r"(?m)^--[^\n]*\n", text) if "Content-Type: multipart" in text else [text]:
        body = part.split("\n\n", 1)[1] if part.startswith("Content-Type") else part
        if body.lstrip().startswith("#cloud-config"):
            try:
                document = yaml.safe_load(body)
            except yaml.YAMLError:
                continue
            if isinstance(document, Mapping):
                yield document


def k3s_manifests(resources: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Kubernetes manifests K3s servers apply from their user data (write_files in the manifests folder)."""
    manifests: dict[str, dict[str, Any]] = {}
    for resource in resources:
        inputs = resource["plain_inputs"]
        for value in (inputs.get("userData"), (inputs.get("parameters") or {}).get("user_data")):
            for config in _cloud_configs(value):
                for item in config.get("write_files") or []:
                    if str(item.get("path", "")).startswith(K3S_MANIFESTS):
                        for document in yaml.safe_load_all(str(item.get("content", ""))):
                            if isinstance(document, dict) and "kind" in document:
                                manifests[json.dumps(document, sort_keys=True)] = document
    return list(manifests.values())


def export(directory: Path, stacks: Iterable[str]) -> list[Path]:
    """Write each stack's Terraform plan and Kubernetes manifests into `directory`; returns the files."""
    from aidc.estate.offline import run_stack

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stack in stacks:
        resources = run_stack(stack).resources
        plan = terraform_plan(resources)
        if plan["planned_values"]["root_module"]["resources"]:
            path = directory / f"{stack}.tfplan.json"
            path.write_text(json.dumps(plan, indent=1, sort_keys=True), encoding="utf-8")
            written.append(path)
        objects = [o for r in resources if (o := kubernetes_object(r))] + k3s_manifests(resources)
        if objects:
            path = directory / f"{stack}.k8s.yaml"
            path.write_text(yaml.safe_dump_all(objects, sort_keys=True), encoding="utf-8")
            written.append(path)
    return written


def findings(results: Any) -> list[dict[str, str]]:
    """Failed checks in the scanner's JSON output (one report, or a list of them): id, name, resource, file."""
    reports = results if isinstance(results, list) else [results]
    return [
        {
            "check": str(check["check_id"]),
            "name": str(check.get("check_name", "")),
            "resource": str(check.get("resource", "")),
            "file": Path(str(check.get("file_path", ""))).name,
        }
        for report in reports
        if isinstance(report, Mapping)
        for check in (report.get("results") or {}).get("failed_checks") or []
    ]


def load_suppressions(path: Path) -> list[dict[str, Any]]:
    """The reviewed suppressions: each `check`, the `resources` it covers (glob patterns on "<file>:<resource>"), and
    a written `reason`; one without a reason is refused."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for index, entry in enumerate(entries):
        if not str(entry.get("reason", "")).strip() or not entry.get("check") or not entry.get("resources"):
            raise ValueError(f"{path}: suppression [{index}] needs check, resources and a written reason")
    return list(entries)


def judge(
    found: Sequence[Mapping[str, str]], suppressions: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """(findings no suppression explains, suppressions that explain nothing)."""
    used: set[int] = set()
    unexplained: list[str] = []
    for finding in found:
        target = f"{finding['file']}:{finding['resource']}"
        matches = [
            i
            for i, s in enumerate(suppressions)
            if s["check"] == finding["check"] and any(fnmatch.fnmatchcase(target, p) for p in s["resources"])
        ]
        used |= set(matches)
        if not matches:
            unexplained.append(f"{finding['check']} {target}: {finding['name']}")
    stale = [f"{s['check']} {s['resources']}" for i, s in enumerate(suppressions) if i not in used]
    return sorted(set(unexplained)), stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aidc.scan", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    out = sub.add_parser("export", help="write every shipped stack's plan and manifests into DIR")
    out.add_argument("directory", type=Path)
    verdict = sub.add_parser("judge", help="compare the scanner's JSON findings with the suppressions")
    verdict.add_argument("results", type=Path)
    verdict.add_argument("--suppressions", type=Path, default=Path("scripts/scan-suppressions.yaml"))
    args = parser.parse_args(argv)
    if args.command == "export":
        from aidc.config.load import STACKS_DIR

        stacks = sorted(
            p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml")
        )
        for path in export(args.directory, stacks):
            sys.stdout.write(f"{path}\n")
        return 0
    found = findings(json.loads(args.results.read_text(encoding="utf-8")))
    unexplained, stale = judge(found, load_suppressions(args.suppressions))
    for line in unexplained:
        sys.stderr.write(f"scan: new finding: {line}\n")
    for line in stale:
        sys.stderr.write(f"scan: suppression explains nothing (remove it): {line}\n")
    sys.stdout.write(
        f"scan: {len(found)} findings, {len(found) - len(unexplained)} suppressed with a reason, {len(unexplained)} new\n"
    )
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
