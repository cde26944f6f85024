"""The offline run is bounded: a program that never finishes ends in OfflineTimeout naming the stack, a
component that refuses its Args ends at once (every deferred output resolved with the error), and the next run
in the same process is unaffected."""

from __future__ import annotations

import time

import pulumi
import pytest

from aidc.config import load_stack_config
from aidc.offline import OfflineTimeout, run_program
from aidc.sizing import size_stack
from stacks.program import deploy


def _never_resolved() -> None:
    output, _resolve = pulumi.deferred_output()
    pulumi.export("never", output)


def test_a_program_waiting_for_ever_times_out_naming_the_stack() -> None:
    started = time.monotonic()
    with pytest.raises(OfflineTimeout, match="offline plan of stack hangs did not finish within 1 s"):
        run_program("hangs", program=_never_resolved, timeout_s=1)
    assert time.monotonic() - started < 10
    # The abandoned run does not disturb the next one.
    assert run_program("after", program=lambda: pulumi.export("x", 1), timeout_s=60).exports == {"x": 1}


def test_a_program_stuck_in_python_times_out_too() -> None:
    with pytest.raises(OfflineTimeout):
        run_program("busy", program=lambda: time.sleep(30), timeout_s=0.5)


def test_a_component_refusing_its_args_mid_stack_ends_the_run_at_once() -> None:
    """Config refuses open admin CIDRs now, so the refusal is forced past it: the private cloud refuses its
    Args after the GPU pools' user-data wires exist; the wires resolve with the error instead of waiting."""
    cfg = load_stack_config("dev")
    plan = size_stack(cfg)
    broken = cfg.model_copy(
        update={"openstack": cfg.openstack.model_copy(update={"admin_cidrs": ("0.0.0.0/0",)})}
    )
    started = time.monotonic()
    with pytest.raises(ValueError, match="admin_cidrs"):
        run_program("dev", lambda: deploy(broken, plan), timeout_s=120)
    assert time.monotonic() - started < 120
