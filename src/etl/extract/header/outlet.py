"""The outlet as printed: the lead's marker ("(HNM) -", "Kinhtedothi -", "(TNO) Chiều ...").

`choose_source` weighs it against the trailer's outlet line and the outlet named
after the closing byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.header.dateline import HEADER_LINES
from etl.gazetteer import place_names
from etl.text.words import is_upper_text
from etl.text.words import words as _words

# Outlet marker at the start of the lead: "(HNM) -", "Kinhtedothi -", "HNP -", "(PLO)-".
_OUTLET = re.compile(
    r"^\s*(?:\((?P<p>[^()\n]{2,30})\)|(?P<b>[^\W\d_][\w.&]*(?: [\w.&]+){0,2}))\s*[-–—]{1,2}\s*(?=\S)"
)
# A bracketed marker and a dash open a lead of any length.
_BRACKETED_MARKER = re.compile(r"^\s*\([^()\n]{2,30}\)\s*[-–—]{1,2}\s*\S(?:\S*\s+){3}")
# A lead paragraph is at least this long (header labels are shorter).
_LEAD_MIN_WORDS = 12
# Lead markers that are places, sections or times, not outlets.
_NOT_OUTLET = re.compile(
    r"^(?:ảnh|video|clip|infographic|thứ|chủ nhật|sáng|trưa|chiều|tối|đêm|ngày|hôm|tin|bài|theo"
    r"|tp\.?|thành phố|tỉnh|quận|huyện|thị xã|phường|xã|tôi|chúng tôi|ông|bà|anh|chị|em)\b",
    re.IGNORECASE,
)


# A bracketed abbreviation opening the lead without a dash: "(TNO) Chiều 29.5, ...".
_BRACKET_ABBREVIATION = re.compile(r"^\s*\((?P<p>[A-ZĐ][A-ZĐ&.]{1,9})\)\s*(?=[A-ZĐ\u00c0-\u1ef8])")


@dataclass(frozen=True)
class LeadOutlet:
    """The outlet marker opening the lead; `abbreviation` when bracketed capitals ("(HNM)")."""

    name: str
    abbreviation: bool = False


def read_lead_outlet(lines: list[str], places: frozenset[str] | None = None) -> LeadOutlet | None:
    """The outlet marker printed before the lead ("(HNM) -", "Kinhtedothi -", "(TNO) Chiều ...")."""
    places = place_names() if places is None else places
    seen = 0
    for line in lines:
        if not line:
            continue
        seen += 1
        if seen > HEADER_LINES + 4:
            break
        # only the lead paragraph carries the marker; shorter lines are labels
        # such as "Hà Nội 360 - Ngày đăng : ..." (section + dateline), unless
        # the marker is bracketed: "(Soha.vn) - Cái sự hớ này to thật là to!"
        if len(_words(line)) < _LEAD_MIN_WORDS and not _BRACKETED_MARKER.match(line):
            continue
        m = _OUTLET.match(line) or _BRACKET_ABBREVIATION.match(line)
        if not m:
            return None
        bare = m.groupdict().get("b")
        name = (m["p"] or bare).strip()
        if _NOT_OUTLET.match(name) or name.casefold() in places or any(ch.isdigit() for ch in name):
            return None
        if len(_words(name)) > 3:
            return None  # more than a short name before the dash is a sentence, not a marker
        if bare and not _looks_like_outlet(name):
            return None  # "Ông Mike Waltz - người ..." starts a sentence about a person
        return LeadOutlet(name, abbreviation=bool(m["p"]) and bool(re.fullmatch(r"[A-ZĐ][A-ZĐ&.]+", name)))
    return None


def find_outlet(lines: list[str], places: frozenset[str] | None = None) -> str | None:
    """Outlet name printed before the lead, e.g. "(HNM) -" gives "HNM".

    `places` (casefolded; default: the gazetteer) are dateline places
    ("ĐÀ NẴNG -") that are not outlets.

    >>> find_outlet(["Kinhtedothi - Sáng 18/5, quận Nam Từ Liêm tổ chức Hội nghị biểu dương"])
    'Kinhtedothi'
    """
    lead = read_lead_outlet(lines, places)
    return lead.name if lead else None


def choose_source(lead: LeadOutlet | None, trailer_outlet: str | None, byline_outlet: str | None) -> str | None:
    """The outlet as printed: a bracketed abbreviation in the lead ("(HNM)"), else the
    trailer's outlet line, else another lead marker ("NDĐT-", "(Toquoc)"), else the
    outlet after the closing byline ("Thái Tân/KD&PL").

    >>> choose_source(LeadOutlet("Toquoc"), "Tổ Quốc", None), choose_source(LeadOutlet("TNO", True), "Thanh Niên", None)
    ('Tổ Quốc', 'TNO')
    """
    if lead and lead.abbreviation:
        return lead.name
    return trailer_outlet or (lead.name if lead else None) or byline_outlet


# Outlet names printed without brackets: one token ("Kinhtedothi", "VOV.VN",
# "HNP"), all capitals ("VTC NEWS"), or a web/online suffix ("TBKTSG Online").
_OUTLET_SUFFIX = re.compile(r"(?:\.(?:vn|com|net)|\b(?:online|news|onl|tv|radio))$", re.IGNORECASE)


def _looks_like_outlet(name: str) -> bool:
    """A bare lead marker that names a publication, not a person or a place."""
    words = _words(name)
    if len(words) == 1:
        return True
    return is_upper_text(name) or bool(_OUTLET_SUFFIX.search(name))
