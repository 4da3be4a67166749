"""etl.fetch against a scripted site on 127.0.0.1: faults, politeness, conditional GET, encodings."""

from __future__ import annotations

import email.utils
import time

import pyarrow.parquet as pq
import pytest

from etl import bronze
from etl.clean import clean_one
from etl.fetch import (
    Fetcher,
    canonical_url,
    detect_encoding,
    fetch_all,
    fetch_batch,
    parse_retry_after,
    ssrf_reason,
)
from etl.models import Item
from etl.storage import Store

from conftest_web import (  # noqa: F401 (site is a fixture)
    CP1258_TITLE,
    HTML_DIR,
    VIETNAMESE,
    Reply,
    cp1258_page,
    gzip_bomb,
    site,
    to_cp1258,
    web_settings,
)

ARTICLE = (HTML_DIR / "meth04_tracking_news_mcp__baodautu_article.html").read_bytes()
PAGE_TYPES_TEXT = "accepting text/html, application/xhtml+xml, text/plain"
CP1258_PAGE = cp1258_page()


def items(*urls: str, source: str = "test") -> list[Item]:
    return [Item(u, source) for u in urls]


def one(site, path: str, settings) -> tuple[list, list]:
    """fetch_batch over one faulty URL plus a good page: (docs, failures by URI)."""
    good = site.page("/good", ARTICLE)
    docs, failures = fetch_batch(items(site.url(path), good), settings)
    assert good in [d.uri for d in docs], "a good page in the same batch must still come through"
    return [d for d in docs if d.uri != good], {f.uri: f.reason for f in failures}


def fetch_rows(settings) -> list[dict]:
    store = Store(settings.warehouse)
    return [r for f in store.list_files("tables/fetches", ".parquet")
            for r in pq.read_table(store.path(f)).to_pylist()]


# -- pure helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("url, expected", [
    ("HTTPS://VnExpress.net:443/a.html?utm_source=x#top", "https://vnexpress.net/a.html"),
    ("http://127.0.0.1:8080/a/b.html?utm_medium=rss&id=3#frag", "http://127.0.0.1:8080/a/b.html?id=3"),
    ("https://baochinhphu.vn", "https://baochinhphu.vn/"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url, allow_private, expected", [
    ("http://127.0.0.1:9/x", False, "127.0.0.1 resolves to 127.0.0.1, a loopback address"),
    ("http://localhost:9/x", False, "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://10.1.2.3/x", False, "10.1.2.3 resolves to 10.1.2.3, a private address"),
    ("http://169.254.169.254/latest/meta-data/", True, "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/", True, "fd00:ec2::254 is a cloud metadata address"),
    ("http://metadata.google.internal/", True, "metadata.google.internal is a cloud metadata host"),
    ("file:///etc/passwd", True, "unsupported URL scheme 'file'"),
    ("http://127.0.0.1:9/x", True, None),
])
def test_ssrf_guard(url, allow_private, expected):
    reason = ssrf_reason(url, allow_private)
    assert (reason is None) if expected is None else reason.startswith(expected)


def test_retry_after_seconds_and_http_date():
    now = time.time()
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after("in a while") is None


@pytest.mark.parametrize("content, content_type, expected", [
    ("<p>Quận 1</p>".encode("utf-8"), "text/html; charset=UTF-8", "utf-8"),
    (to_cp1258('<meta charset="windows-1258"><p>Quận 1</p>'), "text/html", "cp1258"),
    # mislabelled: the header claims UTF-8, the bytes are windows-1258 and say so in <meta>
    (to_cp1258('<meta charset="windows-1258"><p>Quận 1</p>'), "text/html; charset=utf-8", "cp1258"),
    # mislabelled: a Latin-1 header on UTF-8 bytes
    ("<p>Quận 1 hoàn thành</p>".encode("utf-8"), "text/html; charset=iso-8859-1", "utf-8"),
    ("<p>Quận 1 hoàn thành</p>".encode("utf-8"), None, "utf-8"),
])
def test_detect_encoding(content, content_type, expected):
    assert detect_encoding(content, content_type) == expected


# -- faults: each recorded with a clear reason, the rest of the batch goes on --------------


def test_404_is_recorded_and_not_retried(site, tmp_path):
    site.static("/gone", b"nope", "text/html", status=404)
    docs, failures = one(site, "/gone", web_settings(tmp_path))
    assert failures == {site.url("/gone"): "HTTP 404 Not Found"}
    assert site.count("/gone") == 1


def test_500_then_200_is_retried(site, tmp_path):
    site.route("/flaky", lambda hit, n: Reply(500, {"Content-Type": "text/html"}, b"oops") if n == 0
               else Reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE))
    settings = web_settings(tmp_path)
    docs, failures = one(site, "/flaky", settings)
    assert failures == {} and [d.uri for d in docs] == [site.url("/flaky")]
    assert site.count("/flaky") == 2
    row = next(r for r in fetch_rows(settings) if r["uri"] == site.url("/flaky"))
    assert (row["status"], row["attempts"], row["error"]) == (200, 2, None)


def test_500_for_ever_gives_up(site, tmp_path):
    site.static("/down", b"oops", "text/html", status=503)
    docs, failures = one(site, "/down", web_settings(tmp_path, max_retries=2))
    assert failures == {site.url("/down"): "HTTP 503 Service Unavailable (gave up after 3 attempts)"}
    assert site.count("/down") == 3


def test_429_waits_for_retry_after(site, tmp_path):
    site.route("/busy", lambda hit, n: Reply(429, {"Retry-After": "1", "Content-Type": "text/plain"}) if n == 0
               else Reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE))
    docs, failures = one(site, "/busy", web_settings(tmp_path))
    assert failures == {} and len(docs) == 1
    first, second = [h.at for h in site.hits if h.path == "/busy"]
    assert second - first >= 0.95, "Retry-After: 1 must be honoured even with a 10 ms backoff"


def test_429_with_long_retry_after_is_skipped_tonight(site, tmp_path):
    site.static("/later", b"", "text/plain", status=429, headers={"Retry-After": "3600"})
    docs, failures = one(site, "/later", web_settings(tmp_path))
    assert failures == {site.url("/later"): "HTTP 429 Too Many Requests; Retry-After 3600 s is over 120 s, skipped tonight"}
    assert site.count("/later") == 1


def test_read_timeout(site, tmp_path):
    site.route("/slow", lambda hit, n: Reply(200, {"Content-Type": "text/html"}, ARTICLE, delay=1.0))
    docs, failures = one(site, "/slow", web_settings(tmp_path, timeout=0.3, max_retries=1))
    assert failures == {site.url("/slow"): "read timeout: no response within 0.3 s (gave up after 2 attempts)"}


def test_connection_refused(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    results = fetch_all(items(url), web_settings(tmp_path, max_retries=1, respect_robots=False))
    assert results[0].error.startswith("connection failed: ")
    assert results[0].error.endswith("(gave up after 2 attempts)")


def test_redirect_loop(site, tmp_path):
    site.static("/loop/a", b"", "text/html", status=302, headers={"Location": "/loop/b"})
    site.static("/loop/b", b"", "text/html", status=301, headers={"Location": site.url("/loop/a")})
    docs, failures = one(site, "/loop/a", web_settings(tmp_path))
    a, b = site.url("/loop/a"), site.url("/loop/b")
    assert failures == {a: f"redirect loop: {a} -> {b} -> {a}"}


def test_redirect_is_followed_to_the_final_url(site, tmp_path):
    site.static("/old", b"", "text/html", status=301, headers={"Location": "/new?utm_source=rss"})
    site.page("/new", ARTICLE)
    docs, failures = one(site, "/old", web_settings(tmp_path))
    assert failures == {} and [d.uri for d in docs] == [site.url("/new")]


def test_body_over_max_bytes_by_content_length(site, tmp_path):
    site.static("/big", b"<p>" + b"x" * 200_000, "text/html")
    docs, failures = one(site, "/big", web_settings(tmp_path, max_bytes=len(ARTICLE) + 1))
    assert failures == {site.url("/big"): f"body over max_bytes: Content-Length 200003 > {len(ARTICLE) + 1}"}


def test_body_over_max_bytes_while_streaming(site, tmp_path):
    site.static("/stream", b"<p>" + b"x" * 3_000_000, "text/html", headers={"Content-Length": None, "Connection": "close"})
    cap = len(ARTICLE) + 1
    docs, failures = one(site, "/stream", web_settings(tmp_path, max_bytes=cap))
    assert failures == {site.url("/stream"): f"body over max_bytes ({cap} bytes); download aborted"}


def test_gzip_bomb_is_cut_at_max_bytes(site, tmp_path):
    bomb = gzip_bomb(30_000_000)
    site.static("/bomb", bomb, "text/html", headers={"Content-Encoding": "gzip"})
    cap = 1_000_000
    assert len(bomb) < cap
    docs, failures = one(site, "/bomb", web_settings(tmp_path, max_bytes=cap))
    assert failures == {site.url("/bomb"):
                        f"decompressed body over max_bytes ({cap} bytes; Content-Encoding gzip): compression bomb?"}


def test_non_html_content_type_is_refused(site, tmp_path):
    site.static("/report.pdf", b"%PDF-1.4 ...", "application/pdf")
    docs, failures = one(site, "/report.pdf", web_settings(tmp_path))
    assert failures == {site.url("/report.pdf"): f"content type application/pdf not allowed ({PAGE_TYPES_TEXT})"}


def test_robots_disallow_is_respected(site, tmp_path):
    site.page("/private/report.html", ARTICLE)
    docs, failures = one(site, "/private/report.html", web_settings(tmp_path))
    assert failures == {site.url("/private/report.html"): f"disallowed by robots.txt ({site.url('')}/robots.txt)"}
    assert site.count("/private/report.html") == 0
    assert site.count("/robots.txt") == 1, "robots.txt is fetched once per origin"


def test_robots_unreachable_skips_the_host(site, tmp_path):
    site.static("/robots.txt", b"", "text/plain", status=500)
    site.page("/a", ARTICLE)
    results = fetch_all(items(site.url("/a")), web_settings(tmp_path, max_retries=0))
    assert results[0].error == "robots.txt unreachable (HTTP 500 Internal Server Error (gave up after 1 attempts)); host skipped (RFC 9309)"
    assert site.count("/a") == 0


def test_missing_robots_allows_everything(site, tmp_path):
    del site.routes["/robots.txt"]
    site.page("/a", ARTICLE)
    assert fetch_all(items(site.url("/a")), web_settings(tmp_path))[0].doc is not None


def test_windows_1258_page_comes_out_as_nfc_vietnamese(site, tmp_path):
    site.static("/cp1258", to_cp1258(CP1258_PAGE), "text/html")  # charset only in <meta>
    docs, failures = one(site, "/cp1258", web_settings(tmp_path))
    assert failures == {}
    (doc,) = docs
    assert doc.encoding == "cp1258"
    clean = clean_one(doc)
    assert VIETNAMESE in clean.text
    assert "Ủy ban nhân dân quận tặng Giấy khen cho 25 tập thể" in clean.text
    assert clean.title == CP1258_TITLE


def test_redirect_to_metadata_address_is_refused(site, tmp_path):
    site.static("/meta", b"", "text/html", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    docs, failures = one(site, "/meta", web_settings(tmp_path))
    assert failures == {site.url("/meta"): "redirect to http://169.254.169.254/latest/meta-data/ refused: "
                                           "169.254.169.254 is a cloud metadata address (SSRF guard)"}


def test_loopback_refused_unless_allowed(site, tmp_path):
    site.page("/a", ARTICLE)
    docs, failures = fetch_batch(items(site.url("/a")), web_settings(tmp_path, allow_private_hosts=False))
    assert docs == []
    assert failures[0].reason == ("refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address "
                                  "(SSRF guard; set allow_private_hosts: true to allow)")
    assert site.hits == [], "nothing may reach a refused host, not even robots.txt"


# -- politeness and incremental fetching -------------------------------------------------


def test_min_delay_between_requests_to_one_host(site, tmp_path):
    urls = [site.page(f"/p{i}", ARTICLE) for i in range(3)]
    fetch_all(items(*urls), web_settings(tmp_path, rate_limit=0.2))
    times = [h.at for h in site.hits]
    assert len(times) == 4  # robots.txt + 3 pages
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.19


def test_per_source_rate_limit_overrides_the_default(site, tmp_path):
    from etl.settings import SourceConfig

    urls = [site.page(f"/p{i}", ARTICLE) for i in range(3)]
    settings = web_settings(tmp_path, rate_limit=5.0, sources=[SourceConfig(name="fast", rate_limit=0.0)])
    started = time.monotonic()
    fetch_all(items(*urls, source="fast"), settings)
    assert time.monotonic() - started < 2


def test_conditional_get_answers_304_and_yields_nothing(site, tmp_path):
    url = site.page("/a", ARTICLE)
    settings = web_settings(tmp_path).replace(run_id="r1")
    docs, failures = fetch_batch(items(url), settings)
    assert len(docs) == 1 and failures == []
    assert bronze.commit_state(Store(settings.warehouse), "r1") == 1
    docs, failures = fetch_batch(items(url), settings.replace(run_id="r2"))
    assert docs == [] and failures == []
    second = [h for h in site.hits if h.path == "/a"][1]
    assert second.headers["if-none-match"].startswith('"')
    assert second.headers["if-modified-since"] == "Tue, 03 Mar 2026 08:00:00 GMT"
    rows = sorted(fetch_rows(settings), key=lambda r: r["run_id"])
    assert [(r["run_id"], r["status"], r["unchanged"], r["bytes"] > 0) for r in rows] == [
        ("r1", 200, False, True), ("r2", 304, True, False)]


def test_uncommitted_state_is_not_trusted(site, tmp_path):
    """A run that died before loading must not leave its pages marked as seen."""
    url = site.page("/a", ARTICLE)
    settings = web_settings(tmp_path).replace(run_id="crashed")
    fetch_batch(items(url), settings)
    docs, _ = fetch_batch(items(url), settings.replace(run_id="next"))
    assert len(docs) == 1
    assert "if-none-match" not in site.hits[-1].headers


def test_same_bytes_without_validators_count_as_unchanged(site, tmp_path):
    url = site.static("/plain", ARTICLE, "text/html; charset=utf-8")  # no ETag, no Last-Modified
    settings = web_settings(tmp_path).replace(run_id="r1")
    assert len(fetch_batch(items(url), settings)[0]) == 1
    bronze.commit_state(Store(settings.warehouse), "r1")
    assert fetch_batch(items(url), settings.replace(run_id="r2")) == ([], [])


def test_bronze_keeps_the_original_bytes(site, tmp_path):
    raw = to_cp1258(CP1258_PAGE)
    url = site.static("/cp1258", raw, "text/html")
    settings = web_settings(tmp_path).replace(run_id="r1")
    (doc,), _ = fetch_batch(items(url), settings)
    store = Store(settings.warehouse)
    path = bronze.blob_path(doc.raw_hash, "text/html")
    assert store.exists(path) and path.startswith(f"bronze/{doc.raw_hash[:2]}/") and path.endswith(".html.gz")
    assert bronze.get_blob(store, doc.raw_hash, "text/html") == raw
    bronze.commit_state(store, "r1")
    rebuilt, failed = bronze.rebuild_docs(store)
    assert failed == [] and [(d.uri, d.content, d.encoding) for d in rebuilt] == [(url, raw, "cp1258")]
    assert bronze.rebuild_docs(store, run_id="r1")[0][0].content == raw


def test_fetcher_follows_feed_types_for_discovery(site, tmp_path):
    url = site.static("/feed.rss", b"<rss version='2.0'></rss>", "application/rss+xml")
    from etl.fetch import FEED_TYPES

    resp = Fetcher(web_settings(tmp_path)).get(url, allowed_types=FEED_TYPES)
    assert resp.status == 200 and resp.content.startswith(b"<rss")
