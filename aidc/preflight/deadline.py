"""One time budget for a whole preflight run (`aidc preflight --timeout`): connect and read timeouts, retries
and backoff all count inside it, whatever the endpoint does (refuses, accepts and never answers, answers one
byte a minute).

Each cloud's checks run in a worker thread of their own, all at once, and the caller waits until the budget is
spent: a cloud whose checks have not finished by then is reported as one failed check ("no answer within …"),
and its thread — a daemon, so the process can still exit — is told to make no further calls (botocore's
`before-send` hook refuses any request after the deadline).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from aidc.preflight.report import CheckResult


@dataclass(frozen=True)
class Job:
    """The checks of one cloud (or one OpenStack region): what to call, and how to name it if it never ends."""

    cloud: str
    target: str
    run: Callable[[], list[CheckResult]]


class Deadline:
    """A point in time (monotonic clock) that calls may not pass."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.at = time.monotonic() + budget_s

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.at


def run_jobs(jobs: list[Job], deadline: Deadline) -> list[CheckResult]:
    """Every job's results in the jobs' order; a job still running at the deadline becomes one failed check."""
    outcomes: list[list[CheckResult] | None] = [None] * len(jobs)

    def work(index: int, job: Job) -> None:
        try:
            outcomes[index] = job.run()
        except Exception as exc:  # a check that crashed is a failed check, not a traceback
            outcomes[index] = [
                CheckResult(job.cloud, "error", job.target, False, f"{type(exc).__name__}: {exc}", {}, "")
            ]

    threads = [
        threading.Thread(target=work, args=(i, job), name=f"aidc-preflight-{job.cloud}", daemon=True)
        for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(deadline.remaining())
    results: list[CheckResult] = []
    for job, outcome in zip(jobs, outcomes, strict=True):
        if outcome is None:
            outcome = [
                CheckResult(
                    job.cloud,
                    "timeout",
                    job.target,
                    False,
                    f"no answer within --timeout {deadline.budget_s:g} s (connect, read and retries included)",
                    {"timeout_s": deadline.budget_s},
                    "check that the endpoint answers (a firewall or proxy that accepts connections and never "
                    "replies looks like this), or raise --timeout",
                )
            ]
        results.extend(outcome)
    return results
