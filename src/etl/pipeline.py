"""The run loop of a night, without Prefect: batches, counters, the run record and its outcome.

`open_run` takes the warehouse lock and records the run as started; `run_batch`
takes one batch of items through acquire -> clean -> extract -> validate -> load;
`RunStats` adds the batches up and produces the run record and the summary.
The flow (flows/nightly.py) only wraps the stage functions below as Prefect
tasks and passes them in as `Stages`; without Prefect the same code runs with
the plain functions (`PLAIN`).

Example (no Prefect):

    with open_run(load_settings({"input_dir": "seeds/articles", "warehouse": "/tmp/w"})) as ctx:
        summary = run_night(ctx)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from filelock import Timeout

from etl import parallel
from etl.clock import local_date, now_local
from etl.errors import MissingInputError, WarehouseError, WarehouseLockedError
from etl.models import Failure, Item
from etl.schema import FACT_TABLES, QuarantineRow, Run
from etl.settings import Settings
from etl.storage import Store

log = logging.getLogger(__name__)
# stage and batch events for the CLI's progress display (a rich bar on a terminal, plain lines otherwise)
PROGRESS = logging.getLogger("etl.progress")

TABLES = ("articles", *FACT_TABLES)
FIRST_ERRORS = 3  # errors kept per source in the summary


def rules_version() -> str:
    """The fingerprint of every rule that can change the cleaned text or a fact (etl.extract)."""
    from etl import extract

    return extract.RULES_VERSION


def new_run_id() -> str:
    """A sortable run id: Vietnam-local start time and a random suffix."""
    return f"{now_local():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Reprocess:
    """Run state of `etl reprocess` / backfill: re-read bronze instead of the sources."""

    run: str | None = None  # only what this run fetched (default: the latest bytes of every URI)
    sources: tuple[str, ...] | None = None  # only these source names


@dataclass
class RunContext:
    """What every batch of one run shares: settings, store, run id, rules version, versions loaded so far."""

    settings: Settings
    store: Store
    run_id: str
    rules_version: str
    reprocess: Reprocess | None = None
    flow_run_id: str | None = None
    known: dict = field(default_factory=dict)  # article_id -> etl.load.Known, updated after each batch
    logger: logging.Logger | logging.LoggerAdapter = log  # the flow passes its run logger (lines reach the UI)

    @property
    def fetch_settings(self) -> Settings:
        """Settings that name this run (fetch rows and staged fetch state carry the run id)."""
        return self.settings.replace(run_id=self.run_id)

    @property
    def project_dir(self) -> str:
        return str(self.store.local_dir.absolute())

    @property
    def expectations(self) -> str | None:
        return str(self.settings.expectations_dir) if self.settings.expectations_dir else None


# -- the stages: plain functions over plain data (the flow wraps each in a task) ----------------------


def discover_stage(settings: Settings, reprocess: Reprocess | None) -> tuple[list[Item], list[Failure]]:
    """Items of the run: the configured sources, or (reprocess) what bronze holds."""
    if reprocess is not None:
        from etl.bronze import stored_items

        items, failures = stored_items(Store(settings.warehouse), reprocess.run)
        if reprocess.sources:
            items = [i for i in items if i.source_name in reprocess.sources]
        return items, failures
    from etl.discover import discover

    return discover(settings)


def acquire_stage(items: list[Item], settings: Settings, reprocess: Reprocess | None):
    """Raw documents of a batch: fetched or read, or (reprocess) read back from bronze."""
    if reprocess is not None:
        from etl.bronze import read_batch

        return read_batch(Store(settings.warehouse), items, reprocess.run)
    from etl.acquire import acquire_batch

    return acquire_batch(items, settings)


def clean_stage(raws, workers: int = 1):
    return parallel.clean_batch(raws, workers)


def start_clean_stage(raws, workers: int, run_id: str, loaded: dict[str, str], rules: str | None):
    """Clean + extract of a batch started on the pool (returns at once; `wait_stage` collects it)."""
    return parallel.start_ahead(raws, workers, run_id, loaded, rules)


def clean_extract_stage(raws, workers: int, run_id: str, loaded: dict[str, str], rules: str | None):
    """Clean + extract of a batch, per document (`etl.parallel.Outcome`): what a Dask worker runs."""
    return parallel.clean_extract_chunk(raws, run_id, loaded, rules)


def wait_stage(started) -> list:
    """The per-document outcomes of a batch started ahead (an `etl.parallel.Ahead` or a Prefect future)."""
    return started.outcomes() if hasattr(started, "outcomes") else started.result()


def extract_stage(docs, run_id: str, workers: int = 1, ready: list | None = None):
    """Rows of `docs`; `ready[i]` is docs[i]'s extraction when the pool already made it (None: run it now)."""
    if ready is None:
        return parallel.extract_batch(docs, run_id, workers)
    return parallel.complete_extraction(docs, ready, run_id, workers)


_VALIDATORS: dict[tuple[str, str | None], Any] = {}


def cached_validator(project_dir: Path | str, expectations_dir: Path | str | None = None):
    """One GE context per process and warehouse: it does not pickle, so Dask workers build their own."""
    from etl.validate import Validator

    project = Path(project_dir).absolute()
    key = (str(project), str(expectations_dir) if expectations_dir else None)
    validator = _VALIDATORS.get(key)
    if validator is None or not (project / "gx").exists():
        validator = _VALIDATORS[key] = Validator(project, expectations_dir)
    return validator


def warm_up_validation(ctx: RunContext) -> None:
    """Start Great Expectations (imports, context, suites) before the first batch has rows to validate."""
    cached_validator(ctx.project_dir, ctx.expectations)


def validate_stage(project_dir: str, expectations_dir: str | None, tables: dict[str, list], run_id: str):
    return cached_validator(project_dir, expectations_dir).validate(tables, run_id)


def load_stage(store: Store, validated, quarantine: list[QuarantineRow], run_id: str, batch: int):
    from etl.load import load_batch

    return load_batch(store, validated.tables, quarantine, run_id, batch)


def compact_stage(store: Store, min_files: int) -> dict[str, int]:
    from etl.load import compact

    return compact(store, min_files)


def publish_stage(store: Store, expectations_dir: str | None, validated_any: bool) -> dict[str, str]:
    """Views over the Parquet files and the Data Docs; paths of both."""
    from etl.publish import publish
    from etl.validate import docs_index

    # a night that validated nothing leaves the Data Docs as they are (and skips GE's start-up)
    docs = (cached_validator(store.local_dir, expectations_dir).build_docs() if validated_any
            else docs_index(store.local_dir))
    return {"database": str(publish(store).absolute()), "data_docs": str(docs.absolute())}


@dataclass
class Stages:
    """The stage callables a run uses: the plain functions, or the flow's tasks wrapping them."""

    discover: Callable = discover_stage
    acquire: Callable = acquire_stage
    # (raws, workers, run_id, loaded, rules) -> a handle: the pool cleans and extracts while the flow goes on
    start_clean: Callable = start_clean_stage
    clean: Callable = wait_stage  # handle -> per-document outcomes (waits for the pool)
    extract: Callable = extract_stage
    validate: Callable = validate_stage
    load: Callable = load_stage
    compact: Callable = compact_stage
    publish: Callable = publish_stage
    cpu_workers: int | None = None  # None: settings.workers (on Dask the cluster is the pool: 1)
    # (ctx) -> None, called once while the pool cleans the first batch: start-up work of later stages
    warm_up: Callable | None = None


PLAIN = Stages()


# -- one batch -------------------------------------------------------------------------------------


def failure_rows(failures: list[Failure], run_id: str) -> list[QuarantineRow]:
    """Inputs refused by a stage, as quarantine rows (one per input and reason)."""
    rows = []
    for f in failures:
        record = {"uri": f.uri, "stage": f.stage, "reason": f.reason}
        key = hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        rows.append(QuarantineRow(
            table_name="inputs", row=json.dumps(record, ensure_ascii=False), failed_expectations=f"{f.stage}_failed",
            run_id=run_id, uri=f.uri, stage=f.stage, reason=f.reason, row_key=key,
        ))
    return rows


@dataclass
class BatchResult:
    """What one batch did: counts per input outcome, rows loaded, validation, failures, seconds per stage."""

    items: list[Item] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)  # table -> etl.validate.TableResult
    quarantine: list[QuarantineRow] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    new_uris: set[str] = field(default_factory=set)


def timed(seconds: dict[str, float], stage: str, fn: Callable, *args):
    """`fn(*args)`, adding its wall time to `seconds[stage]` and telling the progress display."""
    t0 = time.perf_counter()
    out = fn(*args)
    took = time.perf_counter() - t0
    seconds[stage] = seconds.get(stage, 0.0) + took
    PROGRESS.info("%s done in %.2f s", stage, took, extra={"etl_stage": stage})
    return out


@dataclass
class Started:
    """A batch acquired and, on the pool, being cleaned and extracted: the first half of `run_batch`."""

    items: list[Item]
    raws: list  # as acquired; the identity check is redone on them once the batch before is loaded
    failures: list[Failure]
    not_modified: int  # neither a document nor a failure: 304 or the same bytes over HTTP
    handle: Any  # what `Stages.clean` waits for
    stage_seconds: dict[str, float]
    sent: int = 0  # documents sent to be cleaned


def may_start_early(ctx: RunContext, items: list[Item]) -> bool:
    """Whether a batch may be acquired before the batch ahead of it is committed.

    Fetching a web page stages its conditional-GET state, and `commit_state` after a
    load commits everything staged: fetched ahead, a page would count as seen before it
    is loaded. Files and bronze (reprocess) stage nothing.
    """
    return ctx.reprocess is not None or all(i.uri.startswith("file://") for i in items)


def acquire_ahead(ctx: RunContext, items: list[Item], stages: Stages = PLAIN) -> Started:
    """Acquire a batch (nothing sent to the pool yet: `submit`)."""
    secs: dict[str, float] = {}
    raws, failed = timed(secs, "acquire", stages.acquire, items, ctx.fetch_settings, ctx.reprocess) if items else ([], [])
    return Started(list(items), raws, list(failed), len(items) - len(raws) - len(failed), None, secs)


def submit(ctx: RunContext, started: Started, stages: Stages = PLAIN) -> Started:
    """Start an acquired batch's clean + extract on the pool; returns without waiting for them.

    What needs no work by the warehouse as it stands now is not sent; `finish_batch`
    checks again against the warehouse after the batches before it are loaded.
    """
    import copy

    from etl.load import skip_unchanged_bytes

    workers = stages.cpu_workers or ctx.settings.workers
    # copies: the identity check may re-assign article ids, and only finish_batch's check counts
    fresh, _ = skip_unchanged_bytes([copy.copy(r) for r in started.raws], ctx.known, ctx.rules_version)
    loaded = {r.article_id: ctx.known[r.article_id].version for r in fresh if r.article_id in ctx.known}
    started.handle = stages.start_clean(fresh, workers, ctx.run_id, loaded, ctx.rules_version)
    started.sent = len(fresh)
    return started


def start_batch(ctx: RunContext, items: list[Item], stages: Stages = PLAIN) -> Started:
    """Acquire a batch and start its clean + extract on the pool; returns without waiting for them."""
    return submit(ctx, acquire_ahead(ctx, items, stages), stages)


def cleaned_outcomes(raws: list, outcomes: list, ctx: RunContext) -> tuple[list, list[Failure], dict[int, Any]]:
    """(cleaned docs, failures, id(doc) -> its extraction) for `raws`, from the outcomes made ahead.

    A document cleaned ahead under another identity (or not at all) is cleaned now, in-process.
    """
    by_key = {o.key: o for o in outcomes}
    missing = [r for r in raws if parallel.raw_key(r) not in by_key]
    if missing:
        loaded = {r.article_id: ctx.known[r.article_id].version for r in missing if r.article_id in ctx.known}
        by_key.update((o.key, o) for o in parallel.clean_extract_chunk(missing, ctx.run_id, loaded, ctx.rules_version))
    cleaned, failures, ready = [], [], {}
    for raw in raws:
        o = by_key[parallel.raw_key(raw)]
        if o.failure is not None:
            failures.append(o.failure)
        if o.doc is not None:
            cleaned.append(o.doc)
            ready[id(o.doc)] = o.extracted
    return cleaned, failures, ready


def finish_batch(ctx: RunContext, started: Started, stages: Stages = PLAIN, batch_no: int = 0,
                 pending: list[Failure] | None = None, waiting: Callable[[], None] | None = None,
                 collected: Callable[[], None] | None = None) -> BatchResult:
    """The rest of a started batch: clean and extract (collected), validate, load; updates `ctx.known`.

    `pending` failures (discovery, corrupt files set aside) are quarantined with this batch.
    `waiting` is called just before waiting for the pool (the run reads the next batch there),
    `collected` as soon as the pool's work on this batch is collected (the run sends the next
    batch to the pool there, so it works while this one is extracted, validated and loaded).
    """
    from etl.load import known_entry, skip_unchanged_bytes, split_versions
    from etl.validate import Validated

    out = BatchResult(items=started.items, failures=list(pending or []) + started.failures)
    secs = out.stage_seconds
    secs.update(started.stage_seconds)
    workers = stages.cpu_workers or ctx.settings.workers
    out.unchanged += started.not_modified
    raws, same = skip_unchanged_bytes(started.raws, ctx.known, ctx.rules_version)  # same bytes, same rules: no work
    out.unchanged += len(same)
    if waiting is not None:
        waiting()
    outcomes = timed(secs, "clean", stages.clean, started.handle)
    if collected is not None:
        collected()  # a rare re-extraction below then queues behind the next batch on the pool
    cleaned, failed, ready = cleaned_outcomes(raws, outcomes, ctx)
    started.raws = raws = same = outcomes = []  # the batch's bytes are not needed past this point (memory)
    out.failures += failed
    split = split_versions(cleaned, ctx.known, ctx.rules_version)
    out.new, out.changed, out.unchanged = len(split.new), len(split.changed), out.unchanged + len(split.unchanged)
    out.new_uris = {d.uri for d in (*split.new, *split.changed)}
    extracted = timed(secs, "extract", stages.extract, split.to_load, ctx.run_id, workers,
                      [ready.get(id(d)) for d in split.to_load])
    out.failures += extracted.failures
    tables = extracted.tables()
    validated = Validated(tables=tables)
    if any(tables.values()):
        validated = timed(secs, "validate", stages.validate, ctx.project_dir, ctx.expectations, tables, ctx.run_id)
    out.validation = dict(validated.results)
    out.quarantine = validated.quarantine + failure_rows(out.failures, ctx.run_id)
    loaded = timed(secs, "load", stages.load, ctx.store, validated, out.quarantine, ctx.run_id, batch_no)
    from etl.bronze import commit_state

    commit_state(ctx.store, ctx.run_id)  # only now do this batch's pages count as seen (conditional GET)
    out.rows = {t: loaded.rows.get(t, 0) for t in TABLES}
    for article in validated.tables.get("articles", []):
        ctx.known[article.article_id] = known_entry(article)
    return out


def run_batch(ctx: RunContext, items: list[Item], stages: Stages = PLAIN, batch_no: int = 0,
              pending: list[Failure] | None = None) -> BatchResult:
    """One batch through acquire -> clean -> extract -> validate -> load, nothing ahead; updates `ctx.known`."""
    return finish_batch(ctx, start_batch(ctx, items, stages), stages, batch_no, pending)


def run_batches(ctx: RunContext, parts: list[list[Item]], stages: Stages, pending: list[Failure]) -> Iterator[BatchResult]:
    """The batches in order, each one's clean + extract on the pool while the one before validates and loads.

    The next batch is read while the pool works on this one and sent to the pool as soon as
    this one's work is collected, so the pool is not idle while Prefect runs the acquire task.
    At most one batch is ahead (memory stays at two batches whatever N is); a batch of web
    pages starts only after the one before is committed (`may_start_early`).
    """
    ahead: list[Started] = []

    def read_next(i: int) -> None:
        if i + 1 < len(parts) and not ahead and may_start_early(ctx, parts[i + 1]):
            ahead.append(acquire_ahead(ctx, parts[i + 1], stages))

    def send_next() -> None:
        if ahead and ahead[0].handle is None:
            submit(ctx, ahead[0], stages)

    try:
        for i, part in enumerate(parts):
            started = ahead.pop() if ahead else start_batch(ctx, part, stages)
            if started.handle is None:
                submit(ctx, started, stages)
            if i == 0 and started.sent and stages.warm_up is not None:
                timed(started.stage_seconds, "validate", stages.warm_up, ctx)  # the flow would only wait here
            yield finish_batch(ctx, started, stages, i, pending if i == 0 else None, lambda: read_next(i), send_next)
    finally:
        for started in ahead:  # the run failed: drop what was queued for the pool
            getattr(started.handle, "cancel", lambda: None)()


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class SourceStats:
    """One source's night: items discovered, read, new or changed, failed (first errors)."""

    name: str
    items: int = 0
    read: int = 0
    new: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        """Nothing of it could be read, and something failed."""
        return self.read == 0 and self.failed > 0


@dataclass
class RunStats:
    """The counters of a run: added up batch by batch; produces the run record and the summary."""

    expected_sources: list[str] = field(default_factory=list)  # configured sources: each must yield something
    source_of: dict[str, str] = field(default_factory=dict)  # uri -> source name (items, feeds, sitemaps)
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    quarantined: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TABLES})
    validation: dict[str, dict] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    sources: dict[str, SourceStats] = field(default_factory=dict)
    quarantine_reasons: Counter = field(default_factory=Counter)

    def source(self, name: str) -> SourceStats:
        return self.sources.setdefault(name, SourceStats(name))

    def source_name(self, uri: str) -> str | None:
        """The source an input belongs to: its item, a configured address, or a folder it sits in."""
        if uri in self.source_of:
            return self.source_of[uri]
        folders = [(prefix, name) for prefix, name in self.source_of.items() if prefix.endswith("/")]
        inside = [(len(prefix), name) for prefix, name in folders if uri.startswith(prefix)]
        return max(inside)[1] if inside else None

    def discovered(self, items: list[Item], failures: list[Failure]) -> None:
        """Count the items of each source (before any batch)."""
        self.seen = len(items)
        for name in self.expected_sources:
            self.source(name)
        for item in items:
            self.source_of.setdefault(item.uri, item.source_name)
            self.source(item.source_name).items += 1

    def add_seconds(self, seconds: dict[str, float]) -> None:
        for stage, s in seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + s

    def add(self, batch: BatchResult) -> None:
        """Add one batch's counts, rows, validation, quarantine and per-source outcomes."""
        self.new += batch.new
        self.changed += batch.changed
        self.unchanged += batch.unchanged
        self.failed += len(batch.failures)
        self.quarantined += len(batch.quarantine)
        for table, n in batch.rows.items():
            self.rows[table] = self.rows.get(table, 0) + n
        for table, result in batch.validation.items():
            merged = self.validation.setdefault(
                table, {"success": True, "rows": 0, "quarantined": 0, "warned": 0, "failed": set()})
            merged["success"] &= result.success
            merged["rows"] += result.rows
            merged["quarantined"] += result.quarantined
            merged["warned"] += result.warned
            merged["failed"] |= set(result.failed_expectations)
        for row in batch.quarantine:
            self.quarantine_reasons[f"{row.table_name}: {row.failed_expectations}"] += 1
        acquire_failed: Counter = Counter()
        for f in batch.failures:
            name = self.source_name(f.uri)
            if name is None:  # a damaged warehouse file, not an input of any source
                continue
            stats = self.source(name)
            stats.failed += 1
            if len(stats.errors) < FIRST_ERRORS:
                stats.errors.append(f"{f.uri}: {f.reason}")
            if f.stage == "acquire":
                acquire_failed[name] += 1
        per_source = Counter(self.source_of.get(i.uri, i.source_name) for i in batch.items)
        for name, n in per_source.items():
            self.source(name).read += n - acquire_failed[name]
        for uri in batch.new_uris:
            self.source(self.source_name(uri) or "(unknown source)").new += 1

    def quarantine_share(self) -> float:
        """Quarantined rows over everything checked tonight (validated rows and inputs seen)."""
        checked = sum(v["rows"] for v in self.validation.values()) + self.seen
        return self.quarantined / checked if checked else 0.0

    def outcome(self, settings: Settings, reprocess: Reprocess | None) -> tuple[str, str | None]:
        """("completed" | "warning" | "failed", message): did the night do its job?"""
        sources = sorted(self.sources.values(), key=lambda s: s.name)
        if reprocess is None:
            if self.seen == 0 and not any(s.failed for s in sources):
                where = ", ".join(s.name for s in sources) or "no source configured"
                return "failed", f"no source yielded anything ({where}): check the folder, feeds and urls"
            if sources and all(s.read == 0 for s in sources):
                return "failed", "no source could be read: " + "; ".join(_first_error(s) for s in sources)
        warnings = [f"source {_first_error(s)}" for s in sources if s.broken]
        # one empty source among others that read: a warning (its pages may all be listed by an earlier source)
        warnings += [f"source {s.name} yielded nothing" for s in sources
                     if s.name in self.expected_sources and s.items == 0 and not s.failed]
        share = self.quarantine_share()
        if share > settings.max_quarantine_share:
            warnings.append(f"{share:.0%} of rows quarantined (over max_quarantine_share "
                            f"{settings.max_quarantine_share:.0%})")
        if reprocess is not None and self.seen == 0:
            warnings.append("nothing to reprocess: no fetched pages in bronze")
        return ("warning", "; ".join(warnings)) if warnings else ("completed", None)

    def table_status(self, table: str) -> str:
        """passed | passed with warnings | failed: one table's validation tonight (etl.validate's vocabulary)."""
        from etl.validate import summary_status

        return summary_status(self.validation[table])

    def validation_status(self) -> str:
        """The night's validation in one word: the worst table status (passed when nothing was validated)."""
        from etl.validate import overall_status

        return overall_status(self.table_status(t) for t in self.validation)

    def record(self, run: Run, status: str, message: str | None, seconds: float) -> Run:
        """The finished run record (status, counts, rows, validation, seconds, sources)."""
        run.status = status
        run.error = message
        run.finished_at = now_local()
        run.seconds = round(seconds, 3)
        run.stage_seconds = json.dumps({k: round(v, 3) for k, v in self.stage_seconds.items()})
        run.inputs_seen, run.inputs_new, run.inputs_changed = self.seen, self.new, self.changed
        run.inputs_unchanged, run.inputs_failed, run.quarantined = self.unchanged, self.failed, self.quarantined
        for table, n in self.rows.items():
            setattr(run, f"rows_{table}", n)
        run.validation_success = all(v["success"] for v in self.validation.values()) if self.validation else True
        run.validation_status = self.validation_status()
        run.sources = json.dumps([vars(s) for s in self.sources.values()], ensure_ascii=False)
        run.quarantine_reasons = json.dumps(dict(self.quarantine_reasons), ensure_ascii=False)
        return run

    def summary(self, run: Run, paths: dict[str, str]) -> dict[str, Any]:
        """The run summary the CLI prints and the artifacts show (same status, same message)."""
        return {
            "run_id": run.run_id,
            "run_name": run.run_name,
            "flow_run_id": run.flow_run_id,
            "status": run.status,
            "message": run.error,
            "started_at": run.started_at.isoformat(),
            "inputs": {"seen": run.inputs_seen, "new": run.inputs_new, "changed": run.inputs_changed,
                       "unchanged": run.inputs_unchanged, "failed": run.inputs_failed},
            "rows": dict(self.rows),
            "quarantined": run.quarantined,
            "quarantine_reasons": dict(self.quarantine_reasons),
            "sources": [vars(s) | {"broken": s.broken} for s in sorted(self.sources.values(), key=lambda s: s.name)],
            "validation": {t: {**v, "failed": sorted(v["failed"]), "status": self.table_status(t)}
                           for t, v in self.validation.items()},
            "validation_success": run.validation_success,
            "validation_status": run.validation_status,
            "stage_seconds": json.loads(run.stage_seconds or "{}"),
            "seconds": run.seconds,
            **paths,
        }


def _first_error(source: SourceStats) -> str:
    """`name (n failed: first error)`."""
    first = f": {source.errors[0]}" if source.errors else ""
    return f"{source.name} ({source.failed} failed{first})"


def expected_sources(settings: Settings) -> list[str]:
    """The sources the configuration names: the input folder and every sources.yaml entry."""
    names = [s.name for s in settings.sources]
    if settings.input_dir is not None:
        names.insert(0, Path(settings.input_dir).resolve().name)
    return names


def configured_uris(settings: Settings) -> dict[str, str]:
    """Feed, sitemap and URL addresses of each configured source (to name the source of a discovery failure)."""
    out: dict[str, str] = {}
    for source in settings.sources:
        for uri in (*source.feeds, *source.sitemaps, *source.urls):
            out.setdefault(uri, source.name)
        for folder in source.folders:
            out.setdefault(Path(folder).absolute().as_uri() + "/", source.name)
    if settings.input_dir is not None:
        out.setdefault(Path(settings.input_dir).absolute().as_uri() + "/", Path(settings.input_dir).resolve().name)
    return out


def preflight(settings: Settings, reprocess: Reprocess | None = None) -> None:
    """Refuse at once what no retry can fix: a missing input folder, a warehouse that cannot be written.

    The CLI calls it before Prefect starts, so such a run ends in a second with one line.
    """
    if reprocess is None and settings.input_dir is not None and not Path(settings.input_dir).is_dir():
        what = "is not a folder" if Path(settings.input_dir).exists() else "does not exist"
        raise MissingInputError(f"input folder {settings.input_dir} {what}; pass --input DIR (a folder of "
                                ".txt/.html articles) or --sources sources.yaml")
    store = Store(settings.warehouse)
    if store.is_s3:
        return
    existing = store.local_dir.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
        with tempfile.TemporaryFile(dir=existing):  # the real question: can a file be created there?
            pass
    except OSError as exc:
        raise WarehouseError(
            f"the warehouse {settings.warehouse} is not writable ({exc.strerror}: {existing}); "
            "`etl query` can still read it (read-only), or pass --warehouse DIR on a writable disk"
        ) from exc


@contextlib.contextmanager
def open_run(settings: Settings, reprocess: Reprocess | None = None, flow_run_id: str | None = None,
             run_name: str | None = None) -> Iterator[tuple[RunContext, Run]]:
    """The warehouse locked for one run, recovered, and the run recorded as started."""
    from etl.load import record_run, recover

    preflight(settings, reprocess)
    store = Store(settings.warehouse)
    try:
        store.local_dir.mkdir(parents=True, exist_ok=True)
        lock = store.lock()  # a lock file, or for S3 a lease object in the bucket
        lock.acquire(timeout=settings.lock_timeout)
    except Timeout as exc:
        raise WarehouseLockedError(
            f"another `etl run` is using the warehouse {settings.warehouse} (lock {exc.lock_file}); "
            "wait for it to finish, or pass --wait SECONDS"
        ) from exc
    except OSError as exc:  # read-only mount, no permission: say so instead of a traceback
        raise WarehouseError(
            f"the warehouse {settings.warehouse} is not writable ({exc.strerror}: {exc.filename}); "
            "`etl query` can still read it (read-only), or pass --warehouse DIR on a writable disk"
        ) from exc
    try:
        recover(store)
        run = Run(run_id=new_run_id(), flow_run_id=flow_run_id, started_at=now_local(), finished_at=None,
                  status="running", run_name=run_name)
        record_run(store, run)
        yield RunContext(settings=settings, store=store, run_id=run.run_id, rules_version=rules_version(),
                         reprocess=reprocess, flow_run_id=flow_run_id), run
    except OSError as exc:  # a full disk mid-load: the run is recorded as failed, nothing half-written shows
        raise WarehouseError(
            f"writing the warehouse {settings.warehouse} failed: {exc}; no partial batch is visible — "
            "free space (or fix permissions) and run again"
        ) from exc
    finally:
        lock.release()


def run_night(ctx: RunContext, run: Run, stages: Stages = PLAIN) -> dict[str, Any]:
    """Every batch of the run, compaction, publish and the final run record; returns the summary.

    The summary's status is the night's outcome (`RunStats.outcome`); a failure is recorded before
    it propagates.
    """
    from etl.load import close_abandoned_runs, known_versions, record_run
    from etl.publish import publish, set_aside_corrupt

    started = time.perf_counter()
    settings = ctx.settings
    stats = RunStats(expected_sources=expected_sources(settings) if ctx.reprocess is None else [],
                     source_of=configured_uris(settings))
    try:
        items, failures = timed(stats.stage_seconds, "discover", stages.discover, settings, ctx.reprocess)
        stats.discovered(items, failures)
        ctx.logger.info("discovered %d items (%d refused)", len(items), len(failures))
        batches = -(-len(items) // settings.batch_size) or 1
        PROGRESS.info("%d items in %d batches", len(items), batches, extra={"etl_batch": 0, "etl_batches": batches})
        failures += set_aside_corrupt(ctx.store)  # a damaged Parquet file must not stop the night
        close_abandoned_runs(ctx.store, ctx.run_id)
        ctx.known = known_versions(ctx.store)
        parts = [items[start:start + settings.batch_size] for start in range(0, max(len(items), 1), settings.batch_size)]
        for batch_no, batch in enumerate(run_batches(ctx, parts, stages, failures)):
            stats.add(batch)
            stats.add_seconds(batch.stage_seconds)
            ctx.logger.info("batch %d/%d loaded: %s", batch_no + 1, batches, batch.rows)
            PROGRESS.info("batch %d/%d loaded", batch_no + 1, batches,
                          extra={"etl_batch": batch_no + 1, "etl_batches": batches})
        if settings.compact_min_files:  # many small nightly files slow every dashboard query
            timed(stats.stage_seconds, "compact", stages.compact, ctx.store, settings.compact_min_files)
        paths = timed(stats.stage_seconds, "publish", stages.publish, ctx.store, ctx.expectations,
                      bool(stats.validation))
    except BaseException as exc:
        stats.record(run, "failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
        record_run(ctx.store, run)
        raise
    status, message = stats.outcome(settings, ctx.reprocess)
    stats.record(run, status, message, time.perf_counter() - started)
    record_run(ctx.store, run)
    publish(ctx.store)  # the runs view now includes this run's final record
    return stats.summary(run, paths)


def runs_between(store: Store, start: dt.date | None, end: dt.date | None, sources: list[str] | None = None) -> list[str]:
    """run_ids of the nights whose successful fetches fall in [start, end] (and come from `sources`).

    The nights a backfill re-processes (flows/backfill.py), by Vietnam-local fetch date.
    """
    from etl.bronze import FETCHES_DIR, read_rows

    wanted = set(sources or ())
    runs = set()
    for row in read_rows(store, FETCHES_DIR):
        day = local_date(row.get("fetched_at"))
        if not row.get("raw_hash") or not row.get("run_id") or day is None:
            continue
        if (start and day < start) or (end and day > end):
            continue
        if wanted and row.get("source_name") not in wanted:
            continue
        runs.add(row["run_id"])
    return sorted(runs)
