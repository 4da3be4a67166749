"""One dataclass and one Arrow schema per warehouse table.

The dataclasses are what the stages pass around; the Arrow schemas are what
lands in Parquet. Column names here are the table contract of
ARCHITECTURE.md: add columns freely, never rename or drop one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, get_type_hints

import pyarrow as pa

SCHEMA_VERSION = 1

# Units the rules emit; the vocabulary is open ("other units are short snake_case"),
# so the suite requires snake_case and only flags a unit outside this list.
UNITS = (
    "percent", "count", "ratio", "vnd", "vnd_million", "vnd_billion", "usd", "usd_million", "usd_billion",
    "hours_per_year", "days_per_year", "times_per_week", "times_per_month", "times_per_year",
    "vnd_million_per_person", "vnd_million_per_person_per_month", "vnd_million_per_person_per_year",
    "vnd_million_per_year", "vnd_million_per_month", "vnd_billion_per_year",
    "per_mille", "times", "months_salary", "cny", "eur", "luong", "hectare", "km", "square_km", "meter",
    "square_metre", "kg", "tonne",
)
INDICATORS = (
    "targets_completed", "targets_exceeded", "budget_revenue", "budget_expenditure",
    "production_value", "production_value_growth", "enterprises", "cooperatives",
    "business_households", "poor_households_reduced", "vaccination_rate",
    "beneficiaries", "party_members_admitted", "investment_disbursement",
    "trade_services_growth", "awarded_collectives", "awarded_individuals",
    "projects", "streets", "tasks", "other",
)
AWARDS = (
    "co_thi_dua_xuat_sac", "co_thi_dua", "bang_khen", "giay_khen",
    "huan_chuong_lao_dong", "danh_hieu", "khen_thuong",
)
RECIPIENT_KINDS = ("collective", "individual", "both")
MOVEMENT_KINDS = ("movement", "slogan", "title")


@dataclass
class Article:
    article_id: str
    uri: str
    source_name: str
    title: str | None
    author: str | None
    published_at: dt.datetime | None  # naive, Vietnam local time
    district: str | None
    province: str | None
    language: str
    text: str
    word_count: int
    content_hash: str
    fetched_at: dt.datetime
    run_id: str
    source: str | None = None  # the outlet as printed ("HNM", "Kinhtedothi")
    sitename: str | None = None
    year: int | None = None  # partition key: published year, else the text's salient year
    quality_flags: str | None = None
    loaded_at: dt.datetime | None = None  # when this version was committed; latest wins
    rules_version: str | None = None  # fingerprint of the extraction rules that produced the facts
    raw_hash: str | None = None  # sha256 of the bytes read; equal bytes and rules need no re-cleaning


@dataclass
class Metric:
    article_id: str
    seq: int
    quote: str
    value: float
    unit: str
    numerator: float | None
    denominator: float | None
    subject: str | None
    indicator: str
    year: int | None
    char_start: int
    char_end: int
    content_hash: str = ""  # the article version these facts belong to
    run_id: str = ""
    quality_flags: str | None = None  # names of failed `warning` expectations
    fact_id: str = ""  # stable id: article, table, span and quote (etl.extract.fact_id_for)
    rule: str | None = None  # name of the rule that produced the fact


@dataclass
class Award:
    article_id: str
    seq: int
    quote: str
    award: str
    award_detail: str | None
    issuer: str | None
    recipient_kind: str | None
    recipient_count: int | None
    year: int | None
    char_start: int
    char_end: int
    content_hash: str = ""  # the article version these facts belong to
    run_id: str = ""
    quality_flags: str | None = None  # names of failed `warning` expectations
    fact_id: str = ""  # stable id: article, table, span and quote (etl.extract.fact_id_for)
    rule: str | None = None  # name of the rule that produced the fact


@dataclass
class Movement:
    article_id: str
    seq: int
    name: str
    kind: str
    quote: str
    char_start: int
    char_end: int
    content_hash: str = ""  # the article version these facts belong to
    run_id: str = ""
    quality_flags: str | None = None  # names of failed `warning` expectations
    fact_id: str = ""  # stable id: article, table, span and quote (etl.extract.fact_id_for)
    rule: str | None = None  # name of the rule that produced the fact


@dataclass
class Official:
    article_id: str
    seq: int
    name: str
    position: str | None
    organization: str | None
    quote: str
    char_start: int
    char_end: int
    content_hash: str = ""  # the article version these facts belong to
    run_id: str = ""
    quality_flags: str | None = None  # names of failed `warning` expectations
    fact_id: str = ""  # stable id: article, table, span and quote (etl.extract.fact_id_for)
    rule: str | None = None  # name of the rule that produced the fact


@dataclass
class Document:
    article_id: str
    seq: int
    doc_type: str
    number: str | None  # None for documents cited by title only ("Chương trình phục hồi ...")
    issued_on: dt.date | None
    issuer: str | None
    quote: str
    char_start: int
    char_end: int
    content_hash: str = ""  # the article version these facts belong to
    run_id: str = ""
    quality_flags: str | None = None  # names of failed `warning` expectations
    fact_id: str = ""  # stable id: article, table, span and quote (etl.extract.fact_id_for)
    rule: str | None = None  # name of the rule that produced the fact


@dataclass
class QuarantineRow:
    table_name: str
    row: str  # the rejected row as JSON
    failed_expectations: str  # comma-separated expectation names
    run_id: str
    uri: str | None = None
    stage: str | None = None
    reason: str | None = None
    quarantined_at: dt.datetime | None = None
    row_key: str | None = None  # hash of the row without run-specific fields; the view dedups on it


@dataclass
class Run:
    run_id: str
    flow_run_id: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    inputs_seen: int = 0
    inputs_new: int = 0
    inputs_changed: int = 0
    inputs_unchanged: int = 0
    inputs_failed: int = 0
    rows_articles: int = 0
    rows_metrics: int = 0
    rows_awards: int = 0
    rows_movements: int = 0
    rows_officials: int = 0
    rows_documents: int = 0
    quarantined: int = 0
    validation_success: bool | None = None
    validation_status: str | None = None  # passed | passed with warnings | failed (etl.validate.overall_status)
    schema_version: int = SCHEMA_VERSION
    seconds: float | None = None
    stage_seconds: str | None = None  # JSON {stage: seconds}
    recorded_at: dt.datetime | None = None  # a run is recorded at start and at finish; latest wins
    error: str | None = None
    run_name: str | None = None  # the Prefect flow run name (nightly-YYYY-MM-DD-<sourceset>)
    sources: str | None = None  # JSON [{name, items, read, new, failed, errors}]: each source's night
    quarantine_reasons: str | None = None  # JSON {"table: reason": rows}


@dataclass
class Fetch:
    """One HTTP fetch of one item (etl.fetch): what came back and how long it took."""

    uri: str
    status: int | None  # HTTP status (304 = unchanged); None when no response came
    bytes: int  # bytes on the wire
    elapsed: float  # seconds, retries and politeness waits included
    error: str | None
    run_id: str
    fetched_at: dt.datetime
    final_uri: str | None = None  # canonical URL after redirects
    source_name: str | None = None
    attempts: int = 1
    unchanged: bool = False
    raw_hash: str | None = None  # bronze address of the bytes (200 only)
    content_type: str | None = None
    encoding: str | None = None


@dataclass
class Correction:
    """A person's correction of one fact (etl.corrections): the latest one per fact_id holds."""

    correction_id: str
    fact_id: str  # the corrected fact; for `add`, the id of the new fact
    table_name: str
    action: str  # set | reject | add
    article_id: str
    new_values: str | None  # JSON {field: value} of the fields set (add: every field given)
    quote: str | None  # add: the verbatim quote; set/reject: the fact's quote when corrected
    char_start: int | None
    char_end: int | None
    content_hash: str | None  # the article version the person looked at
    reason: str
    author: str  # who
    created_at: dt.datetime  # when (Vietnam local time)


@dataclass
class StoryMember:
    """An article placed in a story (etl.stories); decided once, never re-decided."""

    article_id: str
    story_id: str  # as assigned; `story_merges` may later fold it into an older story
    assigned_at: dt.datetime
    arrival: int  # order within the night's grouping (a story's age is its founder's)
    how: str  # new | republication | coverage
    score: float | None = None  # mean score against the story's members when it joined
    matched_article_id: str | None = None  # the member it matched best
    run_id: str | None = None


@dataclass
class StoryMerge:
    """Two stories found to be one: `merged_id` now reads as the older `story_id`."""

    story_id: str
    merged_id: str
    merged_at: dt.datetime
    score: float | None = None  # mean score between the two stories' members
    article_id: str | None = None  # the article that showed both were one
    run_id: str | None = None


FACT_TABLES: dict[str, type] = {
    "metrics": Metric,
    "awards": Award,
    "movements": Movement,
    "officials": Official,
    "documents": Document,
}
TABLES: dict[str, type] = {"articles": Article, **FACT_TABLES}
ALL_TABLES: dict[str, type] = {**TABLES, "quarantine": QuarantineRow, "runs": Run, "fetches": Fetch,
                             "corrections": Correction,
                             "story_members": StoryMember, "story_merges": StoryMerge}

_ARROW_TYPES: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.datetime: pa.timestamp("us"),
    dt.date: pa.date32(),
}


def _arrow_type(hint: Any) -> pa.DataType:
    """Arrow type of a dataclass field annotation (`X | None` counts as X)."""
    args = [a for a in getattr(hint, "__args__", ()) if a is not type(None)]
    return _ARROW_TYPES[args[0] if args else hint]


def arrow_schema(cls: type) -> pa.Schema:
    """The Arrow schema of a table dataclass (field order kept)."""
    hints = get_type_hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        # Nullability is enforced by the Great Expectations suites, not by Arrow,
        # so that a bad row is quarantined instead of failing the whole write.
        fields.append(pa.field(f.name, _arrow_type(hints[f.name]), nullable=True))
    return pa.schema(fields, metadata={"schema_version": str(SCHEMA_VERSION)})


ARROW_SCHEMAS: dict[str, pa.Schema] = {name: arrow_schema(cls) for name, cls in ALL_TABLES.items()}
# etl.stories' stored features (term ids and counts as lists): read by etl.stories only, no view.
_TERMS = pa.list_(pa.int64())
ARROW_SCHEMAS["story_features"] = pa.schema([
    ("article_id", pa.string()), ("content_hash", pa.string()), ("title", pa.string()),
    ("district", pa.string()), ("province", pa.string()),
    ("seen_at", pa.timestamp("us")), ("computed_at", pa.timestamp("us")),
    *[(f"{kind}_{part}", _TERMS) for kind in ("body", "lead", "title", "name") for part in ("terms", "counts")],
    ("shingles", _TERMS), ("keys", _TERMS),
], metadata={"schema_version": str(SCHEMA_VERSION)})


def columns(table: str) -> list[str]:
    """Column names of a table, in schema order."""
    return ARROW_SCHEMAS[table].names


def to_table(table: str, rows: list[Any]) -> pa.Table:
    """Rows (dataclasses or dicts) as an Arrow table of that table's schema."""
    dicts = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else r for r in rows]
    return pa.Table.from_pylist(dicts, schema=ARROW_SCHEMAS[table])
