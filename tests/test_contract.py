"""aidc/contract.py is the one vocabulary of the program and the pack: stdlib only (the pack's virtualenv has only
pulumi-policy), consistent with itself, and the only copy (no other module defines its tag or label strings)."""

from __future__ import annotations

import ast
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


def test_the_policy_pack_imports_nothing_of_aidc_but_the_contract_and_the_version_table() -> None:
    """The pack runs in its own virtualenv (policies/requirements.txt): of aidc it may load only the stdlib-only
    vocabulary and version table (the `versions-in-support` rule judges pins by aidc/versions.py)."""
    loaded = _modules_after("import policies")
    assert sorted(m for m in loaded if m.split(".")[0] == "aidc") == [
        "aidc",
        "aidc.contract",
        "aidc.versions",
    ]
    assert not [m for m in loaded if m.split(".")[0] in {"pydantic", "components", "stacks"}]


def test_locations_are_the_owned_places_and_the_registered_clouds() -> None:
    assert set(get_args(contract.Location)) == contract.OWNED_LOCATIONS | set(contract.PUBLIC_CLOUDS)
    assert contract.PUBLIC_CLOUDS and not contract.OWNED_LOCATIONS & set(contract.PUBLIC_CLOUDS)
    assert all(contract.is_public(cloud) for cloud in contract.PUBLIC_CLOUDS)


def test_annotations_carry_the_planned_tags_both_ways() -> None:
    for tag in contract.PLANNED_TAGS:
        annotation = contract.annotation_of(tag)
        assert annotation.startswith(contract.LABEL_PREFIX) and contract.tag_of(annotation) == tag


# A vocabulary value worth looking for: it holds a separator (aidc:*, aidc.io/*, aidc_*, node-label:, plan_summary,
# nvidia.com/gpu, ...). Bare words ("system", "server", "deploy") are ordinary words elsewhere: those the program and
# the pack share are typed (Literal) or imported by name, which mypy and review see.
_DISTINCTIVE = re.compile(r"[:/_=.-]")
# Names of our own that no module may coin outside the contract, even ones the contract lacks: a new label or Nova
# metadata key is added there first. (aidc:* strings are also config key paths, so those count only when defined.)
_OURS = re.compile(r"^(aidc\.io/[a-z0-9.-]+|aidc_[a-z0-9_]+)$")
_SCANNED = ("aidc", "components", "stacks", "policies")
# Export names are written by the program only; elsewhere the same words are attribute or plan field names
# (a component's `ssh_private_key` output, the plan's `edge_route_prefixes`).
_EXPORTS_IN = ("stacks", "policies")


def _vocabulary() -> dict[str, str]:
    """value -> contract name, for every distinctive string constant of the contract."""
    return {
        value: name
        for name, value in vars(contract).items()
        if name.isupper() and isinstance(value, str) and _DISTINCTIVE.search(value)
    }


def _copies(root: Path) -> list[str]:
    """`path:line: value (NAME)` for every string literal under root/<_SCANNED> (f-string parts included) that spells
    a contract value or coins an aidc.io/ label or aidc_ key, outside aidc/contract.py."""
    vocabulary = _vocabulary()
    found = []
    for folder in _SCANNED:
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root)
            if relative == Path("aidc/contract.py"):
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                name = vocabulary.get(node.value)
                if name is not None and name.startswith("EXPORT_") and folder not in _EXPORTS_IN:
                    name = None
                if name is not None or _OURS.match(node.value):
                    found.append(
                        f"{relative}:{node.lineno}: {node.value!r} ({name or 'not in the contract'})"
                    )
    return found


def test_no_other_module_spells_the_vocabulary() -> None:
    """Every tag, label, annotation, Nova metadata key, Heat pool tag, export name and shared Kubernetes name the
    contract defines is written only there: config, sizing, components, the program and the pack import it (a copy
    would drift: the issue found four)."""
    assert _copies(ROOT) == []


def test_a_copy_of_the_vocabulary_is_found(tmp_path: Path) -> None:
    """The check above finds each kind of copy: a label, a tag, a Heat tag prefix, an f-string part, a Nova metadata
    key the contract lacks, an export name in the program; and not an export's words used as an attribute name in a
    component."""
    planted = {
        "components/widget/labels.py": 'WORKLOAD = "aidc.io/workload"\nTAG = {"aidc:node-group": "x"}\n',
        "components/widget/nodes.py": 'def tag(k: str) -> str:\n    return f"node-label:{k}"\n',
        "policies/extra.py": 'KEY = "aidc_brand_new_key"\nGPU = "nvidia.com/gpu"\n',
        "stacks/extra.py": 'EXPORTS = {"core_kubeconfig": 1}\n',
        "components/widget/outputs.py": 'OUTPUTS = {"ssh_private_key": 1}\n',
        "aidc/contract.py": 'STACK_TAG = "aidc:stack"\n',
    }
    for path, text in planted.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    for folder in _SCANNED:
        (tmp_path / folder).mkdir(exist_ok=True)
    assert _copies(tmp_path) == [
        "components/widget/labels.py:1: 'aidc.io/workload' (WORKLOAD_LABEL)",
        "components/widget/labels.py:2: 'aidc:node-group' (NODE_GROUP_TAG)",
        "components/widget/nodes.py:2: 'node-label:' (HEAT_NODE_LABEL_PREFIX)",
        "stacks/extra.py:1: 'core_kubeconfig' (EXPORT_CORE_KUBECONFIG)",
        "policies/extra.py:1: 'aidc_brand_new_key' (not in the contract)",
        "policies/extra.py:2: 'nvidia.com/gpu' (GPU_RESOURCE)",
    ]
