"""expectations/*.json and warehouse/views.sql name only columns defined in etl.schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from etl.schema import ARROW_SCHEMAS, TABLES

from conftest import ROOT

SUITES = sorted((ROOT / "expectations").glob("*.json"))


def test_one_suite_per_table():
    assert {p.stem for p in SUITES} == set(TABLES)


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.stem)
def test_suite_columns_exist(path: Path):
    spec = json.loads(path.read_text(encoding="utf-8"))
    columns = set(ARROW_SCHEMAS[path.stem].names)
    for exp in spec["expectations"]:
        kw = exp["kwargs"]
        named = [kw.get("column"), kw.get("column_A"), kw.get("column_B"), *kw.get("column_list", [])]
        for col in filter(None, named):
            assert col in columns, f"{path.name}: {exp['type']} names unknown column {col}"
        assert exp["meta"]["severity"] in {"error", "warning"}


def test_views_sql_names_only_known_columns():
    sql = (ROOT / "warehouse" / "views.sql").read_text(encoding="utf-8")
    known = {c for s in ARROW_SCHEMAS.values() for c in s.names}
    # columns referenced through table aliases (a.x, m.x, f.x ...) must exist somewhere in the schema
    for col in re.findall(r"\b(?:a|m|f|w|mv|fy)\.([a-z_]+)\b", sql):
        assert col in known | {"district", "province", "article_year"}, col


def test_extractors_emit_only_suite_vocabularies():
    """What the rules emit over real articles passes the suites' vocabularies (no silent quarantine)."""
    import random

    from etl.extract import extract_facts
    from etl.schema import AWARDS, INDICATORS, MOVEMENT_KINDS, RECIPIENT_KINDS, UNITS
    from etl.textclean import normalize

    from conftest import ROOT as root

    corpus = sorted((root / "tests" / "data" / "corpus" / "vi-news-text").glob("*.txt"))
    seen = {"unit": set(), "indicator": set(), "award": set(), "recipient_kind": set(), "kind": set()}
    for path in random.Random(7).sample(corpus, 400) + sorted((root / "seeds" / "articles").glob("*.txt")):
        facts = extract_facts(normalize(path.read_text(encoding="utf-8")))
        seen["unit"] |= {m.unit for m in facts.metrics}
        seen["indicator"] |= {m.indicator for m in facts.metrics}
        seen["award"] |= {a.award for a in facts.awards}
        seen["recipient_kind"] |= {a.recipient_kind for a in facts.awards if a.recipient_kind}
        seen["kind"] |= {m.kind for m in facts.movements}
    assert seen["unit"] <= set(UNITS), seen["unit"] - set(UNITS)
    assert seen["indicator"] <= set(INDICATORS)
    assert seen["award"] <= set(AWARDS)
    assert seen["recipient_kind"] <= set(RECIPIENT_KINDS)
    assert seen["kind"] <= set(MOVEMENT_KINDS)
    assert {"count", "percent", "vnd_billion"} <= seen["unit"]
