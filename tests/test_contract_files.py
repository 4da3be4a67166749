"""expectations/*.json and warehouse/views.sql name only columns defined in etl.schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from etl.schema import ARROW_SCHEMAS, TABLES

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
