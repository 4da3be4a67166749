"""discover: turn configured sources into items `(uri, source_name)` to acquire.

Local folders are listed here; URL lists, feeds and sitemaps are read by the
web discovery functions below. Nothing is fetched except feeds and sitemaps.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

from etl.errors import InputError
from etl.models import Failure, Item
from etl.settings import Settings

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


def discover_folder(folder: Path, source_name: str | None = None) -> tuple[list[Item], list[Failure]]:
    """Article files (.txt, .html) under a folder, sorted, as file:// items.

    Symlinks that resolve outside the folder are refused (reported as failures).

    >>> items, failures = discover_folder(Path("seeds/articles"))
    >>> items[0].uri.startswith("file://"), items[0].source_name
    (True, 'articles')
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "input folder does not exist or is not a folder; pass --input DIR")
    root = folder.resolve()
    name = source_name or root.name
    items: list[Item] = []
    failures: list[Failure] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in ARTICLE_SUFFIXES or path.name.startswith("."):
            continue
        uri = path.absolute().as_uri()
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            failures.append(Failure(uri, "discover", "symlink loop (the link points back at itself); refused"))
            log.warning("discarding %s: symlink loop", uri)
            continue
        if not resolved.is_relative_to(root):
            failures.append(Failure(uri, "discover", f"symlink points outside the input folder (to {resolved}); refused"))
            log.warning("discarding %s: symlink outside the input folder", uri)
            continue
        if path.is_symlink() and not resolved.exists():
            failures.append(Failure(uri, "discover", f"dangling symlink (its target {resolved} does not exist)"))
            log.warning("discarding %s: dangling symlink", uri)
            continue
        if not resolved.is_file():
            continue
        # identity: source and path inside the folder, not where the folder happens to be
        # percent-encoded bytes, as in a file:// URI: a name that is not UTF-8 still has a key
        key = quote(os.fsencode(f"{name}/{path.relative_to(folder).as_posix()}"))
        items.append(Item(uri=path.absolute().as_uri(), source_name=name, key=key))
    return items, failures


def discover(settings: Settings) -> tuple[list[Item], list[Failure]]:
    """All items of a run: the input folder and every configured source, deduplicated."""
    items: list[Item] = []
    failures: list[Failure] = []
    if settings.input_dir is not None:
        found, failed = discover_folder(settings.input_dir)
        items += found
        failures += failed
    if settings.sources:
        from etl.web_discover import discover_sources  # web discovery only when configured

        found, failed = discover_sources(settings)
        items += found
        failures += failed
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.uri not in seen:
            seen.add(item.uri)
            unique.append(item)
    return unique, failures
