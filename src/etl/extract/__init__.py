"""Rule-based fact extraction from cleaned Vietnamese article text.

Each fact module exposes one function `extract_<facts>(text) -> list[Row]`
returning rows whose `article_id` is empty and `seq` is 0; `extract_facts`
numbers them and stamps the article id. Offsets point into `text`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass, field

from etl.extract.article import extract_metadata
from etl.extract.awards import extract_awards
from etl.extract.documents import extract_documents
from etl.extract.metrics import extract_metrics
from etl.extract.movements import extract_movements
from etl.extract.officials import extract_officials
from etl.models import CleanDoc, Failure, article_id_for, content_hash_for, sane_title

# one version over every rule that can change the cleaned text or a fact, stamped on each article
from etl.rules import RULES_VERSION
from etl.schema import Article

log = logging.getLogger(__name__)

EXTRACTORS = {
    "metrics": extract_metrics,
    "awards": extract_awards,
    "movements": extract_movements,
    "officials": extract_officials,
    "documents": extract_documents,
}


def fact_id_for(article_id: str, table: str, char_start: int, char_end: int, quote: str, occurrence: int = 1) -> str:
    """A fact's stable id: its article, table, span and quote (never seq), so re-extracting unchanged text keeps it.

    `occurrence` tells apart rows one span gives twice ("1 tập thể, 5 cá nhân").

    >>> fact_id_for("a1", "metrics", 16, 21, "14/14")
    'metrics-f70bffe7a9450d01'
    """
    import hashlib

    key = "\x1f".join([article_id, table, str(char_start), str(char_end), quote])
    suffix = f".{occurrence}" if occurrence > 1 else ""
    return f"{table}-{hashlib.sha256(key.encode()).hexdigest()[:16]}{suffix}"


def rule_name(table: str, row) -> str:
    """The rule family that produced a row, derived from what it holds (the extractors do not name it)."""
    if table == "metrics":
        family = {"ratio": "ratio", "count": "count", "percent": "percent"}.get(row.unit, "amount")
        return f"metrics.{family}:{row.indicator}"
    if table == "awards":
        return f"awards.{row.award}:{'count' if row.recipient_count is not None else 'named'}"
    if table == "movements":
        return f"movements.quoted:{row.kind}"
    if table == "officials":
        return "officials.name_position" if row.position else "officials.name"
    return f"documents.{row.doc_type}:{'number' if row.number else 'title'}"


def stamp_identity(table: str, rows: list, article_id: str) -> None:
    """Give each row its fact_id and (unless its extractor named one) its rule name."""
    seen: dict[tuple, int] = {}
    for row in rows:
        key = (row.char_start, row.char_end, row.quote)
        seen[key] = seen.get(key, 0) + 1
        row.fact_id = fact_id_for(article_id, table, row.char_start, row.char_end, row.quote, seen[key])
        row.rule = getattr(row, "rule", None) or rule_name(table, row)


@dataclass
class Facts:
    metrics: list = field(default_factory=list)
    awards: list = field(default_factory=list)
    movements: list = field(default_factory=list)
    officials: list = field(default_factory=list)
    documents: list = field(default_factory=list)


def extract_facts(text: str, article_id: str = "") -> Facts:
    """All fact rows of one cleaned text, numbered per table.

    >>> f = extract_facts("Quận hoàn thành 14/14 chỉ tiêu kinh tế - xã hội.")
    >>> (f.metrics[0].numerator, f.metrics[0].denominator)
    (14.0, 14.0)
    """
    facts = Facts()
    for table, extractor in EXTRACTORS.items():
        rows = extractor(text)
        for seq, row in enumerate(rows, start=1):
            row.article_id = article_id
            row.seq = seq
        stamp_identity(table, rows, article_id)
        setattr(facts, table, rows)
    return facts


def build_article(doc: CleanDoc, run_id: str) -> Article:
    """The articles row of a cleaned document (metadata completed from the text)."""
    meta = extract_metadata(
        doc.text, title=doc.title, author=doc.author, published_at=doc.published_at,
        source=doc.source, sitename=doc.sitename,
    )
    return Article(
        article_id=doc.article_id or article_id_for(doc.uri),
        uri=doc.uri,
        source_name=doc.source_name,
        title=sane_title(meta.title),  # the first line as a title only when it reads as one
        author=meta.author,
        published_at=meta.published_at,
        district=meta.district,
        province=meta.province,
        language="vi",
        text=doc.text,
        word_count=len(doc.text.split()),
        content_hash=content_hash_for(doc.text),
        fetched_at=doc.fetched_at,
        run_id=run_id,
        source=meta.source,
        sitename=doc.sitename,
        year=meta.year,
        rules_version=RULES_VERSION,
        raw_hash=doc.raw_hash,
    )


@dataclass
class Extracted:
    """Rows of every table for one batch, plus the inputs that failed."""

    articles: list[Article] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    failures: list[Failure] = field(default_factory=list)

    def tables(self) -> dict[str, list]:
        return {"articles": self.articles, **{t: getattr(self.facts, t) for t in EXTRACTORS}}


# One document's time budget: a text that keeps the rules busy this long is quarantined, so one
# file cannot hold the batch past its task timeout (issue 17).
MAX_SECONDS_PER_DOCUMENT = 60.0


class OverBudget(Exception):
    """A document's extraction ran past MAX_SECONDS_PER_DOCUMENT."""


@contextlib.contextmanager
def time_budget(seconds: float):
    """Interrupt the block after `seconds` with OverBudget, in a pool worker (its own main thread).

    Elsewhere (the flow's thread, a test) SIGALRM is not ours to take, and the
    caller checks the elapsed time afterwards instead.
    """
    # a Dask worker is a child process too, but runs tasks on threads, where signals cannot be set
    in_worker_main = multiprocessing.parent_process() is not None and threading.current_thread() is threading.main_thread()
    if not in_worker_main or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extract_batch(docs: list[CleanDoc], run_id: str, budget: float = MAX_SECONDS_PER_DOCUMENT) -> Extracted:
    """Article rows and fact rows of a batch; a document whose rules crash or overrun is reported, not raised."""
    out = Extracted()
    for doc in docs:
        started = time.perf_counter()
        try:
            with time_budget(budget):
                article = build_article(doc, run_id)
                facts = extract_facts(doc.text, article.article_id)
            if time.perf_counter() - started > budget:
                raise OverBudget
        except OverBudget:
            seconds = time.perf_counter() - started
            log.warning("discarding %s: extraction took %.0f s, over the %g s budget", doc.uri, seconds, budget)
            out.failures.append(Failure(doc.uri, "extract", f"extraction over the {budget:g} s budget for one "
                                                           f"document ({len(doc.text)} characters)"))
            continue
        except Exception as exc:  # one bad document must not stop the batch
            log.exception("discarding %s: extraction failed", doc.uri)
            out.failures.append(Failure(doc.uri, "extract", f"extraction failed: {type(exc).__name__}: {exc}"))
            continue
        out.articles.append(article)
        for table in EXTRACTORS:
            rows = getattr(facts, table)
            for row in rows:
                row.content_hash = article.content_hash
                row.run_id = run_id
            getattr(out.facts, table).extend(rows)
    return out


__all__ = ["Facts", "Extracted", "extract_facts", "extract_batch", "build_article", "extract_metadata", "EXTRACTORS",
           "fact_id_for", "rule_name"]
