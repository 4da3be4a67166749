"""Normalisation and the line-level boilerplate filter, on real lines from seeds and corpus."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.textclean import (
    LINE_RULES,
    Byline,
    clean_article_text,
    clean_author,
    find_dateline,
    find_outlet,
    furniture_rule,
    is_furniture,
    normalize,
    parse_dateline,
    parse_stamp,
    read_byline,
    read_trailer,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "articles"
CORPUS = ROOT / "tests" / "data" / "corpus" / "vi-news-text"  # 1,760 real articles


# --------------------------------------------------------------------------- #
# normalize
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("raw, expected", [
    ("Quận\u00a01", "Quận 1"),  # NBSP from the page
    ("Hoàng Thị Tố Nga\u00a0 cho rằng", "Hoàng Thị Tố Nga cho rằng"),
    ("thi\u200b đua", "thi đua"),  # zero-width space
    ("a\r\nb\rc", "a\nb\nc"),
    ("a\n\n\n\n\nb", "a\n\nb"),
    ("  • Giọng nam  ", "• Giọng nam"),
    ("Quy\u0301", "Quý"),  # decomposed accents become NFC
    ("\u00a0\n\nBody", "Body"),  # an NBSP-only line is blank
    ("x\u2028y\u0085z", "x\ny\nz"),  # Unicode line separators
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@given(st.text())
@settings(max_examples=400, deadline=None)
def test_normalize_never_raises_and_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert "\r" not in once and "\u00a0" not in once


@given(st.text(alphabet=st.sampled_from(list("Quận 1: 14/14 chỉ tiêu.\n\u00a0\u200b\r|!()[]*?\ufffd(HNM) -Zalo"))))
@settings(max_examples=300, deadline=None)
def test_clean_article_text_never_raises(text):
    cleaned = clean_article_text(text)
    assert cleaned.text == normalize(cleaned.text)


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_clean_article_text_on_any_string(text):
    clean_article_text(text)


# --------------------------------------------------------------------------- #
# furniture rules: real lines
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("line", [
    "Chia sẻ Zalo",
    "Chia sẻ Facebook",
    "Họ tên:(*)",
    "Tiêu đề:(*)",
    "Nội dung:(*)",
    "Số điện thoại:",
    "Viết bình luận",
    "Ý kiến bình luận",
    "Họ và tên",
    "Email",
    "Lời bình",
    "Xác thực",
    "Bài viết Xem",
    "0:00/ 0:00",
    "Giọng nam",
    "• Giọng nam",
    "Mã xác nhận: L?y l?i m\ufffd b?o m?t",
    "Tải ứng dụng:",
    "BÁO ĐIỆN TỬ CHÍNH PHỦ",
    "CÓ THỂ BẠN QUAN TÂM",
    "Tin đọc nhiều",
    "Các bài mới đăng",
    "Các bài đã đăng :",
    "Tin liên quan",
    "Xem thêm: Hé lộ nguyên nhân ban đầu vụ tai nạn xe khách thảm khốc xảy ra ở Quảng Ninh",
    ">> Xem thêm: Giao thức https:// an toàn hơn những vẫn bị \"bỏ xó\"?",
    "Theo dõi Báo Kinh tế & Đô thị trên Google News",
    "Từ khóa: thi đua, quận 1",
    "Trang chủ > Thời sự > Hà Nội",
    "Lượt xem: 1.234",
    "![]() |",
    "/",
    "Hiện thực hóa giấc mơ nhà Đại đoàn kết Tăng cường công tác phòng cháy chữa cháy trong trường học |",
])
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    # body lines and subheads from the seeds
    "Đạt và vượt nhiều chỉ tiêu thành phố giao",
    "Lập thành tích bằng những việc làm cụ thể",
    "Ông Hoàng Trọng Quyết - Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban kiểm tra Thành ủy trao cờ thi đua "
    "xuất sắc cấp thành phố cho các tập thể. |",
    "Lãnh đạo quận Bắc Từ Liêm trao danh hiệu \"Người tốt việc tốt\" cho các cá nhân trên địa bàn quận. |",
    "Cụm trưởng, Khối trưởng các khối thi đua thực hiện nghi thức ký kết giao ước thi đua năm 2024. (Ảnh: SGGP)",
    "Hà Nội 360 - Ngày đăng : 15:20, 23/10/2022",
    "Phương Nga",
    "CM",
    "Nhiều mô hình hay, cách làm sáng tạo",
    "Quận 1 > 2 > 3 cách tính",
    # corpus lines that mention sharing or email inside a sentence
    "Chia sẻ với phóng viên NNVN bên lề Quốc hội (QH) ngày 23/10, đại biểu Bùi Thị An (Hà Nội) cho biết.",
    "Báo cáo kết quả thực hiện nhiệm vụ năm 2022",
    "Email của bạn đọc gửi về tòa soạn phản ánh tình trạng ngập úng kéo dài.",
    "Xem thêm các quy định tại Nghị định này.",
    "Chủ đề: năm 2022 là năm kỷ cương, trách nhiệm, hành động.",
])
def test_body_lines_are_not_furniture(line):
    assert not is_furniture(line)


def test_duplicate_caption_keeps_one_copy():
    text = ("Tiêu đề bài\n\nĐoạn mở đầu dài của bài viết về phong trào thi đua của quận.\n"
            "Quang cảnh hội nghị\nQuang cảnh hội nghị\n\nĐoạn tiếp theo của bài viết.")
    cleaned = clean_article_text(text)
    assert cleaned.text.count("Quang cảnh hội nghị") == 1
    assert cleaned.boilerplate == ["Quang cảnh hội nghị"]


def test_related_headlines_after_body_are_dropped():
    body = "Quận đã hoàn thành 14/14 chỉ tiêu kinh tế - xã hội, dự toán thu chi ngân sách Thành phố giao."
    related = [
        "Chứng khoán Mỹ giảm nhẹ",
        "Hà Nội: Tỷ lệ bao phủ bảo hiểm y tế đạt 95,35% dân số",
        "Lãnh đạo quận Tây Hồ thăm, tặng quà người có công",
        "Giá vàng hôm nay (10/5): Tăng, giảm chóng mặt",
    ]
    cleaned = clean_article_text("Tiêu đề\n\n" + body + "\n\n" + "\n\n".join(related))
    assert body in cleaned.text
    for line in related:
        assert line not in cleaned.text


def test_bottom_byline_survives_tail_rule():
    text = ("Tiêu đề bài viết\n\nĐoạn văn của bài viết kết thúc bằng dấu chấm.\n\nHuy Kiên\n\n"
            "Các bài mới đăng\n\nViết bình luận\n\nHọ tên:(*)")
    cleaned = clean_article_text(text)
    assert "Huy Kiên" in cleaned.text
    assert cleaned.author == "Huy Kiên"


def test_rhetorical_questions_at_the_end_are_kept():
    # vietnews: an opinion piece ends with questions, not with a related-article list
    lines = ["Giáo viên đã thật sự lắng nghe tâm tư các em?",
             "Và \"kênh\" thông tin nào đủ an toàn, đáng tin cậy để con trẻ góp ý, phản biện?",
             "Tranh vẽ mừng Ngày nhà giáo Việt Nam của học sinh tiểu học TP. HCM - Ảnh: NHƯ HÙNG"]
    cleaned = clean_article_text("Tiêu đề\nĐoạn văn kết thúc bằng dấu chấm.\n" + "\n".join(lines))
    for line in lines:
        assert line in cleaned.text


def test_enumerations_at_the_end_are_kept():
    # dantri sport pages end with line-ups: no final period, but not headlines
    lines = [
        "Đội hình ra sân dự kiến",
        "Manchester United: De Gea; Wan-Bissaka, Lindelof, Maguire, Shaw; Fred, McTominay, Pogba; Fernandes",
        "Arsenal: Leno; Bellerin, Mustafi, Gabriel, Tierney; Ceballos, Thomas, Xhaka; Willian, Aubameyang",
    ]
    cleaned = clean_article_text("Tiêu đề\nTrận đấu diễn ra lúc 23h tối nay.\n" + "\n".join(lines))
    for line in lines[1:]:
        assert line in cleaned.text


# --------------------------------------------------------------------------- #
# header metadata
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("line, expected", [
    ("13/11/2020 22:02", "2020-11-13T22:02"),
    ("Thứ sáu, 29/03/2024 16:37", "2024-03-29T16:37"),
    ("Hà Nội 360 - Ngày đăng : 15:20, 23/10/2022", "2022-10-23T15:20"),
    ("06/03/2026 - 00:05", "2026-03-06T00:05"),
    ("Cập nhật lúc 08h30 ngày 12/5/2023", "2023-05-12T08:30"),
    ("Thứ hai, ngày 24-1-2022", "2022-01-24T00:00"),
])
def test_parse_dateline(line, expected):
    found = parse_dateline(line)
    assert found is not None and found[0].isoformat(timespec="minutes") == expected


def test_title_stamp_and_yearless_dates():
    title = "Quận Ba Đình phát động thi đua năm 2022 (20:47 21/01/2022)"
    assert find_dateline([title], title=title).isoformat(timespec="minutes") == "2022-01-21T20:47"
    lead = "Kinhtedothi - Sáng 18/5, quận Nam Từ Liêm tổ chức Hội nghị biểu dương kết quả phong trào thi đua"
    assert find_dateline(["Nam Từ Liêm: Phát động thi đua", "Phương Nga", lead]) is None
    # a date inside a headline's sentence is news, not a publication stamp
    headline = "Sự kiện được công chiếu chính thức vào 20h00 ngày 26/04/2021 trên hai nền tảng Fanpage"
    assert find_dateline([headline], title=headline) is None


@pytest.mark.parametrize("lead, outlet", [
    ("(HNM) - Thực hiện lời dạy của Chủ tịch Hồ Chí Minh “Thi đua là yêu nước, yêu nước thì phải thi đua”", "HNM"),
    ("Kinhtedothi - Sáng 18/5, quận Nam Từ Liêm tổ chức Hội nghị biểu dương kết quả phong trào thi đua", "Kinhtedothi"),
    ("HNP - Chiều 21/1, Quận ủy - HĐND - UBND - UB MTTQ quận Ba Đình đã tổ chức hội nghị Tổng kết", "HNP"),
    ("(ĐCSVN) - Trong thời gian qua, các phong trào thi đua yêu nước trên địa bàn quận 1 tiếp tục", "ĐCSVN"),
    ("(PLO)- Phó Bí thư Thành ủy, Chủ tịch Ủy ban MTTQ Việt Nam TP.HCM Nguyễn Phước Lộc làm Trưởng đoàn", "PLO"),
    ("ĐÀ NẴNG- Sáng ngày 4-2, tại Trường THCS Đỗ Đăng Tuyển (cơ sở 2), UBND Q.Thanh Khê đã tổ chức lễ", None),
    ("Ông Mike Waltz - người dự kiến sắp tới là cố vấn an ninh quốc gia trong chính quyền ông Trump - cho", None),
    ("Hà Nội 360 - Ngày đăng : 15:20, 23/10/2022", None),
])
def test_find_outlet(lead, outlet):
    assert find_outlet([lead]) == outlet


@pytest.mark.parametrize("author, sitename, expected", [
    ("Baochinhphu Vn", "baochinhphu.vn", None),
    ("Baodautu Vn", "Baodautu", None),
    ("NLD COM VN", "Báo Người Lao Động Online", None),
    ("Dương Ngọc; VCCorp vn", "Cafef", "Dương Ngọc"),
    ("Theo Hồ Hương; VCCorp vn", "Cafef", "Hồ Hương"),
    ("TUOI TRE ONLINE; Baotuoitre; NHẬT XUÂN; NGHI VŨ", None, "NHẬT XUÂN; NGHI VŨ"),
    ("VietNamNet News; Duy Anh", "VietNamNet News", "Duy Anh"),
    ("Dân Trí; Tri Túc", "Báo điện tử Dân Trí", "Tri Túc"),
    ("Anh Minh", "vnexpress.net", "Anh Minh"),
])
def test_clean_author_drops_site_names(author, sitename, expected):
    assert clean_author(author, sitename=sitename) == expected


# --------------------------------------------------------------------------- #
# seeds and corpus
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_seed_header_metadata(path):
    cleaned = clean_article_text(path.read_text(encoding="utf-8"))
    assert cleaned.title and cleaned.title == cleaned.text.split("\n")[0]


def _corpus_sample(n: int) -> list[Path]:
    files = sorted(CORPUS.glob("*.txt"))
    return random.Random(20240601).sample(files, min(n, len(files)))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_sample_is_cleaned_without_losing_long_lines():
    total = kept = 0
    for path in _corpus_sample(300):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        cleaned = clean_article_text(raw)
        lines = set(cleaned.text.split("\n"))
        for line in normalize(raw).split("\n"):
            if len(line.split()) >= 12:
                total += 1
                kept += line in lines
    # measured on all 1,760 files: 13,277 of 13,283 long lines kept; the 6 dropped are "Xem thêm: ..." links
    assert total > 1000
    assert kept / total >= 0.998


# closing bylines as the corpus prints them (baomoi runs the body into one line)
@pytest.mark.parametrize("last_line, author, outlet", [
    ("Ước tính thiệt hại ban đầu khoảng 40 triệu đồng do cháy lan sang kho chứa của gia đình./. Lam Hiếu/VOV-ĐBSCL",
     "Lam Hiếu", "VOV-ĐBSCL"),
    ("Hiện tài xế Hoài đã đến công an trình diện để phục vụ công tác điều tra của cơ quan chức năng. Xuân Trang – H.Thanh",
     "Xuân Trang – H.Thanh", None),
    ("Công an phường Phú La đang thụ lý giải quyết vụ việc theo đúng quy định của pháp luật hiện hành. Lưu Huế",
     "Lưu Huế", None),
    ("thu hút đông đảo cán bộ, đoàn viên, người lao động trong huyện tham gia các hoạt động… N.LIÊM - X.TRƯỜNG",
     "N.LIÊM - X.TRƯỜNG", None),
    ("các sư trụ trì tại Sóc Sơn hay chùa Hương để không xảy ra tranh lộc như vừa qua trong dịp lễ hội. Theo vne",
     None, "vne"),
    ("Nhóm PV/ VOV Online", "Nhóm PV", "VOV Online"),
    ("Ảnh: TỰ TRUNG", None, None),
    ("Ông Đậu Văn Tiến.", None, None),
])
def test_closing_byline(last_line, author, outlet):
    body = ["Tiêu đề bài báo", "Đoạn mở đầu của bài báo về công tác thi đua khen thưởng tại địa phương năm nay.",
            last_line]
    byline = read_byline(body, title="Tiêu đề bài báo", places=frozenset())
    assert (byline.author, byline.outlet) == (author, outlet)


def test_byline_before_a_credit_line():
    body = ["Tiêu đề", "Đoạn văn dài của bài báo về một chủ đề quốc tế được tổng hợp từ báo nước ngoài.",
            "Vĩnh Ngọc", "Theo DM"]
    assert read_byline(body, title="Tiêu đề") == Byline("Vĩnh Ngọc", "DM")


def test_sentence_end_without_byline():
    line = "Dự án đã vận hành thương mại, còn Duyên Hải 2 đang giai đoạn san lấp mặt bằng."
    assert read_byline(["Tiêu đề", line * 2], title="Tiêu đề").author is None


# --------------------------------------------------------------------------- #
# trailers after the body (the baomoi crawler of the dzbaomoi_ dev articles)
# --------------------------------------------------------------------------- #

BODY = ("Hội Khuyến học tỉnh đã tuyên dương, công nhận 130 gia đình, dòng tộc, đơn vị, cá nhân có thành tích "
        "trong công tác khuyến học khuyến tài giai đoạn 2008-2013.")
TAGS = "Khuyến học,Dòng họ,Đại hội,Cá nhân,Thừa Thiên-Huế,Tập thể,Khen thưởng,Dòng tộc,Ủy ban nhân dân"


@pytest.mark.parametrize("line, expected", [
    ("28/05/13 06:23 GMT+7", dt.datetime(2013, 5, 28, 6, 23)),
    ("01/06/13 21:35 GMT+7", dt.datetime(2013, 6, 1, 21, 35)),
    ("28/05/13 06:23 GMT+0", dt.datetime(2013, 5, 28, 13, 23)),  # shifted to Vietnam time
    ("21/01/2022 20:47", dt.datetime(2022, 1, 21, 20, 47)),
    ("20:47 21-01-2022", dt.datetime(2022, 1, 21, 20, 47)),
    ("Sáng 2/10, quận tổ chức hội nghị", None),  # no year, and a sentence
    ("32/05/13 06:23 GMT+7", None),
    ("28/05/13", None),  # a stamp carries its time
])
def test_parse_stamp(line, expected):
    assert parse_stamp(line) == expected


def test_trailer_is_read_then_its_furniture_dropped():
    text = "\n".join(["Thừa Thiên - Huế: Khen thưởng 7 tập thể, 8 cá nhân xuất sắc",
                      "(GD&TĐ) - Ngày 30-5, tại UBND tỉnh, Hội Khuyến học tỉnh long trọng tổ chức Đại hội biểu dương.",
                      BODY + "Thanh Huế", "30/05/13 17:51 GMT+7", "Xã hội", TAGS, "GD&TĐ"])
    cleaned = clean_article_text(text)
    assert [(d.line, d.rule) for d in cleaned.dropped] == [("Xã hội", "trailer_section"), (TAGS, "tag_list")]
    assert cleaned.text.splitlines()[-2:] == ["30/05/13 17:51 GMT+7", "GD&TĐ"]  # metadata lines stay
    assert cleaned.published_at == dt.datetime(2013, 5, 30, 17, 51)
    assert (cleaned.source, cleaned.author) == ("GD&TĐ", "Thanh Huế")


def test_trailer_outlet_is_never_the_author():
    text = "\n".join(["Lao động sáng tạo là trọng tâm", BODY, "28/05/13 08:01 GMT+7", "Xã hội", TAGS, "Lao Động"])
    cleaned = clean_article_text(text)
    assert (cleaned.source, cleaned.author) == ("Lao Động", None)
    # read again from the cleaned text (as extract_metadata does), the answer is the same
    again = read_trailer(cleaned.text.split("\n"))
    assert again.outlet == "Lao Động" and again.published_at == dt.datetime(2013, 5, 28, 8, 1)


@pytest.mark.parametrize("lead, trailer_outlet, source", [
    ("(TNO) Chiều 29.5, Công ty CP Vận tải và dịch vụ Phú Hoàng khen thưởng 3 tài xế taxi trả lại tài sản.",
     "Thanh Niên", "TNO"),  # a bracketed abbreviation in the lead is the outlet as printed
    ("(Toquoc) – Sáng nay (29/5), Sở VHTTDL TP.HCM đã tổ chức Hội nghị Tuyên dương điển hình tiên tiến.",
     "Tổ Quốc", "Tổ Quốc"),  # a web name is not: the trailer names the outlet
    ("NDĐT- Chiều 29-5, Ban Thường vụ Tỉnh đoàn tổ chức Đại hội Cháu ngoan Bác Hồ lần thứ 7 năm 2013.",
     "Nhân Dân", "Nhân Dân"),
    ("Bám sát các nhiệm vụ chính trị của ngành, các cấp công đoàn tích cực triển khai công tác thi đua.",
     "Lao Động", "Lao Động"),
])
def test_source_from_lead_or_trailer(lead, trailer_outlet, source):
    text = "\n".join(["Tiêu đề bài báo", lead, BODY, "29/05/13 20:39 GMT+7", "Xã hội", TAGS, trailer_outlet])
    assert clean_article_text(text).source == source


@pytest.mark.parametrize("line", [
    TAGS,
    "Cao đẳng phát thanh truyền hình ii,Phát thanh,Cờ thi đua,Nhà trường,Đài tiếng nói việt nam,Vinh dự",
])
def test_tag_strip_is_furniture(line):
    assert furniture_rule(line) == "tag_list"


@pytest.mark.parametrize("line", [
    "Hà Nội, Hải Phòng, Đà Nẵng, Cần Thơ và Thành phố Hồ Chí Minh",  # an enumeration in prose
    "Xã hội",  # a section label alone, with no trailer around it
    "Đạt 1,2,3,4 điểm",
])
def test_prose_lists_are_no_tag_strip(line):
    assert furniture_rule(line) is None


@pytest.mark.parametrize("last_line, author", [
    ("Một số hình ảnh tại buổi lễ tuyên dương: Thiếu tướng Trần Thùy - Phó Giám đốc CATP phát biểu tại buổi lễ...Tùng Lâm",
     "Tùng Lâm"),
    ("Bộ VHTT&DL tặng 229 Kỷ niệm chương “Vì sự nghiệp Văn hóa, Thể thao và Du lịch” …/.Tin, ảnh: L.Nguyễn", "L.Nguyễn"),
    ("Trao 45 suất học bổng với tổng số tiền 20,4 triệu đồng cho cháu đội viên xuất sắc vượt khó học giỏiCÔNG HẬU",
     "CÔNG HẬU"),
    ("Công ty đã biểu dương và khen thưởng các anh Tuấn, Trung và Tâm mỗi người 1 triệu đồng.Tin, ảnh: Nguyễn Tú"
     ">> Khen thưởng tài xế taxi trả lại tài sản cho khách nước ngoài  >> Tài xế tốt bụng", "Nguyễn Tú"),
    ("Theo An Yên, tòa nhà giúp cung cấp oxy đủ cho 3.100 người mỗi năm, lọc sạch các loại khí thải. "
     "Theo An Yên (Ảnh, video: Oddity Central)/VnExpress.net", None),  # a credit: "VnExpress.net" is no break
    ("Hội nghị có sự tham gia của các đoàn đại biểu đến từ Liên hiệp các tổ chức hữu nghị TP. Hồ Chí Minh.", None),
])
def test_glued_closing_byline(last_line, author):
    body = ["Tiêu đề bài báo", "Đoạn mở đầu của bài báo về công tác thi đua khen thưởng tại địa phương năm nay.",
            last_line]
    assert read_byline(body, title="Tiêu đề bài báo").author == author


def test_roundup_closing_name_is_no_author():
    # a roundup of items, each closed by its reporter's initials: no single author
    body = ["LĐLĐ Cần Thơ: Đẩy mạnh tuyên truyền thi đua ái quốc",
            "Các cấp công đoàn hỗ trợ 25 phần quà, 700kg gạo cho công nhân lao động nghèo. T.P LĐLĐ TX.Châu Đốc "
            "(An Giang): Hội thi tuyên truyền viên thu hút 27 thí sinh. Thí sinh Nguyễn Thị Thanh Hiếu đoạt giải nhất. T.P"]
    assert read_byline(body, title=body[0]).author is None


def test_byline_before_the_captions_printed_again():
    # VietNews: body, byline, a blank line, then the captions printed again
    lines = ["Tiêu đề bài báo", "", "Đoạn mở đầu của bài báo về công tác thi đua khen thưởng của huyện năm nay.", "",
             "Huyện nông thôn mới Phong Điền đang nỗ lực phấn đấu.", "Đoạn thân bài dài nói về kết quả đạt được.",
             "Cửu Long", "", "Huyện nông thôn mới Phong Điền đang nỗ lực phấn đấu."]
    assert read_byline(lines, title="Tiêu đề bài báo").author == "Cửu Long"
    # a long paragraph before the caption block names nobody
    lines[6] = "Để kịp thời động viên, khen thưởng các lực lượng phá án, Thường trực Huyện uỷ đã trao thưởng."
    assert read_byline(lines, title="Tiêu đề bài báo").author is None


@pytest.mark.parametrize("trailer, section, outlet", [
    (["27/05/13 15:12 GMT+7", "Khoa học - Công nghệ", "Vệ tinh,Viễn thông", "Thời báo Kinh tế Sài Gòn"],
     "Khoa học - Công nghệ", "Thời báo Kinh tế Sài Gòn"),
    (["27/05/13 15:12 GMT+7", "Xã hội", "VOV"], "Xã hội", "VOV"),  # no tag strip
    (["27/05/13 15:12 GMT+7", "VOV"], None, "VOV"),  # read again after the section was dropped
    (["Giáo dục", TAGS, "VOV"], "Giáo dục", "VOV"),  # no dateline: the glued tag strip marks the trailer
])
def test_trailer_variants(trailer, section, outlet):
    t = read_trailer([BODY, *trailer])
    assert (t.start, t.section, t.outlet) == (1, section, outlet)


def test_no_trailer_without_stamp_or_tags():
    # a body that ends with a short line is no trailer
    assert read_trailer(["Tiêu đề", BODY, "Xã hội", "Phương Nga"]).start is None


@pytest.mark.parametrize("last_line, author, outlet", [
    ("Chính phủ tiếp tục chương trình kích thích kinh tế, nhân tố hỗ trợ giá vàng./. Minh Trang (TTXVN)",
     "Minh Trang", "TTXVN"),
    ("Pakistan đưa ra những cáo buộc trên sau cuộc điều tra kéo dài nhiều tháng./. Mạnh Hùng/Berlin (Vietnam+)",
     "Mạnh Hùng", "Vietnam+"),
    ("Trước mắt, Mỹ nối lại khoản viện trợ hơn 300 triệu USD cho Pakistan, vốn bị ngừng từ năm 2011./. (TTXVN)",
     None, "TTXVN"),
    ("Chỉ số giá vàng và đô la Mỹ tiếp tục giảm so với tháng trước lần lượt là 3,33% và 0,11%. (HTH)",
     None, None),  # bracketed initials are no agency
])
def test_agency_after_the_byline(last_line, author, outlet):
    body = ["Tiêu đề bài báo", "Đoạn mở đầu của bài báo về công tác thi đua khen thưởng tại địa phương năm nay.",
            last_line]
    assert read_byline(body, title="Tiêu đề bài báo") == Byline(author, outlet)


def test_trailer_dateline_with_cue_words():
    t = read_trailer([BODY, "Cập nhật: 15:20, 23/10/2022", "Thời sự", "Hà Nội Mới"])
    assert (t.published_at, t.section, t.outlet) == (dt.datetime(2022, 10, 23, 15, 20), "Thời sự", "Hà Nội Mới")
    # a date without a time after the body is news, not a stamp
    assert read_trailer([BODY, "Ngày 23/10/2022", "Hà Nội Mới"]).start is None


def test_line_rules_have_unique_names():
    names = [name for name, _ in LINE_RULES]
    assert len(names) == len(set(names)) and all(n.isidentifier() for n in names)


def test_textclean_reexports_the_text_and_header_packages():
    import etl.textclean as facade
    from etl.extract import header
    from etl.text import cleaner, linefilter, normalise

    assert facade.clean_article_text is cleaner.clean_article_text
    assert facade.furniture_rule is linefilter.furniture_rule
    assert facade.normalize is normalise.normalize
    assert facade.read_byline is header.read_byline and facade.read_trailer is header.read_trailer


# closing bylines of the corpus that the name rules used to refuse
@pytest.mark.parametrize("last_line, author, outlet", [
    ("Thua 0-1, chủ nhà chấp nhận đứng đồng hạng 3 sau khi để thủng lưới ở phút bù giờ. Quang Thành",
     "Quang Thành", None),  # "Thành", "Bình" are given names, not the phrase "thành phố"
    ("Hiện Công an đang tiến hành điều tra mở rộng vụ việc theo quy định của pháp luật. TIẾN THÀNH", "TIẾN THÀNH", None),
    ("Mình phải sống tiếp vì các con, bao nhiêu mồ hôi, nước mắt lắm”, chị buồn bã cho biết. Minh Anh - Diệu Bình",
     "Minh Anh - Diệu Bình", None),
    ("Các nhà khảo cổ cho biết đây là thành phố của người At-xi-ri và La Mã ở Iraq và Syria. Phạm Nghĩa (Theo Reuters)",
     "Phạm Nghĩa", None),
    ("Thời tiết xấu đi kèm lở tuyết sẽ tiếp tục trong vài ngày tới tại khu vực miền núi. Bảo Tùng (Tổng hợp theo CNN, AFP)",
     "Bảo Tùng", None),
    ("Người dân có thể liên hệ qua số điện thoại đường dây nóng để gặp đồng chí trưởng công an. Theo SỸ HƯNG (Người lao động)",
     None, "Người lao động"),
    ("Ông cho biết sẽ tiếp tục theo dõi. Nguồn: FOX Sports Hạnh Chi (T/h) Theo Đời sống Plus", None, None),
])
def test_closing_byline_names(last_line, author, outlet):
    body = ["Tiêu đề bài báo", "Đoạn mở đầu của bài báo về công tác thi đua khen thưởng tại địa phương năm nay.",
            last_line]
    assert read_byline(body, title="Tiêu đề bài báo") == Byline(author, outlet)


def test_outlet_printed_among_the_byline_names():
    lines = ["Tiêu đề bài báo",
             "(NDH) Cuối phiên sáng, nhiều cổ phiếu lớn và nhỏ đồng loạt lùi xuống dưới mốc tham chiếu hôm nay.",
             "Khối lượng khớp lệnh bình quân mỗi lệnh là 2.195 đơn vị, trị giá khoảng 255 triệu đồng. Bình Minh - NDH"]
    assert read_byline(lines, title="Tiêu đề bài báo").author == "Bình Minh"


@pytest.mark.parametrize("lines, outlet", [
    (["(Soha.vn) - Cái sự hớ này to thật là to!",
      "Tôi - Mr Lọt, đại khái là một thảo dân, nghe chuyện cũng phải lộn ruột vì chuyện của ca sĩ."], "Soha.vn"),
    (["Tôi - Mr Lọt, đại khái là một thảo dân, nghe chuyện cũng phải lộn ruột vì chuyện của ca sĩ."], None),
])
def test_short_bracketed_lead_marker(lines, outlet):
    assert find_outlet(lines) == outlet
