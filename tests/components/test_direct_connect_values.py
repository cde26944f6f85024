"""Every value the Direct Connect resources carry is one AWS accepts, by the botocore service model.

Mocks accept anything; AWS does not. The directconnect model types most of these members as plain strings and
states the allowed values in their documentation, so the rules are read from that text: the members used are
vendored verbatim in upstream/botocore-directconnect-values.json (repository boto/botocore, its tag and path),
and the vendored text is compared with the installed botocore when it is that version. Each rule is proven by a
deliberately wrong value it rejects. The values checked come from real offline plans: the seed's e-commerce
stack (MACsec on 400 Gbps LAGs) and dev variants with IPsec over Direct Connect and hosted connections.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.loaders import Loader

from aidc.config import parse_stack_config
from aidc.config.load import read_config_values, stack_file
from aidc.offline import run_program
from aidc.sizing import size_stack
from components import direct_connect as dx_component
from stacks.program import deploy

VENDORED = Path(__file__).parent / "upstream" / "botocore-directconnect-values.json"
UPSTREAM = json.loads(VENDORED.read_text())
DOCS: dict[str, str] = {k: re.sub(r"<[^>]+>", "", v) for k, v in UPSTREAM["members"].items()}


def test_vendored_text_matches_the_installed_botocore() -> None:
    if botocore.__version__ != UPSTREAM["tag"]:
        pytest.skip(f"installed botocore {botocore.__version__}, vendored {UPSTREAM['tag']}")
    shapes = Loader().load_service_model("directconnect", "service-2")["shapes"]
    for key, text in UPSTREAM["members"].items():
        shape, member = key.split(".")
        assert shapes[shape]["members"][member]["documentation"] == text, key
    assert shapes["AddressFamily"]["enum"] == UPSTREAM["enums"]["AddressFamily"]


# --- the rules, as botocore states them ------------------------------------------------------------------------
def _speeds(key: str) -> set[str]:
    return set(re.findall(r"\d+[GM]bps", DOCS[key].replace(" ", "")))


DEDICATED = _speeds("CreateLagRequest.connectionsBandwidth")
HOSTED = _speeds("AllocateHostedConnectionRequest.bandwidth")
ENCRYPTION_MODES = set(re.findall(r"\b[a-z]+_encrypt\b", DOCS["UpdateConnectionRequest.encryptionMode"]))
ADDRESS_FAMILIES = set(UPSTREAM["enums"]["AddressFamily"])
MTUS = {int(v) for v in re.findall(r"\b\d{4}\b", DOCS["NewTransitVirtualInterface.mtu"])}
AUTH_KEY_LENGTH = tuple(
    int(v) for v in re.findall(r"(\d+) characters", DOCS["NewTransitVirtualInterface.authKey"])
)
ASN_MAX = int(re.search(r"from 1 to (\d+)", DOCS["NewTransitVirtualInterface.asn"]).group(1))  # type: ignore[union-attr]
ASN_LONG_MAX = int(re.search(r"from 1 to (\d+)", DOCS["NewTransitVirtualInterface.asnLong"]).group(1))  # type: ignore[union-attr]
PRIVATE_ASN = [
    tuple(int(n.replace(",", "")) for n in pair)
    for pair in re.findall(r"([\d,]+) to ([\d,]+)", DOCS["CreateDirectConnectGatewayRequest.amazonSideAsn"])
]
KEY_CHARS = re.search(r"\((\d)-(\d), ([A-Z])-([A-Z])\)", DOCS["AssociateMacSecKeyRequest.ckn"]).groups()  # type: ignore[union-attr]
KEY_LENGTH = int(re.search(r"(\d+) hexadecimal", DOCS["AssociateMacSecKeyRequest.cak"]).group(1))  # type: ignore[union-attr]
LAG_TEXT = DOCS["CreateLagRequest.numberOfConnections"]
PUBLIC_ASN_MAX = int(re.search(r"from 1 to (\d+)", DOCS["NewPublicVirtualInterface.asn"]).group(1))  # type: ignore[union-attr]
PUBLIC_AUTH_KEY_LENGTH = tuple(
    int(v) for v in re.findall(r"(\d+) characters", DOCS["NewPublicVirtualInterface.authKey"])
)
NAME_MAX = int(
    re.search(r"maximum of (\d+) characters", DOCS["NewPublicVirtualInterface.virtualInterfaceName"]).group(1)
)  # type: ignore[union-attr]
NAME_CHARS = re.search(
    r"valid characters: ([a-z])-([a-z]), (\d)-(\d) and a hyphen",
    DOCS["NewPublicVirtualInterface.virtualInterfaceName"],
).groups()  # type: ignore[union-attr]
IPV6_PREFIX_MAX = int(
    re.search(r"IPv6 CIDR must use /(\d+) or shorter", DOCS["RouteFilterPrefix.cidr"]).group(1)
)  # type: ignore[union-attr]


def _lag_max() -> dict[str, int]:
    words = {"two": 2, "four": 4}
    found: dict[str, int] = {}
    for count, speeds in re.findall(
        r"(four|two)(?: connections)? when the port speed is ([\dGbps or]+)", LAG_TEXT
    ):
        for speed in re.findall(r"\d+Gbps", speeds):
            found[speed] = words[count]
    return found


def test_the_rules_were_read() -> None:
    """A rule that reads nothing cannot fail: pin what the text says (botocore 1.43)."""
    assert {"1Gbps", "10Gbps", "100Gbps", "400Gbps"} == DEDICATED
    assert {"1Gbps", "2Gbps", "5Gbps", "10Gbps", "25Gbps"} <= HOSTED
    assert {"no_encrypt", "should_encrypt", "must_encrypt"} == ENCRYPTION_MODES
    assert {"ipv4", "ipv6"} == ADDRESS_FAMILIES and {1500, 8500} == MTUS
    assert AUTH_KEY_LENGTH == (6, 80) and (ASN_MAX, ASN_LONG_MAX) == (2147483646, 4294967294)
    assert PRIVATE_ASN == [(64512, 65534), (4200000000, 4294967294)]
    assert KEY_CHARS == ("0", "9", "A", "E") and KEY_LENGTH == 64
    assert _lag_max() == {"1Gbps": 4, "10Gbps": 4, "100Gbps": 2, "400Gbps": 2}
    assert (PUBLIC_ASN_MAX, PUBLIC_AUTH_KEY_LENGTH, NAME_MAX) == (2147483646, (6, 80), 100)
    assert NAME_CHARS == ("a", "z", "0", "9") and IPV6_PREFIX_MAX == 64
    assert (
        DOCS["NewTransitVirtualInterface.virtualInterfaceName"]
        == DOCS["NewPublicVirtualInterface.virtualInterfaceName"]
    )


def _key(value: str) -> bool:
    low, high, first, last = KEY_CHARS
    return bool(re.fullmatch(f"[{low}-{high}{first}-{last}]{{{KEY_LENGTH}}}", value))


# Each check returns a reason when AWS would refuse the value, else None.
Check = Callable[[Any], str | None]


def _in(allowed: set[Any], what: str) -> Check:
    return lambda v: None if v in allowed else f"{what} {v!r} not in {sorted(allowed)}"


def _asn(v: Any) -> str | None:
    return None if 1 <= int(v) <= ASN_MAX else f"asn {v} outside 1..{ASN_MAX} (use asnLong)"


def _asn_long(v: Any) -> str | None:
    return None if 1 <= int(v) <= ASN_LONG_MAX else f"asnLong {v} outside 1..{ASN_LONG_MAX}"


def _private_asn(v: Any) -> str | None:
    return None if any(lo <= int(v) <= hi for lo, hi in PRIVATE_ASN) else f"amazon side ASN {v} not private"


def _macsec_key(v: Any) -> str | None:
    return None if _key(str(v)) else f"MACsec key {v!r} is not {KEY_LENGTH} of {KEY_CHARS}"


def _vif_name(v: Any) -> str | None:
    low, high, first, last = NAME_CHARS
    ok = len(str(v)) <= NAME_MAX and re.fullmatch(f"[{low}-{high}{first}-{last}-]+", str(v), re.ASCII)
    return None if ok else f"virtual interface name {v!r}: at most {NAME_MAX} of a-z, 0-9 and -"


def _route_filter_prefixes(v: Any) -> str | None:
    import ipaddress

    for prefix in v or []:
        try:
            if "/" not in str(prefix):  # "The CIDR block": an address with its prefix length
                raise ValueError(prefix)
            network = ipaddress.ip_network(str(prefix), strict=True)
        except ValueError:
            return f"route filter prefix {prefix!r} is not a CIDR block"
        if network.version == 6 and network.prefixlen > IPV6_PREFIX_MAX:
            return f"route filter prefix {prefix!r}: an IPv6 CIDR must use /{IPV6_PREFIX_MAX} or shorter"
    return None if v else "a public virtual interface advertises at least one prefix"


def _public_asn(v: Any) -> str | None:
    return None if 1 <= int(v) <= PUBLIC_ASN_MAX else f"asn {v} outside 1..{PUBLIC_ASN_MAX} (use asnLong)"


CHECKS: dict[str, dict[str, Check]] = {
    "aws:directconnect/connection:Connection": {
        "bandwidth": _in(DEDICATED, "dedicated bandwidth"),
        "encryptionMode": _in(ENCRYPTION_MODES, "encryption mode"),
    },
    "aws:directconnect/linkAggregationGroup:LinkAggregationGroup": {
        "connectionsBandwidth": _in(DEDICATED, "LAG bandwidth"),
    },
    "aws:directconnect/transitVirtualInterface:TransitVirtualInterface": {
        "addressFamily": _in(ADDRESS_FAMILIES, "address family"),
        "mtu": lambda v: _in(MTUS, "MTU")(int(v)),
        "bgpAsn": _asn,
        "bgpAsnLong": _asn_long,
        "name": _vif_name,
    },
    "aws:directconnect/publicVirtualInterface:PublicVirtualInterface": {
        "addressFamily": _in(ADDRESS_FAMILIES, "address family"),
        "bgpAsn": _public_asn,
        "bgpAsnLong": _asn_long,
        "name": _vif_name,
        "routeFilterPrefixes": _route_filter_prefixes,
    },
    "aws:directconnect/gateway:Gateway": {"amazonSideAsn": _private_asn},
}


def violations(resources: list[dict[str, Any]]) -> list[str]:
    """What AWS would refuse in a plan's Direct Connect resources (the LAG sizes included)."""
    found: list[str] = []
    lag_max = _lag_max()
    members: dict[str, int] = {}
    for resource in resources:
        for prop, check in CHECKS.get(resource["type"], {}).items():
            if prop in resource["inputs"] and (reason := check(resource["inputs"][prop])):
                found.append(f"{resource['name']}: {reason}")
        if resource["type"] == "aws:directconnect/connectionAssociation:ConnectionAssociation":
            members[resource["inputs"]["lagId"]] = members.get(resource["inputs"]["lagId"], 0) + 1
    bandwidth = {
        r["inputs"].get("connectionsBandwidth")
        for r in resources
        if r["type"] == "aws:directconnect/linkAggregationGroup:LinkAggregationGroup"
    }
    for lag, count in members.items():
        for speed in bandwidth:
            if count > lag_max.get(str(speed), 0):
                found.append(
                    f"{lag}: {count} connections in a LAG of {speed} (max {lag_max.get(str(speed))})"
                )
    return found


# --- values from real offline plans -----------------------------------------------------------------------------
def _dev_with(direct_connect: dict[str, Any], volume_gb: float = 90_000) -> dict[str, Any]:
    values = copy.deepcopy(read_config_values(stack_file("dev")))
    values["aidc:demand"]["transfer"][0]["volume_gb"] = volume_gb  # 50 Gbps over its 4 h window
    values["aidc:interconnect"] = {"direct_connect": direct_connect}
    return values


VARIANTS: dict[str, Callable[[], dict[str, Any]]] = {
    "ecommerce": lambda: read_config_values(stack_file("ecommerce")),
    "dev-ipsec": lambda: _dev_with({"mode": "always", "macsec": False, "vpn_peer_ip": "10.99.0.10"}),
    "dev-hosted": lambda: _dev_with(
        {
            "mode": "always",
            "hosted": True,
            "port_gbps": 25,
            "vpn_peer_ip": "10.99.0.10",
            "hosted_connection_ids": ["dxcon-aaaa0001", "dxcon-aaaa0002", "dxcon-aaaa0003"],
        }
    ),
}


@cache
def _planned(variant: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    values = VARIANTS[variant]()
    cfg = parse_stack_config(values, stack=variant)
    plan = size_stack(cfg)
    offline = run_program(variant, lambda: deploy(cfg, plan))
    return offline.resources, offline.exports


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_direct_connect_value_is_one_aws_accepts(variant: str) -> None:
    resources, _ = _planned(variant)
    assert any(r["type"].startswith("aws:directconnect/") for r in resources), variant
    assert violations(resources) == []
    if variant == "ecommerce":  # the public virtual interfaces were checked, not absent
        assert (
            sum(r["type"].endswith("publicVirtualInterface:PublicVirtualInterface") for r in resources) == 6
        )


def test_component_constants_agree_with_botocore() -> None:
    assert set(dx_component.DEDICATED_BANDWIDTHS) == DEDICATED
    assert set(dx_component.HOSTED_BANDWIDTHS) <= HOSTED
    assert _lag_max() == dx_component.LAG_MAX_CONNECTIONS
    assert dx_component.ENCRYPTION_MODE in ENCRYPTION_MODES
    assert dx_component.ADDRESS_FAMILY in ADDRESS_FAMILIES
    assert AUTH_KEY_LENGTH[0] <= dx_component.BGP_KEY_LENGTH <= AUTH_KEY_LENGTH[1]
    low, high, first, last = KEY_CHARS
    assert set(dx_component.MACSEC_KEY_ALPHABET) == {chr(c) for c in range(ord(low), ord(high) + 1)} | {
        chr(c) for c in range(ord(first), ord(last) + 1)
    }
    assert dx_component.MACSEC_KEY_LENGTH == KEY_LENGTH


def test_macsec_keys_the_mocks_generate_have_the_documented_form() -> None:
    from aidc.mocks.random_ import deterministic_result

    key = deterministic_result(
        "random:index/randomPassword:RandomPassword",
        "dx-link-0-ckn",
        {
            "length": 64,
            "upper": False,
            "lower": False,
            "numeric": True,
            "special": True,
            "overrideSpecial": "ABCDE",
        },
    )
    assert _macsec_key(key) is None


@pytest.mark.parametrize(
    ("token", "prop", "wrong"),
    [
        ("aws:directconnect/connection:Connection", "bandwidth", "40Gbps"),
        ("aws:directconnect/connection:Connection", "bandwidth", "400 Gbps"),
        ("aws:directconnect/connection:Connection", "encryptionMode", "encrypt"),
        ("aws:directconnect/linkAggregationGroup:LinkAggregationGroup", "connectionsBandwidth", "25Gbps"),
        ("aws:directconnect/transitVirtualInterface:TransitVirtualInterface", "addressFamily", "IPv4"),
        ("aws:directconnect/transitVirtualInterface:TransitVirtualInterface", "mtu", 9001),
        ("aws:directconnect/transitVirtualInterface:TransitVirtualInterface", "bgpAsn", 4200000000),
        ("aws:directconnect/gateway:Gateway", "amazonSideAsn", "65535"),
        ("aws:directconnect/transitVirtualInterface:TransitVirtualInterface", "name", "dx_link_0_vif"),
        ("aws:directconnect/publicVirtualInterface:PublicVirtualInterface", "name", "DX-link-0-public-vif"),
        ("aws:directconnect/publicVirtualInterface:PublicVirtualInterface", "name", "x" * 101),
        (
            "aws:directconnect/publicVirtualInterface:PublicVirtualInterface",
            "routeFilterPrefixes",
            ["198.51.100.0"],
        ),
        (
            "aws:directconnect/publicVirtualInterface:PublicVirtualInterface",
            "routeFilterPrefixes",
            ["2001:db8::/96"],
        ),
        ("aws:directconnect/publicVirtualInterface:PublicVirtualInterface", "routeFilterPrefixes", []),
        ("aws:directconnect/publicVirtualInterface:PublicVirtualInterface", "addressFamily", "inet"),
        ("aws:directconnect/publicVirtualInterface:PublicVirtualInterface", "bgpAsn", 4200000000),
    ],
)
def test_a_wrong_value_is_caught(token: str, prop: str, wrong: Any) -> None:
    resources, _ = _planned("ecommerce")
    broken = copy.deepcopy(resources)
    target = next(r for r in broken if r["type"] == token)
    target["inputs"][prop] = wrong
    assert [v for v in violations(broken) if v.startswith(target["name"])], (token, prop, wrong)


def test_a_lag_of_three_400g_ports_is_caught() -> None:
    resources, _ = _planned("ecommerce")
    broken = copy.deepcopy(resources)
    association = next(r for r in broken if r["type"].endswith("connectionAssociation:ConnectionAssociation"))
    extra = copy.deepcopy(association)
    extra["name"] += "-extra"
    broken.append(extra)
    assert violations(resources) == []
    assert any(v.startswith(association["inputs"]["lagId"]) for v in violations(broken))


@pytest.mark.parametrize("wrong", ["F" * 64, "0" * 63, "a" * 64])
def test_a_wrong_macsec_key_is_caught(wrong: str) -> None:
    assert _macsec_key(wrong) is not None
