"""Referenced legal and administrative documents.

Numbered references: "Kế hoạch số 160/KH-UBND ngày 21/4/2023 của UBND quận",
"Quyết định 1722/QĐ-TTg", "Nghị quyết số 35-NQ/TW". Unnumbered ones are kept
only when a verb of implementation introduces a capitalised document title,
as in "triển khai Chương trình phục hồi và phát triển kinh tế - xã hội của
Chính phủ"; generic mentions ("Nghị quyết các cấp", "các kế hoạch") are not
documents.
"""

from __future__ import annotations

import datetime as dt
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
_NUMBER = r"\d{1,5}[a-z]?(?:/\d{4})?[/-](?:[A-ZĐ][\w&.]*)(?:[-/][\w&.]*[^\W_])*"
_DATE = r"(?:\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?(?:19|20)\d\d|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(?:19|20)\d\d)"
# "của UBND quận", "của Thủ tướng Chính phủ": up to the next clause break or a topic word.
_ISSUER = r"(?P<issuer>[^,;.:()\n]{2,80}?)(?=\s+(?:[Vv]ề|phê\s+duyệt|ban\s+hành|quy\s+định|hướng\s+dẫn|triển\s+khai|thực\s+hiện|với|nhằm|để|và\s+(?:[Kk]ế|[Qq]uyết|[Nn]ghị|[Cc]hỉ|[Cc]hương|[Tt]hông))\b|[,;.:()\n]|$)"

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
_NOT_TITLE = r"(?!\s+(?:số|sư\b|này|đó|trên|các|của|nghệ\s+thuật|văn\s+nghệ|giao\s+lưu|ca\s+nhạc|biểu\s+diễn|truyền\s+hình|\d))"
TITLED_RE = re.compile(
    rf"{_INTRO}{_ADVERBS}\s+(?P<type>{'|'.join(map(re.escape, _TITLED_TYPES))}){_NOT_TITLE}"
    rf"(?P<title>(?:\s+[\wÀ-ỹđĐ-]+|\s+-\s+|,\s+(?=chống\b)){{2,25}}?)"
    rf"(?=\s+(?:với|nhằm|để|bảo\s+đảm|đảm\s+bảo|trong\s+(?:năm|giai)|đến)\b|[,;.:()\n]|$)"
)
_OF_ISSUER_RE = re.compile(r"\s+của\s+([^,;.:()\n]{2,60})$")


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
    out = []
    seen: set[tuple[str, str]] = set()
    for m in NUMBERED_RE.finditer(text):
        issuer = m.group("issuer")
        doc_type = _doc_type(m.group("type"), m.group("qual"))
        number = m.group("number").rstrip(".")
        if (doc_type, number) in seen:
            continue  # a document cited twice is one document
        seen.add((doc_type, number))
        out.append(Document(
            article_id="", seq=0, doc_type=doc_type,
            number=number, issued_on=parse_date(m.group("date")),
            issuer=issuer.strip() if issuer else None, quote=m.group(0),
            char_start=m.start(), char_end=m.end(),
        ))
    return out


def _titled(text: str, taken: list[tuple[int, int]]) -> list[Document]:
    """Documents cited by a capitalised title after an implementation verb."""
    out = []
    seen: set[tuple[str, str]] = set()
    for m in TITLED_RE.finditer(text):
        s = m.start("type")
        if any(a <= s < b for a, b in taken):
            continue
        end = m.end("title")
        quote = text[s:end]
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


def extract_documents(text: str) -> list[Document]:
    """Documents referenced in a cleaned article text.

    >>> d = extract_documents("triển khai Kế hoạch số 160/KH-UBND ngày 21/4/2023 của UBND quận về tuyên truyền")[0]
    >>> (d.doc_type, d.number, d.issued_on, d.issuer)
    ('Kế hoạch', '160/KH-UBND', datetime.date(2023, 4, 21), 'UBND quận')
    """
    numbered = _numbered(text)
    taken = [(d.char_start, d.char_end) for d in numbered]
    docs = numbered + _titled(text, taken)
    docs.sort(key=lambda d: d.char_start)
    return docs


__all__ = ["DOC_TYPES", "extract_documents", "parse_date"]
