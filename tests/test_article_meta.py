"""Article metadata: datelines, outlets, bylines, the district/province gazetteer, the year."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from etl.extract.article import (
    extract_metadata,
    find_places,
    load_gazetteer,
    resolve_places,
    salient_year,
    to_vietnam_time,
)
from etl.textclean import clean_article_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "articles"
GOLD = ROOT / "tests" / "data" / "gold"
CORPUS = ROOT / "tests" / "data" / "corpus" / "vi-news-text"  # 1,760 real articles


# --------------------------------------------------------------------------- #
# gazetteer files
# --------------------------------------------------------------------------- #

def _rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "src" / "etl" / "data" / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_gazetteer_covers_both_cities():
    rows = _rows("districts.csv")
    hanoi = [r for r in rows if r["province"] == "Hà Nội" and not r["valid_until"]]
    hcm = [r for r in rows if r["province"] == "Thành phố Hồ Chí Minh" and not r["valid_until"]]
    assert len(hanoi) == 30  # 12 quận, 1 thị xã, 17 huyện
    assert len(hcm) == 22  # 16 quận, TP Thủ Đức, 5 huyện (before the 2025 reform)
    names = {r["name"] for r in rows}
    assert {"Nam Từ Liêm", "Bắc Từ Liêm", "Ba Đình", "Hai Bà Trưng", "Quận 1", "Thủ Đức"} <= names


def test_provinces_file_has_63_plus_2025_units():
    rows = _rows("provinces.csv")
    before_2025 = [r for r in rows if not r["valid_from"]]
    assert len(before_2025) == 63
    merged_into = {r["merged_into_2025"] for r in rows if r["merged_into_2025"]}
    names = {r["name"] for r in rows}
    assert merged_into <= names  # every 2025 unit is itself in the file
    remaining = {r["name"] for r in rows if not r["merged_into_2025"]}
    assert len(remaining) == 34  # the provincial units from 1 July 2025 (Thừa Thiên Huế became Huế)
    assert {"Hà Nội", "Thành phố Hồ Chí Minh"} <= names


def test_seed_folder_links_to_packaged_gazetteer():
    for name in ("districts.csv", "provinces.csv"):
        link = ROOT / "seeds" / name
        assert link.is_symlink()
        assert link.resolve() == (ROOT / "src" / "etl" / "data" / name).resolve()


# --------------------------------------------------------------------------- #
# place mentions
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("text, expected", [
    ("quận Nam Từ Liêm tổ chức Hội nghị", ["Nam Từ Liêm"]),
    ("Quận ủy Nam Từ Liêm", ["Nam Từ Liêm"]),
    ("trên địa bàn quận 1 (Thành phố Hồ Chí Minh)", ["Quận 1", "Thành phố Hồ Chí Minh"]),
    ("UBND Q.1 và Q.3, TP.HCM", ["Quận 1", "Quận 3", "Thành phố Hồ Chí Minh"]),
    ("Q1 và Q. 10, TPHCM", ["Quận 1", "Quận 10", "Thành phố Hồ Chí Minh"]),
    ("quận 10 không phải quận 1", ["Quận 10", "Quận 1"]),
    ("TP Thủ Đức", ["Thủ Đức"]),
    ("huyện Ứng Hòa, Hà Nội", ["Ứng Hòa", "Hà Nội"]),
    ("Bà Rịa - Vũng Tàu (cũ)", ["Bà Rịa - Vũng Tàu"]),
])
def test_find_places(text, expected):
    assert [m.place.name for m in find_places(text)] == expected


@pytest.mark.parametrize("text", [
    "ngày 1/4/2014",
    "Quý 1 năm 2023",
    "Q1/2023 doanh thu tăng",
    "Q1 2023",
    "22/22 chỉ tiêu, 1 tập thể",
    "tư tưởng Hồ Chí Minh",  # the President, not the city
    "Thái Bình Dương",  # the ocean, not Thái Bình or Bình Dương
    "quận 13",  # not a district of TP.HCM
])
def test_not_places(text):
    assert find_places(text) == []


def test_district_named_in_title_wins():
    text = ("Hội nghị có đại diện quận Ba Đình, quận Ba Đình, quận Ba Đình.\n"
            "Quận Hai Bà Trưng tổng kết phong trào thi đua.")
    assert resolve_places(text, "Quận Hai Bà Trưng: Lan tỏa phong trào") == ("Hai Bà Trưng", "Hà Nội")
    assert resolve_places(text, "Lan tỏa phong trào") == ("Ba Đình", "Hà Nội")


def test_province_without_district():
    text = "Sáng 4-2, TP Quảng Ngãi tổ chức Lễ phát động Tết trồng cây. Tỉnh Quảng Ngãi trồng 500 cây."
    assert resolve_places(text, "Quảng Ngãi phát động Tết trồng cây") == (None, "Quảng Ngãi")


def test_one_bare_mention_is_not_a_district():
    assert resolve_places("Buổi lễ diễn ra tại Hội trường Ba Đình.", "Lễ kỷ niệm")[0] is None


def test_gazetteer_loads_once():
    assert load_gazetteer() is load_gazetteer()


# --------------------------------------------------------------------------- #
# extract_metadata
# --------------------------------------------------------------------------- #

def test_html_metadata_is_completed_and_corrected():
    text = "(Chinhphu.vn) - Chính phủ ban hành Nghị định số 357/2025/NĐ-CP quy định về hệ thống thông tin nhà ở.\n"
    meta = extract_metadata(text, title="Chính sách mới có hiệu lực từ tháng 3/2026", author="Baochinhphu Vn",
                            published_at="2026-03-01", sitename="baochinhphu.vn")
    assert meta.author is None
    assert meta.source == "Chinhphu.vn"
    assert meta.published_at == dt.datetime(2026, 3, 1)
    assert meta.year == 2026


def test_day_only_metadata_is_refined_by_dateline():
    text = "Tiêu đề\n06/03/2026 - 00:05\nĐoạn văn bản dài của bài viết về thị trường chứng khoán trong phiên hôm nay."
    meta = extract_metadata(text, published_at=dt.date(2026, 3, 6))
    assert meta.published_at == dt.datetime(2026, 3, 6, 0, 5)


def test_aware_datetimes_become_vietnam_local():
    assert to_vietnam_time("2024-11-23T17:11:03+07:00") == dt.datetime(2024, 11, 23, 17, 11, 3)
    assert to_vietnam_time(dt.datetime(2024, 1, 1, 20, 0, tzinfo=dt.timezone.utc)) == dt.datetime(2024, 1, 2, 3, 0)
    assert to_vietnam_time("not a date") is None


def test_year_without_published_date():
    text = ("Sáng 18/5, quận tổ chức Hội nghị biểu dương kết quả phong trào thi đua năm 2022. "
            "Năm 2022, quận hoàn thành 14/14 chỉ tiêu. Giai đoạn 2015 - 2020 ...")
    assert salient_year(text) == 2022
    assert extract_metadata("Tiêu đề\n" + text).year == 2022
    assert salient_year("Không có năm nào ở đây, chỉ 16.839 doanh nghiệp.") is None


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_seed_metadata_matches_gold(path):
    gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))["article"]
    cleaned = clean_article_text(path.read_text(encoding="utf-8"))
    meta = extract_metadata(cleaned.text, title=cleaned.title, author=cleaned.author,
                            published_at=cleaned.published_at, source=cleaned.source)
    for field in ("title", "source", "author", "district", "province"):
        assert getattr(meta, field) == gold[field], field
    if gold["published_at"]:
        assert meta.published_at.isoformat(timespec="minutes") == gold["published_at"]
    else:
        assert meta.published_at is None


DEV = ROOT / "tests" / "data" / "dev"


def _norm(value):
    return " ".join(value.casefold().split()) if isinstance(value, str) else value


# the crawler trailer (dateline, section, tags, outlet) and glued bylines of the dev set
@pytest.mark.parametrize("path", sorted((DEV / "articles").glob("dzbaomoi_*.txt")), ids=lambda p: p.stem)
def test_dev_trailer_metadata_matches_gold(path):
    gold = json.loads((DEV / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
    article = gold["article"]
    cleaned = clean_article_text(path.read_text(encoding="utf-8"))
    meta = extract_metadata(cleaned.text, title=cleaned.title, author=cleaned.author,
                            published_at=cleaned.published_at, source=cleaned.source)
    assert (_norm(meta.source), _norm(meta.author)) == (_norm(article["source"]), _norm(article["author"]))
    assert meta.published_at.isoformat(timespec="minutes") == article["published_at"]
    # the trailer's section label and tag strip are the gold boilerplate; the rest stays
    assert sorted(cleaned.boilerplate) == sorted(gold["boilerplate_lines"])
    assert {d.rule for d in cleaned.dropped} == {"trailer_section", "tag_list"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_sample_never_raises():
    files = sorted(CORPUS.glob("*.txt"))
    for path in random.Random(7).sample(files, min(250, len(files))):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        cleaned = clean_article_text(raw)
        meta = extract_metadata(cleaned.text, title=cleaned.title, author=cleaned.author,
                                published_at=cleaned.published_at, source=cleaned.source)
        assert meta.title
        assert meta.year is None or 1950 <= meta.year <= 2049


# --------------------------------------------------------------------------- #
# districts of every province (corpus sentences)
# --------------------------------------------------------------------------- #

def test_gazetteer_covers_every_province():
    rows = _rows("districts.csv")
    provinces = {r["name"] for r in _rows("provinces.csv") if not r["valid_from"]}
    assert {r["province"] for r in rows} <= provinces
    assert len(rows) > 600


@pytest.mark.parametrize("text, title, expected", [
    # the district of the lead, with its province
    ("Bắt anh em cướp xe máy lúc nửa đêm trên quốc lộ 62, huyện Thạnh Hóa, Long An đã bị bắt. "
     "Công an huyện Thạnh Hóa cho biết.", "Bắt anh em ruột cướp xe máy", ("Thạnh Hóa", "Long An")),
    # "Châu Thành" is a district of ten provinces: the one printed next to it decides
    ("Tin từ huyện Châu Thành, tỉnh Tiền Giang: huyện Châu Thành hoàn thành 18/19 chỉ tiêu.",
     "Tin địa phương", ("Châu Thành", "Tiền Giang")),
    # the party committee names the district too
    ("Ngày 17/7, Thường trực Huyện ủy Cẩm Xuyên tổ chức lễ trao thưởng.", "Trao thưởng", ("Cẩm Xuyên", "Hà Tĩnh")),
    # an address is where a person lives, not what the article is about
    ("Chiều 5-3, UBND TP.HCM tổng kết thi đua. Ông A (ngụ quận Gò Vấp) được khen.", "TP.HCM tổng kết thi đua",
     (None, "Thành phố Hồ Chí Minh")),
    # two districts reported side by side are neither's article
    ("Công an thành phố vừa khen thưởng đột xuất hai đơn vị.\n"
     "Khen thưởng Công an quận Hải Châu và Công an quận Sơn Trà. Công an quận Hải Châu bắt 3 đối tượng. "
     "Công an quận Sơn Trà bắt 2 đối tượng.", "Công an TP Đà Nẵng khen thưởng", (None, "Đà Nẵng")),
])
def test_resolve_districts_beyond_the_two_cities(text, title, expected):
    assert resolve_places(text, title) == expected


@pytest.mark.parametrize("text", [
    "ông Nguyễn Xuân Trường, cựu chủ tịch xã",  # a person, not huyện Xuân Trường
    "báo lãi đột biến Q3 nhờ hoàn nhập dự phòng",  # a quarter, not Quận 3
    "thị trấn Đức Thọ",  # the town, not a mention of the district
])
def test_district_names_that_are_not_districts(text):
    assert [m for m in find_places(text) if m.place.is_district] == []


def test_province_lists_and_venues_name_no_province():
    text = ("Tiêu đề\nNgày 19-12 tại Hà Nội, Trung ương Đoàn bế mạc hội nghị.\n"
            "Các đơn vị gồm: Tỉnh đoàn Đồng Nai, Đồng Tháp, Bình Dương, Nghệ An, Hà Nội, Quảng Bình.")
    assert resolve_places(text, "Tiêu đề") == (None, None)
