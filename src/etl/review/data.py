"""What the review site and `etl explain` read from a published warehouse."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.schema import FACT_TABLES

# the fields a fact card shows, besides quote, rule and fact_id (bookkeeping columns left out)
SHOWN_FIELDS = {
    "metrics": ("value", "unit", "numerator", "denominator", "indicator", "subject", "year"),
    "awards": ("award", "award_detail", "issuer", "recipient_kind", "recipient_count", "year"),
    "movements": ("name", "kind"),
    "officials": ("name", "position", "organization"),
    "documents": ("doc_type", "number", "issued_on", "issuer"),
}
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s)|\n")


def connect(warehouse: str | Path):
    """A read-only connection to the published warehouse (etl.warehouse's locked-down one when present)."""
    try:
        from etl.warehouse import connect as warehouse_connect
    except ImportError:  # older trees: a plain read-only DuckDB connection
        import duckdb

        from etl.publish import database_path
        from etl.storage import Store

        path = database_path(Store(str(warehouse)))
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}")
        return duckdb.connect(str(path), read_only=True)
    return warehouse_connect(warehouse)


def rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    """Rows of a query as dicts."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def columns_of(con, view: str) -> set[str]:
    """Column names of a view."""
    return {r[0] for r in con.execute(f"describe {view}").fetchall()}


@dataclass
class Fact:
    """One fact as the views show it (corrections applied)."""

    table: str
    fact_id: str
    article_id: str
    quote: str
    char_start: int
    char_end: int
    rule: str | None
    corrected: bool
    fields: dict[str, Any]

    def label(self) -> str:
        """A one-line summary: `metrics 14/14 (ratio, targets_completed)`."""
        shown = ", ".join(f"{k}={v}" for k, v in self.fields.items() if v is not None)
        return f"{self.table}: {shown}"


def facts(con, article_id: str | None = None) -> list[Fact]:
    """Every fact (of one article, or all), in text order."""
    out: list[Fact] = []
    where = "where article_id = ?" if article_id else ""
    for table in FACT_TABLES:
        for r in rows(con, f"select * from {table} {where}", [article_id] if article_id else []):
            out.append(Fact(
                table=table, fact_id=r["fact_id"], article_id=r["article_id"], quote=r["quote"],
                char_start=r["char_start"], char_end=r["char_end"], rule=r.get("rule"),
                corrected=bool(r.get("corrected")),
                fields={k: r.get(k) for k in SHOWN_FIELDS[table]},
            ))
    out.sort(key=lambda f: (f.article_id, f.char_start, -f.char_end, f.table))
    return out


@dataclass
class ArticleRow:
    """An article with what the index shows about it."""

    article: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)


def articles(con) -> list[ArticleRow]:
    """Current articles, newest first, with fact counts, quarantined rows and corrections."""
    out = {a["article_id"]: ArticleRow(a) for a in rows(con, (
        "select article_id, title, source, sitename, source_name, author, district, province, published_at, "
        "uri, word_count, text, content_hash, loaded_at from articles "
        "order by coalesce(published_at, loaded_at) desc, article_id"))}
    for table in FACT_TABLES:
        for article_id, n in con.execute(f"select article_id, count(*) from {table} group by all").fetchall():
            if article_id in out:
                out[article_id].counts[table] = n
    for q in quarantined_facts(con):
        if q["article_id"] in out and q.get("content_hash") in (None, out[q["article_id"]].article["content_hash"]):
            out[q["article_id"]].quarantined.append(q)
    for c in rows(con, "select * from corrections order by created_at"):
        if c["article_id"] in out:
            out[c["article_id"]].corrections.append(c)
    return list(out.values())


def quarantined_facts(con) -> list[dict[str, Any]]:
    """Quarantined article and fact rows, with their article, reasons and the row itself."""
    out = []
    for q in rows(con, "select table_name, row, failed_expectations, reason from quarantine where table_name <> 'inputs'"):
        try:
            row = json.loads(q["row"])
        except (TypeError, ValueError):
            continue
        out.append({"table": q["table_name"], "article_id": row.get("article_id"), "content_hash": row.get("content_hash"),
                    "quote": row.get("quote"), "failed": q["failed_expectations"], "reason": q["reason"], "row": row})
    return out


def refused_inputs(con) -> list[dict[str, Any]]:
    """Inputs a stage refused (never became articles): uri, stage, reason."""
    return rows(con, "select uri, stage, reason, failed_expectations from quarantine where table_name = 'inputs' order by uri")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around a span: from the previous sentence end to the next one."""
    lo = 0
    for m in _SENTENCE_END_RE.finditer(text, 0, start):
        lo = m.end()
    m = _SENTENCE_END_RE.search(text, end)
    hi = m.end() if m else len(text)
    return lo + (len(text[lo:start]) - len(text[lo:start].lstrip())), hi
