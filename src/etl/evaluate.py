"""Score a run of the clean + extract code against hand-checked gold answers.

The matching rules are those of `shared/gold/README.md`:

- metrics match as multisets on `(unit, round(value, 3))`; over matched pairs
  we then report how often `indicator` and `year` agree;
- awards on `(award, recipient_count)`, then `recipient_kind` agreement;
- movements and officials on the normalised name (NFC, casefold, collapsed
  whitespace, surrounding punctuation and quotes stripped);
- documents on `(doc_type, number)`;
- article fields after the same normalisation (`published_at` only where gold
  is not null, on the date, and on the time where gold prints one);
- cleaning: every gold boilerplate line must occur in the cleaned text fewer
  times than in the raw text, and every other raw line of five or more words
  must still be in it.

Precision, recall and F1 are summed over articles (micro-averaged).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

FACT_TABLES = ("metrics", "awards", "movements", "officials", "documents")
ARTICLE_FIELDS = ("title", "source", "author", "published_at", "district", "province")
INPUT_SUFFIXES = (".txt", ".html", ".htm")

# Characters stripped from both ends of names before comparing: ASCII and
# typographic quotes plus the punctuation that sentence splitting leaves behind.
_SURROUNDING = " \t\n\"'“”‘’«»„‟‹›.,;:!?()[]{}-–—…•*/|"


# --------------------------------------------------------------------------- #
# Normalisation
# --------------------------------------------------------------------------- #

def norm_name(value: Any) -> str | None:
    """NFC, casefold, collapse whitespace, strip surrounding punctuation/quotes."""
    if value is None:
        return None
    s = unicodedata.normalize("NFC", str(value)).casefold()
    s = " ".join(s.split())
    return s.strip(_SURROUNDING) or None


def _norm_line(line: str) -> str:
    """Line as compared by the cleaning check: NFC with whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", line).split())


def _norm_str(value: Any) -> str | None:
    """NFC and collapsed whitespace, no case folding (document keys)."""
    if value is None:
        return None
    s = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return s or None


def _get(obj: Any, name: str) -> Any:
    """Field of a gold dict or of a predicted row dataclass."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _round3(value: Any) -> float | None:
    """Metric value rounded to 3 decimals (None when not numeric)."""
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- #
# Report objects
# --------------------------------------------------------------------------- #

@dataclass
class TableScore:
    """Counts for one fact table (one article, or summed over articles)."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def add(self, other: "TableScore") -> None:
        """Accumulate another score into this one."""
        self.tp += other.tp
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold

    @property
    def precision(self) -> float:
        # an empty prediction against empty gold is perfect, not undefined
        if self.n_pred == 0:
            return 1.0 if self.n_gold == 0 else 0.0
        return self.tp / self.n_pred

    @property
    def recall(self) -> float:
        if self.n_gold == 0:
            return 1.0 if self.n_pred == 0 else 0.0
        return self.tp / self.n_gold

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass
class Agreement:
    """How many of the compared items agree."""

    agree: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        """Count one comparison."""
        self.total += 1
        self.agree += int(ok)

    def merge(self, other: "Agreement") -> None:
        """Accumulate another agreement count into this one."""
        self.agree += other.agree
        self.total += other.total

    @property
    def rate(self) -> float:
        # nothing to compare means nothing disagreed
        return 1.0 if self.total == 0 else self.agree / self.total


@dataclass
class ArticleEval:
    """Everything scored for one gold article."""

    stem: str
    input_path: Path | None
    tables: dict[str, TableScore] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    fields: dict[str, tuple[bool, Any, Any]] = field(default_factory=dict)  # ok, gold, predicted
    cleaning_ok: bool = False
    cleaning_problems: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)  # matched pairs whose secondary field differs
    missed: dict[str, list[Any]] = field(default_factory=dict)  # gold keys not found
    spurious: dict[str, list[Any]] = field(default_factory=dict)  # predicted keys not in gold
    error: str | None = None


@dataclass
class EvalReport:
    """Scores of one evaluation run over a gold folder (or several, merged)."""

    articles: list[ArticleEval] = field(default_factory=list)
    name: str = ""

    @classmethod
    def merged(cls, reports: Iterable["EvalReport"], name: str = "all") -> "EvalReport":
        """One report over the articles of several (micro-averaged again)."""
        return cls(articles=[a for r in reports for a in r.articles], name=name)

    @property
    def tables(self) -> dict[str, TableScore]:
        """Per-table counts summed over articles."""
        out = {t: TableScore() for t in FACT_TABLES}
        for art in self.articles:
            for t, score in art.tables.items():
                out[t].add(score)
        return out

    @property
    def agreements(self) -> dict[str, Agreement]:
        """Indicator / year / recipient_kind agreement over matched pairs."""
        out: dict[str, Agreement] = {}
        for art in self.articles:
            for name, ag in art.agreements.items():
                out.setdefault(name, Agreement()).merge(ag)
        return out

    @property
    def field_agreement(self) -> dict[str, Agreement]:
        """Per article field: how many articles agree with gold."""
        out = {f: Agreement() for f in ARTICLE_FIELDS}
        for art in self.articles:
            for f, (ok, _, _) in art.fields.items():
                out[f].add(ok)
        return out

    @property
    def article_field_rate(self) -> float:
        """Share of all compared article fields that agree."""
        total = Agreement()
        for ag in self.field_agreement.values():
            total.merge(ag)
        return total.rate

    @property
    def cleaning_pass_rate(self) -> float:
        """Share of articles that pass the cleaning check."""
        if not self.articles:
            return 0.0
        return sum(a.cleaning_ok for a in self.articles) / len(self.articles)

    @property
    def errors(self) -> list[str]:
        """Articles whose processing raised, as 'stem: error'."""
        return [f"{a.stem}: {a.error}" for a in self.articles if a.error]


# --------------------------------------------------------------------------- #
# Matching
# --------------------------------------------------------------------------- #

def _match(
    gold: Iterable[Any],
    pred: Iterable[Any],
    key: Callable[[Any], Any],
    secondary: dict[str, Callable[[Any], Any]] | None = None,
) -> tuple[TableScore, dict[str, Agreement], list[Any], list[Any], list[str]]:
    """Multiset match on `key`; each gold item used once.

    Within one key, gold and predicted items are paired so that as many
    secondary fields as possible agree (the scorer should not penalise an
    extractor for the order it emits two facts with the same value).
    """
    secondary = secondary or {}
    gold, pred = list(gold), list(pred)
    by_key: dict[Any, list[Any]] = {}
    for p in pred:
        by_key.setdefault(key(p), []).append(p)
    agreements = {name: Agreement() for name in secondary}
    disagreements: list[str] = []
    tp = 0
    missed: list[Any] = []
    for g in gold:
        k = key(g)
        candidates = by_key.get(k)
        if not candidates:
            missed.append(g)
            continue
        best = max(
            range(len(candidates)),
            key=lambda i: sum(f(candidates[i]) == f(g) for f in secondary.values()),
        )
        p = candidates.pop(best)
        tp += 1
        for name, f in secondary.items():
            agreements[name].add(f(p) == f(g))
            if f(p) != f(g):
                disagreements.append(f"{k} {name}: gold={f(g)!r} got={f(p)!r}  «{_get(p, 'quote') or ''}»")
    spurious = [p for rest in by_key.values() for p in rest]
    return TableScore(tp, len(pred), len(gold)), agreements, missed, spurious, disagreements


def _metric_key(row: Any) -> tuple:
    return (_get(row, "unit"), _round3(_get(row, "value")))


def _award_key(row: Any) -> tuple:
    count = _get(row, "recipient_count")
    return (_get(row, "award"), None if count is None else int(count))


def _name_key(row: Any) -> str | None:
    return norm_name(_get(row, "name"))


def _document_key(row: Any) -> tuple:
    return (_norm_str(_get(row, "doc_type")), _norm_str(_get(row, "number")))


_TABLE_RULES: dict[str, tuple[Callable[[Any], Any], dict[str, Callable[[Any], Any]]]] = {
    "metrics": (
        _metric_key,
        {
            "indicator": lambda r: _get(r, "indicator"),
            "year": lambda r: None if _get(r, "year") is None else int(_get(r, "year")),
        },
    ),
    "awards": (
        _award_key,
        {
            "recipient_kind": lambda r: _get(r, "recipient_kind"),
            "issuer": lambda r: norm_name(_get(r, "issuer")),
        },
    ),
    "movements": (_name_key, {}),
    "officials": (_name_key, {"position": lambda r: norm_name(_get(r, "position"))}),
    "documents": (_document_key, {}),
}


def _parse_gold_datetime(value: str) -> tuple[dt.date, str | None]:
    """Gold published_at ('YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM') as (date, 'HH:MM' or None)."""
    if "T" in value:
        day, time = value.split("T", 1)
        return dt.date.fromisoformat(day), time[:5]
    return dt.date.fromisoformat(value[:10]), None


def _published_ok(gold: str, pred: Any) -> bool:
    """published_at agreement: same date, and same HH:MM where gold has a time."""
    if pred is None:
        return False
    if isinstance(pred, str):
        try:
            pred = dt.datetime.fromisoformat(pred)
        except ValueError:
            return False
    day, time = _parse_gold_datetime(gold)
    pred_day = pred.date() if isinstance(pred, dt.datetime) else pred
    if pred_day != day:
        return False
    if time is None:
        return True
    return isinstance(pred, dt.datetime) and pred.strftime("%H:%M") == time


def score_fields(gold_article: dict, meta: Any) -> dict[str, tuple[bool, Any, Any]]:
    """Article-field agreement: {field: (ok, gold, predicted)}; published_at only when gold has one."""
    out: dict[str, tuple[bool, Any, Any]] = {}
    for f in ARTICLE_FIELDS:
        g, p = gold_article.get(f), _get(meta, f)
        if f == "published_at":
            if g is None:
                continue
            out[f] = (_published_ok(g, p), g, p)
        else:
            out[f] = (norm_name(g) == norm_name(p), g, p)
    return out


def check_cleaning(raw: str, cleaned: str, boilerplate: list[str]) -> list[str]:
    """Problems found by the gold cleaning check (empty list = pass).

    Lines are compared after NFC and whitespace collapsing on both sides, so
    that the cleaner's own normalisation (NBSP to space, trimming) neither
    hides a kept boilerplate line nor counts as losing a body line.
    """
    raw_lines = [_norm_line(x) for x in raw.splitlines()]
    clean_lines = [_norm_line(x) for x in cleaned.splitlines()]
    raw_count, clean_count = Counter(raw_lines), Counter(clean_lines)
    clean_flat = "\n".join(clean_lines)
    problems = []
    bl = {_norm_line(b) for b in boilerplate}
    for b in sorted(bl):
        if clean_count[b] >= raw_count[b]:
            problems.append(f"boilerplate kept ({clean_count[b]}/{raw_count[b]}): {b[:70]!r}")
    for line in dict.fromkeys(raw_lines):
        if line in bl or len(line.split()) < 5:
            continue
        if line not in clean_flat:
            problems.append(f"body line lost: {line[:70]!r}")
    return problems


# --------------------------------------------------------------------------- #
# Running the production clean + extract on one input
# --------------------------------------------------------------------------- #

@dataclass
class PipelineOutput:
    """What `etl run` would load for one input: raw text, cleaned text, article row, facts."""

    raw: str
    text: str
    article: Any
    facts: Any


def run_pipeline(path: Path) -> PipelineOutput:
    """One input file through the same acquire, clean and extract code as `etl run`.

    Refusals are raised as `InputError`, exactly as the nightly flow would
    quarantine them, so eval scores what the warehouse would hold.
    """
    from etl.acquire import CONTENT_TYPES
    from etl.clean import clean_one, decode_text, is_html
    from etl.extract import extract_batch
    from etl.models import RawDoc
    from etl.textclean import normalize

    raw_doc = RawDoc(
        uri=path.resolve().as_uri(), source_name="eval", content=path.read_bytes(),
        content_type=CONTENT_TYPES.get(path.suffix.lower()), fetched_at=dt.datetime.now(),
    )
    doc = clean_one(raw_doc)
    raw = doc.text if is_html(raw_doc) else normalize(decode_text(raw_doc))
    out = extract_batch([doc], run_id="eval")
    if out.failures:
        raise RuntimeError(out.failures[0].reason)
    return PipelineOutput(raw=raw, text=doc.text, article=out.articles[0], facts=out.facts)


def _find_input(input_dir: Path, stem: str) -> Path | None:
    """The input file for a gold stem (.txt preferred, then .html)."""
    for suffix in INPUT_SUFFIXES:
        p = input_dir / f"{stem}{suffix}"
        if p.exists():
            return p
    return None


def evaluate_article(gold: dict, stem: str, path: Path | None) -> ArticleEval:
    """Score one article; a missing input or a crash scores as all-missed."""
    art = ArticleEval(stem=stem, input_path=path)
    facts = meta = None
    raw = cleaned = ""
    if path is None:
        art.error = "no input file"
    else:
        try:
            run = run_pipeline(path)
            raw, cleaned, meta, facts = run.raw, run.text, run.article, run.facts
        except Exception as exc:  # one bad article must not hide the others' scores
            log.warning("evaluating %s failed: %s", path, exc)
            art.error = f"{type(exc).__name__}: {exc}"
    for table in FACT_TABLES:
        key, secondary = _TABLE_RULES[table]
        pred = [] if facts is None else list(getattr(facts, table, []) or [])
        score, ags, missed, spurious, differ = _match(gold.get(table, []), pred, key, secondary)
        art.disagreements += [f"{table} {d}" for d in differ]
        art.tables[table] = score
        art.missed[table], art.spurious[table] = missed, spurious
        for name, ag in ags.items():
            art.agreements.setdefault(f"{table}.{name}", Agreement()).merge(ag)
    art.fields = score_fields(gold.get("article", {}), meta)
    if art.error is None:
        art.cleaning_problems = check_cleaning(raw, cleaned, gold.get("boilerplate_lines", []))
        art.cleaning_ok = not art.cleaning_problems
    else:
        art.cleaning_problems = [art.error]
    return art


def evaluate(gold_dir: Path, input_dir: Path) -> EvalReport:
    """Run clean + extract on every input that has a gold file and score it.

    >>> report = evaluate(Path("tests/data/gold"), Path("seeds/articles"))  # doctest: +SKIP
    >>> round(report.tables["metrics"].f1, 2)  # doctest: +SKIP
    0.8
    """
    gold_dir, input_dir = Path(gold_dir), Path(input_dir)
    report = EvalReport(name=str(gold_dir))
    for gold_path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        stem = gold_path.stem
        path = _find_input(input_dir, stem)
        if path is None:
            log.warning("no input for gold %s in %s", stem, input_dir)
        report.articles.append(evaluate_article(gold, stem, path))
    if not report.articles:
        log.warning("no gold files in %s", gold_dir)
    return report


def gold_folders(gold: Path, input_dir: Path | None = None) -> tuple[Path, Path]:
    """(gold folder, input folder) for a `--gold` argument.

    A set folder holding `gold/` and `articles/` (tests/data/dev, shared/gold/dev)
    names both; otherwise the inputs are `input_dir`, or an `articles/` folder
    beside the gold folder.

    >>> gold_folders(Path("tests/data/dev"))
    (PosixPath('tests/data/dev/gold'), PosixPath('tests/data/dev/articles'))
    """
    gold = Path(gold)
    if input_dir is None and (gold / "gold").is_dir() and (gold / "articles").is_dir():
        return gold / "gold", gold / "articles"
    if input_dir is None:
        input_dir = gold.parent / "articles"
    return gold, Path(input_dir)


def evaluate_sets(pairs: Iterable[tuple[Path, Path]]) -> list[EvalReport]:
    """One report per (gold folder, input folder) pair."""
    return [evaluate(g, i) for g, i in pairs]


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #

def _abbrev(table: str) -> str:
    return {"metrics": "met", "awards": "awd", "movements": "mov", "officials": "off", "documents": "doc"}[table]


def describe_fact(table: str, fact: Any) -> str:
    """One fact (gold dict or predicted row) in a line: its key fields and its quote."""
    g = lambda name: _get(fact, name)  # noqa: E731
    if table == "metrics":
        head = f"{g('value')} {g('unit')} [{g('indicator')}, {g('year')}]"
    elif table == "awards":
        head = f"{g('award')} x{g('recipient_count')} [{g('recipient_kind')}, issuer={g('issuer')!r}]"
    elif table == "movements":
        head = f"{g('name')!r} [{g('kind')}]"
    elif table == "officials":
        head = f"{g('name')!r} [{g('position')!r}, {g('organization')!r}]"
    else:
        head = f"{g('doc_type')} {g('number')!r} [{g('issuer')!r}]"
    quote = g("quote")
    return f"{head}  «{quote}»" if quote and table not in ("movements",) else head


def explain_article(art: ArticleEval) -> list[str]:
    """Evidence for one article: each missed gold fact and each invented fact with its quote."""
    lines = []
    for f, (ok, g, p) in art.fields.items():
        if not ok:
            lines.append(f"  field {f}: gold={g!r} got={p!r}")
    for problem in art.cleaning_problems:
        lines.append(f"  clean: {problem}")
    for d in art.disagreements:
        lines.append(f"  differs: {d}")
    for t in FACT_TABLES:
        for fact in art.missed.get(t, []):
            lines.append(f"  {t} MISSED   {describe_fact(t, fact)}")
        for fact in art.spurious.get(t, []):
            lines.append(f"  {t} INVENTED {describe_fact(t, fact)}")
    return lines


def format_report(report: EvalReport, *, verbose: bool = False) -> str:
    """A compact plain-text table; the last lines are the per-table summary.

    >>> print(format_report(EvalReport()))  # doctest: +ELLIPSIS
    article ...
    """
    lines = []
    head = "article".ljust(22) + " ".join(f"{_abbrev(t):>8}" for t in FACT_TABLES) + "  fields  clean"
    lines.append(head)
    for art in report.articles:
        cells = " ".join(
            f"{s.tp:>2}/{s.n_pred:>2}/{s.n_gold:<2}".rjust(8) for s in (art.tables[t] for t in FACT_TABLES)
        )
        ok_fields = sum(ok for ok, _, _ in art.fields.values())
        clean = "ok" if art.cleaning_ok else f"FAIL({len(art.cleaning_problems)})"
        lines.append(f"{art.stem[:21]:<22}{cells}  {ok_fields}/{len(art.fields)}     {clean}")
        if art.error:
            lines.append(f"  ! {art.error}")
        if verbose:
            lines.extend(explain_article(art))
    lines.append("(cells: matched/predicted/gold)")
    lines.append("")
    fa = report.field_agreement
    # short lines: the CLI prints through rich, which wraps at the terminal width
    cells = [f"{f} {ag.agree}/{ag.total}" for f, ag in fa.items()]
    lines.append(f"article fields: {report.article_field_rate:.3f}  (" + ", ".join(cells[:3]) + ",")
    lines.append("                 " + ", ".join(cells[3:]) + ")")
    lines.append(f"cleaning pass rate: {report.cleaning_pass_rate:.3f} "
                 f"({sum(a.cleaning_ok for a in report.articles)}/{len(report.articles)})")
    for name, ag in sorted(report.agreements.items()):
        lines.append(f"agreement {name}: {ag.rate:.3f} ({ag.agree}/{ag.total} matched pairs)")
    lines.append("")
    lines.extend(format_table_scores(report))
    return "\n".join(lines)


def _score_cells(s: TableScore) -> str:
    """P, R, F1 of one table; n/a when there was nothing to score (never a free 1.000)."""
    if s.n_gold == 0 and s.n_pred == 0:
        return f"{'n/a':>8}{'n/a':>8}{'n/a':>8}"
    return f"{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}"


def format_table_scores(report: EvalReport) -> list[str]:
    """The per-table P/R/F1 block of a report, with its overall line."""
    lines = [f"{'table':<11}{'tp':>5}{'pred':>6}{'gold':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    total = TableScore()
    for t, s in report.tables.items():
        lines.append(f"{t:<11}{s.tp:>5}{s.n_pred:>6}{s.n_gold:>6}{_score_cells(s)}")
        total.add(s)
    lines.append(f"{'all':<11}{total.tp:>5}{total.n_pred:>6}{total.n_gold:>6}{_score_cells(total)}")
    return lines


def format_summary(report: EvalReport) -> str:
    """Headline figures of a report: fields, cleaning, agreements, per-table scores."""
    lines = [f"== {report.name or 'eval'}: {len(report.articles)} articles"]
    if not report.articles:
        lines.append("nothing scored: no gold articles")
    else:
        lines.append(f"article fields: {report.article_field_rate:.3f}   cleaning pass rate: "
                     f"{report.cleaning_pass_rate:.3f} ({sum(a.cleaning_ok for a in report.articles)}/{len(report.articles)})")
    for name, ag in sorted(report.agreements.items()):
        rate = "n/a" if ag.total == 0 else f"{ag.rate:.3f}"
        lines.append(f"agreement {name}: {rate} ({ag.agree}/{ag.total} matched pairs)")
    lines.extend(format_table_scores(report))
    return "\n".join(lines)
