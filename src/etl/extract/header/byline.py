"""Bylines: the author printed between title and lead or at the end of the body.

Closing bylines come on their own line, run into the last paragraph after its
full stop, or glued to it without a space (baomoi copies); they may carry the
outlet ("Thái Tân/KD&PL", "Minh Trang (TTXVN)"). The outlet itself is never the
author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.header.outlet import read_lead_outlet
from etl.extract.header.trailer import read_trailer
from etl.gazetteer import place_names, province_names
from etl.text.words import SENTENCE_END, fold
from etl.text.words import words as _words

# A personal name or initials printed as a byline: "Phương Nga", "Huy Kiên", "CM", "THUẬN VĂN".
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*\.?$")
_INITIALS = re.compile(r"^[A-ZĐ]{2,4}$")
# Abbreviated names and initials with dots: "L.B", "N.LIÊM", "Nh.Thạch", "T. Dương".
_DOTTED_NAME = re.compile(r"^(?:[A-ZĐ][a-zđh]?\.\s?){1,3}(?:[A-ZĐ][^\W\d_]*)?$")
# "Bài và ảnh:", "Bài, ảnh:", "Tin, ảnh:", "Nhóm PV", "CTV": the name follows.
BYLINE_PREFIX = re.compile(
    r"^(?:(?:bài|tin|bài viết)(?:\s*(?:,|và|&|-)\s*ảnh)?|nhóm pv|nhóm phóng viên|pv|phóng viên|ctv|cộng tác viên"
    r"|tác giả|theo|ảnh)\s*:?\s+",
    re.IGNORECASE,
)
_BYLINE_SUFFIX = re.compile(
    r"\s*[-–]?\s*\((?:tổng hợp[^)]*|theo [^)]*|th|lược dịch|[A-Z]{2,6})\)\s*$"
    r"|\s+(?:thực hiện|tổng hợp|lược dịch|biên dịch|ghi)\s*$",
    re.IGNORECASE,
)
# "Theo <outlet>" credits the source, not an author.
_CREDIT = re.compile(r"^\s*(?:theo|nguồn)\b", re.IGNORECASE)
# A photo or video credit ("Ảnh: TỰ TRUNG", "Ảnh TỰ TRUNG", "Video: Lê Hoàng") names no author.
_PHOTO_BYLINE = re.compile(r"^\s*\(?(?:ảnh|video|clip|đồ họa|đồ hoạ)\b", re.IGNORECASE)
_GLUED_CREDIT = re.compile(r"\s*(?<!\()(?:Theo|Nguồn)\s*[:]?\s+\S.*$")
# A reporters' team printed without names: kept as printed.
_TEAM = re.compile(r"^(?:nhóm pv|nhóm phóng viên|pv|nhóm ctv)$", re.IGNORECASE)
# Several authors: "Phi Long - Phương Dung", "Xuân Trang – H.Thanh", "A, B và C".
_AUTHOR_JOIN = re.compile(r"\s*[-–,;]\s*|\s+và\s+")
# A closing credit line after the byline ("Tổng hợp", "Theo DM").
_CREDIT_LINE = re.compile(r"^\(?(?:tổng hợp|theo\s+\S.{0,40}|nguồn\s*:?\s*\S.{0,40})\)?$", re.IGNORECASE)
# News agencies and outlets printed as initials where a byline would be.
_AGENCIES = frozenset("AFP AP AFP/TTXVN TTXVN VNA TTO BBC CNN SCMP DPA NHK XINHUA KYODO RT VOV VTV VIETNAM+".split())
# Words and phrases that start capitalised lines but are not names. Phrases are
# matched whole: their words alone are given names ("Bình", "Thành").
_NOT_NAME_WORDS = frozenset(
    "email ảnh video nguồn quận huyện phường xã tỉnh tp ubnd hđnd báo tin bài theo tags xem clip".split()
)
_NOT_NAME_PHRASES = re.compile(r"\b(?:lời bình|xác thực|họ tên|thành phố|chia sẻ|chủ đề)\b", re.IGNORECASE)
# A caption naming a person starts with an honorific ("Ông Đậu Văn Tiến."); a
# byline never does ("Anh" is also a given name: "Anh Duy", "Tú Anh").
_HONORIFIC = frozenset("ông bà thầy đồng".split())


def _looks_like_one_name(s: str, places: set[str] | frozenset[str]) -> bool:
    """One person's name or initials."""
    if _INITIALS.match(s) or _DOTTED_NAME.match(s):
        return True
    words = _words(s)
    if not 2 <= len(words) <= 4 or s.casefold() in places:
        return False
    if any(w.casefold().strip(".") in _NOT_NAME_WORDS for w in words) or words[0].casefold() in _HONORIFIC:
        return False
    if _NOT_NAME_PHRASES.search(s):
        return False
    return all(_NAME_WORD.match(w) and w[0].isupper() for w in words)


def looks_like_name(line: str, places: set[str] | frozenset[str] = frozenset()) -> bool:
    """A short personal name, initials, or a few of them joined (byline), not a place or a label.

    >>> [looks_like_name(s) for s in ("Phi Long - Phương Dung", "L.B", "N.LIÊM - X.TRƯỜNG", "Xem tiếp")]
    [True, True, True, False]
    """
    s = _BYLINE_SUFFIX.sub("", line).strip()
    if not s:
        return False
    if _TEAM.match(s):
        return True
    parts = [p for p in _AUTHOR_JOIN.split(s) if p]
    if not 1 <= len(parts) <= 4 or len(_words(s)) > 10:
        return False
    return all(_looks_like_one_name(p, places) for p in parts)


# An agency or outlet in brackets after the byline: "Đức Phương (TTXVN)", "(Vietnam+)".
_BRACKET_OUTLET = re.compile(r"\s*\((?P<o>[A-ZĐ][A-ZĐ&+-]{1,9}|Vietnam\+)\)$")


@dataclass
class Byline:
    """Author(s) and, when printed after a slash ("Thái Tân/KD&PL"), the outlet."""

    author: str | None = None
    outlet: str | None = None


def parse_byline(line: str, places: set[str] | frozenset[str]) -> Byline | None:
    """A byline line as (author, outlet), None when the line is no byline.

    >>> parse_byline("Thái Tân/KD&PL", frozenset())
    Byline(author='Thái Tân', outlet='KD&PL')
    >>> parse_byline("Theo vne", frozenset())
    Byline(author=None, outlet='vne')
    >>> parse_byline("Ảnh: TỰ TRUNG", frozenset()) is None
    True
    >>> parse_byline("Đức Phương (TTXVN)", frozenset())
    Byline(author='Đức Phương', outlet='TTXVN')
    """
    s = line.strip().rstrip(".").strip()
    if not s or _PHOTO_BYLINE.match(s) or len(s) > 80:
        return None
    if s.upper() in _AGENCIES:
        return Byline(None, s)
    bracketed = _BRACKET_OUTLET.search(s)
    if bracketed and bracketed["o"].upper() in _AGENCIES:
        # "Minh Trang (TTXVN)", "Mạnh Hùng/Berlin (Vietnam+)", "(TTXVN)": the agency the report comes from
        rest = s[: bracketed.start()].strip()
        if not rest:
            return Byline(None, bracketed["o"])
        parsed = parse_byline(rest, places)
        return Byline(parsed.author, bracketed["o"]) if parsed and parsed.author else None
    credit = _CREDIT.match(s)
    s = re.sub(r"^(?:theo|nguồn)\s*:?\s*", "", s, flags=re.IGNORECASE) if credit else s
    name, _, outlet = s.partition("/")
    name, outlet = name.strip(), outlet.strip() or None
    if outlet and (len(_words(outlet)) > 5 or SENTENCE_END.search(outlet)):
        return None
    if credit:
        # "Theo vne", "Theo Minh Ngọc/Trí thức trẻ": the article comes from that outlet;
        # "Theo SỸ HƯNG (Người lao động)": the outlet in brackets after its reporter
        source = outlet or name
        bracket = re.fullmatch(r"[^()]+\(([^()]+)\)", source)
        source = bracket.group(1).strip() if bracket else source
        if not source or len(_words(source)) > 5 or "," in source or re.search(r"[()]", source):
            return None
        return Byline(None, source)
    glued = _GLUED_CREDIT.search(name)
    if glued and glued.start() > 0:
        name = name[: glued.start()]  # "Minh PhươngTheo Reuters": a byline glued to its source credit
    if _TEAM.match(name):
        return Byline(name, outlet)
    bare = BYLINE_PREFIX.sub("", name)
    bare = _BYLINE_SUFFIX.sub("", bare).strip()
    if not looks_like_name(bare, places):
        return None
    if outlet and not re.match(r"^[\w&.()\s-]+$", outlet):
        return None
    return Byline(bare, outlet)


def byline_name(line: str) -> str:
    """The name part of a byline line ("" for a credit such as "Theo Dân Việt" or a photo credit)."""
    parsed = parse_byline(line, frozenset())
    return parsed.author or "" if parsed else ""


# A sentence end inside a paragraph ("... cho hay. Xuân Mai", "... nhân dân”. Thái Tân");
# a dot between initials ("L.B") is no sentence end, having no space after it.
_SENTENCE_BREAK = re.compile(r"(?:[.!?…]|[”\"»])\s+")
# baomoi copies glue the byline to the last sentence: "...buổi lễ...Tùng Lâm",
# "...2008-2013.Thanh Huế", "…/.Tin, ảnh: L.Nguyễn", "...học giỏiCÔNG HẬU". A glued
# break is sentence punctuation after anything but a capital, before a capital,
# or a lower-case word run into a capital; "TP.HCM", "N.LIÊM", "VnExpress.net"
# are no breaks.
_GLUED_PUNCTUATION = re.compile(r"(?<=\S)[.!?…]+(?=[^\W\d_])")


def _glued_breaks(line: str, start: int) -> set[int]:
    """Offsets where a byline may begin without a space before it."""
    out = {m.end() for m in _GLUED_PUNCTUATION.finditer(line, start)
           if not line[m.start() - 1].isupper() and line[m.end()].isupper()}
    out.update(i for i in range(max(start, 2), len(line))
               if line[i].isupper() and line[i - 1].islower() and line[i - 2].islower())
    return out


# A dot after a place abbreviation ends no sentence: "TP. Hồ Chí Minh", "TX. Kỳ Anh".
_ABBREVIATION_DOT = re.compile(r"(?<![^\W_])(?:TP|Tp|TX|Q|H|P|TT)\.\s*$")
# Related-article links glued after the byline: "Tin, ảnh: Nguyễn Tú>> Khen thưởng ...".
# The links start right after the byline's last word and hold no sentence break.
_GLUED_LINKS = re.compile(r"(?<=[^\W_])\s*>>(?:(?![.!?…]\s).)*$")
# Closing bylines are read from a paragraph at least this long (a real paragraph
# before its last full stop, not a caption).
_TRAILING_MIN_WORDS = 15
# A caption block printed after the closing byline (VietNews): at most this many lines.
_CAPTION_BLOCK_LINES = 4
_CAPTION_MAX_WORDS = 40


def _trailing_byline(line: str, provinces: frozenset[str]) -> Byline | None:
    """A byline run into the end of the last paragraph (baomoi copies the body as one line).

    >>> _trailing_byline("Hiện Công an huyện đang tiếp tục điều tra, làm rõ vụ việc theo quy định của pháp luật. Hoài Thu", frozenset())
    Byline(author='Hoài Thu', outlet=None)
    >>> _trailing_byline("Khuyến học khuyến tài giai đoạn 2008-2013 của hội được tuyên dương, công nhận 130 gia đình.Thanh Huế", frozenset())
    Byline(author='Thanh Huế', outlet=None)
    """
    if len(_words(line)) < _TRAILING_MIN_WORDS:
        return None
    line = _GLUED_LINKS.sub("", line).rstrip()
    window = max(0, len(line) - 70)
    breaks = sorted({m.end() for m in _SENTENCE_BREAK.finditer(line, window)}
                    | _glued_breaks(line, window))
    # the last break first; the one before it for initials ("T. Dương", "L.Nguyễn")
    breaks = [b for b in breaks if not _ABBREVIATION_DOT.search(line, 0, b)]
    for start in reversed(breaks[-2:]):
        tail = line[start:].strip()
        if not tail or len(_words(tail)) > 10 or tail.casefold() in provinces:
            continue
        parsed = parse_byline(tail, provinces)
        if parsed:
            return parsed
    return None


def _before_caption_block(body: list[str]) -> list[str]:
    """The body without a block of captions printed after the byline and a blank line (VietNews).

    `body` keeps its blank lines; the block is dropped only when the line before
    the blank is a short name line.
    """
    blanks = [i for i, ln in enumerate(body) if not ln]
    if not blanks:
        return body
    gap = blanks[-1]
    block = [ln for ln in body[gap + 1:] if ln]
    before = [ln for ln in body[:gap] if ln]
    if not block or not before or len(block) > _CAPTION_BLOCK_LINES:
        return body
    if any(len(_words(ln)) > _CAPTION_MAX_WORDS for ln in block) or len(_words(before[-1])) > 6:
        return body
    return body[:gap]


def _same_outlet(name: str, outlets: list[str]) -> bool:
    """The name is one of the outlets (a byline is never the outlet)."""
    folded = fold(name)
    return bool(folded) and any(folded == fold(o) for o in outlets if o)


def _printed_as_byline_before(name: str, text: str) -> bool:
    """The closing name also closes an earlier item of the text (a roundup of several reports)."""
    pattern = re.compile(rf"(?:[.!?…”\"]|\.\.\.)\s*{re.escape(name)}(?![^\W_])")
    return len(pattern.findall(text)) >= 2


def read_byline(lines: list[str], title: str | None = None, places: frozenset[str] | None = None) -> Byline:
    """The byline: a short name line between title and lead, else the closing one.

    The closing byline may be its own last line (followed, on dantri, by a
    credit line such as "Tổng hợp" or "Theo DM"; in VietNews by the captions
    printed again after a blank line), or run into the end of the last
    paragraph after its full stop. A crawler's trailer (dateline, section,
    tags, outlet) after the body is skipped. Photo credits and "Theo <outlet>"
    name no author; "Name/Outlet" gives both; the outlet itself is no author,
    nor is a name that closes several items of a roundup.

    >>> read_byline(["Tiêu đề", "Đoạn văn dài của bài báo kết thúc bằng lời phát biểu của đồng chí Bí thư huyện ủy.", "Thái Tân/KD&PL"])
    Byline(author='Thái Tân', outlet='KD&PL')
    >>> read_byline(["Tiêu đề", "Đoạn văn dài của bài báo kết thúc bằng lời phát biểu của đồng chí Bí thư huyện ủy.",
    ...              "28/05/13 06:23 GMT+7", "Lao Động"])
    Byline(author=None, outlet=None)
    """
    places = place_names() if places is None else places
    trailer = read_trailer(lines)
    outlets = [trailer.outlet or ""]
    lines = lines[: trailer.start] if trailer.start is not None else lines
    body = [ln for ln in lines if ln]
    if title and body and body[0] == title:
        body = body[1:]
    lead = read_lead_outlet(body, places)
    outlets.append(lead.name if lead else "")
    # top: before the first paragraph (a line of 15+ words)
    for line in body[:5]:
        if len(_words(line)) >= 15:
            break
        if _CREDIT.match(line) or _PHOTO_BYLINE.match(line):
            continue
        parsed = parse_byline(line, places)
        if parsed and parsed.author and not _same_outlet(parsed.author, outlets):
            return parsed
    if len(body) < 2:
        return Byline()
    provinces = province_names()
    closing = _closing_byline(body, provinces)
    trimmed = _before_caption_block(lines)
    if closing.author is None and len(trimmed) < len(lines):
        shown = [ln for ln in trimmed if ln]
        before_captions = _closing_byline(shown[1:] if title and shown[:1] == [title] else shown, provinces)
        closing = before_captions if before_captions.author else closing
    author = _without_outlet(closing.author, outlets) if closing.author else None
    if author and (_same_outlet(author, outlets) or _printed_as_byline_before(author, "\n".join(body))):
        author = None
    return Byline(author, closing.outlet)


def _without_outlet(author: str, outlets: list[str]) -> str:
    """The byline without the outlet printed as one of its names ("Bình Minh - NDH")."""
    parts = re.split(r"(\s+[-–]\s+)", author)
    names = parts[::2]
    if len(names) < 2 or not any(_same_outlet(n, outlets) for n in names):
        return author
    kept = [n for n in names if not _same_outlet(n, outlets)]
    return parts[1].join(kept)


def _closing_byline(body: list[str], provinces: frozenset[str]) -> Byline:
    """The byline among the last three lines of the body (see `read_byline`)."""
    tail = body[-3:]
    credit = None
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        if _PHOTO_BYLINE.match(line) and len(_words(line)) <= 8:
            continue  # a photo credit printed last
        if _CREDIT_LINE.match(line) and len(_words(line)) <= 8:
            parsed = parse_byline(line, provinces)
            credit = credit or (parsed.outlet if parsed else None)
            continue
        parsed = parse_byline(line, provinces) if len(_words(line)) <= 12 else None
        if parsed is None:
            parsed = _trailing_byline(line, provinces)
        if parsed:
            return Byline(parsed.author, parsed.outlet or credit)
        break
    return Byline(None, credit)


def find_byline(lines: list[str], title: str | None = None, places: frozenset[str] | None = None) -> str | None:
    """Author printed as a short name line between title and lead, or as the closing byline.

    >>> find_byline(["Nam Từ Liêm: Phát động thi đua", "Phương Nga", "Kinhtedothi - Sáng 18/5, quận ..."],
    ...             title="Nam Từ Liêm: Phát động thi đua")
    'Phương Nga'
    """
    return read_byline(lines, title=title, places=places).author
