"""The cleaner: normalise, drop boilerplate lines by named rules, read the header metadata."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from etl.extract.header import byline_name, looks_like_name, read_header, read_trailer
from etl.gazetteer import place_names
from etl.text.linefilter import (
    furniture_rule,
    mark_duplicates,
    mark_head_link_list,
    mark_related_blocks,
    mark_tail_headlines,
)
from etl.text.normalise import BLANK_RUNS, normalize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DroppedLine:
    """A line the filter removed, with the rule that removed it."""

    lineno: int  # index of the line in the normalised text
    line: str
    rule: str


@dataclass
class CleanedText:
    """Cleaned article text plus the metadata its header and trailer printed."""

    text: str
    title: str | None = None
    author: str | None = None
    published_at: dt.datetime | None = None  # naive, Vietnam local time
    source: str | None = None  # outlet as printed ("HNM", "Kinhtedothi")
    boilerplate: list[str] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)  # the same lines, each with its rule


def _mark_trailer(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
    """Drop the trailer's section label and tag strip; keep its dateline and outlet lines."""
    # furniture after the trailer (share buttons) must not hide it; the tag strip is part of it
    visible = [ln if not drop[i] or drop[i] == "tag_list" else "" for i, ln in enumerate(lines)]
    trailer = read_trailer(visible)
    for i, role in trailer.roles.items():
        if role == "section":
            drop[i] = "trailer_section"
        elif role == "tags":
            drop[i] = drop[i] or "tag_list"
        else:
            protect.add(i)  # dateline and outlet are metadata, read again from the text


def clean_article_text(text: str, *, title: str | None = None) -> CleanedText:
    """Normalise, drop boilerplate lines and read the header metadata.

    The first non-empty line is the title unless `title` is given. Lines that
    are metadata (title, byline, dateline, a trailer's outlet) stay in the
    text; only page furniture is removed, and it is listed in `boilerplate`
    (and in `dropped`, with the name of the rule that fired).

    >>> c = clean_article_text("Quận 1 thi đua\\n\\nChia sẻ Zalo\\n(HNM) - Năm 2023, quận hoàn thành 14/14 chỉ tiêu kinh tế xã hội.")
    >>> c.text.splitlines()
    ['Quận 1 thi đua', '', '(HNM) - Năm 2023, quận hoàn thành 14/14 chỉ tiêu kinh tế xã hội.']
    >>> c.source, c.boilerplate, [d.rule for d in c.dropped]
    ('HNM', ['Chia sẻ Zalo'], ['ui_label'])
    """
    text = normalize(text)
    lines = text.split("\n")
    nonblank = [i for i, ln in enumerate(lines) if ln]
    if title is not None:
        title = normalize(title) or None
    if title is None and nonblank:
        title = lines[nonblank[0]]

    protect = {i for i in nonblank[:1] if lines[i] == title}  # the title line itself
    drop: list[str | None] = [None] * len(lines)
    for i, line in enumerate(lines):
        if i not in protect:
            drop[i] = furniture_rule(line)
    _mark_trailer(lines, drop, protect)
    mark_duplicates(lines, drop)
    mark_related_blocks(lines, drop, protect)
    mark_head_link_list(lines, drop, protect)

    places = place_names()
    # a byline at the bottom sits after the body: protect it from the tail rule
    tail = [i for i, ln in enumerate(lines) if ln and not drop[i] and i not in protect]
    for i in reversed(tail[-6:]):
        if looks_like_name(byline_name(lines[i]), places):
            protect.add(i)
            break
    mark_tail_headlines(lines, drop, protect)

    kept = [ln for ln, d in zip(lines, drop) if not d]
    dropped = [DroppedLine(i, ln, d) for i, (ln, d) in enumerate(zip(lines, drop)) if d]
    cleaned = BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip("\n")
    header = read_header(kept, title=title, places=places)
    result = CleanedText(
        text=cleaned,
        title=title,
        author=header.author,
        published_at=header.published_at,
        source=header.source,
        boilerplate=[d.line for d in dropped],
        dropped=dropped,
    )
    for d in dropped:
        log.debug("dropped line %d by rule %s: %.60r", d.lineno, d.rule, d.line)
    return result



