"""Identifier rules (policies/identifiers.py): a violating and a compliant resource each, built by hand; the
pack's grammars agree with aidc's (which the pack may not import); every shipped stack's plan obeys them."""

from __future__ import annotations

import datetime
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.config.limits import ssh_public_key_problem
from aidc.types import EKS_ADDON_VERSION, iam_role_arn_problem
from policies import identifiers
from tests.policies.policy_helpers import check_resource

ROLE = "arn:aws:iam::123456789012:role/ci/aidc-deploy"
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl aidc@test"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("arn", "violates"),
    [
        (ROLE, False),
        ("arn:aws-cn:iam::123456789012:user/alice", False),
        (ROLE + "\n", True),
        (ROLE.replace("1234", "١٢٣٤"), True),
        (ROLE.replace("ci/", "p" * 520 + "/"), True),
        (ROLE.replace("aidc-deploy", "n" * 65), True),
        ("arn:aws:sts::123456789012:assumed-role/aidc-deploy/ci", True),
        (ROLE.replace("arn:aws:", "arn:aws-moon:"), True),
    ],
)
def test_eks_access_entry_principal(arn: str, violates: bool) -> None:
    messages = check_resource(identifiers.eks_principal_arn, identifiers.ACCESS_ENTRY, {"principalArn": arn})
    assert bool(messages) == violates, messages
    if violates:
        assert "EKS refuses it" in messages[0]


@pytest.mark.parametrize(
    ("version", "violates"),
    [
        ("v1.19.0-eksbuild.1", False),
        ("v1.19.0-eksbuild.1\n", True),
        ("v1.١9.0-eksbuild.1", True),
        ("v1.19.0", True),
        ("latest", True),
    ],
)
def test_eks_addon_version(version: str, violates: bool) -> None:
    messages = check_resource(identifiers.eks_addon_build, identifiers.ADDON, {"addonVersion": version})
    assert bool(messages) == violates, messages


@pytest.mark.parametrize(
    ("key", "violates"),
    [
        (PUBLIC_KEY, False),
        (PUBLIC_KEY + "\n", False),
        (PRIVATE_KEY, True),
        (PUBLIC_KEY + "\n" + PUBLIC_KEY, True),
        ("ssh-rsa AAAA", True),
    ],
)
def test_keypair_holds_a_public_key_only_and_never_quotes_it(key: str, violates: bool) -> None:
    messages = check_resource(identifiers.keypair_public_key, identifiers.KEYPAIR, {"publicKey": key})
    assert bool(messages) == violates, messages
    assert all("b3BlbnNzaC1rZXkt" not in m and "AAAAC3Nza" not in m for m in messages)


@pytest.mark.parametrize(
    ("amazon", "customer", "violates"),
    [
        ("169.254.100.1/30", "169.254.100.2/30", False),
        ("169.254.100.1/31", "169.254.100.0/31", True),
        ("169.254.100.1/30", "169.254.100.6/30", True),
        ("169.254.100.0/30", "169.254.100.2/30", True),
        ("169.254.100.1/30", "169.254.100.1/30", True),
        ("169.254.100.1", None, True),
    ],
)
def test_direct_connect_peering_is_one_slash_30(amazon: str, customer: str | None, violates: bool) -> None:
    props = {"amazonAddress": amazon, "customerAddress": customer}
    messages = check_resource(identifiers.direct_connect_peering, identifiers.TRANSIT_VIF, props)
    assert bool(messages) == violates, messages


@pytest.mark.parametrize(("days", "violates"), [(10, False), (0, True), (-3, True)])
def test_a_reservation_ends_in_the_future(days: int, violates: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDC_TODAY", "2027-03-10")
    end = (datetime.date(2027, 3, 10) + datetime.timedelta(days=days)).isoformat() + "T00:00:00Z"
    props = {"endDateType": "limited", "endDate": end}
    messages = check_resource(identifiers.reservation_in_the_future, identifiers.CAPACITY_RESERVATION, props)
    assert bool(messages) == violates, messages
    assert not check_resource(
        identifiers.reservation_in_the_future, identifiers.CAPACITY_RESERVATION, {"endDateType": "unlimited"}
    )


# --- The pack and aidc agree ------------------------------------------------------------------------------------


@given(st.text(st.sampled_from(string.printable + "١é"), max_size=120))
def test_the_packs_role_grammar_is_aidcs(tail: str) -> None:
    arn = f"arn:aws:iam::123456789012:role/{tail}"
    assert (identifiers.principal_problem(arn) is None) == (iam_role_arn_problem(arn) is None), repr(arn)


@given(st.from_regex(r"v[0-9١]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}-eksbuild\.[0-9]{1,3}\n?", fullmatch=True))
def test_the_packs_addon_grammar_is_aidcs(version: str) -> None:
    assert bool(identifiers.EKS_ADDON_VERSION.fullmatch(version)) == bool(
        EKS_ADDON_VERSION.fullmatch(version)
    )


@given(
    st.sampled_from([PUBLIC_KEY, PRIVATE_KEY, PUBLIC_KEY + "\n", "ssh-rsa AAAA", ""]), st.text(max_size=20)
)
def test_the_packs_key_check_is_aidcs(key: str, comment: str) -> None:
    value = f"{key} {comment}" if key == PUBLIC_KEY and comment.isprintable() and comment.isascii() else key
    assert (identifiers.ssh_key_problem(value) is None) == (ssh_public_key_problem(value) is None)


def test_every_identifier_rule_is_mandatory_and_in_the_pack() -> None:
    from policies import ALL_POLICIES, MANDATORY

    names = {p.name for p in identifiers.POLICIES}
    assert names <= {p.name for p in ALL_POLICIES} and names <= MANDATORY
