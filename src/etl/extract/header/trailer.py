"""The trailer a crawler prints after the body: dateline, section label, tag strip, outlet.

A crawl of the baomoi.com aggregator ends each article with a stamp
(`28/05/13 06:23 GMT+7`), a section ("Xã hội"), a comma-joined tag strip and
the outlet's name. The trailer is read before its furniture (section, tags) is
dropped; its dateline and outlet lines stay in the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from etl.extract.header.dateline import trailer_stamp
from etl.text.linefilter import is_tag_list
from etl.text.words import ends_like_sentence
from etl.text.words import words as _words

# Lines after the body that may form the trailer.
_TRAILER_LINES = 5
# A section label ("Xã hội", "Giáo dục", "Ô tô - Xe máy"): a few words, no digits, no sentence.
_SECTION_MAX_WORDS = 5  # "Khoa học - Công nghệ"
# An outlet line ("Lao Động", "VOV", "Tài Chính", "GD&TĐ").
_OUTLET_LINE = re.compile(r"^[^\W\d_][\w&.'’ -]{0,40}$")
_OUTLET_MAX_WORDS = 7  # "Thời báo Kinh tế Sài Gòn"



def _is_section_label(line: str) -> bool:
    """A short heading-like label: the site's section name."""
    words = _words(line)
    return (
        1 <= len(words) <= _SECTION_MAX_WORDS
        and not any(ch.isdigit() for ch in line)
        and not ends_like_sentence(line)
        and line[0].isupper()
        and "," not in line
    )


def _is_outlet_line(line: str) -> bool:
    """A short line that can be an outlet's name."""
    return len(_words(line)) <= _OUTLET_MAX_WORDS and bool(_OUTLET_LINE.match(line)) and line[0].isupper()


@dataclass
class Trailer:
    """What a crawler printed after the body: dateline, section, tags, outlet.

    `roles` maps indexes of the given lines to "dateline", "section", "tags" or "outlet".
    """

    start: int | None = None  # index of the first trailer line; None when there is none
    published_at: dt.datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    outlet: str | None = None
    roles: dict[int, str] = field(default_factory=dict)


def _trailer_roles(seq: list[str]) -> list[str] | None:
    """Roles of `seq` when all of it is a trailer (dateline? section? tags? outlet?), else None.

    A section label needs a dateline before it or tags after it; a tag list
    with spaces after its commas needs a dateline; an outlet line follows a
    dateline, a section or tags and ends the text.
    """
    roles: list[str] = []
    n = len(seq)
    stamp = bool(seq) and trailer_stamp(seq[0]) is not None
    if stamp:
        roles.append("dateline")
    j = len(roles)
    tags_at = j + 1 if j < n and _is_section_label(seq[j]) else j
    has_tags = tags_at < n and is_tag_list(seq[tags_at], spaced=stamp)
    # between the dateline and the tags, or between the dateline and the outlet line
    if j < n and _is_section_label(seq[j]) and (has_tags or (stamp and j + 2 == n)):
        roles.append("section")
        j += 1
    if j < n and is_tag_list(seq[j], spaced=stamp):
        roles.append("tags")
        j += 1
    if roles and j == n - 1 and _is_outlet_line(seq[j]):
        roles.append("outlet")
        j += 1
    if j != n or not roles or roles == ["section"]:
        return None
    return roles


def read_trailer(lines: list[str]) -> Trailer:
    """The trailer after the last paragraph, read before its furniture is dropped.

    >>> t = read_trailer(["Đoạn văn cuối của bài báo.", "28/05/13 06:23 GMT+7", "Xã hội",
    ...                   "Thi đua,Khen thưởng,Sáng kiến,Phong trào", "Lao Động"])
    >>> (t.published_at, t.section, t.outlet, sorted(t.roles.values()))
    (datetime.datetime(2013, 5, 28, 6, 23), 'Xã hội', 'Lao Động', ['dateline', 'outlet', 'section', 'tags'])
    """
    idx = [i for i, ln in enumerate(lines) if ln][-_TRAILER_LINES:]
    for k in range(1, len(idx)):  # the first candidate line is body: a trailer follows a body
        roles = _trailer_roles([lines[i] for i in idx[k:]])
        if roles is None:
            continue
        trailer = Trailer(start=idx[k], roles=dict(zip(idx[k:], roles)))
        for i, role in trailer.roles.items():
            if role == "dateline":
                trailer.published_at = trailer_stamp(lines[i])
            elif role == "section":
                trailer.section = lines[i]
            elif role == "tags":
                trailer.tags = [x.strip() for x in lines[i].split(",")]
            else:
                trailer.outlet = lines[i]
        return trailer
    return Trailer()
