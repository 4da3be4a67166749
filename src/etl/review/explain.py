"""`etl explain FACT_ID`: one fact in the terminal, as its review page shows it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text

from etl.corrections import CorrectionError, table_of
from etl.review.data import connect, rows, sentence_bounds

CONTEXT = 400  # most characters of the sentence shown on each side of the span


def explain(warehouse: str | Path, fact_id: str) -> Group:
    """The sentence with the span highlighted, the fact's fields, its rule and its corrections."""
    table = table_of(fact_id)
    con = connect(warehouse)
    try:
        found = rows(con, f"select * from {table} where fact_id = ?", [fact_id])
        history = rows(con, "select * from corrections where fact_id = ? order by created_at", [fact_id])
        if not found and not history:
            raise CorrectionError(f"no fact {fact_id} in the warehouse; the review site (`etl review`) lists every fact id")
        fact = found[0] if found else None
        article_id = fact["article_id"] if fact else history[-1]["article_id"]
        article = rows(con, "select article_id, title, uri, text from articles where article_id = ?", [article_id])
    finally:
        con.close()
    parts: list = []
    if article:
        a = article[0]
        parts.append(Text.assemble(("article ", "dim"), (a["title"] or "", "bold"), "\n", (a["uri"], "underline")))
    if fact and article:
        text = article[0]["text"]
        lo, hi = sentence_bounds(text, fact["char_start"], fact["char_end"])
        lo, hi = max(lo, fact["char_start"] - CONTEXT), min(hi, fact["char_end"] + CONTEXT)
        sentence = Text(text[lo:fact["char_start"]])
        sentence.append(text[fact["char_start"]:fact["char_end"]], style="bold black on yellow")
        sentence.append(text[fact["char_end"]:hi])
        parts += [Text("\nsentence", style="dim"), sentence]
    if fact:
        fields = Table("field", "value", title=f"{table} fact {fact_id}", title_justify="left")
        for name, value in fact.items():
            if name not in ("content_hash", "run_id", "article_year"):
                fields.add_row(name, "" if value is None else str(value))
        parts.append(fields)
    else:
        parts.append(Text(f"\n{fact_id} is not in the views now (rejected, or its text changed).", style="yellow"))
    if history:
        log = Table("when", "who", "action", "values", "why", "status", title="corrections", title_justify="left")
        for c in history:
            log.add_row(f"{c['created_at']:%Y-%m-%d %H:%M}", c["author"], c["action"], c["new_values"] or "",
                        c["reason"], c["status"])
        parts.append(log)
    return Group(*parts)
