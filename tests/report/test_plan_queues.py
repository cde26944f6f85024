"""`aidc plan` shows the GPU queues: every ClusterQueue the program declares, with its cluster, flavor and quota,
in the text and the markdown (the JSON carries the resources themselves and the gpu_queues export)."""

from __future__ import annotations

import io

from aidc.output.plan_view import gpu_queues, plan_markdown, plan_text
from tests.plans import plan_of


def test_the_plan_shows_each_workloads_queue_and_quota() -> None:
    document = plan_of("dev")
    rows = gpu_queues(document)
    exported = {
        (cluster, workload): gpus
        for cluster, per in document["exports"]["gpu_queues"].items()
        for workload, gpus in per.items()
    }
    assert {(row[0], row[1]): int(row[5].replace(",", "")) for row in rows} == exported
    markdown = plan_markdown(document)
    assert "GPU queues (Kueue ClusterQueues)" in markdown
    for cluster, queue, *_ in rows:
        assert f"| {cluster} | {queue} |" in markdown
    stream = io.StringIO()
    plan_text(document, stream)
    text = stream.getvalue()
    assert "GPU queues" in text and all(row[1] in text for row in rows)


def test_a_plan_without_queues_shows_no_table() -> None:
    document = {"resources": [], "exports": {}}
    assert gpu_queues(document) == []
