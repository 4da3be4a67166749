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
# Units printed glued to the number ("700kg", "29.000m2", "147.240.000đ", "14,6%o"):
# the number may end right before them, and only before them ("U23", "10h", "9A4" stay out).
GLUED_UNIT = r"(?:kg|km2|km²|km|m2|m²|m|ha|đ|tấn|%o)(?!\w)"
NUMBER_RE = re.compile(
    r"(?<![\w.,])"
    r"(?:\d{1,3}(?:(?: ?\.)\d{3})+(?:,\d+)?"  # 16.839 / 8.602,658 / 152 .206
    r"|\d+(?:[.,]\d+)?)"  # 14 / 111,8 / 2.5 (a dotted decimal, rare)
    rf"(?:(?!\w)|(?={GLUED_UNIT}))"
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


# --------------------------------------------------------------------------- #
# Unicode around numbers (issue 17 item 5)
# --------------------------------------------------------------------------- #

# Spaces typeset between thousands groups ("16 839", "8 602,658 tỷ đồng"):
# NBSP, narrow NBSP, thin space, figure space.
GROUP_SPACES = "\u00a0\u202f\u2009\u2007"
# Characters with no width that copy-paste leaves inside or next to figures
# ("8.602,658\u200b tỷ đồng"): zero-width space / non-joiner / joiner, word joiner, BOM.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_GROUPED_RE = re.compile(rf"(?<![\d.,])\d{{1,3}}(?:[{GROUP_SPACES}]\d{{3}})+(?![\d])")
_GROUP_SPACE_RE = re.compile(f"[{GROUP_SPACES}]")
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")


@dataclass(frozen=True)
class TextView:
    """The text the rules read, and where each of its characters sits in the original.

    `positions` is None when the view is the original (nothing removed).
    """

    text: str
    positions: list[int] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of view[start:end]."""
        if self.positions is None:
            return start, end
        if start >= end:  # an empty span sits before the character at `start`
            at = self.positions[start] if start < len(self.positions) else (self.positions[-1] + 1 if self.positions else 0)
            return at, at
        return self.positions[start], self.positions[end - 1] + 1


def number_view(text: str) -> TextView:
    """`text` as the number rules read it: zero-width characters dropped, group spaces read as '.'.

    Zero-width characters are dropped first (`positions` maps the rest back);
    thousands groups separated by a no-break or thin space then become
    '.'-grouped ("16\u00a0839" reads as "16.839") and other such spaces read as
    plain spaces, both keeping the length.

    >>> v = number_view("có 8\u202f602,658\u200b tỷ đồng")
    >>> v.text, v.span(3, 12)
    ('có 8.602,658 tỷ đồng', (3, 12))
    """
    positions = None
    if _ZERO_WIDTH_RE.search(text):
        positions = [i for i, c in enumerate(text) if c not in ZERO_WIDTH]
        text = _ZERO_WIDTH_RE.sub("", text)
    if _GROUP_SPACE_RE.search(text):
        text = _GROUP_SPACE_RE.sub(" ", dot_group_spaces(text))
    return TextView(text, positions)


def dot_group_spaces(text: str) -> str:
    """Thousands groups printed with a no-break, narrow or thin space, re-printed with '.'.

    Same length as `text`, so offsets into it stay valid; a normaliser that turns
    every NBSP into a plain space should call this first, or "16\u00a0839" becomes
    "16 839" and reads as two numbers.

    >>> dot_group_spaces("có 16\u00a0839 doanh nghiệp, 8\u202f602,658 tỷ đồng")
    'có 16.839 doanh nghiệp, 8.602,658 tỷ đồng'
    """
    if not _GROUP_SPACE_RE.search(text):
        return text
    chars = list(text)
    for m in _GROUPED_RE.finditer(text):
        for i in range(m.start(), m.end()):
            if text[i] in GROUP_SPACES:
                chars[i] = "."
    return "".join(chars)


@dataclass(frozen=True)
class Unit:
    """A recognised unit after a number: its name and the factor to apply."""

    name: str
    factor: float = 1.0


# Units printed after the number, longest first; the key is a regex matched
# right after the number (with optional whitespace). Money is normalised to
# billions of VND ("nghìn tỷ" = 1000 tỷ) so that sums across articles work.
_VND = r"(?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b|đ(?!\w))"
_PER_PERSON = r"\s?/\s?(?:người|nhân\s+khẩu|lao\s+động)"
_PER_YEAR = r"\s?/\s?năm\b(?!\s+học)"  # "/năm học" (tuition) is not a calendar rate
_PER_MONTH = r"\s?/\s?tháng\b"
UNIT_RULES: list[tuple[re.Pattern[str], Unit]] = [
    # ‰ is printed "‰" or, on a keyboard without it, "%o": "tỷ suất sinh thô 14,6%o"
    (re.compile(r"\s?(?:‰|%o)(?!\w)"), Unit("per_mille")),
    (re.compile(r"\s?%"), Unit("percent")),
    (re.compile(r"\s+phần\s+trăm\b"), Unit("percent")),
    (re.compile(r"\s+phần\s+nghìn\b"), Unit("per_mille")),
    (re.compile(r"\s+(?:nghìn|ngàn)\s+t[ỷỉ](?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b)?(?!\s+(?:USD|đô))"), Unit("vnd_billion", 1000.0)),
    (re.compile(r"\s+triệu\s+t[ỷỉ](?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b)?(?!\s+(?:USD|đô))"), Unit("vnd_billion", 1e6)),
    (re.compile(rf"\s+t[ỷỉ]{_VND}{_PER_YEAR}"), Unit("vnd_billion_per_year")),
    (re.compile(r"\s+t[ỷỉ](?:\s+đồng|\s+VNĐ|\s+VND|\s+đ\b)(?!\w)"), Unit("vnd_billion")),  # "tỉ" is a common spelling
    (re.compile(r"\s+t[ỷỉ](?=\s*[,.;:)!?…]|\s*$)"), Unit("vnd_billion")),
    # per-head money before the plain amount: "33,8 triệu đồng/người/năm" (income per capita)
    (re.compile(rf"\s+triệu(?:{_VND})?{_PER_PERSON}\s?/\s?năm\b"), Unit("vnd_million_per_person_per_year")),
    (re.compile(rf"\s+triệu(?:{_VND})?{_PER_PERSON}\s?/\s?tháng\b"), Unit("vnd_million_per_person_per_month")),
    (re.compile(rf"\s+triệu(?:{_VND})?{_PER_PERSON}(?!\s?/|\w)"), Unit("vnd_million_per_person")),
    # a rate in time, like the per-person units: "50 triệu đồng/năm", "1,5 triệu đồng/tháng"
    (re.compile(rf"\s+triệu{_VND}{_PER_YEAR}"), Unit("vnd_million_per_year")),
    (re.compile(rf"\s+triệu{_VND}{_PER_MONTH}"), Unit("vnd_million_per_month")),
    (re.compile(rf"\s+triệu{_VND}(?!\w)"), Unit("vnd_million")),
    (re.compile(r"\s+(?:USD|đô\s+la|đôla)\b"), Unit("usd")),
    (re.compile(r"\s+(?:nhân\s+dân\s+tệ|NDT|CNY)\b"), Unit("cny")),
    (re.compile(r"\s+(?:EUR|[Ee]uro)\b"), Unit("eur")),
    (re.compile(r"\s+lượng\s+vàng\b"), Unit("luong")),
    (re.compile(r"\s+tháng\s+lương\b"), Unit("months_salary")),
    # plain đồng ("4.805 đồng/cổ phiếu", "147.240.000đ"), but not "2 đồng chí", "đồng bào"
    (re.compile(r"(?:\s+(?:đồng|VNĐ|VND)|đ)(?![^\W\d_])(?!\s+(?:chí|bào|hồ|ruộng|đội|nghiệp|tình|lòng|ý|loạt|bộ|phục|hương|minh|tiền|thời|bằng))"), Unit("vnd")),
    (re.compile(r"\s+giờ\s?/\s?năm\b"), Unit("hours_per_year")),
    (re.compile(r"\s+ngày\s?/\s?năm\b"), Unit("days_per_year")),
    # frequencies: "khám sức khỏe 2 lần/năm"
    (re.compile(r"\s+lần\s?/\s?năm\b"), Unit("times_per_year")),
    (re.compile(r"\s+lần\s?/\s?tháng\b"), Unit("times_per_month")),
    (re.compile(r"\s+lần\s?/\s?tuần\b"), Unit("times_per_week")),
    # areas, lengths and weights, spaced or glued: "60.600 ha", "29.000m2", "7,2 km", "50m", "700kg"
    (re.compile(r"\s?(?:ha|héc-ta|hecta|héc\s+ta)(?!\w)"), Unit("hectare")),
    (re.compile(r"\s?(?:km2|km²)(?!\w)|\s+ki-lô-mét\s+vuông\b"), Unit("square_km")),
    (re.compile(r"\s?km(?!\w|/)|\s+(?:ki-lô-mét|kilômét|kilomet|cây\s+số)(?!\w)"), Unit("km")),
    (re.compile(r"\s?(?:m2|m²)(?!\w)|\s+mét\s+vuông\b"), Unit("square_metre")),
    (re.compile(r"\s?m(?![\w²/])|\s+mét(?!\s+vuông|\w)"), Unit("meter")),
    (re.compile(r"\s?(?:kg|ki-lô-gam|kilôgam|kilogam)(?!\w)"), Unit("kg")),
    (re.compile(r"\s?tấn(?!\w)"), Unit("tonne")),
]


# A multiplier word before any other unit scales the value in that unit's own
# terms (gold README): "1,5 triệu USD" = 1500000 usd, "200 nghìn đồng" = 200000
# vnd, "3 nghìn tấn" = 3000 tonne. "triệu đồng" and "tỷ đồng" are units of their own.
_MULTIPLIER_UNIT_RE = re.compile(r"\s+(nghìn|ngàn|vạn|triệu|t[ỷỉ])(?=\s)")
MULTIPLIERS = {"nghìn": 1e3, "ngàn": 1e3, "vạn": 1e4, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
_SCALABLE_UNITS = frozenset({"usd", "cny", "eur", "vnd", "tonne", "hectare", "km", "square_km", "square_metre", "meter", "kg", "luong"})


def match_unit(text: str, pos: int) -> tuple[Unit, int] | None:
    """The unit printed at `text[pos:]` and where it ends, if any.

    >>> match_unit("5 nghìn tỷ đồng", 1)
    (Unit(name='vnd_billion', factor=1000.0), 15)
    >>> match_unit("1,5 triệu USD", 3)
    (Unit(name='usd', factor=1000000.0), 13)
    """
    for pattern, unit in UNIT_RULES:
        m = pattern.match(text, pos)
        if m:
            return unit, m.end()
    mult = _MULTIPLIER_UNIT_RE.match(text, pos)
    if mult:
        for pattern, unit in UNIT_RULES:
            m = pattern.match(text, mult.end())
            if m and unit.name in _SCALABLE_UNITS:
                return Unit(unit.name, unit.factor * MULTIPLIERS[mult.group(1)]), m.end()
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
    "GLUED_UNIT", "MULTIPLIERS", "NUMBER_RE", "RATIO_RE", "UNIT_RULES", "TextView", "Unit", "dot_group_spaces",
    "number_view",
    "format_vi_number", "match_unit", "parse_ratio", "parse_vi_number",
]
