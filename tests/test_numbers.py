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
    ("1,5 triệu USD", 3, "usd", 1e6),
    ("200 nghìn đồng", 3, "vnd", 1e3),
    ("3 nghìn tấn", 1, "tonne", 1e3),
    ("14,6%o", 4, "per_mille", 1.0),
    ("29.000m2", 6, "square_metre", 1.0),
    ("700kg", 3, "kg", 1.0),
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


# --------------------------------------------------------------------------- #
# Unicode around numbers (issue 17 item 5): group spaces and zero-width characters
# --------------------------------------------------------------------------- #

from etl.extract.metrics import extract_metrics  # noqa: E402
from etl.extract.numbers import GROUP_SPACES, ZERO_WIDTH, dot_group_spaces, number_view  # noqa: E402


@pytest.mark.parametrize("sentence, value, unit", [
    ("toàn quận có 16\u00a0839 doanh nghiệp", 16839, "count"),
    ("toàn quận có 16\u202f839 doanh nghiệp", 16839, "count"),
    ("toàn quận có 16\u2009839 doanh nghiệp", 16839, "count"),
    ("tổng thu ngân sách là 8\u00a0602,658 tỷ đồng", 8602.658, "vnd_billion"),
    ("tổng thu ngân sách là 8\u202f602,658 tỷ đồng", 8602.658, "vnd_billion"),
    ("tổng thu ngân sách là 8.602,658\u200b tỷ đồng", 8602.658, "vnd_billion"),
    ("tổng thu ngân sách là \ufeff8.602,658 tỷ\u2060 đồng", 8602.658, "vnd_billion"),
    ("toàn quận có 1\u200c6.8\u200d39 doanh nghiệp", 16839, "count"),
])
def test_group_spaces_and_zero_width(sentence, value, unit):
    [m] = extract_metrics(sentence)
    assert (m.value, m.unit) == (pytest.approx(value), unit)
    assert sentence[m.char_start:m.char_end] == m.quote


@pytest.mark.parametrize("text, dotted", [
    ("có 16\u00a0839 doanh nghiệp", "có 16.839 doanh nghiệp"),
    ("là 8\u202f602,658 tỷ đồng", "là 8.602,658 tỷ đồng"),
    ("1\u2009000\u2009000 người", "1.000.000 người"),
    # not thousands groups: a year after a day, words, a 4-digit group
    ("ngày 21\u00a02023", "ngày 21\u00a02023"),
    ("Quận\u00a01 có 12\u00a0345", "Quận\u00a01 có 12.345"),
])
def test_dot_group_spaces(text, dotted):
    assert dot_group_spaces(text) == dotted
    assert len(dot_group_spaces(text)) == len(text)


def test_number_view_keeps_offsets():
    view = number_view("có 8\u202f602,658\u200b tỷ đồng")
    assert view.text == "có 8.602,658 tỷ đồng"
    assert view.span(3, 20) == (3, 21)


# Sentences whose figures the rules read (seed and dev wording); the property:
# sprinkling zero-width characters anywhere in a figure or its unit, and printing
# its thousands groups with a no-break / narrow / thin space, changes no value,
# no unit, and every quote is still the text at its offsets.
_FIGURES = [
    ("toàn quận có {n} doanh nghiệp", "count"),
    ("tổng thu ngân sách trên địa bàn quận là {n} tỷ đồng", "vnd_billion"),
    ("thu ngân sách quận đạt {n}%", "percent"),
    ("hỗ trợ cho {n} đối tượng với số tiền là 82.367 tỷ đồng", "count"),
]


@st.composite
def _figure_sentences(draw):
    template, unit = draw(st.sampled_from(_FIGURES))
    integer = draw(st.integers(min_value=1000, max_value=10**9))
    decimals = draw(st.integers(min_value=0, max_value=3)) if unit != "count" else 0
    value = integer / 10 ** decimals
    plain = template.format(n=format_vi_number(value, decimals))
    space = draw(st.sampled_from(GROUP_SPACES))
    spaced = template.format(n=format_vi_number(value, decimals).replace(".", space))
    # zero-width characters inside the figure, next to it and inside its unit
    chars = list(draw(st.sampled_from([plain, spaced])))
    lo = template.index("{n}")
    hi = min(len(chars), lo + len(format_vi_number(value, decimals)) + 8)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        chars.insert(draw(st.integers(min_value=lo, max_value=hi)), draw(st.sampled_from(ZERO_WIDTH)))
    return plain, "".join(chars)


@given(_figure_sentences())
def test_unicode_around_numbers_changes_no_fact(pair):
    plain, noisy = pair
    expected = [(m.value, m.unit, m.indicator) for m in extract_metrics(plain)]
    got = extract_metrics(noisy)
    assert [(m.value, m.unit, m.indicator) for m in got] == expected
    for m in got:
        assert noisy[m.char_start:m.char_end] == m.quote
        assert m.quote.strip(ZERO_WIDTH)  # no fact quotes only invisible characters
