"""The nightly flow: Prefect wiring over etl.pipeline (one task per stage per batch, the artifacts).

The batch loop, the counters and the run record live in `etl.pipeline`; this
module only wraps its stage functions as tasks, chooses the task runner, names
the run and turns the night's outcome into the flow's final state:
Completed, Completed named "Warning" (some sources failed, too much
quarantined), or Failed (nothing could be read).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE as NO_CACHE
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.states import Completed
from prefect.utilities.annotations import quote

from etl import pipeline
from etl.clock import as_utc, today_local
from etl.errors import NightFailed, should_retry
from etl.pipeline import Reprocess, Stages
from etl.settings import load_settings
from etl.validate import summary_status

TAGS = ["thidua-etl"]
RUN_STATE_OPTIONS = ("reprocess", "reprocess_run", "reprocess_sources")  # run state, not configuration
WARNING_STATE = "Warning"  # a Completed state with this name: the night needs a look (issue 14)


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


# retries only where a retry can help (network, lock wait): etl.errors.should_retry
IO = dict(cache_policy=NO_CACHE, retry_condition_fn=should_retry, tags=TAGS + ["io"])
CPU = dict(cache_policy=NO_CACHE, tags=TAGS + ["cpu"])

discover_task = task(pipeline.discover_stage, name="discover", retries=2, retry_delay_seconds=jittered([5, 30]),
                     timeout_seconds=900, **IO)
acquire_task = task(pipeline.acquire_stage, name="acquire", retries=2, retry_delay_seconds=jittered([2, 8]),
                    timeout_seconds=3600, **IO)
# locally the pool cleans a batch while the flow validates the one before; the "clean" task waits for it
clean_task = task(pipeline.wait_stage, name="clean", timeout_seconds=1800, **CPU)
# on Dask one task per batch cleans and extracts it on a worker, submitted ahead in the same way
clean_remote_task = task(pipeline.clean_extract_stage, name="clean", timeout_seconds=1800, **CPU)
extract_task = task(pipeline.extract_stage, name="extract", timeout_seconds=1800, **CPU)
validate_task = task(pipeline.validate_stage, name="validate", timeout_seconds=1800, **CPU)
load_task = task(pipeline.load_stage, name="load", retries=2, retry_delay_seconds=jittered([2, 10]),
                 timeout_seconds=1800, **IO)
compact_task = task(pipeline.compact_stage, name="compact", retries=1, retry_delay_seconds=jittered([5]),
                    timeout_seconds=3600, **IO)
publish_task = task(pipeline.publish_stage, name="publish", retries=2, retry_delay_seconds=jittered([2, 10]),
                    timeout_seconds=1800, **IO)


def quoted(args: tuple) -> list:
    """A batch task's arguments as `quote`s: Prefect passes them on without walking through them.

    Prefect otherwise visits every object of every argument twice per task call (to resolve
    futures and to record task inputs): about 2 s per task for a batch of 500 articles'
    rows, in the flow's process (issue 16). No argument of these tasks holds a future.
    """
    return [quote(a) for a in args]


def local(t):
    """A batch task run in the flow's thread, its arguments quoted."""
    return lambda *args: t(*quoted(args))


def remote(t):
    """A batch task sent to the Dask workers (submit, then wait for it).

    Not quoted: the Dask task runner hands a `quote` to the task as it is (a tuple),
    where a local call unwraps it.
    """
    return lambda *args: t.submit(*args).result()


def stages_for_this_run() -> Stages:
    """The tasks for this flow run: on Dask the batch stages go to the workers, the rest run here.

    Stages run in the flow's thread otherwise: worker threads cannot enforce task
    timeouts (and Prefect warns about it).
    """
    context = FlowRunContext.get()
    on_dask = type(getattr(context, "task_runner", None)).__name__ == "DaskTaskRunner"
    send = remote if on_dask else local
    # on Dask the clean task is the future; extract then only gathers its rows (here, in the flow)
    start_clean = (lambda *args: clean_remote_task.submit(*args)) if on_dask else pipeline.start_clean_stage
    return Stages(discover=discover_task, acquire=send(acquire_task), start_clean=start_clean,
                  clean=pipeline.wait_stage if on_dask else local(clean_task),
                  extract=local(extract_task), validate=send(validate_task), load=local(load_task),
                  compact=compact_task, publish=publish_task, cpu_workers=1 if on_dask else None,
                  warm_up=None if on_dask else pipeline.warm_up_validation)


def source_set(parameters: dict[str, Any]) -> str:
    """The run's source set: the sources file's stem, the input folder's name, or `reprocess`."""
    if (parameters.get("options") or {}).get("reprocess"):
        return "reprocess"
    if parameters.get("sources"):
        return Path(parameters["sources"]).stem
    return Path(parameters.get("input_dir") or "articles").name or "articles"


def run_name() -> str:
    """`nightly-2026-12-01-sources`: the Vietnam-local date and the source set."""
    return f"nightly-{today_local():%Y-%m-%d}-{source_set(flow_run.parameters)}"


def report(summary: dict[str, Any]) -> None:
    """Table and markdown artifacts of a run: status, seconds per stage, sources, quarantine by reason."""
    blank = {"table": None, "rows_loaded": None, "validated_rows": None, "quarantined": None, "validation": None,
             "seconds": None}  # every row has every column, or the UI drops the ones the first row lacks
    rows = [{**blank, "table": t, "rows_loaded": n,
             "validated_rows": summary["validation"].get(t, {}).get("rows", 0),
             "quarantined": summary["validation"].get(t, {}).get("quarantined", 0),
             "validation": summary_status(summary["validation"].get(t, {}))}
            for t, n in summary["rows"].items()]
    rows += [{**blank, "table": f"stage:{s}", "seconds": sec} for s, sec in summary["stage_seconds"].items()]
    rows += [{**blank, "table": f"source:{s['name']}", "rows_loaded": s["new"], "quarantined": s["failed"],
              "validation": "failed" if s["broken"] else "read"} for s in summary["sources"]]
    create_table_artifact(key="nightly-run-summary", table=rows,
                          description=f"Run {summary['run_id']} {summary['status']}, validation "
                                      f"{summary['validation_status']}: rows per table, seconds per stage, sources")
    create_markdown_artifact(key="nightly-validation", markdown=summary_markdown(summary),
                             description=f"Run {summary['run_id']}: {summary['status']}")


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run summary as markdown (the same status and message as the CLI and the run record)."""
    started = summary["started_at"]
    utc = as_utc(dt.datetime.fromisoformat(started))
    lines = [f"# Run {summary['run_id']} — {summary['status']}", "",
             f"Started {started} Vietnam time ({utc:%Y-%m-%d %H:%M:%S} UTC), {summary['seconds']} s; "
             f"inputs {summary['inputs']}.", ""]
    if summary.get("message"):
        lines += [f"**{summary['status']}:** {summary['message']}", ""]
    lines += ["## Seconds per stage", "", "| stage | seconds |", "|---|---|"]
    lines += [f"| {s} | {sec} |" for s, sec in summary["stage_seconds"].items()]
    lines += ["", "## Sources", "", "| source | items | read | new | failed | first errors |", "|---|---|---|---|---|---|"]
    for s in summary["sources"]:
        errors = "<br>".join(e.replace("|", "\\|") for e in s["errors"]) or "-"
        lines.append(f"| {s['name']}{' (failed)' if s['broken'] else ''} | {s['items']} | {s['read']} | "
                     f"{s['new']} | {s['failed']} | {errors} |")
    lines += ["", "## Quarantined rows by reason", "", "| reason | rows |", "|---|---|"]
    lines += [f"| {reason} | {n} |" for reason, n in sorted(summary["quarantine_reasons"].items())] or ["| - | 0 |"]
    lines += ["", "## Validation", "", f"Validation: **{summary['validation_status']}**", "",
              "| table | rows | quarantined | validation | failed expectations |", "|---|---|---|---|---|"]
    for t, v in summary["validation"].items():
        lines.append(f"| {t} | {v['rows']} | {v['quarantined']} | {summary_status(v)} | "
                     f"{', '.join(v['failed']) or '-'} |")
    lines += ["", f"Data Docs: [{summary['data_docs']}](file://{summary['data_docs']})",
              f"Warehouse: `{summary['database']}`"]
    return "\n".join(lines)


# ETL_TASK_RUNNER=dask / ETL_DASK_ADDRESS=tcp://host:8786 switch deployments to Dask without code changes
@flow(name="nightly-ingest", flow_run_name=run_name, log_prints=True,
      task_runner=task_runner_for(os.environ.get("ETL_TASK_RUNNER"), os.environ.get("ETL_DASK_ADDRESS")))
def nightly_ingest(
    input_dir: str | None = "seeds/articles",
    warehouse: str = "warehouse",
    sources: str | None = None,
    batch_size: int | None = None,
    options: dict[str, Any] | None = None,
):
    """Read every input, extract facts, validate, load Parquet and publish DuckDB views.

    `options` are further settings (etl.settings.Settings keys) plus the run state
    `reprocess`, `reprocess_run`, `reprocess_sources` (re-extract from bronze).
    """
    options = dict(options or {})
    state = {k: options.pop(k) for k in RUN_STATE_OPTIONS if k in options}
    reprocess = (Reprocess(state.get("reprocess_run"), tuple(state["reprocess_sources"])
                           if state.get("reprocess_sources") else None) if state.get("reprocess") else None)
    settings = load_settings({"warehouse": warehouse, "sources_file": sources, "batch_size": batch_size, **options,
                              "input_dir": Path(input_dir) if input_dir else None})
    if input_dir is None:
        settings.input_dir = None
    with pipeline.open_run(settings, reprocess, str(flow_run.get_id() or "") or None, flow_run.get_name()) as (ctx, run):
        ctx.logger = get_run_logger()
        summary = pipeline.run_night(ctx, run, stages_for_this_run())
    report(summary)
    if summary["status"] == "failed":
        raise NightFailed(summary["message"], summary)
    if summary["status"] == "warning":
        return Completed(name=WARNING_STATE, message=summary["message"], data=summary)
    return summary
