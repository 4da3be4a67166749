"""Named officials with their position and organization.

Three printed shapes are recognised:

* position before the name: "Phó Bí thư Thường trực Quận ủy quận 1 Hoàng Thị Tố Nga",
  "Chủ tịch UBND quận Hai Bà Trưng Nguyễn Quang Trung";
* name, dash, position: "ông Lưu Ngọc Hà – Chủ tịch Ủy ban nhân dân quận Bắc Từ Liêm",
  "Thiếu tướng Đặng Hoàng Đa - Phó Cục trưởng Cục ...";
* honorific, name, comma, position: "ông Nguyễn Văn A, Bí thư Huyện ủy", and the
  variants "ông X (Phó bí thư, nguyên Chủ tịch UBND huyện)", "ông X là Chủ tịch UBND",
  "ông Phạm Đại Dương Bí thư Tỉnh ủy Phú Yên";
* position, comma, honorific, name: "Phó Trưởng phòng GD-ĐT quận Hai Bà Trưng, bà Trần Thị Thu Hà".

Several offices joined by commas are one position ("Uỷ viên Bộ Chính trị, Bí thư
Thành uỷ Hà Nội"); ranks and academic titles (Đại tá, TS., PGS.TS) are left out.
A Vietnamese personal name is 2–4 capitalised syllables starting with a
surname (shipped in ``etl/data/surnames.csv``). When a place name runs into
the person's name ("quận Hai Bà Trưng Nguyễn Quang Trung") the name is the
tail that starts with a surname; a person without a printed position is not
an official. Each name is listed once per article, with its fullest printed
position (specs in tests/specs/officials.yaml).
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import logging
import re
import unicodedata

from etl.schema import Official

log = logging.getLogger(__name__)

_SP = r"[ \t\u00a0]+"


def _cap(word: str) -> str:
    """A regex for `word` with either case on the first letter of each syllable ("Bộ Trưởng" too)."""
    return _SP.join(f"[{p[0].upper()}{p[0].lower()}]{re.escape(p[1:])}" for p in word.split(" "))


# Heads of position phrases. "Phó", "Nguyên", "Quyền" may precede any of them.
_TITLE_HEADS = [
    "Tổng Bí thư", "Bí thư", "Chủ tịch nước", "Chủ tịch", "Tổng Giám đốc", "Giám đốc", "Trưởng ban",
    "Trưởng phòng", "Trưởng Công an", "Trưởng đoàn", "Trưởng khoa", "Trưởng thôn", "Trưởng ấp",
    "Chủ nhiệm", "Ủy viên", "Uỷ viên", "Bộ trưởng", "Thứ trưởng", "Thủ tướng", "Tổng cục trưởng",
    "Cục trưởng", "Vụ trưởng", "Viện trưởng", "Hiệu trưởng", "Chánh văn phòng", "Chánh án",
    "Chánh thanh tra", "Tổng thanh tra", "Tư lệnh", "Chính ủy", "Chính uỷ", "Chỉ huy trưởng", "Đại sứ",
    "Đại biểu Quốc hội", "Tổng biên tập", "Thường trực", "Trợ lý", "Thị trưởng", "Tổng thư ký",
    "Chủ tọa", "Trưởng Ban", "Trưởng Phòng", "Thủ trưởng",
    # heads of units below a department: "Thiếu tá Nguyễn Văn Lanh, Đội trưởng"
    "Đội trưởng", "Đội phó", "Tổ trưởng", "Tổ phó", "Trạm trưởng", "Hiệu phó", "Chỉ huy phó",
    "Chính trị viên", "Thống đốc", "Tổng Kiểm toán",
    # members of a Party committee: "Nguyễn Văn A, Tỉnh ủy viên, Bí thư Huyện ủy"
    "Đảng ủy viên", "Đảng uỷ viên", "Tỉnh ủy viên", "Tỉnh uỷ viên", "Thành ủy viên", "Thành uỷ viên",
    "Huyện ủy viên", "Huyện uỷ viên", "Quận ủy viên", "Quận uỷ viên",
]
TITLE_RE = re.compile(
    r"(?<![^\W\d_])(?:(?:" + "|".join(_cap(w) for w in ("Phó", "Nguyên", "Quyền")) + r")" + _SP + r")*"
    r"(?:" + "|".join(_cap(t) for t in sorted(_TITLE_HEADS, key=len, reverse=True)) + r"|Trưởng)(?![^\W\d_])"
    r"(?!" + _SP + r"quán)"  # "Đại sứ quán" is an embassy
)
# Ranks and honorifics printed before a name but not part of the position.
_HONORIFIC_RE = re.compile(
    # a whole word: the "ông" of "Hàng không" or "công" is no honorific
    r"(?<![^\W\d_])(?:(?:ông|bà|đồng" + _SP + r"chí|Ông|Bà|Đồng" + _SP + r"chí|[Đđ]/c|anh|chị|Anh|Chị|[Cc]ô" + _SP + r"giáo|[Tt]hầy" + _SP + r"giáo|[Nn]hà" + _SP + r"giáo)"
    r"|(?:[Đđ]ại|[Tt]hượng|[Tt]rung|[Tt]hiếu)" + _SP + r"(?:tướng|tá|úy|uý)"
    r"|(?:GS|PGS|TS|ThS|BS|KTS|NGƯT|NGND|NSND|NSƯT)\.?(?:\s*,?\s*(?:TS|BS|ThS)\.?)*)\s+$"
)
# "ông Nguyễn Văn Tùng là Chủ tịch UBND", "bầu ông X giữ chức Chủ tịch …": after an honorific
# ("làm Bí thư" is left out: an appointment headline would outrank the office the body prints)
_PREDICATE_SEPARATOR_RE = re.compile(r"[ \u00a0]+(?:là|giữ" + _SP + r"chức(?:" + _SP + r"vụ)?)[ \u00a0]+")
# "ông Phan Thành Đông (Phó bí thư, nguyên Chủ tịch UBND huyện)": brackets separate too
_SEPARATOR_RE = re.compile(r"\s*(?:[-–—]|,|\()\s*")
# Words that end a position phrase: what the official does next.
_STOP_VERBS_RE = re.compile(
    r"\s+(?:cho\s+biết|cho\s+rằng|cho\s+hay|phát\s+biểu|nhấn\s+mạnh|khẳng\s+định|yêu\s+cầu|đề\s+nghị|"
    r"chia\s+sẻ|(?<!Tiếng\s)nói|trao|tặng|chúc\s+mừng|ghi\s+nhận|đánh\s+giá|nhận\s+định|chủ\s+trì|tham\s+dự|dự|"
    r"đã|đang|sẽ|vừa|cũng|thông\s+tin|báo\s+cáo|kiểm\s+tra(?!\s+[A-ZĐ])|thăm|làm\s+việc|trả\s+lời|giới\s+thiệu|(?<![Tt]hư\s)(?<!đăng\s)ký|"
    r"phát\s+động|kêu\s+gọi|lưu\s+ý|bày\s+tỏ|biểu\s+dương|gợi\s+mở|đồng\s+thời|cùng|và\s+(?:các|ông|bà)|"
    r"được|là|tại|trong|khi|về|với|nêu|chỉ\s+đạo|quán\s+triệt|đọc|công\s+bố|tiếp|gửi|động\s+viên|"
    r"vẫn|chính\s+thức|thừa|thay\s+mặt|ủy\s+quyền|(?<!đua\s)(?<![-–]\s)khen|nhắc|"
    r"xác\s+nhận|xác\s+định|nhận\s+xét|trò\s+chuyện|phấn\s+khởi|kiểm\s+điểm|trăn\s+trở|tâm\s+sự|"
    r"giải\s+thích|phân\s+tích|trình\s+bày|tổng\s+kết|đề\s+xuất|kiến\s+nghị|cảm\s+ơn|tri\s+ân|chỉ\s+rõ|"
    r"hoặc|rời|rất|từ\s+(?:tháng|năm|ngày)|xác\s+minh|đại\s+diện|để|đến\s+từ|thì|bị|than\s+thở|cam\s+kết|cảnh\s+báo|từ\s+trần|đảm\s+nhiệm|"
    r"nghiêm\s+túc|và\s+(?:đại\s+diện|lãnh\s+đạo|những)|làm(?!\s+việc)|"
    # "Trưởng phòng và Thiếu tá Nguyễn Văn Lanh": a second person starts
    r"và\s+(?:[Đđ]ại|[Tt]hượng|[Tt]rung|[Tt]hiếu)\s+(?:tướng|tá|úy|uý)|mong|hy\s+vọng|hi\s+vọng|lo|khai\s+mạc|tuyên\s+bố)\b"
)
# The dot of an abbreviation ("UBND TP. HCM", "Công an Q. 1") does not end a position.
_POSITION_END_RE = re.compile(
    r"[;\n()“”\"]|(?<!\bTP)(?<!\bTp)(?<!\bQ)(?<!\bP)(?<!\bH)(?<!\bT)\.(?:\s|$)|:|,"
    # "…, tỉnh Hòa Bình - bị đâm": a dash before a lower-case word other than a unit
    r"|\s[-–—]\s+(?=[a-zà-ỹđ])(?!(?:tỉnh|huyện|quận|thành\s+phố|thị\s+xã|xã|phường)\s)"
)
# After a comma a position goes on with another office ("Bí thư Huyện ủy, Chủ tịch UBND
# huyện"), a higher administrative unit (", tỉnh Quảng Nam") or a capitalised body
# (", Bộ Công an", "UB Văn hóa, Giáo dục, …"); a bare province or district (", Hà Tĩnh")
# or a lower-case word ends it.
_AFTER_COMMA_UNIT_RE = re.compile(r",\s*(?:tỉnh|thành\s+phố|TP\.?|huyện|quận|thị\s+xã|phường|xã)\s+[A-ZĐ0-9]")
# Bodies whose name is a capitalised word and a lower-case one: ", Công an huyện Hương Sơn".
_BODY_RE = re.compile(
    r"(?:Công" + _SP + r"an|Ủy" + _SP + r"ban|Uỷ" + _SP + r"ban|Mặt" + _SP + r"trận|Văn" + _SP + r"phòng|"
    r"Trung" + _SP + r"tâm|Tổng" + _SP + r"cục|Chi" + _SP + r"cục|Học" + _SP + r"viện|Đại" + _SP + r"học|"
    r"Bệnh" + _SP + r"viện|Liên" + _SP + r"đoàn|Công" + _SP + r"ty|Tổng" + _SP + r"công" + _SP + r"ty|"
    r"Tập" + _SP + r"đoàn|Ngân" + _SP + r"hàng|Công" + _SP + r"đoàn)(?![^\W\d_])"
)
_AFTER_COMMA_WORDS_RE = re.compile(r",\s*(?P<run>[^\W\d_][^\W_]*(?:[ \u00a0-][^\W\d_][^\W_]*){0,5})")
# Words after which a capitalised run names a place or an institution
# ("quận Hoàng Mai", "Trường ĐH Nguyễn Tất Thành", "BV Bạch Mai").
_ADMIN_BEFORE_RE = re.compile(
    r"(?:quận|huyện|tỉnh|phường|xã|thành\s+phố|thị\s+xã|thị\s+trấn|TP\.?|Tp\.?|Q\.|P\.|H\.|đường|phố|"
    r"sông|cầu|chùa|đền|làng|thôn|ấp|bản|xóm|khu|tổ|[Tt]rường|[Cc]ông\s+ty|ĐH|THPT|THCS|TH|CĐ|BV|"
    r"[Bb]ệnh\s+viện|tư\s+thục|[Hh]ọc\s+viện|[Đđ]ại\s+học|[Qq]uỹ|[Gg]iải|[Tt]ập\s+đoàn|[Nn]hà\s+máy|"
    r"[Tt]iểu\s+học|[Mm]ầm\s+non|[Mm]ẫu\s+giáo|[Tt]rung\s+học(?:\s+cơ\s+sở|\s+phổ\s+thông)?|[Ss]ân\s+bay|[Cc]ảng|[Cc]hợ|[Bb]ảo\s+tàng|[Tt]ượng\s+đài|chuyên|[Ll]ăng|[Nn]hà\s+văn\s+hóa|Đoàn\s+TNCS)" + _SP + "$"
)
_ABBREV_DOT_RE = re.compile(r"\b(?:TP|Tp|TS|ThS|GS|PGS|BS|Q|P)\.")
_MIDDLE_MARKERS = frozenset({"Thị", "Văn"})
# Sentence-opening connectives that glue onto a name when a full stop is missing.
_CONNECTIVE_RE = re.compile(
    r"(?:Tuy" + _SP + r"nhiên|Theo" + _SP + r"đó|Do" + _SP + r"đó|Vì" + _SP + r"vậy|Sau" + _SP + r"đó|Hiện" + _SP + r"nay|"
    r"Đồng" + _SP + r"thời|Ngoài" + _SP + r"ra|Bên" + _SP + r"cạnh|Trước" + _SP + r"đó|Tại" + _SP + r"đây|Trong" + _SP + r"khi)(?!\w)"
)
# Surnames the shared list (etl/data/surnames.csv, also read by the article rules) lacks.
_MORE_SURNAMES = frozenset({
    "Chử", "Châu", "Giang", "Ninh", "Đồng", "Trình", "Cầm", "Giàng", "Sùng", "Thào", "Vàng", "Lầu",
    "Ông", "Đường", "Lăng", "Vy", "Hoa", "Quan", "Yên", "Mạnh", "Khổng", "Lò", "Lường", "Đèo", "Ma",
})
# "Phó Chủ tịch HĐND TP Lê Văn Hoạt": after a bare unit word (its place left out) a
# name with a middle marker is the person, not a place.
_BARE_UNIT_BEFORE_RE = re.compile(r"(?:TP|Tp|tỉnh|huyện|quận|thị" + _SP + r"xã|xã|phường|thành" + _SP + r"phố)\.?" + _SP + "$")
_NOT_PERSONS = frozenset({
    "hồ chí minh", "tôn đức thắng", "châu á", "châu âu", "châu phi", "châu mỹ", "châu úc",
    "thái lan", "hàn quốc", "hà lan", "triều tiên",  # countries whose names start like surnames
})
# A team or group head names the team or group it leads ("Đội trưởng Đội CSGT", "Tổ trưởng
# tổ sản xuất") or nothing ("Thiếu tá …, Đội trưởng"); "đội trưởng Hải Huy" is a football captain.
_UNIT_HEAD_RE = re.compile(r"(?:[Pp]hó" + _SP + r")?(?:[Đđ]ội|[Tt]ổ)" + _SP + r"(?:trưởng|phó)(?P<rest>.*)", re.DOTALL)
_UNIT_REST_OK_RE = re.compile(r"\s*$|" + _SP + r"(?:[Đđ]ội|[Tt]ổ)\b")  # historic figures named in set phrases
_WORD_RE = re.compile(r"[^\W\d_]+")
_MAX_POSITION_WORDS = 22
_HEADLINE_MAX_WORDS = 25


@functools.lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Common Vietnamese surnames shipped with the package."""
    with importlib.resources.files("etl.data").joinpath("surnames.csv").open(encoding="utf-8") as fh:
        shipped = {row["surname"].strip() for row in csv.DictReader(fh) if row["surname"].strip()}
    return frozenset(shipped | _MORE_SURNAMES)


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Province and district names (case-folded) when the gazetteer files are present."""
    names: set[str] = set()
    for fname in ("provinces.csv", "districts.csv"):
        try:
            with importlib.resources.files("etl.data").joinpath(fname).open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    for n in [row.get("name") or ""] + (row.get("aliases") or "").split("|"):
                        if n.strip():
                            names.add(n.strip().casefold())
        except (FileNotFoundError, ModuleNotFoundError):
            log.debug("gazetteer %s not shipped; place check uses surnames only", fname)
    return frozenset(names)


def _is_syllable(word: str) -> bool:
    """A capitalised name syllable: "Nguyễn", not "UBND" or "hà"."""
    return word[0].isupper() and (len(word) == 1 or word[1:].islower()) and len(word) <= 7


def _runs(text: str) -> list[list[tuple[str, int, int]]]:
    """Maximal runs of capitalised syllables joined by single spaces."""
    runs: list[list[tuple[str, int, int]]] = []
    cur: list[tuple[str, int, int]] = []
    for m in _WORD_RE.finditer(text):
        w = m.group()
        # "ông Phạm Đại Dương Bí thư Tỉnh ủy": a title closes the run of the name
        title = _is_syllable(w) and cur and (t := TITLE_RE.match(text, m.start())) and t.end() > m.end()
        if _is_syllable(w) and cur and not title and re.fullmatch(r"[ \u00a0]", text[cur[-1][2]:m.start()]):
            cur.append((w, m.start(), m.end()))
            continue
        if cur:
            runs.append(cur)
        cur = [(w, m.start(), m.end())] if _is_syllable(w) else []
    if cur:
        runs.append(cur)
    return runs


def _pick_name(run: list[tuple[str, int, int]], whole_ok: bool) -> list[tuple[str, int, int]] | None:
    """The personal name at the end of a capitalised run, if one is there."""
    sur = surnames()
    words = [w for w, _, _ in run]
    n = len(words)
    if whole_ok and 2 <= n <= 4 and words[0] in sur:
        return run
    if n >= 4 and words[-4] in sur and words[-3] in _MIDDLE_MARKERS:
        return run[-4:]
    # a tail inside a longer run must leave a place name of 2+ syllables before it
    if n >= 3 and words[-3] in sur and (n == 3 or n - 3 >= 2 or whole_ok):
        return run[-3:]
    if n == 2 and words[0] in sur and whole_ok:
        return run
    if n >= 4 and words[-4] in sur and (n == 4 or n - 4 >= 2):
        return run[-4:]
    return None


def _valid_name(name: str) -> bool:
    """Not a historic figure or a place that looks like a name ("Hà Nội", "Hồ Chí Minh")."""
    key = name.casefold()
    if TITLE_RE.match(name[0] + name[1:].lower()):
        return False  # "Phó Bí Thư" printed in title case is an office, not a person
    return key not in _NOT_PERSONS and key not in place_names()


def _organization(position: str) -> str | None:
    """The organization part of a position phrase ("Chủ tịch UBND quận X" -> "UBND quận X")."""
    rest = position
    while True:
        m = TITLE_RE.match(rest)
        if not m:
            break
        rest = rest[m.end():].lstrip(" ,")
    return rest.strip(" ,-–") or None


_AND_NAME_RE = re.compile(r"\s+và" + _SP + r"(?P<sur>[A-ZĐ][^\W\d_]*)" + _SP + r"[A-ZĐ]")


def _comma_goes_on(chunk: str, comma: int) -> bool:
    """The position printed before `chunk[comma]` (a comma) continues after it."""
    after = comma + 1 + len(chunk[comma + 1:]) - len(chunk[comma + 1:].lstrip())
    if TITLE_RE.match(chunk, after) or _AFTER_COMMA_UNIT_RE.match(chunk, comma) or _BODY_RE.match(chunk, after):
        return True
    cap = _AFTER_COMMA_WORDS_RE.match(chunk, comma)
    tokens = cap.group("run").replace("-", " - ").split() if cap else []
    words = []
    for w in tokens:
        if not w[0].isupper() and w != "-":
            break
        words.append(w)
    # one capitalised word goes on only as a compound before more capitals or the end
    # (", Giáo dục Nguyễn Đắc Vinh"); ", Bộ xác định …" is the ministry as a subject
    compound = (len(words) == 1 and len(tokens) >= 2 and tokens[1][0].islower()
                and (len(tokens) == 2 or tokens[2][0].isupper()
                     or (tokens[2] == "và" and len(tokens) > 3 and tokens[3][0].isupper())))
    if not words or (len(words) < 2 and not compound):
        return False
    if " ".join(words).replace(" - ", "-").casefold() in place_names():
        return False
    if words[0] in ("Ông", "Bà", "Anh", "Chị", "Đồng") or (2 <= len(words) <= 4 and words[0] in surnames()):
        return False  # ", Bà Trịnh Thị Thủy, Chủ tịch …": the next person
    return True


def _position_end(chunk: str) -> int:
    """Length of the position phrase that opens `chunk` (before a clause break or a verb)."""
    end = len(chunk)
    m = _STOP_VERBS_RE.search(chunk)
    if m:
        end = m.start()
    for m in _AND_NAME_RE.finditer(chunk, 0, end):
        if m.group("sur") in surnames():
            end = m.start()  # "Trưởng ban chỉ huy Quân sự xã và Huỳnh Thanh Hà": the next person
            break
    for m in _POSITION_END_RE.finditer(chunk, 0, end):
        if m.group() == "," and _comma_goes_on(chunk, m.start()):
            continue
        return m.start()
    return end


def _position_after(text: str, pos: int, bare_ok: bool = False) -> tuple[int, int] | None:
    """Span of a position phrase printed after a name ("– Chủ tịch UBND quận X").

    With `bare_ok` (an honorific before the name) the title may follow after a
    plain space: "ông Phạm Đại Dương Bí thư Tỉnh ủy Phú Yên phát biểu".
    """
    sep = _SEPARATOR_RE.match(text, pos, pos + 4) or (
        bare_ok and (_PREDICATE_SEPARATOR_RE.match(text, pos) or re.compile(r"[ \u00a0]").match(text, pos)))
    if not sep:
        return None
    start = sep.end()
    if not TITLE_RE.match(text, start):
        return None
    chunk = text[start:start + 250]
    end = _position_end(chunk)
    words = chunk[:end].split()
    if len(words) > _MAX_POSITION_WORDS:
        end = len(" ".join(words[:_MAX_POSITION_WORDS]))
    seg = chunk[:end].rstrip(" ,-–")
    return (start, start + len(seg)) if seg else None


def _ends_with_person(segment: str) -> bool:
    """The segment ends with a personal name ("Chủ tịch UBND quận Nguyễn Văn A")."""
    runs = _runs(segment)
    if not runs or runs[-1][-1][2] != len(segment.rstrip()):
        return False
    picked = _pick_name(runs[-1], True)
    return bool(picked) and _valid_name(" ".join(w for w, _, _ in picked))


def _extend_over_offices(text: str, start: int, floor: int) -> int:
    """Move `start` back over offices listed before it: "Uỷ viên Bộ Chính trị, Bí thư Thành uỷ …"."""
    while True:
        j = start - 1
        while j > floor and text[j] in " \u00a0":
            j -= 1
        if j <= floor or text[j] != ",":
            return start
        seg_lo = max(text.rfind(c, floor, j) for c in ",;:.()\n“”\"") + 1
        seg_lo = max(seg_lo, floor)
        segment = text[seg_lo:j]
        lead = len(segment) - len(segment.lstrip())
        if not TITLE_RE.match(segment, lead) or _STOP_VERBS_RE.search(segment) or _ends_with_person(segment):
            return start
        start = seg_lo + lead


def _position_before(text: str, name_start: int) -> tuple[int, int] | None:
    """Span of a position phrase printed right before a name, in the same clause."""
    lo = max(0, name_start - 160)
    window = text[lo:name_start]
    # "UBND TP. Hà Nội Nguyễn Văn A": the dot of an abbreviation does not end the clause
    masked = _ABBREV_DOT_RE.sub(lambda m: m.group()[:-1] + " ", window)
    cut = max(masked.rfind(c) for c in ",;:.()\n“”\"")
    if cut >= 0 and masked[cut] == "," and not TITLE_RE.search(window, cut + 1):
        # "Chủ nhiệm Ủy ban Văn hóa, Giáo dục Nguyễn Đắc Vinh": a body name with a comma
        prev = max(masked.rfind(c, 0, cut) for c in ",;:.()\n“”\"")
        title = TITLE_RE.search(window, prev + 1, cut)
        if (title and _comma_goes_on(window[title.start():], cut - title.start())
                and not re.search(r"\d", window[title.start():]) and len(window[title.start():].split()) <= 12):
            cut = prev
    if cut >= 0:
        lo, window = lo + cut + 1, window[cut + 1:]
    # a list "Chủ tịch nước X và Thủ tướng Y": only the part after the last "và"
    conj = [m.end() for m in re.finditer(r"\s(?:và|cùng)\s", window)]
    if conj:
        lo, window = lo + conj[-1], window[conj[-1]:]
    titles = list(TITLE_RE.finditer(window))
    if not titles:
        return None
    # the last title, merged with titles printed right before it ("Phó Bí thư Thường trực")
    k = len(titles) - 1
    while k > 0 and not window[titles[k - 1].end():titles[k].start()].strip():
        k -= 1
    start = _extend_over_offices(text, lo + titles[k].start(), max(0, name_start - 160))
    if _STOP_VERBS_RE.search(text[start:name_start]):
        return None
    if len(text[start:name_start].split()) > _MAX_POSITION_WORDS:
        return None
    return start, name_start


def _unit_person(text: str, run: list[tuple[str, int, int]], before: str) -> bool:
    """A name printed right after a bare unit word that closes a position ("Chủ tịch UBND TP Nguyễn Thành Phong")."""
    unit = _BARE_UNIT_BEFORE_RE.search(before)
    if not unit:
        return False
    if run[1][0] in _MIDDLE_MARKERS:
        return True
    # a province or district of that name would be in the gazetteer; wards and communes
    # are often named after people ("phường Nguyễn Cư Trinh"), so there only Văn/Thị count
    name = " ".join(w for w, _, _ in run)
    return (not unit.group().lower().startswith(("xã", "phường")) and name.casefold() not in place_names()
            and _position_before(text, run[0][1]) is not None)


# Old and new tone-mark placement spell one word two ways ("hoá"/"hóa", "uỷ"/"ủy").
_OLD_TONES = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oé": "óe", "oè": "òe", "oẻ": "ỏe",
              "oẽ": "õe", "oẹ": "ọe", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_OLD_TONES_RE = re.compile("|".join(_OLD_TONES))


# "ông A là Chủ tịch UBND, ông B …", "thôi chức vụ Phó Bí thư, bà C …": the office is
# said of someone else, or is being left.
_OFFICE_OF_OTHER_RE = re.compile(r"(?<!\w)(?:là|làm|chức\s+vụ|chức|giữ|thôi|nghỉ|nhận|về|của|với)\s*$")


def _apposition_before(text: str, honorific_start: int) -> tuple[int, int] | None:
    """ "Phó Chủ tịch UBND xã, ông Bùi Xuân Tiến": the office printed before a comma and the honorific.

    Not when the office follows another person ("bà A, Phó Chủ tịch …, ông B – …": the office is
    A's) or holds digits or more than a clause.
    """
    comma = honorific_start - 1
    while comma > 0 and text[comma] in " \u00a0":
        comma -= 1
    if comma <= 0 or text[comma] != ",":
        return None
    span = _position_before(text, comma)
    if span is None or re.search(r"\d", text[span[0]:comma]):
        return None
    lead = text[max(0, span[0] - 40):span[0]]
    if _ends_with_person(lead.rstrip(" ,–-")) or _OFFICE_OF_OTHER_RE.search(lead):
        return None
    return span[0], comma


def _position_words(position: str) -> frozenset[str]:
    """Content words of a position, case-folded; "kiêm" joins offices like a comma."""
    folded = _OLD_TONES_RE.sub(lambda m: _OLD_TONES[m.group()], unicodedata.normalize("NFC", position.casefold()))
    return frozenset(w for w in _WORD_RE.findall(folded) if w != "kiêm")


def _fuller(new: str, old: str) -> bool:
    """A later mention says more: its words strictly contain the earlier ones'."""
    return _position_words(new) > _position_words(old)


def _headline_end(text: str) -> int:
    """End of the headline: a short first line without a final full stop (-1 when the text opens with its lead)."""
    first = text.split("\n", 1)[0]
    if "\n" not in text or len(first.split()) > _HEADLINE_MAX_WORDS or first.rstrip().endswith("."):
        return -1
    return len(first)


def extract_officials(text: str) -> list[Official]:
    """Distinct named officials of a cleaned text.

    >>> [(o.name, o.position, o.organization) for o in extract_officials(
    ...     "Chủ tịch UBND quận Hai Bà Trưng Nguyễn Quang Trung cho biết.")]
    [('Nguyễn Quang Trung', 'Chủ tịch UBND quận Hai Bà Trưng', 'UBND quận Hai Bà Trưng')]
    """
    out: list[Official] = []
    seen: dict[str, int] = {}
    title_end = _headline_end(text)
    for run in _runs(text):
        # a run may open with a capitalised honorific ("Ông Hoàng Trọng Quyết")
        while run and run[0][0] in ("Ông", "Bà", "Đồng", "Anh", "Chị", "Em"):
            run = run[1:]
        if len(run) >= 3 and _CONNECTIVE_RE.match(text, run[-1][1]):
            run = run[:-1]  # "Thống đốc Lê Minh Hưng Tuy nhiên …": a sentence opens with no full stop
        if len(run) < 2:
            continue
        r_start, r_end = run[0][1], run[-1][2]
        before = text[max(0, r_start - 30):r_start]
        honorific = _HONORIFIC_RE.search(before)
        pos_after = _position_after(text, r_end, bare_ok=bool(honorific))
        if pos_after and text[r_end:pos_after[0]].strip() == "," and not honorific:
            pos_after = None  # "Chủ tịch X, Chủ tịch Y": a list, the title is Y's
        whole_ok = bool(honorific or pos_after) and not _ADMIN_BEFORE_RE.search(before)
        if not whole_ok and not _ADMIN_BEFORE_RE.search(before):
            # a lower-case word or a digit ("quận 1") closes the place before; after an
            # acronym ("UBND") only names of 3+ syllables are trusted
            whole_ok = bool(re.search(r"(?:[a-zà-ỹđ]+|\d+)[ \u00a0]$", before)) or (
                len(run) >= 3 and bool(re.search(r"[A-ZĐ]{2,}[\w&.-]*[ \u00a0]$", before)))
        words = [w for w, _, _ in run]
        unit_person = len(run) in (3, 4) and words[0] in surnames() and _unit_person(text, run, before)
        picked = run if unit_person else _pick_name(run, whole_ok)
        if not picked or (picked[0] is run[0] and _ADMIN_BEFORE_RE.search(before) and not unit_person):
            continue  # the run names the place or school itself
        n_start, n_end = picked[0][1], picked[-1][2]
        name = text[n_start:n_end]
        if not _valid_name(name):
            continue
        position_span = _position_before(text, n_start) if not honorific else None
        if position_span is not None:
            q_start, q_end = position_span[0], n_end
        elif picked[-1][2] == r_end and pos_after:
            position_span = pos_after
            q_start, q_end = n_start, pos_after[1]
        elif honorific and (position_span := _apposition_before(text, r_start - len(honorific.group()))):
            q_start, q_end = position_span[0], n_end
        else:
            continue
        position = " ".join(text[position_span[0]:position_span[1]].split()).strip(" ,-–")
        if not position:
            continue
        unit_head = _UNIT_HEAD_RE.match(position)
        if unit_head and not _UNIT_REST_OK_RE.match(unit_head.group("rest")):
            continue
        key = unicodedata.normalize("NFC", name).casefold()
        row = Official(
            article_id="", seq=0, name=name, position=position, organization=_organization(position),
            quote=text[q_start:q_end], char_start=q_start, char_end=q_end,
        )
        if key not in seen:
            seen[key] = len(out)
            out.append(row)
        elif _fuller(position, out[seen[key]].position) or (
                out[seen[key]].char_start < title_end <= q_start
                and not _fuller(out[seen[key]].position, position)):
            # the fullest printed position wins, and the body's wording wins over the headline's
            # ("Ông X giữ chức Bí thư Quận ủy" above "ông X, Ủy viên Ban Thường vụ, Trưởng Ban …")
            out[seen[key]] = row
    return out


__all__ = ["TITLE_RE", "extract_officials", "surnames"]
