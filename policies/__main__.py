"""Entry point of the policy pack for the Pulumi CLI: `pulumi preview --policy-pack policies`.

This is the only module that builds the PolicyPack: constructing one starts the analyzer's gRPC server and
blocks, so nothing importable may do it. The pack's rules live in the sibling modules (see __init__.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The CLI runs this file with policies/ itself on sys.path; the rules are the `policies` package, so its
# parent directory is put on the path (it holds aidc/contract.py and aidc/versions.py, the two stdlib-only modules of
# aidc the rules import). Nothing else of the repository is imported: the rules read the plan's figures from the
# resources' tags.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies import ALL_POLICIES  # noqa: E402

PolicyPack(
    name="aidc",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=ALL_POLICIES,
    description="aidc: refuse unsafe or inconsistent hybrid-cloud AI data-centre plans",
)
