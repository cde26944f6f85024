"""Dump the VPNaaS API attribute maps of neutron-lib (the values the Neutron API validates) as JSON."""

import importlib.metadata as md
import json
import sys

from neutron_lib.api.definitions import vpn, vpn_aes_ccm_gcm, vpn_endpoint_groups


def clean(value):
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return f"<{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}>"


out = {"neutron_lib_version": md.version("neutron-lib")}
for mod in (vpn, vpn_endpoint_groups, vpn_aes_ccm_gcm):
    out[mod.ALIAS] = {
        "RESOURCE_ATTRIBUTE_MAP": clean(getattr(mod, "RESOURCE_ATTRIBUTE_MAP", {})),
        "SUB_RESOURCE_ATTRIBUTE_MAP": clean(getattr(mod, "SUB_RESOURCE_ATTRIBUTE_MAP", {}) or {}),
    }
out["constants"] = {k: clean(getattr(vpn, k)) for k in dir(vpn) if k.startswith("VPN_SUPPORTED_")}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
