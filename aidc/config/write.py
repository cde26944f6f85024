"""Writing back to a stack file: record keys on edge sites (`network_cidr`, `shard`), keeping every comment,
the key order and the layout of what is already there (ruamel.yaml round trip).

Only keys a site does not have yet are added; nothing existing is changed or removed. The result is parsed
again by the caller before it replaces the file. No Pulumi, no sizing.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from aidc.config.load import ConfigError


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    # The stack files' layout: mappings by 2, list items indented 2 with their dash ("    - name: x").
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _append(site: CommentedMap, items: Mapping[str, Any]) -> None:
    """Add keys after the site's last key. Comment lines that follow the site belong to whatever comes next, but
    ruamel hangs them on the last key: keep that key's end-of-line comment there and move the rest after the
    new keys, so they stay where they were."""
    last = list(site.keys())[-1]
    slot = site.ca.items.get(last)
    token = slot[2] if slot and len(slot) > 2 else None
    for key, value in items.items():
        site[key] = value
    if token is not None:
        first, newline, rest = token.value.partition("\n")
        if rest:
            token.value = first + newline
            site.ca.items[list(site.keys())[-1]] = [
                None,
                None,
                CommentToken("\n" + rest, CommentMark(0)),
                None,
            ]


def record_sites(text: str, records: Mapping[str, Mapping[str, Any]], source: str = "") -> str:
    """`text` with each named site's missing keys added (site name -> {key: value}); keys a site already has are
    left as they are."""
    yaml = _yaml()
    document = yaml.load(text)
    try:
        edge = document["config"]["aidc:edge"]
        sites = edge["sites"]
    except (KeyError, TypeError):
        raise ConfigError(["aidc:edge.sites: not found as a YAML list in the file"], source) from None
    if isinstance(edge, str) or not isinstance(sites, list):
        raise ConfigError(
            [
                "aidc:edge: written as a JSON string; write it as YAML (a mapping with a `sites:` list) to record"
            ],
            source,
        )
    for site in sites:
        wanted = records.get(str(site.get("name")), {})
        missing = {key: value for key, value in wanted.items() if key not in site}
        if missing:
            _append(site, missing)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a temporary file in the same directory, then rename)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
