"""Google Cloud rules: the GKE cluster (private nodes, a private control-plane endpoint, authorized networks that are
not the internet, Kubernetes Secrets encrypted with a Cloud KMS key, Workload Identity, Shielded Nodes), its node
pools (GKE_METADATA, not the Compute Engine default service account, boot disks encrypted with a Cloud KMS key,
Shielded VM options), Cloud Storage buckets (CMEK, public access prevention, uniform bucket-level access), Cloud KMS
key rotation, and Cloud VPN tunnels (IKEv2, the shared secret a secret).

Props are the engine's camelCase input names of pulumi-gcp 10 (`gcp:container/cluster:Cluster`
`privateClusterConfig.enablePrivateNodes`, `gcp:container/nodePool:NodePool` `nodeConfig.serviceAccount`,
`gcp:storage/bucket:Bucket` `publicAccessPrevention` ...; read from the installed SDK's `@pulumi.getter` names). A
node configuration lives in four places, and each rule about nodes reads all that apply: a NodePool resource's
`nodeConfig`, each of a Cluster's inline `nodePools[].nodeConfig`, the Cluster's own `nodeConfig` (its default
pool, unless `removeDefaultNodePool`), and `clusterAutoscaling.autoProvisioningDefaults` (the pools node
auto-provisioning creates, when it is enabled). Each rule is a module-level policy object that policies/__init__.py
registers when "gcp" is a registered public cloud; nothing here builds a PolicyPack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies._common import (
    MANDATORY,
    as_list,
    broad_sources,
    config_of,
    get,
    is_mapping,
    is_secret_value,
    schema,
    truthy,
)

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
BUCKET = "gcp:storage/bucket:Bucket"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
VPN_TUNNEL = "gcp:compute/vPNTunnel:VPNTunnel"

# The Compute Engine default service account is <project number>-compute@developer.gserviceaccount.com
# (cloud.google.com/compute/docs/access/service-accounts#default_service_account); GKE takes "default" for it too,
# and a node pool that names none runs as it.
DEFAULT_COMPUTE_SA = re.compile(r"[0-9]+-compute@developer\.gserviceaccount\.com", re.ASCII)
# Workload Identity pools are "<project id>.svc.id.goog" (cloud.google.com/kubernetes-engine/docs/how-to/
# workload-identity).
WORKLOAD_POOL = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]\.svc\.id\.goog", re.ASCII)
# Cloud KMS rotation periods are "a decimal number with up to 9 fractional digits, followed by the letter s"
# (pulumi_gcp kms.CryptoKey rotation_period).
ROTATION_PERIOD = re.compile(r"([0-9]+(?:\.[0-9]{1,9})?)s", re.ASCII)
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class NodeConfig:
    """One place a GKE node configuration is declared."""

    where: str  # for messages: "node pool gpu-a3", "cluster gcp (default node pool)"
    config: Any  # the nodeConfig (or autoProvisioningDefaults) mapping; {} when absent
    auto_provisioning: bool = False  # autoProvisioningDefaults: no workloadMetadataConfig of its own


def node_configs(args: ResourceValidationArgs) -> Iterator[NodeConfig]:
    """Every node configuration a NodePool or Cluster declares (module docstring)."""
    if args.resource_type == NODE_POOL:
        yield NodeConfig(f"node pool {args.name}", get(args.props, "nodeConfig", default={}))
        return
    if args.resource_type != CLUSTER or truthy(get(args.props, "enableAutopilot", default=False)):
        return  # Autopilot manages its nodes (and enforces these settings itself)
    if not truthy(get(args.props, "removeDefaultNodePool", default=False)) and not as_list(
        get(args.props, "nodePools")
    ):
        yield NodeConfig(
            f"cluster {args.name} (default node pool)", get(args.props, "nodeConfig", default={})
        )
    for index, pool in enumerate(as_list(get(args.props, "nodePools"))):
        name = get(pool, "name", default=get(pool, "namePrefix", default=f"nodePools[{index}]"))
        yield NodeConfig(f"cluster {args.name} node pool {name}", get(pool, "nodeConfig", default={}))
    autoscaling = get(args.props, "clusterAutoscaling", default={})
    if truthy(get(autoscaling, "enabled", default=False)):
        yield NodeConfig(
            f"cluster {args.name} (node auto-provisioning defaults)",
            get(autoscaling, "autoProvisioningDefaults", default={}),
            auto_provisioning=True,
        )


def _standard_cluster(args: ResourceValidationArgs) -> bool:
    """A Cluster whose nodes the program configures (Autopilot turns Workload Identity and Shielded Nodes on
    itself and takes no node settings)."""
    return args.resource_type == CLUSTER and not truthy(get(args.props, "enableAutopilot", default=False))


# --- The cluster: private nodes, the control plane's endpoints -------------------------------------------------


def _validate_private_nodes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == CLUSTER:
        if not truthy(get(args.props, "privateClusterConfig", "enablePrivateNodes", default=False)):
            report(
                f"GKE cluster {args.name} gives its nodes public IP addresses: set private_cluster_config="
                "{enable_private_nodes: True, master_ipv4_cidr_block: <a /28>} (egress through Cloud NAT).",
                None,
            )
        inline = as_list(get(args.props, "nodePools"))
        pools = [(get(pool, "name", default=f"nodePools[{i}]"), pool) for i, pool in enumerate(inline)]
    elif args.resource_type == NODE_POOL:
        pools = [(args.name, args.props)]
    else:
        return
    for name, pool in pools:
        # A node pool may override the cluster's setting with network_config.enable_private_nodes=False.
        if get(pool, "networkConfig", "enablePrivateNodes") is False:
            report(
                f"GKE node pool {name} turns private nodes off (network_config.enable_private_nodes=False): "
                "remove the override so its nodes have internal addresses only.",
                None,
            )


gcp_gke_private_nodes = ResourceValidationPolicy(
    name="gcp-gke-private-nodes",
    description="GKE clusters have private nodes, and no node pool turns them off.",
    enforcement_level=MANDATORY,
    validate=_validate_private_nodes,
)


def _validate_private_endpoint(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CLUSTER:
        return
    if not truthy(get(args.props, "privateClusterConfig", "enablePrivateEndpoint", default=False)):
        report(
            f"GKE cluster {args.name} keeps a public control-plane endpoint: set private_cluster_config."
            "enable_private_endpoint=True and reach the API over the interconnect (from the private cloud or the "
            "deploy network).",
            None,
        )
    dns = get(args.props, "controlPlaneEndpointsConfig", "dnsEndpointConfig", default={})
    if truthy(get(dns, "allowExternalTraffic", default=False)):
        report(
            f"GKE cluster {args.name} lets any network reach its control plane's DNS endpoint "
            "(control_plane_endpoints_config.dns_endpoint_config.allow_external_traffic=True): set it to False.",
            None,
        )


gcp_gke_private_endpoint = ResourceValidationPolicy(
    name="gcp-gke-private-endpoint",
    description="GKE control planes are reached through their private endpoint only (no public IP or external "
    "DNS endpoint).",
    enforcement_level=MANDATORY,
    validate=_validate_private_endpoint,
)


def _validate_authorized_networks(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CLUSTER:
        return
    public_endpoint = not truthy(
        get(args.props, "privateClusterConfig", "enablePrivateEndpoint", default=False)
    )
    config = get(args.props, "masterAuthorizedNetworksConfig")
    cidrs = [get(block, "cidrBlock") for block in as_list(get(config, "cidrBlocks"))]
    fix = (
        "list only the private cloud's and the deploy network's CIDRs in master_authorized_networks_config."
        "cidr_blocks (aidc:gcp.admin_cidrs)."
    )
    if config is None or not is_mapping(config):
        if public_endpoint:
            report(
                f"GKE cluster {args.name} has a public control-plane endpoint with no authorized networks, so "
                f"the whole internet (0.0.0.0/0) reaches its API: {fix}",
                None,
            )
        return
    if broad := broad_sources(cidrs):
        report(f"GKE cluster {args.name} authorizes {broad} to reach its control plane: {fix}", None)
    gcp_public = get(config, "gcpPublicCidrsAccessEnabled")
    if truthy(gcp_public) or (public_endpoint and gcp_public is None):
        report(
            f"GKE cluster {args.name} admits every Google Cloud public IP address (any customer's VMs) to its "
            "control plane: set master_authorized_networks_config.gcp_public_cidrs_access_enabled=False.",
            None,
        )


gcp_gke_authorized_networks = ResourceValidationPolicy(
    name="gcp-gke-authorized-networks",
    description="A GKE control plane admits named networks only: no 0.0.0.0/0, no union of authorized networks "
    "wider than a /8 (IPv6 /32), no Google Cloud public address ranges.",
    enforcement_level=MANDATORY,
    validate=_validate_authorized_networks,
)


# --- The cluster: Secrets, identity, Shielded Nodes -----------------------------------------------------------


def _validate_secrets_cmek(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CLUSTER:
        return
    encryption = get(args.props, "databaseEncryption", default={})
    if get(encryption, "state") != "ENCRYPTED" or not get(encryption, "keyName"):
        report(
            f"GKE cluster {args.name} does not encrypt Kubernetes Secrets with a Cloud KMS key (application-layer "
            "secrets encryption): set database_encryption={state: 'ENCRYPTED', key_name: <kms.CryptoKey id>}.",
            None,
        )


gcp_gke_secrets_cmek = ResourceValidationPolicy(
    name="gcp-gke-secrets-cmek",
    description="GKE clusters encrypt Kubernetes Secrets in etcd with a customer-managed Cloud KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_secrets_cmek,
)


def _validate_workload_identity(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _standard_cluster(args):
        pool = get(args.props, "workloadIdentityConfig", "workloadPool")
        if not isinstance(pool, str) or not WORKLOAD_POOL.fullmatch(pool):
            shown = "unset" if pool is None else repr(pool)
            report(
                f"GKE cluster {args.name} has no Workload Identity (workload_identity_config.workload_pool is "
                f"{shown}), so pods act as the node's service account: set workload_pool='<project>.svc.id.goog'.",
                None,
            )
    for node in node_configs(args):
        if node.auto_provisioning:
            continue  # auto-provisioned pools take GKE_METADATA from the cluster's Workload Identity
        mode = get(node.config, "workloadMetadataConfig", "mode")
        if mode != "GKE_METADATA":
            report(
                f"GKE {node.where} exposes the Compute Engine metadata server to pods (workload_metadata_config."
                f"mode is {'unset' if mode is None else repr(mode)}): set node_config.workload_metadata_config="
                "{mode: 'GKE_METADATA'}.",
                None,
            )


gcp_gke_workload_identity = ResourceValidationPolicy(
    name="gcp-gke-workload-identity",
    description="GKE clusters enable Workload Identity, and every node pool says GKE_METADATA itself.",
    enforcement_level=MANDATORY,
    validate=_validate_workload_identity,
)


def _validate_node_service_account(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for node in node_configs(args):
        account = get(node.config, "serviceAccount")
        if (
            account is None
            or account == "default"
            or (isinstance(account, str) and DEFAULT_COMPUTE_SA.fullmatch(account))
        ):
            shown = "none (the default)" if account is None else account
            report(
                f"GKE {node.where} runs as the Compute Engine default service account ({shown}), which holds "
                "Editor on the project by default: give it a dedicated least-privilege service account "
                "(roles/container.defaultNodeServiceAccount) in service_account.",
                None,
            )


gcp_gke_no_default_service_account = ResourceValidationPolicy(
    name="gcp-gke-no-default-service-account",
    description="GKE nodes run as a dedicated service account, never the Compute Engine default one.",
    enforcement_level=MANDATORY,
    validate=_validate_node_service_account,
)


def _validate_boot_disk_cmek(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for node in node_configs(args):
        if not get(node.config, "bootDiskKmsKey"):
            report(
                f"GKE {node.where} encrypts its boot disks with a Google-managed key: set boot_disk_kms_key to "
                "a Cloud KMS key (the Compute Engine service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter "
                "on it).",
                None,
            )


gcp_gke_boot_disk_cmek = ResourceValidationPolicy(
    name="gcp-gke-boot-disk-cmek",
    description="GKE node boot disks are encrypted with a customer-managed Cloud KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_boot_disk_cmek,
)

_SHIELDED_SCHEMA = schema(
    {
        "require-secure-boot": {
            "type": "boolean",
            "default": True,
            "description": "Node pools must also turn Secure Boot on (GKE's NVIDIA drivers are signed and load "
            "under it); integrity monitoring is always required.",
        }
    }
)


def _validate_shielded(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _standard_cluster(args) and get(args.props, "enableShieldedNodes") is False:
        report(
            f"GKE cluster {args.name} turns Shielded GKE Nodes off (enable_shielded_nodes=False), so a node's "
            "identity can be impersonated: set enable_shielded_nodes=True (the default).",
            None,
        )
    secure_boot = bool(config_of(args, _SHIELDED_SCHEMA)["require-secure-boot"])
    for node in node_configs(args):
        shielded = get(node.config, "shieldedInstanceConfig", default={})
        off = []
        if get(shielded, "enableIntegrityMonitoring") is False:  # GKE's default is on
            off.append("enable_integrity_monitoring")
        if secure_boot and not truthy(get(shielded, "enableSecureBoot", default=False)):  # default off
            off.append("enable_secure_boot")
        if off:
            report(
                f"GKE {node.where} leaves {' and '.join(off)} off: set shielded_instance_config="
                "{enable_secure_boot: True, enable_integrity_monitoring: True}.",
                None,
            )


gcp_gke_shielded_nodes = ResourceValidationPolicy(
    name="gcp-gke-shielded-nodes",
    description="GKE clusters keep Shielded GKE Nodes on, and node pools Secure Boot and integrity monitoring.",
    enforcement_level=MANDATORY,
    config_schema=_SHIELDED_SCHEMA,
    validate=_validate_shielded,
)


# --- Cloud Storage ----------------------------------------------------------------------------------------------


def _validate_bucket_cmek(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == BUCKET and not get(args.props, "encryption", "defaultKmsKeyName"):
        report(
            f"Cloud Storage bucket {args.name} encrypts with a Google-managed key: set encryption="
            "{default_kms_key_name: <kms.CryptoKey id>} (the Cloud Storage service agent needs "
            "roles/cloudkms.cryptoKeyEncrypterDecrypter on it).",
            None,
        )


gcp_storage_bucket_cmek = ResourceValidationPolicy(
    name="gcp-storage-bucket-cmek",
    description="Cloud Storage buckets encrypt objects by default with a customer-managed Cloud KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_bucket_cmek,
)


def _validate_bucket_public_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != BUCKET:
        return
    prevention = get(args.props, "publicAccessPrevention", default="inherited")
    if prevention != "enforced":
        report(
            f"Cloud Storage bucket {args.name} has public access prevention {prevention!r}, so an allUsers or "
            "allAuthenticatedUsers grant would publish it: set public_access_prevention='enforced'.",
            None,
        )


gcp_storage_public_access_prevention = ResourceValidationPolicy(
    name="gcp-storage-public-access-prevention",
    description="Cloud Storage buckets enforce public access prevention.",
    enforcement_level=MANDATORY,
    validate=_validate_bucket_public_access,
)


def _validate_bucket_uniform_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == BUCKET and not truthy(
        get(args.props, "uniformBucketLevelAccess", default=False)
    ):
        report(
            f"Cloud Storage bucket {args.name} still honours per-object ACLs, which IAM cannot see or audit: "
            "set uniform_bucket_level_access=True.",
            None,
        )


gcp_storage_uniform_access = ResourceValidationPolicy(
    name="gcp-storage-uniform-access",
    description="Cloud Storage buckets use uniform bucket-level access (IAM only, no object ACLs).",
    enforcement_level=MANDATORY,
    validate=_validate_bucket_uniform_access,
)


# --- Cloud KMS --------------------------------------------------------------------------------------------------

_ROTATION_SCHEMA = schema(
    {
        "max-rotation-days": {
            "type": "integer",
            "minimum": 1,
            "maximum": 3650,
            "default": 90,
            "description": "Longest rotation period a symmetric Cloud KMS key may have, in days (CIS Google Cloud "
            "Foundations Benchmark: 90).",
        }
    }
)


def rotation_days(period: Any) -> float | None:
    """A Cloud KMS rotation period ("7776000s") in days, or None when it is not one."""
    if not isinstance(period, str):
        return None
    match = ROTATION_PERIOD.fullmatch(period)
    return float(match.group(1)) / SECONDS_PER_DAY if match else None


def _validate_kms_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CRYPTO_KEY:
        return
    if get(args.props, "purpose", default="ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return  # Cloud KMS rotates symmetric encryption keys only
    limit = int(config_of(args, _ROTATION_SCHEMA)["max-rotation-days"])
    period = get(args.props, "rotationPeriod")
    days = rotation_days(period)
    if period is None:
        report(
            f"Cloud KMS key {args.name} never rotates: set rotation_period to at most {limit} days "
            f"('{limit * SECONDS_PER_DAY}s').",
            None,
        )
    elif days is None:
        report(f"Cloud KMS key {args.name}: rotation_period {period!r} is not '<seconds>s'.", None)
    elif days > limit:
        report(
            f"Cloud KMS key {args.name} rotates every {days:g} days: at most {limit} "
            f"(rotation_period='{limit * SECONDS_PER_DAY}s').",
            None,
        )


gcp_kms_key_rotation = ResourceValidationPolicy(
    name="gcp-kms-key-rotation",
    description="Symmetric Cloud KMS keys rotate automatically, at most every configured number of days (90).",
    enforcement_level=MANDATORY,
    config_schema=_ROTATION_SCHEMA,
    validate=_validate_kms_rotation,
)


# --- Cloud VPN ---------------------------------------------------------------------------------------------------


def _validate_vpn_ikev2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != VPN_TUNNEL:
        return
    version = get(args.props, "ikeVersion", default=2)  # the provider's default is 2
    try:
        number = int(float(version))
    except (TypeError, ValueError):
        number = 0
    if number != 2:
        report(
            f"Cloud VPN tunnel {args.name} negotiates IKEv{version}: set ike_version=2 (IKEv1 has no built-in "
            "protection against denial of service and weaker negotiation).",
            None,
        )


gcp_vpn_ikev2_only = ResourceValidationPolicy(
    name="gcp-vpn-ikev2-only",
    description="Cloud VPN tunnels negotiate IKEv2.",
    enforcement_level=MANDATORY,
    validate=_validate_vpn_ikev2,
)

_SECRET_PROPS = ("sharedSecret", "sharedSecretWo")


def _validate_vpn_secret(args: StackValidationArgs, report: ReportViolation) -> None:
    # As vpn-psk-from-secret (policies/vpn.py, whose docstring says why): under the real engine a policy sees
    # secrets unwrapped, so a value is accepted when marked secret (offline), when it depends on another resource
    # (a pulumi_random RandomPassword), or when it is unknown in preview.
    for resource in args.resources:
        if resource.resource_type != VPN_TUNNEL:
            continue
        for prop in _SECRET_PROPS:
            try:
                value = resource.props.get(prop)
            except UnknownValueError:
                continue
            if value is None or is_secret_value(value) or (resource.property_dependencies or {}).get(prop):
                continue
            report(
                f"{resource.name}: {prop} is a literal in the program, so it sits in source control and in plain "
                "text in the state: generate it with pulumi_random.RandomPassword (special=False, length >= 32) "
                "and pass its result, a Pulumi secret.",
                resource.urn,
            )


gcp_vpn_shared_secret_from_secret = StackValidationPolicy(
    name="gcp-vpn-shared-secret-from-secret",
    description="Cloud VPN shared secrets come from secrets (pulumi_random or Pulumi secrets), never literals.",
    enforcement_level=MANDATORY,
    validate=_validate_vpn_secret,
)


POLICIES = [
    gcp_gke_private_nodes,
    gcp_gke_private_endpoint,
    gcp_gke_authorized_networks,
    gcp_gke_secrets_cmek,
    gcp_gke_workload_identity,
    gcp_gke_no_default_service_account,
    gcp_gke_boot_disk_cmek,
    gcp_gke_shielded_nodes,
    gcp_storage_bucket_cmek,
    gcp_storage_public_access_prevention,
    gcp_storage_uniform_access,
    gcp_kms_key_rotation,
    gcp_vpn_ikev2_only,
    gcp_vpn_shared_secret_from_secret,
]
"""This module's rules, in the order the pack registers them."""
