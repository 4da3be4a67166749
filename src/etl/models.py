"""Documents as they move between the early stages (before they become rows)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """Something to read: a URI and the source that listed it.

    `key` is the article's identity when the URI is not: for a file, the source
    and the path relative to the configured folder (`articles/tin/a.txt`), so
    moving or copying the folder keeps it. Empty: the (canonical) URI is the key.
    """

    uri: str
    source_name: str
    key: str = ""

    @property
    def article_id(self) -> str:
        return article_id_for(self.key or self.uri)


@dataclass
class RawDoc:
    """Bytes as acquired, before any decoding."""

    uri: str
    source_name: str
    content: bytes
    content_type: str | None  # "text/html", "text/plain", ... or None when unknown
    fetched_at: dt.datetime
    encoding: str | None = None  # charset declared by the transport, if any
    raw_hash: str = ""  # sha256 of content (bronze address)
    article_id: str = ""  # identity (Item.article_id); defaults to the URI's

    def __post_init__(self) -> None:
        if not self.raw_hash:
            self.raw_hash = hashlib.sha256(self.content).hexdigest()
        if not self.article_id:
            self.article_id = article_id_for(self.uri)


@dataclass
class CleanDoc:
    """Normalised article text plus the metadata the page itself gave."""

    uri: str
    source_name: str
    text: str  # cleaned body, NFC, one paragraph per line; fact offsets point here
    fetched_at: dt.datetime
    raw_hash: str
    title: str | None = None
    author: str | None = None
    published_at: dt.datetime | None = None  # naive, Vietnam local time
    source: str | None = None  # outlet as printed in the article ("HNM")
    sitename: str | None = None  # site name from HTML metadata
    kind: str = "text"  # "text" or "html"
    article_id: str = ""  # the RawDoc's identity; defaults to the URI's

    def __post_init__(self) -> None:
        if not self.article_id:
            self.article_id = article_id_for(self.uri)


@dataclass
class Failure:
    """An input that a stage refused, with the reason (goes to quarantine)."""

    uri: str
    stage: str
    reason: str


MAX_TITLE_CHARS = 300  # a "title" longer than this is a paragraph, or a whole file on one line


def sane_title(title: str | None) -> str | None:
    """The title, or None when it is longer than a line can sanely be.

    >>> sane_title("Quận 1 thi đua"), sane_title("x" * 301)
    ('Quận 1 thi đua', None)
    """
    if title and len(title) > MAX_TITLE_CHARS:
        return None
    return title


def article_id_for(uri: str) -> str:
    """Stable id of an article from its identity key: a canonical URL, or source/relative path (16 hex digits)."""
    return hashlib.sha256(uri.encode("utf-8")).hexdigest()[:16]


def content_hash_for(text: str) -> str:
    """Hash of the cleaned text: one load identity per article version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
