"""Referenced documents."""

from __future__ import annotations

import datetime as dt

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
