"""The nightly flow: one Prefect task per stage per batch, wiring src/etl.

Tasks take and return plain data; the stage functions they call have no
Prefect in them, so the same code runs in tests, in `etl eval` and here.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE as NO_CACHE
from prefect.runtime import flow_run

from etl.acquire import acquire_batch, now_local
from etl.clean import clean_batch
from etl.discover import discover
from etl.errors import WarehouseLockedError
from etl.extract import extract_batch
from etl.load import LoadResult, known_versions, load_batch, record_run, split_versions
from etl.models import Failure
from etl.publish import publish
from etl.schema import FACT_TABLES, QuarantineRow, Run
from etl.settings import Settings, load_settings
from etl.storage import Store
from etl.validate import Validated, Validator

TAGS = ["thidua-etl"]


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


@task(name="discover", cache_policy=NO_CACHE, tags=TAGS)
def discover_task(settings: Settings):
    return discover(settings)


@task(name="acquire", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 8], tags=TAGS + ["io"])
def acquire_task(items, settings: Settings):
    return acquire_batch(items, settings)


@task(name="clean", cache_policy=NO_CACHE, tags=TAGS)
def clean_task(raws):
    return clean_batch(raws)


@task(name="extract", cache_policy=NO_CACHE, tags=TAGS)
def extract_task(docs, run_id: str):
    return extract_batch(docs, run_id)


@task(name="validate", cache_policy=NO_CACHE, tags=TAGS)
def validate_task(validator: Validator, tables: dict[str, list], run_id: str) -> Validated:
    return validator.validate(tables, run_id)


@task(name="load", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, tags=TAGS + ["io"])
def load_task(store: Store, validated: Validated, quarantine: list[QuarantineRow], run_id: str, batch: int) -> LoadResult:
    return load_batch(store, validated.tables, quarantine, run_id, batch)


@task(name="publish", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, tags=TAGS + ["io"])
def publish_task(store: Store, validator: Validator) -> dict[str, str]:
    docs = validator.build_docs()
    return {"database": str(publish(store).absolute()), "data_docs": str(docs.absolute())}


def new_run_id() -> str:
    return f"{now_local():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def run_pipeline(settings: Settings) -> dict[str, Any]:
    """One nightly run over every configured input; returns the run summary."""
    logger = get_run_logger()
    store = Store(settings.warehouse)
    store.local_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(store.local_dir / ".etl.lock"))
    try:
        lock.acquire(timeout=settings.lock_timeout)
    except Timeout as exc:
        raise WarehouseLockedError(
            f"another `etl run` is using the warehouse {settings.warehouse} (lock {lock.lock_file}); "
            "wait for it to finish, or pass --wait SECONDS"
        ) from exc
    try:
        return _run_locked(settings, store, logger)
    finally:
        lock.release()


def _run_locked(settings: Settings, store: Store, logger) -> dict[str, Any]:
    started = time.perf_counter()
    run = Run(run_id=new_run_id(), flow_run_id=str(flow_run.get_id() or "") or None,
              started_at=now_local(), finished_at=None, status="running")
    record_run(store, run)
    stage_seconds: dict[str, float] = {}

    def timed(stage: str, fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        stage_seconds[stage] = stage_seconds.get(stage, 0.0) + time.perf_counter() - t0
        return out

    try:
        items, failures = timed("discover", discover_task, settings)
        run.inputs_seen = len(items)
        logger.info("discovered %d items (%d refused)", len(items), len(failures))
        validator = timed("validate", Validator, store.local_dir)
        known = known_versions(store)
        validation: dict[str, dict] = {}
        rows = {t: 0 for t in ("articles", *FACT_TABLES)}
        for batch_no, start in enumerate(range(0, max(len(items), 1), settings.batch_size)):
            batch = items[start:start + settings.batch_size]
            raws, failed = timed("acquire", acquire_task, batch, settings) if batch else ([], [])
            failures += failed
            cleaned, failed = timed("clean", clean_task, raws)
            failures += failed
            split = split_versions(cleaned, known)
            run.inputs_new += len(split.new)
            run.inputs_changed += len(split.changed)
            run.inputs_unchanged += len(split.unchanged)
            extracted = timed("extract", extract_task, split.to_load, run.run_id)
            failures += extracted.failures
            validated = timed("validate", validate_task, validator, extracted.tables(), run.run_id)
            quarantine = validated.quarantine + failure_rows(failures, run.run_id)
            for table, result in validated.results.items():
                merged = validation.setdefault(table, {"success": True, "rows": 0, "quarantined": 0, "warned": 0, "failed": set()})
                merged["success"] &= result.success
                merged["rows"] += result.rows
                merged["quarantined"] += result.quarantined
                merged["warned"] += result.warned
                merged["failed"] |= set(result.failed_expectations)
            loaded = timed("load", load_task, store, validated, quarantine, run.run_id, batch_no)
            run.inputs_failed += len(failures)
            run.quarantined += len(quarantine)
            failures = []
            for table in rows:
                rows[table] += loaded.rows.get(table, 0)
            for article in validated.tables.get("articles", []):
                known[article.article_id] = article.content_hash
        paths = timed("publish", publish_task, store, validator)
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


@flow(name="nightly-ingest", flow_run_name="nightly-{warehouse}", log_prints=True)
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
