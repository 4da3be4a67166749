"""Hostile files: every input is either loaded with the right facts or named in quarantine with its reason.

Unit cases call the stage functions directly; the flow cases batch many hostile
files into one run (each run pays a few seconds of Great Expectations set-up)
and then check, file by file, which row or which refusal it produced.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
import time
import tracemalloc
import unicodedata
import zlib
from pathlib import Path

import pytest

from etl.acquire import acquire_batch
from etl.clean import clean_batch, clean_one
from etl.discover import discover_folder
from etl.errors import InputError
from etl.models import Item, RawDoc
from etl.settings import Settings

from conftest import SEEDS, query
from conftest_web import to_cp1258

SEED = SEEDS / "000_db400617e4ced398.txt"  # Nam Từ Liêm, 14/14 targets: many facts of every kind
SEED_TEXT = SEED.read_text(encoding="utf-8")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Length 60 /Filter /FlateDecode >>\nstream\n" + zlib.compress(SEED_TEXT.encode()) + b"\nendstream\n%%EOF\n"
GZIP = gzip.compress(SEED_TEXT.encode())
SCRIPTS_ONLY = (b"<!doctype html><html><head><title>x</title><style>body{color:red}</style>"
                b"<script>var quan = 'Nam T\xe1\xbb\xab Li\xc3\xaam 14/14';</script></head>"
                b"<body><script>document.write('thi dua')</script><noscript></noscript></body></html>")
DEEP = 10_000
MB = 1024 * 1024


def nested_divs(text: str, depth: int = DEEP) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return f"<html><body>{'<div>' * depth}{paragraphs}{'</div>' * depth}</body></html>".encode()


def raw(content: bytes, name: str = "x.txt", encoding: str | None = None) -> RawDoc:
    html = name.endswith((".html", ".htm"))
    return RawDoc(uri=f"file:///in/{name}", source_name="in", content=content,
                  content_type="text/html" if html else "text/plain", fetched_at=dt.datetime(2024, 1, 1), encoding=encoding)


# --------------------------------------------------------------------------- #
# clean, one input at a time
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file (no text)"),
    ("blank.txt", b" \n\t\r\n\x0b\x0c  ", "file holds only whitespace"),
    ("empty.html", b"", "empty page (no bytes)"),
    ("image.txt", PNG, "not a text article: looks like a PNG image"),
    ("report.txt", PDF, "not a text article: looks like a PDF document"),
    ("archive.txt", GZIP, "not a text article: looks like gzip-compressed data"),
    ("image.html", PNG, "not an HTML page: looks like a PNG image"),
    ("report.html", PDF, "not an HTML page: looks like a PDF document"),
    ("broken.txt", b"Nam Tu Liem 14/14 " + b"\xff\xfe\xc3(" + SEED_TEXT.encode()[:400], "not valid utf-8 (byte 0xff at offset 18)"),
    ("utf16-no-bom.txt", SEED_TEXT.encode("utf-16-le"), "not a text article: looks like UTF-16 text without a byte-order mark"),
    ("utf16be-no-bom.txt", SEED_TEXT.encode("utf-16-be"), "looks like UTF-16 text without a byte-order mark"),
    ("nul.txt", SEED_TEXT.encode()[:300] + bytes(64) + SEED_TEXT.encode()[300:600], "not a text article: looks like binary data (NUL bytes)"),
    ("latin1.txt", "Société générale: le café crème coûte 2,50 francs.".encode("latin-1"), "not valid utf-8"),
    ("scripts.html", SCRIPTS_ONLY, "no article text found in the HTML page"),
    ("cut.html", nested_divs(SEED_TEXT, 3)[:2000], "HTML page is cut off"),
])
def test_hostile_bytes_are_refused_with_a_reason(name, content, reason):
    with pytest.raises(InputError) as info:
        clean_one(raw(content, name))
    assert reason in info.value.reason
    assert info.value.uri == f"file:///in/{name}"


@pytest.mark.parametrize("encoded", [
    pytest.param(SEED_TEXT.encode("utf-16"), id="utf-16-bom"),
    pytest.param(SEED_TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]), id="utf-16-be-bom"),
    pytest.param(SEED_TEXT.encode("utf-8-sig"), id="utf-8-bom"),
    pytest.param(to_cp1258(SEED_TEXT), id="windows-1258"),
    pytest.param(unicodedata.normalize("NFD", SEED_TEXT).encode(), id="nfd"),
    pytest.param(SEED_TEXT.replace("\n", "\r\n").encode(), id="crlf"),
])
def test_other_encodings_give_the_same_text_as_utf8(encoded):
    assert encoded != SEED_TEXT.encode()
    reference = clean_one(raw(SEED_TEXT.encode()))
    got = clean_one(raw(encoded))
    assert got.text == reference.text
    assert (got.title, got.author, got.published_at, got.source) == (
        reference.title, reference.author, reference.published_at, reference.source)
    assert unicodedata.is_normalized("NFC", got.text)


def test_windows_1258_declared_by_the_transport_is_decoded():
    got = clean_one(raw(to_cp1258(SEED_TEXT), encoding="cp1258"))
    assert got.text == clean_one(raw(SEED_TEXT.encode())).text


def test_ten_thousand_nested_divs_keep_their_text():
    """Regression: lxml stops at 255 levels, so the article inside was reported as 'no article text'."""
    start = time.perf_counter()
    doc = clean_one(raw(nested_divs(SEED_TEXT), "deep.html"))
    assert time.perf_counter() - start < 5
    assert "quận Nam Từ Liêm" in doc.text and "14/14 chỉ tiêu" in doc.text


def test_shallow_pages_are_not_rewritten():
    from etl.clean import flatten_wrappers

    page = b"<html><body>" + b"<div>" * 40 + b"<p>x</p>" + b"</div>" * 40 + b"</body></html>"
    assert flatten_wrappers(page) is page


def test_a_crashing_rule_is_reported_not_raised(monkeypatch):
    import etl.clean

    def boom(text, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(etl.clean, "clean_article_text", boom)
    cleaned, failures = clean_batch([raw(SEED_TEXT.encode(), "a.txt"), raw(b"", "b.txt")])
    assert cleaned == []
    assert [(f.uri.rsplit("/", 1)[1], f.stage, f.reason.split(":")[0]) for f in failures] == [
        ("a.txt", "clean", "unexpected error"), ("b.txt", "clean", "empty file (no text)")]


# --------------------------------------------------------------------------- #
# discover and acquire on a real folder
# --------------------------------------------------------------------------- #

def test_symlinks_outside_looping_or_dangling_are_refused(tmp_path):
    inside, outside = tmp_path / "in", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("mật khẩu", encoding="utf-8")
    (inside / "ok.txt").write_text(SEED_TEXT, encoding="utf-8")
    (inside / "leak.txt").symlink_to(outside / "secret.txt")
    (inside / "etc.txt").symlink_to("/etc/passwd")
    (inside / "loop.txt").symlink_to(inside / "loop.txt")
    (inside / "dangling.txt").symlink_to(inside / "missing.txt")
    (inside / "alias.txt").symlink_to(inside / "ok.txt")  # inside the folder: fine
    (inside / "subdir").symlink_to(outside, target_is_directory=True)  # not walked into
    items, failures = discover_folder(inside)
    assert sorted(i.uri.rsplit("/", 1)[1] for i in items) == ["alias.txt", "ok.txt"]
    reasons = {f.uri.rsplit("/", 1)[1]: f.reason for f in failures}
    assert reasons.keys() == {"leak.txt", "etc.txt", "loop.txt", "dangling.txt"}
    assert "outside the input folder" in reasons["leak.txt"] and "refused" in reasons["leak.txt"]
    assert "outside the input folder" in reasons["etc.txt"]
    assert "symlink loop" in reasons["loop.txt"]
    assert "dangling symlink" in reasons["dangling.txt"]
    assert all(f.stage == "discover" for f in failures)


def test_names_with_spaces_vietnamese_letters_and_bad_bytes_are_read(tmp_path):
    folder = tmp_path / "Thư mục tin"
    (folder / "Quận Nam Từ Liêm").mkdir(parents=True)
    nice = folder / "Quận Nam Từ Liêm" / "Báo cáo thi đua 2023 (bản cuối).txt"
    nice.write_text(SEED_TEXT, encoding="utf-8")
    nfd = folder / unicodedata.normalize("NFD", "tin tức.txt")  # how macOS writes names
    nfd.write_text(SEED_TEXT, encoding="utf-8")
    undecodable = Path(os.fsdecode(bytes(folder).rstrip(b"/") + b"/tin\xff%20#?.txt"))
    undecodable.write_text(SEED_TEXT, encoding="utf-8")
    items, failures = discover_folder(folder)
    assert failures == [] and len(items) == 3
    docs, failures = acquire_batch(items, Settings(input_dir=folder))
    assert failures == []
    assert {d.content for d in docs} == {SEED_TEXT.encode()}
    assert all(d.uri.isascii() for d in docs)


def test_fifty_megabytes_are_refused_by_the_cap_without_being_read(tmp_path):
    big = tmp_path / "big.txt"
    line = (SEED_TEXT.split("\n")[4] + "\n").encode()
    block = line * (MB // len(line) + 1)
    with big.open("wb") as out:
        for _ in range(50):
            out.write(block)
    assert big.stat().st_size >= 50 * MB
    tracemalloc.start()
    docs, failures = acquire_batch([Item(big.as_uri(), "in")], Settings(input_dir=tmp_path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert docs == []
    [failure] = failures
    assert failure.stage == "acquire"
    assert f"over the {10 * MB}-byte cap" in failure.reason and str(big.stat().st_size) in failure.reason
    assert peak < MB  # refused from stat(), never read


def test_ten_thousand_tiny_files_are_discovered_acquired_and_cleaned_quickly(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(10_000):
        (folder / f"{n:05d}.txt").write_bytes(b"" if n % 1000 == 0 else f"Tin {n}\nQuận 1 đạt {n}%.".encode())
    start = time.perf_counter()
    items, failures = discover_folder(folder)
    docs, acq_failures = acquire_batch(items, Settings(input_dir=folder))
    cleaned, clean_failures = clean_batch(docs)
    seconds = time.perf_counter() - start
    assert len(items) == 10_000 and failures == acq_failures == []
    assert len(cleaned) == 9_990
    assert len(clean_failures) == 10 and {f.reason for f in clean_failures} == {"empty file (no text)"}
    assert seconds < 20, seconds


# --------------------------------------------------------------------------- #
# the whole flow: one run over a folder of hostile files
# --------------------------------------------------------------------------- #

LOADED_AS_SEED = {  # file name -> bytes that must give exactly the seed's facts
    "utf16 bom.txt": SEED_TEXT.encode("utf-16"),
    "windows-1258.txt": to_cp1258(SEED_TEXT),
    "nfd.txt": unicodedata.normalize("NFD", SEED_TEXT).encode(),
    # two more newlines: other bytes than seed.txt (the same bytes anywhere are one article), the same text
    "Báo cáo thi đua Nam Từ Liêm.txt": SEED_TEXT.encode() + b"\n\n",
}
REFUSED = {  # file name -> (stage, reason); the bytes are written below
    "empty.txt": ("clean", "empty file (no text)"),
    "blank.txt": ("clean", "file holds only whitespace"),
    "anh.txt": ("clean", "looks like a PNG image"),
    "bao-cao.html": ("clean", "looks like a PDF document"),
    "nen.txt": ("clean", "looks like gzip-compressed data"),
    "hong.txt": ("clean", "not valid utf-8"),
    "script.html": ("clean", "no article text found"),
    "lon.txt": ("acquire", "over the 10485760-byte cap"),
    "leak.txt": ("discover", "outside the input folder"),
    "loop.txt": ("discover", "symlink loop"),
}
FACT_COLUMNS = {
    "metrics": "seq, quote, value, unit, numerator, denominator, subject, indicator, year, char_start, char_end",
    "awards": "seq, quote, award, award_detail, issuer, recipient_kind, recipient_count, year",
    "documents": "doc_type, number, issued_on, issuer, quote",
    "movements": "name, kind",
    "officials": "name, position, organization",
}


def facts_of(wh: Path, uri_suffix: str) -> dict[str, list]:
    out = {}
    for table, cols in FACT_COLUMNS.items():
        out[table] = query(wh, f"select {cols} from {table} where article_id in "
                               f"(select article_id from articles where uri like '%{uri_suffix}') order by all")
    return out


def test_one_run_over_every_hostile_file(run_flow, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    for name, content in LOADED_AS_SEED.items():
        (folder / name).write_bytes(content)
    (folder / "deep.html").write_bytes(nested_divs(SEED_TEXT))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"\n \t \r\n")
    (folder / "anh.txt").write_bytes(PNG)
    (folder / "bao-cao.html").write_bytes(PDF)
    (folder / "nen.txt").write_bytes(GZIP)
    (folder / "hong.txt").write_bytes(b"Qu\xe1\xba n \xff 14/14")
    (folder / "script.html").write_bytes(SCRIPTS_ONLY)
    with (folder / "lon.txt").open("wb") as out:  # 50 MB of text
        out.seek(50 * MB)
        out.write(b"\n")
    (tmp_path / "secret.txt").write_text(SEED_TEXT, encoding="utf-8")
    (folder / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")

    summary, wh = run_flow(folder)

    assert summary["status"] == "completed"
    loaded = {uri.rsplit("/", 1)[1] for (uri,) in query(wh, "select uri from articles")}
    from urllib.parse import quote
    assert loaded == {quote(n) for n in ["seed.txt", "deep.html", *LOADED_AS_SEED]}
    refused = {uri.rsplit("/", 1)[1]: (stage, reason) for uri, stage, reason in
               query(wh, "select uri, stage, reason from quarantine where table_name = 'inputs'")}
    assert refused.keys() == REFUSED.keys()
    for name, (stage, reason) in REFUSED.items():
        assert refused[name][0] == stage and reason in refused[name][1], (name, refused[name])
    assert summary["inputs"]["failed"] == len(REFUSED)
    # the secret behind the symlink never reached the warehouse
    assert query(wh, "select count(*) from articles where uri like '%secret%'") == [(0,)]

    seed_facts = facts_of(wh, "/seed.txt")
    assert seed_facts["metrics"] and seed_facts["awards"]
    for name in LOADED_AS_SEED:
        assert facts_of(wh, "/" + quote(name)) == seed_facts, name
    texts = dict(query(wh, "select uri, text from articles"))
    seed_text = next(t for u, t in texts.items() if u.endswith("/seed.txt"))
    assert all(t == seed_text for u, t in texts.items() if not u.endswith("/deep.html"))
    # offsets point into the stored (NFC) text for every article, whatever its encoding
    assert query(wh, "select count(*) from metrics m join articles a using (article_id) "
                     "where substr(a.text, m.char_start + 1, m.char_end - m.char_start) <> m.quote") == [(0,)]
    # the 10 000-div page lost nothing: its paragraphs give the seed's ratio and money figures
    deep_quotes = {r[1] for r in facts_of(wh, "/deep.html")["metrics"]}
    assert {q for q in deep_quotes if "14/14" in q or "tỷ đồng" in q}


def test_a_folder_of_ten_thousand_tiny_files_runs_through_the_flow(run_flow, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(10_000):
        body = b"" if n % 1000 == 0 else f"Tin ngắn số {n}\n\nNăm 2023, quận 1 hoàn thành {n % 20}/20 chỉ tiêu.".encode()
        (folder / f"{n:05d}.txt").write_bytes(body)
    start = time.perf_counter()
    summary, wh = run_flow(folder, batch_size=5_000)
    seconds = time.perf_counter() - start
    assert summary["status"] == "completed"
    assert query(wh, "select count(*) from articles") == [(9_990,)]
    assert query(wh, "select count(*) from quarantine where table_name = 'inputs' and reason like 'empty file%'") == [(10,)]
    assert query(wh, "select count(distinct article_id) from metrics where unit = 'ratio'")[0][0] >= 9_000
    assert seconds < 60, seconds
