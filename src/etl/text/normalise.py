"""Normalisation: NFC, plain spaces, one paragraph per line, no invisible characters."""

from __future__ import annotations

import re
import unicodedata

from etl.extract.numbers import dot_group_spaces

# Line separators other than \n: str.splitlines() splits on them, so they must
# become \n for line numbers to agree between splitlines() and split("\n").
_LINE_SEPARATORS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Invisible characters that only break word matching (ZWSP, ZWJ, BOM, soft hyphen ...).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e]")
# Control characters other than \t and \n (bytes from broken encodings, NULs).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Any whitespace except the newline: NBSP, thin/figure/ideographic spaces, tabs, \x1f.
_SPACES = re.compile(r"[^\S\n]+")
BLANK_RUNS = re.compile(r"\n{3,}")


def normalize(text: str) -> str:
    """NFC text with plain spaces, trimmed lines and at most one blank line in a row.

    >>> normalize("Quận\\u00a01 \\u200bđạt  14/14\\r\\n\\r\\n\\r\\n\\r\\nchỉ tiêu ")
    'Quận 1 đạt 14/14\\n\\nchỉ tiêu'
    """
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    # before spaces are made plain: "16\u00a0839" is one number (16.839), "16 839" would be two
    text = dot_group_spaces(text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


