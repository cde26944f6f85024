"""The GPU stack's keys (issue 13): where the NVIDIA driver comes from (aidc:k3s.gpu_driver with
aidc:openstack.gpu_image) and the EKS managed add-on versions (aidc:aws.addon_versions); bad combinations name
the key path."""

from __future__ import annotations

import pytest

from aidc.config import parse_stack_config
from aidc.config.load import ConfigError, read_config_values, stack_file


def _dev(**sections: dict[str, object]) -> dict[str, object]:
    values = dict(read_config_values(stack_file("dev")))
    for key, section in sections.items():
        values[key] = {**dict(values.get(key) or {}), **section}  # type: ignore[arg-type]
    return values


def test_defaults_let_the_operator_install_the_driver() -> None:
    cfg = parse_stack_config(_dev())
    assert cfg.k3s.gpu_driver == "operator"
    assert cfg.openstack.gpu_image is None
    assert cfg.aws.addon_versions == {}


def test_a_gpu_image_is_taken_with_the_image_driver() -> None:
    cfg = parse_stack_config(
        _dev(
            **{
                "aidc:k3s": {"gpu_driver": "image"},
                "aidc:openstack": {"gpu_image": "ubuntu-22.04-nvidia-570"},
            }
        )
    )
    assert (cfg.k3s.gpu_driver, cfg.openstack.gpu_image) == ("image", "ubuntu-22.04-nvidia-570")


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        (
            {"aidc:k3s": {"gpu_driver": "image"}},
            "aidc:openstack.gpu_image: required with aidc:k3s.gpu_driver: image",
        ),
        (
            {"aidc:openstack": {"gpu_image": "nvidia"}},
            "aidc:openstack.gpu_image: only with aidc:k3s.gpu_driver: image",
        ),
        ({"aidc:k3s": {"gpu_driver": "dkms"}}, "aidc:k3s.gpu_driver"),
        (
            {"aidc:aws": {"addon_versions": {"aws-ebs-csi-driver": "v1.37.0-eksbuild.1"}}},
            "aidc:aws.addon_versions",
        ),
    ],
    ids=["image-without-gpu-image", "gpu-image-with-operator", "unknown-driver", "unknown-addon"],
)
def test_bad_gpu_settings_name_the_key(sections: dict[str, dict[str, object]], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(_dev(**sections))
    assert any(expected in problem for problem in info.value.problems), info.value.problems


def test_addon_versions_are_eks_build_strings() -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(_dev(**{"aidc:aws": {"addon_versions": {"coredns": "latest"}}}))
    assert any(p.startswith("aidc:aws.addon_versions") for p in info.value.problems), info.value.problems
    cfg = parse_stack_config(_dev(**{"aidc:aws": {"addon_versions": {"coredns": "v1.11.4-eksbuild.2"}}}))
    assert cfg.aws.addon_versions == {"coredns": "v1.11.4-eksbuild.2"}
