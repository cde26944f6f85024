"""The documentation site: generated pages up to date, every config key in the reference, every page in the
navigation, the JSON Schemas valid and matching what every shipped stack really prints, and the YAML examples
of the configuration page accepted by the config model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aidc.config import parse_stack_config
from aidc.config.model import StackConfig
from aidc.output import docs_gen
from aidc.sizing import size_stack
from aidc.sizing.serialize import plan_to_dict
from tests.plans import config_of, plan_of, stack_values
from tests.schemas import validate_document
from tests.stacks_list import PLANNED_STACKS, SHIPPED_STACKS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_generated_pages_are_up_to_date() -> None:
    stale = [str(path.relative_to(ROOT)) for path in docs_gen.stale()]
    assert not stale, f"regenerate with scripts/docs (python -m aidc.output.docs_gen): {stale}"


def _rules_missing_from(page: str) -> list[str]:
    """The pack's rules (what policies/__main__.py registers: ALL_POLICIES) that have no row in a policies page."""
    from policies import ALL_POLICIES

    return [rule.name for rule in ALL_POLICIES if f"| `{rule.name}` |" not in page]


def _rule_objects_defined_in_the_pack() -> set[str]:
    """Every rule object any module of policies/ defines at module level, whether or not it is listed."""
    import importlib
    import pkgutil

    from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

    import policies

    found = set()
    for module in pkgutil.iter_modules(policies.__path__):
        if module.name == "__main__":  # builds the PolicyPack (starts the analyzer): never imported
            continue
        loaded = importlib.import_module(f"policies.{module.name}")
        found |= {
            value.name
            for value in vars(loaded).values()
            if isinstance(value, ResourceValidationPolicy | StackValidationPolicy)
        }
    return found


def test_the_policies_page_lists_every_rule_the_pack_registers() -> None:
    from policies import ALL_POLICIES, FAMILIES

    page = docs_gen.policies_page()
    assert _rules_missing_from(page) == []
    assert f"has {len(ALL_POLICIES)} rules" in page
    for family in FAMILIES:
        assert f"## {family} (policies/{family}.py)" in page
    # the pack registers every rule object its modules define (none defined and left out of POLICIES) ...
    assert _rule_objects_defined_in_the_pack() == {rule.name for rule in ALL_POLICIES}
    # ... and policies/__main__.py registers exactly ALL_POLICIES
    main = (ROOT / "policies" / "__main__.py").read_text(encoding="utf-8")
    assert "policies=ALL_POLICIES," in main
    assert "identifiers" in FAMILIES and "gcp" in FAMILIES


def test_the_policies_check_notices_a_missing_family(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above is real: a generator that leaves out a rule module (as it once left out identifiers.py)
    gives a page the check refuses, naming the rules."""
    import policies

    without = {name: rules for name, rules in policies.FAMILIES.items() if name != "identifiers"}
    monkeypatch.setattr(policies, "FAMILIES", without)
    missing = _rules_missing_from(docs_gen.policies_page())
    assert missing and set(missing) == {rule.name for rule in policies.identifiers.POLICIES}


def _model_of(annotation: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if (found := _model_of(arg)) is not None:
            return found
    return None


def _key_paths(model: Any, path: str) -> list[tuple[str, str]]:
    """(section path, key) of every field of the config models, walked from the pydantic models themselves
    (not from the schema the reference is generated from)."""
    found = []
    for name, field in model.model_fields.items():
        found.append((path, name))
        child = _model_of(field.annotation)
        if child is not None:
            listed = "tuple" in str(field.annotation) or "list" in str(field.annotation)
            found += _key_paths(child, f"{path}.{name}" + ("[]" if listed else ""))
    return found


def test_every_config_key_is_in_the_reference() -> None:
    page = (DOCS / "reference" / "configuration.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `([^`]+)`[^\n]*\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL))
    missing = []
    for field, info in StackConfig.model_fields.items():
        if field == "stack":
            continue
        top = f"aidc:{field}"
        if f"| `{top}` |" not in sections["config"]:
            missing.append(top)
        child = _model_of(info.annotation)
        for section, key in _key_paths(child, top) if child is not None else []:
            if f"| `{key}` |" not in sections.get(section, ""):
                missing.append(f"{section}.{key}")
    assert "| `aws:region` |" in sections["config"]
    assert not missing, f"keys missing from docs/reference/configuration.md (run scripts/docs): {missing}"


def test_the_reference_notices_a_missing_key() -> None:
    """The check above is real: a page without one key's row fails it."""
    page = (DOCS / "reference" / "configuration.md").read_text(encoding="utf-8")
    assert page.count("| `mfu` |") == 1
    broken = page.replace("| `mfu` |", "| `m_f_u` |")
    sections = dict(re.findall(r"^## `([^`]+)`[^\n]*\n(.*?)(?=^## |\Z)", broken, re.MULTILINE | re.DOTALL))
    assert "| `mfu` |" not in sections["aidc:demand.training[]"]


def test_every_page_is_in_the_navigation() -> None:
    from scripts.mkdocs_hooks import on_config

    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_MkDocsLoader)
    config["docs_dir"] = str(DOCS)
    nav = on_config(config)["nav"]
    from scripts.mkdocs_hooks import listed_pages

    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages <= listed_pages(nav)
    # A page nobody listed still gets in, under "More".
    (extra := DOCS / "zz-test-page.md")
    assert "zz-test-page.md" not in pages
    try:
        extra.write_text("# test\n")
        config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_MkDocsLoader)
        config["docs_dir"] = str(DOCS)
        assert {"More": ["zz-test-page.md"]} in on_config(config)["nav"]
    finally:
        extra.unlink()


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml names a Python function with a `!!python/name:` tag: read it as its text."""


_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_every_shipped_stacks_size_document_validates(stack: str) -> None:
    document = json.loads(json.dumps(plan_to_dict(size_stack(config_of(stack_values(stack), stack)))))
    assert document["schema_version"] == 1
    validate_document("size", document)


def test_the_size_schema_refuses_a_broken_document() -> None:
    document = json.loads(json.dumps(plan_to_dict(size_stack(config_of(stack_values("dev"))))))
    document["compute"]["training"][0]["gpus"] = "sixteen"
    with pytest.raises(jsonschema.ValidationError, match="sixteen"):
        validate_document("size", document)
    del document["compute"]["training"][0]["gpus"]
    with pytest.raises(jsonschema.ValidationError, match="'gpus' is a required property"):
        validate_document("size", document)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stacks_plan_document_validates(stack: str) -> None:
    document = json.loads(json.dumps(plan_of(stack)))
    assert document["schema_version"] == 1
    validate_document("plan", document)


def test_the_plan_schema_refuses_a_broken_document() -> None:
    document = json.loads(json.dumps(plan_of("dev")))
    document["resources"][0]["parent"] = 7
    with pytest.raises(jsonschema.ValidationError):
        validate_document("plan", document)


def test_published_schemas_admit_added_keys() -> None:
    """Forward compatible: a key added later (no version bump) still validates against today's schema."""
    document = json.loads(json.dumps(plan_to_dict(size_stack(config_of(stack_values("dev"))))))
    document["a_key_from_the_future"] = 1
    document["storage"]["another"] = "x"
    validate_document("size", document, strict=False)


def _yaml_blocks(page: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("page", ["configuration.md", "getting-started.md"])
def test_documented_stack_files_are_valid_configuration(page: str) -> None:
    blocks = [b for b in _yaml_blocks(page) if b.startswith("config:")]
    assert blocks
    for block in blocks:
        config = parse_stack_config(yaml.safe_load(block)["config"], stack="example")
        size_stack(config)  # and sizes without an error
