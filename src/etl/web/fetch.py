"""fetch: items into RawDocs, hosts in parallel; conditional GET from the fetch state, bytes in bronze."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from etl.clock import now_local
from etl.models import Failure, Item, RawDoc
from etl.settings import Settings
from etl.web.client import Fetcher, FetchRefused
from etl.web.encoding import detect_encoding
from etl.web.urls import canonical_url

log = logging.getLogger(__name__)

MAX_PARALLEL_HOSTS = 8


@dataclass
class FetchResult:
    """What happened to one item: a document, an unchanged page, or an error."""

    item: Item
    uri: str  # final canonical URL (after redirects)
    status: int | None
    elapsed: float
    bytes: int = 0
    attempts: int = 1
    doc: RawDoc | None = None
    error: str | None = None
    unchanged: bool = False  # 304, or the same bytes as last time
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: object = None


# -- items into documents -----------------------------------------------------------------


def conditional_headers(state) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a fetch-state row (or nothing)."""
    headers = {}
    if state is not None and getattr(state, "raw_hash", None):
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
    return headers


def fetch_item(fetcher: Fetcher, item: Item, state=None) -> FetchResult:
    """Fetch one item: a RawDoc when the page is new or changed, else unchanged or an error."""
    started = time.monotonic()
    try:
        resp = fetcher.get(item.uri, headers=conditional_headers(state), source_name=item.source_name)
    except FetchRefused as exc:
        log.warning("discarding %s: %s", item.uri, exc.reason)
        return FetchResult(item, item.uri, exc.status, time.monotonic() - started, attempts=exc.attempts,
                           error=exc.reason, fetched_at=now_local())
    except Exception as exc:  # one hostile URL must not end the fetch of every other item
        log.exception("discarding %s: unexpected error while fetching", item.uri)
        return FetchResult(item, item.uri, None, time.monotonic() - started,
                           error=f"unexpected error: {type(exc).__name__}: {exc}", fetched_at=now_local())
    elapsed = time.monotonic() - started
    final = canonical_url(resp.url)
    result = FetchResult(item, final, resp.status, elapsed, resp.wire_bytes, resp.attempts,
                         etag=resp.headers.get("ETag"), last_modified=resp.headers.get("Last-Modified"),
                         fetched_at=now_local())
    if resp.status == 304:
        log.info("unchanged %s: 304 Not Modified", item.uri)
        result.unchanged = True
        result.etag = result.etag or state.etag
        result.last_modified = result.last_modified or state.last_modified
        return result
    if resp.status == 204 or not resp.content:
        result.error = f"HTTP {resp.status}: empty body"
        log.warning("discarding %s: %s", item.uri, result.error)
        return result
    mime = resp.mime
    encoding = detect_encoding(resp.content, resp.headers.get("Content-Type"))
    result.doc = RawDoc(uri=final, source_name=item.source_name, content=resp.content, content_type=mime,
                        fetched_at=result.fetched_at, encoding=encoding)
    if state is not None and state.raw_hash == result.doc.raw_hash:
        log.info("unchanged %s: same bytes as the last fetch", item.uri)
        result.unchanged = True
    return result


def fetch_all(items: list[Item], settings: Settings, state: Mapping[str, object] | None = None,
              fetcher: Fetcher | None = None) -> list[FetchResult]:
    """Fetch items, hosts in parallel, each host's items one after another; results in item order."""
    state = state or {}
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    by_host: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_host[urlsplit(item.uri).netloc].append(i)
    results: list[FetchResult | None] = [None] * len(items)

    def run_host(indexes: list[int]) -> None:
        for i in indexes:
            results[i] = fetch_item(fetcher, items[i], state.get(items[i].uri))

    try:
        workers = max(1, min(MAX_PARALLEL_HOSTS, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            for future in [pool.submit(run_host, idx) for idx in by_host.values()]:
                future.result()
    finally:
        if own:
            fetcher.close()
    return [r for r in results if r is not None]


def fetch_batch(items: list[Item], settings: Settings) -> tuple[list[RawDoc], list[Failure]]:
    """Documents for http(s) items; conditional GET from the fetch state, bytes kept in bronze.

    A page that answers 304 Not Modified (or returns the same bytes as last time)
    yields neither a document nor a failure: it is unchanged, nothing to
    re-extract. Every attempt is recorded in the `fetches` table and new bytes
    in bronze; the fetch state is staged for the run and committed by the flow
    after the batch is loaded (`etl.bronze.commit_state`), so a run that dies
    before loading does not leave pages marked as already seen.
    """
    from etl import bronze
    from etl.storage import Store

    store = Store(settings.warehouse)
    state = bronze.load_state(store)
    results = fetch_all(items, settings, state)
    bronze.record(store, results, settings.run_id or "")
    docs: list[RawDoc] = []
    failures: list[Failure] = []
    seen: set[str] = set()
    for result in results:
        if result.error:
            failures.append(Failure(result.item.uri, "acquire", result.error))
        elif result.doc is None or result.unchanged:
            continue
        elif result.doc.uri in seen:
            log.info("skipping %s: same page as another item (redirects to %s)", result.item.uri, result.doc.uri)
        else:
            seen.add(result.doc.uri)
            docs.append(result.doc)
    return docs, failures
