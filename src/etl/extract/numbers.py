"""Vietnamese number and unit parsing.

Vietnamese prints thousands with '.' and decimals with ',': "16.839" is 16839,
"8.602,658" is 8602.658, "111,8 %" is 111.8. Outlets also leave typos such as
"152 .206" (a stray space before the thousands dot). Units follow the number:
"%", "tỷ đồng", "nghìn tỷ đồng", "triệu đồng", "giờ/năm", or a counted noun.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# One number token. Thousands groups first (so "1.000" is not read as 1.0),
# allowing one stray space before a group's dot ("152 .206"); then a plain
# integer with an optional decimal part. Digits glued to letters ("U23",
# "Covid-19" is handled by callers) are refused by the look-arounds.
NUMBER_RE = re.compile(
    r"(?<![\w.,])"
    r"(?:\d{1,3}(?:(?: ?\.)\d{3})+(?:,\d+)?"  # 16.839 / 8.602,658 / 152 .206
    r"|\d+(?:[.,]\d+)?)"  # 14 / 111,8 / 2.5 (a dotted decimal, rare)
    r"(?!\w)"
)

_THOUSANDS_RE = re.compile(r"^\d{1,3}(?: ?\.\d{3})+(?:,\d+)?$")


def parse_vi_number(token: str) -> float:
    """The value of a Vietnamese-formatted number token.

    >>> parse_vi_number("8.602,658")
    8602.658
    >>> parse_vi_number("152 .206")
    152206.0
    """
    s = token.strip().replace("\u00a0", " ")
    if _THOUSANDS_RE.match(s):
        s = s.replace(" ", "").replace(".", "").replace(",", ".")
        return float(s)
    s = s.replace(" ", "")
    if "," in s:
        # a lone comma is the decimal separator ("111,8")
        return float(s.replace(".", "").replace(",", "."))
    # a lone dot not followed by exactly three digits is a decimal point
    return float(s)


def format_vi_number(value: float, decimals: int = 0) -> str:
    """Print a number the Vietnamese way (inverse of `parse_vi_number`).

    >>> format_vi_number(8602.658, 3)
    '8.602,658'
    """
    text = f"{value:,.{decimals}f}"  # 8,602.658
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class Unit:
    """A recognised unit after a number: its name and the factor to apply."""

    name: str
    factor: float = 1.0


# Units printed after the number, longest first; the key is a regex matched
# right after the number (with optional whitespace). Money is normalised to
# billions of VND ("nghìn tỷ" = 1000 tỷ) so that sums across articles work.
UNIT_RULES: list[tuple[re.Pattern[str], Unit]] = [
    (re.compile(r"\s?%"), Unit("percent")),
    (re.compile(r"\s+phần\s+trăm\b"), Unit("percent")),
    (re.compile(r"\s+(?:nghìn|ngàn)\s+t[ỷỉ](?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b)?(?!\s+(?:USD|đô))"), Unit("vnd_billion", 1000.0)),
    (re.compile(r"\s+t[ỷỉ](?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b)(?!\w)"), Unit("vnd_billion")),  # "tỉ" is a common spelling
    (re.compile(r"\s+t[ỷỉ](?=\s*[,.;:)!?…]|\s*$)"), Unit("vnd_billion")),
    (re.compile(r"\s+t[ỷỉ]\s+(?:USD|đô\s+la|đôla)\b"), Unit("usd_billion")),
    (re.compile(r"\s+triệu\s+(?:USD|đô\s+la|đôla)\b"), Unit("usd_million")),
    # per-head money before the plain amount: "33,8 triệu đồng/người/năm" (income per capita)
    (re.compile(r"\s+triệu(?:\s+đồng|\s+VNĐ|\s+VND|\s+đ)?\s?/\s?(?:người|nhân\s+khẩu)\s?/\s?năm\b"), Unit("vnd_million_per_person_year")),
    (re.compile(r"\s+triệu(?:\s+đồng|\s+VNĐ|\s+VND|\s+đ)?\s?/\s?(?:người|nhân\s+khẩu)\s?/\s?tháng\b"), Unit("vnd_million_per_person_month")),
    (re.compile(r"\s+triệu(?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b)(?!\w)"), Unit("vnd_million")),
    (re.compile(r"\s+(?:nghìn|ngàn)\s+đồng\b"), Unit("vnd_million", 0.001)),
    (re.compile(r"\s+USD\b"), Unit("usd")),
    # plain đồng ("4.805 đồng/cổ phiếu"), but not "2 đồng chí", "đồng bào"
    (re.compile(r"\s+(?:đồng|VNĐ|VND)(?![^\W\d_])(?!\s+(?:chí|bào|hồ|ruộng|đội|nghiệp|tình|lòng|ý|loạt|bộ|phục|hương|minh|tiền|thời|bằng))"), Unit("vnd")),
    (re.compile(r"\s+giờ\s?/\s?năm\b"), Unit("hours_per_year")),
    (re.compile(r"\s+ngày\s?/\s?năm\b"), Unit("days_per_year")),
    # frequencies: "khám sức khỏe 2 lần/năm"
    (re.compile(r"\s+lần\s?/\s?năm\b"), Unit("times_per_year")),
    (re.compile(r"\s+lần\s?/\s?tháng\b"), Unit("times_per_month")),
    (re.compile(r"\s+lần\s?/\s?tuần\b"), Unit("times_per_week")),
    (re.compile(r"\s+(?:ha|héc-ta|hecta|héc ta)(?!\w)"), Unit("hectare")),
    (re.compile(r"\s?km(?!\w|/)"), Unit("km")),
    (re.compile(r"\s?(?:m2|m²)(?!\w)"), Unit("square_metre")),
    (re.compile(r"\s+tấn(?!\w)"), Unit("tonne")),
]


def match_unit(text: str, pos: int) -> tuple[Unit, int] | None:
    """The unit printed at `text[pos:]` and where it ends, if any.

    >>> match_unit("5 nghìn tỷ đồng", 1)
    (Unit(name='vnd_billion', factor=1000.0), 15)
    """
    for pattern, unit in UNIT_RULES:
        m = pattern.match(text, pos)
        if m:
            return unit, m.end()
    return None


# Ratios "14/14", "202/200": two plain integers around a slash.
RATIO_RE = re.compile(r"(?<![\w./,-])(\d{1,5})\s?/\s?(\d{1,5})(?![\w/.,]\d|\w|/)")


def parse_ratio(token: str) -> tuple[float, float]:
    """Numerator and denominator of "x/y".

    >>> parse_ratio("202/200")
    (202.0, 200.0)
    """
    a, b = token.split("/")
    return float(a.strip()), float(b.strip())


__all__ = [
    "NUMBER_RE", "RATIO_RE", "UNIT_RULES", "Unit",
    "format_vi_number", "match_unit", "parse_ratio", "parse_vi_number",
]
