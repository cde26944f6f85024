"""Mock outputs for pulumi_gcp resources and invokes (engine camelCase keys).

Ids are what the provider stores — relative resource names (`projects/<p>/global/networks/<n>`,
`projects/<p>/regions/<r>/subnetworks/<n>`, `projects/<p>/locations/<l>/clusters/<c>` …) — with selfLinks under
https://www.googleapis.com/compute/v1/, service account emails `<id>@<p>.iam.gserviceaccount.com` and service agents
`service-<number>@…`. Auto-named resources get the provider's auto-name (the logical name and a 7-character
suffix). Everything derives from type+name with `stable_hex`, never from a counter, so the same program gives the
same plan. Addresses: HA VPN gateway interfaces in 198.51.100.0/24 (RFC 5737), the control plane's private
endpoint the second address of its /28, VLAN attachment BGP addresses the first two hosts of their /29. The project
is the resource's `project` input, else `MOCK_PROJECT` (what the provider's config would give).
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks

CLOUD = "gcp"
MOCK_PROJECT = "aidc-example-project"
COMPUTE = "https://www.googleapis.com/compute/v1/"
VPN_BLOCK = "198.51.100"
GKE_VERSION = "1.33.5-gke.1162000"
Handler = Callable[["AidcMocks", pulumi.runtime.MockResourceArgs, dict[str, Any], str], str]


def _hex(*parts: str, length: int = 17) -> str:
    from aidc.mocks import stable_hex

    return stable_hex(*parts, length=length)


def project_number(project: str) -> str:
    """A 12-digit project number derived from the project ID."""
    return str(100_000_000_000 + int(_hex("project-number", project, length=12), 16) % 900_000_000_000)


def _project(o: dict[str, Any]) -> str:
    return str(o.get("project") or MOCK_PROJECT)


def _region(m: AidcMocks, o: dict[str, Any]) -> str:
    return str(o.get("region") or m.region_of(CLOUD))


def _named(a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str, key: str = "name") -> str:
    """The given name, or the provider's auto-name: the logical name and a 7-character suffix."""
    name = str(o.get(key) or f"{a.name}-{rid[:7]}")
    o[key] = name
    return name


def _octet(*parts: str) -> int:
    return int(_hex(*parts, length=4), 16) % 250 + 2


def _global(kind: str) -> Handler:
    """A global compute resource: projects/<p>/global/<kind>/<name>, and its selfLink."""

    def handler(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
        rid_path = f"projects/{_project(o)}/global/{kind}/{_named(a, o, rid)}"
        o.setdefault("selfLink", COMPUTE + rid_path)
        o.setdefault("project", _project(o))
        o.setdefault("creationTimestamp", "2026-01-01T00:00:00.000-08:00")
        return rid_path

    return handler


def _regional(kind: str) -> Handler:
    """A regional compute resource: projects/<p>/regions/<r>/<kind>/<name>, and its selfLink."""

    def handler(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
        region = _region(m, o)
        rid_path = f"projects/{_project(o)}/regions/{region}/{kind}/{_named(a, o, rid)}"
        o["region"] = region
        o.setdefault("selfLink", COMPUTE + rid_path)
        o.setdefault("project", _project(o))
        o.setdefault("creationTimestamp", "2026-01-01T00:00:00.000-08:00")
        return rid_path

    return handler


def _network(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("numericId", str(int(_hex(rid, "numeric", length=15), 16)))
    o.setdefault("gatewayIpv4", "")
    return _global("networks")(m, a, o, rid)


def _subnetwork(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    cidr = o.get("ipCidrRange")
    if cidr:
        o.setdefault("gatewayAddress", str(next(ipaddress.ip_network(str(cidr)).hosts())))
    o.setdefault("fingerprint", _hex(rid, "fingerprint", length=12))
    return _regional("subnetworks")(m, a, o, rid)


def _router_child(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    """NAT, interface and peer ids: <project>/<region>/<router>/<name> (the provider's import format)."""
    name = _named(a, o, rid)
    o["region"] = _region(m, o)
    o.setdefault("project", _project(o))
    return f"projects/{_project(o)}/regions/{o['region']}/routers/{o.get('router', 'router')}/{name}"


def _cluster(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = _named(a, o, rid)
    location = str(o.get("location") or m.region_of(CLOUD))
    path = f"projects/{_project(o)}/locations/{location}/clusters/{name}"
    private = dict(o.get("privateClusterConfig") or {})
    master = private.get("masterIpv4CidrBlock") or "172.16.0.0/28"
    endpoint = str(list(ipaddress.ip_network(str(master)).hosts())[1])
    private.setdefault("privateEndpoint", endpoint)
    private.setdefault("publicEndpoint", "")
    private.setdefault(
        "peeringName", f"gke-n{_hex(rid, 'peering', length=16)}-{_hex(rid, 'p', length=4)}-peer"
    )
    o["privateClusterConfig"] = private
    o.setdefault("endpoint", endpoint)
    pem = (
        f"-----BEGIN CERTIFICATE-----\nMOCK{_hex(rid, 'ca', length=32).upper()}\n-----END CERTIFICATE-----\n"
    )
    o.setdefault("masterAuth", {"clusterCaCertificate": base64.b64encode(pem.encode()).decode()})
    o.setdefault("masterVersion", GKE_VERSION)
    o.setdefault("selfLink", f"https://container.googleapis.com/v1/{path}")
    o.setdefault("labelFingerprint", _hex(rid, "labels", length=8))
    o.setdefault("servicesIpv4Cidr", "")
    o.setdefault("operation", "")
    o.setdefault("project", _project(o))
    return path


def _node_pool(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = _named(a, o, rid)
    location = str(o.get("location") or m.region_of(CLOUD))
    cluster = str(o.get("cluster") or "cluster").rsplit("/", 1)[-1]
    zones = o.get("nodeLocations") or [f"{location}-a"]
    groups = [
        f"{COMPUTE}projects/{_project(o)}/zones/{zone}/instanceGroupManagers/gke-{cluster[:12]}-{name[:12]}-{_hex(rid, zone, length=8)}-grp"
        for zone in zones
    ]
    o.setdefault("instanceGroupUrls", groups)
    o.setdefault(
        "managedInstanceGroupUrls", [url.replace("instanceGroupManagers", "instanceGroups") for url in groups]
    )
    o.setdefault("version", GKE_VERSION)
    o.setdefault("operation", "")
    return f"projects/{_project(o)}/locations/{location}/clusters/{cluster}/nodePools/{name}"


def _key_ring(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    return f"projects/{_project(o)}/locations/{o.get('location') or m.region_of(CLOUD)}/keyRings/{_named(a, o, rid)}"


def _crypto_key(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault(
        "primaries",
        [{"name": f"{o.get('keyRing')}/cryptoKeys/{o.get('name')}/cryptoKeyVersions/1", "state": "ENABLED"}],
    )
    return f"{o.get('keyRing', 'projects/p/locations/l/keyRings/r')}/cryptoKeys/{_named(a, o, rid)}"


def _iam_member(key: str) -> Handler:
    """IAM member resources: '<resource>/<role>/<member>' (the provider's id), and an etag."""

    def handler(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
        o.setdefault("etag", f"BwY{_hex(rid, 'etag', length=9)}=")
        owner = o.get(key) or _project(o)
        return f"{owner}/{o.get('role', 'role')}/{o.get('member', 'member')}"

    return handler


def _account(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    account_id = str(o.get("accountId") or a.name[:30])
    email = f"{account_id}@{_project(o)}.iam.gserviceaccount.com"
    o.update(
        email=email, member=f"serviceAccount:{email}", name=f"projects/{_project(o)}/serviceAccounts/{email}"
    )
    o.setdefault("uniqueId", str(100_000_000_000_000_000_000 + int(_hex(rid, "uid", length=16), 16) % 10**20))
    o.setdefault("project", _project(o))
    return str(o["name"])


def _audit_config(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("etag", f"BwY{_hex(rid, 'etag', length=9)}=")
    return f"{_project(o)}/audit_config/{o.get('service', 'allServices')}"


def _bucket(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    name = _named(a, o, rid).lower()
    o["name"] = name
    o.setdefault("url", f"gs://{name}")
    o.setdefault("selfLink", f"https://www.googleapis.com/storage/v1/b/{name}")
    o.setdefault("project", _project(o))
    o.setdefault("projectNumber", project_number(_project(o)))
    return name


def _reservation(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    zone = str(o.get("zone") or f"{m.region_of(CLOUD)}-a")
    path = f"projects/{_project(o)}/zones/{zone}/reservations/{_named(a, o, rid)}"
    o.setdefault("selfLink", COMPUTE + path)
    o.setdefault("status", "READY")
    o.setdefault("commitment", "")
    return path


def _ha_vpn_gateway(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault(
        "vpnInterfaces",
        [
            {"id": i, "ipAddress": f"{VPN_BLOCK}.{_octet(rid, str(i))}", "interconnectAttachment": ""}
            for i in (0, 1)
        ],
    )
    return _regional("vpnGateways")(m, a, o, rid)


def _external_ip(m: AidcMocks, gateway: str, interface: int) -> str:
    """The address of interface `interface` of the mocked external VPN gateway whose id is `gateway`."""
    token = "gcp:compute/externalVpnGateway:ExternalVpnGateway"
    for registered in m.registered:
        if registered.typ == token and gateway.endswith(
            f"/{registered.inputs.get('name') or registered.name}"
        ):
            for item in registered.inputs.get("interfaces") or []:
                if int(item.get("id", 0)) == interface:
                    return str(item.get("ipAddress", ""))
    return ""


def _vpn_tunnel(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("tunnelId", str(int(_hex(rid, "tunnel", length=15), 16)))
    o.setdefault("detailedStatus", "Waiting for full config")
    o.setdefault("sharedSecretHash", _hex(rid, "psk-hash", length=27))
    gateway = str(o.get("peerExternalGateway") or "")
    o.setdefault("peerIp", _external_ip(m, gateway, int(o.get("peerExternalGatewayInterface") or 0)))
    return _regional("vpnTunnels")(m, a, o, rid)


def _interconnect(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    o.setdefault("googleReferenceId", str(int(_hex(rid, "reference", length=15), 16)))
    o.setdefault("operationalStatus", "OS_UNPROVISIONED")
    o.setdefault("state", "UNPROVISIONED")
    o.setdefault("provisionedLinkCount", 0)
    o.setdefault("circuitInfos", [])
    return _global("interconnects")(m, a, o, rid)


def _attachment(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    candidates = o.get("candidateSubnets") or ["169.254.250.0/29"]
    subnet = ipaddress.ip_network(str(candidates[0]))
    hosts = list(subnet.hosts())
    o.setdefault("cloudRouterIpAddress", f"{hosts[0]}/{subnet.prefixlen}")
    o.setdefault("customerRouterIpAddress", f"{hosts[1]}/{subnet.prefixlen}")
    o.setdefault("state", "PENDING_CUSTOMER")
    o.setdefault("pairingKey", "")
    o.setdefault("googleReferenceId", str(int(_hex(rid, "reference", length=15), 16)))
    return _regional("interconnectAttachments")(m, a, o, rid)


def _peering_routes(m: AidcMocks, a: pulumi.runtime.MockResourceArgs, o: dict[str, Any], rid: str) -> str:
    return f"projects/{_project(o)}/global/networks/{o.get('network')}/networkPeerings/{o.get('peering')}"


_HANDLERS: dict[str, Handler] = {
    "gcp:compute/network:Network": _network,
    "gcp:compute/subnetwork:Subnetwork": _subnetwork,
    "gcp:compute/router:Router": _regional("routers"),
    "gcp:compute/routerNat:RouterNat": _router_child,
    "gcp:compute/routerInterface:RouterInterface": _router_child,
    "gcp:compute/routerPeer:RouterPeer": _router_child,
    "gcp:compute/firewall:Firewall": _global("firewalls"),
    "gcp:compute/networkPeeringRoutesConfig:NetworkPeeringRoutesConfig": _peering_routes,
    "gcp:compute/reservation:Reservation": _reservation,
    "gcp:compute/haVpnGateway:HaVpnGateway": _ha_vpn_gateway,
    "gcp:compute/externalVpnGateway:ExternalVpnGateway": _global("externalVpnGateways"),
    "gcp:compute/vPNTunnel:VPNTunnel": _vpn_tunnel,
    "gcp:compute/interconnect:Interconnect": _interconnect,
    "gcp:compute/interconnectAttachment:InterconnectAttachment": _attachment,
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:container/nodePool:NodePool": _node_pool,
    "gcp:kms/keyRing:KeyRing": _key_ring,
    "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": _iam_member("cryptoKeyId"),
    "gcp:serviceaccount/account:Account": _account,
    "gcp:serviceaccount/iAMMember:IAMMember": _iam_member("serviceAccountId"),
    "gcp:projects/iAMMember:IAMMember": _iam_member("project"),
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": _audit_config,
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:storage/bucketIAMMember:BucketIAMMember": _iam_member("bucket"),
}


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    outputs = dict(args.inputs)
    rid = _hex(args.typ, args.name)
    handler = _HANDLERS.get(args.typ)
    resource_id = handler(mocks, args, outputs, rid) if handler is not None else f"{args.name}-{rid[:8]}"
    return resource_id, outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    region = mocks.region_of(CLOUD)
    if args.token == "gcp:organizations/getClientConfig:getClientConfig":
        return {
            "project": MOCK_PROJECT,
            "region": region,
            "zone": f"{region}-a",
            "accessToken": "",
            "defaultLabels": {},
            "id": f"projects/{MOCK_PROJECT}/regions/{region}/zones/{region}-a",
        }
    if args.token == "gcp:organizations/getProject:getProject":
        project = str(args.args.get("projectId") or MOCK_PROJECT)
        return {
            "projectId": project,
            "number": project_number(project),
            "name": project,
            "id": f"projects/{project}",
            "orgId": "",
            "folderId": "",
            "billingAccount": "",
            "autoCreateNetwork": True,
            "deletionPolicy": "PREVENT",
            "labels": {},
            "effectiveLabels": {},
            "pulumiLabels": {},
            "tags": {},
        }
    if args.token == "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
        project = str(args.args.get("project") or MOCK_PROJECT)
        email = f"service-{project_number(project)}@gs-project-accounts.iam.gserviceaccount.com"
        return {"emailAddress": email, "member": f"serviceAccount:{email}", "project": project, "id": email}
    return {}
