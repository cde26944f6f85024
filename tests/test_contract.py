"""aidc/contract.py is the one vocabulary of the program and the pack: stdlib only (the pack's virtualenv has only
pulumi-policy), consistent with itself, and the only copy (no other module defines its tag or label strings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

from aidc import contract

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(statement: str) -> list[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return result.stdout.split()


def test_the_contract_imports_only_the_standard_library() -> None:
    loaded = _modules_after("import aidc.contract")
    ours = [m for m in loaded if m.split(".")[0] in {"aidc", "pydantic", "pulumi", "pulumi_policy", "yaml"}]
    assert ours == ["aidc", "aidc.contract"]


def test_the_policy_pack_imports_nothing_of_aidc_but_the_contract() -> None:
    loaded = _modules_after("import policies")
    assert [m for m in loaded if m.split(".")[0] == "aidc"] == ["aidc", "aidc.contract"]
    assert not [m for m in loaded if m.split(".")[0] in {"pydantic", "components", "stacks"}]


def test_locations_are_the_owned_places_and_the_registered_clouds() -> None:
    assert set(get_args(contract.Location)) == contract.OWNED_LOCATIONS | set(contract.PUBLIC_CLOUDS)
    assert contract.PUBLIC_CLOUDS and not contract.OWNED_LOCATIONS & set(contract.PUBLIC_CLOUDS)
    assert all(contract.is_public(cloud) for cloud in contract.PUBLIC_CLOUDS)


def test_annotations_carry_the_planned_tags_both_ways() -> None:
    for tag in contract.PLANNED_TAGS:
        annotation = contract.annotation_of(tag)
        assert annotation.startswith(contract.LABEL_PREFIX) and contract.tag_of(annotation) == tag


def test_no_other_module_spells_the_vocabulary() -> None:
    """Every aidc:* tag and aidc.io/* label string the contract defines is written only there: the program, the
    components and the pack import it (a copy would drift: the issue found four)."""
    vocabulary = {
        value
        for name, value in vars(contract).items()
        if name.isupper() and isinstance(value, str) and value.startswith(("aidc:", "aidc.io/"))
    }
    quoted = re.compile(r"[\"'](aidc(?::|\.io/)[a-z0-9-]+)[\"']")
    copies = []
    for folder in ("aidc", "stacks", "policies"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "contract.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                copies += [
                    f"{path.relative_to(ROOT)}:{number}: {m}" for m in quoted.findall(line) if m in vocabulary
                ]
    assert copies == []
