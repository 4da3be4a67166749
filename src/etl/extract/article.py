"""Article-level metadata: dateline, outlet, byline, district/province, year.

`extract_metadata` completes and corrects what the cleaner (plain text) or the
HTML metadata (trafilatura) already found. Places come from a gazetteer of
every district-level unit of Hà Nội and Thành phố Hồ Chí Minh
(`etl/data/districts.csv`) and of the provinces, including the 2025 mergers
(`etl/data/provinces.csv`); districts elsewhere resolve to their province only.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from etl.textclean import (
    VIETNAM_TZ,
    clean_author,
    find_byline,
    find_dateline,
    find_outlet,
    normalize,
    place_names,
)

log = logging.getLogger(__name__)


@dataclass
class ArticleMeta:
    """Metadata of one article, as stored in the `articles` table."""

    title: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: dt.datetime | None = None  # naive, Vietnam local time
    district: str | None = None  # canonical, without "quận" ("Nam Từ Liêm", "Quận 1")
    province: str | None = None  # canonical ("Hà Nội", "Thành phố Hồ Chí Minh")
    year: int | None = None  # partition key: published year, else the text's salient year


# --------------------------------------------------------------------------- #
# Gazetteer
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Place:
    """One gazetteer entry: canonical name, its province, and every spelling."""

    name: str
    kind: str  # quận, huyện, thị xã, thành phố, tỉnh
    province: str  # itself for provinces
    aliases: tuple[str, ...] = ()
    is_district: bool = True


@dataclass
class Gazetteer:
    """Districts and provinces, and one compiled pattern for all their spellings."""

    districts: list[Place] = field(default_factory=list)
    provinces: list[Place] = field(default_factory=list)
    by_name: dict[str, Place | None] = field(default_factory=dict)  # spelling -> place (None: not a place)
    numbered: dict[int, Place] = field(default_factory=dict)  # 1 -> Quận 1
    pattern: re.Pattern | None = None


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a packaged data file (src/etl/data/<name>)."""
    with resources.files("etl").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# Administrative prefixes in front of a district name ("quận", "huyện", "TP").
_DISTRICT_PREFIX = r"(?:[Qq]uận|QUẬN|[Hh]uyện|HUYỆN|[Tt]hị xã|THỊ XÃ|[Tt]hành phố|THÀNH PHỐ|TP\.?|Q\.)\s*"
# Numbered districts exist only with a prefix ("quận 1", "Q.1", "Q1"): a bare
# number, a date ("1/4") or a quarter ("Q1/2023", "Q1 2023") is never a district.
_NUMBERED = re.compile(
    r"(?<![\w.])(?:(?:[Qq]uận|QUẬN)\s+|Q\.\s?|Q)(?P<n>\d{1,2})"
    r"(?![\d/,.]\d|\d)(?!\s*[-–/]\s*\d)(?!\s*(?:năm\s+)?(?:19|20)\d\d)"
)
# Phrases that contain a place name but are not places: the Pacific Ocean,
# President Hồ Chí Minh (the city is always written with "TP"/"Thành phố").
_NOT_PLACES = ("Thái Bình Dương", "Hồ Chí Minh")


def _trie_regex(words: list[str]) -> str:
    """One regex matching any of `words`, longest first, built as a prefix trie (fast)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # an optional continuation is greedy, so the longest spelling wins
        return f"(?:{body})?" if end else body

    return emit(trie)


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, compiled once.

    >>> g = load_gazetteer()
    >>> sorted(p.name for p in g.districts if p.name.startswith("Quận 1"))
    ['Quận 1', 'Quận 10', 'Quận 11', 'Quận 12']
    """
    gaz = Gazetteer()
    for row in _read_csv("districts.csv"):
        aliases = tuple(a for a in row["aliases"].split("|") if a)
        gaz.districts.append(Place(row["name"], row["kind"], row["province"], aliases, True))
    for row in _read_csv("provinces.csv"):
        aliases = tuple(a for a in row["aliases"].split("|") if a)
        gaz.provinces.append(Place(row["name"], row["kind"], row["name"], aliases, False))

    for place in [*gaz.provinces, *gaz.districts]:  # districts last: they win a shared spelling
        m = re.fullmatch(r"Quận (\d+)", place.name)
        if m:
            gaz.numbered[int(m.group(1))] = place
            continue
        for spelling in (place.name, *place.aliases):
            for variant in (spelling, spelling.upper()):
                gaz.by_name[variant] = place
    for phrase in _NOT_PLACES:
        gaz.by_name[phrase] = None
        gaz.by_name[phrase.upper()] = None
    names = _trie_regex(sorted(gaz.by_name))
    gaz.pattern = re.compile(rf"(?<![\w.])(?P<prefix>{_DISTRICT_PREFIX})?(?P<name>{names})(?!\w)")
    return gaz


@dataclass
class PlaceMention:
    """One place found in a text."""

    place: Place
    prefixed: bool
    start: int
    end: int


def find_places(text: str) -> list[PlaceMention]:
    """Every district or province mention, non-overlapping, longest first.

    >>> [(m.place.name, m.prefixed) for m in find_places("quận 1 và Quận 10, ngày 1/4, Q1/2023")]
    [('Quận 1', True), ('Quận 10', True)]
    """
    gaz = load_gazetteer()
    out = []
    for m in gaz.pattern.finditer(text):
        whole = gaz.by_name.get(m.group(0), False)
        if whole is not False:  # "Thành phố Hồ Chí Minh" is itself a spelling
            place, prefixed = whole, False
        else:
            place, prefixed = gaz.by_name.get(m["name"]), m["prefix"] is not None
        if place is not None:
            out.append(PlaceMention(place, prefixed, m.start(), m.end()))
    for m in _NUMBERED.finditer(text):
        place = gaz.numbered.get(int(m["n"]))
        if place is not None:
            out.append(PlaceMention(place, True, m.start(), m.end()))
    out.sort(key=lambda pm: pm.start)
    return out


def _score(mentions: list[PlaceMention]) -> Counter:
    """Mentions per canonical name; an administrative prefix makes a mention count double."""
    scores: Counter = Counter()
    for m in mentions:
        scores[m.place.name] += 2 if m.prefixed else 1
    return scores


def resolve_places(text: str, title: str | None = None) -> tuple[str | None, str | None]:
    """(district, province): the district the title names, else the most mentioned one.

    >>> resolve_places("Quận hoàn thành 14/14 chỉ tiêu. Quận Ba Đình ...", "Quận Ba Đình phát động thi đua")
    ('Ba Đình', 'Hà Nội')
    """
    title_mentions = find_places(title) if title else []
    body_mentions = find_places(text)
    body_scores = _score(body_mentions)
    places = {m.place.name: m.place for m in [*title_mentions, *body_mentions]}

    district = None
    title_districts = [m.place.name for m in title_mentions if m.place.is_district]
    if title_districts:
        district = max(dict.fromkeys(title_districts), key=lambda n: body_scores[n])
    else:
        ranked = [(s, n) for n, s in body_scores.items() if places[n].is_district]
        # one bare mention (e.g. a street or a hall named after a district) is not enough
        ranked = [(s, n) for s, n in ranked if s >= 2]
        if ranked:
            district = max(ranked)[1]
    if district is not None:
        return district, places[district].province

    province_scores = Counter({n: s for n, s in body_scores.items() if not places[n].is_district})
    for m in title_mentions:
        if not m.place.is_district:
            province_scores[m.place.name] += 3
    # districts of the two cities also vote for their province
    for n, s in body_scores.items():
        if places[n].is_district and s >= 2:
            province_scores[places[n].province] += 1
    lead = text[:300]
    for m in body_mentions:
        if m.start < len(lead) and not m.place.is_district:
            province_scores[m.place.name] += 1
    if province_scores:
        name, score = province_scores.most_common(1)[0]
        if score >= 2:
            return None, name
    return None, None


# --------------------------------------------------------------------------- #
# Dates and years
# --------------------------------------------------------------------------- #

def to_vietnam_time(value: dt.datetime | dt.date | str | None) -> dt.datetime | None:
    """A naive datetime in Vietnam local time from a datetime, date or ISO string.

    >>> to_vietnam_time("2024-11-23T10:11:03+00:00")
    datetime.datetime(2024, 11, 23, 17, 11, 3)
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            log.debug("unparseable published_at %r", value)
            return None
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM_TZ).replace(tzinfo=None)
    return value


_YEAR = re.compile(r"(?<![\d/.,-])(?:(?P<nam>năm|Năm|NĂM)\s+)?(?P<y>(?:19[5-9]|20[0-4])\d)(?![\d.,]\d|\d)")
_DATE_YEAR = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*((?:19|20)\d{2})(?!\d)")


def salient_year(text: str, title: str | None = None) -> int | None:
    """The year a text is most about: "năm 2022" and full dates count most.

    >>> salient_year("Kết quả năm 2022, ... năm 2022 ... giai đoạn 2015 - 2020")
    2022
    """
    scores: Counter = Counter()
    for source, weight in ((text, 1), (title or "", 2)):
        for m in _YEAR.finditer(source):
            scores[int(m["y"])] += weight * (2 if m["nam"] else 1)
        for m in _DATE_YEAR.finditer(source):
            scores[int(m.group(1))] += weight * 2
    if not scores:
        return None
    # ties go to the later year: reports look back at one year and plan the next
    return max(scores.items(), key=lambda kv: (kv[1], kv[0]))[0]


# --------------------------------------------------------------------------- #
# The public entry point
# --------------------------------------------------------------------------- #

def extract_metadata(
    text: str,
    *,
    title: str | None = None,
    author: str | None = None,
    published_at: dt.datetime | dt.date | str | None = None,
    source: str | None = None,
    sitename: str | None = None,
) -> ArticleMeta:
    """Complete the metadata of one cleaned article.

    Given values win unless they are site names posing as authors or a bare
    date that the text's dateline refines with a time.

    >>> m = extract_metadata("Quận 1 thi đua\\nThứ sáu, 29/03/2024 16:37\\n(ĐCSVN) - Trong thời gian qua, "
    ...                      "các phong trào thi đua trên địa bàn quận 1 (Thành phố Hồ Chí Minh) tiếp tục phát triển.")
    >>> (m.title, m.source, m.published_at, m.district, m.province, m.year)
    ('Quận 1 thi đua', 'ĐCSVN', datetime.datetime(2024, 3, 29, 16, 37), 'Quận 1', 'Thành phố Hồ Chí Minh', 2024)
    """
    text = normalize(text or "")
    lines = [ln for ln in text.split("\n") if ln]
    if title:
        title = normalize(title) or None
    if not title and lines:
        title = lines[0]
    body_lines = lines[1:] if lines and lines[0] == title else lines

    places = place_names()  # place names keep datelines out of bylines and outlets
    if author:
        author = clean_author(author, sitename=sitename)
    if not author:
        author = find_byline(lines, title=title, places=places)

    given = to_vietnam_time(published_at)
    from_text = find_dateline(lines, title=title)
    if given is None:
        published = from_text
    elif from_text is not None and from_text.date() == given.date() and given.time() == dt.time(0, 0):
        published = from_text  # the page's metadata had the day only; the dateline has the time
    else:
        published = given

    if not source:
        source = find_outlet(body_lines, places=places)

    district, province = resolve_places(text, title)
    year = published.year if published else salient_year(text, title)
    return ArticleMeta(
        title=title,
        source=source,
        author=author,
        published_at=published,
        district=district,
        province=province,
        year=year,
    )
