"""The nightly flow: one Prefect task per stage per batch, wiring src/etl.

Tasks take and return plain data; the stage functions they call have no
Prefect in them, so the same code runs in tests, in `etl eval` and here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE as NO_CACHE
from prefect.context import FlowRunContext
from prefect.runtime import flow_run

from etl.acquire import acquire_batch, now_local
from etl.bronze import commit_state, read_batch, stored_items
from etl import parallel
from etl.discover import discover
from etl.extract import RULES_VERSION
from etl.errors import WarehouseError, WarehouseLockedError
from etl.load import (
    LoadResult, close_abandoned_runs, compact, known_entry, known_versions, load_batch, record_run, recover,
    skip_unchanged_bytes, split_versions,
)
from etl.models import Failure
from etl.publish import publish, set_aside_corrupt
from etl.schema import FACT_TABLES, QuarantineRow, Run
from etl.settings import Settings, load_settings
from etl.storage import Store
from etl.validate import Validated, Validator, docs_index

TAGS = ["thidua-etl"]
# stage and batch events for the CLI's progress display (a rich bar on a terminal, plain lines otherwise)
PROGRESS = logging.getLogger("etl.progress")


def failure_rows(failures: list[Failure], run_id: str) -> list[QuarantineRow]:
    """Inputs refused by a stage, as quarantine rows (one per input and reason)."""
    import hashlib

    rows = []
    for f in failures:
        record = {"uri": f.uri, "stage": f.stage, "reason": f.reason}
        key = hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        rows.append(QuarantineRow(
            table_name="inputs", row=json.dumps(record, ensure_ascii=False), failed_expectations=f"{f.stage}_failed",
            run_id=run_id, uri=f.uri, stage=f.stage, reason=f.reason, row_key=key,
        ))
    return rows


def jittered(delays: list[float], spread: float = 0.3) -> list[float]:
    """Retry delays with +/- `spread` random jitter, drawn once per process.

    prefect 3.8 ignores `retry_jitter_factor` on tasks, so parallel runs (or Dask
    workers) that failed together would otherwise retry together.
    """
    return [round(d * random.uniform(1 - spread, 1 + spread), 2) for d in delays]


def task_runner_for(kind: str | None, address: str | None):
    """The flow's task runner: Dask (an existing cluster when `address` is set), else Prefect's default.

    Example: `nightly_ingest.with_options(task_runner=task_runner_for("dask", "tcp://10.0.0.5:8786"))`.
    """
    if (kind or "default") == "dask" or address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address) if address else DaskTaskRunner()
    return None


def flow_for(task_runner: str | None = None, dask_address: str | None = None):
    """`nightly_ingest`, with the Dask task runner when configured."""
    runner = task_runner_for(task_runner, dask_address)
    return nightly_ingest.with_options(task_runner=runner) if runner else nightly_ingest


_VALIDATORS: dict[tuple[str, str | None], Validator] = {}


def cached_validator(project_dir: Path | str, expectations_dir: Path | str | None = None) -> Validator:
    """One GE context per process and warehouse: it does not pickle, so Dask workers build their own."""
    project = Path(project_dir).absolute()
    key = (str(project), str(expectations_dir) if expectations_dir else None)
    validator = _VALIDATORS.get(key)
    if validator is None or not (project / "gx").exists():
        validator = _VALIDATORS[key] = Validator(project, expectations_dir)
    return validator


@task(name="discover", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=jittered([5, 30]),
      timeout_seconds=900, tags=TAGS + ["io"])
def discover_task(settings: Settings):
    if settings.reprocess:  # `etl reprocess`: what bronze holds, no network
        items, failures = stored_items(Store(settings.warehouse), settings.reprocess_run)
        if settings.reprocess_sources:  # backfill of named sources only
            items = [i for i in items if i.source_name in settings.reprocess_sources]
        return items, failures
    return discover(settings)


@task(name="acquire", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=jittered([2, 8]),
      timeout_seconds=3600, tags=TAGS + ["io"])
def acquire_task(items, settings: Settings):
    if settings.reprocess:
        return read_batch(Store(settings.warehouse), items, settings.reprocess_run)
    return acquire_batch(items, settings)


@task(name="clean", cache_policy=NO_CACHE, timeout_seconds=1800, tags=TAGS + ["cpu"])
def clean_task(raws, workers: int = 1):
    return parallel.clean_batch(raws, workers)


@task(name="extract", cache_policy=NO_CACHE, timeout_seconds=1800, tags=TAGS + ["cpu"])
def extract_task(docs, run_id: str, workers: int = 1):
    return parallel.extract_batch(docs, run_id, workers)


@task(name="validate", cache_policy=NO_CACHE, timeout_seconds=1800, tags=TAGS + ["cpu"])
def validate_task(project_dir: str, expectations_dir: str | None, tables: dict[str, list], run_id: str) -> Validated:
    return cached_validator(project_dir, expectations_dir).validate(tables, run_id)


@task(name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=jittered([2, 10]),
      timeout_seconds=1800, tags=TAGS + ["io"])
def load_task(store: Store, validated: Validated, quarantine: list[QuarantineRow], run_id: str, batch: int) -> LoadResult:
    return load_batch(store, validated.tables, quarantine, run_id, batch)


@task(name="compact", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=jittered([5]),
      timeout_seconds=3600, tags=TAGS + ["io"])
def compact_task(store: Store, min_files: int) -> dict[str, int]:
    return compact(store, min_files)


@task(name="publish", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=jittered([2, 10]),
      timeout_seconds=1800, tags=TAGS + ["io"])
def publish_task(store: Store, expectations_dir: str | None, validated_any: bool) -> dict[str, str]:
    # a night that validated nothing leaves the Data Docs as they are (and skips GE's start-up)
    docs = cached_validator(store.local_dir, expectations_dir).build_docs() if validated_any else docs_index(store.local_dir)
    return {"database": str(publish(store).absolute()), "data_docs": str(docs.absolute())}


def new_run_id() -> str:
    return f"{now_local():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def run_pipeline(settings: Settings) -> dict[str, Any]:
    """One nightly run over every configured input; returns the run summary."""
    logger = get_run_logger()
    store = Store(settings.warehouse)
    lock = FileLock(str(store.local_dir / ".etl.lock"))
    try:
        store.local_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=settings.lock_timeout)
    except Timeout as exc:
        raise WarehouseLockedError(
            f"another `etl run` is using the warehouse {settings.warehouse} (lock {lock.lock_file}); "
            "wait for it to finish, or pass --wait SECONDS"
        ) from exc
    except OSError as exc:  # read-only mount, no permission: say so instead of a traceback
        raise WarehouseError(
            f"the warehouse {settings.warehouse} is not writable ({exc.strerror}: {exc.filename}); "
            "`etl query` can still read it (read-only), or pass --warehouse DIR on a writable disk"
        ) from exc
    try:
        recover(store)
        return _run_locked(settings, store, logger)
    except OSError as exc:  # a full disk mid-load: the run is recorded as failed, nothing half-written shows
        raise WarehouseError(
            f"writing the warehouse {settings.warehouse} failed: {exc}; no partial batch is visible — "
            "free space (or fix permissions) and run again"
        ) from exc
    finally:
        lock.release()


def _run_locked(settings: Settings, store: Store, logger) -> dict[str, Any]:
    started = time.perf_counter()
    run = Run(run_id=new_run_id(), flow_run_id=str(flow_run.get_id() or "") or None,
              started_at=now_local(), finished_at=None, status="running")
    record_run(store, run)
    settings = settings.replace(run_id=run.run_id)  # fetches rows and staged fetch state name the run
    stage_seconds: dict[str, float] = {}

    context = FlowRunContext.get()
    on_dask = type(getattr(context, "task_runner", None)).__name__ == "DaskTaskRunner"
    cpu_workers = 1 if on_dask else settings.workers  # on Dask the cluster is the pool

    def timed(stage: str, fn, *args, remote: bool = False):
        t0 = time.perf_counter()
        # remote: a batch task sent to the Dask workers when the flow runs on Dask; the rest
        # (discover, load, publish) and every stage without Dask run here, in the flow's thread
        # (worker threads cannot enforce task timeouts, and prefect warns about it)
        out = fn.submit(*args).result() if remote and on_dask else fn(*args)
        seconds = time.perf_counter() - t0
        stage_seconds[stage] = stage_seconds.get(stage, 0.0) + seconds
        PROGRESS.info("%s done in %.2f s", stage, seconds, extra={"etl_stage": stage})
        return out

    try:
        items, failures = timed("discover", discover_task, settings)
        run.inputs_seen = len(items)
        logger.info("discovered %d items (%d refused)", len(items), len(failures))
        batches = -(-len(items) // settings.batch_size) or 1
        PROGRESS.info("%d items in %d batches", len(items), batches, extra={"etl_batch": 0, "etl_batches": batches})
        expectations = settings.expectations_dir and str(settings.expectations_dir)
        failures += set_aside_corrupt(store)  # a damaged Parquet file must not stop the night
        close_abandoned_runs(store, run.run_id)
        known = known_versions(store)
        validation: dict[str, dict] = {}
        rows = {t: 0 for t in ("articles", *FACT_TABLES)}
        for batch_no, start in enumerate(range(0, max(len(items), 1), settings.batch_size)):
            batch = items[start:start + settings.batch_size]
            raws, failed = timed("acquire", acquire_task, batch, settings, remote=True) if batch else ([], [])
            failures += failed
            # neither a document nor a failure: the page answered 304 (or the same bytes), nothing to re-extract
            run.inputs_unchanged += len(batch) - len(raws) - len(failed)
            raws, same = skip_unchanged_bytes(raws, known, RULES_VERSION)  # same bytes, same rules: no work
            run.inputs_unchanged += len(same)
            cleaned, failed = timed("clean", clean_task, raws, cpu_workers, remote=True)
            failures += failed
            split = split_versions(cleaned, known, RULES_VERSION)
            run.inputs_new += len(split.new)
            run.inputs_changed += len(split.changed)
            run.inputs_unchanged += len(split.unchanged)
            extracted = timed("extract", extract_task, split.to_load, run.run_id, cpu_workers, remote=True)
            failures += extracted.failures
            tables = extracted.tables()
            validated = Validated(tables=tables)
            if any(tables.values()):
                validated = timed("validate", validate_task, str(store.local_dir.absolute()), expectations,
                                  tables, run.run_id, remote=True)
            quarantine = validated.quarantine + failure_rows(failures, run.run_id)
            for table, result in validated.results.items():
                merged = validation.setdefault(table, {"success": True, "rows": 0, "quarantined": 0, "warned": 0, "failed": set()})
                merged["success"] &= result.success
                merged["rows"] += result.rows
                merged["quarantined"] += result.quarantined
                merged["warned"] += result.warned
                merged["failed"] |= set(result.failed_expectations)
            loaded = timed("load", load_task, store, validated, quarantine, run.run_id, batch_no)
            commit_state(store, run.run_id)  # only now do this batch's pages count as seen (conditional GET)
            run.inputs_failed += len(failures)
            run.quarantined += len(quarantine)
            failures = []
            for table in rows:
                rows[table] += loaded.rows.get(table, 0)
            for article in validated.tables.get("articles", []):
                known[article.article_id] = known_entry(article)
            logger.info("batch %d/%d loaded: %s", batch_no + 1, batches, loaded.rows)
            PROGRESS.info("batch %d/%d loaded", batch_no + 1, batches, extra={"etl_batch": batch_no + 1, "etl_batches": batches})
        if settings.compact_min_files:  # many small nightly files slow every dashboard query
            timed("compact", compact_task, store, settings.compact_min_files)
        paths = timed("publish", publish_task, store, expectations, bool(validation))
        run.status = "completed"
    except BaseException as exc:
        run.status = "failed"
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = now_local()
        run.seconds = time.perf_counter() - started
        run.stage_seconds = json.dumps(stage_seconds)
        record_run(store, run)
        raise
    run.finished_at = now_local()
    run.seconds = round(time.perf_counter() - started, 3)
    run.stage_seconds = json.dumps({k: round(v, 3) for k, v in stage_seconds.items()})
    for table, n in rows.items():
        setattr(run, f"rows_{table}", n)
    run.validation_success = all(v["success"] for v in validation.values()) if validation else True
    record_run(store, run)
    publish(store)  # the runs view now includes this run's final record
    summary = {
        "run_id": run.run_id,
        "flow_run_id": run.flow_run_id,
        "status": run.status,
        "inputs": {"seen": run.inputs_seen, "new": run.inputs_new, "changed": run.inputs_changed,
                   "unchanged": run.inputs_unchanged, "failed": run.inputs_failed},
        "rows": rows,
        "quarantined": run.quarantined,
        "validation": {t: {**v, "failed": sorted(v["failed"])} for t, v in validation.items()},
        "validation_success": run.validation_success,
        "stage_seconds": json.loads(run.stage_seconds),
        "seconds": run.seconds,
        **paths,
    }
    report(summary)
    return summary


def report(summary: dict[str, Any]) -> None:
    """Table and markdown artifacts of a run, shown in the Prefect UI."""
    table = [{"table": t, "rows_loaded": n,
              "validated_rows": summary["validation"].get(t, {}).get("rows", 0),
              "quarantined": summary["validation"].get(t, {}).get("quarantined", 0),
              "validation_success": summary["validation"].get(t, {}).get("success", True)}
             for t, n in summary["rows"].items()]
    table += [{"table": f"stage:{s}", "rows_loaded": None, "validated_rows": None, "quarantined": None,
               "validation_success": None, "seconds": sec} for s, sec in summary["stage_seconds"].items()]
    create_table_artifact(key="nightly-run-summary", table=table,
                          description=f"Run {summary['run_id']}: rows per table, quarantined, seconds per stage")
    lines = [f"# Run {summary['run_id']}", "",
             f"Status **{summary['status']}** in {summary['seconds']} s; inputs {summary['inputs']}.", "",
             "| table | rows | quarantined | success | failed expectations |", "|---|---|---|---|---|"]
    for t, v in summary["validation"].items():
        lines.append(f"| {t} | {v['rows']} | {v['quarantined']} | {v['success']} | {', '.join(v['failed']) or '-'} |")
    lines += ["", f"Data Docs: [{summary['data_docs']}](file://{summary['data_docs']})",
              f"Warehouse: `{summary['database']}`"]
    create_markdown_artifact(key="nightly-validation", markdown="\n".join(lines),
                             description="Great Expectations validation summary")


# ETL_TASK_RUNNER=dask / ETL_DASK_ADDRESS=tcp://host:8786 switch deployments to Dask without code changes
@flow(name="nightly-ingest", flow_run_name="nightly-{warehouse}", log_prints=True,
      task_runner=task_runner_for(os.environ.get("ETL_TASK_RUNNER"), os.environ.get("ETL_DASK_ADDRESS")))
def nightly_ingest(
    input_dir: str | None = "seeds/articles",
    warehouse: str = "warehouse",
    sources: str | None = None,
    batch_size: int | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Read every input, extract facts, validate, load Parquet and publish DuckDB views."""
    settings = load_settings({
        "input_dir": Path(input_dir) if input_dir else None,
        "warehouse": warehouse,
        "sources_file": Path(sources) if sources else None,
        "batch_size": batch_size,
        **(options or {}),
    })
    if input_dir is None:
        settings.input_dir = None
    return run_pipeline(settings)
