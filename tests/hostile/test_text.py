"""Hostile text: generated strings through clean and extract, and numbers at the edges.

Properties, not examples: whatever the string, normalisation and the line
filter never raise, their output is NFC and stable, and every fact's offsets
cut its quote out of the text it was extracted from.
"""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.textclean import clean_article_text, normalize

# Real sentence pieces so the generator reaches the extraction rules, mixed with
# arbitrary code points (controls, surrogates excluded by text(), combining marks,
# RTL marks, separators).
FRAGMENTS = [
    "Quận Nam Từ Liêm hoàn thành 14/14 chỉ tiêu", "thu ngân sách đạt 8.602,658 tỷ đồng", "đạt 111,8 %",
    "1/0 chỉ tiêu", "0/0", "Kế hoạch số 160/KH-UBND ngày 21/01/2022", "Cờ thi đua của UBND Thành phố",
    "Bằng khen", "12 tập thể, 25 cá nhân", "phong trào \"Thi đua yêu nước\"", "Chủ tịch UBND quận",
    "ông Nguyễn Văn A", "1.000.000.000.000 tỷ đồng", "100,5%", "năm 2023", "\u00a0", "\u200b", "\r\n",
    "\n\n\n", "\t", "\u2028", "\ufeff", "(HNM) - ", "Chia sẻ Zalo", "?", "%", ".", ",", "/", "-",
    "\u0301", "\u0323", "\u0309", "Ð", "đ", "Ư", "ơ",
]
fragment = st.sampled_from(FRAGMENTS)
noise = st.text(min_size=0, max_size=20)
hostile_text = st.lists(st.one_of(fragment, fragment, noise), max_size=30).map("".join)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(hostile_text)
def test_normalize_never_raises_and_is_stable(text):
    out = normalize(text)
    assert unicodedata.is_normalized("NFC", out)
    assert "\r" not in out and "\u00a0" not in out and "\ufeff" not in out
    assert normalize(out) == out


@FAST
@given(hostile_text)
def test_nfd_and_nfc_normalise_to_the_same_text(text):
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(unicodedata.normalize("NFC", text))


@FAST
@given(hostile_text)
def test_line_filter_never_raises_and_keeps_only_input_lines(text):
    cleaned = clean_article_text(text)
    assert unicodedata.is_normalized("NFC", cleaned.text)
    source_lines = set(normalize(text).split("\n"))
    assert set(cleaned.text.split("\n")) <= source_lines | {""}


def assert_offsets_valid(text, facts):
    for table in ("metrics", "awards", "movements", "officials", "documents"):
        for row in getattr(facts, table):
            start, end = getattr(row, "char_start", None), getattr(row, "char_end", None)
            if start is None:
                continue
            assert 0 <= start < end <= len(text), (table, row)
            assert text[start:end] == row.quote, (table, row)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_extract_never_raises_and_offsets_cut_the_quote(text):
    from etl.extract import extract_facts

    cleaned = clean_article_text(text).text
    facts = extract_facts(cleaned, "a" * 16)
    assert_offsets_valid(cleaned, facts)
    for metric in facts.metrics:
        assert math.isfinite(metric.value), metric


@pytest.mark.parametrize("sentence, expected", [
    # zero is a value, not a missing one
    ("Năm 2023, trên địa bàn quận có 0 vụ cháy nổ.", [(0.0, "count")]),
    ("Thu ngân sách năm 2023 đạt 0% dự toán.", [(0.0, "percent")]),
    # a trillion billions: stays a finite double with its unit
    ("Tổng vốn đầu tư đạt 1.000.000.000.000 tỷ đồng.", [(1e12, "vnd_billion")]),
    ("Thu ngân sách đạt 100,5% dự toán.", [(100.5, "percent")]),
    # a zero denominator is not a ratio (and must not divide by zero)
    ("Quận hoàn thành 1/0 chỉ tiêu kinh tế - xã hội.", []),
    ("Quận hoàn thành 0/0 chỉ tiêu.", []),
])
def test_numbers_at_the_edges(sentence, expected):
    from etl.extract.metrics import extract_metrics

    metrics = extract_metrics(sentence)
    assert [(m.value, m.unit) for m in metrics] == expected
    for m in metrics:
        assert sentence[m.char_start:m.char_end] == m.quote


def test_number_too_large_for_a_double_is_not_a_fact():
    """Regression: 400 thousands groups parsed to inf and loaded as value = inf."""
    from etl.extract.metrics import extract_metrics

    huge = "1" + ".000" * 400
    assert extract_metrics(f"Tổng vốn đầu tư đạt {huge} tỷ đồng, hoàn thành {huge}/2 chỉ tiêu.") == []


def test_award_count_too_large_for_a_double_does_not_lose_the_article():
    """Regression: int(inf) raised OverflowError, so extract_batch dropped the whole article."""
    import datetime as dt

    from etl.extract import extract_batch
    from etl.models import CleanDoc

    huge = "1" + ".000" * 400
    text = f"Khen thưởng\n\nChủ tịch UBND quận tặng Bằng khen cho {huge} tập thể có thành tích xuất sắc năm 2023."
    doc = CleanDoc(uri="file:///in/huge.txt", source_name="in", text=text, fetched_at=dt.datetime(2024, 1, 1), raw_hash="0")
    out = extract_batch([doc], "run")
    assert out.failures == []
    assert [a.uri for a in out.articles] == ["file:///in/huge.txt"]


def test_nfd_sentence_gives_the_same_facts_with_offsets_into_nfc_text():
    from etl.extract import extract_facts

    nfc = "Quận Nam Từ Liêm hoàn thành 14/14 chỉ tiêu kinh tế - xã hội, thu ngân sách đạt 8.602,658 tỷ đồng."
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    text_from_nfd = clean_article_text(nfd).text
    assert text_from_nfd == nfc  # offsets are into the NFC text
    facts_nfd = extract_facts(text_from_nfd)
    facts_nfc = extract_facts(nfc)
    assert facts_nfd == facts_nfc
    assert facts_nfd.metrics
    assert_offsets_valid(text_from_nfd, facts_nfd)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       st.sampled_from(["a.txt", "a.html"]))
def test_any_bytes_through_clean_give_a_document_or_a_named_refusal(content, name):
    import datetime as dt

    from etl.clean import clean_batch
    from etl.models import RawDoc

    raw = RawDoc(uri=f"file:///in/{name}", source_name="in", content=content,
                 content_type="text/html" if name.endswith(".html") else "text/plain", fetched_at=dt.datetime(2024, 1, 1))
    cleaned, failures = clean_batch([raw])
    assert len(cleaned) + len(failures) == 1
    for failure in failures:
        assert failure.stage == "clean" and failure.reason and not failure.reason.startswith("unexpected error"), failure
    for doc in cleaned:
        assert doc.text.strip() and unicodedata.is_normalized("NFC", doc.text)


# --------------------------------------------------------------------------- #
# one document's budget: size, time, a title that is no title
# --------------------------------------------------------------------------- #

def test_a_five_megabyte_one_line_text_is_quarantined_within_a_budget(run_flow, tmp_path):
    import time

    from conftest import SEEDS, query

    folder = tmp_path / "in"
    folder.mkdir()
    seed = (SEEDS / "000_db400617e4ced398.txt").read_bytes()
    (folder / "seed.txt").write_bytes(seed)
    line = "Quận 1 trao 12 Bằng khen, hoàn thành 14/14 chỉ tiêu, thu 8.602,658 tỷ đồng. "
    five_mb = (line * (5 * 1024 * 1024 // len(line.encode()) + 1)).encode()[:5 * 1024 * 1024]
    (folder / "one-line.txt").write_bytes(five_mb.decode("utf-8", "ignore").encode())  # whole characters only
    started = time.perf_counter()
    summary, wh = run_flow(folder)
    seconds = time.perf_counter() - started
    assert summary["inputs"]["failed"] == 1
    [(stage, reason)] = query(wh, "select stage, reason from quarantine where table_name = 'inputs'")
    assert stage == "clean" and "over the 1000000-character budget for one article" in reason, reason
    assert query(wh, "select count(*), max(length(title)) < 300 from articles") == [(1, True)]
    assert seconds < 90, seconds  # the big file costs a decode and a length check, not a night


def test_a_title_longer_than_a_line_is_refused_as_a_title_but_the_facts_stay():
    import datetime as dt

    from etl.clean import clean_batch
    from etl.extract import extract_batch
    from etl.models import RawDoc

    first = "Quận 1 hoàn thành 14/14 chỉ tiêu kinh tế - xã hội " * 40  # 2,000 characters, no line break
    raw = RawDoc(uri="file:///in/long-title.txt", source_name="in", content=(first + "\nNội dung.").encode(),
                 content_type="text/plain", fetched_at=dt.datetime(2024, 1, 1))
    [doc], failures = clean_batch([raw])
    assert failures == [] and doc.title is None
    out = extract_batch([doc], "r1")
    [article] = out.articles
    assert article.title is None
    assert any(m.unit == "ratio" and m.value == 14 for m in out.facts.metrics)


def test_a_document_over_the_time_budget_is_quarantined_with_the_reason():
    import datetime as dt

    from etl.clean import clean_batch
    from etl.extract import extract_batch
    from etl.models import RawDoc

    from conftest import SEEDS

    raws = [RawDoc(uri=f"file:///in/{p.name}", source_name="in", content=p.read_bytes(), content_type="text/plain",
                   fetched_at=dt.datetime(2024, 1, 1)) for p in sorted(SEEDS.glob("*.txt"))[:2]]
    docs, _ = clean_batch(raws)
    out = extract_batch(docs, "r1", budget=1e-9)
    assert out.articles == [] and len(out.failures) == 2
    assert all(f.stage == "extract" and "over the 1e-09 s budget for one document" in f.reason for f in out.failures)
    assert len(extract_batch(docs, "r1").articles) == 2
