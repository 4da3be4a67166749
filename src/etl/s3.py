"""DuckDB over an S3 warehouse, through fsspec (s3fs) instead of DuckDB's httpfs.

DuckDB downloads `httpfs` from its extension server the first time it meets
an `s3://` path, and this machine reaches package registries only. So we hand
DuckDB a Python filesystem instead: `con.register_filesystem(s3fs.S3FileSystem(...))`.
DuckDB then routes every `s3://` path (globs included: `read_parquet('s3://b/p/**/*.parquet')`
lists through s3fs) to it, and the views in warehouse.duckdb work unchanged.

The registration lives on the connection, not in the database file: a tool that
opens warehouse.duckdb of an S3 warehouse must call `register_s3(con)` (or load
httpfs itself) before querying. `etl query` and `etl runs` do it for you.
"""

from __future__ import annotations

import os
from typing import Mapping

import duckdb


def s3fs_options(environ: Mapping[str, str] | None = None) -> dict:
    """s3fs.S3FileSystem keyword arguments from the usual AWS_* variables.

    Example: with AWS_ENDPOINT_URL=http://127.0.0.1:9000 and keys set,
    `s3fs_options()` gives `{"endpoint_url": "http://127.0.0.1:9000", "key": ..., "secret": ...,
    "client_kwargs": {"region_name": "us-east-1"}, ...}`.
    """
    env = os.environ if environ is None else environ
    options: dict = {
        # A fresh instance with no listing cache: files written by this run must be seen by its views.
        "skip_instance_cache": True,
        "use_listings_cache": False,
        "client_kwargs": {"region_name": env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1"},
    }
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = endpoint
    if env.get("AWS_ACCESS_KEY_ID"):
        options["key"] = env["AWS_ACCESS_KEY_ID"]
        options["secret"] = env.get("AWS_SECRET_ACCESS_KEY")
    if env.get("AWS_SESSION_TOKEN"):
        options["token"] = env["AWS_SESSION_TOKEN"]
    return options


def register_s3(con: duckdb.DuckDBPyConnection, environ: Mapping[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    """Let `con` read `s3://` paths through s3fs; returns `con`.

    Example:

        con = register_s3(duckdb.connect())
        con.sql("select count(*) from read_parquet('s3://bucket/wh/tables/articles/**/*.parquet')")
    """
    import s3fs

    # not httpfs: DuckDB would try to download it, and registries are the only network here
    con.register_filesystem(s3fs.S3FileSystem(**s3fs_options(environ)))
    return con
