"""Text normalisation, the line-level boilerplate filter, and header metadata.

Vietnamese news pages copied as plain text (or extracted by trafilatura) carry
page furniture between and after the paragraphs: share buttons, image captions
printed twice, related-headline lists, comment forms, audio-player labels,
mastheads, captcha lines whose encoding broke. The filter here works line by
line, so the cleaned text keeps one paragraph per line and fact offsets can
point into it. Every rule is a compiled pattern or a small predicate named for
the kind of furniture it recognises; none matches a particular article.

The header helpers (`find_dateline`, `find_outlet`, `find_byline`,
`clean_author`) read the metadata that Vietnamese outlets print around the
title and lead; `etl.extract.article` reuses them.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- #
# Normalisation
# --------------------------------------------------------------------------- #

# Line separators other than \n: str.splitlines() splits on them, so they must
# become \n for line numbers to agree between splitlines() and split("\n").
_LINE_SEPARATORS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Invisible characters that only break word matching (ZWSP, ZWJ, BOM, soft hyphen ...).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e]")
# Control characters other than \t and \n (bytes from broken encodings, NULs).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Any whitespace except the newline: NBSP, thin/figure/ideographic spaces, tabs, \x1f.
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize(text: str) -> str:
    """NFC text with plain spaces, trimmed lines and at most one blank line in a row.

    >>> normalize("Quận\\u00a01 \\u200bđạt  14/14\\r\\n\\r\\n\\r\\n\\r\\nchỉ tiêu ")
    'Quận 1 đạt 14/14\\n\\nchỉ tiêu'
    """
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


# --------------------------------------------------------------------------- #
# Small text predicates
# --------------------------------------------------------------------------- #

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
# A paragraph ends like a sentence: final punctuation, possibly inside a closing quote/bracket.
_SENTENCE_END = re.compile(r"[.:;…]\W{0,3}$|[!?][\"”’»)\]]*\s*$")
_BULLET = re.compile(r"^[-–—•·*+>»]+\s*")


def _words(line: str) -> list[str]:
    return line.split()


def _key(line: str) -> str:
    """Casefolded line without bullets and surrounding punctuation, for phrase rules."""
    s = _BULLET.sub("", line).casefold()
    return s.strip(" \t.:;,!?|/•·*()[]-–—»«\"'“”")


def _is_upper_text(line: str) -> bool:
    """All letters are capitals (mastheads, section labels)."""
    letters = _LETTER.findall(line)
    return bool(letters) and all(ch == ch.upper() for ch in letters) and any(ch != ch.lower() for ch in letters)


def _ends_like_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


# --------------------------------------------------------------------------- #
# Furniture rules (one line at a time)
# --------------------------------------------------------------------------- #

# Share / social / print buttons and the comment form: a line made only of
# these UI labels. Words are whole-phrase alternatives, never body vocabulary.
_UI_PHRASES = (
    r"chia sẻ|share|zalo|facebook|fb|twitter|messenger|linkedin|pinterest|telegram|tweet"
    r"|e-?mail|in bài|in|bản in|lưu|lưu bài|lưu tin|lưu bài viết|copy link|sao chép( liên kết| link)?"
    r"|gửi|gửi bài|gửi bình luận|gửi ý kiến|viết bình luận|bình luận|bình luận \(\d+\)|ý kiến bình luận"
    r"|ý kiến của bạn|ý kiến bạn đọc|lời bình|bài viết|xem|theo dõi|google news"
    r"|họ tên|họ và tên|tên của bạn|tên|số điện thoại|điện thoại|tiêu đề|nội dung|địa chỉ email"
    r"|mã xác nhận|mã bảo mật|xác thực|xác nhận|đăng nhập|đăng ký|đăng xuất|quên mật khẩu"
    r"|thích|like|quay lại|trở về|về đầu trang|lên đầu trang|đầu trang|top|đóng|hủy|huỷ|tắt"
    r"|nghe|nghe bài viết|nghe audio|đọc bài|dừng|tạm dừng|phát|giọng nam|giọng nữ"
    r"|giọng (nam|nữ) miền (bắc|trung|nam)|tốc độ( đọc)?|tải ứng dụng|tải app|tải về"
    r"|cỡ chữ|a-|a\+|màu nền|nghe đọc bài|bấm để nghe|youtube|tiktok|instagram"
)
_UI_ONLY = re.compile(rf"^(?:(?:{_UI_PHRASES})\s*(?:\(\*\))?\s*[:|•/,]*\s*)+$")
# Comment-form fields: a short label followed by a required-field mark "(*)".
_FORM_FIELD = re.compile(r"^[^\d]{1,30}:\s*\(\*\)\s*$")

# Audio player: elapsed/total time "0:00/ 0:00" (with optional hours).
_AUDIO_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?$")

# Headings of related/most-read/newest lists and widgets.
_RELATED_HEADING = re.compile(
    r"^(?:các |những )?(?:bài|tin|bài viết|tin tức)(?: viết)?"
    r" (?:mới đăng|đã đăng|mới nhất|mới|khác|liên quan|cùng chuyên mục|cùng chủ đề|đọc nhiều( nhất)?"
    r"|xem nhiều( nhất)?|nổi bật|tiêu điểm|nóng|hay|tiếp theo|trước|đọc thêm)$"
    r"|^(?:có thể )?bạn (?:có thể )?(?:quan tâm|muốn đọc|đã xem)$|^có thể bạn quan tâm$"
    r"|^(?:đọc|xem) (?:nhiều|thêm|tiếp|tiếp theo|nhiều nhất)$|^đừng bỏ lỡ$|^tin (?:24h|trong ngày)$"
    r"|^(?:chủ đề|từ khóa|từ khoá|tags?)$|^(?:video|ảnh|multimedia|emagazine|infographic) (?:nổi bật|mới|hay)$"
)

# A pointer to another article: "Xem thêm: <headline>", ">> Đọc thêm: ...", or a
# follow prompt: "Theo dõi Báo X trên Google News".
_LINK_PROMPT = re.compile(
    r"^(?:>>|»|>)?\s*(?:xem thêm|đọc thêm|xem tiếp|tin liên quan|bài liên quan|mời (?:quý )?(?:bạn )?đọc xem)\s*:"
    r"|^theo dõi\b.{0,60}\b(?:google news|zalo|facebook|youtube|tiktok|fanpage)\b"
    r"|^(?:từ khóa|từ khoá|tags?|chủ đề)\s*:",
    re.IGNORECASE,
)

# Navigation and counters: "Trang chủ > Thời sự > Hà Nội", "Lượt xem: 1.234", "12 bình luận".
_BREADCRUMB = re.compile(
    r"^(?:trang chủ|home)\s*[>»/|]|^[^\W\d_][^.!?>»]{0,40}(?:\s[>»]\s[^\W\d_][^.!?>»]{0,40}){2,}$", re.IGNORECASE
)
_COUNTER = re.compile(r"^\(?(?:lượt xem|lượt đọc|số lượt xem|views?)\s*:?\s*[\d.,]+\)?$|^[\d.,]+\s+(?:bình luận|lượt xem|lượt thích)$",
                      re.IGNORECASE)

# Page footers: copyright, licence and editor lines.
_FOOTER = re.compile(
    r"^(?:©|\(c\)|copyright\b|bản quyền thuộc|giấy phép (?:số|xuất bản|hoạt động)|tổng biên tập\s*:"
    r"|phó tổng biên tập\s*:|cơ quan chủ quản\s*:|toà soạn\s*:|tòa soạn\s*:|hotline\s*:|đường dây nóng\s*:"
    r"|ghi rõ nguồn|không được sao chép)",
    re.IGNORECASE,
)

# Mastheads: the outlet's name printed as a heading ("BÁO ĐIỆN TỬ CHÍNH PHỦ").
_MASTHEAD_UPPER = re.compile(r"^(?:BÁO|TẠP CHÍ|CỔNG THÔNG TIN|TRANG THÔNG TIN|ĐÀI|THÔNG TẤN XÃ)\b")
_MASTHEAD_ANY = re.compile(r"^(?:báo|tạp chí|cổng thông tin|trang thông tin) điện tử\b", re.IGNORECASE)

# Markdown / table residue: an image marker "![]()" alone, optionally with cell bars.
_IMAGE_MARKER = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)\s*\|?\s*)+$")
# A run of related headlines glued into one table cell: ends with " |" after a
# word, not after sentence punctuation (real captions in cells end with ". |").
_LINK_STRIP = re.compile(r"[^\W_]\s+\|$")
# Mojibake: a '?' standing for a lost letter inside a word ("L?y l?i"), or U+FFFD.
_LOST_LETTER = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_])|\ufffd")
# A photo credit alone on a line: "(Ảnh: SGGP)".
_PHOTO_CREDIT = re.compile(r"^\(?(?:ảnh|nguồn ảnh|video|clip)\s*:\s*[^.]{1,40}\)?$", re.IGNORECASE)


def is_ui_line(line: str) -> bool:
    """Share buttons, comment-form labels, player and app-download labels."""
    key = _key(line)
    if not key:
        return False
    return bool(_UI_ONLY.match(key) or _FORM_FIELD.match(line) or _AUDIO_TIME.match(line))


def is_related_heading(line: str) -> bool:
    """Heading of a related / most-read / newest-articles list."""
    return len(_words(line)) <= 7 and bool(_RELATED_HEADING.match(_key(line)))


def is_masthead(line: str) -> bool:
    """The outlet's name printed as a heading."""
    if len(_words(line)) > 8 or _ends_like_sentence(line):
        return False
    return bool((_is_upper_text(line) and _MASTHEAD_UPPER.match(line)) or _MASTHEAD_ANY.match(line))


def is_mojibake(line: str) -> bool:
    """Line whose encoding broke: several lost letters, most of them in a short line."""
    lost = len(_LOST_LETTER.findall(line))
    if lost < 2:
        return False
    words = len(_words(line))
    # long paragraphs with a few broken letters are still body text
    return words <= 20 or lost / max(words, 1) > 0.2


def is_symbol_line(line: str) -> bool:
    """Nothing but punctuation or symbols ("/", "|", "***", "•")."""
    return bool(line) and not any(ch.isalnum() for ch in line)


def _is_footer(line: str) -> bool:
    return len(_words(line)) <= 25 and bool(_FOOTER.match(line))


def _is_breadcrumb(line: str) -> bool:
    return len(_words(line)) <= 16 and bool(_BREADCRUMB.match(line))


def _is_link_prompt(line: str) -> bool:
    return len(_words(line)) <= 30 and not line.endswith(".") and bool(_LINK_PROMPT.match(_BULLET.sub("", line)))


def _is_glued_link_cell(line: str) -> bool:
    return len(_words(line)) >= 6 and bool(_LINK_STRIP.search(line)) and "|" not in line[:-1]


# A tag strip: four or more short keywords joined by commas without a space
# ("Phong trào thi đua,Thi đua,Công nhân lao động,..."), as aggregators print
# them after the body; prose puts a space after its commas.
_TAG_ITEM = re.compile(r"^[^\W\d_][\w&.'’ -]{0,60}$")


def is_tag_list(line: str, *, spaced: bool = False) -> bool:
    """A keyword strip; `spaced` also accepts ", " separators and two keywords (only where a trailer is known)."""
    # a strip of two keywords only where a trailer is known
    if _ends_like_sentence(line) or line.count(",") < (1 if spaced else 3):
        return False
    items = [x.strip() for x in line.split(",")]
    if not all(x and _TAG_ITEM.match(x) and len(_words(x)) <= 8 for x in items):
        return False
    glued = len(re.findall(r",(?=\S)", line))
    return spaced or glued * 4 >= (len(items) - 1) * 3


# The single-line furniture rules, in the order they are tried. The name of
# the first rule that matches is recorded with each dropped line.
LINE_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("symbols", is_symbol_line),
    ("image_marker", lambda line: bool(_IMAGE_MARKER.match(line))),
    ("ui_label", is_ui_line),
    ("related_heading", is_related_heading),
    ("masthead", is_masthead),
    ("mojibake", is_mojibake),
    ("footer", _is_footer),
    ("photo_credit", lambda line: bool(_PHOTO_CREDIT.match(line))),
    ("counter", lambda line: bool(_COUNTER.match(line))),
    ("breadcrumb", _is_breadcrumb),
    ("link_prompt", _is_link_prompt),
    ("glued_link_cell", _is_glued_link_cell),
    ("tag_list", is_tag_list),
)


def furniture_rule(line: str) -> str | None:
    """Name of the single-line furniture rule that matches `line`, else None.

    >>> furniture_rule("Chia sẻ Zalo"), furniture_rule("Quận hoàn thành 14/14 chỉ tiêu.")
    ('ui_label', None)
    """
    if not line:
        return None
    for name, matches in LINE_RULES:
        if matches(line):
            return name
    return None


def is_furniture(line: str) -> bool:
    """Any single-line furniture rule matches."""
    return furniture_rule(line) is not None


# --------------------------------------------------------------------------- #
# Headline-like lines (for runs of related headlines)
# --------------------------------------------------------------------------- #

_HEADLINE_BAD_END = re.compile(r"[.:;…,]\W{0,3}$")


def is_headline_like(line: str, *, after_heading: bool = False) -> bool:
    """Looks like an article headline: 3-30 words, capitalised, no sentence ending.

    Under a related-list heading a headline may also end in "?" or "!"; at the
    end of an article such lines are more often rhetorical questions of the body.
    """
    s = _BULLET.sub("", line)
    words = _words(s)
    bad_end = _HEADLINE_BAD_END if after_heading else _SENTENCE_END
    if not 3 <= len(words) <= 30 or bad_end.search(s):
        return False
    if s.count(";") >= 2:
        return False  # an enumeration (team line-ups, lists of units), not a headline
    first = s[0]
    return first.isupper() or first.isdigit() or first in "“\"'‘("


# --------------------------------------------------------------------------- #
# Header metadata
# --------------------------------------------------------------------------- #

VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")

_DATE = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})"
_TIME = r"(?P<H>\d{1,2})\s*(?:[:h]\s*(?P<M>\d{2}))(?:\s*:\s*\d{2})?(?:\s*(?P<ampm>[AaPp][Mm]))?"
_DATE_RE = re.compile(rf"(?<![\d/.-]){_DATE}(?![\d/]|\.\d)")
_TIME_RE = re.compile(rf"(?<![\d:/]){_TIME}(?![\d/])")
_DATE_WORDS = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>(?:19|20)\d{2})", re.IGNORECASE
)
# Words that mark a line as a dateline ("Ngày đăng", "Cập nhật", weekdays, "GMT+7").
_DATELINE_CUE = re.compile(
    r"\b(?:ngày đăng|đăng ngày|đăng lúc|cập nhật|xuất bản|thời gian|ngày|thứ (?:hai|ba|tư|năm|sáu|bảy|\d)"
    r"|chủ nhật|gmt|utc)\b",
    re.IGNORECASE,
)
# A stamp printed at the end of a title: "... năm 2022 (20:47 21/01/2022)".
# A date inside the headline's sentence ("vào 20h00 ngày 26/04/2021 trên ...") is news, not a stamp.
_TITLE_STAMP = re.compile(r"\(([^()]{6,40})\)\s*$|\s[-–|]\s*([^-–|]{6,30})$")
# Number of non-empty lines from the top that may hold a dateline.
_HEADER_LINES = 8


def _make_datetime(y: int, m: int, d: int, hh: int | None = None, mm: int | None = None) -> dt.datetime | None:
    """A naive datetime, or None when the parts are not a real date/time."""
    try:
        return dt.datetime(y, m, d, hh or 0, mm or 0)
    except ValueError:
        return None


def parse_dateline(line: str) -> tuple[dt.datetime, bool] | None:
    """(datetime, has_time) from a dateline, time taken only when printed next to the date.

    >>> parse_dateline("Ngày đăng : 15:20, 23/10/2022")
    (datetime.datetime(2022, 10, 23, 15, 20), True)
    >>> parse_dateline("Sáng 18/5, quận Nam Từ Liêm tổ chức") is None
    True
    """
    m = _DATE_RE.search(line) or _DATE_WORDS.search(line)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    # a time must sit within a few characters of the date: after it, else before it
    after = _TIME_RE.search(line[m.end(): m.end() + 16])
    before = list(_TIME_RE.finditer(line[max(0, m.start() - 16): m.start()]))
    for t in (after, before[-1] if before else None):
        if t is None:
            continue
        hh, mm = int(t["H"]), int(t["M"])
        if t["ampm"]:
            hh = hh % 12 + (12 if t["ampm"].lower() == "pm" else 0)
        value = _make_datetime(y, mo, d, hh, mm) if hh < 24 and mm < 60 else None
        if value:
            return value, True
    value = _make_datetime(y, mo, d)
    return (value, False) if value else None


def _is_dateline(line: str) -> bool:
    """A short line that is mostly a date/time stamp."""
    words = _words(line)
    if len(words) > 14:
        return False
    stripped = _DATE_RE.sub("", line)
    stripped = _TIME_RE.sub("", stripped)
    rest = len(_WORD.findall(stripped))
    return rest <= 3 or bool(_DATELINE_CUE.search(line))


def find_dateline(lines: list[str], title: str | None = None) -> dt.datetime | None:
    """Publication time from the header lines (title included), Vietnam local time.

    A title may carry a stamp such as "(20:47 21/01/2022)", accepted only with
    a time; other header lines must look like datelines. Without one, the
    stamp of a trailer after the body counts. A date without a year
    ("Sáng 18/5") gives None.

    >>> find_dateline(["Thứ sáu, 29/03/2024 16:37", "(ĐCSVN) - Trong thời gian qua ..."])
    datetime.datetime(2024, 3, 29, 16, 37)
    """
    if title:
        stamp = _TITLE_STAMP.search(title)
        found = parse_dateline(stamp.group(1) or stamp.group(2)) if stamp else None
        if found and found[1]:
            return found[0]
    seen = 0
    for line in lines:
        if not line or (title and line == title):
            continue
        seen += 1
        if seen > _HEADER_LINES:
            break
        stamp = parse_stamp(line)
        if stamp:
            return stamp
        if _is_dateline(line):
            found = parse_dateline(line)
            if found:
                return found[0]
    # a crawler prints the stamp after the body instead ("28/05/13 06:23 GMT+7")
    return read_trailer(lines).published_at


# --------------------------------------------------------------------------- #
# The trailer printed after the body (aggregator crawls)
# --------------------------------------------------------------------------- #

# A time stamp alone on a line, as crawlers print it after the body or under
# the title: "28/05/13 06:23 GMT+7", "21/01/2022 20:47", "20:47 21-01-2022".
_STAMP_DATE = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})"
_STAMP_TIME = r"(?P<H>\d{1,2})\s*[:h]\s*(?P<M>\d{2})(?::\d{2})?"
_STAMP_ZONE = r"(?:\s*\(?(?:GMT|UTC)\s*(?P<tz>[+-]\s*\d{1,2})(?::?00)?\)?)?"
_STAMP_DATE_FIRST = re.compile(rf"^{_STAMP_DATE}\s*[,|-]?\s*{_STAMP_TIME}{_STAMP_ZONE}$", re.IGNORECASE)
_STAMP_TIME_FIRST = re.compile(rf"^{_STAMP_TIME}\s*[,|-]?\s*{_STAMP_DATE}{_STAMP_ZONE}$", re.IGNORECASE)
# Lines after the body that may form the trailer.
_TRAILER_LINES = 5
# A section label ("Xã hội", "Giáo dục", "Ô tô - Xe máy"): a few words, no digits, no sentence.
_SECTION_MAX_WORDS = 5  # "Khoa học - Công nghệ"
# An outlet line ("Lao Động", "VOV", "Tài Chính", "GD&TĐ").
_OUTLET_LINE = re.compile(r"^[^\W\d_][\w&.'’ -]{0,40}$")
_OUTLET_MAX_WORDS = 7  # "Thời báo Kinh tế Sài Gòn"


def parse_stamp(line: str) -> dt.datetime | None:
    """A stamp line as naive Vietnam local time; two-digit years are 20yy.

    >>> parse_stamp("28/05/13 06:23 GMT+7")
    datetime.datetime(2013, 5, 28, 6, 23)
    >>> parse_stamp("28/05/13 06:23 GMT+0")
    datetime.datetime(2013, 5, 28, 13, 23)
    >>> parse_stamp("Sáng 28/5, quận tổ chức hội nghị") is None
    True
    """
    m = _STAMP_DATE_FIRST.match(line) or _STAMP_TIME_FIRST.match(line)
    if not m:
        return None
    year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    hh, mm = int(m["H"]), int(m["M"])
    if not (1900 <= year <= 2099 and hh < 24 and mm < 60):
        return None
    value = _make_datetime(year, int(m["m"]), int(m["d"]), hh, mm)
    if value is not None and m["tz"]:
        # printed in another zone: shift to Vietnam time (UTC+7)
        value += dt.timedelta(hours=7 - int(m["tz"].replace(" ", "")))
    return value


def _trailer_stamp(line: str) -> dt.datetime | None:
    """A dateline printed after the body: a stamp line, or a short dateline with a time
    ("Cập nhật: 15:20, 23/10/2022")."""
    stamp = parse_stamp(line)
    if stamp is None and len(_words(line)) <= 8 and _is_dateline(line):
        found = parse_dateline(line)
        stamp = found[0] if found and found[1] else None
    return stamp


def _is_section_label(line: str) -> bool:
    """A short heading-like label: the site's section name."""
    words = _words(line)
    return (
        1 <= len(words) <= _SECTION_MAX_WORDS
        and not any(ch.isdigit() for ch in line)
        and not _ends_like_sentence(line)
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
    stamp = bool(seq) and _trailer_stamp(seq[0]) is not None
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
                trailer.published_at = _trailer_stamp(lines[i])
            elif role == "section":
                trailer.section = lines[i]
            elif role == "tags":
                trailer.tags = [x.strip() for x in lines[i].split(",")]
            else:
                trailer.outlet = lines[i]
        return trailer
    return Trailer()


# Outlet marker at the start of the lead: "(HNM) -", "Kinhtedothi -", "HNP -", "(PLO)-".
_OUTLET = re.compile(
    r"^\s*(?:\((?P<p>[^()\n]{2,30})\)|(?P<b>[^\W\d_][\w.&]*(?: [\w.&]+){0,2}))\s*[-–—]{1,2}\s*(?=\S)"
)
# A lead paragraph is at least this long (header labels are shorter).
_LEAD_MIN_WORDS = 12
# Lead markers that are places, sections or times, not outlets.
_NOT_OUTLET = re.compile(
    r"^(?:ảnh|video|clip|infographic|thứ|chủ nhật|sáng|trưa|chiều|tối|đêm|ngày|hôm|tin|bài|theo"
    r"|tp\.?|thành phố|tỉnh|quận|huyện|thị xã|phường|xã)\b",
    re.IGNORECASE,
)


# A bracketed abbreviation opening the lead without a dash: "(TNO) Chiều 29.5, ...".
_BRACKET_ABBREVIATION = re.compile(r"^\s*\((?P<p>[A-ZĐ][A-ZĐ&.]{1,9})\)\s*(?=[A-ZĐ\u00c0-\u1ef8])")


@dataclass(frozen=True)
class LeadOutlet:
    """The outlet marker opening the lead; `abbreviation` when bracketed capitals ("(HNM)")."""

    name: str
    abbreviation: bool = False


def read_lead_outlet(lines: list[str], places: frozenset[str] | None = None) -> LeadOutlet | None:
    """The outlet marker printed before the lead ("(HNM) -", "Kinhtedothi -", "(TNO) Chiều ...")."""
    places = place_names() if places is None else places
    seen = 0
    for line in lines:
        if not line:
            continue
        seen += 1
        if seen > _HEADER_LINES + 4:
            break
        # only the lead paragraph carries the marker; shorter lines are labels
        # such as "Hà Nội 360 - Ngày đăng : ..." (section + dateline)
        if len(_words(line)) < _LEAD_MIN_WORDS:
            continue
        m = _OUTLET.match(line) or _BRACKET_ABBREVIATION.match(line)
        if not m:
            return None
        bare = m.groupdict().get("b")
        name = (m["p"] or bare).strip()
        if _NOT_OUTLET.match(name) or name.casefold() in places or any(ch.isdigit() for ch in name):
            return None
        if len(_words(name)) > 3:
            return None  # more than a short name before the dash is a sentence, not a marker
        if bare and not _looks_like_outlet(name):
            return None  # "Ông Mike Waltz - người ..." starts a sentence about a person
        return LeadOutlet(name, abbreviation=bool(m["p"]) and bool(re.fullmatch(r"[A-ZĐ][A-ZĐ&.]+", name)))
    return None


def find_outlet(lines: list[str], places: frozenset[str] | None = None) -> str | None:
    """Outlet name printed before the lead, e.g. "(HNM) -" gives "HNM".

    `places` (casefolded; default: the gazetteer) are dateline places
    ("ĐÀ NẴNG -") that are not outlets.

    >>> find_outlet(["Kinhtedothi - Sáng 18/5, quận Nam Từ Liêm tổ chức Hội nghị biểu dương"])
    'Kinhtedothi'
    """
    lead = read_lead_outlet(lines, places)
    return lead.name if lead else None


def choose_source(lead: LeadOutlet | None, trailer_outlet: str | None, byline_outlet: str | None) -> str | None:
    """The outlet as printed: a bracketed abbreviation in the lead ("(HNM)"), else the
    trailer's outlet line, else another lead marker ("NDĐT-", "(Toquoc)"), else the
    outlet after the closing byline ("Thái Tân/KD&PL").

    >>> choose_source(LeadOutlet("Toquoc"), "Tổ Quốc", None), choose_source(LeadOutlet("TNO", True), "Thanh Niên", None)
    ('Tổ Quốc', 'TNO')
    """
    if lead and lead.abbreviation:
        return lead.name
    return trailer_outlet or (lead.name if lead else None) or byline_outlet


# Outlet names printed without brackets: one token ("Kinhtedothi", "VOV.VN",
# "HNP"), all capitals ("VTC NEWS"), or a web/online suffix ("TBKTSG Online").
_OUTLET_SUFFIX = re.compile(r"(?:\.(?:vn|com|net)|\b(?:online|news|onl|tv|radio))$", re.IGNORECASE)


def _looks_like_outlet(name: str) -> bool:
    """A bare lead marker that names a publication, not a person or a place."""
    words = _words(name)
    if len(words) == 1:
        return True
    return _is_upper_text(name) or bool(_OUTLET_SUFFIX.search(name))


# A personal name or initials printed as a byline: "Phương Nga", "Huy Kiên", "CM", "THUẬN VĂN".
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*\.?$")
_INITIALS = re.compile(r"^[A-ZĐ]{2,4}$")
# Abbreviated names and initials with dots: "L.B", "N.LIÊM", "Nh.Thạch", "T. Dương".
_DOTTED_NAME = re.compile(r"^(?:[A-ZĐ][a-zđh]?\.\s?){1,3}(?:[A-ZĐ][^\W\d_]*)?$")
# "Bài và ảnh:", "Bài, ảnh:", "Tin, ảnh:", "Nhóm PV", "CTV": the name follows.
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:bài|tin|bài viết)(?:\s*(?:,|và|&|-)\s*ảnh)?|nhóm pv|nhóm phóng viên|pv|phóng viên|ctv|cộng tác viên"
    r"|tác giả|theo|ảnh)\s*:?\s+",
    re.IGNORECASE,
)
_BYLINE_SUFFIX = re.compile(
    r"\s*[-–]?\s*\((?:tổng hợp|theo [^)]*|th|lược dịch|[A-Z]{2,6})\)\s*$"
    r"|\s+(?:thực hiện|tổng hợp|lược dịch|biên dịch|ghi)\s*$",
    re.IGNORECASE,
)
# "Theo <outlet>" credits the source, not an author.
_CREDIT = re.compile(r"^\s*(?:theo|nguồn)\b", re.IGNORECASE)
# A photo or video credit ("Ảnh: TỰ TRUNG", "Ảnh TỰ TRUNG", "Video: Lê Hoàng") names no author.
_PHOTO_BYLINE = re.compile(r"^\s*\(?(?:ảnh|video|clip|đồ họa|đồ hoạ)\b", re.IGNORECASE)
_GLUED_CREDIT = re.compile(r"\s*(?:Theo|Nguồn)\s*[:]?\s+\S.*$")
# A reporters' team printed without names: kept as printed.
_TEAM = re.compile(r"^(?:nhóm pv|nhóm phóng viên|pv|nhóm ctv)$", re.IGNORECASE)
# Several authors: "Phi Long - Phương Dung", "Xuân Trang – H.Thanh", "A, B và C".
_AUTHOR_JOIN = re.compile(r"\s*[-–,;]\s*|\s+và\s+")
# A closing credit line after the byline ("Tổng hợp", "Theo DM").
_CREDIT_LINE = re.compile(r"^\(?(?:tổng hợp|theo\s+\S.{0,40}|nguồn\s*:?\s*\S.{0,40})\)?$", re.IGNORECASE)
# News agencies and outlets printed as initials where a byline would be.
_AGENCIES = frozenset("AFP AP AFP/TTXVN TTXVN VNA TTO BBC CNN SCMP DPA NHK XINHUA KYODO RT VOV VTV VIETNAM+".split())
# Words that start capitalised lines but are not names.
_NOT_NAME_WORDS = frozenset(
    "email lời bình xác thực họ tên ảnh video nguồn quận huyện phường xã tỉnh thành phố tp ubnd hđnd"
    " báo tin bài chia sẻ theo tags chủ đề xem clip".split()
)
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


def _parse_byline(line: str, places: set[str] | frozenset[str]) -> Byline | None:
    """A byline line as (author, outlet), None when the line is no byline.

    >>> _parse_byline("Thái Tân/KD&PL", frozenset())
    Byline(author='Thái Tân', outlet='KD&PL')
    >>> _parse_byline("Theo vne", frozenset())
    Byline(author=None, outlet='vne')
    >>> _parse_byline("Ảnh: TỰ TRUNG", frozenset()) is None
    True
    >>> _parse_byline("Đức Phương (TTXVN)", frozenset())
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
        parsed = _parse_byline(rest, places)
        return Byline(parsed.author, bracketed["o"]) if parsed and parsed.author else None
    credit = _CREDIT.match(s)
    s = re.sub(r"^(?:theo|nguồn)\s*:?\s*", "", s, flags=re.IGNORECASE) if credit else s
    name, _, outlet = s.partition("/")
    name, outlet = name.strip(), outlet.strip() or None
    if outlet and (len(_words(outlet)) > 5 or _SENTENCE_END.search(outlet)):
        return None
    if credit:
        # "Theo vne", "Theo Minh Ngọc/Trí thức trẻ": the article comes from that outlet
        source = outlet or name
        return Byline(None, source) if source and len(_words(source)) <= 5 and "," not in source else None
    glued = _GLUED_CREDIT.search(name)
    if glued and glued.start() > 0:
        name = name[: glued.start()]  # "Minh PhươngTheo Reuters": a byline glued to its source credit
    if _TEAM.match(name):
        return Byline(name, outlet)
    bare = _BYLINE_PREFIX.sub("", name)
    bare = _BYLINE_SUFFIX.sub("", bare).strip()
    if not looks_like_name(bare, places):
        return None
    if outlet and not re.match(r"^[\w&.()\s-]+$", outlet):
        return None
    return Byline(bare, outlet)


def _byline_name(line: str) -> str:
    """The name part of a byline line ("" for a credit such as "Theo Dân Việt" or a photo credit)."""
    parsed = _parse_byline(line, frozenset())
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
        parsed = _parse_byline(tail, provinces)
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
    folded = _fold(name)
    return bool(folded) and any(folded == _fold(o) for o in outlets if o)


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
        parsed = _parse_byline(line, places)
        if parsed and parsed.author and not _same_outlet(parsed.author, outlets):
            return parsed
    if len(body) < 2:
        return Byline()
    provinces = _province_names()
    closing = _closing_byline(body, provinces)
    trimmed = _before_caption_block(lines)
    if closing.author is None and len(trimmed) < len(lines):
        shown = [ln for ln in trimmed if ln]
        before_captions = _closing_byline(shown[1:] if title and shown[:1] == [title] else shown, provinces)
        closing = before_captions if before_captions.author else closing
    author = closing.author
    if author and (_same_outlet(author, outlets) or _printed_as_byline_before(author, "\n".join(body))):
        author = None
    return Byline(author, closing.outlet)


def _closing_byline(body: list[str], provinces: frozenset[str]) -> Byline:
    """The byline among the last three lines of the body (see `read_byline`)."""
    tail = body[-3:]
    credit = None
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        if _PHOTO_BYLINE.match(line) and len(_words(line)) <= 8:
            continue  # a photo credit printed last
        if _CREDIT_LINE.match(line) and len(_words(line)) <= 8:
            parsed = _parse_byline(line, provinces)
            credit = credit or (parsed.outlet if parsed else None)
            continue
        parsed = _parse_byline(line, provinces) if len(_words(line)) <= 12 else None
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


def _province_names() -> frozenset[str]:
    """Casefolded province names: a closing line naming a province is no byline."""
    global _PROVINCES_CACHE
    if _PROVINCES_CACHE is None:
        names: set[str] = set()
        with resources.files("etl").joinpath("data", "provinces.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                names.add(row["name"].casefold())
                names.update(a.casefold() for a in row["aliases"].split("|") if a)
        _PROVINCES_CACHE = frozenset(names)
    return _PROVINCES_CACHE


_PROVINCES_CACHE: frozenset[str] | None = None


# Author strings from HTML metadata that are really the site ("Baochinhphu Vn",
# "NLD COM VN", "VCCorp vn", "TUOI TRE ONLINE") rather than a person.
_SITE_AUTHOR = re.compile(
    r"\b(?:vn|com|net|org|online|news|vccorp|báo|bao|tạp chí|cổng thông tin|tuoi tre|người lao động"
    r"|pháp luật|dân trí|vietnamnet|vnexpress|thanh niên|tiền phong|hà nội mới|nhân dân)\b|\.(?:vn|com|net)\b",
    re.IGNORECASE,
)


# One token glued from "báo" + outlet ("Baotuoitre", "Baodautu").
_GLUED_SITE = re.compile(r"^b[aá]o[^\W\d_]{3,}$", re.IGNORECASE)


def _fold(text: str) -> str:
    """Casefolded text without diacritics or non-alphanumerics (for site-name comparison)."""
    s = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in s if ch.isalnum() and not unicodedata.combining(ch))


def clean_author(author: str | None, sitename: str | None = None, hostname: str | None = None) -> str | None:
    """Author from HTML metadata without site names; None when only the site was given.

    >>> clean_author("Baochinhphu Vn", sitename="baochinhphu.vn") is None
    True
    >>> clean_author("VietNamNet News; Duy Anh")
    'Duy Anh'
    """
    if not author:
        return None
    site_keys = {_fold(s.split(".")[0]) for s in (sitename, hostname) if s}
    site_keys |= {_fold(s) for s in (sitename, hostname) if s}
    site_keys.discard("")
    def is_site(part: str) -> bool:
        folded = _fold(part)
        if folded in site_keys or any(k and (k in folded or folded in k) for k in site_keys if len(k) >= 4):
            return True
        return bool(_SITE_AUTHOR.search(part) or _GLUED_SITE.match(part))

    kept = []
    for group in re.split(r"[;,|]", author):
        group = _BYLINE_PREFIX.sub("", normalize(group)).strip()
        names = [p.strip() for p in re.split(r"\s+[-–]\s+", group) if p.strip()]
        names = [_BYLINE_PREFIX.sub("", p).strip() for p in names if not is_site(p)]
        if not names:
            continue
        # co-authors printed "A - B" stay as printed; a site name among them is dropped
        kept.append(group if len(names) == len(re.split(r"\s+[-–]\s+", group)) else "; ".join(names))
    return "; ".join(dict.fromkeys(kept)) or None


# --------------------------------------------------------------------------- #
# The cleaner
# --------------------------------------------------------------------------- #

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


def _mark_duplicates(lines: list[str], drop: list[str | None]) -> None:
    """Drop a line that repeats the previous non-blank line (captions printed twice)."""
    prev = None
    for i, line in enumerate(lines):
        if not line:
            continue
        if line == prev and not drop[i]:
            drop[i] = "duplicate"
        prev = line


def _mark_related_blocks(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
    """After a related-list heading, drop the headline-like lines that follow it."""
    i = 0
    while i < len(lines):
        if lines[i] and is_related_heading(lines[i]):
            drop[i] = drop[i] or "related_heading"
            j = i + 1
            while j < len(lines):
                line = lines[j]
                if line and j not in protect:
                    rule = furniture_rule(line)
                    if rule or is_headline_like(line, after_heading=True):
                        drop[j] = drop[j] or rule or "related_list"
                    else:
                        break
                j += 1
            i = j
        else:
            i += 1


def _mark_tail_headlines(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
    """Drop a run of 3+ headline-like lines after the last paragraph (related-article list)."""
    run: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if not line or drop[i] or i in protect:
            continue
        if is_headline_like(line):
            run.append(i)
        else:
            break
    if len(run) >= 3:
        for i in run:
            drop[i] = "tail_headlines"


def _mark_head_link_list(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
    """Drop a run of 3+ bulleted headline-like lines before the first paragraph (link lists)."""
    run: list[int] = []
    for i, line in enumerate(lines):
        if not line or drop[i] or i in protect:
            continue
        if _BULLET.match(line) and is_headline_like(line):
            run.append(i)
        elif run or len(_words(line)) >= 15:
            break
    if len(run) >= 3:
        for i in run:
            drop[i] = "head_link_list"


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
    _mark_duplicates(lines, drop)
    _mark_related_blocks(lines, drop, protect)
    _mark_head_link_list(lines, drop, protect)

    places = place_names()
    # a byline at the bottom sits after the body: protect it from the tail rule
    tail = [i for i, ln in enumerate(lines) if ln and not drop[i] and i not in protect]
    for i in reversed(tail[-6:]):
        if looks_like_name(_byline_name(lines[i]), places):
            protect.add(i)
            break
    _mark_tail_headlines(lines, drop, protect)

    kept = [ln for ln, d in zip(lines, drop) if not d]
    dropped = [DroppedLine(i, ln, d) for i, (ln, d) in enumerate(zip(lines, drop)) if d]
    cleaned = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip("\n")
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


def place_names() -> frozenset[str]:
    """Casefolded province and district names and aliases (places are not outlets or bylines)."""
    global _PLACES_CACHE
    if _PLACES_CACHE is None:
        names: set[str] = set()
        for resource in ("provinces.csv", "districts.csv"):
            with resources.files("etl").joinpath("data", resource).open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    names.add(row["name"].casefold())
                    names.update(a.casefold() for a in row["aliases"].split("|") if a)
        _PLACES_CACHE = frozenset(names)
    return _PLACES_CACHE


_PLACES_CACHE: frozenset[str] | None = None
