"""AWS rules: S3 (joined from the bucket's separate pulumi_aws 7 settings resources, access logging included),
CloudTrail integrity, security-group ingress, IMDSv2, EBS/EKS encryption with a customer key, KMS rotation and
grants, the EKS endpoint, its logs and who may use its API, VPC flow logs, Transit Gateway auto-accept,
credentials in user data and Direct Connect MACsec (must_encrypt).

Props are the engine's camelCase input names (pulumi_aws 7). Each rule is a module-level policy object
imported by policies/__init__.py; nothing here builds a PolicyPack.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aidc.contract import ACCESS_LABEL, DEPLOY_ACCESS, DEPLOY_GROUP, EKS_ACCESS_ROLE_TAG
from policies._common import (
    ADMIN_PORTS_DEFAULT,
    ADVISORY,
    MANDATORY,
    as_list,
    broad_sources,
    config_of,
    get,
    is_mapping,
    is_secret_value,
    port_range_hits,
    references,
    resources_of,
    schema,
    truthy,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKET_TYPES = (BUCKET, BUCKET_V2)
SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
TRAIL = "aws:cloudtrail/trail:Trail"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
# Karpenter's EC2NodeClass: the launch templates Karpenter generates take their IMDS and EBS settings from it.
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
INSTANCE = "aws:ec2/instance:Instance"
EBS_VOLUME = "aws:ebs/volume:Volume"
KMS_KEY = "aws:kms/key:Key"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"

_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


# --- S3: a bucket's settings are separate resources; join them to their bucket ---------------------------


def _bucket_settings(args: StackValidationArgs, types: tuple[str, ...]) -> dict[str, list[Any]]:
    """For each bucket URN, the settings resources of `types` that point at it."""
    buckets = resources_of(args.resources, *BUCKET_TYPES)
    found: dict[str, list[Any]] = {b.urn: [] for b in buckets}
    for setting in resources_of(args.resources, *types):
        for bucket in buckets:
            if references(setting, "bucket", bucket, ("bucket", "id", "arn")):
                found[bucket.urn].append(setting)
    return found


def _legacy_inline(bucket: Any, key: str) -> Any:
    """pulumi_aws 6 BucketV2 / classic Bucket still accept the deprecated inline blocks."""
    return get(bucket.props, key)


def _validate_s3_encryption(args: StackValidationArgs, report: ReportViolation) -> None:
    settings = _bucket_settings(args, SSE)
    for bucket in resources_of(args.resources, *BUCKET_TYPES):
        configs = settings[bucket.urn]
        rules = [rule for c in configs for rule in as_list(get(c.props, "rules"))]
        rules += as_list(get(_legacy_inline(bucket, "serverSideEncryptionConfiguration"), "rule"))
        kms = [
            r
            for r in rules
            if get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm") in _KMS_ALGORITHMS
            and get(r, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
        ]
        if not kms:
            report(
                f"S3 bucket {bucket.name} has no default encryption with a customer KMS key: add an "
                "aws.s3.BucketServerSideEncryptionConfiguration for it with sse_algorithm 'aws:kms' and "
                "kms_master_key_id set to your aws.kms.Key's ARN (bucket_key_enabled=True keeps KMS costs down).",
                bucket.urn,
            )
    for config in resources_of(args.resources, *SSE):
        for rule in as_list(get(config.props, "rules")):
            algorithm = get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
            if algorithm not in _KMS_ALGORITHMS:
                report(
                    f"{config.name} encrypts with {algorithm!r}: use sse_algorithm 'aws:kms' with "
                    "kms_master_key_id set to a customer-managed key.",
                    config.urn,
                )


def _validate_s3_versioning(args: StackValidationArgs, report: ReportViolation) -> None:
    settings = _bucket_settings(args, VERSIONING)
    for bucket in resources_of(args.resources, *BUCKET_TYPES):
        statuses = [get(v.props, "versioningConfiguration", "status") for v in settings[bucket.urn]]
        if truthy(get(_legacy_inline(bucket, "versioning"), "enabled")):
            statuses.append("Enabled")
        if "Enabled" not in statuses:
            report(
                f"S3 bucket {bucket.name} is not versioned, so an overwrite or delete loses data: add an "
                "aws.s3.BucketVersioning for it with versioning_configuration status 'Enabled'.",
                bucket.urn,
            )


def _validate_s3_public_access(args: StackValidationArgs, report: ReportViolation) -> None:
    settings = _bucket_settings(args, PUBLIC_ACCESS_BLOCK)
    for bucket in resources_of(args.resources, *BUCKET_TYPES):
        blocks = settings[bucket.urn]
        if not any(all(truthy(get(b.props, f)) for f in _PUBLIC_ACCESS_FLAGS) for b in blocks):
            report(
                f"S3 bucket {bucket.name} does not block public access: add an aws.s3.BucketPublicAccessBlock "
                "for it with block_public_acls, block_public_policy, ignore_public_acls and "
                "restrict_public_buckets all True.",
                bucket.urn,
            )
    for block in resources_of(args.resources, *PUBLIC_ACCESS_BLOCK):
        off = [f for f in _PUBLIC_ACCESS_FLAGS if not truthy(get(block.props, f))]
        if off:
            report(f"{block.name} leaves {', '.join(off)} off: set all four flags to True.", block.urn)


def _receives_logs(bucket: Any, loggings: list[Any], trails: list[Any]) -> bool:
    """Is the bucket where access logs or a trail's files are written? (Logging its own access would loop.)"""
    return any(references(log, "targetBucket", bucket, ("bucket", "id")) for log in loggings) or any(
        references(trail, "s3BucketName", bucket, ("bucket", "id")) for trail in trails
    )


def _validate_s3_access_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    loggings = resources_of(args.resources, *LOGGING)
    trails = resources_of(args.resources, TRAIL)
    settings = _bucket_settings(args, LOGGING)
    for bucket in resources_of(args.resources, *BUCKET_TYPES):
        if _receives_logs(bucket, loggings, trails):
            continue
        logged = [log for log in settings[bucket.urn] if get(log.props, "targetBucket")]
        if not logged and not get(_legacy_inline(bucket, "logging"), "targetBucket"):
            report(
                f"S3 bucket {bucket.name} has no server access logging, so nobody can tell who read or wrote "
                "its objects: add an aws.s3.BucketLogging for it with target_bucket set to a log bucket "
                "(KMS-encrypted, public access blocked, versioned; AwsGpuCluster declares one).",
                bucket.urn,
            )


aws_s3_bucket_kms_encryption = StackValidationPolicy(
    name="aws-s3-bucket-kms-encryption",
    description="Every S3 bucket is encrypted by default with a customer-managed KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_s3_encryption,
)

aws_s3_bucket_versioning = StackValidationPolicy(
    name="aws-s3-bucket-versioning",
    description="Every S3 bucket has versioning enabled.",
    enforcement_level=MANDATORY,
    validate=_validate_s3_versioning,
)

aws_s3_bucket_public_access_blocked = StackValidationPolicy(
    name="aws-s3-bucket-public-access-blocked",
    description="Every S3 bucket has a public access block with all four flags on.",
    enforcement_level=MANDATORY,
    validate=_validate_s3_public_access,
)

aws_s3_bucket_access_logging = StackValidationPolicy(
    name="aws-s3-bucket-access-logging",
    description="Every S3 bucket that is not itself a log destination has server access logging.",
    enforcement_level=MANDATORY,
    validate=_validate_s3_access_logging,
)


# --- CloudTrail ---------------------------------------------------------------------------------------------


def _validate_trail(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != TRAIL:
        return
    missing = []
    if not truthy(get(args.props, "isMultiRegionTrail", default=False)):
        missing.append(
            "is_multi_region_trail=True (a single-region trail misses calls made in other regions)"
        )
    if not truthy(get(args.props, "enableLogFileValidation", default=False)):
        missing.append(
            "enable_log_file_validation=True (without digest files nobody can prove a log file was not changed "
            "or deleted)"
        )
    if not get(args.props, "kmsKeyId"):
        missing.append("kms_key_id set to a customer-managed key (the files are SSE-S3 otherwise)")
    if missing:
        report(f"CloudTrail trail {args.name} needs " + "; ".join(missing) + ".", None)


aws_cloudtrail_integrity = ResourceValidationPolicy(
    name="aws-cloudtrail-integrity",
    description="CloudTrail trails cover every region, validate their log files and encrypt them with a KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_trail,
)


# --- Security groups --------------------------------------------------------------------------------------

_INGRESS_SCHEMA = schema(
    {
        "admin-ports": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "default": ADMIN_PORTS_DEFAULT,
            "description": "Ports that must never be reachable from the internet: 0.0.0.0/0, ::/0, or any set "
            "of sources whose union is wider than a /8 (IPv4) or /32 (IPv6).",
        }
    }
)


def _ports_admitted(rule: Any, admin_ports: list[int]) -> tuple[str, list[int]] | None:
    """('all ports' | 'admin port(s) …', the admin ports hit) for an ingress rule, or None if it admits none."""
    protocol = str(get(rule, "protocol", default=get(rule, "ipProtocol", default=""))).lower()
    if protocol in ("-1", "all"):
        return "all ports and protocols", list(admin_ports)
    low, high = get(rule, "fromPort"), get(rule, "toPort")
    hits = port_range_hits(low, high, admin_ports)
    lo = 0 if low is None else int(float(low))
    hi = 65535 if high is None else int(float(high))
    if lo <= 0 and hi >= 65535:
        return "all ports", list(admin_ports)
    if hits:
        return f"admin port(s) {', '.join(map(str, hits))}", hits
    return None


def _sources(rule: Any, cidr_keys: tuple[str, ...]) -> list[Any]:
    return [c for key in cidr_keys for c in as_list(get(rule, key))]


def _open_ingress(rule: Any, cidr_keys: tuple[str, ...], admin_ports: list[int]) -> str | None:
    """Why this ingress rule is unsafe, or None: it admits admin ports (or all) from too broad a union."""
    broad = broad_sources(_sources(rule, cidr_keys))
    admitted = _ports_admitted(rule, admin_ports) if broad else None
    return f"{admitted[0]} from {broad}" if broad and admitted else None


def _union_per_port(
    rules: list[Any], cidr_keys: tuple[str, ...], admin_ports: list[int]
) -> dict[int, list[Any]]:
    """Admin port -> every source any of `rules` admits to it."""
    by_port: dict[int, list[Any]] = {}
    for rule in rules:
        admitted = _ports_admitted(rule, admin_ports)
        for port in admitted[1] if admitted else []:
            by_port.setdefault(port, []).extend(_sources(rule, cidr_keys))
    return by_port


def _validate_no_open_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    admin_ports = [int(p) for p in config_of(args, _INGRESS_SCHEMA)["admin-ports"]]
    fix = (
        "restrict the source to your admin CIDRs (a VPN or bastion range), or reach the host through "
        "SSM Session Manager / the private EKS endpoint."
    )
    if args.resource_type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        rules = as_list(get(args.props, "ingress"))
        reported = False
        for rule in rules:
            why = _open_ingress(rule, ("cidrBlocks", "ipv6CidrBlocks"), admin_ports)
            if why:
                report(f"{args.name} allows ingress to {why}: {fix}", None)
                reported = True
        # Several narrow-looking rules can open a port to the world together.
        by_port = _union_per_port(rules, ("cidrBlocks", "ipv6CidrBlocks"), admin_ports)
        for port, sources in sorted(by_port.items()):
            if not reported and (broad := broad_sources(sources)):
                report(f"{args.name}'s ingress rules together admit port {port} from {broad}: {fix}", None)
    elif args.resource_type == SECURITY_GROUP_RULE:
        if get(args.props, "type") == "ingress":
            why = _open_ingress(args.props, ("cidrBlocks", "ipv6CidrBlocks"), admin_ports)
            if why:
                report(f"{args.name} allows ingress to {why}: {fix}", None)
    elif args.resource_type == INGRESS_RULE:
        why = _open_ingress(args.props, ("cidrIpv4", "cidrIpv6"), admin_ports)
        if why:
            report(f"{args.name} allows ingress to {why}: {fix}", None)


aws_no_open_ingress = ResourceValidationPolicy(
    name="aws-no-open-ingress",
    description="No security group admits the internet (a union of sources wider than a /8 or IPv6 /32) to an "
    "admin port or to all ports.",
    enforcement_level=MANDATORY,
    config_schema=_INGRESS_SCHEMA,
    validate=_validate_no_open_ingress,
)


def _group_of(resource: Any) -> str:
    """The security group a rule resource belongs to: its securityGroupId when known (offline, and in `up`),
    else its parent component (in preview, before ids exist)."""
    group = get(resource.props, "securityGroupId")
    if isinstance(group, str) and group:
        return group
    return resource.parent.urn if resource.parent is not None else resource.urn


def _validate_ingress_union(args: StackValidationArgs, report: ReportViolation) -> None:
    admin_ports = [int(p) for p in config_of(args, _INGRESS_SCHEMA)["admin-ports"]]
    rules: dict[str, list[tuple[Any, tuple[str, ...]]]] = {}
    for resource in resources_of(args.resources, SECURITY_GROUP_RULE, INGRESS_RULE):
        if resource.resource_type == SECURITY_GROUP_RULE and get(resource.props, "type") != "ingress":
            continue
        keys: tuple[str, ...] = ("cidrIpv4", "cidrIpv6")
        if resource.resource_type == SECURITY_GROUP_RULE:
            keys = ("cidrBlocks", "ipv6CidrBlocks")
        rules.setdefault(_group_of(resource), []).append((resource, keys))
    for group, members in sorted(rules.items()):
        if len(members) < 2:
            continue  # one rule alone is aws-no-open-ingress's to judge
        by_port: dict[int, list[Any]] = {}
        names: dict[int, list[str]] = {}
        for resource, cidr_keys in members:
            for port, sources in _union_per_port([resource.props], cidr_keys, admin_ports).items():
                by_port.setdefault(port, []).extend(sources)
                names.setdefault(port, []).append(resource.name)
        for port, sources in sorted(by_port.items()):
            if len(names[port]) > 1 and (broad := broad_sources(sources)):
                report(
                    f"security group {group}: rules {', '.join(names[port])} together admit port {port} from "
                    f"{broad}: restrict the sources to your admin CIDRs.",
                    None,
                )
                break


aws_admin_ingress_union = StackValidationPolicy(
    name="aws-admin-ingress-union",
    description="The ingress rules of one security group do not together admit the internet to an admin port.",
    enforcement_level=MANDATORY,
    config_schema=_INGRESS_SCHEMA,
    validate=_validate_ingress_union,
)


# --- Instances: IMDSv2, EBS encryption, user data ---------------------------------------------------------

_IMDS_SCHEMA = schema(
    {
        "max-hop-limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": 64,
            "default": 2,
            "description": "Largest http_put_response_hop_limit allowed (2 lets containers reach IMDSv2).",
        }
    }
)


def _validate_imdsv2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (LAUNCH_TEMPLATE, INSTANCE, NODE_CLASS):
        return
    if args.resource_type == NODE_CLASS:
        # Omitted, Karpenter applies httpTokens required and hop limit 1; given, it must say so itself.
        options = get(args.props, "spec", "metadataOptions", default={})
        if not options:
            return
    else:
        options = get(args.props, "metadataOptions", default={})
    if get(options, "httpEndpoint") == "disabled":
        return
    if get(options, "httpTokens") != "required":
        report(
            f"{args.name} allows IMDSv1 (metadata_options.http_tokens is "
            f"{get(options, 'httpTokens', default='unset')!r}): set metadata_options http_tokens='required'.",
            None,
        )
    hop_limit = get(options, "httpPutResponseHopLimit")
    max_hops = int(config_of(args, _IMDS_SCHEMA)["max-hop-limit"])
    if hop_limit is not None and int(float(hop_limit)) > max_hops:
        report(
            f"{args.name} sets http_put_response_hop_limit {int(float(hop_limit))}: at most {max_hops}, so "
            "a pod cannot relay instance credentials further.",
            None,
        )


aws_imdsv2_required = ResourceValidationPolicy(
    name="aws-imdsv2-required",
    description="Launch templates, instances and Karpenter EC2NodeClasses require IMDSv2 session tokens.",
    enforcement_level=MANDATORY,
    config_schema=_IMDS_SCHEMA,
    validate=_validate_imdsv2,
)


def _ebs_problem(ebs: Any) -> str | None:
    if not truthy(get(ebs, "encrypted")):
        return "is not encrypted"
    # EC2NodeClass spells the key kmsKeyID; the AWS provider kmsKeyId.
    if not (get(ebs, "kmsKeyId") or get(ebs, "kmsKeyID")):
        return "is encrypted with the AWS-managed key, not a customer key"
    return None


def _validate_ebs_cmk(args: ResourceValidationArgs, report: ReportViolation) -> None:
    fix = "set encrypted=True and kms_key_id to your aws.kms.Key's ARN."
    if args.resource_type == LAUNCH_TEMPLATE:
        for mapping in as_list(get(args.props, "blockDeviceMappings")):
            ebs = get(mapping, "ebs")
            if ebs is None:
                continue
            problem = _ebs_problem(ebs)
            if problem:
                device = get(mapping, "deviceName", default="?")
                report(f"{args.name}: EBS volume {device} {problem}: {fix}", None)
    elif args.resource_type == INSTANCE:
        for key in ("rootBlockDevice",):
            device = get(args.props, key)
            if device is not None and (problem := _ebs_problem(device)):
                report(f"{args.name}: root volume {problem}: {fix}", None)
        for device in as_list(get(args.props, "ebsBlockDevices")):
            if problem := _ebs_problem(device):
                report(
                    f"{args.name}: EBS volume {get(device, 'deviceName', default='?')} {problem}: {fix}", None
                )
    elif args.resource_type == NODE_CLASS:
        mappings = as_list(get(args.props, "spec", "blockDeviceMappings"))
        if not mappings:
            report(
                f"{args.name}: no blockDeviceMappings, so Karpenter's default root volume uses the AWS-managed "
                "key: declare /dev/xvda with encrypted=true and kmsKeyID.",
                None,
            )
        for mapping in mappings:
            problem = _ebs_problem(get(mapping, "ebs", default={}))
            if problem:
                report(
                    f"{args.name}: EBS volume {get(mapping, 'deviceName', default='?')} {problem}: {fix}",
                    None,
                )
    elif args.resource_type == EBS_VOLUME and (problem := _ebs_problem(args.props)):
        report(f"{args.name} {problem}: {fix}", None)


aws_ebs_encrypted_cmk = ResourceValidationPolicy(
    name="aws-ebs-encrypted-cmk",
    description="EBS volumes (launch templates, instances, volumes, Karpenter EC2NodeClasses) are encrypted with a "
    "customer KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_ebs_cmk,
)


def _validate_kms_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KMS_KEY:
        return
    spec = get(
        args.props, "customerMasterKeySpec", default=get(args.props, "keySpec", default="SYMMETRIC_DEFAULT")
    )
    if spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric encryption keys automatically
    if not truthy(get(args.props, "enableKeyRotation")):
        report(f"KMS key {args.name} does not rotate: set enable_key_rotation=True.", None)


aws_kms_key_rotation = ResourceValidationPolicy(
    name="aws-kms-key-rotation",
    description="Customer-managed symmetric KMS keys have automatic rotation on.",
    enforcement_level=ADVISORY,
    validate=_validate_kms_rotation,
)

_ACCOUNT_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")


def _matches(action: Any, wanted: str) -> bool:
    """Does an IAM action pattern (wildcards, any case) cover `wanted`?"""
    return isinstance(action, str) and fnmatch.fnmatchcase(wanted.lower(), action.lower())


def _grants_action(statement: Any, wanted: str) -> bool:
    if get(statement, "Effect") != "Allow":
        return False
    if get(statement, "NotAction") is not None:
        return not any(_matches(a, wanted) for a in as_list(get(statement, "NotAction")))
    return any(_matches(a, wanted) for a in as_list(get(statement, "Action")))


def _principals(statement: Any) -> list[str]:
    principal = get(statement, "Principal")
    if isinstance(principal, str):
        return [principal]
    if is_mapping(principal):
        return [str(p) for values in principal.values() for p in as_list(values)]
    return ["*"] if get(statement, "NotPrincipal") is not None else []


def _grant_for_aws_resource_only(statement: Any) -> bool:
    for operator, keys in (get(statement, "Condition") or {}).items():
        if str(operator).lower() != "bool" or not is_mapping(keys):
            continue  # BoolIfExists would also allow a request that carries no such key
        for key, value in keys.items():
            if str(key).lower() == "kms:grantisforawsresource" and [
                str(v).lower() for v in as_list(value)
            ] == ["true"]:
                return True
    return False


def _policy_document(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value if is_mapping(value) else None


def _validate_kms_grants(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (KMS_KEY, KMS_KEY_POLICY):
        return
    document = _policy_document(get(args.props, "policy"))
    if document is None:
        return  # no policy (the default key policy: account root only) or not known yet
    for index, statement in enumerate(as_list(get(document, "Statement"))):
        if not _grants_action(statement, "kms:CreateGrant"):
            continue
        # The account root statement delegates to IAM; IAM policies decide who of the account may grant.
        others = [p for p in _principals(statement) if not _ACCOUNT_ROOT.match(p)]
        if others and not _grant_for_aws_resource_only(statement):
            label = get(statement, "Sid", default=f"Statement[{index}]")
            report(
                f"KMS key policy of {args.name}: {label} lets {', '.join(others)} call kms:CreateGrant without "
                'the condition {"Bool": {"kms:GrantIsForAWSResource": "true"}}, so it can hand use of the key to '
                "any principal: move kms:CreateGrant into its own statement with that condition (the EBS "
                "key-policy statements AWS documents for service-linked roles).",
                None,
            )


aws_kms_grant_for_aws_resource = ResourceValidationPolicy(
    name="aws-kms-grant-for-aws-resource",
    description="A KMS key policy lets a principal other than the account create grants only for AWS resources.",
    enforcement_level=MANDATORY,
    validate=_validate_kms_grants,
)

_CREDENTIAL_PATTERNS = (
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"aws_secret_access_key|AWS_SECRET_ACCESS_KEY"), "an AWS secret access key"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"(?i)(password|passwd)\s*[=:]\s*\S+"), "a password"),
)


def _decoded(user_data: str) -> str:
    """User data as text: pulumi_aws launch templates take it base64-encoded; instances take either."""
    try:
        text = base64.b64decode(user_data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return user_data
    return text


def _validate_user_data(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (LAUNCH_TEMPLATE, INSTANCE):
        return
    for key in ("userData", "userDataBase64"):
        user_data = get(args.props, key)
        if not isinstance(user_data, str) or is_secret_value(user_data):
            continue
        text = _decoded(user_data)
        found = [what for pattern, what in _CREDENTIAL_PATTERNS if pattern.search(text)]
        if found:
            report(
                f"{args.name}: user data contains {', '.join(found)}, readable by anyone who can describe "
                "the instance: give the instance an IAM role (instance profile) and fetch secrets at boot "
                "from Secrets Manager or SSM Parameter Store.",
                None,
            )


aws_no_credentials_in_user_data = ResourceValidationPolicy(
    name="aws-no-credentials-in-user-data",
    description="EC2 user data carries no access keys, private keys or passwords.",
    enforcement_level=MANDATORY,
    validate=_validate_user_data,
)


# --- EKS ----------------------------------------------------------------------------------------------------


def _validate_eks_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != EKS_CLUSTER:
        return
    config = get(args.props, "encryptionConfig", default={})
    if "secrets" not in as_list(get(config, "resources")) or not get(config, "provider", "keyArn"):
        report(
            f"EKS cluster {args.name} does not envelope-encrypt Kubernetes Secrets with a customer key: set "
            "encryption_config={resources: ['secrets'], provider: {key_arn: <aws.kms.Key arn>}}.",
            None,
        )


aws_eks_secrets_encryption = ResourceValidationPolicy(
    name="aws-eks-secrets-encryption",
    description="EKS clusters encrypt Kubernetes Secrets with a customer KMS key.",
    enforcement_level=MANDATORY,
    validate=_validate_eks_secrets,
)


def _validate_eks_endpoint(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != EKS_CLUSTER:
        return
    vpc_config = get(args.props, "vpcConfig", default={})
    # AWS makes the endpoint public when endpointPublicAccess is not given.
    public = truthy(get(vpc_config, "endpointPublicAccess", default=True))
    if not public:
        return
    cidrs = [str(c) for c in as_list(get(vpc_config, "publicAccessCidrs"))]
    broad = broad_sources(cidrs) if cidrs else "0.0.0.0/0 (no publicAccessCidrs)"
    if broad:
        report(
            f"EKS cluster {args.name} exposes its API endpoint to the internet ({broad}): set "
            "vpc_config.endpoint_public_access=False (reach it over the VPN), or list your admin CIDRs in "
            "vpc_config.public_access_cidrs (aidc:aws.public_access_cidrs).",
            None,
        )


aws_eks_endpoint_restricted = ResourceValidationPolicy(
    name="aws-eks-endpoint-restricted",
    description="The EKS API endpoint is private, or public only to listed CIDRs.",
    enforcement_level=MANDATORY,
    validate=_validate_eks_endpoint,
)

_EKS_LOGS_SCHEMA = schema(
    {
        "required-log-types": {
            "type": "array",
            "items": {
                "type": "string",
                "enum": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            },
            "default": ["api", "audit", "authenticator"],
            "description": "Control-plane log types every EKS cluster must send to CloudWatch.",
        }
    }
)


def _validate_eks_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != EKS_CLUSTER:
        return
    required = list(config_of(args, _EKS_LOGS_SCHEMA)["required-log-types"])
    enabled = set(as_list(get(args.props, "enabledClusterLogTypes")))
    missing = [t for t in required if t not in enabled]
    if missing:
        report(
            f"EKS cluster {args.name} does not log {', '.join(missing)}: add them to "
            "enabled_cluster_log_types.",
            None,
        )


aws_eks_control_plane_logging = ResourceValidationPolicy(
    name="aws-eks-control-plane-logging",
    description="EKS clusters send their control-plane logs (at least api, audit, authenticator) to CloudWatch.",
    enforcement_level=ADVISORY,
    config_schema=_EKS_LOGS_SCHEMA,
    validate=_validate_eks_logs,
)


def _validate_eks_bootstrap_admin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != EKS_CLUSTER:
        return
    # EKS grants the creator cluster-admin unless access_config says otherwise (the API's default is true).
    bootstrap = get(args.props, "accessConfig", "bootstrapClusterCreatorAdminPermissions", default=True)
    if truthy(bootstrap):
        report(
            f"EKS cluster {args.name} gives whoever creates it a standing cluster-admin access entry: set "
            "access_config.bootstrap_cluster_creator_admin_permissions=False and grant named roles with "
            "aws.eks.AccessEntry + AccessPolicyAssociation (aidc:aws.access.deploy_role_arn / admin_role_arn).",
            None,
        )


aws_eks_no_bootstrap_admin = ResourceValidationPolicy(
    name="aws-eks-no-bootstrap-admin",
    description="EKS clusters give their creator no bootstrap cluster-admin; access goes to named roles.",
    enforcement_level=MANDATORY,
    validate=_validate_eks_bootstrap_admin,
)


ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
K8S_RBAC_ROLES = (
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
)
K8S_RBAC_BINDINGS = (
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
)
# Kubernetes's built-in roles that hold everything or nearly (cluster-admin; admin and edit: every namespaced kind).
BROAD_ROLES = ("cluster-admin", "admin", "edit")
PRIVILEGE_VERBS = ("escalate", "bind", "impersonate")


def _is_deploy_object(resource: Any) -> bool:
    return get(resource.props, "metadata", "labels", ACCESS_LABEL) == DEPLOY_ACCESS


def _deploy_rule_problems(role: Any) -> list[str]:
    problems: list[str] = []
    for rule in as_list(get(role.props, "rules")):
        for key in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"):
            if any(isinstance(v, str) and v.endswith("*") for v in as_list(get(rule, key))):
                problems.append(f"a wildcard in {key}")
        problems += [f"the {verb} verb" for verb in PRIVILEGE_VERBS if verb in as_list(get(rule, "verbs"))]
    return problems


def _deploy_principals(args: StackValidationArgs) -> list[tuple[Any, Any]]:
    return [
        (entry, get(entry.props, "principalArn"))
        for entry in resources_of(args.resources, ACCESS_ENTRY)
        if get(entry.props, "tags", EKS_ACCESS_ROLE_TAG) == DEPLOY_ACCESS
    ]


def _validate_deploy_least_privilege(args: StackValidationArgs, report: ReportViolation) -> None:
    for entry, principal in _deploy_principals(args):
        if "system:masters" in as_list(get(entry.props, "kubernetesGroups")):
            report(
                f"deploy access entry {entry.name} puts the role in system:masters (cluster-admin).",
                entry.urn,
            )
        for association in resources_of(args.resources, ACCESS_POLICY_ASSOCIATION):
            depends = any(
                d.urn == entry.urn for d in (association.property_dependencies or {}).get("principalArn", [])
            )
            if depends or (
                isinstance(principal, str) and get(association.props, "principalArn") == principal
            ):
                report(
                    f"{association.name} gives the deploy role the EKS access policy "
                    f"{str(get(association.props, 'policyArn')).rsplit('/', 1)[-1]}: the deploy role gets no access "
                    "policy (never cluster-admin); its rights are the aidc-deploy RBAC objects "
                    "(components/aws_gpu_cluster/deploy_access.py).",
                    association.urn,
                )
    deploy_roles = {
        str(get(r.props, "metadata", "name"))
        for r in resources_of(args.resources, *K8S_RBAC_ROLES)
        if _is_deploy_object(r)
    }
    for role in resources_of(args.resources, *K8S_RBAC_ROLES):
        if _is_deploy_object(role) and (problems := _deploy_rule_problems(role)):
            report(
                f"the deploy role's {role.name} grants {', '.join(sorted(set(problems)))}: name each verb, "
                "group, resource and object it needs.",
                role.urn,
            )
    for binding in resources_of(args.resources, *K8S_RBAC_BINDINGS):
        subjects = as_list(get(binding.props, "subjects"))
        if not any(get(s, "kind") == "Group" and get(s, "name") == DEPLOY_GROUP for s in subjects):
            continue
        ref = str(get(binding.props, "roleRef", "name"))
        if ref in BROAD_ROLES or ref not in deploy_roles:
            report(
                f"{binding.name} binds the deploy group {DEPLOY_GROUP} to {ref!r}: bind it only to the aidc-deploy "
                "roles (labelled aidc.io/access=deploy), never cluster-admin, admin or edit.",
                binding.urn,
            )


aws_eks_deploy_least_privilege = StackValidationPolicy(
    name="aws-eks-deploy-least-privilege",
    description="The EKS deploy role gets no access policy (never cluster-admin): only named RBAC rules, no wildcard.",
    enforcement_level=MANDATORY,
    validate=_validate_deploy_least_privilege,
)


# --- Network --------------------------------------------------------------------------------------------------


def _validate_flow_logs(args: StackValidationArgs, report: ReportViolation) -> None:
    flow_logs = resources_of(args.resources, FLOW_LOG)
    for vpc in resources_of(args.resources, VPC):
        covered = any(references(f, "vpcId", vpc, ("id",)) for f in flow_logs)
        if not covered:
            # Offline there are no property dependencies and ids are not derivable from names: a flow log
            # declared next to the VPC (same parent component) covers it.
            covered = any(
                f.parent is not None
                and vpc.parent is not None
                and f.parent.urn == vpc.parent.urn
                and not (f.property_dependencies or {}).get("vpcId")
                for f in flow_logs
            )
        if not covered:
            report(
                f"VPC {vpc.name} has no flow log: add an aws.ec2.FlowLog with vpc_id set to it and "
                "traffic_type 'ALL' (to CloudWatch Logs or S3).",
                vpc.urn,
            )


aws_vpc_flow_logs = StackValidationPolicy(
    name="aws-vpc-flow-logs",
    description="Every VPC has a flow log.",
    enforcement_level=ADVISORY,
    validate=_validate_flow_logs,
)


def _validate_tgw_auto_accept(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != TRANSIT_GATEWAY:
        return
    if get(args.props, "autoAcceptSharedAttachments") == "enable":
        report(
            f"Transit Gateway {args.name} auto-accepts shared attachments, so any account it is shared with "
            "can join your network: set auto_accept_shared_attachments='disable' and accept attachments "
            "explicitly.",
            None,
        )


aws_tgw_no_auto_accept = ResourceValidationPolicy(
    name="aws-tgw-no-auto-accept",
    description="Transit Gateways do not auto-accept shared attachments.",
    enforcement_level=MANDATORY,
    validate=_validate_tgw_auto_accept,
)


# --- Direct Connect: MACsec never falls back to clear text ------------------------------------------------------
DX_CONNECTION = "aws:directconnect/connection:Connection"
DX_LAG = "aws:directconnect/linkAggregationGroup:LinkAggregationGroup"
DX_LAG_MEMBER = "aws:directconnect/connectionAssociation:ConnectionAssociation"
DX_MACSEC_KEY = "aws:directconnect/macsecKeyAssociation:MacsecKeyAssociation"
MUST_ENCRYPT = "must_encrypt"
"""The one Direct Connect encryption mode that never carries traffic in the clear (no_encrypt and should_encrypt
do: should_encrypt falls back when MACsec does not come up)."""


def _macsec_targets(args: StackValidationArgs) -> tuple[set[str], set[str]]:
    """URNs of the connections and of the LAGs a MacsecKeyAssociation is planned on."""
    connections: set[str] = set()
    lags: set[str] = set()
    keys = resources_of(args.resources, DX_MACSEC_KEY)
    for target_type, found in ((DX_CONNECTION, connections), (DX_LAG, lags)):
        for target in resources_of(args.resources, target_type):
            if any(references(key, "connectionId", target, ("id",)) for key in keys):
                found.add(target.urn)
    return connections, lags


def _lags_of(args: StackValidationArgs, lags: list[Any]) -> dict[str, list[str]]:
    """Each connection's URN and the names of the LAGs (of `lags`) a ConnectionAssociation puts it in."""
    members: dict[str, list[str]] = {}
    associations = resources_of(args.resources, DX_LAG_MEMBER)
    for connection in resources_of(args.resources, DX_CONNECTION):
        for lag in lags:
            if any(
                references(a, "connectionId", connection, ("id",)) and references(a, "lagId", lag, ("id",))
                for a in associations
            ):
                members.setdefault(connection.urn, []).append(lag.name)
    return members


def _validate_dx_macsec(args: StackValidationArgs, report: ReportViolation) -> None:
    keyed_connections, keyed_lags = _macsec_targets(args)
    macsec_lags = [lag for lag in resources_of(args.resources, DX_LAG) if lag.urn in keyed_lags]
    in_lag = _lags_of(args, macsec_lags)
    for connection in resources_of(args.resources, DX_CONNECTION):
        requested = truthy(get(connection.props, "requestMacsec", default=False))
        why = [
            *(["requestMacsec is true"] if requested else []),
            *(["a MACsec key is associated with it"] if connection.urn in keyed_connections else []),
            *(f"it is a port of LAG {lag}, which has a MACsec key" for lag in in_lag.get(connection.urn, [])),
        ]
        if not why:
            continue  # no MACsec planned on this port (hosted, IPsec over the link, or public data)
        mode = get(connection.props, "encryptionMode")
        problems = [] if mode == MUST_ENCRYPT else [f"encryptionMode is {mode!r}, not '{MUST_ENCRYPT}'"]
        if not requested:
            problems.append("requestMacsec is not true")
        if problems:
            report(
                f"Direct Connect connection {connection.name} is planned for MACsec ({'; '.join(why)}) but "
                f"{'; '.join(problems)}: the port can carry traffic in the clear when MACsec does not come up. "
                f"Set request_macsec=True and encryption_mode='{MUST_ENCRYPT}' on the aws.directconnect.Connection "
                "(pulumi-aws 7's LinkAggregationGroup takes no encryption mode: every member port carries it).",
                connection.urn,
            )
    for lag in macsec_lags:
        if not any(lag.name in names for names in in_lag.values()):
            report(
                f"Direct Connect LAG {lag.name} has a MACsec key but no member connection declared in this stack "
                f"(ConnectionAssociation lagId), so nothing sets encryptionMode '{MUST_ENCRYPT}' on its ports: "
                "declare its ports as aws.directconnect.Connection with request_macsec=True and "
                f"encryption_mode='{MUST_ENCRYPT}', each joined to it by an aws.directconnect.ConnectionAssociation.",
                lag.urn,
            )


aws_direct_connect_macsec_must_encrypt = StackValidationPolicy(
    name="aws-direct-connect-macsec-must-encrypt",
    description="A Direct Connect port planned for MACsec (requestMacsec, a MACsec key on it or on its LAG) has "
    "encryptionMode 'must_encrypt' and requestMacsec, so it never falls back to clear text.",
    enforcement_level=MANDATORY,
    validate=_validate_dx_macsec,
)


# --- issue 24: source conditions on service trust and resource policies, CreateGrant in identity policies -------
IAM_ROLE_TYPE = "aws:iam/role:Role"
IAM_INLINE_POLICY_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")
SQS_QUEUE_POLICY_TYPE = "aws:sqs/queuePolicy:QueuePolicy"
# Service principals and the condition keys that scope them to this account's (and cluster's) requests: the EKS
# Pod Identity session tags, the confused-deputy keys of VPC Flow Logs and EventBridge.
SOURCE_CONDITIONS: dict[str, tuple[str, ...]] = {
    "pods.eks.amazonaws.com": ("aws:SourceAccount", "aws:RequestTag/eks-cluster-arn"),
    "vpc-flow-logs.amazonaws.com": ("aws:SourceAccount", "aws:SourceArn"),
    "events.amazonaws.com": ("aws:SourceAccount", "aws:SourceArn"),
}


def _condition_keys(statement: Any) -> set[str]:
    return {
        str(key).lower()
        for keys in (get(statement, "Condition") or {}).values()
        if is_mapping(keys)
        for key in keys
    }


def source_condition_problems(document: Any) -> list[str]:
    """Allow statements to a service principal of SOURCE_CONDITIONS without that service's source conditions."""
    problems = []
    for index, statement in enumerate(as_list(get(document, "Statement"))):
        if get(statement, "Effect") != "Allow":
            continue
        present = _condition_keys(statement)
        for service in _principals(statement):
            missing = [k for k in SOURCE_CONDITIONS.get(service, ()) if k.lower() not in present]
            if missing:
                label = get(statement, "Sid", default=f"Statement[{index}]")
                problems.append(f"{label} admits {service} without {', '.join(missing)}")
    return problems


def _validate_source_conditions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == IAM_ROLE_TYPE:
        document = _policy_document(get(args.props, "assumeRolePolicy"))
    elif args.resource_type == SQS_QUEUE_POLICY_TYPE:
        document = _policy_document(get(args.props, "policy"))
    else:
        return
    for problem in source_condition_problems(document or {}):
        report(
            f"{args.name}: {problem}: another account's (or another cluster's) request could use it "
            "(confused deputy).",
            None,
        )


aws_service_source_conditions = ResourceValidationPolicy(
    name="aws-service-source-conditions",
    description="Role trusts and queue policies admit EKS Pod Identity, VPC Flow Logs and EventBridge only for this "
    "account's requests (aws:SourceAccount) and their own cluster or source (eks-cluster-arn / aws:SourceArn).",
    enforcement_level=MANDATORY,
    validate=_validate_source_conditions,
)


def _validate_identity_grants(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in IAM_INLINE_POLICY_TYPES:
        return
    document = _policy_document(get(args.props, "policy"))
    for index, statement in enumerate(as_list(get(document or {}, "Statement"))):
        if _grants_action(statement, "kms:CreateGrant") and not _grant_for_aws_resource_only(statement):
            label = get(statement, "Sid", default=f"Statement[{index}]")
            report(
                f"{args.name}: {label} allows kms:CreateGrant without "
                '{"Bool": {"kms:GrantIsForAWSResource": "true"}}: the role could hand use of the key to anyone.',
                None,
            )


aws_iam_grant_for_aws_resource = ResourceValidationPolicy(
    name="aws-iam-grant-for-aws-resource",
    description="An IAM policy allows kms:CreateGrant only for AWS resources (kms:GrantIsForAWSResource).",
    enforcement_level=MANDATORY,
    validate=_validate_identity_grants,
)

POLICIES = [
    aws_service_source_conditions,
    aws_iam_grant_for_aws_resource,
    aws_s3_bucket_kms_encryption,
    aws_s3_bucket_versioning,
    aws_s3_bucket_public_access_blocked,
    aws_s3_bucket_access_logging,
    aws_cloudtrail_integrity,
    aws_no_open_ingress,
    aws_admin_ingress_union,
    aws_imdsv2_required,
    aws_ebs_encrypted_cmk,
    aws_kms_key_rotation,
    aws_kms_grant_for_aws_resource,
    aws_no_credentials_in_user_data,
    aws_eks_secrets_encryption,
    aws_eks_endpoint_restricted,
    aws_eks_control_plane_logging,
    aws_eks_no_bootstrap_admin,
    aws_eks_deploy_least_privilege,
    aws_vpc_flow_logs,
    aws_tgw_no_auto_accept,
    aws_direct_connect_macsec_must_encrypt,
]
"""This module's rules, in the order the pack registers them."""
