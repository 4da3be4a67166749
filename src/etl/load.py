"""load: append validated rows to Parquet, idempotently and atomically.

Layout: `tables/<table>/article_year=<Y>/<run_id>-b<batch>.parquet` (year 0 when
unknown), quarantine and runs unpartitioned. One load identity per article
version: `(article_id, content_hash)`. A version already loaded is skipped, so
re-running a night changes nothing; a changed article adds a new version whose
`loaded_at` is later, and the views show only the latest one. Within a batch the
fact files are written first and the articles file last: the articles file is
the commit record, and fact rows count only when an article row with the same
`(article_id, content_hash, run_id)` exists. A run killed mid-load therefore
leaves invisible orphans at worst, which `etl compact` removes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from etl.acquire import now_local
from etl.models import CleanDoc, RawDoc, content_hash_for
from etl.schema import FACT_TABLES, QuarantineRow, Run, to_table
from etl.storage import Store

log = logging.getLogger(__name__)


def table_dir(table: str) -> str:
    return f"tables/{table}"


def parquet_glob(store: Store, table: str) -> str:
    return store.uri(f"{table_dir(table)}/**/*.parquet")


RETIRED = "tables/_retired.json"
RETIRED_GRACE_SECONDS = 3600.0  # a reader's published views may still name a retired file this long


def retired_files(store: Store) -> dict[str, str]:
    """Warehouse-relative path -> when it was retired, for files a compaction replaced."""
    import json

    if not store.exists(RETIRED):
        return {}
    return json.loads(store.read_bytes(RETIRED))


def retire(store: Store, rels: list[str]) -> None:
    """Mark files as replaced: no longer live, deleted only once no published view can name them."""
    import json

    retired = retired_files(store)
    stamp = now_local().isoformat()
    retired.update({rel: retired.get(rel, stamp) for rel in rels})
    store.write_bytes(RETIRED, json.dumps(retired, sort_keys=True).encode())


def purge_retired(store: Store, grace_seconds: float = RETIRED_GRACE_SECONDS) -> int:
    """Delete retired files older than the grace period; returns how many went. Call under the lock."""
    import json

    retired = retired_files(store)
    if not retired:
        return 0
    cutoff = now_local() - dt.timedelta(seconds=grace_seconds)
    gone = [rel for rel, when in retired.items() if dt.datetime.fromisoformat(when) <= cutoff]
    for rel in gone:
        if store.exists(rel):
            store.delete(rel)
        del retired[rel]
    if gone:
        store.write_bytes(RETIRED, json.dumps(retired, sort_keys=True).encode())
    return len(gone)


def live_files(store: Store, table: str) -> list[str]:
    """The table's finished Parquet files that count: every one not retired by a compaction."""
    retired = retired_files(store)
    return [rel for rel in store.list_files(table_dir(table), ".parquet") if rel not in retired]


def live_source(store: Store, table: str, hive: bool = False) -> str | None:
    """A `read_parquet([...])` over the table's live files, or None when it has none."""
    files = live_files(store, table)
    if not files:
        return None
    uris = ", ".join("'" + store.uri(rel).replace("'", "''") + "'" for rel in files)
    return f"read_parquet([{uris}], union_by_name = true, hive_partitioning = {'true' if hive else 'false'})"


def duckdb_connect(store: Store, database: str = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that can read this store's files (S3 through fsspec)."""
    con = duckdb.connect(database, read_only=read_only)
    if store.is_s3:
        from etl.s3 import register_s3

        register_s3(con)
    return con


def version_key(content_hash: str, rules_version: str | None) -> str:
    """The load identity of an article version: its text and the rules that read it."""
    return f"{content_hash}:{rules_version or ''}"


@dataclass(frozen=True)
class Known:
    """What the warehouse holds for one article: its version key and the key of the bytes it came from."""

    version: str
    raw: str | None
    raw_hash: str | None = None  # sha256 of those bytes: the same bytes elsewhere are this article


def known_versions(store: Store) -> dict[str, Known]:
    """article_id -> Known for the current version of every committed article."""
    source = live_source(store, "articles", hive=True)
    if source is None:
        return {}
    con = duckdb_connect(store)
    present = {r[0] for r in con.execute(f"describe select * from {source}").fetchall()}
    # warehouses written before a column existed still answer (the column reads as NULL)
    cols = ", ".join(c if c in present else f"null as {c}" for c in ("content_hash", "rules_version", "raw_hash"))
    rows = con.execute(
        f"""
        select article_id, {cols} from {source}
        qualify row_number() over (partition by article_id order by loaded_at desc, run_id desc) = 1
        """
    ).fetchall()
    return {a: Known(version_key(h, rules), version_key(raw, rules) if raw else None, raw) for a, h, rules, raw in rows}


def known_entry(article) -> Known:
    """The Known entry of an article row just loaded."""
    raw = version_key(article.raw_hash, article.rules_version) if article.raw_hash else None
    return Known(version_key(article.content_hash, article.rules_version), raw, article.raw_hash or None)


def same_bytes_elsewhere(raws: list[RawDoc], known: dict[str, Known]) -> None:
    """Give each document whose bytes an article already has (stored, or earlier in `raws`) that article's id.

    The same bytes at a new place (a moved or copied input folder, a second copy
    of a file) are the same article, not a new one; `split_versions` then keeps
    one document per id.
    """
    owner = {k.raw_hash: aid for aid, k in known.items() if k.raw_hash}
    for raw in raws:
        first = owner.setdefault(raw.raw_hash, raw.article_id)
        if first != raw.article_id and raw.article_id not in known:
            log.info("%s: same bytes as article %s (moved or copied); counted as that article", raw.uri, first)
            raw.article_id = first


def skip_unchanged_bytes(raws: list[RawDoc], known: dict[str, Known], rules_version: str | None) -> tuple[list[RawDoc], list[RawDoc]]:
    """(to clean, unchanged): bytes identical to the loaded version's, read by the same rules, need no work.

    Identity first (`same_bytes_elsewhere`): bytes already known under another
    place keep the article they belong to.
    """
    same_bytes_elsewhere(raws, known)
    fresh, same = [], []
    for raw in raws:
        entry = known.get(raw.article_id)
        if entry is not None and entry.raw == version_key(raw.raw_hash, rules_version):
            same.append(raw)
        else:
            fresh.append(raw)
    return fresh, same


@dataclass
class VersionSplit:
    new: list[CleanDoc] = field(default_factory=list)
    changed: list[CleanDoc] = field(default_factory=list)
    unchanged: list[CleanDoc] = field(default_factory=list)

    @property
    def to_load(self) -> list[CleanDoc]:
        return self.new + self.changed


def split_versions(docs: list[CleanDoc], known: dict[str, Known], rules_version: str | None = None) -> VersionSplit:
    """Sort cleaned documents into new, changed and unchanged versions.

    A version changes when its cleaned text changes or when the extraction rules
    changed since it was loaded (so `etl reprocess` after a rules upgrade re-extracts).
    """
    split = VersionSplit()
    taken: set[str] = set()
    for doc in docs:
        current = known.get(doc.article_id)
        if doc.article_id in taken:  # a second copy of the same bytes in this batch: one article
            split.unchanged.append(doc)
            continue
        taken.add(doc.article_id)
        if current is None:
            split.new.append(doc)
        elif current.version == version_key(content_hash_for(doc.text), rules_version):
            split.unchanged.append(doc)
        else:
            split.changed.append(doc)
    return split


@dataclass
class LoadResult:
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def load_batch(store: Store, tables: dict[str, list], quarantine: list[QuarantineRow], run_id: str, batch: int) -> LoadResult:
    """Write one validated batch: facts, then quarantine, then articles (the commit)."""
    result = LoadResult()
    articles = tables.get("articles", [])
    loaded_at = now_local()
    year_of = {}
    for article in articles:
        article.loaded_at = loaded_at
        year_of[article.article_id] = article.year or 0
    name = f"{run_id}-b{batch:05d}.parquet"
    for table in FACT_TABLES:
        rows = [r for r in tables.get(table, []) if r.article_id in year_of]
        result.rows[table] = len(rows)
        by_year: dict[int, list] = defaultdict(list)
        for row in rows:
            by_year[year_of[row.article_id]].append(row)
        for year, part in sorted(by_year.items()):
            rel = f"{table_dir(table)}/article_year={year}/{name}"
            store.write_parquet(rel, to_table(table, part))
            result.files.append(rel)
    if quarantine:
        rel = f"{table_dir('quarantine')}/{name}"
        for row in quarantine:
            row.quarantined_at = row.quarantined_at or loaded_at
        store.write_parquet(rel, to_table("quarantine", quarantine))
        result.files.append(rel)
    result.rows["quarantine"] = len(quarantine)
    by_year = defaultdict(list)
    for article in articles:
        by_year[article.year or 0].append(article)
    for year, part in sorted(by_year.items()):
        rel = f"{table_dir('articles')}/article_year={year}/{name}"
        store.write_parquet(rel, to_table("articles", part))
        result.files.append(rel)
    result.rows["articles"] = len(articles)
    return result


def record_run(store: Store, run: Run) -> None:
    """Append a snapshot of the run's record (latest snapshot per run_id wins)."""
    run.recorded_at = now_local()
    stamp = run.recorded_at.strftime("%Y%m%dT%H%M%S%f")
    store.write_parquet(f"{table_dir('runs')}/{run.run_id}-{stamp}.parquet", to_table("runs", [run]))


def close_abandoned_runs(store: Store, current_run: str) -> list[str]:
    """Record as failed every run other than `current_run` still marked running; call under the lock.

    A run killed mid-way, or one whose final record did not fit on a full disk,
    would otherwise show as running for ever. Returns the run ids closed.
    """
    source = live_source(store, "runs")
    if source is None:
        return []
    cursor = duckdb_connect(store).execute(
        f"select * from {source} "
        "qualify row_number() over (partition by run_id order by recorded_at desc) = 1"
    )
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, values)) for values in cursor.fetchall()]
    names = {f.name for f in dataclasses.fields(Run)}
    closed = []
    for row in rows:
        if row["status"] != "running" or row["run_id"] == current_run:
            continue
        run = Run(**{k: v for k, v in row.items() if k in names})
        run.status = "failed"
        run.error = run.error or "abandoned: the run stopped before recording its end (killed, or the disk was full)"
        record_run(store, run)
        closed.append(run.run_id)
        log.warning("run %s never recorded its end; marked failed", run.run_id)
    return closed


JOURNAL = "tables/_compaction.json"


def recover(store: Store) -> None:
    """Finish or undo a compaction that a killed process left half done, and drop stale temporaries.

    The journal names the merged file and its sources: if the merged file made
    it into place, the sources are retired (readers of the last publish may
    still name them); otherwise nothing was replaced and the journal is simply
    dropped. Call under the warehouse lock: every temporary then belongs to a
    dead process.
    """
    import json

    remove_temporaries(store)
    if not store.exists(JOURNAL):
        return
    journal = json.loads(store.read_bytes(JOURNAL))
    if store.exists(journal["target"]):
        retire(store, [rel for rel in journal["sources"] if store.exists(rel)])
        log.warning("finished an interrupted compaction of %s", journal["target"])
    store.delete(JOURNAL)


def remove_temporaries(store: Store) -> list[str]:
    """Delete what killed writers left: `.tmp-*` files and half-built `warehouse.duckdb` copies (with WALs)."""
    from pathlib import Path

    from etl.storage import TMP_MARK

    removed: list[str] = []
    local = Path(store.local_dir)
    candidates = list(local.glob(".warehouse.duckdb.tmp-*")) if local.is_dir() else []
    if not store.is_s3 and local.is_dir():  # S3 PUTs leave no partial objects
        for folder in ("tables", "bronze", "state", "corrupt"):
            if (local / folder).is_dir():
                candidates += [p for p in (local / folder).rglob(f"{TMP_MARK}*") if p.is_file()]
    for path in candidates:
        try:
            path.unlink()
            removed.append(str(path))
        except FileNotFoundError:
            pass
    if removed:
        log.warning("removed %d temporaries of a killed run (%s ...)", len(removed), removed[0])
    return removed


def committed_versions(store: Store) -> set[tuple[str, str, str]]:
    """(article_id, content_hash, run_id) of every committed article load."""
    source = live_source(store, "articles")
    if source is None:
        return set()
    con = duckdb_connect(store)
    rows = con.execute(f"select distinct article_id, content_hash, run_id from {source}").fetchall()
    return set(rows)


def compact(store: Store, min_files: int = 2, grace_seconds: float = RETIRED_GRACE_SECONDS) -> dict[str, int]:
    """Merge each partition's live files into one, dropping only orphan fact rows no view shows.

    The merged file becomes live and its sources are retired, never deleted
    here: the views of the last publish list their files explicitly, so readers
    keep their snapshot until the next publish swaps in one naming the merged
    file. Retired files older than `grace_seconds` are deleted first. Returns
    the number of files replaced per table. Run it under the warehouse lock.
    """
    import json

    import pyarrow as pa

    recover(store)
    purge_retired(store, grace_seconds)
    committed: set | None = None  # read only when a fact partition needs merging
    removed: dict[str, int] = {}
    stamp = now_local().strftime("%Y%m%dT%H%M%S%f")
    for table in ("articles", *FACT_TABLES, "quarantine", "runs"):
        by_dir: dict[str, list[str]] = defaultdict(list)
        for rel in live_files(store, table):
            by_dir[rel.rpartition("/")[0]].append(rel)
        for folder, sources in sorted(by_dir.items()):
            if len(sources) < min_files:
                continue
            con = duckdb_connect(store)
            uris = ", ".join(f"'{store.uri(r)}'" for r in sources)
            merged: pa.Table = con.sql(
                f"select * from read_parquet([{uris}], union_by_name = true, hive_partitioning = false)"
            ).to_arrow_table()
            if table in FACT_TABLES:
                committed = committed_versions(store) if committed is None else committed
                keep = [
                    (a, h, r) in committed
                    for a, h, r in zip(merged["article_id"].to_pylist(), merged["content_hash"].to_pylist(), merged["run_id"].to_pylist())
                ]
                merged = merged.filter(pa.array(keep, type=pa.bool_()))
            target = f"{folder}/compact-{stamp}.parquet"
            store.write_bytes(JOURNAL, json.dumps({"target": target, "sources": sources}).encode())
            store.write_parquet(target, merged)
            retire(store, sources)
            store.delete(JOURNAL)
            removed[table] = removed.get(table, 0) + len(sources) - 1
    return removed
