"""End to end through the real nightly flow: a small news site on 127.0.0.1 with an RSS feed,
a sitemap index and 22 real article pages; then a second night that downloads nothing again,
`reprocess` from bronze with the site gone, and a night with faults."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import query
from conftest_web import CP1258_TITLE, HTML_DIR, cp1258_page, site, to_cp1258  # noqa: F401 (fixture)

MANIFEST = list(csv.DictReader((HTML_DIR / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
PAGES = {f"/tin/{Path(row['file']).stem}.htm": (HTML_DIR / row["file"]).read_bytes() for row in MANIFEST}
PAGES["/tin/quan-ba-dinh-cp1258.htm"] = to_cp1258(cp1258_page())
FEED_PATHS = sorted(PAGES)[:12]
SITEMAP_PATHS = sorted(PAGES)[10:]  # two overlap with the feed: listed once


def rss(site, paths) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{site.url(p)}?utm_source=rss</link></item>" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>{items}</channel></rss>'.encode()


def sitemap_index(site) -> bytes:
    return (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f'<sitemap><loc>{site.url("/sitemap-news.xml")}</loc></sitemap></sitemapindex>').encode()


def urlset(site, paths) -> bytes:
    urls = "".join(f"<url><loc>{site.url(p)}</loc><lastmod>2026-03-0{i % 9 + 1}</lastmod></url>" for i, p in enumerate(paths))
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


@pytest.fixture
def news_site(site):
    """The site: robots.txt, /rss.xml, /sitemap.xml -> /sitemap-news.xml, the article pages."""
    for path, body in PAGES.items():
        site.page(path, body, "text/html" if "cp1258" in path else "text/html; charset=utf-8")
    site.static("/rss.xml", rss(site, FEED_PATHS), "application/rss+xml")
    site.static("/sitemap.xml", sitemap_index(site), "application/xml")
    site.static("/sitemap-news.xml", urlset(site, SITEMAP_PATHS), "application/xml")
    return site


def write_sources(tmp_path: Path, site, extra_urls: list[str] = ()) -> Path:
    urls = "".join(f"\n      - {u}" for u in extra_urls)
    path = tmp_path / "sources.yaml"
    path.write_text(
        "allow_private_hosts: true\nrate_limit: 0\nbackoff: 0.01\nmax_retries: 1\ntimeout: 2\nconnect_timeout: 1\n"
        "sources:\n"
        f"  tin-rss:\n    feeds: [{site.url('/rss.xml')}]\n    max_items: 50\n"
        f"  tin-sitemap:\n    sitemaps: [{site.url('/sitemap.xml')}]\n    max_items: 50\n"
        + (f"  tin-khac:\n    urls:{urls}\n" if extra_urls else ""),
        encoding="utf-8")
    return path


@pytest.fixture
def night(prefect_api, tmp_path):
    """Run the nightly flow over a sources.yaml; returns (summary, warehouse)."""
    from flows.nightly import nightly_ingest

    warehouse = tmp_path / "warehouse"

    def run(sources: Path | None, **options):
        summary = nightly_ingest(input_dir=None, warehouse=str(warehouse), sources=sources and str(sources),
                                 options=options or None)
        return summary, warehouse

    return run


def article_hits(site) -> list:
    return [h for h in site.hits if h.path in PAGES]


def test_two_nights_over_a_news_site(news_site, night, tmp_path):
    sources = write_sources(tmp_path, news_site)
    summary, wh = night(sources)
    assert summary["status"] == "completed"
    assert summary["inputs"]["seen"] == len(PAGES) == 22
    rows = query(wh, "select uri, source_name, title, text from articles order by uri")
    assert sorted(r[0] for r in rows) == sorted(news_site.url(p) for p in PAGES), "every article, canonical URL, once"
    assert all(title and len(text) > 200 for _, _, title, text in rows)
    by_uri = {r[0]: r for r in rows}
    assert by_uri[news_site.url(FEED_PATHS[0])][1] == "tin-rss"
    assert by_uri[news_site.url(SITEMAP_PATHS[-1])][1] == "tin-sitemap"
    cp = by_uri[news_site.url("/tin/quan-ba-dinh-cp1258.htm")]
    assert cp[2] == CP1258_TITLE and "hoàn thành 14/14 chỉ tiêu" in cp[3]
    fetched = query(wh, "select status, count(*), sum(bytes) > 0 from fetches group by status")
    assert fetched == [(200, 22, True)]
    assert len(list((wh / "bronze").rglob("*.html.gz"))) == 22
    assert len(article_hits(news_site)) == 22
    first_articles = query(wh, "select count(*) from articles_history")[0][0]

    news_site.hits.clear()
    summary2, _ = night(sources)
    assert summary2["status"] == "completed"
    hits = article_hits(news_site)
    assert len(hits) == 22 and all(h.headers.get("if-none-match") for h in hits), "conditional GET for every page"
    assert summary2["inputs"]["unchanged"] == 22 and summary2["inputs"]["new"] == 0
    assert summary2["rows"]["articles"] == 0
    assert query(wh, "select count(*) from articles_history")[0][0] == first_articles
    second = query(wh, f"select status, unchanged, bytes from fetches where run_id = '{summary2['run_id']}'")
    assert sorted(set(second)) == [(304, True, 0)] and len(second) == 22, "no article body downloaded again"

    # `etl reprocess`: the same pages again from bronze, with the site gone
    news_site.stop()
    news_site.hits.clear()
    again, _ = night(None, reprocess=True)
    assert again["status"] == "completed" and news_site.hits == []
    assert again["inputs"]["seen"] == 22 and again["inputs"]["unchanged"] == 22 and again["inputs"]["failed"] == 0
    assert again["rows"]["articles"] == 0
    one_night, _ = night(None, reprocess=True, reprocess_run=summary["run_id"])
    assert one_night["inputs"]["seen"] == 22 and one_night["inputs"]["unchanged"] == 22
    assert query(wh, "select count(*) from articles_history")[0][0] == first_articles


def test_faults_are_recorded_and_the_night_completes(news_site, night, tmp_path):
    site = news_site
    site.static("/gone.htm", b"", "text/html", status=404)
    site.static("/bao-cao.pdf", b"%PDF-1.4", "application/pdf")
    site.static("/meta.htm", b"", "text/html", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    site.page("/private/noi-bo.htm", PAGES[FEED_PATHS[0]])
    faults = {
        "/gone.htm": "HTTP 404 Not Found",
        "/bao-cao.pdf": "content type application/pdf not allowed",
        "/meta.htm": "redirect to http://169.254.169.254/latest/meta-data/ refused",
        "/private/noi-bo.htm": "disallowed by robots.txt",
    }
    sources = write_sources(tmp_path, site, [site.url(p) for p in faults])
    summary, wh = night(sources)
    # every URL of the tin-khac source failed: the night loaded the rest and says which source needs a look
    assert summary["status"] == "warning" and "tin-khac (4 failed" in summary["message"]
    assert query(wh, "select count(*) from articles")[0][0] == 22
    recorded = dict(query(wh, "select uri, reason from quarantine where table_name = 'inputs' and stage = 'acquire'"))
    assert set(recorded) == {site.url(p) for p in faults}
    for path, reason in faults.items():
        assert recorded[site.url(path)].startswith(reason)
    errors = dict(query(wh, "select uri, error from fetches where error is not null"))
    assert errors == recorded



def test_backfill_re_extracts_a_night_from_bronze_with_new_rules(news_site, night, tmp_path, monkeypatch):
    import datetime as dt

    import etl.extract
    from flows.backfill import backfill

    summary, wh = night(write_sources(tmp_path, news_site))
    news_site.stop()
    news_site.hits.clear()
    monkeypatch.setattr(etl.extract, "RULES_VERSION", "upgraded-rules")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()

    nights = backfill(warehouse=str(wh), start=today - dt.timedelta(days=1), end=today)

    assert [n["night"] for n in nights] == [summary["run_id"]]
    assert nights[0]["status"] == "completed" and nights[0]["rows_articles"] == 22
    assert news_site.hits == [], "backfill reads bronze, never the network"
    assert query(wh, "select count(*), count(distinct rules_version) from articles") == [(22, 1)]
    assert query(wh, "select distinct rules_version from articles") == [("upgraded-rules",)]
    assert query(wh, "select count(*) from articles_history") == [(44,)]
