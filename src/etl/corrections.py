"""Corrections: a person's verdict on one fact, kept in the warehouse and applied by publish.

A correction sets fields of a fact (`set`), removes it (`reject`) or adds a fact
the rules missed (`add`). Each is one row of `tables/corrections/*.parquet`
with who, when and why, keyed by the fact's stable `fact_id` (article, table,
span and quote; see `etl.extract.fact_id_for`), so it survives every
re-extraction of unchanged text, whatever the rules become. The latest
correction of a fact holds; a new `set` carries the fields of the earlier ones.

Publish builds the fact views from `_extracted_<table>` (what the rules gave)
and `_latest_corrections`: corrected fields replace the rules' values and the
row says `corrected = true`, rejected facts are left out, and an added fact
(kept per publish in `_added_<table>`) appears while its quote still stands at
its offsets in the article's current text. The `corrections` view lists every correction with its status:
`applied`, `superseded` (a later one holds) or `orphaned` (its fact no longer
exists: the text changed).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from etl.errors import EtlError
from etl.schema import (
    ARROW_SCHEMAS,
    AWARDS,
    FACT_TABLES,
    INDICATORS,
    MOVEMENT_KINDS,
    RECIPIENT_KINDS,
    Correction,
    to_table,
)
from etl.storage import Store

log = logging.getLogger(__name__)

CORRECTIONS_DIR = "tables/corrections"
VIEWS_MARKER = "-- @corrections"  # the line of views.sql that the corrected fact views replace
ACTIONS = ("set", "reject", "add")
# what a rule records about where a fact came from, not what the fact says: never corrected
BOOKKEEPING = ("article_id", "seq", "quote", "char_start", "char_end", "content_hash", "run_id",
               "quality_flags", "fact_id", "rule")
REQUIRED_FOR_ADD = {
    "metrics": ("value", "unit", "indicator"),
    "awards": ("award",),
    "movements": ("name", "kind"),
    "officials": ("name",),
    "documents": ("doc_type",),
}
VOCABULARIES = {"indicator": INDICATORS, "award": AWARDS, "recipient_kind": RECIPIENT_KINDS, "kind": MOVEMENT_KINDS}
_SNAKE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_DUCKDB_TYPES = {
    "string": "VARCHAR", "int64": "BIGINT", "double": "DOUBLE", "bool": "BOOLEAN",
    "timestamp[us]": "TIMESTAMP", "date32[day]": "DATE",
}
ADDED_RULE = "correction:add"  # the rule column of a fact a person added


class CorrectionError(EtlError):
    """A correction cannot be made as asked; the message says what to try."""


# --------------------------------------------------------------------------- #
# Fields and values
# --------------------------------------------------------------------------- #

def editable_fields(table: str) -> list[str]:
    """The fields of a fact table a person may set (what the fact says, not where it came from)."""
    return [f.name for f in ARROW_SCHEMAS[table] if f.name not in BOOKKEEPING]


def table_of(fact_id: str) -> str:
    """The fact table a fact_id belongs to (`metrics-3f2a…` is a metric)."""
    table = fact_id.partition("-")[0]
    if table not in FACT_TABLES:
        raise CorrectionError(f"{fact_id!r} is not a fact id (they look like metrics-3f2a9c1b7d4e5f60); "
                              "the review site and `etl query \"select fact_id, quote from metrics\"` show them")
    return table


def parse_value(table: str, name: str, text: str) -> Any:
    """A `--set` value as the field's type; `null` (or nothing) clears the field."""
    if name not in editable_fields(table):
        raise CorrectionError(f"{table} has no field {name!r} to correct; fields: {', '.join(editable_fields(table))}")
    if text.strip().lower() in ("", "null", "none"):
        return None
    kind = str(ARROW_SCHEMAS[table].field(name).type)
    try:
        if kind == "double":  # as the articles print numbers: 8.602,658 and 111,8 (8602.658 reads the same)
            from etl.extract.numbers import parse_vi_number

            return parse_vi_number(text)
        if kind == "int64":
            return int(text)
        if kind == "date32[day]":
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CorrectionError(f"{name}={text!r}: not a valid {kind} (e.g. {name}=14, {name}=8602.658, {name}=2022-01-21)")
    if name in VOCABULARIES and text not in VOCABULARIES[name]:
        raise CorrectionError(f"{name}={text!r} is not in the vocabulary: {', '.join(VOCABULARIES[name])}")
    if name == "unit" and not _SNAKE_RE.match(text):
        raise CorrectionError(f"unit={text!r}: units are short snake_case (percent, count, vnd_billion …)")
    return text


def parse_assignments(table: str, assignments: list[str]) -> dict[str, Any]:
    """`["value=14", "unit=ratio"]` as typed {field: value}."""
    values: dict[str, Any] = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        if not sep:
            raise CorrectionError(f"--set {item!r}: write field=value, e.g. --set issuer=\"UBND Thành phố\"")
        values[name.strip()] = parse_value(table, name.strip(), text)
    return values


# --------------------------------------------------------------------------- #
# Recording
# --------------------------------------------------------------------------- #

def _row(con, sql: str, params: list) -> dict | None:
    """The first row of a query as a dict, or None."""
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row)) if row else None


def find_fact(con, fact_id: str) -> dict:
    """The fact as the views show it now (corrections applied), or a CorrectionError saying why not."""
    table = table_of(fact_id)
    fact = _row(con, f"select * from {table} where fact_id = ?", [fact_id])
    if fact is not None:
        return fact
    latest = _row(con, "select action, author, created_at from _latest_corrections where fact_id = ?", [fact_id])
    if latest and latest["action"] == "reject":
        raise CorrectionError(f"{fact_id} was rejected by {latest['author']} at {latest['created_at']:%Y-%m-%d %H:%M}; "
                              "`etl correct --add` adds it back")
    raise CorrectionError(f"no fact {fact_id} in the warehouse (its article changed, or a typo); "
                          "`etl query \"select * from corrections where status = 'orphaned'\"` lists lost corrections")


def latest_correction(con, fact_id: str) -> dict | None:
    """The correction that holds for a fact now, if any."""
    return _row(con, "select * from _latest_corrections where fact_id = ?", [fact_id])


def write_correction(store: Store, correction: Correction) -> str:
    """Append one correction as its own Parquet file; returns its warehouse-relative path."""
    rel = f"{CORRECTIONS_DIR}/{correction.created_at:%Y%m%dT%H%M%S%f}-{correction.correction_id}.parquet"
    store.write_parquet(rel, to_table("corrections", [correction]))
    log.info("correction %s: %s %s (%s)", correction.correction_id, correction.action, correction.fact_id, correction.reason)
    return rel


def _now() -> dt.datetime:
    """Vietnam local time, as every warehouse timestamp."""
    from etl.clock import now_local

    return now_local()


def _new(fact: dict, table: str, action: str, values: dict | None, reason: str, author: str) -> Correction:
    """A correction row of one fact; the reason is required."""
    if not reason.strip():
        raise CorrectionError("say why with --reason TEXT: the reason is kept with the correction")
    return Correction(
        correction_id=uuid.uuid4().hex[:12], fact_id=fact["fact_id"], table_name=table, action=action,
        article_id=fact["article_id"], new_values=None if values is None else json.dumps(values, ensure_ascii=False),
        quote=fact["quote"], char_start=fact["char_start"], char_end=fact["char_end"],
        content_hash=fact.get("content_hash"), reason=reason, author=author or "unknown", created_at=_now(),
    )


def set_fields(store: Store, con, fact_id: str, values: dict[str, Any], reason: str, author: str) -> Correction:
    """Correct fields of a fact; earlier corrections of the same fact keep their fields unless set again.

    Example: `set_fields(store, con, "awards-1a2b…", {"issuer": "UBND Thành phố"}, "issuer cut short", "lan")`.
    """
    if not values:
        raise CorrectionError("nothing to set: pass --set field=value (or --reject)")
    fact = find_fact(con, fact_id)
    table = table_of(fact_id)
    previous = latest_correction(con, fact_id)
    merged = {**json.loads(previous["new_values"] or "{}"), **values} if previous else dict(values)
    # an added fact stays an added fact: its `add` record carries every field
    action = "add" if previous and previous["action"] == "add" else "set"
    return _store(store, _new(fact, table, action, merged, reason, author))


def reject_fact(store: Store, con, fact_id: str, reason: str, author: str) -> Correction:
    """Remove a fact from every view (and the dashboards built on them)."""
    fact = find_fact(con, fact_id)
    return _store(store, _new(fact, table_of(fact_id), "reject", None, reason, author))


def add_fact(store: Store, con, article_id: str, table: str, quote: str, values: dict[str, Any],
             reason: str, author: str, occurrence: int = 1) -> Correction:
    """Add a fact the rules missed; `quote` must be verbatim in the article's current text."""
    from etl.extract import fact_id_for

    if table not in FACT_TABLES:
        raise CorrectionError(f"--table {table!r}: one of {', '.join(FACT_TABLES)}")
    missing = [f for f in REQUIRED_FOR_ADD[table] if values.get(f) is None]
    if missing:
        raise CorrectionError(f"a new {table} fact needs {', '.join(f'--set {m}=…' for m in missing)}")
    article = _row(con, "select article_id, text, content_hash from articles where article_id = ?", [article_id])
    if article is None:
        raise CorrectionError(f"no article {article_id!r}; `etl query \"select article_id, title from articles\"` lists them")
    start = -1
    for _ in range(max(occurrence, 1)):
        start = article["text"].find(quote, start + 1)
        if start < 0:
            break
    if not quote or start < 0:
        raise CorrectionError(f"the quote {quote!r} is not in the article's text (occurrence {occurrence}); "
                              "copy it verbatim from the review page or `etl explain`")
    end = start + len(quote)
    fact = {"fact_id": fact_id_for(article_id, table, start, end, quote), "article_id": article_id, "quote": quote,
            "char_start": start, "char_end": end, "content_hash": article["content_hash"]}
    return _store(store, _new(fact, table, "add", values, reason, author))


def _store(store: Store, correction: Correction) -> Correction:
    """Write a correction; returns it."""
    write_correction(store, correction)
    return correction


def publish_corrections(store: Store, wait: float = 0.0) -> bool:
    """Publish so the views show the new corrections; False when a run holds the warehouse (it publishes them)."""
    from filelock import Timeout

    from etl.publish import publish

    lock = store.lock()  # the run's lock (a lease object on S3): never publish beside a run
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        return False
    try:
        publish(store)
    finally:
        lock.release()
    return True


# --------------------------------------------------------------------------- #
# The views (SQL put in place of VIEWS_MARKER in views.sql)
# --------------------------------------------------------------------------- #

def _columns(table: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a table's columns."""
    return [(f.name, _DUCKDB_TYPES[str(f.type)]) for f in ARROW_SCHEMAS[table]]


def _json_field(name: str, kind: str) -> str:
    """SQL reading one field of a correction's JSON values as its column type."""
    return f"cast(json_extract_string(l.new_values, '$.{name}') as {kind})"


def corrected_view_sql(table: str) -> str:
    """`<table>`: the rules' facts with corrections applied, rejected ones left out, added ones in."""
    editable = set(editable_fields(table))
    replaced = ",\n    ".join(
        f"case when json_exists(l.new_values, '$.{n}') then {_json_field(n, k)} else f.{n} end as {n}"
        for n, k in _columns(table) if n in editable
    )
    added_expr = {
        "article_id": "l.article_id", "seq": "0", "quote": "l.quote", "char_start": "l.char_start",
        "char_end": "l.char_end", "content_hash": "a.content_hash", "run_id": "a.run_id",
        "quality_flags": "null", "fact_id": "l.fact_id", "rule": f"'{ADDED_RULE}'",
    }
    added = ",\n    ".join(
        f"cast({added_expr.get(n, _json_field(n, k))} as {k}) as {n}" for n, k in _columns(table)
    )
    # what the views add to an article (its story_id) goes with an added fact, as with extracted ones;
    # picked by lambda, not EXCLUDE, which fails on a schema column no Parquet file holds yet
    names = ", ".join(f"'{n}'" for n in ARROW_SCHEMAS["articles"].names)
    context = f"select COLUMNS(lambda c: c = 'article_id' or not list_contains([{names}], c)) from articles"
    # every schema column exists, typed, even where no Parquet file holds it yet (files from before fact_id)
    typed = ", ".join(f"cast(null as {k}) as {n}" for n, k in _columns(table))
    extracted = f"(select * from _extracted_{table} union all by name select {typed} where false)"
    # added facts are few and their text check reads every article: computed once per publish, not per query
    return f"""
create or replace table _added_{table} as
select {added},
    ctx.* exclude (article_id),
    true as corrected
from _latest_corrections l join articles a on a.article_id = l.article_id
join ({context}) ctx on ctx.article_id = l.article_id
where l.table_name = '{table}' and l.action = 'add'
  and substring(a.text, l.char_start + 1, l.char_end - l.char_start) = l.quote
  and l.fact_id not in (select fact_id from {extracted});
create or replace view {table} as
with l as (select * from _latest_corrections where table_name = '{table}')
select f.* replace (
    {replaced}),
    l.correction_id is not null as corrected
from {extracted} f left join l on l.fact_id = f.fact_id
where l.action is distinct from 'reject'
union all by name
select * from _added_{table};
"""


def views_sql() -> str:
    """The corrections tables and views, and the corrected fact views."""
    # fact_id is typed even when no file of a table holds it yet
    extracted = " union all ".join(f"select fact_id from (select * from _extracted_{t} union all by name "
                                   "select cast(null as VARCHAR) as fact_id where false)" for t in FACT_TABLES)
    return "\n".join([
        "-- The correction that holds for each fact: the latest.",
        "create or replace table _latest_corrections as select * from _raw_corrections",
        "qualify row_number() over (partition by fact_id order by created_at desc, correction_id desc) = 1;",
        *(corrected_view_sql(t) for t in FACT_TABLES),
        "-- Every correction, with its status: applied, superseded (a later one holds) or orphaned (the fact is gone).",
        "create or replace view corrections as",
        f"with extracted as ({extracted})",
        "select c.*, case",
        "    when c.correction_id not in (select correction_id from _latest_corrections) then 'superseded'",
        "    when c.fact_id in (select fact_id from extracted) then 'applied'",
        "    when c.action = 'add' and exists (select 1 from articles a where a.article_id = c.article_id",
        "        and substring(a.text, c.char_start + 1, c.char_end - c.char_start) = c.quote) then 'applied'",
        "    else 'orphaned' end as status",
        "from _raw_corrections c;",
    ])


def expand_views(sql: str) -> str:
    """views.sql with the corrections SQL in place of its `-- @corrections` line."""
    lines = sql.splitlines()
    at = [i for i, line in enumerate(lines) if line.strip().startswith(VIEWS_MARKER)]
    if not at:
        raise CorrectionError(f"views.sql has no `{VIEWS_MARKER}` line: the fact views cannot be built")
    return "\n".join([*lines[:at[0]], views_sql(), *lines[at[0] + 1:]])


def orphaned(con) -> list[dict]:
    """Corrections whose fact no longer exists (the article's text changed)."""
    cursor = con.execute("select * from corrections where status = 'orphaned' order by created_at")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def report_orphaned(con) -> list[dict]:
    """Log a warning per correction that no longer applies; returns them."""
    if not con.execute("select count(*) from _raw_corrections").fetchone()[0]:
        return []  # the usual case: no corrections, nothing to compare with every fact
    lost = orphaned(con)
    for c in lost:
        log.warning("correction %s (%s %s, by %s: %s) no longer applies: its fact is gone from article %s "
                    "(the text changed); re-check it on the review page",
                    c["correction_id"], c["action"], c["fact_id"], c["author"], c["reason"], c["article_id"])
    return lost


# --------------------------------------------------------------------------- #
# Corrections as gold (etl eval --corrections)
# --------------------------------------------------------------------------- #

def gold_from_corrections(con) -> dict[str, dict]:
    """Gold answers for every article a person corrected: its facts as the corrected views show them.

    An article someone corrected counts as reviewed: the facts left after the
    corrections (set values, rejects removed, additions in) are its gold, in the
    shape of `gold/<stem>.json`, plus `text` (the cleaned text) and `uri`.
    """
    cursor = con.execute(
        "select distinct a.article_id, a.uri, a.text, a.title, a.source, a.author, a.published_at, a.district, a.province "
        "from corrections c join articles a using (article_id) where c.status = 'applied' order by 1"
    )
    gold: dict[str, dict] = {}
    for article_id, uri, text, title, source, author, published_at, district, province in cursor.fetchall():
        # article fields are not corrected (yet): the warehouse's values, so they score as they stand
        article = {"title": title, "source": source, "author": author, "district": district, "province": province,
                   "published_at": published_at.strftime("%Y-%m-%dT%H:%M") if published_at else None}
        entry: dict[str, Any] = {"uri": uri, "text": text, "article": article, "boilerplate_lines": []}
        for table in FACT_TABLES:
            cur = con.execute(f"select * from {table} where article_id = ? order by char_start, seq", [article_id])
            names = [d[0] for d in cur.description]
            keep = [n for n in names if n not in ("content_hash", "run_id", "quality_flags")]
            entry[table] = [{n: _jsonable(v) for n, v in zip(names, r) if n in keep} for r in cur.fetchall()]
        gold[article_id] = entry
    return gold


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings, the way gold files hold them."""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def write_gold_set(con, out_dir: Path) -> tuple[Path, Path]:
    """Write corrections-as-gold as a gold set folder (`gold/<id>.json`, `articles/<id>.txt`); returns both folders.

    `etl.evaluate.evaluate(gold_dir, articles_dir)` scores the current rules against it.
    """
    gold_dir, articles_dir = Path(out_dir) / "gold", Path(out_dir) / "articles"
    gold_dir.mkdir(parents=True, exist_ok=True)
    articles_dir.mkdir(parents=True, exist_ok=True)
    for article_id, entry in gold_from_corrections(con).items():
        (articles_dir / f"{article_id}.txt").write_text(entry.pop("text"), encoding="utf-8")
        (gold_dir / f"{article_id}.json").write_text(json.dumps(entry, ensure_ascii=False, indent=1), encoding="utf-8")
    return gold_dir, articles_dir


# --------------------------------------------------------------------------- #
# `etl correct`
# --------------------------------------------------------------------------- #

def request(warehouse: str, *, fact_id: str | None, assignments: list[str], reject: bool, add: str | None,
            table: str | None, quote: str | None, occurrence: int, reason: str, author: str,
            wait: float = 10.0) -> tuple[Correction, bool]:
    """One `etl correct` call: record the correction, then publish; returns it and whether it is published."""
    from etl.review.data import connect

    if add is not None:
        if fact_id or reject:
            raise CorrectionError("--add makes a new fact: give ARTICLE_ID after --add and no FACT_ID or --reject")
        if not table or not quote:
            raise CorrectionError("--add needs --table T and --quote \"…\" (the verbatim text of the fact)")
        if table not in FACT_TABLES:
            raise CorrectionError(f"--table {table!r}: one of {', '.join(FACT_TABLES)}")
    elif not fact_id:
        raise CorrectionError("name the fact: etl correct FACT_ID --set field=value --reason TEXT (or --add ARTICLE_ID …)")
    elif reject == bool(assignments):
        raise CorrectionError("either --reject or --set field=value, not both (nor neither)")
    values = parse_assignments(table or table_of(fact_id), assignments)
    store = Store(warehouse)
    con = connect(warehouse)
    try:
        if add is not None:
            made = add_fact(store, con, add, table, quote, values, reason, author, occurrence)
        elif reject:
            made = reject_fact(store, con, fact_id, reason, author)
        else:
            made = set_fields(store, con, fact_id, values, reason, author)
    finally:
        con.close()
    return made, publish_corrections(store, wait)


def score_corrections(warehouse: str | Path):
    """etl.evaluate's report of today's rules against every corrected article of a warehouse (`etl eval --corrections`)."""
    import tempfile

    from etl.evaluate import evaluate
    from etl.review.data import connect

    with tempfile.TemporaryDirectory(prefix="etl-corrections-gold-") as tmp:
        con = connect(warehouse)
        try:
            gold_dir, articles_dir = write_gold_set(con, Path(tmp))
        finally:
            con.close()
        report = evaluate(gold_dir, articles_dir)
    report.name = f"corrections in {warehouse}"
    return report
