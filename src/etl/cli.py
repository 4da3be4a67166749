"""The `etl` command: run the nightly flow, query the warehouse, score extraction."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from etl.errors import EtlError
from etl.output import Format

app = typer.Typer(
    help="thidua-etl: Vietnamese local-government news into validated Parquet facts, queried with DuckDB.\n\n"
    "Example:\n\n    etl run --input seeds/articles --warehouse warehouse && etl query \"select count(*) from articles\"",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
# piped output (CI logs, files) is not cut to 80 columns
console = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)

INPUT = "Input"
OUTPUT = "Output"
RUNTIME = "Runtime"


def setup_logging(quiet: bool) -> None:
    """Rich log lines on a terminal, plain lines otherwise; warnings only when quiet."""
    level = logging.WARNING if quiet else logging.INFO
    handler = RichHandler(console=err, show_path=False) if err.is_terminal else logging.StreamHandler(sys.stderr)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s" if err.is_terminal else "%(levelname)s %(name)s: %(message)s", force=True)
    for noisy in ("great_expectations", "prefect", "httpx", "urllib3", "trafilatura", "htmldate", "courlan"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def quiet_prefect() -> None:
    """Keep Prefect's own console output short unless the user asked otherwise."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


class ProgressHandler(logging.Handler):
    """Turns the flow's `etl.progress` events into a rich progress bar (batches, current stage)."""

    def __init__(self, progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.task = progress.add_task("discover", total=None)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "etl_batches", None) is not None:
            self.progress.update(self.task, total=record.etl_batches, completed=record.etl_batch,
                                 description=f"batch {min(record.etl_batch + 1, record.etl_batches)}/{record.etl_batches}")
        elif getattr(record, "etl_stage", None):
            self.progress.update(self.task, description=f"{record.etl_stage} done")


@contextlib.contextmanager
def progress_display(quiet: bool):
    """A rich progress bar on a terminal; plain `etl.progress` log lines otherwise (nothing when quiet)."""
    if quiet or not err.is_terminal:
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    logger = logging.getLogger("etl.progress")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        handler = ProgressHandler(progress)
        logger.addHandler(handler)
        logger.propagate = False  # the bar replaces the per-stage lines
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.propagate = True


STATUS_STYLE = {"completed": "green", "warning": "yellow", "failed": "red"}  # the run record's vocabulary
# etl.validate's vocabulary (passed / passed with warnings / failed)
VALIDATION_STYLE = {"passed": "green", "passed with warnings": "yellow", "failed": "red"}


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one error line (never wrapped, no traceback) and return the Exit to raise."""
    from rich.markup import escape

    err.print(f"[red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code)


def print_summary(summary: dict) -> None:
    """The run summary: outcome, inputs, sources, rows and validation per table, seconds, where things are."""
    inputs = summary["inputs"]
    style = STATUS_STYLE.get(summary["status"], "bold")
    console.print(
        f"[bold]Run {summary['run_id']}[/] [{style}]{summary['status']}[/] in {summary['seconds']:.1f} s — "
        f"articles read: {inputs['seen']} (new {inputs['new']}, changed {inputs['changed']}, "
        f"unchanged {inputs['unchanged']}, failed {inputs['failed']})"
    )
    if summary.get("message"):
        console.print(f"[{style}]{summary['status']}:[/] {summary['message']}", soft_wrap=True, highlight=False)
    sources = Table("source", "items", "read", "new", "failed", "first error")
    for src in summary.get("sources", []):
        name = f"[red]{src['name']}[/]" if src["broken"] else src["name"]
        sources.add_row(name, str(src["items"]), str(src["read"]), str(src["new"]), str(src["failed"]),
                        (src["errors"] or [""])[0])
    if summary.get("sources"):
        console.print(sources)
    from etl.validate import summary_status

    table = Table("table", "rows loaded", "validated", "quarantined")
    table.add_column("validation", no_wrap=True, min_width=len("passed with warnings"))  # the word stays whole
    for name, n in summary["rows"].items():
        v = summary["validation"].get(name, {})
        status = summary_status(v)
        table.add_row(name, str(n), str(v.get("rows", 0)), str(v.get("quarantined", 0)),
                      f"[{VALIDATION_STYLE[status]}]{status}[/]")
    console.print(table)
    overall = summary["validation_status"]
    failed = "; ".join(f"{t}: {', '.join(v['failed'])}" for t, v in summary["validation"].items() if v.get("failed"))
    console.print(f"validation: [{VALIDATION_STYLE[overall]}]{overall}[/]" + (f" — {failed}" if failed else ""),
                  soft_wrap=True, highlight=False)
    reasons = ", ".join(f"{r} {n}" for r, n in sorted(summary.get("quarantine_reasons", {}).items()))
    console.print(f"quarantined rows (incl. refused inputs): {summary['quarantined']}" + (f" — {reasons}" if reasons else ""))
    console.print("seconds per stage: " + ", ".join(f"{k} {v:.2f}" for k, v in summary["stage_seconds"].items()))
    console.print(f"Warehouse: [bold]{summary['database']}[/]  (try: etl query \"select * from district_year_summary\")")
    console.print(f"Data Docs: {summary['data_docs']}")


def run_flow(flow_fn, as_json: bool, quiet: bool, strict: bool, **parameters) -> None:
    """Call the nightly flow, print its summary, and exit with the night's outcome.

    Exit codes: 0 completed (or a warning without --strict), 1 failed, 2 a terminal error
    (configuration, input, warehouse), 3 a warning with --strict.
    """
    from etl import lifeline
    from etl.errors import NightFailed

    lifeline.start()  # if this process is killed, its Prefect server, forkserver and workers go with it
    try:
        with progress_display(quiet):
            summary = flow_fn(**parameters)
    except NightFailed as exc:
        summary = exc.summary
        if summary:
            console.print_json(json.dumps(summary, default=str)) if as_json else print_summary(summary)
        raise fail(f"the night failed: {exc}", 1)
    except EtlError as exc:
        raise fail(str(exc))
    if as_json:
        console.print_json(json.dumps(summary, default=str))
    else:
        print_summary(summary)
    if strict and summary["status"] != "completed":
        raise typer.Exit(3)


def edge_settings(reprocess: bool = False, **overrides):
    """The run's settings, checked before Prefect starts: a bad sources.yaml or --input fails in a second."""
    from etl.pipeline import Reprocess, preflight
    from etl.settings import load_settings

    try:
        settings = load_settings(overrides)
        preflight(settings, Reprocess() if reprocess else None)
    except EtlError as exc:
        raise fail(str(exc))
    return settings


@app.command()
def run(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Folder of .txt/.html articles (default: seeds/articles unless --sources is given).", rich_help_panel=INPUT),
    sources: Optional[Path] = typer.Option(None, "--sources", "-s", help="sources.yaml with URL lists, feeds and sitemaps.", rich_help_panel=INPUT),
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="Articles per batch task.", rich_help_panel=RUNTIME),
    workers: Optional[int] = typer.Option(None, "--workers", envvar="ETL_WORKERS", help="Processes for clean and extract (default: one per CPU core).", rich_help_panel=RUNTIME),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another run's lock on the warehouse.", rich_help_panel=RUNTIME),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.", rich_help_panel=OUTPUT),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and the summary.", rich_help_panel=OUTPUT),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 when the night ends with a warning (a source failed, too much quarantined).", rich_help_panel=OUTPUT),
    task_runner: str = typer.Option("default", "--task-runner", help="`default` (threads in this process) or `dask`.", rich_help_panel=RUNTIME),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (implies --task-runner dask).", rich_help_panel=RUNTIME),
) -> None:
    """Run the nightly flow once (Prefect's ephemeral API unless PREFECT_API_URL is set).

    Exit 0 when the night did its job, 1 when it failed (nothing could be read), 2 on a bad
    configuration, input folder or warehouse, 3 with --strict when it ended with a warning.

    Example:

        etl run --input seeds/articles --warehouse warehouse
        etl run --sources sources.yaml --strict --warehouse warehouse
        etl run --task-runner dask --dask-address tcp://127.0.0.1:8786 --warehouse s3://bucket/thidua
    """
    setup_logging(quiet)
    quiet_prefect()
    if task_runner not in ("default", "dask"):
        raise fail(f"unknown --task-runner {task_runner!r}; use `default` or `dask`")
    if input is None and sources is None:
        input = Path("seeds/articles")
    options = {"lock_timeout": wait, "quiet": quiet, "workers": workers or os.cpu_count() or 1}
    edge_settings(input_dir=input, warehouse=warehouse, sources_file=sources, batch_size=batch_size, **options)
    from flows.nightly import flow_for  # Prefect starts only for a run that can go ahead

    run_flow(flow_for(task_runner, dask_address), as_json, quiet, strict,
             input_dir=str(input) if input else None, warehouse=warehouse,
             sources=str(sources) if sources else None, batch_size=batch_size, options=options)


@app.command()
def reprocess(
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="Only the pages this run fetched (default: the latest bytes of every page).", rich_help_panel=INPUT),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.", rich_help_panel=OUTPUT),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and the summary.", rich_help_panel=OUTPUT),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 when the night ends with a warning (e.g. nothing to reprocess).", rich_help_panel=OUTPUT),
) -> None:
    """Re-extract fetched pages from bronze (no network): clean, extract, validate, load, publish.

    Example:

        etl reprocess --warehouse warehouse --run-id 20260303T020000-a1b2c3
    """
    setup_logging(quiet)
    quiet_prefect()
    edge_settings(reprocess=True, warehouse=warehouse, quiet=quiet)
    from flows.nightly import nightly_ingest

    run_flow(nightly_ingest, as_json, quiet, strict, input_dir=None, warehouse=warehouse,
             options={"reprocess": True, "reprocess_run": run_id, "quiet": quiet})


def open_warehouse(warehouse: str):
    """A read-only, locked-down DuckDB connection to the published warehouse (etl.warehouse.connect), or a clear error."""
    from etl.warehouse import connect

    try:
        return connect(warehouse)
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/] {exc}; run `etl run --warehouse {warehouse}` first")
        raise typer.Exit(2)


@app.command()
def query(
    sql: str = typer.Argument(..., help="A SQL query over the warehouse views."),
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (fits the terminal), csv or json.", rich_help_panel=OUTPUT),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json.", rich_help_panel=OUTPUT),
) -> None:
    """Run a read-only SQL query (SELECT, WITH, DESCRIBE, SHOW) against warehouse.duckdb and print the rows.

    The table fits the terminal (COLUMNS): columns wrap, and rows print as blocks of
    `column  value` lines when they cannot fit; ids are never cut.

    Example:

        etl query "select district, year, targets_completed, targets_total from district_year_summary"
        etl query --format csv "select * from metrics" > metrics.csv
    """
    import duckdb

    from etl.warehouse import refused_statements

    con = open_warehouse(warehouse)
    try:
        # a read-only database still lets COPY ... TO / EXPORT write files (even into tables/)
        refused = refused_statements(con, sql)
        if refused:
            err.print(f"[red]error:[/] `etl query` is read-only: {', '.join(refused)} statements are refused "
                      "(only SELECT, WITH, DESCRIBE and SHOW run). Run a SELECT, e.g. "
                      "etl query \"select count(*) from articles\"")
            raise typer.Exit(1)
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if names else []
    except duckdb.Error as exc:
        message = str(exc)
        if "read-only" in message.lower():
            message += "\nThe warehouse is opened read-only: `etl query` runs SELECTs; it never changes the warehouse."
        elif "disabled by configuration" in message or "configuration has been locked" in message:
            message += ("\n`etl query` reads only the warehouse's own tables: no other file, no extension, "
                        "no setting can change.")
        elif ".parquet" in message and ("magic bytes" in message or "too small" in message or "corrupt" in message.lower()):
            message += (f"\nA Parquet file in the warehouse is damaged: `etl publish --warehouse {warehouse}` moves "
                        "it to corrupt/ and the views work again.")
        err.print(f"[red]error:[/] {message}")
        raise typer.Exit(1)
    finally:
        con.close()
    print_rows(names, rows, Format.json if as_json else fmt)


def output_width() -> int:
    """Columns for a table: COLUMNS when set, else the terminal's; piped output is not cut to 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return os.get_terminal_size().columns if sys.stdout.isatty() else 200


def print_rows(names: list[str], rows: list[tuple], fmt: Format) -> None:
    """Rows on stdout as etl.output renders them (csv and json never wrapped)."""
    from etl.output import render

    sys.stdout.write(render(names, rows, fmt, output_width()))
    sys.stdout.flush()


@app.command("eval")
def eval_(
    gold: list[Path] = typer.Option([Path("tests/data/gold")], "--gold", help="Gold folder (<stem>.json files), or a set folder holding gold/ and articles/. Repeat for several sets.", rich_help_panel=INPUT),
    input: list[Path] = typer.Option([], "--input", "-i", help="Articles of the matching --gold (by position); default: the set's articles/ folder, else seeds/articles.", rich_help_panel=INPUT),
    explain: bool = typer.Option(False, "--explain", help="Per article: each missed gold fact and each invented fact, with its quote.", rich_help_panel=OUTPUT),
    corrections: bool = typer.Option(False, "--corrections", help="Also score against what people corrected in --warehouse (each corrected article's facts are gold).", rich_help_panel=INPUT),
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="With --corrections: the warehouse whose corrections count as gold.", rich_help_panel=INPUT),
) -> None:
    """Score extraction against hand-checked gold: precision, recall and F1 per table, per set and overall.

    Scoring goes through the same acquire, clean and extract code as `etl run`.

    Example:

        etl eval --gold tests/data/gold --input seeds/articles --gold tests/data/dev --explain
        etl eval --corrections --warehouse warehouse
    """
    setup_logging(True)
    from etl.evaluate import EvalReport, evaluate, format_report, format_summary, gold_folders

    reports = []
    for n, folder in enumerate(gold):
        given = input[n] if n < len(input) else None
        if given is None and folder == Path("tests/data/gold") and not (folder / "gold").is_dir():
            given = Path("seeds/articles")
        gold_dir, input_dir = gold_folders(folder, given)
        if not any(gold_dir.glob("*.json")):
            console.print(f"etl eval: no gold files (*.json) in {gold_dir}; pass a gold folder or a set folder with gold/ and articles/", highlight=False, markup=False)
            raise typer.Exit(2)
        if not input_dir.is_dir():
            console.print(f"etl eval: input folder {input_dir} for {gold_dir} does not exist; pass it with --input", highlight=False, markup=False)
            raise typer.Exit(2)
        reports.append(evaluate(gold_dir, input_dir))
    if corrections:  # accepted corrections become test data (etl.corrections)
        from etl.corrections import score_corrections

        reports.append(score_corrections(warehouse))
    for report in reports:
        console.print(format_report(report, verbose=explain), highlight=False, markup=False)
        console.print("")
    if len(reports) > 1:
        for report in reports:
            console.print(format_summary(report), highlight=False, markup=False)
            console.print("")
        console.print(format_summary(EvalReport.merged(reports)), highlight=False, markup=False)
    errors = [e for r in reports for e in r.errors]
    if errors:
        console.print(f"etl eval: {len(errors)} article(s) could not be scored: " + "; ".join(errors[:3]), highlight=False, markup=False)
        raise typer.Exit(1)


@app.command()
def runs(
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    limit: int = typer.Option(10, "--limit", "-n", help="How many runs to show.", rich_help_panel=OUTPUT),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (run id, status, seconds, a summary; fits the terminal), or every field of the run record as csv or json.", rich_help_panel=OUTPUT),
) -> None:
    """Show the last runs: status, inputs, rows per table, quarantined, validation, message.

    Example:

        etl runs --limit 5
        etl runs --format json | jq '.[0].status'
    """
    con = open_warehouse(warehouse)
    try:
        cursor = con.execute(f"select * from runs order by started_at desc limit {int(limit)}")
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    if fmt is not Format.table:
        print_rows(names, rows, fmt)
        return
    records = [dict(zip(names, row)) for row in rows]
    print_rows(["run_id", "status", "seconds", "summary"],
               [(r["run_id"], r["status"], None if r["seconds"] is None else round(r["seconds"], 1), run_summary(r))
                for r in records], fmt)


def run_summary(run: dict) -> str:
    """One run's inputs, rows, quarantine, validation and message as a sentence (the `etl runs` table)."""
    from etl.validate import FAILED, PASSED

    n = {k: v or 0 for k, v in run.items() if k.startswith(("inputs_", "rows_"))}
    facts = sum(v for k, v in n.items() if k.startswith("rows_") and k != "rows_articles")
    # records written before validation_status have only validation_success (no "passed with warnings")
    validation = run.get("validation_status") or {True: PASSED, False: FAILED}.get(run.get("validation_success"),
                                                                                  "not run")
    text = (f"read {n.get('inputs_seen', 0)} (new {n.get('inputs_new', 0)}, changed {n.get('inputs_changed', 0)}, "
            f"failed {n.get('inputs_failed', 0)}); loaded {n.get('rows_articles', 0)} articles, {facts} facts; "
            f"quarantined {run.get('quarantined') or 0}; validation {validation}")
    return text + (f". {run['error']}" if run.get("error") else "")


@contextlib.contextmanager
def warehouse_lock(store, wait: float):
    """The warehouse's lock for a command, or one line naming its holder (exit 2)."""
    from filelock import Timeout

    lock = store.lock()
    try:
        lock.acquire(timeout=wait)
    except Timeout as exc:
        err.print(f"[red]error:[/] another process holds {exc.lock_file}; retry later or pass --wait SECONDS")
        raise typer.Exit(2)
    try:
        yield
    finally:
        lock.release()


@app.command("publish")
def publish_cmd(
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for a running `etl run` to release the warehouse.", rich_help_panel=RUNTIME),
) -> None:
    """Rebuild warehouse.duckdb (views over the Parquet files) without running the flow; waits for no run.

    Example:

        etl publish --warehouse warehouse
    """
    from etl.load import recover
    from etl.publish import publish
    from etl.storage import Store

    store = Store(warehouse)
    with warehouse_lock(store, wait):  # never beside a run: readers would see half a night
        recover(store)  # a killed compaction must not spread duplicates into the dashboards
        path = publish(store)
    console.print(f"Warehouse: {path}")


@app.command()
def compact(
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for a running `etl run` to release the warehouse.", rich_help_panel=RUNTIME),
) -> None:
    """Merge small Parquet files per partition; every view keeps exactly its rows.

    Example:

        etl compact --warehouse warehouse
    """
    from etl.load import compact as compact_store
    from etl.publish import publish
    from etl.storage import Store

    store = Store(warehouse)
    with warehouse_lock(store, wait):
        removed = compact_store(store)
        publish(store)
    console.print(f"removed files per table: {removed or 'none (already compact)'}")


# --- the analyst's side (issue 15): review site, explain, corrections; the work is in etl.review and etl.corrections ---
REVIEW = "Review"


@app.command()
def review(
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=INPUT),
    out: Path = typer.Option(Path("review"), "--out", "-o", help="Folder for the static site (created).", rich_help_panel=OUTPUT),
) -> None:
    """Write the static review site: dashboard charts, an article index, every fact highlighted in its article.

    Nothing is fetched when the pages are viewed (plotly.js is inlined): copy the folder anywhere and open it.

    Example:

        etl review --warehouse warehouse --out review && xdg-open review/dashboard.html
    """
    from etl.review import build_site

    try:
        dashboard = build_site(warehouse, out)
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/] {exc}; run `etl run --warehouse {warehouse}` first")
        raise typer.Exit(2)
    console.print(f"Review site: {dashboard} (articles: {dashboard.parent / 'index.html'})")


@app.command()
def explain(
    fact_id: str = typer.Argument(..., help="A fact id, e.g. metrics-3f2a9c1b7d4e5f60 (the review site shows them)."),
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=INPUT),
) -> None:
    """Show one fact: its sentence with the span highlighted, its fields, the rule that produced it, its corrections.

    Example:

        etl explain awards-2d25ec39ec297ed3 --warehouse warehouse
    """
    from etl.corrections import CorrectionError
    from etl.review.explain import explain as explain_fact

    try:
        console.print(explain_fact(warehouse, fact_id))
    except (CorrectionError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2)


@app.command()
def correct(
    fact_id: Optional[str] = typer.Argument(None, help="The fact to correct or reject (omit with --add)."),
    set_: list[str] = typer.Option([], "--set", help="field=value (repeatable); numbers as printed (8.602,658) or plain; `field=null` clears it.", rich_help_panel=REVIEW),
    reject: bool = typer.Option(False, "--reject", help="Remove the fact from every view.", rich_help_panel=REVIEW),
    add: Optional[str] = typer.Option(None, "--add", metavar="ARTICLE_ID", help="Add a fact the rules missed to this article.", rich_help_panel=REVIEW),
    table: Optional[str] = typer.Option(None, "--table", help="With --add: metrics, awards, movements, officials or documents.", rich_help_panel=REVIEW),
    quote: Optional[str] = typer.Option(None, "--quote", help="With --add: the verbatim text of the fact.", rich_help_panel=REVIEW),
    occurrence: int = typer.Option(1, "--occurrence", help="With --add: which occurrence of the quote (1 = first).", rich_help_panel=REVIEW),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the correction).", rich_help_panel=REVIEW),
    by: Optional[str] = typer.Option(None, "--by", help="Who corrects (default: your login name).", rich_help_panel=REVIEW),
    warehouse: str = typer.Option("warehouse", "--warehouse", "-w", help="Warehouse folder or s3://bucket/prefix.", rich_help_panel=OUTPUT),
    wait: float = typer.Option(10.0, "--wait", help="Seconds to wait for a running `etl run` before leaving the publish to it.", rich_help_panel=RUNTIME),
) -> None:
    """Correct a fact (--set), reject it (--reject) or add one the rules missed (--add); publish applies it.

    Corrections are kept in the warehouse with who, when and why, and survive every
    `etl run` and `etl reprocess`; `etl query "select * from corrections"` lists them.

    Example:

        etl correct awards-2d25ec39ec297ed3 --set issuer="UBND Thành phố" --reason "issuer cut short"
        etl correct metrics-5c858dd352ff6145 --reject --reason "caption printed twice"
        etl correct --add f1a999cb234bffdd --table metrics --quote "14/14 chỉ tiêu" --set value=14 --set unit=ratio --set numerator=14 --set denominator=14 --set indicator=targets_completed --reason "missed"
    """
    import getpass

    from etl.corrections import CorrectionError, request

    try:
        made, published = request(warehouse, fact_id=fact_id, assignments=set_, reject=reject, add=add, table=table,
                                  quote=quote, occurrence=occurrence, reason=reason, author=by or getpass.getuser(), wait=wait)
    except (CorrectionError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2)
    console.print(f"correction {made.correction_id}: {made.action} {made.fact_id} by {made.author}"
                  + ("" if published else " — saved; the running `etl run` publishes it when it finishes"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
