"""The line-level boilerplate filter: each rule named for the furniture it recognises.

Vietnamese news pages copied as plain text (or extracted by trafilatura) carry
page furniture between and after the paragraphs: share buttons, image captions
printed twice, related-headline lists, comment forms, audio-player labels,
mastheads, captcha lines whose encoding broke, tag strips. The filter works line
by line, so the cleaned text keeps one paragraph per line and fact offsets can
point into it. Every rule is a compiled pattern or a small predicate named for
the kind of furniture it recognises (`LINE_RULES`, and the block rules
`mark_*`); none matches a particular article. A dropped line records the name
of the rule that fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from etl.text.words import BULLET, SENTENCE_END, ends_like_sentence, is_upper_text, line_key
from etl.text.words import words as _words

# --------------------------------------------------------------------------- #
# Single-line rules
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
    key = line_key(line)
    if not key:
        return False
    return bool(_UI_ONLY.match(key) or _FORM_FIELD.match(line) or _AUDIO_TIME.match(line))


def is_related_heading(line: str) -> bool:
    """Heading of a related / most-read / newest-articles list."""
    return len(_words(line)) <= 7 and bool(_RELATED_HEADING.match(line_key(line)))


def is_masthead(line: str) -> bool:
    """The outlet's name printed as a heading."""
    if len(_words(line)) > 8 or ends_like_sentence(line):
        return False
    return bool((is_upper_text(line) and _MASTHEAD_UPPER.match(line)) or _MASTHEAD_ANY.match(line))


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
    """Copyright, licence and editor lines of the page footer."""
    return len(_words(line)) <= 25 and bool(_FOOTER.match(line))


def _is_breadcrumb(line: str) -> bool:
    """Navigation path ("Trang chủ > Thời sự > Hà Nội")."""
    return len(_words(line)) <= 16 and bool(_BREADCRUMB.match(line))


def _is_link_prompt(line: str) -> bool:
    """A pointer to another article or a follow prompt ("Xem thêm: ...")."""
    return len(_words(line)) <= 30 and not line.endswith(".") and bool(_LINK_PROMPT.match(BULLET.sub("", line)))


def _is_glued_link_cell(line: str) -> bool:
    """Related headlines glued into one table cell, ending in " |"."""
    return len(_words(line)) >= 6 and bool(_LINK_STRIP.search(line)) and "|" not in line[:-1]


# A tag strip: four or more short keywords joined by commas without a space
# ("Phong trào thi đua,Thi đua,Công nhân lao động,..."), as aggregators print
# them after the body; prose puts a space after its commas.
_TAG_ITEM = re.compile(r"^[^\W\d_][\w&.'’ -]{0,60}$")


def is_tag_list(line: str, *, spaced: bool = False) -> bool:
    """A keyword strip; `spaced` also accepts ", " separators and two keywords (only where a trailer is known)."""
    # a strip of two keywords only where a trailer is known
    if ends_like_sentence(line) or line.count(",") < (1 if spaced else 3):
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
    s = BULLET.sub("", line)
    words = _words(s)
    bad_end = _HEADLINE_BAD_END if after_heading else SENTENCE_END
    if not 3 <= len(words) <= 30 or bad_end.search(s):
        return False
    if s.count(";") >= 2:
        return False  # an enumeration (team line-ups, lists of units), not a headline
    first = s[0]
    return first.isupper() or first.isdigit() or first in "“\"'‘("




# --------------------------------------------------------------------------- #
# Block rules (runs of lines); `drop[i]` receives the rule's name
# --------------------------------------------------------------------------- #

def mark_duplicates(lines: list[str], drop: list[str | None]) -> None:
    """Drop a line that repeats the previous non-blank line (captions printed twice)."""
    prev = None
    for i, line in enumerate(lines):
        if not line:
            continue
        if line == prev and not drop[i]:
            drop[i] = "duplicate"
        prev = line


def mark_related_blocks(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
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


def mark_tail_headlines(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
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


def mark_head_link_list(lines: list[str], drop: list[str | None], protect: set[int]) -> None:
    """Drop a run of 3+ bulleted headline-like lines before the first paragraph (link lists)."""
    run: list[int] = []
    for i, line in enumerate(lines):
        if not line or drop[i] or i in protect:
            continue
        if BULLET.match(line) and is_headline_like(line):
            run.append(i)
        elif run or len(_words(line)) >= 15:
            break
    if len(run) >= 3:
        for i in run:
            drop[i] = "head_link_list"
