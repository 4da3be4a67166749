"""Run it like production: a real `prefect server start`, prefect.yaml deployed, a process worker, the UI.

The server, worker and flow run live in subprocesses with their own PREFECT_API_URL
and PREFECT_HOME, so they never meet the session's prefect_test_harness.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from zoneinfo import ZoneInfo

import pytest

from browser import Browser, chromium_binary
from conftest import SEEDS, query

pytestmark = pytest.mark.slow

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Server on a free loopback port, work pool, `prefect deploy --all`, a process worker."""
    from etl.ui import running_stack

    base = tmp_path_factory.mktemp("prefect-server")
    with running_stack(home=base / "home", log_dir=base / "logs") as stack:
        yield stack


@pytest.fixture(scope="module")
def finished_run(stack, tmp_path_factory):
    """`nightly-ingest` triggered through the API (warehouse in a temp folder), waited for."""
    from etl.ui import api

    warehouse = tmp_path_factory.mktemp("deployed") / "warehouse"
    deployment = api(stack.api_url, "GET", "/deployments/name/nightly-ingest/nightly-ingest")
    run = api(stack.api_url, "POST", f"/deployments/{deployment['id']}/create_flow_run",
              {"parameters": {"input_dir": str(SEEDS), "warehouse": str(warehouse)}})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        run = api(stack.api_url, "GET", f"/flow_runs/{run['id']}")
        if run["state_type"] in TERMINAL:
            break
        time.sleep(1)
    assert run["state_type"] == "COMPLETED", (
        f"flow run ended {run['state_type']}: {run['state']}\n--- worker log ---\n{stack.log_tail('worker-thidua-process')}")
    return {"run": run, "deployment": deployment, "warehouse": warehouse}


def test_deployments_registered_with_schedule_and_concurrency(stack):
    from etl.ui import api

    nightly = api(stack.api_url, "GET", "/deployments/name/nightly-ingest/nightly-ingest")
    [schedule] = nightly["schedules"]
    assert schedule["schedule"]["cron"] == "0 2 * * *"
    assert schedule["schedule"]["timezone"] == "Asia/Ho_Chi_Minh"
    assert schedule["active"] is True
    assert nightly["global_concurrency_limit"]["limit"] == 1
    assert nightly["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
    assert nightly["work_pool_name"] == "thidua-process"
    assert nightly["parameters"]["warehouse"] == "warehouse"
    # scheduled nights (once the server's scheduler has run) start at 02:00 Vietnam time
    upcoming = api(stack.api_url, "POST", "/flow_runs/filter",
                   {"deployments": {"id": {"any_": [nightly["id"]]}}, "limit": 5,
                    "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})
    for scheduled in upcoming:
        start = dt.datetime.fromisoformat(scheduled["expected_start_time"].replace("Z", "+00:00"))
        assert start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).time() == dt.time(2, 0), scheduled

    backfill = api(stack.api_url, "GET", "/deployments/name/backfill/backfill")
    assert backfill["schedules"] == []
    assert {"start", "end", "sources"} <= set(backfill["parameter_openapi_schema"]["properties"])
    pool = api(stack.api_url, "GET", "/work_pools/thidua-process")
    assert pool["type"] == "process"


def test_triggered_run_completes_with_artifacts(stack, finished_run):
    from etl.ui import api

    run = finished_run["run"]
    assert run["deployment_id"] == finished_run["deployment"]["id"]
    artifacts = api(stack.api_url, "POST", "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    by_key = {a["key"]: a for a in artifacts}
    assert {"nightly-run-summary", "nightly-validation"} <= set(by_key)
    table = by_key["nightly-run-summary"]["data"]
    table = json.loads(table) if isinstance(table, str) else table
    rows = {r["table"]: r for r in table}
    assert rows["articles"]["rows_loaded"] == 5
    assert any(name.startswith("stage:") for name in rows)
    assert "Data Docs" in by_key["nightly-validation"]["data"]
    # the run logger's lines reach the server (the UI's Logs tab)
    logs = api(stack.api_url, "POST", "/logs/filter", {"logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200})
    assert any("discovered 5 items" in entry["message"] for entry in logs)
    # the task runs carry the retries/tags/timeouts from flows/nightly.py
    tasks = api(stack.api_url, "POST", "/task_runs/filter", {"flow_runs": {"id": {"any_": [run["id"]]}}})
    assert {"discover", "acquire", "clean", "extract", "validate", "load", "publish"} <= {t["name"].rsplit("-", 1)[0] for t in tasks}
    assert all("thidua-etl" in t["tags"] for t in tasks)
    assert query(finished_run["warehouse"], "select count(*) from articles") == [(5,)]


def test_plain_prefect_cli_reads_runs_and_logs(stack, finished_run):
    """`prefect flow-run ls/logs` (the unpatched CLI) against the `make ui` server: no 422 on null filter fields."""
    import subprocess

    from etl.ui import prefect_bin

    env = {**os.environ, "PREFECT_API_URL": stack.api_url, "COLUMNS": "200"}
    listed = subprocess.run([prefect_bin(), "flow-run", "ls"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert finished_run["run"]["name"] in listed.stdout and "COMPLETED" in listed.stdout
    logs = subprocess.run([prefect_bin(), "flow-run", "logs", finished_run["run"]["id"]], env=env,
                          capture_output=True, text=True, timeout=120)
    assert logs.returncode == 0, logs.stdout + logs.stderr
    assert "422" not in logs.stdout + logs.stderr


# --- the UI in headless Chromium ----------------------------------------------------------------

def test_ui_shows_flow_run_and_artifacts(stack, finished_run, tmp_path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed and `apt-get install chromium` is not possible here")
    run = finished_run["run"]
    browser = Browser(binary)
    try:
        browser.call("Page.enable")
        browser.call("Page.navigate", url=f"{stack.ui_url}/runs/flow-run/{run['id']}")
        text = browser.wait_for(run["name"], "Completed", "nightly-ingest", "Artifacts")
        assert "thidua-process" in text  # the work pool of the deployment
        assert browser.click_text(".p-tab", "Artifacts"), "no Artifacts tab on the flow run page"
        browser.wait_for("nightly-run-summary", "nightly-validation")
        browser.screenshot(tmp_path / "flow-run.png")
    finally:
        browser.close()
    assert (tmp_path / "flow-run.png").stat().st_size > 10_000
