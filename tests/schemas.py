"""Validation of the CLI's JSON documents against the published JSON Schemas (aidc/output/schemas.py, the
same as docs/schemas/), strictly by default: the schema must describe every key the document has."""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry, Resource

from aidc.output.schemas import SCHEMAS


def _registry() -> Registry:
    resources = []
    for build in SCHEMAS.values():
        schema = build()
        jsonschema.Draft202012Validator.check_schema(schema)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def _strict(schema: Any) -> Any:
    """The schema with no room for keys it does not list: proves every key the document has is described."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def validate_document(stem: str, document: Any, strict: bool = True) -> None:
    registry = _registry()
    schema = SCHEMAS[stem]()
    if strict:
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(_strict(s))) for s in (build() for build in SCHEMAS.values())
        )
        schema = _strict(schema)
    jsonschema.Draft202012Validator(schema, registry=registry).validate(document)
