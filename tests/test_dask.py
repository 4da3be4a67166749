"""Scale-out by configuration: the same flow on a distributed.LocalCluster gives the same views."""

from __future__ import annotations

import pytest

from conftest import query

pytestmark = pytest.mark.slow

# columns that record *when* (or in which run) something happened, not *what* was loaded
TIME_COLUMNS = {"run_id", "loaded_at", "fetched_at", "quarantined_at", "recorded_at"}


def snapshot(warehouse):
    """view_snapshot minus the time/run bookkeeping, inside quarantined row JSON too."""
    import json

    out = {}
    for view in ("articles", "metrics", "awards", "movements", "officials", "documents", "quarantine"):
        cols = [r[0] for r in query(warehouse, f"select column_name from (describe {view})")]
        keep = [c for c in cols if c not in TIME_COLUMNS]
        rows = query(warehouse, f"select {', '.join(keep)} from {view}")
        if view == "quarantine":
            at = keep.index("row")
            rows = [tuple({k: v for k, v in json.loads(r[at]).items() if k not in TIME_COLUMNS}.items()
                          if i == at else x for i, x in enumerate(r)) for r in rows]
        out[view] = sorted(map(repr, rows))
    return out


@pytest.fixture(scope="module")
def dask_cluster():
    """Two worker processes, one thread each: tasks really leave the flow's process."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=40)
    try:
        yield cluster
    finally:
        cluster.close()


def test_dask_run_matches_local_run(prefect_api, seed_dir, tmp_path, dask_cluster):
    from distributed import Client

    from flows.nightly import flow_for

    local = tmp_path / "local"
    remote = tmp_path / "dask"
    local_summary = flow_for()(input_dir=str(seed_dir), warehouse=str(local), batch_size=2)
    dask_summary = flow_for("dask", dask_cluster.scheduler_address)(
        input_dir=str(seed_dir), warehouse=str(remote), batch_size=2)

    assert dask_summary["status"] == "completed"
    assert dask_summary["rows"] == local_summary["rows"]
    assert dask_summary["rows"]["articles"] == 5
    assert snapshot(remote) == snapshot(local)

    # the batch tasks ran on the cluster's workers, not in this process
    with Client(dask_cluster.scheduler_address) as client:
        done = client.run(lambda: __import__("sys").modules.get("flows.nightly") is not None)
    assert len(done) == 2 and any(done.values()), done


def test_cli_dask_address_option(prefect_api, seed_dir, tmp_path, dask_cluster):
    from typer.testing import CliRunner

    from etl.cli import app

    result = CliRunner().invoke(app, ["run", "--input", str(seed_dir), "--warehouse", str(tmp_path / "wh"),
                                      "--task-runner", "dask", "--dask-address", dask_cluster.scheduler_address,
                                      "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    assert query(tmp_path / "wh", "select count(*) from articles") == [(5,)]
