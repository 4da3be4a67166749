"""Referenced legal and administrative documents.

Numbered references: "Kế hoạch số 160/KH-UBND ngày 21/4/2023 của UBND quận",
"Quyết định 1722/QĐ-TTg", "Nghị quyết số 35-NQ/TW", bare numbers ("Chỉ thị 03, 05
của Bộ Chính trị", "nghị định số 90"). Unnumbered ones (number null) are titles:
after a verb of implementation ("triển khai Chương trình phục hồi và phát triển
kinh tế - xã hội của Chính phủ"), resolutions of a plenum or congress ("Nghị
quyết Đại hội Đảng toàn quốc lần thứ XI"), laws ("Luật Thi đua, khen thưởng"),
Đề án “…”, Quy chế …, national target programmes, and a decision just issued
("đã ký ban hành quyết định công bố …"). Generic mentions ("Nghị quyết đại hội
Đảng các cấp", "các kế hoạch") are not documents. Each document is listed once,
with the quote of its fullest mention (specs in tests/specs/documents.yaml).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import logging
import re

from etl.schema import Document

log = logging.getLogger(__name__)

# Document kinds, longest first so "Nghị quyết liên tịch" wins over "Nghị quyết".
DOC_TYPES = [
    "Thông tư liên tịch", "Nghị quyết liên tịch", "Chương trình hành động", "Chương trình công tác",
    "Kế hoạch liên tịch", "Quyết định", "Nghị quyết", "Nghị định", "Thông tư", "Chỉ thị", "Kế hoạch",
    "Chương trình", "Công văn", "Văn bản", "Thông báo", "Hướng dẫn", "Công điện", "Kết luận",
    "Đề án", "Báo cáo", "Tờ trình", "Quy chế", "Quy định", "Luật", "Pháp lệnh", "Sắc lệnh",
]
# either case for the first letter: "kế hoạch số 12/KH-UBND" is common too
_TYPE_ALT = "|".join(f"[{t[0]}{t[0].lower()}]{re.escape(t[1:])}" for t in sorted(DOC_TYPES, key=len, reverse=True))

# A document number: "160/KH-UBND", "05/2022/NĐ-CP", "35-NQ/TW", "01/Ctr-UBND".
# an issuing code: "CT", "TW", "QĐi", "TTg", "BGDĐT" (capitals, at most two small letters after)
_CODE = r"[A-ZĐ][A-ZĐ0-9&]*[a-z]{0,2}(?![^\W\d_])"
_NUMBER = (r"\d{1,5}[a-z]?(?:/\d{4})?[/-](?:[A-ZĐ][\w&.]*)(?:[-/][\w&.]*[^\W_])*"
           # word-segmented corpora print "36 - NQ / TW", others "40 – CT/TW": kept as printed
           r"|\d{1,5}(?: / \d{4})?\s?[/–-]\s?" + _CODE + r"(?:\s?[/–-]\s?" + _CODE + r")*")
_DATE = r"(?:\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?(?:19|20)\d\d|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(?:19|20)\d\d)"
# "của UBND quận", "của Thủ tướng Chính phủ": up to the next clause break or a topic word.
_ISSUER = r"(?P<issuer>[^,;.:()\n]{2,80}?)(?=\s+(?:[Vv]ề|đối\s+với|trong|tại|khi|gắn|đã|được|đang|sẽ|cho|là|nêu|yêu\s+cầu|chỉ\s+đạo|phê\s+duyệt|ban\s+hành|quy\s+định|hướng\s+dẫn|triển\s+khai|thực\s+hiện|với|nhằm|để|và\s+(?:[Kk]ế|[Qq]uyết|[Nn]ghị|[Cc]hỉ|[Cc]hương|[Tt]hông))\b|[,;.:()\n]|$)"

NUMBERED_RE = re.compile(
    rf"(?P<type>{_TYPE_ALT})(?P<qual>(?:\s+[a-zà-ỹđ]+){{0,3}}?)\s+(?:số\s*:?\s*)?(?P<number>{_NUMBER})"
    rf"(?:\s*(?:,\s*)?ngày\s+(?P<date>{_DATE}))?"
    rf"(?:\s+của\s+{_ISSUER})?"
)

# Unnumbered: an implementation verb, a few adverbs, then a capitalised kind
# and its title ("thực hiện hiệu quả Kế hoạch phục hồi và phát triển ...").
_INTRO = r"(?:triển\s+khai|[Tt]riển\s+khai|thực\s+hiện|[Tt]hực\s+hiện|ban\s+hành|quán\s+triệt|[Qq]uán\s+triệt|căn\s+cứ|[Cc]ăn\s+cứ|theo|[Tt]heo|học\s+tập|sơ\s+kết|tổng\s+kết)"
_ADVERBS = r"(?:\s+(?:có\s+hiệu\s+quả|hiệu\s+quả|tốt|nghiêm\s+túc|đồng\s+bộ|quyết\s+liệt|và\s+thực\s+hiện|thắng\s+lợi|thành\s+công))*"
_TITLED_TYPES = ["Chương trình", "Kế hoạch", "Nghị quyết", "Chỉ thị", "Đề án", "Quyết định", "Kết luận", "Nghị định", "Luật"]
# Event programmes are not documents; neither are demonstratives.
_NOT_TITLE = (r"(?!\s+(?:số|sư\b|này|đó|trên|các|của|nghệ\s+thuật|văn\s+nghệ|giao\s+lưu|ca\s+nhạc|biểu\s+diễn|truyền\s+hình|\d"
              # "khi thực hiện Chương trình cần quan tâm …": a clause goes on, no title follows
              r"|(?:cần|phải|sẽ|đã|đang|được|là|có|không|vẫn|cũng|mới|thì|và|nhưng|rất)\b))")
TITLED_RE = re.compile(
    rf"{_INTRO}{_ADVERBS}\s+(?P<type>{'|'.join(map(re.escape, _TITLED_TYPES))}){_NOT_TITLE}"
    rf"(?P<title>(?:\s+[\wÀ-ỹđĐ-]+|\s+-\s+|,\s+(?=chống\b)){{2,25}}?)"
    rf"(?=\s+(?:với|nhằm|để|bảo\s+đảm|đảm\s+bảo|trong\s+(?:năm|giai)|đến)\b|[,;.:()\n]|$)"
)
# A national target programme is one named document wherever it is cited:
# "Chương trình Mục tiêu quốc gia xây dựng nông thôn mới", "Chương trình MTQG …".
NATIONAL_PROGRAMME_RE = re.compile(
    r"(?<![\w])(?P<type>[Cc]hương trình)\s+(?:[Mm]ục tiêu quốc gia|MTQG)"
    r"(?:\s+(?!(?:giai|và|đến|năm|trong|của|tại|cho|để|nhằm|với|vào|đã|được|là|có|này)\b)[^\W\d_]+){0,8}"
)
# Documents cited by their title only: Đề án “Thành phố 4 an”, Quy chế làm việc của Tỉnh ủy.
QUOTED_PROJECT_RE = re.compile(r"(?<![\w])(?P<type>[Đđ]ề án)\s+[“\"](?P<title>[^“”\"\n]{3,300})[”\"]")
_RULEBOOK_STOP = r"(?:và|đã|được|này|có|để|nhằm|với|thì|là|do|bởi|cho|khi|nên|sẽ|đang|vừa|mới|không|trong|từ|theo|tại)\b"
RULEBOOK_RE = re.compile(
    rf"(?<![\w])(?P<type>Quy chế)\s+(?!(?:này|mới|cũ|đó|trên|số|{_RULEBOOK_STOP}))"
    rf"(?P<title>[^\W\d_]+(?:\s+(?!{_RULEBOOK_STOP})[^\W\d_]+){{1,12}}?)"
    rf"(?=\s*(?:[,.;:()\n“”\"]|$)|\s+{_RULEBOOK_STOP})"
)
# An unnumbered decision just issued, described by its purpose: "đã ký ban hành quyết định
# công bố dịch bệnh dại động vật (chó dại) trên địa bàn huyện", "mới ban hành quyết định phê
# duyệt giá đất". Habits ("người ký quyết định phải …") and procedural orders of a court or an
# investigation (khởi tố, tại ngoại …) name no document: the purpose verb is required.
ISSUED_RE = re.compile(
    r"(?<![\w])(?:đã|vừa|mới)\s+(?:ký\s+(?:ban\s+hành\s+)?|ban\s+hành\s+)"
    r"(?P<type>quyết\s+định|chỉ\s+thị|kế\s+hoạch|công\s+điện)\s+"
    r"(?P<title>(?:công\s+bố|phê\s+duyệt|thành\s+lập|ban\s+hành|về\s+việc|về|công\s+nhận|điều\s+chỉnh|"
    r"sửa\s+đổi|bãi\s+bỏ|quy\s+định|áp\s+dụng|triển\s+khai|thực\s+hiện|tổ\s+chức|phòng,?\s+chống)"
    r"(?:\s+(?:[^\W\d_]+|\([^()\n]{1,40}\))){1,20}?)(?=\s*(?:[.,;:!?\n]|$))"
)
_GENERIC_TITLE_RE = re.compile(r"(?<![\w])các\s+(?:cấp|kỳ|khóa|khoá|nhiệm\s+kỳ|thời\s+kỳ)(?![\w])")
_OF_ISSUER_RE = re.compile(r"\s+của\s+([^,;.:()\n]{2,60})$")

# Directives and resolutions cited by a bare number, alone or in a list that
# shares one issuer: "Chỉ thị 03, 05 của Bộ Chính trị", "Nghị quyết 35 và 36".
# The number is not a date, a count ("Nghị quyết 3 lần") or part of a
# numbered reference (those are NUMBERED_RE's).
# Lower-case kinds count too ("nghị định số 90"), but "quyết định", "kết luận" and "quy định"
# are also verbs, so in lower case they need "số".
_BARE_TYPES = (r"(?:(?:[Cc]hỉ thị|[Nn]ghị quyết|[Nn]ghị định|[Tt]hông tư)(?:\s+số)?"
               r"|(?:Quyết định|Kết luận|Quy định|Đề án)(?:\s+số)?|(?:quyết định|kết luận|quy định|đề án)\s+số"
               # plans and letters are cited by a bare number only with "số": "Kế hoạch số 45"
               r"|(?:[Kk]ế hoạch|[Cc]hương trình|[Hh]ướng dẫn|[Cc]ông văn|[Tt]hông báo|[Tt]ờ trình)\s+số)")
_BARE_NUM = r"(?!(?:19|20)\d\d\b)\d{1,4}(?![\d/.,-]\d|[\w/-])(?!\s*(?:%|tháng|năm|lần|điểm|nội dung|chương|điều|khoản|nhóm|giải pháp|nhiệm vụ|chỉ tiêu|tiêu chí|người|đơn vị|triệu|nghìn|ngàn|tỷ|tỉ|ha\b|km\b))"
BARE_RE = re.compile(
    rf"(?<![\w])(?P<type>{_BARE_TYPES})\s+(?P<nums>{_BARE_NUM}(?:\s*(?:,|và|;)\s*{_BARE_NUM}){{0,5}})"
    rf"(?:\s+của\s+{_ISSUER})?"
)
_ONE_NUM = re.compile(r"\d{1,4}")
# A specific Party resolution named by its plenum or congress: "Nghị quyết Trung
# ương 4 khóa XII", "Nghị quyết Đại hội XIII của Đảng". "Nghị quyết đại hội
# Đảng các cấp" names none.
PLENUM_RE = re.compile(
    r"(?<![\w])Nghị quyết\s+(?:Hội nghị\s+)?(?P<issuer>Trung ương|TƯ|TW)\s+(?P<n>\d{1,2}|[IVX]{1,4})\b"
    r"(?:\s*\(?,?\s*[Kk]hóa\s+[IVXL]+\)?|\s*\(?,?\s*[Kk]hoá\s+[IVXL]+\)?)?"
    r"|(?<![\w])Nghị quyết\s+Đại hội\s+(?:Đảng\s+(?:toàn quốc\s+)?)?(?:lần thứ\s+)?(?P<congress>[IVXL]{1,5})\b"
    r"(?:\s+của\s+(?P<of>Đảng))?"
    # "nghị quyết Đại hội Đảng toàn quốc lần thức XI" (sic), "Nghị quyết Đại hội Đảng bộ quận lần
    # thứ I", "… Đảng bộ TP Cần Thơ nhiệm kỳ 2020-2025": a congress named by its ordinal or term
    r"|(?<![\w])[Nn]ghị quyết\s+(?P<body>[Đđ]ại hội\s+(?:Đảng|đại biểu|Đảng bộ)[^,.;:()\n]{0,60}?"
    r"(?:lần\s+th[ứức]{1,2}c?\s+(?:[IVXL]{1,5}|\d{1,2})\b|nhiệm\s+kỳ\s*(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d))"
    r"(?:\s+của\s+(?P<of2>Đảng))?"
)
# A law cited by its title: "Luật Thi đua, khen thưởng", "Luật Đất đai năm 2013".
# The title is a capitalised word then lower-case words; a clause word ends it.
_LAW_STOP = (r"(?:số|năm|ngày|không|và|cũng|sáng|chiều|tới|nay|lần|cần|còn|số|của|đã|được|này|có|các|những|sẽ|thì|là|cho|tại|với|để|trong|mới|hiện|khi|nên|vẫn|phải"
             r"|đang|về|từ|theo|thay|sửa|quy|nhằm|do|bởi|đến|đi|và\s+(?:các|những|Nghị|Luật))\b")
LAW_RE = re.compile(
    r"(?<![\w])(?<!học\s)(?<!Khoa\s)(?<!ĐH\s)(?<!hãng\s)(?<!ty\s)(?<!phòng\s)(?<!Văn\s)"
    r"(?P<type>Luật)\s+(?!sư\b|gia\b|TNHH|hợp\s+danh)"
    rf"(?P<title>[^\W\d_]+(?:\s+(?!{_LAW_STOP})[^\W\d_]+){{1,6}}"
    # "Luật Thi đua, khen thưởng", "Luật Khám bệnh, chữa bệnh": a short part after a comma
    rf"(?:,\s+(?!{_LAW_STOP})[^\W\d_]+(?:\s+(?!{_LAW_STOP})[^\W\d_]+)?)?)"
    rf"(?=\s*(?:[,.;:()\n“”\"]|$)|\s+(?:{_LAW_STOP}|[A-ZĐ]|\d))"
)


_WORDS_RE = re.compile(r"[^\W_]+")
# What follows a title without being part of it: "Luật Đất đai năm 2013", "… của Chính phủ".
_TITLE_TAIL_RE = re.compile(r"\s+(?:năm\s+(?:19|20)\d\d|của|số|ngày)\b")


def parse_date(text: str | None) -> dt.date | None:
    """A date printed as 21/4/2023, 24-1-2022, 21.4.2023 or "21 tháng 4 năm 2023".

    >>> parse_date("24-1-2022")
    datetime.date(2022, 1, 24)
    """
    if not text:
        return None
    nums = [int(n) for n in re.findall(r"\d+", text)]
    if len(nums) != 3:
        return None
    d, m, y = nums
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _doc_type(kind: str, qualifier: str) -> str:
    """Canonical kind: capitalised, with its qualifier ("Chương trình công tác")."""
    kind = kind[0].upper() + kind[1:]
    qualifier = " ".join(qualifier.split())
    # only qualifiers naming the kind are kept; "Kế hoạch phê duyệt số" is odd prose
    if qualifier and re.fullmatch(r"(?:công\s+tác|hành\s+động|liên\s+tịch|liên\s+ngành|thực\s+hiện)", qualifier):
        return f"{kind} {qualifier}"
    return kind


def _numbered(text: str) -> list[Document]:
    """Documents cited with a number."""
    out = []  # every mention; `_one_per_document` keeps each document once, at its fullest
    for m in NUMBERED_RE.finditer(text):
        issuer = m.group("issuer")
        doc_type = _doc_type(m.group("type"), m.group("qual"))
        number = m.group("number").rstrip(".")
        out.append(Document(
            article_id="", seq=0, doc_type=doc_type,
            number=number, issued_on=parse_date(m.group("date")),
            issuer=issuer.strip() if issuer else None, quote=m.group(0),
            char_start=m.start(), char_end=m.end(),
        ))
    return out


def _titled(text: str, taken: "_Spans") -> list[Document]:
    """Documents cited by a capitalised title after an implementation verb."""
    out = []
    seen: set[tuple[str, str]] = set()
    for m in TITLED_RE.finditer(text):
        s = m.start("type")
        if taken.covers(s):
            continue
        end = m.end("title")
        quote = text[s:end]
        if _GENERIC_TITLE_RE.search(m.group("title")):
            continue  # "Nghị quyết Đại hội Đảng các cấp" names no one document
        # the same title cited again ("Luật Hợp tác xã năm 2012 ...") is one document
        key = (m.group("type"), " ".join(m.group("title").casefold().split()[:3]))
        if key in seen:
            continue
        seen.add(key)
        issuer_m = _OF_ISSUER_RE.search(quote)
        out.append(Document(
            article_id="", seq=0, doc_type=m.group("type"), number=None, issued_on=None,
            issuer=issuer_m.group(1).strip() if issuer_m else None, quote=quote,
            char_start=s, char_end=end,
        ))
    return out


def _cited_by_title(text: str, taken: "_Spans") -> list[Document]:
    """Đề án “…” and Quy chế … cited by their title, without a number."""
    out = []
    for rx, rule in ((QUOTED_PROJECT_RE, "documents.quoted_project"), (RULEBOOK_RE, "documents.rulebook"),
                     (NATIONAL_PROGRAMME_RE, "documents.national_programme")):
        for m in rx.finditer(text):
            if taken.covers(m.start()):
                continue
            out.append(Document(
                article_id="", seq=0, doc_type=_doc_type(m.group("type"), ""), number=None, issued_on=None,
                issuer=None, quote=m.group(0), char_start=m.start(), char_end=m.end(), rule=rule,
            ))
    return out


def _issued(text: str, taken: "_Spans") -> list[Document]:
    """Unnumbered decisions and plans described by their content after "ký" / "ban hành"."""
    out = []
    for m in ISSUED_RE.finditer(text):
        s = m.start("type")
        if taken.covers(s):
            continue
        doc_type = _doc_type(" ".join(m.group("type").split()), "")
        out.append(Document(
            article_id="", seq=0, doc_type=doc_type, number=None, issued_on=None, issuer=None,
            quote=text[s:m.end("title")], char_start=s, char_end=m.end("title"), rule="documents.issued",
        ))
    return out


def _bare(text: str, taken: "_Spans") -> list[Document]:
    """Directives and resolutions cited by a bare number ("Chỉ thị 03, 05 của Bộ Chính trị")."""
    out = []
    seen: set[tuple[str, str]] = set()
    for m in BARE_RE.finditer(text):
        if taken.covers(m.start()):
            continue
        doc_type = _doc_type(re.sub(r"\s+số$", "", m.group("type")), "")
        issuer = m.group("issuer")
        nums = list(_ONE_NUM.finditer(m.group(0), m.start("nums") - m.start()))
        for i, n in enumerate(nums):
            number = n.group(0)
            if (doc_type, number) in seen:
                continue
            seen.add((doc_type, number))
            # the first number is quoted with its kind, the last with the shared issuer
            s = m.start() if i == 0 else m.start() + n.start()
            e = m.end() if i == len(nums) - 1 else m.start() + n.end()
            out.append(Document(
                article_id="", seq=0, doc_type=doc_type, number=number, issued_on=None,
                issuer=issuer.strip() if issuer else None, quote=text[s:e], char_start=s, char_end=e,
            ))
    return out


def _plenum(text: str, taken: "_Spans") -> list[Document]:
    """Party resolutions named by their plenum or congress, without a number."""
    out = []
    seen: set[str] = set()
    for m in PLENUM_RE.finditer(text):
        if taken.covers(m.start()):
            continue
        key = " ".join(m.group(0).casefold().split())
        if key in seen:
            continue
        seen.add(key)
        issuer = ("Trung ương" if m.group("issuer") else m.group("body") or m.group("of") or m.group("of2")
                  or None)
        out.append(Document(
            article_id="", seq=0, doc_type="Nghị quyết", number=None, issued_on=None, issuer=issuer,
            quote=m.group(0), char_start=m.start(), char_end=m.end(),
        ))
    return out


def _laws(text: str, taken: "_Spans") -> list[Document]:
    """Laws cited by title ("Luật Thi đua, khen thưởng"): one document per title."""
    out = []
    seen: set[str] = set()
    for m in LAW_RE.finditer(text):
        if taken.covers(m.start()):
            continue
        title = m.group("title").rstrip(" ,-")
        first = title.split()[0]
        if len(first) >= 2 and first.isupper():
            title = first  # "Luật TĐKT thể hiện …": an acronym is the whole title
        if not title[0].isupper() or any(not w.islower() for w in title.replace(",", " ").split()[1:]):
            continue  # "Luật đã ...", or a run of names rather than a title
        key = " ".join(title.casefold().replace(",", " ").split()[:3])
        if key in seen:
            continue
        seen.add(key)
        end = m.start("title") + len(title)
        out.append(Document(
            article_id="", seq=0, doc_type="Luật", number=None, issued_on=None, issuer=None,
            quote=text[m.start():end], char_start=m.start(), char_end=end,
        ))
    return out


def extract_documents(text: str) -> list[Document]:
    """Documents referenced in a cleaned article text.

    >>> d = extract_documents("triển khai Kế hoạch số 160/KH-UBND ngày 21/4/2023 của UBND quận về tuyên truyền")[0]
    >>> (d.doc_type, d.number, d.issued_on, d.issuer)
    ('Kế hoạch', '160/KH-UBND', datetime.date(2023, 4, 21), 'UBND quận')
    """
    docs = _numbered(text)
    for finder in (_bare, _plenum, _titled, _laws, _issued, _cited_by_title):
        docs += finder(text, _Spans(docs))
    return _one_per_document(text, docs)


class _Spans:
    """Character spans of the documents found so far; `covers` answers in O(log n)."""

    def __init__(self, docs: list[Document]) -> None:
        spans = sorted((d.char_start, d.char_end) for d in docs)
        self._starts = [a for a, _ in spans]
        self._reach = list(itertools.accumulate((b for _, b in spans), max))

    def covers(self, pos: int) -> bool:
        """`pos` lies inside a span already taken."""
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and self._reach[i] > pos


def _title_words(doc: Document) -> list[str]:
    """The words of an unnumbered document's title as printed (kind, year and issuer left out)."""
    title = _TITLE_TAIL_RE.split(doc.quote, maxsplit=1)[0]
    return _WORDS_RE.findall(title)[len(doc.doc_type.split()):]


def _same_title(a: list[str], b: list[str]) -> bool:
    """Two titles that start alike ("Luật Ngân sách nhà nước" / "Luật Ngân sách", "Kết luận Thanh tra" /
    "Kết luận thanh tra và …"): the shorter is all of the longer's start, up to five words."""
    if _ordinals(a) and _ordinals(b) and _ordinals(a) != _ordinals(b):
        return False  # Đại hội … lần thứ XII / lần thứ XIX: two congresses
    n = min(len(a), len(b), _SAME_TITLE_WORDS)
    return n > 0 and a[:n] == b[:n] or a == b


def _ordinals(words: list[str]) -> frozenset[str]:
    """Numbers and Roman numerals of a title: what tells one plenum, congress or term from another."""
    return frozenset(w for w in words if w.isdigit() or re.fullmatch(r"[ivxl]+", w))


_MERGE_LOOKBACK = 20
# Titles agreeing on their first words (all of the shorter one, up to five) name one document:
# "Chương trình mục tiêu quốc gia giai đoạn …" and "… về xây dựng NTM" differ at the fifth.
_SAME_TITLE_WORDS = 5
_COORDINATED_RE = re.compile(r"\s*(?:,|;|và|hoặc|cùng)\s*$")


_LEADING_NUMBER_RE = re.compile(r"\d+")


def _keep_numbered(d: Document, unique: list[Document], by_number: dict[tuple[str, str], int]) -> None:
    """Keep a numbered document, or merge it with the same one cited by its bare number.

    "Quyết định số 1143/QĐ-UBND" and "Quyết định 1143" are one document (the full number wins);
    two full numbers sharing their digits ("16/QĐ-UBND", "16/2008/QĐ-BGDĐT") stay two.
    """
    lead = _LEADING_NUMBER_RE.match(d.number)
    key = (d.doc_type, lead.group() if lead else d.number)
    bare = d.number.isdigit()
    # "40-CT/TW" and "40 – CT/TW" are one number printed two ways
    spelled = (d.doc_type, "#" + re.sub(r"\s+", "", d.number).replace("–", "-").replace("—", "-"))
    if spelled in by_number:
        kept = by_number[spelled]
        if len(d.quote) > len(unique[kept].quote):
            unique[kept] = d  # the fullest mention ("… số 40-CT/TW ngày 22/11/2014 về …")
        return
    by_number[spelled] = len(unique)
    kept = by_number.get(key)
    if kept is not None and (bare or unique[kept].number.isdigit()):
        if unique[kept].number.isdigit() and not bare:
            unique[kept] = d  # the full number replaces the bare one cited first
        by_number[spelled] = kept
        return
    by_number.setdefault(key, len(unique))
    unique.append(d)


def _one_per_document(text: str, docs: list[Document]) -> list[Document]:
    """Each distinct document once, with the quote of its fullest mention.

    Unnumbered mentions of one kind are one document when their titles start alike
    ("Luật Ngân sách nhà nước" … "Luật Ngân sách"; the year of "Luật Đất đai năm
    2013" is no part of the title) or one is the other's initials ("Luật Thi đua,
    khen thưởng" … "Luật TĐKT"), unless they are listed together.
    """
    unique: list[Document] = []
    by_head: dict[tuple[str, str], list[int]] = {}  # (kind, first title word) -> kept rows
    by_acronym: dict[tuple[str, str], int] = {}  # (kind, acronym) -> kept row
    by_title_initials: dict[tuple[str, str], int] = {}  # (kind, initials of a full title) -> kept row
    by_number: dict[tuple[str, str], int] = {}  # (kind, leading number) -> kept row
    for d in sorted(docs, key=lambda d: d.char_start):
        if d.number is not None:
            _keep_numbered(d, unique, by_number)
            continue
        printed = _title_words(d)
        words = [w.casefold() for w in printed]
        head = (d.doc_type, words[0] if words else "")
        # the last few titles of the same head are enough (keeps the pass linear)
        hit = next((i for i in by_head.get(head, [])[-_MERGE_LOOKBACK:]
                    if _same_title(words, [w.casefold() for w in _title_words(unique[i])])
                    # "Luật Quy hoạch và Luật Quy hoạch đô thị": two laws listed together
                    and not _COORDINATED_RE.match(text[unique[i].char_end:d.char_start])), None)
        acronym = len(printed) == 1 and len(printed[0]) >= 2 and printed[0].isupper()
        initials = (d.doc_type, words[0] if acronym else "".join(w[0] for w in words))
        if hit is None and (acronym or len(words) >= 2):
            # "Luật TĐKT" and "Luật Thi đua, khen thưởng"; two full titles never merge by
            # their initials ("Luật Đầu tư", "Luật Đấu thầu")
            hit = (by_title_initials if acronym else by_acronym).get(initials)
        if hit is not None:
            if len(d.quote) > len(unique[hit].quote):
                unique[hit] = d
            continue
        by_head.setdefault(head, []).append(len(unique))
        if acronym:
            by_acronym.setdefault(initials, len(unique))
        elif len(words) >= 2:
            by_title_initials.setdefault(initials, len(unique))
        unique.append(d)
    unique.sort(key=lambda d: d.char_start)
    return unique


__all__ = ["DOC_TYPES", "extract_documents", "parse_date"]
