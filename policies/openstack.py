"""OpenStack rules: no security-group rule admits the whole internet to an admin port (or to every port),
no instance sets admin_pass, and no openstack Provider carries credentials (they belong in clouds.yaml or
OS_* environment variables, not in the program or its state).

Props are camelCase engine names (pulumi_openstack 5). Nothing here builds a PolicyPack.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies._common import (
    ADMIN_PORTS_DEFAULT,
    MANDATORY,
    config_of,
    get,
    is_open_cidr,
    port_range_hits,
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
            "description": "Ports that must never be reachable from 0.0.0.0/0 or ::/0.",
        }
    }
)


def _validate_open_admin_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != SEC_GROUP_RULE or get(args.props, "direction") != "ingress":
        return
    prefix = get(args.props, "remoteIpPrefix")
    if prefix is None and get(args.props, "remoteGroupId"):
        return  # source is another security group, not an address range
    if prefix is not None and not is_open_cidr(prefix):
        return
    source = prefix or "anywhere (no remote_ip_prefix)"
    protocol = get(args.props, "protocol")
    low, high = get(args.props, "portRangeMin"), get(args.props, "portRangeMax")
    if protocol in (None, "", "any") or (low is None and high is None):
        what = "every port"
    else:
        hits = port_range_hits(low, high, [int(p) for p in config_of(args, _INGRESS_SCHEMA)["admin-ports"]])
        if not hits:
            return
        what = f"admin port(s) {', '.join(map(str, hits))}"
    report(
        f"Security group rule {args.name} admits {what} from {source}: set remote_ip_prefix to your admin "
        "CIDRs (aidc:openstack.admin_cidrs), never 0.0.0.0/0 or ::/0.",
        None,
    )


openstack_no_open_admin_ingress = ResourceValidationPolicy(
    name="openstack-no-open-admin-ingress",
    description="No OpenStack security-group rule admits 0.0.0.0/0 or ::/0 to an admin port or to every port.",
    enforcement_level=MANDATORY,
    config_schema=_INGRESS_SCHEMA,
    validate=_validate_open_admin_ingress,
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

POLICIES = [openstack_no_open_admin_ingress, openstack_no_admin_pass, openstack_no_provider_credentials]
"""This module's rules, in the order the pack registers them."""
