"""A warehouse people can trust: idempotent loads, versions, quarantine, compaction, crashes, locks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest
from filelock import FileLock

from etl.errors import WarehouseLockedError
from etl.load import compact, live_files, purge_retired
from etl.publish import publish
from etl.schema import ALL_TABLES
from etl.storage import Store

from conftest import ROOT, query, view_snapshot

NAM_TU_LIEM = "000_db400617e4ced398.txt"
COPIES = 8  # batches of 5: eight commits to interrupt


def test_edited_article_replaces_exactly_its_facts(run_flow, seed_dir):
    _, wh = run_flow(seed_dir)
    before = view_snapshot(wh)
    [(old_id, old_hash)] = query(wh, f"select article_id, content_hash from articles where uri like '%{NAM_TU_LIEM}'")
    other_metrics = query(wh, f"select * exclude (run_id) from metrics where article_id <> '{old_id}' order by all")
    path = seed_dir / NAM_TU_LIEM
    path.write_text(path.read_text(encoding="utf-8").replace("16.839 doanh nghiệp", "17.001 doanh nghiệp"), encoding="utf-8")

    summary, _ = run_flow(seed_dir, wh)

    assert summary["inputs"]["changed"] == 1 and summary["inputs"]["unchanged"] == 4
    assert query(wh, "select count(*) from articles") == [(5,)]
    assert query(wh, "select count(*) from articles_history") == [(6,)]
    [(new_hash,)] = query(wh, f"select content_hash from articles where article_id = '{old_id}'")
    assert new_hash != old_hash
    values = [v for (v,) in query(wh, f"select value from metrics where article_id = '{old_id}' and unit = 'count'")]
    assert 17001.0 in values and 16839.0 not in values
    assert query(wh, f"select * exclude (run_id) from metrics where article_id <> '{old_id}' order by all") == other_metrics
    after = view_snapshot(wh)
    for view in ("awards", "movements", "officials", "documents"):
        assert after[view] == before[view] or all(old_id in r for r in set(after[view]) ^ set(before[view]))


def test_error_expectation_sends_rows_to_quarantine(run_flow, seed_dir, tmp_path):
    suites = tmp_path / "expectations"
    shutil.copytree(ROOT / "expectations", suites)
    spec = json.loads((suites / "metrics.json").read_text(encoding="utf-8"))
    spec["expectations"].append({
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "value", "min_value": 0, "max_value": 100},
        "meta": {"severity": "error", "name": "metric_value_at_most_100"},
    })
    (suites / "metrics.json").write_text(json.dumps(spec), encoding="utf-8")

    summary, wh = run_flow(seed_dir, options={"expectations_dir": suites})

    assert summary["status"] == "completed"
    assert summary["validation"]["metrics"]["success"] is False
    bad = query(wh, "select row, failed_expectations from quarantine where table_name = 'metrics'")
    assert bad, "values over 100 exist in the seeds (16.839 doanh nghiệp)"
    for row, failed in bad:
        assert "metric_value_at_most_100" in failed.split(",")
        assert json.loads(row)["value"] > 100
    assert query(wh, "select count(*) from metrics where value > 100") == [(0,)]
    assert query(wh, "select count(*) from articles") == [(5,)]
    assert query(wh, "select validation_success, validation_status from runs") == [(False, "failed")]


def test_compact_keeps_every_view(run_flow, seed_dir):
    _, wh = run_flow(seed_dir, batch_size=2)
    path = seed_dir / NAM_TU_LIEM
    path.write_text(path.read_text(encoding="utf-8") + "\nQuận có thêm 12 doanh nghiệp mới.", encoding="utf-8")
    run_flow(seed_dir, wh, batch_size=2)
    before = view_snapshot(wh) | {"history": sorted(map(repr, query(wh, "select * from articles_history")))}
    store = Store(str(wh))
    files_before = len(store.list_files("tables", ".parquet"))

    removed = compact(store)
    publish(store)

    assert sum(removed.values()) > 0
    live = sum(len(live_files(store, t)) for t in ALL_TABLES)
    assert live < files_before
    after = view_snapshot(wh) | {"history": sorted(map(repr, query(wh, "select * from articles_history")))}
    assert after == before
    # the replaced files stay (readers of the previous publish name them) until the grace period ends
    total = len(store.list_files("tables", ".parquet"))
    assert total > live
    assert purge_retired(store, grace_seconds=3600) == 0
    assert purge_retired(store, grace_seconds=0) == total - live
    assert len(store.list_files("tables", ".parquet")) == live
    assert view_snapshot(wh) | {"history": sorted(map(repr, query(wh, "select * from articles_history")))} == before


def test_views_read_partitions_written_before_a_column_was_added(run_flow, seed_dir):
    _, wh = run_flow(seed_dir)
    store = Store(str(wh))
    first = store.list_files("tables/articles", ".parquet")[0]
    table = pq.read_table(store.path(first))
    pq.write_table(table.drop_columns(["sitename", "quality_flags"]), store.path(first))
    publish(store)
    assert query(wh, "select count(*), count(sitename) >= 0 from articles") == [(5, True)]


def test_second_run_waits_or_refuses_while_the_warehouse_is_locked(run_flow, seed_dir, tmp_path):
    wh = tmp_path / "warehouse"
    wh.mkdir()
    with FileLock(str(wh / ".etl.lock")):
        with pytest.raises(WarehouseLockedError, match="another `etl run` is using the warehouse"):
            run_flow(seed_dir, wh)
    summary, _ = run_flow(seed_dir, wh)  # the lock is free again
    assert summary["status"] == "completed"


def test_sigkill_during_load_leaves_a_consistent_warehouse(prefect_api, tmp_path, seed_dir):
    """Kill `etl run` while it is loading batches, re-run, and check nothing is missing or doubled."""
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(COPIES):
        for seed in sorted(seed_dir.glob("*.txt")):
            # i trailing spaces: other bytes (the same bytes anywhere are one article), the same text
            (corpus / f"{i:02d}_{seed.name}").write_bytes(seed.read_bytes() + b" " * i)
    wh = tmp_path / "warehouse"
    etl = [sys.executable, "-m", "etl.cli", "run", "--input", str(corpus), "--warehouse", str(wh), "--batch-size", "5", "-q"]
    from prefect.settings import PREFECT_API_URL

    # both runs talk to the session's test server instead of starting ephemeral ones
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR", "PREFECT_API_URL": PREFECT_API_URL.value()}
    proc = subprocess.Popen(etl, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = Store(str(wh))
    deadline = time.time() + 180
    while time.time() < deadline and len(store.list_files("tables/articles", ".parquet")) < 2:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    committed = len(store.list_files("tables/articles", ".parquet"))
    assert 2 <= committed < COPIES

    subprocess.run(etl, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)

    assert query(wh, "select count(*), count(distinct article_id) from articles") == [(5 * COPIES, 5 * COPIES)]
    assert query(wh, "select count(*) from (select article_id, seq, count(*) n from metrics group by all having n > 1)") == [(0,)]
    [(total,)] = query(wh, "select count(*) from metrics")
    [(first_copy,)] = query(wh, "select count(*) from metrics join articles using (article_id) where uri like '%/00!_%' escape '!'")
    assert first_copy > 0 and total == COPIES * first_copy
    assert not [p for p in wh.rglob("*.parquet") if p.name.startswith(".tmp-")]


def test_new_extraction_rules_re_extract_unchanged_articles(run_flow, seed_dir, monkeypatch):
    import etl.extract

    _, wh = run_flow(seed_dir)
    facts_before = query(wh, "select count(*) from metrics")
    monkeypatch.setattr(etl.extract, "RULES_VERSION", "next-rules")

    summary, _ = run_flow(seed_dir, wh)

    assert summary["inputs"]["changed"] == 5 and summary["inputs"]["unchanged"] == 0
    assert query(wh, "select distinct rules_version from articles") == [("next-rules",)]
    assert query(wh, "select count(*) from articles_history") == [(10,)]
    assert query(wh, "select count(*) from metrics") == facts_before
    again, _ = run_flow(seed_dir, wh)
    assert again["inputs"]["unchanged"] == 5
