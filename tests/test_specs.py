"""Rule specs: real sentences and the facts each must give (or none), one line of data per case.

Every `tests/specs/<table>[_<family>].yaml` file names its table and lists cases:

    table: metrics
    cases:
      - sentence: "Quận hoàn thành 14/14 chỉ tiêu kinh tế - xã hội."
        facts:
          - {unit: ratio, value: 14, numerator: 14, denominator: 14, indicator: targets_completed}
      - sentence: "Kỷ niệm 75 năm Ngày Bác Hồ ra Lời kêu gọi thi đua ái quốc."
        facts: []

The table's extractor must give exactly as many facts as listed, each listed
fact matching a distinct produced one on the fields it lists, and every fact's
quote must be the text at its offsets.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from etl.extract import EXTRACTORS

SPECS = Path(__file__).parent / "specs"


def _load_cases() -> list:
    cases = []
    for path in sorted(SPECS.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        table = spec["table"]
        for n, case in enumerate(spec.get("cases") or [], start=1):
            cases.append(pytest.param(table, case["sentence"], case.get("facts") or [],
                                      id=f"{path.stem}-{n}"))
    return cases


CASES = _load_cases()


def _same(expected, got) -> bool:
    """Field equality as the specs mean it: numbers as floats, strings after NFC."""
    if expected is None or got is None:
        return expected is got
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return abs(float(got) - float(expected)) < 1e-9
        except (TypeError, ValueError):
            return False
    return unicodedata.normalize("NFC", str(got)) == unicodedata.normalize("NFC", str(expected))


def _matches(expected: dict, row) -> bool:
    return all(_same(value, getattr(row, name)) for name, value in expected.items())


def test_spec_files_name_known_tables():
    assert CASES, "no spec cases found in tests/specs"
    for path in SPECS.glob("*.yaml"):
        table = yaml.safe_load(path.read_text(encoding="utf-8"))["table"]
        assert table in EXTRACTORS, (path.name, table)


@pytest.mark.parametrize("table, sentence, facts", CASES)
def test_spec(table, sentence, facts):
    rows = EXTRACTORS[table](sentence)
    described = [{k: v for k, v in vars(r).items() if k in ("quote", "value", "unit", "indicator", "award",
                  "recipient_count", "recipient_kind", "issuer", "name", "position", "kind", "doc_type", "number")}
                 for r in rows]
    for row in rows:
        if getattr(row, "char_start", None) is not None and getattr(row, "quote", None):
            assert sentence[row.char_start:row.char_end] == row.quote
    assert len(rows) == len(facts), f"expected {len(facts)} facts, got {described}"
    unused = list(rows)
    for expected in facts:
        hit = next((r for r in unused if _matches(expected, r)), None)
        assert hit is not None, f"no fact matches {expected}; got {described}"
        unused.remove(hit)
