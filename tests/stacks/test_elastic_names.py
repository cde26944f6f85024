"""Names stay as the baseline or the peak changes: the program registers the same resources (type and name)
and only their limits, annotations and tags move. Plans of edited prod stack files, made by `aidc plan`'s own
code (tests/plans.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plans import plan_of


def _chat(config: dict[str, Any]) -> dict[str, Any]:
    (chat,) = [w for w in config["aidc:demand"]["inference"] if w["name"] == "assistant-chat"]
    return chat


def lower_baseline(config: dict[str, Any]) -> None:
    _chat(config)["base_tokens_per_s"] = 20_000


def higher_baseline(config: dict[str, Any]) -> None:
    # 2-H100 replicas of 6,000 tokens/s: ceil(0.8 · 150,000 / 6,000) + 1 = 21 replicas = 42 GPUs, 16 owned (the
    # private H100s left by foundation-70b's 552 and risk-adapter-8b's 32): 26 GPUs -> 4 p5.
    _chat(config)["base_tokens_per_s"] = 150_000


def no_baseline(config: dict[str, Any]) -> None:
    del _chat(config)["base_tokens_per_s"]


def higher_peak(config: dict[str, Any]) -> None:
    _chat(config)["peak_tokens_per_s"] = (
        320_000  # 0.8 · 320,000 / 6,000 -> 43 + 1 = 44 replicas of 2 = 88 GPUs, 16 owned: 72 -> 9 p5
    )


def _names(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["type"], r["name"]) for r in document["resources"]}


def _pool(document: dict[str, Any]) -> dict[str, Any]:
    (pool,) = [r for r in document["resources"] if r["name"] == "aws-np-assistant-chat-p5-48xlarge"]
    return pool["inputs"]


@pytest.mark.parametrize(
    ("edit", "planned"),
    [
        (lower_baseline, ("0", "5")),
        (higher_baseline, ("4", "5")),
        (no_baseline, ("5", "5")),
        (higher_peak, ("1", "9")),  # the baseline (9 replicas = 18 GPUs) now passes the 16 owned
    ],
    ids=["lower-baseline", "higher-baseline", "no-baseline", "higher-peak"],
)
def test_the_baseline_or_the_peak_changes_counts_never_names(edit: Any, planned: tuple[str, str]) -> None:
    base, head = plan_of("prod"), plan_of("prod", edit)
    assert _names(head) == _names(base)
    annotations = _pool(head)["metadata"]["annotations"]
    assert (
        annotations["aidc.io/planned-min-instances"],
        annotations["aidc.io/planned-max-instances"],
    ) == planned
    assert _pool(head)["spec"]["limits"]["nvidia.com/gpu"] == str(int(planned[1]) * 8)
    assert head["policy"]["violations"] == [] or all(
        v["enforcement"] != "mandatory" for v in head["policy"]["violations"]
    )


def test_prod_declares_a_reservation_its_training_pool_uses_and_cost_at_baseline_and_peak() -> None:
    document = plan_of("prod")
    (block,) = [
        r
        for r in document["resources"]
        if r["type"] == "aws:ec2/capacityBlockReservation:CapacityBlockReservation"
    ]
    assert block["name"] == "aws-cb-code-34b-p5-48xlarge"
    node_class = next(r for r in document["resources"] if r["name"] == "aws-nc-code-34b-p5-48xlarge")
    assert node_class["inputs"]["spec"]["capacityReservationSelectorTerms"][0]["id"].startswith("cr-")
    pool = next(r for r in document["resources"] if r["name"] == "aws-np-code-34b-p5-48xlarge")
    requirements = {r["key"]: r["values"] for r in pool["inputs"]["spec"]["template"]["spec"]["requirements"]}
    assert requirements["karpenter.sh/capacity-type"] == ["reserved"]
    assert (
        pool["inputs"]["spec"]["limits"]["nvidia.com/gpu"] == "176"
    )  # 22 p5, sized from GPU-hours (with attention at 8K sequences) and deadline
    cost = document["summary"]["cost"]
    assert cost["baseline_usd_per_month"] < cost["peak_usd_per_month"] == cost["total_usd_per_month"]
    # The chat pool scales 1..5 p5 (baseline: ceil(48,000 / 6,000) + 1 = 9 replicas of 2 GPUs = 18, of which the
    # 16 owned GPUs carry 16): the baseline saves 4 of its 5 p5, 4 · 55.04 · 730.
    assert cost["peak_usd_per_month"] - cost["baseline_usd_per_month"] == pytest.approx(
        4 * 55.04 * 730, abs=0.02
    )
    reservation = cost["reservations"]["code-34b-p5-48xlarge"]
    assert (reservation["instances"], reservation["days"], reservation["paid"]) == (22, 21, "up front")


def test_secrets_stay_secret_in_the_prod_plan() -> None:
    document = plan_of("prod")
    for r in document["resources"]:
        if r["type"] == "pulumi:providers:kubernetes":
            assert r["inputs"]["kubeconfig"] == "[secret]", r["urn"]
    assert document["exports"]["aws_kubeconfig"] == "[secret]"
