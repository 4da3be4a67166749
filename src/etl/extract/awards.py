"""Awards: Cờ thi đua, Bằng khen, Giấy khen, Huân chương Lao động, danh hiệu, khen thưởng.

An award mention becomes a row only when it has recipients: a printed count
("8 tập thể nhận được Bằng khen", "tặng danh hiệu ... cho 48 cá nhân") or a
named recipient ("Nhân dân và cán bộ quận được Thủ tướng Chính phủ tặng Cờ
thi đua", "quận X vinh dự được ... tặng thưởng Huân chương Lao động hạng
Ba"). Generic mentions ("các tập thể nhận Cờ thi đua", "nhiều tập thể và cá
nhân nhận Bằng khen", "công tác thi đua, khen thưởng") are not awards.
"96 tập thể, 127 cá nhân được quận khen thưởng" is two rows.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from dataclasses import dataclass

from etl.extract.metrics import SentenceIndex
from etl.extract.numbers import parse_vi_number
from etl.schema import Award

log = logging.getLogger(__name__)

_S = r"[ \t\u00a0]+"  # spaces inside a phrase (never a newline)

# The award phrases, most specific first. "khen thưởng" is the generic verb.
_CLASS = r"(?:hạng" + _S + r"(?:[Nn]hất|[Nn]hì|[Bb]a|I{1,3}))"
AWARD_RE = re.compile(
    rf"(?P<co_thi_dua_xuat_sac>[Cc]ờ{_S}thi{_S}đua{_S}xuất{_S}sắc|[Cc]ờ{_S}[“\"](?=[^”\"\n]{{0,60}}xuất{_S}sắc)[^”\"\n]{{2,80}}[”\"])"
    rf"|(?P<co_thi_dua>[Cc]ờ{_S}thi{_S}đua|Cờ{_S}[“\"][^”\"\n]{{2,80}}[”\"])"
    rf"|(?P<bang_khen>[Bb]ằng{_S}khen)"
    rf"|(?P<giay_khen>[Gg]iấy{_S}khen)"
    rf"|(?P<huan_chuong_lao_dong>[Hh]uân{_S}chương{_S}[Ll]ao{_S}động(?:{_S}(?P<hclass>{_CLASS}))?)"
    # "đạt danh hiệu Cờ thi đua xuất sắc": the instrument is the award, not a danh hiệu
    rf"|(?P<danh_hieu>danh{_S}hiệu(?:{_S}thi{_S}đua)?(?!:?{_S}(?:[Cc]ờ|[Bb]ằng{_S}khen|[Gg]iấy{_S}khen|[Hh]uân{_S}chương)\b))"
    rf"|(?P<khen_thuong>khen{_S}thưởng)"
)
_KINDS = ("co_thi_dua_xuat_sac", "co_thi_dua", "bang_khen", "giay_khen", "huan_chuong_lao_dong", "danh_hieu", "khen_thuong")

# Recipients counted by a printed number.
_COLLECTIVE = (
    r"tập{S}thể|đơn{S}vị|cơ{S}quan|tổ{S}chức|doanh{S}nghiệp|chi{S}đoàn|công{S}đoàn{S}cơ{S}sở|trường(?:{S}học)?|xã|phường|thị{S}trấn|"
    r"hộ{S}gia{S}đình|gia{S}đình|chi{S}bộ|đảng{S}bộ|khu{S}dân{S}cư|tổ{S}dân{S}phố|thôn|khu{S}phố|"
    r"hợp{S}tác{S}xã|tổ|đội|lớp|khoa|phòng"
).replace("{S}", _S)
_INDIVIDUAL = (
    r"cá{S}nhân|người|đồng{S}chí|cán{S}bộ|đảng{S}viên|học{S}sinh|sinh{S}viên|giáo{S}viên|chiến{S}sĩ|"
    r"hội{S}viên|đoàn{S}viên|công{S}dân|em|cháu|nhà{S}giáo|y{S}bác{S}sĩ|bác{S}sĩ|công{S}nhân|"
    r"nông{S}dân|cựu{S}chiến{S}binh|thanh{S}niên|phụ{S}nữ|gương|công{S}chức|viên{S}chức"
).replace("{S}", _S)
_BOTH = rf"tập{_S}thể\s*(?:,|và)\s*cá{_S}nhân"
COUNT_RE = re.compile(
    rf"(?<![\w.,/])(?P<n>\d{{1,3}}(?:\.\d{{3}})+|\d+){_S}"
    rf"(?:(?P<both>{_BOTH})|(?P<collective>{_COLLECTIVE})|(?P<individual>{_INDIVIDUAL}))(?!\w)"
)
_COUNT_LIST_SEP_RE = re.compile(r"^(?:[ \t\u00a0]+[a-zà-ỹđ]+){0,2}\s*(?:,|và|;)?\s*$")

# Verbs linking a subject to the award it receives.
_PASSIVE_RE = re.compile(
    r"\b(?:được|nhận(?!{S}(?:định|thức|xét|diện|biết|thấy|lời|trách|lãnh|nhiệm))|đón{S}nhận|đạt|giành)\b".replace("{S}", _S)
)
# Awards listed one after another share their recipient:
# "tặng thưởng Huân chương ..., Cờ thi đua Chính phủ, ... và nhiều Bằng khen, Giấy khen khác"
_LIST_JOIN_RE = re.compile(r"^(?:[ \t\u00a0]+(?:của[ \t\u00a0]+)?[^,;.:\n]{0,60}?)?\s*(?:,|và)\s*(?:nhiều\s+|các\s+)?$")
_ACTIVE_RE = re.compile(r"\b(?:trao|tặng|khen{S}thưởng|tuyên{S}dương|biểu{S}dương)\b".replace("{S}", _S))
_GIVE_TAIL_RE = re.compile(rf"(?:trao|tặng|thưởng|phong|truy{_S}tặng|khen{_S}tặng)\s*$")
_GIVE_RE = re.compile(rf"\b(?:trao{_S}tặng|tặng{_S}thưởng|trao|tặng)\b")
# Clause breaks: ; . ? ! : and newlines ('.' inside numbers is no break).
_CLAUSE_BREAK_RE = re.compile(
    r"[;!?:\n]|(?<!\bTP)(?<!\bTp)(?<!\bTS)(?<!\bThS)(?<!\bGS)(?<!\bBS)\.(?!\d)"
)
# Openers that are not the recipient ("Tại hội nghị, ...", "Năm 2022, ...").
_LEADING_ADVERBIAL_RE = re.compile(
    r"^\W*(?:Tại|Dịp|Nhân|Năm|Trong|Đặc\s+biệt|Qua|Sau|Kết\s+quả|Theo|Ngoài|Bên\s+cạnh|Cũng|Đồng\s+thời|Riêng|Như\s+vậy|Từ)\b[^,]*,\s*"
)
_GENERIC_SUBJECT_RE = re.compile(
    r"^\W*(?:[Cc]ác|[Nn]hiều|[Nn]hững|[Mm]ột\s+số|[Đđ]ại\s+diện|[Tt]ập\s+thể|[Cc]á\s+nhân|[Hh]àng\s+loạt|[Mm]ỗi|[Tt]oàn\s+thể|[Tt]ất\s+cả)\b"
)
_PERSON_RE = re.compile(rf"^\W*(?:ông|bà|đồng{_S}chí|anh|chị|em|cháu|Ông|Bà|Đồng{_S}chí|Anh|Chị|Em|Cháu)\b")
_OF_ISSUER_RE = re.compile(rf"{_S}(?:của{_S})?(?P<issuer>(?:[Tt]hủ{_S}tướng|[Cc]hủ{_S}tịch|[Cc]hính{_S}phủ|[Tt]hành{_S}phố|UBND|Ủy{_S}ban|Uỷ{_S}ban|Bộ|Ban|Sở|Trung{_S}ương|Tỉnh|Thành|Quận|Huyện|HĐND|Hội|Liên{_S}đoàn|Đoàn|Công{_S}an|Tổng|Cục|Quân|Nhà{_S}nước|Đảng|Chủ{_S}tịch|các|tỉnh|quận|huyện|thành|UB|Mặt{_S}trận|MTTQ|Trường|Viện|Đại)[^,;.:()\n]*?)(?=\s+(?:cho|vì|do|về|năm|tại|trong|nhờ|đã|có|nhân)\b|[,;.:()\n…]|$)")
_BY_ISSUER_RE = re.compile(rf"được{_S}(?P<issuer>[^,;.:()\n]{{2,80}}?){_S}(?:trao{_S}tặng|tặng{_S}thưởng|tặng|trao|khen{_S}thưởng)\s*$")
_QUOTED_RE = re.compile(r"\s*[“\"]([^”\"\n]{2,150})[”\"]")
_UNQUOTED_TITLE_RE = re.compile(rf":?{_S}([^,;.:()\n“”\"]{{3,120}}?)(?={_S}(?:cho|tại|trên|năm|của|và{_S}(?:đạt|được))\b|[,;.:()\n]|$)")
# "khen thưởng đột xuất cho X", "khen thưởng 10 triệu đồng cho X"
_KHEN_CHO_RE = re.compile(
    rf"(?:{_S}(?:đột{_S}xuất|nóng|kịp{_S}thời|[\d.,]+{_S}(?:triệu|nghìn|ngàn|tỷ|tỉ)(?:{_S}đồng)?)){{0,2}}"
    rf"{_S}cho{_S}(?P<rcp>[^,;.:()\n]{{2,80}}?)(?=\s+(?:về|vì|do|đã|có|với|trong|tại|nhân)\b|[,;.:()\n]|$)"
)
# "khen thưởng cho thành tích ...": the reason, not a recipient; "nên/đề nghị khen thưởng": not given
_REASON_RE = re.compile(r"\W*(?:thành\s+tích|việc|những|các|công\s+tác|hành\s+động|nỗ\s+lực)\b", re.IGNORECASE)
_NOT_DONE_RE = re.compile(
    rf"\b(?:nên|cần|phải|sẽ|chưa|không|đề{_S}nghị|đề{_S}xuất|xin|xét|xem{_S}xét|muốn){_S}(?:được{_S})?$", re.IGNORECASE
)
_MAX_GAP = 120  # characters between a count and the award it receives (a long "được X, Y và Z tặng")


@dataclass
class _Count:
    """A printed recipient count: number, kind and span."""

    n: int
    kind: str
    start: int
    end: int
    idx: int = 0  # position in the text's list of counts


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


def _counts(text: str) -> list[_Count]:
    """Every printed recipient count in the text."""
    out = []
    for m in COUNT_RE.finditer(text):
        kind = "both" if m.group("both") else "collective" if m.group("collective") else "individual"
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
        if not _COUNT_LIST_SEP_RE.match(text[a.end:b.start]):
            break
        group.append(counts[j + step])
        j += step
    return sorted(group, key=lambda c: c.start)


_OTHER_TAIL_RE = re.compile(r"[ \t\u00a0]+khác\b")


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


def _detail(text: str, m: re.Match[str], kind: str) -> tuple[str | None, int]:
    """Class of a Huân chương or title of a danh hiệu, and where the phrase ends."""
    if kind == "huan_chuong_lao_dong":
        return m.group("hclass"), m.end()
    if kind == "danh_hieu":
        q = _QUOTED_RE.match(text, m.end())
        if q:
            return q.group(1).strip(), q.end()
        u = _UNQUOTED_TITLE_RE.match(text, m.end())
        if u and not re.match(r"\s*(?:thi\s+đua|này|đó|trên|của|và|hình\s+thức)\b", u.group(1)):
            return u.group(1).strip(), u.end()
    return None, m.end()


def _issuer(text: str, m: re.Match[str], end: int, clause_start: int) -> str | None:
    """Who gives the award: "được X tặng", "Bằng khen của X", "Cờ thi đua Chính phủ"."""
    by = _BY_ISSUER_RE.search(text[max(clause_start, m.start() - 120):m.start()])
    if by:
        return by.group("issuer").strip()
    of = _OF_ISSUER_RE.match(text, end)
    if of:
        return of.group("issuer").strip()
    return None


def _strip_openers(subject: str) -> str:
    """Drop a leading adverbial ("Tại hội nghị, ", "Năm 2022, ") and anything before ':'."""
    s = subject.strip(" ,…").split(":")[-1]
    while True:
        cut = _LEADING_ADVERBIAL_RE.sub("", s, count=1)
        if cut == s:
            break
        s = cut
    return re.sub(r"^\W*(?:đặc\s+biệt|trong\s+đó|riêng|và)\s+", "", s.strip(" ,"))


_MID_CAPITAL_RE = re.compile(r"(?<=[^\W\d_]|[,)\-–])[ \t\u00a0]+([A-ZĐÀ-Ỹ][^\W_]*)")


def _is_named(subject: str) -> bool:
    """Does a subject phrase name its recipient (not "các tập thể", "đại diện ...")?

    Named means a proper noun in mid-sentence ("quận Bắc Từ Liêm", "NXB Kim
    Đồng", "Nhân dân và cán bộ quận"): a capital after a sentence break only
    shows that a sentence starts ("Tài xế taxi được tặng bằng khen").
    """
    s = _strip_openers(subject)
    if not s:
        return False
    segments = [seg.strip() for seg in re.split(r",\s*", s) if seg.strip()]
    # a list of named units: "Ban Tổ chức Quận ủy, Ban Dân vận Quận ủy, ... và các phòng"
    if sum(1 for seg in segments if seg[0].isupper()) >= 3:
        return True
    last = segments[-1] if segments else s
    if _GENERIC_SUBJECT_RE.match(last):
        return False
    tokens = re.findall(r"[^\W\d_]+", last)
    if not tokens or len(tokens) > 12:
        return False
    tail = subject[-(len(last) + 40):]  # keep the word before, to tell mid-sentence capitals
    return any(t[0].isupper() for t in _MID_CAPITAL_RE.findall(tail)[-len(tokens):]) or bool(
        re.search(r"(?:^|[,;]\s*)(?:đặc\s+biệt|và|trong\s+đó)\s+[A-ZĐ]", tail)
    )


def _subject_before(text: str, lo: int, pos: int) -> tuple[str, int] | None:
    """The subject before the passive verb nearest to `pos` (from `lo`), and the verb start."""
    verbs = list(_PASSIVE_RE.finditer(text, lo, pos))
    if not verbs:
        return None
    v = verbs[-1]
    gap = text[v.end():pos]
    # "X được Y tặng AWARD" or "X nhận (được) AWARD": anything else is too loose
    if len(gap) > 12 and not (len(gap) <= 110 and _GIVE_TAIL_RE.search(gap)):
        return None
    return text[lo:v.start()], v.start()


def _row(text: str, kind: str, start: int, end: int, detail: str | None, issuer: str | None,
         recipient_kind: str | None, count: int | None, index: SentenceIndex) -> Award:
    """One award row with a verbatim quote."""
    return Award(
        article_id="", seq=0, quote=text[start:end], award=kind, award_detail=detail, issuer=issuer,
        recipient_kind=recipient_kind, recipient_count=count, year=index.year_at(start),
        char_start=start, char_end=end,
    )


def extract_awards(text: str) -> list[Award]:
    """Award rows of a cleaned article text.

    >>> [(a.award, a.recipient_kind, a.recipient_count) for a in extract_awards(
    ...     "Đã có 96 tập thể, 127 cá nhân được quận khen thưởng.")]
    [('khen_thuong', 'collective', 96), ('khen_thuong', 'individual', 127)]
    """
    index = SentenceIndex(text)
    clauses = _Clauses(text)
    counts = _counts(text)
    count_starts = [c.start for c in counts]
    used: set[int] = set()
    mentions = list(AWARD_RE.finditer(text))
    out: list[Award] = []
    last_named: tuple[int, Award] | None = None  # (mention index, row) of a named award
    for k, m in enumerate(mentions):
        kind = next(name for name in _KINDS if m.group(name))
        detail, end = _detail(text, m, kind)
        c_start, c_end = clauses.bounds(m.start())
        # mentions never overlap, so the neighbours are the nearest other awards in the clause
        prev_award_end = max(c_start, mentions[k - 1].end()) if k else c_start
        next_award_start = min(c_end, mentions[k + 1].start()) if k + 1 < len(mentions) else c_end
        issuer = _issuer(text, m, end, c_start)

        # 1. counts before: "8 tập thể nhận được Bằng khen"
        i = _last_free_count(counts, count_starts, used, max(prev_award_end, m.start() - _MAX_GAP - 60), m.start())
        group: list[_Count] = []
        if i is not None and m.start() - counts[i].end <= _MAX_GAP:
            gap = text[counts[i].end:m.start()]
            if _PASSIVE_RE.search(gap) or re.search(r"\bkhen\s+thưởng\b", text[m.start():m.end()]) and "được" in gap:
                group = [c for c in _count_group(counts, i, text, forward=False) if c.idx not in used]
                start = group[0].start
                stop = max(end, m.end())
        # 2. counts after: "tặng danh hiệu “...” cho 48 cá nhân"
        if not group:
            i = _first_free_count(counts, count_starts, used, end, min(next_award_start, end + 2 * _MAX_GAP + 1))
            if i is not None:
                if re.search(r"\bcho\s*(?:(?:hơn|gần|trên|khoảng)\s+)?$", text[end:counts[i].start]):
                    group = _count_group(counts, i, text, forward=True)
                    give = None
                    for give in _GIVE_RE.finditer(text, max(c_start, prev_award_end), m.start()):
                        pass
                    start = give.start() if give and m.start() - give.end() < 20 else m.start()
                    stop = group[-1].end
        if group:
            for c in group:
                used.add(c.idx)
                out.append(_row(text, kind, start, stop, detail, issuer, c.kind, c.n, index))
            continue
        if kind == "khen_thuong":
            # the generic verb needs a count, or a named recipient right after "cho"
            cho = _KHEN_CHO_RE.match(text, m.end())
            if cho and not _GENERIC_SUBJECT_RE.match(cho.group("rcp")) and not _REASON_RE.match(cho.group("rcp")) \
                    and not _NOT_DONE_RE.search(text[max(0, m.start() - 25):m.start()]) and _is_named(cho.group("rcp")):
                kind_r = "individual" if _PERSON_RE.match(cho.group("rcp")) else "collective"
                stop = cho.start("rcp") + len(cho.group("rcp").rstrip())
                out.append(_row(text, kind, m.start(), stop, None, issuer, kind_r, None, index))
            continue
        if kind == "danh_hieu" and not (detail and (detail[0].isupper() or _QUOTED_RE.match(text, m.end()))):
            continue  # "giành danh hiệu vô địch", "các danh hiệu thi đua": no named title
        if last_named and last_named[0] == k - 1 and _LIST_JOIN_RE.match(text[mentions[k - 1].end():m.start()]):
            prev = last_named[1]
            start = m.start()
            many = re.search(r"nhiều\s+$", text[max(0, start - 8):start])
            if many:
                start -= len(many.group())
            own = _OF_ISSUER_RE.match(text, end)
            if kind == "giay_khen" or kind == "bang_khen":
                tail = _OTHER_TAIL_RE.match(text, end)
                end = tail.end() if tail and not own else end
            row = _row(text, kind, start, end if not own else own.end(), detail,
                       own.group("issuer").strip() if own else prev.issuer, prev.recipient_kind, None, index)
            out.append(row)
            last_named = (k, row)
            continue
        # 3. a named recipient: passive "X được ... tặng AWARD" ...
        subj = _subject_before(text, prev_award_end, m.start())
        if subj is not None:
            subject, _ = subj
            if _is_named(subject):
                kind_r = "individual" if _PERSON_RE.match(subject.split(",")[-1]) else "collective"
                out.append(_row(text, kind, m.start(), end, detail, issuer, kind_r, None, index))
                last_named = (k, out[-1])
            continue
        # ... or active "trao AWARD cho X"
        rest = text[end:next_award_start]
        cho = re.match(r"^(?:[^,;]{0,60}?)\bcho\s+(?P<rcp>[^,;]{2,80})", rest)
        if cho and _GIVE_RE.search(text[max(c_start, prev_award_end):m.start()]) and _is_named(cho.group("rcp")):
            kind_r = "individual" if _PERSON_RE.match(cho.group("rcp")) else "collective"
            out.append(_row(text, kind, m.start(), end, detail, issuer, kind_r, None, index))
    out.sort(key=lambda a: a.char_start)
    return out


__all__ = ["AWARD_RE", "extract_awards"]
