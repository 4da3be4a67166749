"""etl.parallel: the process pool gives the same rows, in the same order, as the serial stages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl import parallel
from etl.clean import clean_batch
from etl.extract import extract_batch
from etl.models import RawDoc

DATA = Path(__file__).resolve().parent / "data" / "html"
SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "articles"


def test_chunks_cover_items_in_order():
    assert [list(c) for c in parallel.chunks(list(range(10)), 4)] == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]
    assert parallel.chunks([], 3) == [[]]


def test_pool_equals_serial():
    paths = sorted(DATA.glob("*.html")) + sorted(SEEDS.glob("*.txt"))
    assert len(paths) >= parallel.MIN_PARALLEL_ITEMS
    now = dt.datetime(2025, 1, 1)
    raws = [RawDoc(uri=p.as_uri(), source_name="t", content=p.read_bytes(), content_type=None, fetched_at=now) for p in paths]
    try:
        serial = clean_batch(raws)
        pooled = parallel.clean_batch(raws, workers=2)
        assert pooled == serial
        expected = extract_batch(serial[0], "run")
        got = parallel.extract_batch(pooled[0], "run", workers=2)
        assert got.tables() == expected.tables() and got.failures == expected.failures
    finally:
        parallel.shutdown()
