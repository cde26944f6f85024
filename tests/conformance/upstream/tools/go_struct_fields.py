"""Print the JSON field names of Go structs (from their `json:"..."` tags) as JSON: the fields a CRD generated
from those types accepts (everything else is pruned by the API server). Usage:
  git -C <checkout> show <tag>:<path/types.go> | python go_struct_fields.py Plan PlanSpec ... > out.json
Pure text processing of the Go source; nothing is built or run."""

import json
import re
import sys

source = sys.stdin.read()
wanted = sys.argv[1:]
structs: dict[str, dict[str, str]] = {}
for match in re.finditer(r"(?ms)^type (\w+) struct \{\n(.*?)^\}", source):
    name, body = match.groups()
    fields: dict[str, str] = {}
    for line in body.splitlines():
        tag = re.search(r'json:"([^",]*)', line)
        parts = line.split()
        if not tag or not parts or parts[0].startswith("//"):
            continue
        go_type = parts[1] if len(parts) > 1 and not parts[1].startswith("`") else parts[0]
        if tag.group(1):
            fields[tag.group(1)] = go_type
    structs[name] = fields
json.dump({name: structs[name] for name in wanted}, sys.stdout, indent=1, sort_keys=True)
