"""Compatibility facade: the text cleaning API under its old name.

The code lives in `etl.text` (normalise, linefilter, cleaner), in
`etl.extract.header` (dateline, trailer, outlet, byline, author) and in
`etl.gazetteer`; this module re-exports what callers imported from here.
"""

from __future__ import annotations

from etl.extract.header import (
    VIETNAM_TZ,
    Byline,
    Header,
    LeadOutlet,
    Trailer,
    choose_source,
    clean_author,
    find_byline,
    find_dateline,
    find_outlet,
    looks_like_name,
    parse_dateline,
    parse_stamp,
    read_byline,
    read_header,
    read_lead_outlet,
    read_trailer,
)
from etl.gazetteer import place_names
from etl.text.cleaner import CleanedText, DroppedLine, clean_article_text
from etl.text.linefilter import (
    LINE_RULES,
    furniture_rule,
    is_furniture,
    is_headline_like,
    is_masthead,
    is_mojibake,
    is_related_heading,
    is_symbol_line,
    is_tag_list,
    is_ui_line,
)
from etl.text.normalise import normalize

__all__ = [
    "LINE_RULES", "VIETNAM_TZ", "Byline", "CleanedText", "DroppedLine", "Header", "LeadOutlet", "Trailer",
    "choose_source", "clean_article_text", "clean_author", "find_byline", "find_dateline", "find_outlet",
    "furniture_rule", "is_furniture", "is_headline_like", "is_masthead", "is_mojibake", "is_related_heading",
    "is_symbol_line", "is_tag_list", "is_ui_line", "looks_like_name", "normalize", "parse_dateline", "parse_stamp",
    "place_names", "read_byline", "read_header", "read_lead_outlet", "read_trailer",
]
