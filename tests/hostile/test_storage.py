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

    # the views read the files listed at publish: foreign files dropped in later change no answer
    result = cli("query", "select count(*) as n from runs", "--warehouse", str(warehouse), "--json")
    assert result.exit_code == 0, result.output
    assert query(warehouse, "select count(*) from metrics") == [(len(before["metrics"]),)]

    # the next run moves them aside, records them, and loads as usual (a night with refusals is a warning)
    summary, _ = run_flow(SEEDS, warehouse)
    assert summary["status"] in ("completed", "warning")
    assert view_snapshot(warehouse, views=("articles", "metrics", "awards", "movements", "officials", "documents")) == {
        k: v for k, v in before.items() if k != "quarantine"}
    moved = sorted(p.name for p in (warehouse / "corrupt").rglob("*.parquet"))
    assert moved == ["zz-empty.parquet", "zz-garbage.parquet", "zz-truncated.parquet"]
    rows = query(warehouse, "select uri, stage, reason from quarantine where table_name = 'inputs' and stage = 'warehouse'")
    assert sorted(u.rsplit("/", 1)[1] for u, _, _ in rows) == moved
    assert all("corrupted Parquet file" in r and "/corrupt/" in r for _, _, r in rows)
    assert not [p for p in parquet_files(warehouse) if p.name.startswith("zz-")]


def test_a_damaged_listed_file_makes_only_its_view_fail_with_advice(warehouse):
    [metrics_file] = [p for p in parquet_files(warehouse) if "/metrics/" in str(p)][:1]
    metrics_file.write_bytes(metrics_file.read_bytes()[:-100])  # truncated in place (a sync tool, a full disk)
    result = cli("query", "select count(*) as n from runs", "--warehouse", str(warehouse), "--json")
    assert result.exit_code == 0, result.output
    result = cli("query", "select count(*) from metrics", "--warehouse", str(warehouse))
    assert result.exit_code == 1
    assert "etl publish" in result.output


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
    # the next run removed the temporaries the killed one left
    assert not (partition / ".tmp-deadbeef").exists() and not (warehouse / ".warehouse.duckdb.tmp-99999").exists()


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
    # room for the seeded warehouse (about 9 MB, 6.5 MB of it Data Docs with their vendored assets)
    mount("-t", "tmpfs", "-o", "size=24m", "tmpfs", target=wh)
    shutil.copytree(seeded, wh, dirs_exist_ok=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        for seed in sorted(SEEDS.glob("*.txt")):
            # i + 1 trailing spaces: other bytes (the same bytes anywhere are one article), the same text
            (corpus / f"{i:02d}_{seed.name}").write_bytes(seed.read_bytes() + b" " * (i + 1))
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


# --------------------------------------------------------------------------- #
# readers beside compaction and publish; a killed compaction; a killed run's children
# --------------------------------------------------------------------------- #

def test_a_reader_in_a_loop_through_compaction_and_publish_sees_no_error_and_no_duplicate(run_flow, tmp_path):
    import threading

    from etl.load import compact
    from etl.publish import publish
    from etl.storage import Store
    from etl.warehouse import connect

    folder = shutil.copytree(SEEDS, tmp_path / "in")
    _, wh = run_flow(folder, tmp_path / "warehouse", batch_size=1, options={"compact_min_files": 0})
    expected = query(wh, "select (select count(*) from articles), (select count(*) from metrics), "
                         "(select count(*) from awards), (select count(*) from runs)")[0]
    seen: list[tuple] = []
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                con = connect(wh)
                try:
                    seen.append(con.execute(
                        "select (select count(*) from articles), (select count(distinct article_id) from articles), "
                        "(select count(*) from metrics), (select count(distinct fact_id) from metrics), "
                        "(select count(*) from awards)").fetchone())
                finally:
                    con.close()
            except Exception as exc:  # every error is a finding
                errors.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        store = Store(str(wh))
        lock = store.lock()
        lock.acquire(timeout=30)
        try:
            for _ in range(2):
                removed = compact(store, min_files=2)
                publish(store)
        finally:
            lock.release()
        run_flow(folder, wh, batch_size=1, options={"compact_min_files": 2})  # a night: load, compact, publish
    finally:
        stop.set()
        thread.join()
    assert sum(removed.values()) >= 0 and len(seen) > 5
    assert errors == []
    articles, metrics, awards = expected[:3]
    assert set(seen) == {(articles, articles, metrics, metrics, awards)}


def test_a_compaction_killed_after_its_merged_file_shows_no_duplicate_and_publish_recovers(run_flow, tmp_path, monkeypatch):
    import etl.load
    from etl.load import JOURNAL, compact, live_files

    folder = shutil.copytree(SEEDS, tmp_path / "in")
    _, wh = run_flow(folder, tmp_path / "warehouse", batch_size=1, options={"compact_min_files": 0})
    before = view_snapshot(wh)
    from etl.storage import Store

    store = Store(str(wh))

    def killed(store, rels):  # the process dies between writing the merged file and retiring its sources
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(etl.load, "retire", killed)
    with pytest.raises(KeyboardInterrupt):
        compact(store, min_files=2)
    monkeypatch.undo()
    assert store.exists(JOURNAL)
    assert view_snapshot(wh) == before  # readers still see the last publish: no duplicate rows
    result = CliRunner().invoke(__import__("etl.cli", fromlist=["app"]).app, ["publish", "--warehouse", str(wh)])
    assert result.exit_code == 0, result.output
    assert not store.exists(JOURNAL)  # publish took the lock and ran recovery
    assert view_snapshot(wh) == before
    from etl.load import retired_files
    from etl.schema import ALL_TABLES

    merged = [f for t in ALL_TABLES for f in live_files(store, t) if "/compact-" in f]
    assert len(merged) == 1 and retired_files(store)  # the merged file counts, its sources are retired


def test_publish_waits_for_the_lock_of_a_running_night(warehouse):
    from etl.storage import Store

    lock = Store(str(warehouse)).lock()
    lock.acquire(timeout=0)
    try:
        result = CliRunner().invoke(__import__("etl.cli", fromlist=["app"]).app, ["publish", "--warehouse", str(warehouse)])
    finally:
        lock.release()
    assert result.exit_code == 2 and "another process holds" in " ".join(result.output.split())


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_no_process_of_a_killed_run_is_alive_five_seconds_later(tmp_path):
    """SIGKILL `etl run` while its ephemeral Prefect server, forkserver and workers run: they all stop."""
    import time

    from etl.lifeline import alive, descendants, processes

    corpus = tmp_path / "many"
    corpus.mkdir()
    for path in sorted((ROOT / "tests" / "data" / "corpus" / "vi-news-text").glob("*.txt"))[:300]:
        shutil.copy(path, corpus / path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "ERROR"})
    proc = subprocess.Popen([sys.executable, "-m", "etl.cli", "run", "--input", str(corpus), "--warehouse",
                             str(tmp_path / "wh"), "--batch-size", "20", "--workers", "2", "-q"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, int] = {}
    deadline = time.monotonic() + 150
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            table = processes()
            for pid in descendants({proc.pid}, table):
                seen.setdefault(pid, table[pid][2])
            commands = [cmdline(p) for p in descendants({proc.pid}, table)]
            server = any(b"uvicorn" in c for c in commands)
            workers = sum(b"forkserver" in c for c in commands) + sum(b"resource_tracker" in c for c in commands)
            if server and workers >= 2 and len(commands) >= 5:  # server, watcher, forkserver, tracker, workers
                time.sleep(1.0)  # the run goes on a moment: its watcher has seen them all
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(5)
        survivors = [pid for pid, started in seen.items() if alive(pid, started)]
        assert survivors == [], [cmdline(p) for p in survivors]
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid, started in seen.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)
