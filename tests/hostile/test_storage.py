"""Hostile storage: read-only folders, a full disk, corrupted Parquet files, stale locks.

Each case ends with the warehouse still answering queries and holding exactly
the rows it held before (or the rows of a clean re-run), and the failure named.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS, query, view_snapshot


@pytest.fixture(scope="module")
def seeded(prefect_api, tmp_path_factory) -> Path:
    """A warehouse holding the five seeds, built once; tests work on copies."""
    from flows.nightly import nightly_ingest

    wh = tmp_path_factory.mktemp("seeded") / "warehouse"
    summary = nightly_ingest(input_dir=str(SEEDS), warehouse=str(wh))
    assert summary["status"] == "completed"
    return wh


@pytest.fixture
def warehouse(seeded, tmp_path) -> Path:
    """A private copy of the seeded warehouse (views rebuilt for the new location)."""
    from etl.publish import publish
    from etl.storage import Store

    wh = tmp_path / "warehouse"
    shutil.copytree(seeded, wh, symlinks=True)
    publish(Store(str(wh)))
    return wh


def cli(*args: str):
    from etl.cli import app

    return CliRunner().invoke(app, list(args))


def parquet_files(wh: Path) -> list[Path]:
    return sorted(p for p in (wh / "tables").rglob("*.parquet"))


def test_corrupted_parquet_files_are_set_aside_and_reported(run_flow, warehouse):
    before = view_snapshot(warehouse)
    [metrics_file] = [p for p in parquet_files(warehouse) if "/metrics/" in str(p)][:1]
    partition = metrics_file.parent
    (partition / "zz-garbage.parquet").write_bytes(b"PAR1 this is not parquet at all")
    truncated = partition / "zz-truncated.parquet"
    truncated.write_bytes(metrics_file.read_bytes()[:-100])
    (warehouse / "tables" / "articles" / "article_year=2023").mkdir(parents=True, exist_ok=True)
    (warehouse / "tables" / "articles" / "article_year=2023" / "zz-empty.parquet").write_bytes(b"")

    # queries that do not touch the damaged table still answer; the damaged one fails with advice
    result = cli("query", "select count(*) as n from runs", "--warehouse", str(warehouse), "--json")
    assert result.exit_code == 0, result.output
    result = cli("query", "select count(*) from metrics", "--warehouse", str(warehouse))
    assert result.exit_code == 1
    assert "etl publish" in result.output

    # the next run moves them aside, records them, and loads as usual
    summary, _ = run_flow(SEEDS, warehouse)
    assert summary["status"] == "completed"
    assert view_snapshot(warehouse, views=("articles", "metrics", "awards", "movements", "officials", "documents")) == {
        k: v for k, v in before.items() if k != "quarantine"}
    moved = sorted(p.name for p in (warehouse / "corrupt").rglob("*.parquet"))
    assert moved == ["zz-empty.parquet", "zz-garbage.parquet", "zz-truncated.parquet"]
    rows = query(warehouse, "select uri, stage, reason from quarantine where table_name = 'inputs' and stage = 'warehouse'")
    assert sorted(u.rsplit("/", 1)[1] for u, _, _ in rows) == moved
    assert all("corrupted Parquet file" in r and "/corrupt/" in r for _, _, r in rows)
    assert not [p for p in parquet_files(warehouse) if p.name.startswith("zz-")]


def test_publish_alone_sets_corrupted_files_aside(warehouse):
    bad = warehouse / "tables" / "runs" / "zz-bad.parquet"
    bad.write_bytes(b"\x00" * 64)
    result = cli("publish", "--warehouse", str(warehouse))
    assert result.exit_code == 0, result.output
    assert not bad.exists()
    assert [p.name for p in (warehouse / "corrupt").rglob("*.parquet")] == ["zz-bad.parquet"]
    assert query(warehouse, "select count(*) from runs") == [(1,)]


def test_stale_lock_and_temporaries_of_a_killed_run_do_not_block_the_next(run_flow, warehouse):
    before = view_snapshot(warehouse, views=("articles", "metrics"))
    lock = warehouse / ".etl.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; "
         f"FileLock({str(lock)!r}).acquire(); print('locked', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock.exists()  # the file stays behind; the kernel released the lock with the process
    partition = next(p.parent for p in parquet_files(warehouse) if "/metrics/" in str(p))
    (partition / ".tmp-deadbeef").write_bytes(b"half a parquet file")
    (warehouse / ".warehouse.duckdb.tmp-99999").write_bytes(b"half a database")

    summary, _ = run_flow(SEEDS, warehouse)
    assert summary["status"] == "completed" and summary["inputs"]["unchanged"] == 5
    assert view_snapshot(warehouse, views=("articles", "metrics")) == before
    assert query(warehouse, "select count(*) from runs where status = 'completed'") == [(2,)]


def test_disk_full_during_load_fails_the_run_cleanly_and_the_rerun_loads_everything(run_flow, tmp_path, monkeypatch):
    from etl.storage import Store

    real_write = Store.write_parquet
    calls = {"n": 0}

    def full_disk(self, rel, table):
        if rel.startswith("tables/") and not rel.startswith("tables/runs/"):
            calls["n"] += 1
            if calls["n"] >= 3:  # some fact files of the batch are written, then the disk stays full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path(rel))
        return real_write(self, rel, table)

    monkeypatch.setattr(Store, "write_parquet", full_disk)
    wh = tmp_path / "warehouse"
    from etl.errors import WarehouseError

    with pytest.raises(WarehouseError, match="No space left on device.*free space"):
        run_flow(SEEDS, wh)
    monkeypatch.setattr(Store, "write_parquet", real_write)
    from etl.publish import publish

    publish(Store(str(wh)))
    assert query(wh, "select count(*) from articles") == [(0,)]  # half a batch is never visible
    [(status, error)] = query(wh, "select status, error from runs")
    assert status == "failed" and "No space left on device" in error

    summary, _ = run_flow(SEEDS, wh)
    assert summary["status"] == "completed"
    assert query(wh, "select count(*) from articles") == [(5,)]
    assert not [p for p in wh.rglob("*") if p.name.startswith(".tmp-")]


# --------------------------------------------------------------------------- #
# real filesystems: a read-only mount and a tiny tmpfs (root with CAP_SYS_ADMIN only)
# --------------------------------------------------------------------------- #

@pytest.fixture
def mount():
    """mount(args..., target): mounts that are undone after the test; skips where mounting is not allowed."""
    done: list[Path] = []

    def do(*args: str, target: Path) -> None:
        result = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount here ({result.stderr.strip() or result.returncode}); needs root in a privileged container")
        done.append(target)

    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mount tests need root")
    yield do
    for target in reversed(done):
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_read_only_warehouse_still_answers_queries_and_a_run_says_why_it_cannot_write(run_flow, warehouse, mount):
    before = view_snapshot(warehouse)
    mount("--bind", str(warehouse), target=warehouse)
    mount("-o", "remount,bind,ro", str(warehouse), target=warehouse)
    with pytest.raises(OSError):
        (warehouse / "probe").write_text("x")

    result = cli("query", "select count(*) as n from articles", "--warehouse", str(warehouse), "--json")
    assert result.exit_code == 0, result.output
    assert '"n": 5' in result.output

    from etl.errors import WarehouseError

    with pytest.raises(WarehouseError, match="read-only"):
        run_flow(SEEDS, warehouse)
    result = cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse), "-q")
    assert result.exit_code == 2
    assert "read-only" in result.output and str(warehouse) in result.output.replace("\n", "")
    assert view_snapshot(warehouse) == before


def test_a_real_full_disk_mid_run_loses_nothing_once_space_is_back(run_flow, seeded, tmp_path, mount):
    from etl.errors import WarehouseError
    from etl.publish import publish
    from etl.storage import Store

    wh = tmp_path / "small"
    wh.mkdir()
    mount("-t", "tmpfs", "-o", "size=12m", "tmpfs", target=wh)
    shutil.copytree(seeded, wh, dirs_exist_ok=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, corpus / f"{i:02d}_{seed.name}")
    filler = wh / "filler"
    with filler.open("wb") as out:  # fill the disk, then give back a little: enough to start, not to finish
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    os.truncate(filler, filler.stat().st_size - 200 * 1024)

    with pytest.raises(WarehouseError, match="No space left on device"):
        run_flow(corpus, wh, batch_size=10)
    filler.unlink()
    assert not [p for p in wh.rglob("*") if p.name.startswith(".tmp-")]  # no half-written files left behind
    publish(Store(str(wh)))
    [(articles, distinct)] = query(wh, "select count(*), count(distinct article_id) from articles")
    assert articles == distinct and (articles - 5) % 10 == 0 and articles < 35  # whole batches or nothing

    summary, _ = run_flow(corpus, wh, batch_size=10)
    assert summary["status"] == "completed"
    assert query(wh, "select count(*), count(distinct article_id) from articles") == [(35, 35)]
    # the failed run could not even record its failure on the full disk: the next run closes it
    runs = query(wh, "select status, error from runs order by started_at")
    assert [s for s, _ in runs] == ["completed", "failed", "completed"]
    assert "No space left on device" in runs[1][1] or "abandoned" in runs[1][1]
    assert query(wh, "select count(*) from (select article_id, seq from metrics group by all having count(*) > 1)") == [(0,)]
