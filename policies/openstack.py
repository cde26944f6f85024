"""OpenStack rules: no security-group rule admits the whole internet to an admin port (or to every port),
no instance sets admin_pass, and no openstack Provider carries credentials (they belong in clouds.yaml or
OS_* environment variables, not in the program or its state).

Props are camelCase engine names (pulumi_openstack 5). Nothing here builds a PolicyPack.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies._common import (
    ADMIN_PORTS_DEFAULT,
    MANDATORY,
    broad_sources,
    config_of,
    get,
    port_range_hits,
    resources_of,
    schema,
)

SEC_GROUP_RULE = "openstack:networking/secGroupRule:SecGroupRule"
INSTANCE = "openstack:compute/instance:Instance"
PROVIDER = "pulumi:providers:openstack"

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


def _admitted(props: Any, admin_ports: list[int]) -> tuple[str, list[int]] | None:
    """('every port' | 'admin port(s) …', the admin ports hit) for an ingress rule, or None."""
    protocol = get(props, "protocol")
    low, high = get(props, "portRangeMin"), get(props, "portRangeMax")
    if protocol in (None, "", "any") or (low is None and high is None):
        return "every port", list(admin_ports)
    hits = port_range_hits(low, high, admin_ports)
    return (f"admin port(s) {', '.join(map(str, hits))}", hits) if hits else None


def _source(props: Any) -> Any:
    """The rule's source range; a rule with neither remote_ip_prefix nor remote_group_id admits anyone."""
    prefix = get(props, "remoteIpPrefix")
    if prefix is None and not get(props, "remoteGroupId"):
        return "::/0" if get(props, "ethertype") == "IPv6" else "0.0.0.0/0"
    return prefix


def _validate_open_admin_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != SEC_GROUP_RULE or get(args.props, "direction") != "ingress":
        return
    source = _source(args.props)
    if source is None:
        return  # the source is another security group, not an address range
    broad = broad_sources([source])
    admitted = _admitted(args.props, [int(p) for p in config_of(args, _INGRESS_SCHEMA)["admin-ports"]])
    if not broad or not admitted:
        return
    if get(args.props, "remoteIpPrefix") is None:
        broad = f"anywhere (no remote_ip_prefix, {broad})"
    report(
        f"Security group rule {args.name} admits {admitted[0]} from {broad}: set remote_ip_prefix to your "
        "admin CIDRs (aidc:openstack.admin_cidrs), never the internet or a union of ranges as wide.",
        None,
    )


openstack_no_open_admin_ingress = ResourceValidationPolicy(
    name="openstack-no-open-admin-ingress",
    description="No OpenStack security-group rule admits the internet (a source wider than a /8 or IPv6 /32) to "
    "an admin port or to every port.",
    enforcement_level=MANDATORY,
    config_schema=_INGRESS_SCHEMA,
    validate=_validate_open_admin_ingress,
)


def _validate_admin_union(args: StackValidationArgs, report: ReportViolation) -> None:
    admin_ports = [int(p) for p in config_of(args, _INGRESS_SCHEMA)["admin-ports"]]
    # (security group, admin port) -> [(rule name, source)]: aidc declares one rule per CIDR and port, so
    # the union over rules is what a port is open to.
    admitted: dict[tuple[str, int], list[tuple[str, Any]]] = {}
    for rule in resources_of(args.resources, SEC_GROUP_RULE):
        if get(rule.props, "direction") != "ingress" or (source := _source(rule.props)) is None:
            continue
        group = get(rule.props, "securityGroupId")
        if not isinstance(group, str) or not group:
            group = rule.parent.urn if rule.parent is not None else rule.urn
        hit = _admitted(rule.props, admin_ports)
        for port in hit[1] if hit else []:
            admitted.setdefault((group, port), []).append((rule.name, source))
    reported: set[str] = set()
    for (group, port), members in sorted(admitted.items()):
        if len(members) < 2 or group in reported:
            continue  # one rule alone is openstack-no-open-admin-ingress's to judge
        if broad := broad_sources(source for _, source in members):
            report(
                f"Security group {group}: rules {', '.join(name for name, _ in members)} together admit admin "
                f"port {port} from {broad}: narrow aidc:openstack.admin_cidrs to your admin networks.",
                None,
            )
            reported.add(group)


openstack_admin_ingress_union = StackValidationPolicy(
    name="openstack-admin-ingress-union",
    description="The rules of one OpenStack security group do not together admit the internet to an admin port.",
    enforcement_level=MANDATORY,
    config_schema=_INGRESS_SCHEMA,
    validate=_validate_admin_union,
)


def _validate_no_admin_pass(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == INSTANCE and get(args.props, "adminPass"):
        report(
            f"Instance {args.name} sets admin_pass, a root password kept in the state and injected through "
            "the metadata service: remove it and log in with the keypair (key_pair) instead.",
            None,
        )


openstack_no_admin_pass = ResourceValidationPolicy(
    name="openstack-no-admin-pass",
    description="No OpenStack instance sets an admin password.",
    enforcement_level=MANDATORY,
    validate=_validate_no_admin_pass,
)

_CREDENTIAL_KEYS = ("password", "token", "applicationCredentialSecret")


def _validate_provider_credentials(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != PROVIDER:
        return
    found = [key for key in _CREDENTIAL_KEYS if get(args.props, key)]
    if found:
        report(
            f"openstack Provider {args.name} is given {', '.join(found)} in the program, so the credential "
            "lands in the Pulumi state: configure the provider with `cloud` (clouds.yaml) or OS_* "
            "environment variables and pass only region/endpoint settings.",
            None,
        )


openstack_no_provider_credentials = ResourceValidationPolicy(
    name="openstack-no-provider-credentials",
    description="No openstack Provider resource carries a password, token or application-credential secret.",
    enforcement_level=MANDATORY,
    validate=_validate_provider_credentials,
)

POLICIES = [
    openstack_no_open_admin_ingress,
    openstack_admin_ingress_union,
    openstack_no_admin_pass,
    openstack_no_provider_credentials,
]
"""This module's rules, in the order the pack registers them."""
