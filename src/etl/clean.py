"""clean: raw bytes to normalised article text plus page metadata.

HTML goes through trafilatura (text, title, author, date, sitename); plain text
is decoded strictly (BOMs, UTF-8, or text that reads as Vietnamese windows-1258).
Both then pass the same line-level boilerplate filter
(`etl.textclean`), because trafilatura still keeps page furniture on real
Vietnamese pages.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
import unicodedata

from etl.errors import InputError
from etl.models import CleanDoc, Failure, RawDoc, sane_title
from etl.textclean import CleanedText, clean_article_text, clean_author, normalize

log = logging.getLogger(__name__)

# Magic numbers of formats that turn up in news folders by mistake.
BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a ZIP archive (docx/xlsx?)",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# One article's budget. The longest real article in tests/data/corpus is far below this; a 5 MB
# one-line text (issue 17) is no article and would only stall the rules, so it is refused here.
MAX_TEXT_CHARS = 1_000_000

HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body)", re.IGNORECASE)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f]")
MIN_WORDS = 1
# Letters that Vietnamese has and Western European text never does: how a
# windows-1258 file is told apart from latin-1 bytes that happen to decode.
VIETNAMESE_ONLY = re.compile("[ăĂđĐơƠưƯĩĨũŨ\u1ea0-\u1ef9]")
MIN_VIETNAMESE_SHARE = 0.05  # of letters; real prose has 15-25 %
# A well-formed UTF-8 multi-byte sequence: many of them mean broken UTF-8, not windows-1258.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# libxml2 stops building the tree at 255 levels of nesting (lxml without
# huge_tree), so text inside deeper wrappers was silently dropped.
MAX_PARSE_DEPTH = 250
WRAPPER_TAG = re.compile(rb"<(/?)(?:div|span)\b[^>]*>", re.IGNORECASE)
# A page that opens <body> but closes neither it nor <html> was cut off in transit
# (a dropped connection, a Content-Length shorter than the page).
BODY_OPEN = re.compile(rb"<body[\s>]", re.IGNORECASE)
PAGE_CLOSE = re.compile(rb"</(?:body|html)\s*>", re.IGNORECASE)


def sniff_binary(content: bytes) -> str | None:
    """What a byte string looks like if it is not text, else None."""
    for magic, what in BINARY_SIGNATURES.items():
        if content.startswith(magic):
            return what
    head = content[:4096]
    if b"\x00" in head and not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        odd, even = head[1::2].count(0), head[::2].count(0)
        if max(odd, even) > len(head) // 6 and min(odd, even) * 20 < max(odd, even):
            return "UTF-16 text without a byte-order mark (re-save it as UTF-8)"
        return "binary data (NUL bytes)"
    return None


def decode_windows_1258(content: bytes) -> str | None:
    """Vietnamese windows-1258 bytes as NFC text, or None when they do not read as Vietnamese.

    windows-1258 writes most tones as combining marks after the vowel, so the
    decoded text is composed to NFC before anything else sees it.

    >>> decode_windows_1258("Quận hoàn thành".encode("utf-8")) is None  # broken UTF-8 is not windows-1258
    True
    >>> decode_windows_1258(b"Qu\\xe2\\xf2n ho\\xe0n th\\xe0nh")
    'Quận hoàn thành'
    """
    high = len(HIGH_BYTE.findall(content))
    if not high or sum(map(len, UTF8_SEQUENCE.findall(content))) * 2 >= high:
        return None
    try:
        text = unicodedata.normalize("NFC", content.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    letters = sum(ch.isalpha() for ch in text)
    stray_marks = sum(1 for ch in text if unicodedata.combining(ch))  # marks that composed with nothing
    if not letters or len(VIETNAMESE_ONLY.findall(text)) < MIN_VIETNAMESE_SHARE * letters or stray_marks * 100 > letters:
        return None
    return text


def decode_text(raw: RawDoc) -> str:
    """Strictly decoded text: BOM-declared encodings, the transport's charset, else UTF-8.

    Text that is not UTF-8 but reads as Vietnamese windows-1258 is decoded as that.
    """
    content = raw.content
    if not content.strip():
        raise InputError(raw.uri, "empty file (no text)" if not content else "file holds only whitespace")
    binary = sniff_binary(content)
    if binary:
        raise InputError(raw.uri, f"not a text article: looks like {binary}")
    encoding = raw.encoding or "utf-8"
    for bom, name in BOMS:
        if content.startswith(bom):
            encoding = name
            break
    try:
        text = content.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        legacy = decode_windows_1258(content) if encoding == "utf-8" else None
        if legacy is not None:
            log.info("%s: not UTF-8, decoded as windows-1258 (Vietnamese)", raw.uri)
            return legacy
        where = f" (byte 0x{content[exc.start]:02x} at offset {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
        raise InputError(
            raw.uri,
            f"not valid {encoding}{where}; re-save the file as UTF-8 (e.g. iconv -f windows-1258 -t utf-8)",
        ) from exc
    if len(CONTROL_CHARS.findall(text[:4096])) > 8:
        raise InputError(raw.uri, "not a text article: too many control characters (binary data?)")
    return text


def is_html(raw: RawDoc) -> bool:
    """Whether to treat the bytes as an HTML page."""
    if raw.content_type:
        return "html" in raw.content_type
    return bool(HTML_SNIFF.match(raw.content[:1024]))


def parse_date(value: str | None) -> dt.datetime | None:
    """trafilatura's ISO date (maybe with time) as a naive datetime."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone(dt.timedelta(hours=7))).replace(tzinfo=None)
    return parsed


def flatten_wrappers(content: bytes) -> bytes:
    """The page without div/span tags when they nest deeper than lxml parses; else unchanged."""
    depth = deepest = 0
    for m in WRAPPER_TAG.finditer(content):
        depth = max(depth - 1, 0) if m.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest <= MAX_PARSE_DEPTH:
        return content
    log.info("HTML nests %d div/span levels deep; removing wrappers before extraction", deepest)
    return WRAPPER_TAG.sub(b"\n", content)


def clean_html(raw: RawDoc) -> CleanDoc:
    """An HTML page through trafilatura, then the shared line filter."""
    import trafilatura

    content = raw.content
    if not content.strip():
        raise InputError(raw.uri, "empty page (no bytes)")
    binary = sniff_binary(content)
    if binary and not content.startswith(b"\x1f\x8b"):  # trafilatura inflates gzip itself, capped
        raise InputError(raw.uri, f"not an HTML page: looks like {binary}")
    if not content.startswith(b"\x1f\x8b") and BODY_OPEN.search(content) and not PAGE_CLOSE.search(content):
        raise InputError(raw.uri, "HTML page is cut off: it opens <body> but never closes it "
                                  "(incomplete download, or a Content-Length shorter than the page?)")
    content = flatten_wrappers(content)
    if raw.encoding:
        try:
            content = content.decode(raw.encoding, errors="replace")
        except LookupError:
            pass
    try:
        result = trafilatura.bare_extraction(content, url=raw.uri if raw.uri.startswith("http") else None,
                                             with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura raises many kinds on malformed pages
        raise InputError(raw.uri, f"HTML could not be parsed: {type(exc).__name__}: {exc}") from exc
    if result is None or not (result.text or "").strip():
        raise InputError(raw.uri, "no article text found in the HTML page (script-only or empty body?)")
    cleaned = clean_article_text(within_budget(raw, normalize(result.text)), title=result.title)
    return clean_doc(
        raw, cleaned, kind="html",
        title=cleaned.title or result.title,
        author=cleaned.author or clean_author(result.author, sitename=result.sitename, hostname=result.hostname),
        published_at=cleaned.published_at or parse_date(result.date),
        sitename=result.sitename,
    )


def within_budget(raw: RawDoc, text: str) -> str:
    """`text`, or an InputError when it is over one article's size budget."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(raw.uri, f"text of {len(text)} characters is over the {MAX_TEXT_CHARS}-character "
                                  "budget for one article (not an article; split it)")
    return text


def clean_plain(raw: RawDoc) -> CleanDoc:
    """A plain-text article (first line the title) through the line filter."""
    text = within_budget(raw, normalize(decode_text(raw)))
    if not text.strip():
        raise InputError(raw.uri, "file holds no visible text after normalisation")
    cleaned = clean_article_text(text)
    if not cleaned.text.strip():
        raise InputError(raw.uri, "nothing left after removing boilerplate lines")
    return clean_doc(raw, cleaned, kind="text")


def clean_doc(raw: RawDoc, cleaned: CleanedText, kind: str, **page_metadata) -> CleanDoc:
    """The CleanDoc of a raw document: the filter's text and header metadata, overridden by the page's."""
    fields = {"title": cleaned.title, "author": cleaned.author, "published_at": cleaned.published_at, **page_metadata}
    fields["title"] = sane_title(fields["title"])
    return CleanDoc(
        uri=raw.uri, source_name=raw.source_name, text=cleaned.text, fetched_at=raw.fetched_at,
        raw_hash=raw.raw_hash, source=cleaned.source, kind=kind, article_id=raw.article_id, **fields,
    )


def clean_one(raw: RawDoc) -> CleanDoc:
    """One raw document, cleaned; raises InputError naming the input."""
    return clean_html(raw) if is_html(raw) else clean_plain(raw)


def clean_batch(docs: list[RawDoc]) -> tuple[list[CleanDoc], list[Failure]]:
    """Clean a batch; each refused input becomes a Failure with its reason."""
    cleaned: list[CleanDoc] = []
    failures: list[Failure] = []
    for raw in docs:
        try:
            cleaned.append(clean_one(raw))
        except InputError as exc:
            log.warning("discarding %s: %s", exc.uri, exc.reason)
            failures.append(Failure(exc.uri, "clean", exc.reason))
        except Exception as exc:  # a bug in a rule must not end the night for everyone
            log.exception("discarding %s: unexpected error in clean", raw.uri)
            failures.append(Failure(raw.uri, "clean", f"unexpected error: {type(exc).__name__}: {exc}"))
    return cleaned, failures
