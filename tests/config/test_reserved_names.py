"""Hostile names (hypothesis): whatever the workloads are called, no two share a namespace, queue or node pool,
and none takes a namespace or pool the clusters use themselves (aidc/types.py RESERVED_NAMESPACES, RESERVED_POOLS).
Config refuses such a name naming the key and the reserved names; the component Args refuse it too."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aidc.config.model import StackConfig
from aidc.types import RESERVED_NAMESPACES, RESERVED_POOLS
from components.k3s_cluster import AgentPool
from components.workload_queues import WorkloadQueue

RESERVED = sorted(RESERVED_NAMESPACES | RESERVED_POOLS)
SLUGS = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
NAMES = st.one_of(
    st.sampled_from(RESERVED), SLUGS, st.sampled_from(["chat", "chat", "server-1", "storage-0"])
)


def _config(training: list[str], inference: list[str]) -> StackConfig:
    return StackConfig.model_validate(
        {
            "demand": {
                "training": [
                    {
                        "name": n,
                        "params": 7e9,
                        "tokens": 1e11,
                        "accelerator": "h100-80gb",
                        "deadline_days": 30,
                    }
                    for n in training
                ],
                "inference": [
                    {"name": n, "peak_tokens_per_s": 1000, "accelerator": "h100-80gb", "model_params": 7e9}
                    for n in inference
                ],
            }
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, max_size=3), st.lists(NAMES, max_size=3))
def test_names_are_unique_and_never_a_systems_or_refused_naming_the_key(
    training: list[str], inference: list[str]
) -> None:
    names = training + inference
    try:
        config = _config(training, inference)
    except ValidationError as exc:
        message = str(exc)
        assert "aidc:demand." in message or "duplicate" in message, message
        assert (
            set(names) & set(RESERVED)
            or len(set(names)) < len(names)
            or "must" in message
            or "not" in message
        ), message
        if set(names) & set(RESERVED) and len(set(names)) == len(names):
            assert "reserved" in message and "kube-system" in message
        return
    accepted = [w.name for w in (*config.demand.training, *config.demand.inference)]
    assert len(set(accepted)) == len(accepted), accepted
    assert not set(accepted) & set(RESERVED), accepted


@pytest.mark.parametrize("name", RESERVED)
def test_a_workload_queue_may_not_take_a_clusters_namespace(name: str) -> None:
    with pytest.raises(ValidationError, match="already uses"):
        WorkloadQueue(name=name, kind="inference", classification="internal", flavor="f", gpus=1, pod_gpus=1)


def test_an_agent_pool_may_not_take_the_servers_host_names() -> None:
    with pytest.raises(ValidationError, match="servers' pool"):
        AgentPool(name="server", flavor="m1", count=1)
