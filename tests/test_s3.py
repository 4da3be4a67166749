"""The warehouse on S3-compatible storage: moto's S3 server on 127.0.0.1, DuckDB reading through s3fs."""

from __future__ import annotations

import json
import time

import pyarrow as pa
import pytest

pytestmark = pytest.mark.slow

BUCKET = "thidua-test"


@pytest.fixture(scope="module")
def s3_server():
    """A real HTTP S3 endpoint (moto) on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3_server, monkeypatch, tmp_path):
    """AWS_* variables pointing at moto, a fresh bucket, and a private working folder for .etl-cache."""
    import boto3

    for name, value in {"AWS_ENDPOINT_URL": s3_server, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    s3 = boto3.client("s3", endpoint_url=s3_server)
    if BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=BUCKET)
    monkeypatch.chdir(tmp_path)
    return s3


def keys(s3, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def test_duckdb_reads_s3_globs_through_fsspec(s3_env):
    import duckdb

    from etl.s3 import register_s3
    from etl.storage import Store

    store = Store(f"s3://{BUCKET}/glob")
    store.write_parquet("t/article_year=2022/a.parquet", pa.table({"x": [1, 2]}))
    store.write_parquet("t/article_year=2023/b.parquet", pa.table({"x": [3]}))
    con = register_s3(duckdb.connect())
    rows = con.execute(f"select x, article_year from read_parquet('s3://{BUCKET}/glob/t/**/*.parquet', "
                       "hive_partitioning = true) order by x").fetchall()
    assert rows == [(1, 2022), (2, 2022), (3, 2023)]
    # a file written after the connection was opened is seen (no stale listing cache)
    store.write_parquet("t/article_year=2024/c.parquet", pa.table({"x": [4]}))
    assert con.execute(f"select count(*) from read_parquet('s3://{BUCKET}/glob/t/**/*.parquet')").fetchone() == (4,)


def test_nightly_run_on_s3_warehouse(prefect_api, seed_dir, s3_env, tmp_path):
    from typer.testing import CliRunner

    from etl.cli import app
    from flows.nightly import nightly_ingest

    warehouse = f"s3://{BUCKET}/prod"
    summary = nightly_ingest(input_dir=str(seed_dir), warehouse=warehouse)
    assert summary["status"] == "completed"
    assert summary["rows"]["articles"] == 5

    stored = keys(s3_env, "prod/")
    assert any(k.startswith("prod/tables/articles/article_year=") and k.endswith(".parquet") for k in stored), stored
    assert any(k.startswith("prod/tables/metrics/") for k in stored)
    assert any(k.startswith("prod/tables/runs/") for k in stored)
    # only the DuckDB catalogue and the GE project are local, under .etl-cache/<bucket>/<prefix>
    assert (tmp_path / ".etl-cache" / BUCKET / "prod" / "warehouse.duckdb").exists()

    runner = CliRunner()
    result = runner.invoke(app, ["query", "--warehouse", warehouse, "--json",
                                 "select (select count(*) from articles) as articles, "
                                 "(select count(*) from metrics) as metrics, "
                                 "(select count(*) from runs where status = 'completed') as runs"])
    assert result.exit_code == 0, result.output
    import json

    counts = json.loads(result.stdout)[0]
    assert counts["articles"] == 5
    assert counts["metrics"] == summary["rows"]["metrics"] > 0
    assert counts["runs"] == 1

    # a second night over the same input changes nothing on S3 either
    again = nightly_ingest(input_dir=str(seed_dir), warehouse=warehouse)
    assert again["inputs"]["unchanged"] == 5 and again["rows"]["articles"] == 0
    result = runner.invoke(app, ["query", "--warehouse", warehouse, "--json", "select count(*) as n from articles"])
    assert json.loads(result.stdout) == [{"n": 5}]


def test_the_s3_lock_lives_in_the_bucket_two_runs_from_different_folders_one_refused(
        prefect_api, seed_dir, s3_env, tmp_path, monkeypatch):
    """Run A (working folder a/) holds the warehouse; run B from folder b/ is refused and names A."""
    from etl.errors import WarehouseLockedError
    from etl.storage import Store
    from flows.nightly import nightly_ingest

    warehouse = f"s3://{BUCKET}/locked"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    first = Store(warehouse).lock()
    first.acquire(timeout=0)  # run A, mid-night
    try:
        assert "locked/_lock/lease.json" in keys(s3_env, "locked/")
        lease = json.loads(s3_env.get_object(Bucket=BUCKET, Key="locked/_lock/lease.json")["Body"].read())
        assert f"in {tmp_path / 'a'}" in lease["holder"] and lease["expires_at"] > time.time()
        monkeypatch.chdir(tmp_path / "b")  # another machine: its own .etl-cache, the same bucket
        with pytest.raises(WarehouseLockedError, match=r"_lock/lease.json \(held by .* in .*/a\)"):
            nightly_ingest(input_dir=str(seed_dir), warehouse=warehouse)
        assert not [k for k in keys(s3_env, "locked/") if "/tables/runs/" in k]  # B never started
    finally:
        first.release()
    assert "locked/_lock/lease.json" not in keys(s3_env, "locked/")
    summary = nightly_ingest(input_dir=str(seed_dir), warehouse=warehouse)  # free again
    assert summary["status"] == "completed" and summary["rows"]["articles"] == 5


def test_an_expired_s3_lease_of_a_killed_run_is_taken_over_once(s3_env):
    from filelock import Timeout

    from etl.storage import S3Lease, Store

    store = Store(f"s3://{BUCKET}/lease")
    dead = S3Lease(store, ttl=1.0, poll=0.1)
    dead.acquire()
    dead._stop.set()  # killed: no more renewals, no release
    live = S3Lease(store, ttl=60.0, poll=0.1)
    with pytest.raises(Timeout):
        live.acquire(timeout=0)  # not expired yet
    time.sleep(1.2)
    live.acquire(timeout=2)
    rival = S3Lease(store, ttl=60.0, poll=0.1)
    with pytest.raises(Timeout):
        rival.acquire(timeout=0.3)  # the new lease is fresh: nobody else gets it
    live.release()
    rival.acquire(timeout=0)
    rival.release()
