"""Mock outputs for pulumi_aws resources and invokes (engine camelCase keys).

Every id looks like the real one (`vpc-<hex>`, `subnet-<hex>`, `tgw-<hex>`, `cgw-<hex>`, `vpn-<hex>` …) and is
derived from type+name with `stable_hex`, never from a counter, so the same program gives the same plan.
Addresses come from the RFC 5737 documentation ranges: Elastic IPs from 203.0.113.0/24, VPN tunnel outside
addresses from 198.51.100.0/24; tunnel inside CIDRs are /30s in 169.254.0.0/16 as AWS assigns them.
Unknown aws types still get an `arn` and `tagsAll`.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks

CLOUD = "aws"
EIP_BLOCK = "203.0.113"
TUNNEL_BLOCK = "198.51.100"


def _region(mocks: AidcMocks) -> str:
    """The stack's AWS region, as the provider would report it."""
    return mocks.region_of(CLOUD)


def _hex(*parts: str, length: int = 17) -> str:
    from aidc.mocks import stable_hex

    return stable_hex(*parts, length=length)


def _arn(mocks: AidcMocks, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
    return f"arn:aws:{service}:{_region(mocks) if region else ''}:{mocks.account_id if account else ''}:{resource}"


def _octet(*parts: str) -> int:
    """A host octet 2..251, so derived addresses never hit a network or broadcast address."""
    return int(_hex(*parts, length=4), 16) % 250 + 2


def _uuid(*parts: str) -> str:
    h = _hex(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _physical(args: pulumi.runtime.MockResourceArgs, rid: str) -> str:
    """The provider's auto-name: the logical name plus a 7-character suffix."""
    return f"{args.name}-{rid[:7]}"


def _inside_cidr(seed: str) -> str:
    """A /30 in 169.254.0.0/16 (AWS reserves some /30s; the mock stays clear of 169.254.0-5.x and .169.x)."""
    third = 10 + int(_hex(seed, "third", length=4), 16) % 150
    fourth = (int(_hex(seed, "fourth", length=4), 16) % 64) * 4
    return f"169.254.{third}.{fourth}/30"


def _tunnel(outputs: dict[str, Any], name: str, n: int) -> None:
    outputs.setdefault(f"tunnel{n}Address", f"{TUNNEL_BLOCK}.{_octet(name, f'tunnel{n}')}")
    cidr = outputs.get(f"tunnel{n}InsideCidr") or _inside_cidr(f"{name}/tunnel{n}")
    outputs[f"tunnel{n}InsideCidr"] = cidr
    base, last = cidr.split("/")[0].rsplit(".", 1)
    outputs.setdefault(f"tunnel{n}VgwInsideAddress", f"{base}.{int(last) + 1}")
    outputs.setdefault(f"tunnel{n}CgwInsideAddress", f"{base}.{int(last) + 2}")
    outputs.setdefault(f"tunnel{n}BgpAsn", "64512")
    outputs.setdefault(f"tunnel{n}BgpHoldtime", 30)


def _vpc(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"vpc/vpc-{rid}"))
    o.setdefault("defaultSecurityGroupId", f"sg-{_hex(rid, 'default-sg')}")
    o.setdefault("defaultRouteTableId", f"rtb-{_hex(rid, 'main-rtb')}")
    o.setdefault("mainRouteTableId", o["defaultRouteTableId"])
    o.setdefault("defaultNetworkAclId", f"acl-{_hex(rid, 'acl')}")
    o.setdefault("ownerId", m.account_id)
    return f"vpc-{rid}"


def _subnet(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"subnet/subnet-{rid}"))
    o.setdefault("availabilityZoneId", f"use1-az{int(rid[:2], 16) % 6 + 1}")
    o.setdefault("ownerId", m.account_id)
    return f"subnet-{rid}"


def _eip(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("publicIp", f"{EIP_BLOCK}.{_octet(a.typ, a.name)}")
    o.setdefault("allocationId", f"eipalloc-{rid}")
    o.setdefault("domain", "vpc")
    return f"eipalloc-{rid}"


def _nat(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("publicIp", f"{EIP_BLOCK}.{_octet(a.typ, a.name)}")
    o.setdefault("privateIp", f"10.0.{_octet(a.name, 'nat-third')}.{_octet(a.name, 'nat')}")
    o.setdefault("networkInterfaceId", f"eni-{_hex(rid, 'eni')}")
    return f"nat-{rid}"


def _route(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("state", "active")
    o.setdefault("origin", "CreateRoute")
    return f"r-{o.get('routeTableId', 'rtb')}{int(rid[:8], 16)}"


def _sg(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"security-group/sg-{rid}"))
    o.setdefault("name", o.get("name") or _physical(a, rid))
    o.setdefault("ownerId", m.account_id)
    return f"sg-{rid}"


def _launch_template(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"launch-template/lt-{rid}"))
    o.setdefault("name", _physical(a, rid))
    o.setdefault("latestVersion", 1)
    o.setdefault("defaultVersion", 1)
    return f"lt-{rid}"


def _placement_group(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    o.setdefault("placementGroupId", f"pg-{rid}")
    o.setdefault("arn", _arn(m, "ec2", f"placement-group/{name}"))
    return name


def _log_group(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    o.setdefault("arn", _arn(m, "logs", f"log-group:{name}"))
    return name


def _kms_key(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    key_id = _uuid(a.typ, a.name)
    o.setdefault("keyId", key_id)
    o.setdefault("arn", _arn(m, "kms", f"key/{key_id}"))
    o.setdefault("keyUsage", "ENCRYPT_DECRYPT")
    o.setdefault("customerMasterKeySpec", "SYMMETRIC_DEFAULT")
    return key_id


def _kms_alias(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or f"alias/{_physical(a, rid)}"
    o["name"] = name
    o.setdefault("arn", _arn(m, "kms", name))
    return name


def _iam_role(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    o.setdefault("arn", f"arn:aws:iam::{m.account_id}:role{o.get('path') or '/'}{name}")
    o.setdefault("uniqueId", "AROA" + _hex(rid, "role", length=17).upper())
    return name


def _iam_role_policy(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    return f"{o.get('role', 'role')}:{name}"


def _iam_attachment(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    return f"{o.get('role', 'role')}-{rid[:8]}"


def _bucket(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("bucket") or f"{a.name}-{rid[:7]}".lower()
    o["bucket"] = name
    o.setdefault("arn", f"arn:aws:s3:::{name}")
    o.setdefault("bucketDomainName", f"{name}.s3.amazonaws.com")
    o.setdefault("bucketRegionalDomainName", f"{name}.s3.{_region(m)}.amazonaws.com")
    o.setdefault("hostedZoneId", "Z3AQBSTGFYJSTF")
    o.setdefault("region", _region(m))
    return name


def _bucket_child(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    return str(o.get("bucket") or rid)


def _eks_cluster(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    o.setdefault("arn", _arn(m, "eks", f"cluster/{name}"))
    endpoint_id = _hex(a.typ, a.name, "endpoint", length=32).upper()
    o.setdefault("endpoint", f"https://{endpoint_id}.gr7.{_region(m)}.eks.amazonaws.com")
    ca = base64.b64encode(
        f"-----BEGIN CERTIFICATE-----\nMOCK{endpoint_id}\n-----END CERTIFICATE-----\n".encode()
    )
    o.setdefault("certificateAuthority", {"data": ca.decode()})
    o.setdefault(
        "identities",
        [{"oidcs": [{"issuer": f"https://oidc.eks.{_region(m)}.amazonaws.com/id/{endpoint_id}"}]}],
    )
    vpc_config = dict(o.get("vpcConfig") or {})
    vpc_config.setdefault("clusterSecurityGroupId", f"sg-{_hex(rid, 'cluster-sg')}")
    vpc_config.setdefault("vpcId", f"vpc-{_hex('vpc', name)}")
    o["vpcConfig"] = vpc_config
    o.setdefault("platformVersion", "eks.1")
    o.setdefault("status", "ACTIVE")
    o.setdefault("clusterId", _uuid(a.typ, a.name))
    return name


def _eks_node_group(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("nodeGroupName") or _physical(a, rid)
    o["nodeGroupName"] = name
    cluster = o.get("clusterName", "cluster")
    o.setdefault("arn", _arn(m, "eks", f"nodegroup/{cluster}/{name}/{_uuid(rid)}"))
    o.setdefault("status", "ACTIVE")
    o.setdefault(
        "resources",
        [
            {
                "autoscalingGroups": [{"name": f"eks-{name}-{_uuid(rid, 'asg')}"}],
                "remoteAccessSecurityGroupId": "",
            }
        ],
    )
    return f"{cluster}:{name}"


def _eks_access_entry(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    cluster, principal = o.get("clusterName", "cluster"), o.get("principalArn", "")
    role = principal.rsplit("/", 1)[-1] or "role"
    o.setdefault(
        "accessEntryArn", _arn(m, "eks", f"access-entry/{cluster}/role/{m.account_id}/{role}/{_uuid(rid)}")
    )
    o.setdefault("kubernetesGroups", [])
    o.setdefault("type", "STANDARD")
    o.setdefault("userName", f"arn:aws:sts::{m.account_id}:assumed-role/{role}/{{{{SessionName}}}}")
    o.setdefault("createdAt", "2026-01-01T00:00:00Z")
    return f"{cluster}:{principal}"


def _eks_access_policy(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("associatedAt", "2026-01-01T00:00:00Z")
    return f"{o.get('clusterName', 'cluster')}#{o.get('principalArn', '')}#{o.get('policyArn', '')}"


def _trail(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    o.setdefault("arn", _arn(m, "cloudtrail", f"trail/{name}"))
    o.setdefault("homeRegion", _region(m))
    return o["arn"]


def _tgw(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"transit-gateway/tgw-{rid}"))
    o.setdefault("associationDefaultRouteTableId", f"tgw-rtb-{_hex(rid, 'default-rtb')}")
    o.setdefault("propagationDefaultRouteTableId", o["associationDefaultRouteTableId"])
    o.setdefault("ownerId", m.account_id)
    o.setdefault("amazonSideAsn", 64512)
    return f"tgw-{rid}"


def _tgw_attachment(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("vpcOwnerId", m.account_id)
    return f"tgw-attach-{rid}"


def _tgw_route(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    return f"{o.get('transitGatewayRouteTableId', 'tgw-rtb')}_{o.get('destinationCidrBlock', rid)}"


def _customer_gateway(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"customer-gateway/cgw-{rid}"))
    return f"cgw-{rid}"


def _tgw_cidr(m: AidcMocks, tgw_id: str) -> str | None:
    """The first CIDR block of the mocked Transit Gateway whose id is `tgw_id` (ids derive from type+name)."""
    token = "aws:ec2transitgateway/transitGateway:TransitGateway"
    for registered in m.registered:
        if registered.typ == token and f"tgw-{_hex(token, registered.name)}" == tgw_id:
            blocks = registered.inputs.get("transitGatewayCidrBlocks") or []
            return str(blocks[0]) if blocks else None
    return None


def _vpn_connection(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"vpn-connection/vpn-{rid}"))
    if o.get("outsideIpAddressType") == "PrivateIpv4":
        # A private IP VPN takes its AWS outside addresses from the Transit Gateway's CIDR block.
        cidr = _tgw_cidr(m, str(o.get("transitGatewayId", ""))) or "100.64.255.0/24"
        hosts = list(ipaddress.ip_network(cidr).hosts())
        for n in (1, 2):
            o.setdefault(f"tunnel{n}Address", str(hosts[_octet(a.name, f"tunnel{n}") % len(hosts)]))
    _tunnel(o, a.name, 1)
    _tunnel(o, a.name, 2)
    if o.get("transitGatewayId"):
        o.setdefault("transitGatewayAttachmentId", f"tgw-attach-{_hex(rid, 'vpn-attachment')}")
    o.setdefault("coreNetworkArn", "")
    o.setdefault("routes", [])
    o.setdefault("vgwTelemetries", [])
    return f"vpn-{rid}"


def _dx_connection(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    connection_id = f"dxcon-{rid[:8]}"
    o.setdefault("arn", _arn(m, "directconnect", f"dxcon/{connection_id}"))
    o.setdefault("awsDevice", f"{o.get('location', 'EqDC2')}-{rid[8:16]}")
    o.setdefault("hasLogicalRedundancy", "yes")
    o.setdefault("jumboFrameCapable", True)
    o.setdefault("macsecCapable", bool(o.get("requestMacsec")))
    o.setdefault("encryptionMode", "no_encrypt")
    o.setdefault("portEncryptionStatus", "Encryption Down")
    o.setdefault("ownerAccountId", m.account_id)
    o.setdefault("partnerName", "")
    o.setdefault("state", "requested")
    o.setdefault("vlanId", 0)
    return connection_id


def _dx_lag(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    lag_id = f"dxlag-{rid[:8]}"
    o.setdefault("arn", _arn(m, "directconnect", f"dxlag/{lag_id}"))
    o.setdefault("hasLogicalRedundancy", "yes")
    o.setdefault("jumboFrameCapable", True)
    o.setdefault("ownerAccountId", m.account_id)
    return lag_id


def _dx_gateway(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("ownerAccountId", m.account_id)
    gateway_id = _uuid(a.typ, a.name)
    o.setdefault("arn", f"arn:aws:directconnect::{m.account_id}:dx-gateway/{gateway_id}")
    return gateway_id


def _dx_gateway_association(
    m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str
) -> str:
    association_id = _uuid(a.typ, a.name, "association")
    o.setdefault("dxGatewayAssociationId", association_id)
    o.setdefault("associatedGatewayType", "transitGateway")
    o.setdefault("associatedGatewayOwnerAccountId", m.account_id)
    o.setdefault("dxGatewayOwnerAccountId", m.account_id)
    if str(o.get("associatedGatewayId", "")).startswith("tgw-"):
        o.setdefault("transitGatewayAttachmentId", f"tgw-attach-{_hex(rid, 'dx-attachment')}")
    return f"ga-{o.get('dxGatewayId', 'dxgw')}{o.get('associatedGatewayId', '')}"


def _dx_public_vif(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    vif_id = f"dxvif-{rid[:8]}"
    o.setdefault("arn", _arn(m, "directconnect", f"dxvif/{vif_id}"))
    o.setdefault("awsDevice", f"EqDC2-{rid[8:16]}")
    o.setdefault("amazonSideAsn", "7224")  # Amazon's public ASN on public virtual interfaces
    return vif_id


def _dx_transit_vif(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    vif_id = f"dxvif-{rid[:8]}"
    o.setdefault("arn", _arn(m, "directconnect", f"dxvif/{vif_id}"))
    o.setdefault("awsDevice", f"EqDC2-{rid[8:16]}")
    o.setdefault("jumboFrameCapable", True)
    o.setdefault("amazonSideAsn", "64513")
    o.setdefault("mtu", 1500)
    return vif_id


def _dx_macsec(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("secretArn", _arn(m, "secretsmanager", f"secret:directconnect!{_uuid(rid, 'macsec')}"))
    o.setdefault("startOn", "2026-01-01T00:00:00Z")
    o.setdefault("state", "associated")
    return f"{o.get('connectionId', 'dxcon')}:{o['secretArn']}"


def _dx_confirmation(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    return str(o.get("connectionId") or f"dxcon-{rid[:8]}")


def _capacity_reservation(
    m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str
) -> str:
    # Capacity Reservations and Capacity Blocks both have ids cr-<17 hex>.
    o.setdefault("availabilityZone", f"{_region(m)}a")
    o.setdefault("instanceCount", o.get("instanceCount", 1))
    o["arn"] = _arn(m, "ec2", f"capacity-reservation/cr-{rid}")
    return f"cr-{rid}"


def _sqs_queue(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    # The aws provider's id of a queue is its URL.
    name = o.get("name") or _physical(a, rid)
    o["name"] = name
    o["arn"] = _arn(m, "sqs", name)
    o["url"] = f"https://sqs.{_region(m)}.amazonaws.com/{m.account_id}/{name}"
    return str(o["url"])


def _flow_log(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("arn", _arn(m, "ec2", f"vpc-flow-log/fl-{rid}"))
    return f"fl-{rid}"


def _prefixed(
    prefix: str,
) -> Callable[[AidcMocks, pulumi.runtime.MockResourceArgs, dict[str, Any], str], str]:
    def handler(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
        return f"{prefix}-{rid}"

    return handler


def _event_rule(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    # EventBridge names an unnamed rule after the resource (auto-naming) and its ARN is events:...:rule/<name>.
    name = str(o.get("name") or f"{a.name}-{rid[:7]}")
    o.setdefault("name", name)
    o.setdefault("arn", f"arn:aws:events:{m.region_of('aws')}:{m.account_id}:rule/{name}")
    return name


_HANDLERS: dict[str, Callable[[AidcMocks, pulumi.runtime.MockResourceArgs, dict[str, Any], str], str]] = {
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/internetGateway:InternetGateway": _prefixed("igw"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/routeTable:RouteTable": _prefixed("rtb"),
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _prefixed("rtbassoc"),
    "aws:ec2/securityGroup:SecurityGroup": _sg,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _sg,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _prefixed("sgr"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _prefixed("sgr"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/placementGroup:PlacementGroup": _placement_group,
    "aws:ec2/flowLog:FlowLog": _flow_log,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/rolePolicy:RolePolicy": _iam_role_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _iam_attachment,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _bucket_child,
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_child,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_child,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_child,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_child,
    "aws:s3/bucketLogging:BucketLogging": _bucket_child,
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "aws:eks/accessEntry:AccessEntry": _eks_access_entry,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": _eks_access_policy,
    "aws:ec2transitgateway/transitGateway:TransitGateway": _tgw,
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": _tgw_attachment,
    "aws:ec2transitgateway/route:Route": _tgw_route,
    "aws:ec2/customerGateway:CustomerGateway": _customer_gateway,
    "aws:ec2/capacityReservation:CapacityReservation": _capacity_reservation,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": _capacity_reservation,
    "aws:ec2/vpnConnection:VpnConnection": _vpn_connection,
    "aws:directconnect/connection:Connection": _dx_connection,
    "aws:directconnect/linkAggregationGroup:LinkAggregationGroup": _dx_lag,
    "aws:directconnect/connectionAssociation:ConnectionAssociation": lambda m, a, o, rid: str(
        o.get("connectionId") or rid
    ),
    "aws:directconnect/gateway:Gateway": _dx_gateway,
    "aws:directconnect/gatewayAssociation:GatewayAssociation": _dx_gateway_association,
    "aws:directconnect/transitVirtualInterface:TransitVirtualInterface": _dx_transit_vif,
    "aws:directconnect/publicVirtualInterface:PublicVirtualInterface": _dx_public_vif,
    "aws:directconnect/macsecKeyAssociation:MacsecKeyAssociation": _dx_macsec,
    "aws:directconnect/connectionConfirmation:ConnectionConfirmation": _dx_confirmation,
}


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    outputs = dict(args.inputs)
    token = args.typ
    rid = _hex(token, args.name)
    handler = _HANDLERS.get(token)
    resource_id = handler(mocks, args, outputs, rid) if handler is not None else f"{args.name}-{rid[:8]}"
    outputs.setdefault("arn", _arn(mocks, token.split(":")[1].split("/")[0], f"{args.name}/{rid}"))
    outputs.setdefault("tagsAll", outputs.get("tags", {}))
    return resource_id, outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": mocks.account_id,
            "arn": f"arn:aws:iam::{mocks.account_id}:user/aidc",
            "userId": "AIDA",
            "id": mocks.account_id,
        }
    if args.token == "aws:index/getRegion:getRegion":
        return {"name": _region(mocks), "region": _region(mocks), "id": _region(mocks)}
    if args.token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    if args.token == "aws:ec2/getCapacityBlockOffering:getCapacityBlockOffering":
        # The offering that covers the asked term, in the region's first zone (real offerings pick their zone).
        a = args.args
        return {
            "capacityBlockOfferingId": f"cb-{_hex('offering', str(a.get('instanceType')), str(a.get('startDateRange')))}",
            "availabilityZone": f"{_region(mocks)}a",
            "capacityDurationHours": a.get("capacityDurationHours"),
            "instanceCount": a.get("instanceCount"),
            "instanceType": a.get("instanceType"),
            "startDateRange": a.get("startDateRange"),
            "endDateRange": a.get("endDateRange"),
            "currencyCode": "USD",
            "upfrontFee": "0",
            "tenancy": "default",
            "id": "offering",
        }
    if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{_region(mocks)}{suffix}" for suffix in "abcdef"]
        return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, 7)], "id": _region(mocks)}
    return {}
