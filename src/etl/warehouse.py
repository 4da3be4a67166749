"""Read-only connections to a published warehouse, for `etl query` and dashboard tools.

`warehouse.duckdb` holds no absolute path: its views read
`getvariable('etl_root') || '/tables/…'`, and `connect` sets `etl_root` to the
folder (or `s3://` prefix) the database was opened from, so a copied or moved
warehouse reads its own files. The connection is then locked down: no file
outside the warehouse's `tables/` folder (`read_csv('/etc/passwd')`,
`glob('/**')`, `read_text('/proc/self/environ')` fail with a Permission Error),
no extension installed or loaded, and the configuration locked, so neither
`SET enable_external_access = true` nor `CALL enable_logging(...)` can undo it.

Example (a dashboard tool):

    from etl.warehouse import connect
    con = connect("warehouse")            # or "s3://bucket/prefix", or a copy's folder
    con.sql("select * from district_year_summary").fetchall()

A tool that opens the file with plain `duckdb.connect` must run
`SET VARIABLE etl_root = '/path/to/warehouse'` before reading a view.

One write stays possible on a locked connection: `COPY … TO` a file inside
`tables/` (DuckDB has no read-only switch for files). Tools that run SQL typed
by users pass it through `refused_statements` first, as `etl query` does.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.storage import Store

ROOT_VARIABLE = "etl_root"
DATABASE_NAME = "warehouse.duckdb"
# DESCRIBE, SHOW, SUMMARIZE, WITH, FROM-first and VALUES all parse as SELECT statements
READ_STATEMENTS = {"SELECT"}


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def store_of(warehouse: str | Path) -> Store:
    """The Store of a warehouse folder, an s3:// prefix, or a path to its warehouse.duckdb."""
    text = str(warehouse)
    if not text.startswith("s3://") and text.endswith(".duckdb"):
        text = str(Path(text).parent)
    return Store(text)


def set_root(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Point the views of `con` at this store's files."""
    con.execute(f"set variable {ROOT_VARIABLE} = {sql_string(store.uri(''))}")


def lock_down(con: duckdb.DuckDBPyConnection, store: Store) -> duckdb.DuckDBPyConnection:
    """Allow only the store's tables folder, then lock the configuration; returns `con`."""
    tables = store.uri("tables").rstrip("/") + "/"
    con.execute(f"set allowed_directories = [{sql_string(tables)}]")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def connect(warehouse: str | Path = "warehouse") -> duckdb.DuckDBPyConnection:
    """A read-only, locked-down connection to a published warehouse (see the module docstring).

    Raises FileNotFoundError when the warehouse was never published.
    """
    from etl.publish import database_path

    store = store_of(warehouse)
    path = database_path(store)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}")
    # A fresh instance that attaches the file, not duckdb.connect(path): DuckDB keeps one instance
    # per path in a process, so while any connection to it is open a new connect gets that instance,
    # still reading the file publish has since replaced (and, locked down, refusing the settings below).
    con = duckdb.connect(":memory:", config={
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
    })
    con.execute(f'attach {sql_string(str(path))} as "{path.stem}" (read_only)')
    con.execute(f'use "{path.stem}"')
    if store.is_s3:  # before the lock: registering a filesystem is itself external access
        from etl.s3 import register_s3

        register_s3(con)
    set_root(con, store)
    return lock_down(con, store)


def refused_statements(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """Statement kinds in `sql` that a read-only query must not run (CALL, PRAGMA, SET, COPY, …).

    >>> refused_statements(duckdb.connect(), "select 1; call enable_logging()")
    ['CALL']
    """
    return sorted({s.type.name for s in con.extract_statements(sql)} - READ_STATEMENTS)
