"""Record, from a Rook checkout at a tag, how the operator creates a pool and applies `spec.parameters`
(the facts tests/conformance/test_ceph_pools.py replays). Usage: python rook_pool_facts.py <rook checkout> <tag>.
Text search of the Go sources with git; each fact carries the file, blob and line it was read from; the script
fails if a pattern is not found, so a newer Rook that changed the behaviour cannot be recorded silently."""

import json
import re
import subprocess
import sys

checkout, tag = sys.argv[1], sys.argv[2]


def show(path: str) -> list[str]:
    return subprocess.run(
        ["git", "-C", checkout, "show", f"{tag}:{path}"], check=True, capture_output=True, text=True
    ).stdout.splitlines()


def blob(path: str) -> str:
    return subprocess.run(
        ["git", "-C", checkout, "rev-parse", f"{tag}:{path}"], check=True, capture_output=True, text=True
    ).stdout.strip()


def find(path: str, pattern: str) -> dict:
    for number, line in enumerate(show(path), start=1):
        if re.search(pattern, line):
            return {"path": path, "blob": blob(path), "line": number, "text": line.strip()}
    raise SystemExit(f"{path}: no line matches {pattern!r}")


facts = {
    "repository": "rook/rook",
    "tag": tag,
    "commit": subprocess.run(
        ["git", "-C", checkout, "rev-parse", f"{tag}^{{commit}}"], check=True, capture_output=True, text=True
    ).stdout.strip(),
    "default_pg_count": {
        "value": re.search(
            r'"(\d+)"', find("pkg/daemon/ceph/client/command.go", r"DefaultPGCount\s*=")["text"]
        ).group(1),
        "meaning": "the pg_num argument of `ceph osd pool create`; 0 lets Ceph use osd_pool_default_pg_num",
        "source": find("pkg/daemon/ceph/client/command.go", r"DefaultPGCount\s*="),
    },
    "block_pool_created_with": find(
        "pkg/daemon/ceph/client/pool.go", r"return CreatePoolWithPGs\(.*DefaultPGCount\)"
    ),
    "replicated_create_command": find(
        "pkg/daemon/ceph/client/pool.go", r'"osd", "pool", "create", pool.Name, pgCount, "replicated"'
    ),
    "erasure_create_command": find(
        "pkg/daemon/ceph/client/pool.go", r'"osd", "pool", "create", pool.Name, pgCount, "erasure"'
    ),
    "object_store_data_pool_created_with": find(
        "pkg/operator/ceph/object/objectstore.go", r"createSimilarPools\(.*dataPoolName.*DefaultPGCount"
    ),
    "object_store_metadata_pools": {
        "pools": [
            ".rgw.root",
            *re.findall(
                r'"(rgw\.[a-z.-]+)"',
                "\n".join(show("pkg/operator/ceph/object/objectstore.go"))
                .split("metadataPools = []string{", 1)[1]
                .split("}", 1)[0],
            ),
        ],
        "pg_num": int(
            re.search(
                r'"(\d+)"', find("pkg/operator/ceph/object/objectstore.go", r"rgwRadosPoolPgNum\s*=")["text"]
            ).group(1)
        ),
        "size_from": "spec.metadataPool (the replicated metadata pool spec)",
        "source": find("pkg/operator/ceph/object/objectstore.go", r"metadataPools = \[\]string\{"),
    },
    "parameters_applied_in_map_order": find(
        "pkg/daemon/ceph/client/pool.go", r"for propName, propValue := range pool.Parameters"
    ),
    "parameter_errors_only_logged": find(
        "pkg/daemon/ceph/client/pool.go", r'logger.Errorf\("failed to set property'
    ),
    "parameters_applied_on_every_reconcile": find(
        "pkg/daemon/ceph/client/pool.go", r"if err := setCommonPoolProperties\(context, clusterInfo, pool\)"
    ),
}
json.dump(facts, sys.stdout, indent=1, sort_keys=True)
