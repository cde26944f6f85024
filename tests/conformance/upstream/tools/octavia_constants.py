"""Dump the value sets the Octavia v2 API validates load balancer, listener, pool and health monitor fields
against (octavia_lib.common.constants.SUPPORTED_*), from an installed octavia-lib, as JSON."""

import importlib.metadata as md
import json
import sys

from octavia_lib.common import constants

names = [
    "SUPPORTED_PROTOCOLS",
    "SUPPORTED_LB_ALGORITHMS",
    "SUPPORTED_HEALTH_MONITOR_TYPES",
    "SUPPORTED_SP_TYPES",
]
json.dump(
    {"octavia_lib_version": md.version("octavia-lib"), **{n: sorted(getattr(constants, n)) for n in names}},
    sys.stdout,
    indent=1,
    sort_keys=True,
)
