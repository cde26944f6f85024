"""Writing back to a stack file: record keys on edge sites (`network_cidr`, `shard`), keeping every comment,
the key order and the layout of what is already there (ruamel.yaml round trip).

Only keys a site does not have yet are added; nothing existing is changed or removed. The result is parsed
again by the caller before it replaces the file. No Pulumi, no sizing.
"""

from __future__ import annotations

import io
import os
import stat
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


class FileWriteError(ValueError):
    """A file aidc will not (or could not) rewrite; the message names the file, why, and that nothing changed."""


def _target(path: Path) -> Path:
    """The file a write to `path` lands in: `path`, or what its symlinks lead to (written through, never turned
    into a copy); refused when that is not a regular file."""
    if not path.is_symlink():
        return path
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling link, a loop
        raise FileWriteError(
            f"{path}: is a symlink that leads to no file ({exc.__class__.__name__}); nothing written"
        ) from None
    if not target.is_file():
        raise FileWriteError(
            f"{path}: is a symlink to {target}, which is not a regular file; nothing written"
        )
    return target


def _refuse(path: Path, target: Path, expected: str | None) -> os.stat_result | None:
    """The target's stat (None for a new file), or FileWriteError when it must not be replaced."""
    try:
        info = target.lstat()
    except FileNotFoundError:
        return None
    shown = f"{path} (-> {target})" if target != path else str(path)
    if not stat.S_ISREG(info.st_mode):
        raise FileWriteError(f"{shown}: is not a regular file; nothing written")
    # The owner's write bit, not os.access: root may write anything, but a file its owner made read-only was
    # made so on purpose (a checkout of a protected path, a reviewed file).
    if not info.st_mode & stat.S_IWUSR:
        raise FileWriteError(
            f"{shown}: is read-only (mode {stat.S_IMODE(info.st_mode):04o}); make it writable "
            f"(chmod u+w {target}) to record into it; nothing written"
        )
    if info.st_nlink > 1:
        raise FileWriteError(
            f"{shown}: has {info.st_nlink} hard links; replacing it would leave the other names on the old text; "
            "nothing written"
        )
    if expected is not None and target.read_text(encoding="utf-8") != expected:
        raise FileWriteError(f"{shown}: changed while aidc was working on it; run again; nothing written")
    return info


def replace_file(path: Path, text: str, expected: str | None = None) -> Path:
    """Write `text` to `path` atomically and return the file written.

    A symlink is written through (its target is replaced; the link stays). A read-only file, a file with other
    hard links, anything but a regular file, or a file whose text is no longer `expected` is refused with
    FileWriteError. The text goes to a temporary file beside the target, is flushed to disk, takes the target's
    mode (a new file: 0666 less the umask) and owner, then replaces the target in one rename: a reader sees the
    old file or the new one, never half of one, and a failure leaves the old file and no temporary behind."""
    target = _target(path)
    info = _refuse(path, target, expected)
    if info is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        mode = stat.S_IMODE(info.st_mode)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise FileWriteError(
            f"{target.parent}: cannot write there ({exc.strerror}); nothing written"
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if info is not None and os.geteuid() == 0 and (info.st_uid, info.st_gid) != (0, 0):
            os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise FileWriteError(
                f"{target}: could not be replaced ({exc.strerror}); nothing written"
            ) from None
        raise
    _sync_directory(target.parent)
    return target


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX: fsync the directory); best effort where that is not possible."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
