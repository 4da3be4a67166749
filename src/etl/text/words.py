"""Small text predicates shared by the line filter and the header readers."""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"\w+")
LETTER = re.compile(r"[^\W\d_]")
# A paragraph ends like a sentence: final punctuation, possibly inside a closing quote/bracket.
SENTENCE_END = re.compile(r"[.:;…]\W{0,3}$|[!?][\"”’»)\]]*\s*$")
BULLET = re.compile(r"^[-–—•·*+>»]+\s*")


def words(line: str) -> list[str]:
    """The whitespace-separated words of a line."""
    return line.split()


def line_key(line: str) -> str:
    """Casefolded line without bullets and surrounding punctuation, for phrase rules."""
    s = BULLET.sub("", line).casefold()
    return s.strip(" \t.:;,!?|/•·*()[]-–—»«\"'“”")


def is_upper_text(line: str) -> bool:
    """All letters are capitals (mastheads, section labels)."""
    letters = LETTER.findall(line)
    return bool(letters) and all(ch == ch.upper() for ch in letters) and any(ch != ch.lower() for ch in letters)


def ends_like_sentence(line: str) -> bool:
    """The line ends with sentence punctuation."""
    return bool(SENTENCE_END.search(line))


def fold(text: str) -> str:
    """Casefolded text without diacritics or non-alphanumerics (for comparing names).

    >>> fold("Tài Chính"), fold("GD&TĐ")
    ('taichinh', 'gdtd')
    """
    s = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in s if ch.isalnum() and not unicodedata.combining(ch))


