"""Named campaigns, slogans and titles, i.e. the quoted names in thi đua news.

A quoted phrase is kept when a trigger word introduces it (within a few words,
in the same clause) or when it reads like a proper name; the trigger gives the
kind: phong trào / cuộc vận động / cuộc thi / mô hình / chuyên đề (movement),
phương châm / chủ đề / tinh thần / lời dạy / khẩu hiệu / mục tiêu (slogan),
danh hiệu, Kỷ niệm chương, giải thưởng, Cờ (title). Direct speech (“...” after
"cho biết:" or "cho rằng"), quoted clauses and scare quotes (“trẻ nhất”) are not
names. Rule families (the `rule` of each row, specs in tests/specs/movements.yaml):

* ``triggered``: a double-quoted name right after its trigger, or in a list after it;
* ``quoted``: an untriggered capitalised name (or a longer lower-case one) in campaign news;
* ``motto``: three or more short parallel phrases sharing a word (“đi từng ngõ, gõ từng nhà, …”);
* ``unclosed_quote`` / ``single_quote``: “Ngày hội sáng tạo, lãnh đạo tương lai với … (ended at
  the first clause word) and ‘…’, trusted only right after a trigger.

Each name is listed once per article; printed variants that differ after
normalisation are separate names.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from etl.schema import Movement

log = logging.getLogger(__name__)

# Quoted spans: curly, ASCII (paired on one line) and guillemets.
QUOTE_RE = re.compile(r"“(?P<a>[^“”\n]{1,300})”|\"(?P<b>[^\"\n]{1,300})\"|«(?P<c>[^«»\n]{1,300})»")
# Single quotes (‘…’, '…') mostly mark scare quotes and headlines; a name in them is
# only trusted right after a trigger word: phong trào ‘Ngày thứ Bảy tình nguyện’.
SINGLE_QUOTE_RE = re.compile(r"‘(?P<s>[^‘’\n]{2,220})’|(?<![\w'])'(?P<t>[^'\n]{2,220})'(?![\w'])")

_TRIGGERS: list[tuple[str, str]] = [
    (r"phong\s+trào", "movement"), (r"cuộc\s+vận\s+động", "movement"), (r"vận\s+động(?!\s+viên)", "movement"),
    (r"cuộc\s+thi", "movement"), (r"hội\s+thi", "movement"), (r"mô\s+hình", "movement"),
    (r"chuyên\s+đề", "movement"), (r"chiến\s+dịch", "movement"), (r"đợt\s+thi\s+đua", "movement"),
    (r"phương\s+châm", "slogan"), (r"chủ\s+đề", "slogan"), (r"tinh\s+thần", "slogan"),
    (r"lời\s+dạy", "slogan"), (r"Bác(?:\s+Hồ)?\s+(?:đã\s+)?(?:dạy|căn\s+dặn)", "slogan"), (r"khẩu\s+hiệu", "slogan"), (r"mục\s+tiêu(?:\s+kép)?", "slogan"),
    (r"thông\s+điệp", "slogan"), (r"phương\s+thức", "slogan"), (r"lời\s+kêu\s+gọi", "slogan"),
    (r"danh\s+hiệu(?:\s+thi\s+đua)?", "title"), (r"công\s+nhận", "title"),
    (r"(?:tấm\s+)?gương", "movement"),
    (r"công\s+trình\s+thanh\s+niên", "movement"), (r"đề\s+án", "movement"),
    # an implemented programme ("thực hiện Chương trình “…”"), not a show or a broadcast
    (r"(?:thực\s+hiện|triển\s+khai|phát\s+động|hưởng\s+ứng)\s+(?:các\s+)?chương\s+trình", "movement"),
    # named honours that are not award instruments: Kỷ niệm chương “Vì sự nghiệp …”, giải thưởng “…”
    (r"kỷ\s+niệm\s+chương|huy\s+hiệu|giải\s+thưởng|cờ", "title"),
]
_TRIGGER_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<t{i}>{p})" for i, (p, _) in enumerate(_TRIGGERS)) + r")(?!\w)",
    re.IGNORECASE,
)
# Honour nouns and titles name the quote right after them (a word or two between at most):
# "danh hiệu: 3): Arsenal là một trong những CLB “Gã du mục”" names no title.
_CLOSE_TRIGGERS = frozenset(i for i, (p, _) in enumerate(_TRIGGERS)
                            if p.startswith((r"kỷ\s+niệm\s+chương", r"danh\s+hiệu")))
_CLOSE_MAX_WORDS = 3
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
# Mottos without a trigger are trusted in texts about mobilising people at all
# ("tuyên truyền, vận động … “đi từng ngõ, gõ từng nhà, …”"), not in ads or politics.
_CIVIC_RE = re.compile(r"thi\s+đua|phong\s+trào|vận\s+động|tuyên\s+truyền|khen\s+thưởng", re.IGNORECASE)
_SPEECH_BEFORE_RE = re.compile(r"[:,]\s*$")
# Words of a clause (pronouns, aspect and modal words, negation): a lower-case quote
# holding one is something said, not a campaign name.
_CLAUSE_WORD_RE = re.compile(
    r"(?<!\w)(?:ai|gì|nào|cũng|đã|sẽ|đang|thì|mà|nhưng|không|chưa|chẳng|được|bị|phải|hãy|đừng|rồi|lắm|quá"
    r"|là|đây|đấy|sao|để|rất|hết\s+sức|chắc\s+chắn)(?!\w)",
    re.IGNORECASE,
)
# A copula or a verb of intent before an untriggered quote makes it a predicate.
_PREDICATE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:là|như|giống\s+như|lý\s+do|quyết\s+tâm|trăn\s+trở|nhắm\s+vào|trước|ghi)\s*$", re.IGNORECASE
)
# "tinh thần, kinh nghiệm “…”": a comma and a lower-case noun between trigger and quote
_LISTED_NOUN_RE = re.compile(r"^\s*,\s*[a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+)?\s*$")
# A speech verb right before an untriggered quote introduces what was said:
# "Chủ tịch … cho rằng “anh nào giỏi chạy thủ tục thì …”".
_SPEECH_VERB_RE = re.compile(
    r"(?:cho\s+rằng|cho\s+biết|cho\s+hay|nói|khẳng\s+định|nhấn\s+mạnh|chia\s+sẻ|phát\s+biểu|bày\s+tỏ|"
    r"tâm\s+sự|thừa\s+nhận|nhận\s+định|nhận\s+xét|trả\s+lời|hỏi|kể|thốt\s+lên|bức\s+xúc|nêu\s+rõ)"
    r"\s*(?:rằng|là)?\s*[:,]?\s*$",
    re.IGNORECASE,
)
# Triggered names may be long chủ đề ("Minh bạch – Chuyên nghiệp – …; Chung sức, …"),
# untriggered ones are short.
_MAX_WORDS_TRIGGERED = 40
_MAX_WORDS_UNTRIGGERED = 25
_NUMBERED_MAX_WORDS = 6
_MAX_WORDS_NAMED = 60  # a quote right after its trigger word
_MAX_NAME_CHARS = 300  # the movements suite refuses longer names (error severity)
# A motto is a list of three or more short parallel phrases sharing a word:
# “đi từng ngõ, gõ từng nhà, rà từng đối tượng”, “Chương trình tốt, thầy dạy tốt, …”.
_MOTTO_SPLIT_RE = re.compile(r"\s*[,;]\s*|\s+[-–—]\s+")
_MOTTO_MIN_PARTS = 3
_MOTTO_MAX_PART_WORDS = 5
# An opening quote never closed on its line ends its name at the first clause
# break: “Ngày hội sáng tạo, lãnh đạo tương lai với những chùm hoạt động …
_UNCLOSED_END_RE = re.compile(
    r"[.;:!?()\n“”\"]|\s+(?:với|để|nhằm|của|do|tại|trong|cho|được|đã|đang|sẽ|nhưng|mà|thì|là)(?!\w)"
)
_UNCLOSED_MAX_WORDS = 12
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


_QUOTE_CHAR_RE = re.compile(r"[“”\"«»‘’]")
_NO_TRIGGER = "none"
_LISTED_NOUN = "listed"  # the trigger is one noun of a list the quote qualifies


def _trigger_kind(text: str, start: int) -> tuple[str, int]:
    """Kind given by the nearest trigger before a quote starting at `start`.

    Returns a kind, `_NO_TRIGGER`, or `_LISTED_NOUN` when the trigger is followed
    by a comma and another noun ("tinh thần, kinh nghiệm “làm Khuyến học”"):
    then the quote qualifies that other noun and is no name; with it, the number
    of words between the trigger and the quote.
    """
    lo = max(0, start - _TRIGGER_WINDOW)
    window = text[lo:start]
    cut = max(window.rfind("."), window.rfind(";"), window.rfind("\n"), window.rfind("!"), window.rfind("?"))
    if cut >= 0:
        lo, window = lo + cut + 1, window[cut + 1:]
    best = None
    for m in _TRIGGER_RE.finditer(window):
        best = m
    if best is None:
        return _NO_TRIGGER, 0
    tail = window[best.end():]
    gap = len(tail.split())
    if gap > _TRIGGER_MAX_WORDS or _QUOTE_CHAR_RE.search(tail):
        # a trigger introduces the first quote after it; later ones share its kind only as a list
        return _NO_TRIGGER, gap
    i = int(next(k for k, v in best.groupdict().items() if v)[1:])
    if i in _CLOSE_TRIGGERS and gap > _CLOSE_MAX_WORDS:
        return _NO_TRIGGER, gap  # "giải thưởng với vai diễn trong “Minari”": the film is no honour
    if _TRIGGERS[i][0].endswith("gương") and tail.strip():
        return _NO_TRIGGER, gap  # "tấm gương tâm huyết, “...”": the example is described, not named
    if _LISTED_NOUN_RE.match(tail):
        return _LISTED_NOUN, gap
    return _TRIGGERS[i][1], gap


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
    # “5 không, 3 sạch”, “4 tại chỗ”: a short name may open with its number
    numbered = bool(re.match(r"\d{1,2}\s+[^\W\d_]", name)) and len(words) <= _NUMBERED_MAX_WORDS
    if not (name[0].isalpha() or numbered):
        return False
    if _CLAUSE_WORD_RE.search(name):
        return False  # "ai cũng hoàn thành nhiệm vụ", "Linh chắc chắn sẽ trở thành …": a quoted clause
    if _PREDICATE_BEFORE_RE.search(before):
        return False  # "… năm 2018 là “hoàn thành tốt nhiệm vụ”": a predicate in quotes
    # capitalised names ("Người tốt, việc tốt"), or longer lower-case phrases
    # ("mục tiêu kép"); two lower-case words are scare quotes ("trẻ nhất")
    return name[0].isupper() or numbered or len(words) >= 3


def _is_motto(name: str) -> bool:
    """Three or more short comma-separated phrases that repeat one word (a motto, not a sentence)."""
    parts = [p for p in _MOTTO_SPLIT_RE.split(name) if p]
    if len(parts) < _MOTTO_MIN_PARTS or any(len(p.split()) > _MOTTO_MAX_PART_WORDS for p in parts):
        return False
    if re.search(r"[.!?]", name) or _FIRST_PERSON_RE.search(name):
        return False
    shared = set.intersection(*(set(p.casefold().split()) for p in parts))
    return bool(shared)


def _unclosed_quotes(text: str, closed: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(quote start, name start, name end) of opening quotes no closing quote answers on their line."""
    out = []
    k = 0
    for m in re.finditer(r"“", text):
        while k < len(closed) and closed[k][1] <= m.start():
            k += 1
        if k < len(closed) and closed[k][0] <= m.start():
            continue  # inside (or opening) a closed quote
        line_end = text.find("\n", m.end(), m.end() + 400)
        chunk = text[m.end():line_end if line_end >= 0 else m.end() + 400]
        if "”" in chunk:
            continue  # closed later on the line by a quote QUOTE_RE could not pair
        stop = _UNCLOSED_END_RE.search(chunk)
        if not stop:
            continue  # no clear end
        name = chunk[:stop.start()].rstrip(" ,")
        if 2 <= len(name.split()) <= _UNCLOSED_MAX_WORDS:
            out.append((m.start(), m.end(), m.end() + len(name)))
    return out


def _candidates(text: str) -> list[tuple[int, int, int, int, str]]:
    """Quoted spans in text order: (quote start, quote end, name start, name end, rule)."""
    spans = []
    for m in QUOTE_RE.finditer(text):
        group = "a" if m.group("a") is not None else "b" if m.group("b") is not None else "c"
        spans.append((m.start(), m.end(), m.start(group), m.end(group), "quoted"))
    closed = [(a, b) for a, b, _, _, _ in spans]
    spans += [(q, e, q + 1, e, "unclosed_quote") for q, _, e in _unclosed_quotes(text, closed)]
    for m in SINGLE_QUOTE_RE.finditer(text):
        group = "s" if m.group("s") is not None else "t"
        spans.append((m.start(), m.end(), m.start(group), m.end(group), "single_quote"))
    spans.sort()
    return _drop_nested(spans)


def _drop_nested(spans: list[tuple[int, int, int, int, str]]) -> list[tuple[int, int, int, int, str]]:
    """Spans in text order without those inside an earlier one (a single quote inside a double one)."""
    out = []
    reach = -1
    for span in spans:
        if span[0] < reach:
            continue
        out.append(span)
        reach = span[1]
    return out


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
    civic_news = campaign_news or _CIVIC_RE.search(text) is not None
    strip = _NAME_STRIP.replace(".", "").replace("!", "").replace("?", "")
    for q_start, q_end, n_start, n_end, rule in _candidates(text):
        name = text[n_start:n_end].strip(strip).strip()
        if not name or not any(ch.isalpha() for ch in name):
            continue
        found, gap = _trigger_kind(text, q_start)
        kind = found if found not in (_NO_TRIGGER, _LISTED_NOUN) else None
        # lists share the kind of their first item: danh hiệu “A” và “B”
        if kind is None and prev_kind and _SEPARATOR_RE.match(text[prev_end:q_start]):
            kind = prev_kind
        if rule in ("unclosed_quote", "single_quote") and (
                found in (_NO_TRIGGER, _LISTED_NOUN) or gap > _CLOSE_MAX_WORDS):
            continue  # unclosed and single quotes are only trusted right after a trigger word
        motto = (kind == "slogan" or (kind is None and civic_news)) and _is_motto(name)
        if motto:
            kind, rule = "slogan", "motto"
        short_slogan = kind == "slogan" and len(name.split()) <= 12 and not re.search(r"[.!?]", name)
        # "các phong trào thi đua: “Dạy tốt, học tốt”": a trigger before the colon names the quote
        named = kind is not None and found not in (_NO_TRIGGER, _LISTED_NOUN) and not (
            re.search(r"[.!?]", name) or _FIRST_PERSON_RE.search(name)
            or _SPEECH_VERB_RE.search(text[max(0, q_start - 30):q_start]))
        if _looks_like_speech(name, text, q_start) and not (short_slogan or motto or named):
            prev_end, prev_kind = q_end, None
            continue
        if kind is None and (
            found == _LISTED_NOUN or _SPEECH_VERB_RE.search(text[max(0, q_start - 30):q_start])
            or not (campaign_news and _accept_untriggered(name, text, q_start))
        ):
            prev_end, prev_kind = q_end, None
            continue
        max_words = _MAX_WORDS_UNTRIGGERED if kind is None and not motto else _MAX_WORDS_TRIGGERED
        if found not in (_NO_TRIGGER, _LISTED_NOUN) and gap <= _CLOSE_MAX_WORDS:
            max_words = _MAX_WORDS_NAMED  # "với chủ đề “Các cấp Hội … nhiệm kỳ 2019-2024”"
        if len(name.split()) > max_words or len(name) > _MAX_NAME_CHARS or _AWARD_NAME_RE.match(name):
            continue
        if len(name.split()) == 1 and not name[0].isupper():
            continue  # “hổ” và “ruồi”: a quoted word, not a name
        if len(name.split()) == 2 and not name[0].isupper() and gap > 0 and not motto:
            continue  # "mục tiêu hoàn toàn “chính đáng”": the quote qualifies a word after the trigger
        if name.endswith(".") and not name.endswith("..") and not motto:
            continue  # "… là “phạm tội ác chiến tranh.”": a quoted sentence
        rule = rule if found in (_NO_TRIGGER, _LISTED_NOUN) or rule != "quoted" else "triggered"
        kind = kind or "movement"
        prev_end, prev_kind = q_end, kind
        key = normalise_name(name)
        if key in seen:
            continue
        seen.add(key)
        out.append(Movement(
            article_id="", seq=0, name=name, kind=kind, quote=text[q_start:q_end],
            char_start=q_start, char_end=q_end, rule=f"movements.{rule}",
        ))
    return out


__all__ = ["extract_movements", "normalise_name"]
