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
from typing import Callable, Sequence, TypeVar

from etl.models import CleanDoc, Failure, RawDoc

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a batch runs in-process: shipping it to workers costs more
# than it saves (a small HTML page cleans in ~10 ms; pickling and IPC are ~1 ms).
MIN_PARALLEL_ITEMS = 16
CHUNKS_PER_WORKER = 4  # several chunks per worker so one slow page does not idle the others

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
