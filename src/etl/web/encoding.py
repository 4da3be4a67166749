"""MIME types and the character encoding of a fetched page."""

from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

LATIN1_LABELS = {"iso8859-1", "ascii", "cp1252", "latin-1"}  # labels that often hide UTF-8
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]{0,100}?encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)




def mime_of(content_type: str | None) -> str | None:
    """`text/html` from `text/html; charset=UTF-8`; None when absent."""
    if not content_type:
        return None
    return content_type.split(";")[0].strip().lower() or None


def codec_name(label: str | bytes | None) -> str | None:
    """Python's codec name for a charset label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def decodes(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(content: bytes, content_type: str | None = None) -> str:
    """The page's encoding: HTTP charset, else <meta charset>, else charset-normalizer.

    A declared charset is trusted only if the bytes decode with it; a Latin-1 or
    ASCII label on bytes that are valid UTF-8 is taken as the usual mislabelling.

    >>> detect_encoding('<meta charset="windows-1258"><p>Qua\u0309n'.encode("cp1258"))
    'cp1258'
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return name
    head = content[:8192]
    header = HEADER_CHARSET.search(content_type or "")
    meta = META_CHARSET.search(head) or XML_ENCODING.search(head)
    for label in (header.group(1) if header else None, meta.group(1) if meta else None):
        name = codec_name(label)
        if name is None:
            continue
        if name in LATIN1_LABELS and not content.isascii() and decodes(content, "utf-8"):
            return "utf-8"
        if decodes(content, name):
            return name
        log.info("declared charset %s does not decode the page; detecting", label)
    if content.isascii() or decodes(content, "utf-8"):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    return codec_name(best.encoding) if best is not None else "utf-8"
