"""Dump Heat resource type schemas exactly as `GET /v1/{tenant}/resource_types/{type}` answers
(heat.engine.service.EngineService.resource_schema), plus HOT template versions, their intrinsic functions
and the parameter types/keys, from an installed openstack-heat."""

import importlib.metadata as md
import itertools
import json
import sys

from heat.engine import attributes, properties, resources, support
from heat.engine.hot import parameters as hot_parameters
from stevedore import extension

resources.initialise()
TYPES = sys.argv[1].split(",")
env = resources.global_env()
out = {"heat_version": md.version("openstack-heat"), "resource_types": {}, "template_versions": {}}
for type_name in TYPES:
    cls = env.get_class(type_name)
    props = {}
    for name, schema_dict in cls.properties_schema.items():
        schema = properties.Schema.from_legacy(schema_dict)
        if schema.implemented and schema.support_status.status != support.HIDDEN:
            props[name] = dict(schema)
    attrs = {}
    for name, data in itertools.chain(cls.attributes_schema.items(), cls.base_attributes_schema.items()):
        s = attributes.Schema.from_attribute(data)
        if s.support_status.status != support.HIDDEN:
            attrs[name] = dict(s)
    hidden_props = sorted(
        name
        for name, schema_dict in cls.properties_schema.items()
        if properties.Schema.from_legacy(schema_dict).support_status.status == support.HIDDEN
    )
    hidden_attrs = sorted(
        name
        for name, data in cls.attributes_schema.items()
        if attributes.Schema.from_attribute(data).support_status.status == support.HIDDEN
    )
    out["resource_types"][type_name] = {
        "resource_type": type_name,
        "properties": props,
        "attributes": attrs,
        # Still resolved by the engine but deprecated and left out of the API's schema.
        "hidden_properties": hidden_props,
        "hidden_attributes": hidden_attrs,
        "support_status": cls.support_status.to_dict(),
    }
mgr = extension.ExtensionManager("heat.templates")
for ext in mgr:
    name = ext.name
    if not name.startswith("heat_template_version."):
        continue
    version = name.split(".", 1)[1]
    cls = ext.plugin
    out["template_versions"][version] = {
        "class": cls.__name__,
        "functions": sorted(k for k, v in cls.functions.items()),
        "condition_functions": sorted(getattr(cls, "condition_functions", {}) or {}),
        "sections": [s for s in getattr(cls, "SECTIONS", ()) if s != "__undefined__"],
    }
out["parameter_types"] = list(hot_parameters.HOTParamSchema.TYPES)
out["parameter_keys"] = list(hot_parameters.HOTParamSchema.KEYS)
out["parameter_constraint_keys"] = list(hot_parameters.PARAM_CONSTRAINTS)
json.dump(out, sys.stdout, indent=1, sort_keys=True, default=str)
