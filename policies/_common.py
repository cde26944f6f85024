"""Helpers every rule module shares: reading engine props (camelCase, possibly wrapped in pulumi_policy's
unknown-checking proxies, so Mapping/Sequence rather than dict/list), per-policy config with the schema's
defaults, tag lookup, ports and CIDRs.

No Pulumi engine is needed to import this module; nothing here builds a PolicyPack.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyResource

from aidc.contract import ADMIN_SOURCE_MIN_PREFIX, public_addresses

SECRET_MARKER = "[secret]"
"""What `aidc plan` puts where the program passed a Pulumi secret (aidc/offline.py)."""

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

ANY_IPV4 = "0.0.0.0/0"
ANY_IPV6 = "::/0"

ADMIN_PORTS_DEFAULT = [22, 3389, 6443, 2379, 2380, 10250]
"""SSH, RDP, Kubernetes/K3s API, etcd client and peer, kubelet."""


def schema(properties: Mapping[str, Mapping[str, Any]]) -> PolicyConfigSchema:
    """A PolicyConfigSchema whose properties are JSON-schema objects with a `default`."""
    return PolicyConfigSchema(properties={k: dict(v) for k, v in properties.items()})


def config_of(args: Any, config_schema: PolicyConfigSchema | None) -> dict[str, Any]:
    """The schema's defaults overlaid with the policy's configured values.

    The Pulumi CLI already fills in schema defaults before it calls the pack; offline callers may pass
    only what they override, so the defaults are applied here too."""
    merged: dict[str, Any] = {}
    if config_schema is not None:
        for key, prop in config_schema.properties.items():
            if "default" in prop:
                merged[key] = prop["default"]
    merged.update(dict(args.get_config() or {}))
    return merged


def is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def get(props: Any, *path: Any, default: Any = None) -> Any:
    """props[path[0]][path[1]]…, or `default` when any step is missing or of the wrong shape."""
    value = props
    for key in path:
        if isinstance(key, int):
            if not is_list(value) or key >= len(value):
                return default
            value = value[key]
        else:
            if not is_mapping(value) or key not in value:
                return default
            value = value[key]
    return default if value is None else value


def as_list(value: Any) -> list[Any]:
    """A list prop as a plain list; a missing prop is empty; a scalar is a list of one."""
    if value is None:
        return []
    if is_list(value):
        return list(value)
    return [value]


def truthy(value: Any) -> bool:
    """Booleans as the engine may carry them: True, "true" (pulumi_aws types some flags as strings)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "enabled", "enable")
    return bool(value)


def is_secret_value(value: Any) -> bool:
    """A value the program marked secret: the offline marker, or pulumi_policy's Secret wrapper."""
    if isinstance(value, str) and value == SECRET_MARKER:
        return True
    return type(value).__name__ == "Secret" and type(value).__module__.startswith("pulumi_policy")


def tags_of(props: Any) -> dict[str, str]:
    """Tags as a dict: AWS `tags` maps, or OpenStack `tags` lists of "key=value" strings."""
    raw = get(props, "tags")
    if is_mapping(raw):
        return {str(k): str(v) for k, v in raw.items()}
    tags: dict[str, str] = {}
    for item in as_list(raw):
        if isinstance(item, str) and "=" in item:
            key, _, value = item.partition("=")
            tags[key] = value
    return tags


def short(urn: str | None) -> str:
    """The resource name at the end of a URN, for messages."""
    return (urn or "stack").split("::")[-1]


def is_open_cidr(cidr: Any) -> bool:
    """0.0.0.0/0 or ::/0 (or any prefix of length 0)."""
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


# --- How broad a source of admin traffic may be ---------------------------------------------------------------
# A set of sources is judged by the UNION of its networks, never by how it is spelled: 0.0.0.0/1 + 128.0.0.0/1
# is the whole IPv4 internet, ::/1 + 8000::/1 the whole IPv6 one. The union is too broad when it holds a block
# shorter than /8 (IPv4) or /32 (IPv6), or more publicly routable addresses than one such block: a /8 is the
# largest IPv4 block ever allocated to one organisation (a legacy class A), a /32 the standard IPv6 allocation
# to one network operator (RIPE-738). Addresses that are not publicly routable (IANA special-purpose registries:
# RFC 1918, CGNAT, loopback, link-local, documentation, multicast, reserved; in IPv6 everything outside
# 2000::/3, and 2001:db8::/32) do not count, so 10.0.0.0/8 + 172.16.0.0/12 + 192.168.0.0/16 passes.
# The table of addresses that are not publicly routable is aidc/contract.py's (the one module of aidc the pack
# imports, stdlib only); aidc/types.py applies the same rule to the config, and a test proves the two agree.
def broad_sources(cidrs: Iterable[Any]) -> str | None:
    """Why the union of `cidrs` is too broad a source for admin ports (see above), or None. Values that are
    not CIDRs (unknown in preview, secrets) are left out."""
    networks: list[Any] = []
    for cidr in cidrs:
        if isinstance(cidr, str):
            try:
                networks.append(ipaddress.ip_network(cidr, strict=False))
            except ValueError:
                continue
    for version, min_prefix in ADMIN_SOURCE_MIN_PREFIX.items():
        family: list[Any] = [n for n in networks if n.version == version]
        union = list(ipaddress.collapse_addresses(family))
        shown = ", ".join(str(n) for n in family)
        broad = [n for n in union if n.prefixlen < min_prefix]
        if broad:
            return f"{shown} (together {broad[0]}, wider than a /{min_prefix})"
        public = sum(public_addresses(n) for n in union)
        if public > 2 ** ((32 if version == 4 else 128) - min_prefix):
            return f"{shown} ({public:,} public addresses together, more than a /{min_prefix})"
    return None


def port_range_hits(low: Any, high: Any, ports: Iterable[int]) -> list[int]:
    """Which of `ports` fall in [low, high]; a missing bound means the whole range."""
    lo = 0 if low in (None, "") else int(float(low))
    hi = 65535 if high in (None, "") else int(float(high))
    if lo <= 0 and hi in (0, -1):  # AWS: from 0 to 0 with protocol -1 means all ports
        hi = 65535
    return [p for p in ports if lo <= p <= hi]


def resources_of(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def references(dependent: PolicyResource, prop: str, target: PolicyResource, id_props: Sequence[str]) -> bool:
    """Does `dependent.props[prop]` point at `target`?

    Under the real engine the stack policy sees property dependencies, so `bucket` of a
    BucketVersioning depends on the Bucket's URN. Offline (and in preview before ids exist) the value is
    compared with the target's own id-like props, and with Pulumi's auto-name `<name>-<7 hex>` that a
    physical name gets when the program does not set one."""
    deps = (dependent.property_dependencies or {}).get(prop) or []
    if any(d.urn == target.urn for d in deps):
        return True
    value = get(dependent.props, prop)
    if not isinstance(value, str) or not value:
        return False
    if value in {get(target.props, p) for p in id_props}:
        return True
    prefix = f"{target.name}-"
    suffix = value[len(prefix) :]
    return value.startswith(prefix) and len(suffix) == 7 and all(c in "0123456789abcdef" for c in suffix)
