"""`CheckResult` (one live check's verdict, with its figures and a fix hint) and the `--json` document of a
run. No cloud SDK import. The report for people is aidc/output/preflight.py's."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

CLOUDS = ("aws", "openstack")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one preflight check."""

    cloud: str
    """"aws" or "openstack"."""
    name: str
    """Short check name, e.g. "instance-offering", "vcpu-quota", "flavor"."""
    target: str
    """What was checked, e.g. "p5.48xlarge in us-east-1a, us-east-1b"."""
    ok: bool
    """True when the plan can be applied as far as this check sees."""
    detail: str
    """One sentence: what was found (or why it could not be found)."""
    figures: Mapping[str, Any] = field(default_factory=dict)
    """The numbers behind the verdict (needed vs available, offered AZs …)."""
    hint: str = ""
    """How to fix a failure; empty when the check passed."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "name": self.name,
            "target": self.target,
            "ok": self.ok,
            "detail": self.detail,
            "figures": dict(self.figures),
            "hint": self.hint,
        }


# Raised on a breaking change of the document (docs/schemas/preflight.schema.json; CHANGELOG.md).
SCHEMA_VERSION = 1


def document(checks: Iterable[CheckResult]) -> dict[str, Any]:
    """The `--json` contract: {"schema_version", "checks": [{cloud, name, target, ok, detail, figures, hint}],
    "ok": bool}."""
    rows = [c.to_dict() for c in checks]
    return {"schema_version": SCHEMA_VERSION, "checks": rows, "ok": all(r["ok"] for r in rows)}


def write_json(checks: Iterable[CheckResult], out: IO[str]) -> None:
    json.dump(document(checks), out, indent=2, default=str)
    out.write("\n")
