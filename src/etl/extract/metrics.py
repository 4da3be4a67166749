"""Numeric facts: percentages, money, ratios "x/y" and counted nouns.

A metric is a number with a unit ("13%", "22.264 tỷ đồng", "14/14 chỉ tiêu",
"6.560 doanh nghiệp"), an indicator from the gold vocabulary chosen from the
words around it, and the year that governs its sentence. What is *not* a
metric matters as much: dates, years, periods, anniversaries ("75 năm"), time
spans ("9 tháng"), ages ("trên 18 tuổi"), ordinals and identifiers ("Thứ 2",
"SEA Games 31", "cụm thi đua số 8", "Quận 1", "Covid-19"), document numbers.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from dataclasses import dataclass

from etl.extract.numbers import MULTIPLIERS, NUMBER_RE, RATIO_RE, match_unit, number_view, parse_ratio, parse_vi_number
from etl.schema import Metric

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- #
# Sentences and the year that governs them
# --------------------------------------------------------------------------- #

# A sentence ends at . ! ? … followed by space, or glued to the next sentence's
# capital ("năm 2012.Tiền thân", a crawler artefact; not "TP.HCM"); abbreviations like "TP. Hà
# Nội" split too, which only shortens the year window a little. A semicolon does
# not end the sentence: "năm 2013 cùng 17 đại biểu ...; trao 38 suất" keeps its year.
# Reported speech opens a sentence too: "... cho biết: Năm 2016, ..." lets the year govern.
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper() and c.isalpha())
_SENT_END_RE = re.compile(
    rf"(?<=[.!?…])\s+|(?<=[.!?…])(?<![{_UPPER}][.])(?=[“\"]?[{_UPPER}])|(?<=:)\s+(?=[“\"]?[{_UPPER}])"
)
_LINE_RE = re.compile(r"[^\n]+")

# Time anchors: what fixes the year of the figures that follow (or, in the same
# clause, precede) them. One alternation, so a span is read once, left to right.
#  year   "năm 2022", or a bare year after a name or a quote ("Tết Nguyên đán 2017",
#         "“Tháng Công nhân” 2013"); never a date part ("21/4/2023") or a range end.
#  period "giai đoạn 2011 – 2013", "nhiệm kỳ 2008-2013", "hai năm 2011 và 2012",
#         "trong 5 năm qua", "những năm gần đây", "hàng năm", "năm học": no one year.
#  rel    "năm nay", "năm qua", "năm vừa qua": a year the text does not print.
#  now    "đến nay", "hiện nay", "hiện có": a stock figure, no reporting year.
_Y = r"(?:19|20)\d\d"
_QTY = r"(?:\d+|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mấy|nhiều|những|các)"
_ANCHOR_RE = re.compile(
    r"(?P<period>"
    rf"\b[Gg]iai\s+đoạn\s+(?:từ\s+)?(?:năm\s+)?{_Y}(?:\s*[-–]\s*(?:{_Y}|\d\d))?"
    rf"|\b[Nn]hiệm\s+kỳ\s+(?:\w+\s+)?{_Y}(?:\s*[-–]\s*{_Y})?"
    rf"|\b[Nn]ăm\s+{_Y}\s*(?:(?:,|-|–)\s*{_Y}|và\s+(?:năm\s+)?{_Y})"
    rf"|(?<![\d/.-]){_Y}\s*[-–]\s*{_Y}\b"
    r"|\b[Nn]ăm\s+học\b"
    rf"|\b(?:[Tt]rong|[Qq]ua|[Ss]au|[Ss]uốt)\s+(?:hơn\s+|gần\s+|khoảng\s+)?{_QTY}\s+năm\b(?!\s+{_Y})"
    r"|\b\d+\s+năm\s+(?:qua|gần\s+đây|nay)\b"
    r"|\b(?:[Nn]hững|[Nn]hiều|[Cc]ác|[Mm]ấy)\s+năm\s+(?:qua|gần\s+đây|trước|liền|nay)\b"
    r"|\b(?:[Hh]àng|[Hh]ằng|[Mm]ỗi)\s+năm\b"
    r"|\b(?:toàn|cả)\s+(?:khóa|khoá|nhiệm\s+kỳ)\b|\bnhiệm\s+kỳ\s+(?:qua|này|trước)\b"
    r")"
    rf"|\b[Nn]ăm\s+(?P<year>{_Y})\b(?!\s*[-–/]\s*\d)"
    # a month or quarter of a year: "tháng 6/2023", "quý I/2023", "quý IV-2016"
    rf"|\b(?:[Tt]háng|[Qq]uý)\s+(?:\d{{1,2}}|[IV]{{1,3}})\s*[/-]\s*(?P<month>{_Y})\b(?!\s*[-–/]\s*\d)"
    rf"|(?:(?<=[\s”\"’)])|^)(?<![-–/.]\s)(?P<bare>{_Y})(?![\w/%-]|[.,]\d|\s*[-–/]\s*\d|\s+[a-zà-ỹđ])"
    r"|(?P<rel>\b[Nn]ăm\s+(?:nay|qua|vừa\s+qua|ngoái)\b)"
    r"|(?P<now>\b(?:[Tt]ính\s+)?(?:[Đđ]ến|[Tt]ới)\s+(?:nay|thời\s+điểm\s+(?:này|hiện\s+tại))\b"
    r"|(?<![Tt]hực\s)(?<![Tt]hể\s)(?<![Pp]hát\s)(?<![Xx]uất\s)(?<![Bb]iểu\s)(?<![Tt]ái\s)(?<![Hh]iển\s)"
    r"\b[Hh]iện(?:\s+nay|\s+tại)?\b(?!\s+(?:đại|tượng|trạng|diện|hữu|hành|thực|vật|thân|ra|lên|hình|dịch|kim|trường|diễn)\b))"
)
# the base of a comparison: "tăng 6,6% so với năm 2020" is a 2021 figure
_COMPARISON_TAIL_RE = re.compile(
    r"(?:so\s+với(?:\s+[^\W\d_]+){0,3}?|cùng\s+kỳ|hơn|trước)\s*$"  # "so với (ước thực hiện|cuối) năm 2020"
)
# the date of an event, not of the figures: "được thành lập năm 1963", "Từ năm 2011 đến nay"
_EVENT_TAIL_RE = re.compile(r"(?:thành\s+lập|ra\s+đời|[Tt]ừ|sinh|SN|khởi\s+công|phát\s+động|có\s+từ)\s+(?:năm\s+)?$")
# the scene of the event or a new occasion: awards handed out "at the conference"
# carry no year of the report before them
_RESET_RE = re.compile(
    r"^\W*(?:Tại|Trong)\s+(?:hội\s+nghị|Hội\s+nghị|buổi\s+lễ|lễ|Lễ|buổi|đại\s+hội|Đại\s+hội|chương\s+trình)\b"
    r"|^\W*(?:Nhân\s+)?[Dd]ịp\s+này\b|^\W*Nhân\s+(?:kỷ\s+niệm|dịp|ngày|Ngày)\b"
)
_GOVERNING_WORDS = 8  # "Nhờ đó, trong 9 tháng năm 2022, ..." still governs
_INTRO_MAX_WORDS = 6  # "Đối với hoạt động nghệ thuật, trong hai năm 2011 và 2012 ...": after an opening phrase
_NOW_HEAD_WORDS = 4  # "Đến nay, ..." / "Hiện toàn quận có ...": the whole sentence is a stock
_HEADING_MAX_WORDS = 22
_AFTER_WINDOW = 80  # "40 bộ đội tiêu biểu xuất ngũ năm 2016": the phrase's own year
# a clause ends at ; . ! ? ( or a comma that does not continue a list of figures
_AFTER_STOP_RE = re.compile(r"[;.!?(\n]|,(?!\s*\d)")
_NOW_SCOPE_END_RE = re.compile(r"[;:]|,\s")
_LEADING_COMMA_RE = re.compile(r"[\s,]*")


_BASE_FIGURE_GAP_RE = re.compile(r"\s*[(:]\s*(?:là\s+|đạt\s+)?")


@dataclass(frozen=True)
class Anchor:
    """A time expression: where it is, what it says (a year, or None) and how far it reaches."""

    start: int
    end: int
    kind: str  # year | period | rel | now | base (the base year of a comparison)
    year: int | None
    scope_end: int  # for `now`: the end of its clause


@dataclass
class Sentence:
    """One sentence: its span, its time anchors and the year inherited from context."""

    start: int
    end: int
    anchors: list[Anchor]
    context_year: int | None
    text: str = ""

    @property
    def years(self) -> list[tuple[int, int]]:
        """(position, year) of the years printed in the sentence."""
        return [(a.start, a.year) for a in self.anchors if a.kind == "year"]

    def __post_init__(self) -> None:
        # per anchor i: the last year/period/rel anchor up to i, the widest "now" scope
        # since it, and the next printed year after i, so each lookup is a bisect
        self._bases = [a for a in self.anchors if a.kind == "base"]
        self.anchors = [a for a in self.anchors if a.kind != "base"]
        self._starts = [a.start for a in self.anchors]
        self._last_fixed: list[int] = []
        self._now_until: list[int] = []
        last, until = -1, -1
        for k, a in enumerate(self.anchors):
            if a.kind == "now":
                until = max(until, a.scope_end)
            else:
                last, until = k, -1
            self._last_fixed.append(last)
            self._now_until.append(until)
        self._next_year: list[int] = [-1] * len(self.anchors)
        nxt = -1
        for k in range(len(self.anchors) - 1, -1, -1):
            self._next_year[k] = nxt
            if self.anchors[k].kind == "year":
                nxt = k

    def year_at(self, pos: int) -> int | None:
        """The year governing position `pos` of this sentence."""
        for b in self._bases:
            if b.end <= pos and _BASE_FIGURE_GAP_RE.fullmatch(self.text, b.end - self.start, pos - self.start):
                return b.year  # "(175.000 tỷ đồng)" right after "so với dự toán năm 2013"
        after = self._anchor_after(pos)
        if after is not None:
            return after.year
        i = bisect.bisect_right(self._starts, pos) - 1  # the last anchor at or before pos
        if i >= 0:
            if self._now_until[i] > pos:
                return None
            if self._last_fixed[i] >= 0:
                return self.anchors[self._last_fixed[i]].year
        # "... cờ thi đua được trao cho 22 đơn vị ... năm 2018": the sentence's own year
        k = self._next_year[i] if i >= 0 else next((n for n, a in enumerate(self.anchors) if a.kind == "year"), -1)
        return self.anchors[k].year if k >= 0 else self.context_year

    def _anchor_after(self, pos: int) -> Anchor | None:
        """A year or period closing the figure's own clause ("… xuất ngũ năm 2016")."""
        rel = pos - self.start
        window_end = min(len(self.text), rel + _AFTER_WINDOW)
        stop = _AFTER_STOP_RE.search(self.text, rel + 1, window_end)
        limit = self.start + (stop.start() if stop else window_end)
        for k in range(bisect.bisect_right(self._starts, pos), len(self.anchors)):
            a = self.anchors[k]
            if a.start >= limit:
                break
            if a.end <= limit and a.kind in ("year", "period"):
                return a
        return None


def _is_heading(line: str) -> bool:
    """Short line without closing punctuation: a subhead or a photo caption."""
    s = line.strip()
    return len(s.split()) <= _HEADING_MAX_WORDS and not re.search(r"[.!?;:…]\W*$", s) or (
        bool(re.search(r"\((?:Ảnh|ảnh)[^)]*\)\s*$", s))
    )


_HEAD_MAX_CHARS = 160  # a head of 8 words, or an opening phrase and 2 words, is shorter


def _opens_sentence(text: str, start: int, pos: int) -> bool:
    """True when `pos` is in the head of the sentence starting at `start` (so it governs what follows)."""
    if pos - start > _HEAD_MAX_CHARS:
        return False
    words = text[start:pos].split()
    if len(words) <= _GOVERNING_WORDS:
        return True
    intro, comma, rest = text[start:pos].partition(", ")
    return bool(comma) and len(intro.split()) <= _INTRO_MAX_WORDS and len(rest.split()) <= 2


def _anchors(text: str, start: int, end: int, subject_year: int | None = None) -> list[Anchor]:
    """Time anchors in text[start:end], without comparison bases and event dates."""
    out = []
    for m in _ANCHOR_RE.finditer(text, start, end):
        kind = m.lastgroup
        tail = text[max(start, m.start() - 35):m.start()]
        if kind in ("year", "bare", "month") and _COMPARISON_TAIL_RE.search(tail):
            # the base of a comparison governs only its own figure: "so với dự toán năm 2013 (175.000 tỷ đồng)"
            out.append(Anchor(m.start(), m.end(), "base", int(m.group(kind)), m.end()))
            continue
        if kind == "rel" and _COMPARISON_TAIL_RE.search(tail):
            continue
        if kind in ("year", "bare", "month") and _EVENT_TAIL_RE.search(tail):
            continue
        if kind == "month":
            kind = "year"
        year = int(m.group(m.lastgroup)) if kind in ("year", "bare") else None
        if kind == "rel" and _THIS_YEAR_RE.match(m.group()):
            year = subject_year  # "năm nay" is the year the headline is about, when it prints one
        scope_end = end
        if kind == "now" and len(text[max(start, m.start() - _HEAD_MAX_CHARS):m.start()].split()) >= _NOW_HEAD_WORDS:
            # "…, đến nay, huyện có 21 xã …": the clause after the anchor, not the sentence
            rest = _LEADING_COMMA_RE.match(text, m.end(), end).end()
            stop = _NOW_SCOPE_END_RE.search(text, rest, end)
            scope_end = stop.start() if stop else end
        out.append(Anchor(m.start(), m.end(), "year" if kind == "bare" else kind, year, scope_end))
    return _join_year_pairs(text, out)


# "tổng kết năm 2015 và các phong trào 2016": two years joined in one phrase cover both
_YEAR_PAIR_TAIL_RE = re.compile(rf"[^,;.:()\d]{{0,30}}?\bvà\b[^,;.:()\d]{{0,30}}?\b({_Y})\b(?![/.,-]\d)")


_THIS_YEAR_RE = re.compile(r"[Nn]ăm\s+nay")


def _subject_year(anchors: list[Anchor]) -> int | None:
    """The one year a headline prints ("... nghĩa vụ nộp thuế năm 2012"), if it prints exactly one."""
    if any(a.kind == "period" for a in anchors):
        return None
    years = {a.year for a in anchors if a.kind == "year"}
    return years.pop() if len(years) == 1 else None


def _join_year_pairs(text: str, anchors: list[Anchor]) -> list[Anchor]:
    """A year joined by "và" to another year in one phrase reads as a period (no single year)."""
    out: list[Anchor] = []
    skip_to = -1
    for a in anchors:
        if a.start < skip_to:
            continue
        if a.kind == "year":
            pair = _YEAR_PAIR_TAIL_RE.match(text, a.end)
            if pair and int(pair.group(1)) != a.year:
                out.append(Anchor(a.start, pair.end(), "period", None, pair.end()))
                skip_to = pair.end()
                continue
        out.append(a)
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with the year context each one inherits.

    A time expression opening a sentence ("Năm 2022, ...", "Kết quả năm 2022,
    ...", "Trong 5 năm qua, ...") governs the following sentences and
    paragraphs until a subhead, a scene change ("Tại hội nghị, ...") or another
    governing expression. A year set inside a paragraph governs to its end, one
    opening a paragraph beyond it; the title (a first line without final
    punctuation) governs nothing but itself.

    >>> [s.year_at(s.start) for s in split_sentences("Năm 2021, quận đạt 5%.\\nQuận có 3 xã.")]
    [2021, 2021]
    """
    sentences: list[Sentence] = []
    ctx: int | None = None
    first_line = True
    subject_year: int | None = None
    for line in _LINE_RE.finditer(text):
        if not line.group().strip():
            continue
        if _is_heading(line.group()):
            anchors = _anchors(text, line.start(), line.end(), subject_year)
            sentences.append(Sentence(line.start(), line.end(), anchors, None if first_line else ctx, line.group()))
            if first_line:
                subject_year = _subject_year(anchors)
            else:
                years = [a.year for a in anchors if a.kind == "year"]
                ctx = years[-1] if years else None
            first_line = False
            continue
        pos = line.start()
        carried = ctx  # a year set inside a paragraph governs to its end; one opening it, beyond
        opening = True
        for piece in _SENT_END_RE.split(line.group()):
            s = text.index(piece, pos) if piece else pos
            e = s + len(piece)
            pos = e
            if not piece.strip():
                continue
            if _RESET_RE.search(piece):
                ctx = None
            anchors = _anchors(text, s, e, subject_year)
            sentences.append(Sentence(s, e, anchors, ctx, piece))
            governing = next((a for a in anchors if a.kind != "now" and _opens_sentence(text, s, a.start)), None)
            if governing is not None:
                ctx = governing.year
                if opening:
                    carried = ctx
            opening = False
        ctx = carried
        first_line = False
    return sentences


class SentenceIndex:
    """Find the sentence holding a character position."""

    def __init__(self, text: str):
        self.sentences = split_sentences(text)
        self._starts = [s.start for s in self.sentences]

    def at(self, pos: int) -> Sentence | None:
        """The sentence containing `pos`, if any."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    def year_at(self, pos: int) -> int | None:
        """The year governing `pos`."""
        s = self.at(pos)
        return s.year_at(pos) if s else None


# --------------------------------------------------------------------------- #
# What is not a metric
# --------------------------------------------------------------------------- #

# Words that make the following number an identifier or a date part:
# "Quận 1", "Thứ 2", "cụm thi đua số 8", "ngày 18", "lần 3", "khóa 14".
_ID_BEFORE = frozenset(
    """số thứ quận phường khu tổ cụm khối lần khóa khoá kỳ điều khoản chương mục tầng phòng
    đường phố ấp thôn xóm bản hẻm ngõ ngách kiệt lô tuyến quốc lộ ql tỉnh lộ đợt vòng
    trận bảng hạng lớp ngày sáng chiều tối trưa đêm hôm tháng tuần quý năm giờ covid
    games game mục nhóm đội xã huyện km kilômét top dãy căn block tòa toà phiên
    giải mùa số: phần tập điểm vùng thửa khoảnh""".split()
)
# Heads of noun phrases that are time spans, ages, multipliers or grammar,
# never a counted thing: "75 năm", "9 tháng", "18 tuổi", "3 lần", "1 trong".
_NOT_COUNT_HEAD = frozenset(
    """năm tháng ngày tuần giờ tiếng phút giây quý thế tuổi đêm thập mùa lần độ
    và hoặc của cho với là được có đã đang sẽ tại trong từ đến tới so trên dưới hơn về
    theo thì mà khi để do bị các những này đó nay rồi cũng đều vào ra lên xuống qua sau
    trước nữa mới nhất thứ số bằng gồm như nhưng nên vì nếu ở tuy chỉ mỗi hay hoặc
    giờ/ngày h g p lượng phần thì vẫn còn luôn ngay đây kia ấy nào gì sẽ cùng
    trăm nghìn ngàn vạn triệu tỷ điểm khóa khoá
    xây dâng tham thực triển hoàn nâng phấn đón giúp trao tặng nhận đạt tăng giảm vượt đồng làm""".split()
)
_DATE_NEIGHBOUR_RE = re.compile(r"\s?[-–/:.]\s?\d")  # 12-17, 21/4, 15:20, 6.2.2017
_GLUED_BEFORE_RE = re.compile(r"(?:[\w%][-–/:]|\d\s?[-–/]\s)$")  # Covid-19, 2015 – 2020
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;…“\"(\[]\s*|\n\s*)$")


def _prev_word(text: str, pos: int) -> tuple[str, int] | None:
    """The word right before `pos` (same line, only spaces between) and its start."""
    m = re.search(r"([^\W\d_]+)[ \t\u00a0]+$", text[max(0, pos - 40):pos])
    if not m:
        return None
    return m.group(1), pos - (len(text[max(0, pos - 40):pos]) - m.start(1))


_TOTAL_BEFORE_RE = re.compile(r"\b(?:[Tt]ổng|[Vv]ới|[Dd]ân)[ \t\u00a0]+$")
_ROAD_BEFORE_RE = re.compile(r"\b(?:[Qq]uốc|[Tt]ỉnh|[Hh]ương)[ \t\u00a0]+$")
# words that number things, for figures with a unit ("số 5", "lần 2", "khóa 14")
_NUMBERING_WORDS = frozenset("số thứ lần khóa khoá kỳ điều khoản chương mục đợt phiên số: covid".split())


def _is_identifier_context(text: str, start: int, end: int, measured: bool = False) -> bool:
    """True when the number at text[start:end] is a date part, id or ordinal.

    A `measured` figure (money, an area, a weight) is an id only after the words
    that number things ("số", "thứ", "lần" ...): "chị Hoa 200 triệu đồng" and
    "mỗi giải 20 triệu đồng" are amounts, "Quận 1", "SEA Games 31" are names.
    """
    before = text[max(0, start - 30):start]
    if _GLUED_BEFORE_RE.search(before):
        return True
    if _DATE_NEIGHBOUR_RE.match(text, end):
        return True
    prev = _prev_word(text, start)
    if prev is None:
        return False
    word, wstart = prev
    key = word.casefold()
    if key == "lộ" and not _ROAD_BEFORE_RE.search(text[max(0, wstart - 8):wstart]):
        return False  # "hối lộ 70 triệu đồng"; "quốc lộ 1" is a road
    if key in (_NUMBERING_WORDS if measured else _ID_BEFORE):
        # "tổng số 28 chỉ tiêu", "với số 500 hộ", "dân số 31.306 người" read as totals; "số 8" stays an id
        return not (key == "số" and _TOTAL_BEFORE_RE.search(text[max(0, wstart - 12):wstart]))
    # "SEA Games 31", "Hà Nội 360", "Quận 1": a proper noun right before
    if not measured and word[0].isupper() and not _SENTENCE_START_RE.search(text[max(0, wstart - 3):wstart]):
        return True
    return False


# The upper end of a range ("từ 14 đến 19 tiêu chí", "500 triệu đến 1 tỷ đồng").
_RANGE_BEFORE_RE = re.compile(
    r"\d[\d.,]*(?:\s+(?:triệu|nghìn|ngàn|tỷ|tỉ|vạn)(?:\s+đồng)?|\s*%)?\s*(?:đến|tới)\s+$"
    r"|\btừ\s+(?:trên\s+|dưới\s+)?\d[\d.,]*[^\d;.]{0,30}?\s(?:đến|tới)\s+$"  # "từ trên 21 triệu đồng / người / năm đến 28"
)
# Banknote denominations ("tờ tiền mệnh giá 100, 200 nghìn đồng").
_DENOMINATION_RE = re.compile(r"mệnh\s+giá(?:\s+(?:từ|là|các\s+loại))?[\s\d.,]*$")
# Numerals of a fixed name: "phương châm 4 đúng", "6 điều Bác Hồ dạy".
_NAME_BEFORE_RE = re.compile(r"(?:phương\s+châm|khẩu\s+hiệu)\s+$")
_NAME_AFTER_RE = re.compile(r"\s+[a-zà-ỹđ]+\s+Bác(?:\s+Hồ)?\s+dạy\b")
# Bounds that define a group: "thu nhập từ 21 triệu đồng/người/năm trở xuống",
# "từ trên 21 triệu đồng/người/năm đến 28 ..." (a rate "đạt 80% trở lên" stays a figure).
_BOUND_AFTER_RE = re.compile(r"\s*(?:trở\s+xuống|trở\s+lên)\b")
_RANGE_FROM_RE = re.compile(r"\btừ\s+(?:trên\s+|dưới\s+)?$")
_RANGE_TO_RE = re.compile(r"\s*(?:đến|tới|-|–)\s*\d")
# Thresholds that define a group: "tỷ lệ sinh trên 2 con", "đạt dưới 10 tiêu chí".
_THRESHOLD_BEFORE_RE = re.compile(
    r"tỷ\s+lệ(?:\s+[^\W\d_]+){1,3}\s+(?:trên|dưới|từ)\s+$|\b(?:đạt|có)(?:\s+và\s+cơ\s+bản\s+đạt)?\s+dưới\s+$"
)


def _is_excluded_figure(text: str, start: int, end: int, count: bool, rate: bool = False) -> bool:
    """Ranges, denominations, numerals of fixed names and group bounds (rates excepted)."""
    before = text[max(0, start - 60):start]
    if _RANGE_BEFORE_RE.search(before) or _DENOMINATION_RE.search(before) or _NAME_BEFORE_RE.search(before):
        return True
    if _NAME_AFTER_RE.match(text, end):
        return True
    if rate:
        return False
    if _BOUND_AFTER_RE.match(text, end) or (_RANGE_FROM_RE.search(before) and _RANGE_TO_RE.match(text, end)):
        return True
    return count and bool(_THRESHOLD_BEFORE_RE.search(before))


def _is_year(token: str) -> bool:
    """A bare 4-digit year (1900-2099)."""
    return bool(re.fullmatch(r"(?:19|20)\d\d", token))


# --------------------------------------------------------------------------- #
# Counted nouns and indicators
# --------------------------------------------------------------------------- #

# Multi-word nouns kept whole in the quote (longest first).
_COMPOUND_NOUNS = [
    "tuyến đường phố", "tuyến đường", "tuyến phố", "đường phố", "hộ kinh doanh", "hộ sản xuất kinh doanh",
    "hộ gia đình", "hộ nghèo", "hộ cận nghèo", "hộ thoát nghèo", "hợp tác xã", "doanh nghiệp",
    "tập thể", "cá nhân", "đảng viên", "chỉ tiêu", "nhiệm vụ", "công trình", "dự án", "đề án",
    "chuyên đề", "chương trình", "đối tượng", "lượt người", "gia đình", "cơ sở", "đơn vị",
    "học sinh", "sinh viên", "giáo viên", "cán bộ", "hội viên", "đoàn viên", "người",
    # heads that are otherwise measure or grammar words: "300 phần quà", "6.000 ngày công",
    # "25 điểm mô hình" (sites, not scores), "38 suất học bổng"
    "phần quà", "phần thưởng", "phần thi", "phần việc", "suất quà", "suất học bổng", "ngày công",
    "điểm mô hình", "điểm trường", "điểm giao dịch", "điểm bán", "điểm du lịch", "điểm di tích",
    "điểm thu gom", "điểm tập kết", "điểm cầu", "điểm nóng", "điểm đen",
    "tổ chức và cá nhân", "tổ chức, cá nhân", "đơn vị và cá nhân", "đơn vị, cá nhân",
    "đồng chí", "đồng bào",  # not money: "3 đồng chí", but "21 triệu đồng" is no count
]
# Common nouns printed with capitals after a figure ("2 Câu Lạc bộ", "2 Cờ thi đua",
# "229 Kỷ niệm chương"); other capitalised words after a figure are names.
_CAPITALISED_NOUNS = (
    "câu lạc bộ", "cờ thi đua", "bằng khen", "giấy khen", "kỷ niệm chương", "huân chương", "huy chương",
    "chiến sĩ thi đua",
)
_CAPITALISED_NOUN_RE = re.compile(
    r"[ \t]+((?:" + "|".join(re.escape(n) for n in _CAPITALISED_NOUNS) + r"))(?!\w)", re.IGNORECASE
)
# A counted thing named in quotes: "trao 10 “Mái ấm CĐ”"
_QUOTED_NOUN_RE = re.compile(rf"[ \t]+(“[{_UPPER}][^“”\n]{{0,40}}”)")
_COMPOUND_RE = re.compile(
    r"(?:" + "|".join(re.escape(n) for n in sorted(_COMPOUND_NOUNS, key=len, reverse=True)) + r")(?!\w)"
)
# After the head noun, up to two more lowercase words join the quote unless
# they are grammar words ("4 công trình cấp quận", "10 nhiệm vụ trọng tâm").
_NP_EXTRA_RE = re.compile(r"(?:[ \t\u00a0]+(?![Vv]ượt\b)([a-zà-ỹđ]+)){0,2}")
_NP_STOP = frozenset(
    """và của cho với là được có đã đang sẽ tại trong từ đến tới so trên dưới hơn về theo
    thì mà khi để do bị các những này đó nay rồi cũng đều vào ra lên xuống qua sau trước nữa
    mới nhất bằng gồm như nhưng nên vì nếu ở đạt tăng giảm vượt thuộc nhận tham trị""".split()
)

_AWARD_CONTEXT_RE = re.compile(
    r"khen\s+thưởng|bằng\s+khen|giấy\s+khen|cờ\s+thi\s+đua|danh\s+hiệu|huân\s+chương|"
    r"huy\s+chương|kỷ\s+niệm\s+chương|biểu\s+dương|tuyên\s+dương|vinh\s+danh|\btặng\b|\btrao\b",
    re.IGNORECASE,  # headlines: "Khen thưởng 7 tập thể, 8 cá nhân"
)
# Other units that receive awards ("22 đơn vị được trao cờ thi đua", "18 đoàn viên
# được khen thưởng"). Plain "tặng"/"trao" is too loose here (gifts, support).
_AWARDABLE_COLLECTIVE_RE = re.compile(
    r"(?:đơn\s+vị|tổ\b|trường\b|cơ\s+quan|chi\s+bộ|đảng\s+bộ|tổ\s+chức|dòng\s+họ|dòng\s+tộc|tập\s+thể|CĐCS|chi\s+đoàn|chi\s+hội"
    r"|(?:hộ\s+)?gia\s+đình|xã\b|phường\b|thị\s+trấn|thôn\b|làng\b|khu\s+dân\s+cư|khu\s+phố|cụm\s+dân\s+cư)"
)
# README: counts of holders of a danh hiệu or of a recognition (families, clans,
# units, communes "được công nhận") are awarded_collectives
_RECOGNISED_RE = re.compile(r"công\s+nhận")
# People who are rewarded, supported or admitted: the verb around them decides which.
_PERSON_RE = re.compile(
    r"(?:lượt\s+)?(?:đoàn\s+viên|hội\s+viên|giáo\s+viên|nhà\s+giáo|cán\s+bộ|chiến\s+sĩ|đại\s+biểu|đội\s+viên|"
    r"thanh\s+niên|tài\s+xế|công\s+nhân|người\s+lao\s+động|lao\s+động|thiếu\s+nhi|bà\s+mẹ|bạn|em|cháu|"
    r"đồng\s+chí|quân\s+nhân|bộ\s+đội|tân\s+binh|công\s+dân|gương|tấm\s+gương|điển\s+hình|"
    # (not pupils and students: as often rescued or counted as rewarded)
    r"tác\s+giả|nhóm\s+tác\s+giả|nghệ\s+nhân|nông\s+dân|doanh\s+nhân|bác\s+sĩ|"
    r"cựu\s+chiến\s+binh|người\s+cao\s+tuổi|"
    r"CN|CNLĐ|CNVCLĐ|CNVC|CSTĐ|GV|ĐV|CB|CBCC|CBCCVC|CBCNV|CBCS|LĐ)(?!\w)"
)
# Holders of a title by name: "1.257 CSTĐ cơ sở" (chiến sĩ thi đua)
_TITLE_HOLDER_RE = re.compile(r"(?:lượt\s+)?(?:CSTĐ|chiến\s+sĩ\s+thi\s+đua|LĐTT|lao\s+động\s+tiên\s+tiến)(?!\w)", re.IGNORECASE)
_STRICT_AWARD_CONTEXT_RE = re.compile(
    r"khen\s+thưởng|bằng\s+khen|giấy\s+khen|cờ\s+thi\s+đua|danh\s+hiệu|huân\s+chương|"
    r"kỷ\s+niệm\s+chương|biểu\s+dương|tuyên\s+dương|vinh\s+danh|tôn\s+vinh",
    re.IGNORECASE,
)
# help given to people: "chăm sóc 254 bà mẹ", "giúp đỡ 18 nghìn bạn", "học bổng cho 38 đội viên"
_PERSON_SUPPORT_RE = re.compile(r"hỗ\s+trợ|trợ\s+cấp|trợ\s+giúp|giúp\s+đỡ|chăm\s+sóc|chăm\s+lo|học\s+bổng|chi\s+trả|cứu\s+trợ")
# "kết nạp 202 đảng viên", "3 đồng chí ... được đứng trong hàng ngũ của Đảng"
_PARTY_ADMIT_RE = re.compile(r"hàng\s+ngũ\s+(?:của\s+)?Đảng\b|(?:kết\s+nạp|đứng)\s+vào\s+Đảng\b|kết\s+nạp\s+Đảng\b")
_PERSON_CONTEXT: list[tuple[re.Pattern[str], str]] = [
    (_PARTY_ADMIT_RE, "party_members_admitted"),
    (_STRICT_AWARD_CONTEXT_RE, "awarded_individuals"),
    (_PERSON_SUPPORT_RE, "beneficiaries"),
]
_COLLECTIVE_CONTEXT: list[tuple[re.Pattern[str], str]] = [
    (_STRICT_AWARD_CONTEXT_RE, "awarded_collectives"), (_RECOGNISED_RE, "awarded_collectives"),
]
# a mixed count of bodies and people ("1.279 tổ chức và cá nhân") is neither kind
_LIST_WITH_PEOPLE_RE = re.compile(r"(?:\s*,\s*[^\W\d_]+(?:\s+[^\W\d_]+)?){0,4}\s*(?:,|và)\s*cá\s+nhân\b")
_MIXED_RECIPIENTS_RE = re.compile(r"(?:tập\s+thể|tổ\s+chức|đơn\s+vị)\s*(?:,|và)\s*cá\s+nhân")
_AFTER_CLAUSE_CHARS = 120
_SENTENCE_WINDOW = 200
_SUPPORT_CONTEXT_RE = re.compile(r"hỗ\s+trợ|hưởng|trợ\s+cấp|trợ\s+giúp|thăm\s+hỏi|tặng\s+quà|chăm\s+lo|chi\s+trả")
_ADMIT_CONTEXT_RE = re.compile(r"kết\s+nạp")
_REDUCED_CONTEXT_RE = re.compile(r"giảm|thoát\s+nghèo|thoát\s+khỏi")
# "6/14 chỉ tiêu vượt kế hoạch", "có 13 chỉ tiêu vượt": exceeded targets; but
# "hoàn thành và hoàn thành vượt mức 30/31 chỉ tiêu" counts completed ones.
_EXCEED_AFTER_RE = re.compile(r"(?:[ \t\u00a0]+[^\W\d_]+){0,3}?[ \t\u00a0]+vượt\b")
_EXCEED_BEFORE_RE = re.compile(r"\bvượt(?:\s+mức)?\s+$")
_COMPLETED_AND_EXCEEDED_AFTER_RE = re.compile(r"(?:[ \t\u00a0]+[^\W\d_]+){0,2}?[ \t\u00a0]+(?:đạt|hoàn\s+thành)\s*(?:và|,)\s*vượt\b")
_TOTAL_OF_RE = re.compile(r"\btổng\s+số\s+$")
_COMPLETED_AND_EXCEEDED_RE = re.compile(r"hoàn\s+thành\s+(?:và|,)\s+(?:hoàn\s+thành\s+)?vượt(?:\s+mức)?\s+$")

# Indicator from the counted noun (first match wins).
_COUNT_INDICATORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"doanh\s+nghiệp|DN"), "enterprises"),
    (re.compile(r"hợp\s+tác\s+xã|HTX"), "cooperatives"),
    (re.compile(r"hộ\s+(?:sản\s+xuất\s+)?kinh\s+doanh"), "business_households"),
    (re.compile(r"công\s+trình|dự\s+án|đề\s+án|chuyên\s+đề"), "projects"),
    (re.compile(r"tuyến\s+đường|tuyến\s+phố|đường\s+phố|tuyến\b"), "streets"),
    (re.compile(r"nhiệm\s+vụ|điều\b"), "tasks"),  # "thực hiện 4 điều tốt"
]


def _clause_after(text: str, np_end: int) -> str:
    """The rest of the clause after a counted noun phrase ("... đã được khen thưởng")."""
    after = text[np_end:np_end + _AFTER_CLAUSE_CHARS]
    end_of_clause = re.search(r"[;.\n]", after)
    return after[:end_of_clause.start()] if end_of_clause else after


def _context_indicator(rules: list[tuple[re.Pattern[str], str]], text: str, lo: int, start: int, np_end: int) -> str | None:
    """The indicator of the keyword closest before the figure, else the first one after it in its clause."""
    found = _nearest_keyword(rules, text, lo, start)
    if found:
        return found[0]
    after = _clause_after(text, np_end)
    best = min(((m.start(), ind) for pat, ind in rules for m in [pat.search(after)] if m), default=None)
    return best[1] if best else None


def _sentence_start(text: str, pos: int) -> int:
    """Start of the sentence holding `pos` (a list after ';' still hangs on its verb)."""
    lo = max(0, pos - _SENTENCE_WINDOW)
    last = lo
    for m in re.finditer(r"[.!?\n…](?!\d)", text[lo:pos]):
        last = lo + m.end()
    return last


def _count_indicator(noun: str, text: str, clause_start: int, start: int, np_end: int) -> str:
    """Indicator of "N noun" from the noun and its clause."""
    clause = text[clause_start:start]
    if noun.startswith("chỉ tiêu"):
        tail = clause[-60:]
        if _TOTAL_OF_RE.search(tail):
            return "other"  # "trong tổng số 28 chỉ tiêu": all targets, not the completed ones
        if _COMPLETED_AND_EXCEEDED_RE.search(tail) or _COMPLETED_AND_EXCEEDED_AFTER_RE.match(text, np_end):
            return "targets_completed"
        if _EXCEED_AFTER_RE.match(text, np_end) or _EXCEED_BEFORE_RE.search(tail):
            return "targets_exceeded"
        return "targets_completed"
    if noun.startswith("hộ nghèo") or noun.startswith("hộ thoát nghèo") or noun.startswith("hộ cận nghèo"):
        if _REDUCED_CONTEXT_RE.search(clause[-60:]) or "thoát" in noun:
            return "poor_households_reduced"
        # "hỗ trợ xây nhà cho 50 hộ nghèo": people helped
        return "beneficiaries" if _PERSON_SUPPORT_RE.search(clause[-100:]) else "other"
    if noun.startswith("đảng viên"):
        return "party_members_admitted" if _ADMIT_CONTEXT_RE.search(clause[-80:]) else "other"
    if _MIXED_RECIPIENTS_RE.match(noun) or (
            _AWARDABLE_COLLECTIVE_RE.match(noun)
            and (re.search(r"cá\s+nhân", noun) or _LIST_WITH_PEOPLE_RE.match(text, np_end))):
        return "other"  # "130 gia đình, dòng tộc, đơn vị, cá nhân": bodies and people together
    if _TITLE_HOLDER_RE.match(noun):
        return "awarded_individuals"
    if noun.startswith("tập thể") or noun.startswith("cá nhân"):
        window = clause[-160:] + _clause_after(text, np_end)
        if _AWARD_CONTEXT_RE.search(window):
            return "awarded_collectives" if noun.startswith("tập thể") else "awarded_individuals"
        return "other"
    if _AWARDABLE_COLLECTIVE_RE.match(noun):
        found = _context_indicator(_COLLECTIVE_CONTEXT, text, max(clause_start, start - 160), start, np_end)
        if found:
            return found
    elif _PERSON_RE.match(noun):
        found = _context_indicator(_PERSON_CONTEXT, text, _sentence_start(text, start), start, np_end)
        if found:
            return found
    if re.match(r"đối\s+tượng|lượt\s+người|người|hộ\s+gia\s+đình|gia\s+đình|trường\s+hợp", noun):
        return "beneficiaries" if _SUPPORT_CONTEXT_RE.search(clause[-100:]) else "other"
    if re.match(r"công\s+trình", noun) and re.search(r"di\s+tích|địa\s+điểm", _clause_after(text, np_end)[:60]):
        return "other"  # "144 công trình, địa điểm được xếp hạng di tích": monuments, not works
    for pattern, indicator in _COUNT_INDICATORS:
        if pattern.match(noun):
            return indicator
    return "other"


# Indicator of a percentage or an amount of money from the nearest keyword
# before it in the same clause ("thu ngân sách quận đạt 111,8 %, chi ngân
# sách nhà nước đạt 106,8%": each figure takes the closest subject).
_PERCENT_CONTEXT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"tiêm|vắc[- ]?xin|vaccine|tiêm\s+chủng"), "vaccination_rate"),
    (re.compile(r"giải\s+ngân"), "investment_disbursement"),
    (re.compile(r"thu\s+ngân\s+sách|thu\s+NSNN|nguồn\s+thu|tổng\s+thu|thu\s+nội\s+địa|dự\s+toán\s+thu|thu\s+cân\s+đối"), "budget_revenue"),
    (re.compile(r"chi\s+ngân\s+sách|tổng\s+chi|chi\s+NSNN|chi\s+thường\s+xuyên|dự\s+toán\s+chi"), "budget_expenditure"),
    (re.compile(r"giá\s+trị\s+sản\s+xuất|tổng\s+sản\s+phẩm|GRDP|tăng\s+trưởng\s+kinh\s+tế"), "production_value_growth"),
    (re.compile(r"thương\s+mại\s*[,\-–]?\s*(?:và\s+)?dịch\s+vụ|dịch\s+vụ\s*[,\-–]?\s*(?:và\s+)?thương\s+mại|bán\s+lẻ"), "trade_services_growth"),
    (re.compile(r"kết\s+nạp|đảng\s+viên\s+mới"), "party_members_admitted"),
    (re.compile(r"doanh\s+nghiệp"), "enterprises"),
    (re.compile(r"hộ\s+nghèo"), "poor_households_reduced"),
    # "18 chỉ tiêu đạt và vượt kế hoạch, đạt 64,3% kế hoạch": the share of those targets
    (re.compile(r"\d+(?:/\d+)?\s+chỉ\s+tiêu(?!\s+tuyển)"), "targets_completed"),
]
_MONEY_CONTEXT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"thu\s+ngân\s+sách|thu\s+NSNN|nguồn\s+thu|tổng\s+thu|thu\s+nội\s+địa|\bthu\s+từ\b|thu\s+thuế|dự\s+toán\s+thu|thu\s+cân\s+đối"), "budget_revenue"),
    (re.compile(r"chi\s+ngân\s+sách|tổng\s+chi|chi\s+NSNN|chi\s+thường\s+xuyên|dự\s+toán\s+chi"), "budget_expenditure"),
    (re.compile(r"giá\s+trị\s+sản\s+xuất|tổng\s+sản\s+phẩm|GRDP"), "production_value"),
    (re.compile(r"giải\s+ngân|vốn\s+đầu\s+tư\s+công"), "investment_disbursement"),
]
_CONTEXT_WINDOW = 160
# Money of the thi đua - khen thưởng fund (README: reward-fund spending is
# budget_expenditure): spent on, budgeted for or paid out as rewards. A reward a
# body hands out ("khen thưởng 10 triệu đồng cho Công an quận") or the value of
# what someone returned is not fund spending.
_RF = r"(?:công\s+tác\s+)?(?:thi\s+đua\s*[,–-]?\s*(?:và\s+)?)?khen\s+thưởng"
_REWARD_FUND_BEFORE_RE = re.compile(
    rf"(?:\bchi|kinh\s+phí|quỹ|hiện\s+vật|ngân\s+sách)(?:\s+(?:cho|phục\s+vụ|dành\s+cho|của))?\s+{_RF}"
    r"|chi\s+thưởng|tiền\s+thưởng|[Hh]ội\s+đồng\s+thi\s+đua",
    re.IGNORECASE,
)
_REWARD_FUND_AFTER_RE = re.compile(rf"\s+(?:dùng\s+)?(?:để\s+)?(?:chi\s+)?(?:cho\s+)?(?:{_RF}|chi\s+thưởng)")
# "các hình thức khen ... dự kiến phải chi đến 1,35 tỷ đồng"
_SPEND_BEFORE_RE = re.compile(r"\bchi\s+(?:đến|tới|khoảng|hơn|gần|trên)?\s*$")
_KHEN_RE = re.compile(r"\bkhen\b", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?<![A-ZĐ])[.!?](?:\s|$)|\n")  # not "TP. HCM"


def _is_reward_fund(text: str, start: int, unit_end: int) -> bool:
    """True when the money at text[start:unit_end] is reward-fund money."""
    lo = max(0, start - _CONTEXT_WINDOW)
    for m in _SENTENCE_END_RE.finditer(text, lo, start):
        lo = m.end()  # within the sentence ("…" lists do not end it)
    if _REWARD_FUND_BEFORE_RE.search(text, lo, start) or _REWARD_FUND_AFTER_RE.match(text, unit_end):
        return True
    return bool(_SPEND_BEFORE_RE.search(text, lo, start) and _KHEN_RE.search(text, lo, start))


def _nearest_keyword(rules: list[tuple[re.Pattern[str], str]], text: str, clause_start: int, pos: int) -> tuple[str, str] | None:
    """(indicator, keyword) of the rule matching closest before `pos` in the clause."""
    lo = max(clause_start, pos - _CONTEXT_WINDOW)
    best: tuple[int, str, str] | None = None
    for pattern, indicator in rules:
        for m in pattern.finditer(text, lo, pos):
            if best is None or m.end() > best[0]:
                best = (m.end(), indicator, m.group())
    return (best[1], best[2]) if best else None


# not the dot of an abbreviation ("TP. HCM", "Q. 1")
_CLAUSE_BOUNDARY_RE = re.compile(r"[;!?\n…](?!\d)|(?<![A-ZĐ])\.(?!\d)")


def _clause_start(text: str, pos: int) -> int:
    """Start of the clause (after the last ; . ! ? or newline) containing `pos`."""
    lo = max(0, pos - 400)
    last = lo
    for m in _CLAUSE_BOUNDARY_RE.finditer(text, lo, pos):
        last = m.end()
    return last


def _subject(text: str, clause_start: int, pos: int) -> str | None:
    """The words before the figure in its clause, as a readable subject."""
    chunk = text[clause_start:pos]
    chunk = re.split(r",\s+(?=[^,]*$)", chunk)[-1] if len(chunk) > 80 else chunk
    chunk = re.sub(r"\s+(?:đạt|là|tăng|giảm|vượt|bằng|chiếm|được|với\s+số\s+tiền(?:\s+là)?|đạt\s+tỷ\s+lệ|tỷ\s+lệ)\s*$", "", chunk.strip())
    chunk = chunk.strip(" ,:;()-–")
    return chunk or None


# --------------------------------------------------------------------------- #
# Rules
# --------------------------------------------------------------------------- #

_PERCENT_VERB_RE = re.compile(
    r"(?:(?:tăng|giảm|vượt|đạt|bằng|chiếm|đạt\s+tỷ\s+lệ|tỷ\s+lệ|đạt\s+trên|đạt\s+gần|trên|gần|khoảng|hơn)\s+)$"
)
_PERCENT_BASE_RE = re.compile(r"\s+(?:dự\s+toán|kế\s+hoạch|chỉ\s+tiêu(?:(?:\s+[a-zà-ỹđ]+){1,3}?)?(?=[\s,;.…)]|$))")


def _percent_or_amount(text: str, m: re.Match[str], index: SentenceIndex) -> Metric | None:
    """A number followed by a unit: "13%", "22.264 tỷ đồng", "32 giờ/năm"."""
    got = match_unit(text, m.end())
    if got is None:
        return None
    unit, unit_end = got
    token = m.group()
    # a rate ("định kỳ 3 lần/năm") is never an identifier, whatever word precedes it
    if unit.name != "percent" and "_per_" not in unit.name and _is_identifier_context(text, m.start(), m.end(), measured=True):
        return None
    rate = unit.name in ("percent", "per_mille")
    if rate and _GLUED_BEFORE_RE.search(text[max(0, m.start() - 3):m.start()]):
        return None  # the upper end of a range "10-15%": keep only clean figures
    if _is_excluded_figure(text, m.start(), unit_end, count=False, rate=rate):
        return None
    value = parse_vi_number(token) * unit.factor
    clause_start = _clause_start(text, m.start())
    start, end = m.start(), unit_end
    if rate:
        verb = _PERCENT_VERB_RE.search(text[max(clause_start, start - 25):start])
        if verb:
            start -= len(verb.group())
        base = _PERCENT_BASE_RE.match(text, end)
        noun_after = base.group().strip() if base else ""
        if base:
            end = base.end()
        found = _nearest_keyword(_PERCENT_CONTEXT, text, clause_start, m.start())
        indicator = found[0] if found else "other"
        if indicator == "production_value_growth" and verb and verb.group().startswith("đạt") and base \
                and not noun_after.startswith("chỉ tiêu"):
            indicator = "production_value"  # achievement against plan, not a growth rate
        if noun_after.startswith("chỉ tiêu") and len(noun_after.split()) > 2:
            indicator = "other"  # "100% chỉ tiêu tuyển quân": one quota fulfilled
    elif unit.name.startswith(("vnd", "usd", "cny")):
        found = _nearest_keyword(_MONEY_CONTEXT, text, clause_start, m.start())
        indicator = found[0] if found else "other"
        if indicator == "other" and _is_reward_fund(text, m.start(), unit_end):
            indicator = "budget_expenditure"  # reward-fund money ("chi gần 42 tỷ đồng cho thi đua khen thưởng")
    else:
        indicator = "other"
    return Metric(
        article_id="", seq=0, quote=text[start:end], value=round(value, 6), unit=unit.name,
        numerator=None, denominator=None, subject=_subject(text, clause_start, m.start()),
        indicator=indicator, year=index.year_at(m.start()), char_start=start, char_end=end,
    )


_MULTIPLIER_RE = re.compile(r"[ \t\u00a0]+(triệu|nghìn|ngàn|vạn)(?=[ \t\u00a0]+[a-zà-ỹđ])")

# Counted nouns printed as upper-case abbreviations in school, union and business
# reports: "28 HS giỏi", "3 GV", "49 HTX", "120 DN", "2.000 CNLĐ", "1.257 CSTĐ cơ sở".
# Units, currencies, clock and index abbreviations are not counted things.
_ACRONYM_NOUN_RE = re.compile(r"[ \t\u00a0]+((?:lượt\s+)?[A-ZĐ]{2,8})(?![\w/-]|\.\w)")
_NOT_COUNTED_ACRONYMS = frozenset(
    """USD VND VNĐ EUR CNY NDT JPY SGD THB GB MB KB TB MW KW KWH HP CC ML GMT UTC AM PM
    AUD CAD GBP KRW RUB CHF CUC CUP BTU MP MHZ GHZ HZ DB CM MM MG KM KCAL DWT TEU CCU
    GDP GRDP CPI FDI ODA PCI PAPI SEA ASEAN COVID SARS HIV AIDS TP UBND HĐND VIP""".split()
)


def _is_unit_acronym(word: str) -> bool:
    """Units, currencies ("NZD", "USDT") and index names are not counted things."""
    return word in _NOT_COUNTED_ACRONYMS or bool(re.fullmatch(r"[A-Z]{2}D|USDT|EUR", word))


# the quote keeps the lowercase words that qualify an abbreviation ("CN giỏi cơ sở")
_ACRONYM_EXTRA_RE = re.compile(r"(?:[ \t\u00a0]+[a-zà-ỹđ]+){0,3}")
_NOUN_START_RE = re.compile(r"[ \t\u00a0]+([a-zà-ỹđ][a-zà-ỹđ]*)")


def _noun_phrase(text: str, pos: int) -> tuple[str, int] | None:
    """The counted noun phrase starting after `pos` and where it ends."""
    acronym = _ACRONYM_NOUN_RE.match(text, pos)
    if acronym and not _is_unit_acronym(acronym.group(1).split()[-1]):
        end = acronym.end()
        for w in re.finditer(r"[ \t\u00a0]+([a-zà-ỹđ]+)", _ACRONYM_EXTRA_RE.match(text, end).group()):
            if w.group(1) in _NP_STOP:
                break
            end = acronym.end() + w.end()
        return text[acronym.start(1):end], end
    capitalised = _CAPITALISED_NOUN_RE.match(text, pos) or _QUOTED_NOUN_RE.match(text, pos)
    if capitalised:
        return capitalised.group(1), capitalised.end()
    head = _NOUN_START_RE.match(text, pos)
    if not head:
        return None
    start = head.start(1)
    comp = _COMPOUND_RE.match(text, start)
    if not comp and head.group(1) in _NOT_COUNT_HEAD:
        return None
    end = comp.end() if comp else head.end(1)
    # "24 tập thể, cá nhân" and "24 chuyên đề, đề án": one pair of co-ordinated nouns
    pair = re.compile(r"\s*(?:,|và)\s*(" + _COMPOUND_RE.pattern + r")").match(text, end)
    if comp and pair and not re.match(r"\s*(?:,|và)?\s*\d", text[pair.end():pair.end() + 4]):
        end = pair.end()
    else:
        extra = _NP_EXTRA_RE.match(text, end)
        for w in re.finditer(r"[ \t\u00a0]+([a-zà-ỹđ]+)", extra.group()):
            if w.group(1) in _NP_STOP:
                break
            end = extra.start() + w.end()
    return text[start:end], end


def _ratio(text: str, m: re.Match[str], index: SentenceIndex) -> Metric | None:
    """ "14/14 chỉ tiêu", "202/200 đảng viên": x of y counted things."""
    if _is_identifier_context(text, m.start(), m.start()):
        return None
    prev = _prev_word(text, m.start())
    if prev and prev[0].casefold() in _ID_BEFORE:
        return None
    num, den = parse_ratio(m.group())
    if den == 0 or num > 5 * den:
        return None
    np = _noun_phrase(text, m.end())
    if np is None:
        return None
    noun, np_end = np
    clause_start = _clause_start(text, m.start())
    indicator = _count_indicator(noun, text, clause_start, m.start(), np_end)
    return Metric(
        article_id="", seq=0, quote=text[m.start():np_end], value=num, unit="ratio",
        numerator=num, denominator=den, subject=noun, indicator=indicator,
        year=index.year_at(m.start()), char_start=m.start(), char_end=np_end,
    )


_TIMES_BEFORE_RE = re.compile(r"\bgấp\s+(?:hơn\s+|gần\s+|khoảng\s+)?$")
_TIMES_AFTER_RE = re.compile(r"\s+lần\b")


def _times(text: str, m: re.Match[str], index: SentenceIndex) -> Metric | None:
    """ "gấp 2,5 lần": a ratio to a base, unit `times`."""
    lo = max(0, m.start() - 20)
    verb = _TIMES_BEFORE_RE.search(text, lo, m.start())
    after = _TIMES_AFTER_RE.match(text, m.end())
    if not (verb and after):
        return None
    start, end = verb.start(), after.end()
    clause_start = _clause_start(text, m.start())
    return Metric(
        article_id="", seq=0, quote=text[start:end], value=parse_vi_number(m.group()), unit="times",
        numerator=None, denominator=None, subject=_subject(text, clause_start, verb.start()),
        indicator="other", year=index.year_at(m.start()), char_start=start, char_end=end,
    )


def _count(text: str, m: re.Match[str], index: SentenceIndex) -> Metric | None:
    """ "16.839 doanh nghiệp", "1,2 triệu lượt khách": a number of things."""
    token = m.group()
    if _is_year(token) or _is_identifier_context(text, m.start(), m.end()):
        return None
    if _is_excluded_figure(text, m.start(), m.end(), count=True):
        return None
    value = parse_vi_number(token)
    pos = m.end()
    mult = _MULTIPLIER_RE.match(text, pos)
    if mult:
        value *= MULTIPLIERS[mult.group(1)]
        pos = mult.end()
    elif "," in token or (("." in token) and not re.search(r"\.\d{3}$", token)):
        return None  # "2,5 người" is no count; decimals need a unit
    np = _noun_phrase(text, pos)
    if np is None:
        return None
    noun, np_end = np
    clause_start = _clause_start(text, m.start())
    indicator = _count_indicator(noun, text, clause_start, m.start(), np_end)
    return Metric(
        article_id="", seq=0, quote=text[m.start():np_end], value=value, unit="count",
        numerator=None, denominator=None, subject=noun, indicator=indicator,
        year=index.year_at(m.start()), char_start=m.start(), char_end=np_end,
    )


# a quoted name is short ("“5 biết”", "“Sinh viên 5 tốt”"); quoted speech is not a name
_QUOTED_NAME_RE = re.compile(r"“[^“”\n]{1,80}”|\"[^\"\n]{1,80}\"")
_NAME_MAX_WORDS = 8


class _Spans:
    """Character spans, asked whether they cover a position (bisect, not a scan)."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._reach: list[int] = []  # the furthest end among spans starting at or before each start
        reach = -1
        for _, b in spans:
            reach = max(reach, b)
            self._reach.append(reach)

    def contains(self, pos: int) -> bool:
        """True when some span has start <= pos < end."""
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and self._reach[i] > pos


def extract_metrics(text: str) -> list[Metric]:
    """All metrics of a cleaned article text, in text order.

    The rules read `number_view(text)` (zero-width characters dropped, group
    spaces as thousands dots); offsets and quotes are given back in `text`.

    >>> [(m.quote, m.value, m.unit, m.indicator, m.year) for m in extract_metrics(
    ...     "Năm 2021, thu ngân sách quận đạt 111,8 %; toàn quận có 16.839 doanh nghiệp.")]
    [('đạt 111,8 %', 111.8, 'percent', 'budget_revenue', 2021), ('16.839 doanh nghiệp', 16839.0, 'count', 'enterprises', 2021)]
    """
    view = number_view(text)
    rows = _extract_metrics(view.text)
    if view.text is not text:
        for r in rows:
            r.char_start, r.char_end = view.span(r.char_start, r.char_end)
            r.quote = text[r.char_start:r.char_end]
    return rows


def _extract_metrics(text: str) -> list[Metric]:
    """The metrics of the text the rules read (see `extract_metrics`)."""
    index = SentenceIndex(text)
    out: list[Metric] = []
    # numbers inside short quoted names ("Sinh viên 5 tốt") belong to the name
    taken: list[tuple[int, int]] = [(q.start(), q.end()) for q in _QUOTED_NAME_RE.finditer(text)
                                    if len(q.group().split()) <= _NAME_MAX_WORDS]
    for m in RATIO_RE.finditer(text):
        metric = _ratio(text, m, index)
        if metric:
            out.append(metric)
            taken.append((m.start(), m.end()))
    covered = _Spans(taken)
    for m in NUMBER_RE.finditer(text):
        if covered.contains(m.start()):
            continue
        if _DATE_NEIGHBOUR_RE.match(text, m.end()) and not match_unit(text, m.end()):
            continue
        metric = _percent_or_amount(text, m, index) or _times(text, m, index) or _count(text, m, index)
        if metric:
            out.append(metric)
    out.sort(key=lambda r: r.char_start)
    # a figure of 400 thousands groups overflows a double: inf is no fact (tests/hostile)
    return [r for r in out if all(math.isfinite(v) for v in (r.value, r.numerator, r.denominator) if v is not None)]


__all__ = ["SentenceIndex", "extract_metrics", "split_sentences"]
