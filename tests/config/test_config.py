"""Stack configuration: every shipped stack validates; bad input gives one clear message with the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidc.config import ConfigError, load_config_file, load_stack_config, parse_stack_config
from tests.stacks_list import SHIPPED_STACKS


def test_all_seven_stacks_are_shipped() -> None:
    assert set(SHIPPED_STACKS) >= {
        "dev",
        "staging",
        "prod",
        "ecommerce",
        "smart-city",
        "finance-risk",
        "medical-imaging",
    }


@pytest.mark.parametrize("name", SHIPPED_STACKS)
def test_shipped_stack_validates(name: str) -> None:
    cfg = load_stack_config(name)
    assert cfg.stack == name
    if cfg.estate.role == "shard":  # its demand and sites are its core's
        assert cfg.estate.core is not None and load_stack_config(cfg.estate.core).estate.role == "core"
    else:
        assert cfg.demand.training or cfg.demand.inference


def test_defaults_are_the_secure_ones() -> None:
    cfg = parse_stack_config({})
    assert cfg.aws.endpoint_public_access is False
    assert cfg.openstack.admin_cidrs == ()
    assert (cfg.vpn.ike_version, cfg.vpn.encryption, cfg.vpn.integrity) == ("ikev2", "aes256-gcm", "sha256")
    assert cfg.vpn.dh_group >= 14
    assert cfg.demand.storage.protection.replicas == 3
    assert cfg.k3s.secrets_encryption is True
    assert cfg.aws.zones == ("us-east-1a", "us-east-1b")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {
                "aidc:demand": {
                    "training": [
                        {
                            "name": "a",
                            "params": 1e9,
                            "tokens": 1e9,
                            "accelerator": "h100-80gb",
                            "deadline_days": 1,
                            "mfu": 1.5,
                        }
                    ]
                }
            },
            "aidc:demand.training[0].mfu: input should be less than or equal to 1, got 1.5",
        ),
        (
            {
                "aidc:demand": {
                    "training": [
                        {
                            "name": "a",
                            "params": 1e9,
                            "tokens": 1e9,
                            "accelerator": "tpu-v5",
                            "deadline_days": 1,
                        }
                    ]
                }
            },
            "aidc:demand.training[0].accelerator: unknown accelerator 'tpu-v5'; allowed: a10-24gb, a100-40gb",
        ),
        (
            {
                "aidc:demand": {
                    "inference": [
                        {
                            "name": "a",
                            "peak_tokens_per_s": -5,
                            "tokens_per_s_per_gpu": 10,
                            "accelerator": "l4-24gb",
                        }
                    ]
                }
            },
            "aidc:demand.inference[0].peak_tokens_per_s: input should be greater than or equal to 0.001, got -5",
        ),
        (
            {"aidc:demand": {"storage": {"protection": {"erasure": {"k": 4, "m": 0}}}}},
            "aidc:demand.storage.protection.erasure.m: input should be greater than or equal to 1, got 0",
        ),
        (
            {"aidc:demand": {"storage": {"protection": {}}}},
            "aidc:demand.storage.protection: give exactly one of {replicas: n} or {erasure: {k, m}}",
        ),
        (
            {"aidc:demand": {"storage": {"datasets_tb": 1, "colour": "blue"}}},
            "aidc:demand.storage.colour: unknown key",
        ),
        (
            {"aidc:capacity": {"private": {"gpus": {"h100-80gb": -8}}}},
            "aidc:capacity.private.gpus: h100-80gb: GPU count must be >= 0, got -8",
        ),
        (
            {"aidc:capacity": {"public": {"max_instances": {"p9.huge": 1}}}},
            "aidc:capacity.public.max_instances: unknown instance type 'p9.huge'; allowed: a2-highgpu-1g",
        ),
        ({"aidc:vpn": {"dh_group": 5}}, "aidc:vpn.dh_group: must be one of 2, 14, 15"),
        ({"aidc:vpn": {"encryption": "3des"}}, "aidc:vpn.encryption: must be one of 'aes128', 'aes256'"),
        ({"aidc:k3s": {"core_servers": 2}}, "aidc:k3s.core_servers: must be one of 1 or 3, got 2"),
        (
            {"aidc:edge": {"sites": [{"name": "a", "share": 0.5, "accelerator": "l4-24gb"}]}},
            "aidc:edge: site shares must add up to 1, they add up to 0.5",
        ),
        (
            {"aidc:openstack": {"admin_cidrs": ["10.0.0.0/33"]}},
            "aidc:openstack.admin_cidrs[0]: '10.0.0.0/33' is not",
        ),
        ({"aidc:demand": {"training": "lots"}}, "aidc:demand.training: must be a list, got str"),
        (
            {
                "aidc:demand": {
                    "training": [
                        {
                            "name": "Big Run",
                            "params": 1,
                            "tokens": 1,
                            "accelerator": "l4-24gb",
                            "deadline_days": 1,
                        }
                    ]
                }
            },
            "aidc:demand.training[0].name: 'Big Run' is not a name",
        ),
        ({"aidc:colour": {}}, "aidc:colour: unknown key; allowed: aidc:demand"),
        (
            {
                "aidc:demand": {
                    "inference": [
                        {
                            "name": "a",
                            "peak_tokens_per_s": 5,
                            "tokens_per_s_per_gpu": 10,
                            "accelerator": "l4-24gb",
                            "model_params": 7e9,
                            "edge_fraction": 0.5,
                        }
                    ]
                }
            },
            "needs aidc:edge.sites",
        ),
    ],
)
def test_bad_input_names_the_key_path_and_allowed_values(values: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values)
    assert any(expected in problem for problem in info.value.problems), info.value.problems


def test_duplicate_workload_names_are_refused() -> None:
    run = {"name": "same", "params": 1e9, "tokens": 1e9, "accelerator": "l4-24gb", "deadline_days": 1}
    with pytest.raises(ConfigError, match="duplicate workload name 'same'"):
        parse_stack_config({"aidc:demand": {"training": [run, run]}})


def test_file_errors_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("config: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config_file(bad)
    flat = tmp_path / "flat.yaml"
    flat.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="top-level `config:` mapping"):
        load_config_file(flat)
    with pytest.raises(ConfigError, match=r"no stack 'nope'.*known stacks: .*dev"):
        load_stack_config("nope")


def test_json_string_values_are_accepted() -> None:
    cfg = parse_stack_config({"aidc:vpn": '{"dh_group": 21}'})
    assert cfg.vpn.dh_group == 21


def test_edge_networks_are_stable_and_distinct() -> None:
    sites = [{"name": n, "share": 0.25, "accelerator": "l4-24gb"} for n in ("north", "south", "east", "west")]
    cfg = parse_stack_config({"aidc:edge": {"sites": sites}})
    cidrs = {name: site.network_cidr for name, site in cfg.edge_layout.items()}
    assert len(set(cidrs.values())) == 4
    # A provisional network starts at the site's home block (from its name): adding a site leaves the others.
    fewer = parse_stack_config({"aidc:edge": {"sites": [dict(sites[0], share=1.0)]}})
    assert fewer.edge_layout["north"].network_cidr == cidrs["north"]


def test_overlapping_networks_across_clouds_are_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"aidc:aws.vpc_cidr \(10.20.0.0/16\) and aidc:openstack.network_cidr"
    ):
        parse_stack_config({"aidc:aws": {"vpc_cidr": "10.20.0.0/16"}})
    site = {"name": "a", "share": 1.0, "accelerator": "l4-24gb", "network_cidr": "10.20.5.0/24"}
    with pytest.raises(ConfigError, match="overlap"):
        parse_stack_config({"aidc:edge": {"sites": [site]}})


def test_eks_access_roles_default_to_none_and_validate_as_iam_role_arns() -> None:
    assert parse_stack_config({}).aws.access.deploy_role_arn is None
    cfg = parse_stack_config(
        {
            "aidc:aws": {
                "access": {
                    "deploy_role_arn": "arn:aws:iam::123456789012:role/ci/aidc-deploy",
                    "admin_role_arn": "arn:aws:iam::123456789012:role/aidc-operators",
                }
            }
        }
    )
    assert cfg.aws.access.deploy_role_arn == "arn:aws:iam::123456789012:role/ci/aidc-deploy"
    # A GovCloud role in a GovCloud region (tests/config/test_identifiers.py refuses it anywhere else).
    gov = parse_stack_config(
        {
            "aws:region": "us-gov-west-1",
            "aidc:aws": {
                "access": {"admin_role_arn": "arn:aws-us-gov:iam::123456789012:role/aidc-operators"}
            },
        }
    )
    assert gov.aws.access.admin_role_arn == "arn:aws-us-gov:iam::123456789012:role/aidc-operators"


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        (
            {"deploy_role_arn": "arn:aws:sts::123456789012:assumed-role/aidc-deploy/gha"},
            "aidc:aws.access.deploy_role_arn: 'arn:aws:sts::123456789012:assumed-role/aidc-deploy/gha' is an STS",
        ),
        ({"admin_role_arn": "arn:aws:iam::123456789012:user/alice"}, "aidc:aws.access.admin_role_arn: "),
        ({"admin_role_arn": "arn:aws:iam::12345678901:role/ops"}, "12-digit account"),
        (
            {
                "deploy_role_arn": "arn:aws:iam::123456789012:role/x",
                "admin_role_arn": "arn:aws:iam::123456789012:role/x",
            },
            "aidc:aws.access: admin_role_arn and deploy_role_arn name the same role",
        ),
        ({"deploy_role": "arn:aws:iam::123456789012:role/x"}, "aidc:aws.access.deploy_role: unknown key"),
    ],
)
def test_bad_eks_access_roles_name_the_key(access: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"aidc:aws": {"access": access}})
    assert any(expected in problem for problem in info.value.problems), info.value.problems
