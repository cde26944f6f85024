"""MkDocs hooks (mkdocs.yml `hooks:`): every page under docs/ is in the site's navigation.

A page that mkdocs.yml's `nav` does not list is appended under "More" (sorted by path), so a page added by any
change is published and reachable without editing the nav; listing it in the nav places it properly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def listed_pages(nav: Any) -> set[str]:
    """The page paths a nav structure (lists, {title: page-or-list}, plain paths) refers to."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return {page for value in nav.values() for page in listed_pages(value)}
    if isinstance(nav, list):
        return {page for item in nav for page in listed_pages(item)}
    return set()


def unlisted_pages(docs_dir: Path, nav: Any) -> list[str]:
    listed = listed_pages(nav)
    pages = (path.relative_to(docs_dir).as_posix() for path in docs_dir.rglob("*.md"))
    return sorted(page for page in pages if page not in listed)


def on_config(config: Any) -> Any:
    nav = config.get("nav")
    if nav is None:  # without a nav MkDocs lists every page itself
        return config
    extra = unlisted_pages(Path(config["docs_dir"]), nav)
    if extra:
        nav.append({"More": extra})
    return config
