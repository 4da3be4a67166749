"""What a long-lived reader (a dashboard) sees across a nightly publish, and how it gets the new night (issue 14).

Publish builds warehouse.duckdb under a temporary name and renames it into place.
A connection opened before keeps the file it opened (the old inode): it goes on
seeing the night it opened, consistently, never a half-built one. Before this
fix, `duckdb.connect` again in the same process handed back DuckDB's cached
instance of that old file while any connection to it was open, so a dashboard
saw the old data "even after reconnecting" (and `etl.warehouse.connect` failed
outright: the cached instance's configuration was locked).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from test_runs_cli import night

from conftest import ROOT, SEEDS

COUNTS = "select (select count(*) from articles), (select count(*) from runs), (select count(*) from metrics)"


@pytest.fixture
def first_night(tmp_path):
    """A warehouse after a night over three seed articles; returns (warehouse, input folder)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(path, folder)
    wh = tmp_path / "warehouse"
    night(wh, folder)
    return wh, folder


def second_night(wh: Path, folder: Path) -> None:
    """Two more articles arrive; the night loads them and publishes a new warehouse.duckdb."""
    for path in sorted(SEEDS.glob("*.txt"))[3:]:
        shutil.copy(path, folder)
    night(wh, folder)


def counts(con) -> tuple[int, int, int]:
    return con.execute(COUNTS).fetchone()


def test_an_open_reader_keeps_its_night_and_a_reconnect_sees_the_new_one(first_night):
    from etl.warehouse import connect

    wh, folder = first_night
    reader = connect(wh)  # a dashboard's long-lived connection
    before = counts(reader)
    assert before[:2] == (3, 1)
    second_night(wh, folder)
    # the open connection still reads the file it opened: the first night, whole and consistent
    assert counts(reader) == before
    assert reader.execute("select count(distinct run_id) from articles").fetchone() == (1,)
    # a new connection, while the old one is still open in this process, reads the new file
    fresh = connect(wh)
    after = counts(fresh)
    assert after[:2] == (5, 2) and after[2] > before[2]
    assert counts(reader) == before  # and the old reader is undisturbed
    reader.close()
    fresh.close()


def test_plain_duckdb_connect_in_the_same_process_gets_the_cached_old_instance(first_night):
    """Why etl.warehouse.connect attaches: DuckDB caches one instance per path while it is open."""
    from etl.publish import database_path
    from etl.storage import Store
    from etl.warehouse import set_root

    wh, folder = first_night
    path = str(database_path(Store(str(wh))))

    def plain():
        con = duckdb.connect(path, read_only=True)
        set_root(con, Store(str(wh)))
        return con

    old = plain()
    second_night(wh, folder)
    again = plain()
    assert counts(again)[:2] == (3, 1)  # the cached instance of the replaced file
    again.close()
    old.close()
    reopened = plain()  # every connection to the old instance closed: the path is opened anew
    assert counts(reopened)[:2] == (5, 2)
    reopened.close()


def test_a_separate_reader_process_sees_the_new_night_only_on_a_new_connection(first_night):
    """A dashboard process (Superset, Metabase, Evidence …): held connection vs. connect per query."""
    wh, folder = first_night
    reader = textwrap.dedent(f"""
        import sys
        from etl.warehouse import connect
        SQL = {COUNTS!r}
        held = connect(sys.argv[1])
        print("held", *held.execute(SQL).fetchone(), flush=True)
        sys.stdin.readline()  # the test publishes a new night meanwhile
        print("held", *held.execute(SQL).fetchone(), flush=True)
        per_query = connect(sys.argv[1])
        print("new", *per_query.execute(SQL).fetchone(), flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", reader, str(wh)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first = proc.stdout.readline().split()
        second_night(wh, folder)
        out, errors = proc.communicate("go\n", timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, errors
    held_after, new = (line.split() for line in out.splitlines())
    assert first[:3] == ["held", "3", "1"]
    assert held_after == first  # the held connection: yesterday's night
    assert new[:3] == ["new", "5", "2"]


def test_an_old_reader_survives_a_compaction_until_the_retired_files_are_purged(first_night):
    """Compaction retires files (kept RETIRED_GRACE_SECONDS, an hour) before deleting them: reconnect sooner."""
    from etl.load import compact, purge_retired
    from etl.publish import publish
    from etl.storage import Store
    from etl.warehouse import connect

    wh, folder = first_night
    second_night(wh, folder)
    reader = connect(wh)
    before = counts(reader)
    store = Store(str(wh))
    assert compact(store, min_files=2)["articles"] >= 1
    publish(store)
    assert counts(reader) == before  # its views still name the retired files, which are still there
    fresh = connect(wh)
    assert counts(fresh) == before  # the compacted night: the same rows from the merged files
    assert purge_retired(store, grace_seconds=0) > 0
    with pytest.raises(duckdb.IOException):
        counts(reader)  # held past the grace period, the old catalogue names files that are gone
    assert counts(fresh) == before
    assert counts(connect(wh)) == before
    reader.close()
    fresh.close()
