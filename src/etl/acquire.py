"""acquire: bytes for each item. file:// is read here; http(s) goes through etl.web."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlparse

from etl.errors import InputError
from etl.models import Failure, Item, RawDoc
from etl.settings import Settings

log = logging.getLogger(__name__)

CONTENT_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}


def now_local() -> dt.datetime:
    """Current time in Vietnam (UTC+7), naive, to the microsecond."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(tzinfo=None)


def read_file(item: Item, max_bytes: int) -> RawDoc:
    """Bytes of a file:// item, refusing files larger than max_bytes."""
    # bytes, then the filesystem encoding: a name that is not UTF-8 (b"tin\xff.txt") still opens
    path = Path(os.fsdecode(unquote_to_bytes(urlparse(item.uri).path)))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(item.uri, f"file is {size} bytes, over the {max_bytes}-byte cap (raise max_bytes to read it)")
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(item.uri, f"cannot read file: {exc.strerror or exc}") from exc
    return RawDoc(
        uri=item.uri,
        source_name=item.source_name,
        content=content,
        content_type=CONTENT_TYPES.get(path.suffix.lower()),
        fetched_at=now_local(),
        article_id=item.article_id,
    )


def acquire_batch(items: list[Item], settings: Settings) -> tuple[list[RawDoc], list[Failure]]:
    """Raw bytes for a batch of items; failures are reported, never raised."""
    docs: list[RawDoc] = []
    failures: list[Failure] = []
    web = [i for i in items if i.uri.startswith(("http://", "https://"))]
    for item in items:
        if item.uri.startswith("file://"):
            try:
                docs.append(read_file(item, settings.max_bytes))
            except InputError as exc:
                log.warning("discarding %s: %s", exc.uri, exc.reason)
                failures.append(Failure(exc.uri, "acquire", exc.reason))
        elif item not in web:
            failures.append(Failure(item.uri, "acquire", "unsupported URI scheme (use file://, http:// or https://)"))
    if web:
        from etl.web.fetch import fetch_batch  # the HTTP client only when there is web work

        fetched, failed = fetch_batch(web, settings)
        docs += fetched
        failures += failed
    return docs, failures
