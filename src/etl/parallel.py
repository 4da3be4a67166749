"""Process-pool parallelism for the CPU-bound stages (clean = trafilatura, extract = rules).

Both stages are pure functions over a batch, so a batch is cut into chunks,
each chunk runs the ordinary stage function in a worker process, and the
chunk results are merged back in input order. The pool is created once per
process and reused by every batch, so a run pays the worker start-up (importing
trafilatura and the rules) once, not per batch; the Prefect task count stays one
per stage per batch. Workers come from a forkserver, not a plain fork: the flow
process has Prefect's threads running, and forking a threaded process can copy a
held lock into the child.

`workers` is chosen at the edge (`ETL_WORKERS`, flow parameters); library
code never looks at the machine. As with any non-fork start method, a script
that runs a flow with `workers > 1` needs the `if __name__ == "__main__":` guard
(the console script `etl` has it).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

from etl.models import CleanDoc, Failure, RawDoc

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a batch runs in-process: shipping it to workers costs more
# than it saves (a small HTML page cleans in ~10 ms; pickling and IPC are ~1 ms).
MIN_PARALLEL_ITEMS = 16
CHUNKS_PER_WORKER = 8  # several chunks per worker: the last chunk of a batch idles the other workers

_pool: ProcessPoolExecutor | None = None
_pool_workers = 0


def _get_pool(workers: int) -> ProcessPoolExecutor:
    """The process-wide pool with `workers` processes (recreated if the count changes)."""
    global _pool, _pool_workers
    if _pool is None or _pool_workers != workers:
        shutdown()
        context = multiprocessing.get_context("forkserver")
        # Imported once in the fork server, so each worker starts with them loaded.
        context.set_forkserver_preload(["etl.clean", "etl.extract"])
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        _pool_workers = workers
    return _pool


def shutdown() -> None:
    """Stop the worker processes (also done at interpreter exit)."""
    global _pool, _pool_workers
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
    _pool, _pool_workers = None, 0


atexit.register(shutdown)


def chunks(items: Sequence[T], n: int) -> list[Sequence[T]]:
    """`items` cut into at most `n` contiguous, nearly equal chunks.

    >>> [list(c) for c in chunks(range(5), 2)]
    [[0, 1, 2], [3, 4]]
    """
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def map_batch(fn: Callable[..., R], items: Sequence[T], workers: int, *args) -> list[R]:
    """`fn(chunk, *args)` over chunks of `items`, in worker processes when it pays; results in order.

    With `workers <= 1` or a small batch this is `[fn(items, *args)]`, in-process.

    >>> map_batch(sum, [1, 2, 3], workers=1)
    [6]
    """
    if workers <= 1 or len(items) < MIN_PARALLEL_ITEMS:
        return [fn(items, *args)]
    pool = _get_pool(workers)
    futures = [pool.submit(fn, list(chunk), *args) for chunk in chunks(items, workers * CHUNKS_PER_WORKER)]
    return [f.result() for f in futures]


def clean_batch(raws: list[RawDoc], workers: int = 1) -> tuple[list[CleanDoc], list[Failure]]:
    """`etl.clean.clean_batch` over `workers` processes; same result, same order."""
    from etl.clean import clean_batch as clean_serial

    cleaned: list[CleanDoc] = []
    failures: list[Failure] = []
    for part_cleaned, part_failures in map_batch(clean_serial, raws, workers):
        cleaned += part_cleaned
        failures += part_failures
    return cleaned, failures


def extract_batch(docs: list[CleanDoc], run_id: str, workers: int = 1):
    """`etl.extract.extract_batch` over `workers` processes; same rows, same order."""
    from etl.extract import Extracted
    from etl.extract import extract_batch as extract_serial

    parts = map_batch(extract_serial, docs, workers, run_id)
    if len(parts) == 1:
        return parts[0]
    out = Extracted()
    for part in parts:
        out.articles += part.articles
        out.failures += part.failures
        for table in vars(out.facts):
            getattr(out.facts, table).extend(getattr(part.facts, table))
    return out


# -- running ahead: clean and extract batch k+1 on the pool while the flow validates and loads batch k ----


@dataclass
class Outcome:
    """What the pool made of one raw document: its CleanDoc or Failure, and its extraction (None: not run)."""

    key: tuple[str, str, str]  # (uri, article_id, raw_hash) of the raw document it was made from
    doc: CleanDoc | None = None
    failure: Failure | None = None
    extracted: object | None = None  # etl.extract.Extracted of this one document


def raw_key(raw: RawDoc) -> tuple[str, str, str]:
    """What an outcome was computed from: the same key means the same clean and extract result."""
    return raw.uri, raw.article_id, raw.raw_hash


def clean_extract_chunk(raws: list[RawDoc], run_id: str, loaded: dict[str, str], rules_version: str | None) -> list[Outcome]:
    """Clean each raw document of a chunk, then extract it unless the warehouse already has its text.

    One pool job per chunk does both stages, so a cleaned document never travels back to
    a worker for extraction. `loaded` maps article_id -> the loaded version key
    (`etl.load.version_key`: "<content hash>:<rules version>"); a document whose text
    gives that key is left unextracted (it will most likely be unchanged).
    """
    from etl.clean import clean_batch as clean_serial
    from etl.extract import extract_batch as extract_serial
    from etl.models import content_hash_for

    out = []
    for raw in raws:
        cleaned, failures = clean_serial([raw])
        outcome = Outcome(raw_key(raw), failure=failures[0] if failures else None)
        if cleaned:
            outcome.doc = doc = cleaned[0]
            if loaded.get(doc.article_id) != f"{content_hash_for(doc.text)}:{rules_version or ''}":
                outcome.extracted = extract_serial([doc], run_id)
        out.append(outcome)
    return out


class Ahead:
    """Clean + extract of one batch, started on the pool; `outcomes()` waits for it (bounded: one batch).

    Without a pool (`workers <= 1`, or a small batch) nothing runs ahead: the work is done,
    in-process, when `outcomes()` is first called.
    """

    def __init__(self, raws: list[RawDoc], workers: int, run_id: str, loaded: dict[str, str],
                 rules_version: str | None):
        self.args = (run_id, loaded, rules_version)
        self.raws = raws
        self.futures = []
        self._outcomes: list[Outcome] | None = None
        if workers > 1 and len(raws) >= MIN_PARALLEL_ITEMS:
            pool = _get_pool(workers)
            self.futures = [pool.submit(clean_extract_chunk, list(chunk), *self.args)
                            for chunk in chunks(raws, workers * CHUNKS_PER_WORKER)]

    def outcomes(self, timeout: float | None = None) -> list[Outcome]:
        """Every document's outcome, in input order."""
        if self._outcomes is None:
            if self.futures:
                self._outcomes = [o for f in self.futures for o in f.result(timeout=timeout)]
            else:
                self._outcomes = clean_extract_chunk(self.raws, *self.args)
            self.raws, self.futures = [], []  # the bytes are no longer needed here
        return self._outcomes

    def cancel(self) -> None:
        """Drop work not started yet (the run is failing)."""
        for f in self.futures:
            f.cancel()


def start_ahead(raws: list[RawDoc], workers: int, run_id: str, loaded: dict[str, str],
                rules_version: str | None) -> Ahead:
    """Start cleaning and extracting `raws` on the pool; returns at once."""
    return Ahead(raws, workers, run_id, loaded, rules_version)


def extract_each(docs: list[CleanDoc], run_id: str) -> list:
    """`etl.extract.extract_batch` of each document on its own (one Extracted per document)."""
    from etl.extract import extract_batch as extract_serial

    return [extract_serial([doc], run_id) for doc in docs]


def complete_extraction(docs: list[CleanDoc], ready: list, run_id: str, workers: int = 1):
    """The rows of `docs` from their ready extractions (`ready[i]`, None when not made); same as `extract_batch`."""
    from etl.extract import Extracted

    todo = [d for d, e in zip(docs, ready) if e is None]
    made = iter([e for part in map_batch(extract_each, todo, workers, run_id) for e in part] if todo else [])
    out = Extracted()
    for part in (e if e is not None else next(made) for e in ready):
        out.articles += part.articles
        out.failures += part.failures
        for table in vars(out.facts):
            getattr(out.facts, table).extend(getattr(part.facts, table))
    return out
