"""Header metadata: what an article prints around its body.

- `dateline`: publication times under or in the title, and stamp lines;
- `trailer`: a crawler's dateline, section, tag strip and outlet after the body;
- `outlet`: the lead's outlet marker and the choice of the source;
- `byline`: the author at the top or the end, and the outlet printed with it;
- `author`: authors from HTML metadata without site names.

`read_header` combines them; the cleaner (`etl.text.cleaner`) and
`etl.extract.article` both call it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from etl.extract.header.author import clean_author
from etl.extract.header.byline import Byline, byline_name, find_byline, looks_like_name, parse_byline, read_byline
from etl.extract.header.dateline import VIETNAM_TZ, find_header_dateline, parse_dateline, parse_stamp
from etl.extract.header.outlet import LeadOutlet, choose_source, find_outlet, read_lead_outlet
from etl.extract.header.trailer import Trailer, read_trailer
from etl.gazetteer import place_names


def find_dateline(lines: list[str], title: str | None = None) -> dt.datetime | None:
    """Publication time from the header lines (title included), else the trailer's stamp.

    A date without a year ("Sáng 18/5") gives None.

    >>> find_dateline(["Thứ sáu, 29/03/2024 16:37", "(ĐCSVN) - Trong thời gian qua ..."])
    datetime.datetime(2024, 3, 29, 16, 37)
    >>> find_dateline(["Tiêu đề", "Đoạn văn cuối của bài báo.", "28/05/13 06:23 GMT+7", "Lao Động"], title="Tiêu đề")
    datetime.datetime(2013, 5, 28, 6, 23)
    """
    # a crawler prints the stamp after the body instead ("28/05/13 06:23 GMT+7")
    return find_header_dateline(lines, title=title) or read_trailer(lines).published_at


@dataclass
class Header:
    """Metadata printed around the body: byline, outlet, dateline."""

    author: str | None = None
    source: str | None = None
    published_at: dt.datetime | None = None


def read_header(lines: list[str], title: str | None = None, places: frozenset[str] | None = None) -> Header:
    """Author, outlet and publication time printed in the header, lead and trailer.

    `lines` are the article's lines (blank lines kept), title first.

    >>> read_header(["Tiêu đề", "(HNM) - Năm 2023, quận hoàn thành 14/14 chỉ tiêu kinh tế xã hội, vượt kế hoạch.",
    ...              "28/05/13 06:23 GMT+7", "Hà Nội Mới"])
    Header(author=None, source='HNM', published_at=datetime.datetime(2013, 5, 28, 6, 23))
    """
    places = place_names() if places is None else places
    nonblank = [ln for ln in lines if ln]
    byline = read_byline(lines, title=title, places=places)
    lead = read_lead_outlet([ln for ln in nonblank if ln != title], places=places)
    source = choose_source(lead, read_trailer(lines).outlet, byline.outlet)
    return Header(author=byline.author, source=source, published_at=find_dateline(nonblank, title=title))


__all__ = [
    "Byline", "Header", "LeadOutlet", "Trailer", "VIETNAM_TZ", "byline_name", "choose_source", "clean_author",
    "find_byline", "find_dateline", "find_header_dateline", "find_outlet", "looks_like_name", "parse_byline",
    "parse_dateline", "parse_stamp", "read_byline", "read_header", "read_lead_outlet", "read_trailer",
]
