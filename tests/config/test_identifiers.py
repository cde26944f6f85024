"""Hostile input to the identifiers, dates, subnets and keys a stack file holds: each is matched whole in ASCII
against the receiving service's own limits, and no refusal ever shows a private key.

Each class was wrongly accepted (or crashed) before: role ARNs with a trailing newline, Unicode digits, an
over-long path or a partition that is not the region's; add-on versions with Unicode digits; a reservation that
starts in the past; a /31 BGP peer range (a ValueError inside sizing); a private key pasted as the SSH public key,
refused but echoed to stderr."""

from __future__ import annotations

import datetime
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.cli import main
from aidc.config import ConfigError, parse_stack_config
from aidc.config.limits import AWS_PARTITIONS, partition_of_region, ssh_public_key_problem
from aidc.types import (
    AWS_PARTITION_NAMES,
    EKS_ADDON_VERSION,
    IAM_PATH_MAX,
    iam_role_arn_problem,
    redact_key_material,
)

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/aidc-deploy"


def problems_of(values: dict[str, Any], today: datetime.date | None = None) -> list[str]:
    try:
        parse_stack_config(values, today=today)
    except ConfigError as exc:
        return exc.problems
    return []


# --- IAM role ARNs ---------------------------------------------------------------------------------------------

name_chars = st.sampled_from(string.ascii_letters + string.digits + "_+=,.@-")
path_segments = st.lists(
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/"), min_size=1, max_size=20
    ),
    max_size=4,
)


@st.composite
def role_arns(draw: Any) -> str:
    partition = draw(st.sampled_from(AWS_PARTITION_NAMES))
    account = draw(st.text(st.sampled_from(string.digits), min_size=12, max_size=12))
    path = "/" + "".join(f"{segment}/" for segment in draw(path_segments))
    name = draw(st.text(name_chars, min_size=1, max_size=64))
    return f"arn:{partition}:iam::{account}:role{path}{name}"


def test_the_partitions_are_botocores() -> None:
    assert set(AWS_PARTITION_NAMES) == set(AWS_PARTITIONS)


@settings(max_examples=200)
@given(role_arns())
def test_every_role_arn_iam_accepts_is_accepted(arn: str) -> None:
    assert iam_role_arn_problem(arn) is None


@settings(max_examples=200)
@given(
    role_arns(),
    st.sampled_from(
        [
            lambda a: a + "\n",
            lambda a: a + "\r\n",
            lambda a: " " + a,
            lambda a: a.replace(ACCOUNT[:1], "١", 1) if ACCOUNT[:1] in a else a.replace(":role", ":rolé", 1),
            lambda a: a.rsplit("/", 1)[0] + "/" + "x" * 65,
            lambda a: a.replace(":iam::", ":iam::1", 1),
            lambda a: a.replace("role", "user", 1),
            lambda a: a.replace("arn:", "arn:aws-mars:", 1).replace("aws-mars:aws", "aws-mars", 1),
            lambda a: a + "é",
            lambda a: a.rsplit("/", 1)[0] + "/" + "p" * IAM_PATH_MAX + "/name",
        ]
    ),
)
def test_a_broken_role_arn_is_refused(arn: str, breakage: Any) -> None:
    broken = breakage(arn)
    if broken != arn:
        assert iam_role_arn_problem(broken) is not None, repr(broken)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (ROLE + "\n", "is not an IAM role ARN"),
        (ROLE.replace("1234", "١٢٣٤"), "is not an IAM role ARN"),
        (ROLE.replace("aidc-deploy", "aidc-déploy"), "is not an IAM role ARN"),
        (
            ROLE.replace("role/", "role/" + "p" * 511 + "/"),
            "the role's path is 513 characters; IAM allows at most 512",
        ),
        (ROLE.replace("aidc-deploy", "n" * 65), "the role name is 65 characters; IAM allows at most 64"),
        (ROLE.replace("arn:aws:", "arn:aws-moon:"), "unknown partition 'aws-moon'"),
    ],
)
def test_a_stack_file_with_a_broken_role_arn_names_the_key(arn: str, expected: str) -> None:
    [problem] = problems_of({"aidc:aws": {"access": {"deploy_role_arn": arn}}})
    assert problem.startswith("aidc:aws.access.deploy_role_arn: ") and expected in problem


def test_a_path_of_512_characters_is_the_limit() -> None:
    assert iam_role_arn_problem(ROLE.replace("role/", "role/" + "p" * 510 + "/")) is None


@pytest.mark.parametrize(
    ("region", "arn", "accepted"),
    [
        ("us-east-1", ROLE, True),
        ("cn-north-1", ROLE.replace("arn:aws:", "arn:aws-cn:"), True),
        ("us-gov-west-1", ROLE.replace("arn:aws:", "arn:aws-us-gov:"), True),
        ("us-east-1", ROLE.replace("arn:aws:", "arn:aws-cn:"), False),
        ("cn-northwest-1", ROLE, False),
        ("us-gov-east-1", ROLE, False),
        ("eu-west-1", ROLE.replace("arn:aws:", "arn:aws-us-gov:"), False),
    ],
)
def test_a_role_of_another_partition_than_the_region_is_refused(
    region: str, arn: str, accepted: bool
) -> None:
    problems = problems_of({"aws:region": region, "aidc:aws": {"access": {"admin_role_arn": arn}}})
    if accepted:
        assert problems == []
    else:
        [problem] = problems
        expected = partition_of_region(region)
        assert problem.startswith("aidc:aws.access.admin_role_arn: the ARN is in partition")
        assert f"region {region} is in partition {expected}" in problem


# --- EKS add-on build strings ----------------------------------------------------------------------------------

numbers = st.integers(0, 99_999).map(str)


@given(numbers, numbers, numbers, st.integers(1, 999))
def test_every_eks_build_string_is_accepted(major: str, minor: str, patch: str, build: int) -> None:
    version = f"v{major}.{minor}.{patch}-eksbuild.{build}"
    assert EKS_ADDON_VERSION.fullmatch(version)
    assert problems_of({"aidc:aws": {"addon_versions": {"coredns": version}}}) == []


@pytest.mark.parametrize(
    "version",
    [
        "v1.11.3-eksbuild.2\n",
        "v١.11.3-eksbuild.2",
        "v1.11.3-eksbuild.٢",
        "v1.11.3-eksbuild.0",
        "v01.11.3-eksbuild.2",
        "1.11.3-eksbuild.2",
        "v1.11-eksbuild.2",
        "v1.11.3-eksbuild",
        "v1.11.3",
        "v1.11.3-eksbuild.2 ",
    ],
)
def test_a_broken_eks_build_string_is_refused(version: str) -> None:
    [problem] = problems_of({"aidc:aws": {"addon_versions": {"coredns": version}}})
    assert problem.startswith(
        "aidc:aws.addon_versions.coredns: must be an EKS add-on version 'vX.Y.Z-eksbuild.N'"
    )


# --- A reservation's start date ---------------------------------------------------------------------------------

TODAY = datetime.date(2027, 3, 10)


def _reserved_run(start: str) -> dict[str, Any]:
    run = {
        "name": "reserved-run",
        "params": 7e9,
        "tokens": 1e11,
        "accelerator": "h100-80gb",
        "deadline_days": 7,
        "reserve": "capacity-block",
        "start_date": start,
    }
    return {"aidc:demand": {"training": [run]}}


@given(st.integers(-4000, 4000))
def test_a_start_date_before_today_is_refused_and_today_or_later_accepted(offset_days: int) -> None:
    start = TODAY + datetime.timedelta(days=offset_days)
    if not datetime.date(2020, 1, 1) <= start <= datetime.date(2100, 12, 31):
        return
    problems = problems_of(_reserved_run(start.isoformat()), today=TODAY)
    if offset_days < 0:
        [problem] = problems
        assert problem == (
            f"aidc:demand.training[0].start_date: {start.isoformat()} is in the past (today is 2027-03-10, UTC): "
            "a reservation starts on or after the day it is made; give today or a later day"
        )
    else:
        assert problems == []


def test_the_day_comes_from_AIDC_TODAY_or_the_utc_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDC_TODAY", "2027-03-10")
    assert problems_of(_reserved_run("2027-03-09")) != []
    assert problems_of(_reserved_run("2027-03-10")) == []
    monkeypatch.setenv("AIDC_TODAY", "2027-03-10\n")
    [problem] = problems_of(_reserved_run("2027-03-10"))
    assert "AIDC_TODAY" in problem and "is not a date YYYY-MM-DD" in problem
    monkeypatch.delenv("AIDC_TODAY")
    utc = datetime.datetime.now(datetime.UTC).date()
    assert problems_of(_reserved_run((utc - datetime.timedelta(days=2)).isoformat())) != []
    assert problems_of(_reserved_run((utc + datetime.timedelta(days=2)).isoformat())) == []


# --- Subnet sizes the code derives ------------------------------------------------------------------------------


@pytest.mark.parametrize("cidr", ["169.254.100.0/31", "169.254.100.4/32"])
def test_a_bgp_peer_range_too_small_for_one_peering_is_refused(cidr: str) -> None:
    dx = {"direct_connect": {"mode": "always", "bgp_peer_cidr": cidr}}
    [problem] = problems_of({"aidc:interconnect": dx})
    assert problem.startswith(f"aidc:interconnect.direct_connect.bgp_peer_cidr: {cidr} holds no /30")
    assert "each Direct Connect link needs one /30 BGP peering (at least 1" in problem


def test_a_slash_31_bgp_peer_range_is_bad_input_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Pulumi.dx.yaml"
    dx = {"direct_connect": {"mode": "always", "bgp_peer_cidr": "169.254.100.0/31"}}
    path.write_text(yaml.safe_dump({"config": {"aidc:interconnect": dx}}), encoding="utf-8")
    assert main(["size", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bgp_peer_cidr: 169.254.100.0/31 holds no /30" in err and "internal error" not in err


@given(st.integers(16, 30), st.integers(1, 70))
def test_every_accepted_bgp_peer_range_gives_its_peerings(prefix: int, links: int) -> None:
    import ipaddress

    cidr = str(ipaddress.ip_network(f"169.254.0.0/{prefix}"))
    problems = problems_of({"aidc:interconnect": {"direct_connect": {"bgp_peer_cidr": cidr}}})
    assert problems == []
    peerings = list(ipaddress.ip_network(cidr).subnets(new_prefix=30))
    assert len(peerings) == 2 ** (30 - prefix) >= 1


@settings(deadline=None)
@given(st.integers(16, 22), st.integers(2, 26))
def test_every_accepted_vpc_cuts_into_subnets_aws_takes(prefix: int, zones: int) -> None:
    from components.aws_gpu_cluster.network import subnet_cidrs

    vpc = f"10.0.0.0/{prefix}"
    azs = [f"us-east-1{chr(ord('a') + i)}" for i in range(zones)]
    problems = problems_of({"aidc:aws": {"vpc_cidr": vpc, "azs": azs}})
    private, public = subnet_cidrs(vpc, zones)
    longest = max(int(c.split("/")[1]) for c in private + public)
    assert (problems == []) == (longest <= 28), problems
    assert len(set(private + public)) == 2 * zones


# --- Keys pasted where a public key goes, and everywhere else ------------------------------------------------------

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl aidc@test"
SECRET_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ"


def private_keys(body: str) -> list[str]:
    return [
        f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n",
        f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----",
        f"-----BEGIN PRIVATE KEY-----\n{body}",  # cut before its END line
        f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}\n-----END ENCRYPTED PRIVATE KEY-----",
        f"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n{body}\n",
        f"{SECRET_BODY}{body}",  # an openssh-key-v1 body without its armour
    ]


def _windows(text: str, width: int = 12) -> set[str]:
    return {text[i : i + width] for i in range(0, max(1, len(text) - width + 1))}


def assert_nothing_of(secret: str, output: str) -> None:
    body = "".join(secret.split("\n")[1:2]) or secret
    leaked = {w for w in _windows(body) if w in output}
    assert not leaked, f"key material in the refusal: {sorted(leaked)[:3]}"


def test_a_public_key_is_accepted() -> None:
    assert ssh_public_key_problem(PUBLIC_KEY) is None
    assert ssh_public_key_problem(PUBLIC_KEY + "\n") is None, (
        "a YAML block scalar's newline, as Nova takes it"
    )
    assert problems_of({"aidc:openstack": {"ssh_public_key": PUBLIC_KEY}}) == []


@pytest.mark.parametrize(
    "value",
    [
        PUBLIC_KEY + "\n\n",
        PUBLIC_KEY + "\n" + PUBLIC_KEY,
        "\n" + PUBLIC_KEY,
        PUBLIC_KEY.replace("ssh-ed25519", "ssh-rsa"),
        PUBLIC_KEY.replace("AAAAC3", "AAAAC4"),
        "ssh-ed25519 not-base64! aidc",
        "ssh-ed25519",
        "ecdsa-sha2-nistp999 AAAA",
    ],
)
def test_a_broken_public_key_is_refused_without_quoting_it(value: str) -> None:
    [problem] = problems_of({"aidc:openstack": {"ssh_public_key": value}})
    assert problem.startswith("aidc:openstack.ssh_public_key: ")
    assert "AAAAC3NzaC1l" not in problem and "aidc@test" not in problem


@settings(max_examples=60)
@given(st.text(st.sampled_from(string.ascii_letters + string.digits + "+/"), min_size=24, max_size=200))
def test_a_private_key_is_refused_and_never_shown(body: str) -> None:
    for secret in private_keys(body):
        [problem] = problems_of({"aidc:openstack": {"ssh_public_key": secret}})
        assert "looks like a PRIVATE key (not shown here)" in problem
        assert_nothing_of(secret, problem)


KEYS_A_KEY_MAY_BE_PASTED_INTO = [
    {"aws:region": None},
    {"aidc:openstack": {"image": None}},
    {"aidc:openstack": {"region": None}},
    {"aidc:aws": {"tags": {"owner": None}}},
    {"aidc:aws": {"access": {"deploy_role_arn": None}}},
    {"aidc:aws": {"addon_versions": {"coredns": None}}},
    {"aidc:demand": {"training": [{"name": None}]}},
    {"aidc:openstack": {"dns_nameservers": [None]}},
    {"aidc:ceph": {"ceph_image": None}},
    {"aidc:vpn": {"encryption": None}},
]


def _place(template: Any, secret: str) -> Any:
    if template is None:
        return secret
    if isinstance(template, dict):
        return {k: _place(v, secret) for k, v in template.items()}
    return [_place(v, secret) for v in template]


@pytest.mark.parametrize("where", KEYS_A_KEY_MAY_BE_PASTED_INTO, ids=lambda w: next(iter(w)))
def test_a_private_key_pasted_into_any_key_is_never_shown(
    where: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for secret in private_keys("Zm9vYmFyc2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"):
        path = tmp_path / "Pulumi.leak.yaml"
        path.write_text(yaml.safe_dump({"config": _place(where, secret)}), encoding="utf-8")
        code = main(["size", "--config", str(path)])
        captured = capsys.readouterr()
        assert code == 2, "a private key anywhere in a stack file is refused"
        assert "looks like a PRIVATE key (not shown here)" in captured.err
        assert_nothing_of(secret, captured.err + captured.out)


def test_the_components_refusal_does_not_quote_the_key_either() -> None:
    from pydantic import ValidationError

    from aidc.types import field_messages
    from components.openstack_private_cloud.args import _ssh_key_input

    for secret in private_keys(SECRET_BODY):
        with pytest.raises(ValueError, match="OpenSSH public key") as caught:
            _ssh_key_input(secret)
        assert_nothing_of(secret, str(caught.value))
    # Through the Args model too: pydantic's own error text and aidc's one-line rendering of it.
    from components.openstack_private_cloud import OpenStackPrivateCloudArgs

    for secret in private_keys(SECRET_BODY):
        with pytest.raises(ValidationError) as refused:
            OpenStackPrivateCloudArgs.model_validate({"ssh_public_key": secret})
        assert_nothing_of(secret, "\n".join(field_messages(refused.value)))


@given(st.text(min_size=0, max_size=300))
def test_redaction_never_grows_a_secret_and_keeps_ordinary_text(text: str) -> None:
    redacted = redact_key_material(text)
    if (
        "PRIVATE KEY-----" not in text
        and "b3BlbnNzaC1rZXktdjE" not in text
        and "PuTTY-User-Key-File-" not in text
    ):
        assert redacted == text
