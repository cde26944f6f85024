"""Progress on stderr for what takes a while (sizing, each stack of a plan, each shard of an estate,
preflight), for a person watching a terminal — and nothing at all otherwise.

A step says what it is doing only once it has taken longer than `DELAY_S` (so quick commands stay silent), and
how long it took when it ends. Silent unless stderr is a terminal, silent under CI (the `CI` variable every CI
service sets) and silent when the command prints JSON: piped output and logs stay exactly the document.
`AIDC_PROGRESS_AFTER_S` changes the delay (tests set it to 0).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import TextIO

DELAY_S = 2.0


def wanted(stream: TextIO | None = None, machine_output: bool = False) -> bool:
    """True when progress should be shown: stderr is a terminal, not CI, not --json."""
    stream = sys.stderr if stream is None else stream
    if machine_output or os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("AIDC_PROGRESS_AFTER_S", DELAY_S)))
    except ValueError:
        return DELAY_S


class Progress:
    """Steps and notes of one command; everything is a no-op when `enabled` is False."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self._lock = threading.Lock()

    @classmethod
    def for_command(cls, machine_output: bool = False) -> Progress:
        return cls(wanted(sys.stderr, machine_output))

    def note(self, message: str) -> None:
        """One line now (e.g. a shard finished)."""
        if not self.enabled:
            return
        with self._lock, contextlib.suppress(OSError, ValueError):
            self.stream.write(f"aidc: {message}\n")
            self.stream.flush()

    @contextlib.contextmanager
    def step(self, doing: str) -> Iterator[None]:
        """`doing …` once the step has run for the delay, then `doing: done in N s` when it ends."""
        if not self.enabled:
            yield
            return
        started = time.monotonic()
        shown = threading.Event()

        def announce() -> None:
            shown.set()
            self.note(f"{doing} …")

        timer = threading.Timer(_delay(), announce)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            if shown.is_set():
                self.note(f"{doing}: done in {time.monotonic() - started:.1f} s")


SILENT = Progress(False)
