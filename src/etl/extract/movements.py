"""Named campaigns, slogans and titles, i.e. the quoted names in thi đua news.

A quoted phrase is kept when a trigger word introduces it (within a few words,
in the same clause) or when it reads like a proper name; the trigger gives the
kind: phong trào / cuộc vận động / cuộc thi / mô hình / chuyên đề (movement),
phương châm / chủ đề / tinh thần / lời dạy / khẩu hiệu / mục tiêu (slogan),
danh hiệu (title). Direct speech (“...” after "cho biết:") and scare quotes
(“trẻ nhất”) are not names. Each name is listed once per article.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from etl.schema import Movement

log = logging.getLogger(__name__)

# Quoted spans: curly, ASCII (paired on one line) and guillemets.
QUOTE_RE = re.compile(r"“(?P<a>[^“”\n]{1,220})”|\"(?P<b>[^\"\n]{1,220})\"|«(?P<c>[^«»\n]{1,220})»")

_TRIGGERS: list[tuple[str, str]] = [
    (r"phong\s+trào", "movement"), (r"cuộc\s+vận\s+động", "movement"), (r"vận\s+động", "movement"),
    (r"cuộc\s+thi", "movement"), (r"hội\s+thi", "movement"), (r"mô\s+hình", "movement"),
    (r"chuyên\s+đề", "movement"), (r"chiến\s+dịch", "movement"), (r"đợt\s+thi\s+đua", "movement"),
    (r"phương\s+châm", "slogan"), (r"chủ\s+đề", "slogan"), (r"tinh\s+thần", "slogan"),
    (r"lời\s+dạy", "slogan"), (r"khẩu\s+hiệu", "slogan"), (r"mục\s+tiêu(?:\s+kép)?", "slogan"),
    (r"thông\s+điệp", "slogan"), (r"phương\s+thức", "slogan"), (r"lời\s+kêu\s+gọi", "slogan"),
    (r"danh\s+hiệu(?:\s+thi\s+đua)?", "title"), (r"công\s+nhận", "title"),
    (r"(?:tấm\s+)?gương", "movement"),
]
_TRIGGER_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<t{i}>{p})" for i, (p, _) in enumerate(_TRIGGERS)) + r")(?!\w)",
    re.IGNORECASE,
)
_TRIGGER_WINDOW = 90  # characters between a trigger and its quote
_TRIGGER_MAX_WORDS = 12
# Untriggered quotes preceded by these are names of other things (a paper, a
# song, a company, a nickname), not campaigns.
_OTHER_NAME_RE = re.compile(
    r"(?:báo|tạp\s+chí|công\s+ty|tập\s+đoàn|nhãn\s+hiệu|thương\s+hiệu|sách|cuốn|bài\s+hát|ca\s+khúc|"
    r"phim|bộ\s+phim|tác\s+phẩm|vở|nhóm|ban\s+nhạc|biệt\s+danh|tên|gọi\s+là|hashtag|trang|website|"
    r"fanpage|ứng\s+dụng|app|game|trò\s+chơi|tiểu\s+thuyết|album|MV|show|gameshow|bài\s+viết|bài\s+thơ|"
    r"câu|chữ|từ|cụm\s+từ|hiệu|quán|nhà\s+hàng|khách\s+sạn|dự\s+án|sản\s+phẩm|dòng)\s*$",
    re.IGNORECASE,
)
# A lower-case quote after a quantifier or "biểu hiện" describes (scare quotes,
# political terms): "những “anh hùng thầm lặng”", "biểu hiện “tự diễn biến”".
_DESCRIPTIVE_BEFORE_RE = re.compile(
    r"(?:những|các|một|biểu\s+hiện|hiện\s+tượng|tình\s+trạng|căn\s+bệnh|thói|kiểu|lối)\s*(?:[“\"][^“”\"\n]{1,40}[”\"]\s*(?:,|và)\s*)?$",
    re.IGNORECASE,
)
# Quoted legal terms and first-person sentences are not names.
_LEGAL_BEFORE_RE = re.compile(r"(?:hành\s+vi|tội|tội\s+danh|về\s+tội|khởi\s+tố)\s*$", re.IGNORECASE)
_FIRST_PERSON_RE = re.compile(r"\b(?:tôi|chúng\s+tôi|chúng\s+ta|mình|chúng\s+em|tớ|bạn)\b", re.IGNORECASE)
# Untriggered names are only trusted in campaign news, where quotes name
# campaigns; elsewhere they are songs, nicknames and scare quotes.
_GENRE_RE = re.compile(r"thi\s+đua|phong\s+trào|cuộc\s+vận\s+động|khen\s+thưởng", re.IGNORECASE)
_GENRE_MIN_HITS = 2
_SPEECH_BEFORE_RE = re.compile(r"[:,]\s*$")
_SEPARATOR_RE = re.compile(r"^\s*(?:,|;|và|hoặc|cùng|với)?\s*(?:các\s+|cả\s+)?$")
# Quoted award instruments ("Huân chương Lao động") are awards, not titles.
_AWARD_NAME_RE = re.compile(r"(?:Huân|Huy|Kỷ\s+niệm)\s+chương|Bằng\s+khen|Cờ\s+thi\s+đua|Giấy\s+khen", re.IGNORECASE)
_NAME_STRIP = " \t\"'“”‘’«»()[]-–—…,.;:!?"


def normalise_name(name: str) -> str:
    """The comparison key of a name: NFC, case-folded, spaces collapsed, outer punctuation stripped.

    >>> normalise_name(" “Người tốt,  việc tốt” ")
    'người tốt, việc tốt'
    """
    s = unicodedata.normalize("NFC", name).casefold()
    return " ".join(s.split()).strip(_NAME_STRIP)


def _trigger_kind(text: str, start: int) -> str | None:
    """Kind given by the nearest trigger before a quote starting at `start`."""
    lo = max(0, start - _TRIGGER_WINDOW)
    window = text[lo:start]
    cut = max(window.rfind("."), window.rfind(";"), window.rfind("\n"), window.rfind("!"), window.rfind("?"))
    if cut >= 0:
        lo, window = lo + cut + 1, window[cut + 1:]
    best = None
    for m in _TRIGGER_RE.finditer(window):
        best = m
    if best is None:
        return None
    if len(window[best.end():].split()) > _TRIGGER_MAX_WORDS:
        return None
    i = int(next(k for k, v in best.groupdict().items() if v)[1:])
    if _TRIGGERS[i][0].endswith("gương") and window[best.end():].strip():
        return None  # "tấm gương tâm huyết, “...”": the example is described, not named
    return _TRIGGERS[i][1]


def _looks_like_speech(name: str, text: str, start: int) -> bool:
    """Direct speech or a quoted sentence rather than a name."""
    words = name.split()
    if re.search(r"[.!?]\s+\S", name) or (name.rstrip().endswith((".", "!", "?", "…")) and len(words) > 6):
        return True
    before = text[max(0, start - 3):start]
    return bool(_SPEECH_BEFORE_RE.search(before) and ":" in before)


def _accept_untriggered(name: str, text: str, start: int) -> bool:
    """A quote without a trigger word is kept when it reads like a campaign name."""
    words = name.split()
    if not 2 <= len(words) <= 14:
        return False
    before = text[max(0, start - 25):start]
    if _OTHER_NAME_RE.search(before) or _LEGAL_BEFORE_RE.search(before) or _FIRST_PERSON_RE.search(name):
        return False
    if not name[0].isupper() and _DESCRIPTIVE_BEFORE_RE.search(text[max(0, start - 70):start]):
        return False
    if not name[0].isalpha():
        return False
    # capitalised names ("Người tốt, việc tốt"), or longer lower-case phrases
    # ("mục tiêu kép"); two lower-case words are scare quotes ("trẻ nhất")
    return name[0].isupper() or len(words) >= 3


def extract_movements(text: str) -> list[Movement]:
    """Distinct quoted campaign, slogan and title names of a cleaned text.

    >>> [(m.name, m.kind) for m in extract_movements(
    ...     'phong trào “Dân vận khéo” và danh hiệu “Chiến sĩ thi đua cơ sở”; “Dân vận khéo”.')]
    [('Dân vận khéo', 'movement'), ('Chiến sĩ thi đua cơ sở', 'title')]
    """
    out: list[Movement] = []
    seen: set[str] = set()
    prev_end, prev_kind = -1, None
    campaign_news = len(_GENRE_RE.findall(text)) >= _GENRE_MIN_HITS
    for m in QUOTE_RE.finditer(text):
        group = "a" if m.group("a") is not None else "b" if m.group("b") is not None else "c"
        raw = m.group(group)
        name = raw.strip(_NAME_STRIP.replace(".", "").replace("!", "").replace("?", "")).strip()
        if not name or not any(ch.isalpha() for ch in name):
            continue
        kind = _trigger_kind(text, m.start())
        # lists share the kind of their first item: danh hiệu “A” và “B”
        if kind is None and prev_kind and _SEPARATOR_RE.match(text[prev_end:m.start()]):
            kind = prev_kind
        short_slogan = kind == "slogan" and len(name.split()) <= 12 and not re.search(r"[.!?]", name)
        if _looks_like_speech(name, text, m.start()) and not short_slogan:
            prev_end, prev_kind = m.end(), None
            continue
        if kind is None and not (campaign_news and _accept_untriggered(name, text, m.start())):
            prev_end, prev_kind = m.end(), None
            continue
        if len(name.split()) > 25 or _AWARD_NAME_RE.match(name):
            continue
        if len(name.split()) == 1 and not name[0].isupper():
            continue  # “hổ” và “ruồi”: a quoted word, not a name
        kind = kind or "movement"
        prev_end, prev_kind = m.end(), kind
        key = normalise_name(name)
        if key in seen:
            continue
        seen.add(key)
        out.append(Movement(
            article_id="", seq=0, name=name, kind=kind, quote=text[m.start():m.end()],
            char_start=m.start(), char_end=m.end(),
        ))
    return out


__all__ = ["extract_movements", "normalise_name"]
