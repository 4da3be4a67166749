"""Vietnamese number formatting and parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.extract.numbers import NUMBER_RE, format_vi_number, match_unit, parse_ratio, parse_vi_number


@pytest.mark.parametrize("token, value", [
    ("16.839", 16839.0),
    ("8.602,658", 8602.658),
    ("111,8", 111.8),
    ("152 .206", 152206.0),
    ("1.000", 1000.0),
    ("22.264", 22264.0),
    ("96,39", 96.39),
    ("14", 14.0),
])
def test_parse_vi_number(token, value):
    assert parse_vi_number(token) == pytest.approx(value)


@pytest.mark.parametrize("sentence, token", [
    ("toàn quận có 16.839 doanh nghiệp", "16.839"),
    ("cho 152 .206 đối tượng", "152 .206"),
    ("thu ngân sách quận đạt 111,8 %", "111,8"),
])
def test_number_token_in_sentence(sentence, token):
    assert NUMBER_RE.search(sentence).group() == token


@pytest.mark.parametrize("text, pos, unit, factor", [
    ("8.602,658 tỷ đồng", 9, "vnd_billion", 1.0),
    ("5 nghìn tỷ đồng", 1, "vnd_billion", 1000.0),
    ("300 triệu đồng", 3, "vnd_million", 1.0),
    ("33,8 triệu đồng/người/năm", 4, "vnd_million_per_person_per_year", 1.0),
    ("7,2 triệu đồng/người/tháng", 3, "vnd_million_per_person_per_month", 1.0),
    ("2 lần/năm", 1, "times_per_year", 1.0),
    ("111,8 %", 5, "percent", 1.0),
    ("32 giờ/năm", 2, "hours_per_year", 1.0),
])
def test_units(text, pos, unit, factor):
    got = match_unit(text, pos)
    assert got is not None
    assert (got[0].name, got[0].factor) == (unit, factor)


def test_ratio():
    assert parse_ratio("202/200") == (202.0, 200.0)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=3))
def test_round_trip(integer_part, decimals):
    value = integer_part / (10 ** decimals)
    text = format_vi_number(value, decimals)
    assert parse_vi_number(text) == pytest.approx(round(value, decimals))
    assert NUMBER_RE.fullmatch(text)
