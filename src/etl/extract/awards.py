"""Awards: Cờ thi đua, Bằng khen, Giấy khen, Huân chương, danh hiệu, khen thưởng.

An award mention becomes a row only when it has recipients: a printed count
("8 tập thể nhận được Bằng khen", "tặng bằng khen cho 5 cá nhân", "khen
thưởng 7 tập thể, 8 cá nhân") or a named recipient ("Nhân dân và cán bộ quận
được Thủ tướng Chính phủ tặng Cờ thi đua", "tặng Huân chương Độc lập cho ông
Lê Hoàng Quân"). Generic mentions ("các tập thể nhận Cờ thi đua", "nhiều tập
thể và cá nhân nhận Bằng khen", "công tác thi đua, khen thưởng"), proposals
("đề nghị Bộ Công an tặng Cờ thi đua"), future acts ("sẽ trao bằng khen") and
contest titles ("danh hiệu vô địch") are not awards.

Mentions are award nouns (any case), the verbs khen thưởng / khen tặng /
tuyên dương / biểu dương / công nhận / thưởng cho, and well-known titles after
đạt/công nhận/tặng ("đạt Chiến sĩ thi đua cơ sở"). The rules, in the order
they claim recipient counts:

1. count before: "N <recipients> được/nhận/đạt ... AWARD" (the count is the subject);
2. count after: "AWARD cho/tặng/với/gồm N <recipients>", "khen thưởng N tập thể",
   "Bộ X tặng 229 Kỷ niệm chương", "Đã nhận bằng khen ... nhưng N ...";
3. named recipient: passive "X được ... AWARD", active "trao AWARD cho X",
   "X được công nhận là <title>", "... được tặng Bằng khen gồm: <names>", and
   awards listed after a named one.

"96 tập thể, 127 cá nhân" is two rows; one count printed for several awards
("Huân chương Độc lập, Huân chương Lao động") is one khen_thuong row; a
Huân chương other than Lao động and a Kỷ niệm chương are khen_thuong with the
printed name as award_detail; a spelled-out count leaves recipient_count null.
The issuer is the nearest "được X tặng", "AWARD (của) X", "do X trao tặng",
else the active subject ("UBND tỉnh khen tặng ..."), shared by joined verbs.
Every step looks only at the mention's clause (at most 600 characters back)
and at bounded windows, so extraction is linear in the text (issue 17).
"""

from __future__ import annotations

import bisect
import csv
import functools
import logging
import math
import re
from dataclasses import dataclass
from importlib import resources

from etl.extract.metrics import SentenceIndex
from etl.extract.numbers import parse_vi_number
from etl.schema import Award

log = logging.getLogger(__name__)

_S = r"[ \t\u00a0]+"  # spaces inside a phrase (never a newline)
# Upper-case letters, Vietnamese ones included ("À-Ỹ" as a range would take lower-case letters too)
_UP = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1F00)) if c.isupper())


def _p(phrase: str) -> str:
    """A phrase pattern whose spaces match any run of spaces (never a newline)."""
    return phrase.replace(" ", _S)


# --------------------------------------------------------------------------- #
# Award mentions
# --------------------------------------------------------------------------- #

_CLASS = _p(r"[Hh]ạng (?:[Nn]hất|[Nn]hì|[Bb]a|III|II|I|[123])(?!\w)")
# Orders (Huân chương) other than Lao động: no code of their own, so khen_thuong + award_detail
_ORDERS = "|".join(_p(o) for o in (
    "Độc lập", "Quân công", "Chiến công", "Bảo vệ Tổ quốc", "Hồ Chí Minh", "Sao vàng", "Dũng cảm",
    "Hữu nghị", "Đại đoàn kết dân tộc", "Kháng chiến", "Chiến thắng", "Chiến sĩ vẻ vang",
))
# Titles (danh hiệu) named without the word "danh hiệu": "8 giáo viên đạt Chiến sĩ thi đua cơ sở"
_TITLES = "|".join(_p(t) for t in (
    "Chiến sĩ thi đua", "Chiến sỹ thi đua", "Lao động tiên tiến", "Tập thể lao động xuất sắc", "Tập thể lao động tiên tiến",
    "Anh hùng Lao động", "Anh hùng Lực lượng vũ trang nhân dân", "Nhà giáo Nhân dân", "Nhà giáo Ưu tú",
    "Thầy thuốc Nhân dân", "Thầy thuốc Ưu tú", "Nghệ sĩ Nhân dân", "Nghệ sĩ Ưu tú", "Nghệ nhân Nhân dân",
    "Nghệ nhân Ưu tú", "Bà mẹ Việt Nam anh hùng", "Gia đình văn hóa", "Gia đình văn hoá", "Làng văn hóa", "Làng văn hoá",
    "Chiến sĩ tiên tiến", "Đơn vị quyết thắng", "Đơn vị tiên tiến",
))
_TITLE_VERB_BEFORE_RE = re.compile(r"(?:đạt|công\s+nhận|tặng|nhận|phong|giữ\s+vững)\s+(?:là\s+)?$", re.IGNORECASE)
# An award noun right after a verb makes the verb part of that award ("khen tặng danh hiệu ...")
_AWARD_NOUN = _p(r"(?:[Cc]ờ|[Bb]ằng khen|[Gg]iấy khen|[Hh]uân chương|[Kk]ỷ niệm chương|danh hiệu)")
AWARD_RE = re.compile(
    rf"(?P<co_thi_dua_xuat_sac>[Cc]ờ{_S}thi{_S}đua{_S}xuất{_S}sắc|[Cc]ờ{_S}[“\"](?=[^”\"\n]{{0,60}}xuất{_S}sắc)[^”\"\n]{{2,80}}[”\"])"
    rf"|(?P<co_thi_dua>[Cc]ờ{_S}thi{_S}đua|Cờ{_S}[“\"][^”\"\n]{{2,80}}[”\"])"
    rf"|(?P<bang_khen>[Bb]ằng{_S}khen)"
    rf"|(?P<giay_khen>[Gg]iấy{_S}khen)"
    rf"|(?P<huan_chuong_lao_dong>[Hh]uân{_S}chương{_S}[Ll]ao{_S}động(?:{_S}(?P<hclass>{_CLASS}))?)"
    rf"|(?P<order>[Hh]uân{_S}chương{_S}(?i:{_ORDERS})(?:{_S}{_CLASS})?)"
    rf"|(?P<medal>[Kk]ỷ{_S}niệm{_S}chương(?:{_S}[“\"][^”\"\n]{{2,100}}[”\"])?)"
    rf"|(?P<title>(?<!\w)(?:{_TITLES})(?:{_S}(?:cơ{_S}sở|toàn{_S}quốc|cấp{_S}(?:cơ{_S}sở|tỉnh|thành{_S}phố|bộ|ngành|toàn{_S}quốc|huyện|quận)))?(?!\w))"
    # "đạt danh hiệu Cờ thi đua xuất sắc": the instrument is the award, not a danh hiệu
    rf"|(?P<danh_hieu>danh{_S}hiệu(?:{_S}thi{_S}đua)?(?!:?{_S}(?:[Cc]ờ|[Bb]ằng{_S}khen|[Gg]iấy{_S}khen|[Hh]uân{_S}chương)\b))"
    rf"|(?P<recognised>(?-i:(?:(?:[Tt]uyên|[Bb]iểu){_S}dương\s*(?:,|và)\s*)?(?<!\w)công{_S}nhận(?:{_S}là)?(?!\w)))"
    rf"|(?P<praised>(?<!\w)(?:[Tt]uyên|[Bb]iểu){_S}dương(?:\s*(?:,|và)\s*khen{_S}thưởng)?(?!\w)"
    rf"|(?<!\w)[Kk]hen{_S}(?:thưởng|tặng)(?!\w)"
    # "đã đến động viên và thưởng cho CAQ Ngũ Hành Sơn số tiền 10 triệu đồng"
    rf"|(?<!\w)(?:trao{_S})?thưởng(?={_S}cho{_S})"
    # "trao thưởng về thành tích ... đối với các lực lượng Công an huyện X": for merit, not a contest prize
    rf"|(?<!\w)trao{_S}thưởng(?={_S}(?:về|vì){_S}(?:thành{_S}tích|việc)))",
    re.IGNORECASE,  # "Huân Chương Lao động", "Khen Thưởng" in headlines
)
_KINDS = ("co_thi_dua_xuat_sac", "co_thi_dua", "bang_khen", "giay_khen", "huan_chuong_lao_dong",
          "order", "medal", "title", "danh_hieu", "recognised", "praised")
_AWARD_OF_GROUP = {"order": "khen_thuong", "medal": "khen_thuong", "title": "danh_hieu", "recognised": "danh_hieu",
                   "praised": "khen_thuong"}
_VERB_GROUPS = frozenset({"recognised", "praised"})

# "khen thưởng" as a noun, not an act: "công tác thi đua, khen thưởng", "Hội đồng Thi đua - Khen thưởng"
_NOMINAL_BEFORE_RE = re.compile(
    r"(?:[Tt]hi\s+đua\s*[-–,]?\s*|công\s+tác\s+|[Qq]uỹ\s+|kinh\s+phí\s+|tiền\s+|hình\s+thức\s+|chế\s+độ\s+|"
    r"[Ll]uật\s+|hồ\s+sơ\s+|thủ\s+tục\s+|việc\s+|[Hh]ội\s+đồng\s+|[Bb]an\s+|xét\s+|chính\s+sách\s+|chạy\s+)$"
)
_REWARD_NOUN_BEFORE_RE = re.compile(r"(?:tiền|phần|giải|mức|số|được|khen|tặng|trao|quỹ|chế\s+độ)\s+$", re.IGNORECASE)
_TITLE_AFTER_RE = re.compile(rf"{_S}(?:là{_S})?(?:{_TITLES})(?!\w)", re.IGNORECASE)
_AWARD_AFTER_VERB_RE = re.compile(rf"\s*(?:,\s*)?(?:(?:trao|tặng|trao{_S}tặng|tặng{_S}thưởng){_S})?{_AWARD_NOUN}")
_AWARD_BEFORE_PRAISE_RE = re.compile(rf"{_AWARD_NOUN}[^.;:\n]{{0,20}}$")


@dataclass
class _Mention:
    """An award phrase: its kind, detail and where the phrase (with its detail) ends."""

    kind: str
    group: str
    start: int
    end: int
    detail: str | None

    @property
    def verb(self) -> bool:
        """Is this a verb ("khen thưởng", "tuyên dương", "công nhận"), not an award noun?"""
        return self.group in _VERB_GROUPS


# --------------------------------------------------------------------------- #
# Recipient counts
# --------------------------------------------------------------------------- #

_COLLECTIVE_NOUNS = (
    "tập thể", "đơn vị", "cơ quan", "tổ chức", "doanh nghiệp", "chi đoàn", "công đoàn cơ sở", "trường học",
    "trường", "xã", "phường", "thị trấn", "hộ gia đình", "gia đình", "dòng họ", "dòng tộc", "chi bộ", "đảng bộ",
    "khu dân cư", "tổ dân phố", "thôn", "khu phố", "hợp tác xã", "tổ công đoàn", "tổ", "đội", "lớp", "khoa",
    "phòng", "câu lạc bộ", "CLB", "HTX", "DN", "CĐCS", "làng", "hộ", "công ty", "bệnh viện",
)
_INDIVIDUAL_NOUNS = (
    "cá nhân", "người", "đồng chí", "cán bộ", "đảng viên", "học sinh", "sinh viên", "giáo viên", "chiến sĩ",
    "chiến sỹ", "hội viên", "đoàn viên", "đội viên", "công dân", "em", "cháu", "nhà giáo", "y bác sĩ", "bác sĩ",
    "công nhân", "nông dân", "cựu chiến binh", "thanh niên", "phụ nữ", "gương", "tấm gương", "công chức",
    "viên chức", "đại biểu", "tài xế", "lái xe", "thí sinh", "vận động viên", "nghệ nhân", "nghệ sĩ",
    "doanh nhân", "tình nguyện viên", "nhân viên", "thầy giáo", "cô giáo", "thầy cô giáo", "học viên",
    "thầy thuốc", "điều dưỡng", "người lao động", "lao động", "người dân", "nhà báo", "nhà khoa học",
    # abbreviations of news copy: công nhân viên chức lao động, cán bộ chiến sĩ, chiến sĩ thi đua ...
    "CNVCLĐ", "CNVC", "CNLĐ", "CBCNV", "CBCNVC", "CBCS", "CSTĐ", "CBGV", "NLĐ", "CCB", "ĐVTN",
)
# "377 điển hình tiên tiến": models of either kind
_NOUN_KIND = {n: "collective" for n in _COLLECTIVE_NOUNS} | {n: "individual" for n in _INDIVIDUAL_NOUNS} | {
    "điển hình tiên tiến": "both", "điển hình": "both"}
_NOUN = "(?:" + "|".join(_p(re.escape(n).replace(r"\ ", " ")) for n in sorted(_NOUN_KIND, key=len, reverse=True)) + r")(?!\w)"
# "tập thể, cá nhân", "tổ chức và cá nhân", "gương điển hình tập thể, cá nhân": one count for both kinds
COUNT_RE = re.compile(
    rf"(?<![\w.,/])(?P<n>\d{{1,3}}(?:\.\d{{3}})+|\d+){_S}(?:lượt{_S})?"
    rf"(?P<nouns>{_NOUN}(?:(?:\s*(?:,|và|hoặc)\s*|{_S}(?:điển{_S}hình|tiêu{_S}biểu){_S}){_NOUN})*)"
)
_NOUN_RE = re.compile(_NOUN)
_ID_BEFORE_RE = re.compile(r"(?<!\w)(?:thôn|xóm|ấp|tổ|khu|số|lớp|đội|phường|quận|khóa|khoá|khối|cụm|bản|lần|thứ)[ \t\u00a0]+$")
_COUNT_LIST_SEP_RE = re.compile(r"(?:[ \t\u00a0]+[a-zà-ỹđ]+){0,2}\s*(?:,|và|;)?\s*$")


@dataclass
class _Count:
    """A printed recipient count: number, kind and span."""

    n: int
    kind: str
    start: int
    end: int
    idx: int = 0  # position in the text's list of counts


def _counts(text: str) -> list[_Count]:
    """Every printed recipient count in the text."""
    out = []
    for m in COUNT_RE.finditer(text):
        kinds = {_NOUN_KIND[" ".join(n.group().split())] for n in _NOUN_RE.finditer(m.group("nouns"))}
        kind = "both" if len(kinds) > 1 else kinds.pop()
        if _ID_BEFORE_RE.search(text, max(0, m.start() - 8), m.start()):
            continue  # "thôn 11 xã ...": an address, not a count
        n = parse_vi_number(m.group("n"))
        if not math.isfinite(n):  # int(inf) raised OverflowError and lost the whole article
            continue
        out.append(_Count(int(n), kind, m.start(), m.end(), len(out)))
    return out


def _count_group(counts: list[_Count], i: int, text: str, forward: bool) -> list[_Count]:
    """The list of counts joined by ',' / 'và' around counts[i] ("96 tập thể, 127 cá nhân")."""
    group = [counts[i]]
    step = 1 if forward else -1
    j = i
    while 0 <= j + step < len(counts):
        a, b = (counts[j], counts[j + step]) if forward else (counts[j + step], counts[j])
        if b.start - a.end > 60 or abs(counts[j + step].start - counts[i].start) > 400 or \
                not _COUNT_LIST_SEP_RE.match(text, a.end, b.start):
            break  # a list runs a few hundred characters at most ("96 tập thể, 127 cá nhân")
        group.append(counts[j + step])
        j += step
    return sorted(group, key=lambda c: c.start)


def _last_free_count(counts: list[_Count], starts: list[int], used: set[int], lo: int, hi: int) -> int | None:
    """Index of the last unused count starting at or after `lo` and ending by `hi`."""
    i = bisect.bisect_right(starts, hi) - 1
    while i >= 0 and counts[i].start >= lo:
        if i not in used and counts[i].end <= hi:
            return i
        i -= 1
    return None


def _first_free_count(counts: list[_Count], starts: list[int], used: set[int], lo: int, hi: int) -> int | None:
    """Index of the first unused count starting in [lo, hi)."""
    i = bisect.bisect_left(starts, lo)
    while i < len(counts) and counts[i].start < hi:
        if i not in used:
            return i
        i += 1
    return None


# --------------------------------------------------------------------------- #
# Clauses, verbs and subjects
# --------------------------------------------------------------------------- #

# Clause breaks: ; . ? ! : and newlines ('.' inside numbers and after TP/TS... is no break).
_CLAUSE_BREAK_RE = re.compile(
    # "Q.Bình Thạnh", "TX.Kỳ Anh", "H.Bình Chánh": abbreviated units of tuoitre-style copy are no break either
    r"[;!?:\n]|(?<!\bTP)(?<!\bTp)(?<!\bTS)(?<!\bThS)(?<!\bGS)(?<!\bBS)(?<!\bQ)(?<!\bP)(?<!\bH)(?<!\bTX)(?<!\bTT)\.(?!\d)"
)
# Verbs linking a subject to the award it receives.
_PASSIVE_RE = re.compile(
    r"\b(?:được|(?<!công )(?<!ghi )(?<!xác )(?<!thừa )(?<!tiếp )nhận(?!{S}(?:định|thức|xét|diện|biết|thấy|lời|trách|lãnh|nhiệm))"
    r"|đón{S}nhận|đạt|giành)\b".replace("{S}", _S)
)
_GIVE_TAIL_RE = re.compile(rf"(?:trao|tặng|thưởng|phong|truy{_S}tặng|khen{_S}tặng|công{_S}nhận)\s*[“\"]?$")
_GIVE_RE = re.compile(rf"\b(?:trao{_S}tặng|tặng{_S}thưởng|truy{_S}tặng|trao|tặng)\b")
_PROPOSED_RE = re.compile(rf"\b(?:đề{_S}nghị|đề{_S}xuất|kiến{_S}nghị|xin|xét)\b")
# "kiến nghị ... trình ... truy tặng": a proposal; "Theo/Xét đề nghị của Sở ...": the award was given on it
_PROPOSAL_BEFORE_RE = re.compile(
    rf"(?<![Tt]heo )(?<![Xx]ét )(?<!của )(?<!\w)(?:đề{_S}nghị|đề{_S}xuất|kiến{_S}nghị)(?!{_S}(?:của|khen{_S}thưởng{_S}của))(?!\w)"
    rf"|(?<!\w)xét{_S}(?:tặng|duyệt|khen)"
)
_MAX_GAP = 120  # characters between a count and the award it receives (a long "được X, Y và Z tặng")
_MAX_GAP_SAME_CLAUSE = 230  # ... when nothing but words of the subject's description lie between


class _Clauses:
    """Clause breaks of a text, found once, so each mention looks its clause up by bisection."""

    def __init__(self, text: str):
        self._starts = [m.start() for m in _CLAUSE_BREAK_RE.finditer(text)]
        self._len = len(text)

    def bounds(self, pos: int) -> tuple[int, int]:
        """Start and end of the clause around `pos` (a clause reaches back at most 600 characters)."""
        i = bisect.bisect_left(self._starts, pos)  # breaks are one character long
        start = self._starts[i - 1] + 1 if i and self._starts[i - 1] + 1 > pos - 600 else max(0, pos - 600)
        end = self._starts[i] if i < len(self._starts) else self._len
        return start, end


# Openers that are not the subject ("Tại hội nghị, ...", "Năm 2022, ...", "Chiều 29-5, ...").
_OPENER_WORDS = (
    r"Tại|Dịp|Nhân|Năm|Trong|Đặc\s+biệt|Qua|Sau|Kết\s+quả|Theo|Ngoài(?:\s+ra)?|Bên\s+cạnh|Cũng|Đồng\s+thời|Riêng|"
    r"Như\s+vậy|Từ|Với|Để|Nhằm|Hiện|Đến|Khi|Do|Vì|Xét|Nhiều\s+năm|Liên\s+tục|Liên\s+tiếp|Hằng\s+năm|Hàng\s+năm|"
    r"Mỗi\s+năm|Gần\s+đây|Cách\s+đây|Trước\s+đây|Sau\s+đó|Tiếp\s+đó|Hôm\s+qua|Hôm\s+nay|Căn\s+cứ|Thừa\s+(?:uỷ|ủy)\s+quyền|Sáng|Chiều|Tối|Trưa|Ngày|Hôm|Mới\s+đây|Vừa\s+qua|Trước\s+đó|Thay\s+mặt"
)
_LEADING_ADVERBIAL_RE = re.compile(rf"^\W*(?:{_OPENER_WORDS})\b[^,]*,\s*")
_OPENER_SEGMENT_RE = re.compile(rf"^\W*(?:(?:{_OPENER_WORDS})\b|(?:sáng|chiều|tối|trưa|ngày|hôm|năm)\b|.*\d)", re.IGNORECASE)
# "(TNO) ", "NDĐT- ", "(GD&TĐ) - ": the outlet's lead prefix
_OUTLET_PREFIX_RE = re.compile(r"^\s*(?:\([^()\n]{1,20}\)\s*[-–]?\s*|[A-ZĐ&]{2,10}\s*[-–]\s*)")
_TIME_PREFIX_RE = re.compile(
    r"^\s*(?:[Ss]áng|[Cc]hiều|[Tt]ối|[Tt]rưa|[Nn]gày|[Hh]ôm)\s*(?:nay|qua|\d{1,2}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{2,4})?)\s*,?\s*"
)
# Where a subject ends: its first verb (or an aside in brackets).
_SUBJECT_END_RE = re.compile(
    r"\(|(?:^|\s)(?:đã|đang|vừa|sẽ|cũng|còn|vẫn|luôn|liên\s+tục|nhiều\s+năm|vinh\s+dự|tổ\s+chức|long\s+trọng|trân\s+trọng|"
    r"thay\s+mặt|tới\s+dự|đến\s+dự|tiếp\s+tục|quyết\s+định|ra\s+quyết\s+định|trao|tặng|phong\s+tặng|truy\s+tặng|khen|tuyên\s+dương|"
    r"biểu\s+dương|công\s+nhận|chính\s+thức|được|nhận|đón\s+nhận|đạt|giành|có)(?!\w)"
)
# ("Tập thể Phòng Cảnh sát hình sự ..." names its unit: only "tập thể"/"cá nhân" before lower case is generic)
_GENERIC_SUBJECT_RE = re.compile(
    rf"^\W*(?:[Cc]ác|[Nn]hiều|[Nn]hững|[Mm]ột\s+số|[Đđ]ại\s+diện|[Tt]ập\s+thể(?!\s+[{_UP}])|[Cc]á\s+nhân(?!\s+[{_UP}])|"
    r"[Hh]àng\s+loạt|[Mm]ỗi|[Tt]oàn\s+thể|[Tt]ất\s+cả|[Tt]ôi|[Cc]húng)\b"
)
# A unit the article is about, named by its head noun alone ("đơn vị đã nhiều năm liền đạt danh hiệu ...")
_ANAPHORIC_SUBJECT_RE = re.compile(
    r"^(?:[Ôô]ng|[Bb]à|(?:[Tt]ập\s+thể\s+)?(?:[Đđ]ơn\s+vị|[Nn]hà\s+trường|[Tt]rường|[Hh]uyện|[Qq]uận|[Tt]hị\s+xã|[Tt]ỉnh|[Cc]ông\s+ty|"
    r"[Bb]ệnh\s+viện|[Tt]rung\s+tâm|[Tt]ập\s+thể\s+nhà\s+trường))$"
)
_RANKS = (
    r"Đại\s+tướng|Thượng\s+tướng|Trung\s+tướng|Thiếu\s+tướng|Đại\s+tá|Thượng\s+tá|Trung\s+tá|Thiếu\s+tá|"
    r"Đại\s+úy|Thượng\s+úy|Trung\s+úy|Thiếu\s+úy|Đại\s+uý|Thượng\s+uý|Trung\s+uý|Thiếu\s+uý"
)
# a capitalised "Anh"/"Em" mid-phrase is part of a name ("huyện Anh Sơn"), so those count only at the start
_PERSON_RE = re.compile(
    rf"(?:(?:^|[\s,(])(?:(?:các|hai|ba){_S})?(?:ông|bà|anh|chị|em|cháu|đồng{_S}chí|{_RANKS}|NSND|NSƯT|nhà{_S}giáo|học{_S}sinh|sinh{_S}viên|thầy{_S}giáo|"
    rf"cô{_S}giáo|thầy|cô|Giáo{_S}sư|giáo{_S}sư|GS\.?|PGS\.?|TS\.?|Tiến{_S}sĩ|tiến{_S}sĩ|bác{_S}sĩ|Bác{_S}sĩ|Đại{_S}đức|Thượng{_S}tọa|Hòa{_S}thượng|Hoà{_S}thượng|Ni{_S}sư|Linh{_S}mục|Mục{_S}sư)"
    rf"|^\W*(?:(?:Các|Hai|Ba){_S})?(?:Ông|Bà|Anh|Chị|Em|Cháu|Đồng{_S}chí|Nhà{_S}giáo)){_S}[{_UP}]"
)
_NAMED_PEOPLE_RE = re.compile(rf"^\W*(?:các|hai|ba){_S}(?:anh|chị|em|ông|bà|đồng{_S}chí|cháu){_S}[A-ZĐ]")


@functools.lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    """Vietnamese surnames (etl/data/surnames.csv)."""
    with resources.files("etl").joinpath("data", "surnames.csv").open(encoding="utf-8") as fh:
        return frozenset(row["surname"] for row in csv.DictReader(fh))


def _is_person(phrase: str) -> bool:
    """Does a recipient phrase name a person ("ông Lê Hoàng Quân", "Thượng tá Nguyễn Phùng Tuy")?"""
    if _PERSON_RE.search(phrase):
        return True
    words = re.findall(r"[^\W\d_]+", phrase)
    if _SPELLED_COUNT_RE.match(phrase):  # "hai lão nông Nguyễn Công Uẩn và Nguyễn Tiến Lãng"
        return any(w in _surnames() and nxt[0].isupper() for w, nxt in zip(words[:8], words[1:9]))
    return len(words) >= 2 and words[0] in _surnames() and words[1][0].isupper()


def _strip_openers(subject: str) -> str:
    """Drop a leading adverbial ("Tại hội nghị, ", "Năm 2022, ") and anything before ':'."""
    s = subject.strip(" ,…").split(":")[-1]
    while True:
        cut = _LEADING_ADVERBIAL_RE.sub("", s, count=1)
        if cut == s:
            break
        s = cut
    return re.sub(r"^\W*(?:đặc\s+biệt|trong\s+đó|riêng|và)\s+", "", s.strip(" ,"))


# "... có nhiều nhà giáo được ...": the recipients right before the verb are unnamed
_GENERIC_TAIL_RE = re.compile(
    rf"(?<!\w)(?:nhiều|các|những|một{_S}số|hàng{_S}(?:loạt|trăm|nghìn|ngàn|chục)){_S}(?:[^\W\d_]+{_S}){{0,3}}[^\W\d_]*\s*$"
)
_REPORTING_RE = re.compile(
    rf"(?<!\w)(?:cho{_S}rằng|cho{_S}biết|cho{_S}hay|khẳng{_S}định|nhấn{_S}mạnh|chia{_S}sẻ|nhận{_S}định|đánh{_S}giá|"
    rf"phát{_S}biểu|nói|kể|thông{_S}tin)(?!\w)\s*:?"
)
_SPELLED_COUNT_RE = re.compile(rf"^\W*(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười){_S}")
_MID_CAPITAL_RE = re.compile(rf"(?<=[^\W\d_]|[,)\-–])[ \t\u00a0]+([{_UP}][^\W_]*)")


def _is_named(subject: str, before: str = "", max_tokens: int = 12) -> bool:
    """Does a subject phrase name its recipient (not "các tập thể", "đại diện ...")?

    Named means a proper noun in mid-sentence ("quận Bắc Từ Liêm", "NXB Kim
    Đồng", "Nhân dân và cán bộ quận"): a capital after a sentence break only
    shows that a sentence starts ("Tài xế taxi được tặng bằng khen").
    """
    reported = None
    for reported in _REPORTING_RE.finditer(subject):
        pass
    if reported is not None:  # "X cho rằng trường hợp cha mẹ ... đăng ảnh con nhận Bằng khen": the reported clause
        subject = subject[reported.end():]
    s = _strip_openers(subject)
    if not s:
        return False
    if _SPELLED_COUNT_RE.match(s) and not _is_person(s):
        return False  # "hai lão nông ở Bắc Ninh": a spelled-out count, no name
    if _NAMED_PEOPLE_RE.match(s):
        return True
    segments = [seg.strip() for seg in re.split(r",\s*", s) if seg.strip()]
    # a list of named units: "Ban Tổ chức Quận ủy, Ban Dân vận Quận ủy, ... và các phòng"
    if sum(1 for seg in segments if seg[0].isupper()) >= 3:
        return True
    last = segments[-1] if segments else s
    if _GENERIC_SUBJECT_RE.match(last) or _GENERIC_TAIL_RE.search(last):
        return False
    tokens = re.findall(r"[^\W\d_]+", last)
    if not tokens or len(tokens) > max_tokens:
        return False
    tail = (before + subject)[-(len(last) + 40):]  # keep the word before, to tell mid-sentence capitals
    return any(t[0].isupper() for t in _MID_CAPITAL_RE.findall(tail)[-len(tokens):]) or bool(
        re.search(r"(?:^|[,;]\s*)(?:đặc\s+biệt|và|trong\s+đó)\s+[A-ZĐ]", tail)
    )


def _clause_subject(text: str, lo: int, verb_start: int) -> str | None:
    """The subject of the verb at `verb_start`, in the clause from `lo`.

    The verb's own comma segment up to its first verb word, with earlier
    segments kept while they start with a capital and are no adverbial
    ("Ban Thường vụ Tỉnh đoàn, Sở Giáo dục và Đào tạo ... tổ chức ... và tuyên dương").
    """
    s = _OUTLET_PREFIX_RE.sub("", text[lo:verb_start], count=1)
    segments = s.split(",")
    if len(segments) > 1 and not segments[-1].strip():
        segments.pop()  # "X tổ chức khen thưởng, tặng bằng khen ...": the verb joins the one before
    last = segments[-1]
    end = _SUBJECT_END_RE.search(last)
    if end is not None:
        last = last[:end.start()]
    keep = [_TIME_PREFIX_RE.sub("", last.strip())]
    for seg in reversed(segments[:-1]):
        seg = seg.strip()
        timed = _TIME_PREFIX_RE.sub("", seg)
        if timed != seg and timed[:1].isupper():
            keep.insert(0, timed)  # "Ngày 6/2 Sở Giáo dục đào tạo, Phòng Giáo dục ...": the date opens the clause
            break
        if not seg or not seg[0].isupper() or _OPENER_SEGMENT_RE.match(seg):
            break
        keep.insert(0, seg)
    subject = " ".join(", ".join(keep).split()).strip(" ,-–")
    return subject or None


def _recipient_phrase(subject: str) -> str:
    """The recipients at the end of a subject: its last comma segment and the capitalised ones before it."""
    subject = re.sub(r"\([^()]*\)", "", subject)  # "Ông X (SN 1980, trú xã Y)": the aside is no segment
    segments = [seg.strip() for seg in _strip_openers(subject).split(",")]
    while segments and not segments[-1]:
        segments.pop()
    if not segments:
        return ""
    end = _SUBJECT_END_RE.search(segments[-1])
    if end is not None and not segments[-1][:end.start()].strip() and len(segments) > 1:
        segments.pop()  # "ông X - Chủ tịch ..., vinh dự đón nhận": the last segment holds only the verb's adverbs
    keep = [segments[-1]]
    for seg in reversed(segments[:-1]):
        if not seg or not seg[0].isupper() or _OPENER_SEGMENT_RE.match(seg):
            break
        keep.insert(0, seg)
    return ", ".join(keep)


def _first_subject(text: str, lo: int, hi: int) -> str | None:
    """The subject opening the clause text[lo:hi], for predicates joined after it ("X đã ..., liên tục được ...")."""
    for seg in _OUTLET_PREFIX_RE.sub("", text[lo:hi], count=1).split(","):
        seg = seg.strip()
        if not seg or _OPENER_SEGMENT_RE.match(seg):
            continue
        end = _SUBJECT_END_RE.search(seg)
        if end is None or end.start() == 0:
            return None
        return " ".join(seg[:end.start()].split()) or None
    return None


_NAMED_AFTER_RE = re.compile(rf"[^.;:\n]{{0,40}}?{_S}gồm\s*:?\s*(?P<names>(?:[{_UP}][^\W\d_]*{_S}){{1,4}}[{_UP}][^\W\d_]*)")


def _bare_predicate(segment: str) -> bool:
    """Is a comma segment only adverbs before its verb (", liên tục được ...", ", được tặng ...")?"""
    end = _SUBJECT_END_RE.search(segment)
    return not (segment[:end.start()] if end else segment).strip()


def _is_anaphoric(subject: str | None) -> bool:
    """Is the subject the unit the article is about, by its head noun ("đơn vị", "nhà trường")?"""
    return bool(subject) and bool(_ANAPHORIC_SUBJECT_RE.match(subject))


# --------------------------------------------------------------------------- #
# Details and issuers
# --------------------------------------------------------------------------- #

_QUOTED_RE = re.compile(r"\s*[“\"]([^”\"\n]{2,150})[”\"]")
_UNQUOTED_TITLE_RE = re.compile(rf":?{_S}([^,;.:()\n“”\"]{{3,120}}?)(?={_S}(?:cho|tại|trên|năm|của|và{_S}(?:đạt|được|tặng|trao|nhận)|được|tặng|trao)\b|[,;.:()\n]|$)")
_RECOGNISED_TITLE_RE = re.compile(
    rf"{_S}(?P<t>[“\"][^”\"\n]{{2,120}}[”\"]|(?:[Đđ]ơn{_S}vị|[Tt]ập{_S}thể|[Cc]hiến{_S}s[ĩỹ]|[Cc]á{_S}nhân|[Gg]ia{_S}đình|"
    rf"[Đđ]iển{_S}hình|[Ll]ao{_S}động|[Aa]nh{_S}hùng|[Nn]ghệ{_S}nhân|[Nn]hà{_S}giáo|[Tt]hầy{_S}thuốc|[Ll]àng{_S}văn|"
    rf"[Kk]hu{_S}dân{_S}cư|[Cc]ơ{_S}quan|[Xx]ã{_S}[“\"]?Anh)[^,;.:()\n]{{0,100}})"
)
_TITLE_WORDS_RE = re.compile(r"\s*(?:thi\s+đua|này|đó|trên|của|và|hình\s+thức|cao\s+quý)\b")
_OF_ISSUER_RE = re.compile(
    rf"(?:{_S}(?:đột{_S}xuất|xuất{_S}sắc|tiên{_S}tiến))?{_S}(?:(?P<of>của){_S})?(?P<issuer>(?:[Tt]hủ{_S}tướng|[Cc]hủ{_S}tịch|[Cc]hính{_S}phủ|[Tt]hành{_S}phố|UBND|Ủy{_S}ban|"
    rf"Uỷ{_S}ban|[Bb]ộ|Ban|[Ss]ở|Trung{_S}ương|Tỉnh|Thành|Quận|Huyện|HĐND|Hội|Liên{_S}đoàn|Đoàn|Công{_S}an|Tổng|Cục|"
    rf"Quân|Nhà{_S}nước|Đảng|tỉnh|quận|huyện|UB|Mặt{_S}trận|MTTQ|Viện|Đại|Học{_S}viện|Thành{_S}đoàn|Tỉnh{_S}đoàn|"
    rf"Tập{_S}đoàn|Công{_S}ty)(?:TP\.\s?|Tp\.\s?|[^,;.:()\n“”\"])*?)"
    rf"(?=\s+(?:cho|vì|do|về|năm|tại|trong|nhờ|đã|có|nhân|và{_S}(?:nhiều|các)|cùng|khác|trao|tặng)\b|{_S}và{_S}\d|[,;.:()\n…“\"]|$)"
)
_OF_ISSUER_AFTER_OF_RE = re.compile(
    rf"(?:{_S}(?:đột{_S}xuất|xuất{_S}sắc|tiên{_S}tiến))?{_S}của{_S}(?P<issuer>(?:các|[A-ZĐ])(?:TP\.\s?|Tp\.\s?|[^,;.:()\n“”\"])*?)"
    rf"(?=\s+(?:cho|vì|do|về|năm|tại|trong|nhờ|đã|có|nhân|cùng|khác|trao|tặng)\b|{_S}và{_S}\d|[,;.:()\n…“\"]|$)"
)
_BY_GIVE = rf"(?:(?:(?:hai|ba|\d+){_S}lần{_S})?(?:trao{_S}tặng|tặng{_S}thưởng|truy{_S}tặng|phong{_S}tặng|khen{_S}tặng|tặng|trao|khen{_S}thưởng|phong))"
_BY_ISSUER_RE = re.compile(rf"được{_S}(?P<issuer>(?:TP\.\s?|Tp\.\s?|[^;.:()\n])(?:TP\.\s?|Tp\.\s?|[^;.:()\n]){{1,100}}?){_S}{_BY_GIVE}\s*[“\"]?$")
_BY_ISSUER_PRAISE_RE = re.compile(rf"được{_S}(?P<issuer>[^,;.:()\n\d]{{2,60}}?)\s*$")
_PROPOSER_RE = re.compile(rf"(?:đề{_S}nghị|đề{_S}xuất|kiến{_S}nghị){_S}(?P<issuer>[^,;.:()\n]{{2,60}}?)\s*$")
_NOT_ISSUER_RE = re.compile(r"(?:^|\s)(?:được|nhận|tặng|trao|đạt|là|cho|đề\s+nghị)(?:\s|$)|^\W*(?:tôi|chúng|em|các\s+(?:tập|cá))\b",
                            re.IGNORECASE)
_PERSON_THEN_POSITION_RE = re.compile(rf"^(?:Ông|Bà|Đồng{_S}chí|ông|bà|đồng{_S}chí|{_RANKS}){_S}[^,–-]+(?:,|{_S}[-–]){_S}?(?P<position>[A-ZĐ].+)$")
# an issuer is an office or a body: a capitalised name or an organisation's head noun
_ISSUER_START_RE = re.compile(
    rf"^(?:[{_UP}]|(?:cục|sở|bộ|ban|hội|ủy\s+ban|uỷ\s+ban|phòng|công\s+an|quận|huyện|tỉnh|thành\s+phố|trường|"
    r"liên\s+đoàn|đoàn|nhà\s+nước|chính\s+phủ|các\s+(?:cấp|bộ|ngành|sở))\b)"
)
_NOT_ISSUER_START_RE = re.compile(
    r"^(?:Và|Để|Đã|Dù|Tuy|Mặc\s+dù|Dẫu|Hiện|Nhằm|Các|Những|Nhiều|Theo|Trong|Với|Sau|Qua|Từ|Khi|Do|Vì|Tại|Nhân|Năm|Ngày|Sáng|Chiều|Tối|"
    r"Đồng\s+thời|Đặc\s+biệt|Bên\s+cạnh|Ngoài|Riêng|Cũng|Còn|Mỗi|Tất\s+cả|Toàn|Đây|Đó|Này|Chúng|Tôi|Họ|Kết\s+quả|"
    r"Hội\s+nghị|Lễ|Buổi|Chương\s+trình|Đại\s+hội)\b"
)


def _detail(text: str, m: re.Match[str], group: str) -> tuple[str | None, int]:
    """Class of a Huân chương, name of an order, medal or danh hiệu, and where the phrase ends."""
    if group == "huan_chuong_lao_dong":
        return m.group("hclass"), m.end()
    if group in ("order", "medal", "title"):
        return " ".join(m.group().split()), m.end()
    if group == "danh_hieu":
        q = _QUOTED_RE.match(text, m.end())
        if q:
            return q.group(1).strip(), q.end()
        u = _UNQUOTED_TITLE_RE.match(text, m.end())
        if u and not _TITLE_WORDS_RE.match(u.group(1)):
            return u.group(1).strip(), u.end()
    if group == "recognised":
        t = _RECOGNISED_TITLE_RE.match(text, m.end())
        if t:
            return t.group("t").strip(" “”\""), t.end()
    return None, m.end()


_CONTEST_TITLE_RE = re.compile(
    r"^\W*(?:hoa\s+hậu|á\s+hậu|người\s+đẹp|vô\s+địch|quán\s+quân|á\s+quân|nữ\s+hoàng|vua|cầu\s+thủ|"
    r"ngôi\s+sao|Quả\s+bóng|Miss|top)\b", re.IGNORECASE)


def _titled(detail: str | None, quoted: bool) -> bool:
    """Does a danh hiệu detail name a title ("Chiến sĩ thi đua", "đơn vị Quyết thắng"), not "vô địch", "hoa hậu"?"""
    if not detail or _CONTEST_TITLE_RE.match(detail):
        return False
    return quoted or any(w[0].isupper() for w in re.findall(r"[^\W\d_]+", detail))


def _clean_issuer(s: str | None) -> str | None:
    """An issuer phrase with asides and spaces tidied, or None when it is no issuer."""
    if not s:
        return None
    s = re.sub(r"\s*\([^()]*\)", "", s)
    s = re.sub(r"^\s*(?:[Đđ]ại\s+diện|[Tt]hay\s+mặt)\s+(?:lãnh\s+đạo\s+)?", "", s)
    s = re.sub(r"\s+(?:ngày|sáng|chiều|tối|hôm)\s+\d{1,2}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{2,4})?\s*$", "", s)  # "Bộ X ngày 24/4"
    s = " ".join(s.split()).strip(" ,-–")
    if not s or len(s) > 120 or _NOT_ISSUER_RE.search(s) or not _ISSUER_START_RE.match(s) or _NOT_ISSUER_START_RE.match(s):
        return None
    p = _PERSON_THEN_POSITION_RE.match(s)
    return p.group("position") if p else s


def _issuer_by(text: str, start: int, clause_start: int, praised: bool) -> str | None:
    """ "được X tặng AWARD" / "được X khen thưởng": the X nearest before the award."""
    lo = max(clause_start, start - 150)
    window = text[lo:start]
    last = None
    for last in re.finditer(r"được", window):
        pass
    if last is None:
        return None
    rest = window[last.start():]
    by = (_BY_ISSUER_PRAISE_RE if praised else _BY_ISSUER_RE).match(rest)
    return _clean_issuer(by.group("issuer")) if by else None


# "Huân chương ... do Chủ tịch nước trao tặng", "cờ thi đua từ Thủ tướng Chính phủ"
_DO_ISSUER_RE = re.compile(
    rf"(?:{_S}[^\W\d_]+){{0,3}}?{_S}(?:do{_S}(?P<do>[{_UP}][^,;.:()\n]{{1,60}}?){_S}(?:trao{_S}tặng|tặng{_S}thưởng|tặng|trao|cấp|ký)(?!\w)"
    rf"|từ{_S}(?P<from>(?:Thủ{_S}tướng|Chủ{_S}tịch|Bộ|UBND|Ủy{_S}ban|Uỷ{_S}ban|Chính{_S}phủ|Nhà{_S}nước|Trung{_S}ương)[^,;.:()\n]{{0,60}}?)"
    rf"(?=\s+(?:vì|về|do|năm|tại|trong|nhân)\b|[,;.:()\n…]|$))"
)


def _issuer_of(text: str, end: int) -> tuple[str | None, int]:
    """ "Bằng khen của X", "Cờ thi đua Chính phủ": the issuer printed after the award, and its end."""
    of = _OF_ISSUER_RE.match(text, end) or _OF_ISSUER_AFTER_OF_RE.match(text, end) or _DO_ISSUER_RE.match(text, end)
    if not of:
        return None, end
    issuer = of.groupdict().get("issuer") or of.groupdict().get("do") or of.groupdict().get("from")
    return _clean_issuer(issuer), of.end()


# --------------------------------------------------------------------------- #
# Rows
# --------------------------------------------------------------------------- #

def _row(text: str, kind: str, start: int, end: int, detail: str | None, issuer: str | None,
         recipient_kind: str | None, count: int | None, index: SentenceIndex) -> Award:
    """One award row with a verbatim quote."""
    return Award(
        article_id="", seq=0, quote=text[start:end], award=kind, award_detail=detail, issuer=issuer,
        recipient_kind=recipient_kind, recipient_count=count, year=index.year_at(start),
        char_start=start, char_end=end,
    )


# "khen thưởng đột xuất cho X", "khen thưởng 10 triệu đồng cho X", "khen thưởng các anh Tuấn, Trung và Tâm"
_KHEN_CHO_RE = re.compile(
    rf"(?:{_S}(?:đột{_S}xuất|nóng|kịp{_S}thời|[\d.,]+{_S}(?:triệu|nghìn|ngàn|tỷ|tỉ)(?:{_S}đồng)?)){{0,2}}"
    rf"{_S}(?P<cho>cho{_S})?(?P<rcp>[^,;.:()\n]{{2,80}}?)(?=\s+(?:về|vì|do|đã|có|với|trong|tại|nhân|mỗi)\b|[,;.:()\n]|$)"
)
_MERIT_THEN_RCP_RE = re.compile(
    rf"{_S}(?:về|vì){_S}(?:thành{_S}tích|việc)[^;.:\n]{{0,100}}?{_S}(?P<cho>cho|đối{_S}với){_S}"
    rf"(?P<rcp>[^,;.:()\n]{{2,80}}?)(?=\s+(?:về|vì|do|đã|có|với|trong|tại|nhân|mỗi)\b|[,;.:()\n]|$)"
)
# "các lực lượng Công an huyện X": units named after a plural head
_NAMED_FORCES_RE = re.compile(rf"^\W*(?:các|những){_S}(?:lực{_S}lượng|đơn{_S}vị|cơ{_S}quan){_S}[{_UP}]")
# "khen thưởng cho thành tích ...": the reason, not a recipient; "nên/đề nghị khen thưởng": not given
_REASON_RE = re.compile(r"\W*(?:thành\s+tích|việc|những|các|công\s+tác|hành\s+động|nỗ\s+lực)\b", re.IGNORECASE)
# "huyện sẽ tổ chức trao ...", "chọn để tuyên dương": not given yet; "huỷ quyết định khen thưởng": taken back
_NOT_YET_RE = re.compile(rf"(?<!\w)(?:sẽ|sắp|dự{_S}kiến|chuẩn{_S}bị|để|huỷ|hủy|thu{_S}hồi|tước|rút)(?!\w)")
_NOT_DONE_RE = re.compile(
    rf"\b(?:nên|cần|phải|sẽ|chưa|không|đề{_S}nghị|đề{_S}xuất|xin|xét|xem{_S}xét|muốn){_S}(?:được{_S})?$", re.IGNORECASE
)
# the recipient after an active "trao AWARD": "cho X", "tặng X", "..., phần thưởng tuyên dương em X"
_RCP_END_RE = re.compile(rf"\s*\(|{_S}(?:vì|về|do|để|nhằm|tại|trong|nhân{_S}dịp|đã|có)(?!\w)")
_DELEGATE_RE = re.compile(rf"^\W*(?:đại{_S}diện|Đại{_S}diện){_S}(?=[{_UP}])")
_ACTIVE_CHO_RE = re.compile(r"[^;]{0,60}?\bcho\s+(?P<rcp>[^;]{2,80})")
_ACTIVE_RCP_RE = re.compile(
    rf"(?:[^;]{{0,60}}?)(?:\bcho|\btặng|\btuyên{_S}dương|\bbiểu{_S}dương)\s+(?:cho\s+)?(?P<rcp>[^;]{{2,80}})"
)
# before a count after the award: "cho hơn 20 ...", "với 219 tập thể"
_COUNT_AFTER_MARK_RE = re.compile(
    rf"(?:\bcho|\btặng|\bvới|\bgồm)\s*(?:(?:hơn|gần|trên|khoảng|tổng{_S}số|tổng{_S}cộng|lần{_S}lượt|thêm){_S})?$"
)
_CONCESSIVE_RE = re.compile(r"\W*(?:Đã|Dù|Tuy|Mặc\s+dù|Dẫu)(?!\w)")
_BUT_COUNT_RE = re.compile(rf"(?<!\w)nhưng\s*(?:(?:hơn|gần|trên|khoảng){_S})?$")
# ... or only a short, verbless stretch between: "khen thưởng 38 sáng kiến ... và 6 tập thể"
_VERB_IN_GAP_RE = re.compile(
    rf"\b(?:được|nhận|đạt|là|có|đã|đang|sẽ|trao|tặng|tổ{_S}chức|tham{_S}dự|tham{_S}gia|của|gồm)\b|[“\"]"
)
# awards listed one after another share their recipient:
# "tặng thưởng Huân chương ..., Cờ thi đua Chính phủ, ... và nhiều Bằng khen, Giấy khen khác"
_LIST_JOIN_RE = re.compile(r"^(?:[ \t\u00a0]+(?:của[ \t\u00a0]+)?[^,;.:\n]{0,60}?)?\s*(?:,|và)\s*(?:nhiều\s+|các\s+)?$")
_CHAIN_SEP_RE = re.compile(r"\s*(?:,|và)\s*$")  # used with match(text, pos, endpos): no "^"
_OTHER_TAIL_RE = re.compile(r"[ \t\u00a0]+khác\b")
_MANY_BEFORE_RE = re.compile(r"nhiều\s+$")
# "đạt danh hiệu “LĐ tiên tiến”; 1.257 CSTĐ cơ sở, 138 CSTĐ các cấp và 50 CN giỏi thủ đô": holders of more titles
_TITLE_COUNT_ITEM_RE = re.compile(
    rf"\s*(?:[;,]|{_S}và)\s*(?P<n>\d{{1,3}}(?:\.\d{{3}})+|\d+){_S}(?P<t>[A-ZĐ][^\s,;.:()\n]*(?:{_S}(?!và\b)[^\W\d][^\s,;.:()\n]*){{0,5}})"
    rf"(?=\s*(?:[,;.…]|{_S}và\b)|\s*$)"
)
_TITLE_ITEM_STOP_RE = re.compile(rf"\b(?:được|nhận|đạt|tặng|trao|là|có|đã|đồng|tỷ|triệu|người|tập{_S}thể|cá{_S}nhân)\b")
# "đạt danh hiệu đơn vị Quyết thắng, đơn vị dẫn đầu phong trào thi đua ...": a list of titles
_TITLE_LIST_ITEM_RE = re.compile(rf"\s*(?:,|{_S}và)\s*(?P<t>[^,;.:()\n“”\"]{{3,100}}?)(?=\s*[,;.:()\n]|{_S}(?:được|và{_S}được|cùng)\b|$)")


@dataclass
class _State:
    """What one extraction has claimed so far."""

    used: set[int]
    done: set[int]  # mentions that already gave rows (or were merged into another's row)
    giver: tuple[int, str] | None = None  # the last active issuer and where its verb stood


def extract_awards(text: str) -> list[Award]:
    """Award rows of a cleaned article text.

    >>> [(a.award, a.recipient_kind, a.recipient_count) for a in extract_awards(
    ...     "Đã có 96 tập thể, 127 cá nhân được quận khen thưởng.")]
    [('khen_thuong', 'collective', 96), ('khen_thuong', 'individual', 127)]
    """
    index = SentenceIndex(text)
    clauses = _Clauses(text)
    counts = _counts(text)
    starts = [c.start for c in counts]
    mentions = _mentions(text)
    state = _State(used=set(), done=set())
    out: list[Award] = []
    chains = _chains(text, mentions)
    for k in range(len(mentions)):
        out += _count_before(text, mentions, k, chains, counts, starts, state, clauses, index)
    for k in range(len(mentions)):
        if k not in state.done:
            out += _count_after(text, mentions, k, chains, counts, starts, state, clauses, index)
    last_named: tuple[int, Award, str | None] | None = None
    for k in range(len(mentions)):
        if k in state.done:
            last_named = None
            continue
        rows = _named(text, mentions, k, clauses, index, last_named, state)
        out += rows
        if rows:
            # awards listed after a named one share its recipient and, unless they print their own, its issuer
            joined = last_named is not None and last_named[0] == k - 1 and \
                bool(_LIST_JOIN_RE.match(text[mentions[k - 1].end:mentions[k].start]))
            base = last_named[2] if joined else rows[0].issuer
            last_named = (k, rows[-1], base)
        else:
            last_named = None
    out.sort(key=lambda a: a.char_start)
    return out


def _mentions(text: str) -> list[_Mention]:
    """Award phrases in text order, without verbs that belong to a neighbouring award noun."""
    out: list[_Mention] = []
    for m in AWARD_RE.finditer(text):
        group = next(name for name in _KINDS if m.group(name))
        if group == "recognised" and (_AWARD_AFTER_VERB_RE.match(text, m.end()) or _TITLE_AFTER_RE.match(text, m.end())):
            continue  # "được UBND quận công nhận danh hiệu ...", "... công nhận Gia đình văn hóa": the title speaks
        if group == "title" and (out and out[-1].end > m.start() or not _TITLE_VERB_BEFORE_RE.search(text, max(0, m.start() - 16), m.start())):
            continue  # inside "danh hiệu <title>", or a title named without being given ("Đại hội Chiến sĩ thi đua")
        if group == "praised":
            before = text[max(0, m.start() - 25):m.start()]
            if _NOMINAL_BEFORE_RE.search(before):
                continue  # "công tác thi đua, khen thưởng": a noun
            if m.group().lower().startswith("thưởng") and _REWARD_NOUN_BEFORE_RE.search(before):
                continue  # "tiền thưởng cho ...", "được thưởng cho ...": no act of giving
            if _AWARD_AFTER_VERB_RE.match(text, m.end()):
                continue  # "khen tặng danh hiệu ...", "khen thưởng, tặng bằng khen ...": the award noun speaks
            if m.group().lower().startswith(("tuyên", "biểu")) and _AWARD_BEFORE_PRAISE_RE.search(before):
                continue  # "trao tặng bằng khen, phần thưởng tuyên dương em X": one act
        detail, end = _detail(text, m, group)
        out.append(_Mention(_AWARD_OF_GROUP.get(group, group), group, m.start(), end, detail))
    for prev, nxt in zip(out, out[1:]):
        if prev.end > nxt.start:  # an unquoted title runs until the next award at most
            prev.end = nxt.start
            if prev.group == "danh_hieu":
                prev.detail = text[prev.start:nxt.start].split("hiệu", 1)[-1].strip(" ,:") or None
    return out


def _chains(text: str, mentions: list[_Mention]) -> dict[int, tuple[int, int]]:
    """Award nouns joined only by ',' / 'và' ("Huân chương Độc lập, Huân chương Lao động"): first and last index."""
    out: dict[int, tuple[int, int]] = {}
    k = 0
    while k < len(mentions):
        j = k
        while (j + 1 < len(mentions) and not mentions[j].verb and not mentions[j + 1].verb
               and mentions[j + 1].end - mentions[k].start < 300  # a few awards, not a catalogue
               and _CHAIN_SEP_RE.match(text, mentions[j].end, mentions[j + 1].start)):
            j += 1
        if j > k:
            for i in range(k, j + 1):
                out[i] = (k, j)
        k = j + 1
    return out


def _shared_row_fields(text: str, mentions: list[_Mention], k: int, chains: dict[int, tuple[int, int]]
                       ) -> tuple[str, str | None, int, int]:
    """Kind, detail and span of the awards one count goes to: a chain of several is one khen_thuong."""
    first, last = chains.get(k, (k, k))
    if first == last:
        m = mentions[k]
        return m.kind, m.detail, m.start, m.end
    return "khen_thuong", " ".join(text[mentions[first].start:mentions[last].end].split()), \
        mentions[first].start, mentions[last].end


def _mark_chain(chains: dict[int, tuple[int, int]], k: int, state: _State) -> None:
    """Every award of k's chain is done: one count went to all of them."""
    first, last = chains.get(k, (k, k))
    state.done.update(range(first, last + 1))


def _count_before(text, mentions, k, chains, counts, starts, state, clauses, index) -> list[Award]:
    """Rule 1: "8 tập thể nhận được Bằng khen", "96 tập thể, 127 cá nhân được quận khen thưởng"."""
    first, _last = chains.get(k, (k, k))
    if first != k or k in state.done:
        return []
    m = mentions[k]
    c_start, _c_end = clauses.bounds(m.start)
    prev_end = max(c_start, mentions[k - 1].end) if k else c_start
    i = _last_free_count(counts, starts, state.used, max(prev_end, m.start - _MAX_GAP_SAME_CLAUSE - 60), m.start)
    if i is None:
        return []
    c = counts[i]
    gap = text[c.end:m.start]
    if m.start - c.end > _MAX_GAP and (m.start - c.end > _MAX_GAP_SAME_CLAUSE or not re.search(r"được\s*(?:\S+\s+){0,3}$", gap)):
        return []
    if not (_PASSIVE_RE.search(gap) or (m.group == "praised" and "được" in gap)):
        return []
    if re.search(r"(?:\bcho|\bvới)\s*(?:(?:hơn|gần|trên|khoảng)\s+)?$", text[max(0, c.start - 12):c.start]) and k and \
            mentions[k - 1].end > c_start:
        return []  # "tặng Bằng khen cho 5 tập thể đạt ...": the count belongs to the award before
    if _NOT_YET_RE.search(gap[-40:]) or _NOT_YET_RE.search(text, max(c_start, c.start - 16), c.start):
        return []  # "được ... chọn để tuyên dương", "sẽ được tặng": not given yet
    if m.group == "recognised" and not re.search(r"được\s*$", gap):
        return []  # "N xã ... công nhận": only "N xã được công nhận ..." is a recognition of the N
    if _PROPOSED_RE.search(gap) or re.search(r"\btrong\s+(?:số\s+)?đó\b", gap):
        return []  # "690 đơn vị, trong đó có 240 được công nhận": the count is of the larger set
    group = [g for g in _count_group(counts, i, text, forward=False) if g.idx not in state.used]
    kind, detail, _a, stop = _shared_row_fields(text, mentions, k, chains)
    issuer = _issuer_by(text, m.start, c_start, m.group == "praised")
    if issuer is None:
        issuer, _ = _issuer_of(text, stop)
    if issuer is None and re.search(rf"(?:khen{_S}thưởng|tuyên{_S}dương|biểu{_S}dương|khen{_S}tặng)\s*$",
                                    text[max(0, group[0].start - 20):group[0].start]):
        issuer = _clean_issuer(_clause_subject(text, c_start, group[0].start))
    rows = []
    for g in group:
        state.used.add(g.idx)
        rows.append(_row(text, kind, group[0].start, max(stop, m.end), detail, issuer, g.kind, g.n, index))
    _mark_chain(chains, k, state)
    if m.kind == "danh_hieu":
        rows += _title_count_items(text, m, group[-1].kind, index)
        praised = re.search(rf"(?:tuyên{_S}dương|biểu{_S}dương|khen{_S}thưởng)\s*$", text[max(0, group[0].start - 20):group[0].start])
        also = _ALSO_PRAISED_RE.match(text, m.end) if praised else None
        j = _first_free_count(counts, starts, state.used, also.end(), also.end() + 1) if also else None
        if j is not None:  # "tuyên dương 106 đội viên ..., đạt danh hiệu “...” cùng 17 đại biểu ...": praised too
            state.used.add(j)
            rows.append(_row(text, "khen_thuong", counts[j].start, counts[j].end, None, issuer, counts[j].kind,
                             counts[j].n, index))
    return rows


_MEDAL_COUNT_RE = re.compile(rf"(?:trao{_S}tặng|trao|tặng){_S}(?P<n>\d{{1,3}}(?:\.\d{{3}})+|\d{{1,6}}){_S}$")
_ALSO_PRAISED_RE = re.compile(rf"(?:{_S}năm{_S}\d{{4}})?{_S}(?:cùng(?:{_S}với)?|và){_S}")


def _title_count_items(text: str, m: _Mention, kind: str, index: SentenceIndex) -> list[Award]:
    """Holders of further titles listed after a counted danh hiệu: "; 1.257 CSTĐ cơ sở, 138 CSTĐ các cấp"."""
    rows = []
    pos = m.end
    while True:
        item = _TITLE_COUNT_ITEM_RE.match(text, pos)
        if not item or _TITLE_ITEM_STOP_RE.search(item.group("t")):
            break
        n = parse_vi_number(item.group("n"))
        if not math.isfinite(n):
            break
        rows.append(_row(text, "danh_hieu", item.start("n"), item.end(), item.group("t"), None, kind, int(n), index))
        pos = item.end()
    return rows


def _count_after(text, mentions, k, chains, counts, starts, state, clauses, index) -> list[Award]:
    """Rule 2: "tặng danh hiệu “...” cho 48 cá nhân", "Trung ương Hội đã khen thưởng 7 tập thể, 8 cá nhân"."""
    first, last = chains.get(k, (k, k))
    if k != last:
        return []  # the count of a chain follows its last award
    m = mentions[k]
    c_start, c_end = clauses.bounds(m.start)
    if m.group == "praised" and "thưởng" in text[m.start:m.start + 12] and not re.match(r"[Kk]hen|[Tt]uyên|[Bb]iểu", text[m.start:m.end]):
        return []  # "trao thưởng cho 91 học sinh": prizes of a contest as often as honours; only named recipients
    if m.group == "medal":
        medals = _MEDAL_COUNT_RE.search(text, max(c_start, m.start - 30), m.start)
        if medals and not re.search(r"được\s*$", text[max(c_start, medals.start() - 12):medals.start()]):
            # "Bộ VHTT&DL tặng 229 Kỷ niệm chương": medals go to individuals, one each
            n = int(parse_vi_number(medals.group("n")))
            state.done.add(k)
            return [_row(text, m.kind, medals.start(), m.end, m.detail,
                         _active_issuer(text, c_start, medals.start(), state), "individual", n, index)]
    next_start = min(c_end, mentions[k + 1].start) if k + 1 < len(mentions) else c_end
    i = _first_free_count(counts, starts, state.used, m.end, min(next_start, m.end + 2 * _MAX_GAP + 1))
    if i is None:
        return []
    c = counts[i]
    between = text[m.end:c.start]
    marked = bool(_COUNT_AFTER_MARK_RE.search(between))
    # "Đã nhận bằng khen 1-2 năm nhưng hơn 800 gương ...": a fronted concessive clause shares the main subject
    marked = marked or bool(_CONCESSIVE_RE.match(text, c_start) and _BUT_COUNT_RE.search(between))
    # an award noun needs "cho"/"tặng"/"với" before its count; a verb takes its object directly
    if not marked and (not m.verb or len(between) > 60 or _VERB_IN_GAP_RE.search(between)):
        return []
    if m.verb and _NOT_DONE_RE.search(text[max(0, m.start - 25):m.start]):
        return []
    if _NOT_YET_RE.search(text, max(c_start, mentions[first].start - 30), mentions[first].start) or \
            _PROPOSAL_BEFORE_RE.search(text, max(c_start, mentions[first].start - 130), mentions[first].start):
        return []  # "sẽ trao ...", "kiến nghị ... truy tặng ... cho 32 tập thể": not given (yet)
    head = mentions[first]
    kind, detail, a_start, stop = _shared_row_fields(text, mentions, k, chains)
    # "tuyên dương 106 đại biểu thiếu nhi “Cháu ngoan Bác Hồ”": the quoted title is the award
    title = _QUOTED_RE.match(text, c.end) if m.group == "praised" else None
    if title is None and m.group == "praised":
        after = re.match(r"(?:[ \t\u00a0]+[^\W\d][^\s“\"]*){0,3}(?=\s*[“\"])", text[c.end:c.end + 60])
        title = _QUOTED_RE.match(text, c.end + after.end()) if after else None
    if title is not None:
        kind, detail = "danh_hieu", title.group(1).strip()
    group = _count_group(counts, i, text, forward=True)
    group = [g for g in group if g.idx not in state.used]
    give = None
    for give in _GIVE_RE.finditer(text, max(c_start, mentions[first - 1].end if first else c_start), head.start):
        pass
    start = give.start() if give and head.start - give.end() < 20 else a_start
    issuer = _issuer_by(text, head.start, c_start, head.group == "praised") if not head.verb else None
    if issuer is None:
        issuer, _ = _issuer_of(text, stop)
    if issuer is None:
        issuer = _active_issuer(text, c_start, give.start() if give and head.start - give.end() < 20 else head.start, state)
    rows = []
    for g in group:
        state.used.add(g.idx)
        rows.append(_row(text, kind, start, g.end if title is None else title.end(), detail, issuer, g.kind, g.n, index))
    _mark_chain(chains, k, state)
    return rows


# what may stand between a joined verb and the comma or clause start before it
_JOINED_VERB_RE = re.compile(r"[\s;,]*(?:(?:và|đồng\s+thời|còn|cũng|tiếp\s+đó|sau\s+đó|đã)\s+)*")


def _active_issuer(text: str, clause_start: int, verb_start: int, state: _State) -> str | None:
    """Who gives, in an active clause: "UBND tỉnh khen tặng ...", "đề nghị Chủ tịch nước truy tặng ...".

    A verb joined to an earlier one ("quận ... đã khen thưởng ..., tặng danh hiệu ...";
    "Trung ương Đoàn trao cờ ...; trao bằng khen ...") shares its subject.
    """
    proposer = _PROPOSER_RE.search(text, max(clause_start, verb_start - 80), verb_start)
    if proposer:
        return _clean_issuer(proposer.group("issuer"))
    if re.search(r"(?:được|nhận|đạt|giành)\s*(?:\S+\s+){0,6}$", text[max(clause_start, verb_start - 60):verb_start]):
        return None  # passive: the subject receives
    issuer = _clean_issuer(_clause_subject(text, clause_start, verb_start))
    if issuer is not None:
        state.giver = (verb_start, issuer)
        return issuer
    before = text[max(clause_start, verb_start - 60):verb_start]
    joined = _JOINED_VERB_RE.fullmatch(before.rsplit(",", 1)[-1]) or re.search(r"(?:\bvà|\bđồng\s+thời|\bcòn)\s*$", before)
    if state.giver and joined and 0 < verb_start - state.giver[0] < 400 \
            and not re.search(r"\.(?!\d)|\n", text[state.giver[0]:verb_start]):
        return state.giver[1]
    return None


def _named(text: str, mentions: list[_Mention], k: int, clauses: _Clauses, index: SentenceIndex,
           last_named: tuple[int, Award, str | None] | None, state: _State) -> list[Award]:
    """Rule 3: an award with a named recipient (no count)."""
    m = mentions[k]
    c_start, c_end = clauses.bounds(m.start)
    prev_end = max(c_start, mentions[k - 1].end) if k else c_start
    next_start = min(c_end, mentions[k + 1].start) if k + 1 < len(mentions) else c_end
    if m.group == "praised":
        return _named_praise(text, m, c_start, index, state)
    if m.kind == "danh_hieu" and m.group == "danh_hieu":
        quoted = bool(_QUOTED_RE.match(text, text.find("hiệu", m.start) + 4)) if m.detail else False
        if not _titled(m.detail, quoted):
            return []  # "giành danh hiệu vô địch", "các danh hiệu thi đua": no named title
    if m.group == "recognised" and m.detail is None:
        return []
    if last_named and last_named[0] == k - 1 and _LIST_JOIN_RE.match(text[mentions[k - 1].end:m.start]):
        return [_list_item(text, m, last_named[1], last_named[2], index)]
    rows = _named_passive(text, m, c_start, prev_end, index)
    if rows is None:
        rows = _named_active(text, m, c_start, prev_end, next_start, index, state)
    if rows and m.kind == "danh_hieu" and m.group == "danh_hieu":
        rows += _title_list(text, m, rows[0], index)
    return rows


def _list_item(text: str, m: _Mention, prev: Award, base_issuer: str | None, index: SentenceIndex) -> Award:
    """An award listed after a named one shares its recipient (and its issuer unless it prints its own)."""
    start, end = m.start, m.end
    many = _MANY_BEFORE_RE.search(text, max(0, start - 8), start)
    if many:
        start = many.start()
    own, own_end = _issuer_of(text, end)
    if m.kind in ("giay_khen", "bang_khen") and own is None:
        tail = _OTHER_TAIL_RE.match(text, end)
        end = tail.end() if tail else end
    return _row(text, m.kind, start, own_end if own else end, m.detail, own or base_issuer,
                prev.recipient_kind, None, index)


def _named_praise(text: str, m: _Mention, c_start: int, index: SentenceIndex, state: _State) -> list[Award]:
    """ "khen thưởng đột xuất cho Đội CSGT số 3", "khen thưởng các anh Tuấn, Trung và Tâm"."""
    if text[m.start:m.end].lower().startswith(("tuyên", "biểu")) and "khen" not in text[m.start:m.end].lower():
        return []  # "biểu dương Gia đình hiếu học ...": praise alone names no award
    # "khen thưởng về thành tích ... cho/đối với X" first, then "khen thưởng (đột xuất) cho X"
    cho = _MERIT_THEN_RCP_RE.match(text, m.end) or _KHEN_CHO_RE.match(text, m.end)
    if not cho:
        return []
    rcp = cho.group("rcp")
    if cho.group("cho") is None and not (_NAMED_PEOPLE_RE.match(rcp) or _PERSON_RE.match(" " + rcp)):
        return []  # without "cho", only people named ("em Nguyễn Văn Nam", "các anh Tuấn, Trung và Tâm") are sure recipients
    if _NAMED_PEOPLE_RE.match(rcp):
        stop = _people_list_end(text, cho.start("rcp"))
    else:
        forces = _NAMED_FORCES_RE.match(rcp)
        named = _is_named(rcp, before=text[max(0, cho.start("rcp") - 8):cho.start("rcp")])
        if not forces and (_GENERIC_SUBJECT_RE.match(rcp) or _REASON_RE.match(rcp) or not named):
            return []
        stop = cho.start("rcp") + len(rcp.rstrip())
    if _NOT_DONE_RE.search(text[max(0, m.start - 25):m.start]) or _NOT_YET_RE.search(text, max(c_start, m.start - 30), m.start):
        return []
    issuer = _issuer_by(text, m.start, c_start, True) or _active_issuer(text, c_start, m.start, state)
    kind_r = "individual" if _is_person(rcp) else "collective"
    return [_row(text, m.kind, m.start, stop, None, issuer, kind_r, None, index)]


def _people_list_end(text: str, pos: int) -> int:
    """End of a list of given names: "các anh Tuấn, Trung và Tâm"."""
    lst = re.compile(rf"\W*(?:các|hai|ba){_S}\w+{_S}[A-ZĐ]\w*(?:(?:\s*,\s*|{_S}và{_S})[A-ZĐ]\w*)*").match(text, pos)
    return lst.end() if lst else pos


def _named_passive(text: str, m: _Mention, c_start: int, prev_end: int, index: SentenceIndex) -> list[Award] | None:
    """ "Nhân dân và cán bộ quận được Thủ tướng Chính phủ tặng Cờ thi đua"; None when no passive verb links."""
    verb = None
    for verb in _PASSIVE_RE.finditer(text, prev_end, m.start):
        pass
    if verb is None:
        return None
    gap = text[verb.end():m.start]
    # "X được Y tặng AWARD" or "X nhận (được) AWARD": anything else is too loose
    if len(gap) > 12 and not (len(gap) <= 110 and _GIVE_TAIL_RE.search(gap)):
        return None
    if _PROPOSED_RE.search(gap) or _NOT_YET_RE.search(text, max(prev_end, verb.start() - 30), m.start):
        return []
    subject = text[prev_end:verb.start()]
    named = _is_named(subject)
    if not named and prev_end == c_start:  # the clause's own subject, when no other award came first
        clause_subject = _clause_subject(text, c_start, verb.start())
        named = _is_anaphoric(clause_subject) or (
            clause_subject is not None and len(clause_subject.split()) <= 16 and _is_named(" " + clause_subject, max_tokens=16)
            and not _GENERIC_SUBJECT_RE.match(clause_subject))
        if named:
            subject = clause_subject or subject
    after = _NAMED_AFTER_RE.match(text, m.end) if not named else None
    if after:  # "Ba thí sinh khác được tặng Bằng khen gồm: Nguyễn Ngọc Long, ...": the names follow
        named, subject = True, after.group("names")
    if not named and "," in text[c_start:verb.start()] and _bare_predicate(text[c_start:verb.start()].rsplit(",", 1)[-1]):
        first = _first_subject(text, c_start, verb.start())  # "X đã ..., liên tục được công nhận là ..."
        named = _is_anaphoric(first) or (first is not None and len(first.split()) <= 14 and _is_named(" " + first)
                                         and not _GENERIC_SUBJECT_RE.match(first))
        subject = first if named else subject
    if not named:
        return []
    issuer = _issuer_by(text, m.start, c_start, m.group == "praised")
    own, _ = _issuer_of(text, m.end)
    issuer = issuer or own
    phrase = _recipient_phrase(subject)
    kind_r = "individual" if _is_person(phrase) or re.fullmatch(r"[Ôô]ng|[Bb]à", phrase) else "collective"
    return [_row(text, m.kind, m.start, m.end, m.detail, issuer, kind_r, None, index)]


def _named_active(text: str, m: _Mention, c_start: int, prev_end: int, next_start: int,
                  index: SentenceIndex, state: _State) -> list[Award]:
    """ "Thủ tướng tặng Bằng khen cho NXB Kim Đồng", "trao Huân chương ... tặng Đảng bộ, chính quyền ... huyện X"."""
    rcp = _ACTIVE_CHO_RE.match(text, m.end, next_start) or _ACTIVE_RCP_RE.match(text, m.end, next_start)
    if not rcp:
        return []
    give = None
    for give in _GIVE_RE.finditer(text, max(c_start, prev_end), m.start):
        pass
    # the first recipient, without the reason after it ("... NutiFood vì đã có thành tích") or a delegate before it
    recipient = _RCP_END_RE.split(rcp.group("rcp"), maxsplit=1)[0]
    recipient = _DELEGATE_RE.sub("", recipient, count=1)
    first = recipient.split(",")[0]
    if give is None or _GENERIC_SUBJECT_RE.match(recipient) or not (
            _PERSON_RE.match(" " + recipient) or _is_named(first, before=text[rcp.start("rcp") - 8:rcp.start("rcp")], max_tokens=16)):
        return []
    if _NOT_YET_RE.search(text, max(c_start, give.start() - 30), give.start()):
        return []
    kind_r = "individual" if _is_person(rcp.group("rcp")) else "collective"
    issuer, _ = _issuer_of(text, m.end)
    issuer = issuer or _active_issuer(text, c_start, give.start(), state)
    return [_row(text, m.kind, m.start, m.end, m.detail, issuer, kind_r, None, index)]


def _title_list(text: str, m: _Mention, first: Award, index: SentenceIndex) -> list[Award]:
    """Further titles listed after a named danh hiệu: "đạt danh hiệu đơn vị Quyết thắng, đơn vị dẫn đầu ..."."""
    rows = []
    pos = m.end
    head = (m.detail or "").split()[:1]
    while True:
        item = _TITLE_LIST_ITEM_RE.match(text, pos)
        if not item:
            break
        t = item.group("t").strip()
        if _TITLE_ITEM_STOP_RE.search(t) or _PASSIVE_RE.match(t) or not _titled(t, False) or \
                not (t[0].isupper() or (head and t.split()[0] == head[0])):
            break
        rows.append(_row(text, "danh_hieu", item.start("t"), item.end("t"), t, first.issuer, first.recipient_kind,
                         None, index))
        pos = item.end()
    return rows


__all__ = ["AWARD_RE", "extract_awards"]
