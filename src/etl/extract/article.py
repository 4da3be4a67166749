"""Article-level metadata: dateline, outlet, byline, district/province, year.

`extract_metadata` completes and corrects what the cleaner (plain text) or the
HTML metadata (trafilatura) already found; the header readers are in
`etl.extract.header`. Places come from the gazetteer (`etl.gazetteer`): every
district-level unit of Hà Nội and Thành phố Hồ Chí Minh and the provinces,
including the 2025 mergers; districts elsewhere resolve to their province only.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass

from etl.extract.header import VIETNAM_TZ, clean_author, read_header
from etl.gazetteer import Gazetteer, Place, load_gazetteer, place_names, surnames
from etl.text.normalise import normalize

__all__ = ["ArticleMeta", "Gazetteer", "Place", "PlaceMention", "extract_metadata", "find_places", "load_gazetteer",
           "resolve_places", "salient_year", "to_vietnam_time"]

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
# Place mentions
# --------------------------------------------------------------------------- #

# Numbered districts exist only with a prefix ("quận 1", "Q.1", "Q1"): a bare
# number, a date ("1/4") or a quarter ("Q1/2023", "Q1 2023") is never a district.
_NUMBERED = re.compile(
    r"(?<![\w.])(?:(?:[Qq]uận|QUẬN)\s+(?:[ủu][ỷy]\s+)?|Q\.\s?|Q)(?P<n>\d{1,2})"
    r"(?![\d/,.]\d|\d)(?!\s*[-–/]\s*\d)(?!\s*(?:năm\s+)?(?:19|20)\d\d)"
)
# A name right after these words is a commune, street, river, bridge or market
# named like a district ("thị trấn Đức Thọ", "đường Lê Chân", "sông Tam Bình"):
# no mention of the district.
_NOT_DISTRICT_BEFORE = re.compile(
    r"(?:\b(?:thị trấn|xã|phường|thôn|ấp|bản|khu phố|tổ dân phố|đường|phố|ngõ|hẻm|sông|cầu|chợ|hồ|núi|đèo|đảo|vịnh"
    r"|bến|cảng|khu|trường|chùa|đình|đền|nhà thi đấu|hội trường|sân|ga|cửa khẩu|làng|thị tứ"
    r"|Thị trấn|Xã|Phường|Đường|Phố|Sông|Cầu|Chợ|Hồ|Núi|Đảo|Vịnh|Trường|Chùa)\s+)$"
)
# An address inside a clause: "(41 tuổi, trú xã A, huyện B)", "quê ở huyện C".
# Such a district is where a person lives, not what the article is about.
_ADDRESS_BEFORE = re.compile(
    r"\b(?:trú|ngụ|quê|quê quán|nguyên quán|địa chỉ|HKTT|sinh năm|SN)\b[^.;:()\n“”\"]{0,60}$"
)


@dataclass
class PlaceMention:
    """One place found in a text; `candidates` holds every district of a shared name."""

    place: Place
    prefixed: bool
    start: int
    end: int
    candidates: tuple[Place, ...] = ()
    address: bool = False  # inside a person's address ("trú huyện X")


_WORD_BEFORE = re.compile(r"(\w+)\s$")
# "Q3" without a dot is a quarter in business copy ("báo lãi đột biến Q3");
# it is a district only where the article speaks of TP.HCM.
_HCM_CONTEXT = re.compile(r"TP\.?\s?HCM|TPHCM|Hồ Chí Minh|Sài Gòn")


def find_places(text: str) -> list[PlaceMention]:
    """Every district or province mention, non-overlapping, longest first.

    A district name after a commune/street word ("thị trấn Đức Thọ") is skipped.

    >>> [(m.place.name, m.prefixed) for m in find_places("quận 1 và Quận 10, ngày 1/4, Q1/2023")]
    [('Quận 1', True), ('Quận 10', True)]
    >>> [m.place.name for m in find_places("Huyện ủy Hương Sơn, thị trấn Đức Thọ")]
    ['Hương Sơn']
    """
    gaz = load_gazetteer()
    out = []
    for m in gaz.pattern.finditer(text):
        whole = gaz.by_name.get(m.group(0))
        if whole is not None:  # "Thành phố Hồ Chí Minh" is itself a spelling
            places, prefixed = whole, False
        else:
            places, prefixed = gaz.by_name.get(m["name"], ()), m["prefix"] is not None
        if not places:
            continue
        before = text[max(0, m.start() - 70): m.start()]
        if not prefixed and all(p.is_district for p in places) and _NOT_DISTRICT_BEFORE.search(before):
            continue
        word = _WORD_BEFORE.search(before) if not prefixed else None
        if word and word.group(1) in surnames():
            continue  # "Nguyễn Xuân Trường" is a person, not huyện Xuân Trường
        address = bool(_ADDRESS_BEFORE.search(before))
        out.append(PlaceMention(places[0], prefixed, m.start(), m.end(), places, address))
    hcm = None
    for m in _NUMBERED.finditer(text):
        place = gaz.numbered.get(int(m["n"]))
        if place is not None and m.group(0)[1].isdigit():
            hcm = bool(_HCM_CONTEXT.search(text)) if hcm is None else hcm
            if not hcm:
                continue
        if place is not None:
            before = text[max(0, m.start() - 70): m.start()]
            out.append(PlaceMention(place, True, m.start(), m.end(), (place,), bool(_ADDRESS_BEFORE.search(before))))
    out.sort(key=lambda pm: pm.start)
    return out


# The lead: the first paragraph after the title, up to this many characters
# (baomoi copies run the whole body into one line).
_LEAD_CHARS = 400


# Places joined only by a comma, semicolon or "và" (with an organisation word
# such as "Tỉnh đoàn" allowed in between): an enumeration.
_LIST_GAP = re.compile(r"^\s*(?:[,;]|và)\s*(?:(?:các\s+)?[A-ZĐ]\w*\s+(?:đoàn|ủy|uỷ)\s+)?$")
# "Ngày 19-12 tại Hà Nội, ...": the venue of a national meeting, not its subject.
_VENUE_BEFORE = re.compile(r"(?:^|\n)[^\n]{0,30}\d[^\n]{0,10}\s+tại\s+$")


def _in_lists(text: str, mentions: list[PlaceMention]) -> set[int]:
    """Indexes of mentions inside an enumeration of three or more places."""
    out: set[int] = set()
    run = [0] if mentions else []
    for i in range(1, len(mentions) + 1):
        if i < len(mentions) and _LIST_GAP.match(text[mentions[i - 1].end: mentions[i].start]):
            run.append(i)
            continue
        if len(run) >= 3:
            out.update(run)
        run = [i]
    return out


def _province_scores(text: str, title_mentions: list[PlaceMention], body_mentions: list[PlaceMention]) -> Counter:
    """Province mentions: title 3, lead 2, body 1 each (a province spelled "TP Đà Nẵng" included).

    Mentions in a list of three or more places, in a person's address, or
    naming the venue after a date weigh nothing or less.
    """
    scores: Counter = Counter()
    for m in title_mentions:
        if not m.place.is_district:
            scores[m.place.name] += 3
    listed = _in_lists(text, body_mentions)
    for i, m in enumerate(body_mentions):
        if m.place.is_district or m.address or i in listed:
            continue
        venue = bool(_VENUE_BEFORE.search(text[max(0, m.start - 50): m.start]))
        scores[m.place.name] += 2 if m.start < _LEAD_CHARS and not venue else 1
    return scores


def _disambiguate(mentions: list[PlaceMention], province_scores: Counter) -> None:
    """Pick, for each shared district name, the candidate whose province the article names most.

    The province printed right after the district ("huyện Châu Thành, tỉnh Long An")
    decides first; a name whose province is never mentioned stays unresolved
    (its candidates are cleared).
    """
    for i, m in enumerate(mentions):
        if len(m.candidates) < 2:
            continue
        near = [n.place.name for n in mentions[i + 1: i + 3] if not n.place.is_district and n.start - m.end < 25]
        provinces = {p.province for p in m.candidates}
        if near and near[0] in provinces:
            best = near[0]
        else:
            ranked = sorted(provinces, key=lambda p: -province_scores[p])
            best = ranked[0] if province_scores[ranked[0]] > (province_scores[ranked[1]] if len(ranked) > 1 else 0) else None
        chosen = tuple(p for p in m.candidates if p.province == best)
        if best is None or not chosen:
            m.candidates = ()
        else:
            m.place, m.candidates = chosen[0], (chosen[0],)


def resolve_places(text: str, title: str | None = None) -> tuple[str | None, str | None]:
    """(district, province) the article is about.

    A district counts when it is printed with its prefix ("huyện Đức Thọ") at
    least once; bare mentions then add to it. The district named in the title
    wins, then one named in the lead paragraph, then a district mentioned at
    least twice and more than any other. A district in a person's address
    ("trú huyện X") never counts. Same-named districts are told apart by the
    province the article names.

    >>> resolve_places("Quận hoàn thành 14/14 chỉ tiêu. Quận Ba Đình ...", "Quận Ba Đình phát động thi đua")
    ('Ba Đình', 'Hà Nội')
    >>> resolve_places("Ngày 1/11, tại vùng biển huyện Tĩnh Gia (Thanh Hóa) người dân phát hiện ...", "Phát hiện cá voi")
    ('Tĩnh Gia', 'Thanh Hóa')
    """
    title_mentions = find_places(title) if title else []
    body_mentions = find_places(text)
    if title and text.startswith(title):
        # the cleaned text starts with the title: its mentions are the title's
        body_mentions = [m for m in body_mentions if m.start >= len(title)]
    province_scores = _province_scores(text, title_mentions, body_mentions)
    every = [*title_mentions, *body_mentions]
    _disambiguate(title_mentions, province_scores)
    _disambiguate(body_mentions, province_scores)
    districts = [m for m in every if m.place.is_district and m.candidates and not m.address]
    prefixed = {m.place.name for m in districts if m.prefixed}
    counted = [m for m in districts if m.place.name in prefixed]
    places = {m.place.name: m.place for m in every}

    scores: Counter = Counter()
    for m in counted:
        scores[m.place.name] += 2 if m.prefixed else 1
    lead_end = _lead_end(text, title)

    district = None
    in_title = [m.place.name for m in title_mentions if m in counted]
    in_lead = [m.place.name for m in body_mentions if m in counted and m.start < lead_end]
    if in_title:
        district = max(dict.fromkeys(in_title), key=lambda n: scores[n])
    elif in_lead:
        district = max(dict.fromkeys(in_lead), key=lambda n: scores[n])
        top, top_score = scores.most_common(1)[0]
        # a court or office named once in the lead ("TAND huyện A sẽ xét xử")
        # gives way to the district the rest of the article is about
        if top_score >= 6 and top_score >= 3 * scores[district]:
            district = top
    elif scores:
        ranked = scores.most_common(2)
        # one mention in passing is not the article's district; two districts
        # reported side by side ("Công an quận A và quận B") are neither's article
        if ranked[0][1] >= 4 and (len(ranked) == 1 or ranked[0][1] >= 1.5 * ranked[1][1]):
            district = ranked[0][0]
    if district is not None:
        return district, places[district].province

    # districts mentioned with their prefix also vote for their province
    for name in prefixed:
        province_scores[places[name].province] += 1
    if province_scores:
        name, score = province_scores.most_common(1)[0]
        if score >= 2:
            return None, name
    return None, None


def _lead_end(text: str, title: str | None) -> int:
    """Offset where the lead paragraph (first non-title line, capped) ends."""
    start = len(title) if title and text.startswith(title) else 0
    rest = text[start:]
    stripped = rest.lstrip("\n")
    offset = start + len(rest) - len(stripped)
    line_end = stripped.find("\n")
    length = len(stripped) if line_end < 0 else line_end
    return offset + min(length, _LEAD_CHARS)


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
    all_lines = text.split("\n")  # blank lines kept: they separate a caption block from the byline
    lines = [ln for ln in all_lines if ln]
    if title:
        title = normalize(title) or None
    if not title and lines:
        title = lines[0]

    places = place_names()  # place names keep datelines out of bylines and outlets
    header = read_header(all_lines, title=title, places=places)
    if author:
        author = clean_author(author, sitename=sitename)
    if not author:
        author = header.author

    given = to_vietnam_time(published_at)
    from_text = header.published_at
    if given is None:
        published = from_text
    elif from_text is not None and from_text.date() == given.date() and given.time() == dt.time(0, 0):
        published = from_text  # the page's metadata had the day only; the dateline has the time
    else:
        published = given

    if not source:
        source = header.source

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
