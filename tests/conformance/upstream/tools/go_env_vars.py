"""Print the environment variables a Go command's flags read (urfave/cli `EnvVars: []string{...}` and
`Sources: cli.EnvVars(...)`) as a sorted JSON list. Usage:
  git -C <checkout> show <tag>:<path/a.go> <tag>:<path/b.go> | python go_env_vars.py > out.json
Pure text processing of the Go source; nothing is built or run."""

import json
import re
import sys

source = sys.stdin.read()
names: set[str] = set()
for match in re.finditer(r"EnvVars(?:\(|:\s*\[\]string\{)([^)}]*)", source):
    names.update(re.findall(r'"([A-Z][A-Z0-9_]*)"', match.group(1)))
json.dump(sorted(names), sys.stdout, indent=1)
