"""Referenced documents."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from etl.extract.documents import extract_documents, parse_date


def _docs(text):
    return [(d.doc_type, d.number, d.issued_on, d.issuer) for d in extract_documents(text)]


@pytest.mark.parametrize("sentence, expected", [
    ("triển khai có hiệu quả Kế hoạch số 160/KH-UBND ngày 21/4/2023 của UBND quận về tuyên truyền",
     [("Kế hoạch", "160/KH-UBND", dt.date(2023, 4, 21), "UBND quận")]),
    ("được cụ thể trong Chương trình công tác số 01/Ctr-UBND ngày 24-1-2022 của UBND quận, Kế hoạch số 29/KH-UBND "
     "ngày 30-1-2022 của UBND quận về việc thực hiện",
     [("Chương trình công tác", "01/Ctr-UBND", dt.date(2022, 1, 24), "UBND quận"),
      ("Kế hoạch", "29/KH-UBND", dt.date(2022, 1, 30), "UBND quận")]),
    ("Triển khai Chương trình phục hồi và phát triển kinh tế - xã hội của Chính phủ, bảo đảm phù hợp",
     [("Chương trình", None, None, "Chính phủ")]),
    # corpus
    ("theo quy định tại Quyết định số 1722/QĐ-TTg ngày 2/9/2016 của Thủ tướng Chính phủ phê duyệt",
     [("Quyết định", "1722/QĐ-TTg", dt.date(2016, 9, 2), "Thủ tướng Chính phủ")]),
    ("Thông tư số 28/2020/TT-BGDĐT ngày 04 tháng 9 năm 2020 của Bộ trưởng Bộ GD&ĐT",
     [("Thông tư", "28/2020/TT-BGDĐT", dt.date(2020, 9, 4), "Bộ trưởng Bộ GD&ĐT")]),
    ("thực hiện Chỉ thị 05-CT/TW của Bộ Chính trị khóa XII", [("Chỉ thị", "05-CT/TW", None, "Bộ Chính trị khóa XII")]),
])
def test_document_sentences(sentence, expected):
    assert _docs(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "tích cực cụ thể hoá, đưa Nghị quyết các cấp vào cuộc sống",
    "Lãnh đạo quận tham dự Chương trình nghệ thuật chào mừng kỷ niệm 61 năm Ngày thành lập quận",
    "quận đã ban hành sớm các kế hoạch, chương trình hành động",
    "theo Luật sư Đặng Văn Cường",
])
def test_not_documents(sentence):
    assert extract_documents(sentence) == []


def test_same_document_once_and_offsets():
    text = "theo Quyết định số 578/QĐ-UBND; sau đó Quyết định số 578/QĐ-UBND được sửa."
    rows = extract_documents(text)
    assert [d.number for d in rows] == ["578/QĐ-UBND"]
    assert all(text[d.char_start:d.char_end] == d.quote for d in rows)


def test_parse_date():
    assert parse_date("21 tháng 4 năm 2023") == dt.date(2023, 4, 21)
    assert parse_date("31/2/2023") is None


# corpus sentences: bare numbers, plenum resolutions, laws cited by title
@pytest.mark.parametrize("sentence, expected", [
    ("thực hiện Chỉ thị 16 của Thủ tướng Chính phủ về giãn cách xã hội",
     [("Chỉ thị", "16", None, "Thủ tướng Chính phủ")]),
    ("Triển khai Chỉ thị 05 và 10 của Ban Thường vụ Tỉnh ủy",
     [("Chỉ thị", "05", None, "Ban Thường vụ Tỉnh ủy"), ("Chỉ thị", "10", None, "Ban Thường vụ Tỉnh ủy")]),
    ("gắn với thực hiện Nghị quyết Trung ương 4 (khóa XII) về xây dựng Đảng",
     [("Nghị quyết", None, None, "Trung ương")]),
    ("Theo quy định của Luật Thi đua, khen thưởng, các danh hiệu",
     [("Luật", None, None, None)]),
    ("Luật Khám bệnh, chữa bệnh, mỗi cơ sở khám phải niêm yết giá",
     [("Luật", None, None, None)]),
    ("căn cứ Nghị định 91/2017/NĐ-CP của Chính phủ", [("Nghị định", "91/2017/NĐ-CP", None, "Chính phủ")]),
])
def test_documents_without_full_numbers(sentence, expected):
    assert _docs(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "sinh viên trường Đại học Luật Hà Nội",
    "Luật đã thể hiện rõ tinh thần",
    "Quyết định năm 2019” của Chính phủ",
    "Nghị quyết 3 lần được sửa đổi",
    "Nghị quyết đại hội Đảng các cấp",
])
def test_not_documents_by_number_or_title(sentence):
    assert extract_documents(sentence) == []


def test_same_law_cited_twice_is_one_document():
    text = "Luật Đất đai năm 2013 quy định ... Theo Luật Đất đai, người dân được cấp giấy."
    assert [d.doc_type for d in extract_documents(text)] == ["Luật"]


def test_short_form_and_initials_are_one_document_but_a_listed_pair_is_two():
    text = ("Luật TĐKT thể hiện được định hướng đổi mới. Việc sửa đổi Luật Thi đua, khen thưởng (TĐKT) đã được "
            "đặt ra; Luật Ngân sách nhà nước quy định. Theo Luật Ngân sách, tỉnh không được vay. "
            "Dự án không căn cứ vào Luật Quy hoạch và Luật Quy hoạch đô thị.")
    quotes = [d.quote for d in extract_documents(text)]
    assert quotes == ["Luật Thi đua, khen thưởng", "Luật Ngân sách nhà nước", "Luật Quy hoạch", "Luật Quy hoạch đô thị"]


@pytest.mark.parametrize("text", [
    "theo Luật Đất đai, Quyết định số 12/QĐ-UBND và Luật Đất đai năm 2013; Luật Đầu tư " * 6000,
    "thực hiện Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIX, nghị định số 90 và Đề án “Thành phố 4 an”; " * 5000,
])
def test_document_extraction_is_linear(text):
    """Issue 17 item 3: hundreds of KB of repeated citations extract in well under 5 s."""
    assert len(text.encode()) > 380_000
    started = time.perf_counter()
    extract_documents(text)
    assert time.perf_counter() - started < 5
