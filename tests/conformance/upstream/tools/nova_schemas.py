"""Dump Nova's server create and server metadata request schemas (JSON Schema dicts in nova's API schema
modules) as JSON. Run with PYTHONPATH pointing at a tree holding nova/api/validation/parameter_types.py and
nova/api/openstack/compute/schemas/{servers,server_metadata}.py from the Nova branch, plus stubs for
nova.i18n._ (identity) and the two constants nova.objects.tag.MAX_TAG_LENGTH / instance.MAX_TAG_COUNT."""

import json
import sys

from nova.api.openstack.compute.schemas import server_metadata, servers

out = {
    "servers.create": servers.create,
    "servers.create_v20": servers.create_v20,
    "servers.create_v294": servers.create_v294,
    "server_metadata.create": server_metadata.create,
    "server_metadata.update_all": server_metadata.update_all,
}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
