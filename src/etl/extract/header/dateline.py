"""Datelines: publication times printed under the title, in it, or as a crawler's stamp line.

Times are naive Vietnam local time (the table contract); a stamp printed in
another zone ("GMT+0") is shifted to UTC+7.
"""

from __future__ import annotations

import datetime as dt
import re

from etl.text.words import WORD
from etl.text.words import words as _words

VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")

_DATE = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})"
_TIME = r"(?P<H>\d{1,2})\s*(?:[:h]\s*(?P<M>\d{2}))(?:\s*:\s*\d{2})?(?:\s*(?P<ampm>[AaPp][Mm]))?"
_DATE_RE = re.compile(rf"(?<![\d/.-]){_DATE}(?![\d/]|\.\d)")
_TIME_RE = re.compile(rf"(?<![\d:/]){_TIME}(?![\d/])")
_DATE_WORDS = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>(?:19|20)\d{2})", re.IGNORECASE
)
# Words that mark a line as a dateline ("Ngày đăng", "Cập nhật", weekdays, "GMT+7").
_DATELINE_CUE = re.compile(
    r"\b(?:ngày đăng|đăng ngày|đăng lúc|cập nhật|xuất bản|thời gian|ngày|thứ (?:hai|ba|tư|năm|sáu|bảy|\d)"
    r"|chủ nhật|gmt|utc)\b",
    re.IGNORECASE,
)
# A stamp printed at the end of a title: "... năm 2022 (20:47 21/01/2022)".
# A date inside the headline's sentence ("vào 20h00 ngày 26/04/2021 trên ...") is news, not a stamp.
_TITLE_STAMP = re.compile(r"\(([^()]{6,40})\)\s*$|\s[-–|]\s*([^-–|]{6,30})$")
# Number of non-empty lines from the top that may hold a dateline.
HEADER_LINES = 8


def make_datetime(y: int, m: int, d: int, hh: int | None = None, mm: int | None = None) -> dt.datetime | None:
    """A naive datetime, or None when the parts are not a real date/time."""
    try:
        return dt.datetime(y, m, d, hh or 0, mm or 0)
    except ValueError:
        return None


def parse_dateline(line: str) -> tuple[dt.datetime, bool] | None:
    """(datetime, has_time) from a dateline, time taken only when printed next to the date.

    >>> parse_dateline("Ngày đăng : 15:20, 23/10/2022")
    (datetime.datetime(2022, 10, 23, 15, 20), True)
    >>> parse_dateline("Sáng 18/5, quận Nam Từ Liêm tổ chức") is None
    True
    """
    m = _DATE_RE.search(line) or _DATE_WORDS.search(line)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    # a time must sit within a few characters of the date: after it, else before it
    after = _TIME_RE.search(line[m.end(): m.end() + 16])
    before = list(_TIME_RE.finditer(line[max(0, m.start() - 16): m.start()]))
    for t in (after, before[-1] if before else None):
        if t is None:
            continue
        hh, mm = int(t["H"]), int(t["M"])
        if t["ampm"]:
            hh = hh % 12 + (12 if t["ampm"].lower() == "pm" else 0)
        value = make_datetime(y, mo, d, hh, mm) if hh < 24 and mm < 60 else None
        if value:
            return value, True
    value = make_datetime(y, mo, d)
    return (value, False) if value else None


def is_dateline(line: str) -> bool:
    """A short line that is mostly a date/time stamp."""
    words = _words(line)
    if len(words) > 14:
        return False
    stripped = _DATE_RE.sub("", line)
    stripped = _TIME_RE.sub("", stripped)
    rest = len(WORD.findall(stripped))
    return rest <= 3 or bool(_DATELINE_CUE.search(line))


def find_header_dateline(lines: list[str], title: str | None = None) -> dt.datetime | None:
    """Publication time from the header lines (title included), Vietnam local time.

    A title may carry a stamp such as "(20:47 21/01/2022)", accepted only with
    a time; other header lines must look like datelines. A date without a year
    ("Sáng 18/5") gives None. (`etl.extract.header.find_dateline` adds the
    trailer's stamp.)

    >>> find_header_dateline(["Thứ sáu, 29/03/2024 16:37", "(ĐCSVN) - Trong thời gian qua ..."])
    datetime.datetime(2024, 3, 29, 16, 37)
    """
    if title:
        stamp = _TITLE_STAMP.search(title)
        found = parse_dateline(stamp.group(1) or stamp.group(2)) if stamp else None
        if found and found[1]:
            return found[0]
    seen = 0
    for line in lines:
        if not line or (title and line == title):
            continue
        seen += 1
        if seen > HEADER_LINES:
            break
        stamp = parse_stamp(line)
        if stamp:
            return stamp
        if is_dateline(line):
            found = parse_dateline(line)
            if found:
                return found[0]
    return None


# A time stamp alone on a line, as crawlers print it after the body or under
# the title: "28/05/13 06:23 GMT+7", "21/01/2022 20:47", "20:47 21-01-2022".
_STAMP_DATE = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})"
_STAMP_TIME = r"(?P<H>\d{1,2})\s*[:h]\s*(?P<M>\d{2})(?::\d{2})?"
_STAMP_ZONE = r"(?:\s*\(?(?:GMT|UTC)\s*(?P<tz>[+-]\s*\d{1,2})(?::?00)?\)?)?"
_STAMP_DATE_FIRST = re.compile(rf"^{_STAMP_DATE}\s*[,|-]?\s*{_STAMP_TIME}{_STAMP_ZONE}$", re.IGNORECASE)
_STAMP_TIME_FIRST = re.compile(rf"^{_STAMP_TIME}\s*[,|-]?\s*{_STAMP_DATE}{_STAMP_ZONE}$", re.IGNORECASE)


def parse_stamp(line: str) -> dt.datetime | None:
    """A stamp line as naive Vietnam local time; two-digit years are 20yy.

    >>> parse_stamp("28/05/13 06:23 GMT+7")
    datetime.datetime(2013, 5, 28, 6, 23)
    >>> parse_stamp("28/05/13 06:23 GMT+0")
    datetime.datetime(2013, 5, 28, 13, 23)
    >>> parse_stamp("Sáng 28/5, quận tổ chức hội nghị") is None
    True
    """
    m = _STAMP_DATE_FIRST.match(line) or _STAMP_TIME_FIRST.match(line)
    if not m:
        return None
    year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    hh, mm = int(m["H"]), int(m["M"])
    if not (1900 <= year <= 2099 and hh < 24 and mm < 60):
        return None
    value = make_datetime(year, int(m["m"]), int(m["d"]), hh, mm)
    if value is not None and m["tz"]:
        # printed in another zone: shift to Vietnam time (UTC+7)
        value += dt.timedelta(hours=7 - int(m["tz"].replace(" ", "")))
    return value


def trailer_stamp(line: str) -> dt.datetime | None:
    """A dateline printed after the body: a stamp line, or a short dateline with a time
    ("Cập nhật: 15:20, 23/10/2022")."""
    stamp = parse_stamp(line)
    if stamp is None and len(_words(line)) <= 8 and is_dateline(line):
        found = parse_dateline(line)
        stamp = found[0] if found and found[1] else None
    return stamp
