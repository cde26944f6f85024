"""The JSON Schema of a stack file's `config:` (the `aidc:*` keys and `aws:region`), from the config models.

`aidc config schema` prints it (point an editor's YAML language server at it); docs/reference/configuration.md
is generated from the same models (aidc/config/reference.py). Names the models check in code (accelerators,
instance types, regions) are added as enums so an editor can complete them.
"""

from __future__ import annotations

from typing import Any

from aidc.catalog import ACCELERATORS, INSTANCE_TYPES
from aidc.config.load import AIDC_KEYS, PROVIDER_KEYS
from aidc.config.model import StackConfig

SCHEMA_ID = "https://aidc.invalid/schemas/stack-config.schema.json"  # a name, not a place to fetch from
SCHEMA_VERSION = 1

# (model, field) -> what a value or a mapping key must be, where a validator checks it in code.
_VALUES = {("TrainingDemand", "accelerator"), ("InferenceDemand", "accelerator"), ("EdgeSite", "accelerator")}
_KEYS = {
    ("PrivateCapacity", "gpus"): sorted(ACCELERATORS),
    ("PublicCapacity", "max_instances"): sorted(INSTANCE_TYPES),
    ("OpenStackSettings", "gpu_flavors"): sorted(ACCELERATORS),
}


def _enrich(defs: dict[str, Any]) -> None:
    for model, field in _VALUES:
        prop = defs.get(model, {}).get("properties", {}).get(field)
        if prop is not None and prop.get("type") == "string":
            prop["enum"] = sorted(ACCELERATORS)
    for (model, field), names in _KEYS.items():
        prop = defs.get(model, {}).get("properties", {}).get(field)
        if prop is not None and prop.get("type") == "object":
            prop["propertyNames"] = {"enum": names}


def _ref_name(prop: dict[str, Any]) -> str:
    """The $defs name a property refers to (directly, or through allOf/anyOf)."""
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    for key in ("allOf", "anyOf"):
        for item in prop.get(key, ()):
            if "$ref" in item:
                return str(item["$ref"]).rsplit("/", 1)[-1]
    raise KeyError(f"no $ref in {prop}")


def stack_config_schema() -> dict[str, Any]:
    """A JSON Schema (2020-12) for a Pulumi stack file holding aidc's configuration."""
    model = StackConfig.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = model.pop("$defs")
    _enrich(defs)
    props = model["properties"]
    config: dict[str, Any] = {}
    for key in AIDC_KEYS:
        config[f"aidc:{key}"] = {k: v for k, v in props[key].items() if k != "default"} | {
            "title": f"aidc:{key}"
        }
    for key, (
        cloud,
        field,
    ) in PROVIDER_KEYS.items():  # aws:region: the provider's own key, read into aidc:aws
        settings = defs[_ref_name(props[cloud])]
        config[key] = {**settings["properties"][field], "title": key}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "title": "aidc stack file",
        "description": "A Pulumi stack file (stacks/Pulumi.<stack>.yaml) with aidc's configuration under config:. "
        "Unknown aidc:* keys are refused; other namespaces (pulumi:, aws: ...) are Pulumi's.",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": config,
                "additionalProperties": True,
            },
            "encryptionsalt": {"type": "string"},
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
        },
        "$defs": defs,
    }
