"""bronze: fetched bytes kept as they came, plus what we know about each URL.

- `bronze/<sha[:2]>/<sha>.<ext>.gz`: the original bytes, gzip-compressed and
  addressed by the sha256 of the uncompressed bytes (RawDoc.raw_hash), written
  once however often a page is fetched.
- `tables/fetches/<run_id>-<n>.parquet`: one row per fetch (the `fetches` view).
- `state/fetch_state.parquet`: per URI the validators for conditional GET (ETag,
  Last-Modified) and where its last bytes are. A run stages its rows under
  `state/pending/` and the flow commits them once the batch is loaded, so a run
  that dies between fetching and loading does not leave pages marked as seen.

`rebuild_docs` turns bronze back into RawDocs, so any night can be re-extracted
without refetching (`etl reprocess`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import logging
import uuid
from dataclasses import asdict, dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from etl.models import Failure, Item, RawDoc
from etl.schema import Fetch, arrow_schema, to_table
from etl.storage import Store

log = logging.getLogger(__name__)

STATE_FILE = "state/fetch_state.parquet"
PENDING_DIR = "state/pending"
FETCHES_DIR = "tables/fetches"
EXTENSIONS = {"text/html": "html", "application/xhtml+xml": "xhtml", "text/plain": "txt"}


@dataclass
class FetchState:
    """What the last successful fetch of a URI left behind."""

    uri: str  # the URI as discovered (what we request next time)
    final_uri: str | None
    source_name: str | None
    etag: str | None
    last_modified: str | None
    raw_hash: str | None
    status: int | None
    fetched_at: dt.datetime | None
    content_type: str | None
    encoding: str | None
    run_id: str | None = None


STATE_SCHEMA = arrow_schema(FetchState)


def blob_path(raw_hash: str, content_type: str | None = None) -> str:
    """Warehouse-relative path of a document's bytes.

    >>> blob_path("ab" + "0" * 62, "text/html")
    'bronze/ab/ab00000000000000000000000000000000000000000000000000000000000000.html.gz'
    """
    return f"bronze/{raw_hash[:2]}/{raw_hash}.{EXTENSIONS.get(content_type or '', 'bin')}.gz"


def put_blob(store: Store, doc: RawDoc) -> str:
    """Store a document's bytes once (content-addressed, gzip); returns the path."""
    rel = blob_path(doc.raw_hash, doc.content_type)
    if not store.exists(rel):
        store.write_bytes(rel, gzip.compress(doc.content, compresslevel=6, mtime=0))
    return rel


def get_blob(store: Store, raw_hash: str, content_type: str | None = None) -> bytes:
    """A document's original bytes from bronze, checked against its hash."""
    content = store.read_bytes(blob_path(raw_hash, content_type))
    # blobs written before Store turned off pyarrow's extension-based compression may carry two gzip layers
    while hashlib.sha256(content).hexdigest() != raw_hash and content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    if hashlib.sha256(content).hexdigest() != raw_hash:
        raise ValueError(f"bronze blob {raw_hash} is corrupt (hash mismatch)")
    return content


def read_rows(store: Store, rel: str) -> list[dict]:
    """Rows of every Parquet file under a path (one file or a folder)."""
    files = [rel] if rel.endswith(".parquet") and store.exists(rel) else store.list_files(rel, ".parquet")
    rows: list[dict] = []
    for f in files:
        rows += pq.read_table(store.path(f), filesystem=store.fs).to_pylist()
    return rows


def load_state(store: Store) -> dict[str, FetchState]:
    """The committed fetch state: URI -> FetchState."""
    fields = set(STATE_SCHEMA.names)
    return {r["uri"]: FetchState(**{k: v for k, v in r.items() if k in fields}) for r in read_rows(store, STATE_FILE)}


def state_of(result, run_id: str) -> FetchState:
    """The state row a successful fetch leaves behind."""
    doc = result.doc
    return FetchState(uri=result.item.uri, final_uri=result.uri, source_name=result.item.source_name,
                      etag=result.etag, last_modified=result.last_modified, raw_hash=doc.raw_hash,
                      status=result.status, fetched_at=result.fetched_at, content_type=doc.content_type,
                      encoding=doc.encoding, run_id=run_id)


def fetch_row(result, run_id: str) -> Fetch:
    """The `fetches` row of one FetchResult."""
    doc = result.doc
    return Fetch(uri=result.item.uri, status=result.status, bytes=result.bytes, elapsed=round(result.elapsed, 4),
                 error=result.error, run_id=run_id, fetched_at=result.fetched_at, final_uri=result.uri,
                 source_name=result.item.source_name, attempts=result.attempts, unchanged=result.unchanged,
                 raw_hash=doc.raw_hash if doc else None, content_type=doc.content_type if doc else None,
                 encoding=doc.encoding if doc else None)


def record(store: Store, results: list, run_id: str) -> None:
    """Keep a batch of fetch results: bytes in bronze, `fetches` rows, staged state."""
    if not results:
        return
    staged = []
    for result in results:
        if result.doc is not None:
            put_blob(store, result.doc)
            staged.append(state_of(result, run_id))
    name = f"{run_id or 'adhoc'}-{uuid.uuid4().hex[:8]}.parquet"
    store.write_parquet(f"{FETCHES_DIR}/{name}", to_table("fetches", [fetch_row(r, run_id) for r in results]))
    if staged:
        rows = [asdict(s) for s in staged]
        store.write_parquet(f"{PENDING_DIR}/{name}", pa.Table.from_pylist(rows, schema=STATE_SCHEMA))


def commit_state(store: Store, run_id: str) -> int:
    """Merge a run's staged state into the fetch state; returns how many URIs changed."""
    prefix = f"{run_id or 'adhoc'}-"
    pending = [f for f in store.list_files(PENDING_DIR, ".parquet") if f.rpartition("/")[2].startswith(prefix)]
    if not pending:
        return 0
    state = load_state(store)
    fields = set(STATE_SCHEMA.names)
    changed = 0
    for f in pending:
        for row in read_rows(store, f):
            state[row["uri"]] = FetchState(**{k: v for k, v in row.items() if k in fields})
            changed += 1
    table = pa.Table.from_pylist([asdict(s) for s in sorted(state.values(), key=lambda s: s.uri)], schema=STATE_SCHEMA)
    store.write_parquet(STATE_FILE, table)
    for f in pending:
        store.delete(f)
    return changed


def stored_fetches(store: Store, run_id: str | None = None) -> list[FetchState]:
    """What to re-extract: the state of every URI, or the successful fetches of one run."""
    if run_id is None:
        return sorted((s for s in load_state(store).values() if s.raw_hash), key=lambda s: s.uri)
    latest = {r["uri"]: r for r in read_rows(store, FETCHES_DIR) if r["run_id"] == run_id and r.get("raw_hash")}
    rows = list(latest.values())
    return [FetchState(uri=r["uri"], final_uri=r["final_uri"], source_name=r["source_name"], etag=None,
                       last_modified=None, raw_hash=r["raw_hash"], status=r["status"], fetched_at=r["fetched_at"],
                       content_type=r["content_type"], encoding=r["encoding"], run_id=run_id)
            for r in sorted(rows, key=lambda r: r["uri"])]


def stored_items(store: Store, run_id: str | None = None) -> tuple[list[Item], list[Failure]]:
    """What `etl reprocess` reads: one item per URI with bytes in bronze (all, or one run's)."""
    return [Item(uri=s.uri, source_name=s.source_name or "") for s in stored_fetches(store, run_id)], []


def read_batch(store: Store, items: list[Item], run_id: str | None = None) -> tuple[list[RawDoc], list[Failure]]:
    """RawDocs of a batch of stored items, from bronze (the acquire stage of `etl reprocess`)."""
    wanted = {i.uri for i in items}
    return rebuild_docs(store, run_id, [s for s in stored_fetches(store, run_id) if s.uri in wanted])


def rebuild_docs(store: Store, run_id: str | None = None,
                 states: list[FetchState] | None = None) -> tuple[list[RawDoc], list[Failure]]:
    """RawDocs from bronze (no network): the latest bytes of every URI, or one run's.

    >>> docs, failures = rebuild_docs(Store("warehouse"))  # doctest: +SKIP
    """
    docs: list[RawDoc] = []
    failures: list[Failure] = []
    for s in stored_fetches(store, run_id) if states is None else states:
        uri = s.final_uri or s.uri
        try:
            content = get_blob(store, s.raw_hash, s.content_type)
        except (OSError, ValueError) as exc:
            log.warning("discarding %s: bronze bytes unreadable: %s", uri, exc)
            failures.append(Failure(uri, "reprocess", f"bronze bytes {s.raw_hash} unreadable: {exc}"))
            continue
        docs.append(RawDoc(uri=uri, source_name=s.source_name or "", content=content, content_type=s.content_type,
                           fetched_at=s.fetched_at, encoding=s.encoding, raw_hash=s.raw_hash))
    return docs, failures
