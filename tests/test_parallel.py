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


def night(input_dir: Path, warehouse: Path, workers: int, batch_size: int) -> dict:
    """A real night through etl.pipeline (every row passes validation, no Data Docs)."""
    from etl import pipeline
    from etl.publish import publish
    from etl.settings import load_settings
    from etl.validate import Validated

    stages = pipeline.Stages(
        validate=lambda project, suites, tables, run_id: Validated(tables=tables),
        publish=lambda store, suites, validated_any: {"database": str(publish(store)), "data_docs": ""},
    )
    settings = load_settings({"input_dir": str(input_dir), "warehouse": str(warehouse), "compact_min_files": 0,
                              "workers": workers, "batch_size": batch_size}, environ={})
    with pipeline.open_run(settings) as (ctx, run):
        return pipeline.run_night(ctx, run, stages)


def loaded(warehouse: Path) -> dict[str, list]:
    """What the warehouse holds, minus run bookkeeping: articles and metrics."""
    from conftest import query

    return {"articles": query(warehouse, "select article_id, uri, title, content_hash from articles order by uri"),
            "metrics": query(warehouse, "select article_id, seq, quote, value, unit from metrics order by all")}


def test_batches_run_ahead_on_the_pool_and_load_what_the_serial_run_loads(tmp_path):
    """Issue 16: batch k+1 is cleaned and extracted on the pool while batch k loads; same rows, same counts."""
    import shutil

    corpus = tmp_path / "in"
    corpus.mkdir()
    paths = sorted(DATA.glob("*.html")) + sorted(SEEDS.glob("*.txt"))
    for p in paths:
        shutil.copy(p, corpus / p.name)
    shutil.copy(SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0], corpus / "zz-copy.txt")  # same bytes, later batch
    try:
        serial = night(corpus, tmp_path / "serial", workers=1, batch_size=len(paths) + 1)
        pooled = night(corpus, tmp_path / "pooled", workers=2, batch_size=parallel.MIN_PARALLEL_ITEMS)
        assert pooled["inputs"] == serial["inputs"] and pooled["inputs"]["new"] == len(paths)
        assert pooled["rows"] == serial["rows"]
        assert loaded(tmp_path / "pooled") == loaded(tmp_path / "serial")
        again = night(corpus, tmp_path / "pooled", workers=2, batch_size=parallel.MIN_PARALLEL_ITEMS)
        assert again["inputs"]["unchanged"] == len(paths) + 1 and again["stage_seconds"].get("validate") is None
    finally:
        parallel.shutdown()


def test_the_next_batch_starts_before_this_one_validates_and_loads(tmp_path):
    """The order of stage calls of a three-batch night: batch k+1 is started before batch k is validated."""
    from etl import pipeline
    from etl.load import load_batch
    from etl.publish import publish
    from etl.settings import load_settings
    from etl.validate import Validated

    events = []

    def start_clean(raws, *args):
        events.append(f"start {len(raws)}")
        return pipeline.start_clean_stage(raws, *args)

    def validate(project, suites, tables, run_id):
        events.append("validate")
        return Validated(tables=tables)

    def load(store, validated, quarantine, run_id, batch):
        events.append(f"load {batch}")
        return load_batch(store, validated.tables, quarantine, run_id, batch)

    stages = pipeline.Stages(start_clean=start_clean, validate=validate, load=load,
                             publish=lambda store, suites, validated_any: {"database": str(publish(store)), "data_docs": ""})
    settings = load_settings({"input_dir": str(SEEDS), "warehouse": str(tmp_path / "wh"), "compact_min_files": 0,
                              "workers": 1, "batch_size": 2}, environ={})
    with pipeline.open_run(settings) as (ctx, run):
        summary = pipeline.run_night(ctx, run, stages)
    assert summary["rows"]["articles"] == 5
    assert events == ["start 2", "start 2", "validate", "load 0", "start 1", "validate", "load 1", "validate", "load 2"]
