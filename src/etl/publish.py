"""publish: warehouse.duckdb with a view per table over the Parquet files.

The DuckDB file is rebuilt under a temporary name and renamed into place, so a
dashboard never opens a half-built catalogue. Each `_raw_<table>` view reads the
explicit list of files that were live at publish, as paths relative to the
warehouse joined to `getvariable('etl_root')` (set by `etl.warehouse.connect`):
a file written later (a compaction's merged file) is invisible until the next
publish, and a copied or moved warehouse reads its own files. Views read with
`union_by_name`, so partitions written before a column was added stay readable;
a column that no live file has yet reads as a typed null.
"""

from __future__ import annotations

import logging
import os
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.corrections import expand_views, report_orphaned
from etl.load import duckdb_connect, live_files
from etl.models import Failure
from etl.schema import ALL_TABLES, ARROW_SCHEMAS, FACT_TABLES
from etl.storage import Store
from etl.stories import assign_stories
from etl.warehouse import ROOT_VARIABLE, set_root, sql_string

log = logging.getLogger(__name__)

DEFAULT_VIEWS = Path(str(resources.files("etl") / "sql" / "views.sql"))  # package data: works from a wheel
PARTITIONED = {"articles", *FACT_TABLES}
DUCKDB_TYPES = {
    "string": "VARCHAR", "int64": "BIGINT", "double": "DOUBLE", "bool": "BOOLEAN",
    "timestamp[us]": "TIMESTAMP", "date32[day]": "DATE",
}


def database_path(store: Store) -> Path:
    return store.local_dir / "warehouse.duckdb"


def empty_select(table: str) -> str:
    """A typed, empty SELECT with the table's columns (for tables with no files yet)."""
    cols = [f"cast(null as {DUCKDB_TYPES[str(f.type)]}) as {f.name}" for f in ARROW_SCHEMAS[table]]
    if table in PARTITIONED:
        cols.append("cast(null as BIGINT) as article_year")
    return f"select {', '.join(cols)} where false"


def raw_view_sql(table: str, files: list[str], missing: tuple[str, ...] = ()) -> str:
    """`_raw_<table>`: exactly these warehouse-relative Parquet files, under the connection's `etl_root`.

    `missing` columns (of the table's schema, in no file yet) are added as typed nulls.
    """
    if files:
        listed = ", ".join(sql_string(f) for f in files)
        paths = f"list_transform([{listed}], lambda f: getvariable('{ROOT_VARIABLE}') || '/' || f)"
        source = (
            f"select * from read_parquet({paths}, union_by_name = true, "
            f"hive_partitioning = {'true' if table in PARTITIONED else 'false'})"
        )
    else:
        source = empty_select(table)
    if missing:
        types = {f.name: DUCKDB_TYPES[str(f.type)] for f in ARROW_SCHEMAS[table]}
        nulls = ", ".join(f"cast(null as {types[c]}) as {c}" for c in missing)
        source = f"select *, {nulls} from ({source})"
    return f"create or replace view _raw_{table} as {source};"


def missing_columns(con, table: str) -> tuple[str, ...]:
    """Columns of the table's schema that `_raw_<table>` lacks: every live file predates them."""
    present = {name for (name,) in con.execute(
        "select column_name from duckdb_columns() where table_name = ?", [f"_raw_{table}"]).fetchall()}
    return tuple(name for name in ARROW_SCHEMAS[table].names if name not in present)


CORRUPT_DIR = "corrupt"


def set_aside_corrupt(store: Store) -> list[Failure]:
    """Move Parquet files whose footer cannot be read to `corrupt/`; one bad file must not break a view.

    Something other than `etl` (a sync tool, a full disk, a hand copy) can leave
    a truncated or foreign file in a partition, and `read_parquet` over the
    glob would then fail for the whole table. Returns one Failure per file moved.
    """
    from etl.acquire import now_local

    moved: list[Failure] = []
    stamp = now_local().strftime("%Y%m%dT%H%M%S")
    for rel in store.list_files("tables", ".parquet"):
        try:
            with store.fs.open_input_file(store.path(rel)) as handle:
                pq.read_metadata(handle)
        except (pa.ArrowException, OSError) as exc:
            target = f"{CORRUPT_DIR}/{stamp}/{rel}"
            store.move(rel, target)
            reason = f"corrupted Parquet file ({exc}); moved to {store.uri(target)}"
            log.error("set aside %s: %s", store.uri(rel), reason)
            moved.append(Failure(store.uri(rel), "warehouse", reason))
    return moved


def publish(store: Store, views_sql: Path = DEFAULT_VIEWS) -> Path:
    """(Re)build warehouse.duckdb atomically; returns its path."""
    set_aside_corrupt(store)
    assign_stories(store)  # every loaded article gets its story_id before the views read them (issue 13)
    target = database_path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = duckdb_connect(store, str(tmp))
    try:
        set_root(con, store)  # views bind at creation; the file keeps only relative paths
        for table in ALL_TABLES:
            files = live_files(store, table)
            con.execute(raw_view_sql(table, files))
            # union_by_name adds a column only when some file has it (a run record before validation_status)
            if missing := missing_columns(con, table):
                con.execute(raw_view_sql(table, files, missing))
        extra = Path(views_sql).read_text(encoding="utf-8")
        con.execute(expand_views(extra))  # the fact views apply people's corrections
        report_orphaned(con)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, target)
    log.info("published %s", target)
    return target
